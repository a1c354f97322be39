// `Just start` (as in Haskell) is not an application in MPL.
Maybe<Int> first(Int start) { Just start }
