// Both ends of one channel go to the same process.
protocol Ping = put Int, close;
process loopback(Ping a, neg<Ping> b) { a.put(1); let x = b.get; }
loopback(p, ~p);
