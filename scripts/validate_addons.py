#!/usr/bin/env python3
"""Checks the Helm values of the add-on Applications berth renders (addons/) against the
charts' own files in Tests/data/addon-schemas/<chart>/ (see SOURCES.md there):

- values.schema.json: the values, merged over the chart's values.yaml as Helm merges them
  (maps deep-merged, everything else replaced), validate against the chart's JSON Schema;
- every key berth sets exists in the chart's values.yaml or its schema (below a key whose
  upstream value is an empty map or a list, anything goes: those are free-form maps such as
  annotations, or lists of objects); for charts without a schema this is the whole check;
- the Application's targetRevision is the version the file was copied from, so the check
  holds for the pinned release and not some other.

Usage: validate_addons.py [--schemas DIR] [--require CHART,...] RENDER_DIR...
Exits 1 on any failure, or when a chart in --require was never checked.
"""
import argparse
import json
import os
import re
import sys

import jsonschema
import yaml


def load_sources(schemas):
    """chart -> pinned version, from the table in SOURCES.md."""
    out = {}
    with open(os.path.join(schemas, "SOURCES.md"), encoding="utf-8") as f:
        for line in f:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) == 7 and cells[0] not in ("chart", "---"):
                out[cells[0]] = cells[1]
    return out


def resolve(node, schema):
    """Follows local $refs (`#/$defs/...`, `#/definitions/...`)."""
    seen = 0
    while isinstance(node, dict) and "$ref" in node and str(node["$ref"]).startswith("#/") and seen < 50:
        cur = schema
        for part in node["$ref"][2:].split("/"):
            cur = cur.get(part, {}) if isinstance(cur, dict) else {}
        node, seen = cur, seen + 1
    return node


def schema_child(node, key, schema):
    """The schema of `key` below `node`, None when the schema names no such key."""
    node = resolve(node, schema)
    if not isinstance(node, dict):
        return None
    props = node.get("properties") or {}
    if key in props:
        return props[key]
    for comb in ("allOf", "anyOf", "oneOf"):
        for sub in node.get(comb) or []:
            c = schema_child(sub, key, schema)
            if c is not None:
                return c
    return None


def key_problems(values, upstream, schema=None, node=None, path="", free=frozenset()):
    """Keys of `values` that exist neither in `upstream` (a values.yaml tree) nor in the
    schema. Below an empty map or a non-map upstream (free-form maps such as annotations,
    lists berth replaces) anything goes."""
    out = []
    if not isinstance(values, dict):
        return out
    if not isinstance(upstream, dict) or not upstream:
        return out
    for k, v in values.items():
        p = f"{path}.{k}" if path else k
        child = schema_child(node, k, schema) if schema is not None and node is not None else None
        if k not in upstream and child is None:
            out.append(f"{p}: no such key in the chart's values.yaml or values.schema.json")
        elif isinstance(v, dict) and k in upstream and p not in free:
            out += key_problems(v, upstream[k], schema, child, p, free)
    return out


def chart_defaults(upstream):
    """The chart's defaults as users set them. Istio's charts (base, istiod) keep theirs
    below `_internal_defaults_do_not_set`, which their templates merge the user's top-level
    values over (templates/zzz_profile.yaml); the keys users set are the ones below it."""
    if isinstance(upstream, dict) and isinstance(upstream.get(WRAPPER), dict):
        rest = {k: v for k, v in upstream.items() if k != WRAPPER}
        return merged(upstream[WRAPPER], rest)
    return upstream


WRAPPER = "_internal_defaults_do_not_set"

# Keys a chart passes through whole to something other than its own values.yaml, with the
# upstream evidence in SOURCES.md: below them the chart's values.yaml proves nothing.
FREE_FORM = {
    "istiod": {"meshConfig"},  # templates/configmap.yaml merges .Values.meshConfig (Istio MeshConfig)
}


# Maps of command-line flags (`--key=value` for each entry): a key berth sets there must be
# a key of the chart's values.yaml or one of the flags it lists as commented examples
# (`# key: value` lines), which is the chart's own list of the flags.
FLAG_MAPS = {
    "cluster-autoscaler": {"extraArgs"},  # templates/deployment.yaml: range .Values.extraArgs -> --key=value
}


def commented_keys(text):
    """Keys of the commented example lines of a values.yaml (`  # key: value`)."""
    return set(re.findall(r"^\s*#\s*([A-Za-z0-9_.-]+):", text, flags=re.M))


