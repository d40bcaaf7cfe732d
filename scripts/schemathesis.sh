#!/usr/bin/env bash
# schemathesis against the team server's /openapi.json: generated requests to every operation,
# with an admin token; fails on any 5xx or any response that does not match the document.
#   scripts/schemathesis.sh BERTH_BINARY [STORE]     (STORE: a postgres:// URL; default a new SQLite file)
# schemathesis lives in its own venv (.venv/st): its pins and checkov's do not mix.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$1
venv=.venv/st
if ! "$venv/bin/st" --version 2>/dev/null | grep -q "4.32.5"; then
    python3 -m venv "$venv" && "$venv/bin/pip" install -q schemathesis==4.32.5
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/berth-st.XXXXXX")
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
store=${2:-$work/st.sqlite}
"$bin" ip pool add --name pods 10.0.0.0/16 --store "$store" >/dev/null
token=$("$bin" ip token create --name st-admin --scope admin --store "$store" 2>/dev/null)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" serve --store "$store" --listen "127.0.0.1:$port" 2>"$work/server.log" &
server=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
"$venv/bin/st" run "http://127.0.0.1:$port/openapi.json" -H "Authorization: Bearer $token" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
    --max-examples "${BERTH_ST_EXAMPLES:-20}" --seed 1 --no-color
