// Codata and `record`: closures by capture, destructors with parameters,
// destructor names scoped to their codata type, destructor bodies that run
// only when called, records in lists, records returning records.
codata Point {
  Int x();
  Int y();
  Point moved(Int dx, Int dy);
}

codata Lazy {
  Int safe();
  Int boom();
}

codata Greeting {
  String call();
}

Func<Int, Int> adder(Int n) {
  record Func<Int, Int> {
    Int call(Int x) { x + n }
  }
}

Func<Int, Int> compose(Func<Int, Int> f, Func<Int, Int> g) {
  record Func<Int, Int> {
    Int call(Int x) { g.call(f.call(x)) }
  }
}

Point point(Int px, Int py) {
  record Point {
    Int x() { px }
    Int y() { py }
    Point moved(Int dx, Int dy) { point(px + dx, py + dy) }
  }
}

// `boom` would divide by zero, but it is never called.
Lazy lazy(Int d) {
  record Lazy {
    Int safe() { 1 }
    Int boom() { 100 / d }
  }
}

Greeting greeting(String name) {
  record Greeting {
    String call() { concat("Hello, ", name) }
  }
}

[Int] applyAll([Func<Int, Int>] fs, Int x) {
  switch fs {
    case []: []
    case (f:rest): f.call(x) : applyAll(rest, x)
  }
}

process main(PutSeq<Char> out) {
  writeLine(out, show(adder(5).call(10)));
  writeLine(out, show(compose(adder(1), adder(10)).call(0)));
  let p = point(1, 2).moved(10, 20);
  writeLine(out, show((p.x(), p.y())));
  writeLine(out, show(lazy(0).safe()));
  writeLine(out, greeting("Bob").call());
  writeLine(out, show(map(adder(100), [1, 2])));
  let double = record Func<Int, Int> {
    Int call(Int x) { x * 2 }
  };
  writeLine(out, show(double.call(21)));
  let base = 1000;
  let addBase = record Func<Int, Int> {
    Int call(Int x) { x + base }
  };
  writeLine(out, show(addBase.call(1)));
  writeLine(out, show(applyAll([adder(1), double, adder(-5)], 10)));
  let curried = record Func<Int, Func<Int, Int>> {
    Func<Int, Int> call(Int a) { adder(a) }
  };
  writeLine(out, show(curried.call(3).call(4)));
  writeLine(out, show(adder(1)));
  out.put(StopPut);
}

main(stdout);
