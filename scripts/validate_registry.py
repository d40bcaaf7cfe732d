#!/usr/bin/env python3
"""Validates berth's ECR registry policy against botocore's ECR service model.

    validate_registry.py RENDERED/registry

For registry/ecr.json: every repository's PutImageTagMutability,
PutImageScanningConfiguration and PutLifecyclePolicy input is checked with
botocore.validate.ParamValidator against the operation's input shape (and enum
values against the model, which ParamValidator leaves out), and every
lifecyclePolicyText (and registry/ecr-lifecycle-policy.json) against ECR's documented
lifecycle rule shape: rulePriority unique positive integers; selection.tagStatus
tagged | untagged | any; tagged rules name tagPrefixList or tagPatternList; countType
imageCountMoreThan (no countUnit) or sinceImagePushed (countUnit days); countNumber a
positive integer; action.type expire; at most one `any` rule, with the highest priority.
Prints one line per problem, then "validate_registry: N inputs, E errors"; exit 0 only when E is 0.
"""
import json
import os
import sys

import botocore.session
from botocore.validate import ParamValidator


def enum_problems(value, shape, path):
    """ParamValidator checks types, required members and lengths but not enums; this does."""
    out = []
    if shape.type_name == "structure" and isinstance(value, dict):
        for k, v in value.items():
            if k in shape.members:
                out += enum_problems(v, shape.members[k], "%s.%s" % (path, k))
    elif shape.type_name == "list" and isinstance(value, list):
        for i, v in enumerate(value):
            out += enum_problems(v, shape.member, "%s[%d]" % (path, i))
    elif shape.type_name == "string" and getattr(shape, "enum", None) and value not in shape.enum:
        out.append("%s: %r is not one of %s" % (path, value, ", ".join(shape.enum)))
    return out


def lifecycle_problems(text, where):
    out = []
    try:
        policy = json.loads(text)
    except ValueError as exc:
        return ["%s: lifecyclePolicyText is not JSON: %s" % (where, exc)]
    rules = policy.get("rules") if isinstance(policy, dict) else None
    if not isinstance(rules, list) or not rules:
        return ["%s: rules must be a non-empty list" % where]
    if set(policy) - {"rules"}:
        out.append("%s: unknown top-level keys %s" % (where, sorted(set(policy) - {"rules"})))
    prios = []
    for i, r in enumerate(rules):
        w = "%s: rules[%d]" % (where, i)
        if set(r) - {"rulePriority", "description", "selection", "action"}:
            out.append("%s: unknown keys %s" % (w, sorted(set(r) - {"rulePriority", "description", "selection", "action"})))
        p = r.get("rulePriority")
        if not isinstance(p, int) or isinstance(p, bool) or p < 1:
            out.append("%s: rulePriority must be a positive integer" % w)
        prios.append(p)
        s = r.get("selection") or {}
        status = s.get("tagStatus")
        if status not in ("tagged", "untagged", "any"):
            out.append("%s: selection.tagStatus must be tagged, untagged or any" % w)
        if status == "tagged" and not (s.get("tagPrefixList") or s.get("tagPatternList")):
            out.append("%s: a tagged rule needs tagPrefixList or tagPatternList" % w)
        if s.get("tagPrefixList") and s.get("tagPatternList"):
            out.append("%s: tagPrefixList and tagPatternList are exclusive" % w)
        ct = s.get("countType")
        if ct == "imageCountMoreThan":
            if "countUnit" in s:
                out.append("%s: countUnit is not allowed with imageCountMoreThan" % w)
        elif ct == "sinceImagePushed":
            if s.get("countUnit") != "days":
                out.append("%s: sinceImagePushed needs countUnit days" % w)
        else:
            out.append("%s: selection.countType must be imageCountMoreThan or sinceImagePushed" % w)
        n = s.get("countNumber")
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            out.append("%s: selection.countNumber must be a positive integer" % w)
        if (r.get("action") or {}).get("type") != "expire":
            out.append("%s: action.type must be expire" % w)
    if len(set(prios)) != len(prios):
        out.append("%s: rulePriority values must be unique" % where)
    anys = [r.get("rulePriority") for r in rules if (r.get("selection") or {}).get("tagStatus") == "any"]
    if anys and (len(anys) > 1 or anys[0] != max(p for p in prios if isinstance(p, int))):
        out.append("%s: a tagStatus any rule must be the only one and have the highest rulePriority" % where)
    return out


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    folder = sys.argv[1]
    ecr_path = os.path.join(folder, "ecr.json")
    if not os.path.isfile(ecr_path):
        print("validate_registry: no %s" % ecr_path, file=sys.stderr)
        return 2
    model = botocore.session.get_session().get_service_model("ecr")
    validator = ParamValidator()
    problems = []
    inputs = 0
    with open(ecr_path, encoding="utf-8") as fh:
        ecr = json.load(fh)
    repos = ecr.get("repositories") or []
    if not repos:
        problems.append("ecr.json: no repositories")
    for i, repo in enumerate(repos):
        for op in ("PutImageTagMutability", "PutImageScanningConfiguration", "PutLifecyclePolicy"):
            where = "ecr.json: repositories[%d] (%s) %s" % (i, repo.get("repositoryName"), op)
            if op not in repo:
                problems.append("%s: missing" % where)
                continue
            inputs += 1
            shape = model.operation_model(op).input_shape
            report = validator.validate(repo[op], shape)
            if report.has_errors():
                problems.append("%s: %s" % (where, report.generate_report().replace("\n", "; ")))
            problems += ["%s: %s" % (where, e) for e in enum_problems(repo[op], shape, "input")]
        text = (repo.get("PutLifecyclePolicy") or {}).get("lifecyclePolicyText", "")
        problems += lifecycle_problems(text, "ecr.json: repositories[%d] lifecyclePolicyText" % i)
    lp = os.path.join(folder, "ecr-lifecycle-policy.json")
    with open(lp, encoding="utf-8") as fh:
        problems += lifecycle_problems(fh.read(), "ecr-lifecycle-policy.json")
    sev = (ecr.get("scan") or {}).get("blockSeverity")
    if sev not in ("LOW", "MEDIUM", "HIGH", "CRITICAL"):
        problems.append("ecr.json: scan.blockSeverity must be LOW, MEDIUM, HIGH or CRITICAL")
    for p in problems:
        print(p)
    print("validate_registry: %d inputs, %d errors" % (inputs, len(problems)))
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
