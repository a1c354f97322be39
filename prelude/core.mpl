// The prelude, part 1: core data types and small Int helpers.
// Loaded before every program and REPL session (LANGUAGE.md section 10).
// Prelude files hold declarations only: no top-level statements.

/// An optional value: `Nothing`, or `Just` one value.
data Maybe<t> = Nothing | Just(t);

/// One of two alternatives: `Left(a)` (by convention the failure) or `Right(b)`.
data Either<a, b> = Left(a) | Right(b);

/// A first-class function (MPL's closures are codata records): `f.call(x)`.
codata Func<t, r> {
  r call(t input);
}

/// The value inside a `Just`, or `defaultValue` for `Nothing`.
t unwrap(Maybe<t> value, t defaultValue) {
  switch value {
    case Just(x): x
    case Nothing: defaultValue
  }
}

/// True for `Just(_)`, false for `Nothing`.
Bool isJust(Maybe<t> value) {
  switch value {
    case Just(_): true
    case Nothing: false
  }
}

/// True for `Nothing`, false for `Just(_)`.
Bool isNothing(Maybe<t> value) {
  switch value {
    case Just(_): false
    case Nothing: true
  }
}

/// The smaller of two Ints.
Int min(Int a, Int b) {
  if (a <= b) { a } else { b }
}

/// The larger of two Ints.
Int max(Int a, Int b) {
  if (a >= b) { a } else { b }
}

/// The absolute value of an Int (overflows for the smallest Int).
Int abs(Int n) {
  if (n < 0) { -n } else { n }
}
