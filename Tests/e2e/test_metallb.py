"""End-to-end tests of MetalLB on own hardware: the IPAddressPool `<platform>` hands out the IP
plan's load-balancer ranges (the cluster's public subnets, less the non-load-balancer static
addresses and less the requested ones), the pool `<platform>-requested` (autoAssign: false)
holds the addresses objects request (the Gateway's, a cross-cluster database's), an
L2Advertisement announces both, and every Gateway and LoadBalancer address lies in the
requested pool and outside the automatic one.

Run by scripts/test.sh with BERTH_BIN pointing at the built executable.
"""
import functools
import ipaddress
import json
import shutil


import berthrun
from berthrun import ROOT, docs

# The renders here are large: a longer timeout than the default.
berth = functools.partial(berthrun.berth, timeout=300)


def rendered(out):
    for f in sorted(out.rglob("*.yaml")):
        for d in docs(f):
            yield f, d


def pools_of(out, cluster="lab"):
    """The automatic pool's ranges and the requested pool's (empty when there is none)."""
    objs = docs(out / cluster / "_cluster.yaml")
    pools = {d["metadata"]["name"]: d for d in objs if d["kind"] == "IPAddressPool"}
    ads = [d for d in objs if d["kind"] == "L2Advertisement"]
    assert len(ads) == 1 and sorted(ads[0]["spec"]["ipAddressPools"]) == sorted(pools)
    assert all(p["metadata"]["namespace"] == "metallb-system" for p in pools.values())
    auto = pools.pop("lab")
    assert auto["spec"]["autoAssign"] is True
    requested = pools.pop("lab-requested", None)
    assert not pools
    assert requested is None or requested["spec"]["autoAssign"] is False
    nets = lambda p: [ipaddress.ip_network(a) for a in p["spec"]["addresses"]] if p else []
    return nets(auto), nets(requested)


def plan_ranges(out, kind):
    plan = json.loads((out / "network/ip-plan.json").read_text())
    return {r["key"]: ipaddress.ip_network(r["cidr"]) for r in plan["ranges"] if r["kind"] == kind}


def inside(ip, pool):
    a = ipaddress.ip_address(ip)
    return any(a in n for n in pool)


def test_onprem_pool_is_the_plans_load_balancer_ranges(tmp_path):
    out = tmp_path / "out"
    assert berth("render", ROOT / "examples/onprem/platform.yaml", "--out", out).returncode == 0
    pool, requested = pools_of(out)
    public = plan_ranges(out, "public-subnet")
    assert public and sorted(pool) == sorted(ipaddress.collapse_addresses(public.values()))
    assert requested == []
    assert (out / "addons/lab/metallb.yaml").exists()


def test_gateway_addresses_lie_in_the_pool_and_other_statics_do_not(tmp_path):
    d = tmp_path / "spec"
    shutil.copytree(ROOT / "examples/onprem", d)
    spec = d / "platform.yaml"
    text = spec.read_text()
    old = "  ingress: { api: ingress, className: nginx }\n"
    assert old in text
    spec.write_text(text.replace(old, "  ingress: { api: gateway, className: nginx }\n  static:\n"
                                      "    - { name: lab-jump, cluster: lab, role: bastion, purpose: jump host }\n"
                                      "    - { name: lab-web, cluster: lab, role: ingress, environment: production, purpose: web }\n"
                                      "    - { name: lab-int, cluster: lab, role: ingress, subnet: private, environment: staging, purpose: internal web }\n", 1))
    out = tmp_path / "out"
    r = berth("render", spec, "--out", out)
    assert r.returncode == 0, r.stderr
    pool, requested = pools_of(out)
    statics = plan_ranges(out, "static")
    assert not inside(str(statics["static/lab-jump"].network_address), pool + requested)
    # The requested addresses are exactly the ingress statics, and the automatic pool holds
    # neither: MetalLB cannot hand the Gateway's address to another Service first.
    assert sorted(requested) == sorted(statics[k] for k in ("static/lab-web", "static/lab-int"))
    for key in ("static/lab-web", "static/lab-int"):
        assert not inside(str(statics[key].network_address), pool)
    public = plan_ranges(out, "public-subnet")
    assert sum(n.num_addresses for n in pool) == sum(n.num_addresses for n in public.values()) - 2  # less lab-jump and lab-web
    addresses = []
    for f, o in rendered(out / "lab"):
        if o["kind"] == "Gateway":
            addresses += [a["value"] for a in o["spec"].get("addresses", [])]
        if o["kind"] == "Service" and o["spec"].get("type") == "LoadBalancer":
            addresses += (o["metadata"].get("annotations") or {}).get("metallb.universe.tf/loadBalancerIPs", "").split(",")
    addresses = [a.strip() for a in addresses if a.strip()]
    assert sorted(addresses) == sorted(str(statics[k].network_address) for k in ("static/lab-web", "static/lab-int"))
    assert all(inside(a, requested) and not inside(a, pool) for a in addresses)


def test_no_pool_on_clouds(tmp_path):
    out = tmp_path / "out"
    assert berth("render", ROOT / "examples/acme/platform.yaml", "--out", out).returncode == 0
    assert not any(o["kind"] in ("IPAddressPool", "L2Advertisement") for _, o in rendered(out / "prod-eu"))


def test_the_document_names_the_pools_the_render_writes(tmp_path):
    # examples/onprem requests no address: one pool, and the document names only it
    out = tmp_path / "docs"
    assert berth("docs", ROOT / "examples/onprem/platform.yaml", "--out", out).returncode == 0
    text = (out / "hosting-and-network.md").read_text()
    assert "(the IPAddressPool lab) on own hardware" in text and "lab-requested" not in text
