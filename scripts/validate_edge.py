#!/usr/bin/env python3
"""Validates berth's artifacts outside Kubernetes (under OUT/network/):

    validate_edge.py OUT [OUT...]

* firewall/*.security-groups.json: each element is checked as the input of EC2
  AuthorizeSecurityGroupIngress with botocore's service model (ParamValidator);
* cdn/*.cloudfront.json: checked as DistributionConfig of CloudFront CreateDistribution;
* firewall/*.nft: checked by `nft -c -f` (nftables parses and checks the ruleset against
  the kernel without applying it; needs CAP_NET_ADMIN);
* OUT/audit/*.audit-policy.yaml: checked against Tests/data/schemas/audit/policy_v1.json
  (audit.k8s.io/v1 Policy, written from the API's Go types).
Exit 0 when everything is valid, 1 otherwise, 2 when a tool is missing.
"""
import glob
import json
import os
import shutil
import subprocess
import sys

import botocore.session
import jsonschema
import yaml
from botocore.validate import ParamValidator


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    session = botocore.session.get_session()
    ec2 = session.get_service_model("ec2")
    cloudfront = session.get_service_model("cloudfront")
    sg_shape = ec2.operation_model("AuthorizeSecurityGroupIngress").input_shape
    cf_shape = cloudfront.operation_model("CreateDistribution").input_shape
    validator = ParamValidator()
    bad = checked = 0
    for out in sys.argv[1:]:
        for path in sorted(glob.glob(os.path.join(out, "network", "firewall", "*.security-groups.json"))):
            with open(path) as f:
                requests = json.load(f)
            for i, req in enumerate(requests):
                checked += 1
                report = validator.validate(req, sg_shape)
                if report.has_errors():
                    bad += 1
                    print("%s[%d]: %s" % (path, i, report.generate_report()))
        for path in sorted(glob.glob(os.path.join(out, "network", "cdn", "*.cloudfront.json"))):
            with open(path) as f:
                config = json.load(f)
            checked += 1
            report = validator.validate({"DistributionConfig": config}, cf_shape)
            if report.has_errors():
                bad += 1
                print("%s: %s" % (path, report.generate_report()))
        nfts = sorted(glob.glob(os.path.join(out, "network", "firewall", "*.nft")))
        if nfts and not shutil.which("nft"):
            print("validate_edge: nft not found; install the nftables package (scripts/setup-tools.sh does)", file=sys.stderr)
            return 2
        for path in nfts:
            checked += 1
            r = subprocess.run(["nft", "-c", "-f", path], capture_output=True, text=True)
            if r.returncode != 0:
                bad += 1
                print("%s: nft -c failed: %s" % (path, (r.stderr or r.stdout).strip()))
        policy_schema_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "data",
                                          "schemas", "audit", "policy_v1.json")
        with open(policy_schema_path) as f:
            policy_validator = jsonschema.Draft7Validator(json.load(f))
        for path in sorted(glob.glob(os.path.join(out, "audit", "*.audit-policy.yaml"))):
            checked += 1
            with open(path) as f:
                docs = [d for d in yaml.safe_load_all(f) if d is not None]
            errors = [e for d in docs for e in policy_validator.iter_errors(d)]
            if len(docs) != 1 or errors:
                bad += 1
                print("%s: %s" % (path, "; ".join(e.message for e in errors[:5]) or "expected one document"))
    print("validate_edge: %d artifacts, %d invalid" % (checked, bad))
    return 1 if bad or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
