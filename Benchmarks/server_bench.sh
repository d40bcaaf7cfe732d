#!/usr/bin/env bash
# Team server throughput: allocations per second and p50/p99 latency over HTTP (wrk, keep-alive
# connections, one allocation of a /32 per request, each with its own request id), with 1, 4 and
# 16 clients on one pool and on four pools, on SQLite (synchronous=FULL) and on a throwaway
# PostgreSQL server; next to it, the in-process figures of the same run (ledger-driver bench:
# one transaction per allocation).
#   Benchmarks/server_bench.sh [SECONDS]      (default 5 per row; installs Debian's wrk when missing)
#   SCRATCH=.build-release Benchmarks/server_bench.sh   (another build folder)
#   BIN=.build/debug Benchmarks/server_bench.sh         (binaries already built; no build)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}
scratch=${SCRATCH:-.build}
if ! command -v wrk >/dev/null 2>&1; then
    [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1 || { echo "server_bench: needs wrk (apt-get install wrk)" >&2; exit 2; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null \
        || { DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null; }
fi
if [ -n "${BIN:-}" ]; then
    bin=$BIN
else
    swift build -c release --scratch-path "$scratch" --product berth >/dev/null
    swift build -c release --scratch-path "$scratch" --product ledger-driver >/dev/null
    bin=$(swift build -c release --scratch-path "$scratch" --show-bin-path)
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/berth-server-bench.XXXXXX")
pgdir=$(mktemp -u /tmp/berth-pg.XXXXXX)
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; scripts/pg-test-server.sh stop "$pgdir" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
n=0
row() {  # row STORE_LABEL STORE CLIENTS POOLS
    local label=$1 store=$2 clients=$3 npools=$4 list="" i
    for ((i = 0; i < npools; i++)); do
        n=$((n + 1))
        "$bin/berth" ip pool add --name "b$n" "10.$n.0.0/16" --store "$store" >/dev/null
        list="$list${list:+,}b$n"
    done
    BERTH_LOG_LEVEL=error "$bin/berth" serve --store "$store" --listen "127.0.0.1:$port" 2>>"$work/server.log" &
    server=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
    local out threads=$(( clients < 2 ? clients : 2 ))
    out=$(BERTH_BENCH_POOLS=$list BERTH_BENCH_TOKEN=$token wrk -t "$threads" -c "$clients" -d "${secs}s" --latency \
        -s Benchmarks/server_alloc.lua "http://127.0.0.1:$port")
    kill -TERM "$server"; wait "$server" || true; server=""
    local rps p50 p99 bad
    rps=$(awk '/^Requests\/sec:/ {printf "%d", $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    bad=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
    printf '| %-10s | %2d | %d | %6s | %8s | %8s | %s |\n' "$label" "$clients" "$npools" "$rps" "$p50" "$p99" "${bad:-0}"
    "$bin/berth" ip check --store "$store" >/dev/null
}

inproc() {  # inproc LABEL STORE CLIENTS
    n=$((n + 1))
    "$bin/berth" ip pool add --name "b$n" "10.$n.0.0/16" --store "$2" >/dev/null
    printf '| %-10s | %2d | 1 | %s |\n' "$1" "$3" "$("$bin/ledger-driver" bench "$2" "b$n" 32 2000 "$3")"
}

echo "HTTP: $secs s per row, one /32 per request"
echo
echo "| store      | clients | pools | allocations/s | p50 | p99 | non-2xx |"
echo "|------------|---------|-------|---------------|-----|-----|---------|"
sqlite=$work/bench.sqlite
token=$("$bin/berth" ip token create --name bench --scope allocate --store "$sqlite" 2>/dev/null)
for c in 1 4 16; do row sqlite "$sqlite" "$c" 1; done
for c in 1 4 16; do row sqlite "$sqlite" "$c" 4; done
url=$(scripts/pg-test-server.sh start "$pgdir")
token=$("$bin/berth" ip token create --name bench --scope allocate --store "$url" 2>/dev/null)
for c in 1 4 16; do row postgres "$url" "$c" 1; done
for c in 1 4 16; do row postgres "$url" "$c" 4; done
echo
echo "In-process (ledger-driver bench, one transaction per allocation, 2000 per client):"
echo
echo "| store      | clients | pools | result |"
echo "|------------|---------|-------|--------|"
for c in 1 4 16; do inproc sqlite "$work/inproc-$c.sqlite" "$c"; done
for c in 1 4 16; do inproc postgres "$url" "$c"; done
