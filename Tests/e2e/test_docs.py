"""berth docs: files, XML validity of the diagrams, drift detection with --check."""
import os
import pathlib
import shutil
import subprocess
import xml.etree.ElementTree as ET

ROOT = pathlib.Path(__file__).resolve().parents[2]
BERTH = os.environ.get("BERTH_BIN", str(ROOT / ".build" / "debug" / "berth"))
EXAMPLE = ROOT / "examples" / "acme" / "platform.yaml"
SVG_NS = "{http://www.w3.org/2000/svg}"


def berth(*args):
    return subprocess.run([BERTH, *map(str, args)], capture_output=True, text=True, timeout=120)


def test_docs_files_and_svg_xml(tmp_path):
    out = tmp_path / "docs"
    r = berth("docs", EXAMPLE, "--out", out)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "hosting-and-network.html", "hosting-and-network.md", "ip-plan.svg", "network-policy.svg", "topology.svg", "traffic.svg"]
    texts = {}
    for svg in out.glob("*.svg"):
        root = ET.parse(svg).getroot()  # raises on malformed XML
        assert root.tag == SVG_NS + "svg"
        assert float(root.get("width")) > 100 and float(root.get("height")) > 50
        texts[svg.name] = " ".join(t.text or "" for t in root.iter(SVG_NS + "text"))
    for cluster in ("prod-eu", "prod-us", "nonprod"):
        assert cluster in texts["topology.svg"]
    for service in ("web", "api", "payments", "search", "worker", "backoffice"):
        assert service in texts["traffic.svg"].split() and service in texts["network-policy.svg"].split()
    ET.fromstring(f"<wrap>{(out / 'hosting-and-network.html').read_text().split('<body>')[1].split('</body>')[0]}</wrap>")


def test_docs_check_detects_drift(tmp_path):
    out = tmp_path / "docs"
    assert berth("docs", EXAMPLE, "--out", out).returncode == 0
    r = berth("docs", EXAMPLE, "--out", out, "--check")
    assert r.returncode == 0, r.stderr
    spec = tmp_path / "platform.yaml"
    shutil.copy(EXAMPLE, spec)
    shutil.copy(EXAMPLE.parent / "versions.yaml", tmp_path / "versions.yaml")
    shutil.copy(EXAMPLE.parent / "ip-plan.lock", tmp_path / "ip-plan.lock")
    r = berth("docs", spec, "--out", out, "--check")
    assert r.returncode == 0, r.stderr  # a copy of the same spec (same file name) gives the same document
    spec.write_text(spec.read_text().replace("rps: 50", "rps: 60"))
    r = berth("docs", spec, "--out", out, "--check")
    assert r.returncode == 1
    assert "the document no longer matches the spec" in r.stderr and "hosting-and-network.md" in r.stderr
    (out / "topology.svg").unlink()
    r = berth("docs", EXAMPLE, "--out", out, "--check")
    assert r.returncode == 1 and "topology.svg (missing)" in r.stderr


def test_docs_bad_out(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    r = berth("docs", EXAMPLE, "--out", f)
    assert r.returncode == 2
    assert "is a file, not a folder" in r.stderr
