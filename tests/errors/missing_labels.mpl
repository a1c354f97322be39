// The switch forgets a label the other side may choose.
protocol Lookup = put Find: put Int, get Int, loop | put Stop: close;
process server(neg<Lookup> c) {
  switch (c.get) {
    case Find:
      let k = c.get;
      c.put(k);
      server(c);
  }
}
process client(Lookup c) { c.put(Stop); }
server(~l);
client(l);
