#!/usr/bin/env bash
# Checks the deployment files: every compose file passes `docker-compose config`
# with .env.example as its .env, and every variable a compose file reads, or
# passes to a gempool service, is documented in .env.example.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
command -v docker-compose >/dev/null || { echo "docker-compose is not installed (scripts/install-deps.sh --test)"; exit 1; }

files=(docker-compose.yml deploy/docker-compose.sqlite.yml deploy/docker-compose.scaled.yml)
fail=0
for f in "${files[@]}"; do
  work=$(mktemp -d)
  cp -r docker-compose.yml deploy "$work/"
  cp .env.example "$work/.env"
  if (cd "$work" && docker-compose --project-directory . -f "$f" config -q); then
    echo "ok: docker-compose config $f"
  else
    echo "FAIL: docker-compose config $f"; fail=1
  fi
  rm -rf "$work"
done

documented=$(grep -oE '^[A-Z][A-Z0-9_]*=' .env.example | tr -d '=' | sort -u)
for f in "${files[@]}"; do
  # ${VAR}, ${VAR:-x}, ${VAR:?x} interpolations, and keys under `environment:`.
  read_vars=$( { grep -oE '\$\{[A-Z][A-Z0-9_]*' "$f" | sed 's/^\${//'; \
                 awk '/^ *environment:/{e=1;next} e&&/^ *[A-Z][A-Z0-9_]*:/{sub(/^ */,"");sub(/:.*/,"");print;next} e&&!/^ *#/{e=0}' "$f"; } | sort -u)
  for v in $read_vars; do
    if ! grep -qx "$v" <<<"$documented"; then
      echo "FAIL: $f reads $v, which .env.example does not document"; fail=1
    fi
  done
done
[ $fail -eq 0 ] && echo "all compose files valid and documented"
exit $fail
