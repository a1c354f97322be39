// A fold whose recursive call passes the whole list again.
fold {
  Int sum(fold by [Int] xs) {
    switch xs {
      case []: 0
      case (x:rest): x + sum(xs)
    }
  }
}
