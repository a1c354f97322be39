// A constructor no data type declares.
data Color = Red | Green;
Color f() { Blue }
