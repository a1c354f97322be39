// An unknown name and an unrelated type error are both reported at once.
Int f(Int x) { x + y }
String g(Int n) { n }
