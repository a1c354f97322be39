// Labels are scoped to their protocol and resolved against the channel's
// protocol: `Put` here is a label of PutSeq, a label of Store, and a data
// constructor of Cmd, and `Get` a label of Store and a constructor of Cmd;
// none of them is confused with another.
data Cmd = Put(Int) | Get | Nop;

protocol Store = put Put: put Int, loop
               | put Get: get Int, loop
               | put Stop: close;
protocol Commands = put Cmd, put Cmd, put Cmd, get String, close;

process storage(neg<Store> s, Int value) {
  switch (s.get) {
    case Put:
      let v = s.get;
      storage(s, v);
    case Get:
      s.put(value);
      storage(s, value);
    case Stop:
  }
}

String describe(Cmd c) {
  switch c {
    case Put(n): concat("Put(", concat(show(n), ")"))
    case Get: "Get"
    case Nop: "Nop"
  }
}

process commandSink(neg<Commands> c) {
  let a = c.get;
  let b = c.get;
  let d = c.get;
  c.put(join([describe(a), describe(b), describe(d)], " "));
}

process main(Store s, Commands c, PutSeq<Char> out) {
  s.put(Put).put(5);
  s.put(Get);
  let got = s.get;
  out.put(Put).put('=');
  writeLine(out, show(got));
  c.put(Put(7)).put(Get).put(Nop);
  writeLine(out, c.get);
  writeLine(out, show([Put(2), Get, Nop]));
  s.put(Stop);
  out.put(StopPut);
}

storage(~s, 0);
commandSink(~c);
main(s, c, stdout);
