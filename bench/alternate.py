#!/usr/bin/env python3
"""Times commands in alternation, for bench/run.sh.

    alternate.py RUNS INPUT NAME CMD [NAME CMD ...]

Runs one warm-up round, then RUNS rounds; each round runs every command
once, in order, with stdin from INPUT ("-" for none) and stdout discarded.
Prints, for each NAME, "NAME <median wall seconds>" and
"NAME.cpu <mean user+system seconds>", the lines run.sh's figures file
takes.

Why not hyperfine: hyperfine runs all of one command's runs, then all of
the next's, so on a shared machine a change of load between the two
blocks lands in their ratio. Alternating puts each MPL run next to its
peer's. The commands are run directly (split like a shell would, no
shell in between); what starting a process costs from here (the median
of 20 runs of `true`, about a millisecond) is subtracted from each wall
time, as hyperfine subtracts its shell's start-up.
"""

import os
import shlex
import statistics
import subprocess
import sys
import time


def run_once(argv, input_path):
    """Wall and CPU seconds of one run of argv; exits on a failing run."""
    stdin = open(input_path, "rb") if input_path != "-" else subprocess.DEVNULL
    try:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    finally:
        if stdin is not subprocess.DEVNULL:
            stdin.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"alternate.py: `{shlex.join(argv)}` exited with {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def main():
    if len(sys.argv) < 5 or len(sys.argv) % 2 == 0:
        sys.exit(__doc__)
    runs, input_path = int(sys.argv[1]), sys.argv[2]
    pairs = sys.argv[3:]
    commands = [(pairs[i], shlex.split(pairs[i + 1])) for i in range(0, len(pairs), 2)]
    for name, argv in commands:
        print(f"-- {name}: {shlex.join(argv)}", file=sys.stderr)
        run_once(argv, input_path)
    overhead = statistics.median(run_once(["true"], "-")[0] for _ in range(20))
    times = {name: [] for name, _ in commands}
    for _ in range(runs):
        for name, argv in commands:
            times[name].append(run_once(argv, input_path))
    for name, _ in commands:
        print(f"{name} {statistics.median(w for w, _ in times[name]) - overhead}")
        print(f"{name}.cpu {statistics.mean(c for _, c in times[name])}")


if __name__ == "__main__":
    main()
