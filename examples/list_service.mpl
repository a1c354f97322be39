// The report's list service: a process that answers lookups into a list.
// Run: mpl run examples/list_service.mpl
//
// The protocol is written from the client's point of view: the client
// chooses `Lookup` (then sends an index and receives a string) or
// `StopLookups`; `loop` goes back to the start. The service holds the
// other end, `neg<StringLookup>`, where every put is a get.
protocol StringLookup = put Lookup: put Int, get String, loop
                      | put StopLookups: close;

/// Answers lookups into `entries` until the client stops ("" when out of range).
process ListService(neg<StringLookup> requests, [String] entries) {
  switch (requests.get) {
    case Lookup:
      let index = requests.get;
      requests.put(entries[index, ""]);
      ListService(requests, entries);
    case StopLookups:
  }
}

/// Looks up each index and prints what the service answered.
void lookupAll(StringLookup svc, PutSeq<Char> out, [Int] indexes) {
  switch indexes {
    case []:
    case (i:rest):
      svc.put(Lookup).put(i);
      let answer = svc.get;
      let shown = if (answer == "") { "(nothing there)" } else { answer };
      writeLine(out, concat(show(i), concat(": ", shown)));
      lookupAll(svc, out, rest);
  }
}

process client(StringLookup svc, PutSeq<Char> out) {
  lookupAll(svc, out, [3, 0, 2, 9, -1, 1]);
  svc.put(StopLookups);
  out.put(StopPut);
}

// `svc` is a new channel: `~svc` (the service's end) and `svc` (the client's).
ListService(~svc, ["zero", "one", "two", "three"]);
client(svc, stdout);
