#!/usr/bin/env python3
"""Strict validator for rendered Kubernetes manifests.

Usage:
    validate_k8s.py --k8s-version 1.31 --crd-schemas DIR PATH...

Each PATH is a file or a folder (searched recursively for *.yaml / *.yml).
Every document of every file is checked:

* core kinds against the strict JSON schemas bundled in the `kubernetes-validate`
  package: `kubernetes_validate/kubernetes-json-schema/v<minor>.<patch>-<variant>-strict/`
  for the newest patch it ships for the requested minor version, preferring the
  `standalone` variant where one exists (kubernetes-validate 1.37.0 ships only
  `v1.31.0-local-strict`, whose `$ref`s into `_definitions.json` are inlined once
  at load time). `additionalProperties: false` is set everywhere, so unknown fields
  fail, and an `integer` must be a real integer (80.0 fails, as in the API server);
* custom resources against `DIR/<group>/<kind lower>_<version>.json` (the
  CRDs-catalog layout; OpenAPI `nullable: true` is honoured); their apiVersion
  and kind must be exactly the expected values (kind spelling from a table of
  known kinds), unknown top-level fields are rejected and `metadata` is checked
  against the strict core ObjectMeta schema;
* a kind with no schema is an error, never skipped;
* documents must be mappings with apiVersion, kind and metadata.name; names,
  namespaces, label and annotation keys/values must be valid for the API server;
  known cluster-scoped kinds must not set metadata.namespace;
* duplicate mapping keys inside a document are errors (the API server's strict
  decoding rejects them; PyYAML would silently keep the last one);
* the same object (API group, kind, namespace, name) must not appear twice within
  one PATH argument (both places are reported).

YAML is read as YAML 1.1 by PyYAML, but without the timestamp resolver, so an
unquoted date stays a string as it would for a `type: string` field.

Each error is printed as
    FILE: doc N: Kind/namespace/name: at some.path[0].field: message
(`Kind/name` for objects without a namespace; N counts the documents of the file
from 1, empty ones included; a YAML syntax error stops reading that file and is
reported as `FILE: doc N: YAML error at line L, column C: ...`). The last line is
    validate_k8s: T objects, E errors (C core, U custom)
and the exit status is 0 only when E is 0 (1 for validation errors, 2 for usage).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple

try:
    import yaml
    import jsonschema
    from jsonschema import validators as js_validators
    from jsonschema.exceptions import best_match
    from referencing import Registry, Resource
    from referencing.exceptions import NoSuchResource
    from referencing.jsonschema import DRAFT202012
except ImportError as exc:  # pragma: no cover - environment problem
    sys.stderr.write(
        "validate_k8s: missing Python package (%s); run scripts/setup-tools.sh and use "
        "the venv's python\n" % exc
    )
    sys.exit(2)

# --------------------------------------------------------------------------- YAML

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class K8sLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader (C-accelerated when available) that keeps timestamps as strings
    and rejects duplicate mapping keys."""

    def construct_mapping(self, node, deep=False):  # noqa: D401 - PyYAML hook
        if isinstance(node, yaml.MappingNode):
            seen = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                if not isinstance(key_node, yaml.ScalarNode):
                    continue
                key = (key_node.tag, key_node.value)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping",
                        node.start_mark,
                        "found duplicate key %r (first at line %d)" % (key[1], seen[key] + 1),
                        key_node.start_mark,
                    )
                seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


# A private copy of the resolver table without the timestamp resolver.
K8sLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for (tag, rx) in resolvers if tag != _TIMESTAMP_TAG]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}

# ------------------------------------------------------------------ JSON schema

def _strict(cls):
    # "integer" must be a real integer: 1.0 is a float and the API server's decoder
    # rejects it for int32/int64 fields (jsonschema would accept it by default).
    return js_validators.extend(cls, type_checker=cls.TYPE_CHECKER.redefine(
        "integer", lambda _checker, inst: isinstance(inst, int) and not isinstance(inst, bool)
    ))


_STRICT_VALIDATORS: Dict[type, type] = {}


