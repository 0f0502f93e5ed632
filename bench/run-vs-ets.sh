#!/bin/sh
# Runs the same table workload in Immortal (bench_table) and in real OTP
# (ets_bench.escript) and prints the throughput ratio (ETS ns / Immortal ns;
# above 1 means Immortal is faster). Needs erlang-base and a build made with
# -DIMMORTAL_BUILD_BENCH=ON.
#   usage: bench/run-vs-ets.sh [build-dir]   (default: build)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-"$here/../build"}
bench="$build/bench/bench_table"
if [ ! -x "$bench" ]; then
    echo "no $bench: configure with -DIMMORTAL_BUILD_BENCH=ON and build bench_table" >&2
    exit 1
fi
if ! command -v escript >/dev/null 2>&1; then
    echo "no escript: apt-get install -y erlang-base" >&2
    exit 1
fi

# Median of 7 repetitions, real time in ns, for the 100k-row benchmarks.
ours=$("$bench" --benchmark_filter='BM_Table(Insert|Lookup/100000)$' \
    --benchmark_repetitions=7 --benchmark_report_aggregates_only=true \
    --benchmark_format=csv 2>/dev/null | awk -F, '/_median"/ {
        name = $1; gsub(/"/, "", name); sub(/_median/, "", name); print name, $3 }')
ets=$(escript "$here/ets_bench.escript")

echo "$ours"
echo "$ets"
printf '%s\n%s\n' "$ours" "$ets" | awk '
    /^BM_TableInsert/ { ci = $2 } /^BM_TableLookup/ { cl = $2 }
    /^ets_insert/ { ei = $2 } /^ets_lookup/ { el = $2 }
    END {
        printf "insert: ETS %.1f ns, Immortal %.1f ns, ratio %.2fx\n", ei, ci, ei / ci
        printf "lookup: ETS %.1f ns, Immortal %.1f ns, ratio %.2fx\n", el, cl, el / cl
    }'
