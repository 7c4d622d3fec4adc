#!/usr/bin/env bash
# Median wall time and peak memory of `trendsite build` on synthetic sites.
#
#   scripts/bench-build.sh [N ...]     (default: 1000 10000)
#
# Generates each site with ../shared/bench/gen_dataset.py (once, cached under
# $BENCH_DIR), builds the release binary, then builds each site RUNS times
# (default 5) into a fresh output folder, running `sync` untimed before each
# run because this disk's writeback noise otherwise leaks into the next run.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-1000}")
[ $# -eq 0 ] && sizes=(1000 10000)
runs=${RUNS:-5}
bench_dir=${BENCH_DIR:-/tmp/trendsite-bench}
gen=${GEN_DATASET:-../shared/bench/gen_dataset.py}
mkdir -p "$bench_dir"
cargo build --release --quiet
bin=$PWD/target/release/trendsite

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

printf '%-10s %12s %14s\n' companies "wall (s)" "peak (MiB)"
for n in "${sizes[@]}"; do
  site=$bench_dir/site-$n
  [ -d "$site" ] || python3 "$gen" --companies "$n" --out "$site" >/dev/null
  walls=(); mems=()
  for i in $(seq "$runs"); do
    out=$bench_dir/out-$n-$i
    rm -rf "$out"
    sync
    /usr/bin/time -o "$bench_dir/time" -f '%e %M' "$bin" build --root "$site" --out "$out" >/dev/null 2>&1
    read -r wall kb <"$bench_dir/time"
    walls+=("$wall"); mems+=("$kb")
  done
  w=$(printf '%s\n' "${walls[@]}" | median)
  m=$(printf '%s\n' "${mems[@]}" | median)
  printf '%-10s %12s %14.1f\n' "$n" "$w" "$(echo "$m / 1024" | bc -l)"
  rm -rf "$bench_dir"/out-"$n"-*
done
