// `show` renders any sequential value as MPL source text, following the
// static type: a String shows quoted and escaped even when it is empty or
// built with cons; a list whose element type is never fixed shows as [].
data Named = Named(String) | Anon;

process main(PutSeq<Char> out) {
  writeLine(out, show(42));
  writeLine(out, show(-5));
  writeLine(out, show("hi"));
  writeLine(out, show('c'));
  writeLine(out, show([1, 2]));
  writeLine(out, show(Just((1, true))));
  writeLine(out, show(2.0));
  writeLine(out, show(""));
  writeLine(out, show([]));
  writeLine(out, show(["a", ""]));
  writeLine(out, show([[]]));
  writeLine(out, show(Left("x")));
  writeLine(out, show((1, (2, 3))));
  writeLine(out, show([Just('a'), Nothing]));
  writeLine(out, show(show(1)));
  writeLine(out, show(show("q")));
  writeLine(out, show(Nothing));
  writeLine(out, show(()));
  writeLine(out, show("a\nb"));
  writeLine(out, show(tail("x")));
  writeLine(out, show([tail("x")]));
  writeLine(out, show(reverse("")));
  writeLine(out, show(take(0, "abc")));
  writeLine(out, show([take(0, "abc"), "d"]));
  writeLine(out, show('x' : 'y' : []));
  writeLine(out, show(Named("bob")));
  writeLine(out, show([Anon]));
  writeLine(out, show((1.5, 'x')));
  writeLine(out, show([[1], []]));
  writeLine(out, show(Just(Just(-1))));
  writeLine(out, show(Right([1.0])));
  writeLine(out, show((Anon, "", [""])));
  out.put(StopPut);
}

main(stdout);
