#!/usr/bin/env python3
"""Cross-checks a render's cloud foundation (infra/) against the rest of the render.

Usage: check_infra.py RENDERED_DIR [--schemas DIR]

What a real apply would trip over, checked from the files alone:

* the provider's own "required parameter" rules: every CRD schema carries CEL rules of the
  form `... || has(self.forProvider.X) || (has(self.initProvider) && has(self.initProvider.X))`
  (spec.x-kubernetes-validations); the API server enforces them, jsonschema does not, so
  they are evaluated here;
* every reference (`xRef`, `xRefs`) names a managed resource of the kind the field means,
  rendered in infra/, and in the same region;
* network CIDRs equal `network/ip-plan.json`: each VPC its `<cluster>/vpc`, each subnet its
  `<cluster>/<zone>/<public|private>`;
* every workload identity a cluster object names (ServiceAccount annotation
  `berth.dev/cloud-identity`, a CloudNativePG Cluster's ServiceAccount template, an add-on
  Application's chart values) has a Pod Identity association for exactly that cluster,
  namespace and ServiceAccount, whose role exists and whose trust policy names them;
* every KMS key ARN an object names (StorageClass `kmsKeyId`, bucket encryption, cluster
  secrets encryption) is the alias of a rendered key in the ARN's region;
* every node pool a nodeSelector names (`eks.amazonaws.com/nodegroup`) is a node group of
  that cluster;
* every DNS name external-dns or cert-manager writes (HTTPRoute and Gateway hostnames,
  Certificate dnsNames, Ingress hosts) lies in a rendered zone;
* every bucket an identity's policy names is rendered;
* the Argo CD Applications of the foundation sync folders that exist, and run in earlier
  waves than every add-on;
* on Google Cloud: each subnetwork's range and the secondary pod and service ranges equal
  the plan's, and each cluster's ip_allocation_policy names ranges of its subnetwork; every
  `iam.gke.io/gcp-service-account` annotation names a rendered Google service account whose
  `roles/iam.workloadIdentityUser` member is exactly that namespace/ServiceAccount (and no
  member names a ServiceAccount the render does not annotate); every key a StorageClass
  (`disk-encryption-kms-key`), bucket or cluster names is a rendered key ring/key of its
  region; every `cloud.google.com/gke-nodepool` nodeSelector names a node pool of that
  cluster; every node pool carries the tag the nodes' firewall rules target; DNS names lie
  in a rendered Cloud DNS zone.

On an Azure foundation (`*.azure.upbound.io` kinds) the same required-parameter and reference
checks run, then the Azure cross-checks: each VNet's address space, each subnet's prefix (zone
and tier from its labels) and each AKS cluster's pod and service CIDRs equal the IP plan, its
DNS service address lies in the service range; every ServiceAccount, CloudNativePG cluster and
add-on that names an identity (`berth.dev/cloud-identity`) has that UserAssignedIdentity and a
FederatedIdentityCredential for exactly its cluster, namespace and ServiceAccount, and no
credential trusts a ServiceAccount that does not name the identity; every disk encryption set
a StorageClass or cluster names is rendered in its region; every nodeSelector's pool
(`kubernetes.azure.com/agentpool`) is a node pool of that cluster; every host name lies in a
rendered DNS zone; the Applications run before the add-ons.

Each problem is printed as `check_infra: <what>`; the last line counts objects and
problems; the exit status is 1 when there is any problem.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import yaml

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

REQUIRED = re.compile(r"has\(self\.forProvider\.([A-Za-z_]+)\)")
POOL_LABEL = "eks.amazonaws.com/nodegroup"
IDENTITY = "berth.dev/cloud-identity"

# Which kind a reference field names, by field (without Ref/Refs).
REF_KINDS = {
    "vpcId": "VPC", "subnetId": "Subnet", "subnetIds": "Subnet", "routeTableId": "RouteTable",
    "gatewayId": "InternetGateway", "natGatewayId": "NATGateway", "allocationId": "EIP",
    "securityGroupId": "SecurityGroup", "roleArn": "Role", "nodeRoleArn": "Role", "role": "Role",
    "clusterName": "Cluster", "targetKeyId": "Key", "bucket": "Bucket", "policyArn": "Policy",
    "repository": "Repository", "peerVpcId": "VPC", "vpcPeeringConnectionId": "VPCPeeringConnection",
    "ipamId": "VPCIpam", "ipamScopeId": "VPCIpamScope", "ipamPoolId": "VPCIpamPool", "sourceIpamPoolId": "VPCIpamPool",
    "ipv6IpamPoolId": "VPCIpamPool",
    # Google Cloud (provider-upjet-gcp)
    "network": "Network", "subnetwork": "Subnetwork", "router": "Router", "keyRing": "KeyRing", "cluster": "Cluster",
    "serviceAccountId": "ServiceAccount", "serviceAccount": "ServiceAccount", "cryptoKeyId": "CryptoKey",
}
GKE_POOL_LABEL = "cloud.google.com/gke-nodepool"
GKE_IDENTITY = "iam.gke.io/gcp-service-account"
# References that may cross regions: a peering joins networks of two regions, and its id is
# valid in both.
CROSS_REGION = {"peerVpcId", "vpcPeeringConnectionId"}
GLOBAL_KINDS = {"Role", "Policy", "RolePolicyAttachment", "Zone", "ResourceGroup", "UserAssignedIdentity", "DNSZone"}
# Azure (provider-upjet-azure): the same, for the fields of *.azure.upbound.io kinds.
AZURE_REF_KINDS = {
    "resourceGroupName": "ResourceGroup", "virtualNetworkName": "VirtualNetwork", "subnetId": "Subnet",
    "vnetSubnetId": "Subnet", "natGatewayId": "NATGateway", "publicIpAddressId": "PublicIP",
    "networkSecurityGroupId": "SecurityGroup", "networkSecurityGroupName": "SecurityGroup",
    "kubernetesClusterId": "KubernetesCluster", "keyVaultId": "Vault", "keyVaultKeyId": "Key",
    "parentId": "UserAssignedIdentity", "identityIds": "UserAssignedIdentity", "storageAccountId": "Account",
    "roleDefinitionId": "RoleDefinition",
}
AZURE_POOL_LABEL = "kubernetes.azure.com/agentpool"


def docs_in(path: Path):
    with open(path) as f:
        for d in yaml.safe_load_all(f):
            if isinstance(d, dict):
                yield d


def load(root: Path):
    infra, clusters, argo = [], {}, []
    for p in sorted(root.rglob("*.yaml")):
        rel = p.relative_to(root).parts
        if rel[0] == "infra":
            infra += [(str(p.relative_to(root)), d) for d in docs_in(p)]
        elif rel[0] in ("addons", "argocd"):
            argo += list(docs_in(p))
        elif rel[0] not in ("kustomize", "helm", "local", "monitoring", "audit", "restore"):
            clusters.setdefault(rel[0], []).extend(docs_in(p))
    return infra, clusters, argo


def walk(v, path=""):
    yield path, v
    if isinstance(v, dict):
        for k, x in v.items():
            yield from walk(x, f"{path}.{k}" if path else k)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield from walk(x, f"{path}[{i}]")


def where(cluster, d):
    """`Kind cluster/namespace/name`: how a check names a cluster object."""
    return f"{d['kind']} {cluster}/{d['metadata'].get('namespace', '')}/{d['metadata']['name']}"


def check_pools(clusters, label, pools, noun, say):
    """Every node pool a cluster object's nodeSelector names under `label` is one of that
    cluster's `pools` (cluster name -> set of pool names); `noun` is what the provider calls one."""
    for cluster, objs in clusters.items():
        for d in objs:
            for p, v in walk(d):
                if p.endswith("nodeSelector") and isinstance(v, dict) and label in v and v[label] not in pools.get(cluster, set()):
                    say(f"{where(cluster, d)}: node pool {v[label]} is not a {noun} of {cluster}")


