// 1000 processes in a chain pass a token along, each adding 1. `chain`
// starts one stage and loops (tail call) to start the rest; the last step
// forwards its input to the final output with `:=`.
protocol Pass = put Int, close;

process stage(neg<Pass> inp, Pass outp) {
  outp.put(inp.get + 1);
}

process chain(Int n, neg<Pass> inp, Pass outp) {
  if (n <= 0) {
    inp := outp;
  } else {
    stage(inp, mid);
    chain(n - 1, ~mid, outp);
  }
}

process source(Pass c) {
  c.put(0);
}

process main(neg<Pass> last, PutSeq<Char> out) {
  writeLine(out, concat("token after 1000 processes: ", show(last.get)));
  out.put(StopPut);
}

source(a);
chain(1000, ~a, b);
main(~b, stdout);
