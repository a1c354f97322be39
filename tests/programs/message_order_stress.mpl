// Message order and loss under load: 128 producers each send the numbers
// 0..4999 on a channel of their own while 128 consumers check that every
// number arrives once and in order; the counts are summed along a chain.
// The golden tests run it on one worker, on two, and under seeds: any
// lost, repeated or reordered message changes the total.
protocol Numbers = put Next: put Int, loop
                 | put End: close;
protocol Count = put Int, close;

process producer(Numbers c, Int i, Int n) {
  if (i == n) {
    c.put(End);
  } else {
    c.put(Next).put(i);
    producer(c, i + 1, n);
  }
}

/// Counts the numbers that arrive in order; one out of order spoils it.
process consumer(neg<Numbers> c, Int expected, Bool inOrder, Count r) {
  switch (c.get) {
    case Next:
      let x = c.get;
      consumer(c, x + 1, inOrder && x == expected, r);
    case End:
      if (inOrder) { r.put(expected); } else { r.put(-1000000000); }
  }
}

process add(neg<Count> mine, neg<Count> rest, Count out) {
  out.put(mine.get + rest.get);
}

process pairs(Int k, Int n, Count out) {
  if (k == 0) {
    out.put(0);
  } else {
    producer(c, 0, n);
    consumer(~c, 0, true, r);
    add(~r, ~rest, out);
    pairs(k - 1, n, rest);
  }
}

process main(neg<Count> total, PutSeq<Char> out) {
  writeLine(out, show(total.get) ++ " numbers arrived, each once and in order");
  out.put(StopPut);
}

pairs(128, 5000, total);
main(~total, stdout);
