#!/bin/sh
# Runs the same table workload in Immortal (bench_table) and in real OTP
# (ets_bench.escript) and prints throughput ratios: ETS ns / Immortal ns,
# above 1 means Immortal is faster. The machines are shared and their memory
# latency drifts by 2x within minutes, so the two run in alternation, ROUNDS
# times (5 by default), each round yields one ratio per operation, and the
# median ratio is what is reported, with every round's figures and the load.
# Two more peers come from the same bench_table run: the naive Qt table, and
# the floor (a bare absl::flat_hash_map, no lock and no checks), whose ratio
# to ETS bounds what any table on a hash map can reach at that moment.
# Needs erlang-base and a build made with -DIMMORTAL_BUILD_BENCH=ON.
#   usage: bench/run-vs-ets.sh [build-dir] [rounds] [rows]   (default: build 5 100000)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-"$here/../build"}
rounds=${2:-5}
rows=${3:-100000}
bench="$build/bench/bench_table"
if [ ! -x "$bench" ]; then
    echo "no $bench: configure with -DIMMORTAL_BUILD_BENCH=ON and build bench_table" >&2
    exit 1
fi
if ! command -v escript >/dev/null 2>&1; then
    echo "no escript: apt-get install -y erlang-base" >&2
    exit 1
fi

all=$(mktemp)
trap 'rm -f "$all"' EXIT
i=1
while [ "$i" -le "$rounds" ]; do
    echo "round $i, load $(cut -d' ' -f1-3 /proc/loadavg)"
    # Median of 3 repetitions of each, in ns per operation.
    "$bench" --benchmark_filter="BM_(Table|Naive|Floor)(Insert|InsertTuple|Lookup|LookupInto|Member)/$rows\$" \
        --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
        --benchmark_format=csv 2>/dev/null | awk -F, -v r="$i" '/_median"/ {
            name = $1; gsub(/"/, "", name); sub(/_median/, "", name); sub(/\/[0-9]+$/, "", name)
            print r, name, $3 }' >>"$all"
    escript "$here/ets_bench.escript" 3 "$rows" | awk -v r="$i" '{ print r, $1, $2 }' >>"$all"
    i=$((i + 1))
done

echo "$rows rows; ratio = ETS ns / ours ns, above 1 is faster than ETS"
awk '
    function median(list,    n, a, i, j, t) {
        n = split(list, a, " ")
        for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
            t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    { ns[$1, $2] = $3; if ($1 > last) last = $1 }
    END {
        split("BM_TableInsert:ets_insert BM_TableInsertTuple:ets_insert BM_NaiveInsert:ets_insert " \
              "BM_FloorInsert:ets_insert BM_TableLookup:ets_lookup BM_TableLookupInto:ets_lookup " \
              "BM_NaiveLookup:ets_lookup BM_FloorLookup:ets_lookup BM_TableMember:ets_member", pairs, " ")
        printf "%-20s %-11s %-12s %-28s %s\n", "ours", "ETS", "median ratio", "ratios by round", "ns by round (ours/ETS)"
        for (p = 1; p <= length(pairs); p++) {
            split(pairs[p], nm, ":")
            list = ""; detail = ""; figures = ""
            for (r = 1; r <= last; r++) {
                if (!((r, nm[1]) in ns) || !((r, nm[2]) in ns)) continue
                ratio = ns[r, nm[2]] / ns[r, nm[1]]
                list = list " " ratio
                detail = detail sprintf(" %.2f", ratio)
                figures = figures sprintf(" %.0f/%.0f", ns[r, nm[1]], ns[r, nm[2]])
            }
            printf "%-20s %-11s %-12s %-28s %s\n", nm[1], nm[2], sprintf("%.2fx", median(list)), detail, figures
        }
    }' "$all"
