// A `#` generic promises to use its value exactly once; this function drops it.
Int ignore(#t x) { 0 }
