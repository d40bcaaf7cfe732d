#!/usr/bin/env bash
# The main job on the bundled example: build berth, check the acme platform, render it.
#   scripts/run.sh [SPEC] [OUT]     (defaults: examples/acme/platform.yaml, out/acme)
set -euo pipefail
cd "$(dirname "$0")/.."
spec=${1:-examples/acme/platform.yaml}
out=${2:-out/acme}

command -v swift >/dev/null || { echo "run.sh: swift is not on PATH (install Swift 6.1 or newer)" >&2; exit 2; }
scripts/setup-build.sh
echo "==> building berth (release)"
swift build -c release --product berth 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' || true
bin=$(swift build -c release --show-bin-path)/berth
[ -x "$bin" ] || { echo "run.sh: build failed" >&2; exit 2; }

echo "==> berth check $spec"
"$bin" check "$spec"
echo "==> berth render $spec --out $out"
mkdir -p "$(dirname "$out")"
"$bin" render "$spec" --out "$out"
echo "==> berth docs $spec --out $out-docs"
"$bin" docs "$spec" --out "$out-docs"
echo "==> done: manifests in $out (one folder per cluster, one per namespace, one file per service),"
echo "    the Hosting & Network document in $out-docs/hosting-and-network.md (and .html)"
