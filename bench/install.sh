#!/usr/bin/env bash
# Installs what `make bench` needs beyond the build dependencies, only if it
# is missing: wrk (load generator), nginx (the plain proxy hop), Python 3 (the
# harness), Node.js/npm and the Portkey gateway pinned in bench/package.json.
# With --profile also valgrind and perf, for bench/profile.py.
#   bench/install.sh [--profile]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

PKGS=(wrk nginx-light)
command -v python3 >/dev/null 2>&1 || PKGS+=(python3)
command -v node >/dev/null 2>&1 || PKGS+=(nodejs)
command -v npm >/dev/null 2>&1 || PKGS+=(npm)
if [ "${1:-}" = "--profile" ]; then
  PKGS+=(valgrind)
  command -v perf >/dev/null 2>&1 || PKGS+=(linux-perf)
fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# nginx-light, nginx or nginx-full all provide /usr/sbin/nginx.
if [ -x /usr/sbin/nginx ]; then
  missing=("${missing[@]/nginx-light/}")
fi
want=()
for p in "${missing[@]}"; do [ -n "$p" ] && want+=("$p"); done

if [ ${#want[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "bench/install.sh: need root (or sudo) to install: ${want[*]}" >&2; exit 1; }
    SUDO=sudo
  fi
  echo "bench/install.sh: installing ${want[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
  $SUDO apt-get update -qq
  # policy-rc.d keeps the nginx package from starting a system service: the
  # benchmark runs its own nginx, on loopback, in the foreground.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  $SUDO apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
fi

# The Portkey gateway, exactly as locked in bench/package-lock.json.
if [ ! -d "$here/node_modules/@portkey-ai/gateway" ]; then
  echo "bench/install.sh: npm ci (@portkey-ai/gateway)" >&2
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