def dns_names(clusters):
    """(cluster, object, host) for every host name an HTTPRoute, Gateway listener,
    Certificate or Ingress rule in a cluster names."""
    for cluster, objs in clusters.items():
        for d in objs:
            k, s = d.get("kind"), d.get("spec") or {}
            names = []
            if k == "HTTPRoute":
                names = s.get("hostnames", [])
            elif k == "Gateway":
                names = [l["hostname"] for l in s.get("listeners", []) if l.get("hostname")]
            elif k == "Certificate":
                names = s.get("dnsNames", [])
            elif k == "Ingress":
                names = [r["host"] for r in s.get("rules", []) if r.get("host")]
            for h in names:
                yield cluster, d, h


def check_zones(clusters, zones, say):
    """Every host name (a leading `*.` wildcard label removed) lies in one of `zones`."""
    for cluster, d, h in dns_names(clusters):
        bare = h[2:] if h.startswith("*.") else h
        if not any(bare == z or bare.endswith("." + z) for z in zones):
            say(f"{where(cluster, d)}: {h} lies in no rendered zone ({', '.join(zones) or 'none'})")


def required_rules(schemas: Path, api: str, kind: str):
    group, version = api.split("/")
    f = schemas / group / f"{kind.lower()}_{version}.json"
    if not f.exists():
        return []
    s = json.loads(f.read_text())
    rules = s.get("properties", {}).get("spec", {}).get("x-kubernetes-validations", [])
    return [m.group(1) for r in rules for m in [REQUIRED.search(r.get("rule", ""))] if m]


