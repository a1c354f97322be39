// `++` appends lists; `xs[i, d]` is the element at index i, or d when i is
// out of range (negative included); indexing chains.
process main(PutSeq<Char> out) {
  let xs = [10, 20, 30];
  writeLine(out, show(xs ++ [40]));
  writeLine(out, show([] ++ xs));
  writeLine(out, show(xs ++ []));
  writeLine(out, show(xs[0, -1]));
  writeLine(out, show(xs[2, -1]));
  writeLine(out, show(xs[3, -1]));
  writeLine(out, show(xs[-1, -1]));
  writeLine(out, show(xs[1 + 1, 0]));
  let names = ["zero", "one"];
  writeLine(out, names[1, "?"]);
  writeLine(out, names[5, "?"]);
  let s = "hello";
  writeLine(out, show(s[4, ' ']));
  writeLine(out, show(s[5, '#']));
  writeLine(out, show((xs ++ xs)[4, 0]));
  let grid = [[1, 2], [3, 4]];
  writeLine(out, show(grid[1, []][0, 0]));
  writeLine(out, show(concat([1], [2, 3])));
  writeLine(out, show(append("ab", "cd")));
  out.put(StopPut);
}

main(stdout);
