// Literals: decimal, negative and hexadecimal integers, floats, characters and
// strings with escapes, booleans, the unit value and the empty list.
process main(PutSeq<Char> out) {
  writeLine(out, show(42));
  writeLine(out, show(-7));
  writeLine(out, show(0x1F));
  writeLine(out, show(0xFF + 1));
  writeLine(out, show(1.0));
  writeLine(out, show(2.5e3));
  writeLine(out, show('a'));
  writeLine(out, show('\n'));
  writeLine(out, show('\t'));
  writeLine(out, show('\r'));
  writeLine(out, show('\''));
  writeLine(out, show('"'));
  writeLine(out, show('\\'));
  writeLine(out, show('\u{3bb}'));
  writeLine(out, "a\tb|");
  writeLine(out, show("a\tb\n"));
  writeLine(out, "quote: \" backslash: \\ lambda: \u{3bb}");
  writeLine(out, show("say \"hi\""));
  writeLine(out, show("it's"));
  writeLine(out, show(true));
  writeLine(out, show(false));
  writeLine(out, show(()));
  writeLine(out, show([]));
  writeLine(out, "");
  writeLine(out, "end");
  out.put(StopPut);
}

main(stdout);
