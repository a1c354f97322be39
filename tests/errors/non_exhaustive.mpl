// The switch forgets Blue.
data Color = Red | Green | Blue;
String name(Color c) {
  switch c {
    case Red: "red"
    case Green: "green"
  }
}
