// A bidirectional console made from stdin and stdout by the prelude's
// makeBidi process; the program reads and writes single characters on one
// BidiSeq<Char> channel.
String readBidiLine(BidiSeq<Char> con) {
  con.put(Get1);
  let c = con.get;
  if (c == '\n') { "" } else { c : readBidiLine(con) }
}

void writeBidi(BidiSeq<Char> con, String s) {
  switch s {
    case []:
    case (c:rest):
      con.put(Put1).put(c);
      writeBidi(con, rest);
  }
}

process greeter(BidiSeq<Char> con) {
  writeBidi(con, "name? ");
  let name = readBidiLine(con);
  writeBidi(con, concat("hello, ", concat(name, "\n")));
  let word = readBidiLine(con);
  writeBidi(con, concat(reverse(word), "\n"));
  con.put(StopBidi);
}

makeBidi(~con, stdin, stdout);
greeter(con);
