"""End-to-end tests of the cluster add-ons (`addons/`): what `berth render` writes for every
example, every namespace an object uses covered by the platform, the system or an add-on, `addons.<name>.version` in
`berth check`, and `berth diff` on add-on changes.

Run by scripts/test.sh with BERTH_BIN pointing at the built executable.
"""
import os
import pathlib
import shutil
import subprocess

import pytest

from berthrun import docs

ROOT = pathlib.Path(__file__).resolve().parents[2]
BERTH = os.environ.get("BERTH_BIN", str(ROOT / ".build" / "debug" / "berth"))
# The weak spec is refused by check (plain credentials), so it renders no add-ons.
EXAMPLES = ["acme", "onprem", "onprem-mesh", "twin"]


def berth(*args, env=None):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([BERTH, *map(str, args)], capture_output=True, text=True, timeout=300, env=e)


def edited(tmp_path, name, old, new, example="acme"):
    d = tmp_path / name
    shutil.copytree(ROOT / "examples" / example, d)
    spec = d / "platform.yaml"
    text = spec.read_text()
    assert old in text
    spec.write_text(text.replace(old, new, 1))
    return spec


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_example_renders_addons_for_every_namespace_it_uses(tmp_path, example):
    out = tmp_path / "out"
    r = berth("render", ROOT / "examples" / example / "platform.yaml", "--out", out)
    assert r.returncode == 0, r.stderr
    project = docs(out / "addons" / "project.yaml")[0]
    assert project["metadata"]["name"].endswith("-addons")
    allowed = {(d["name"], d["namespace"]) for d in project["spec"]["destinations"]}
    apps = {}
    for f in sorted((out / "addons").glob("*/*.yaml")):
        if f.parent.name == "bootstrap":
            continue
        (app,) = docs(f)
        assert app["kind"] == "Application" and app["spec"]["project"] == project["metadata"]["name"]
        dest = app["spec"]["destination"]
        assert (dest["name"], dest["namespace"]) in allowed
        assert "CreateNamespace=true" in app["spec"]["syncPolicy"]["syncOptions"]
        apps.setdefault(dest["name"], set()).add(dest["namespace"])
    # every destination is used by an application: the project allows nothing more
    assert allowed == {(c, ns) for c, spaces in apps.items() for ns in spaces}
    # every namespace a cluster's objects live in is the platform's, a system one, or an add-on's
    system = {"kube-system", "kube-public", "default", "argocd"}
    for cluster in apps:
        own = {d["metadata"]["name"] for f in (out / cluster).rglob("*.yaml") for d in docs(f) if d["kind"] == "Namespace"}
        used = {d["metadata"]["namespace"] for f in (out / cluster).rglob("*.yaml") for d in docs(f) if d["metadata"].get("namespace")}
        assert used <= own | system | apps[cluster], (cluster, used - own - system - apps[cluster])


def test_no_mesh_no_mesh_addon_and_snippets_follow_the_filter(tmp_path):
    out = tmp_path / "acme"
    assert berth("render", ROOT / "examples/acme/platform.yaml", "--out", out).returncode == 0
    names = {f.stem for f in (out / "addons").glob("*/*.yaml")}
    assert not names & {"istio-base", "istiod", "linkerd-crds", "linkerd-control-plane", "ingress-nginx"}
    ngf = docs(out / "addons/prod-eu/nginx-gateway-fabric.yaml")[0]
    assert ngf["spec"]["source"]["helm"]["valuesObject"]["nginxGateway"]["snippetsFilters"] == {"enable": True}
    lab = tmp_path / "lab"
    assert berth("render", ROOT / "examples/onprem-mesh/platform.yaml", "--out", lab).returncode == 0
    assert {"istio-base", "istiod"} <= {f.stem for f in (lab / "addons/lab").glob("*.yaml")}


def test_root_application_orders_addons_before_workloads(tmp_path):
    out = tmp_path / "out"
    assert berth("render", ROOT / "examples/acme/platform.yaml", "--out", out).returncode == 0
    root = docs(out / "addons/root.yaml")[0]
    assert [s["path"] for s in root["spec"]["sources"]] == ["rendered/addons", "rendered/argocd"]
    waves = {f.stem: int(docs(f)[0]["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"]) for f in (out / "addons/prod-eu").glob("*.yaml")}
    workload = [int(d["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"]) for d in docs(out / "argocd/applicationsets.yaml")]
    assert waves["gateway-api"] < waves["nginx-gateway-fabric"] and waves["cert-manager"] < waves["external-dns"]
    assert max(waves.values()) < min(workload)


