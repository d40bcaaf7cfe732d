#!/usr/bin/env bash
# One-command benchmarks. Each section prints a Markdown table for BENCHMARKS.md; peer tools
# run in the same run, on the same input, and the tables give the ratio.
#
#   Benchmarks/run.sh [SERVICES]            default 1000 services x 3 environments
#   SECTIONS="render gitops data docs diagnostics ip ledger" RUNS=5 Benchmarks/run.sh
#   SECTIONS=monitoring Benchmarks/run.sh   # render with monitoring on (not in the default list)
#   SCRATCH=.build-release Benchmarks/run.sh  # the release build in another build folder
#
# Work files go to .build-bench/ (ignored by git). Needs scripts/setup-tools.sh to have run
# (.venv with netaddr; kubectl on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
runs=${RUNS:-5}
sections=${SECTIONS:-render gitops foundation data docs audit diagnostics ip ledger}
bench=.build-bench
# The previous run's files are deleted at the end, not now: on this ext4 without a journal,
# creating thousands of files right after deleting thousands is several times slower.
if [ -d "$bench" ]; then mv "$bench" "$bench-old-$$"; fi
mkdir -p "$bench"
trap 'rm -rf "$bench"-old-*' EXIT
scratch=${SCRATCH:-.build}
swift build -c release --scratch-path "$scratch" --product berth >/dev/null
berth=$(swift build -c release --scratch-path "$scratch" --show-bin-path)/berth
py=python3
venv_py=.venv/bin/python3; [ -x "$venv_py" ] || venv_py=python3
t() { $py Benchmarks/timeit.py --runs "$runs" "$@"; }
field() { $py -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }
ratio() { $py -c "import sys; print(f'{float(sys.argv[1])/float(sys.argv[2]):.1f}')" "$1" "$2"; }
# Markdown table rows from timeit.py's JSON: LABEL and the timing's median and peak RSS;
# LABEL, the timing's median and its ratio to BASE's median (berth's, the ratio's 1).
measured() { echo "| $1 | $(field "$2" median_s) s | $(field "$2" max_rss_mb) MB |"; }
against() { echo "| $1 | $(field "$2" median_s) s | $(ratio "$(field "$2" median_s)" "$(field "$3" median_s)") x berth |"; }
# A section's spec, $n services from gen_spec.py with FLAGS, as $bench/NAME.yaml, and one
# untimed render of it into $bench/PROBE (berth's summary in $bench/PROBE.txt) to count what
# it writes.
probe() {  # NAME PROBE FLAGS...
    $py Benchmarks/gen_spec.py "$n" "${@:3}" > "$bench/$1.yaml"
    "$berth" render "$bench/$1.yaml" --out "$bench/$2" 2> "$bench/$2.txt"
}
# The smaller spec of a same-run comparison with a peer tool: $small services (80 at most),
# from gen_spec.py with FLAGS, written to $bench/NAME.yaml.
small_spec() {  # NAME FLAGS...
    small=$(( n < 80 ? n : 80 ))
    $py Benchmarks/gen_spec.py "$small" "${@:2}" > "$bench/$1.yaml"
}
# A section's heading and its table of measurements, one ROW (measured's) an argument.
measurements() {  # HEADING ROW...
    printf '\n### %s\n\n| measurement | median | peak RSS |\n|---|---|---|\n' "$1"
    shift
    printf '%s\n' "$@"
}
# The same run on a smaller spec: berth's time (the ratio's 1) against a peer tool's.
versus() {  # HEADING TIME-COLUMN BERTH-LABEL BERTH-TIMING PEER-LABEL PEER-TIMING
    printf '\n| %s | %s | ratio |\n|---|---|---|\n| %s | %s s | 1 |\n' "$1" "$2" "$3" "$(field "$4" median_s)"
    against "$5" "$6" "$4"
}
objects_of() { grep -o 'wrote [0-9]*' "$1" | grep -o '[0-9]*'; }
# A new folder name per run: nothing is deleted between timed runs (on this ext4 without a
# journal, creating files right after deleting thousands is several times slower, which
# would measure the disk, not berth).
fresh() { echo "exec '$berth' render '$1' --out '$bench/out-'\$(date +%s%N)"; }
has() { [[ " $sections " == *" $1 "* ]]; }

