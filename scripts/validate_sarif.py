#!/usr/bin/env python3
"""Validates SARIF logs against the SARIF 2.1.0 JSON schema.

    validate_sarif.py SCHEMA LOG...

Also requires what GitHub code scanning needs beyond the schema: every result names a
rule of the driver, with a location. Exit 0 when every log is valid, 1 otherwise.
"""
import json
import sys

import jsonschema


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1]) as f:
        schema = json.load(f)
    validator = jsonschema.Draft4Validator(schema)
    bad = 0
    for path in sys.argv[2:]:
        with open(path) as f:
            log = json.load(f)
        errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
        for e in errors[:10]:
            print("%s: %s at %s" % (path, e.message, "/".join(map(str, e.path))))
        rules = {r["id"] for run in log.get("runs", []) for r in run["tool"]["driver"].get("rules", [])}
        results = [r for run in log.get("runs", []) for r in run.get("results", [])]
        for r in results:
            if r.get("ruleId") not in rules:
                errors.append(r)
                print("%s: result names rule %s, which the driver does not list" % (path, r.get("ruleId")))
            if not r.get("locations"):
                errors.append(r)
                print("%s: result of %s has no location" % (path, r.get("ruleId")))
        print("%s: %s (%d results, %d rules)" % (path, "invalid" if errors else "valid SARIF 2.1.0", len(results), len(rules)))
        bad += bool(errors)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
