// bench: lines. Reads stdin line by line through the `console` service
// (one `ReadLine` request and one `Line` answer per line; `EndOfInput` at
// the end) and counts the words with the prelude's `words`.
// Run: mpl run bench/workloads/lines.mpl < text
// (`bench/workloads/lines_loop.mpl` counts them with an MPL loop over the
// characters instead, to measure the interpreter itself.)

process main(Console con, Int count) {
  con.put(ReadLine);
  switch (con.get) {
    case Line:
      let line = con.get;
      main(con, count + length(words(line)));
    case EndOfInput:
      con.put(Write).put(concat("words: ", concat(show(count), "\n")));
      con.put(StopConsole);
  }
}

main(console, 0);
