// Three processes wired in a ring.
protocol Ping = put Int, close;
process node(Ping out, neg<Ping> inp) { let x = inp.get; out.put(x); }
node(ab, ~ca);
node(bc, ~ab);
node(ca, ~bc);
