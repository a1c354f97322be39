// Reading lines from stdin with the prelude's readLine: the first line
// gives how many lines follow (an empty line is a line too). The program
// never reads past the end of its input.
fold {
  [String] readLines(GetSeq<Char> input, fold by Int n) {
    if (n <= 0) {
      []
    } else {
      let line = readLine(input);
      line : readLines(input, n - 1)
    }
  }
}

void printNumbered(PutSeq<Char> out, [String] lines, Int i) {
  switch lines {
    case []:
    case (line:rest):
      writeLine(out, concat(show(i), concat(": ", show(line))));
      printNumbered(out, rest, i + 1);
  }
}

Int totalLength([String] lines) {
  switch lines {
    case []: 0
    case (line:rest): length(line) + totalLength(rest)
  }
}

process main(GetSeq<Char> input, PutSeq<Char> out) {
  let n = unwrap(strToInt(readLine(input)), 0);
  let lines = readLines(input, n);
  input.put(StopGet);
  printNumbered(out, lines, 1);
  writeLine(out, concat(show(length(lines)), concat(" lines, ", concat(show(totalLength(lines)), " chars"))));
  out.put(StopPut);
}

main(stdin, stdout);
