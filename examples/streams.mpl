// Infinite streams as codata: a value defined by what you can ask of it
// (its head, its tail), built with `record`. Destructor bodies run only
// when called, so an infinite stream costs nothing until it is read.
// Run: mpl run examples/streams.mpl

codata Stream<t> {
  t head();
  Stream<t> tail();
}

/// n, n + 1, n + 2, ...
Stream<Int> from(Int n) {
  record Stream<Int> {
    Int head() { n }
    Stream<Int> tail() { from(n + 1) }
  }
}

/// x, f(x), f(f(x)), ...
Stream<t> iterate(Func<t, t> f, t x) {
  record Stream<t> {
    t head() { x }
    Stream<t> tail() { iterate(f, f.call(x)) }
  }
}

/// The Fibonacci numbers starting from a, b.
Stream<Int> fibs(Int a, Int b) {
  record Stream<Int> {
    Int head() { a }
    Stream<Int> tail() { fibs(b, a + b) }
  }
}

Stream<r> mapS(Func<t, r> f, Stream<t> s) {
  record Stream<r> {
    r head() { f.call(s.head()) }
    Stream<r> tail() { mapS(f, s.tail()) }
  }
}

/// The stream from its first element that passes `keep` (runs until one does).
Stream<t> dropUntil(Func<t, Bool> keep, Stream<t> s) {
  if (keep.call(s.head())) { s } else { dropUntil(keep, s.tail()) }
}

Stream<t> filterS(Func<t, Bool> keep, Stream<t> s) {
  let start = dropUntil(keep, s);
  record Stream<t> {
    t head() { start.head() }
    Stream<t> tail() { filterS(keep, start.tail()) }
  }
}

/// The sieve of Eratosthenes: each prime filters its multiples out of the rest.
Stream<Int> sieve(Stream<Int> s) {
  let p = s.head();
  record Stream<Int> {
    Int head() { p }
    Stream<Int> tail() { sieve(filterS(notDivisibleBy(p), s.tail())) }
  }
}

fold {
  /// The first `n` elements of a stream.
  [t] takeS(fold by Int n, Stream<t> s) {
    if (n <= 0) { [] } else { s.head() : takeS(n - 1, s.tail()) }
  }
}

Func<Int, Bool> notDivisibleBy(Int p) {
  record Func<Int, Bool> {
    Bool call(Int n) { n % p != 0 }
  }
}

Func<Int, Int> squared() {
  record Func<Int, Int> {
    Int call(Int n) { n * n }
  }
}

Func<Int, Int> collatzStep() {
  record Func<Int, Int> {
    Int call(Int n) { if (n % 2 == 0) { n / 2 } else { 3 * n + 1 } }
  }
}

Func<String, String> bang() {
  record Func<String, String> {
    String call(String s) { s ++ "!" }
  }
}

process main(PutSeq<Char> out) {
  writeLine(out, concat("naturals:  ", show(takeS(10, from(0)))));
  writeLine(out, concat("squares:   ", show(takeS(10, mapS(squared(), from(1))))));
  writeLine(out, concat("fibonacci: ", show(takeS(15, fibs(0, 1)))));
  writeLine(out, concat("primes:    ", show(takeS(15, sieve(from(2))))));
  writeLine(out, concat("collatz:   ", show(takeS(20, iterate(collatzStep(), 27)))));
  writeLine(out, concat("shouting:  ", show(takeS(3, iterate(bang(), "hey")))));
  out.put(StopPut);
}

main(stdout);
