#!/usr/bin/env bash
# Every test: Swift unit tests, IP math against Python's ipaddress, the rendered example
# through the real Kubernetes and CRD schemas and checkov, the CLI end to end, and the IP
# ledger on SQLite and on a throwaway PostgreSQL server (scripts/pg-test-server.sh).
# Installs what it needs (apt packages, a Python venv in .venv) on first run.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

scripts/setup-tools.sh || { echo "test.sh: tool setup failed" >&2; exit 2; }
export PATH="$root/.venv/bin:$PATH"
work=$(mktemp -d "${TMPDIR:-/tmp}/berth-test.XXXXXX")
# The PostgreSQL test cluster lives outside $work: the postgres OS user must be able to reach it.
pgdir=$(mktemp -u /tmp/berth-pg.XXXXXX)
trap 'scripts/pg-test-server.sh stop "$pgdir" >/dev/null 2>&1; rm -rf "$work"' EXIT

passed=0; failed=0; failures=()
step() {  # step NAME COMMAND...
    local name=$1; shift
    echo
    echo "==> $name"
    local t0=$SECONDS
    if "$@"; then
        passed=$((passed + 1)); echo "--- ok: $name ($((SECONDS - t0)) s)"
    else
        failed=$((failed + 1)); failures+=("$name"); echo "--- FAILED: $name ($((SECONDS - t0)) s)"
    fi
}

step "swift format lint --strict (the configuration in .swift-format)" swift format lint --strict --recursive --parallel \
    Sources Tests/BerthCoreTests Tests/BerthNetTests Tests/BerthStoreTests Tests/BerthServerTests \
    scripts/ledger-driver scripts/ipdiff/driver scripts/fuzz/driver
step "no function over 80 lines without a '// Long:' reason" python3 scripts/check_function_length.py Sources
step "swift build" swift build --build-tests
bin=$root/.build/debug/berth
step "swift test" swift test --skip-build
step "documentation coverage: every public declaration of BerthBase, BerthCore and BerthStore has a /// comment" \
    python3 scripts/check_doc_coverage.py Sources/BerthBase Sources/BerthCore Sources/BerthStore
# DocC (swift-docc-plugin) builds each library's catalog (Sources/<module>/<module>.docc) with
# every symbol link resolved: a warning fails the step.
step "DocC: BerthCore and BerthStore documentation, warnings as errors" swift package --allow-writing-to-directory "$work/docs" \
    generate-documentation --target BerthCore --target BerthStore --warnings-as-errors --disable-indexing --output-path "$work/docs"
step "IP math vs Python ipaddress (120,000 cases)" bash -c \
    "python3 scripts/ipdiff/gen.py --seed 1 --count 120000 > '$work/cases.jsonl' && '$root/.build/debug/ipdiff-driver' '$work/cases.jsonl'"
step "render the examples" bash -c "'$bin' render examples/acme/platform.yaml --out '$work/rendered' && '$bin' render examples/onprem/platform.yaml --out '$work/onprem'"
# The plain render (one folder per cluster) and the Argo CD objects. kustomize/ holds partial
# bases (checked below by building them); registry/, buckets/, network/, restore/ are not
# Kubernetes objects (monitoring/ holds the Alertmanager config), local/ holds kind configs, audit/ API audit policies and helm/ the Helm
# charts (checked below by templating them).
plain_dirs() { find "$1" -mindepth 1 -maxdepth 1 -type d ! -name kustomize ! -name helm ! -name registry ! -name local ! -name buckets ! -name network ! -name restore ! -name monitoring ! -name audit | LC_ALL=C sort; }
step "Kubernetes 1.31 strict schemas + CRD schemas (one cluster per tree, and argocd/)" bash -c "python3 scripts/validate_k8s.py --k8s-version 1.31 --crd-schemas Tests/data/schemas $(echo $(plain_dirs "$work/rendered"))"
step "on-premises example: strict schemas (Longhorn, MinIO lifecycle, Ingress)" bash -c "python3 scripts/validate_k8s.py --k8s-version 1.31 --crd-schemas Tests/data/schemas $(echo $(plain_dirs "$work/onprem"))"
step "kubectl kustomize on every overlay builds exactly the plain render" python3 scripts/compare_kustomize.py "$work/rendered"
step "Helm charts: helm template (Helm v4 library) of every chart x environment x cluster is exactly the plain render; helm lint" \
    python3 scripts/check_helm.py "$work/rendered"
