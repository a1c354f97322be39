// The prelude's adapter processes: bulkGetAdapter turns stdin into a
// sequence of lines (GetSeq<String>), bulkPutAdapter turns a sequence of
// strings into characters on stdout, after writing its initial text.
process main(GetSeq<String> lineIn, PutSeq<String> textOut) {
  lineIn.put(Get);
  let a = lineIn.get;
  lineIn.put(Get);
  let b = lineIn.get;
  lineIn.put(StopGet);
  textOut.put(Put).put(concat(b, "\n"));
  textOut.put(Put).put(concat(a, "\n"));
  textOut.put(Put).put(show(length(a) + length(b)));
  textOut.put(Put).put("");
  textOut.put(Put).put("\n");
  textOut.put(StopPut);
}

bulkGetAdapter(~lineIn, stdin, '\n');
bulkPutAdapter(~textOut, stdout, "== start ==\n");
main(lineIn, textOut);
