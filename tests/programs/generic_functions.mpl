// Generic functions: type variables in signatures, used at several types
// (let-polymorphism), generic data, and == on a type variable.
data Pair<a, b> = Pair(a, b);

t identity(t x) { x }

(b, a) swap((a, b) pair) {
  let (x, y) = pair;
  (y, x)
}

[t] twice([t] xs) { xs ++ xs }

Maybe<t> orElse(Maybe<t> a, Maybe<t> b) {
  switch a {
    case Just(_): a
    case Nothing: b
  }
}

a first(Pair<a, b> p) {
  switch p {
    case Pair(x, _): x
  }
}

b second(Pair<a, b> p) {
  switch p {
    case Pair(_, y): y
  }
}

Int count([t] xs, t item) {
  switch xs {
    case []: 0
    case (x:rest):
      if (x == item) { 1 + count(rest, item) } else { count(rest, item) }
  }
}

[r] mapMaybe(Func<t, Maybe<r>> f, [t] xs) {
  switch xs {
    case []: []
    case (x:rest):
      switch f.call(x) {
        case Nothing: mapMaybe(f, rest)
        case Just(y): y : mapMaybe(f, rest)
      }
  }
}

Func<String, Maybe<Int>> parser() {
  record Func<String, Maybe<Int>> {
    Maybe<Int> call(String s) { strToInt(s) }
  }
}

process main(PutSeq<Char> out) {
  writeLine(out, show(identity(3)));
  writeLine(out, identity("text"));
  writeLine(out, show(swap((1, "one"))));
  writeLine(out, show(twice([1, 2])));
  writeLine(out, show(twice("ab")));
  writeLine(out, show(orElse(Nothing, Just('z'))));
  writeLine(out, show(orElse(Just(1), Just(2))));
  let p = Pair("k", 9);
  writeLine(out, first(p));
  writeLine(out, show(second(p)));
  writeLine(out, show(p));
  writeLine(out, show(count([1, 2, 1, 1], 1)));
  writeLine(out, show(count("banana", 'a')));
  writeLine(out, show(count([[1], [2], [1]], [1])));
  writeLine(out, show(mapMaybe(parser(), ["1", "x", "3"])));
  writeLine(out, show(zip(twice([1]), "ab")));
  out.put(StopPut);
}

main(stdout);
