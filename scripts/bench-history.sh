#!/usr/bin/env bash
# What dated history costs a build: the same synthetic companies without
# changes and with CHANGES per company (default 3), built alternately.
#
#   scripts/bench-history.sh [N ...]          (default: 10000)
#   RUNS=3 CHANGES=3 BENCH_DIR=/dev/shm/tb scripts/bench-history.sh 50000
#
# Generates both sites with examples/gen_site under $BENCH_DIR, then runs
# `trendsite build` on each alternately RUNS times (default 7), each into an
# emptied folder after an untimed `sync`. Prints the median wall time, CPU
# time and peak memory of each, and the ratio with history to without.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(10000)
runs=${RUNS:-7}
changes=${CHANGES:-3}
bench_dir=${BENCH_DIR:-/tmp/trendsite-bench}
mkdir -p "$bench_dir"
cargo build --release --quiet --bin trendsite --example gen_site
target=${CARGO_TARGET_DIR:-target}
bin=$target/release/trendsite
gen=$target/release/examples/gen_site

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

for n in "${sizes[@]}"; do
  plain=$bench_dir/history-$n-0
  dated=$bench_dir/history-$n-$changes
  "$gen" --companies "$n" --out "$plain" >/dev/null
  "$gen" --companies "$n" --changes "$changes" --out "$dated" >/dev/null
  out=$bench_dir/history-out
  declare -A wall=() cpu=() peak=()
  for _ in $(seq 1 "$runs"); do
    for site in "$plain" "$dated"; do
      rm -rf "$out"
      sync
      start=$(date +%s%N)
      /usr/bin/time -f "%U %S %M" -o "$bench_dir/history-time" \
        "$bin" build --root "$site" --out "$out" --base-url https://example.org/ -q >/dev/null 2>&1
      end=$(date +%s%N)
      read -r user sys kib < "$bench_dir/history-time"
      wall[$site]+="$(( (end - start) / 1000000 ))"$'\n'
      cpu[$site]+="$(echo "$user + $sys" | bc)"$'\n'
      peak[$site]+="$kib"$'\n'
    done
  done
  rm -rf "$out"
  for site in "$plain" "$dated"; do
    w=$(printf '%s' "${wall[$site]}" | median)
    c=$(printf '%s' "${cpu[$site]}" | median)
    m=$(printf '%s' "${peak[$site]}" | median)
    printf '%s: wall %s ms, CPU %s s, peak %s MiB\n' "$(basename "$site")" "$w" "$c" "$(( ${m%.*} / 1024 ))"
  done
  printf '%s companies: with %s changes each, %s of the wall time without\n' "$n" "$changes" \
    "$(echo "scale=2; $(printf '%s' "${wall[$dated]}" | median) / $(printf '%s' "${wall[$plain]}" | median)" | bc)x"
done
