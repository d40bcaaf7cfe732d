"""End-to-end tests of workload kinds: a scheduled service renders a CronJob (and nothing that
takes calls), `berth check` refuses a scheduled service that could be called, and every
reference of the CronJob resolves (a dropped ServiceAccount stops the render).

Run by scripts/test.sh with BERTH_BIN pointing at the built executable.
"""
import json
import subprocess
import sys

import yaml

from berthrun import ROOT, ACME, berth





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
        # acme renders its foundation: the role is bound by EKS Pod Identity (infra/)
        assert docs[0]["metadata"]["annotations"]["berth.dev/cloud-identity"] == "acme-production-reporting"
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


PARTNER = BASE.replace("    talksTo: [api, report]\n", "    talksTo: [api]\n") \
    .replace("    port: 8081\n    public: { host: report }\n", "") \
    .replace("clusters:\n", "network:\n  firewall:\n"
             "    - { name: partner-sftp, from: 203.0.113.0/24, ports: [22], to: service/sftp }\n"
             "clusters:\n", 1) + """  sftp:
    image: registry.shop.example/sftp:1.0.0
    port: 22
    protocol: tcp
    replicas: { min: 2, max: 2 }
    expose: { from: [203.0.113.0/24], scope: external }
"""


def test_a_tcp_service_reaches_a_partner_range_through_a_load_balancer(tmp_path):
    spec = tmp_path / "platform.yaml"
    spec.write_text(PARTNER)
    out = tmp_path / "out"
    r = berth("render", spec, "--out", out)
    assert r.returncode == 0, r.stderr
    docs = [d for d in yaml.safe_load_all((out / "main" / "shop-production" / "sftp.yaml").read_text()) if d]
    assert [d["kind"] for d in docs] == ["ServiceAccount", "Deployment", "Service", "Service", "PodDisruptionBudget", "NetworkPolicy"]
    lb = docs[3]
    assert lb["metadata"]["name"] == "sftp-partner" and lb["spec"]["type"] == "LoadBalancer"
    assert lb["spec"]["loadBalancerSourceRanges"] == ["203.0.113.0/24"]
    assert lb["metadata"]["annotations"]["service.beta.kubernetes.io/aws-load-balancer-scheme"] == "internet-facing"
    assert docs[5]["spec"]["ingress"] == [{"from": [{"ipBlock": {"cidr": "203.0.113.0/24"}}], "ports": [{"protocol": "TCP", "port": 22}]}]
    groups = json.loads((out / "network" / "firewall" / "main.security-groups.json").read_text())
    assert [g["GroupName"] for g in groups] == ["shop-main-service-sftp"]
    assert groups[0]["IpPermissions"] == [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                                           "IpRanges": [{"CidrIp": "203.0.113.0/24", "Description": "partner-sftp"}]}]


def test_check_refuses_a_firewall_rule_the_service_would_drop(tmp_path):
    spec = tmp_path / "platform.yaml"
    spec.write_text(PARTNER.replace("from: 203.0.113.0/24, ports: [22]", "from: 203.0.114.0/24, ports: [2222]"))
    r = berth("check", spec)
    assert r.returncode == 1
    errors = [l for l in r.stderr.splitlines() if ": error: " in l]
    assert errors == [
        f"{spec}:9:35: error: network.firewall 'partner-sftp' admits 203.0.114.0/24 to service 'sftp', but services.sftp.expose.from "
        "does not list it, so the load balancer and NetworkPolicy would drop that traffic; add it to expose.from",
        f"{spec}:9:70: error: network.firewall 'partner-sftp' opens 2222/tcp to service 'sftp', which serves 22/tcp; set ports: [22] and protocol: tcp",
    ]


def test_cronjob_and_partner_load_balancer_pass_strict_kubernetes_schemas(tmp_path):
    spec = tmp_path / "platform.yaml"
    spec.write_text(PARTNER.replace("    replicas: { min: 2, max: 2 }\n    expose:", "    replicas: { min: 2, max: 2 }\n    protocol: udp\n    health: { command: [/bin/true] }\n    expose:")
                    .replace("    protocol: tcp\n", "").replace("ports: [22], to", "ports: [22], protocol: udp, to")
                    + "  nightly:\n    image: registry.shop.example/nightly:1.0.0\n    schedule: \"15 1 * * *\"\n    talksTo: [api]\n")
    out = tmp_path / "out"
    r = berth("render", spec, "--out", out)
    assert r.returncode == 0, r.stderr
    v = subprocess.run([sys.executable, str(ROOT / "scripts" / "validate_k8s.py"), "--k8s-version", "1.31",
                        "--crd-schemas", str(ROOT / "Tests" / "data" / "schemas"), str(out / "main")],
                       capture_output=True, text=True, timeout=300)
    assert v.returncode == 0, v.stdout + v.stderr
    kinds = {d["kind"] for f in (out / "main" / "shop-production").glob("*.yaml") for d in yaml.safe_load_all(f.read_text()) if d}
    assert {"CronJob", "Service"} <= kinds
    sftp = [d for d in yaml.safe_load_all((out / "main" / "shop-production" / "sftp.yaml").read_text()) if d]
    assert [p["protocol"] for d in sftp if d["kind"] == "Service" for p in d["spec"]["ports"]] == ["UDP", "UDP"]
