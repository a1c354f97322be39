// `c.put(v)` evaluates to `c`, so puts chain, and a `.get` may follow.
protocol Order = put Item: put String, put Int, loop
               | put Checkout: get Int, close;

Int priceOf(String name) {
  switch name {
    case "apple": 4
    case "pear": 5
    case _: 1
  }
}

process shop(neg<Order> c, Int total) {
  switch (c.get) {
    case Item:
      let name = c.get;
      let qty = c.get;
      shop(c, total + qty * priceOf(name));
    case Checkout:
      c.put(total);
  }
}

process main(Order c, PutSeq<Char> out) {
  out.put(Put).put('o').put(Put).put('k').put(Put).put('\n');
  c.put(Item).put("apple").put(3);
  c.put(Item).put("pear").put(2);
  c.put(Item).put("plum").put(10);
  let total = c.put(Checkout).get;
  writeLine(out, show(total));
  out.put(StopPut);
}

shop(~c, 0);
main(c, stdout);
