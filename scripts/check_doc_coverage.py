#!/usr/bin/env python3
"""Lists the public declarations of a module's Swift sources that have no `///` doc comment.

    python3 scripts/check_doc_coverage.py Sources/BerthCore [Sources/BerthStore ...]

A declaration is public when it is written `public` or `open`, or when it is an enum case of a
public enum or a requirement of a public protocol. It is documented when the line above it
(past any attribute lines such as `@discardableResult`) is a `///` comment. Prints one
`path:line: declaration` per undocumented declaration and a count per module; exits 1 when
any is undocumented.
"""

import os
import re
import sys

MODIFIERS = (
    r"(?:public|open|internal|private|fileprivate|package|static|class|final|override|mutating|nonmutating|"
    r"nonisolated|indirect|lazy|weak|unowned|convenience|required|dynamic|optional|consuming|borrowing|"
    r"(?:private|fileprivate|internal|package|public)\(set\))"
)
DECL = re.compile(
    r"^(?P<attrs>(?:@\w+(?:\([^)]*\))?\s+)*)(?P<mods>(?:" + MODIFIERS + r"\s+)*)"
    r"(?P<kind>var|let|func|init\??|init!|subscript|struct|enum|class|actor|protocol|typealias|case|associatedtype|"
    r"extension|macro)\b"
)
ATTRIBUTE_LINE = re.compile(r"^@\w+(?:\([^)]*\))?\s*$")


def strip_code(line, state):
    """The line without string literals and comments (for brace counting); state tracks `\"\"\"` blocks."""
    out = []
    i = 0
    n = len(line)
    while i < n:
        if state["multiline"]:
            end = line.find('"""', i)
            if end < 0:
                return "".join(out)
            state["multiline"] = False
            i = end + 3
            continue
        if line.startswith('"""', i):
            state["multiline"] = True
            i += 3
            continue
        c = line[i]
        if line.startswith("//", i):
            break
        if c == '"':
            i += 1
            while i < n and line[i] != '"':
                i += 2 if line[i] == "\\" else 1
            i += 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def undocumented(path):
    """(line number, text) of each undocumented public declaration in one Swift file."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    found = []
    state = {"multiline": False}
    depth = 0
    # Scopes whose members are public without the keyword: (brace depth of the body, kind).
    scopes = []
    pending = None  # kind of a public enum/protocol whose `{` has not been seen yet
    for index, raw in enumerate(lines):
        in_string = state["multiline"]
        code = strip_code(raw, state)
        stripped = raw.strip()
        if not in_string:
            m = DECL.match(stripped)
            if m:
                mods = m.group("mods").split()
                kind = m.group("kind")
                explicit = "public" in mods or "open" in mods
                implicit = False
                if scopes and scopes[-1][0] == depth:
                    scope_kind = scopes[-1][1]
                    if scope_kind == "enum" and kind == "case":
                        implicit = True
                    if scope_kind == "protocol" and kind in ("var", "func", "init", "init?", "subscript", "associatedtype"):
                        implicit = True
                if (explicit or implicit) and kind != "extension" and not is_documented(lines, index):
                    found.append((index + 1, stripped))
                if explicit and kind in ("enum", "protocol"):
                    pending = kind
        for c in code:
            if c == "{":
                depth += 1
                if pending:
                    scopes.append((depth, pending))
                    pending = None
            elif c == "}":
                if scopes and scopes[-1][0] == depth:
                    scopes.pop()
                depth -= 1
    return found


def is_documented(lines, index):
    i = index - 1
    while i >= 0 and ATTRIBUTE_LINE.match(lines[i].strip()):
        i -= 1
    return i >= 0 and lines[i].strip().startswith("///")


def swift_files(root):
    """The Swift files under a folder, in a stable order (or the one file named)."""
    if os.path.isfile(root):
        return [root]
    paths = []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        paths += [os.path.join(folder, name) for name in sorted(files) if name.endswith(".swift")]
    return paths


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    total = 0
    for root in argv[1:]:
        count = 0
        for path in swift_files(root):
            for line, text in undocumented(path):
                print(f"{path}:{line}: {text}")
                count += 1
        print(f"{root}: {count} undocumented public declarations")
        total += count
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
