"""End-to-end tests of the Helm charts: each chart x values file, templated by the real Helm v4
library (helm-python-sdk), gives exactly the plain render, and lints clean.

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
WORDS = ROOT / "Tests" / "e2e" / "specs" / "yaml11-words.yaml"
CHECK = ROOT / "scripts" / "check_helm.py"

pytest.importorskip("helm_python")


def render(spec, out):
    r = subprocess.run([BERTH, "render", str(spec), "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return out


def check(path):
    return subprocess.run([sys.executable, str(CHECK), str(path)], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def acme(tmp_path_factory):
    return render(EXAMPLE, tmp_path_factory.mktemp("helm") / "acme")


@pytest.fixture(scope="module")
def words(tmp_path_factory):
    return render(WORDS, tmp_path_factory.mktemp("helm") / "words")


def test_chart_files(acme):
    chart = acme / "helm" / "web"
    names = sorted(p.relative_to(chart).as_posix() for p in chart.rglob("*") if p.is_file())
    assert "Chart.yaml" in names and "values.yaml" in names and "values.schema.json" in names
    assert "templates/_helpers.tpl" in names and "templates/NOTES.txt" in names and "templates/deployment.yaml" in names
    assert [n for n in names if n.startswith("values-")] == [
        "values-development-nonprod.yaml", "values-production-prod-eu.yaml",
        "values-production-prod-us.yaml", "values-staging-nonprod.yaml"]
    meta = yaml.safe_load((chart / "Chart.yaml").read_text())
    assert meta["apiVersion"] == "v2" and meta["name"] == "web" and meta["version"] == "0.1.0"
    assert meta["appVersion"] == "1.8.2"
    # only the services get charts, not the database files
    assert sorted(p.name for p in (acme / "helm").iterdir()) == ["api", "backoffice", "berth-ipam", "payments", "reporting", "search", "web", "worker"]


def test_values_follow_their_schema(acme, words):
    for root in (acme, words):
        for chart in (root / "helm").iterdir():
            schema = json.loads((chart / "values.schema.json").read_text())
            jsonschema.Draft7Validator.check_schema(schema)
            defaults = yaml.safe_load((chart / "values.yaml").read_text())
            jsonschema.validate(defaults, schema)
            for f in chart.glob("values-*.yaml"):
                merged = dict(defaults)
                for k, v in (yaml.safe_load(f.read_text()) or {}).items():
                    merged[k] = {**merged.get(k, {}), **v} if isinstance(v, dict) else v
                jsonschema.validate(merged, schema)


def test_acme_charts_template_the_plain_render(acme):
    r = check(acme)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.splitlines()[-1] == "check_helm: 8 charts, 29 values files, 251 objects, 0 differences"


def test_check_helm_reports_a_wrong_value(acme, tmp_path):
    copy = tmp_path / "acme"
    shutil.copytree(acme, copy)
    f = copy / "helm" / "web" / "values-staging-nonprod.yaml"
    text = f.read_text()
    broken = text.replace("deployment:\n  replicas: 2\n", "deployment:\n  replicas: 4\n", 1)
    assert broken != text
    f.write_text(broken)
    r = check(copy)
    assert r.returncode == 1
    assert "web values-staging-nonprod.yaml: apps/v1 Deployment acme-staging/web: at spec.replicas: plain 2 != helm 4" in r.stdout.splitlines()
    assert r.stdout.splitlines()[-1] == "check_helm: 8 charts, 29 values files, 251 objects, 1 differences"


def test_check_helm_reports_a_missing_object_and_a_lint_error(acme, tmp_path):
    copy = tmp_path / "acme"
    shutil.copytree(acme, copy)
    (copy / "helm" / "api" / "templates" / "podDisruptionBudget.yaml").unlink()
    (copy / "helm" / "search" / "Chart.yaml").write_text("apiVersion: v2\nname: search\nannotations: { berth.dev/platform: acme }\n")
    r = check(copy)
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert "api values-production-prod-eu.yaml: missing policy/v1 PodDisruptionBudget acme-production/api (in the plain render, not templated by Helm)" in lines
    assert any(line.startswith("search: lint [values.yaml]: error Chart.yaml: ") and "version" in line for line in lines), r.stdout


def test_yaml11_words_stay_strings(words):
    """A service named y, an environment named on on a cluster named off, env values on/no/off/yes/false/null."""
    r = check(words)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.splitlines()[-1] == "check_helm: 2 charts, 4 values files, 23 objects, 0 differences"
    chart = words / "helm" / "y"
    assert yaml.safe_load((chart / "Chart.yaml").read_text())["name"] == "y"
    values = (chart / "values-on-off.yaml").read_text()
    assert 'environment: "on"\n' in values and 'env.0.value: "off"\n' in values
    template = (chart / "templates" / "deployment.yaml").read_text()
    assert '- name: "Y"\n' in template and 'value: "null"\n' in template
    assert 'value: {{ index $v "env.0.value" | toJson }}\n' in template


@pytest.mark.parametrize("quoted,plain", [('environment: "on"', "environment: on"), ('env.0.value: "off"', "env.0.value: off")])
def test_an_unquoted_yaml11_word_breaks_the_chart(words, tmp_path, quoted, plain):
    """The same values unquoted, as a naive chart would write them: Helm reads booleans."""
    copy = tmp_path / "words"
    shutil.copytree(words, copy)
    f = copy / "helm" / "y" / "values-on-off.yaml"
    text = f.read_text()
    assert quoted in text
    f.write_text(text.replace(quoted, plain))
    r = check(copy)
    assert r.returncode == 1, r.stdout
    # the values schema refuses the boolean before anything is templated
    key = plain.split(":")[0]
    where = "/environment" if key == "environment" else "/deployment/" + key
    assert "y: lint [values-on-off.yaml]: error values.yaml: - at '%s': got boolean, want string" % where in r.stdout.splitlines()


def test_a_template_without_toJson_breaks_on_yaml11_words(words, tmp_path):
    """A template that writes a value bare, as a naive chart would: `value: on` is a boolean."""
    copy = tmp_path / "words"
    shutil.copytree(words, copy)
    f = copy / "helm" / "y" / "templates" / "deployment.yaml"
    text = f.read_text()
    hole = '{{ index $v "env.0.value" | toJson }}'
    assert hole in text
    f.write_text(text.replace(hole, '{{ index $v "env.0.value" }}'))
    r = check(copy)
    assert r.returncode == 1, r.stdout
    lines = r.stdout.splitlines()
    assert ('y values-production-main.yaml: apps/v1 Deployment yes-shop-production/y: '
            'at spec.template.spec.containers[0].env[0].value: plain "on" != helm true') in lines
    assert ('y values-on-off.yaml: apps/v1 Deployment yes-shop-on/y: '
            'at spec.template.spec.containers[0].env[0].value: plain "off" != helm false') in lines
