// `P.after<steps>` names the state of protocol P after the listed steps,
// so that functions can take a channel in the middle of its protocol.
protocol StringLookup = put Lookup: put Int, get String, loop
                      | put StopLookups: close;

// `StringLookup.after<put Lookup>` is `put Int, get String, StringLookup`.
void ask(StringLookup.after<put Lookup> svc, Int index) {
  svc.put(index);
}

// `StringLookup.after<put Lookup, put>` is `get String, StringLookup`.
String finishLookup(StringLookup.after<put Lookup, put> svc) {
  svc.get
}

// The server side, after it received the Lookup label.
void answer(neg<StringLookup>.after<get Lookup> c, [String] entries) {
  let i = c.get;
  c.put(entries[i, "?"]);
}

process lookupServer(neg<StringLookup> c, [String] entries) {
  switch (c.get) {
    case Lookup:
      answer(c, entries);
      lookupServer(c, entries);
    case StopLookups:
  }
}

process main(StringLookup svc, PutSeq<Char> out) {
  svc.put(Lookup).put(1);
  writeLine(out, finishLookup(svc));
  svc.put(Lookup);
  ask(svc, 2);
  writeLine(out, finishLookup(svc));
  svc.put(Lookup);
  ask(svc, 7);
  writeLine(out, svc.get);
  svc.put(StopLookups);
  out.put(StopPut);
}

lookupServer(~svc, ["zero", "one", "two"]);
main(svc, stdout);
