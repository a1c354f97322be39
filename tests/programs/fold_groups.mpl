// `fold { ... }` groups: functions whose termination the checker proves.
// Structural recursion on a user data type (mutually recursive), on lists,
// and on Int with an `n <= c` / `n < c` test before `n - k`.
data Nat = Zero | Succ(Nat);
data Tree = Tip | Branch(Tree, Int, Tree);

fold {
  Bool isEven(fold by Nat n) {
    switch n {
      case Zero: true
      case Succ(m): isOdd(m)
    }
  }
  Bool isOdd(fold by Nat n) {
    switch n {
      case Zero: false
      case Succ(m): isEven(m)
    }
  }
}

fold {
  Nat toNat(fold by Int k) {
    if (k <= 0) { Zero } else { Succ(toNat(k - 1)) }
  }
}

fold {
  Int countdownSum(fold by Int n) {
    if (n < 1) { 0 } else { n + countdownSum(n - 1) }
  }
}

fold {
  Int fib(fold by Int n) {
    if (n <= 1) { n } else { fib(n - 1) + fib(n - 2) }
  }
}

fold {
  Int treeSize(fold by Tree t) {
    switch t {
      case Tip: 0
      case Branch(l, _, r): treeSize(l) + 1 + treeSize(r)
    }
  }
}

fold {
  // Mutual recursion on a list: each call passes the tail it matched.
  Int plusFirst(fold by [Int] xs) {
    switch xs {
      case []: 0
      case (x:rest): x + minusFirst(rest)
    }
  }
  Int minusFirst(fold by [Int] xs) {
    switch xs {
      case []: 0
      case (x:rest): plusFirst(rest) - x
    }
  }
}

fold {
  // Only the `fold by` parameter must shrink; `i` grows.
  [(Int, t)] numbered(Int i, fold by [t] xs) {
    switch xs {
      case []: []
      case (x:rest): (i, x) : numbered(i + 1, rest)
    }
  }
}

process main(PutSeq<Char> out) {
  writeLine(out, show(isEven(toNat(10))));
  writeLine(out, show(isOdd(toNat(7))));
  writeLine(out, show(isEven(toNat(7))));
  writeLine(out, show(toNat(2)));
  writeLine(out, show(countdownSum(100)));
  writeLine(out, show(fib(15)));
  writeLine(out, show(treeSize(Branch(Branch(Tip, 1, Tip), 2, Branch(Tip, 3, Branch(Tip, 4, Tip))))));
  writeLine(out, show(plusFirst([1, 2, 3, 4, 5])));
  writeLine(out, show(numbered(1, "ab")));
  out.put(StopPut);
}

main(stdout);
