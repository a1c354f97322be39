// Processes loop by calling themselves as their last statement: the tail
// call reuses the task, so 100000 iterations run in constant memory. The
// producer's puts never wait for the consumer.
protocol Result = get Int, close;
protocol Nums = put Next: put Int, loop
              | put Done: close;

process counter(neg<Result> r, Int i, Int acc) {
  if (i <= 0) {
    r.put(acc);
  } else {
    counter(r, i - 1, acc + i);
  }
}

process producer(Nums c, Int i) {
  if (i <= 0) {
    c.put(Done);
  } else {
    c.put(Next).put(i);
    producer(c, i - 1);
  }
}

process consume(neg<Nums> nums, PutSeq<Char> out, Int count, Int total) {
  switch (nums.get) {
    case Next:
      let x = nums.get;
      consume(nums, out, count + 1, total + x);
    case Done:
      writeLine(out, concat(show(count), concat(" numbers, total ", show(total))));
      out.put(StopPut);
  }
}

process main(Result r, neg<Nums> nums, PutSeq<Char> out) {
  writeLine(out, show(r.get));
  consume(nums, out, 0, 0);
}

counter(~r, 100000, 0);
producer(n, 100000);
main(r, ~n, stdout);
