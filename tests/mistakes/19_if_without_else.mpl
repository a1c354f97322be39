// Used an `if` without `else` as a value.
Int sign(Int n) {
  if (n < 0) { -1 }
}
