#!/usr/bin/env python3
"""The weak spec without the env entries `berth check` refuses as plain credentials, for checkov.

    weak_for_checkov.py BERTH SPEC OUT_SPEC

`berth check` refuses credentials written as env values (error `plain-secret`), so `berth render`
never writes them into a manifest. checkov's kubernetes checks still need the weak spec's
manifests: this writes a copy of SPEC with exactly the lines berth reports as `plain-secret`
removed (each must be a one-line `NAME: value` entry), checks that the copy has no errors left,
and lists what it removed. The credentials themselves are scanned where they are written, in
SPEC, by checkov's secrets framework (scripts/test.sh). Exit 0 ok, 1 anything else.
"""
import json
import re
import subprocess
import sys


def check(berth, spec):
    r = subprocess.run([berth, "check", spec, "--format", "json"], capture_output=True, text=True)
    return json.loads(r.stdout)["diagnostics"]


def main():
    berth, spec, out = sys.argv[1:4]
    errors = [d for d in check(berth, spec) if d["severity"] == "error"]
    others = [d for d in errors if d["code"] != "plain-secret"]
    if others:
        print("weak_for_checkov: the spec has other errors: %s" % others, file=sys.stderr)
        return 1
    lines = open(spec).read().split("\n")
    drop = sorted({d["line"] for d in errors})
    for n in drop:
        if not re.fullmatch(r"\s+[A-Z0-9_]+: \S.*", lines[n - 1]) or "{" in lines[n - 1]:
            print("weak_for_checkov: line %d is not a one-line env entry" % n, file=sys.stderr)
            return 1
    names = [lines[n - 1].split(":")[0].strip() for n in drop]
    kept = [l for i, l in enumerate(lines, 1) if i not in drop]
    with open(out, "w") as f:
        f.write("\n".join(kept))
    left = [d for d in check(berth, out) if d["severity"] == "error"]
    if left:
        print("weak_for_checkov: the copy still has errors: %s" % left, file=sys.stderr)
        return 1
    print("weak_for_checkov: removed %d plain credentials berth refuses to render: %s" % (len(names), ", ".join(names)), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
