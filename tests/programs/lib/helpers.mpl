// A library imported by ../imports.mpl (not a test: it has no .stdout).
// It imports another library itself; that path is relative to this file.
import "more.mpl";

data Color = Red | Green | Blue;

/// The name of a color.
String colorName(Color c) {
  switch c {
    case Red: "red"
    case Green: "green"
    case Blue: "blue"
  }
}

/// Three times n, by way of more.mpl's `double`.
Int triple(Int n) { double(n) + n }

protocol Shout = put String, get String, close;

/// Answers one Shout with the text in upper case.
process shouter(neg<Shout> c) {
  c.put(toUpper(c.get));
}
