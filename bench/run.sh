#!/usr/bin/env bash
# The MPL benchmark suite (issue 5): runs each workload of bench/workloads/
# in MPL and in its peers (bench/peers/) back to back and prints a table of
# medians and MPL/peer ratios. Run by hand from anywhere; NOT part of CI.
#
#   bench/run.sh                 # everything, 5 runs per command
#   RUNS=3 bench/run.sh chain fib    # only some workloads, fewer runs
#   HTTP_SECS=10 bench/run.sh http   # longer wrk runs (default 5 s each)
#
# Workloads: chain spawn fib bitmap lines http. Needs root (or sudo) only
# when a peer is missing: it installs erlang-base golang-go lua5.4 nodejs wrk
# nginx time with apt-get. Every loop is bounded; background servers are
# stopped by the EXIT trap.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
MPL="$ROOT/target/release/mpl"
RUNS="${RUNS:-5}"
WORK="$(mktemp -d /tmp/mpl-bench.XXXXXX)"
FIG="$WORK/figures"
: > "$FIG"
SERVER_PIDS=()

cleanup() {
  for pid in "${SERVER_PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  for pid in "${SERVER_PIDS[@]:-}"; do
    [ -n "$pid" ] && wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$#" -gt 0 ]; then WORKLOADS=("$@"); else WORKLOADS=(chain spawn fib bitmap lines http); fi
want() { local w; for w in "${WORKLOADS[@]}"; do [ "$w" = "$1" ] && return 0; done; return 1; }
fig() { echo "$1 $2" >> "$FIG"; }   # fig KEY VALUE

# ---- peers -------------------------------------------------------------------
missing=()
for pair in erl:erlang-base go:golang-go lua5.4:lua5.4 node:nodejs wrk:wrk nginx:nginx /usr/bin/time:time; do
  cmd="${pair%%:*}"; pkg="${pair#*:}"
  command -v "$cmd" >/dev/null 2>&1 || [ -x "$cmd" ] || [ -x "/usr/sbin/$cmd" ] || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "== installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y "${missing[@]}"
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
# The CPython interpreter itself: `python3` on PATH can be a launcher
# script (pyenv's shim is a bash script that runs `pyenv` first), which
# added about 45 ms to every CPython run here and made `lines` look
# faster than CPython when it was not (bench/RESULTS.md, 2026-12-02, last).
PY="$(python3 -c 'import sys; print(sys.executable)')"

echo "== building mpl (release)"
(cd "$ROOT" && cargo build --release --quiet)

echo "== building the peers in $WORK"
erlc -o "$WORK" "$BENCH/peers/bench.erl"
(cd "$BENCH/peers" && GOCACHE="${GOCACHE:-$WORK/gocache}" go build -o "$WORK/chain-go" chain.go \
   && GOCACHE="${GOCACHE:-$WORK/gocache}" go build -o "$WORK/spawn-go" spawn.go)
ERL="erl -noshell -pa $WORK"

for w in "$BENCH"/workloads/*.mpl; do "$MPL" check "$w" >/dev/null; done

# group INPUT NAME CMD [NAME CMD ...]: the commands timed in alternation,
# one warm-up round and $RUNS rounds (bench/alternate.py: each MPL run next
# to its peers', so a change of load lands on all of them); records each
# one's median wall time (s) and mean user+sys CPU time (s). INPUT is the
# file for stdin, or - for none.
group() { python3 "$BENCH/alternate.py" "$RUNS" "$@" >> "$FIG"; }

# maxrss NAME CMD: median over 3 runs of the peak RSS (KiB) from /usr/bin/time -v
maxrss() {
  local name="$1" cmd="$2" i vals=()
  for i in 1 2 3; do
    vals+=("$(/usr/bin/time -v $cmd 2>&1 >/dev/null | awk '/Maximum resident set size/ {print $6}')")
  done
  fig "$name" "$(printf '%s\n' "${vals[@]}" | sort -n | sed -n 2p)"
}

# ---- workloads ---------------------------------------------------------------
if want chain; then
  echo "== chain: 10,000 processes in a line, 50 round trips (1,000,000 messages)"
  group - chain.mpl "$MPL run $BENCH/workloads/chain.mpl 10000 50" \
    chain.erlang "$ERL -s bench chain 10000 50 -s erlang halt" \
    chain.go "$WORK/chain-go 10000 50" \
    chain.python "$PY $BENCH/peers/chain.py 10000 50"
fi

if want spawn; then
  echo "== spawn: 100,000 parked processes, one message each (minus a 0-process run)"
  for n in 0 100000; do
    group - "spawn.mpl.$n" "$MPL run $BENCH/workloads/spawn.mpl $n" \
      "spawn.erlang.$n" "$ERL -s bench spawn $n -s erlang halt" \
      "spawn.go.$n" "$WORK/spawn-go $n" \
      "spawn.python.$n" "$PY $BENCH/peers/spawn.py $n"
    maxrss "spawn.mpl.$n.rss" "$MPL run $BENCH/workloads/spawn.mpl $n"
    maxrss "spawn.erlang.$n.rss" "$ERL -s bench spawn $n -s erlang halt"
    maxrss "spawn.go.$n.rss" "$WORK/spawn-go $n"
    maxrss "spawn.python.$n.rss" "$PY $BENCH/peers/spawn.py $n"
  done
fi

if want fib; then
  echo "== fib(30)"
  group - fib.mpl "$MPL run $BENCH/workloads/fib.mpl 30" \
    fib.python "$PY $BENCH/peers/fib.py 30" \
    fib.erlang "$ERL -s bench fib 30 -s erlang halt" \
    fib.lua "lua5.4 $BENCH/peers/fib.lua 30" \
    fib.node "node $BENCH/peers/fib.js 30"
fi

if want bitmap; then
  echo "== bitmap: 1000x1000 image, 5x5 kernel, 2 bands"
  # Pairs of runs, --threads 1 then --threads 2, $RUNS times: on a shared
  # machine the load changes between two blocks of runs, so the speed-up
  # is the median of the pairs' ratios (each pair taken close together).
  python3 - "$MPL" "$BENCH/workloads/bitmap.mpl" "$RUNS" >> "$FIG" <<'PY'
import statistics, subprocess, sys, time
mpl, prog, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
def timed(threads):
    t = time.perf_counter()
    subprocess.run([mpl, "run", "--threads", str(threads), prog, "1000", "2"],
                   check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t
timed(2)  # warm-up
pairs = [(timed(1), timed(2)) for _ in range(runs)]
for a, b in pairs:
    print(f"-- bitmap pair: {a:.2f} s / {b:.2f} s = {a / b:.2f}", file=sys.stderr)
print(f"bitmap.t1 {statistics.median(a for a, _ in pairs)}")
print(f"bitmap.t2 {statistics.median(b for _, b in pairs)}")
print(f"bitmap.speedup {statistics.median(a / b for a, b in pairs)}")
PY
fi

if want lines; then
  echo "== lines: 10 MiB of text on stdin, words counted"
  python3 "$BENCH/peers/gen_lines.py" > "$WORK/lines.txt"
  fig lines.bytes "$(wc -c < "$WORK/lines.txt")"
  group "$WORK/lines.txt" lines.mpl "$MPL run $BENCH/workloads/lines.mpl" \
    lines.python "$PY $BENCH/peers/lines.py" \
    lines.mpl_loop "$MPL run $BENCH/workloads/lines_loop.mpl" \
    lines.lua "lua5.4 $BENCH/peers/lines.lua" \
    lines.lua_loop "lua5.4 $BENCH/peers/lines_loop.lua" \
    lines.python_loop "$PY $BENCH/peers/lines_loop.py"
fi

if want http; then
  HTTP_SECS="${HTTP_SECS:-5}"
  echo "== http: wrk -t2 -c50 -d${HTTP_SECS}s, keep-alive, a 1 KiB file, servers in alternation"
  mkdir -p "$WORK/www" "$WORK/nginx"
  chmod 755 "$WORK" "$WORK/www"   # nginx workers run as an unprivileged user
  python3 -c "import sys; sys.stdout.write(('0123456789abcdef' * 64))" > "$WORK/www/file.html"
  # wait_port PORT: up to 10 s
  wait_port() {
    local i
    for i in $(seq 1 100); do
      (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
      sleep 0.1
    done
    echo "server on port $1 did not start" >&2; return 1
  }
  cat > "$WORK/nginx/nginx.conf" <<NGX
worker_processes 2;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $WORK/nginx;
  proxy_temp_path $WORK/nginx;
  fastcgi_temp_path $WORK/nginx;
  uwsgi_temp_path $WORK/nginx;
  scgi_temp_path $WORK/nginx;
  server { listen 127.0.0.1:18083; root $WORK/www; }
}
NGX
  # All four servers run at once and are measured in turn, one wrk run
  # each per round ($RUNS rounds): a change of load on this shared machine
  # then lands on every server, as in bench/alternate.py. An idle server
  # waits in epoll and costs the others nothing.
  (cd "$WORK" && exec "$MPL" run --allow-read="$WORK" "$ROOT/examples/pluto.mpl" 18081 www > "$WORK/pluto.log" 2>&1) &
  SERVER_PIDS+=("$!")
  (cd "$WORK/www" && exec "$PY" -m http.server 18082 --bind 127.0.0.1 > /dev/null 2>&1) &
  SERVER_PIDS+=("$!")
  (cd "$WORK" && exec node "$BENCH/peers/http.js" 18084 www > /dev/null 2>&1) &
  SERVER_PIDS+=("$!")
  "$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" &
  SERVER_PIDS+=("$!")
  servers=(http.mpl:18081 http.python:18082 http.node:18084 http.nginx:18083)
  for s in "${servers[@]}"; do
    name="${s%%:*}"; port="${s#*:}"
    wait_port "$port"
    curl -sf "http://127.0.0.1:$port/file.html" -o "$WORK/check.html" 2>/dev/null \
      && cmp -s "$WORK/check.html" "$WORK/www/file.html" || echo "warning: $name did not serve the file intact" >&2
    : > "$WORK/$name.rates"
  done
  for round in $(seq 1 "$RUNS"); do
    for s in "${servers[@]}"; do
      name="${s%%:*}"; port="${s#*:}"
      wrk -t2 -c50 -d"${HTTP_SECS}s" "http://127.0.0.1:$port/file.html" > "$WORK/$name.wrk"
      rate="$(awk '/Requests\/sec/ {print $2}' "$WORK/$name.wrk")"
      echo "-- round $round, $name: $rate req/s"
      echo "$rate" >> "$WORK/$name.rates"
      errors="$(awk '/Socket errors|Non-2xx/ {print}' "$WORK/$name.wrk" | tr ' ' '_' | tr '\n' ';')"
      if [ -n "$errors" ]; then fig "$name.errors" "$errors"; fi
    done
  done
  for s in "${servers[@]}"; do
    name="${s%%:*}"
    fig "$name" "$(sort -n "$WORK/$name.rates" | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')"
  done
fi

# ---- the table ---------------------------------------------------------------
echo
python3 - "$FIG" <<'PY'
import sys
f = {}
for line in open(sys.argv[1]):
    k, _, v = line.strip().partition(" ")
    try: f[k] = float(v)
    except ValueError: f[k] = v
def g(k): return f.get(k)
rows = []
def row(w, what, mpl, peer, ratio, target, met):
    rows.append((w, what, mpl, peer, ratio, target, "yes" if met else ("no" if met is not None else "-")))
if g("chain.mpl"):
    m = g("chain.mpl") * 1e3  # ns per message over 1e6 messages
    for p in ("erlang", "go", "python"):
        if g(f"chain.{p}"):
            q = g(f"chain.{p}") * 1e3; r = m / q
            row("chain", f"ns/message vs {p}", f"{m:.0f}", f"{q:.0f}", f"{r:.2f}",
                "<= 1.0" if p == "go" else "", (r <= 1.0) if p == "go" else None)
if g("spawn.mpl.100000"):
    N = 100000
    def per(p): return ((g(f"spawn.{p}.100000") - g(f"spawn.{p}.0")) / N * 1e6,
                        (g(f"spawn.{p}.100000.rss") - g(f"spawn.{p}.0.rss")) * 1024 / N)
    mt, mr = per("mpl")
    for p in ("erlang", "go", "python"):
        pt, pr = per(p)
        row("spawn", f"us/process vs {p}", f"{mt:.2f}", f"{pt:.2f}", f"{mt/pt:.2f}" if pt > 0 else "-",
            "MPL <= 2 us" if p == "erlang" else "", (mt <= 2) if p == "erlang" else None)
        row("spawn", f"bytes/parked process vs {p}", f"{mr:.0f}", f"{pr:.0f}", f"{mr/pr:.2f}" if pr > 0 else "-",
            "MPL <= 512 B" if p == "erlang" else "", (mr <= 512) if p == "erlang" else None)
if g("fib.mpl"):
    for p in ("lua", "node", "python", "erlang"):
        if not g(f"fib.{p}"): continue
        r = g("fib.mpl") / g(f"fib.{p}")
        row("fib", f"s (wall) vs {p}", f"{g('fib.mpl'):.3f}", f"{g(f'fib.{p}'):.3f}", f"{r:.2f}",
            "<= 1.0" if p == "lua" else "", (r <= 1.0) if p == "lua" else None)
if g("bitmap.speedup"):
    s = g("bitmap.speedup")
    row("bitmap", "s (wall): --threads 1 / --threads 2, median of paired ratios",
        f"{g('bitmap.t1'):.2f}", f"{g('bitmap.t2'):.2f}", f"speed-up {s:.2f}", ">= 1.9", s >= 1.9)
if g("lines.mpl"):
    mb = g("lines.bytes") / 1e6
    m, p = mb / g("lines.mpl"), mb / g("lines.python")
    row("lines", "MB/s vs python", f"{m:.2f}", f"{p:.1f}", f"{m/p:.3f}", ">= 1.0", m / p >= 1.0)
    if g("lines.lua"):
        q = mb / g("lines.lua")
        row("lines", "MB/s vs lua (gmatch)", f"{m:.2f}", f"{q:.1f}", f"{m/q:.3f}", "", None)
    if g("lines.mpl_loop"):
        l = mb / g("lines.mpl_loop")
        row("lines_loop", "MB/s, words counted by an MPL loop, vs python", f"{l:.2f}", f"{p:.1f}", f"{l/p:.3f}", ">= 0.5", l / p >= 0.5)
        if g("lines.lua_loop"):
            q = mb / g("lines.lua_loop")
            row("lines_loop", "MB/s, the same loop, vs lua", f"{l:.2f}", f"{q:.1f}", f"{l/q:.3f}", ">= 1.0", l / q >= 1.0)
        if g("lines.python_loop"):
            q = mb / g("lines.python_loop")
            row("lines_loop", "MB/s, the same loop, vs python", f"{l:.2f}", f"{q:.1f}", f"{l/q:.3f}", "", None)
if g("http.mpl") is not None:
    m = g("http.mpl")
    if g("http.python"):
        row("http", "req/s vs python http.server", f"{m:.0f}", f"{g('http.python'):.0f}",
            f"{m/g('http.python'):.2f}", ">= 10", m / g("http.python") >= 10)
    if g("http.node"):
        row("http", "req/s vs node http.createServer", f"{m:.0f}", f"{g('http.node'):.0f}",
            f"{m/g('http.node'):.2f}", "", None)
    if g("http.nginx"):
        row("http", "req/s vs nginx (share)", f"{m:.0f}", f"{g('http.nginx'):.0f}",
            f"{m/g('http.nginx'):.3f}", ">= 0.5", m / g("http.nginx") >= 0.5)
hdr = ("workload", "figure", "MPL", "peer", "MPL/peer", "target", "met")
print("| " + " | ".join(hdr) + " |")
print("|" + "---|" * len(hdr))
for r in rows: print("| " + " | ".join(r) + " |")
print()
print("raw figures (medians of wall seconds; *.cpu = mean user+sys s; *.rss = KiB; http = req/s):")
for k, v in f.items(): print(f"  {k} = {v}")
PY
