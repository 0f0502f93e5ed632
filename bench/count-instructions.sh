#!/bin/sh
# Instructions per call of the hot table operations (callgrind, 1000-row
# public set, 100 000 calls each, the caller's loop included). Repeatable,
# unlike timings on a shared machine: use it to see what a change to the hot
# path costs, and bench/run-vs-ets.sh for what it buys.
#   usage: bench/count-instructions.sh [build-dir]   (a build with -DIMMORTAL_BUILD_BENCH=ON)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-"$here/../build"}
ops="$build/bench/table_ops"
if [ ! -x "$ops" ]; then
    echo "no $ops: configure with -DIMMORTAL_BUILD_BENCH=ON and build table_ops" >&2
    exit 1
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
valgrind --tool=callgrind --callgrind-out-file="$out" "$ops" >/dev/null 2>&1
callgrind_annotate --inclusive=yes "$out" 2>/dev/null | awk '
    # Lines "<count> (<pct>) <file>:<function> ...", largest first: the first
    # one of each function is its inclusive total (the file is where its first
    # instruction came from, often an inlined header). Callee lines have "=>".
    /^ *[0-9,]+ .*:\(anonymous namespace\)::ops[A-Za-z]+\(/ && !/=>/ {
        gsub(/,/, "", $1)
        name = $0; sub(/.*::ops/, "", name); sub(/\(.*/, "", name)
        if (!(name in count)) count[name] = $1
    }
    END {
        split("Insert InsertTuple LookupInto Lookup Member", order, " ")
        for (i = 1; i <= 5; i++)
            if (order[i] in count)
                printf "%-12s %6.1f instructions per call\n", order[i], count[order[i]] / 100000
    }'
