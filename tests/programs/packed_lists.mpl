// Lists made by a literal or by the prelude's natives (`words`, `split`,
// `take`, `reverse`...) are packed in one buffer (docs/decisions.md); a
// program cannot tell them from lists built with `:`. Each line below
// compares the two, walks them, and hands them to another process.

/// Walks a list with `switch`, element by element.
Int total([Int] xs) {
  switch xs {
    case []: 0
    case (x:rest): x + total(rest)
  }
}

/// The same list built cell by cell.
[Int] cells(Int from, Int to) {
  if (from > to) { [] } else { from : cells(from + 1, to) }
}

protocol Sums = get Int, get [[Int]], close;

/// Sums the rows it was started with, and sends them back.
process summer(neg<Sums> back, [[Int]] rows) {
  back.put(total(map(totals(), rows))).put(rows);
}

Func<[Int], Int> totals() {
  record Func<[Int], Int> {
    Int call([Int] row) { total(row) }
  }
}

process main(Sums sums, PutSeq<Char> out) {
  let packed = [1, 2, 3, 4, 5];
  let built = cells(1, 5);
  writeLine(out, show(packed == built) ++ " " ++ show(packed < [1, 2, 4]) ++ " " ++ show(compare3(packed, built)));
  writeLine(out, show(total(packed)) ++ " " ++ show(total(packed)) ++ " " ++ show(length(packed)));
  writeLine(out, show(take(2, packed)) ++ " " ++ show(skip(3, packed)) ++ " " ++ show(skip(9, packed)));
  writeLine(out, show(reverse(packed)) ++ " " ++ show(0 : packed) ++ " " ++ show(packed ++ built));
  writeLine(out, show(nth(packed, 4)) ++ " " ++ show(contains(packed, 5)) ++ " " ++ show(indexOf(packed, 3)));
  let ws = words("  to be  or\tnot ");
  writeLine(out, show(ws) ++ " " ++ show(length(ws)) ++ " " ++ show(ws == ["to", "be", "or", "not"]));
  writeLine(out, show(split("a,,b", ',')) ++ " " ++ show(flatten([[1], [], [2, 3]])));
  let sum = sums.get;
  writeLine(out, show(sum) ++ " " ++ show(sums.get));
  out.put(StopPut);
}

/// -1, 0 or 1 as `a` sorts before, with or after `b`.
Int compare3([Int] a, [Int] b) {
  if (a < b) { -1 } else { if (a == b) { 0 } else { 1 } }
}

summer(~s, [[1, 2], [3], []]);
main(s, stdout);
