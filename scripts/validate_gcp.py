#!/usr/bin/env python3
"""Validates berth's Google Cloud artifacts against the discovery documents that
google-api-python-client ships (googleapiclient/discovery_cache/documents):

    validate_gcp.py OUT [OUT...]

* network/firewall/*.firewalls.json: each element as a compute v1 Firewall (insert);
* network/waf/*.cloud-armor.json: a compute v1 SecurityPolicy (Cloud Armor);
* network/cdn/*.cloud-cdn.json: its backendServices as compute v1 BackendService and its
  urlMap as compute v1 UrlMap;
* buckets/**/*.lifecycle.json: a storage v1 Bucket's `lifecycle`;
* buckets/**/*.iam.json: a storage v1 Policy;
* buckets/**/*.settings.json: a storage v1 Bucket (insert);
* registry/artifact-registry.json: each repository as an artifactregistry v1 Repository.

Every field must be declared by its schema (no unknown keys), of the declared type and
format (int32 within range, int64 as a decimal string, google-duration as `<n>s`), one of
its enum values, match its pattern, and the fields the insert method requires must be
present. Values the documents describe only in prose are checked as the API documents them:
firewall, policy and bucket names, Cloud Armor actions and rate-limit intervals, lifecycle
action types and storage classes, bucket IAM roles and members.
Exit 0 when everything is valid, 1 otherwise, 2 when a document is missing.
"""
import glob
import json
import os
import re
import sys

import googleapiclient

DOCS = os.path.join(os.path.dirname(googleapiclient.__file__), "discovery_cache", "documents")
NAME = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")
BUCKET = re.compile(r"^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$")
INT32 = (-(2**31), 2**31 - 1)
UINT32 = (0, 2**32 - 1)


def load(name):
    path = os.path.join(DOCS, name + ".json")
    with open(path) as f:
        return json.load(f)


class Validator:
    def __init__(self, doc):
        self.schemas = doc["schemas"]
        self.errors = []

    def err(self, where, text):
        self.errors.append("%s: %s" % (where, text))

    def check(self, value, schema, where, method=None):
        if "$ref" in schema:
            return self.check(value, self.schemas[schema["$ref"]], where, method)
        t = schema.get("type", "any")
        fmt = schema.get("format")
        if t == "object":
            if not isinstance(value, dict):
                return self.err(where, "expected an object, got %r" % (value,))
            props = schema.get("properties", {})
            extra = schema.get("additionalProperties")
            for k, v in value.items():
                if k in props:
                    self.check(v, props[k], "%s.%s" % (where, k), method)
                elif extra is not None:
                    self.check(v, extra, "%s[%s]" % (where, k), method)
                else:
                    self.err(where, "unknown field %r (schema %s)" % (k, schema.get("id", "inline")))
            if method:
                for k, p in props.items():
                    if method in p.get("annotations", {}).get("required", []) and k not in value:
                        self.err(where, "missing field %r, required by %s" % (k, method))
        elif t == "array":
            if not isinstance(value, list):
                return self.err(where, "expected an array, got %r" % (value,))
            for i, v in enumerate(value):
                self.check(v, schema.get("items", {}), "%s[%d]" % (where, i), method)
        elif t == "string":
            if not isinstance(value, str):
                return self.err(where, "expected a string, got %r" % (value,))
            if fmt in ("int64", "uint64") and not re.fullmatch(r"-?\d+", value):
                self.err(where, "expected a decimal %s string, got %r" % (fmt, value))
            if fmt == "google-duration" and not re.fullmatch(r"\d+(\.\d{1,9})?s", value):
                self.err(where, "expected a duration like '86400s', got %r" % (value,))
            if "enum" in schema and value not in schema["enum"]:
                self.err(where, "%r is not one of %s" % (value, ", ".join(schema["enum"])))
            if "pattern" in schema and not re.fullmatch(schema["pattern"], value):
                self.err(where, "%r does not match %s" % (value, schema["pattern"]))
        elif t == "integer":
            if not isinstance(value, int) or isinstance(value, bool):
                return self.err(where, "expected an integer, got %r" % (value,))
            lo, hi = UINT32 if fmt == "uint32" else INT32
            if not lo <= value <= hi:
                self.err(where, "%d is out of the %s range" % (value, fmt or "int32"))
        elif t == "number":
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                self.err(where, "expected a number, got %r" % (value,))
        elif t == "boolean":
            if not isinstance(value, bool):
                self.err(where, "expected a boolean, got %r" % (value,))


def read(path):
    with open(path) as f:
        return json.load(f)


def name_ok(v, where, value, what="name"):
    if not isinstance(value, str) or not NAME.fullmatch(value):
        v.err(where, "%s %r: 1-63 lower-case letters, digits and '-', starting with a letter" % (what, value))


