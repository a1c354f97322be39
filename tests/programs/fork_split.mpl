// fork and split. `forker` sends a number, then its channel forks: the
// process becomes two inner processes, one per half; `out` goes to the
// half that uses it. `splitter` splits its end into two channels (both
// forms: `split a as (x, y);` and `split(c) as (l, r);`). `calc` forks at
// the very start of its protocol, and one half answers a request.
protocol Answers = put Int, fork((put Int, close), (get String, close));
protocol Calc = fork((put Int, close), (get Int, put Int, close));

process forker(Answers a, Int n, PutSeq<Char> out) {
  a.put(n);
  fork a as
    a1 { a1.put(n * 2); },
    a2 {
      writeLine(out, a2.get);
      out.put(StopPut);
    };
}

process calc(Calc c, Int base) {
  fork c as
    left { left.put(base); },
    right {
      let x = right.get;
      right.put(x + base);
    };
}

process splitter(neg<Answers> a, neg<Calc> c) {
  let n = a.get;
  split a as (x, y);
  split(c) as (l, r);
  r.put(n);
  let total = r.get;
  let b = l.get;
  let doubled = x.get;
  y.put("n=" ++ show(n) ++ " doubled=" ++ show(doubled) ++ " base=" ++ show(b) ++ " sum=" ++ show(total));
}

forker(s, 21, stdout);
calc(k, 100);
splitter(~s, ~k);
