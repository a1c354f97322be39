// Support for programs written in CaMPL's syntax, loaded with the prelude
// for them only. The services behind CaMPL's `run` channels are played by
// processes the CaMPL front end writes (`syntax/campl/lower/services.rs`);
// they use these helpers, which do what CaMPL's machine does, with its
// words (docs/campl.md).

/// CaMPL's `/` on integers: the quotient rounded down, as its machine
/// divides (Haskell's `div`), where our `/` rounds toward zero.
Int camplDiv(Int a, Int b) {
  let q = a / b;
  if (a % b != 0 && (a < 0) != (b < 0)) { q - 1 } else { q }
}

/// `IntConsolePut`: CaMPL writes a header line, then the number.
void camplPutInt(PutSeq<Char> out, Int n) {
  writeLine(out, "Putting int: ");
  writeLine(out, show(n));
}

/// `CharConsolePut`: a header line, then the character.
void camplPutChar(PutSeq<Char> out, Char c) {
  writeLine(out, "Putting char: ");
  writeLine(out, [c]);
}

/// `IntConsoleGet`: asks once, then reads lines until one is an Int.
Int camplGetInt(GetSeq<Char> input, PutSeq<Char> out) {
  writeLine(out, "Please enter an int: ");
  camplReadInt(input)
}

/// Reads lines until one is an Int (surrounding spaces allowed).
Int camplReadInt(GetSeq<Char> input) {
  switch strToInt(trim(readLine(input))) {
    case Just(n): n
    case Nothing: camplReadInt(input)
  }
}

/// `CharConsoleGet`: asks once, then reads lines until one is a single character.
Char camplGetChar(GetSeq<Char> input, PutSeq<Char> out) {
  writeLine(out, "Please enter an char: ");
  camplReadChar(input)
}

/// Reads lines until one holds exactly one character.
Char camplReadChar(GetSeq<Char> input) {
  switch readLine(input) {
    case [c]: c
    case _: camplReadChar(input)
  }
}

/// The one-shot half of CaMPL's `Timer`: waits `micros` microseconds on
/// its own clock, which it then stops.
void camplSleep(TimeService clock, Int micros) {
  clock.put(Sleep).put(micros / 1000);
  clock.get;
  clock.put(StopTimeService);
}

/// `IntTerminalPut`: CaMPL's terminal shows a header line, then the number.
void camplTermPutInt(Terminal t, Int n) {
  t.put(TerminalPut).put("Receiving an int: ");
  t.put(TerminalPut).put(show(n));
}

/// `CharTerminalPut`: a header line, then the character.
void camplTermPutChar(Terminal t, Char c) {
  t.put(TerminalPut).put("Receiving a character: ");
  t.put(TerminalPut).put([c]);
}

/// `IntTerminalGet`: asks until the answer is an Int.
Int camplTermGetInt(Terminal t) {
  t.put(TerminalPut).put("Please enter an int: ");
  t.put(TerminalGet);
  switch strToInt(trim(t.get)) {
    case Just(n): n
    case Nothing: camplTermGetInt(t)
  }
}

/// `CharTerminalGet`: asks until the answer is one character.
Char camplTermGetChar(Terminal t) {
  t.put(TerminalPut).put("Please enter a character: ");
  t.put(TerminalGet);
  switch t.get {
    case [c]: c
    case _: camplTermGetChar(t)
  }
}

/// Two ends handed out one after the other.
protocol CamplTwo<t> = get t, get t, close;

/// Hands out two ends that write onto one stream `up` (merged by
/// `camplMergeOut`): the consoles of a CaMPL program share standard
/// output so. Handed out over a channel, the ends join no process in a
/// cycle.
process camplShareOut(neg<CamplTwo<PutSeq<Char>>> h, PutSeq<Char> up) {
  PutSeq<Char> a;
  PutSeq<Char> b;
  h.put(a);
  h.put(b);
  h.close();
  camplMergeOut(~a, ~b, up);
}

/// Hands out two ends that read from one stream `up` (`camplMergeIn`).
process camplShareIn(neg<CamplTwo<GetSeq<Char>>> h, GetSeq<Char> up) {
  GetSeq<Char> a;
  GetSeq<Char> b;
  h.put(a);
  h.put(b);
  h.close();
  camplMergeIn(~a, ~b, up);
}

/// Hands out two ends onto one `terminals` connection `up`
/// (`camplMergeTerms`): for two consoles that may open terminals.
process camplShareTerms(neg<CamplTwo<Terminals>> h, Terminals up) {
  Terminals a;
  Terminals b;
  h.put(a);
  h.put(b);
  h.close();
  camplMergeTerms(~a, ~b, up);
}

/// Two clients of one `terminals` connection: each request is passed on
/// as it comes; when one stops, the other is joined to the connection.
process camplMergeTerms(neg<Terminals> a, neg<Terminals> b, Terminals up) {
  race {
    case a: camplTermsRequest(a, b, up);
    case b: camplTermsRequest(b, a, up);
  }
}

/// `first` asks for something: passed on to `up`.
process camplTermsRequest(neg<Terminals> first, neg<Terminals> other, Terminals up) {
  switch (first.get) {
    case OpenTerminal:
      up.put(OpenTerminal);
      first.put(up.get);
      camplMergeTerms(first, other, up);
    case StopTerminals:
      first.close();
      other := up;
  }
}

/// Two writers onto one stream, as CaMPL's consoles share one terminal:
/// whichever writes first goes on to the end of its line (lines are not
/// mixed); when one stops, the other is joined to the stream.
process camplMergeOut(neg<PutSeq<Char>> a, neg<PutSeq<Char>> b, PutSeq<Char> up) {
  race {
    case a: camplLineOut(a, b, up);
    case b: camplLineOut(b, a, up);
  }
}

/// `first` has something to write: the rest of its line goes first.
process camplLineOut(neg<PutSeq<Char>> first, neg<PutSeq<Char>> other, PutSeq<Char> up) {
  switch (first.get) {
    case Put:
      let c = first.get;
      up.put(Put).put(c);
      if (c == '\n') {
        camplMergeOut(first, other, up);
      } else {
        camplLineOut(first, other, up);
      }
    case StopPut:
      first.close();
      other := up;
  }
}

/// Two readers of one stream: whichever asks first reads a whole line;
/// when one stops, the other is joined to the stream.
process camplMergeIn(neg<GetSeq<Char>> a, neg<GetSeq<Char>> b, GetSeq<Char> up) {
  race {
    case a: camplLineIn(a, b, up);
    case b: camplLineIn(b, a, up);
  }
}

/// `first` asks: it reads on to the end of a line.
process camplLineIn(neg<GetSeq<Char>> first, neg<GetSeq<Char>> other, GetSeq<Char> up) {
  switch (first.get) {
    case Get:
      up.put(Get);
      let c = up.get;
      first.put(c);
      if (c == '\n') {
        camplMergeIn(first, other, up);
      } else {
        camplLineIn(first, other, up);
      }
    case StopGet:
      first.close();
      other := up;
  }
}
