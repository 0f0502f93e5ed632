#!/bin/sh
# Runs the same table workload in Immortal (bench_table) and in real OTP
# (ets_bench.escript) and prints the throughput ratios (ETS ns / Immortal ns;
# above 1 means Immortal is faster), with the naive Qt peer from the same
# bench_table run and the machine's load, since a loaded machine moves
# every figure. Needs erlang-base and a build made with -DIMMORTAL_BUILD_BENCH=ON.
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

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
# Median of 7 repetitions, real time in ns, for the 100k-row benchmarks.
ours=$("$bench" --benchmark_filter='BM_(Table|Naive)(Insert|Lookup/100000|Lookup)$' \
    --benchmark_repetitions=7 --benchmark_report_aggregates_only=true \
    --benchmark_format=csv 2>/dev/null | awk -F, '/_median"/ {
        name = $1; gsub(/"/, "", name); sub(/_median/, "", name); print name, $3 }')
ets=$(escript "$here/ets_bench.escript")
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "$ours"
echo "$ets"
printf '%s\n%s\n' "$ours" "$ets" | awk '
    /^BM_TableInsert/ { ci = $2 } /^BM_TableLookup/ { cl = $2 }
    /^BM_NaiveInsert/ { ni = $2 } /^BM_NaiveLookup/ { nl = $2 }
    /^ets_insert/ { ei = $2 } /^ets_lookup/ { el = $2 }
    END {
        printf "insert: ETS %.1f ns, Immortal %.1f ns (%.2fx ETS), naive %.1f ns (%.2fx ETS)\n",
            ei, ci, ei / ci, ni, ei / ni
        printf "lookup: ETS %.1f ns, Immortal %.1f ns (%.2fx ETS), naive %.1f ns (%.2fx ETS)\n",
            el, cl, el / cl, nl, el / nl
    }'
