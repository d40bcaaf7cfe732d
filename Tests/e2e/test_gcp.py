"""End-to-end tests of the Google Cloud example (examples/gcp): it checks clean, renders with
every reference resolved, carries no AWS-only word anywhere in its render or document, its
Google Cloud artifacts pass scripts/validate_gcp.py (the discovery documents of
google-api-python-client), that validator refuses broken artifacts with the reason, and
`berth cost` prices it with examples/prices/gcp-europe-west1.yaml.

Run by scripts/test.sh with BERTH_BIN pointing at the built executable.
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BERTH = os.environ.get("BERTH_BIN", str(ROOT / ".build" / "debug" / "berth"))
SPEC = ROOT / "examples" / "gcp" / "platform.yaml"
PRICES = ROOT / "examples" / "prices" / "gcp-europe-west1.yaml"
VALIDATOR = ROOT / "scripts" / "validate_gcp.py"

# Words that belong to AWS only: annotations, ARNs, URLs, services, the S3 and EBS names.
AWS_ONLY = [
    "eks.amazonaws.com", "arn:aws", "amazonaws.com", "s3://", "route53", "Route 53", "VPC endpoint",
    "aws-load-balancer", "security-groups", "cloudfront", "CloudFront", "ecr-lifecycle", "velero.io/aws",
    "s3:GetObject", "STANDARD_IA", "asg:tag", "gp3", "ebs.csi", "IRSA",
]


def berth(*args):
    return subprocess.run([BERTH, *map(str, args)], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("gcp") / "out"
    r = berth("render", SPEC, "--out", out)
    assert r.returncode == 0, r.stderr
    assert "unresolved reference" not in r.stderr
    return out


def test_example_checks_without_errors_or_warnings():
    r = berth("check", SPEC)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "error:" not in r.stdout + r.stderr and "warning:" not in r.stdout + r.stderr


def test_no_aws_only_word_in_the_render_or_the_document(rendered, tmp_path):
    docs = tmp_path / "docs"
    assert berth("docs", SPEC, "--out", docs).returncode == 0
    hits = []
    for tree in (rendered, docs):
        for p in sorted(tree.rglob("*")):
            if p.is_file():
                text = p.read_text(errors="replace")
                hits += ["%s: %s" % (p.relative_to(tree), w) for w in AWS_ONLY if w in text or w in p.name]
    assert hits == []


def test_the_grep_finds_aws_words_in_the_aws_example(tmp_path):
    out = tmp_path / "acme"
    assert berth("render", ROOT / "examples" / "acme" / "platform.yaml", "--out", out).returncode == 0
    text = "".join(p.read_text(errors="replace") for p in out.rglob("*") if p.is_file())
    assert [w for w in ("eks.amazonaws.com", "arn:aws", "s3://", "route53", "aws-load-balancer", "CloudFront") if w not in text] == []


def test_google_cloud_artifacts_are_rendered(rendered):
    names = sorted(str(p.relative_to(rendered)) for p in rendered.rglob("*.json") if not p.parts[-2] == "helm")
    for want in ("network/firewall/prod-ew1.firewalls.json", "network/waf/production.cloud-armor.json",
                 "network/cdn/production.cloud-cdn.json", "buckets/production/documents.iam.json",
                 "buckets/production/documents.settings.json", "buckets/production/documents.lifecycle.json",
                 "registry/artifact-registry.json"):
        assert want in names
    assert not (rendered / "audit").exists()
    assert not (rendered / "registry" / "harbor.json").exists()


def test_validate_gcp_accepts_the_render(rendered):
    r = subprocess.run([sys.executable, VALIDATOR, rendered], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.endswith(" errors\n") and ", 0 errors" in r.stdout


@pytest.mark.parametrize("path,change,expected", [
    ("network/firewall/prod-ew1.firewalls.json", lambda d: d[0].update(direction="IN"),
     "[0].direction: 'IN' is not one of EGRESS, INGRESS"),
    ("network/firewall/prod-ew1.firewalls.json", lambda d: d[0].update(priority="1000"),
     "[0].priority: expected an integer, got '1000'"),
    ("network/firewall/prod-ew1.firewalls.json", lambda d: d[0].update(sourceRange=["1.2.3.0/24"]),
     "unknown field 'sourceRange' (schema Firewall)"),
    ("network/waf/production.cloud-armor.json", lambda d: d["rules"][0]["rateLimitOptions"]["rateLimitThreshold"].update(intervalSec=45),
     "rateLimitThreshold.intervalSec 45"),
    ("network/waf/production.cloud-armor.json", lambda d: d.update(type="WAF"),
     "type: 'WAF' is not one of"),
    ("network/cdn/production.cloud-cdn.json", lambda d: d["backendServices"][0]["cdnPolicy"].update(cacheMode="CACHE_EVERYTHING"),
     "cdnPolicy.cacheMode: 'CACHE_EVERYTHING' is not one of"),
    ("network/cdn/production.cloud-cdn.json", lambda d: d["urlMap"].update(defaultService="global/backendServices/missing"),
     "urlMap refers to backend service 'global/backendServices/missing', which the file does not define"),
    ("buckets/production/documents.iam.json", lambda d: d["bindings"][0].update(role="roles/storage.reader"),
     "role 'roles/storage.reader'"),
    ("buckets/production/documents.settings.json", lambda d: d["iamConfiguration"].update(publicAccessPrevention="on"),
     "publicAccessPrevention: 'on' is not one of"),
    ("buckets/production/documents.settings.json", lambda d: d.update(name="Harbour_Docs"),
     "bucket name 'Harbour_Docs'"),
    ("buckets/production/documents.lifecycle.json", lambda d: d["rule"][0]["action"].update(storageClass="GLACIER"),
     "storageClass 'GLACIER'"),
    ("registry/artifact-registry.json", lambda d: d["repositories"][0]["repository"].update(format="OCI"),
     "repository.format: 'OCI' is not one of"),
    ("registry/artifact-registry.json",
     lambda d: d["repositories"][0]["repository"]["cleanupPolicies"]["delete-untagged"]["condition"].update(olderThan="7d"),
     "expected a duration like '86400s', got '7d'"),
])
def test_validate_gcp_refuses_broken_artifacts(rendered, tmp_path, path, change, expected):
    copy = tmp_path / "out"
    shutil.copytree(rendered, copy)
    doc = json.loads((copy / path).read_text())
    change(doc)
    (copy / path).write_text(json.dumps(doc))
    r = subprocess.run([sys.executable, VALIDATOR, copy], capture_output=True, text=True)
    assert r.returncode == 1, r.stdout + r.stderr
    assert expected in r.stdout, r.stdout


def test_cost_runs_with_the_gcp_price_file():
    r = berth("cost", SPEC, "--prices", PRICES)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "USD/month in total" in r.stdout
    assert "n2-standard-4" in r.stdout and "no price" not in r.stdout + r.stderr
