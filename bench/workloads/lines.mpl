// bench: lines. Reads LINES lines from stdin with the prelude's readLine
// (a GetSeq<Char>) and counts the words (runs of non-blank characters).
// `stdin` has no end-of-input message, so the line count is an argument
// (run.sh passes `wc -l` of the input).
// Run: mpl run bench/workloads/lines.mpl LINES < text
Int countWords(String line, Bool inWord, Int acc) {
  switch line {
    case []: acc
    case (c:rest):
      if (c == ' ' || c == '\t' || c == '\r') {
        countWords(rest, false, acc)
      } else if (inWord) {
        countWords(rest, true, acc)
      } else {
        countWords(rest, true, acc + 1)
      }
  }
}

Int readAll(GetSeq<Char> input, Int left, Int words) {
  if (left <= 0) {
    words
  } else {
    let line = readLine(input);
    readAll(input, left - 1, words + countWords(line, false, 0))
  }
}

process main(GetSeq<Char> input, PutSeq<Char> out, Int lines) {
  let words = readAll(input, lines, 0);
  input.put(StopGet);
  writeLine(out, concat("words: ", show(words)));
  out.put(StopPut);
}

main(stdin, stdout, unwrap(strToInt(args[0, ""]), 0));
