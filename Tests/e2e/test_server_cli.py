"""`berth ip ... --server URL`: the ledger commands through the team server print exactly what
they print with `--store` (stdout, stderr and exit status, byte for byte, errors included), over
HTTP and over HTTPS (`berth serve --tls-cert/--tls-key`); failures to talk to the server are one
line with the exit status README documents (4 unreachable, 5 token refused, 6 server failed); the
token never shows in output or in the server's log.
"""
import http.server
import json
import os
import pathlib
import signal
import socket
import subprocess
import threading
import time

import uuid

import pytest

from test_ledger import PG_URL, psql

ROOT = pathlib.Path(__file__).resolve().parents[2]
BERTH = os.environ.get("BERTH_BIN", str(ROOT / ".build" / "debug" / "berth"))
T0 = "2025-01-01T00:00:00Z"


def run(args, env_extra=None, now=T0):
    env = dict(os.environ)
    for k in ("BERTH_STORE", "BERTH_NOW", "BERTH_TOKEN", "SSL_CERT_FILE"):
        env.pop(k, None)
    if now:
        env["BERTH_NOW"] = now
    env.update(env_extra or {})
    return subprocess.run([BERTH, *map(str, args)], capture_output=True, text=True, env=env, timeout=120)


def make_token(store, name, scope):
    r = run(["ip", "token", "create", "--name", name, "--scope", scope, "--store", store])
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


class Serve:
    """`berth serve` on a free port with a fixed clock; `extra` adds flags (TLS)."""

    def __init__(self, store, log, extra=(), now=T0):
        self.log = pathlib.Path(log)
        env = dict(os.environ)
        env.pop("BERTH_STORE", None)
        env["BERTH_NOW"] = now
        self.proc = subprocess.Popen([BERTH, "serve", "--store", store, "--listen", "127.0.0.1:0", *extra],
                                     stdout=subprocess.DEVNULL, stderr=open(log, "w"), env=env)
        self.port, self.scheme = None, None
        deadline = time.time() + 60
        while time.time() < deadline and self.port is None:
            assert self.proc.poll() is None, self.log.read_text()
            for line in self.log.read_text().splitlines():
                entry = json.loads(line)
                if entry.get("message") == "listening":
                    self.port = int(entry["address"].rsplit(":", 1)[1])
                    self.scheme = entry["scheme"]
            time.sleep(0.05)
        assert self.port, self.log.read_text()

    def url(self, scheme=None, host="127.0.0.1"):
        return f"{scheme or self.scheme}://{host}:{self.port}"

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)