def documented_flags(chart, schemas):
    """Flags of the program's own documentation, copied to <chart>/flags.txt (one per line,
    `#` comments name the source), for flags the chart's values.yaml does not list."""
    path = os.path.join(schemas, chart, "flags.txt")
    if not os.path.exists(path):
        return set()
    with open(path, encoding="utf-8") as f:
        return {line.strip() for line in f if line.strip() and not line.lstrip().startswith("#")}


def flag_problems(values, upstream, chart, text, schemas):
    """Flags berth sets below a FLAG_MAPS key that neither the chart's values.yaml nor the
    program's documented flag list (flags.txt) names."""
    out = []
    for key in sorted(FLAG_MAPS.get(chart, ())):
        given = values.get(key) if isinstance(values, dict) else None
        if not isinstance(given, dict):
            continue
        known = set((upstream.get(key) or {}).keys()) | commented_keys(text) | documented_flags(chart, schemas)
        out += [f"{key}.{k}: no such flag in the chart's values.yaml (keys or commented examples)"
                for k in given if k not in known]
    return out


def merged(base, over):
    """Helm's merge of user values over chart defaults."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = merged(base.get(k), v) if k in base else v
        return out
    return over


def applications(root):
    for dirpath, _, files in os.walk(os.path.join(root, "addons")):
        for name in sorted(files):
            if not name.endswith(".yaml"):
                continue
            path = os.path.join(dirpath, name)
            with open(path, encoding="utf-8") as f:
                for doc in yaml.safe_load_all(f):
                    if doc and doc.get("kind") == "Application":
                        yield path, doc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--schemas", default="Tests/data/addon-schemas")
    ap.add_argument("--require", default="", help="charts that must have been checked at least once")
    ap.add_argument("roots", nargs="+")
    args = ap.parse_args()
    pins = load_sources(args.schemas)
    failures, checked, unchecked, apps = [], set(), set(), 0
    for root in args.roots:
        if not os.path.isdir(os.path.join(root, "addons")):
            failures.append(f"{root}: no addons/ folder")
            continue
        for path, app in applications(root):
            apps += 1
            src = (app.get("spec") or {}).get("source") or {}
            chart = src.get("chart")
            if not chart:
                continue
            folder = os.path.join(args.schemas, chart)
            schema_file = os.path.join(folder, "values.schema.json")
            values_file = os.path.join(folder, "values.yaml")
            values = ((src.get("helm") or {}).get("valuesObject")) or {}
            if not (os.path.exists(schema_file) or os.path.exists(values_file)):
                unchecked.add(chart)
                continue
            version = str(src.get("targetRevision"))
            if pins.get(chart) != version:
                failures.append(f"{path}: {chart} {version} is pinned, but the copied chart file is from {pins.get(chart)}")
                continue
            upstream, text = {}, ""
            if os.path.exists(values_file):
                with open(values_file, encoding="utf-8") as f:
                    text = f.read()
                upstream = chart_defaults(yaml.safe_load(text) or {})
            free = FREE_FORM.get(chart, set()) | FLAG_MAPS.get(chart, set())
            failures += [f"{path}: {chart} values {p}" for p in flag_problems(values, upstream, chart, text, args.schemas)]
            if os.path.exists(schema_file):
                with open(schema_file, encoding="utf-8") as f:
                    schema = json.load(f)
                cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
                for e in sorted(cls(schema).iter_errors(merged(upstream, values)), key=lambda e: list(e.absolute_path)):
                    where = ".".join(str(p) for p in e.absolute_path) or "(root)"
                    failures.append(f"{path}: {chart} values {where}: {e.message}")
                failures += [f"{path}: {chart} values {p}" for p in key_problems(values, upstream, schema, schema, free=free)]
            else:
                failures += [f"{path}: {chart} values {p}" for p in key_problems(values, upstream, free=free)]
            checked.add(chart)
    for chart in [c for c in args.require.split(",") if c]:
        if chart not in checked:
            failures.append(f"{chart}: no rendered Application of this chart was checked")
    for f in failures:
        print(f"FAIL {f}")
    print(f"validate_addons: {apps} applications; values checked for {', '.join(sorted(checked)) or 'none'}; "
          f"no chart file for {', '.join(sorted(unchecked)) or 'none'}; {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
