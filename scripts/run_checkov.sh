#!/usr/bin/env bash
# Runs checkov (from the tools venv) on a folder of rendered Kubernetes manifests
# and applies scripts/checkov_gate.py to its report.
#
#   scripts/run_checkov.sh DIR [OUT_DIR]
#
# OUT_DIR (default <repo>/out/checkov) receives checkov.json (for machines),
# checkov.txt (checkov's compact CLI report) and checkov.log (its console).
# checkov runs once, in the equivalent of
#   checkov -d DIR --framework kubernetes --skip-download --quiet --compact -o cli
# but without --quiet: --quiet also strips the skipped checks (and their reasons)
# from the JSON report, and the gate needs them. The gate prints the failed checks
# itself, so the console shows what --quiet would.
# Exit status: 0 when the gate passes, 1 when it fails, 2 on usage or tool errors.
# Needs scripts/setup-tools.sh to have run (venv at $BERTH_VENV, default <repo>/.venv).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
VENV=${BERTH_VENV:-$REPO_ROOT/.venv}

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 DIR [OUT_DIR]" >&2
    exit 2
fi
[ -d "$1" ] || { echo "run_checkov: $1 is not a folder" >&2; exit 2; }
DIR=$(cd "$1" && pwd)
OUT=${2:-$REPO_ROOT/out/checkov}
[ -x "$VENV/bin/checkov" ] || {
    echo "run_checkov: no checkov in $VENV; run scripts/setup-tools.sh first" >&2
    exit 2
}

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
case "$OUT/" in
    "$DIR"/*) echo "run_checkov: OUT_DIR must not be inside DIR (checkov would scan its report)" >&2; exit 2 ;;
esac
rm -f "$OUT/checkov.json" "$OUT/checkov.txt" "$OUT/checkov.log"

set +e
# checkov skips every file whose path contains "/." unless told otherwise, which
# would silently skip everything when the checkout itself sits under a hidden folder.
CKV_IGNORE_HIDDEN_DIRECTORIES=false "$VENV/bin/checkov" -d "$DIR" --framework kubernetes --skip-download --compact \
    -o cli -o json --output-file-path "$OUT/checkov.txt,$OUT/checkov.json" \
    >"$OUT/checkov.log" 2>&1
rc=$?
set -e
# checkov exits 1 when a check fails (the gate reports that); anything else is a crash.
if [ "$rc" -gt 1 ] || [ ! -s "$OUT/checkov.json" ]; then
    echo "run_checkov: checkov exited with status $rc; last lines of $OUT/checkov.log:" >&2
    tail -n 15 "$OUT/checkov.log" >&2
    exit 2
fi

exec "$VENV/bin/python" "$SCRIPT_DIR/checkov_gate.py" --json "$OUT/checkov.json" --manifests "$DIR"
