// `race` merges two streams as their messages arrive: whichever channel
// has a message runs its case; the other keeps its state. The order the
// lines arrive in depends on the schedule, so only what is schedule-free
// is printed: how many came from each side, and their sums.
protocol Numbers = put Next: put Int, loop | put Done: close;

process producer(Numbers out, Int from, Int to) {
  if (from > to) {
    out.put(Done);
  } else {
    out.put(Next).put(from);
    producer(out, from + 1, to);
  }
}

process merge(neg<Numbers> a, neg<Numbers> b, PutSeq<Char> out, (Int, Int) counts, (Int, Int) sums) {
  let (na, nb) = counts;
  let (sa, sb) = sums;
  race {
    case a:
      switch (a.get) {
        case Next: merge(a, b, out, (na + 1, nb), (sa + a.get, sb));
        case Done: rest(b, out, "b", (na, nb), (sa, sb));
      }
    case b:
      switch (b.get) {
        case Next: merge(a, b, out, (na, nb + 1), (sa, sb + b.get));
        case Done: rest(a, out, "a", (na, nb), (sa, sb));
      }
  }
}

// One side has ended: the other is read to its end, without a race.
process rest(neg<Numbers> c, PutSeq<Char> out, String side, (Int, Int) counts, (Int, Int) sums) {
  let (na, nb) = counts;
  let (sa, sb) = sums;
  switch (c.get) {
    case Next:
      let n = c.get;
      if (side == "a") {
        rest(c, out, side, (na + 1, nb), (sa + n, sb));
      } else {
        rest(c, out, side, (na, nb + 1), (sa, sb + n));
      }
    case Done:
      writeLine(out, "from a: " ++ show(na) ++ " numbers, sum " ++ show(sa));
      writeLine(out, "from b: " ++ show(nb) ++ " numbers, sum " ++ show(sb));
      out.put(StopPut);
  }
}

producer(x, 1, 1000);
producer(y, 1, 10);
merge(~x, ~y, stdout, (0, 0), (0, 0));
