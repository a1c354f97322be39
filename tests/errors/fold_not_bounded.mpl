// `count == 0` does not stop a negative count.
fold {
  [Int] countdown(fold by Int count) {
    if (count == 0) { [] } else { count : countdown(count - 1) }
  }
}
