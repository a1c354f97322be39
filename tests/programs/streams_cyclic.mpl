// Infinite codata streams: naturals, Fibonacci, a cyclic stream made from a
// list, a finite one, a mapped one, and a walk 100000 elements deep.
codata Stream<t> {
  Maybe<t> head();
  Stream<t> tail();
}

Stream<Int> nats(Int from) {
  record Stream<Int> {
    Maybe<Int> head() { Just(from) }
    Stream<Int> tail() { nats(from + 1) }
  }
}

Stream<Int> fibs(Int a, Int b) {
  record Stream<Int> {
    Maybe<Int> head() { Just(a) }
    Stream<Int> tail() { fibs(b, a + b) }
  }
}

// `ptr` walks through `all`; when it runs out, the stream starts over.
Stream<t> cycle([t] ptr, [t] all) {
  record Stream<t> {
    Maybe<t> head() {
      switch ptr {
        case []: head(all)
        case (x:_): Just(x)
      }
    }
    Stream<t> tail() {
      switch ptr {
        case []: cycle(tail(all), all)
        case (_:rest): cycle(rest, all)
      }
    }
  }
}

Stream<t> fromList([t] xs) {
  record Stream<t> {
    Maybe<t> head() { head(xs) }
    Stream<t> tail() { fromList(tail(xs)) }
  }
}

Stream<r> mapS(Func<t, r> f, Stream<t> s) {
  record Stream<r> {
    Maybe<r> head() {
      switch s.head() {
        case Nothing: Nothing
        case Just(x): Just(f.call(x))
      }
    }
    Stream<r> tail() { mapS(f, s.tail()) }
  }
}

fold {
  [t] takeS(Stream<t> s, fold by Int n) {
    if (n <= 0) {
      []
    } else {
      switch s.head() {
        case Nothing: []
        case Just(x): x : takeS(s.tail(), n - 1)
      }
    }
  }
}

fold {
  Stream<t> dropS(Stream<t> s, fold by Int n) {
    if (n <= 0) { s } else { dropS(s.tail(), n - 1) }
  }
}

Func<Int, Int> square() {
  record Func<Int, Int> {
    Int call(Int x) { x * x }
  }
}

process main(PutSeq<Char> out) {
  writeLine(out, show(takeS(nats(5), 4)));
  writeLine(out, show(takeS(fibs(0, 1), 10)));
  writeLine(out, show(takeS(cycle([1, 2, 3], [1, 2, 3]), 7)));
  writeLine(out, show(takeS(cycle("ab", "ab"), 5)));
  writeLine(out, show(takeS(cycle([], []), 3) == []));
  writeLine(out, show(takeS(fromList("hi"), 5)));
  writeLine(out, show(takeS(mapS(square(), nats(0)), 5)));
  writeLine(out, show(dropS(nats(0), 100000).head()));
  out.put(StopPut);
}

main(stdout);
