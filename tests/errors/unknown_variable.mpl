// A name that is not defined anywhere.
Int f(Int x) { x + y }
