"""End-to-end tests of the cloud foundation (`infrastructure: { engine: crossplane }`):
acme's infra/ passes scripts/check_infra.py, and each class of break that check looks for is
caught when made on purpose in a copy of the render.

Run by scripts/test.sh with BERTH_BIN pointing at the built executable.
"""
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
BERTH = os.environ.get("BERTH_BIN", str(ROOT / ".build" / "debug" / "berth"))
CHECK = ROOT / "scripts" / "check_infra.py"


def render_example(tmp_path_factory, name):
    """examples/<name> rendered into a fresh folder."""
    out = tmp_path_factory.mktemp(name) / "out"
    r = subprocess.run([BERTH, "render", ROOT / f"examples/{name}/platform.yaml", "--out", out], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return out


@pytest.fixture(scope="module")
def acme(tmp_path_factory):
    return render_example(tmp_path_factory, "acme")


def check(path):
    return subprocess.run([sys.executable, CHECK, path], capture_output=True, text=True, timeout=300)


def copy(acme, tmp_path):
    dst = tmp_path / "copy"
    shutil.copytree(acme, dst)
    return dst


def caught(rendered, tmp_path, mutation, expected):
    """check_infra.py fails on a copy of `rendered` that `mutation` breaks, saying `expected`."""
    root = copy(rendered, tmp_path)
    mutation(root)
    r = check(root)
    assert r.returncode == 1, r.stdout
    assert expected in r.stdout, r.stdout


def edit(path: pathlib.Path, fn):
    docs = [d for d in yaml.safe_load_all(path.read_text()) if d is not None]
    docs = [x for x in (fn(d) for d in docs) if x is not None]
    path.write_text(yaml.safe_dump_all(docs, sort_keys=False))


def test_acme_foundation_passes_every_cross_check(acme):
    r = check(acme)
    assert r.returncode == 0, r.stdout
    assert r.stdout.strip().endswith("0 problems")
    # the figures show the check saw real objects
    m = re.search(r"(\d+) managed objects, (\d+) identity bindings, (\d+) key references", r.stdout)
    assert m and int(m.group(1)) > 200 and int(m.group(2)) > 20 and int(m.group(3)) > 5


def test_acme_foundation_has_what_the_spec_implies(acme):
    kinds = {}
    for p in (acme / "infra").rglob("*.yaml"):
        for d in yaml.safe_load_all(p.read_text()):
            if d:
                kinds.setdefault(d["kind"], []).append(d)
    # three clusters, each with its VPC, EKS cluster and one node group per pool
    assert sorted(d["metadata"]["name"] for d in kinds["VPC"]) == ["nonprod", "prod-eu", "prod-us"]
    assert sorted(d["metadata"]["name"] for d in kinds["Cluster"]) == ["nonprod", "prod-eu", "prod-us"]
    assert sorted(d["metadata"]["name"] for d in kinds["NodeGroup"]) == [
        "nonprod-batch", "nonprod-general", "prod-eu-batch", "prod-eu-general", "prod-us-batch", "prod-us-general"]
    # production gets one NAT gateway per zone, non-production one per network
    nat = sorted(d["metadata"]["name"] for d in kinds["NATGateway"])
    assert nat == ["nonprod-eu-west-1a", "prod-eu-eu-west-1a", "prod-eu-eu-west-1b", "prod-eu-eu-west-1c",
                   "prod-us-us-east-1a", "prod-us-us-east-1b"]
    # the key alias the StorageClasses and buckets name, in both regions
    assert sorted((d["spec"]["forProvider"]["region"], d["metadata"]["annotations"]["crossplane.io/external-name"])
                  for d in kinds["Alias"]) == [("eu-west-1", "alias/acme-platform"), ("us-east-1", "alias/acme-platform")]
    # a read-only grant stays read-only: search reads uploads and writes nothing
    pol = next(d for d in kinds["Policy"] if d["metadata"]["name"] == "acme-production-search")
    sids = [s["Sid"] for s in json.loads(pol["spec"]["forProvider"]["policy"])["Statement"]]
    assert "ReadObjects" in sids and "WriteObjects" not in sids
    # spot pools are spot, taints are carried over
    batch = next(d for d in kinds["NodeGroup"] if d["metadata"]["name"] == "prod-eu-batch")["spec"]["forProvider"]
    assert batch["capacityType"] == "SPOT"
    assert batch["taint"] == [{"key": "workload", "value": "batch", "effect": "NO_SCHEDULE"}]


def test_no_role_arn_annotation_with_pod_identity(acme):
    # With the foundation, EKS Pod Identity binds roles; an IRSA annotation would make the
    # SDKs try a web identity the roles do not trust.
    hits = [str(p) for p in acme.rglob("*.yaml") if "eks.amazonaws.com/role-arn" in p.read_text()]
    assert hits == []


def mutate_drop(kind, name):
    def fn(root):
        for p in (root / "infra").rglob("*.yaml"):
            edit(p, lambda d: None if d["kind"] == kind and d["metadata"]["name"] == name else d)
    return fn


def mutate_subnet_cidr(root):
    def fn(d):
        if d["kind"] == "Subnet" and d["metadata"]["name"] == "prod-eu-eu-west-1b-private":
            d["spec"]["forProvider"]["cidrBlock"] = "10.254.96.0/20"
        return d
    edit(root / "infra/network/prod-eu.yaml", fn)


def mutate_trust(root):
    def fn(d):
        if d["kind"] == "Role" and d["metadata"]["name"] == "acme-production-api":
            d["spec"]["forProvider"]["assumeRolePolicy"] = d["spec"]["forProvider"]["assumeRolePolicy"].replace('"api"', '"web"')
        return d
    edit(root / "infra/identities/acme-production-api.yaml", fn)


def mutate_alias(root):
    def fn(d):
        if d["kind"] == "Alias" and d["spec"]["forProvider"]["region"] == "us-east-1":
            d["metadata"]["annotations"]["crossplane.io/external-name"] = "alias/other"
        return d
    edit(root / "infra/keys/keys.yaml", fn)


def mutate_required(root):
    def fn(d):
        if d["kind"] == "Cluster":
            del d["spec"]["forProvider"]["vpcConfig"]
        return d
    edit(root / "infra/clusters/prod-us.yaml", fn)


def mutate_zone(root):
    def fn(d):
        if d["kind"] == "Zone":
            d["spec"]["forProvider"]["name"] = "other.example"
        return d
    edit(root / "infra/dns/zones.yaml", fn)


def mutate_bare_wildcard(root):
    # "*acme.example" is no wildcard of acme.example: only a whole leading "*." label is one,
    # so the name lies in no zone (stripping the characters "*" and "." would let it pass)
    for p in sorted((root / "prod-us").rglob("*.yaml")):
        if "kind: HTTPRoute" in p.read_text():
            def fn(d):
                if d.get("kind") == "HTTPRoute":
                    d["spec"]["hostnames"] = ["*acme.example"]
                return d
            edit(p, fn)
            return
    raise AssertionError("no HTTPRoute in prod-us/")


def mutate_wave(root):
    def fn(d):
        if d["kind"] == "Application" and d["metadata"]["name"] == "acme-infra-nodepools":
            d["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"] = "5"
        return d
    edit(root / "argocd/infra.yaml", fn)


@pytest.mark.parametrize("mutation,expected", [
    (mutate_drop("PodIdentityAssociation", "acme-production-api-prod-us-acme-production-api"),
     "ServiceAccount prod-us/acme-production/api names identity acme-production-api; infra/ binds nothing to it"),
    (mutate_drop("NodeGroup", "prod-eu-batch"), "node pool batch is not a node group of prod-eu"),
    (mutate_drop("VPC", "prod-us"), "vpcIdRef names VPC prod-us, which infra/ does not render"),
    (mutate_drop("Route", "prod-eu-private-eu-west-1b-to-prod-us"),
     "database path from prod-us to prod-eu: route table prod-eu-private-eu-west-1b does not send prod-us's range through prod-us-to-prod-eu"),
    (mutate_drop("VPCPeeringConnection", "prod-us-to-prod-eu"), "database path from prod-us to prod-eu: no VPC peering joins the two networks"),
    (mutate_drop("Bucket", "acme-production-uploads"), "names bucket acme-production-uploads, which infra/ does not render"),
    (mutate_subnet_cidr, "Subnet prod-eu-eu-west-1b-private: cidrBlock 10.254.96.0/20 is not the plan's prod-eu/eu-west-1b/private 10.254.16.0/20"),
    (mutate_trust, "Role acme-production-api: its trust policy does not name prod-eu/acme-production/api"),
    (mutate_alias, "key alias alias/acme-platform in us-east-1 is not rendered"),
    (mutate_required, "Cluster/prod-us: required parameter spec.forProvider.vpcConfig is missing"),
    (mutate_zone, "lies in no rendered zone (other.example)"),
    (mutate_bare_wildcard, ": *acme.example lies in no rendered zone (acme.example)"),
    (mutate_wave, "Application acme-infra-nodepools: wave 5 does not come before the add-ons"),
])
def test_each_break_is_caught(acme, tmp_path, mutation, expected):
    caught(acme, tmp_path, mutation, expected)


def test_argocd_health_check_for_crossplane_parses(acme):
    cm = yaml.safe_load((acme / "addons/bootstrap/argocd-cm.yaml").read_text())
    custom = yaml.safe_load(cm["data"]["resource.customizations"])
    assert set(custom) == {"*.upbound.io/*", "pkg.crossplane.io/*"}
    for v in custom.values():
        assert "Ready" in v["health.lua"] and v["health.lua"].rstrip().endswith("return health_status")


# Google Cloud: examples/gcp's infra/ passes the same script, and each GCP cross-check catches
# its break.

@pytest.fixture(scope="module")
def gcp(tmp_path_factory):
    return render_example(tmp_path_factory, "gcp")


def test_gcp_foundation_passes_every_cross_check(gcp):
    r = check(gcp)
    assert r.returncode == 0, r.stdout
    m = re.search(r"(\d+) managed objects, (\d+) identity bindings, (\d+) key references, 0 problems", r.stdout)
    assert m and int(m.group(1)) > 100 and int(m.group(2)) > 20 and int(m.group(3)) > 10, r.stdout


def test_gcp_foundation_has_what_the_spec_implies(gcp):
    kinds = {}
    for p in (gcp / "infra").rglob("*.yaml"):
        for d in yaml.safe_load_all(p.read_text()):
            if d:
                kinds.setdefault(d["kind"], []).append(d)
    assert sorted(d["metadata"]["name"] for d in kinds["Cluster"]) == ["nonprod", "prod-ew1"]
    assert sorted(d["metadata"]["name"] for d in kinds["NodePool"]) == ["nonprod-batch", "nonprod-general", "prod-ew1-batch", "prod-ew1-general"]
    # one Cloud Router and NAT per cluster; a subnetwork per planned subnet (3 zones + 2 zones, public and private)
    assert len(kinds["RouterNAT"]) == 2 and len(kinds["Subnetwork"]) == 10
    # every Workload Identity annotation of the render is an account with exactly its members
    annotated = set()
    for p in gcp.rglob("*.yaml"):
        if p.parts[len(gcp.parts)] in ("infra", "argocd", "addons"):
            continue
        annotated |= set(re.findall(r'iam\.gke\.io/gcp-service-account: "?([a-z0-9-]+)@', p.read_text()))
    assert annotated == {external(d) for d in kinds["ServiceAccount"]} - {"gke-nonprod-nodes", "gke-prod-ew1-nodes"} - {
        a for a in {external(d) for d in kinds["ServiceAccount"]} if a.startswith(("external-dns-", "external-secrets-", "velero-", "cert-manager-"))}
    # the key rings and keys are the kmsKey paths of the spec
    assert sorted((d["spec"]["forProvider"]["location"], external(d)) for d in kinds["KeyRing"]) == [("europe-west1", "harbour"), ("europe-west4", "harbour")]
    # each region's key grants the service agents of GKE, Compute Engine and Cloud Storage
    # (the project number of provider.projectNumber) the encrypter role
    assert sorted((d["spec"]["forProvider"]["cryptoKeyIdRef"]["name"], d["spec"]["forProvider"]["member"]) for d in kinds["CryptoKeyIAMMember"]) == [
        (f"{region}-harbour-platform", f"serviceAccount:service-482915706314@{agent}.iam.gserviceaccount.com")
        for region in ("europe-west1", "europe-west4") for agent in ("compute-system", "container-engine-robot", "gs-project-accounts")]


def external(d):
    return d["metadata"].get("annotations", {}).get("crossplane.io/external-name", d["metadata"]["name"])


def edit_object(rel, kind, name, fn):
    """A mutation: `fn` applied to the object `kind`/`name` of the file `rel`."""
    def mutation(root):
        def each(d):
            if d["kind"] == kind and d["metadata"]["name"] == name:
                return fn(d)
            return d
        edit(root / rel, each)
    return mutation


def set_path(path, value):
    def fn(d):
        node = d
        keys = path.split(".")
        for k in keys[:-1]:
            node = node[k]
        if value is None:
            del node[keys[-1]]
        else:
            node[keys[-1]] = value
        return d
    return fn


def drop(d):
    return None


def rename_member(d):
    d["spec"]["forProvider"]["member"] = d["spec"]["forProvider"]["member"].replace("/bookings]", "/portal]")
    return d


def other_key(d):
    d["metadata"]["annotations"]["crossplane.io/external-name"] = "other"
    return d


def no_tags(d):
    del d["spec"]["forProvider"]["nodeConfig"]["tags"]
    return d


def pods_range(d):
    d["spec"]["forProvider"]["secondaryIpRange"][0]["ipCidrRange"] = "10.200.0.0/17"
    return d


@pytest.mark.parametrize("mutation,expected", [
    (edit_object("infra/network/prod-ew1.yaml", "Subnetwork", "prod-ew1-europe-west1-c-private",
              set_path("spec.forProvider.ipCidrRange", "10.254.96.0/20")),
     "Subnetwork prod-ew1-europe-west1-c-private: ipCidrRange 10.254.96.0/20 is not the plan's prod-ew1/europe-west1-c/private"),
    (edit_object("infra/network/prod-ew1.yaml", "Subnetwork", "prod-ew1-europe-west1-b-private", pods_range),
     "Subnetwork prod-ew1-europe-west1-b-private: secondary range prod-ew1-pods 10.200.0.0/17 is not the plan's prod-ew1/pods"),
    (edit_object("infra/network/prod-ew1.yaml", "Subnetwork", "prod-ew1-europe-west1-d-public", drop),
     "the plan's subnet prod-ew1/europe-west1-d/public has no Subnetwork in infra/"),
    (edit_object("infra/clusters/prod-ew1.yaml", "Cluster", "prod-ew1",
              set_path("spec.forProvider.ipAllocationPolicy.clusterSecondaryRangeName", "prod-ew1-other")),
     "Cluster prod-ew1: ipAllocationPolicy.clusterSecondaryRangeName prod-ew1-other is no secondary range of its subnetwork"),
    (edit_object("infra/identities/bookings-production.yaml", "ServiceAccountIAMMember",
              "bookings-production-prod-ew1-harbour-production-bookings", rename_member),
     "Google service account bookings-production@harbour-prod.iam.gserviceaccount.com: no roles/iam.workloadIdentityUser member serviceAccount:harbour-prod.svc.id.goog[harbour-production/bookings]"),
    (edit_object("infra/identities/bookings-production.yaml", "ServiceAccountIAMMember",
              "bookings-production-prod-ew1-harbour-production-bookings", rename_member),
     "serviceAccount:harbour-prod.svc.id.goog[harbour-production/portal] may act as it, but no ServiceAccount of the render names it"),
    (edit_object("infra/identities/bookings-production.yaml", "ServiceAccount", "bookings-production", drop),
     "ServiceAccount prod-ew1/harbour-production/bookings names bookings-production@harbour-prod.iam.gserviceaccount.com, which infra/ does not render"),
    (edit_object("infra/keys/keys.yaml", "CryptoKey", "europe-west1-harbour-platform", other_key),
     "StorageClass prod-ew1/fast: key projects/harbour-prod/locations/europe-west1/keyRings/harbour/cryptoKeys/platform is not rendered"),
    (edit_object("infra/nodepools/prod-ew1.yaml", "NodePool", "prod-ew1-batch", drop),
     "node pool batch is not a node pool of prod-ew1"),
    (edit_object("infra/nodepools/prod-ew1.yaml", "NodePool", "prod-ew1-general", no_tags),
     "NodePool prod-ew1-general: does not carry the network tag harbour-prod-ew1-nodes that Firewall harbour-prod-ew1-service-edi-partner-edi targets"),
    (edit_object("infra/dns/zones.yaml", "ManagedZone", "harbour-example", set_path("spec.forProvider.dnsName", "other.example.")),
     "lies in no rendered zone (other.example)"),
    (edit_object("infra/network/prod-ew1.yaml", "RouterNAT", "prod-ew1", set_path("spec.forProvider.sourceSubnetworkIpRangesToNat", None)),
     "RouterNAT/prod-ew1: required parameter spec.forProvider.sourceSubnetworkIpRangesToNat is missing"),
    (edit_object("infra/network/prod-ew1.yaml", "Subnetwork", "prod-ew1-europe-west1-b-private", set_path("spec.forProvider.networkRef.name", "nonprod")),
     "the plan's subnet prod-ew1/europe-west1-b/private has no Subnetwork in infra/"),
    (edit_object("argocd/infra.yaml", "Application", "harbour-infra-clusters", set_path("metadata.annotations", {"argocd.argoproj.io/sync-wave": "5"})),
     "Application harbour-infra-clusters: wave 5 does not come before the add-ons"),
    # the service agents' grants on the regions' keys
    (edit_object("infra/keys/keys.yaml", "CryptoKeyIAMMember", "europe-west1-harbour-platform-gke-agent", drop),
     "Cluster prod-ew1: key projects/harbour-prod/locations/europe-west1/keyRings/harbour/cryptoKeys/platform grants service-<project number>@container-engine-robot.iam.gserviceaccount.com no roles/cloudkms.cryptoKeyEncrypterDecrypter"),
    (edit_object("infra/keys/keys.yaml", "CryptoKeyIAMMember", "europe-west1-harbour-platform-storage-agent",
              set_path("spec.forProvider.member", "serviceAccount:service-482915706314@compute-system.iam.gserviceaccount.com")),
     "Bucket harbour-production-documents: key projects/harbour-prod/locations/europe-west1/keyRings/harbour/cryptoKeys/platform grants service-<project number>@gs-project-accounts.iam.gserviceaccount.com no roles/cloudkms.cryptoKeyEncrypterDecrypter"),
    (edit_object("infra/keys/keys.yaml", "CryptoKeyIAMMember", "europe-west4-harbour-platform-compute-agent",
              set_path("spec.forProvider.cryptoKeyIdRef.name", "europe-west1-harbour-platform")),
     "StorageClass nonprod/fast: key projects/harbour-prod/locations/europe-west4/keyRings/harbour/cryptoKeys/platform grants service-<project number>@compute-system.iam.gserviceaccount.com no roles/cloudkms.cryptoKeyEncrypterDecrypter"),
    (edit_object("argocd/infra.yaml", "Application", "harbour-infra-keys", set_path("metadata.annotations", {"argocd.argoproj.io/sync-wave": "-40"})),
     "CryptoKeyIAMMember europe-west1-harbour-platform-gke-agent: synced in wave -40, not before Cluster prod-ew1 (wave -40) that needs it"),
])
def test_each_gcp_break_is_caught(gcp, tmp_path, mutation, expected):
    caught(gcp, tmp_path, mutation, expected)


# --- Azure: examples/azure renders its foundation with provider-upjet-azure kinds ---

@pytest.fixture(scope="module")
def azure(tmp_path_factory):
    return render_example(tmp_path_factory, "azure")


def test_azure_foundation_passes_every_cross_check(azure):
    r = check(azure)
    assert r.returncode == 0, r.stdout
    assert r.stdout.strip().endswith("0 problems")
    m = re.search(r"(\d+) managed objects \(azure\)", r.stdout)
    assert m and int(m.group(1)) > 100


@pytest.mark.parametrize("mutation,expected", [
    (edit_object("infra/network/prod-weu.yaml", "Subnet", "prod-weu-2-private", set_path("spec.forProvider.addressPrefixes", ["10.254.96.0/20"])),
     "Subnet prod-weu-2-private: addressPrefixes ['10.254.96.0/20'] is not the plan's prod-weu/2/private"),
    (edit_object("infra/network/prod-weu.yaml", "VirtualNetwork", "prod-weu", set_path("spec.forProvider.addressSpace", ["10.99.0.0/16"])),
     "VirtualNetwork prod-weu: addressSpace ['10.99.0.0/16'] is not the plan's"),
    (edit_object("infra/clusters/prod-weu.yaml", "KubernetesCluster", "prod-weu", set_path("spec.forProvider.networkProfile.podCidr", "10.254.0.0/17")),
     "KubernetesCluster prod-weu: networkProfile.podCidr 10.254.0.0/17 is not the plan's prod-weu/pods"),
    (edit_object("infra/clusters/prod-weu.yaml", "KubernetesCluster", "prod-weu", set_path("spec.forProvider.networkProfile.dnsServiceIp", "10.254.0.10")),
     "KubernetesCluster prod-weu: dnsServiceIp 10.254.0.10 is not in the service range"),
    (edit_object("infra/clusters/prod-weu.yaml", "KubernetesCluster", "prod-weu", set_path("spec.forProvider.location", None)),
     "KubernetesCluster/prod-weu: required parameter spec.forProvider.location is missing"),
    (mutate_drop("VirtualNetwork", "nonprod"), "virtualNetworkNameRef names VirtualNetwork nonprod, which infra/ does not render"),
    (mutate_drop("KubernetesClusterNodePool", "prod-weu-batch"), "node pool batch is not a node pool of prod-weu"),
    (mutate_drop("FederatedIdentityCredential", "contoso-api-prod-weu-contoso-production-api"),
     "ServiceAccount prod-weu/contoso-production/api names identity contoso-api, which has no federated credential for it"),
    (mutate_drop("UserAssignedIdentity", "contoso-search"), "names identity contoso-search, which infra/ does not render"),
    (edit_object("infra/identities/contoso-api.yaml", "FederatedIdentityCredential", "contoso-api-prod-weu-contoso-production-api",
                set_path("spec.forProvider.subject", "system:serviceaccount:contoso-production:web")),
     "identity contoso-api trusts prod-weu/contoso-production/web, which no ServiceAccount binds to it"),
    (mutate_drop("DiskEncryptionSet", "contoso-weu"), "disk encryption set /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/contoso-platform/providers/Microsoft.Compute/diskEncryptionSets/contoso-weu is not rendered"),
    (mutate_drop("DNSZone", "contoso.example"), "lies in no rendered zone (none)"),
    (mutate_drop("RoleAssignment", "contoso-prod-weu-kubelet-acr-pull"),
     "Deployment prod-weu/contoso-production/api: pulls contosoplatform.azurecr.io/clinic/api:3.1.0 but the kubelet identity of prod-weu has no AcrPull on contosoplatform"),
    (mutate_drop("Registry", "contosoplatform"), "pulls contosoplatform.azurecr.io/clinic/api:3.1.0 from registry contosoplatform, which infra/ does not create"),
    (edit_object("argocd/infra.yaml", "Application", "contoso-infra-clusters", set_path("metadata.annotations", {"argocd.argoproj.io/sync-wave": "5"})),
     "Application contoso-infra-clusters: wave 5 does not come before the add-ons"),
    # Velero's volume snapshot rights
    (mutate_drop("RoleAssignment", "contoso-platform-prod-weu-velero-disks"),
     "Velero on prod-weu (identity contoso-platform): no role assignment on /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/contoso-prod-weu-nodes allows Microsoft.Compute/disks/read, Microsoft.Compute/disks/write (disks)"),
    (edit_object("infra/identities/_velero-roles.yaml", "RoleDefinition", "contoso-velero-snapshots",
                set_path("spec.forProvider.permissions", [{"actions": ["Microsoft.Compute/snapshots/read"]}])),
     "Velero on nonprod (identity contoso-platform): no role assignment on /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/contoso-platform allows"),
    (edit_object("infra/clusters/prod-weu.yaml", "KubernetesCluster", "prod-weu", set_path("spec.forProvider.nodeResourceGroup", None)),
     "KubernetesCluster prod-weu: no nodeResourceGroup, so Velero's disk rights have no scope known at render time"),
    # storage accounts' customer-managed key, as buckets/ describes it
    (mutate_drop("RoleAssignment", "contoso-weu-storage"),
     "storage account contosoproduction: identity contoso-weu-storage has no Key Vault Crypto Service Encryption User on vault contoso-weu"),
    (edit_object("infra/buckets/contosoproduction.yaml", "Account", "contosoproduction",
                 set_path("spec.forProvider.customerManagedKey.keyVaultKeyId", "https://contoso-platform.vault.azure.net/keys/contosoproduction-cmk")),
     "storage account contosoproduction: customerManagedKey"),
    (mutate_drop("UserAssignedIdentity", "contoso-weu-storage"), "storage account contosodevelopment: identity contoso-weu-storage is not rendered in westeurope"),
    (edit_object("infra/buckets/contosostaging.yaml", "Account", "contosostaging", set_path("spec.forProvider.identity", None)),
     "storage account contosostaging: its identity is not"),
])
def test_each_azure_break_is_caught(azure, tmp_path, mutation, expected):
    caught(azure, tmp_path, mutation, expected)


def test_azure_check_warns_until_the_second_pass(tmp_path):
    text = (ROOT / "examples/azure/platform.yaml").read_text()
    first = text[:text.index("  principals:\n")].replace("    api: 0a1b2c3d-0000-4000-8000-000000000001\n", "")
    spec = tmp_path / "platform.yaml"
    spec.write_text(first)
    r = subprocess.run([BERTH, "check", spec], capture_output=True, text=True, timeout=300)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert re.search(r"platform\.yaml:\d+:3: warning: service 'api' uses buckets in 'development' but provider.identities has no client id for it \('development-api' or 'api'\)", out), out
    assert re.search(r"platform\.yaml:\d+:3: warning: infrastructure.principals has no principal id for ", out), out
    assert "infrastructure.issuers has no OIDC issuer for prod-weu, nonprod" in out
    # AKS creates each cluster's kubelet identity; its AcrPull waits for the principal id.
    assert re.search(r"infrastructure.principals has no principal id for [^:]*\bnonprod-kubelet, [^:]*\bprod-weu-kubelet\b", out), out


# --- IPv6 of acme's dual-stack plan on AWS, through a VPC IPAM ---

@pytest.mark.parametrize("mutation,expected", [
    (edit_object("infra/network/prod-eu.yaml", "Subnet", "prod-eu-eu-west-1b-private", set_path("spec.forProvider.ipv6CidrBlock", "fd12:3456:789a:9::/64")),
     "Subnet prod-eu-eu-west-1b-private: ipv6CidrBlock fd12:3456:789a:9::/64 is not the plan's prod-eu/eu-west-1b/private6 fd12:3456:789a:3::/64"),
    (mutate_drop("VPCIpv6CidrBlockAssociation", "prod-us-ipv6"), "VPC prod-us: the plan's IPv6 range fd12:3456:789a:200::/56 is not associated with it"),
    (edit_object("infra/network/_ipam.yaml", "VPCIpamPool", "prod-us-ipv6", set_path("spec.forProvider.locale", "eu-west-1")),
     "VPC prod-us: its IPAM pool prod-us-ipv6 has locale eu-west-1, not the VPC's region us-east-1"),
    (edit_object("infra/network/_ipam.yaml", "VPCIpamPoolCidr", "nonprod-ipv6", set_path("spec.forProvider.cidr", "fd12:3456:789a:700::/56")),
     "VPC nonprod: its IPAM pool nonprod-ipv6 holds ['fd12:3456:789a:700::/56'], not exactly fd12:3456:789a:400::/56"),
    (mutate_drop("VPCIpamScope", "acme-private"), "ipamScopeIdRef names VPCIpamScope acme-private, which infra/ does not render"),
])
def test_each_ipv6_break_is_caught(acme, tmp_path, mutation, expected):
    caught(acme, tmp_path, mutation, expected)
