// A function in a fold group needs a `fold by` parameter.
fold {
  Int size([t] list) {
    switch list {
      case []: 0
      case (x:rest): 1 + size(rest)
    }
  }
}
