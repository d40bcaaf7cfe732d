"""End-to-end tests of the berth command line: exit codes, streams, output folder safety,
determinism across processes, and the malformed-input corpus through the real binary.

Run by scripts/test.sh with BERTH_BIN pointing at the built executable.
"""
import json
import os
import pathlib
import shutil
import subprocess

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


def test_check_prints_staging_notes_and_passes():
    """Staging differences from production are notes: printed, counted, never a failure (not even --strict)."""
    r = berth("check", EXAMPLE)
    assert r.returncode == 0
    lines = r.stderr.splitlines()
    assert "examples/acme/platform.yaml:100:7: note: staging differs from production for service 'web': replicas.min 2 (production 3)" in [
        line.replace(str(ROOT) + "/", "") for line in lines]
    assert any(line.endswith("note: staging differs from production: 1 cluster (production 2)") for line in lines)
    assert lines[-1] == "0 errors, 0 warnings, 14 notes"
    assert berth("check", EXAMPLE, "--strict").returncode == 0
    j = json.loads(berth("check", EXAMPLE, "--format", "json").stdout)
    assert (j["errors"], j["warnings"], j["notes"]) == (0, 0, 14)
