#!/usr/bin/env bash
# Soak tests (issue 12): does a long run keep its memory flat?
#
#   bench/soak.sh            # 10 minutes each
#   bench/soak.sh 2          # 2 minutes each (a quick look)
#   CLOSE=1 bench/soak.sh    # wrk closes the connection after each request
#   ONLY=chain bench/soak.sh # one of the two runs (pluto or chain)
#
# 1. Pluto in MPL (examples/pluto.mpl) under `wrk -t2 -c50` for MINUTES,
#    serving a 1 KiB file with keep-alive.
# 2. A message-passing workload for MINUTES: 10,000 processes in a chain
#    passing a token back and forth (bench/workloads/chain.mpl with a
#    number of rounds it never finishes; stopped at the end).
#
# Each run's resident memory is sampled every 10 s. The verdict: the
# median resident memory of the last minute is within 10 % of the median
# of the second minute (no leak; the highest sample is printed too); wrk
# reports no socket error and no non-2xx answer; the processes are still
# alive at the end. Prints the samples and a summary
# line per run; exits 1 if a run fails its verdict. Run by hand, NOT in CI
# (it takes 2 x MINUTES). Installs wrk with apt-get when it is missing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MPL="$ROOT/target/release/mpl"
MINUTES="${1:-10}"
SECONDS_TOTAL=$((MINUTES * 60))
WORK="$(mktemp -d /tmp/mpl-soak.XXXXXX)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! command -v wrk >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk
fi
(cd "$ROOT" && cargo build --release -q)

rss_kb() { ps -o rss= -p "$1" 2>/dev/null | tr -d ' ' || true; }

# sample NAME PID: RSS every 10 s for SECONDS_TOTAL into $WORK/NAME.rss
sample() {
  local name="$1" pid="$2" t=0
  : > "$WORK/$name.rss"
  while [ "$t" -le "$SECONDS_TOTAL" ]; do
    echo "$t $(rss_kb "$pid")" >> "$WORK/$name.rss"
    sleep 10
    t=$((t + 10))
  done
}

# verdict NAME PID: prints the samples and the summary; 1 on a failure
verdict() {
  local name="$1" pid="$2"
  echo "-- $name: seconds, resident KiB"
  column -t < "$WORK/$name.rss" | paste - - - - - -
  local alive=yes
  kill -0 "$pid" 2>/dev/null || alive=no
  awk -v name="$name" -v alive="$alive" '
    function median(a, n,    i, j, t) {
      for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    $2 == "" { next }
    { t[++n] = $1; r[n] = $2 }
    $1 >= 60 && $2 > max { max = $2 }
    END {
      # The minute after the first, and the last minute: medians, so one
      # sample taken during a burst of buffers does not decide.
      for (i = 1; i <= n; i++) {
        if (t[i] >= 60 && t[i] < 120) early[++ne] = r[i]
        if (t[i] > t[n] - 60) late[++nl] = r[i]
      }
      base = ne ? median(early, ne) : 0
      end_ = nl ? median(late, nl) : 0
      growth = (base > 0) ? (end_ - base) * 100 / base : -1
      ok = (base > 0 && growth <= 10 && alive == "yes")
      printf "%s: RSS median %d KiB in the second minute, %d KiB in the last (%+.1f %%), highest after 1 min %d KiB, alive: %s: %s\n",
        name, base, end_, growth, max, alive, ok ? "PASS" : "FAIL"
      exit ok ? 0 : 1
    }' "$WORK/$name.rss"
}

wait_port() {
  local i
  for i in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "server on port $1 did not start" >&2; return 1
}

status=0
want() { [ -z "${ONLY:-}" ] || [ "$ONLY" = "$1" ]; }

if want pluto; then
echo "== Pluto under wrk for $MINUTES min"
mkdir -p "$WORK/www"
python3 -c "import sys; sys.stdout.write('0123456789abcdef' * 64)" > "$WORK/www/file.html"
(cd "$WORK" && exec "$MPL" run --allow-read="$WORK" "$ROOT/examples/pluto.mpl" 18091 www > /dev/null 2>&1) &
pluto=$!; PIDS+=("$pluto")
wait_port 18091
sample pluto "$pluto" &
sampler=$!
headers=()
[ -n "${CLOSE:-}" ] && headers=(-H "Connection: close")
wrk -t2 -c50 -d"${SECONDS_TOTAL}s" --timeout 5s "${headers[@]}" http://127.0.0.1:18091/file.html > "$WORK/wrk.txt"
wait "$sampler" || true
cat "$WORK/wrk.txt"
verdict pluto "$pluto" || status=1
if grep -qE "Socket errors|Non-2xx" "$WORK/wrk.txt"; then
  echo "pluto: wrk saw errors: FAIL"; status=1
fi
kill "$pluto" 2>/dev/null || true; wait "$pluto" 2>/dev/null || true
fi

if want chain; then
echo "== 10,000 processes passing messages for $MINUTES min"
"$MPL" run "$ROOT/bench/workloads/chain.mpl" 10000 1000000000 > /dev/null 2>&1 &
chain=$!; PIDS+=("$chain")
sample chain "$chain"
verdict chain "$chain" || status=1
kill "$chain" 2>/dev/null || true; wait "$chain" 2>/dev/null || true
fi

exit "$status"
