# Shared by run-studio and run-tests: install what is missing, then build.
# Idempotent: a second run installs nothing and rebuilds only what changed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${IMMORTAL_BUILD_DIR:-$ROOT/build}"

# Debian 12 packages the build, the tests and the screenshots need.
PACKAGES=(cmake ninja-build g++ pkg-config qt6-base-dev libabsl-dev libboost1.81-dev
          libqt6svg6 libbenchmark-dev xvfb xauth fonts-dejavu-core doxygen
          erlang-base)

install_missing() {
    local missing=()
    for p in "${PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$p")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local apt=(apt-get install -y --no-install-recommends "${missing[@]}")
    echo "Installing: ${missing[*]}"
    if [ "$(id -u)" -eq 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive "${apt[@]}"
    elif command -v sudo >/dev/null 2>&1; then
        sudo apt-get update -qq
        sudo DEBIAN_FRONTEND=noninteractive "${apt[@]}"
    else
        echo "Missing packages and no root or sudo. Run this as root, then try again:" >&2
        echo "  apt-get update && ${apt[*]}" >&2
        exit 1
    fi
}

configure() {
    if [ ! -f "$BUILD/build.ninja" ]; then
        cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
    fi
}

# build [TARGET...]: everything, or only the targets named.
build() {
    configure
    local targets=()
    for t in "$@"; do targets+=(--target "$t"); done
    cmake --build "$BUILD" --parallel "$(nproc)" "${targets[@]}"
}
