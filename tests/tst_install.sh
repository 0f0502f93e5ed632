#!/usr/bin/env bash
# Installs the build into a temporary prefix, then builds every example and
# the README's quick start out of tree against it, as a library user would,
# and runs them: each must exit 0.
#
#   tst_install.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
SRC="$1"
BUILD="$2"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
PREFIX="$WORK/prefix"
export QT_QPA_PLATFORM=offscreen

step() { echo "== $*"; }

step "install into $PREFIX"
cmake --install "$BUILD" --prefix "$PREFIX" >/dev/null
for f in include/immortal/immortal.h include/immortal/version.h lib/cmake/Immortal/ImmortalConfig.cmake \
         bin/immortal-studio share/applications/immortal-studio.desktop \
         share/icons/hicolor/scalable/apps/immortal-studio.svg; do
    [ -e "$PREFIX/$f" ] || { echo "not installed: $f" >&2; exit 1; }
done
if [ -n "$(ls "$PREFIX/include/immortal" | grep -E '^(tabledata|tablestore|biasedlock|readerlock)\.h$' || true)" ]; then
    echo "private headers were installed as public API" >&2
    exit 1
fi

# configure_and_build NAME SOURCE: a project of its own, found through the
# prefix only. No build type: what is checked is that it finds, compiles and
# links against the package, which takes half the time unoptimised.
configure_and_build() {
    cmake -S "$2" -B "$WORK/build-$1" -G Ninja \
          -DCMAKE_PREFIX_PATH="$PREFIX" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF >"$WORK/$1.log" 2>&1 \
        || { cat "$WORK/$1.log"; return 1; }
    cmake --build "$WORK/build-$1" -j 1 >>"$WORK/$1.log" 2>&1 || { cat "$WORK/$1.log"; return 1; }
}

# Each example is a project of a file or two, so they build side by side.
step "build the examples: consumer ownershipgraph workerthread walkthrough"
pids=()
for example in consumer ownershipgraph workerthread walkthrough; do
    configure_and_build "$example" "$SRC/examples/$example" &
    pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
step "run consumer";        "$WORK/build-consumer/consumer"
step "run ownershipgraph";  "$WORK/build-ownershipgraph/ownershipgraph" --crash-and-quit
step "run workerthread";    "$WORK/build-workerthread/workerthread"
step "run walkthrough";     "$WORK/build-walkthrough/walkthrough"

# The README's quick start: every block after a "<!-- quickstart: FILE -->"
# line is written to FILE, then built and run as it stands.
step "README quick start"
mkdir -p "$WORK/quickstart"
awk -v dir="$WORK/quickstart" '
    /<!-- quickstart: / { file = dir "/" $3; next }
    file != "" && /^```/ { if (inside) { inside = 0; file = "" } else inside = 1; next }
    inside { print > file }
' "$SRC/README.md"
[ -f "$WORK/quickstart/CMakeLists.txt" ] && [ -f "$WORK/quickstart/main.cpp" ] \
    || { echo "README.md has no quick start blocks" >&2; exit 1; }
configure_and_build quickstart "$WORK/quickstart"
"$WORK/build-quickstart/quickstart"

# Version checks: 0.2 is accepted, a later minor or major is not.
step "version check"
mkdir -p "$WORK/version"
cat >"$WORK/version/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.25)
project(VersionCheck LANGUAGES CXX)
find_package(Immortal ${WANT} CONFIG REQUIRED)
CMAKE
for want in 0.2 0.3 1.0; do
    if cmake -S "$WORK/version" -B "$WORK/build-version-$want" -DWANT="$want" \
             -DCMAKE_PREFIX_PATH="$PREFIX" >/dev/null 2>&1; then
        got=accepted
    else
        got=refused
    fi
    expected=$([ "$want" = 0.2 ] && echo accepted || echo refused)
    [ "$got" = "$expected" ] || { echo "find_package(Immortal $want): $got, expected $expected" >&2; exit 1; }
done
echo "install, examples, quick start and version checks passed"
