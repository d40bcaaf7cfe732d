#!/usr/bin/env python3
"""checkov and berth audit side by side on one rendered spec (the weak example).

    checkov_compare.py --checkov OUT/checkov.json [--checkov secrets.json] --audit audit.json [--markdown]

checkov's JSON reports (one or more, merged) must come from runs over the same spec whose
`berth audit --format json` is given: its kubernetes checks over the rendered output, its
secrets scan over the spec file (berth refuses to render plain credentials). The script fails (exit 1) when
  * checkov reports a check ID that is neither mapped to a berth rule below nor listed
    as not applicable with a reason, or
  * a check checkov fails maps to a berth rule that berth audit did not report.
It prints the comparison table (Markdown with --markdown, as in README.md).
Exit status: 0 ok, 1 a mismatch, 2 unusable input.
"""
import argparse
import json
import sys

# checkov check ID -> berth rule ID that finds the same problem (from the spec).
MAPPING = {
    "CKV_K8S_8": "BERTH-WKL-007",    # liveness probe
    "CKV_K8S_9": "BERTH-WKL-007",    # readiness probe
    "CKV_K8S_43": "BERTH-WKL-009",   # image without digest
    "CKV2_K8S_6": "BERTH-NET-004",   # pods without a NetworkPolicy
    "CKV_SECRET_6": "BERTH-SEC-002",   # high-entropy string (a secret in an env value)
    "CKV_SECRET_17": "BERTH-SEC-002",  # Stripe key in an env value
    "CKV_SECRET_2": "BERTH-SEC-002",   # AWS access key
    "CKV_SECRET_80": "BERTH-SEC-002",  # generic secret
}

# checkov check IDs with no berth counterpart, and why.
NOT_APPLICABLE = {
}


def reports(path):
    with open(path) as f:
        data = json.load(f)
    return data if isinstance(data, list) else [data]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkov", required=True, action="append")
    ap.add_argument("--audit", required=True)
    ap.add_argument("--markdown", action="store_true")
    a = ap.parse_args()
    try:
        ckv = [r for path in a.checkov for r in reports(path)]
        with open(a.audit) as f:
            audit = json.load(f)
    except (OSError, ValueError) as e:
        print("checkov_compare: %s" % e, file=sys.stderr)
        return 2
    failed = {}
    for r in ckv:
        for c in (r.get("results") or {}).get("failed_checks", []):
            entry = failed.setdefault(c["check_id"], {"name": c.get("check_name", ""), "count": 0})
            entry["count"] += 1
    berth = {}
    for f in audit.get("findings", []):
        berth.setdefault(f["rule"], {"title": f["title"], "severity": f["severity"], "count": 0})
        berth[f["rule"]]["count"] += 1
    problems = []
    rows = []
    for cid in sorted(failed):
        name, count = failed[cid]["name"], failed[cid]["count"]
        if cid in MAPPING:
            rule = MAPPING[cid]
            found = rule in berth
            if not found:
                problems.append("checkov %s (%s) maps to %s, which berth audit did not report" % (cid, name, rule))
            rows.append((cid, name, count, rule, "yes" if found else "NO"))
        elif cid in NOT_APPLICABLE:
            rows.append((cid, name, count, "not applicable: " + NOT_APPLICABLE[cid], "-"))
        else:
            problems.append("checkov %s (%s) has no berth counterpart in scripts/checkov_compare.py" % (cid, name))
            rows.append((cid, name, count, "UNMAPPED", "NO"))
    mapped_rules = set(MAPPING.values())
    only_berth = sorted(r for r in berth if r not in mapped_rules)
    if a.markdown:
        print("| checkov check | checkov findings | berth rule | berth finds it |")
        print("|---|---|---|---|")
        for cid, name, count, rule, ok in rows:
            print("| %s %s | %d | %s | %s |" % (cid, name, count, rule, ok))
        print()
        print("Found by berth audit only (%d rules):" % len(only_berth))
        print()
        print("| berth rule | severity | title |")
        print("|---|---|---|")
        for r in only_berth:
            print("| %s | %s | %s |" % (r, berth[r]["severity"], berth[r]["title"]))
    else:
        for cid, name, count, rule, ok in rows:
            print("%-14s %-60s %3d -> %-16s %s" % (cid, name[:60], count, rule, ok))
        print("berth only: " + ", ".join(only_berth))
    for p in problems:
        print("checkov_compare: " + p, file=sys.stderr)
    print("checkov_compare: %d checkov check IDs failed, %d mapped and found by berth; %d berth rules beyond checkov"
          % (len(failed), sum(1 for r in rows if r[4] == "yes"), len(only_berth)), file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
