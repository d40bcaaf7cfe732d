#!/usr/bin/env python3
"""Lists Swift functions, initializers and computed properties longer than a limit.

    scripts/check_function_length.py [--max 80] DIR...

A body over the limit is allowed when the comment block right above its declaration has a line
`// Long: <why>` (a data table, a catalogue switch). Exits 1 when any other is found, printing
`file:line: name is N lines (limit M)`.

Bodies are found by counting braces outside string literals (single-line, multi-line and raw)
and comments, so a `{` inside a string or a comment does not count.
"""
import argparse
import os
import re
import sys

DECL = re.compile(
    r"^\s*(?:@[\w.]+(?:\([^)]*\))?\s+)*(?:(?:public|private|fileprivate|internal|package|open|static|class|final|"
    r"mutating|nonmutating|override|nonisolated|convenience|required|dynamic|lazy)\s+)*"
    r"(func\s+[^\s(<]+|init[?!]?|deinit|subscript|var\s+\w+(?=\s*:[^=]*\{\s*$))"
)


def code_mask(text):
    """The text with string literal contents and comments replaced by spaces (newlines kept)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == '"' or (c == "#" and re.match(r'#+"', text[i:])):
            hashes = len(re.match(r"#*", text[i:]).group(0))
            start = i
            i += hashes
            triple = text.startswith('"""', i)
            close = ('"""' if triple else '"') + "#" * hashes
            i += 3 if triple else 1
            while i < n:
                if hashes == 0 and text[i] == "\\":
                    if text.startswith("\\(", i):
                        # Interpolation: skip to the matching parenthesis.
                        depth, i = 1, i + 2
                        while i < n and depth:
                            depth += {"(": 1, ")": -1}.get(text[i], 0)
                            i += 1
                        continue
                    i += 2
                    continue
                if text.startswith(close, i):
                    i += len(close)
                    break
                if not triple and text[i] == "\n":
                    break
                i += 1
            out.append(re.sub(r"[^\n]", " ", text[start:i]))
        else:
            out.append(c)
            i += 1
    return "".join(out)


def long_bodies(path, limit):
    text = open(path, encoding="utf-8").read()
    lines = text.split("\n")
    masked = code_mask(text).split("\n")
    found = []
    for i, line in enumerate(masked):
        m = DECL.match(line)
        if not m:
            continue
        # The body opens on this line or a following one (a long signature), before any other declaration.
        depth = 0
        opened = None
        for k in range(i, len(masked)):
            for ch in masked[k]:
                if ch == "{":
                    depth += 1
                    if opened is None:
                        opened = k
                elif ch == "}":
                    depth -= 1
            if opened is not None and depth <= 0:
                break
            if opened is None and k > i and (DECL.match(masked[k]) or masked[k].strip() == ""):
                break
        if opened is None:
            continue
        length = k - i + 1
        if length <= limit:
            continue
        above = []
        j = i - 1
        while j >= 0 and (lines[j].strip().startswith("//") or lines[j].strip().startswith("@")):
            above.append(lines[j].strip())
            j -= 1
        if any(a.startswith("// Long:") for a in above):
            continue
        found.append((path, i + 1, m.group(1), length))
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--max", type=int, default=80)
    ap.add_argument("dirs", nargs="+")
    a = ap.parse_args()
    found = []
    for d in a.dirs:
        for root, _, files in os.walk(d):
            for f in sorted(files):
                if f.endswith(".swift"):
                    found += long_bodies(os.path.join(root, f), a.max)
    for path, line, name, length in sorted(found):
        print(f"{path}:{line}: {name} is {length} lines (limit {a.max})")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
