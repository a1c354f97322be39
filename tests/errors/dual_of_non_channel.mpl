// `~x` only names the other end of a new channel.
process p(neg<PutSeq<Int>> c) { c.get; }
process q(Int x) { p(~x); }
q(1);