# kubectl kustomize over the plain render of a spec, one kustomization per cluster folder
kustomize_plain() {  # SPEC DIR
    "$berth" render "$1" --out "$2" 2>/dev/null
    for c in "$2"/*/; do
        case "$(basename "$c")" in kustomize|helm|argocd|registry|local|buckets|network|restore|audit) continue ;; esac
        ( cd "$c" && { echo "apiVersion: kustomize.config.k8s.io/v1beta1"; echo "kind: Kustomization"; echo "resources:";
          find . -name '*.yaml' ! -name kustomization.yaml | LC_ALL=C sort | sed 's|^\./|- |'; } > kustomization.yaml )
    done
}

if has render; then
    probe spec probe
    objects=$(objects_of "$bench/probe.txt"); files=$(find "$bench/probe" -type f -name '*.yaml' | wc -l)
    check=$(t -- "$berth" check "$bench/spec.yaml")
    new=$(t -- bash -c "$(fresh "$bench/spec.yaml")")
    "$berth" render "$bench/spec.yaml" --out "$bench/again" 2>/dev/null
    again=$(t -- "$berth" render "$bench/spec.yaml" --out "$bench/again")
    small_spec small
    kustomize_plain "$bench/small.yaml" "$bench/small"
    small_objects=$(find "$bench/small" -name '*.yaml' ! -name kustomization.yaml -path '*/*-*/*' -exec grep -c '^kind:' {} + | awk -F: '{s+=$NF} END {print s}')
    kz=$(t -- bash -c "for c in $bench/small/*/; do if [ -f \$c/kustomization.yaml ]; then kubectl kustomize \$c >/dev/null; fi; done")
    bs=$(t -- bash -c "$(fresh "$bench/small.yaml")")
    measurements "Check and render ($n services x 3 environments: $objects objects in $files files)" \
        "$(measured "berth check" "$check")" "$(measured "berth render, new output folder" "$new")" \
        "$(measured "berth render over unchanged output" "$again")"
    versus "same run, $small services ($small_objects objects)" median "berth render (load, check, plan, render, write)" "$bs" \
        "kubectl kustomize over the same rendered objects" "$kz"
fi

if has gitops; then
    probe gitops gprobe --gitops
    gfiles=$(find "$bench/gprobe" -type f | wc -l)
    g=$(t -- bash -c "$(fresh "$bench/gitops.yaml")")
    small_spec gsmall --gitops
    "$berth" render "$bench/gsmall.yaml" --out "$bench/gsmall" 2>/dev/null
    kz=$(t -- bash -c "for o in $bench/gsmall/kustomize/overlays/*/*/; do kubectl kustomize \$o >/dev/null; done")
    bs=$(t -- bash -c "$(fresh "$bench/gsmall.yaml")")
    measurements "Render plus the GitOps layout ($n services, delivery.gitops: $gfiles files)" \
        "$(measured "berth render with kustomize layout and Argo CD objects, new folder" "$g")"
    versus "same run, $small services with delivery.gitops" median "berth render (plain render, overlays, Argo CD)" "$bs" \
        "kubectl kustomize building every overlay berth wrote" "$kz"
fi

if has foundation; then
    # The same spec as "gitops" plus infrastructure: { engine: crossplane }: the difference
    # between the two renders is the foundation (infra/, argocd/infra.yaml).
    probe infra iprobe --infra
    ifiles=$(find "$bench/iprobe/infra" -type f | wc -l)
    iobjects=$(cat "$bench"/iprobe/infra/*/*.yaml | grep -c '^kind:')
    fi_=$(t -- bash -c "$(fresh "$bench/infra.yaml")")
    ( cd "$bench/iprobe/infra" && { echo "apiVersion: kustomize.config.k8s.io/v1beta1"; echo "kind: Kustomization"; echo "resources:";
      find . -name '*.yaml' ! -name kustomization.yaml | LC_ALL=C sort | sed 's|^\./|- |'; } > kustomization.yaml )
    kz=$(t -- kubectl kustomize "$bench/iprobe/infra")
    measurements "Render with the cloud foundation ($n services, infrastructure: crossplane: $iobjects managed resources in $ifiles files under infra/)" \
        "$(measured "berth render with the foundation (and the GitOps layout), new folder" "$fi_")" \
        "$(measured "kubectl kustomize over the infra/ berth wrote (only reading and printing it)" "$kz")"
    cat <<TABLE

berth renders the whole platform with its foundation in $(ratio "$(field "$fi_" median_s)" "$(field "$kz" median_s)") x the time kubectl kustomize needs to read and print the foundation alone.
TABLE
fi

if has data; then
    probe data dprobe --databases 50 --buckets 200
    d=$(t -- bash -c "$(fresh "$bench/data.yaml")")
    measurements "Storage and data ($n services, 50 databases, 200 buckets: $(objects_of "$bench/dprobe.txt") objects, $(find "$bench/dprobe" -type f | wc -l) files)" \
        "$(measured "berth render, new output folder" "$d")"
fi

if has docs; then
    $py Benchmarks/gen_spec.py "$n" > "$bench/docs.yaml"
    dd=$(t -- "$berth" docs "$bench/docs.yaml" --out "$bench/docs")
    measurements "Hosting & Network document ($n services)" "$(measured "berth docs (Markdown, HTML, 4 SVG diagrams)" "$dd")"
fi

if has audit; then
    $py Benchmarks/gen_spec.py "$n" > "$bench/audit.yaml"
    au=$(t -- "$berth" audit "$bench/audit.yaml" --fail-on critical)
    ca=$(t -- bash -c "'$berth' capacity '$bench/audit.yaml' >/dev/null; exit 0")
    both=$(t -- bash -c "'$berth' audit '$bench/audit.yaml' --fail-on critical >/dev/null; '$berth' capacity '$bench/audit.yaml' >/dev/null; exit 0")
    small_spec asmall
    "$berth" render "$bench/asmall.yaml" --out "$bench/asmall" 2> "$bench/asmall.txt"
    mkdir -p "$bench/asmall-plain"
    for c in "$bench"/asmall/*/; do
        case "$(basename "$c")" in kustomize|helm|argocd|registry|local|buckets|network|restore|audit) continue ;; esac
        cp -r "$c" "$bench/asmall-plain/"
    done
    ck=$(t --runs 1 -- bash -c "$venv_py -m checkov.main -d $bench/asmall-plain --framework kubernetes --skip-download --quiet --compact -o json >/dev/null 2>&1; exit 0")
    bs=$(t -- bash -c "'$berth' audit '$bench/asmall.yaml' --fail-on critical >/dev/null; '$berth' capacity '$bench/asmall.yaml' >/dev/null; exit 0")
    measurements "Audit and capacity ($n services)" "$(measured "berth audit" "$au")" "$(measured "berth capacity" "$ca")" \
        "| berth audit + berth capacity | $(field "$both" median_s) s | |"
    versus "same run, $small services ($(objects_of "$bench/asmall.txt") objects)" time \
        "berth audit + berth capacity (load, check, render in memory, rules)" "$bs" \
        "checkov on the same rendered objects (kubernetes framework, one run)" "$ck"
fi

if has diagnostics; then
    # A spec with many warnings (every third service talks to itself), text output: printing
    # must grow linearly with the number of diagnostics and the size of the file.
    rows=""
    for m in 1000 8000; do
        $py Benchmarks/gen_spec.py "$m" --warnings > "$bench/warn-$m.yaml"
        warnings=$("$berth" check "$bench/warn-$m.yaml" 2>&1 | tail -1 | grep -o '[0-9]* warnings' | grep -o '[0-9]*')
        tx=$(t -- "$berth" check "$bench/warn-$m.yaml")
        js=$(t -- "$berth" check "$bench/warn-$m.yaml" --format json)
        pr=$(BERTH_TIMINGS=1 "$berth" check "$bench/warn-$m.yaml" 2>&1 | grep '^timings: print' | grep -o '[0-9.]* ms')
        rows+="| $m | $warnings | $(field "$tx" median_s) s | $(field "$js" median_s) s | $pr |"$'\n'
    done
    cat <<TABLE

### Diagnostics (\`gen_spec.py N --warnings\`, \`berth check\`)

| services | warnings | check, text on stderr | check, JSON | printing the text (BERTH_TIMINGS=1) |
|---|---|---|---|---|
$rows
TABLE
fi

if has monitoring; then
    # The same platform with monitoring on (gen_spec.py --monitoring): metrics on every service
    # with a port, SLOs on public services; and the default spec in the same run, for the ratio.
    $py Benchmarks/gen_spec.py "$n" --monitoring > "$bench/monitoring.yaml"
    $py Benchmarks/gen_spec.py "$n" > "$bench/plain.yaml"
    "$berth" render "$bench/monitoring.yaml" --out "$bench/mprobe" 2> "$bench/mprobe.txt"
    mobjects=$(objects_of "$bench/mprobe.txt")
    mkinds=$(grep -rhoE '^kind: (ServiceMonitor|PodMonitor|PrometheusRule)' "$bench/mprobe" | sort | uniq -c | awk '{printf "%s%s %s", sep, $1, $3; sep=", "}')
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    m=$(t -- bash -c "$(fresh "$bench/monitoring.yaml")")
    plain=$(t -- bash -c "$(fresh "$bench/plain.yaml")")
    cat <<TABLE

### Render with monitoring ($n services x 3 environments: $mobjects objects, of them $mkinds; load average before: $load)

| measurement | median | peak RSS | ratio |
|---|---|---|---|
| berth render, monitoring on, new output folder | $(field "$m" median_s) s | $(field "$m" max_rss_mb) MB | $(ratio "$(field "$m" median_s)" "$(field "$plain" median_s)") x |
| berth render, default spec, same run | $(field "$plain" median_s) s | $(field "$plain" max_rss_mb) MB | 1 |
TABLE
fi

if has ip; then
    # In-memory IP work: BerthNet (release) against Python netaddr, same workload, same run.
    swift build -c release --product ipdiff-driver >/dev/null
    swift_ip=$("$(swift build -c release --show-bin-path)/ipdiff-driver" --bench)
    netaddr_ip=$("$venv_py" scripts/ipdiff/bench_netaddr.py)
    key() { echo "$1" | tr ' ' '\n' | grep "^$2=" | head -1 | cut -d= -f2; }
    sa=$(key "$swift_ip" alloc_next_24_median_us); na=$(key "$netaddr_ip" alloc_next_24_median_us)
    sc=$(key "$swift_ip" contains_overlap_1m_s); nc=$(key "$netaddr_ip" contains_overlap_1m_s)
    cat <<TABLE

### In-memory IP work (same run)

| measurement | BerthNet | Python netaddr | ratio |
|---|---|---|---|
| next free /24 in a /8 holding 100,000 allocations (median) | $sa µs | $na µs | $($py -c "print(f'{$na/$sa:,.0f}')") x |
| 1,000,000 contains/overlap checks | $sc s | $nc s | $($py -c "print(f'{$nc/$sc:,.0f}')") x |
TABLE
fi

if has ledger; then
    echo
    echo "### Durable allocations (IP ledger)"
    echo
    Benchmarks/ledger_bench.sh 1000
fi
