"""End-to-end tests of the berth command line: exit codes, streams, output folder safety,
determinism across processes, and the malformed-input corpus through the real binary.

Run by scripts/test.sh with BERTH_BIN pointing at the built executable.
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys

import jsonschema
import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
BERTH = os.environ.get("BERTH_BIN", str(ROOT / ".build" / "debug" / "berth"))
EXAMPLE = ROOT / "examples" / "acme" / "platform.yaml"
CORPUS = ROOT / "Tests" / "BerthCoreTests" / "Fixtures" / "malformed"
BASE = ROOT / "Tests" / "BerthCoreTests" / "Fixtures" / "base.yaml"


def berth(*args, env=None, cwd=None):
    e = dict(os.environ)
    e.pop("NO_COLOR", None)
    if env:
        e.update(env)
    return subprocess.run([BERTH, *map(str, args)], capture_output=True, text=True, env=e, cwd=cwd, timeout=120)


def tree(path: pathlib.Path) -> dict:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def test_check_example_ok():
    r = berth("check", EXAMPLE)
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""


def test_version_and_help():
    r = berth("--version")
    assert r.returncode == 0 and r.stdout.strip() == "0.1.0"
    r = berth("--help")
    assert r.returncode == 0 and "render" in r.stdout and "check" in r.stdout


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts(shell):
    r = berth("--generate-completion-script", shell)
    assert r.returncode == 0 and "berth" in r.stdout and len(r.stdout) > 500


@pytest.mark.parametrize("args", [
    ["render", EXAMPLE],                    # missing --out
    ["check"],                              # missing spec
    ["check", EXAMPLE, "--format", "xml"],  # bad option value
    ["frobnicate"],                         # unknown subcommand
    ["check", EXAMPLE, "--bogus"],          # unknown flag
])
def test_usage_errors_exit_2(args):
    r = berth(*args)
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert "Error" in r.stderr or "error" in r.stderr
    assert "Fatal error" not in r.stderr and "Stack" not in r.stderr


def test_missing_file_exit_2():
    r = berth("check", "/nonexistent/platform.yaml")
    assert r.returncode == 2
    assert r.stderr == "berth: error: /nonexistent/platform.yaml: no such file\n"


def test_directory_as_spec_exit_2(tmp_path):
    r = berth("check", tmp_path)
    assert r.returncode == 2
    assert "is a directory" in r.stderr


def test_json_diagnostics_on_stdout(tmp_path):
    spec = tmp_path / "p.yaml"
    spec.write_text(BASE.read_text().replace("talksTo: [api]", "talksTo: [apl]"))
    r = berth("check", spec, "--format", "json")
    assert r.returncode == 1
    doc = json.loads(r.stdout)
    assert doc["errors"] == 1
    d = doc["diagnostics"][0]
    assert (d["line"], d["column"], d["severity"]) == (19, 15, "error")
    assert d["message"] == "unknown service 'apl' in services.web.talksTo; did you mean 'api'?"


def test_no_color_when_piped_or_no_color(tmp_path):
    spec = tmp_path / "p.yaml"
    spec.write_text(BASE.read_text().replace("port: 8080", "port: 0"))
    for env in ({}, {"NO_COLOR": "1"}):
        r = berth("check", spec, env=env)
        assert r.returncode == 1
        assert "\x1b[" not in r.stderr
        assert r.stderr.startswith(f"{spec}:17:11: error: 'services.web.port' is 0, must be from 1 to 65535\n    port: 0\n          ^\n")


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.yaml")))
def test_malformed_corpus_through_cli(name, tmp_path):
    out = tmp_path / "out"
    r = berth("render", CORPUS / name, "--out", out)
    assert r.returncode == 1, (name, r.returncode, r.stderr[-500:])
    assert ": error: " in r.stderr
    assert "Fatal error" not in r.stderr and "Stack dump" not in r.stderr
    assert not out.exists(), "a failed render must not create output"
    assert list(tmp_path.iterdir()) == [], "no staging folders are left behind"


def test_failed_render_keeps_previous_output(tmp_path):
    out = tmp_path / "out"
    assert berth("render", EXAMPLE, "--out", out).returncode == 0
    before = tree(out)
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE.read_text().replace("port: 8080", "port: 99999"))
    r = berth("render", bad, "--out", out)
    assert r.returncode == 1
    assert tree(out) == before


def test_refuses_to_replace_foreign_folder(tmp_path):
    out = tmp_path / "home"
    out.mkdir()
    (out / "thesis.tex").write_text("precious")
    r = berth("render", EXAMPLE, "--out", out)
    assert r.returncode == 2
    assert "refusing to replace" in r.stderr
    assert (out / "thesis.tex").read_text() == "precious"


def test_render_is_deterministic_across_processes(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert berth("render", EXAMPLE, "--out", a).returncode == 0
    assert berth("render", EXAMPLE, "--out", b).returncode == 0
    assert tree(a) == tree(b)
    assert len(tree(a)) > 20


def test_region_hint_is_the_same_in_every_process():
    # 'us-east-3' is one edit from us-east-1 and us-east-2; the hint is the first in name
    # order, not whichever the process's hash order meets first
    hints = {berth("check", "aws-region-tie.yaml", cwd=CORPUS).stderr.splitlines()[0] for _ in range(8)}
    assert hints == {"aws-region-tie.yaml:9:5: error: 'us-east-3' is not an AWS region; did you mean 'us-east-1'?"}, hints


def test_killed_render_leaves_previous_output(tmp_path):
    """SIGKILL at random points of a render: the folder is always the old or the new tree."""
    out = tmp_path / "out"
    assert berth("render", EXAMPLE, "--out", out).returncode == 0
    good = tree(out)
    for delay_ms in (1, 3, 6, 10, 20, 40):
        p = subprocess.Popen([BERTH, "render", str(EXAMPLE), "--out", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            p.wait(timeout=delay_ms / 1000)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        assert tree(out) == good
    # the next run cleans any staging folder a killed run left
    assert berth("render", EXAMPLE, "--out", out).returncode == 0
    assert sorted(x.name for x in tmp_path.iterdir()) == ["out"]


def test_schema_is_json_schema_and_accepts_the_example():
    r = berth("schema")
    assert r.returncode == 0
    schema = json.loads(r.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    example = yaml.safe_load(EXAMPLE.read_text())
    jsonschema.Draft202012Validator(schema).validate(example)
    bad = dict(example, replica=3)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(bad)


def test_schema_markdown_matches_docs():
    r = berth("schema", "--format", "markdown")
    assert r.returncode == 0
    docs = (ROOT / "docs" / "spec.md").read_text()
    assert r.stdout in docs, "docs/spec.md is out of date: paste `berth schema --format markdown` into its reference section"


def test_versions_file_beside_spec_is_used(tmp_path):
    shutil.copy(EXAMPLE, tmp_path / "platform.yaml")
    (tmp_path / "versions.yaml").write_text("production:\n  web: 9.9.9\n")
    out = tmp_path / "out"
    assert berth("render", tmp_path / "platform.yaml", "--out", out).returncode == 0
    assert "image: registry.acme.example/shop/web:9.9.9" in (out / "prod-eu/acme-production/web.yaml").read_text()
    (tmp_path / "versions.yaml").write_text("production:\n  web: latest\n")
    r = berth("check", tmp_path / "platform.yaml")
    assert r.returncode == 1
    assert "versions.yaml:2:8: error: service 'web' uses the moving tag 'latest' in environment 'production'" in r.stderr


# --- berth ip plan -----------------------------------------------------------------------

def test_ip_plan_table_json_and_lock(tmp_path):
    shutil.copy(EXAMPLE, tmp_path / "platform.yaml")
    spec = tmp_path / "platform.yaml"
    r = berth("ip", "plan", spec)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0].split() == ["KEY", "RANGE", "SIZE", "FREE", "PURPOSE"]
    assert "no lock file yet" in r.stdout
    r = berth("ip", "plan", spec, "--format", "json", "--write")
    assert r.returncode == 0, r.stderr
    plan = json.loads(r.stdout)
    import ipaddress
    ranges = {e["key"]: ipaddress.ip_network(e["cidr"]) for e in plan["ranges"]}
    assert ranges["prod-eu/eu-west-1a/public"].subnet_of(ranges["prod-eu/vpc"])
    assert (tmp_path / "ip-plan.lock").exists()
    # a new cluster: nothing pinned moves, the additions are listed
    text = spec.read_text().replace("  nonprod:\n", "  edge:\n    region: us-east-1\n    nodePools:\n      general: { machine: m6i.large, cpu: 2, memory: 8Gi, min: 2, max: 6 }\n  nonprod:\n", 1)
    spec.write_text(text)
    r2 = berth("ip", "plan", spec, "--format", "json")
    assert r2.returncode == 0, r2.stderr
    plan2 = json.loads(r2.stdout)
    after = {e["key"]: e["cidr"] for e in plan2["ranges"]}
    for key, net in ranges.items():
        assert after[key] == str(net), key
    added = [c["key"] for c in plan2["changes"]]
    assert "edge/vpc" in added and all(k.startswith("edge/") for k in added)


def test_ip_plan_errors(tmp_path):
    spec = tmp_path / "p.yaml"
    spec.write_text(BASE.read_text() + "network:\n  supernet: 10.0.0.0/16\n")
    r = berth("ip", "plan", spec)
    assert r.returncode == 1
    assert "supernet 10.0.0.0/16 is too small" in r.stderr and "33,792 short" in r.stderr
    bad_lock = tmp_path / "bad.lock"
    bad_lock.write_text("not json")
    r = berth("ip", "plan", BASE, "--lock", bad_lock)
    assert r.returncode == 2
    assert "not a berth IP lock file" in r.stderr


# ---------------------------------------------------------------- berth audit

WEAK = ROOT / "examples" / "weak" / "platform.yaml"


def test_audit_example_passes_at_high():
    r = berth("audit", EXAMPLE)
    assert r.returncode == 0, r.stdout + r.stderr
    # 13: the team server (ipam.server) adds its missing SLO (medium) and its ledger's backup egress (low).
    assert r.stdout.endswith("berth audit: 13 findings (0 critical, 0 high, 6 medium, 7 low); 0 at or above high\n")
    r = berth("audit", EXAMPLE, "--fail-on", "medium")
    assert r.returncode == 1


def test_audit_weak_fails_with_located_findings():
    r = berth("audit", WEAK)
    assert r.returncode == 1
    assert (f"{WEAK}:61:63: critical BERTH-RBAC-002: team 'everyone' is bound to cluster-admin "
            "on every cluster (group 'everyone') [soc2]\n"
            "    fix: remove clusterAdmin: true; give the team admin in the environments it runs\n") in r.stdout
    r = berth("audit", WEAK, "--format", "json")
    doc = json.loads(r.stdout)
    rules = {f["rule"] for f in doc["findings"]}
    for rule in ["BERTH-NET-001", "BERTH-NET-004", "BERTH-NET-005", "BERTH-NET-007", "BERTH-RBAC-002",
                 "BERTH-SEC-001", "BERTH-SEC-002", "BERTH-BAK-001", "BERTH-HA-002", "BERTH-HA-003",
                 "BERTH-WKL-007", "BERTH-WKL-008", "BERTH-ENC-002", "BERTH-ENC-003", "BERTH-AUD-001"]:
        assert rule in rules, rule
    assert doc["failOn"] == "high" and doc["failing"] > 0


def test_audit_fail_on_and_usage_errors(tmp_path):
    assert berth("audit", EXAMPLE, "--fail-on", "critical").returncode == 0
    r = berth("audit", EXAMPLE, "--fail-on", "severe")
    assert r.returncode == 2 and "severe" in r.stderr
    r = berth("audit", tmp_path / "missing.yaml")
    assert r.returncode == 2
    r = berth("audit", EXAMPLE, "--format", "xml")
    assert r.returncode == 2


def test_audit_sarif_is_deterministic_and_valid():
    a = berth("audit", WEAK, "--format", "sarif")
    b = berth("audit", WEAK, "--format", "sarif")
    assert a.returncode == 1 and a.stdout == b.stdout
    schema = json.loads((ROOT / "Tests/data/schemas/sarif/sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(json.loads(a.stdout))


def test_checkov_compare_fails_on_unmapped_check(tmp_path):
    audit = tmp_path / "audit.json"
    audit.write_text(json.dumps({"findings": [{"rule": "BERTH-WKL-007", "title": "no probes", "severity": "medium"}]}))
    ckv = tmp_path / "checkov.json"
    def report(ids):
        ckv.write_text(json.dumps({"check_type": "kubernetes", "results": {"failed_checks": [
            {"check_id": i, "check_name": "n"} for i in ids]}}))
    compare = [sys.executable, str(ROOT / "scripts" / "checkov_compare.py"), "--checkov", str(ckv), "--audit", str(audit)]
    report(["CKV_K8S_8"])
    assert subprocess.run(compare, capture_output=True).returncode == 0
    report(["CKV_K8S_8", "CKV_K8S_999"])
    r = subprocess.run(compare, capture_output=True, text=True)
    assert r.returncode == 1 and "CKV_K8S_999 (n) has no berth counterpart" in r.stderr
    report(["CKV_K8S_43"])  # mapped, but berth did not report BERTH-WKL-009
    r = subprocess.run(compare, capture_output=True, text=True)
    assert r.returncode == 1 and "maps to BERTH-WKL-009, which berth audit did not report" in r.stderr


# ------------------------------------------------------- network security at the edge

LAB = ROOT / "examples" / "onprem-mesh" / "platform.yaml"


def test_edge_validators_accept_berth_output_and_reject_broken_files(tmp_path):
    out = tmp_path / "acme"
    assert berth("render", EXAMPLE, "--out", out).returncode == 0
    validate = [sys.executable, str(ROOT / "scripts" / "validate_edge.py"), str(out)]
    r = subprocess.run(validate, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    sg = out / "network" / "firewall" / "prod-eu.security-groups.json"
    doc = json.loads(sg.read_text())
    doc[0]["IpPermissions"][0]["FromPort"] = "22"   # a string where EC2 takes an integer
    sg.write_text(json.dumps(doc))
    r = subprocess.run(validate, capture_output=True, text=True)
    assert r.returncode == 1 and "FromPort" in r.stdout
    lab = tmp_path / "lab"
    assert berth("render", LAB, "--out", lab).returncode == 0
    nft = lab / "network" / "firewall" / "lab-bastion.nft"
    nft.write_text(nft.read_text().replace("192.0.2.0/24", "192.0.2.0/33"))
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "validate_edge.py"), str(lab)], capture_output=True, text=True)
    assert r.returncode == 1 and "nft -c failed" in r.stdout


def test_linkerd_variant_validates(tmp_path):
    spec = tmp_path / "platform.yaml"
    spec.write_text(LAB.read_text().replace("mesh: istio", "mesh: linkerd"))
    out = tmp_path / "out"
    assert berth("render", spec, "--out", out).returncode == 0
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "validate_k8s.py"), "--k8s-version", "1.31",
                        "--crd-schemas", str(ROOT / "Tests" / "data" / "schemas"), str(out / "lab")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "kind: Server\n" in (out / "lab" / "lab-production" / "api.yaml").read_text()


# ------------------------------------------------------------------ berth capacity

def test_capacity_example_fits(tmp_path):
    r = berth("capacity", EXAMPLE)
    assert r.returncode == 0, r.stdout + r.stderr
    # prod-us keeps no copy of production's data (topology.replicas: none); prod-eu holds the
    # primary with 2 PgBouncer pods.
    assert ("cluster prod-us, pool general (m6i.xlarge; 2-10 nodes over 2 zones)\n"
            "  node allocatable: 3920m CPU, 13Gi memory, 110 pods (the largest pod that fits)\n"
            "  production: min 15 pods 5250m CPU 7.5Gi; max 78 pods 30 CPU 38Gi\n"
            "  requested:") in r.stdout
    assert "    includes database main: 3 instances x 1 CPU 2Gi, 2 PgBouncer pods x 100m CPU 128Mi\n" in r.stdout
    assert "  zone loss: 5 of 10 nodes left; holds min replicas, does NOT hold max; headroom at min 14350m CPU 59Gi\n" in r.stdout
    assert ("database main (production): 190 of 197 connections ok - 2 PgBouncer pods x 95 server connections "
            "(the Pooler's default_pool_size); 114 client pods at max replicas\n") in r.stdout
    # The team server's ledger: 3 server pods x 10 connections of max_connections 100 less 3 reserved.
    assert ("database berth-ipam-ledger (production): 30 of 97 connections ok - 3 pods at max replicas x 10 connections "
            "each (assumed client pool), no pooler\n") in r.stdout
    assert r.stdout.endswith("berth capacity: 6 pools, 4 connection budgets; 0 problems, 0 warnings\n")
    doc = json.loads(berth("capacity", EXAMPLE, "--format", "json").stdout)
    general = [p for p in doc["pools"] if p["cluster"] == "prod-eu" and p["pool"] == "general"][0]
    # prod-eu also runs the team server (3 x 250m) and its ledger (2 x 500m): one node more at max.
    assert general["nodesNeeded"] == {"min": 3, "max": 10} and general["autoscalerHoldsMax"] is True
    assert general["environments"][0]["databases"] == ["database main: 3 instances x 1 CPU 2Gi, 2 PgBouncer pods x 100m CPU 128Mi",
                                                       "database berth-ipam-ledger: 2 instances x 500m CPU 1Gi"]


def test_capacity_fails_when_connections_exceed(tmp_path):
    spec = tmp_path / "platform.yaml"
    spec.write_text(EXAMPLE.read_text().replace("    pooler: { mode: transaction, instances: 2 }\n", "    maxConnections: 100\n"))
    (tmp_path / "versions.yaml").write_text((EXAMPLE.parent / "versions.yaml").read_text())
    r = berth("capacity", spec)
    assert r.returncode == 1
    assert "error: database 'main' (production) may be asked for 1140 connections but accepts 97\n" in r.stdout


# ---------------------------------------------------------------------- berth cost

PRICES = ROOT / "examples" / "prices" / "aws-eu-west-1.yaml"


def test_cost_example():
    r = berth("cost", EXAMPLE, "--prices", PRICES)
    assert r.returncode == 0, r.stderr
    assert "  cluster prod-eu pool batch (c6i.2xlarge, spot): 1-2 nodes at 0.144/h, share 100%-100%\n" in r.stdout
    # Only prod-eu holds production's database volumes: acme keeps no copy in prod-us
    # (topology.replicas: none); the replica clusters' volumes are counted in CostTests.
    assert "  database main in prod-eu (primary): 375 GiB of volumes (3 instances x 100Gi data + 25Gi WAL)\n" in r.stdout
    assert "prod-us (replica cluster)" not in r.stdout
    # The team server's ledger adds 25 GiB of ssd (25 x 0.088 = 2.20) and prod-eu's general pool one
    # node at max (0.214 x 730 = 156.22).
    assert "  database berth-ipam-ledger in prod-eu (primary): 25 GiB of volumes (2 instances x 10Gi data + 2560Mi WAL)\n" in r.stdout
    assert r.stdout.endswith("berth cost: 1898.87 to 4401.31 USD/month in total\n")
    doc = json.loads(berth("cost", EXAMPLE, "--prices", PRICES, "--format", "json").stdout)
    prod = [e for e in doc["environments"] if e["environment"] == "production"][0]
    assert prod["spotSaving"]["max"] > 0 and prod["min"] < prod["max"]



@pytest.mark.parametrize("example,prices", [
    ("acme", "aws-eu-west-1.yaml"), ("gcp", "gcp-europe-west1.yaml"), ("azure", "azure-westeurope.yaml"),
])
def test_cost_runs_on_every_cloud_example(example, prices):
    # Every node pool of each cloud example has a price in its provider's price file, so the
    # estimate prices every machine (a machine without a price is an error, see below).
    r = berth("cost", ROOT / "examples" / example / "platform.yaml", "--prices", ROOT / "examples" / "prices" / prices)
    assert r.returncode == 0, r.stderr
    assert "has no price" not in r.stderr
    doc = json.loads(berth("cost", ROOT / "examples" / example / "platform.yaml", "--prices",
                           ROOT / "examples" / "prices" / prices, "--format", "json").stdout)
    # (An environment on a shared cluster can cost less at maximum scale than at minimum, when
    # another environment's share grows faster: gcp's development does. Both are positive.)
    assert doc["environments"] and all(e["min"] > 0 and e["max"] > 0 for e in doc["environments"])
    # The text still writes each environment's range lowest first, and says when the lower end
    # is the one at maximum scale.
    for e in doc["environments"]:
        line = next(l for l in r.stdout.splitlines() if l.startswith(e["environment"] + ": "))
        lo, hi = sorted((e["min"], e["max"]))
        assert line.startswith(f'{e["environment"]}: {lo:.2f} to {hi:.2f} '), line
        assert (f'({e["min"]:.2f} at minimum scale: ' in line) == (e["min"] > e["max"]), line


def test_cost_shared_cluster_range_is_written_lowest_first():
    r = berth("cost", ROOT / "examples/gcp/platform.yaml", "--prices", ROOT / "examples/prices/gcp-europe-west1.yaml")
    assert r.returncode == 0, r.stderr
    assert ("development: 357.17 to 361.40 USD/month (361.40 at minimum scale: its share of shared node pools "
            "shrinks as the other environments grow; nodes 231.20 to 235.43, storage 105.49, buckets 20.48)") in r.stdout

def test_cost_bad_price_file(tmp_path):
    bad = tmp_path / "prices.yaml"
    bad.write_text("berthPrices: 1\nsource: x\ndate: \"2024\"\nmachines:\n  m6i.large: { onDemand: cheap }\nprovider: aws\n")
    r = berth("cost", EXAMPLE, "--prices", bad, env={"NO_COLOR": "1"})
    assert r.returncode == 1 and r.stdout == ""
    assert (f"{bad}:5:26: error: 'machines.m6i.large.onDemand' must be a price such as 0.192 "
            "(a non-negative decimal number), found 'cheap'\n") in r.stderr
    r = berth("cost", EXAMPLE, "--prices", tmp_path / "missing.yaml")
    assert r.returncode == 2 and "no such file" in r.stderr
    partial = tmp_path / "partial.yaml"
    partial.write_text("berthPrices: 1\nsource: x\ndate: \"2024\"\nmachines:\n  m6i.large: { onDemand: 0.1 }\nprovider: aws\n")
    r = berth("cost", EXAMPLE, "--prices", partial, env={"NO_COLOR": "1"})
    assert r.returncode == 1
    assert "error: machine type 'm6i.xlarge' of node pool 'general' (cluster 'prod-eu') has no price in " in r.stderr


SPECS = ROOT / "Tests" / "e2e" / "specs"


@pytest.mark.parametrize("spec,prices,line,nodes,storage,buckets,total", [
    # 2 x e2-standard-4 x 0.14741 x 730 h = 215.22; 2 replicas x 100Gi x pd-ssd 0.187 = 37.40;
    # uploads 500Gi x Standard 0.020 = 10.00.
    ("cost-gcp.yaml", "gcp-europe-west1.yaml", "  cluster main pool general (e2-standard-4): 2-2 nodes at 0.147/h, share 100%-100%\n",
     "215.22", "37.40", "10.00", "262.62"),
    # 2 x Standard_D4s_v5 x 0.222 x 730 h = 324.12; 200Gi x Premium SSD 0.15 = 30.00;
    # uploads 500Gi x hot LRS 0.0196 = 9.80.
    ("cost-azure.yaml", "azure-westeurope.yaml", "  cluster main pool general (Standard_D4s_v5): 2-2 nodes at 0.222/h, share 100%-100%\n",
     "324.12", "30.00", "9.80", "363.92"),
])
def test_cost_gcp_and_azure(spec, prices, line, nodes, storage, buckets, total):
    price_file = ROOT / "examples" / "prices" / prices
    r = berth("cost", SPECS / spec, "--prices", price_file)
    assert r.returncode == 0, r.stderr
    assert (f"production: {total} to {total} USD/month (nodes {nodes} to {nodes}, storage {storage}, "
            f"buckets {buckets})\n") in r.stdout
    assert line in r.stdout
    assert r.stdout.endswith(f"berth cost: {total} to {total} USD/month in total\n")
    doc = json.loads(berth("cost", SPECS / spec, "--prices", price_file, "--format", "json").stdout)
    assert doc["environments"][0]["min"] == float(total) and doc["environments"][0]["storage"] == float(storage)


def test_cost_refuses_another_providers_prices(tmp_path):
    """A price file of another provider is refused at the spec's provider.name, before any machine is looked up."""
    r = berth("cost", SPECS / "cost-gcp.yaml", "--prices", PRICES, env={"NO_COLOR": "1"})
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr == (f"{SPECS / 'cost-gcp.yaml'}:6:9: error: the spec runs on gcp (provider.name), but {PRICES} has "
                        f"prices for aws ({PRICES}:12:11); use a price file for gcp\n1 error, 0 warnings\n")
    r = berth("cost", EXAMPLE, "--prices", ROOT / "examples" / "prices" / "azure-westeurope.yaml", env={"NO_COLOR": "1"})
    assert r.returncode == 1
    assert "error: the spec runs on aws (provider.name), but " in r.stderr and "has prices for azure" in r.stderr
    # The provider is required in a price file.
    bare = tmp_path / "bare.yaml"
    bare.write_text("berthPrices: 1\nsource: x\ndate: \"2024\"\nmachines:\n  e2-standard-4: { onDemand: 0.1 }\n")
    r = berth("cost", SPECS / "cost-gcp.yaml", "--prices", bare, env={"NO_COLOR": "1"})
    assert r.returncode == 1
    # (The loader words a missing top-level key of any file as "the spec".)
    assert r.stderr.startswith(f"{bare}:1:1: error: the spec is missing required key 'provider'\n")


