// Misspelt a type.
Int size(Strng s) { length(s) }
