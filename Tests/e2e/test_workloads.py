"""End-to-end tests of workload kinds: a scheduled service renders a CronJob (and nothing that
takes calls), `berth check` refuses a scheduled service that could be called, and every
reference of the CronJob resolves (a dropped ServiceAccount stops the render).

Run by scripts/test.sh with BERTH_BIN pointing at the built executable.
"""
import json
import os
import pathlib
import subprocess

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
BERTH = os.environ.get("BERTH_BIN", str(ROOT / ".build" / "debug" / "berth"))
ACME = ROOT / "examples" / "acme" / "platform.yaml"


def berth(*args, env=None):
    e = dict(os.environ)
    e.pop("BERTH_TEST_DROP_OBJECT", None)
    if env:
        e.update(env)
    return subprocess.run([BERTH, *map(str, args)], capture_output=True, text=True, env=e, timeout=120)


BASE = """berth: 1
platform: shop
provider:
  name: aws
  regions:
    eu-west-1: { zones: [eu-west-1a, eu-west-1b] }
clusters:
  main:
    region: eu-west-1
    nodePools:
      general: { machine: m6i.large, cpu: 2, memory: 8Gi, min: 2, max: 4 }
environments:
  production: { clusters: [main], domain: shop.example }
services:
  web:
    image: registry.shop.example/web:1.0.0
    port: 8080
    replicas: { min: 2, max: 4 }
    talksTo: [api, report]
  api:
    image: registry.shop.example/api:1.0.0
    port: 9000
    replicas: { min: 2, max: 4 }
  report:
    image: registry.shop.example/report:1.0.0
    schedule: "0 4 * * 1"
    port: 8081
    public: { host: report }
    talksTo: [api]
"""


def test_acme_reporting_renders_a_cronjob_and_nothing_that_takes_calls(tmp_path):
    out = tmp_path / "out"
    r = berth("render", ACME, "--out", out)
    assert r.returncode == 0, r.stderr
    for cluster in ["prod-eu", "prod-us"]:
        docs = [d for d in yaml.safe_load_all((out / cluster / "acme-production" / "reporting.yaml").read_text()) if d]
        assert [d["kind"] for d in docs] == ["ServiceAccount", "CronJob", "NetworkPolicy"]
        job = docs[1]
        assert job["spec"]["schedule"] == "30 3 * * *"
        assert job["spec"]["concurrencyPolicy"] == "Forbid"
        assert job["spec"]["jobTemplate"]["spec"]["activeDeadlineSeconds"] == 7200
        pod = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        assert pod["restartPolicy"] == "OnFailure"
        assert pod["serviceAccountName"] == "reporting"
        assert docs[0]["metadata"]["annotations"]["eks.amazonaws.com/role-arn"] == \
            "arn:aws:iam::111122223333:role/acme-production-reporting"
        assert docs[2]["spec"]["ingress"] == []
    # No object anywhere else names the job's pods as a destination.
    gateway = (out / "prod-eu" / "acme-production" / "_namespace.yaml").read_text()
    assert "reporting" not in gateway


def test_check_refuses_a_callable_scheduled_service_with_locations(tmp_path):
    spec = tmp_path / "platform.yaml"
    spec.write_text(BASE)
    r = berth("check", spec)
    assert r.returncode == 1
    lines = [l for l in r.stdout.splitlines() + r.stderr.splitlines() if ": error: " in l]
    assert lines == [
        f"{spec}:19:20: error: service 'web' lists 'report' in talksTo, but 'report' runs on a schedule (a CronJob) and takes no calls; remove it from talksTo",
        f"{spec}:27:11: error: service 'report' runs on a schedule (a CronJob) and takes no calls, so it cannot have a port; remove port or schedule",
        f"{spec}:28:13: error: service 'report' runs on a schedule (a CronJob) and takes no calls, so it cannot have a public route; remove public or schedule",
    ]


def test_a_scheduled_service_in_production_needs_no_second_replica(tmp_path):
    spec = tmp_path / "platform.yaml"
    spec.write_text(BASE.replace("    talksTo: [api, report]\n", "    talksTo: [api]\n")
                    .replace("    port: 8081\n    public: { host: report }\n", ""))
    r = berth("check", spec)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "replica" not in r.stdout + r.stderr
    out = tmp_path / "out"
    r = berth("render", spec, "--out", out)
    assert r.returncode == 0, r.stderr
    kinds = [d["kind"] for d in yaml.safe_load_all((out / "main" / "shop-production" / "report.yaml").read_text()) if d]
    assert kinds == ["ServiceAccount", "CronJob", "NetworkPolicy"]
    # api's policy lets the job in on its port.
    api = [d for d in yaml.safe_load_all((out / "main" / "shop-production" / "api.yaml").read_text()) if d]
    policy = next(d for d in api if d["kind"] == "NetworkPolicy")
    callers = [p["podSelector"]["matchLabels"]["app.kubernetes.io/name"] for rule in policy["spec"]["ingress"] for p in rule["from"]]
    assert sorted(callers) == ["report", "web"]


def test_the_cronjob_account_is_a_checked_reference(tmp_path):
    r = berth("render", ACME, "--out", tmp_path / "out",
              env={"BERTH_TEST_DROP_OBJECT": "prod-eu/ServiceAccount/acme-production/reporting"})
    assert r.returncode == 3, r.stderr
    assert ("prod-eu: CronJob acme-production/reporting spec.jobTemplate.spec.template.spec.serviceAccountName "
            "refers to ServiceAccount acme-production/reporting, which nothing in the render creates") in r.stderr
    assert not (tmp_path / "out").exists()


WAIVED = BASE.replace("    talksTo: [api, report]\n", "    talksTo: [api]\n") \
    .replace("    port: 8081\n    public: { host: report }\n", "") \
    .replace("    port: 9000\n    replicas: { min: 2, max: 4 }\n",
             "    port: 9000\n    replicas:\n      min: 1\n      waiver: \"the partner allows one session\"\n")


def test_a_waived_single_replica_is_a_note_in_check_and_a_finding_in_audit(tmp_path):
    spec = tmp_path / "platform.yaml"
    spec.write_text(WAIVED)
    r = berth("check", spec)
    assert r.returncode == 0, r.stdout + r.stderr
    assert (f"{spec}:25:15: note: service 'api' runs 1 replica minimum in production environment 'production' "
            "under a waiver (replicas.waiver): the partner allows one session") in r.stdout + r.stderr
    assert "0 errors, 0 warnings, 1 note" in r.stdout + r.stderr
    a = berth("audit", spec, "--format", "json")
    findings = [f for f in json.loads(a.stdout)["findings"] if f["rule"] == "BERTH-HA-005"]
    assert len(findings) == 1
    assert findings[0]["severity"] == "medium"
    assert findings[0]["message"] == ("service 'api' runs one replica in production environment 'production' under a waiver "
                                      "(the partner allows one session): losing its node or zone stops the service")
    # Without the waiver the same spec is refused.
    spec.write_text(WAIVED.replace("      waiver: \"the partner allows one session\"\n", ""))
    r = berth("check", spec)
    assert r.returncode == 1
    assert (f"{spec}:24:7: error: service 'api' runs 1 replica minimum in production environment 'production'; "
            "production needs replicas.min of 2 or more, or replicas.waiver with the reason one is enough") in r.stdout + r.stderr