def strict_validator_class(schema: dict, default: type) -> type:
    cls = js_validators.validator_for(schema, default=default)
    if cls not in _STRICT_VALIDATORS:
        _STRICT_VALIDATORS[cls] = _strict(cls)
    return _STRICT_VALIDATORS[cls]


def _load_json(path: Path) -> Any:
    with open(path, "rb") as fh:
        return json.load(fh)


def _retrieve_file(uri: str) -> Resource:
    """Registry hook: resolve `$ref`s to other local schema files."""
    if uri.startswith("file://"):
        path = Path(uri[len("file://"):])
        if path.is_file():
            return Resource.from_contents(_load_json(path), default_specification=DRAFT202012)
    raise NoSuchResource(ref=uri)


def _apply_nullable(node: Any) -> None:
    """OpenAPI `nullable: true` (found in some CRD schemas) means null is allowed."""
    if isinstance(node, dict):
        if node.get("nullable") is True:
            t = node.get("type")
            if isinstance(t, str):
                node["type"] = [t, "null"]
            elif isinstance(t, list) and "null" not in t:
                node["type"] = t + ["null"]
            if isinstance(node.get("enum"), list) and None not in node["enum"]:
                node["enum"] = node["enum"] + [None]
        for value in node.values():
            _apply_nullable(value)
    elif isinstance(node, list):
        for value in node:
            _apply_nullable(value)


