#!/usr/bin/env bash
# Fuzzes front-matter splitting, company and trend parsing and validation,
# diagnostic rendering and Markdown rendering with cargo-fuzz (libFuzzer).
#
#   scripts/fuzz.sh [SECONDS]       total fuzzing time, shared by the targets (default 60)
#
# Environment:
#   FUZZ_TARGETS="company trend"    run only these targets
#   FUZZ_SANITIZER=address          build with a sanitizer (default: none; the
#                                   code under test is safe Rust, and without one
#                                   the build is faster and runs more inputs)
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and a nightly toolchain; with
# only a stable one, RUSTC_BOOTSTRAP=1 is tried instead.
#
# The corpus grows in fuzz/corpus/<target>/ (git-ignored), seeded on every run
# with the repository's content files and fuzz/seeds/. Exits 1 when any target
# finds a panic, crash or timeout; the input that caused it is saved in
# fuzz/artifacts/<target>/ and can be replayed with
#   cargo +nightly fuzz run -s none <target> fuzz/artifacts/<target>/<file>
set -euo pipefail

total="${1:-60}"
if ! [[ "$total" =~ ^[0-9]+$ ]] || [ "$total" -lt 1 ]; then
    echo "usage: scripts/fuzz.sh [SECONDS]" >&2
    exit 2
fi

root="$(cd "$(dirname "$0")/.." && pwd)"
fuzz="$root/fuzz"
read -r -a targets <<<"${FUZZ_TARGETS:-frontmatter_split company trend markdown}"
sanitizer="${FUZZ_SANITIZER:-none}"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "error: cargo-fuzz is not installed; run: cargo install cargo-fuzz" >&2
    exit 2
fi
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    cargo=(cargo +nightly)
else
    echo "note: no nightly toolchain; building with RUSTC_BOOTSTRAP=1" >&2
    export RUSTC_BOOTSTRAP=1
    cargo=(cargo)
fi

cd "$fuzz"
echo "==> building fuzz targets (sanitizer: $sanitizer)"
"${cargo[@]}" fuzz build -s "$sanitizer"

seed() {
    local dir="$fuzz/corpus/$1"
    mkdir -p "$dir"
    case "$1" in
    company) find "$root/content/companies" "$root/tests/fixtures/minimal/content/companies" \
        "$fuzz/seeds/content" -type f -name '*.md' ;;
    trend) find "$root/content/trends" "$root/tests/fixtures/minimal/content/trends" \
        "$fuzz/seeds/content" -type f -name '*.md' ;;
    frontmatter_split) find "$root/content" "$root/tests/fixtures/minimal/content" \
        "$fuzz/seeds/content" -type f -name '*.md' ;;
    markdown) find "$root/content" "$fuzz/seeds/markdown" -type f -name '*.md' ;;
    esac | while read -r f; do
        # Named by source so reruns refresh rather than duplicate the seeds.
        local name
        name="seed-$(echo "${f#"$root"/}" | tr '/' '_')"
        if [ "$1" = markdown ] && [[ "$f" != "$fuzz"/seeds/* ]]; then
            # The target reads the first byte as the body's line number.
            { printf '\001'; cat "$f"; } >"$dir/$name"
        else
            cp "$f" "$dir/$name"
        fi
    done
}

per=$((total / ${#targets[@]}))
[ "$per" -ge 1 ] || per=1
logs="$fuzz/target/fuzz-logs"
mkdir -p "$logs" "$fuzz/artifacts"
failed=()
summary=()
for t in "${targets[@]}"; do
    seed "$t"
    mkdir -p "$fuzz/artifacts/$t"
    log="$logs/$t.log"
    echo "==> fuzzing $t for ${per}s"
    status=0
    "${cargo[@]}" fuzz run -s "$sanitizer" "$t" "$fuzz/corpus/$t" -- \
        -max_total_time="$per" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
        -dict="$fuzz/dicts/content.dict" -print_final_stats=1 \
        -artifact_prefix="$fuzz/artifacts/$t/" >"$log" 2>&1 || status=$?
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
    rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
    if [ -z "$runs" ]; then
        # The final `#N DONE ... exec/s: X` line, or the last status line.
        last="$(grep -E '^#[0-9]+' "$log" | tail -1 || true)"
        runs="$(sed -E 's/^#([0-9]+).*/\1/' <<<"$last")"
        rate="$(sed -nE 's/.*exec\/s: ([0-9]+).*/\1/p' <<<"$last")"
    fi
    corpus="$(find "$fuzz/corpus/$t" -type f | wc -l)"
    line="$(printf '%-18s %10s execs/s %12s executions %7s corpus files' \
        "$t" "${rate:-?}" "${runs:-?}" "$corpus")"
    if [ "$status" -ne 0 ]; then
        line="$line   FAILED (exit $status)"
        failed+=("$t")
        echo "---- $t failed; the end of $log:" >&2
        tail -n 40 "$log" >&2
    fi
    echo "$line"
    summary+=("$line")
done

echo
echo "==> fuzz summary (${total}s in total, ${per}s per target)"
printf '%s\n' "${summary[@]}"
if [ "${#failed[@]}" -gt 0 ]; then
    echo "FAILED: ${failed[*]}; crashing inputs are in fuzz/artifacts/<target>/" >&2
    exit 1
fi
