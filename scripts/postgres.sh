#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for the tests on 127.0.0.1 and print its URL.
#   bash scripts/postgres.sh start   → prints postgresql://returnee:returnee@127.0.0.1:PORT/returnee_test
#   bash scripts/postgres.sh stop
# Installs Debian's postgresql package when no server binaries are found.
set -euo pipefail
PGPORT="${TEST_POSTGRES_PORT:-55432}"
PGDATA="${TEST_POSTGRES_DATA:-/tmp/returnee-pg}"

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-start}" in
  start)
    if ! pg_bin >/dev/null; then
      echo "installing PostgreSQL (Debian package)" >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2
    fi
    BIN=$(pg_bin)
    if [ ! -f "$PGDATA/PG_VERSION" ]; then
      mkdir -p "$PGDATA"
      [ "$(id -u)" = 0 ] && chown postgres:postgres "$PGDATA"
      as_postgres "$BIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 >/dev/null
    fi
    if ! as_postgres "$BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
      as_postgres "$BIN/pg_ctl" -D "$PGDATA" -w -l "$PGDATA/server.log" \
        -o "-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1" start >/dev/null
    fi
    psql_() { as_postgres "$BIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -qtAX "$@"; }
    psql_ -c "SELECT 1 FROM pg_roles WHERE rolname='returnee'" | grep -q 1 \
      || psql_ -c "CREATE ROLE returnee LOGIN PASSWORD 'returnee' CREATEDB"
    psql_ -c "SELECT 1 FROM pg_database WHERE datname='returnee_test'" | grep -q 1 \
      || psql_ -c "CREATE DATABASE returnee_test OWNER returnee"
    echo "postgresql://returnee:returnee@127.0.0.1:$PGPORT/returnee_test"
    ;;
  stop)
    BIN=$(pg_bin) && as_postgres "$BIN/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null 2>&1 || true
    ;;
esac
