// Left out an argument.
Int add(Int a, Int b) { a + b }
Int three() { add(1) }
