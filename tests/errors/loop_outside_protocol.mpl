// `loop` goes back to the start of a declared protocol; an anonymous one has none.
process p((put Int, loop) c) { c.put(1); }
