"""End-to-end tests of `ipam.server`: the acme example renders the IP ledger's team server in
production on prod-eu (and nowhere else), the objects pass the strict Kubernetes and CRD
schemas and `kubectl kustomize` builds them through the Argo CD overlay, every reference
resolves (a dropped credentials Secret stops the render), no password is written, and
`berth check` refuses a malformed `ipam.server` at its line and column.

Run by scripts/test.sh with BERTH_BIN pointing at the built executable.
"""
import pathlib
import shutil
import subprocess
import sys

import pytest
import yaml

from berthrun import ROOT, ACME, berth, docs


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("ipam") / "out"
    r = berth("render", ACME, "--out", out)
    assert r.returncode == 0, r.stderr
    assert "unresolved reference" not in r.stderr
    return out


def test_acme_renders_the_team_server_in_production_on_prod_eu_only(rendered):
    found = sorted(str(p.relative_to(rendered)) for p in rendered.rglob("*.yaml")
                   if "berth-ipam" in p.name and p.parts[len(rendered.parts)] not in ("kustomize", "helm", "infra"))
    assert found == ["prod-eu/acme-production/_database-berth-ipam-ledger.yaml", "prod-eu/acme-production/berth-ipam.yaml"]
    objs = docs(rendered / "prod-eu" / "acme-production" / "berth-ipam.yaml")
    assert [o["kind"] for o in objs] == ["ServiceAccount", "Deployment", "Service", "PodDisruptionBudget", "NetworkPolicy",
                                        "Certificate", "HTTPRoute", "VerticalPodAutoscaler", "ExternalSecret", "ServiceMonitor"]
    dep = next(o for o in objs if o["kind"] == "Deployment")
    assert dep["spec"]["replicas"] == 3
    c = dep["spec"]["template"]["spec"]["containers"][0]
    assert c["image"] == "registry.acme.example/platform/berth:0.1.0"
    assert c["command"] == ["berth"]
    assert c["args"] == ["serve", "--store", "postgres://app@berth-ipam-ledger-rw:5432/app?sslmode=require", "--listen", "0.0.0.0:8080"]
    assert c["env"][0] == {"name": "PGPASSWORD", "valueFrom": {"secretKeyRef": {"name": "berth-ipam-ledger-owner", "key": "password"}}}
    assert c["livenessProbe"]["httpGet"]["path"] == "/healthz" and c["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert c["securityContext"]["readOnlyRootFilesystem"] is True and c["securityContext"]["runAsNonRoot"] is True
    route = next(o for o in objs if o["kind"] == "HTTPRoute")
    assert route["spec"]["hostnames"] == ["ipam.acme.example"]
    assert route["spec"]["parentRefs"] == [{"name": "acme", "sectionName": "berth-ipam-https"}]
    monitor = next(o for o in objs if o["kind"] == "ServiceMonitor")
    assert monitor["spec"]["endpoints"][0]["path"] == "/metrics"
    assert monitor["spec"]["endpoints"][0]["authorization"]["credentials"] == {"name": "berth-ipam-metrics-token", "key": "token"}
    policy = next(o for o in objs if o["kind"] == "NetworkPolicy")
    assert [r["from"][0] for r in policy["spec"]["ingress"]] == [
        {"podSelector": {"matchLabels": {"gateway.networking.k8s.io/gateway-name": "acme"}}},
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}},
    ]
    assert policy["spec"]["egress"] == [{"to": [{"podSelector": {"matchLabels": {"cnpg.io/cluster": "berth-ipam-ledger"}}}],
                                         "ports": [{"protocol": "TCP", "port": 5432}]}]
    ledger = docs(rendered / "prod-eu" / "acme-production" / "_database-berth-ipam-ledger.yaml")
    cluster = next(o for o in ledger if o["kind"] == "Cluster")
    assert cluster["spec"]["instances"] == 2
    main = next(o for o in docs(rendered / "prod-eu" / "acme-production" / "_database-main.yaml") if o["kind"] == "Cluster")
    assert cluster["spec"]["backup"]["retentionPolicy"] == main["spec"]["backup"]["retentionPolicy"]
    assert cluster["spec"]["backup"]["barmanObjectStore"]["destinationPath"] == "s3://acme-production-backups/berth-ipam-ledger"
    gateway = next(o for o in docs(rendered / "prod-eu" / "acme-production" / "_namespace.yaml") if o["kind"] == "Gateway")
    assert any(l.get("hostname") == "ipam.acme.example" for l in gateway["spec"]["listeners"])