def main(argv):
    root = Path(argv[1])
    schemas = Path(argv[argv.index("--schemas") + 1]) if "--schemas" in argv else Path(__file__).parent.parent / "Tests/data/schemas"
    infra, clusters, argo = load(root)
    problems = []
    say = problems.append
    by_kind = {}
    for path, d in infra:
        by_kind.setdefault(d["kind"], {})[d["metadata"]["name"]] = d

    def region(d):
        fp = d.get("spec", {}).get("forProvider") or {}
        return fp.get("region") or fp.get("location")

    # 1. required parameters (the CRDs' CEL rules)
    for path, d in infra:
        fp = (d.get("spec") or {}).get("forProvider")
        if fp is None:
            continue
        ip = d["spec"].get("initProvider") or {}
        for field in required_rules(schemas, d["apiVersion"], d["kind"]):
            name = field.strip("_")
            if name not in fp and name not in ip:
                say(f"{path}: {d['kind']}/{d['metadata']['name']}: required parameter spec.forProvider.{name} is missing")

    # 2. references
    for path, d in infra:
        fp = (d.get("spec") or {}).get("forProvider") or {}
        for p, v in walk(fp):
            key = p.rsplit(".", 1)[-1].split("[")[0]
            if not (key.endswith("Ref") or key.endswith("Refs")) or not isinstance(v, (dict, list)):
                continue
            field = key[:-4] if key.endswith("Refs") else key[:-3]
            kind = (AZURE_REF_KINDS if ".azure.upbound.io/" in d["apiVersion"] else REF_KINDS).get(field)
            refs = v if isinstance(v, list) else [v]
            for r in refs:
                target = by_kind.get(kind, {}).get(r.get("name")) if kind else None
                if target is None:
                    say(f"{path}: {d['kind']}/{d['metadata']['name']}: {p} names {kind or '?'} {r.get('name')}, which infra/ does not render")
                elif field not in CROSS_REGION and kind not in GLOBAL_KINDS and d["kind"] not in GLOBAL_KINDS and region(target) and region(d) and region(d) not in usable_in(target):
                    say(f"{path}: {d['kind']}/{d['metadata']['name']}: {p} names {kind} {r.get('name')} in {region(target)}, not {region(d)}")

    # 3. CIDRs from the IP plan
    plan = {r["key"]: r["cidr"] for r in json.loads((root / "network/ip-plan.json").read_text())["ranges"]}
    for name, vpc in by_kind.get("VPC", {}).items():
        if vpc["spec"]["forProvider"].get("cidrBlock") != plan.get(f"{name}/vpc"):
            say(f"VPC {name}: cidrBlock {vpc['spec']['forProvider'].get('cidrBlock')} is not the plan's {plan.get(f'{name}/vpc')}")
    if any(".azure.upbound.io/" in d["apiVersion"] for _, d in infra):
        problems += azure_checks(root, infra, by_kind, clusters, argo, plan)
        for p in problems:
            print(f"check_infra: {p}")
        print(f"check_infra: {len(infra)} managed objects (azure), {len(problems)} problems")
        return 1 if problems else 0
    for name, s in by_kind.get("Subnet", {}).items():
        fp = s["spec"]["forProvider"]
        cluster = fp["vpcIdRef"]["name"]
        tier = "public" if name.endswith("-public") else "private"
        key = f"{cluster}/{fp['availabilityZone']}/{tier}"
        if fp.get("cidrBlock") != plan.get(key):
            say(f"Subnet {name}: cidrBlock {fp.get('cidrBlock')} is not the plan's {key} {plan.get(key)}")
    problems += ipv6_checks(by_kind, plan)
    planned = {k for k in plan if re.fullmatch(r"[^/]+/[^/]+/(public|private)", k)}
    rendered = {f"{s['spec']['forProvider']['vpcIdRef']['name']}/{s['spec']['forProvider']['availabilityZone']}/{'public' if n.endswith('-public') else 'private'}" for n, s in by_kind.get("Subnet", {}).items()}
    for k in sorted(planned - rendered) if by_kind.get("VPC") else []:
        say(f"the plan's subnet {k} has no Subnet in infra/")

    # 4. workload identities
    associations = {}
    for a in by_kind.get("PodIdentityAssociation", {}).values():
        fp = a["spec"]["forProvider"]
        associations[(fp["clusterNameRef"]["name"], fp["namespace"], fp["serviceAccount"])] = fp["roleArnRef"]["name"]
    wanted = annotated(clusters, argo)
    for cluster, ns, sa, role, what in wanted:
        got = associations.get((cluster, ns, sa))
        if got != role:
            say(f"{what} {cluster}/{ns}/{sa} names identity {role}; infra/ binds {got or 'nothing'} to it")
            continue
        r = by_kind.get("Role", {}).get(role)
        if r is None:
            say(f"identity {role} ({what} {cluster}/{ns}/{sa}) has no Role in infra/")
            continue
        trust = json.loads(r["spec"]["forProvider"]["assumeRolePolicy"])
        ok = any(
            (st.get("Condition", {}).get("StringEquals", {}).get("aws:RequestTag/eks-cluster-name") == cluster
             and st["Condition"]["StringEquals"].get("aws:RequestTag/kubernetes-namespace") == ns
             and st["Condition"]["StringEquals"].get("aws:RequestTag/kubernetes-service-account") == sa)
            for st in trust["Statement"])
        if not ok:
            say(f"Role {role}: its trust policy does not name {cluster}/{ns}/{sa}")
    for key, role in associations.items():
        if role not in by_kind.get("Role", {}):
            say(f"PodIdentityAssociation {key}: role {role} is not rendered")

    # 5. keys
    aliases = {(region(a), a["metadata"]["annotations"]["crossplane.io/external-name"]) for a in by_kind.get("Alias", {}).values()}
    used_keys = []
    for cluster, objs in clusters.items():
        for d in objs:
            if d.get("kind") == "StorageClass" and (d.get("parameters") or {}).get("kmsKeyId"):
                used_keys.append((f"StorageClass {cluster}/{d['metadata']['name']}", d["parameters"]["kmsKeyId"]))
    for path, d in infra:
        for p, v in walk(d.get("spec", {}).get("forProvider", {})):
            if p.rsplit(".", 1)[-1] in ("kmsMasterKeyId", "keyArn") and isinstance(v, str):
                used_keys.append((f"{d['kind']}/{d['metadata']['name']}", v))
    for who, arn in used_keys:
        m = re.fullmatch(r"arn:aws:kms:([^:]+):(\d{12}):(alias/.+)", arn)
        if not m:
            say(f"{who}: key {arn} is not the alias ARN of a rendered key")
        elif (m.group(1), m.group(3)) not in aliases:
            say(f"{who}: key alias {m.group(3)} in {m.group(1)} is not rendered")

    # 6. node pools
    pools = {}
    for ng in by_kind.get("NodeGroup", {}).values():
        pools.setdefault(ng["spec"]["forProvider"]["clusterNameRef"]["name"], set()).add(ng["metadata"]["annotations"]["crossplane.io/external-name"])
    check_pools(clusters, POOL_LABEL, pools, "node group", say)

    # 7. DNS names in rendered zones
    zones = [z["spec"]["forProvider"]["name"] for z in by_kind.get("Zone", {}).values()]
    zones += [z["spec"]["forProvider"]["dnsName"].rstrip(".") for z in by_kind.get("ManagedZone", {}).values()]
    check_zones(clusters, zones, say)

    # 8. buckets the policies name
    buckets = set(by_kind.get("Bucket", {}))
    for name, pol in by_kind.get("Policy", {}).items():
        for st in json.loads(pol["spec"]["forProvider"]["policy"])["Statement"]:
            res = st.get("Resource")
            for r in res if isinstance(res, list) else [res]:
                m = re.fullmatch(r"arn:aws:s3:::([^/]+)(/\*)?", r or "")
                if m and m.group(1) not in buckets:
                    say(f"Policy {name}: names bucket {m.group(1)}, which infra/ does not render")

    # 9b. cross-cluster database paths: a peering and a route each way between the networks
    vpcs = by_kind.get("VPC", {})
    peered = {}
    for name, pc in by_kind.get("VPCPeeringConnection", {}).items():
        fp = pc["spec"]["forProvider"]
        peered[frozenset([fp["vpcIdRef"]["name"], fp["peerVpcIdRef"]["name"]])] = name
    routes = {(r["spec"]["forProvider"]["routeTableIdRef"]["name"], r["spec"]["forProvider"].get("destinationCidrBlock")):
              r["spec"]["forProvider"] for r in by_kind.get("Route", {}).values()}
    tables = {}
    for name, t in by_kind.get("RouteTable", {}).items():
        if "-private-" in name:
            tables.setdefault(t["spec"]["forProvider"]["vpcIdRef"]["name"], []).append(name)
    for rule in by_kind.get("SecurityGroupIngressRule", {}).values():
        m = re.fullmatch(r"database-.+-from-(.+)", rule["spec"]["forProvider"].get("description", ""))
        if not m or m.group(1) not in vpcs:
            continue
        group = by_kind.get("SecurityGroup", {}).get(rule["spec"]["forProvider"]["securityGroupIdRef"]["name"])
        server, client = group["spec"]["forProvider"]["vpcIdRef"]["name"], m.group(1)
        conn = peered.get(frozenset([server, client]))
        if conn is None:
            say(f"database path from {client} to {server}: no VPC peering joins the two networks")
            continue
        for a, b in ((client, server), (server, client)):
            for t in tables.get(a, []):
                r = routes.get((t, vpcs[b]["spec"]["forProvider"]["cidrBlock"]))
                if r is None or (r.get("vpcPeeringConnectionIdRef") or {}).get("name") != conn:
                    say(f"database path from {client} to {server}: route table {t} does not send {b}'s range through {conn}")

    # 10. Google Cloud: subnetworks and secondary ranges, Workload Identity, keys, node pools
    gcp_wanted = gcp_checks(root, infra, by_kind, clusters, argo, plan, say)

    # 9. Argo CD order and folders
    infra_apps = [d for d in argo if d.get("kind") == "Application" and "berth.dev/infra" in ((d.get("metadata") or {}).get("labels") or {})]
    addon_apps = [d for d in argo if d.get("kind") == "Application" and "berth.dev/addon" in ((d.get("metadata") or {}).get("labels") or {})]
    wave = lambda d: int(d["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"])
    if infra and not infra_apps:
        say("infra/ is rendered but no Argo CD Application syncs it")
    for a in infra_apps:
        path = (a["spec"]["source"].get("path") or "")
        if path and not any((root / Path(*Path(path).parts[i:])).is_dir() for i in range(len(Path(path).parts))):
            say(f"Application {a['metadata']['name']}: folder {path} is not rendered")
        if addon_apps and wave(a) >= min(wave(x) for x in addon_apps):
            say(f"Application {a['metadata']['name']}: wave {wave(a)} does not come before the add-ons ({min(wave(x) for x in addon_apps)})")
    folders = {p.split("/")[1] for p, _ in infra}
    synced = {Path(a["spec"]["source"].get("path", "")).name for a in infra_apps}
    for f in sorted(folders - synced):
        say(f"infra/{f}/ is synced by no Application")

    for p in problems:
        print(f"check_infra: {p}")
    print(f"check_infra: {len(infra)} managed objects, {len(wanted) + gcp_wanted[0]} identity bindings, {len(used_keys) + gcp_wanted[1]} key references, {len(problems)} problems")
    return 1 if problems else 0


