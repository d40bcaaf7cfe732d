"""The exit status table of README.md ("Exit status") against the binary: every row has
commands here that end with it, each with its one `berth: error: ...` line where there is one.
Codes 4 to 6 (`--server`) use a port nobody listens on and a small HTTP server of canned
answers; Tests/e2e/test_server_cli.py covers them against `berth serve` too.
"""
import http.server
import os
import pathlib
import re
import socket
import subprocess
import threading

import pytest

from test_server_cli import problem_handler

ROOT = pathlib.Path(__file__).resolve().parents[2]
BERTH = os.environ.get("BERTH_BIN", str(ROOT / ".build" / "debug" / "berth"))
EXAMPLE = ROOT / "examples" / "acme" / "platform.yaml"
BAD_SPEC = ROOT / "Tests" / "BerthCoreTests" / "Fixtures" / "malformed" / "alias-bomb.yaml"


def berth(*args, env=None, cwd=None):
    e = dict(os.environ)
    for k in ("BERTH_STORE", "BERTH_NOW", "BERTH_TOKEN", "SSL_CERT_FILE", "BERTH_TEST_DROP_OBJECT", "NO_COLOR"):
        e.pop(k, None)
    e.update(env or {})
    return subprocess.run([BERTH, *map(str, args)], capture_output=True, text=True, env=e, cwd=cwd, timeout=120)


def readme_codes():
    text = (ROOT / "README.md").read_text()
    section = text.split("### Exit status\n", 1)[1]
    codes = []
    for line in section.splitlines():
        m = re.match(r"^\| (\d+) \| ", line)
        if m:
            codes.append(int(m.group(1)))
        elif codes and not line.startswith("|"):
            break
    return codes


def _answer(headers):
    """401 for the token 'refused', else a 503 problem."""
    refused = headers.get("Authorization") == "Bearer refused"
    status = 401 if refused else 503
    return status, {"type": "about:blank", "title": "x", "status": status,
                    "detail": "unknown token" if refused else "the store cannot be read"}


Canned = problem_handler(_answer)


@pytest.fixture(scope="module")
def canned():
    httpd = http.server.HTTPServer(("127.0.0.1", 0), Canned)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def closed_port_url():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"


def cases(tmp, canned):
    """(exit status, what, argv, env, stderr expected: exact text, a line it holds, or None)."""
    store = tmp / "ledger.sqlite"
    docs = tmp / "docs"
    spec_link = tmp / "out-link"
    spec_link.symlink_to(tmp)
    down = closed_port_url()
    not_sqlite = tmp / "notes.txt"
    not_sqlite.write_text("not a database\n" * 100)
    return [
        (0, "check ok", ["check", EXAMPLE], {}, None),
        (0, "ledger pool add", ["ip", "pool", "add", "--name", "pods", "10.8.0.0/16", "--store", store], {}, ""),
        (1, "spec errors", ["check", BAD_SPEC], {}, None),
        (1, "ledger refuses (unknown pool)", ["ip", "allocate", "--pool", "nope", "--size", "24", "--store", store], {},
         "berth: error: unknown pool 'nope'; pools: pods\n"),
        (1, "ledger refuses a flag value, from validate()", ["ip", "allocate", "--pool", "pods", "--size", "129", "--store", store], {},
         None),
        (1, "ledger refuses a CIDR, from validate()", ["ip", "reserve", "--pool", "pods", "10.8.0.0/99", "--owner", "a", "--store", store],
         {}, None),
        (1, "ledger store not berth's", ["ip", "list", "--store", not_sqlite], {}, None),
        (1, "docs drift", ["docs", EXAMPLE, "--out", docs, "--check"], {}, None),
        (2, "unknown flag", ["check", EXAMPLE, "--no-such-flag"], {}, None),
        (2, "malformed BERTH_NOW", ["ip", "list", "--store", store], {"BERTH_NOW": "yesterday"},
         "berth: error: BERTH_NOW 'yesterday' is not an RFC 3339 time such as 2025-01-31T08:00:00Z\n"),
        (2, "diff of a missing path", ["diff", tmp / "nope", EXAMPLE], {},
         f"berth: error: cannot read '{tmp / 'nope'}': no such file or folder\n"),
        (2, "diff of a spec with errors", ["diff", BAD_SPEC, EXAMPLE], {}, None),
        (2, "render into a symlink, from validate()", ["render", EXAMPLE, "--out", spec_link], {}, None),
        (2, "unreadable lock", ["check", EXAMPLE, "--lock", tmp / "no.lock"], {},
         f"berth: error: {tmp / 'no.lock'}: no such lock file\n"),
        (3, "render references do not resolve", ["render", EXAMPLE, "--out", tmp / "out3"],
         {"BERTH_TEST_DROP_OBJECT": "argocd/AppProject/argocd/acme-addons"}, None),
        (4, "server unreachable", ["ip", "list", "--server", down], {"BERTH_TOKEN": "t"},
         f"berth: error: cannot connect to the server at {down}: connection refused\n"),
        (5, "server refuses the token", ["ip", "list", "--server", canned], {"BERTH_TOKEN": "refused"},
         f"berth: error: the server at {canned} refused the token (HTTP 401: unknown token)\n"),
        (6, "server failed", ["ip", "usage", "--server", canned], {"BERTH_TOKEN": "t"},
         f"berth: error: the server at {canned} failed (HTTP 503: the store cannot be read)\n"),
    ]


def test_every_row_of_the_readme_table_has_a_command(tmp_path, canned):
    codes = readme_codes()
    assert codes == [0, 1, 2, 3, 4, 5, 6]
    assert sorted({c[0] for c in cases(tmp_path, canned)}) == codes


def test_each_command_ends_with_its_documented_status(tmp_path, canned):
    failures = []
    for status, what, argv, env, stderr in cases(tmp_path, canned):
        r = berth(*argv, env=env, cwd=tmp_path)
        if r.returncode != status:
            failures.append(f"{what}: exit {r.returncode}, want {status}: {r.stderr[-400:]}")
            continue
        if stderr is not None and r.stderr != stderr:
            failures.append(f"{what}: stderr {r.stderr!r}, want {stderr!r}")
        if status in (1, 2) and r.stderr.startswith("berth: error: "):
            # one line per library error, no empty line after it
            assert not r.stderr.endswith("\n\n"), what
    assert not failures, "\n".join(failures)
    assert not (tmp_path / "out3").exists()


def test_flag_errors_found_by_validate_are_one_line(tmp_path):
    """A ledger flag refused in validate() prints its one line (no blank line after it) and exits 1."""
    r = berth("ip", "allocate", "--pool", "pods", "--size", "-1", "--store", tmp_path / "x.sqlite")
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr == ("berth: error: invalid --size '-1': a prefix length is not negative; "
                        "give 0 to 128 (32 at most for IPv4), e.g. --size 24\n")
    assert not (tmp_path / "x.sqlite").exists()
    r = berth("serve", "--listen", "nowhere", "--store", tmp_path / "x.sqlite")
    assert (r.returncode, r.stderr) == (1, "berth: error: --listen 'nowhere' is not HOST:PORT, e.g. 127.0.0.1:8080\n")
    r = berth("ip", "token", "create", "--name", "a", "--scope", "root", "--store", tmp_path / "x.sqlite")
    assert (r.returncode, r.stderr) == (1, "berth: error: --scope 'root' is not read, allocate or admin\n")
    assert not (tmp_path / "x.sqlite").exists()