def test_cost_names_the_spec_machine_missing_from_the_prices(tmp_path):
    """A machine type of the spec without a price: located at the spec's node pool."""
    few = tmp_path / "few.yaml"
    few.write_text("berthPrices: 1\nprovider: gcp\nsource: x\ndate: \"2024\"\nmachines:\n  n2-standard-8: { onDemand: 0.4 }\n")
    r = berth("cost", SPECS / "cost-gcp.yaml", "--prices", few, env={"NO_COLOR": "1"})
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr == (f"{SPECS / 'cost-gcp.yaml'}:13:7: error: machine type 'e2-standard-4' of node pool 'general' "
                        f"(cluster 'main') has no price in {few}\n1 error, 0 warnings\n")


def test_check_prints_staging_notes_and_passes():
    """Staging differences from production are notes: printed, counted, never a failure (not even --strict)."""
    r = berth("check", EXAMPLE)
    assert r.returncode == 0
    lines = r.stderr.splitlines()
    assert "examples/acme/platform.yaml:109:7: note: staging differs from production for service 'web': replicas.min 2 (production 3)" in [
        line.replace(str(ROOT) + "/", "") for line in lines]
    assert any(line.endswith("note: staging differs from production: 1 cluster (production 2)") for line in lines)
    assert lines[-1] == "0 errors, 0 warnings, 14 notes"
    assert berth("check", EXAMPLE, "--strict").returncode == 0
    j = json.loads(berth("check", EXAMPLE, "--format", "json").stdout)
    assert (j["errors"], j["warnings"], j["notes"]) == (0, 0, 14)


