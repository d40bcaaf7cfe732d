"""The same workloads on every provider: a CronJob service and a TCP service that a partner
range reaches through a load balancer, with the `network.firewall` rule that admits it.
Each provider's render passes strict Kubernetes schemas, and its edge firewall artifact (EC2
security groups, VPC firewall rules, a network security group, an nftables ruleset) holds the
partner rule and passes that provider's own validator.

Run by scripts/test.sh with BERTH_BIN pointing at the built executable.
"""
import json
import os
import pathlib
import subprocess
import sys

import pytest

from berthrun import docs

ROOT = pathlib.Path(__file__).resolve().parents[2]
BERTH = os.environ.get("BERTH_BIN", str(ROOT / ".build" / "debug" / "berth"))

SPEC = """berth: 1
platform: shop
{provider}network:
  firewall:
    - {{ name: partner-sftp, from: 203.0.113.0/24, ports: [22], to: service/sftp }}
clusters:
  main:
    region: {region}
    nodePools:
      general: {{ machine: {machine}, cpu: 2, memory: 8Gi, min: 2, max: 4 }}
environments:
  production: {{ clusters: [main], domain: shop.example }}
services:
  web:
    image: registry.shop.example/web:1.0.0
    port: 8080
    replicas: {{ min: 2, max: 4 }}
    talksTo: [api]
  api:
    image: registry.shop.example/api:1.0.0
    port: 9000
    replicas: {{ min: 2, max: 4 }}
  nightly:
    image: registry.shop.example/nightly:1.0.0
    schedule: "15 1 * * *"
    talksTo: [api]
  sftp:
    image: registry.shop.example/sftp:1.0.0
    port: 22
    protocol: tcp
    replicas: {{ min: 2, max: 2 }}
    expose: {{ from: [203.0.113.0/24], scope: external }}
"""

PROVIDERS = {
    "aws": ("provider:\n  name: aws\n  regions:\n    eu-west-1: { zones: [eu-west-1a, eu-west-1b] }\n",
            "eu-west-1", "m6i.large", "main.security-groups.json", "validate_edge.py"),
    "gcp": ("provider:\n  name: gcp\n  account: shop-prod\n  regions:\n    europe-west1: { zones: [europe-west1-b, europe-west1-c] }\n",
            "europe-west1", "n2-standard-2", "main.firewalls.json", "validate_gcp.py"),
    "azure": ("provider:\n  name: azure\n  account: 11111111-2222-3333-4444-555555555555\n  resourceGroup: shop\n"
              "  subscription: 00000000-0000-0000-0000-000000000000\n  regions:\n    westeurope: { zones: [\"1\", \"2\"] }\n",
              "westeurope", "Standard_D2s_v5", "main.nsg.json", "check_azure.py"),
    "onprem": ("provider:\n  name: onprem\n  regions:\n    dc1: { zones: [rack-a, rack-b] }\n",
               "dc1", "r640", "main-service-sftp.nft", "validate_edge.py"),
}


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_cronjob_and_partner_tcp_service_render_and_validate(provider, tmp_path):
    block, region, machine, firewall, validator = PROVIDERS[provider]
    spec = tmp_path / "platform.yaml"
    spec.write_text(SPEC.format(provider=block, region=region, machine=machine))
    out = tmp_path / "out"
    r = subprocess.run([BERTH, "render", str(spec), "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert ": warning: " not in r.stderr and ": error: " not in r.stderr, r.stderr

    ns = out / "main" / "shop-production"
    nightly = docs(ns / "nightly.yaml")
    assert [d["kind"] for d in nightly if d["kind"] in ("CronJob", "Deployment", "Service")] == ["CronJob"]
    sftp = docs(ns / "sftp.yaml")
    lb = [d for d in sftp if d["kind"] == "Service" and d["spec"].get("type") == "LoadBalancer"]
    assert len(lb) == 1 and lb[0]["spec"]["loadBalancerSourceRanges"] == ["203.0.113.0/24"]
    assert [p["port"] for p in lb[0]["spec"]["ports"]] == [22]
    policy = [d for d in sftp if d["kind"] == "NetworkPolicy"][0]
    assert {"ipBlock": {"cidr": "203.0.113.0/24"}} in policy["spec"]["ingress"][0]["from"]

    strict = subprocess.run([sys.executable, str(ROOT / "scripts" / "validate_k8s.py"), "--k8s-version", "1.31",
                             "--crd-schemas", str(ROOT / "Tests" / "data" / "schemas"), str(out / "main")],
                            capture_output=True, text=True, timeout=300)
    assert strict.returncode == 0, strict.stdout + strict.stderr

    # The partner rule is in the provider's edge firewall, and the provider's validator passes it.
    rule = (out / "network" / "firewall" / firewall).read_text()
    assert "203.0.113.0/24" in rule
    if firewall.endswith(".json"):
        json.loads(rule)
    check = subprocess.run([sys.executable, str(ROOT / "scripts" / validator), str(out)],
                           capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, check.stdout + check.stderr
