/// Counts up from `from`, printing each number, `n` times.
void countUp(PutSeq<Char> out, Int from, Int n) {
  if (n > 0) {
    writeLine(out, intToStr(from));
    countUp(out, from + 1, n - 1);
  }
}

process Counter(PutSeq<Char> out) {
  countUp(out, 1, 3);
  out.put(StopPut);
}

Counter(stdout);
