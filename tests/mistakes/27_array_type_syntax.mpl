// Wrote a list type as in Java.
Int count(String[] data) { length(data) }
