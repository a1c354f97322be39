// `record` builds a value of a codata type; `Int` is not one.
Int f() { let r = record Int { Int head() { 1 } }; 1 }
