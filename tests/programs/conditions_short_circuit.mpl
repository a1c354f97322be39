// Conditions compile to jumps: `&&`, `||` and `!` short-circuit, a
// comparison with a literal is exact on both branches, and NaN compares
// false in every order (so `!(x < y)` is not `x >= y` for floats).
Bool loud(PutSeq<Char> out, String name, Bool b) {
  writeLine(out, name);
  b
}

String yes(Bool b) { if (b) { "yes" } else { "no" } }

String classify(Char c) {
  if (c == ' ' || c == '\t') { "blank" }
  else if (!(c < 'a') && c <= 'z') { "lower" }
  else if (c >= '0' && !(c > '9')) { "digit" }
  else { "other" }
}

String range(Int n) {
  if (!(n < 0 || n > 9) && n != 5) { "small" } else if (!(n == 5)) { "other" } else { "five" }
}

process main(PutSeq<Char> out) {
  let nan = 0.0 / 0.0;
  writeLine(out, concat("nan < 1: ", yes(nan < 1.0)));
  writeLine(out, concat("!(nan < 1): ", yes(!(nan < 1.0))));
  writeLine(out, concat("nan >= 1: ", yes(nan >= 1.0)));
  writeLine(out, concat("if !(nan < 1): ", if (!(nan < 1.0)) { "taken" } else { "not taken" }));
  writeLine(out, concat("if !(nan >= 1): ", if (!(nan >= 1.0)) { "taken" } else { "not taken" }));
  writeLine(out, concat("if nan == nan: ", if (nan == nan) { "taken" } else { "not taken" }));
  writeLine(out, concat("if nan != nan: ", if (nan != nan) { "taken" } else { "not taken" }));
  writeLine(out, flatten([classify(' '), " ", classify('\t'), " ", classify('q'), " ", classify('7'), " ", classify('Q')]));
  writeLine(out, flatten([range(-1), " ", range(0), " ", range(5), " ", range(9), " ", range(10)]));
  if (loud(out, "left of &&", false) && loud(out, "right of &&", true)) {
    writeLine(out, "and: both");
  } else {
    writeLine(out, "and: stopped at the left");
  }
  if (loud(out, "left of ||", true) || loud(out, "right of ||", false)) {
    writeLine(out, "or: stopped at the left");
  }
  if (!(loud(out, "a", false) || loud(out, "b", false)) && !loud(out, "c", false)) {
    writeLine(out, "neither a nor b, and not c");
  }
  let s = "abc";
  let t = "abd";
  writeLine(out, concat("strings: ", yes(s < t && !(s == t) && s != t)));
  out.put(StopPut);
}

main(stdout);
