"""End-to-end tests of the delivery outputs: the kustomize layout against the plain render
(through the real kubectl kustomize), the Argo CD objects, the registry policy and the
local cluster configs.

Run by scripts/test.sh with BERTH_BIN pointing at the built executable.
"""
import os
import pathlib
import shutil
import subprocess
import sys

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
BERTH = os.environ.get("BERTH_BIN", str(ROOT / ".build" / "debug" / "berth"))
EXAMPLE = ROOT / "examples" / "acme" / "platform.yaml"
COMPARE = ROOT / "scripts" / "compare_kustomize.py"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("delivery") / "acme"
    r = subprocess.run([BERTH, "render", str(EXAMPLE), "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return out


def compare(path):
    return subprocess.run([sys.executable, str(COMPARE), str(path)], capture_output=True, text=True, timeout=300)


def docs(path):
    return [d for d in yaml.safe_load_all(path.read_text()) if d is not None]


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="needs kubectl")
def test_compare_kustomize_fails_on_a_broken_overlay(rendered, tmp_path):
    copy = tmp_path / "acme"
    shutil.copytree(rendered, copy)
    assert compare(copy).returncode == 0
    k = copy / "kustomize" / "overlays" / "production" / "prod-eu" / "api" / "kustomization.yaml"
    text = k.read_text()
    # a replica count patched wrong, and one object dropped from the overlay
    broken = text.replace("path: /spec/replicas\n      value: 3", "path: /spec/replicas\n      value: 4", 1)
    assert broken != text
    k.write_text(broken)
    objects = copy / "kustomize" / "overlays" / "staging" / "nonprod" / "objects.yaml"
    kept = [d for d in docs(objects) if not (d["kind"] == "ServiceAccount" and d["metadata"]["name"] == "web")]
    objects.write_text(yaml.safe_dump_all(kept))
    r = compare(copy)
    assert r.returncode == 1, r.stdout
    lines = r.stdout.splitlines()
    assert "kustomize/overlays/production/prod-eu: apps/v1 Deployment acme-production/api: at spec.replicas: plain 3 != kustomize 4" in lines
    assert "kustomize/overlays/staging/nonprod: missing v1 ServiceAccount acme-staging/web (in the plain render, not built by kustomize)" in lines
    # 371 before the team server and the gateway/cluster monitoring: the team server's 10
    # objects and its ledger's 4 (ipam.server) are in prod-eu's overlay (+14), and the gateway
    # data plane's PodMonitor and dashboard per environment, NGINX Gateway Fabric's PodMonitor,
    # the berth-cluster rules and the capacity dashboard per cluster (+17).
    assert lines[-1] == "compare_kustomize: 7 overlays, 402 objects, 2 differences"


def test_argocd_objects(rendered):
    project = docs(rendered / "argocd" / "project.yaml")[0]
    spec = project["spec"]
    assert spec["sourceRepos"] == ["https://git.acme.example/platform/deploy.git"]
    assert {(d["name"], d["namespace"]) for d in spec["destinations"]} == {
        ("nonprod", "acme-development"), ("nonprod", "acme-staging"),
        ("prod-eu", "acme-production"), ("prod-us", "acme-production"),
        ("nonprod", "velero"), ("prod-eu", "velero"), ("prod-us", "velero"),
        # the Falco rules and cluster autoscaler settings of each cluster's _cluster.yaml
        ("nonprod", "falco"), ("prod-eu", "falco"), ("prod-us", "falco"),
        ("nonprod", "kube-system"), ("prod-eu", "kube-system"), ("prod-us", "kube-system"),
        # the cluster alerts and capacity dashboard (monitoring) and the PodMonitor of NGINX
        # Gateway Fabric's control plane (nginx-gateway)
        ("nonprod", "monitoring"), ("prod-eu", "monitoring"), ("prod-us", "monitoring"),
        ("nonprod", "nginx-gateway"), ("prod-eu", "nginx-gateway"), ("prod-us", "nginx-gateway")}
    assert spec["clusterResourceWhitelist"] == [
        {"group": "", "kind": "Namespace"}, {"group": "cert-manager.io", "kind": "ClusterIssuer"},
        {"group": "external-secrets.io", "kind": "ClusterSecretStore"},
        {"group": "snapshot.storage.k8s.io", "kind": "VolumeSnapshotClass"}, {"group": "storage.k8s.io", "kind": "StorageClass"}]
    sets = {s["metadata"]["name"]: s for s in docs(rendered / "argocd" / "applicationsets.yaml")}
    assert sorted(sets) == ["acme-clusters", "acme-development", "acme-production", "acme-staging"]
    dev = sets["acme-development"]["spec"]["template"]["spec"]
    prod = sets["acme-production"]["spec"]["template"]["spec"]
    assert dev["syncPolicy"]["automated"] == {"prune": True, "selfHeal": True}
    assert "automated" not in prod["syncPolicy"]
    for p in (dev, prod):
        assert p["syncPolicy"]["syncOptions"] == ["CreateNamespace=false", "ServerSideApply=true", "RespectIgnoreDifferences=true"]
        assert p["syncPolicy"]["retry"] == {"limit": 5, "backoff": {"duration": "5s", "factor": 2, "maxDuration": "3m"}}
    # payments, search and backoffice run 1..1 in development: no HPA, so their replicas are not ignored there
    assert [d["name"] for d in dev["ignoreDifferences"]] == ["api", "web", "worker"]
    assert [d["name"] for d in prod["ignoreDifferences"]] == ["api", "backoffice", "payments", "search", "web", "worker"]
    elements = sets["acme-production"]["spec"]["generators"][0]["list"]["elements"]
    assert elements == [
        {"cluster": "prod-eu", "namespace": "acme-production", "path": "rendered/kustomize/overlays/production/prod-eu"},
        {"cluster": "prod-us", "namespace": "acme-production", "path": "rendered/kustomize/overlays/production/prod-us"}]
    for e in elements:
        assert (rendered / e["path"].removeprefix("rendered/") / "kustomization.yaml").is_file()


def test_sync_waves(rendered):
    waves = {}
    for f in sorted(rendered.glob("prod-eu/**/*.yaml")):
        for d in docs(f):
            waves.setdefault(d["kind"], set()).add(d["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"])
    assert waves["Namespace"] == {"-1"} and waves["ClusterIssuer"] == {"-1"}
    for kind in ("ServiceAccount", "Role", "RoleBinding", "NetworkPolicy", "ResourceQuota", "LimitRange",
                 "ExternalSecret", "Certificate", "Gateway"):
        assert waves[kind] == {"0"}, kind
    for kind in ("Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"):
        assert waves[kind] == {"1"}, kind
    assert waves["HTTPRoute"] == {"1"}


VALIDATE_REGISTRY = ROOT / "scripts" / "validate_registry.py"


def test_registry_policy_validates_and_a_broken_one_fails(rendered, tmp_path):
    ok = subprocess.run([sys.executable, str(VALIDATE_REGISTRY), str(rendered / "registry")], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout
    # 24: the team server's image adds the repository platform/berth (3 requests).
    assert ok.stdout.splitlines()[-1] == "validate_registry: 24 inputs, 0 errors"
    bad = tmp_path / "registry"
    shutil.copytree(rendered / "registry", bad)
    ecr = bad / "ecr.json"
    ecr.write_text(ecr.read_text().replace('"IMMUTABLE"', '"FROZEN"', 1).replace('"scanOnPush": true', '"scanOnPush": "yes"', 1))
    r = subprocess.run([sys.executable, str(VALIDATE_REGISTRY), str(bad)], capture_output=True, text=True)
    assert r.returncode == 1
    assert "ecr.json: repositories[0] (platform/berth) PutImageTagMutability: input.imageTagMutability: 'FROZEN' is not one of MUTABLE, IMMUTABLE" in r.stdout
    assert "ecr.json: repositories[0] (platform/berth) PutImageScanningConfiguration: Invalid type for parameter imageScanningConfiguration.scanOnPush" in r.stdout


KIND_TOP = {"kind", "apiVersion", "name", "nodes", "networking", "featureGates", "runtimeConfig",
            "kubeadmConfigPatches", "kubeadmConfigPatchesJSON6902", "containerdConfigPatches", "containerdConfigPatchesJSON6902"}
KIND_NODE = {"role", "image", "labels", "extraMounts", "extraPortMappings", "kubeadmConfigPatches", "kubeadmConfigPatchesJSON6902"}


def test_local_kind_config_is_a_kind_cluster_matching_the_pools(rendered):
    assert sorted(p.name for p in (rendered / "local").iterdir()) == ["development-kind.yaml"]
    cfg = yaml.safe_load((rendered / "local" / "development-kind.yaml").read_text())
    assert cfg["kind"] == "Cluster" and cfg["apiVersion"] == "kind.x-k8s.io/v1alpha4"
    assert set(cfg) <= KIND_TOP and cfg["name"] == "acme-development"
    nodes = cfg["nodes"]
    assert all(set(n) <= KIND_NODE for n in nodes)
    assert [n["role"] for n in nodes].count("control-plane") == 1
    # nonprod: general min 2, batch min 0 (one worker so batch pods can run), batch tainted
    workers = [n for n in nodes if n["role"] == "worker"]
    assert [n["labels"]["eks.amazonaws.com/nodegroup"] for n in workers] == ["general", "general", "batch"]
    patch = yaml.safe_load(workers[2]["kubeadmConfigPatches"][0])
    assert patch == {"kind": "JoinConfiguration",
                     "nodeRegistration": {"kubeletExtraArgs": {"register-with-taints": "workload=batch:NoSchedule"}}}
    assert "kubeadmConfigPatches" not in workers[0]