def test_no_password_is_written(rendered):
    for p in rendered.rglob("*"):
        if p.is_file():
            text = p.read_text(errors="replace")
            assert "postgres://app:" not in text, p
            assert "PGPASSWORD=" not in text, p


def test_argo_cd_syncs_it_with_productions_other_workloads(rendered):
    overlay = yaml.safe_load((rendered / "kustomize" / "overlays" / "production" / "prod-eu" / "kustomization.yaml").read_text())
    assert {"berth-ipam", "_database-berth-ipam-ledger"} <= set(overlay["resources"])
    for env, cluster in [("production", "prod-us"), ("staging", "nonprod"), ("development", "nonprod")]:
        other = yaml.safe_load((rendered / "kustomize" / "overlays" / env / cluster / "kustomization.yaml").read_text())
        assert "berth-ipam" not in other["resources"], (env, cluster)
    sets = (rendered / "argocd" / "applicationsets.yaml").read_text()
    # The production ApplicationSet syncs prod-eu's overlay, which holds the server and its ledger.
    assert "path: rendered/kustomize/overlays/production/prod-eu\n" in sets


def test_strict_schemas_and_kustomize_build(rendered):
    v = subprocess.run([sys.executable, str(ROOT / "scripts" / "validate_k8s.py"), "--k8s-version", "1.31",
                        "--crd-schemas", str(ROOT / "Tests" / "data" / "schemas"), str(rendered / "prod-eu")],
                       capture_output=True, text=True, timeout=300)
    assert v.returncode == 0, v.stdout + v.stderr
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl is not installed (scripts/test.sh runs compare_kustomize on the whole render)")
    k = subprocess.run([sys.executable, str(ROOT / "scripts" / "compare_kustomize.py"), str(rendered)],
                       capture_output=True, text=True, timeout=600)
    assert k.returncode == 0, k.stdout + k.stderr


def test_a_dropped_ledger_secret_stops_the_render(tmp_path):
    r = berth("render", ACME, "--out", tmp_path / "out",
              env={"BERTH_TEST_DROP_OBJECT": "prod-eu/ExternalSecret/acme-production/berth-ipam-ledger-owner"})
    assert r.returncode == 3, r.stderr
    assert ("prod-eu: Deployment acme-production/berth-ipam env PGPASSWORD refers to Secret "
            "acme-production/berth-ipam-ledger-owner, which nothing in the render creates") in r.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("old,new,expected", [
    ("    cluster: prod-eu\n", "    cluster: nonprod\n",
     "{spec}:262:14: error: ipam.server runs on cluster 'nonprod', which is not a cluster of environment 'production' (its clusters: prod-eu, prod-us)"),
    ("    hostname: ipam.acme.example\n", "    hostname: ipam.example.org\n",
     "{spec}:265:15: error: ipam.server.hostname 'ipam.example.org' is outside the domain 'acme.example' of environment 'production'; use the domain or a name under it (e.g. ipam.acme.example)"),
    ("    port: 8080\n    resources: { cpu: 250m", "    port: 443\n    resources: { cpu: 250m",
     "{spec}:267:11: error: 'ipam.server.port' is 443, must be from 1024 to 65535"),
    ("    image: registry.acme.example/platform/berth:0.1.0\n", "    image: registry.acme.example/platform/berth:latest\n",
     "{spec}:266:12: error: service 'berth-ipam' uses the moving tag 'latest'; pin a version (e.g. 1.4.2) or a digest"),
])
def test_check_refuses_a_malformed_ipam_server_at_its_location(tmp_path, old, new, expected):
    text = ACME.read_text()
    assert old in text
    spec = tmp_path / "platform.yaml"
    spec.write_text(text.replace(old, new))
    shutil.copy(ACME.parent / "versions.yaml", tmp_path / "versions.yaml")
    shutil.copy(ACME.parent / "ip-plan.lock", tmp_path / "ip-plan.lock")
    r = berth("check", spec)
    assert r.returncode != 0
    assert expected.format(spec=spec) in r.stderr.splitlines(), r.stderr
