// A String where an Int is needed.
Int twice(Int x) { x + x }
Int f() { twice("two") }
