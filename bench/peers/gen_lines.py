# Writes the deterministic ~10 MiB text of the `lines` workload to stdout.
import random, sys
size_wanted = int(sys.argv[1]) if len(sys.argv) > 1 else 10 * 1024 * 1024
r = random.Random(1)
words = ["alpha", "be", "gamma", "delta", "pi", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda"]
size = 0
out = []
while size < size_wanted:
    line = " ".join(r.choice(words) for _ in range(r.randint(0, 14))) + "\n"
    out.append(line)
    size += len(line)
sys.stdout.write("".join(out))
