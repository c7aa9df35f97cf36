# Sourced by scripts/test.sh and scripts/test-sanitize.sh: a build that runs
# beside a test suite. A suite mostly waits (on services, sockets, deadlines),
# so the next build runs at the lowest CPU priority while it does: the tests
# keep the CPU whenever they want it, and the build takes the rest. Measured:
# it is what brings `make test` on 2 cores under an hour (docs/reliability.md §2).
#
#   background_start NAME LOG COMMAND...   starts COMMAND at nice 19, output into LOG
#   background_finish NAME                 waits for it; on failure prints LOG's tail, returns 1
#   background_stop_all                    kills what is still running (for an EXIT trap)

declare -A _background_pid=() _background_log=()

background_start() {
  local name="$1" log="$2"
  shift 2
  # Its own process group (setsid), so that background_stop_all reaches the
  # compilers under make under cmake.
  setsid nice -n 19 "$@" >"$log" 2>&1 &
  _background_pid[$name]=$!
  _background_log[$name]="$log"
  echo "test: $name runs in the background (at nice 19), its log: $log"
}

background_finish() {
  local name="$1" status=0
  local start
  start=$(date +%s)
  wait "${_background_pid[$name]}" || status=$?
  unset "_background_pid[$name]"
  if [ "$status" -ne 0 ]; then
    echo "test: $name FAILED (exit $status); the end of ${_background_log[$name]}:" >&2
    tail -60 "${_background_log[$name]}" >&2
    return 1
  fi
  echo "test: $name done (waited $(( $(date +%s) - start )) s for it)"
}

background_stop_all() {
  local pid
  for pid in "${_background_pid[@]}"; do
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  done
}