def _die(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.exit(2)


def _version_key(name: str) -> Tuple[int, ...]:
    m = re.match(r"^v(\d+)\.(\d+)\.(\d+)", name)
    return tuple(int(x) for x in m.groups()) if m else (0, 0, 0)


def find_core_schema_dir(k8s_version: str, override: Optional[str]) -> Path:
    if override:
        p = Path(override)
        if not p.is_dir():
            _die("validate_k8s: --core-schemas %s is not a folder" % override)
        return p
    try:
        import kubernetes_validate  # noqa: F401
    except ImportError:
        _die("validate_k8s: the kubernetes-validate package is not installed "
             "(run scripts/setup-tools.sh)")
    base = Path(kubernetes_validate.__file__).resolve().parent / "kubernetes-json-schema"
    m = re.match(r"^v?(\d+)\.(\d+)(?:\.(\d+))?$", k8s_version.strip())
    if not m:
        _die("validate_k8s: bad --k8s-version %r (expected e.g. 1.31)" % k8s_version)
    # Only the minor version selects schemas (a patch part is accepted and ignored:
    # kubernetes-validate ships one patch release per minor version).
    major, minor = m.group(1), m.group(2)
    candidates = []
    for d in base.iterdir():
        dm = re.match(r"^v(\d+)\.(\d+)\.(\d+)-(standalone|local)-strict$", d.name)
        if not dm or not d.is_dir():
            continue
        if dm.group(1) != major or dm.group(2) != minor:
            continue
        # newest patch first; for the same patch prefer the standalone variant
        candidates.append((_version_key(d.name), dm.group(4) == "standalone", d))
    if not candidates:
        shipped = sorted({re.sub(r"-.*", "", d.name) for d in base.iterdir()}, key=_version_key)
        _die("validate_k8s: kubernetes-validate ships no strict schemas for %s.%s "
             "(it has: %s)" % (major, minor, ", ".join(shipped)))
    candidates.sort(key=lambda c: (c[0], c[1]))
    return candidates[-1][2]


class SchemaStore:
    """Finds, loads (once) and compiles the schema for an apiVersion+kind."""

    def __init__(self, core_dir: Path, crd_dirs: List[Path]):
        self.core_dir = core_dir
        self.crd_dirs = crd_dirs
        self._core_cache: Dict[Tuple[str, str, str], Optional[Any]] = {}
        self._crd_cache: Dict[Tuple[str, str, str], Optional[Tuple[Any, dict, Path]]] = {}
        defs_path = core_dir / "_definitions.json"
        self.registry = Registry(retrieve=_retrieve_file)
        self._defs_id: Optional[str] = None
        if defs_path.is_file():
            defs = _load_json(defs_path)
            self._defs_id = defs.get("$id") or defs_path.resolve().as_uri()
            self.registry = self.registry.with_resource(
                self._defs_id, Resource.from_contents(defs, default_specification=DRAFT202012)
            )
            self._defs = defs
        else:
            self._defs = None
        self._objectmeta_validator = None
        self._inlined: Dict[str, dict] = {}

    # -- $ref inlining ---------------------------------------------------------
    # The "local" schema variant points into _definitions.json with $ref. Resolving
    # those through `referencing` on every object costs more than the validation
    # itself, so references into the definitions are replaced by the (shared, and
    # possibly self-referencing) definition objects once. Only annotation keywords
    # (description, x-kubernetes-*) sit beside those $refs, so nothing is lost.
    # Any other $ref is left in place and resolved by the registry.
    def _def_name(self, ref: str) -> Optional[str]:
        if self._defs is None:
            return None
        container = "$defs" if "$defs" in self._defs else "definitions"
        for prefix in ("/api/_definitions.json#/%s/" % container,
                       "%s#/%s/" % (self._defs_id, container),
                       "_definitions.json#/%s/" % container,
                       "#/%s/" % container):
            if ref.startswith(prefix):
                name = ref[len(prefix):]
                if name in self._defs.get(container, {}):
                    return name
        return None

    def _inline(self, node: Any, in_defs: bool) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and (in_defs or not ref.startswith("#")):
                name = self._def_name(ref)
                if name is not None and all(
                        k == "description" or k.startswith("x-kubernetes-")
                        for k in node if k != "$ref"):
                    return self._inline_def(name)
            return {k: self._inline(v, in_defs) for k, v in node.items()}
        if isinstance(node, list):
            return [self._inline(v, in_defs) for v in node]
        return node

    def _inline_def(self, name: str) -> dict:
        if name in self._inlined:
            return self._inlined[name]
        out: dict = {}
        self._inlined[name] = out  # placeholder first: definitions can be recursive
        container = "$defs" if "$defs" in self._defs else "definitions"
        out.update(self._inline(self._defs[container][name], True))
        return out

    # -- core ----------------------------------------------------------------
    def core(self, group: str, version: str, kind: str):
        key = (group, version, kind)
        if key in self._core_cache:
            return self._core_cache[key]
        validator = None
        prefix = group.split(".")[0]
        gv = "%s-%s" % (prefix, version) if group else version
        path = self.core_dir / ("%s-%s.json" % (kind.lower(), gv))
        if path.is_file():
            schema = _load_json(path)
            gvks = schema.get("x-kubernetes-group-version-kind") or []
            if any(g.get("group", "") == group and g.get("version") == version
                   and g.get("kind") == kind for g in gvks):
                if "$id" not in schema:
                    schema["$id"] = path.resolve().as_uri()
                schema = self._inline(schema, False)
                cls = strict_validator_class(schema, jsonschema.Draft202012Validator)
                validator = cls(schema, registry=self.registry)
        self._core_cache[key] = validator
        return validator

    def objectmeta_validator(self):
        if self._objectmeta_validator is None and self._defs is not None:
            name = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
            container = "$defs" if "$defs" in self._defs else "definitions"
            if name in self._defs.get(container, {}):
                schema = dict(self._inline_def(name))
                schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
                cls = strict_validator_class(schema, jsonschema.Draft202012Validator)
                self._objectmeta_validator = cls(schema, registry=self.registry)
        return self._objectmeta_validator

    # -- custom resources ----------------------------------------------------
    def crd(self, group: str, version: str, kind: str):
        key = (group, version, kind.lower())
        if key in self._crd_cache:
            return self._crd_cache[key]
        found = None
        if group and re.match(r"^[a-z0-9.-]+$", group) and re.match(r"^[a-z0-9]+$", version) \
                and re.match(r"^[A-Za-z0-9]+$", kind):
            for d in self.crd_dirs:
                path = d / group / ("%s_%s.json" % (kind.lower(), version))
                if path.is_file():
                    schema = _load_json(path)
                    _apply_nullable(schema)
                    schema.setdefault("$id", path.resolve().as_uri())
                    cls = strict_validator_class(schema, jsonschema.Draft202012Validator)
                    registry = Resource.from_contents(
                        schema, default_specification=DRAFT202012) @ self.registry
                    found = (cls(schema, registry=registry), schema, path)
                    break
        self._crd_cache[key] = found
        return found


# CRD schemas from the catalog do not pin apiVersion/kind. Kinds are matched by
# their lower-case file name, so the exact spelling comes from this table (and,
# for kinds not listed, must at least be UpperCamelCase).
KNOWN_CRD_KINDS = {
    "argoproj.io": ["Application", "ApplicationSet", "AppProject"],
    "autoscaling.k8s.io": ["VerticalPodAutoscaler", "VerticalPodAutoscalerCheckpoint"],
    "cert-manager.io": ["Certificate", "CertificateRequest", "ClusterIssuer", "Issuer"],
    "acme.cert-manager.io": ["Challenge", "Order"],
    "external-secrets.io": ["ExternalSecret", "ClusterExternalSecret", "SecretStore",
                            "ClusterSecretStore", "PushSecret"],
    "externaldns.k8s.io": ["DNSEndpoint"],
    "gateway.networking.k8s.io": ["Gateway", "GatewayClass", "HTTPRoute", "GRPCRoute",
                                  "ReferenceGrant", "TCPRoute", "TLSRoute", "UDPRoute",
                                  "BackendTLSPolicy", "ListenerSet", "XListenerSet"],
    "monitoring.coreos.com": ["ServiceMonitor", "PodMonitor", "PrometheusRule", "Probe",
                              "Prometheus", "Alertmanager", "AlertmanagerConfig",
                              "ScrapeConfig", "ThanosRuler", "PrometheusAgent"],
    "postgresql.cnpg.io": ["Cluster", "Pooler", "ScheduledBackup", "Backup", "Database",
                           "ImageCatalog", "ClusterImageCatalog", "Publication",
                           "Subscription", "FailoverQuorum"],
    "snapshot.storage.k8s.io": ["VolumeSnapshot", "VolumeSnapshotClass",
                                "VolumeSnapshotContent"],
    "velero.io": ["Backup", "Schedule", "Restore", "BackupStorageLocation",
                  "VolumeSnapshotLocation"],
    "security.istio.io": ["PeerAuthentication", "AuthorizationPolicy", "RequestAuthentication"],
    "networking.istio.io": ["DestinationRule", "VirtualService", "Gateway", "ServiceEntry", "Sidecar"],
    "policy.linkerd.io": ["Server", "AuthorizationPolicy", "MeshTLSAuthentication",
                          "NetworkAuthentication", "ServerAuthorization", "HTTPRoute"],
    "gateway.nginx.org": ["SnippetsFilter", "ClientSettingsPolicy", "NginxProxy",
                          "ObservabilityPolicy", "UpstreamSettingsPolicy", "NginxGateway"],
}
_KNOWN_CRD_KIND_SPELLING = {
    (group, k.lower()): k for group, kinds in KNOWN_CRD_KINDS.items() for k in kinds
}

# Cluster-scoped kinds: they must not carry metadata.namespace (the API server
# ignores it, so it only hides a rendering mistake), and their identity for the
# duplicate check has no namespace.
CLUSTER_SCOPED = {
    ("", "Namespace"), ("", "Node"), ("", "PersistentVolume"), ("", "ComponentStatus"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("apiregistration.k8s.io", "APIService"),
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"),
    ("admissionregistration.k8s.io", "MutatingAdmissionPolicy"),
    ("admissionregistration.k8s.io", "MutatingAdmissionPolicyBinding"),
    ("storage.k8s.io", "StorageClass"), ("storage.k8s.io", "CSIDriver"),
    ("storage.k8s.io", "CSINode"), ("storage.k8s.io", "VolumeAttachment"),
    ("storage.k8s.io", "VolumeAttributesClass"),
    ("scheduling.k8s.io", "PriorityClass"), ("node.k8s.io", "RuntimeClass"),
    ("networking.k8s.io", "IngressClass"), ("networking.k8s.io", "IPAddress"),
    ("networking.k8s.io", "ServiceCIDR"),
    ("certificates.k8s.io", "CertificateSigningRequest"),
    ("certificates.k8s.io", "ClusterTrustBundle"),
    ("flowcontrol.apiserver.k8s.io", "FlowSchema"),
    ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
    ("resource.k8s.io", "DeviceClass"), ("resource.k8s.io", "ResourceSlice"),
    ("internal.apiserver.k8s.io", "StorageVersion"),
    ("storagemigration.k8s.io", "StorageVersionMigration"),
    ("cert-manager.io", "ClusterIssuer"),
    ("external-secrets.io", "ClusterSecretStore"),
    ("external-secrets.io", "ClusterExternalSecret"),
    ("gateway.networking.k8s.io", "GatewayClass"),
    ("snapshot.storage.k8s.io", "VolumeSnapshotClass"),
    ("snapshot.storage.k8s.io", "VolumeSnapshotContent"),
    ("postgresql.cnpg.io", "ClusterImageCatalog"),
}

# ------------------------------------------------------------ metadata checks

_DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


def _name_problem(group: str, kind: str, name: str) -> Optional[str]:
    if group == "rbac.authorization.k8s.io":
        if name in (".", "..") or "/" in name or "%" in name:
            return "invalid name %r: may not be '.' or '..' or contain '/' or '%%'" % name
        return None
    if group == "" and kind == "Service":
        if len(name) > 63 or not _DNS1035_LABEL.match(name):
            return ("invalid name %r: a Service name must be a DNS-1035 label (lower-case "
                    "letters, digits and '-', starting with a letter, at most 63 characters)"
                    % name)
        return None
    if group == "" and kind == "Namespace":
        if len(name) > 63 or not _DNS1123_LABEL.match(name):
            return ("invalid name %r: a Namespace name must be a DNS-1123 label (lower-case "
                    "letters, digits and '-', at most 63 characters)" % name)
        return None
    if len(name) > 253 or not _DNS1123_SUBDOMAIN.match(name):
        return ("invalid name %r: must be a DNS-1123 subdomain (lower-case letters, digits, "
                "'-' and '.', at most 253 characters)" % name)
    return None


def _qualified_key_problem(key: str) -> Optional[str]:
    if not isinstance(key, str) or not key:
        return "key must be a non-empty string"
    prefix, sep, name = key.rpartition("/")
    if sep:
        if not prefix or len(prefix) > 253 or not _DNS1123_SUBDOMAIN.match(prefix):
            return "prefix %r must be a DNS-1123 subdomain" % prefix
    if len(name) > 63 or not _QUALIFIED_NAME.match(name):
        return ("name part %r must be at most 63 characters of [A-Za-z0-9-_.], starting and "
                "ending with an alphanumeric character" % name)
    return None


def metadata_problems(group: str, kind: str, meta: dict) -> Iterator[Tuple[str, str]]:
    name = meta.get("name")
    if isinstance(name, str) and name:
        problem = _name_problem(group, kind, name)
        if problem:
            yield "metadata.name", problem
    ns = meta.get("namespace")
    if ns is not None and (group, kind) in CLUSTER_SCOPED:
        yield "metadata.namespace", "%s is cluster-scoped and must not set a namespace" % kind
    elif isinstance(ns, str) and (len(ns) > 63 or not _DNS1123_LABEL.match(ns)):
        yield "metadata.namespace", "invalid namespace %r: must be a DNS-1123 label" % ns
    labels = meta.get("labels")
    if isinstance(labels, dict):
        for k, v in labels.items():
            problem = _qualified_key_problem(k)
            if problem:
                yield "metadata.labels" + _fmt_key(k), "invalid label key: " + problem
            if isinstance(v, str) and (len(v) > 63 or not _LABEL_VALUE.match(v)):
                yield ("metadata.labels" + _fmt_key(k),
                       "invalid label value %r: at most 63 characters of [A-Za-z0-9-_.], "
                       "starting and ending with an alphanumeric character" % v)
    annotations = meta.get("annotations")
    if isinstance(annotations, dict):
        total = 0
        for k, v in annotations.items():
            problem = _qualified_key_problem(k)
            if problem:
                yield "metadata.annotations" + _fmt_key(k), "invalid annotation key: " + problem
            total += len(str(k)) + (len(v) if isinstance(v, str) else 0)
        if total > 256 * 1024:
            yield "metadata.annotations", "annotations total %d bytes, more than 256 KiB" % total


# -------------------------------------------------------------------- reporting

_IDENT = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$-]*$")


def _fmt_key(key: Any) -> str:
    if isinstance(key, int):
        return "[%d]" % key
    key = str(key)
    if _IDENT.match(key):
        return "." + key
    return "[%s]" % json.dumps(key)


def fmt_path(parts: Iterable[Any]) -> str:
    out = "".join(_fmt_key(p) for p in parts)
    if not out:
        return "(root)"
    return out[1:] if out.startswith(".") else out


def _short(text: str, limit: int = 400) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _schema_error_lines(error: jsonschema.ValidationError,
                        prefix: Tuple[Any, ...] = ()) -> Iterator[Tuple[str, str]]:
    """Turn one jsonschema error into (path, message) pairs, one per unknown field."""
    path = list(prefix) + list(error.absolute_path)
    if error.validator == "additionalProperties" and error.validator_value is False \
            and isinstance(error.instance, dict):
        known = set((error.schema.get("properties") or {}).keys())
        patterns = [re.compile(p) for p in (error.schema.get("patternProperties") or {})]
        extras = [k for k in error.instance
                  if k not in known and not any(p.search(str(k)) for p in patterns)]
        if extras:
            for k in extras:
                yield fmt_path(path + [k]), 'unknown field "%s"' % k
            return
    if error.validator == "required" and isinstance(error.instance, dict):
        # jsonschema yields one error per missing property; find which one this is.
        for r in error.validator_value or []:
            if r not in error.instance and error.message.startswith(repr(r) + " "):
                yield fmt_path(path + [r]), 'required field "%s" is missing' % r
                return
    message = error.message
    if error.validator in ("oneOf", "anyOf") and error.context and \
            all(e.validator == "type" and not e.relative_path for e in error.context):
        types: List[str] = []
        for e in error.context:
            for t in ([e.validator_value] if isinstance(e.validator_value, str)
                      else list(e.validator_value)):
                if t not in types:
                    types.append(t)
        message = "%r is not of type %s" % (error.instance, " or ".join(repr(t) for t in types))
    elif error.validator in ("oneOf", "anyOf") and error.context:
        deepest = best_match(error.context)
        if deepest is not None:
            message = "%s (closest: at %s: %s)" % (
                "value does not match any allowed form" if error.validator == "anyOf"
                else "value must match exactly one allowed form",
                fmt_path(path + list(deepest.relative_path)), deepest.message)
    yield fmt_path(path), _short(message)


def _yaml_error(exc: Exception) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None)
    if mark is not None and problem:
        context = getattr(exc, "context", None)
        return _short("YAML error at line %d, column %d: %s%s" % (
            mark.line + 1, mark.column + 1, problem, " (%s)" % context if context else ""), 600)
    return _short("YAML error: %s" % exc, 600)


