// Imported by helpers.mpl (not a test: it has no .stdout).

/// Two times n.
Int double(Int n) { n * 2 }

/// The square of n.
Int square(Int n) { n * n }