step "registry policy against botocore's ECR model and ECR lifecycle rules" python3 scripts/validate_registry.py "$work/rendered/registry"
step "bucket JSON against botocore's S3 model" python3 scripts/validate_aws.py "$work/rendered"
# infra/ holds Crossplane managed resources, which checkov's Kubernetes checks misread (an IAM
# Role is not an RBAC Role); they are checked by their CRD schemas and scripts/check_infra.py.
step "checkov" bash -c "mkdir '$work/plain' && cp -r $(echo $(plain_dirs "$work/rendered" | grep -v '/infra$')) '$work/plain/' && scripts/run_checkov.sh '$work/plain'"
step "edge artifacts of the example: EC2 security groups and CloudFront (botocore models), audit policies" \
    python3 scripts/validate_edge.py "$work/rendered"
step "render the onprem + istio example; Kubernetes and CRD schemas; nftables (nft -c); checkov" bash -c \
    "'$bin' render examples/onprem-mesh/platform.yaml --out '$work/lab' 2>/dev/null && \
     python3 scripts/validate_k8s.py --k8s-version 1.31 --crd-schemas Tests/data/schemas '$work/lab/lab/' && \
     python3 scripts/validate_edge.py '$work/lab' && mkdir '$work/lab-plain' && cp -r '$work/lab/lab' '$work/lab-plain/' && \
     scripts/run_checkov.sh '$work/lab-plain' '$work/lab-checkov'"
step "render the twin example (two regions, a database with writers in both)" bash -c "'$bin' render examples/twin/platform.yaml --out '$work/twin' 2>/dev/null"
step "twin example: Kubernetes and CRD schemas, kubectl kustomize, Helm, S3 and EC2 models" bash -c \
    "python3 scripts/validate_k8s.py --k8s-version 1.31 --crd-schemas Tests/data/schemas $(echo $(plain_dirs "$work/twin")) && \
     python3 scripts/compare_kustomize.py '$work/twin' && python3 scripts/check_helm.py '$work/twin' && \
     python3 scripts/validate_aws.py '$work/twin' && python3 scripts/validate_edge.py '$work/twin'"
step "render the gcp example (GKE, two regions)" bash -c "'$bin' render examples/gcp/platform.yaml --out '$work/gcp' 2>/dev/null"
step "gcp example: Kubernetes and CRD schemas, kubectl kustomize, Helm, Google Cloud discovery documents (compute, storage, artifactregistry)" bash -c \
    "python3 scripts/validate_k8s.py --k8s-version 1.31 --crd-schemas Tests/data/schemas $(echo $(plain_dirs "$work/gcp")) '$work/gcp/addons' && \
     python3 scripts/compare_kustomize.py '$work/gcp' && python3 scripts/check_helm.py '$work/gcp' && \
     python3 scripts/validate_gcp.py '$work/gcp'"
step "render the onprem-mesh example with network.mesh: linkerd; Kubernetes and CRD schemas (identity chain, trust-manager Bundle)" bash -c \
    "mkdir '$work/linkerd-spec' && cp examples/onprem-mesh/* '$work/linkerd-spec/' && \
     sed -i 's/^  mesh: istio/  mesh: linkerd/' '$work/linkerd-spec/platform.yaml' && grep -q '^  mesh: linkerd' '$work/linkerd-spec/platform.yaml' && \
     '$bin' render '$work/linkerd-spec/platform.yaml' --out '$work/linkerd' 2>/dev/null && \
     python3 scripts/validate_k8s.py --k8s-version 1.31 --crd-schemas Tests/data/schemas '$work/linkerd/lab/' '$work/linkerd/addons' && \
     python3 scripts/validate_addons.py --require linkerd-crds,linkerd-control-plane,trust-manager '$work/linkerd'"
