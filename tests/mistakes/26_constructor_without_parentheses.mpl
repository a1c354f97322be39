// Wrote a constructor's argument without parentheses, as in Haskell.
Maybe<Int> start() { Just 1 }