def self_signed(tmp_path):
    """A self-signed certificate for 127.0.0.1 and localhost, made with openssl."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                        "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return cert, key


# Every ledger command that works through the server, with the error cases the comparison must
# cover: unknown pool, conflicting request id, exhausted pool, bad CIDR, overlap, not free,
# not allocated, an address in no pool.
WORKFLOW = [
    ["pool", "add", "--name", "pods", "10.8.0.0/16", "--quarantine", "1h"],
    ["pool", "add", "--name", "v6", "2001:db8::/48"],
    ["pool", "add", "--name", "tiny", "192.168.9.0/30"],
    ["pool", "add", "--name", "clash", "10.8.0.0/20"],
    ["pool", "add", "--name", "v4again", "172.16.0.0/16", "--family-check"],
    ["pool", "add", "--name", "bad", "10.0.0.0/8x"],
    ["pool", "list"],
    ["pool", "list", "--format", "json"],
    ["allocate", "--pool", "pods", "--size", "24", "--owner", "team-a"],
    ["allocate", "--pool", "pods", "--size", "26", "--owner", "b", "--request-id", "r1", "--lease", "30m", "--format", "json"],
    ["allocate", "--pool", "pods", "--size", "26", "--owner", "b", "--request-id", "r1", "--lease", "30m"],
    ["allocate", "--pool", "pods", "--size", "25", "--owner", "b", "--request-id", "r1"],
    ["allocate", "--pool", "nope", "--size", "24"],
    ["allocate", "--pool", "pods", "--size", "33"],
    ["allocate", "--pool", "pods", "--size", "8"],
    ["allocate", "--pool", "pods", "--address", "10.8.7.9"],
    ["allocate", "--pool", "pods", "--address", "10.8.7.9"],
    ["allocate", "--pool", "pods", "--address", "10.8.300.0/24"],
    ["allocate", "--pool", "pods", "--address", "10.8.64.0/20", "--owner", "exact", "--note", "a note", "--format", "json"],
    ["allocate", "--pool", "tiny", "--size", "31", "--owner", "t1"],
    ["allocate", "--pool", "tiny", "--size", "31", "--owner", "t2"],
    ["allocate", "--pool", "tiny", "--size", "31", "--owner", "t3"],
    ["allocate", "--pool", "v6", "--size", "64", "--format", "json"],
    ["reserve", "--pool", "pods", "10.8.255.0/24", "--owner", "infra", "--note", "gateways", "--format", "json"],
    ["reserve", "--pool", "pods", "10.8.255.0/25", "--owner", "x"],
    ["reserve", "--pool", "pods", "10.8.0.0/33", "--owner", "x"],
    ["reserve", "--pool", "nope", "10.8.0.0/24", "--owner", "x"],
    ["show", "10.8.1.5"],
    ["show", "10.8.1.5", "--format", "json"],
    ["show", "10.8.200.1"],
    ["show", "10.9.0.1"],
    ["show", "10.9.0.300"],
    ["list"],
    ["list", "--format", "json"],
    ["list", "--pool", "tiny"],
    ["list", "--pool", "nope"],
    ["release", "10.8.0.0/24", "--quarantine", "0"],
    ["release", "10.8.0.0/24"],
    ["release", "10.8.7.9/32", "--pool", "pods", "--format", "json"],
    ["release", "10.9.0.0/24"],
    ["release", "192.168.9.0/31", "--pool", "pods"],
    ["list", "--all"],
    ["history", "10.8.0.1"],
    ["history", "10.8.7.9", "--format", "json"],
    ["history", "10.8.77.1"],
    ["history", "10.9.0.1"],
    ["usage"],
    ["usage", "--pool", "pods", "--format", "json"],
    ["usage", "--pool", "v6"],
    ["usage", "--pool", "nope"],
    # Names that a URL path would change (separators, dot segments, escapes, spaces, query and
    # fragment marks, non-ASCII): the server must see the name as typed and answer as the store does.
    ["pool", "add", "--name", "Bad/Name", "10.50.0.0/16"],
    ["allocate", "--pool", "a/b", "--size", "24"],
    ["allocate", "--pool", "..", "--size", "24"],
    ["reserve", "--pool", "%2e%2e", "10.8.0.0/24", "--owner", "x"],
    ["list", "--pool", "a b?c#d"],
    ["usage", "--pool", "../pods"],
    ["usage", "--pool", "pöds"],
    ["release", "10.8.64.0/20", "--pool", "pods/../pods"],
]


def run_workflow(where):
    """(command, exit status, stdout, stderr) of every WORKFLOW step with `where` (--store or --server flags)."""
    out = []
    for step in WORKFLOW:
        args, env = where
        r = run(["ip", *step, *args], env)
        out.append((" ".join(step), r.returncode, r.stdout, r.stderr))
    return out


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.skipif(not PG_URL, reason="BERTH_TEST_PG_URL not set"))])
def two_stores(request, tmp_path):
    """Two fresh stores of one kind: the one --store writes, and the one the server serves."""
    if request.param == "sqlite":
        yield str(tmp_path / "direct.sqlite"), str(tmp_path / "served.sqlite")
        return
    names = ["t_" + uuid.uuid4().hex[:12] for _ in range(2)]
    for name in names:
        psql(PG_URL, f"CREATE DATABASE {name}")
    yield tuple(PG_URL.rsplit("/", 1)[0] + "/" + name for name in names)
    for name in names:
        psql(PG_URL, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_server_flag_prints_what_store_prints(tmp_path, two_stores, tls):
    direct, served = two_stores
    admin = make_token(served, "netops", "admin")
    extra, client = (), []
    if tls:
        cert, key = self_signed(tmp_path)
        extra = ("--tls-cert", cert, "--tls-key", key)
        client = ["--ca-file", cert]
    server = Serve(served, tmp_path / "server.log", extra)
    try:
        assert server.scheme == ("https" if tls else "http")
        expected = run_workflow((["--store", direct], {}))
        got = run_workflow((["--server", server.url(), *client], {"BERTH_TOKEN": admin}))
    finally:
        server.stop()
    for e, g in zip(expected, got):
        assert g == e
    # The comparison covered successes and each kind of refusal.
    codes = [e[1] for e in expected]
    assert codes.count(0) > 25 and codes.count(1) > 15
    stderr = "".join(e[3] for e in expected)
    for message in ("berth: error: unknown pool 'nope'", "berth: error: request id 'r1' was already used with different parameters",
                    "berth: error: no free /31 in 192.168.9.0/30", "berth: error: malformed address '10.8.300.0/24'",
                    "berth: error: prefix length '8x' in '10.0.0.0/8x'", "overlaps pool 'pods'", "is not free",
                    "berth: error: 10.9.0.1/32 is not in any pool", "is not allocated in pool 'pods'", "family check: "):
        assert message in stderr, message
    # The history records the token's name as the actor, and the log never holds the token.
    log = (tmp_path / "server.log").read_text()
    assert admin not in log
    assert any(json.loads(line).get("path") == "/api/v1/releases" for line in log.splitlines())


def test_token_file_and_ca_from_ssl_cert_file(tmp_path):
    store = str(tmp_path / "s.sqlite")
    admin = make_token(store, "netops", "admin")
    cert, key = self_signed(tmp_path)
    server = Serve(store, tmp_path / "server.log", ("--tls-cert", cert, "--tls-key", key))
    try:
        tf = tmp_path / "token"
        tf.write_text(admin + "\n")
        r = run(["ip", "pool", "add", "--name", "pods", "10.8.0.0/16", "--server", server.url(), "--token-file", tf, "--ca-file", cert])
        assert (r.returncode, r.stdout, r.stderr) == (0, "pods 10.8.0.0/16\n", "")
        # SSL_CERT_FILE is the CA file when --ca-file is not given; a host name is checked against the certificate.
        r = run(["ip", "list", "--server", server.url(host="localhost")], {"BERTH_TOKEN": admin, "SSL_CERT_FILE": str(cert)})
        assert (r.returncode, r.stdout, r.stderr) == (0, "POOL  CIDR  STATE  OWNER  SINCE  EXPIRES  REQUEST  NOTE\n", "")
        # --token-file wins over BERTH_TOKEN.
        r = run(["ip", "list", "--server", server.url(), "--token-file", tf, "--ca-file", cert], {"BERTH_TOKEN": "berth_wrong"})
        assert r.returncode == 0, r.stderr

        # Without the CA: the certificate is not trusted.
        r = run(["ip", "list", "--server", server.url()], {"BERTH_TOKEN": admin})
        assert (r.returncode, r.stdout) == (4, "")
        assert r.stderr == (f"berth: error: TLS: the server certificate of {server.url()} is not trusted "
                            "(give its CA with --ca-file)\n")
        # Plain HTTP to the TLS port fails cleanly, in one line.
        r = run(["ip", "list", "--server", server.url("http")], {"BERTH_TOKEN": admin})
        assert (r.returncode, r.stdout) == (4, "")
        assert r.stderr in (f"berth: error: the server at {server.url('http')} closed the connection without an answer (is it an https:// server?)\n",
                            f"berth: error: the server at {server.url('http')} did not answer in HTTP (is it an https:// server?)\n")
        # The server goes on serving after that.
        r = run(["ip", "list", "--server", server.url(), "--ca-file", cert], {"BERTH_TOKEN": admin})
        assert r.returncode == 0, r.stderr
    finally:
        server.stop()
    assert admin not in (tmp_path / "server.log").read_text()


def test_https_client_against_plain_http_server(tmp_path):
    store = str(tmp_path / "s.sqlite")
    admin = make_token(store, "netops", "admin")
    cert, _ = self_signed(tmp_path)
    server = Serve(store, tmp_path / "server.log")
    try:
        r = run(["ip", "list", "--server", server.url("https"), "--ca-file", cert], {"BERTH_TOKEN": admin})
        assert (r.returncode, r.stdout) == (4, "")
        assert r.stderr.startswith(f"berth: error: TLS handshake with {server.url('https')} failed") and r.stderr.count("\n") == 1
    finally:
        server.stop()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def problem_handler(answer):
    """A request handler answering every GET and POST with the problem `answer(headers)` gives,
    as `(status, problem dict)`: a server in trouble, for the client's error paths."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            status, problem = answer(self.headers)
            body = json.dumps(problem).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/problem+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET

        def log_message(self, *args):
            pass

    return Handler


