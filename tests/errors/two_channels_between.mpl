// Two channels between the same two processes.
protocol Ping = put Int, close;
process left(Ping a, Ping b) { a.put(1); b.put(2); }
process right(neg<Ping> a, neg<Ping> b) { let x = a.get; let y = b.get; }
left(p, q);
right(~p, ~q);
