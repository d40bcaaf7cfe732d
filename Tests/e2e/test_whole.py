"""End-to-end tests of the reference check: every example renders with zero unresolved
references, and a reference broken on purpose (through the test hook that drops one rendered
object) stops the render with exit 3, naming both objects, and writes nothing.

Run by scripts/test.sh with BERTH_BIN pointing at the built executable.
"""
import pathlib

import pytest

from berthrun import ROOT, berth

# The weak spec is refused by check (plain credentials), so render never reaches it.
EXAMPLES = ["acme", "twin", "onprem", "onprem-mesh", "gcp", "azure"]




def tree(path: pathlib.Path) -> dict:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("name", EXAMPLES)
def test_examples_render_with_every_reference_resolved(name, tmp_path):
    r = berth("render", ROOT / "examples" / name / "platform.yaml", "--out", tmp_path / "out")
    assert r.returncode == 0, r.stderr
    assert "unresolved reference" not in r.stderr


@pytest.mark.parametrize("drop,expected", [
    ("prod-eu/ServiceAccount/acme-production/api",
     "prod-eu: Deployment acme-production/api spec.template.spec.serviceAccountName refers to ServiceAccount acme-production/api"),
    ("prod-eu/Pooler/acme-production/main-pooler-rw",
     "prod-eu: Deployment acme-production/api env DATABASE_MAIN_HOST refers to Service acme-production/main-pooler-rw"),
    ("prod-us/EndpointSlice/acme-production/main-remote-1",
     "prod-us: Service acme-production/main-remote spec.selector refers to an EndpointSlice for Service acme-production/main-remote"),
    ("prod-eu/Certificate/acme-production/web-tls",
     "prod-eu: Gateway acme-production/acme listener web-https certificateRefs refers to Secret acme-production/web-tls"),
    ("nonprod/StorageClass//fast",
     "nonprod: StatefulSet acme-development/search volumeClaimTemplates refers to StorageClass fast"),
    ("prod-eu/Service/acme-production/api",
     "prod-eu: ServiceMonitor acme-production/api spec.endpoints port metrics refers to a Service of acme-production "
     "labelled {app.kubernetes.io/instance=api-production,app.kubernetes.io/name=api} with a port named metrics"),
])
def test_broken_reference_exits_3_and_writes_nothing(drop, expected, tmp_path):
    out = tmp_path / "out"
    first = berth("render", ROOT / "examples" / "acme" / "platform.yaml", "--out", out)
    assert first.returncode == 0, first.stderr
    before = tree(out)
    r = berth("render", ROOT / "examples" / "acme" / "platform.yaml", "--out", out, env={"BERTH_TEST_DROP_OBJECT": drop})
    assert r.returncode == 3, r.stderr
    assert "internal error:" in r.stderr and "nothing was written" in r.stderr
    assert expected + ", which nothing in the render creates" in r.stderr, r.stderr
    assert tree(out) == before
    fresh = tmp_path / "fresh"
    r = berth("render", ROOT / "examples" / "acme" / "platform.yaml", "--out", fresh, env={"BERTH_TEST_DROP_OBJECT": drop})
    assert r.returncode == 3 and not fresh.exists()


def test_workload_applicationsets_are_checked_against_their_project(tmp_path):
    """With GitOps the render checks the workload ApplicationSets too: without their AppProject
    (dropped on purpose) the render stops with exit 3, naming both, and writes nothing."""
    out = tmp_path / "out"
    r = berth("render", ROOT / "examples" / "twin" / "platform.yaml", "--out", out,
              env={"BERTH_TEST_DROP_OBJECT": "argocd/AppProject/argocd/twin"})
    assert r.returncode == 3, r.stderr
    assert "nothing was written" in r.stderr
    assert "argocd: ApplicationSet argocd/twin-production spec.template.spec.project refers to AppProject twin, which nothing in the render creates" in r.stderr, r.stderr
    assert not out.exists()


def test_external_monitoring_stack_renders_without_a_second_prometheus(tmp_path):
    """monitoring.stack: external: the platform's own Prometheus Operator serves the monitoring
    kinds and scrapes from its namespace, so the render installs no kube-prometheus-stack and
    every reference (the scrape policies' namespace included) resolves."""
    spec_dir = tmp_path / "spec"
    spec_dir.mkdir()
    for f in (ROOT / "examples" / "acme").iterdir():
        if f.is_file():
            (spec_dir / f.name).write_bytes(f.read_bytes())
    spec = spec_dir / "platform.yaml"
    text = spec.read_text()
    assert "  stack: kube-prometheus-stack\n" in text
    spec.write_text(text.replace("  stack: kube-prometheus-stack\n",
                                 "  stack: external\n  namespace: observability\n  selector: { release: platform }\n"))
    out = tmp_path / "out"
    r = berth("render", spec, "--out", out)
    assert r.returncode == 0, r.stderr
    assert not list(out.glob("addons/*/kube-prometheus-stack.yaml"))
    policies = (out / "prod-eu" / "acme-production" / "api.yaml").read_text()
    assert "kubernetes.io/metadata.name: observability" in policies
    assert "kind: ServiceMonitor" in policies and "release: platform" in policies
