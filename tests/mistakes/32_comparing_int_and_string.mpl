// Compared a number with a string.
Bool isAnswer(Int n) { n == "42" }
