// The `timeService`: Sleep (milliseconds, answered with `()`), the Unix
// time and the CPU timer, and ShareTSWith, which hands the service the
// server end of a new connection so that another process can use it.
// Only deterministic facts are printed; `main` gives `out` to `napper`
// once it has printed its own lines.
process napper(TimeService ts, PutSeq<Char> out) {
  ts.put(Sleep).put(5);
  let nothing = ts.get;
  ts.put(GetUnixTime);
  writeLine(out, concat("napper: ", show(ts.get > 1600000000)));
  ts.put(StopTimeService);
  out.put(StopPut);
}

process main(TimeService ts, PutSeq<Char> out) {
  ts.put(GetCpuTimerMicroseconds);
  let before = ts.get;
  ts.put(Sleep).put(20);
  writeLine(out, show(ts.get));
  ts.put(GetCpuTimerMicroseconds);
  let after = ts.get;
  writeLine(out, show(after >= before));
  ts.put(GetUnixTime);
  writeLine(out, show(ts.get > 1600000000));
  neg<TimeService> share;
  napper(~share, out);
  ts.put(ShareTSWith).put(share);
  ts.put(StopTimeService);
}

main(timeService, stdout);
