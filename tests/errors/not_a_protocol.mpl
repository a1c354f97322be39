// `neg<...>` takes a protocol, not a data type.
process p(neg<Int> c) { }