# Answers every request with a 503 problem (a server in trouble).
Canned = problem_handler(lambda _headers: (503, {"type": "urn:berth:problem:store-unavailable", "title": "Store unavailable",
                                                 "status": 503, "detail": "the store cannot be read"}))


def test_http_failures_are_one_line_with_documented_exit_codes(tmp_path):
    store = str(tmp_path / "s.sqlite")
    admin = make_token(store, "netops", "admin")
    reader = make_token(store, "viewer", "read")
    server = Serve(store, tmp_path / "server.log")
    secret = "berth_" + "5" * 64
    try:
        url = server.url()
        r = run(["ip", "pool", "add", "--name", "pods", "10.8.0.0/16", "--server", url], {"BERTH_TOKEN": admin})
        assert r.returncode == 0, r.stderr
        cases = []
        # 401: unknown token.
        r = run(["ip", "list", "--server", url], {"BERTH_TOKEN": secret})
        cases.append(r)
        assert (r.returncode, r.stdout, r.stderr) == (5, "", f"berth: error: the server at {url} refused the token (HTTP 401: unknown token)\n")
        # 403: a read token may not allocate; nothing changes.
        r = run(["ip", "allocate", "--pool", "pods", "--size", "24", "--server", url], {"BERTH_TOKEN": reader})
        cases.append(r)
        assert (r.returncode, r.stdout) == (5, "")
        assert r.stderr == (f"berth: error: the token may not do this on the server at {url} "
                            "(HTTP 403: token 'viewer' has scope 'read'; this needs 'allocate')\n")
        assert run(["ip", "list", "--server", url], {"BERTH_TOKEN": reader}).stdout.count("\n") == 1
    finally:
        server.stop()
    # Connection refused: the server is gone.
    r = run(["ip", "list", "--server", url], {"BERTH_TOKEN": secret})
    cases.append(r)
    assert (r.returncode, r.stdout, r.stderr) == (4, "", f"berth: error: cannot connect to the server at {url}: connection refused\n")

    # Timeout: a port that accepts connections but never answers.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    quiet = f"http://127.0.0.1:{silent.getsockname()[1]}"
    t0 = time.time()
    r = run(["ip", "list", "--server", quiet, "--timeout", "1"], {"BERTH_TOKEN": secret})
    silent.close()
    cases.append(r)
    assert time.time() - t0 < 30
    assert (r.returncode, r.stdout, r.stderr) == (4, "", f"berth: error: the server at {quiet} did not answer within 1s\n")

    # 5xx: the server's problem detail, exit 6.
    httpd = http.server.HTTPServer(("127.0.0.1", 0), Canned)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    sick = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        r = run(["ip", "usage", "--server", sick], {"BERTH_TOKEN": secret})
        cases.append(r)
        assert (r.returncode, r.stdout, r.stderr) == (6, "", f"berth: error: the server at {sick} failed (HTTP 503: the store cannot be read)\n")
        r = run(["ip", "release", "10.0.0.0/24", "--server", sick + "/"], {"BERTH_TOKEN": secret})
        cases.append(r)
        assert r.returncode == 6
    finally:
        httpd.shutdown()
    for r in cases:
        assert secret not in r.stdout + r.stderr and secret[6:] not in r.stderr
        assert r.stderr.count("\n") == 1
    assert admin not in (tmp_path / "server.log").read_text()


