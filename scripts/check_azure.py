#!/usr/bin/env python3
"""Validates berth's Azure artifacts with the Azure SDK's own models.

    check_azure.py RENDERED_DIR

Each object is deserialised with the model class of the azure-mgmt-* package that the Azure
API itself uses, then checked three ways:

- the SDK serializer's client-side validation (each model's `_validation`: required fields,
  min/max, patterns, lengths, tested with `Serializer.validation`), and `Serializer.body`;
- a round trip (deserialise, serialise): a key the model does not know is dropped by the
  deserialiser, so every key of the input must come back with the same value;
- enum members: every field whose documentation lists its "Known values" must hold one of them.

Files:
- `buckets/**/<account>.storage-account.json`: `StorageAccountCreateParameters`,
  `BlobServiceProperties`, `ManagementPolicy` (azure-mgmt-storage), the storage account name
  (3-24 lower-case letters and digits), one management policy rule per container, each
  limited to its container by `prefixMatch`, and the containers' role assignments (Storage Blob
  Data Reader or Contributor, scoped to one container);
- `network/firewall/*.nsg.json`: `NetworkSecurityGroup` with its `SecurityRule`s
  (azure-mgmt-network);
- `network/cdn/*.front-door-waf.json`: `WebApplicationFirewallPolicy` (azure-mgmt-frontdoor).

Every problem is reported; exit 1 if any (or if nothing was checked), 0 otherwise.
"""
import json
import pathlib
import re
import sys

from azure.mgmt.frontdoor import models as frontdoor
from azure.mgmt.network import models as network
from azure.mgmt.storage import models as storage
from azure.mgmt.storage._serialization import Serializer

errors = []
checked = 0
KNOWN = re.compile(r':ivar (\w+):(.*?)(?=:ivar |:vartype |\Z)', re.S)


def known_values(cls):
    """Field name -> the "Known values" its docstring lists (the SDK keeps enums open as str)."""
    out = {}
    for klass in cls.__mro__:
        for name, text in KNOWN.findall(klass.__doc__ or ""):
            m = re.search(r'Known values are:(.*?)(?:\.\s|\.$|$)', " ".join(text.split()), re.S)
            if m:
                out.setdefault(name, set(re.findall(r'"([^"]+)"', m.group(1))))
    return out


def subclass(type_name, module):
    name = type_name.strip("[]{}")
    return getattr(module, name, None)


def enums(obj, module, path, where):
    """Walks a deserialised model and checks every string field against its known values."""
    if obj is None or not hasattr(obj, "_attribute_map"):
        return
    values = known_values(type(obj))
    for attr, spec in obj._attribute_map.items():
        v = getattr(obj, attr, None)
        if v is None:
            continue
        if isinstance(v, str) and attr in values and values[attr] and v not in values[attr]:
            errors.append(f"{where}: {path}.{spec['key']}: {v!r} is not one of {sorted(values[attr])}")
        elif isinstance(v, list):
            for i, x in enumerate(v):
                if isinstance(x, str) and attr in values and values[attr] and x not in values[attr]:
                    errors.append(f"{where}: {path}.{spec['key']}[{i}]: {x!r} is not one of {sorted(values[attr])}")
                else:
                    enums(x, module, f"{path}.{spec['key']}[{i}]", where)
        else:
            enums(v, module, f"{path}.{spec['key']}", where)


def leaves(v, path=""):
    if isinstance(v, dict):
        for k, x in v.items():
            yield from leaves(x, f"{path}.{k}" if path else k)
    elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
        for i, x in enumerate(v):
            yield from leaves(x, f"{path}[{i}]")
    else:
        yield path, v


def constraints(obj, path, where):
    """The serializer's client-side validation (`_validation`: required, lengths, ranges,
    patterns, checked with `Serializer.validation`), recursively."""
    if obj is None or not hasattr(obj, "_attribute_map"):
        return
    for attr, rules in getattr(obj, "_validation", {}).items():
        v = getattr(obj, attr, None)
        key = obj._attribute_map.get(attr, {}).get("key", attr)
        if v is None:
            if rules.get("required") and not rules.get("readonly"):
                errors.append(f"{where}: {path}.{key}: required")
            continue
        for rule, arg in rules.items():
            test = Serializer.validation.get(rule)
            if test is not None and test(v, arg):
                errors.append(f"{where}: {path}.{key}: {v!r} fails {rule} {arg!r}")
    for attr, spec in obj._attribute_map.items():
        v = getattr(obj, attr, None)
        for i, x in enumerate(v if isinstance(v, list) else [v]):
            constraints(x, f"{path}.{spec['key']}" + (f"[{i}]" if isinstance(v, list) else ""), where)