ARMOR_ACTIONS = re.compile(r"^(allow|deny\((403|404|429|502)\)|throttle|rate_based_ban|redirect)$")
ARMOR_INTERVALS = {10, 30, 60, 120, 180, 240, 300, 600, 900, 1200, 1800, 2700, 3600}
LIFECYCLE_ACTIONS = {"Delete", "SetStorageClass", "AbortIncompleteMultipartUpload"}
STORAGE_CLASSES = {"STANDARD", "NEARLINE", "COLDLINE", "ARCHIVE"}
BUCKET_ROLES = {
    "roles/storage.objectViewer", "roles/storage.objectUser", "roles/storage.objectCreator",
    "roles/storage.objectAdmin", "roles/storage.legacyBucketReader", "roles/storage.admin",
}
MEMBER = re.compile(r"^(allUsers|allAuthenticatedUsers|serviceAccount:[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com)$")


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        compute, storage, registry = load("compute.v1"), load("storage.v1"), load("artifactregistry.v1")
    except OSError as e:
        print("validate_gcp: %s" % e, file=sys.stderr)
        return 2
    c, s, r = Validator(compute), Validator(storage), Validator(registry)
    checked = 0
    for out in sys.argv[1:]:
        for path in sorted(glob.glob(os.path.join(out, "network", "firewall", "*.firewalls.json"))):
            for i, fw in enumerate(read(path)):
                where = "%s[%d]" % (path, i)
                c.check(fw, {"$ref": "Firewall"}, where, "compute.firewalls.insert")
                name_ok(c, where, fw.get("name"))
                if not fw.get("allowed") and not fw.get("denied"):
                    c.err(where, "a firewall rule needs allowed or denied")
                if fw.get("direction", "INGRESS") == "INGRESS" and not (fw.get("sourceRanges") or fw.get("sourceTags")):
                    c.err(where, "an ingress rule needs sourceRanges or sourceTags")
                for a in fw.get("allowed", []):
                    if a.get("IPProtocol") not in ("tcp", "udp", "icmp", "esp", "ah", "sctp", "ipip", "all"):
                        c.err(where, "IPProtocol %r" % a.get("IPProtocol"))
                    for p in a.get("ports", []):
                        if not re.fullmatch(r"\d{1,5}(-\d{1,5})?", p) or not all(0 < int(x) < 65536 for x in p.split("-")):
                            c.err(where, "port %r" % p)
                checked += 1
        for path in sorted(glob.glob(os.path.join(out, "network", "waf", "*.cloud-armor.json"))):
            policy = read(path)
            c.check(policy, {"$ref": "SecurityPolicy"}, path, "compute.securityPolicies.insert")
            name_ok(c, path, policy.get("name"))
            priorities = [rule.get("priority") for rule in policy.get("rules", [])]
            if 2147483647 not in priorities:
                c.err(path, "no default rule (priority 2147483647)")
            if len(set(priorities)) != len(priorities):
                c.err(path, "two rules share a priority")
            for i, rule in enumerate(policy.get("rules", [])):
                where = "%s.rules[%d]" % (path, i)
                if not ARMOR_ACTIONS.fullmatch(rule.get("action", "")):
                    c.err(where, "action %r" % rule.get("action"))
                rl = rule.get("rateLimitOptions")
                if rule.get("action") in ("throttle", "rate_based_ban"):
                    if not rl:
                        c.err(where, "%s needs rateLimitOptions" % rule.get("action"))
                    else:
                        t = rl.get("rateLimitThreshold", {})
                        if t.get("intervalSec") not in ARMOR_INTERVALS:
                            c.err(where, "rateLimitThreshold.intervalSec %r" % t.get("intervalSec"))
                        if not isinstance(t.get("count"), int) or t["count"] < 1:
                            c.err(where, "rateLimitThreshold.count %r" % t.get("count"))
                        if not ARMOR_ACTIONS.fullmatch(rl.get("exceedAction", "")) or not rl["exceedAction"].startswith("deny"):
                            c.err(where, "exceedAction %r" % rl.get("exceedAction"))
            checked += 1
        for path in sorted(glob.glob(os.path.join(out, "network", "cdn", "*.cloud-cdn.json"))):
            doc = read(path)
            for k in doc:
                if k not in ("backendServices", "urlMap"):
                    c.err(path, "unknown key %r" % k)
            names = set()
            for i, b in enumerate(doc.get("backendServices", [])):
                where = "%s.backendServices[%d]" % (path, i)
                c.check(b, {"$ref": "BackendService"}, where, "compute.backendServices.insert")
                name_ok(c, where, b.get("name"))
                names.add(b.get("name"))
                if b.get("enableCDN") and "cdnPolicy" not in b:
                    c.err(where, "enableCDN without a cdnPolicy")
            um = doc.get("urlMap", {})
            c.check(um, {"$ref": "UrlMap"}, path + ".urlMap", "compute.urlMaps.insert")
            name_ok(c, path + ".urlMap", um.get("name"))
            refs = [um.get("defaultService")] + [m.get("defaultService") for m in um.get("pathMatchers", [])]
            refs += [pr.get("service") for m in um.get("pathMatchers", []) for pr in m.get("pathRules", [])]
            for ref in refs:
                if not ref or ref.rsplit("/", 1)[-1] not in names:
                    c.err(path, "urlMap refers to backend service %r, which the file does not define" % ref)
            matchers = {m.get("name") for m in um.get("pathMatchers", [])}
            for h in um.get("hostRules", []):
                if h.get("pathMatcher") not in matchers:
                    c.err(path, "hostRule names path matcher %r, which is not defined" % h.get("pathMatcher"))
            checked += 1
        bucket = storage["schemas"]["Bucket"]
        for path in sorted(glob.glob(os.path.join(out, "buckets", "**", "*.lifecycle.json"), recursive=True)):
            lc = read(path)
            s.check(lc, bucket["properties"]["lifecycle"], path)
            for i, rule in enumerate(lc.get("rule", [])):
                a = rule.get("action", {})
                if a.get("type") not in LIFECYCLE_ACTIONS:
                    s.err("%s.rule[%d]" % (path, i), "action type %r" % a.get("type"))
                if a.get("type") == "SetStorageClass" and a.get("storageClass") not in STORAGE_CLASSES:
                    s.err("%s.rule[%d]" % (path, i), "storageClass %r" % a.get("storageClass"))
                if not rule.get("condition"):
                    s.err("%s.rule[%d]" % (path, i), "a rule needs a condition")
            checked += 1
        for path in sorted(glob.glob(os.path.join(out, "buckets", "**", "*.iam.json"), recursive=True)):
            pol = read(path)
            s.check(pol, {"$ref": "Policy"}, path)
            for i, b in enumerate(pol.get("bindings", [])):
                if b.get("role") not in BUCKET_ROLES:
                    s.err("%s.bindings[%d]" % (path, i), "role %r" % b.get("role"))
                for m in b.get("members", []):
                    if not MEMBER.fullmatch(m):
                        s.err("%s.bindings[%d]" % (path, i), "member %r" % m)
            checked += 1
        for path in sorted(glob.glob(os.path.join(out, "buckets", "**", "*.settings.json"), recursive=True)):
            b = read(path)
            s.check(b, {"$ref": "Bucket"}, path, "storage.buckets.insert")
            pap = b.get("iamConfiguration", {}).get("publicAccessPrevention")
            if pap is not None and pap not in ("inherited", "enforced"):
                s.err(path + ".iamConfiguration.publicAccessPrevention", "%r is not one of inherited, enforced" % (pap,))
            if b.get("storageClass", "STANDARD") not in STORAGE_CLASSES:
                s.err(path + ".storageClass", "%r is not one of %s" % (b.get("storageClass"), ", ".join(sorted(STORAGE_CLASSES))))
            n = b.get("name", "")
            if not BUCKET.fullmatch(n) or n.startswith("goog") or "google" in n or ".." in n:
                s.err(path, "bucket name %r: 3-63 lower-case letters, digits, '-', '_' and '.', no 'goog' prefix" % n)
            checked += 1
        for path in sorted(glob.glob(os.path.join(out, "registry", "artifact-registry.json"))):
            doc = read(path)
            for i, item in enumerate(doc.get("repositories", [])):
                where = "%s.repositories[%d]" % (path, i)
                r.check(item.get("repository"), {"$ref": "Repository"}, where + ".repository")
                rid = item.get("repositoryId", "")
                if not re.fullmatch(r"[a-z]([a-z0-9-]{0,61}[a-z0-9])?", rid):
                    r.err(where, "repositoryId %r" % rid)
                if item.get("repository", {}).get("name") != "%s/repositories/%s" % (item.get("parent"), rid):
                    r.err(where, "repository name is not <parent>/repositories/<repositoryId>")
                for k, cp in item.get("repository", {}).get("cleanupPolicies", {}).items():
                    if cp.get("id") != k:
                        r.err(where, "cleanup policy %r has id %r" % (k, cp.get("id")))
            checked += 1
    errors = c.errors + s.errors + r.errors
    for e in errors:
        print(e)
    if checked == 0:
        print("validate_gcp: no Google Cloud artifacts found under %s" % " ".join(sys.argv[1:]), file=sys.stderr)
        return 1
    print("validate_gcp: %d artifacts, %d errors" % (checked, len(errors)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
