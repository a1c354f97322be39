// mpl check --total: a function may recurse only inside a `fold` group.
Int count(Int n) { if (n <= 0) { 0 } else { 1 + count(n - 1) } }
