// A record must implement every destructor of its codata type.
codata Pair<a, b> { a first(); b second(); }
Pair<Int, Int> both(Int x) {
  record Pair<Int, Int> { Int first() { x } }
}
