// A type that is not declared.
Int f(Strng s) { 0 }
