// Two functions with one name: MPL has no overloading.
Int twice(Int x) { x * 2 }
Int twice(Int x) { x + x }
