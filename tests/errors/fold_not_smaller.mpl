// The recursive call passes the whole list again.
fold {
  Int size(fold by [t] list) {
    switch list {
      case []: 0
      case (x:rest): 1 + size(list)
    }
  }
}
