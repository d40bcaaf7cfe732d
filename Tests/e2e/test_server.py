"""The team server (`berth serve`) end to end, on SQLite and (when BERTH_TEST_PG_URL names a
server) PostgreSQL: the workflow over HTTP, 16 concurrent clients on one pool and on four pools
without overlaps or duplicates, kill -9 during allocation loops, and authentication (401/403 change nothing;
tokens are stored only as SHA-256 hashes).
"""
import hashlib
import http.client
import ipaddress
import json
import re
import os
import pathlib
import signal
import sqlite3
import subprocess
import threading
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BERTH = os.environ.get("BERTH_BIN", str(ROOT / ".build" / "debug" / "berth"))
# The stores (a SQLite file, or a fresh PostgreSQL database) are the ledger tests' own.
from test_ledger import BACKENDS, PG_URL, psql, store  # noqa: E402,F401  (store is a fixture)


def cli(store, *args, check=True):
    env = dict(os.environ)
    env.pop("BERTH_STORE", None)
    env.pop("BERTH_NOW", None)
    r = subprocess.run([BERTH, "ip", *map(str, args), "--store", store], capture_output=True, text=True, env=env, timeout=120)
    if check:
        assert r.returncode == 0, (args, r.stderr)
    return r


def token(store, name, scope):
    r = cli(store, "token", "create", "--name", name, "--scope", scope)
    t = r.stdout.strip()
    assert t.startswith("berth_") and len(t) == 6 + 64, r.stdout
    assert r.stderr == f"token '{name}' ({scope}) created; it is shown only now\n"
    return t


class Server:
    def __init__(self, store, log):
        self.log = log
        self.proc = subprocess.Popen([BERTH, "serve", "--store", store, "--listen", "127.0.0.1:0"],
                                     stdout=subprocess.DEVNULL, stderr=open(log, "w"))
        deadline = time.time() + 60
        self.port = None
        while time.time() < deadline and self.port is None:
            assert self.proc.poll() is None, pathlib.Path(log).read_text()
            for line in pathlib.Path(log).read_text().splitlines():
                entry = json.loads(line)
                if entry.get("message") == "listening":
                    self.port = int(entry["address"].rsplit(":", 1)[1])
            time.sleep(0.05)
        assert self.port, pathlib.Path(log).read_text()

    def conn(self, source=None):
        """A connection; `source` (another 127.x address) keeps one test's auth failures apart from the next."""
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60, source_address=(source, 0) if source else None)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)


@pytest.fixture
def server(store, tmp_path):
    cli(store, "pool", "add", "--name", "pods", "10.0.0.0/14")
    s = Server(store, tmp_path / "server.log")
    yield s
    s.stop()