def check(cls, module, doc, where):
    """Deserialises `doc` as `cls` (the SDK's Deserializer, REST key format); reports the
    serializer's validation errors, dropped keys and unknown enum values."""
    global checked
    checked += 1
    if not isinstance(doc, dict):
        errors.append(f"{where}: {cls.__name__}: missing")
        return None
    try:
        obj = cls.deserialize(doc)
        back_doc = Serializer({k: v for k, v in vars(module).items() if isinstance(v, type)}).body(obj, cls.__name__, keep_readonly=True)
    except Exception as e:  # the SDK raises DeserializationError, SerializationError, ValidationError
        errors.append(f"{where}: {cls.__name__}: {e}")
        return None
    constraints(obj, cls.__name__, where)
    back = dict(leaves(back_doc))
    for path, value in leaves(doc):
        if path not in back:
            errors.append(f"{where}: {cls.__name__}: {path}: not a field of the model")
        elif back[path] != value:
            errors.append(f"{where}: {cls.__name__}: {path}: {value!r} comes back as {back[path]!r}")
    enums(obj, module, cls.__name__, where)
    return obj


def storage_account(f, where):
    doc = json.loads(f.read_text())
    account = doc.get("storageAccount", "")
    if not re.fullmatch(r"[a-z0-9]{3,24}", account):
        errors.append(f"{where}: storage account name {account!r}: 3-24 lower-case letters and digits")
    if f.name != f"{account}.storage-account.json":
        errors.append(f"{where}: file name does not match the storage account {account!r}")
    check(storage.StorageAccountCreateParameters, storage, doc.get("StorageAccountCreateParameters"), where)
    check(storage.BlobServiceProperties, storage, doc.get("BlobServiceProperties"), where)
    props = doc["StorageAccountCreateParameters"].get("properties", {})
    if props.get("supportsHttpsTrafficOnly") is not True or props.get("minimumTlsVersion") != "TLS1_2":
        errors.append(f"{where}: the account must accept HTTPS only with TLS 1.2")
    if props.get("allowSharedKeyAccess") is not False:
        errors.append(f"{where}: shared key access must be off (Entra ID only)")
    policy = check(storage.ManagementPolicy, storage, doc.get("ManagementPolicy"), where)
    containers = [c["name"] for c in doc.get("containers", [])]
    for c in doc.get("containers", []):
        if not re.fullmatch(r"[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]", c["name"]):
            errors.append(f"{where}: container name {c['name']!r}: 3-63 lower-case letters, digits and single hyphens")
        check(storage.BlobContainer, storage, c, where)
    rules = policy.policy.rules if policy is not None and policy.policy and policy.policy.rules else []
    covered = []
    for r in rules:
        prefixes = (r.definition.filters.prefix_match or []) if r.definition.filters else []
        if len(prefixes) != 1 or prefixes[0].rstrip("/") not in containers or not prefixes[0].endswith("/"):
            errors.append(f"{where}: management policy rule {r.name!r} is not limited to one container: prefixMatch {prefixes}")
        else:
            covered.append(prefixes[0].rstrip("/"))
    if len(covered) != len(set(covered)):
        errors.append(f"{where}: two management policy rules for one container: {covered}")
    for a in doc.get("roleAssignments", []):
        scope = a.get("scope", "")
        m = re.search(rf"/providers/Microsoft\.Storage/storageAccounts/{account}/blobServices/default/containers/([^/]+)$", scope)
        if not m or m.group(1) not in containers:
            errors.append(f"{where}: role assignment {a} is not scoped to one container of the account")
        if a.get("role") not in ("Storage Blob Data Reader", "Storage Blob Data Contributor"):
            errors.append(f"{where}: role assignment role {a.get('role')!r}: Storage Blob Data Reader or Contributor")


root = pathlib.Path(sys.argv[1])
for f in sorted(root.rglob("*.json")):
    where = str(f.relative_to(root))
    if f.name.endswith(".storage-account.json"):
        storage_account(f, where)
    elif f.name.endswith(".nsg.json"):
        doc = json.loads(f.read_text())
        nsg = check(network.NetworkSecurityGroup, network, doc, where)
        prios = [r.priority for r in (nsg.security_rules or [])] if nsg else []
        if len(prios) != len(set(prios)) or any(not 100 <= p <= 4096 for p in prios):
            errors.append(f"{where}: rule priorities must be unique and within 100-4096: {prios}")
        for r in (nsg.security_rules or []) if nsg else []:
            if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,78}[A-Za-z0-9_]", r.name or ""):
                errors.append(f"{where}: security rule name {r.name!r}")
    elif f.name.endswith(".front-door-waf.json"):
        doc = json.loads(f.read_text())
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]{0,127}", doc.get("name", "")):
            errors.append(f"{where}: WAF policy name {doc.get('name')!r}: a letter, then letters and digits")
        waf = check(frontdoor.WebApplicationFirewallPolicy, frontdoor, doc.get("policy"), where)
        for r in (waf.custom_rules.rules or []) if waf and waf.custom_rules else []:
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]{0,127}", r.name or ""):
                errors.append(f"{where}: custom rule name {r.name!r}: a letter, then letters and digits")

for e in errors:
    print(e)
if checked == 0:
    print(f"check_azure: no Azure artifact under {root}")
    sys.exit(1)
print(f"check_azure: {checked} objects checked, {len(errors)} problems")
sys.exit(1 if errors else 0)