def usable_in(target):
    """The regions where a referenced resource may be used: its own, and for an IPAM pool (which
    lives in the IPAM's home region) the region its `locale` makes its addresses available in."""
    fp = (target.get("spec") or {}).get("forProvider") or {}
    return {fp.get("region"), fp.get("location")} | ({fp["locale"]} if target.get("kind") == "VPCIpamPool" and fp.get("locale") else set())


def ipv6_checks(by_kind, plan):
    """A dual-stack plan on AWS, address for address: each VPC is associated with the plan's IPv6
    range of its cluster (`<cluster>/vpc6`), from a pool whose locale is the VPC's region and
    whose provisioned range is exactly that one, under a pool holding the plan's supernet; each
    subnet has the plan's IPv6 /64 of its zone and tier."""
    problems = []
    say = problems.append
    fp = lambda d: d["spec"]["forProvider"]
    if not any(re.fullmatch(r"[^/]+/vpc6", k) for k in plan) or "VPC" not in by_kind:
        return problems
    pools = by_kind.get("VPCIpamPool", {})
    cidrs = {}
    for c in by_kind.get("VPCIpamPoolCidr", {}).values():
        cidrs.setdefault(fp(c)["ipamPoolIdRef"]["name"], []).append(fp(c).get("cidr"))
    assoc = {fp(a)["vpcIdRef"]["name"]: a for a in by_kind.get("VPCIpv6CidrBlockAssociation", {}).values()}
    tops = [n for n, p in pools.items() if "sourceIpamPoolIdRef" not in fp(p)]
    if sorted(c for n in tops for c in cidrs.get(n, [])) != [plan.get("supernet6")]:
        say(f"IPAM: the top pools {tops} hold {[cidrs.get(n) for n in tops]}, not the plan's IPv6 supernet {plan.get('supernet6')}")
    for name, vpc in by_kind["VPC"].items():
        want = plan.get(f"{name}/vpc6")
        a = assoc.get(name)
        if want is None:
            if a is not None:
                say(f"VPC {name}: an IPv6 range is associated, but the plan has none for it")
            continue
        if a is None:
            say(f"VPC {name}: the plan's IPv6 range {want} is not associated with it")
            continue
        if fp(a).get("ipv6CidrBlock") != want:
            say(f"VPC {name}: IPv6 range {fp(a).get('ipv6CidrBlock')} is not the plan's {name}/vpc6 {want}")
        pool = pools.get((fp(a).get("ipv6IpamPoolIdRef") or {}).get("name"))
        if pool is None:
            say(f"VPC {name}: its IPv6 range comes from no rendered IPAM pool")
            continue
        if fp(pool).get("locale") != fp(vpc).get("region"):
            say(f"VPC {name}: its IPAM pool {pool['metadata']['name']} has locale {fp(pool).get('locale')}, not the VPC's region {fp(vpc).get('region')}")
        if cidrs.get(pool["metadata"]["name"]) != [want]:
            say(f"VPC {name}: its IPAM pool {pool['metadata']['name']} holds {cidrs.get(pool['metadata']['name'])}, not exactly {want}")
        if (fp(pool).get("sourceIpamPoolIdRef") or {}).get("name") not in tops:
            say(f"VPC {name}: its IPAM pool {pool['metadata']['name']} is not carved from the supernet's pool")
    for name, s in by_kind.get("Subnet", {}).items():
        cluster = fp(s)["vpcIdRef"]["name"]
        tier = "public" if name.endswith("-public") else "private"
        want = plan.get(f"{cluster}/{fp(s)['availabilityZone']}/{tier}6")
        if fp(s).get("ipv6CidrBlock") != want:
            say(f"Subnet {name}: ipv6CidrBlock {fp(s).get('ipv6CidrBlock')} is not the plan's {cluster}/{fp(s)['availabilityZone']}/{tier}6 {want}")
    return problems


def external(d):
    return ((d.get("metadata") or {}).get("annotations") or {}).get("crossplane.io/external-name", d["metadata"]["name"])


def gcp_region(location):
    """The region of a GKE location (a region, or a zone `<region>-<letter>`)."""
    head, _, tail = (location or "").rpartition("-")
    return head if len(tail) == 1 and head else location


