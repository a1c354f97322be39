// Loops over lists written as self tail calls: the tail of `case (x:rest)`
// shares the list's slot and the list is taken apart where it lies
// (bench/RESULTS.md, 2026-12-03 evening). Each loop here checks one shape
// the compiler must get right: strings, cells, a list built whole, bytes,
// a list still read after it was taken apart, heads that hold values to
// free, and a loop inside a loop.

Int countWords(String line, Bool inWord, Int acc) {
  switch line {
    case []: acc
    case (c:rest):
      if (c == ' ') { countWords(rest, false, acc) }
      else if (inWord) { countWords(rest, true, acc) }
      else { countWords(rest, true, acc + 1) }
  }
}

Int sum([Int] xs, Int acc) {
  switch xs {
    case []: acc
    case (x:rest): sum(rest, acc + x)
  }
}

/// The list itself is read after the uncons: its slot cannot be shared.
Int sumAndLength([Int] xs, Int acc) {
  switch xs {
    case []: acc
    case (x:rest): sumAndLength(rest, acc + x * 1000 + length(xs))
  }
}

/// The tail goes to the second parameter, the first is dropped.
Int lastOf(Int seen, [Int] xs) {
  switch xs {
    case []: seen
    case (x:rest): lastOf(x, rest)
  }
}

String joinAll([String] parts, String acc) {
  switch parts {
    case []: acc
    case (p:rest): joinAll(rest, concat(acc, p))
  }
}

Int byteTotal([Byte] bytes, Int acc) {
  switch bytes {
    case []: acc
    case (b:rest): byteTotal(rest, acc + byteToInt(b))
  }
}

Int wordsOfAll([String] lines, Int acc) {
  switch lines {
    case []: acc
    case (l:rest): wordsOfAll(rest, acc + countWords(l, false, 0))
  }
}

[Int] upTo(Int n, [Int] acc) {
  if (n == 0) { acc } else { upTo(n - 1, n : acc) }
}

process main(PutSeq<Char> out) {
  writeLine(out, show(countWords("  two words, then   four ", false, 0)));
  writeLine(out, show(countWords("", false, 0)));
  writeLine(out, show(sum(upTo(100000, []), 0)));
  writeLine(out, show(sum([1, 2, 3, 4], 0)));
  writeLine(out, show(sumAndLength([1, 2, 3], 0)));
  writeLine(out, show(lastOf(-1, [4, 5, 6])));
  writeLine(out, show(lastOf(-1, [])));
  writeLine(out, joinAll(["a", "bc", "", "def"], ">"));
  writeLine(out, show(byteTotal(stringToBytes("AB"), 0)));
  writeLine(out, show(wordsOfAll(["one two", "", " three four five "], 0)));
  out.put(StopPut);
}

main(stdout);
