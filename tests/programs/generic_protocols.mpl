// Generic protocols: a protocol parameter `#p` that grows with every item
// (the report's GetsAndPuts2: "call" as "goto" with a continuation), served
// by a polymorphically recursive function; the prelude's GetThen<t, #p>
// nested in itself; and a plain type parameter.
protocol GetsAndPuts2<t, #p> = get GetT: get t, GetsAndPuts2<t, (put t, #p)>
                             | get StopGetT: #p;
protocol GetsAndPuts<t> = GetsAndPuts2<t, close>;
protocol Box<t> = get t, close;

// When it returns, `ch` has moved from GetsAndPuts2<t, #p> to #p.
void filo(GetsAndPuts2<t, #p> ch) {
  switch (ch.get) {
    case GetT:
      let x = ch.get;
      filo(ch);
      ch.put(x);
    case StopGetT:
  }
}

process filoServer(GetsAndPuts<Int> ch) {
  filo(ch);
}

// Leaves `ch` in state #p.
t receive(GetThen<t, #p> ch) { ch.get }

process teller(neg<GetThen<String, GetThen<Int, close>>> c) {
  c.put("answer").put(42);
}

process boxer(neg<Box<[Bool]>> b) {
  b.put([true, false]);
}

process client(neg<GetsAndPuts<Int>> ch, GetThen<String, GetThen<Int, close>> g,
               Box<[Bool]> b, PutSeq<Char> out) {
  ch.put(GetT).put(1);
  ch.put(GetT).put(2);
  ch.put(GetT).put(3);
  ch.put(StopGetT);
  let x = ch.get;
  let y = ch.get;
  let z = ch.get;
  writeLine(out, show([x, y, z]));
  let word = receive(g);
  let number = receive(g);
  writeLine(out, concat(word, concat(" ", show(number))));
  writeLine(out, show(b.get));
  out.put(StopPut);
}

filoServer(f);
teller(~g);
boxer(~b);
client(~f, g, b, stdout);
