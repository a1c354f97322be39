// The time service shared with two processes (ShareTSWith): each gets its
// own connection, reads the Unix time, sleeps, and reads it again; main
// stops its own connection before the workers are done with theirs.
protocol Job = put TimeService, get String, close;

process worker(neg<Job> job, String name, Int ms) {
  let time = job.get;
  time.put(GetUnixTime);
  let t = time.get;
  time.put(Sleep).put(ms);
  time.get;
  time.put(GetUnixTime);
  let u = time.get;
  time.put(GetCpuTimerMicroseconds);
  let micros = time.get;
  time.put(StopTimeService);
  let fine = u >= t && t > 1500000000 && micros >= ms * 1000;
  job.put(concat(name, if (fine) { " ok" } else { " wrong" }));
}

process main(TimeService time, PutSeq<Char> out) {
  Job a;
  worker(~a, "slow", 30);
  Job b;
  worker(~b, "fast", 1);
  TimeService ta;
  time.put(ShareTSWith).put(~ta);
  a.put(ta);
  TimeService tb;
  time.put(ShareTSWith).put(~tb);
  b.put(tb);
  time.put(Sleep).put(-1);
  time.get;
  time.put(StopTimeService);
  writeLine(out, a.get);
  writeLine(out, b.get);
  out.put(StopPut);
}

main(timeService, stdout);
