#!/bin/sh
# Runs the same table workload in Immortal (bench_table) and in real OTP
# (ets_bench.escript) and prints throughput ratios: ETS ns / Immortal ns,
# above 1 means Immortal is faster.
#
# The machines are shared, and their memory latency flips between a fast and
# a slow phase (2-4x apart at 100k rows) within a minute. So the two run in
# short alternating rounds (a few seconds each, 15 by default): each round
# yields one ratio per operation, measured in the same phase, and the report
# gives the median ratio across rounds with its quartiles.
# Two more peers come from the same bench_table run: the naive Qt table, and
# the floor (a bare boost::unordered_flat_map, no lock and no checks), whose ratio
# to ETS bounds what any table on a hash map can reach at that moment.
# Needs erlang-base and a build made with -DIMMORTAL_BUILD_BENCH=ON.
#   usage: bench/run-vs-ets.sh [build-dir] [rounds] [rows]   (default: build 15 100000)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-"$here/../build"}
rounds=${2:-15}
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
    printf 'round %s/%s, load %s\r' "$i" "$rounds" "$(cut -d' ' -f1 /proc/loadavg)" >&2
    # One short run of each, in ns per operation.
    "$bench" --benchmark_filter="BM_(Table|Naive|Floor)(Insert|InsertTuple|Lookup|LookupInto|Member)/$rows\$" \
        --benchmark_min_time=0.2 --benchmark_format=csv 2>/dev/null | awk -F, -v r="$i" '/^"BM_/ {
            name = $1; gsub(/"/, "", name); sub(/\/[0-9]+$/, "", name)
            print r, name, $3 }' >>"$all"
    escript "$here/ets_bench.escript" 1 "$rows" | awk -v r="$i" '{ print r, $1, $2 }' >>"$all"
    i=$((i + 1))
done
echo >&2

echo "$rows rows, $rounds rounds; ratio = ETS ns / ours ns, above 1 is faster than ETS"
awk '
    function sort(a, n,    i, j, t) {
        for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
            t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
    }
    # The q-quantile of a sorted array, interpolated.
    function quantile(a, n, q,    p, lo) {
        p = 1 + (n - 1) * q; lo = int(p)
        return lo >= n ? a[n] : a[lo] + (p - lo) * (a[lo + 1] - a[lo])
    }
    { ns[$1, $2] = $3; if ($1 > last) last = $1 }
    END {
        split("BM_TableInsert:ets_insert BM_TableInsertTuple:ets_insert BM_NaiveInsert:ets_insert " \
              "BM_FloorInsert:ets_insert BM_TableLookup:ets_lookup BM_TableLookupInto:ets_lookup " \
              "BM_NaiveLookup:ets_lookup BM_FloorLookup:ets_lookup BM_TableMember:ets_member", pairs, " ")
        printf "%-20s %-11s %-13s %-16s %-14s %s\n", "ours", "ETS", "median ratio", "quartiles", "ours ns", "ETS ns (medians)"
        for (p = 1; p <= length(pairs); p++) {
            split(pairs[p], nm, ":")
            n = 0; delete ratio; delete ours; delete ets
            for (r = 1; r <= last; r++) {
                if (!((r, nm[1]) in ns) || !((r, nm[2]) in ns)) continue
                n++
                ratio[n] = ns[r, nm[2]] / ns[r, nm[1]]; ours[n] = ns[r, nm[1]]; ets[n] = ns[r, nm[2]]
            }
            if (n == 0) continue
            sort(ratio, n); sort(ours, n); sort(ets, n)
            printf "%-20s %-11s %-13s %-16s %-14s %s\n", nm[1], nm[2],
                sprintf("%.2fx", quantile(ratio, n, 0.5)),
                sprintf("%.2f-%.2f", quantile(ratio, n, 0.25), quantile(ratio, n, 0.75)),
                sprintf("%.1f", quantile(ours, n, 0.5)), sprintf("%.1f", quantile(ets, n, 0.5))
        }
    }' "$all"
