#!/usr/bin/env bash
# A throwaway PostgreSQL server for the ledger tests.
#
#   url=$(scripts/pg-test-server.sh start DIR)   # initdb a cluster in DIR, start it on 127.0.0.1:<free port>,
#                                                # create database berth_test, print its postgres:// URL
#   scripts/pg-test-server.sh stop DIR           # stop it and remove DIR
#
# PostgreSQL refuses to run as root, so as root the cluster belongs to the 'postgres' OS user.
# Trust authentication, listening on 127.0.0.1 only: for tests, never for real data.
set -euo pipefail

cmd=${1:-}; dir=${2:-}
# DIR must be reachable by the postgres OS user (e.g. a new folder directly under /tmp).
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bindir/initdb" ] || { echo "pg-test-server: no PostgreSQL server found under /usr/lib/postgresql" >&2; exit 2; }

as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case $cmd in
start)
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
    as_pg "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 2; }
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=on -c max_connections=60" start >/dev/null \
        || { cat "$dir/server.log" >&2; exit 2; }
    as_pg "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -qAt -c "CREATE DATABASE berth_test" postgres >/dev/null 2>&1 \
        || as_pg /usr/bin/psql -h 127.0.0.1 -p "$port" -U postgres -qAt -c "CREATE DATABASE berth_test" postgres >/dev/null
    echo "postgres://postgres@127.0.0.1:$port/berth_test"
    ;;
stop)
    if [ -d "$dir/data" ]; then
        as_pg "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start|stop DIR" >&2; exit 2
    ;;
esac
