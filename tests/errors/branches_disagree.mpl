// One path closes the channel, the other leaves it open.
protocol Nums = put Next: put Int, loop | put Stop: close;
void maybeStop(Nums c, Bool stop) {
  if (stop) {
    c.put(Stop);
  } else {
    c.put(Next).put(1);
  }
}
