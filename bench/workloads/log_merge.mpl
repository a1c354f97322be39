// bench: log_merge. The path a log line of Pluto's takes
// (`examples/pluto.mpl`, `mergeLogs`): K streams merged in a chain, the
// oldest at the far end, and N lines from the oldest one, each sent only
// once the counter has received the one before (an `Ack`), so every line
// crosses the K - 1 merges alone, as a request's log line does under load:
// at each hop a merge is woken from its `race`, takes the label and the
// text, and puts both on. The other K - 1 streams stay open and silent
// until the paced one is done. Prints N.
// Run: mpl run bench/workloads/log_merge.mpl [K] [N]   (default 50, 2,000)
// Cost of a hop: (time(K) - time(1)) / (N * (K - 1)).
protocol LogLines = put Line: put String, loop
                  | put EndLog: close;
protocol Ack = put Next: loop | put Done: close;
protocol Stop = put Stop: close;
protocol PacedKit = get LogLines, get neg<Ack>, get Stop, close;
protocol SilentKit = get LogLines, get neg<Stop>, get Stop, close;

process paced(PacedKit kit) {
  let log = kit.get;
  let ack = kit.get;
  let stop = kit.get;
  pacedLoop(log, ack, stop);
}

process pacedLoop(LogLines log, neg<Ack> ack, Stop stop) {
  log.put(Line).put("GET /file.html 200");
  switch (ack.get) {
    case Next: pacedLoop(log, ack, stop);
    case Done:
      log.put(EndLog);
      stop.put(Stop);
  }
}

/// Holds its stream open until told to stop, then tells the next one.
process silent(SilentKit kit) {
  let log = kit.get;
  let stop = kit.get;
  let next = kit.get;
  switch (stop.get) {
    case Stop:
      next.put(Stop);
      log.put(EndLog);
  }
}

process mergeLogs(neg<LogLines> a, neg<LogLines> b, LogLines both) {
  race {
    case a:
      switch (a.get) {
        case Line:
          both.put(Line).put(a.get);
          mergeLogs(a, b, both);
        case EndLog:
          both := b;
      }
    case b:
      switch (b.get) {
        case Line:
          both.put(Line).put(b.get);
          mergeLogs(a, b, both);
        case EndLog:
          both := a;
      }
  }
}

Int count(neg<LogLines> lines, Ack ack, Int acc, Int n) {
  switch (lines.get) {
    case Line:
      let _ = lines.get;
      if (acc + 1 >= n) {
        ack.put(Done);
        drain(lines, acc + 1)
      } else {
        ack.put(Next);
        count(lines, ack, acc + 1, n)
      }
    case EndLog:
      ack.put(Done);
      acc
  }
}

Int drain(neg<LogLines> lines, Int acc) {
  switch (lines.get) {
    case Line:
      let _ = lines.get;
      drain(lines, acc + 1)
    case EndLog: acc
  }
}

/// Adds k silent streams to the chain, then counts.
process build(Int k, Int n, neg<LogLines> older, Ack ack, neg<Stop> stop, PutSeq<Char> out) {
  if (k <= 0) {
    let c = count(older, ack, 0, n);
    switch (stop.get) {
      case Stop:
        writeLine(out, show(c));
        out.put(StopPut);
    }
  } else {
    LogLines newer;
    Stop next;
    neg<SilentKit> kit;
    silent(~kit);
    kit.put(newer).put(stop).put(next);
    mergeLogs(older, ~newer, merged);
    build(k - 1, n, ~merged, ack, ~next, out);
  }
}

process main(PutSeq<Char> out, Int k, Int n) {
  LogLines first;
  Ack ack;
  Stop firstStop;
  neg<PacedKit> kit;
  paced(~kit);
  kit.put(first).put(~ack).put(firstStop);
  build(k - 1, n, ~first, ack, ~firstStop, out);
}

main(stdout, unwrap(strToInt(args[0, ""]), 50), unwrap(strToInt(args[1, ""]), 2000));
