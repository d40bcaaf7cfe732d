#!/usr/bin/env python3
"""Validates berth's AWS bucket artifacts against botocore's S3 service model.

    validate_aws.py RENDERED_DIR

- `*.lifecycle.json` is the LifecycleConfiguration of PutBucketLifecycleConfiguration;
- `*.settings.json` maps S3 operation names to their full inputs (PutBucketEncryption, ...);
- `*.policy.json` is the Policy of PutBucketPolicy, and must grant least privilege: every
  statement names explicit principals (role ARNs) and explicit actions, no wildcards.
Every problem is reported; exit 1 if any, 0 otherwise.
"""
import json
import pathlib
import sys

import botocore.session
from botocore.validate import ParamValidator

root = pathlib.Path(sys.argv[1])
model = botocore.session.get_session().get_service_model("s3")
validator = ParamValidator()
errors = []
checked = 0


def enums(shape, value, path, where):
    """botocore's ParamValidator does not check enum members; this does."""
    if shape.type_name == "structure" and isinstance(value, dict):
        for k, v in value.items():
            if k in shape.members:
                enums(shape.members[k], v, f"{path}.{k}", where)
    elif shape.type_name == "list" and isinstance(value, list):
        for i, v in enumerate(value):
            enums(shape.member, v, f"{path}[{i}]", where)
    elif shape.type_name == "string" and getattr(shape, "enum", None) and value not in shape.enum:
        errors.append(f"{where}: {path}: {value!r} is not one of {sorted(shape.enum)}")


def validate(op, params, where):
    global checked
    checked += 1
    shape = model.operation_model(op).input_shape
    report = validator.validate(params, shape)
    if report.has_errors():
        errors.append(f"{where}: {op}: {report.generate_report()}")
    enums(shape, params, op, where)


for f in sorted(root.rglob("*.json")):
    if "buckets" not in f.parts:
        continue
    name = f.name.split(".")[0]
    doc = json.loads(f.read_text())
    where = str(f.relative_to(root))
    if f.name.endswith(".lifecycle.json"):
        validate("PutBucketLifecycleConfiguration", {"Bucket": name, "LifecycleConfiguration": doc}, where)
        ids = [r.get("ID") for r in doc.get("Rules", [])]
        if len(ids) != len(set(ids)):
            errors.append(f"{where}: duplicate rule IDs {ids}")
        if not any("AbortIncompleteMultipartUpload" in r for r in doc.get("Rules", [])):
            errors.append(f"{where}: no rule aborts incomplete multipart uploads")
    elif f.name.endswith(".settings.json"):
        for op, params in doc.items():
            validate(op, params, where)
    elif f.name.endswith(".policy.json"):
        validate("PutBucketPolicy", {"Bucket": name, "Policy": json.dumps(doc)}, where)
        if doc.get("Version") != "2012-10-17":
            errors.append(f"{where}: Version must be 2012-10-17")
        for st in doc.get("Statement", []):
            principals = st.get("Principal")
            if principals == "*" or not isinstance(principals, dict):
                errors.append(f"{where}: {st.get('Sid')}: principal must name roles, found {principals!r}")
                continue
            for arn in principals.get("AWS", []):
                if "*" in arn or not arn.startswith("arn:aws:iam::") or ":role/" not in arn:
                    errors.append(f"{where}: {st.get('Sid')}: principal {arn!r} is not an explicit role ARN")
            for action in st.get("Action", []):
                if "*" in action:
                    errors.append(f"{where}: {st.get('Sid')}: wildcard action {action!r}")
    else:
        errors.append(f"{where}: unexpected file in buckets/")

for e in errors:
    print(e)
print(f"validate_aws: {checked} inputs, {len(errors)} errors")
sys.exit(1 if errors or checked == 0 else 0)
