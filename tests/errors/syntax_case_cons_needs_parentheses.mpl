// The report's `case x:xs:` needs parentheses.
Int size([Int] list) {
  switch list {
    case []: 0
    case x:xs: 1 + size(xs)
  }
}