class Report:
    def __init__(self) -> None:
        self.errors = 0
        self.objects = 0
        self.core = 0
        self.custom = 0

    def error(self, where: str, path: str, message: str) -> None:
        self.errors += 1
        sys.stdout.write("%s: at %s: %s\n" % (where, path, message))

    def file_error(self, where: str, message: str) -> None:
        self.errors += 1
        sys.stdout.write("%s: %s\n" % (where, message))


# ------------------------------------------------------------------------ main


def iter_files(arg: str) -> Tuple[List[str], Optional[str]]:
    if os.path.isfile(arg):
        return [arg], None
    if not os.path.isdir(arg):
        return [], "no such file or folder"
    found = []
    for root, dirs, files in os.walk(arg):
        dirs.sort()
        for name in sorted(files):
            if name.endswith((".yaml", ".yml")):
                found.append(os.path.join(root, name))
    if not found:
        return [], "no *.yaml or *.yml files found"
    return found, None


def split_api_version(api_version: str) -> Tuple[str, str]:
    if "/" in api_version:
        group, _, version = api_version.partition("/")
        return group, version
    return "", api_version


def object_label(doc: Any) -> str:
    if not isinstance(doc, dict):
        return "?"
    kind = doc.get("kind") if isinstance(doc.get("kind"), str) and doc.get("kind") else "?"
    meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    name = meta.get("name") if isinstance(meta.get("name"), str) and meta.get("name") else "?"
    ns = meta.get("namespace") if isinstance(meta.get("namespace"), str) else ""
    return "%s/%s/%s" % (kind, ns, name) if ns else "%s/%s" % (kind, name)


