// Support for programs written in CaMPL's syntax, loaded with the prelude
// for them only. The services behind CaMPL's `run` channels are played by
// processes the CaMPL front end writes (`syntax/campl/lower/services.rs`);
// they use these helpers, which do what CaMPL's machine does, with its
// words (docs/campl.md).

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
