// Joined two strings with `+`.
String full(String first, String last) { first + " " + last }