step "render the Azure example (AKS, storage accounts, ACR, Azure DNS, Front Door)" bash -c "'$bin' render examples/azure/platform.yaml --out '$work/azure' 2>/dev/null"
step "Azure example: Kubernetes and CRD schemas, kubectl kustomize, Helm, add-ons, Azure SDK models (check_azure.py), berth cost" bash -c \
    "python3 scripts/validate_k8s.py --k8s-version 1.31 --crd-schemas Tests/data/schemas $(echo $(plain_dirs "$work/azure")) && \
     python3 scripts/compare_kustomize.py '$work/azure' && python3 scripts/check_helm.py '$work/azure' && \
     python3 scripts/validate_addons.py '$work/azure' && python3 scripts/check_azure.py '$work/azure' && \
     '$bin' cost examples/azure/platform.yaml --prices examples/prices/azure-westeurope.yaml > /dev/null"
step "add-ons (addons/) of every example: Argo CD schema, chart values against the charts' values.schema.json / values.yaml" bash -c \
    "python3 scripts/validate_k8s.py --k8s-version 1.31 --crd-schemas Tests/data/schemas '$work/rendered/addons' '$work/onprem/addons' '$work/lab/addons' '$work/twin/addons' && \
     python3 scripts/validate_addons.py --require aws-load-balancer-controller,cert-manager,external-dns,cloudnative-pg,external-secrets,nginx-gateway-fabric,velero,falco,metrics-server,metallb,vpa,ingress-nginx,kube-prometheus-stack,cluster-autoscaler,base,istiod,longhorn,minio \
         '$work/rendered' '$work/onprem' '$work/lab' '$work/twin'"
step "validator self-test" scripts/selftest_validators.sh
step "berth audit and berth check SARIF against the SARIF 2.1.0 schema (acme and weak; check also a malformed spec)" bash -c \
    "'$bin' audit examples/acme/platform.yaml --format sarif > '$work/acme.sarif' 2>/dev/null; \
     '$bin' audit examples/weak/platform.yaml --format sarif > '$work/weak.sarif' 2>/dev/null; \
     '$bin' check examples/acme/platform.yaml --format sarif > '$work/check-acme.sarif'; \
     '$bin' check examples/weak/platform.yaml --format sarif > '$work/check-weak.sarif'; \
     '$bin' check Tests/BerthCoreTests/Fixtures/malformed/dangling-talksto.yaml --format sarif > '$work/check-malformed.sarif'; \
     python3 scripts/validate_sarif.py Tests/data/schemas/sarif/sarif-schema-2.1.0.json '$work/acme.sarif' '$work/weak.sarif' \
         '$work/check-acme.sarif' '$work/check-weak.sarif' '$work/check-malformed.sarif'"
