// A call with one argument too many.
Int add(Int a, Int b) { a + b }
Int f() { add(1, 2, 3) }
