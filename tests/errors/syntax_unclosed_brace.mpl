// A block that is never closed.
Int f(Int x) {
  if (x > 0) { x
}