# berth render refuses the weak spec's plain credentials (berth check: plain-secret), so checkov's
# kubernetes checks read the render of a copy without exactly those env lines
# (scripts/weak_for_checkov.py), and its secrets scan reads the spec itself, where they are written.
step "checkov on the weak spec, side by side with berth audit (no gate: records checkov's findings)" bash -c \
    "mkdir '$work/weak-spec' '$work/weak-source' && cp examples/weak/platform.yaml '$work/weak-source/' && \
     python3 scripts/weak_for_checkov.py '$bin' examples/weak/platform.yaml '$work/weak-spec/platform.yaml' && \
     ! '$bin' render examples/weak/platform.yaml --out '$work/weak-refused' 2>/dev/null && [ ! -e '$work/weak-refused' ] && \
     '$bin' render '$work/weak-spec/platform.yaml' --out '$work/weak' 2>/dev/null && \
     '$bin' audit examples/weak/platform.yaml --format json > '$work/weak-audit.json' 2>/dev/null; \
     CKV_IGNORE_HIDDEN_DIRECTORIES=false checkov -d '$work/weak' --framework kubernetes --skip-download --compact \
         -o json > '$work/weak-checkov.json' 2>'$work/weak-checkov.log'; k=\$?; \
     checkov -d '$work/weak-source' --framework secrets --skip-download --compact \
         -o json > '$work/weak-checkov-secrets.json' 2>>'$work/weak-checkov.log'; s=\$?; \
     [ \$k -le 1 ] && [ \$s -le 1 ] && python3 scripts/checkov_compare.py --checkov '$work/weak-checkov.json' \
         --checkov '$work/weak-checkov-secrets.json' --audit '$work/weak-audit.json'"
step "fuzz: spec loader, CIDR, address and duration parsers (seeded mutations of Tests/data/fuzz-corpus, 40 s at most)" \
    "$root/.build/debug/fuzz-driver" "${BERTH_FUZZ_SEED:-1}" 200000 Tests/data/fuzz-corpus --max-seconds 40
step "monitoring of every example: promtool check rules, promtool test rules (SLO burn-rate alerts at 14.4x and 1x, each platform alert on its condition), amtool check-config, scrape policies (pytest)" \
    env BERTH_BIN="$bin" BERTH_REQUIRE_PROMTOOL=1 python3 -m pytest -q -p no:cacheprovider Tests/e2e/test_monitoring.py
step "cloud foundation (infra/): the providers' required parameters, references, IP plan CIDRs, identities, keys, node pools, DNS zones, Argo CD order" \
    python3 scripts/check_infra.py "$work/rendered"
step "cloud foundation on Google Cloud (examples/gcp infra/): required parameters, references, subnetworks and secondary ranges of the IP plan, Workload Identity members, keys, node pools and firewall tags, DNS zones, Argo CD order" \
    python3 scripts/check_infra.py "$work/gcp"
step "Azure cloud foundation (infra/): required parameters, references, VNet/subnet/pod/service ranges, identities and federated credentials, disk encryption sets, node pools, DNS zones, Argo CD order" \
    python3 scripts/check_infra.py "$work/azure"
step "CLI end to end, IP ledger on SQLite (pytest)" env -u BERTH_TEST_PG_URL BERTH_BIN="$bin" \
    python3 -m pytest -q -p no:cacheprovider Tests/e2e --ignore=Tests/e2e/test_monitoring.py
step "team server: schemathesis against /openapi.json (no 5xx; status, content type, body and headers match the document)" \
    scripts/schemathesis.sh "$bin"
if pg_url=$(scripts/pg-test-server.sh start "$pgdir"); then
    step "IP ledger on PostgreSQL: the server's batched allocation (Swift tests, a new database each)" env BERTH_TEST_PG_URL="$pg_url" \
        swift test --skip-build --filter ServerStoreTests
    step "IP ledger on PostgreSQL: workflow, bad input, 8 writers, kill -9; team server over HTTP; --server against --store (pytest)" env BERTH_BIN="$bin" \
        BERTH_TEST_PG_URL="$pg_url" python3 -m pytest -q -p no:cacheprovider Tests/e2e/test_ledger.py Tests/e2e/test_ledger_stores.py \
        Tests/e2e/test_server.py Tests/e2e/test_server_cli.py -k postgres
else
    failed=$((failed + 1)); failures+=("start the PostgreSQL test server")
fi

echo
if [ $failed -gt 0 ]; then
    printf 'failed: %s\n' "${failures[@]}"
fi
echo "test.sh: $passed passed, $failed failed"
[ $failed -eq 0 ]
