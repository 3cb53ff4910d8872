#!/usr/bin/env bash
# Measures the wall time of the whole case library against the bundled server, after the build:
# the release binary runs RUNS times (default 5) and the median and the extremes are printed.
# Usage: scripts/bench-library.sh [RUNS] [-- extra oauth-conformance arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${1:-5}
shift || true
[ "${1:-}" = "--" ] && shift

cargo build --release -q -p oauth-conformance
binary=target/release/oauth-conformance

times=()
for _ in $(seq "$runs"); do
  start=$(date +%s%N)
  "$binary" "$@" >/dev/null 2>&1 || { echo "the library did not pass; run $binary to see why" >&2; exit 1; }
  end=$(date +%s%N)
  times+=("$(( (end - start) / 1000000 ))")
done

printf '%s\n' "${times[@]}" | sort -n | awk -v runs="$runs" '
  { t[NR] = $1 / 1000 }
  END {
    median = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
    printf "whole library, %d runs on %d cores: median %.2fs (min %.2fs, max %.2fs)\n",
      runs, "'"$(nproc)"'", median, t[1], t[NR]
  }'