def call(conn, method, path, tok=None, body=None, raw=None, headers=None):
    h = dict(headers or {})
    if tok:
        h["Authorization"] = f"Bearer {tok}"
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    if data is not None:
        h["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=h)
    r = conn.getresponse()
    payload = r.read()
    ctype = r.getheader("Content-Type", "")
    parsed = json.loads(payload) if "json" in ctype and payload else payload.decode()
    return r.status, ctype, parsed


def test_workflow_over_http(store, server, tmp_path):
    admin = token(store, "netops", "admin")
    ci = token(store, "ci-pipeline", "allocate")
    c = server.conn()
    assert call(c, "GET", "/healthz")[0] == 200
    assert call(c, "GET", "/readyz")[0] == 200
    status, ctype, doc = call(c, "GET", "/openapi.json")
    assert status == 200 and doc["openapi"] == "3.1.0" and "/api/v1/pools/{pool}/allocations" in doc["paths"]

    status, _, pool = call(c, "POST", "/api/v1/pools", admin, {"name": "svc", "prefix": "192.168.0.0/24", "quarantineSeconds": 0})
    assert status == 201 and pool["name"] == "svc" and pool["prefix"] == "192.168.0.0/24"
    status, ctype, p = call(c, "POST", "/api/v1/pools", admin, {"name": "svc2", "prefix": "192.168.0.128/25"})
    assert status == 409 and ctype == "application/problem+json" and p["type"] == "urn:berth:problem:pool-overlap"

    body = {"size": 28, "requestId": "deploy-42", "owner": "team-a", "leaseSeconds": 3600}
    status, _, a = call(c, "POST", "/api/v1/pools/svc/allocations", ci, body)
    assert status == 201 and a["prefix"] == "192.168.0.0/28" and a["owner"] == "team-a" and a["requestId"] == "deploy-42"
    status, _, again = call(c, "POST", "/api/v1/pools/svc/allocations", ci, body)
    assert status == 201 and again["prefix"] == a["prefix"] and again["id"] == a["id"]
    status, _, p = call(c, "POST", "/api/v1/pools/svc/allocations", ci, dict(body, size=27))
    assert status == 409 and p["type"] == "urn:berth:problem:request-id-conflict"
    status, _, b = call(c, "POST", "/api/v1/pools/svc/allocations", ci, {"size": 26, "owner": "team-b"})
    assert status == 201 and b["prefix"] == "192.168.0.64/26"
    status, _, r = call(c, "POST", "/api/v1/pools/svc/reservations", ci, {"prefix": "192.168.0.32/29", "owner": "lb"})
    assert status == 201 and r["state"] == "reserved"

    status, _, found = call(c, "GET", "/api/v1/search?q=192.168.0.5", ci)
    assert status == 200 and found["pool"] == "svc" and found["holder"]["prefix"] == "192.168.0.0/28"
    status, _, found = call(c, "GET", "/api/v1/search?q=192.168.0.0/26", ci)
    assert status == 200 and found.get("holder") is None
    assert sorted(x["prefix"] for x in found["within"]) == ["192.168.0.0/28", "192.168.0.32/29"]

    status, _, rel = call(c, "POST", "/api/v1/pools/svc/releases", ci, {"prefix": "192.168.0.0/28"})
    assert status == 200 and rel["state"] == "released"
    status, _, p = call(c, "POST", "/api/v1/pools/svc/releases", ci, {"prefix": "192.168.0.0/28"})
    assert status == 404 and p["type"] == "urn:berth:problem:allocation-not-found"

    status, _, h = call(c, "GET", "/api/v1/history?address=192.168.0.1", ci)
    assert status == 200
    assert [(e["event"], e.get("actor"), e.get("owner")) for e in h["events"]] == [
        ("allocate", "ci-pipeline", "team-a"), ("release", "ci-pipeline", "team-a")]

    status, _, shown = call(c, "GET", "/api/v1/pools/svc", ci)
    u = shown["usage"]
    assert status == 200 and u["allocated"] == 1 and u["reserved"] == 1 and u["usedAddresses"] == "72"
    assert u["capacity"] == "256" and u["freeAddresses"] == "184" and u["largestFree"] == "192.168.0.128/25"
    assert 0 < u["fragmentation"] < 1
    status, _, pools = call(c, "GET", "/api/v1/pools", ci)
    assert [p["name"] for p in pools["pools"]] == ["pods", "svc"]
    status, _, allocs = call(c, "GET", "/api/v1/pools/svc/allocations", ci)
    assert sorted(x["prefix"] for x in allocs["allocations"]) == ["192.168.0.32/29", "192.168.0.64/26"]

    # Errors: problem+json with a stable type.
    for method, path, payload, code, kind in [
        ("GET", "/api/v1/pools/nope", None, 404, "pool-not-found"),
        ("POST", "/api/v1/pools/nope/allocations", {"size": 28}, 404, "pool-not-found"),
        ("POST", "/api/v1/pools/svc/allocations", {"size": 8}, 422, "invalid"),
        ("POST", "/api/v1/pools/svc/allocations", {"owner": "x"}, 400, "invalid-request"),
        ("POST", "/api/v1/pools/svc/allocations", {"size": 24}, 409, "pool-exhausted"),
        ("GET", "/api/v1/nothing-here", None, 404, "not-found"),
        ("GET", "/api/v1/search?q=banana", None, 400, "invalid-request"),
    ]:
        status, ctype, p = call(c, method, path, ci, payload)
        assert (status, ctype, p["type"]) == (code, "application/problem+json", "urn:berth:problem:" + kind), (path, p)
        assert p["status"] == code and p["detail"]
    status, ctype, p = call(c, "POST", "/api/v1/pools/svc/allocations", ci, raw=b"{not json")
    assert status == 400 and p["type"] == "urn:berth:problem:invalid-request"
    # Bodies over 64 KiB are refused.
    big = json.dumps({"size": 28, "note": "x" * 70000}).encode()
    status, ctype, p = call(server.conn(), "POST", "/api/v1/pools/svc/allocations", ci, raw=big)
    assert status == 413 and p["type"] == "urn:berth:problem:body-too-large"

    status, ctype, text = call(c, "GET", "/metrics", ci)
    assert status == 200 and ctype.startswith("text/plain")
    assert 'berth_pool_capacity_addresses{pool="svc"} 256' in text
    assert 'berth_pool_used_addresses{pool="svc"} 72' in text
    assert 'berth_pool_free_addresses{pool="svc"} 184' in text
    assert 'berth_pool_largest_free_block_addresses{pool="svc"} 128' in text
    assert "berth_http_requests_total{" in text and "berth_http_request_duration_seconds_bucket{" in text

    # The CLI sees what the API did, and the store is consistent.
    assert "ok:" in cli(store, "check").stdout
    # Logs are JSON lines and never carry a token.
    server.stop()
    log = (tmp_path / "server.log").read_text()
    entries = [json.loads(line) for line in log.splitlines()]
    assert any(e.get("message") == "request" and e.get("path") == "/api/v1/pools/svc/allocations" for e in entries)
    assert entries[-1]["message"] == "stopped"
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", e["time"]) for e in entries)
    assert admin not in log and ci not in log


def covered(prefixes):
    nets = sorted(ipaddress.ip_network(p) for p in prefixes)
    for a, b in zip(nets, nets[1:]):
        assert not a.overlaps(b), (a, b)


def concurrently(count, client):
    """Runs client(0) .. client(count - 1) on their own threads and waits for all of them."""
    threads = [threading.Thread(target=client, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_sixteen_clients_on_one_pool(store, server):
    tok = token(store, "load", "allocate")
    results, errors = [], []
    lock = threading.Lock()

    def client(n):
        c = server.conn()
        for i in range(250):
            status, _, a = call(c, "POST", "/api/v1/pools/pods/allocations", tok, {"size": 28, "requestId": f"c{n}-{i}", "owner": f"c{n}"})
            with lock:
                (results if status == 201 else errors).append(a)

    concurrently(16, client)
    assert errors == []
    prefixes = [a["prefix"] for a in results]
    assert len(prefixes) == 4000 and len(set(prefixes)) == 4000
    covered(prefixes)
    listed = json.loads(cli(store, "list", "--pool", "pods", "--format", "json").stdout)
    assert sorted(x["cidr"] for x in listed) == sorted(prefixes)
    assert "ok:" in cli(store, "check").stdout
    # Concurrent allocations were committed together: fewer transactions than allocations.
    _, _, text = call(server.conn(), "GET", "/metrics", tok)
    metric = {line.split(" ")[0]: float(line.split(" ")[1]) for line in text.splitlines() if line.startswith("berth_allocation_batch_size_")}
    assert metric["berth_allocation_batch_size_sum"] == 4000
    assert metric["berth_allocation_batch_size_count"] < 4000


def test_sixteen_clients_on_four_pools(store, server):
    """Each drain commits the allocations of every pool in one transaction: no block is given
    twice or overlaps another, within a pool or across pools, a small pool that fills up refuses
    only its own requests, and a request id sent again answers the same block."""
    pools = {"q1": "10.8.0.0/16", "q2": "10.9.0.0/16", "q3": "10.10.0.0/16", "tiny": "10.11.0.0/26"}
    for name, prefix in pools.items():
        cli(store, "pool", "add", "--name", name, prefix)
    tok = token(store, "load4", "allocate")
    results, exhausted, errors = [], [], []
    lock = threading.Lock()
    names = list(pools)

    def client(n):
        c = server.conn()
        for i in range(100):
            pool = names[(n + i) % 4]
            status, _, a = call(c, "POST", f"/api/v1/pools/{pool}/allocations", tok, {"size": 29, "requestId": f"m{n}-{i}", "owner": f"c{n}"})
            with lock:
                if status == 201:
                    results.append((pool, a))
                elif status == 409 and pool == "tiny" and a["type"] == "urn:berth:problem:pool-exhausted":
                    exhausted.append(a)
                else:
                    errors.append((status, a))

    concurrently(16, client)
    assert errors == []
    # tiny (a /26) holds eight /29s; every other request to it is refused on its own.
    assert len([1 for pool, _ in results if pool == "tiny"]) == 8 and len(exhausted) == 400 - 8
    assert len(results) == 1600 - len(exhausted)
    prefixes = [a["prefix"] for _, a in results]
    assert len(set(prefixes)) == len(prefixes)
    covered(prefixes)
    for pool, a in results:
        assert a["pool"] == pool and ipaddress.ip_network(a["prefix"]).subnet_of(ipaddress.ip_network(pools[pool])), (pool, a)
    for name in names:
        listed = json.loads(cli(store, "list", "--pool", name, "--format", "json").stdout)
        assert sorted(x["cidr"] for x in listed) == sorted(a["prefix"] for pool, a in results if pool == name)
    assert "ok:" in cli(store, "check").stdout
    # A request id sent again answers its block.
    pool, first = results[0]
    status, _, again = call(server.conn(), "POST", f"/api/v1/pools/{pool}/allocations", tok,
                            {"size": 29, "requestId": first["requestId"], "owner": first["owner"]})
    assert status == 201 and again["prefix"] == first["prefix"] and again["id"] == first["id"]
    _, _, text = call(server.conn(), "GET", "/metrics", tok)
    metric = {line.split(" ")[0]: float(line.split(" ")[1]) for line in text.splitlines() if line.startswith("berth_allocation_batch_size_")}
    assert metric["berth_allocation_batch_size_sum"] == 1601
    assert metric["berth_allocation_batch_size_count"] < 1601


def test_kill_9_during_allocation_loops(store, server):
    tok = token(store, "loops", "allocate")
    got = []
    lock = threading.Lock()

    def client(n):
        c = server.conn()
        i = 0
        while True:
            try:
                status, _, a = call(c, "POST", "/api/v1/pools/pods/allocations", tok, {"size": 29, "requestId": f"k{n}-{i}"})
            except (OSError, http.client.HTTPException):
                return
            if status == 201:
                with lock:
                    got.append((a["requestId"], a["prefix"]))
            i += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    time.sleep(2.0)
    server.proc.send_signal(signal.SIGKILL)
    server.proc.wait()
    for t in threads:
        t.join()
    assert len(got) > 50
    assert "ok:" in cli(store, "check").stdout
    listed = {x["request_id"]: x["cidr"] for x in json.loads(cli(store, "list", "--pool", "pods", "--format", "json").stdout)}
    for rid, prefix in got:
        assert listed.get(rid) == prefix, rid
    covered(listed.values())


def stored_state(store):
    return cli(store, "list", "--format", "json", "--all").stdout, cli(store, "pool", "list", "--format", "json").stdout


def test_auth_refuses_and_changes_nothing(store, server, tmp_path):
    admin = token(store, "root", "admin")
    reader = token(store, "viewer", "read")
    doomed = token(store, "old-ci", "allocate")
    assert cli(store, "token", "revoke", "--name", "old-ci").stdout == "revoked old-ci\n"
    r = cli(store, "token", "revoke", "--name", "old-ci", check=False)
    assert r.returncode == 1 and "berth: error: token 'old-ci' was already revoked at " in r.stderr
    listing = cli(store, "token", "list").stdout
    assert listing.splitlines()[0].split() == ["NAME", "SCOPE", "CREATED", "REVOKED"]
    assert [line.split()[:2] for line in listing.splitlines()[1:]] == [["old-ci", "allocate"], ["root", "admin"], ["viewer", "read"]]
    for t in (admin, reader, doomed):
        assert t not in listing

    c = server.conn()
    # Something to release, made by the admin.
    assert call(c, "POST", "/api/v1/pools/pods/allocations", admin, {"size": 24})[0] == 201
    before = stored_state(store)
    writes = [("POST", "/api/v1/pools", {"name": "x", "prefix": "172.16.0.0/16"}),
              ("POST", "/api/v1/pools/pods/allocations", {"size": 28}),
              ("POST", "/api/v1/pools/pods/reservations", {"prefix": "10.1.0.0/24", "owner": "o"}),
              ("POST", "/api/v1/pools/pods/releases", {"prefix": "10.0.0.0/24"})]
    reads = [("GET", "/api/v1/pools", None), ("GET", "/api/v1/pools/pods", None), ("GET", "/api/v1/pools/pods/allocations", None),
             ("GET", "/api/v1/search?q=10.0.0.1", None), ("GET", "/api/v1/history?address=10.0.0.1", None), ("GET", "/metrics", None)]
    peer = 1
    for method, path, body in writes + reads:
        for tok, why in [(None, "send a token as 'Authorization: Bearer <token>'"), ("berth_" + "0" * 64, "unknown token"),
                         (doomed, "token revoked")]:
            peer += 1  # one address per failure: the slow-down for repeated failures is tested below
            status, ctype, p = call(server.conn(f"127.0.0.{peer}"), method, path, tok, body)
            assert (status, ctype, p["type"], p["detail"]) == (401, "application/problem+json", "urn:berth:problem:unauthorized", why), path
            assert "10.0.0.0" not in json.dumps(p)
    for method, path, body in writes:
        status, _, p = call(c, method, path, reader, body)
        assert status == 403 and p["type"] == "urn:berth:problem:forbidden", path
        assert p["detail"].startswith("token 'viewer' has scope 'read'; this needs '")
    status, _, p = call(c, "POST", "/api/v1/pools", token(store, "ci2", "allocate"), {"name": "x", "prefix": "172.16.0.0/16"})
    assert status == 403 and p["detail"] == "token 'ci2' has scope 'allocate'; this needs 'admin'"
    assert stored_state(store) == before
    for method, path, body in reads:
        assert call(c, method, path, reader, body)[0] == 200, path

    # Repeated failures from one address are slowed down (after 5 within a minute); others are not.
    slow = server.conn("127.0.1.1")
    t0 = time.time()
    for _ in range(5):
        assert call(slow, "GET", "/api/v1/pools", "berth_" + "1" * 64)[0] == 401
    assert time.time() - t0 < 0.5
    t0 = time.time()
    for _ in range(3):
        assert call(slow, "GET", "/api/v1/pools", "berth_" + "1" * 64)[0] == 401
    assert time.time() - t0 >= 0.7  # 100 + 200 + 400 ms
    t0 = time.time()
    assert call(server.conn("127.0.1.2"), "GET", "/api/v1/pools", "berth_" + "1" * 64)[0] == 401
    assert time.time() - t0 < 0.5


def test_tokens_are_stored_only_as_hashes(store, tmp_path):
    cli(store, "pool", "add", "--name", "p", "10.0.0.0/24")
    tok = token(store, "secret-holder", "read")
    digest = hashlib.sha256(tok.encode()).hexdigest()
    if store.startswith("postgres"):
        dump = subprocess.run(["pg_dump", store], capture_output=True, text=True, timeout=60)
        assert dump.returncode == 0, dump.stderr
        assert tok not in dump.stdout and tok[6:] not in dump.stdout and digest in dump.stdout
        rows = psql(store, "SELECT name, scope, hash FROM berth_tokens")
    else:
        for f in pathlib.Path(store).parent.iterdir():
            data = f.read_bytes()
            assert tok.encode() not in data and tok[6:].encode() not in data, f
        con = sqlite3.connect(store)
        rows = "\n".join("|".join(r) for r in con.execute("SELECT name, scope, hash FROM berth_tokens"))
        con.close()
    assert rows.strip() == f"secret-holder|read|{digest}"
