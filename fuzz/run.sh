#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60) on the committed
# corpus, as CI does. New inputs the fuzzer finds go to a scratch folder,
# not into fuzz/corpus; a crash, panic or hang fails the script and leaves
# the input in fuzz/artifacts/TARGET/.
#
# cargo-fuzz is installed when missing. libFuzzer's instrumentation needs
# unstable compiler flags: a nightly toolchain has them; on stable,
# RUSTC_BOOTSTRAP=1 unlocks them (set here). `-s none` builds without a
# sanitizer: the interpreter has no unsafe code of its own to check, and
# the runs are several times faster (pass SANITIZER=address for ASan).
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
sanitizer="${SANITIZER:-none}"
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi

cargo fuzz build -s "$sanitizer"
for target in $(cargo fuzz list); do
  scratch="$(mktemp -d)"
  echo "fuzzing $target for ${seconds}s on fuzz/corpus/$target"
  log="$scratch.log"
  status=0
  cargo fuzz run -s "$sanitizer" "$target" "$scratch" "corpus/$target" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len=65536 \
    -print_final_stats=1 >"$log" 2>&1 || status=$?
  grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|SUMMARY)|Failing input|panicked" "$log" || true
  if [ "$status" -ne 0 ]; then tail -n 60 "$log" >&2; fi
  rm -f "$log"
  rm -rf "$scratch"
  if [ "$status" -ne 0 ]; then
    echo "fuzz target $target failed (exit $status); see fuzz/artifacts/$target/" >&2
    exit 1
  fi
done
