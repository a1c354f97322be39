// `halt;` ends a process at once (all its channels finished), and
// `c.close()` ends a channel whose protocol reached `close` explicitly.
// In a protocol, `halt` means the same as `close`, and a sequence without
// an ending closes implicitly.
protocol Ping = put Int, get Int, halt;
protocol Once = get String;

process squarer(neg<Ping> p) {
  let n = p.get;
  if (n < 0) {
    p.put(0);
    halt;
  } else {
    p.put(n * n);
  }
}

process once(neg<Once> o) {
  o.put("once");
  halt;
}

process main(Ping a, Ping b, Once o, PutSeq<Char> out) {
  writeLine(out, o.get);
  a.put(-3);
  writeLine(out, show(a.get));
  a.close();
  b.put(12);
  writeLine(out, show(b.get));
  out.put(StopPut);
  out.close();
  halt;
}

squarer(~a);
squarer(~b);
once(~o);
main(a, b, o, stdout);
