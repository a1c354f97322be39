// Implicit channels: a name not in scope, used exactly twice as a process
// argument in one block (once plain, once with `~`), makes a new channel.
// In the wiring `~p` comes first; inside `main` the plain use comes first.
protocol Ping = put Int, get Int, close;
protocol Nums = put Next: put Int, loop
              | put Done: close;

process doubler(neg<Ping> c) {
  let n = c.get;
  c.put(n * 2);
}

process source(Nums c, Int n) {
  if (n <= 0) {
    c.put(Done);
  } else {
    c.put(Next).put(n);
    source(c, n - 1);
  }
}

process addTen(neg<Nums> inp, Nums outp) {
  switch (inp.get) {
    case Next:
      outp.put(Next).put(inp.get + 10);
      addTen(inp, outp);
    case Done:
      outp.put(Done);
  }
}

process printer(neg<Nums> inp, PutSeq<Char> out) {
  switch (inp.get) {
    case Next:
      writeLine(out, show(inp.get));
      printer(inp, out);
    case Done:
      writeLine(out, "done");
      out.put(StopPut);
  }
}

process main(Ping c, PutSeq<Char> out) {
  c.put(21);
  writeLine(out, show(c.get));
  writeLine(out, "main starts the pipeline");
  source(link1, 5);
  addTen(~link1, link2);
  printer(~link2, out);
}

doubler(~p);
main(p, stdout);
