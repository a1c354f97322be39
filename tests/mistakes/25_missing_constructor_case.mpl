// A switch on a Maybe that forgets `Nothing`.
Int orZero(Maybe<Int> m) {
  switch m {
    case Just(n): n
  }
}