def validate_document(doc: Any, where: str, store: SchemaStore, report: Report,
                      crd_dirs: List[Path]) -> Optional[Tuple[str, str, str, str]]:
    """Validate one document; return its identity key when it has a usable one."""
    if not isinstance(doc, dict):
        report.error(where, "(root)", "document is not a mapping (got %s)" % type(doc).__name__)
        return None
    api_version = doc.get("apiVersion")
    kind = doc.get("kind")
    meta = doc.get("metadata")
    ok = True
    if not isinstance(api_version, str) or not api_version:
        report.error(where, "apiVersion", "apiVersion is missing or not a non-empty string")
        ok = False
    if not isinstance(kind, str) or not kind:
        report.error(where, "kind", "kind is missing or not a non-empty string")
        ok = False
    if not isinstance(meta, dict):
        report.error(where, "metadata", "metadata is missing or not a mapping")
    elif not isinstance(meta.get("name"), str) or not meta.get("name"):
        report.error(where, "metadata.name", "metadata.name is missing or empty")
    if not ok:
        return None

    group, version = split_api_version(api_version)
    validator = store.core(group, version, kind)
    if validator is not None:
        report.core += 1
        for err in validator.iter_errors(doc):
            for path, message in _schema_error_lines(err):
                report.error(where, path, message)
    else:
        found = store.crd(group, version, kind)
        if found is None:
            tried = ", ".join(str(d / group / ("%s_%s.json" % (kind.lower(), version)))
                              for d in crd_dirs) if group else "none (core API group)"
            report.error(where, "(root)",
                         "no schema for apiVersion %r kind %r: not a Kubernetes kind in %s and no "
                         "CRD schema (looked for: %s)" % (api_version, kind,
                                                          store.core_dir.name, tried))
            return None
        crd_validator, schema, path = found
        report.custom += 1
        expected_kind = _KNOWN_CRD_KIND_SPELLING.get((group, kind.lower()))
        if expected_kind is not None and kind != expected_kind:
            report.error(where, "kind", "kind must be %r (schema %s), got %r"
                         % (expected_kind, path, kind))
        elif expected_kind is None and not re.match(r"^[A-Z][A-Za-z0-9]*$", kind):
            report.error(where, "kind", "kind %r is not UpperCamelCase" % kind)
        expected_api = "%s/%s" % (path.parent.name, path.stem.rsplit("_", 1)[1])
        if api_version != expected_api:
            report.error(where, "apiVersion", "apiVersion must be %r, got %r"
                         % (expected_api, api_version))
        # Some catalog schemas (Istio's) list only spec and status; every object has
        # apiVersion, kind and metadata, which are checked above and below.
        known_top = (set((schema.get("properties") or {}).keys()) or {"spec", "status"}) | \
            {"apiVersion", "kind", "metadata"}
        if schema.get("additionalProperties") in (None, False) and \
                not schema.get("x-kubernetes-preserve-unknown-fields"):
            for key in doc:
                if key not in known_top:
                    report.error(where, fmt_path([key]), 'unknown field "%s"' % key)
        for err in crd_validator.iter_errors(doc):
            if err.validator == "additionalProperties" and not err.absolute_path:
                continue  # reported above
            for p, message in _schema_error_lines(err):
                report.error(where, p, message)
        meta_validator = store.objectmeta_validator()
        if meta_validator is not None and isinstance(meta, dict):
            for err in meta_validator.iter_errors(meta):
                for p, message in _schema_error_lines(err, ("metadata",)):
                    report.error(where, p, message)

    if isinstance(meta, dict):
        for p, message in metadata_problems(group, kind, meta):
            report.error(where, p, message)
        name = meta.get("name")
        if isinstance(name, str) and name:
            ns = meta.get("namespace") if isinstance(meta.get("namespace"), str) else ""
            if (group, kind) in CLUSTER_SCOPED:
                ns = ""
            return (group, kind, ns, name)
    return None


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description="Strictly validate rendered Kubernetes YAML against the Kubernetes "
                    "JSON schemas shipped in kubernetes-validate plus CRD schemas.")
    parser.add_argument("--k8s-version", default="1.31",
                        help="Kubernetes minor version, e.g. 1.31 (default 1.31); the "
                             "newest patch release shipped for it is used")
    parser.add_argument("--crd-schemas", action="append", default=[], metavar="DIR",
                        help="folder with <group>/<kind>_<version>.json CRD schemas "
                             "(may be given more than once)")
    parser.add_argument("--core-schemas", metavar="DIR",
                        help="use this folder of <kind>-<group>-<version>.json core schemas "
                             "instead of the kubernetes-validate ones")
    parser.add_argument("paths", nargs="+", metavar="PATH")
    args = parser.parse_args(argv)

    crd_dirs = []
    for d in args.crd_schemas:
        p = Path(d)
        if not p.is_dir():
            parser.error("--crd-schemas %s is not a folder" % d)
        crd_dirs.append(p)

    core_dir = find_core_schema_dir(args.k8s_version, args.core_schemas)
    store = SchemaStore(core_dir, crd_dirs)
    report = Report()

    for arg in args.paths:
        files, problem = iter_files(arg)
        if problem:
            report.file_error(arg, problem)
            continue
        seen: Dict[Tuple[str, str, str, str], Tuple[str, str]] = {}
        objects_before = report.objects
        for fname in files:
            try:
                with open(fname, "rb") as fh:
                    data = fh.read()
            except OSError as exc:
                report.file_error(fname, "cannot read: %s" % exc)
                continue
            docs = yaml.load_all(data, Loader=K8sLoader)
            index = 0
            while True:
                try:
                    doc = next(docs)
                except StopIteration:
                    break
                except yaml.YAMLError as exc:
                    report.file_error("%s: doc %d" % (fname, index + 1), _yaml_error(exc))
                    break
                index += 1
                if doc is None:
                    continue  # empty document, e.g. a trailing '---'
                report.objects += 1
                where = "%s: doc %d: %s" % (fname, index, object_label(doc))
                key = validate_document(doc, where, store, report, crd_dirs)
                if key is None:
                    continue
                if key in seen:
                    first_where, first_api = seen[key]
                    report.error(where, "(root)",
                                 "duplicate object (group %r, kind %s, namespace %r, name %r); "
                                 "first defined at %s (apiVersion %s)"
                                 % (key[0], key[1], key[2], key[3], first_where, first_api))
                else:
                    seen[key] = ("%s: doc %d" % (fname, index), doc.get("apiVersion"))
        if report.objects == objects_before:
            report.file_error(arg, "no Kubernetes objects found")

    sys.stdout.write("validate_k8s: %d objects, %d errors (%d core, %d custom)\n"
                     % (report.objects, report.errors, report.core, report.custom))
    return 0 if report.errors == 0 else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # e.g. piped into head
        sys.exit(1)
