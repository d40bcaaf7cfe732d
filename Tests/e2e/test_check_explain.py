"""`berth check --explain`: the catalogue of diagnostic codes through the real binary, and every
code the binary prints for the malformed-input corpus is in it.

Run by scripts/test.sh with BERTH_BIN pointing at the built executable.
"""
import json
import os
import pathlib
import subprocess

import jsonschema

ROOT = pathlib.Path(__file__).resolve().parents[2]
BERTH = os.environ.get("BERTH_BIN", str(ROOT / ".build" / "debug" / "berth"))
EXAMPLE = ROOT / "examples" / "acme" / "platform.yaml"
CORPUS = ROOT / "Tests" / "BerthCoreTests" / "Fixtures" / "malformed"
SARIF_SCHEMA = ROOT / "Tests" / "data" / "schemas" / "sarif" / "sarif-schema-2.1.0.json"


def berth(*args):
    e = dict(os.environ)
    e.pop("NO_COLOR", None)
    return subprocess.run([BERTH, *map(str, args)], capture_output=True, text=True, env=e, timeout=120)


def catalogue():
    r = berth("check", "--explain", "all", "--format", "json")
    assert r.returncode == 0, r.stderr
    return {c["code"]: c for c in json.loads(r.stdout)["checks"]}


def test_explain_one_code():
    r = berth("check", "--explain", "unknown-key")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    assert r.stdout.startswith("unknown-key (error): unknown key\n\nWhy it matters:\n  The spec has a key its schema does not know")
    assert "\nHow to fix it:\n  Use the key the message suggests" in r.stdout
    assert r.stdout.endswith(".\n")


def test_explain_lists_every_severity_of_a_code():
    r = berth("check", "--explain", "backup-retention")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("backup-retention (warning or error): ")


def test_explain_json_entry():
    r = berth("check", "--explain", "plain-secret", "--format", "json")
    assert r.returncode == 0, r.stderr
    [entry] = json.loads(r.stdout)["checks"]
    assert entry["code"] == "plain-secret" and entry["severity"] == "error" and entry["severities"] == ["error"]
    assert "BERTH-SEC-002" in entry["why"] and "services.<name>.secrets" in entry["fix"]


def test_explain_all_lists_every_code_once():
    codes = catalogue()
    r = berth("check", "--explain", "all")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert [l.split()[0] for l in lines] == sorted(codes)
    assert "unknown-key" in codes and "staging-parity" in codes
    assert codes["staging-parity"]["severity"] == "note"


def test_explain_unknown_code_suggests_the_nearest():
    r = berth("check", "--explain", "unknwn-key")
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr == "berth: error: unknown check code 'unknwn-key'; did you mean 'unknown-key'?\n"
    r = berth("check", "--explain", "dns")
    assert r.returncode == 2
    assert r.stderr == "berth: error: unknown check code 'dns'; did you mean 'dns01', 'dns-zone' or 'dns-server'?\n"
    r = berth("check", "--explain", "frobnicate")
    assert r.returncode == 2
    assert r.stderr == "berth: error: unknown check code 'frobnicate'; 'berth check --explain all' lists every code\n"


def test_explain_reads_no_spec():
    r = berth("check", EXAMPLE, "--explain", "unknown-key")
    assert r.returncode == 2
    assert "--explain reads no spec" in r.stderr
    r = berth("check", EXAMPLE, "--format", "markdown")
    assert r.returncode == 2
    assert "--format markdown is for --explain" in r.stderr
    # without --explain the spec is still required
    r = berth("check")
    assert r.returncode == 2
    assert "Missing expected argument '<spec>'" in r.stderr


def test_markdown_matches_docs():
    r = berth("check", "--explain", "all", "--format", "markdown")
    assert r.returncode == 0, r.stderr
    docs = (ROOT / "docs" / "checks.md").read_text()
    assert r.stdout == docs, "docs/checks.md is out of date: run scripts/update-docs.sh"


def test_every_code_printed_for_the_corpus_is_catalogued():
    """The binary's own output: every code in `berth check --format json` over the malformed
    corpus (and the example) has an entry."""
    codes = catalogue()
    seen = set()
    files = sorted(CORPUS.glob("*.yaml")) + [EXAMPLE]
    assert len(files) > 20
    for f in files:
        r = berth("check", f, "--format", "json")
        assert r.returncode in (0, 1, 2), (f, r.returncode, r.stderr)
        if r.returncode == 2:
            continue
        for d in json.loads(r.stdout)["diagnostics"]:
            assert d["code"] in codes, (f.name, d)
            seen.add(d["code"])
    assert len(seen) >= 10, seen


def test_check_sarif_is_valid_and_lists_the_catalogue():
    schema = json.loads(SARIF_SCHEMA.read_text())
    codes = catalogue()
    spec = CORPUS / "dangling-talksto.yaml"
    a = berth("check", spec, "--format", "sarif")
    b = berth("check", spec, "--format", "sarif")
    assert a.returncode == 1 and a.stdout == b.stdout
    assert a.stderr == ""
    log = json.loads(a.stdout)
    jsonschema.Draft4Validator(schema).validate(log)
    [run] = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(codes)
    for r in rules:
        entry = codes[r["id"]]
        assert r["shortDescription"]["text"] == entry["title"]
        assert r["fullDescription"]["text"] == entry["why"]
        assert r["help"]["text"] == entry["fix"]
        assert r["defaultConfiguration"]["level"] == entry["severity"]
    [result] = run["results"]
    assert result["ruleId"] == "unknown-reference" and result["level"] == "error"
    assert rules[result["ruleIndex"]]["id"] == "unknown-reference"
    assert result["message"]["text"] == "unknown service 'apl' in services.web.talksTo; did you mean 'api'?"
    # the same diagnostics as --format json
    j = json.loads(berth("check", spec, "--format", "json").stdout)["diagnostics"]
    assert [(d["code"], d["message"]) for d in j] == [(r["ruleId"], r["message"]["text"]) for r in run["results"]]


def test_check_sarif_of_the_example_holds_its_notes_and_passes():
    r = berth("check", EXAMPLE, "--format", "sarif")
    assert r.returncode == 0, r.stderr
    log = json.loads(r.stdout)
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(log)
    results = log["runs"][0]["results"]
    assert results and all(x["ruleId"] == "staging-parity" and x["level"] == "note" for x in results)
    # --strict fails on warnings only; notes pass
    assert berth("check", EXAMPLE, "--format", "sarif", "--strict").returncode == 0
    r = berth("check", "--explain", "unknown-key", "--format", "sarif")
    assert r.returncode == 2 and "--format sarif is for diagnostics" in r.stderr


def test_check_sarif_never_prints_a_secret():
    weak = ROOT / "examples" / "weak" / "platform.yaml"
    r = berth("check", weak, "--format", "sarif")
    assert r.returncode == 1
    rules = {x["ruleId"] for x in json.loads(r.stdout)["runs"][0]["results"]}
    assert "plain-secret" in rules
    for value in ["hunter2-session-secret", "s3cr3t-Passw0rd!", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"]:
        assert value in weak.read_text()
        assert value not in r.stdout and value not in r.stderr
