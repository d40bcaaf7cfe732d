#!/usr/bin/env python3
"""Checks that the kustomize layout of a berth render builds exactly the plain render.

    compare_kustomize.py RENDERED [--kubectl kubectl]

For every overlay RENDERED/kustomize/overlays/<env>/<cluster>/ it runs the real
`kubectl kustomize` and compares the objects with those of the plain render for that
environment x cluster, RENDERED/<cluster>/<namespace>/*.yaml (the namespace is the
name of the Namespace object the overlay builds). For every RENDERED/kustomize/clusters/<cluster>/ it compares with
RENDERED/<cluster>/_cluster.yaml. Objects are compared as parsed YAML, keyed by
(apiVersion, kind, namespace, name); every plain-render folder must have its overlay.

Each difference is printed on its own line:
    <overlay>: missing <key> (in the plain render, not built by kustomize)
    <overlay>: extra <key> (built by kustomize, not in the plain render)
    <overlay>: <key>: at <path>: plain <value> != kustomize <value>
The last line is
    compare_kustomize: O overlays, N objects, D differences
and the exit status is 0 only when D is 0 (1 on differences, 2 on usage or tool errors).
"""

import argparse
import json
import os
import subprocess
import sys

import yaml

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_docs(text, where):
    try:
        return [d for d in yaml.load_all(text, Loader=Loader) if d is not None]
    except yaml.YAMLError as exc:
        sys.exit("compare_kustomize: %s: YAML error: %s" % (where, exc))


def key(doc):
    meta = doc.get("metadata") or {}
    return (doc.get("apiVersion", ""), doc.get("kind", ""), meta.get("namespace", ""), meta.get("name", ""))


def fmt_key(k):
    return "%s %s %s/%s" % (k[0], k[1], k[2] or "-", k[3])


def index(docs, where, problems):
    out = {}
    for d in docs:
        k = key(d)
        if k in out:
            problems.append("%s: duplicate %s" % (where, fmt_key(k)))
        out[k] = d
    return out


def short(v):
    s = json.dumps(v, sort_keys=True)
    return s if len(s) <= 200 else s[:197] + "..."


def diff(a, b, path, out):
    """Every place where a (plain) and b (kustomize) differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b), key=str):
            p = "%s.%s" % (path, k) if path else str(k)
            if k not in b:
                out.append((p, short(a[k]), "(absent)"))
            elif k not in a:
                out.append((p, "(absent)", short(b[k])))
            else:
                diff(a[k], b[k], p, out)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            diff(x, y, "%s[%d]" % (path, i), out)
    elif a != b or type(a) is not type(b):
        out.append((path or "(root)", short(a), short(b)))


def compare(want, got, where, tool, verb, problems):
    """Appends every object missing from, extra in or different in `got` against `want`
    (both from `index`): the plain render against what `tool` built."""
    for k in sorted(set(want) - set(got)):
        problems.append("%s: missing %s (in the plain render, not %s by %s)" % (where, fmt_key(k), verb, tool))
    for k in sorted(set(got) - set(want)):
        problems.append("%s: extra %s (%s by %s, not in the plain render)" % (where, fmt_key(k), verb, tool))
    for k in sorted(set(want) & set(got)):
        out = []
        diff(want[k], got[k], "", out)
        for path, x, y in out:
            problems.append("%s: %s: at %s: plain %s != %s %s" % (where, fmt_key(k), path, x, tool.lower(), y))


def plain_objects(folder):
    docs = []
    for name in sorted(os.listdir(folder)):
        if name.endswith((".yaml", ".yml")):
            with open(os.path.join(folder, name), encoding="utf-8") as fh:
                docs += load_docs(fh.read(), os.path.join(folder, name))
    return docs


def build(kubectl, folder):
    proc = subprocess.run([kubectl, "kustomize", folder], capture_output=True, text=True)
    if proc.returncode != 0:
        return None, proc.stderr.strip()
    return load_docs(proc.stdout, folder), None


def layout_folder(root, name, missing):
    """The folder `name` (kustomize, helm) of the render at `root`, or None after printing the
    usage error `missing % root` on stderr when the render has none."""
    folder = os.path.join(root, name)
    if not os.path.isdir(folder):
        print(missing % root, file=sys.stderr)
        return None
    return folder


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("rendered")
    p.add_argument("--kubectl", default="kubectl")
    a = p.parse_args()
    root = a.rendered
    kroot = layout_folder(root, "kustomize", "compare_kustomize: no kustomize folder in %s")
    if kroot is None:
        return 2

    pairs = []  # (overlay folder, plain files)
    overlays_root = os.path.join(kroot, "overlays")
    for env in sorted(os.listdir(overlays_root)) if os.path.isdir(overlays_root) else []:
        for cluster in sorted(os.listdir(os.path.join(overlays_root, env))):
            pairs.append((os.path.join(overlays_root, env, cluster), cluster))
    clusters_root = os.path.join(kroot, "clusters")
    for cluster in sorted(os.listdir(clusters_root)) if os.path.isdir(clusters_root) else []:
        pairs.append((os.path.join(clusters_root, cluster), os.path.join(root, cluster, "_cluster.yaml")))

    problems = []
    built = {}
    for i, (folder, plain) in enumerate(pairs):
        got_docs, err = build(a.kubectl, folder)
        built[folder] = (got_docs, err)
        if folder.startswith(overlays_root):
            names = [d["metadata"]["name"] for d in got_docs or [] if d.get("kind") == "Namespace"]
            if got_docs is not None and len(names) != 1:
                problems.append("%s: builds %d Namespace objects, expected 1" % (os.path.relpath(folder, root), len(names)))
            pairs[i] = (folder, os.path.join(root, plain, names[0] if len(names) == 1 else "?"))
    # every plain-render folder and cluster file has its kustomization
    covered = {os.path.normpath(plain) for _, plain in pairs}
    for cluster in sorted(os.listdir(root)):
        cdir = os.path.join(root, cluster)
        # infra/ is the cloud foundation, applied on the management cluster from its own folders
        # (argocd/infra.yaml), not a workload cluster of the kustomize layout.
        if cluster in ("kustomize", "helm", "argocd", "addons", "registry", "local", "buckets", "network", "restore", "monitoring", "infra") or not os.path.isdir(cdir):
            continue
        for name in sorted(os.listdir(cdir)):
            path = os.path.normpath(os.path.join(cdir, name))
            if (os.path.isdir(path) or name == "_cluster.yaml") and path not in covered:
                problems.append("%s: no kustomization builds it" % path)

    objects = 0
    for folder, plain in pairs:
        rel = os.path.relpath(folder, root)
        if os.path.isdir(plain):
            want_docs = plain_objects(plain)
        elif os.path.isfile(plain):
            with open(plain, encoding="utf-8") as fh:
                want_docs = load_docs(fh.read(), plain)
        else:
            problems.append("%s: the plain render has no %s" % (rel, os.path.relpath(plain, root)))
            continue
        got_docs, err = built[folder]
        if got_docs is None:
            problems.append("%s: kubectl kustomize failed: %s" % (rel, err))
            continue
        want = index(want_docs, os.path.relpath(plain, root), problems)
        got = index(got_docs, rel, problems)
        objects += len(want)
        compare(want, got, rel, "kustomize", "built", problems)

    for line in problems:
        print(line)
    print("compare_kustomize: %d overlays, %d objects, %d differences" % (len(pairs), objects, len(problems)))
    return 0 if not problems and pairs else 1


if __name__ == "__main__":
    sys.exit(main())