def test_check_strict_keeps_the_lock_and_checks_once(tmp_path):
    """--strict judges the run it printed: with --lock naming a good lock, a broken ip-plan.lock
    beside the spec is never read (a second check used to read it and fail)."""
    spec_dir = tmp_path / "acme"
    spec_dir.mkdir()
    for name in ("platform.yaml", "versions.yaml"):
        shutil.copy(EXAMPLE.parent / name, spec_dir / name)
    good = tmp_path / "good.lock"
    shutil.copy(EXAMPLE.parent / "ip-plan.lock", good)
    (spec_dir / "ip-plan.lock").write_text("this is not a lock file\n")
    plain = berth("check", spec_dir / "platform.yaml", "--lock", good)
    assert plain.returncode == 0, plain.stderr
    strict = berth("check", spec_dir / "platform.yaml", "--lock", good, "--strict")
    assert (strict.returncode, strict.stdout, strict.stderr) == (0, plain.stdout, plain.stderr)
    # Without --lock the broken lock beside the spec is read, and refused, once.
    broken = berth("check", spec_dir / "platform.yaml", "--strict")
    assert broken.returncode == 2
    assert broken.stderr.count("berth: error:") == 1, broken.stderr


# --------------------------------------------- notes belong to berth check; other commands count them

NOTES = "14 notes; run 'berth check' to see them\n"


