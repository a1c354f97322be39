// The prelude, part 4: the sequence protocols and the report's channel
// helpers. `stdin` is a `GetSeq<Char>`, `stdout` and `stderr` are
// `PutSeq<Char>` (LANGUAGE.md section 9).

/// A sequence the holder pulls from: ask with `Get` and receive one item, or stop with `StopGet`.
protocol GetSeq<t> = put Get: get t, loop
                   | put StopGet: close;

/// A sequence the holder pushes into: `Put` then one item, or stop with `StopPut`.
protocol PutSeq<t> = put Put: put t, loop
                   | put StopPut: close;

/// Both directions on one channel (a bidirectional terminal is `BidiSeq<Char>`).
protocol BidiSeq<t> = put Get1: get t, loop
                    | put Put1: put t, loop
                    | put StopBidi: close;

/// Receive one `t`, then continue as `#p` (names the middle of a protocol, as in the report).
protocol GetThen<t, #p> = get t, #p;

fold {
  /// Sends every item of `items` in order with `Put`; the channel stays open.
  void bulkPut(PutSeq<t> putseq, fold by [t] items) {
    switch items {
      case []:
      case (x:rest):
        putseq.put(Put).put(x);
        bulkPut(putseq, rest);
    }
  }
}

// The report's version returns its buffer, which it builds newest-first;
// this one gives the items back in the order they arrived.
/// Gets items until `delimiter` and returns those before it, in order (`buf`: items already read, newest first; normally `[]`).
[t] bulkGet(GetSeq<t> getter, t delimiter, [t] buf) {
  getter.put(Get);
  let item = getter.get;
  if (item == delimiter) {
    reverseOnto(buf, [])
  } else {
    bulkGet(getter, delimiter, item : buf)
  }
}

/// Reads characters up to the next '\n' and returns them without it (a '\r' before it is kept).
String readLine(GetSeq<Char> input) { bulkGet(input, '\n', []) }

/// Writes `text` then '\n'; the channel stays open.
void writeLine(PutSeq<Char> out, String text) {
  bulkPut(out, text);
  out.put(Put).put('\n');
}

/// Serves a `BidiSeq` from a separate input and output sequence; `StopBidi` stops both.
process makeBidi(neg<BidiSeq<t>> combined, GetSeq<t> getc, PutSeq<t> putc) {
  switch (combined.get) {
    case Get1:
      getc.put(Get);
      combined.put(getc.get);
      makeBidi(combined, getc, putc);
    case Put1:
      putc.put(Put).put(combined.get);
      makeBidi(combined, getc, putc);
    case StopBidi:
      getc.put(StopGet);
      putc.put(StopPut);
  }
}

/// Turns a sequence of lists into a sequence of items: writes `putInitially`, then each list the client puts; `StopPut` stops `putseq` too.
process bulkPutAdapter(neg<PutSeq<[t]>> client, PutSeq<t> putseq, [t] putInitially) {
  bulkPut(putseq, putInitially);
  switch (client.get) {
    case Put:
      let more = client.get;
      bulkPutAdapter(client, putseq, more);
    case StopPut:
      putseq.put(StopPut);
  }
}

/// Turns a sequence of items into a sequence of lists: each `Get` answers the items up to the next `delimiter` (dropped); `StopGet` stops `getter` too.
process bulkGetAdapter(neg<GetSeq<[t]>> client, GetSeq<t> getter, t delimiter) {
  switch (client.get) {
    case Get:
      client.put(bulkGet(getter, delimiter, []));
      bulkGetAdapter(client, getter, delimiter);
    case StopGet:
      getter.put(StopGet);
  }
}
