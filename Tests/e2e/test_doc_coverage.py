"""scripts/check_doc_coverage.py: the checker scripts/test.sh runs over BerthCore and BerthStore
finds every kind of public declaration without a `///` comment, and only those.
"""
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHECKER = ROOT / "scripts" / "check_doc_coverage.py"

UNDOCUMENTED = '''\
/// Documented.
public struct Box: Sendable {
    public var width: Int
    /// Documented.
    public var height: Int
    var hidden: Int

    @discardableResult
    public func grow() -> Int { width }

    public init(width: Int) { self.width = width; height = 0; hidden = 0 }
}

public enum Shape: String {
    case round
    /// Documented.
    case square = "sq"

    public static func < (a: Shape, b: Shape) -> Bool { a.rawValue < b.rawValue }
}

enum Internal {
    case quiet
}

let text = """
    public var insideAString = 1
    """
'''

DOCUMENTED = '''\
/// A box.
public struct Box: Sendable {
    /// Its width.
    public var width: Int

    /// Grows it.
    @discardableResult
    public func grow() -> Int { width }
}
'''


def run(folder):
    return subprocess.run([sys.executable, str(CHECKER), str(folder)], capture_output=True, text=True, timeout=60)


def test_lists_each_undocumented_public_declaration(tmp_path):
    (tmp_path / "Box.swift").write_text(UNDOCUMENTED)
    r = run(tmp_path)
    assert r.returncode == 1
    path = tmp_path / "Box.swift"
    assert r.stdout.splitlines() == [
        f"{path}:3: public var width: Int",
        f"{path}:9: public func grow() -> Int {{ width }}",
        f"{path}:11: public init(width: Int) {{ self.width = width; height = 0; hidden = 0 }}",
        f"{path}:14: public enum Shape: String {{",
        f"{path}:15: case round",
        f"{path}:19: public static func < (a: Shape, b: Shape) -> Bool {{ a.rawValue < b.rawValue }}",
        f"{tmp_path}: 6 undocumented public declarations",
    ]


def test_documented_module_passes(tmp_path):
    (tmp_path / "Box.swift").write_text(DOCUMENTED)
    r = run(tmp_path)
    assert r.returncode == 0, r.stdout
    assert r.stdout == f"{tmp_path}: 0 undocumented public declarations\n"


def test_the_libraries_are_documented():
    r = run(ROOT / "Sources" / "BerthStore")
    assert r.returncode == 0, r.stdout
    r = run(ROOT / "Sources" / "BerthCore")
    assert r.returncode == 0, r.stdout
