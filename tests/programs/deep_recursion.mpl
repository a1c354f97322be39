// Non-tail recursion a million calls deep, in functions inside and outside
// fold groups and in the prelude's map: the evaluator's explicit stack must
// not overflow. A tail-recursive loop of a million calls runs too.
fold {
  [Int] buildList(fold by Int n) {
    if (n <= 0) { [] } else { n : buildList(n - 1) }
  }
}

fold {
  Int sumNonTail(fold by [Int] xs) {
    switch xs {
      case []: 0
      case (x:rest): x + sumNonTail(rest)
    }
  }
}

Int countDown(Int n) {
  if (n == 0) { 0 } else { 1 + countDown(n - 1) }
}

// A tail call: a million iterations in constant stack.
Int loopSum(Int n, Int acc) {
  if (n == 0) { acc } else { loopSum(n - 1, acc + n) }
}

Func<Int, Int> inc() {
  record Func<Int, Int> {
    Int call(Int x) { x + 1 }
  }
}

process main(PutSeq<Char> out) {
  let big = buildList(1000000);
  writeLine(out, show(length(big)));
  writeLine(out, show(sumNonTail(big)));
  writeLine(out, show(countDown(1000000)));
  writeLine(out, show(sumNonTail(map(inc(), big))));
  writeLine(out, show(take(3, big)));
  writeLine(out, show(loopSum(1000000, 0)));
  out.put(StopPut);
}

main(stdout);
