"""End-to-end tests of the Azure example (examples/azure): it checks clean, renders, costs
with the West Europe price file, and nothing AWS-only leaks into its render; the Azure
artifacts (storage accounts, NSGs, Front Door WAF) pass scripts/check_azure.py, and the
Azure names follow Azure's limits.

Run by scripts/test.sh with BERTH_BIN pointing at the built executable.
"""
import json
import os
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BERTH = os.environ.get("BERTH_BIN", str(ROOT / ".build" / "debug" / "berth"))
SPEC = ROOT / "examples" / "azure" / "platform.yaml"
# Strings that only make sense on AWS: IRSA and EKS annotations, ARNs, S3 URLs and APIs,
# Route 53, AWS load balancer annotations, ECR, CloudFront, security groups, VPC wording.
AWS_ONLY = [
    "eks.amazonaws.com", "arn:aws", "s3://", "s3:", "route53", "Route 53", "aws-load-balancer", "amazonaws",
    "ecr-", "ECR", "CloudFront", "cloudfront", "security-groups", "SecurityGroup", "VPC endpoint", "VPC",
    "inheritFromIAMRole", "IRSA", "velero.io/aws", "KMSMasterKeyID", "aws:",
]


def berth(*args):
    return subprocess.run([BERTH, *map(str, args)], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("azure") / "out"
    r = berth("render", SPEC, "--out", out)
    assert r.returncode == 0, r.stderr
    return out


def test_check_reports_no_errors():
    r = berth("check", SPEC)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "error" not in r.stdout.lower(), r.stdout


def test_cost_runs_with_the_azure_price_file():
    r = berth("cost", SPEC, "--prices", ROOT / "examples" / "prices" / "azure-westeurope.yaml")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Standard_D4s_v5" in r.stdout


def test_no_aws_only_string_anywhere_in_the_render(rendered):
    hits = []
    for f in sorted(rendered.rglob("*")):
        if not f.is_file():
            continue
        text = f.read_text(errors="replace")
        # the network security group of provider-upjet-azure is the kind SecurityGroup of
        # network.azure.upbound.io (infra/ and the foundation's AppProject): an Azure kind
        text = re.sub(r"(network\.azure\.upbound\.io(/v1beta1)?\n\s*kind: )SecurityGroup\n", r"\1NetworkSecurityGroup\n", text)
        for needle in AWS_ONLY:
            # not inside a word: "ECR" in "SECRET" is no registry
            for m in re.finditer(r"(?<![A-Za-z0-9])" + re.escape(needle), text):
                line = text.count("\n", 0, m.start()) + 1
                hits.append(f"{f.relative_to(rendered)}:{line}: {needle}")
    assert hits == [], "\n".join(hits[:50])


def test_azure_artifacts_pass_the_azure_sdk_models(rendered):
    r = subprocess.run([sys.executable, ROOT / "scripts" / "check_azure.py", rendered], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_no_audit_policy_or_autoscaler_configmap_on_aks(rendered):
    assert not (rendered / "audit").exists()
    for f in rendered.rglob("*.yaml"):
        assert "berth-cluster-autoscaler" not in f.read_text(), f


def test_one_storage_account_per_environment_with_valid_names(rendered):
    accounts = sorted(p.name for p in rendered.glob("buckets/*/*.storage-account.json"))
    assert accounts == [
        "contosodevelopment.storage-account.json", "contosoproduction.storage-account.json", "contosostaging.storage-account.json",
    ]
    doc = json.loads((rendered / "buckets/production/contosoproduction.storage-account.json").read_text())
    rules = doc["ManagementPolicy"]["properties"]["policy"]["rules"]
    assert [r["definition"]["filters"]["prefixMatch"] for r in rules] == [
        ["contoso-production-documents/"], ["contoso-production-exports/"], ["contoso-production-backups/"],
    ]
    roles = {(a["identity"], a["role"], a["scope"].rsplit("/", 1)[1]) for a in doc["roleAssignments"]}
    assert ("contoso-production-search", "Storage Blob Data Reader", "contoso-production-documents") in roles
    assert ("contoso-production-api", "Storage Blob Data Contributor", "contoso-production-documents") in roles
    assert ("contoso-production-backoffice", "Storage Blob Data Reader", "contoso-production-exports") in roles


def test_backups_go_to_the_storage_account_and_database_pods_have_workload_identity(rendered):
    text = "\n".join(f.read_text() for f in sorted((rendered / "prod-weu").rglob("*.yaml")))
    assert "https://contosoproduction.blob.core.windows.net/contoso-production-backups/bookings" in text
    # the bookings database's backup identity (provider.identities.bookings-backup) on its pods
    assert "azure.workload.identity/client-id: \"0a1b2c3d-0000-4000-8000-000000000006\"" in text
    # each service its own identity: api and search differ
    assert "azure.workload.identity/client-id: \"0a1b2c3d-0000-4000-8000-000000000001\"" in text
    assert "azure.workload.identity/client-id: \"0a1b2c3d-0000-4000-8000-000000000002\"" in text


def test_key_vault_secret_names(rendered):
    keys = set()
    for f in rendered.rglob("*.yaml"):
        keys |= set(re.findall(r"^\s+key: (\S+)$", f.read_text(), re.M))
    remote = {k for k in keys if k.startswith("contoso")}
    assert remote, "no secret-store key found"
    bad = sorted(k for k in remote if not re.fullmatch(r"[A-Za-z0-9-]{1,127}", k))
    assert bad == []


def test_acr_registry_policy(rendered):
    assert not (rendered / "registry" / "harbor.json").exists()
    acr = json.loads((rendered / "registry" / "acr.json").read_text())
    assert acr["loginServer"] == "contosoplatform.azurecr.io"
    assert "clinic/web" in acr["repositories"]


def test_public_gateway_gets_a_public_ip_not_a_vnet_address(rendered):
    text = "\n".join(f.read_text() for f in sorted((rendered / "prod-weu").rglob("*.yaml")))
    assert "service.beta.kubernetes.io/azure-pip-name: contoso-prod-weu-production-ingress" in text
    assert "service.beta.kubernetes.io/azure-load-balancer-resource-group: contoso-platform" in text


def test_nsg_admits_the_partner_range_to_the_hl7_port(rendered):
    nsg = json.loads((rendered / "network" / "firewall" / "prod-weu.nsg.json").read_text())
    rules = {r["name"]: r["properties"] for r in nsg["properties"]["securityRules"]}
    assert rules["service-hl7-lab-hl7"]["sourceAddressPrefix"] == "198.51.100.0/24"
    assert rules["service-hl7-lab-hl7"]["destinationPortRanges"] == ["2575"]


def test_front_door_and_its_waf_per_environment(rendered):
    assert (rendered / "network" / "cdn" / "production.front-door.json").exists()
    waf = json.loads((rendered / "network" / "cdn" / "production.front-door-waf.json").read_text())
    assert waf["policy"]["properties"]["policySettings"]["mode"] == "Prevention"
    assert waf["policy"]["properties"]["customRules"]["rules"][0]["rateLimitThreshold"] == 3000
