#!/usr/bin/env python3
"""Checks that the Helm charts of a berth render template exactly the plain render, and lint.

    check_helm.py RENDERED [--timings]

For every chart RENDERED/helm/<service>/ and every values file values-<env>-<cluster>.yaml in
it, the real Helm v4 library (helm-python-sdk, no helm binary) templates the chart with that
values file, release name <service> and namespace <platform>-<env> (the platform is the
chart's `berth.dev/platform` annotation), as `helm template <service> helm/<service> -n NS -f
values-<env>-<cluster>.yaml` does. The values file is read by Helm's own YAML reader, so a
YAML 1.1 word such as `on` or `y` is read as Helm reads it. The objects are compared, parsed,
with RENDERED/<cluster>/<namespace>/<service>.yaml, keyed by (apiVersion, kind, namespace,
name). Every plain-render service file must have its values file and the other way round.
Every chart is linted (`helm lint`) with values.yaml and with each values file; a lint message
of severity warning or error is a failure.

Each difference is printed on its own line:
    <chart> <values file>: missing <key> (in the plain render, not templated by Helm)
    <chart> <values file>: extra <key> (templated by Helm, not in the plain render)
    <chart> <values file>: <key>: at <path>: plain <value> != helm <value>
    <chart>: lint [<values file>]: <severity> <path>: <message>
The last line is
    check_helm: C charts, V values files, N objects, D differences
and the exit status is 0 only when D is 0 (1 on differences, 2 on usage or tool errors).
"""

import argparse
import os
import sys
import time

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare_kustomize import compare, index, layout_folder, load_docs  # noqa: E402

try:
    import helm_python as helm
except ImportError as exc:  # pragma: no cover
    sys.exit("check_helm: cannot import helm_python (pip install helm-python-sdk): %s" % exc)

SEVERITY = {0: "unknown", 1: "info", 2: "warning", 3: "error"}


def template(chart_dir, values_text, release, namespace):
    """The objects `helm template` gives for a values file, and the time Helm took."""
    values = helm.values_from_yaml(values_text)
    t0 = time.perf_counter()
    with helm.Chart.load(chart_dir) as chart:
        rendered = chart.render(values=values, name=release, namespace=namespace)
    dt = time.perf_counter() - t0
    docs = []
    for path in sorted(rendered):
        if path.endswith("NOTES.txt") or os.path.basename(path).startswith("_"):
            continue
        docs += load_docs(rendered[path], path)
    return docs, dt


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("rendered")
    ap.add_argument("--timings", action="store_true", help="print the seconds Helm spent templating")
    a = ap.parse_args()
    root = a.rendered
    helm_root = layout_folder(root, "helm", "check_helm: %s has no helm/ folder")
    if helm_root is None:
        return 2
    problems = []
    n_charts = n_values = n_objects = 0
    helm_seconds = 0.0
    clusters = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
    for chart_name in sorted(os.listdir(helm_root)):
        chart_dir = os.path.join(helm_root, chart_name)
        n_charts += 1
        with open(os.path.join(chart_dir, "Chart.yaml")) as f:
            meta = yaml.safe_load(f)
        platform = (meta.get("annotations") or {}).get("berth.dev/platform")
        if not platform:
            problems.append("%s: Chart.yaml has no berth.dev/platform annotation" % chart_name)
            continue
        expected = {}  # values file -> (namespace, plain file)
        for c in clusters:
            for ns in sorted(os.listdir(os.path.join(root, c))):
                plain = os.path.join(root, c, ns, chart_name + ".yaml")
                if ns.startswith(platform + "-") and os.path.isfile(plain):
                    expected["values-%s-%s.yaml" % (ns[len(platform) + 1:], c)] = (ns, plain)
        present = sorted(f for f in os.listdir(chart_dir) if f.startswith("values-") and f.endswith(".yaml"))
        for f in present:
            if f not in expected:
                problems.append("%s %s: no plain-render file for this values file" % (chart_name, f))
        lint_values = [("values.yaml", None)]
        for f in sorted(expected):
            if f not in present:
                problems.append("%s %s: missing (the plain render has %s)" % (chart_name, f, expected[f][1]))
                continue
            n_values += 1
            ns, plain_path = expected[f]
            with open(os.path.join(chart_dir, f)) as fh:
                values_text = fh.read()
            lint_values.append((f, helm.values_from_yaml(values_text)))
            where = "%s %s" % (chart_name, f)
            try:
                docs, dt = template(chart_dir, values_text, chart_name, ns)
            except helm.HelmError as exc:
                problems.append("%s: helm template failed: %s" % (where, exc))
                continue
            helm_seconds += dt
            with open(plain_path) as fh:
                plain = index(load_docs(fh.read(), plain_path), plain_path, problems)
            built = index(docs, where, problems)
            n_objects += len(plain)
            compare(plain, built, where, "Helm", "templated", problems)
        for name, values in lint_values:
            try:
                report = helm.lint(chart_dir, values, namespace=None)
            except helm.HelmError as exc:
                problems.append("%s: lint [%s] failed: %s" % (chart_name, name, exc))
                continue
            for m in report.get("messages") or []:
                if m.get("severity", 0) >= 2:
                    problems.append("%s: lint [%s]: %s %s: %s" % (
                        chart_name, name, SEVERITY.get(m.get("severity"), "?"), m.get("path", ""), m.get("error", "")))
            for e in report.get("errors") or []:
                problems.append("%s: lint [%s]: error: %s" % (chart_name, name, e))
    for p in problems:
        print(p)
    if a.timings:
        print("check_helm: helm templating took %.3f s" % helm_seconds)
    print("check_helm: %d charts, %d values files, %d objects, %d differences" % (n_charts, n_values, n_objects, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
