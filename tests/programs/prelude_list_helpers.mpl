// Every list helper of the prelude, including edge cases (empty lists,
// out-of-range counts and indexes). foldl's step takes (accumulator, item).
Func<Int, Int> double() {
  record Func<Int, Int> {
    Int call(Int x) { x * 2 }
  }
}

Func<Int, Bool> odd() {
  record Func<Int, Bool> {
    Bool call(Int x) { x % 2 != 0 }
  }
}

Func<(Int, Int), Int> plus() {
  record Func<(Int, Int), Int> {
    Int call((Int, Int) pair) {
      let (a, b) = pair;
      a + b
    }
  }
}

Func<(Int, Int), Int> minus() {
  record Func<(Int, Int), Int> {
    Int call((Int, Int) pair) {
      let (a, b) = pair;
      a - b
    }
  }
}

Func<(String, Int), String> appendDigit() {
  record Func<(String, Int), String> {
    String call((String, Int) pair) {
      let (s, d) = pair;
      s ++ show(d)
    }
  }
}

process main(PutSeq<Char> out) {
  let xs = [3, 1, 4, 1, 5, 9, 2, 6];
  writeLine(out, show(length(xs)));
  writeLine(out, show(map(double(), xs)));
  writeLine(out, show(filter(odd(), xs)));
  writeLine(out, show(foldl(plus(), 0, xs)));
  writeLine(out, show(foldl(minus(), 100, [1, 2, 3])));
  writeLine(out, foldl(appendDigit(), "", xs));
  writeLine(out, show(take(3, xs)));
  writeLine(out, show(take(20, xs)));
  writeLine(out, show(take(-1, xs)));
  writeLine(out, show(skip(5, xs)));
  writeLine(out, show(skip(100, xs)));
  writeLine(out, show(skip(0, xs)));
  writeLine(out, show(reverse(xs)));
  writeLine(out, show(append([1], [2])));
  writeLine(out, concat("ab", "cd"));
  writeLine(out, show(flatten([[1, 2], [], [3]])));
  writeLine(out, show(flatten(["ab", "", "c"])));
  writeLine(out, show(head(xs)));
  writeLine(out, show(head(tail([7]))));
  writeLine(out, show(tail(xs)));
  writeLine(out, show(tail(tail([7]))));
  writeLine(out, show(last(xs)));
  writeLine(out, show(last(tail([1]))));
  writeLine(out, show(nth(xs, 2)));
  writeLine(out, show(nth(xs, 8)));
  writeLine(out, show(nth(xs, -1)));
  writeLine(out, show(unwrap(Just(5), 0)));
  writeLine(out, show(unwrap(nth(xs, 99), 0)));
  writeLine(out, show(zip([1, 2, 3], "ab")));
  writeLine(out, show(range(0, 5)));
  writeLine(out, show(range(3, 3)));
  writeLine(out, show(range(5, 2)));
  writeLine(out, show(range(-2, 1)));
  writeLine(out, show(min(3, -4)));
  writeLine(out, show(max(3, -4)));
  writeLine(out, show(abs(-9)));
  writeLine(out, show(contains(xs, 9)));
  writeLine(out, show(contains(xs, 7)));
  writeLine(out, show(contains("hello", 'l')));
  writeLine(out, show(sum(xs)));
  writeLine(out, show(sum([])));
  writeLine(out, show(replicate(3, 'z')));
  writeLine(out, show(isEmpty([])));
  writeLine(out, show(isEmpty(xs)));
  writeLine(out, show(isJust(Just(1))));
  writeLine(out, show(isNothing(Just(1))));
  writeLine(out, show(reverseOnto([1, 2], [3])));
  writeLine(out, show(length("")));
  out.put(StopPut);
}

main(stdout);
