// A call of a function that does not exist.
Int f(Int x) { g(x) }
