#!/usr/bin/env bash
# trendsite against Hugo and against the I/O floor, on synthetic sites.
#
#   scripts/bench.sh [N ...]            (default: 1000 10000)
#   RUNS=5 PREVIEW=1 scripts/bench.sh 10000
#
# For each N: generates the site in trendsite's format and as a Hugo site
# with ../shared/bench/gen_dataset.py (cached under $BENCH_DIR), then runs
# `trendsite build` and `hugo` alternately RUNS times (default 5), each into
# a new folder, with an untimed `sync` before every run (this disk's
# writeback otherwise leaks into the next run). Prints median wall time, CPU
# time and peak memory per tool, the ratios, and trendsite against the floor
# (read every input file, write the same output bytes: benches/floor.rs).
# PREVIEW=1 also measures serve's edit-to-reload time (benches/preview.rs).
# DELETE_EACH=1 deletes each run's output right after it: for a tmpfs
# $BENCH_DIR, where outputs kept in memory slow the later runs down.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(1000 10000)
runs=${RUNS:-5}
bench_dir=${BENCH_DIR:-/tmp/trendsite-bench}
gen=${GEN_DATASET:-../shared/bench/gen_dataset.py}
mkdir -p "$bench_dir"
command -v hugo >/dev/null || { echo "hugo is not installed: apt-get install hugo" >&2; exit 1; }
cargo build --release --quiet
cargo bench --bench floor --no-run --quiet 2>/dev/null
floor_bin=$(ls -t target/release/deps/floor-* | grep -v '\.d$' | head -1)
bin=$PWD/target/release/trendsite

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# timed LABEL CMD...: runs CMD under /usr/bin/time, appends "wall cpu kb".
# The wall time is taken with nanosecond clocks around it: time's own %e
# has 10 ms steps, a third of a 1,000-company build.
timed() {
  local label=$1; shift
  sync
  local start end
  start=$(date +%s%N)
  /usr/bin/time -o "$bench_dir/time" -f '%e %U %S %M' "$@" >/dev/null 2>&1
  end=$(date +%s%N)
  read -r _ user sys kb <"$bench_dir/time"
  echo "$(echo "($end - $start) / 1000000000" | bc -l) $(echo "$user + $sys" | bc -l) $kb" >>"$bench_dir/$label"
}

col() { awk -v c="$1" '{print $c}' "$2" | median; }

printf '%-8s %-10s %9s %9s %11s\n' N tool "wall s" "CPU s" "peak MiB"
for n in "${sizes[@]}"; do
  site=$bench_dir/site-$n
  hsite=$bench_dir/hugo-$n
  [ -d "$site" ] || python3 "$gen" --companies "$n" --out "$site" >/dev/null
  [ -d "$hsite" ] || python3 "$gen" --companies "$n" --out "$hsite" --flavor hugo >/dev/null
  rm -f "$bench_dir"/ts-"$n" "$bench_dir"/hugo-"$n".t "$bench_dir"/floor-"$n"
  for i in $(seq "$runs"); do
    timed "ts-$n" "$bin" build --root "$site" --out "$bench_dir/out-ts-$n-$i"
    timed "hugo-$n.t" hugo --source "$hsite" --destination "$bench_dir/out-hugo-$n-$i" --quiet
    sync
    "$floor_bin" "$site" "$bench_dir/out-ts-$n-1" "$bench_dir/out-floor-$n-$i" 2>/dev/null >>"$bench_dir/floor-$n"
    if [ "${DELETE_EACH:-0}" = 1 ]; then
      rm -rf "$bench_dir/out-hugo-$n-$i" "$bench_dir/out-floor-$n-$i"
      [ "$i" = 1 ] || rm -rf "$bench_dir/out-ts-$n-$i"
    fi
  done
  tw=$(col 1 "$bench_dir/ts-$n"); tc=$(col 2 "$bench_dir/ts-$n"); tm=$(col 3 "$bench_dir/ts-$n")
  hw=$(col 1 "$bench_dir/hugo-$n.t"); hc=$(col 2 "$bench_dir/hugo-$n.t"); hm=$(col 3 "$bench_dir/hugo-$n.t")
  fw=$(median <"$bench_dir/floor-$n")
  printf '%-8s %-10s %9.3f %9.2f %11.1f\n' "$n" trendsite "$tw" "$tc" "$(echo "$tm/1024" | bc -l)"
  printf '%-8s %-10s %9.3f %9.2f %11.1f\n' "$n" hugo "$hw" "$hc" "$(echo "$hm/1024" | bc -l)"
  printf '%-8s %-10s %9.3f\n' "$n" floor "$fw"
  printf '%-8s Hugo/trendsite: wall %.1fx, memory %.1fx; trendsite/floor: %.2fx; per company: %.1f us\n' \
    "$n" "$(echo "$hw/$tw" | bc -l)" "$(echo "$hm/$tm" | bc -l)" "$(echo "$tw/$fw" | bc -l)" \
    "$(echo "$tw*1000000/$n" | bc -l)"
  rm -rf "$bench_dir"/out-*-"$n"-*
done

if [ "${PREVIEW:-0}" = 1 ]; then
  cargo bench --bench preview --quiet -- --companies "${sizes[-1]}" --edits "${EDITS:-30}"
fi