def gcp_checks(root, infra, by_kind, clusters, argo, plan, say):
    """The Google Cloud cross-checks; returns (identity bindings, key references) seen."""
    if not any(".gcp.upbound.io/" in d.get("apiVersion", "") for _, d in infra):
        return (0, 0)
    config = next((d for _, d in infra if d["kind"] == "ProviderConfig"), {})
    project = (config.get("spec") or {}).get("projectID", "")

    # subnetworks: each the plan's range; the nodes' subnetwork carries the pod and service ranges
    subnets = by_kind.get("Subnetwork", {})
    rendered = set()
    for name, s in subnets.items():
        fp = s["spec"]["forProvider"]
        cluster = fp["networkRef"]["name"]
        rest, _, tier = name[len(cluster) + 1:].rpartition("-")
        key = f"{cluster}/{rest}/{tier}"
        rendered.add(key)
        if fp.get("ipCidrRange") != plan.get(key):
            say(f"Subnetwork {name}: ipCidrRange {fp.get('ipCidrRange')} is not the plan's {key} {plan.get(key)}")
        for r in fp.get("secondaryIpRange") or []:
            what = r["rangeName"][len(cluster) + 1:] if r["rangeName"].startswith(cluster + "-") else "?"
            if r.get("ipCidrRange") != plan.get(f"{cluster}/{what}"):
                say(f"Subnetwork {name}: secondary range {r['rangeName']} {r.get('ipCidrRange')} is not the plan's {cluster}/{what} {plan.get(f'{cluster}/{what}')}")
    planned = {k for k in plan if re.fullmatch(r"[^/]+/[^/]+/(public|private)", k)}
    for k in sorted(planned - rendered):
        say(f"the plan's subnet {k} has no Subnetwork in infra/")
    gke = by_kind.get("Cluster", {})
    for name, c in gke.items():
        fp = c["spec"]["forProvider"]
        sub = subnets.get((fp.get("subnetworkRef") or {}).get("name"), {})
        ranges = {r["rangeName"] for r in (sub.get("spec", {}).get("forProvider", {}).get("secondaryIpRange") or [])}
        pol = fp.get("ipAllocationPolicy") or {}
        for field in ("clusterSecondaryRangeName", "servicesSecondaryRangeName"):
            if pol.get(field) not in ranges:
                say(f"Cluster {name}: ipAllocationPolicy.{field} {pol.get(field)} is no secondary range of its subnetwork")

    # Workload Identity: every annotation names a rendered account whose workloadIdentityUser
    # member is that namespace/ServiceAccount, and every member is a ServiceAccount that names it
    wanted = annotated(clusters, argo, GKE_IDENTITY)
    gsas = {external(a): n for n, a in by_kind.get("ServiceAccount", {}).items()}
    members = {}
    for m in by_kind.get("ServiceAccountIAMMember", {}).values():
        fp = m["spec"]["forProvider"]
        if fp.get("role") == "roles/iam.workloadIdentityUser":
            members.setdefault(fp["serviceAccountIdRef"]["name"], set()).add(fp["member"])
    named = set()
    for cluster, ns, sa, email, what in wanted:
        account, _, domain = email.partition("@")
        member = f"serviceAccount:{project}.svc.id.goog[{ns}/{sa}]"
        if domain != f"{project}.iam.gserviceaccount.com" or account not in gsas:
            say(f"{what} {cluster}/{ns}/{sa} names {email}, which infra/ does not render")
            continue
        named.add((gsas[account], member))
        if member not in members.get(gsas[account], set()):
            say(f"Google service account {email}: no roles/iam.workloadIdentityUser member {member} ({what} {cluster}/{ns}/{sa})")
    for gsa, ms in sorted(members.items()):
        for m in sorted(ms - {x[1] for x in named if x[0] == gsa}):
            say(f"Google service account {gsa}: {m} may act as it, but no ServiceAccount of the render names it")

    # keys: every key a StorageClass, bucket or cluster names is a rendered key of its region
    rings = {n: (external(r), r["spec"]["forProvider"].get("location")) for n, r in by_kind.get("KeyRing", {}).items()}
    keys = set()
    for k in by_kind.get("CryptoKey", {}).values():
        ring = rings.get(k["spec"]["forProvider"].get("keyRingRef", {}).get("name"))
        if ring:
            keys.add(f"projects/{project}/locations/{ring[1]}/keyRings/{ring[0]}/cryptoKeys/{external(k)}")
    used = []
    for cluster, objs in clusters.items():
        region = gcp_region(gke.get(cluster, {}).get("spec", {}).get("forProvider", {}).get("location"))
        for d in objs:
            key = (d.get("parameters") or {}).get("disk-encryption-kms-key") if d.get("kind") == "StorageClass" else None
            if key:
                used.append((f"StorageClass {cluster}/{d['metadata']['name']}", key, region))
    for name, b in by_kind.get("Bucket", {}).items():
        key = (b["spec"]["forProvider"].get("encryption") or {}).get("defaultKmsKeyName")
        if key:
            used.append((f"Bucket {name}", key, b["spec"]["forProvider"].get("location", "").lower()))
    for name, c in gke.items():
        key = (c["spec"]["forProvider"].get("databaseEncryption") or {}).get("keyName")
        if key:
            used.append((f"Cluster {name}", key, gcp_region(c["spec"]["forProvider"].get("location"))))
    for who, key, region in used:
        m = re.fullmatch(r"projects/[^/]+/locations/([^/]+)/keyRings/[^/]+/cryptoKeys/[^/]+", key)
        if key not in keys:
            say(f"{who}: key {key} is not rendered")
        elif not m or m.group(1) != region:
            say(f"{who}: key {key} is not in its region {region}")
    check_service_agents(infra, by_kind, rings, project, used, argo, say)

    # node pools: every pool a nodeSelector names is a node pool of that cluster, and every
    # node pool carries the network tag the nodes' firewall rules target
    pools = {}
    for p in by_kind.get("NodePool", {}).values():
        pools.setdefault(p["spec"]["forProvider"]["clusterRef"]["name"], set()).add(external(p))
    check_pools(clusters, GKE_POOL_LABEL, pools, "node pool", say)
    for name, fw in by_kind.get("Firewall", {}).items():
        net = fw["spec"]["forProvider"]["networkRef"]["name"]
        for tag in fw["spec"]["forProvider"].get("targetTags") or []:
            if not tag.endswith("-nodes"):
                continue
            for pname, p in sorted(by_kind.get("NodePool", {}).items()):
                if p["spec"]["forProvider"]["clusterRef"]["name"] == net and tag not in (p["spec"]["forProvider"].get("nodeConfig") or {}).get("tags", []):
                    say(f"NodePool {pname}: does not carry the network tag {tag} that Firewall {name} targets")
    return (len(wanted), len(used))


# The Google-managed service agent that encrypts with a key for each kind of user: GKE for a
# cluster's secrets, Compute Engine for a StorageClass's disks, Cloud Storage for a bucket.
SERVICE_AGENTS = {"Cluster": "container-engine-robot", "StorageClass": "compute-system", "Bucket": "gs-project-accounts"}
ENCRYPTER = "roles/cloudkms.cryptoKeyEncrypterDecrypter"


