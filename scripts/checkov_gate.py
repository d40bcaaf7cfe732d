#!/usr/bin/env python3
"""Pass/fail gate over checkov's JSON report for rendered Kubernetes manifests.

    checkov_gate.py --json OUT/checkov.json [--manifests DIR] [--max-skipped-ids 3]

The gate passes only when
  * checkov failed no check (checks skipped by annotation do not count as failed),
  * checkov could parse every file and found at least one resource,
  * every skip carries a non-empty reason, and
  * at most --max-skipped-ids (default 3) distinct check IDs are skipped in the run.
It prints each failed check (ID, name, file, resource), then each reason the gate
fails ("checkov gate: ..."), and last one line:
    checkov: P passed, F failed, S skipped (IDs: CKV_K8S_43, ...)
Exit status: 0 when the gate passes, 1 when it fails, 2 when the report is unusable.

Skip annotation syntax (checkov 3.3.30, checkov/kubernetes/kubernetes_utils.py,
get_skipped_checks):
  * It is read ONLY from the object's own top-level `metadata.annotations` (for a
    Deployment: the Deployment's metadata, not spec.template.metadata). It then
    applies to every check on that object, including the container checks and the
    graph check CKV2_K8S_6 (reported on the Pod derived from the template).
  * An annotation counts when its KEY CONTAINS one of "checkov.io/skip",
    "bridgecrew.io/skip" or "cortex.io/skip" (a substring test), so several skips
    on one object use distinct keys: checkov.io/skip1, checkov.io/skip2, ...
  * Its VALUE is "<CHECK_ID>=<reason>", e.g.
        metadata:
          annotations:
            checkov.io/skip1: CKV_K8S_43=images are pinned by tag and verified at admission
    One skip per annotation: the value is split on "=" and must give exactly two
    parts, so the reason MUST NOT contain "=" (checkov 3.3.30 then crashes with
    "ValueError: too many values to unpack"). A value without "=" skips the check
    with the reason "No comment provided", which this gate rejects as no reason.
    The ID is compared exactly (no trimming): "CKV_K8S_43 =reason" skips nothing.
With --manifests DIR the gate also reads the YAML under DIR and checks every skip
annotation against these rules, including skips that matched no check.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from typing import Any, Dict, Iterator, List, Optional, Tuple

SKIP_KEY_MARKERS = ("checkov.io/skip", "bridgecrew.io/skip", "cortex.io/skip")
NO_REASON = "No comment provided"  # what checkov records for a skip without "=reason"
CHECK_ID = re.compile(r"^(CKV2?|BC)_[A-Z0-9]+_[0-9]+$")


def _rel(path: Optional[str]) -> str:
    if not path:
        return "?"
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def _reports(data: Any) -> List[dict]:
    """checkov writes one report object, or a list of them (one per framework)."""
    if isinstance(data, dict):
        return [data] if "results" in data or "summary" in data else []
    if isinstance(data, list):
        return [r for r in data if isinstance(r, dict)]
    return []


def _reason(check: dict) -> str:
    result = check.get("check_result") or {}
    return str(result.get("suppress_comment") or "").strip()


def _where(check: dict) -> str:
    path = _rel(check.get("file_abs_path") or check.get("file_path"))
    lines = check.get("file_line_range") or []
    if len(lines) == 2:
        path = "%s:%s-%s" % (path, lines[0], lines[1])
    return path


def annotation_skips(manifest_dir: str) -> Iterator[Tuple[str, str, str, Any]]:
    """Yield (place, object, key, value) for each skip annotation in DIR's YAML."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for root, dirs, files in os.walk(manifest_dir):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith((".yaml", ".yml", ".json")):
                continue
            path = os.path.join(root, name)
            try:
                with open(path, "rb") as fh:
                    docs = list(yaml.load_all(fh, Loader=loader))
            except (OSError, yaml.YAMLError):
                continue  # the schema validator reports unreadable files
            for index, doc in enumerate(docs, 1):
                if not isinstance(doc, dict):
                    continue
                meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
                annotations = meta.get("annotations")
                if not isinstance(annotations, dict):
                    continue
                obj = "%s/%s" % (doc.get("kind", "?"), meta.get("name", "?"))
                for key, value in annotations.items():
                    if any(marker in str(key) for marker in SKIP_KEY_MARKERS):
                        yield "%s: doc %d" % (_rel(path), index), obj, str(key), value


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", required=True, metavar="FILE",
                        help="checkov report written with -o json")
    parser.add_argument("--manifests", metavar="DIR",
                        help="folder checkov scanned; its skip annotations are checked too")
    parser.add_argument("--max-skipped-ids", type=int, default=3, metavar="N",
                        help="most distinct skipped check IDs allowed (default 3)")
    args = parser.parse_args(argv)

    try:
        with open(args.json, "rb") as fh:
            data = json.load(fh)
    except (OSError, ValueError) as exc:
        print("checkov gate: cannot read checkov JSON report %s: %s" % (args.json, exc))
        return 2
    reports = _reports(data)

    problems: List[str] = []
    passed = failed = skipped = resources = 0
    skipped_ids: Dict[str, str] = {}
    failed_checks: List[dict] = []
    for report in reports:
        results = report.get("results") or {}
        summary = report.get("summary") or {}
        passed += len(results.get("passed_checks") or [])
        failed_checks.extend(results.get("failed_checks") or [])
        resources += int(summary.get("resource_count") or 0)
        parse_errors = results.get("parsing_errors") or []
        if parse_errors or summary.get("parsing_errors"):
            files = ", ".join(_rel(p) for p in parse_errors) or \
                "%s file(s)" % summary.get("parsing_errors")
            problems.append("checkov could not parse: %s" % files)
        for check in results.get("skipped_checks") or []:
            skipped += 1
            cid = str(check.get("check_id"))
            skipped_ids.setdefault(cid, check.get("check_name") or "")
            reason = _reason(check)
            if not reason or reason == NO_REASON:
                problems.append("skip of %s on %s (%s) has no reason; write it as "
                                "checkov.io/skipN: %s=<reason>"
                                % (cid, check.get("resource"), _where(check), cid))
    failed = len(failed_checks)

    for check in failed_checks:
        print("FAILED %s \"%s\": %s in %s" % (check.get("check_id"), check.get("check_name"),
                                              check.get("resource"), _where(check)))
        guideline = check.get("guideline")
        if guideline:
            print("    see %s" % guideline)
    if failed:
        problems.append("%d failed check(s)" % failed)
    if not reports or resources == 0:
        problems.append("checkov found no Kubernetes resources to check")

    if args.manifests:
        for place, obj, key, value in annotation_skips(args.manifests):
            text = value if isinstance(value, str) else None
            if text is None:
                problems.append("%s: %s: annotation %s must be a string" % (place, obj, key))
                continue
            parts = text.split("=")
            if len(parts) != 2:
                why = ("has no reason" if len(parts) == 1 else
                       "has more than one '=' (checkov cannot read it; keep '=' out of the reason)")
                problems.append("%s: %s: skip annotation %s: %r %s" % (place, obj, key, text, why))
                continue
            cid, reason = parts
            if not CHECK_ID.match(cid):
                problems.append("%s: %s: skip annotation %s: %r is not a check ID"
                                % (place, obj, key, cid))
            elif not reason.strip():
                problems.append("%s: %s: skip annotation %s: skip of %s has an empty reason"
                                % (place, obj, key, cid))
            else:
                skipped_ids.setdefault(cid, "")

    if len(skipped_ids) > args.max_skipped_ids:
        problems.append("%d distinct check IDs are skipped (%s); at most %d allowed"
                        % (len(skipped_ids), ", ".join(sorted(skipped_ids)),
                           args.max_skipped_ids))

    for p in problems:
        print("checkov gate: %s" % p)
    ids = ", ".join(sorted(skipped_ids)) if skipped_ids else "none"
    print("checkov: %d passed, %d failed, %d skipped (IDs: %s)" % (passed, failed, skipped, ids))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