@pytest.mark.parametrize("args, env, message", [
    (["--store", "x.sqlite", "--server", "http://127.0.0.1:1"], {"BERTH_TOKEN": "t"}, "give either --store or --server, not both"),
    (["--server", "http://127.0.0.1:1"], {}, "--server needs a token: set BERTH_TOKEN or give --token-file PATH"),
    (["--server", "http://127.0.0.1:1", "--token-file", "/nonexistent/token"], {}, "cannot read --token-file '/nonexistent/token'"),
    (["--server", "ftp://127.0.0.1:1"], {"BERTH_TOKEN": "t"}, "--server 'ftp://127.0.0.1:1' is not an http:// or https:// URL"),
    (["--server", "http://u:pw@127.0.0.1:1"], {"BERTH_TOKEN": "t"}, "--server must not hold credentials"),
    (["--token-file", "/etc/hostname"], {}, "--token-file needs --server"),
    (["--server", "https://127.0.0.1:1", "--ca-file", "/nonexistent/ca.pem"], {"BERTH_TOKEN": "t"}, "cannot read --ca-file '/nonexistent/ca.pem'"),
    (["--server", "https://127.0.0.1:1", "--ca-file", "/etc/hostname"], {"BERTH_TOKEN": "t"}, "--ca-file '/etc/hostname' holds no PEM certificate"),
    (["--server", "http://127.0.0.1:1", "--timeout", "0"], {"BERTH_TOKEN": "t"}, "--timeout must be 1 to 3600 seconds"),
])
def test_flag_errors_are_usage_errors(tmp_path, args, env, message):
    r = run(["ip", "list", *args], env)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith("Error: " + message), r.stderr


