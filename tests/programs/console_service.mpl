// The line-level `console` service: ReadLine answers Line (the text without
// its '\n') or EndOfInput; Write prints a string.
process echoLines(Console con, Int count) {
  con.put(ReadLine);
  switch (con.get) {
    case Line:
      let text = con.get;
      con.put(Write).put(concat(show(count + 1), concat(": ", concat(toUpper(text), "\n"))));
      echoLines(con, count + 1);
    case EndOfInput:
      con.put(Write).put(concat("total ", concat(show(count), "\n")));
      con.put(StopConsole);
  }
}

process main(Console con) {
  con.put(Write).put("lines:\n");
  echoLines(con, 0);
}

main(console);
