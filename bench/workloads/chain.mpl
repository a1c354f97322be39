// bench: chain. N processes in a line (default 10,000); a token travels
// from the driver to the far end and back ROUNDS times (default 50).
// Per round every link carries two messages: the label `Go` down, an Int
// (the hop count) back up, so 50 rounds over 10,000 links = 1,000,000
// messages (plus one `Stop` per link at the end).
// Run: mpl run bench/workloads/chain.mpl [N] [ROUNDS]
protocol Link = put Go: get Int, loop
              | put Stop: close;

/// A middle node: forwards `Go` down, and the count (+1) back up.
process node(neg<Link> up, Link down) {
  switch (up.get) {
    case Go:
      down.put(Go);
      let hops = down.get;
      up.put(hops + 1);
      node(up, down);
    case Stop:
      down.put(Stop);
  }
}

/// The far end: turns the token around.
process far(neg<Link> up) {
  switch (up.get) {
    case Go:
      up.put(1);
      far(up);
    case Stop:
  }
}

/// Starts `n` nodes below `up` (the last one is `far`).
process line(Int n, neg<Link> up) {
  if (n <= 1) {
    far(up);
  } else {
    node(up, down);
    line(n - 1, ~down);
  }
}

Int rounds(Link first, Int left, Int total) {
  if (left <= 0) {
    total
  } else {
    first.put(Go);
    let hops = first.get;
    rounds(first, left - 1, total + hops)
  }
}

process main(PutSeq<Char> out, Int n, Int r) {
  Link first;
  line(n, ~first);
  let total = rounds(first, r, 0);
  first.put(Stop);
  writeLine(out, concat("hops: ", show(total)));
  out.put(StopPut);
}

main(stdout, unwrap(strToInt(args[0, ""]), 10000), unwrap(strToInt(args[1, ""]), 50));
