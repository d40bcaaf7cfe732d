"""End-to-end tests of `berth diff`: specs and render folders, text and JSON, exit codes.

Run by scripts/test.sh with BERTH_BIN pointing at the built executable.
"""
import json
import os
import pathlib
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BERTH = os.environ.get("BERTH_BIN", str(ROOT / ".build" / "debug" / "berth"))
EXAMPLE = ROOT / "examples" / "acme"


def berth(*args):
    return subprocess.run([BERTH, *map(str, args)], capture_output=True, text=True, timeout=300)


def edited(tmp_path, name, old, new):
    """A copy of the example (with its versions file and lock) with one edit."""
    d = tmp_path / name
    shutil.copytree(EXAMPLE, d)
    spec = d / "platform.yaml"
    text = spec.read_text()
    assert old in text
    spec.write_text(text.replace(old, new, 1))
    return spec


def test_no_changes_exit_0():
    r = berth("diff", EXAMPLE / "platform.yaml", EXAMPLE / "platform.yaml")
    assert (r.returncode, r.stdout, r.stderr) == (0, "no changes\n", "")


@pytest.mark.parametrize("old,new,line", [
    ("    replicas: { min: 3, max: 20, cpu: 70 }", "    replicas: { min: 4, max: 20, cpu: 70 }",
     "safe: changed prod-eu/acme-production/Deployment/web: spec.replicas"),
    ("volumes: { index: { size: 20Gi", "volumes: { index: { size: 10Gi",
     "disruptive: changed spec (volume 'index' of service 'search' shrinks from 20Gi to 10Gi; volumes can grow but never shrink)"),
    ("storage: { size: 100Gi, class: fast }", "storage: { size: 50Gi, class: fast }",
     "disruptive: changed spec (database 'main' storage shrinks from 100Gi to 50Gi; volumes can grow but never shrink)"),
    ("    talksTo: [api, search]", "    talksTo: [api, search, payments]",
     "security-sensitive: changed prod-us/acme-production/NetworkPolicy/payments: spec.ingress[0].from (NetworkPolicy allows new ingress peers or ports)"),
    ("podSecurity: restricted", "podSecurity: privileged",
     "security-sensitive: changed nonprod/Namespace/acme-staging: metadata.labels.pod-security.kubernetes.io/enforce, "
     "metadata.labels.pod-security.kubernetes.io/audit, metadata.labels.pod-security.kubernetes.io/warn "
     "(Pod Security enforce loosened from restricted to privileged; Pod Security audit loosened from restricted to privileged; "
     "Pod Security warn loosened from restricted to privileged)"),
    ("    backoffice: { role: edit, environments: [development, staging] }",
     "    backoffice: { role: edit, environments: [development, staging, production] }",
     "security-sensitive: added prod-eu/acme-production/RoleBinding/team-backoffice (new RoleBinding grants berth-edit)"),
    ("uses: [bucket/uploads:read]", "uses: [bucket/uploads]",
     "security-sensitive: changed buckets/staging/uploads.policy.json: Statement (bucket policy allows more (4 new grants))"),
])
def test_specs_one_edit_each_class(tmp_path, old, new, line):
    r = berth("diff", EXAMPLE / "platform.yaml", edited(tmp_path, "new", old, new))
    assert r.returncode == 1, r.stderr
    assert line in r.stdout.splitlines(), r.stdout


def test_json_and_render_folders(tmp_path):
    new = edited(tmp_path, "new", "    talksTo: [api, search]", "    talksTo: [api, search, payments]")
    a, b = tmp_path / "out-a", tmp_path / "out-b"
    assert berth("render", EXAMPLE / "platform.yaml", "--out", a).returncode == 0
    assert berth("render", new, "--out", b).returncode == 0
    r = berth("diff", a, b, "--format", "json")
    assert r.returncode == 1, r.stderr
    out = json.loads(r.stdout)
    assert out["summary"] == {"total": 8, "safe": 0, "disruptive": 0, "security-sensitive": 8}
    first = out["changes"][0]
    assert first == {"change": "changed", "key": "nonprod/acme-development/NetworkPolicy/payments", "class": "security-sensitive",
                     "classes": ["security-sensitive"], "paths": ["spec.ingress[0].from"],
                     "reasons": ["NetworkPolicy allows new ingress peers or ports"]}
    # a folder against a spec: the same changes
    mixed = berth("diff", a, new, "--format", "json")
    assert mixed.returncode == 1 and json.loads(mixed.stdout) == out
    # a folder against itself
    assert berth("diff", a, a).returncode == 0


def test_errors_exit_2(tmp_path):
    r = berth("diff", EXAMPLE / "platform.yaml", tmp_path / "nope.yaml")
    assert r.returncode == 2
    assert r.stderr == "berth: error: cannot read '%s': no such file or folder\n" % (tmp_path / "nope.yaml")
    bad = edited(tmp_path, "bad", 'public: { host: api, paths: ["/v1"] }', 'public: { host: api, paths: ["/v1"], tls: false }')
    r = berth("diff", EXAMPLE / "platform.yaml", bad)
    assert r.returncode == 2 and r.stdout == ""
    assert ("platform.yaml:113:13: error: public route of service 'api' has tls: false in production environment "
            "'production'; production routes must serve HTTPS") in r.stderr
    folder = tmp_path / "broken"
    (folder / "c1" / "ns").mkdir(parents=True)
    (folder / "c1" / "ns" / "x.yaml").write_text("a: [unclosed\n")
    r = berth("diff", folder, folder)
    assert r.returncode == 2
    assert r.stderr.startswith("berth: error: cannot read 'c1/ns/x.yaml': not YAML")
