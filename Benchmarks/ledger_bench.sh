#!/usr/bin/env bash
# IP ledger throughput: allocations per second, one allocation per transaction, in-process
# (ledger-driver bench: one connection per client thread), 1 and 4 clients, on SQLite
# (synchronous=FULL, the default, and NORMAL via BERTH_SQLITE_SYNC=normal) and on a throwaway
# PostgreSQL server (scripts/pg-test-server.sh; synchronous_commit on, the server default).
#   Benchmarks/ledger_bench.sh [COUNT_PER_CLIENT]     (default 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
swift build -c release --product ledger-driver >/dev/null
swift build -c release --product berth >/dev/null
bin=$(swift build -c release --show-bin-path)
work=$(mktemp -d "${TMPDIR:-/tmp}/berth-ledger-bench.XXXXXX")
pgdir=$(mktemp -u /tmp/berth-pg.XXXXXX)  # outside $work: the postgres OS user must reach it
trap 'scripts/pg-test-server.sh stop "$pgdir" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

pools=0
run() {  # run LABEL STORE CLIENTS POOLS [ENV...]
    local label=$1 store=$2 clients=$3 npools=$4; shift 4
    local list="" i pool
    for ((i = 0; i < npools; i++)); do
        pools=$((pools + 1)); pool="bench-$pools"
        "$bin/berth" ip pool add --name "$pool" "10.$pools.0.0/16" --store "$store" >/dev/null
        list="$list${list:+,}$pool"
    done
    printf '%-34s ' "$label"
    env "$@" "$bin/ledger-driver" bench "$store" "$list" 32 "$n" "$clients"
}

echo "allocations/s, $n allocations per client, one transaction each"
run "sqlite FULL, 1 client" "$work/full1.sqlite" 1 1
run "sqlite FULL, 4 clients (one pool)" "$work/full4.sqlite" 4 1
run "sqlite NORMAL, 1 client" "$work/normal1.sqlite" 1 1 BERTH_SQLITE_SYNC=normal
run "sqlite NORMAL, 4 clients (one pool)" "$work/normal4.sqlite" 4 1 BERTH_SQLITE_SYNC=normal
url=$(scripts/pg-test-server.sh start "$pgdir")
run "postgres, 1 client" "$url" 1 1
run "postgres, 4 clients (one pool)" "$url" 4 1
run "postgres, 4 clients (four pools)" "$url" 4 4
