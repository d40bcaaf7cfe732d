#!/usr/bin/env bash
# One-command benchmark: berth check and render on generated specs, compared in the same
# run with `kubectl kustomize` building the same rendered objects.
#   Benchmarks/run.sh [SERVICES]      (default 1000; 3 environments, 4 environment x cluster targets)
#   SECTIONS="render ip" selects parts (default: all of render ip).
# Work files go to .build-bench/ (ignored by git). Prints a Markdown table for BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
runs=${RUNS:-5}
sections=${SECTIONS:-render ip}
bench=.build-bench
rm -rf "$bench"; mkdir -p "$bench"
swift build -c release --product berth >/dev/null
berth=$(swift build -c release --show-bin-path)/berth
py=python3
t() { $py Benchmarks/timeit.py --runs "$runs" "$@"; }
field() { $py -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }

if [[ " $sections " == *" render "* ]]; then
$py Benchmarks/gen_spec.py "$n" > "$bench/spec.yaml"
"$berth" check "$bench/spec.yaml"
"$berth" render "$bench/spec.yaml" --out "$bench/probe" 2> "$bench/probe.txt"
objects=$(grep -o 'wrote [0-9]*' "$bench/probe.txt" | grep -o '[0-9]*')
files=$(find "$bench/probe" -name '*.yaml' | wc -l)

check=$(t -- "$berth" check "$bench/spec.yaml")
# new folder: each run writes a folder of a new name (nothing is deleted between runs: on this
# ext4 without a journal, creating files right after deleting thousands is several times
# slower, which would measure the disk, not berth); unchanged: re-render over identical output.
fresh=$(t -- bash -c "exec '$berth' render '$bench/spec.yaml' --out '$bench/fresh-'\$(date +%s%N)")
"$berth" render "$bench/spec.yaml" --out "$bench/again" 2>/dev/null
again=$(t -- "$berth" render "$bench/spec.yaml" --out "$bench/again")

# kustomize comparison on a spec of at most ~2,000 objects (kustomize is roughly quadratic)
small=$(( n < 80 ? n : 80 ))
$py Benchmarks/gen_spec.py "$small" > "$bench/small.yaml"
"$berth" render "$bench/small.yaml" --out "$bench/small" 2> "$bench/small.txt"
small_objects=$(grep -o 'wrote [0-9]*' "$bench/small.txt" | grep -o '[0-9]*')
for c in "$bench"/small/*/; do
    ( cd "$c" && { echo "apiVersion: kustomize.config.k8s.io/v1beta1"; echo "kind: Kustomization"; echo "resources:"; find . -name '*.yaml' ! -name kustomization.yaml | sort | sed 's|^\./|- |'; } > kustomization.yaml )
done
kbuild() { for c in "$bench"/small/*/; do kubectl kustomize "$c" > /dev/null; done; }
export -f kbuild; export bench
kz=$(t -- bash -c kbuild)
bsmall=$(t -- bash -c "exec '$berth' render '$bench/small.yaml' --out '$bench/smallout-'\$(date +%s%N)")

ratio=$($py -c "print(f'{$(field "$kz" median_s)/$(field "$bsmall" median_s):.1f}')")
cat <<TABLE
| measurement ($n services x 3 environments: $objects objects in $files files) | median | peak RSS |
|---|---|---|
| berth check | $(field "$check" median_s) s | $(field "$check" max_rss_mb) MB |
| berth render, new output folder | $(field "$fresh" median_s) s | $(field "$fresh" max_rss_mb) MB |
| berth render over unchanged output | $(field "$again" median_s) s | $(field "$again" max_rss_mb) MB |

| same run, $small services: $small_objects objects | median | ratio |
|---|---|---|
| berth render (load, check, render, write) | $(field "$bsmall" median_s) s | 1 |
| kubectl kustomize over the same rendered objects | $(field "$kz" median_s) s | $ratio x berth |
TABLE
fi

if [[ " $sections " == *" ip "* ]]; then
    # In-memory IP work: BerthNet (release) against Python netaddr, same workload, same run.
    swift build -c release --product ipdiff-driver >/dev/null
    swift_ip=$("$(swift build -c release --show-bin-path)/ipdiff-driver" --bench)
    venv_py=.venv/bin/python3; [ -x "$venv_py" ] || venv_py=python3
    netaddr_ip=$("$venv_py" scripts/ipdiff/bench_netaddr.py)
    key() { echo "$1" | tr ' ' '\n' | grep "^$2=" | head -1 | cut -d= -f2; }
    sa=$(key "$swift_ip" alloc_next_24_median_us); na=$(key "$netaddr_ip" alloc_next_24_median_us)
    sc=$(key "$swift_ip" contains_overlap_1m_s); nc=$(key "$netaddr_ip" contains_overlap_1m_s)
    cat <<TABLE

| in-memory IP work (same run) | BerthNet | Python netaddr | ratio |
|---|---|---|---|
| next free /24 in a /8 holding 100,000 allocations (median) | $sa µs | $na µs | $($py -c "print(f'{$na/$sa:,.0f}')") x |
| 1,000,000 contains/overlap checks | $sc s | $nc s | $($py -c "print(f'{$nc/$sc:,.0f}')") x |
TABLE
fi