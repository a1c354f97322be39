// Echo: reads lines until an empty line and echoes each one transformed.
// Run: mpl run examples/echo.mpl            (echo in upper case)
//      mpl run examples/echo.mpl reverse    (echo reversed)
//      printf 'hello\nworld\n\n' | mpl run examples/echo.mpl
//
// The echo process loops by calling itself as its last statement, with the
// same channels and a new count. (Ending the input without an empty line
// stops the program with "input exhausted", exit code 3.)

/// The echoed form of a line.
String transform(String line, Bool reversed) {
  if (reversed) { reverse(line) } else { toUpper(line) }
}

/// A line without a trailing '\r' (input typed on Windows).
String chomp(String line) {
  if (endsWith(line, "\r")) { take(length(line) - 1, line) } else { line }
}

process echo(GetSeq<Char> input, PutSeq<Char> output, Bool reversed, Int count) {
  let line = chomp(readLine(input));
  if (line == "") {
    writeLine(output, concat("Bye! Lines echoed: ", show(count)));
    input.put(StopGet);
    output.put(StopPut);
  } else {
    writeLine(output, transform(line, reversed));
    echo(input, output, reversed, count + 1);
  }
}

process start(GetSeq<Char> input, PutSeq<Char> output, String mode) {
  let reversed = mode == "reverse";
  let how = if (reversed) { "reversed" } else { "in upper case" };
  writeLine(output, concat("Type lines to echo them ", concat(how, "; an empty line stops.")));
  echo(input, output, reversed, 0);
}

start(stdin, stdout, args[0, "upper"]);
