#!/usr/bin/env bash
# Starts persistence, key broker and gateway in the foreground from a build
# directory; Ctrl-C (or SIGTERM) stops all three. Settings come from the
# environment and ./.env (the environment wins), as in every gempool process.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${1:-build}"
BIN="$BUILD_DIR/services"

# Read a setting the way the services do: environment first, then .env.
setting() {
  local name="$1" default="${2:-}"
  if [ -n "${!name:-}" ]; then echo "${!name}"; return; fi
  if [ -f "${GEMPOOL_ENV_FILE:-.env}" ]; then
    local line
    line=$(grep -E "^[[:space:]]*(export[[:space:]]+)?${name}=" "${GEMPOOL_ENV_FILE:-.env}" | tail -n1 || true)
    if [ -n "$line" ]; then
      line="${line#*=}"; line="${line%\"}"; line="${line#\"}"; line="${line%\'}"; line="${line#\'}"
      [ -n "$line" ] && { echo "$line"; return; }
    fi
  fi
  echo "$default"
}

DATA_DIR="$(setting DATA_DIR ./data)"
mkdir -p "$DATA_DIR"

# The admin token: AUTH_TOKEN, else the first of ALLOWED_TOKENS, else one we
# generate once and keep in $DATA_DIR/auth_token so it survives restarts.
token_source=""
if [ -n "$(setting AUTH_TOKEN)" ]; then
  token_source="AUTH_TOKEN (from the environment or .env)"
elif [ -n "$(setting ALLOWED_TOKENS)" ]; then
  token_source="the first entry of ALLOWED_TOKENS (set AUTH_TOKEN to choose another)"
else
  if [ ! -s "$DATA_DIR/auth_token" ]; then
    (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' | sed 's/^/sk-gempool-/' > "$DATA_DIR/auth_token")
  fi
  export AUTH_TOKEN="$(cat "$DATA_DIR/auth_token")"
  token_source="generated on first run and kept in $DATA_DIR/auth_token (set AUTH_TOKEN or ALLOWED_TOKENS in .env to choose your own)"
fi

# Each service runs in its own session, so a Ctrl-C reaches only this
# script: the services then get one SIGTERM each, in order. Had the terminal's
# SIGINT reached them too, this script's SIGTERM would be a second signal,
# which ends a drain at once (streams cut, queued log rows lost).
pids=()
start() {
  setsid "$@" &
  pids+=($!)
}

# Sends SIGTERM to the given services and waits until they have exited.
stop_and_wait() {
  local pid
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "$@"; do
    # A trapped signal interrupts wait: wait again while the service runs.
    while kill -0 "$pid" 2>/dev/null; do wait "$pid" 2>/dev/null; done
  done
}

# The gateway first, so that its drain (streams in flight, queued log rows
# and outcome reports) still reaches the broker and persistence; then the
# broker, whose last key states go to persistence; persistence last. A second
# Ctrl-C (or SIGTERM) ends every drain at once.
stop_all() {
  trap 'echo "gempool: stopping now, without waiting for the drain." >&2; for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done' INT TERM HUP
  echo "gempool: stopping (the gateway drains first; Ctrl-C again to stop at once)." >&2
  stop_and_wait "${pids[2]:-}"
  stop_and_wait "${pids[1]:-}"
  stop_and_wait "${pids[0]:-}"
  exit "${1:-0}"
}
trap 'stop_all 0' INT TERM HUP

start "$BIN/persistence/gempool-persistence"
start "$BIN/keybroker/gempool-keybroker"
start "$BIN/gateway/gempool-gateway"

HOST_SHOWN="$(setting HOST 0.0.0.0)"; [ "$HOST_SHOWN" = "0.0.0.0" ] && HOST_SHOWN=127.0.0.1
PORT="$(setting PORT 8000)"
healthy=0
for _ in $(seq 1 150); do
  if curl -fsS "http://$HOST_SHOWN:$PORT/health" >/dev/null 2>&1; then healthy=1; break; fi
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || { echo "gempool: a service exited during start-up (see its message above); stopping." >&2; stop_all 1; }; done
  sleep 0.1
done
if [ "$healthy" != 1 ]; then
  echo "gempool: the services are up but not healthy yet; the gateway's /health says:" >&2
  curl -sS "http://$HOST_SHOWN:$PORT/health" >&2 || true
  echo >&2
fi
cat <<MSG

  gempool is $( [ "$healthy" = 1 ] && echo running || echo "starting (not healthy yet: see above)")
    gateway:      http://$HOST_SHOWN:$PORT   (Gemini API under /v1beta and /v1, OpenAI API under /v1, health at /health)
    admin page:   http://$HOST_SHOWN:$PORT/   (log in with the admin token)
    admin token:  $token_source
    database:     $(setting DATABASE_TYPE sqlite) $( [ "$(setting DATABASE_TYPE sqlite)" = sqlite ] && echo "($DATA_DIR/$(setting SQLITE_DATABASE default_db))")
  Press Ctrl-C to stop all three services.

MSG
# If any service dies, stop the others too: a half-running stack only confuses.
wait -n "${pids[@]}"
echo "gempool: a service stopped; stopping the others." >&2
stop_all 1
