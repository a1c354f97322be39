// A `race` waits for a message: each of its channels must receive next.
protocol Ask = put Int, get Int, close;

process asker(Ask q, neg<Ask> other) {
  race {
    case q:
      q.put(1);
      let _a = q.get;
      other.put(other.get);
    case other:
      other.put(other.get);
      q.put(1);
      let _a = q.get;
  }
}