def quiet_commands(spec, tmp_path):
    return {
        "render": (["render", spec, "--out", tmp_path / "out"], "stderr-tail"),
        "docs": (["docs", spec, "--out", tmp_path / "doc"], f"berth: wrote 8 document files to {tmp_path / 'doc'}\n"),
        "audit": (["audit", spec, "--fail-on", "critical"], ""),
        "capacity": (["capacity", spec], ""),
        "cost": (["cost", spec, "--prices", PRICES], ""),
    }


@pytest.mark.parametrize("command", ["render", "docs", "audit", "capacity", "cost"])
def test_commands_other_than_check_count_the_notes(tmp_path, command):
    args, tail = quiet_commands(EXAMPLE, tmp_path)[command]
    r = berth(*args, env={"NO_COLOR": "1"})
    assert r.returncode == 0, r.stderr
    assert "note:" not in r.stderr
    if tail == "stderr-tail":
        lines = r.stderr.splitlines(keepends=True)
        assert lines[0] == NOTES and len(lines) == 2
        assert lines[1].startswith("berth: wrote ") and lines[1].endswith(f" files to {tmp_path / 'out'}\n")
    else:
        assert r.stderr == NOTES + tail


@pytest.mark.parametrize("command", ["render", "docs", "audit", "capacity", "cost"])
def test_commands_other_than_check_print_warnings_in_full(tmp_path, command):
    spec = tmp_path / "platform.yaml"
    spec.write_text(EXAMPLE.read_text().replace("    rpo: 24h\n", "    rpo: 1m\n"))
    (tmp_path / "versions.yaml").write_text((EXAMPLE.parent / "versions.yaml").read_text())
    args, _ = quiet_commands(spec, tmp_path)[command]
    r = berth(*args, env={"NO_COLOR": "1"})
    assert r.returncode == 0, r.stderr
    assert r.stderr.startswith(
        f"{spec}:191:3: warning: database 'main' has a recovery point of 5min, worse than its target rpo 1m\n"
        "  main:\n"
        "  ^\n"
        "0 errors, 1 warning\n" + NOTES)
    assert "note:" not in r.stderr


def test_check_still_lists_every_note():
    r = berth("check", EXAMPLE, env={"NO_COLOR": "1"})
    assert r.stderr.count(": note: ") == 14
    assert r.stderr.endswith("0 errors, 0 warnings, 14 notes\n")
