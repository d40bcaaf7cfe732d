#!/usr/bin/env bash
# What building berth needs beyond Swift: the SQLite and libpq headers for the IP ledger.
# Installs them from Debian when missing (root, apt-get); quick when already there.
set -euo pipefail
missing=()
for deb in libsqlite3-dev libpq-dev pkg-config; do
    dpkg-query -W -f='${Status}' "$deb" 2>/dev/null | grep -q 'install ok installed' || missing+=("$deb")
done
[ "${#missing[@]}" -eq 0 ] && exit 0
command -v apt-get >/dev/null || { echo "setup-build: install ${missing[*]} (no apt-get here)" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "setup-build: run as root, or: apt-get install ${missing[*]}" >&2; exit 2; }
echo "setup-build: apt-get install ${missing[*]}"
DEBIAN_FRONTEND=noninteractive apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
