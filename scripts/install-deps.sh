#!/usr/bin/env bash
# Installs what gempool needs from Debian (bookworm) packages, only if missing.
#   scripts/install-deps.sh          build + run dependencies
#   scripts/install-deps.sh --test   also MariaDB, docker-compose, Node.js/npm for the tests
set -euo pipefail

BUILD_PKGS=(build-essential cmake pkg-config ca-certificates tzdata curl
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev libabsl-dev libsoci-dev libboost-dev
  libcpp-httplib-dev nlohmann-json3-dev libgtest-dev libgmock-dev libbenchmark-dev
  libmariadb-dev libsqlite3-dev libssl-dev file)
# clang, libfuzzer-14-dev and libclang-rt-14-dev build the fuzz targets (scripts/fuzz.sh); nginx fronts the
# gateways in the rolling-restart test; iproute2 and nftables give the network-partition tests their hosts.
TEST_PKGS=(mariadb-server mariadb-client docker-compose sqlite3 chromium fonts-noto-cjk prometheus
  clang libfuzzer-14-dev libclang-rt-14-dev nginx iproute2 nftables shellcheck python3-yaml python3-venv systemd)

want=("${BUILD_PKGS[@]}")
if [ "${1:-}" = "--test" ]; then
  want+=("${TEST_PKGS[@]}")
  command -v node >/dev/null 2>&1 || want+=(nodejs)
  command -v npm >/dev/null 2>&1 || want+=(npm)
fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Packaged MariaDB must not try to start a system service here; the tests start their own.
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