def test_old_or_unknown_addon_version_is_refused(tmp_path):
    spec = edited(tmp_path, "old", "security:\n", "addons:\n  cert-manager: { version: v0.16.1 }\n  mesh: {}\nsecurity:\n")
    r = berth("check", spec)
    assert r.returncode != 0
    assert "error: addons.cert-manager.version v0.16.1 is older than v1.0.0, the first cert-manager version serving cert-manager.io/v1 Certificate, which berth writes" in r.stdout + r.stderr
    assert "error: addons.mesh is not an add-on berth installs; known: " in r.stdout + r.stderr


def test_diff_addon_version_disruptive_and_wider_dns_security_sensitive(tmp_path):
    old = ROOT / "examples/acme/platform.yaml"
    up = edited(tmp_path, "up", "security:\n", "addons:\n  velero: { version: 12.2.0 }\nsecurity:\n")
    r = berth("diff", old, up)
    assert ("disruptive: changed addons/argocd/Application/acme-velero-prod-eu: spec.source.targetRevision "
            "(add-on velero version changes from 12.1.0 to 12.2.0: its controller and CRDs are replaced)") in r.stdout
    wide = edited(tmp_path, "wide", "zones: [acme.example]", "zones: [acme.example, acme.net]")
    r = berth("diff", old, wide)
    assert any(line.startswith("security-sensitive: changed addons/argocd/Application/acme-external-dns-prod-eu: ")
               and "add-on external-dns may write DNS for more domainFilters: acme.net" in line for line in r.stdout.splitlines()), r.stdout


