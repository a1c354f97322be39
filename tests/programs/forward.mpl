// Forwarding `a := b` joins two channel ends of dual protocols and drops
// the current process out of both; it works in a process and in a function.
protocol Numbers = put Next: put Int, loop
                 | put Stop: close;

process producer(Numbers c, Int from, Int to) {
  if (from > to) {
    c.put(Stop);
  } else {
    c.put(Next).put(from);
    producer(c, from + 1, to);
  }
}

void plug(neg<Numbers> a, Numbers b) {
  b := a;
}

// Only forwards: takes itself out of the path at once.
process relay(neg<Numbers> inp, Numbers outp) {
  plug(inp, outp);
}

// Doubles the first number, then steps out of the way.
process doubleFirst(neg<Numbers> inp, Numbers outp) {
  switch (inp.get) {
    case Next:
      outp.put(Next).put(inp.get * 2);
      inp := outp;
    case Stop:
      outp.put(Stop);
  }
}

process consumer(neg<Numbers> inp, PutSeq<Char> out, [Int] seen) {
  switch (inp.get) {
    case Next:
      consumer(inp, out, inp.get : seen);
    case Stop:
      writeLine(out, show(reverse(seen)));
      out.put(StopPut);
  }
}

producer(a, 1, 5);
relay(~a, b);
doubleFirst(~b, c);
consumer(~c, stdout, []);