def test_empty_token_file(tmp_path):
    tf = tmp_path / "token"
    tf.write_text("\n")
    r = run(["ip", "list", "--server", "http://127.0.0.1:1", "--token-file", tf])
    assert r.returncode == 2 and r.stderr.startswith(f"Error: --token-file '{tf}' is empty")


# ------------------------------------------------------------------------------------ serve --tls

@pytest.mark.parametrize("flags, message", [
    (["--tls-cert", "c.pem"], "--tls-cert needs --tls-key (give both to serve HTTPS, or neither)"),
    (["--tls-key", "k.pem"], "--tls-key needs --tls-cert (give both to serve HTTPS, or neither)"),
])
def test_serve_tls_flags_come_in_pairs(tmp_path, flags, message):
    r = run(["serve", "--store", tmp_path / "s.sqlite", "--listen", "127.0.0.1:0", *flags])
    assert r.returncode == 2 and r.stderr.startswith("Error: " + message), r.stderr


def test_serve_tls_bad_files_stop_before_listening(tmp_path):
    store = str(tmp_path / "s.sqlite")
    make_token(store, "netops", "admin")
    cert, key = self_signed(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    _, other_key = self_signed(other)
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate\n")
    for flags, message in [
        (["--tls-cert", tmp_path / "missing.pem", "--tls-key", key], f"cannot read the TLS certificate file '{tmp_path / 'missing.pem'}'"),
        (["--tls-cert", cert, "--tls-key", tmp_path / "missing.pem"], f"cannot read the TLS key file '{tmp_path / 'missing.pem'}'"),
        (["--tls-cert", garbage, "--tls-key", key], f"'{garbage}' is not a PEM certificate file"),
        (["--tls-cert", cert, "--tls-key", garbage], f"'{garbage}' is not a PEM private key file (an unencrypted key is needed)"),
        (["--tls-cert", cert, "--tls-key", other_key], f"the TLS key '{other_key}' does not match the certificate '{cert}'"),
    ]:
        r = run(["serve", "--store", store, "--listen", "127.0.0.1:0", *flags])
        assert (r.returncode, r.stderr) == (1, f"berth: error: {message}\n"), flags
