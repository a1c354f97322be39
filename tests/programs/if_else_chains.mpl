// if / else if / else as expressions and as statements; `if` without
// `else` (value `()`); nested conditions with && || !.
String classify(Int n) {
  if (n < 0) {
    "negative"
  } else if (n == 0) {
    "zero"
  } else if (n < 10) {
    "small"
  } else {
    "large"
  }
}

String fizz(Int n) {
  if (n % 15 == 0) { "FizzBuzz" }
  else if (n % 3 == 0) { "Fizz" }
  else if (n % 5 == 0) { "Buzz" }
  else { show(n) }
}

void fizzTo(PutSeq<Char> out, Int i, Int n) {
  if (i <= n) {
    writeLine(out, fizz(i));
    fizzTo(out, i + 1, n);
  }
}

process main(PutSeq<Char> out) {
  writeLine(out, classify(-5));
  writeLine(out, classify(0));
  writeLine(out, classify(7));
  writeLine(out, classify(100));
  if (true) {
    writeLine(out, "printed");
  }
  if (false) {
    writeLine(out, "not printed");
  }
  let x = if (3 > 2) { "yes" } else { "no" };
  writeLine(out, x);
  let a = 4;
  if (a > 2 && !(a > 10) || a == -1) {
    writeLine(out, "in range");
  } else {
    writeLine(out, "out of range");
  }
  if (a > 2) {
    if (a > 3) {
      writeLine(out, "above three");
    } else {
      writeLine(out, "three");
    }
  }
  let u = if (false) { writeLine(out, "never"); };
  writeLine(out, show(u));
  fizzTo(out, 9, 15);
  out.put(StopPut);
}

main(stdout);