def check_service_agents(infra, by_kind, rings, project, used, argo, say):
    """Every key a cluster, StorageClass or bucket uses grants the service agent that encrypts
    with it (service-<project number>@<agent>.iam.gserviceaccount.com) the encrypter role,
    through a CryptoKeyIAMMember that references the rendered CryptoKey and is synced in an
    earlier wave than the clusters and buckets; every grant names the same project number."""
    paths = {(d["kind"], d["metadata"]["name"]): p for p, d in infra}
    waves = {Path(a["spec"]["source"].get("path", "")).name: int(a["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"])
             for a in argo if a.get("kind") == "Application" and "berth.dev/infra" in ((a.get("metadata") or {}).get("labels") or {})}
    folder_wave = lambda kind, name: waves.get(paths.get((kind, name), "//").split("/")[1])
    key_path = {}
    for n, k in by_kind.get("CryptoKey", {}).items():
        ring = rings.get(k["spec"]["forProvider"].get("keyRingRef", {}).get("name"))
        if ring:
            key_path[n] = f"projects/{project}/locations/{ring[1]}/keyRings/{ring[0]}/cryptoKeys/{external(k)}"
    grants, numbers = {}, set()
    for n, g in by_kind.get("CryptoKeyIAMMember", {}).items():
        fp = g["spec"]["forProvider"]
        m = re.fullmatch(r"serviceAccount:service-(\d+)@([a-z-]+)\.iam\.gserviceaccount\.com", fp.get("member", ""))
        if fp.get("role") != ENCRYPTER or not m:
            continue
        numbers.add(m.group(1))
        key = key_path.get((fp.get("cryptoKeyIdRef") or {}).get("name"))
        grants.setdefault((key, m.group(2)), []).append(n)
    if len(numbers) > 1:
        say(f"CryptoKeyIAMMember: the service agents' grants name several project numbers ({', '.join(sorted(numbers))})")
    for who, key, _ in used:
        kind, _, name = who.partition(" ")
        agent = SERVICE_AGENTS[kind]
        names = grants.get((key, agent))
        if not names:
            say(f"{who}: key {key} grants service-<project number>@{agent}.iam.gserviceaccount.com no {ENCRYPTER}")
            continue
        if kind == "StorageClass":
            continue
        later = folder_wave(kind, name)
        for g in names:
            w = folder_wave("CryptoKeyIAMMember", g)
            if w is None or later is None or w >= later:
                say(f"CryptoKeyIAMMember {g}: synced in wave {w}, not before {kind} {name} (wave {later}) that needs it")


def annotated(clusters, argo, key=IDENTITY):
    """(cluster, namespace, ServiceAccount, identity, what) for every workload identity a
    cluster object or an add-on's chart values name with the annotation `key`
    (berth.dev/cloud-identity; GKE's iam.gke.io/gcp-service-account on Google Cloud)."""
    wanted = []
    for cluster, objs in clusters.items():
        for d in objs:
            ann = (d.get("metadata") or {}).get("annotations") or {}
            if d.get("kind") == "ServiceAccount" and key in ann:
                wanted.append((cluster, d["metadata"].get("namespace", ""), d["metadata"]["name"], ann[key], "ServiceAccount"))
            tpl = (((d.get("spec") or {}).get("serviceAccountTemplate") or {}).get("metadata") or {}).get("annotations") or {}
            if d.get("kind") == "Cluster" and key in tpl:
                wanted.append((cluster, d["metadata"].get("namespace", ""), d["metadata"]["name"], tpl[key], "CloudNativePG Cluster"))
    accounts = {"cert-manager": "cert-manager", "external-dns": "external-dns", "velero": "velero-server",
                "cluster-autoscaler": "cluster-autoscaler", "external-secrets": "external-secrets",
                "aws-load-balancer-controller": "aws-load-balancer-controller"}
    for d in argo:
        addon = ((d.get("metadata") or {}).get("labels") or {}).get("berth.dev/addon")
        values = (((d.get("spec") or {}).get("source") or {}).get("helm") or {}).get("valuesObject") or {}
        for _, v in walk(values):
            if isinstance(v, dict) and key in v:
                dest = d["spec"]["destination"]
                wanted.append((dest["name"], dest["namespace"], accounts.get(addon, "?"), v[key], f"add-on {addon}"))
    return wanted


POD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod", "ReplicaSet"}


def acr_pulls(clusters, by_kind):
    """Every image a cluster's workloads pull from an Azure Container Registry: the registry is
    in infra/ and the cluster's kubelet identity has AcrPull on it (nodes pull with that identity;
    there is no pull secret)."""
    problems = []
    registries = {((d["metadata"].get("annotations") or {}).get("crossplane.io/external-name") or n)
                  for n, d in by_kind.get("Registry", {}).items()}
    pulls = {}
    for n, d in by_kind.get("RoleAssignment", {}).items():
        f = d["spec"]["forProvider"]
        m = re.fullmatch(r".*/providers/Microsoft\.ContainerRegistry/registries/([^/]+)", f.get("scope", ""))
        if f.get("roleDefinitionName") == "AcrPull" and m:
            pulls.setdefault(m.group(1), set()).add(n)
    for cluster, objs in sorted(clusters.items()):
        for d in objs:
            if d.get("kind") not in POD_KINDS:
                continue
            for _, v in walk(d.get("spec") or {}):
                if not (isinstance(v, dict) and isinstance(v.get("image"), str) and "name" in v):
                    continue
                host = v["image"].split("/", 1)[0]
                if not host.endswith(".azurecr.io"):
                    continue
                reg = host[: -len(".azurecr.io")]
                where = f"{d['kind']} {cluster}/{d['metadata'].get('namespace', '')}/{d['metadata']['name']}"
                if reg not in registries:
                    problems.append(f"{where}: pulls {v['image']} from registry {reg}, which infra/ does not create")
                elif not any(n.endswith(f"-{cluster}-kubelet-acr-pull") for n in pulls.get(reg, ())):
                    problems.append(f"{where}: pulls {v['image']} but the kubelet identity of {cluster} has no AcrPull on {reg}")
    return sorted(set(problems))


# What Velero's Azure plugin does with volume snapshots: it reads and creates managed disks in
# the cluster's node resource group (AZURE_RESOURCE_GROUP of its credentials file) and writes
# snapshots in the VolumeSnapshotLocation's resource group.
VELERO_DISK_ACTIONS = {"Microsoft.Compute/disks/read", "Microsoft.Compute/disks/write"}
VELERO_SNAPSHOT_ACTIONS = {"Microsoft.Compute/snapshots/read", "Microsoft.Compute/snapshots/write", "Microsoft.Compute/snapshots/delete"}