def test_values_validator_catches_bad_values(tmp_path):
    """scripts/validate_addons.py fails on a wrong type (schema), an unknown key (values.yaml)
    and a version other than the one the chart files were copied from."""
    import sys
    out = tmp_path / "out"
    assert berth("render", ROOT / "examples/acme/platform.yaml", "--out", out).returncode == 0
    cmd = [sys.executable, str(ROOT / "scripts/validate_addons.py"), "--schemas", str(ROOT / "Tests/data/addon-schemas")]
    ok = subprocess.run(cmd + [str(out)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout
    dns = out / "addons/prod-eu/external-dns.yaml"
    dns.write_text(dns.read_text().replace("txtOwnerId: acme-prod-eu", "txtOwnerId: 5").replace("        sources:", "        sourcez:"))
    ms = out / "addons/prod-eu/metrics-server.yaml"
    ms.write_text(ms.read_text().replace("        replicas: 2", "        replicaz: 2"))
    cm = out / "addons/nonprod/cert-manager.yaml"
    cm.write_text(cm.read_text().replace("targetRevision: v1.21.1", "targetRevision: v1.20.0"))
    bad = subprocess.run(cmd + ["--require", "cert-manager,istiod", str(out)], capture_output=True, text=True)
    assert bad.returncode == 1
    lines = bad.stdout.splitlines()
    assert f"FAIL {dns}: external-dns values txtOwnerId: 5 is not of type 'string', 'null'" in lines
    assert f"FAIL {dns}: external-dns values sourcez: no such key in the chart's values.yaml or values.schema.json" in lines
    assert f"FAIL {ms}: metrics-server values replicaz: no such key in the chart's values.yaml or values.schema.json" in lines
    assert f"FAIL {cm}: cert-manager v1.20.0 is pinned, but the copied chart file is from v1.21.1" in lines
    assert "FAIL istiod: no rendered Application of this chart was checked" in lines


def validator(*args):
    import sys
    cmd = [sys.executable, str(ROOT / "scripts/validate_addons.py"), "--schemas", str(ROOT / "Tests/data/addon-schemas")]
    return subprocess.run(cmd + [str(a) for a in args], capture_output=True, text=True)


def test_every_rendered_chart_has_an_upstream_values_file(tmp_path):
    """Every chart an example (or the Ceph and Linkerd variants) renders is checked against a
    file copied from the chart's repository: none is left with "no chart file"."""
    roots = []
    for e in EXAMPLES:
        out = tmp_path / e
        assert berth("render", ROOT / "examples" / e / "platform.yaml", "--out", out).returncode == 0
        roots.append(out)
    ceph = edited(tmp_path, "ceph", "storage: longhorn }", 'storage: ceph-rbd, cephMonitors: ["10.20.0.11:6789"] }', example="onprem")
    r = berth("render", ceph, "--out", tmp_path / "ceph-out")
    assert r.returncode == 0, r.stdout + r.stderr
    roots.append(tmp_path / "ceph-out")
    r = validator("--require", "cluster-autoscaler,base,istiod,longhorn,minio,ceph-csi-rbd", *roots)
    assert r.returncode == 0, r.stdout
    assert r.stdout.splitlines()[-1].endswith("; no chart file for none; 0 failures"), r.stdout


def test_values_validator_checks_the_newly_copied_charts(tmp_path):
    """An unknown cluster-autoscaler flag, an istiod key that Istio's defaults (below
    `_internal_defaults_do_not_set`) do not have, and an unknown Longhorn setting fail;
    istiod's meshConfig (Istio's MeshConfig, passed through whole) does not."""
    acme, lab, mesh = tmp_path / "acme", tmp_path / "lab", tmp_path / "mesh"
    for e, out in (("acme", acme), ("onprem", lab), ("onprem-mesh", mesh)):
        assert berth("render", ROOT / "examples" / e / "platform.yaml", "--out", out).returncode == 0
    ca = acme / "addons/prod-eu/cluster-autoscaler.yaml"
    ca.write_text(ca.read_text().replace("expander: least-waste", "expandr: least-waste"))
    istiod = mesh / "addons/lab/istiod.yaml"
    assert "meshID: lab" in istiod.read_text()
    istiod.write_text(istiod.read_text().replace("meshID: lab", "meshId: lab"))
    lh = lab / "addons/lab/longhorn.yaml"
    lh.write_text(lh.read_text().replace("defaultReplicaCount:", "defaultReplicas:"))
    r = validator(acme, lab, mesh)
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert f"FAIL {ca}: cluster-autoscaler values extraArgs.expandr: no such flag in the chart's values.yaml (keys or commented examples)" in lines
    assert f"FAIL {istiod}: istiod values global.meshId: no such key in the chart's values.yaml or values.schema.json" in lines
    assert f"FAIL {lh}: longhorn values defaultSettings.defaultReplicas: no such key in the chart's values.yaml or values.schema.json" in lines
    assert len([l for l in lines if l.startswith("FAIL ")]) == 3, r.stdout


def test_linkerd_server_v1beta3_needs_chart_2024_7_4(tmp_path):
    """policy.linkerd.io/v1beta3 Server first shipped in linkerd-crds 2024.7.4 (edge-24.7.4);
    an older pin is refused, that one accepted."""
    spec = edited(tmp_path, "old", "  mesh: istio", "  mesh: linkerd", example="onprem-mesh")
    text = spec.read_text()
    spec.write_text(text.replace("\nsecurity:", "\naddons:\n  linkerd-crds: { version: 2024.7.3 }\nsecurity:", 1))
    r = berth("check", spec)
    assert r.returncode == 1
    assert ("error: addons.linkerd-crds.version 2024.7.3 is older than 2024.7.4, the first linkerd-crds version "
            "serving policy.linkerd.io/v1beta3 Server, which berth writes") in r.stderr + r.stdout
    spec.write_text(spec.read_text().replace("version: 2024.7.3", "version: 2024.7.4"))
    r = berth("check", spec)
    assert r.returncode == 0, r.stdout + r.stderr


def test_addon_application_without_its_project_exits_3_and_writes_nothing(tmp_path):
    """The reference check follows every add-on Application to the `<platform>-addons`
    AppProject: without it (dropped on purpose through BERTH_TEST_DROP_OBJECT) the render is
    refused with exit 3 and nothing is written."""
    out = tmp_path / "out"
    env = {"BERTH_TEST_DROP_OBJECT": "argocd/AppProject/argocd/acme-addons"}
    r = berth("render", ROOT / "examples/acme/platform.yaml", "--out", out, env=env)
    assert r.returncode == 3, r.stderr
    assert "internal error:" in r.stderr and "nothing was written" in r.stderr
    assert ("argocd: Application argocd/acme-velero-prod-eu spec.project refers to AppProject acme-addons, "
            "which nothing in the render creates") in r.stderr, r.stderr
    assert not out.exists()
