#!/usr/bin/env bash
# Load on `trendsite serve` while it rebuilds: wrk sends requests over 64
# connections for DURATION seconds to a company page of the synthetic site
# (examples/gen_site, N companies, default 10000) while this script edits
# that company's note every 200 ms. Prints wrk's requests/s, latency
# percentiles and errors.
#
#   scripts/load.sh [N] [DURATION]        (apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
duration=${2:-10}
bench_dir=${BENCH_DIR:-/tmp/trendsite-bench}
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }
cargo build --release --quiet --bins --example gen_site
target=$(realpath "${CARGO_TARGET_DIR:-target}")
site=$bench_dir/synthetic-$n
mkdir -p "$bench_dir"
"$target/release/examples/gen_site" --companies "$n" --out "$site" 2>/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# The first company with a note, which the edits change.
read -r file < <(grep -rl '^note = "' "$site/content/companies")
slug=$(basename "$file" .md)
cp "$file" "$bench_dir/load-original.md"
"$target/release/trendsite" serve --root "$site" --port "$port" >/dev/null 2>"$bench_dir/load-serve.log" &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  cp "$bench_dir/load-original.md" "$file" || true
}
trap cleanup EXIT
until curl -s -o /dev/null "http://127.0.0.1:$port/"; do sleep 0.1; done
(
  i=0
  end=$((SECONDS + duration))
  while [ $SECONDS -lt "$end" ]; do
    i=$((i + 1))
    sed "s/^note = \"/note = \"Load edit $i. /" "$bench_dir/load-original.md" >"$file"
    sleep 0.2
  done
) &
editor=$!
wrk -t2 -c64 -d"${duration}s" --latency "http://127.0.0.1:$port/companies/$slug/"
wait "$editor"
echo "rebuilds during the run: $(grep -c 're-rendered' "$bench_dir/load-serve.log")"