def velero_snapshot_rights(clusters, argo, by_kind, sub):
    """Velero on every AKS cluster can snapshot its volumes: the cluster names its node
    resource group, Velero's credentials file names the same group, and Velero's identity has a
    role assignment on that group (disks) and on the VolumeSnapshotLocation's group (snapshots)
    whose RoleDefinition allows the actions and may be assigned there."""
    problems = []
    say = problems.append
    aks = by_kind.get("KubernetesCluster", {})
    defs = by_kind.get("RoleDefinition", {})
    for app in argo:
        labels = (app.get("metadata") or {}).get("labels") or {}
        cluster = labels.get("berth.dev/cluster")
        if labels.get("berth.dev/addon") != "velero" or cluster not in aks:
            continue
        values = ((app["spec"].get("source") or {}).get("helm") or {}).get("valuesObject") or {}
        if not values.get("snapshotsEnabled"):
            continue
        ident = (((values.get("serviceAccount") or {}).get("server") or {}).get("annotations") or {}).get(IDENTITY)
        creds = dict(l.split("=", 1) for l in (((values.get("credentials") or {}).get("secretContents") or {}).get("cloud") or "").splitlines() if "=" in l)
        nrg = aks[cluster]["spec"]["forProvider"].get("nodeResourceGroup")
        if not nrg:
            say(f"KubernetesCluster {cluster}: no nodeResourceGroup, so Velero's disk rights have no scope known at render time")
            continue
        if creds.get("AZURE_RESOURCE_GROUP") != nrg or creds.get("AZURE_SUBSCRIPTION_ID") != sub:
            say(f"add-on velero on {cluster}: its credentials file names {creds.get('AZURE_SUBSCRIPTION_ID')}/{creds.get('AZURE_RESOURCE_GROUP')}, not the cluster's node resource group {sub}/{nrg}")
        vsl = next((d for d in clusters.get(cluster, []) if d.get("kind") == "VolumeSnapshotLocation"), None)
        snap_rg = ((vsl or {}).get("spec", {}).get("config") or {}).get("resourceGroup") or nrg
        for group, needed, what in ((nrg, VELERO_DISK_ACTIONS, "disks"), (snap_rg, VELERO_SNAPSHOT_ACTIONS, "snapshots")):
            scope = f"/subscriptions/{sub}/resourceGroups/{group}"
            ok = False
            for n, ra in by_kind.get("RoleAssignment", {}).items():
                f = ra["spec"]["forProvider"]
                d = defs.get((f.get("roleDefinitionIdRef") or {}).get("name"))
                if not ident or not n.startswith(ident + "-") or f.get("scope") != scope or d is None:
                    continue
                dp = d["spec"]["forProvider"]
                actions = {a for p in dp.get("permissions") or [] for a in p.get("actions") or []}
                if needed <= actions and scope in (dp.get("assignableScopes") or []):
                    ok = True
            if not ok:
                say(f"Velero on {cluster} (identity {ident}): no role assignment on {scope} allows {', '.join(sorted(needed))} ({what})")
    return problems


def storage_keys(root, by_kind):
    """Each storage account's encryption in infra/ is the one buckets/ describes: with a
    customer-managed key, the account carries the user-assigned identity buckets/ names, that
    identity and the Key Vault key are rendered in the account's region, the identity holds Key
    Vault Crypto Service Encryption User on the vault, and once the key is set it is that key
    (versionless) with that identity; without one, infra/ sets no key either."""
    problems = []
    say = problems.append
    ext = lambda d: ((d["metadata"].get("annotations") or {}).get("crossplane.io/external-name") or d["metadata"]["name"])
    fp = lambda d: d["spec"]["forProvider"]
    vaults = {ext(v): fp(v).get("location") for v in by_kind.get("Vault", {}).values()}
    vault_names = {n: ext(v) for n, v in by_kind.get("Vault", {}).items()}
    keys = {(vault_names.get(fp(k)["keyVaultIdRef"]["name"], "?"), ext(k)) for k in by_kind.get("Key", {}).values()}
    identities = {ext(u): fp(u).get("location") for u in by_kind.get("UserAssignedIdentity", {}).values()}
    grants = {(a["metadata"]["name"], fp(a).get("roleDefinitionName"), fp(a).get("scope", "").rsplit("/", 1)[-1])
              for a in by_kind.get("RoleAssignment", {}).values()}
    described = {}
    for f in (root / "buckets").rglob("*.storage-account.json"):
        doc = json.loads(f.read_text())
        described[doc["storageAccount"]] = doc["StorageAccountCreateParameters"]
    for name, a in by_kind.get("Account", {}).items():
        params = described.get(ext(a))
        if params is None:
            say(f"storage account {ext(a)}: buckets/ does not describe it")
            continue
        enc = params["properties"]["encryption"]
        cmk = fp(a).get("customerManagedKey")
        if enc.get("keySource") != "Microsoft.Keyvault":
            if cmk or fp(a).get("identity"):
                say(f"storage account {ext(a)}: infra/ sets a key or identity that buckets/ (Microsoft-managed keys) does not")
            continue
        ident_id = enc["identity"]["userAssignedIdentity"]
        ident = ident_id.rsplit("/", 1)[-1]
        vault = re.fullmatch(r"https://([a-z0-9-]+)\.vault\.azure\.net", enc["keyvaultproperties"]["keyvaulturi"])
        vault = vault.group(1) if vault else "?"
        key = enc["keyvaultproperties"]["keyname"]
        region = fp(a).get("location")
        if (fp(a).get("identity") or {}).get("identityIds") != [ident_id]:
            say(f"storage account {ext(a)}: its identity is not {ident_id}, the one buckets/ unwraps its key with")
        if identities.get(ident) != region:
            say(f"storage account {ext(a)}: identity {ident} is not rendered in {region}")
        if vaults.get(vault) != region or (vault, key) not in keys:
            say(f"storage account {ext(a)}: key {key} of vault {vault} is not rendered in {region}")
        granted = (ident, "Key Vault Crypto Service Encryption User", vault) in grants
        if cmk:
            if cmk.get("keyVaultKeyId") != f"https://{vault}.vault.azure.net/keys/{key}" or cmk.get("userAssignedIdentityId") != ident_id:
                say(f"storage account {ext(a)}: customerManagedKey {cmk} is not the key {vault}/{key} with identity {ident}, as buckets/ says")
            if not granted:
                say(f"storage account {ext(a)}: identity {ident} has no Key Vault Crypto Service Encryption User on vault {vault}")
        elif granted:
            say(f"storage account {ext(a)}: identity {ident} is granted the key but the account does not use it")
    return problems


