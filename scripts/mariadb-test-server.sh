#!/usr/bin/env bash
# Starts a throwaway MariaDB for the MySQL tests (unless one already answers),
# on 127.0.0.1:${GEMPOOL_TEST_MYSQL_PORT:-3307}, data under build/mariadb, and
# creates the test user. Prints the environment the tests read, as
# `export NAME=value` lines, so callers can `eval "$(scripts/mariadb-test-server.sh start)"`.
#   scripts/mariadb-test-server.sh start|stop
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${GEMPOOL_TEST_MYSQL_PORT:-3307}"
BASE="$(pwd)/build/mariadb"
SOCK="$BASE/mysqld.sock"
USER_NAME=gempool_test
USER_PASS=gempool_test

emit() {
  # A server that was already running may have its socket elsewhere: ask it.
  local sock
  sock=$(mariadb --no-defaults --protocol=tcp -h127.0.0.1 -P"$PORT" -u"$USER_NAME" -p"$USER_PASS" \
           -N -B -e 'SELECT @@socket' 2>/dev/null || true)
  [ -n "$sock" ] && SOCK="$sock"
  echo "export GEMPOOL_TEST_MYSQL_HOST=127.0.0.1"
  echo "export GEMPOOL_TEST_MYSQL_PORT=$PORT"
  echo "export GEMPOOL_TEST_MYSQL_USER=$USER_NAME"
  echo "export GEMPOOL_TEST_MYSQL_PASSWORD=$USER_PASS"
  echo "export GEMPOOL_TEST_MYSQL_SOCKET=$SOCK"
}

case "${1:-start}" in
  start)
    if mysqladmin --protocol=tcp -h127.0.0.1 -P"$PORT" -u"$USER_NAME" -p"$USER_PASS" ping >/dev/null 2>&1; then
      emit; exit 0
    fi
    command -v mariadbd >/dev/null || command -v mysqld >/dev/null || {
      echo "MariaDB server not installed: run scripts/install-deps.sh" >&2; exit 1; }
    MYSQLD=$(command -v mariadbd || command -v mysqld)
    mkdir -p "$BASE"
    if [ ! -d "$BASE/data/mysql" ]; then
      mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$BASE/data" --auth-root-authentication-method=normal \
        >"$BASE/install.log" 2>&1 || { cat "$BASE/install.log" >&2; exit 1; }
    fi
    "$MYSQLD" --no-defaults --user="$(id -un)" --datadir="$BASE/data" --socket="$SOCK" --port="$PORT" \
      --bind-address=127.0.0.1 --pid-file="$BASE/mysqld.pid" --skip-name-resolve \
      --innodb-buffer-pool-size=64M --innodb-flush-log-at-trx-commit=2 >"$BASE/mysqld.log" 2>&1 &
    for _ in $(seq 1 150); do
      mysqladmin --no-defaults -S "$SOCK" -uroot ping >/dev/null 2>&1 && break
      sleep 0.2
    done
    mysqladmin --no-defaults -S "$SOCK" -uroot ping >/dev/null 2>&1 || { tail -20 "$BASE/mysqld.log" >&2; exit 1; }
    mariadb --no-defaults -S "$SOCK" -uroot <<SQL
CREATE USER IF NOT EXISTS '$USER_NAME'@'%' IDENTIFIED BY '$USER_PASS';
CREATE USER IF NOT EXISTS '$USER_NAME'@'localhost' IDENTIFIED BY '$USER_PASS';
GRANT ALL PRIVILEGES ON *.* TO '$USER_NAME'@'%' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO '$USER_NAME'@'localhost' WITH GRANT OPTION;
FLUSH PRIVILEGES;
SQL
    emit
    echo "export GEMPOOL_TEST_MYSQL_STARTED=1"
    ;;
  stop)
    if [ -f "$BASE/mysqld.pid" ]; then kill "$(cat "$BASE/mysqld.pid")" 2>/dev/null || true; fi
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
