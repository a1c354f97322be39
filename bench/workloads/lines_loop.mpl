// bench: lines, counted by an MPL loop over each line's characters (the
// interpreter's own speed on text; `lines.mpl` uses the prelude's `words`).
// Run: mpl run bench/workloads/lines_loop.mpl < text

/// `acc` plus the words of `line`; `inWord` says whether the previous character was part of one.
Int countWords(String line, Bool inWord, Int acc) {
  switch line {
    case []: acc
    case (c:rest):
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        countWords(rest, false, acc)
      } else if (inWord) {
        countWords(rest, true, acc)
      } else {
        countWords(rest, true, acc + 1)
      }
  }
}

process main(Console con, Int count) {
  con.put(ReadLine);
  switch (con.get) {
    case Line:
      let line = con.get;
      main(con, count + countWords(line, false, 0));
    case EndOfInput:
      con.put(Write).put(concat("words: ", concat(show(count), "\n")));
      con.put(StopConsole);
  }
}

main(console, 0);
