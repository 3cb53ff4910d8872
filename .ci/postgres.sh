#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests, on 127.0.0.1 only.
#
#   eval "$(.ci/postgres.sh start)"   installs PostgreSQL if missing (Debian's packages), starts a
#                                     fresh cluster and prints `export DATABASE_URL=…`
#   .ci/postgres.sh stop              stops that cluster and removes its files
#
# PG_TEST_DIR (default /tmp/oauth-reference-server-pg) and PG_TEST_PORT (default 55432) move it.
# As root the cluster runs as the `postgres` user the package creates; otherwise as the caller.
set -euo pipefail

DIR=${PG_TEST_DIR:-/tmp/oauth-reference-server-pg}
PORT=${PG_TEST_PORT:-55432}
DB=oauth_test

bin_dir() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

install() {
    if [ -z "$(bin_dir)" ]; then
        echo "installing PostgreSQL (Debian packages)" >&2
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    fi
}

# Runs a PostgreSQL program as the cluster's owner.
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

start() {
    install
    local bin
    bin=$(bin_dir)
    stop_quietly
    mkdir -p "$DIR"
    [ "$(id -u)" = 0 ] && chown postgres: "$DIR"
    as_owner "$bin/initdb" -D "$DIR/data" -A trust -U postgres -E UTF8 >/dev/null
    as_owner "$bin/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w \
        -o "-h 127.0.0.1 -p $PORT -k $DIR -c fsync=off -c max_connections=200" start >&2
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$DB"
    echo "export DATABASE_URL=postgres://postgres@127.0.0.1:$PORT/$DB"
}

stop_quietly() {
    local bin
    bin=$(bin_dir)
    if [ -n "$bin" ] && [ -f "$DIR/data/postmaster.pid" ]; then
        as_owner "$bin/pg_ctl" -D "$DIR/data" -m fast -w stop >&2 || true
    fi
    rm -rf "$DIR"
}

case "${1:-}" in
    start) start ;;
    stop) stop_quietly ;;
    *)
        echo "usage: $0 start|stop" >&2
        exit 2
        ;;
esac
