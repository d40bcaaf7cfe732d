#!/usr/bin/env bash
# Proves the manifest checks work, on the samples in Tests/data/k8s-samples:
#   * validate_k8s.py accepts good/ and rejects every file (or folder) in bad/,
#     printing the text given by the "# expect: ..." line at the top of that file
#     (for a folder: of its first file);
#   * run_checkov.sh + checkov_gate.py give the expected verdict on good/ and on
#     each folder in checkov/ ("# expect-pass: ..." = gate passes, "# expect: ..."
#     = gate fails), unless --no-checkov is given.
#
#   scripts/selftest_validators.sh [--no-checkov]
#
# Needs scripts/setup-tools.sh to have run (venv at $BERTH_VENV, default <repo>/.venv).
# Last line: "validators selftest: N passed, M failed"; exit status 0 only when M is 0.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
VENV=${BERTH_VENV:-$REPO_ROOT/.venv}
PY=$VENV/bin/python
SAMPLES=Tests/data/k8s-samples
SCHEMAS=Tests/data/schemas

with_checkov=1
case "${1:-}" in
    "") ;;
    --no-checkov) with_checkov=0 ;;
    *) echo "usage: $0 [--no-checkov]" >&2; exit 2 ;;
esac

[ -x "$PY" ] || { echo "selftest: no venv at $VENV; run scripts/setup-tools.sh first" >&2; exit 2; }
cd "$REPO_ROOT"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

passed=0
failed=0

# expect_line FILE_OR_DIR PREFIX: the text after "# PREFIX: " in the (first) file.
expect_line() {
    local target=$1 prefix=$2 file
    if [ -d "$target" ]; then
        file=$(find "$target" -type f \( -name '*.yaml' -o -name '*.yml' \) | LC_ALL=C sort \
            | xargs grep -l "^# $prefix: " | head -n 1 || true)
    else
        file=$target
    fi
    [ -n "$file" ] || return 0
    sed -n "s/^# $prefix: //p" "$file" | head -n 1
}

# check NAME WANT_RC SUBSTRING COMMAND...: WANT_RC is 0, or 1 for a clean rejection.
check() {
    local name=$1 want_rc=$2 want_text=$3
    shift 3
    local out=$TMP/out rc=0
    "$@" >"$out" 2>&1 || rc=$?
    local why=""
    if [ "$rc" -ne "$want_rc" ]; then
        why="exit status $rc, expected $want_rc"
    elif [ -z "$want_text" ]; then
        why="no expected text given"
    elif ! grep -qF -- "$want_text" "$out"; then
        why="output lacks: $want_text"
    elif grep -q '^Traceback' "$out"; then
        why="Python traceback in output"
    fi
    if [ -z "$why" ]; then
        passed=$((passed + 1))
        echo "ok   $name"
    else
        failed=$((failed + 1))
        echo "FAIL $name: $why"
        sed 's/^/     | /' "$out" | head -n 20
    fi
}

validate() {
    "$PY" scripts/validate_k8s.py --k8s-version 1.31 --crd-schemas "$SCHEMAS" "$@"
}

# --- schema validation -----------------------------------------------------------
check "validate good/" 0 "validate_k8s: 10 objects, 0 errors (6 core, 4 custom)" \
    validate "$SAMPLES/good"
for bad in "$SAMPLES"/bad/*; do
    check "validate ${bad#"$SAMPLES"/}" 1 "$(expect_line "$bad" expect)" validate "$bad"
done
# Every error of every object is reported, not only the first one.
all_bad=$(find "$SAMPLES/bad" -maxdepth 1 -type f -name '*.yaml' | wc -l)
check "validate all of bad/ in one run" 1 "errors (" validate "$SAMPLES/bad"
count=$(grep -c ': doc [0-9]*: ' "$TMP/out" || true)
if [ "$count" -ge "$all_bad" ]; then
    passed=$((passed + 1)); echo "ok   one run reports $count errors for $all_bad bad files"
else
    failed=$((failed + 1)); echo "FAIL one run reported $count errors for $all_bad bad files"
fi

# --- checkov gate ----------------------------------------------------------------
if [ "$with_checkov" -eq 1 ]; then
    check "checkov good/ (semver tag without digest)" 1 \
        'FAILED CKV_K8S_43 "Image should use digest": Deployment.shop.web' \
        scripts/run_checkov.sh "$SAMPLES/good" "$TMP/checkov"
    for dir in "$SAMPLES"/checkov/*/; do
        dir=${dir%/}
        pass_text=$(expect_line "$dir" expect-pass)
        if [ -n "$pass_text" ]; then
            check "checkov ${dir#"$SAMPLES"/}" 0 "$pass_text" \
                scripts/run_checkov.sh "$dir" "$TMP/checkov"
        else
            check "checkov ${dir#"$SAMPLES"/}" 1 "$(expect_line "$dir" expect)" \
                scripts/run_checkov.sh "$dir" "$TMP/checkov"
        fi
    done
fi

echo "validators selftest: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
