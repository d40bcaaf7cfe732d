"""`berth check` refuses an rfc2136 or pdns DNS provider without `network.dns.server` when
external-dns has records to write (a public service), at the provider's file:line:col; the
on-premises example names its server, and external-dns gets it.

Run by scripts/test.sh with BERTH_BIN pointing at the built executable.
"""
import os
import pathlib
import shutil
import subprocess

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
BERTH = os.environ.get("BERTH_BIN", str(ROOT / ".build" / "debug" / "berth"))
LINE = '  dns: { zones: [lab.example], provider: rfc2136, server: "ns1.lab.example:53" }\n'


def berth(*args):
    return subprocess.run([BERTH, *map(str, args)], capture_output=True, text=True, timeout=300)


def variant(tmp_path, new_line):
    d = tmp_path / "spec"
    shutil.copytree(ROOT / "examples/onprem", d)
    spec = d / "platform.yaml"
    text = spec.read_text()
    assert LINE in text
    spec.write_text(text.replace(LINE, new_line, 1))
    return spec


@pytest.mark.parametrize("line,col,what", [
    ("  dns: { zones: [lab.example], provider: rfc2136 }\n", 42,
     "rfc2136 DNS provider, which needs network.dns.server: set it to the name server (host:port) that accepts TSIG-signed updates for lab.example"),
    ("  dns: { zones: [lab.example], provider: pdns }\n", 42,
     "pdns DNS provider, which needs network.dns.server: set it to the PowerDNS API (http://host:port) serving lab.example"),
])
def test_dns_server_missing_is_refused_at_the_provider(tmp_path, line, col, what):
    spec = variant(tmp_path, line)
    r = berth("check", spec)
    assert r.returncode == 1
    assert f"{spec}:17:{col}: error: external-dns writes the public routes' records through the {what}" in r.stdout + r.stderr, r.stdout + r.stderr
    r = berth("render", spec, "--out", tmp_path / "out")
    assert r.returncode != 0 and not (tmp_path / "out").exists()


def test_onprem_example_passes_and_external_dns_gets_the_server(tmp_path):
    r = berth("check", ROOT / "examples/onprem/platform.yaml")
    assert r.returncode == 0, r.stdout + r.stderr
    out = tmp_path / "out"
    assert berth("render", ROOT / "examples/onprem/platform.yaml", "--out", out).returncode == 0
    with open(out / "addons/lab/external-dns.yaml", encoding="utf-8") as f:
        values = yaml.safe_load(f)["spec"]["source"]["helm"]["valuesObject"]
    assert values["provider"] == {"name": "rfc2136"}
    assert "--rfc2136-host=ns1.lab.example" in values["extraArgs"] and "--rfc2136-port=53" in values["extraArgs"]


def test_pdns_server_reaches_external_dns(tmp_path):
    spec = variant(tmp_path, '  dns: { zones: [lab.example], provider: pdns, server: "http://pdns.lab.example:8081" }\n')
    out = tmp_path / "out"
    r = berth("render", spec, "--out", out)
    assert r.returncode == 0, r.stderr
    with open(out / "addons/lab/external-dns.yaml", encoding="utf-8") as f:
        values = yaml.safe_load(f)["spec"]["source"]["helm"]["valuesObject"]
    assert values["extraArgs"] == ["--pdns-server=http://pdns.lab.example:8081"]
    assert values["env"] == [{"name": "EXTERNAL_DNS_PDNS_API_KEY", "valueFrom": {"secretKeyRef": {"name": "pdns-api-key", "key": "api-key"}}}]


def test_no_public_service_no_dns_server_needed(tmp_path):
    spec = variant(tmp_path, "  dns: { zones: [lab.example], provider: rfc2136 }\n")
    text = spec.read_text()
    assert "    public: { host: wiki }\n" in text
    spec.write_text(text.replace("    public: { host: wiki }\n", "", 1))
    r = berth("check", spec)
    assert "network.dns.server" not in r.stdout + r.stderr
