#!/bin/sh
# gempoolctl as scripts see it: exit codes, help on stdout, and a health
# check that needs no configuration at all (the container health check).
# Usage: binary_test.sh path/to/gempoolctl
set -u
ctl="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
fail=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

expect() {  # expect CODE DESCRIPTION COMMAND...
  want="$1"; what="$2"; shift 2
  "$@" >"$work/out" 2>"$work/err"
  got=$?
  if [ "$got" != "$want" ]; then
    echo "FAIL: $what: exit $got, want $want"; sed 's/^/  stdout: /' "$work/out"; sed 's/^/  stderr: /' "$work/err"
    fail=1
  fi
}

expect 0 "--help" "$ctl" --help
grep -q "Exit codes:" "$work/out" || { echo "FAIL: --help does not explain exit codes"; fail=1; }
expect 0 "keys list --help" "$ctl" keys list --help
grep -q -- "--state S" "$work/out" || { echo "FAIL: keys list --help lacks --state"; fail=1; }
expect 0 "keys verify --help" "$ctl" keys verify --help
grep -q "Exits 0 when every selected key passed" "$work/out" || { echo "FAIL: keys verify --help lacks its exit codes"; fail=1; }
expect 2 "keys verify without keys" "$ctl" keys verify
expect 2 "no command" "$ctl"
expect 2 "unknown command" "$ctl" frobnicate
expect 2 "unknown flag" "$ctl" keys list --frob

# Nothing listens on port 1. A broken .env proves no configuration is read.
printf 'PORT=not-a-number\n' > .env
expect 1 "health with no config, nothing listening" env -i "$ctl" health --service keybroker --addr 127.0.0.1:1
grep -q "UNREACHABLE" "$work/out" || { echo "FAIL: health does not say UNREACHABLE"; fail=1; }
expect 1 "gateway health with no config, nothing listening" env -i "$ctl" health --service gateway --addr 127.0.0.1:1
grep -q "UNREACHABLE" "$work/out" || { echo "FAIL: gateway health does not say UNREACHABLE"; fail=1; }
expect 2 "keys list with a broken .env" env -i "$ctl" keys list
grep -q "PORT" "$work/err" || { echo "FAIL: the configuration error is not named"; fail=1; }
expect 1 "keys list against nothing" env -i "$ctl" keys list --addr 127.0.0.1:1 --token t --timeout-ms 2000
rm .env
expect 3 "keys list without a token" env -i "$ctl" keys list --addr 127.0.0.1:1

[ "$fail" = 0 ] && echo "gempoolctl binary: all checks passed"
exit "$fail"
