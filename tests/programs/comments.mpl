// Line comments, /* block comments */ (also across lines and inside
// expressions) and /// doc comments on declarations.

/// A documented function: the REPL's `:doc add` shows this line.
Int add(Int a, Int b) { a + /* the second one */ b }

/* A block comment
   spanning several lines, with // inside it
   and a * star. */

/// A documented data type.
data Answer = Yes | No; // trailing comment

process main(PutSeq<Char> out) {
  // a comment between statements
  writeLine(out, show(add(1, 2))); // after a statement
  writeLine(out, "// not a comment inside a string");
  writeLine(out, "/* nor this */");
  writeLine(out, show(/* before */ [Yes, No] /* after */));
  out.put(StopPut);
}

main(stdout);
