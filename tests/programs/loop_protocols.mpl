// Recursive protocols: `loop` in a generic protocol (it keeps the
// parameters), and two named protocols that continue as each other.
// A function that reads a channel to its end uses it up on every path.
protocol Ticker<t> = get Tick: get t, loop
                   | get Done: close;
protocol Chatter = put Say: put String, Reply
                 | put Bye: close;
protocol Reply = get Heard: get Int, Chatter;

process ticker(neg<Ticker<String>> t, [String] words) {
  switch words {
    case []:
      t.put(Done);
    case (w:rest):
      t.put(Tick).put(w);
      ticker(t, rest);
  }
}

process listener(neg<Chatter> c) {
  switch (c.get) {
    case Say:
      let s = c.get;
      c.put(Heard).put(length(s));
      listener(c);
    case Bye:
  }
}

[t] collect(Ticker<t> ticks) {
  switch (ticks.get) {
    case Tick:
      let x = ticks.get;
      x : collect(ticks)
    case Done: []
  }
}

void chat(Chatter c, [String] words, PutSeq<Char> out) {
  switch words {
    case []:
      c.put(Bye);
    case (w:rest):
      c.put(Say).put(w);
      switch (c.get) {
        case Heard:
          writeLine(out, concat(w, concat(" -> ", show(c.get))));
      }
      chat(c, rest, out);
  }
}

process main(Ticker<String> t, Chatter c, PutSeq<Char> out) {
  let words = collect(t);
  writeLine(out, show(words));
  chat(c, words, out);
  out.put(StopPut);
}

ticker(~t, ["alpha", "be", "gamma"]);
listener(~c);
main(t, c, stdout);