def azure_checks(root, infra, by_kind, clusters, argo, plan):
    """The cross-checks of an Azure foundation: the IP plan's ranges on the VNets, subnets and
    AKS pod/service ranges; identities with a federated credential for exactly their
    ServiceAccounts; the disk encryption sets StorageClasses name; node pools; DNS zones."""
    problems = []
    say = problems.append
    ext = lambda d: ((d["metadata"].get("annotations") or {}).get("crossplane.io/external-name") or d["metadata"]["name"])
    fp = lambda d: d["spec"]["forProvider"]
    problems += acr_pulls(clusters, by_kind)
    problems += velero_snapshot_rights(clusters, argo, by_kind, next((d["spec"].get("subscriptionID") for _, d in infra if d["kind"] == "ProviderConfig"), ""))
    problems += storage_keys(root, by_kind)
    # IP plan: VNets, subnets, pod and service ranges
    for name, v in by_kind.get("VirtualNetwork", {}).items():
        if fp(v).get("addressSpace") != [plan.get(f"{name}/vpc")]:
            say(f"VirtualNetwork {name}: addressSpace {fp(v).get('addressSpace')} is not the plan's [{plan.get(f'{name}/vpc')}]")
    rendered = set()
    for name, s in by_kind.get("Subnet", {}).items():
        labels = s["metadata"].get("labels") or {}
        key = f"{fp(s)['virtualNetworkNameRef']['name']}/{labels.get('berth.dev/zone')}/{labels.get('berth.dev/tier')}"
        rendered.add(key)
        if fp(s).get("addressPrefixes") != [plan.get(key)]:
            say(f"Subnet {name}: addressPrefixes {fp(s).get('addressPrefixes')} is not the plan's {key} [{plan.get(key)}]")
    for k in sorted({k for k in plan if re.fullmatch(r"[^/]+/[^/]+/(public|private)", k)} - rendered):
        say(f"the plan's subnet {k} has no Subnet in infra/")
    aks = by_kind.get("KubernetesCluster", {})
    for name, c in aks.items():
        net = fp(c).get("networkProfile") or {}
        for field, key in (("podCidr", f"{name}/pods"), ("serviceCidr", f"{name}/services")):
            if net.get(field) != plan.get(key):
                say(f"KubernetesCluster {name}: networkProfile.{field} {net.get(field)} is not the plan's {key} {plan.get(key)}")
        try:
            import ipaddress
            if ipaddress.ip_address(net.get("dnsServiceIp", "")) not in ipaddress.ip_network(net.get("serviceCidr", "")):
                say(f"KubernetesCluster {name}: dnsServiceIp {net.get('dnsServiceIp')} is not in the service range {net.get('serviceCidr')}")
        except ValueError:
            say(f"KubernetesCluster {name}: dnsServiceIp {net.get('dnsServiceIp')} or serviceCidr {net.get('serviceCidr')} is not an address/range")
        if not fp(c).get("oidcIssuerEnabled") or not fp(c).get("workloadIdentityEnabled"):
            say(f"KubernetesCluster {name}: OIDC issuer and workload identity must be enabled")
    # identities: annotation -> UserAssignedIdentity -> federated credential for exactly that ServiceAccount
    fics = {}
    for f in by_kind.get("FederatedIdentityCredential", {}).values():
        cl = (f["metadata"].get("labels") or {}).get("berth.dev/cluster")
        m = re.fullmatch(r"system:serviceaccount:([^:]+):([^:]+)", fp(f).get("subject", ""))
        key = (cl, m.group(1), m.group(2)) if m else (cl, "?", fp(f).get("subject"))
        fics.setdefault(key, set()).add(fp(f)["parentIdRef"]["name"])
        if cl not in aks:
            say(f"FederatedIdentityCredential {f['metadata']['name']}: cluster {cl} is not a rendered KubernetesCluster")
        if not fp(f).get("issuer", "").startswith("https://"):
            say(f"FederatedIdentityCredential {f['metadata']['name']}: issuer {fp(f).get('issuer')!r} is not an https URL")
    wanted = annotated(clusters, argo)
    ids = {ext(u) for u in by_kind.get("UserAssignedIdentity", {}).values()}
    wanted_keys = set()
    for cluster, ns, sa, ident, what in wanted:
        wanted_keys.add((cluster, ns, sa, ident))
        if ident not in ids:
            say(f"{what} {cluster}/{ns}/{sa} names identity {ident}, which infra/ does not render")
        elif ident not in fics.get((cluster, ns, sa), set()):
            say(f"{what} {cluster}/{ns}/{sa} names identity {ident}, which has no federated credential for it")
    for (cluster, ns, sa), parents in fics.items():
        for p in parents:
            if (cluster, ns, sa, p) not in wanted_keys:
                say(f"identity {p} trusts {cluster}/{ns}/{sa}, which no ServiceAccount binds to it")
    # keys: every disk encryption set a StorageClass or cluster names exists in its region
    sub = next((d["spec"].get("subscriptionID") for _, d in infra if d["kind"] == "ProviderConfig"), "")
    groups = {n: ext(g) for n, g in by_kind.get("ResourceGroup", {}).items()}
    sets = {}
    for d in by_kind.get("DiskEncryptionSet", {}).values():
        rg = groups.get(fp(d)["resourceGroupNameRef"]["name"], "?")
        sets[f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Compute/diskEncryptionSets/{ext(d)}"] = fp(d).get("location")
    region_of = {n: fp(c).get("location") for n, c in aks.items()}
    used = []
    for cluster, objs in clusters.items():
        for d in objs:
            des = (d.get("parameters") or {}).get("diskEncryptionSetID") if d.get("kind") == "StorageClass" else None
            if des:
                used.append((f"StorageClass {cluster}/{d['metadata']['name']}", des, region_of.get(cluster)))
    for n, c in aks.items():
        if fp(c).get("diskEncryptionSetId"):
            used.append((f"KubernetesCluster {n}", fp(c)["diskEncryptionSetId"], fp(c).get("location")))
    for who, des, reg in used:
        if des not in sets:
            say(f"{who}: disk encryption set {des} is not rendered")
        elif reg and sets[des] != reg:
            say(f"{who}: disk encryption set {des} is in {sets[des]}, not {reg}")
    # node pools
    pools = {}
    for n, c in aks.items():
        pools.setdefault(n, set()).add((fp(c).get("defaultNodePool") or {}).get("name"))
    for p in by_kind.get("KubernetesClusterNodePool", {}).values():
        pools.setdefault(fp(p)["kubernetesClusterIdRef"]["name"], set()).add(ext(p))
    check_pools(clusters, AZURE_POOL_LABEL, pools, "node pool", say)
    # DNS names in rendered zones
    zones = [ext(z) for z in by_kind.get("DNSZone", {}).values()]
    check_zones(clusters, zones, say)
    # Argo CD order and folders
    infra_apps = [d for d in argo if d.get("kind") == "Application" and "berth.dev/infra" in ((d.get("metadata") or {}).get("labels") or {})]
    addon_apps = [d for d in argo if d.get("kind") == "Application" and "berth.dev/addon" in ((d.get("metadata") or {}).get("labels") or {})]
    wave = lambda d: int(d["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"])
    if not infra_apps:
        say("infra/ is rendered but no Argo CD Application syncs it")
    for a in infra_apps:
        if addon_apps and wave(a) >= min(wave(x) for x in addon_apps):
            say(f"Application {a['metadata']['name']}: wave {wave(a)} does not come before the add-ons ({min(wave(x) for x in addon_apps)})")
    synced = {Path(a["spec"]["source"].get("path", "")).name for a in infra_apps}
    for f in sorted({p.split("/")[1] for p, _ in infra} - synced):
        say(f"infra/{f}/ is synced by no Application")
    return problems


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.stderr.write(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv))
