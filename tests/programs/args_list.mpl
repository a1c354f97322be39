// The command-line arguments after the file name arrive as `args : [String]`.
Int parseOrZero(String s) { unwrap(strToInt(s), 0) }

Int sumParsed([String] xs) {
  switch xs {
    case []: 0
    case (x:rest): parseOrZero(x) + sumParsed(rest)
  }
}

process main(PutSeq<Char> out, [String] argv, String first) {
  writeLine(out, show(argv));
  writeLine(out, show(length(argv)));
  writeLine(out, first);
  writeLine(out, argv[9, "none"]);
  writeLine(out, show(sumParsed(argv)));
  out.put(StopPut);
}

main(stdout, args, args[0, "none"]);
