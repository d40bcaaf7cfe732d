"""End-to-end tests of Linkerd's identity chain (`network.mesh: linkerd`): the trust anchor,
the issuer Certificate `linkerd/linkerd-identity-issuer` and the trust roots Bundle, rendered
only with a Linkerd mesh and resolved by the built-in reference check (exit 3 otherwise).

Run by scripts/test.sh with BERTH_BIN pointing at the built executable.
"""
import functools
import shutil

import pytest

import berthrun
from berthrun import ROOT, docs

# The renders here are large: a longer timeout than the default.
berth = functools.partial(berthrun.berth, timeout=300)


def linkerd_spec(tmp_path):
    d = tmp_path / "spec"
    shutil.copytree(ROOT / "examples" / "onprem-mesh", d)
    spec = d / "platform.yaml"
    text = spec.read_text()
    assert "  mesh: istio" in text
    spec.write_text(text.replace("  mesh: istio", "  mesh: linkerd", 1))
    return spec


def by_kind_name(objs):
    return {(o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]): o for o in objs}


def test_linkerd_identity_chain_is_rendered_and_resolves(tmp_path):
    out = tmp_path / "out"
    r = berth("render", linkerd_spec(tmp_path), "--out", out)
    assert r.returncode == 0, r.stderr
    objs = by_kind_name(docs(out / "lab/_cluster.yaml"))
    issuer = objs[("Certificate", "linkerd", "linkerd-identity-issuer")]["spec"]
    assert issuer["secretName"] == "linkerd-identity-issuer" and issuer["isCA"] is True
    assert issuer["commonName"] == "identity.linkerd.cluster.local"
    assert issuer["issuerRef"] == {"name": "linkerd-trust-anchor", "kind": "ClusterIssuer", "group": "cert-manager.io"}
    assert objs[("ClusterIssuer", "", "linkerd-trust-anchor")]["spec"] == {"ca": {"secretName": "linkerd-trust-anchor"}}
    anchor = objs[("Certificate", "cert-manager", "linkerd-trust-anchor")]["spec"]
    assert anchor["isCA"] is True and anchor["issuerRef"]["name"] == "linkerd-selfsigned"
    assert ("ClusterIssuer", "", "linkerd-selfsigned") in objs
    bundle = objs[("Bundle", "", "linkerd-identity-trust-roots")]["spec"]
    assert bundle["sources"] == [{"secret": {"name": "linkerd-trust-anchor", "key": "ca.crt"}}]
    assert bundle["target"]["configMap"] == {"key": "ca-bundle.crt"}
    assert bundle["target"]["namespaceSelector"] == {"matchLabels": {"kubernetes.io/metadata.name": "linkerd"}}
    # The control plane reads them (externalCA), trust-manager serves the Bundle, and it syncs
    # after the workload ApplicationSets that apply _cluster.yaml.
    cp = docs(out / "addons/lab/linkerd-control-plane.yaml")[0]
    assert cp["spec"]["source"]["helm"]["valuesObject"]["identity"] == {"externalCA": True, "issuer": {"scheme": "kubernetes.io/tls"}}
    assert int(cp["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"]) > 10
    tm = docs(out / "addons/lab/trust-manager.yaml")[0]
    assert tm["spec"]["source"]["targetRevision"] == "v0.24.0"
    project = docs(out / "addons/project.yaml")[0]
    assert {"group": "trust.cert-manager.io", "kind": "Bundle"} in project["spec"]["clusterResourceWhitelist"]


def test_no_linkerd_no_identity_chain(tmp_path):
    out = tmp_path / "out"
    assert berth("render", ROOT / "examples/onprem-mesh/platform.yaml", "--out", out).returncode == 0
    text = (out / "lab/_cluster.yaml").read_text()
    assert "linkerd" not in text and "kind: Bundle" not in text
    assert not (out / "addons/lab/trust-manager.yaml").exists()


@pytest.mark.parametrize("drop,expected", [
    ("lab/Certificate/linkerd/linkerd-identity-issuer",
     "lab: Server lab-production/api linkerd identity issuer refers to Secret linkerd/linkerd-identity-issuer"),
    ("lab/Bundle//linkerd-identity-trust-roots",
     "lab: Server lab-production/api linkerd identity trust roots refers to ConfigMap linkerd/linkerd-identity-trust-roots"),
    ("lab/Certificate/cert-manager/linkerd-trust-anchor",
     "lab: Bundle linkerd-identity-trust-roots spec.sources.secret refers to Secret cert-manager/linkerd-trust-anchor"),
    ("lab/ClusterIssuer//linkerd-trust-anchor",
     "lab: Certificate linkerd/linkerd-identity-issuer spec.issuerRef refers to ClusterIssuer linkerd-trust-anchor"),
])
def test_broken_linkerd_identity_exits_3(drop, expected, tmp_path):
    out = tmp_path / "out"
    r = berth("render", linkerd_spec(tmp_path), "--out", out, env={"BERTH_TEST_DROP_OBJECT": drop})
    assert r.returncode == 3, r.stderr
    assert expected in r.stderr, r.stderr
    assert not out.exists()
