#!/usr/bin/env python3
"""Writes a platform spec with N services (3 environments, 3 clusters) for benchmarks.

    Benchmarks/gen_spec.py N [--databases D] [--buckets B] [--gitops] [--warnings] [--monitoring] > spec.yaml

Services form a layered call graph (each calls up to 3 in the next layer), a tenth are
public, some use databases and buckets. Deterministic for a given N. With --monitoring (or
BENCH_MONITORING=1) every service with a port serves metrics, every public service has an
availability and a latency SLO, and `monitoring:` names the platform team and its receivers;
without it the spec is byte for byte the one the render benchmark always used.
"""
import argparse
import os
import random

p = argparse.ArgumentParser()
p.add_argument("services", type=int)
p.add_argument("--databases", type=int, default=2)
p.add_argument("--buckets", type=int, default=2)
p.add_argument("--gitops", action="store_true", help="add delivery.gitops (the kustomize layout and Argo CD objects)")
p.add_argument("--infra", action="store_true",
               help="add delivery.gitops and infrastructure: { engine: crossplane } (the cloud foundation under infra/)")
p.add_argument("--warnings", action="store_true",
               help="every third service with a port also lists itself in talksTo (a warning each), for timing diagnostics")
p.add_argument("--monitoring", action="store_true", default=os.environ.get("BENCH_MONITORING") == "1",
               help="metrics on every service with a port, SLOs on public services, monitoring: with receivers")
a = p.parse_args()
r = random.Random(a.services)

out = []
w = out.append
w("berth: 1\nplatform: bench\ndescription: generated benchmark platform\n")
w("provider:\n  name: aws\n  account: \"111122223333\"\n  regions:\n")
w("    eu-west-1: { zones: [eu-west-1a, eu-west-1b, eu-west-1c] }\n")
w("    us-east-1: { zones: [us-east-1a, us-east-1b, us-east-1c] }\n")
w("network:\n  carve: { pods: 14 }\n  dns: { zones: [bench.example] }\n")
w("clusters:\n")
for c, region in (("prod-eu", "eu-west-1"), ("prod-us", "us-east-1"), ("nonprod", "eu-west-1")):
    w(f"  {c}:\n    region: {region}\n    nodePools:\n")
    w("      general: { machine: m6i.4xlarge, cpu: 16, memory: 64Gi, min: 3, max: 200 }\n")
    w("      batch: { machine: c6i.4xlarge, cpu: 16, memory: 32Gi, min: 0, max: 100, spot: true, taints: [\"workload=batch:NoSchedule\"] }\n")
w("environments:\n")
w("  development: { clusters: [nonprod], domain: dev.bench.example }\n")
w("  staging: { clusters: [nonprod], domain: staging.bench.example }\n")
w("  production: { clusters: [prod-eu, prod-us], domain: bench.example }\n")
w("services:\n")
n = a.services
for i in range(n):
    name = f"svc-{i:05d}"
    w(f"  {name}:\n")
    w(f"    image: registry.bench.example/team{i % 20}/{name}:1.{i % 7}.{i % 13}\n")
    batch = i % 10 == 9
    if not batch:
        w(f"    port: {8000 + i % 1000}\n")
    if i % 10 == 0:
        w(f"    public: {{ host: {name}, paths: [\"/\"] }}\n")
    w(f"    replicas: {{ min: 3, max: {3 + i % 17}, cpu: 70 }}\n")
    if a.monitoring and not batch:
        w("    metrics: { port: 9090 }\n")
        if i % 10 == 0:
            w("    slos:\n      availability: { target: \"99.9\" }\n      latency: { target: \"99\", threshold: 300 }\n")
    w(f"    resources: {{ cpu: {100 + (i % 8) * 50}m, memory: {128 * (1 + i % 4)}Mi }}\n")
    layer = i // 50
    callees = [j for j in range((layer + 1) * 50, min(n, (layer + 2) * 50)) if (j % 10) != 9]
    talks = sorted(r.sample(callees, min(3, len(callees)))) if callees else []
    names = [f"svc-{j:05d}" for j in talks]
    if a.warnings and i % 3 == 0 and not batch:
        names.append(name)
    if names:
        w("    talksTo: [" + ", ".join(names) + "]\n")
    uses = []
    if a.databases and i % 7 == 0:
        uses.append(f"database/db-{i % a.databases:03d}")
    if a.buckets and i % 11 == 0:
        uses.append(f"bucket/b-{i % a.buckets:03d}" + (":read" if i % 2 else ""))
    if uses:
        w("    uses: [" + ", ".join(uses) + "]\n")
    if i % 5 == 0:
        w("    secrets: [api-key]\n")
    if batch:
        w("    nodePool: batch\n    health: { command: [\"/bin/health\"] }\n")
    w("    overrides:\n      development: { replicas: { min: 1, max: 2 } }\n")
if a.databases:
    w("databases:\n")
    for d in range(a.databases):
        w(f"  db-{d:03d}:\n    instances: 3\n    storage: {{ size: 50Gi }}\n")
        w(f"    backup: {{ schedule: \"0 2 * * *\", retention: 30d, bucket: b-000 }}\n")
        w("    pooler: { mode: transaction, instances: 2 }\n")
        # prod-us gets a replica cluster; its writers reach the primary in prod-eu.
        w("    topology: { remoteClients: primary }\n")
if a.buckets:
    w("buckets:\n")
    for b in range(max(1, a.buckets)):
        w(f"  b-{b:03d}:\n    encryption: kms\n    lifecycle: [ {{ after: 90d, transition: archive }} ]\n")
w("storage:\n  classes:\n    standard: { kind: ssd, default: true }\n")
if a.gitops or a.infra:
    w("delivery:\n  gitops: { repo: https://git.bench.example/deploy.git, autoSync: [development, staging] }\n")
w("security:\n  teams:\n    platform: { role: admin }\n    developers: { role: edit, environments: [development, staging] }\n")
w("  tls: { email: ops@bench.example }\n  secrets: { store: vault }\n")
if a.monitoring:
    w("monitoring:\n  platformTeam: platform\n  alerts:\n")
    w("    platform:\n      page: { type: pagerduty, secret: alerts-pagerduty-platform }\n")
    w("      ticket: { type: slack, secret: alerts-slack, key: webhook, channel: \"#platform\" }\n")
if a.infra:
    w("infrastructure:\n  engine: crossplane\n")
print("".join(out), end="")
