// A protocol label used as a value.
protocol P = put Go: close;
Int f() {
  let x = Go;
  1
}
