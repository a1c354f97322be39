// Hello, world.
// Run: mpl run examples/hello.mpl
//
// `stdout` is a built-in service: the end of a channel whose protocol is
// PutSeq<Char> (`Put` then one character, again and again, until
// `StopPut`). The last line of this file is the program's wiring: it
// starts the process `main` and hands it that channel.
//
// `writeLine` (from the prelude) sends each character of a string, then
// '\n'. A process must finish every channel it holds before it ends, so
// `main` says `StopPut` last.
process main(PutSeq<Char> out) {
  writeLine(out, "Hello, world!");
  out.put(StopPut);
}

main(stdout);

// The research report's version sends whole strings through the prelude's
// bulkPutAdapter process instead:
//
//   process helloWorld(PutSeq<String> strOut) {
//     strOut.put(Put).put("Hello, world!\n");
//     strOut.put(StopPut);
//   }
//   bulkPutAdapter(~strOut, stdout, "");
//   helloWorld(strOut);
