"""End-to-end tests of the IP ledger (`berth ip pool|reserve|allocate|release|list|show|usage|history|check`)
on SQLite and, when BERTH_TEST_PG_URL names a server (scripts/test.sh starts one with
scripts/pg-test-server.sh), on PostgreSQL: the workflow, a bad-input corpus that must leave the
store unchanged, 8 concurrent writers, and writers killed with SIGKILL mid-allocation.
"""
import ipaddress
import json
import os
import pathlib
import random
import signal
import sqlite3
import subprocess
import time
import uuid

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BERTH = os.environ.get("BERTH_BIN", str(ROOT / ".build" / "debug" / "berth"))
DRIVER = str(pathlib.Path(BERTH).parent / "ledger-driver")
PG_URL = os.environ.get("BERTH_TEST_PG_URL", "")
T0 = "2025-01-01T00:00:00Z"

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.skipif(not PG_URL, reason="BERTH_TEST_PG_URL not set"))]


def psql(url, sql):
    r = subprocess.run(["psql", url, "-qAtX", "-v", "ON_ERROR_STOP=1", "-c", sql], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    """A fresh, empty store: a SQLite path or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield str(tmp_path / "ledger.sqlite")
        return
    name = "t_" + uuid.uuid4().hex[:12]
    psql(PG_URL, f"CREATE DATABASE {name}")
    yield PG_URL.rsplit("/", 1)[0] + "/" + name
    psql(PG_URL, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def berth(store, *args, now=T0, check=False):
    env = dict(os.environ)
    env.pop("BERTH_STORE", None)
    if now:
        env["BERTH_NOW"] = now
    r = subprocess.run([BERTH, "ip", *map(str, args), "--store", store], capture_output=True, text=True, env=env, timeout=120)
    if check:
        assert r.returncode == 0, (args, r.returncode, r.stderr)
    return r


def ok(store, *args, now=T0):
    return berth(store, *args, now=now, check=True).stdout


def snapshot(store):
    """Everything in the store: the SQLite file's bytes and rows, or every PostgreSQL row."""
    if store.startswith("postgres"):
        return tuple(psql(store, f"SELECT * FROM {t} ORDER BY 1") for t in ("berth_pools", "berth_allocations", "berth_history"))
    data = pathlib.Path(store).read_bytes()
    con = sqlite3.connect(store)
    rows = list(con.iterdump())
    con.close()
    return data, rows


def assert_disjoint(cidrs, pool):
    nets = sorted(ipaddress.ip_network(c) for c in cidrs)
    assert len(set(nets)) == len(nets), "duplicate ranges"
    parent = ipaddress.ip_network(pool)
    for n in nets:
        assert n.subnet_of(parent), n
    for a, b in zip(nets, nets[1:]):
        assert not a.overlaps(b), (a, b)


# ---------------------------------------------------------------------------------------- workflow

@pytest.mark.parametrize("store", BACKENDS, indirect=True)
def test_workflow(store):
    assert ok(store, "pool", "add", "--name", "pods", "10.8.0.0/16", "--quarantine", "1h") == "pods 10.8.0.0/16\n"
    assert ok(store, "allocate", "--pool", "pods", "--size", "24", "--owner", "team-a") == "10.8.0.0/24\n"
    rec = json.loads(ok(store, "allocate", "--pool", "pods", "--size", "26", "--owner", "b", "--request-id", "r1",
                        "--lease", "30m", "--format", "json"))
    assert {k: rec[k] for k in ("id", "pool", "cidr", "owner", "note", "state", "request_id", "created_at", "expires_at")} == {
        "id": 2, "pool": "pods", "cidr": "10.8.1.0/26", "owner": "b", "note": None, "state": "allocated",
        "request_id": "r1", "created_at": T0, "expires_at": "2025-01-01T00:30:00Z"}
    # a retry returns the same allocation; the same id with other parameters is refused
    assert ok(store, "allocate", "--pool", "pods", "--size", "26", "--owner", "b", "--request-id", "r1", "--lease", "30m") == "10.8.1.0/26\n"
    r = berth(store, "allocate", "--pool", "pods", "--size", "25", "--owner", "b", "--request-id", "r1")
    assert r.returncode == 1
    assert r.stderr == ("berth: error: request id 'r1' was already used with different parameters "
                        "(pool=pods size=26 owner=b lease=30m); this call has (pool=pods size=25 owner=b)\n")
    assert ok(store, "reserve", "--pool", "pods", "10.8.255.0/24", "--owner", "infra", "--note", "gateways") == "10.8.255.0/24\n"
    assert ok(store, "allocate", "--pool", "pods", "--address", "10.8.7.9") == "10.8.7.9/32\n"

    show = ok(store, "show", "10.8.1.5")
    assert "held by: 10.8.1.0/26 (allocated, id 2)\nowner: b\nsince: 2025-01-01T00:00:00Z\n" in show

    # the lease lapses at 00:30; the pool quarantines it for 1h; a later write reclaims it
    later = "2025-01-01T01:00:00Z"
    assert ok(store, "release", "10.8.0.0/24", "--quarantine", "0", now=later) == "10.8.0.0/24 released\n"
    items = {i["cidr"]: i for i in json.loads(ok(store, "list", "--format", "json", now=later))}
    assert items["10.8.1.0/26"]["state"] == "quarantined"
    assert items["10.8.1.0/26"]["quarantine_until"] == "2025-01-01T01:30:00Z"
    assert "10.8.0.0/24" not in items
    # quarantined: the best-fit /26 is its buddy; after the quarantine the block is reused
    assert ok(store, "allocate", "--pool", "pods", "--size", "26", now=later) == "10.8.1.64/26\n"
    assert ok(store, "allocate", "--pool", "pods", "--address", "10.8.1.0/26", "--owner", "c", now="2025-01-01T02:00:00Z") == "10.8.1.0/26\n"

    hist = json.loads(ok(store, "history", "10.8.1.1", "--format", "json", now="2025-01-01T02:00:00Z"))
    assert [(e["event"], e["at"], e["owner"]) for e in hist["events"]] == [
        ("allocate", T0, "b"), ("expire", "2025-01-01T00:30:00Z", "b"),
        ("quarantine-end", "2025-01-01T01:30:00Z", "b"), ("allocate", "2025-01-01T02:00:00Z", "c")]
    assert [(h["owner"], h["from"], h["to"], h["ended_by"]) for h in hist["holders"]] == [
        ("b", T0, "2025-01-01T00:30:00Z", "expire"), ("c", "2025-01-01T02:00:00Z", None, None)]

    usage = json.loads(ok(store, "usage", "--pool", "pods", "--format", "json", now="2025-01-01T02:00:00Z"))[0]
    used = 64 + 64 + 256 + 1
    assert usage["used_addresses"] == str(used)
    assert usage["utilization_percent"] == round(used / 65536 * 100, 2)
    assert usage["largest_free_block"] == "10.8.64.0/18"  # 10.8.7.9 and 10.8.255.0/24 split both /17s
    assert usage["fragmentation"] == round(1 - 16384 / (65536 - used), 4)
    assert usage["free_blocks_by_length"]["/18"] == 2 and "/17" not in usage["free_blocks_by_length"]
    assert ok(store, "check").startswith("ok: 1 pools, 6 allocations (4 live), ")


@pytest.mark.parametrize("store", BACKENDS, indirect=True)
def test_ipv6_pool(store):
    ok(store, "pool", "add", "--name", "v6", "2001:db8::/48")
    assert ok(store, "allocate", "--pool", "v6", "--size", "64") == "2001:db8::/64\n"
    assert ok(store, "allocate", "--pool", "v6", "--size", "56") == "2001:db8:0:100::/56\n"
    assert "held by: 2001:db8::/64" in ok(store, "show", "2001:db8::42")
    r = berth(store, "pool", "add", "--name", "v4", "10.0.0.0/8", "--family-check")
    assert r.returncode == 1 and "family check: 10.0.0.0/8 is IPv4 but pool 'v6' (2001:db8::/48) is IPv6" in r.stderr


# ---------------------------------------------------------------------------------------- bad input

def seed(store):
    ok(store, "pool", "add", "--name", "pods", "10.8.0.0/16")
    ok(store, "pool", "add", "--name", "tiny", "192.168.0.0/30")
    ok(store, "allocate", "--pool", "tiny", "--size", "31", "--owner", "x")
    ok(store, "allocate", "--pool", "tiny", "--size", "32", "--owner", "y")
    ok(store, "allocate", "--pool", "pods", "--size", "24", "--owner", "a", "--request-id", "r1")


BAD_INPUT = [
    # (arguments, exit code, the whole message)
    (["allocate", "--pool", "pods", "--size", "33"], 1,
     "prefix length 33 is out of range in pool 'pods' (10.8.0.0/16) (allowed 16-32)"),
    (["allocate", "--pool", "pods", "--size", "8"], 1,
     "prefix length 8 is out of range in pool 'pods' (10.8.0.0/16) (allowed 16-32)"),
    (["allocate", "--pool", "pods", "--size", "2x"], 1,
     "prefix length '2x' in --size is not a plain decimal number (allowed 0-128)"),
    (["allocate", "--pool", "pods", "--address", "10.8.0.300"], 1,
     "malformed address '10.8.0.300': octet 300 is out of range 0-255"),
    (["allocate", "--pool", "pods", "--address", "10.8.0.1/24"], 1,
     "10.8.0.1/24 has host bits set; did you mean 10.8.0.0/24?"),
    (["allocate", "--pool", "pods", "--address", "10.8.0.0/24"], 1,
     "10.8.0.0/24 is not free: 10.8.0.0/24 is already in use"),
    (["allocate", "--pool", "pods", "--address", "2001:db8::/64"], 1,
     "family mismatch: 2001:db8::/64 is IPv6, expected IPv4"),
    (["allocate", "--pool", "tiny", "--size", "31"], 1,
     "no free /31 in 192.168.0.0/30: 1 addresses free, largest free block 192.168.0.3/32"),
    (["allocate", "--pool", "tiny", "--size", "30"], 1,
     "no free /30 in 192.168.0.0/30: 1 addresses free, largest free block 192.168.0.3/32"),
    (["allocate", "--pool", "nope", "--size", "24"], 1, "unknown pool 'nope'; pools: pods, tiny"),
    (["allocate", "--pool", "pods", "--size", "24", "--lease", "5x"], 1,
     "invalid duration '5x' for --lease: it has an unknown unit 'x' (use s, m, h, d, w or y); for example 90s, 1h30m, 7d, 1y or 0"),
    (["allocate", "--pool", "pods", "--size", "25", "--request-id", "r1", "--owner", "a"], 1,
     "request id 'r1' was already used with different parameters (pool=pods size=24 owner=a); this call has (pool=pods size=25 owner=a)"),
    (["reserve", "--pool", "pods", "10.9.0.0/24", "--owner", "o"], 1, "10.9.0.0/24 is not in pool 'pods' (10.8.0.0/16)"),
    (["reserve", "--pool", "pods", "10.8.0.0/33", "--owner", "o"], 1,
     "prefix length 33 is out of range in '10.8.0.0/33' (allowed 0-32)"),
    (["pool", "add", "--name", "Bad_Name", "10.20.0.0/16"], 1,
     "invalid pool name 'Bad_Name': use 1-63 lowercase letters, digits and '-', starting and ending with a letter or digit"),
    (["pool", "add", "--name", "more", "10.0.0.0/8"], 1, "pool 10.0.0.0/8 overlaps pool 'pods' (10.8.0.0/16)"),
    (["pool", "add", "--name", "pods", "10.20.0.0/16"], 1, "pool 'pods' already exists"),
    (["pool", "add", "--name", "x", "10.20.0.0"], 1,
     "malformed address '10.20.0.0': missing '/length' (write e.g. 10.0.0.1/32 for a single address)"),
    (["release", "10.8.9.0/24"], 1, "10.8.9.0/24 is not allocated in pool 'pods'"),
    (["release", "10.8.0.0/25"], 1, "10.8.0.0/25 is not allocated in pool 'pods'; 10.8.0.0/24 is allocated there"),
    (["release", "172.16.0.0/24"], 1, "172.16.0.0/24 is not in any pool"),
    (["show", "1.2.3.4"], 1, "1.2.3.4/32 is not in any pool"),
    (["history", "10.8.0.1.2"], 1, None),
    (["usage", "--pool", "nope"], 1, "unknown pool 'nope'; pools: pods, tiny"),
]


@pytest.mark.parametrize("store", BACKENDS, indirect=True)
def test_bad_input_leaves_store_unchanged(store):
    seed(store)
    before = snapshot(store)
    for args, code, message in BAD_INPUT:
        r = berth(store, *args)
        assert r.returncode == code, (args, r.returncode, r.stderr)
        assert r.stdout == "", args
        if message is not None:
            assert r.stderr == f"berth: error: {message}\n", args
        else:
            assert r.stderr.startswith("berth: error: "), args
        assert snapshot(store) == before, f"store changed by {args}"


def test_exhausted_pool_says_what_is_free(tmp_path):
    s = str(tmp_path / "s.sqlite")
    ok(s, "pool", "add", "--name", "small", "10.0.0.0/24")
    ok(s, "allocate", "--pool", "small", "--size", "25")
    ok(s, "allocate", "--pool", "small", "--size", "27")
    before = snapshot(s)
    r = berth(s, "allocate", "--pool", "small", "--size", "25")
    assert r.returncode == 1
    assert r.stderr == "berth: error: no free /25 in 10.0.0.0/24: 96 addresses free, largest free block 10.0.0.192/26\n"
    assert snapshot(s) == before


def test_store_that_cannot_be_opened(tmp_path):
    r = berth(str(tmp_path / "missing" / "x.sqlite"), "list")
    assert r.returncode == 1
    assert r.stderr == (f"berth: error: store {tmp_path}/missing/x.sqlite does not exist; "
                        "'berth ip pool add' creates it (or give --store)\n")
    # Only 'pool add' creates a store; reads and other writes leave a mistyped path alone.
    for args in (["list"], ["usage"], ["check"], ["allocate", "--pool", "p", "--size", "24"], ["release", "10.0.0.0/24"]):
        r = berth(str(tmp_path / "typo.sqlite"), *args)
        assert r.returncode == 1 and "does not exist" in r.stderr, args
    assert not (tmp_path / "typo.sqlite").exists()
    r = berth(str(tmp_path / "missing" / "x.sqlite"), "pool", "add", "--name", "p", "10.0.0.0/24")
    assert r.returncode == 1
    assert r.stderr == f"berth: error: cannot open store {tmp_path}/missing/x.sqlite: unable to open database file\n"
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database, " * 100)
    r = berth(str(junk), "list")
    assert r.returncode == 1 and "is not a readable berth ledger: SQLite: file is not a database" in r.stderr
    assert junk.read_bytes() == b"this is not a database, " * 100
    r = berth(str(tmp_path), "list")
    assert r.returncode == 1 and r.stderr.startswith("berth: error: cannot open store")
    r = berth("postgres://nobody@127.0.0.1:1/none", "list")
    assert r.returncode == 1 and r.stderr.startswith("berth: error: cannot open store postgres://nobody@127.0.0.1:1/none: ")
    r = berth("postgres://u:secret@127.0.0.1:1/none", "list")
    assert r.returncode == 1 and "secret" not in r.stderr and "u:<redacted>@" in r.stderr


def test_bad_clock_hook_is_a_usage_error(tmp_path):
    r = berth(str(tmp_path / "s.sqlite"), "list", now="yesterday")
    assert r.returncode == 2
    assert r.stderr == "berth: error: BERTH_NOW 'yesterday' is not an RFC 3339 time such as 2025-01-31T08:00:00Z\n"


def test_history_is_append_only(tmp_path):
    s = str(tmp_path / "s.sqlite")
    ok(s, "pool", "add", "--name", "p", "10.0.0.0/24")
    ok(s, "allocate", "--pool", "p", "--size", "28")
    con = sqlite3.connect(s)
    for sql in ["UPDATE berth_history SET owner = 'x'", "DELETE FROM berth_history", "DELETE FROM berth_allocations",
                "INSERT INTO berth_allocations (pool_id, cidr, length, start_hex, end_hex, state, created_at) "
                "SELECT pool_id, '10.0.0.8/29', 29, '0000000000000000000000000a000008', '0000000000000000000000000a00000f', "
                "'allocated', 0 FROM berth_allocations"]:
        with pytest.raises(sqlite3.IntegrityError):
            con.execute(sql)
    con.close()


# ---------------------------------------------------------------------------------------- concurrency

def run_loops(store, pool, size, workers, count, tag):
    procs = [subprocess.Popen([DRIVER, "loop", store, pool, str(size), str(count), f"{tag}{w}"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for w in range(workers)]
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
        outs.append(out.split())
    return outs


@pytest.mark.parametrize("store", BACKENDS, indirect=True)
def test_contention_8_writers(store):
    ok(store, "pool", "add", "--name", "pods", "10.0.0.0/16")
    outs = run_loops(store, "pods", 28, 8, 250, "w")
    cidrs = [c for out in outs for c in out]
    assert all(len(out) == 250 for out in outs)
    assert len(cidrs) == 2000 and len(set(cidrs)) == 2000
    assert_disjoint(cidrs, "10.0.0.0/16")
    listed = json.loads(ok(store, "list", "--format", "json"))
    assert sorted(i["cidr"] for i in listed) == sorted(cidrs)
    assert ok(store, "check").startswith("ok: 1 pools, 2000 allocations (2000 live), 2000 history events")


@pytest.mark.parametrize("store", BACKENDS, indirect=True)
def test_kill_9_during_allocation_loops(store):
    ok(store, "pool", "add", "--name", "pods", "10.1.0.0/16")
    rng = random.Random(7)
    workers, count = 4, 150
    for _ in range(6):
        procs = [subprocess.Popen([DRIVER, "loop", store, "pods", "28", str(count), f"k{w}"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for w in range(workers)]
        time.sleep(rng.uniform(0.2, 1.2))
        for p in procs:
            if rng.random() < 0.8:
                p.send_signal(signal.SIGKILL)
        for p in procs:
            p.kill() if p.poll() is None and rng.random() < 0.5 else None
            p.wait(timeout=600)
        if not store.startswith("postgres"):
            con = sqlite3.connect(store)
            assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            con.close()
        assert berth(store, "check").returncode == 0, berth(store, "check").stderr
    # resume: the committed requests come back as they were, the rest are allocated
    outs = run_loops(store, "pods", 28, workers, count, "k")
    cidrs = [c for out in outs for c in out]
    assert len(cidrs) == workers * count and len(set(cidrs)) == workers * count
    assert_disjoint(cidrs, "10.1.0.0/16")
    listed = json.loads(ok(store, "list", "--format", "json"))
    assert sorted(i["cidr"] for i in listed) == sorted(cidrs)
    assert all(i["request_id"] and i["owner"] for i in listed)
    assert ok(store, "check").startswith(f"ok: 1 pools, {workers * count} allocations ({workers * count} live)")


def downgrade_to_v1(store):
    """Turns a new store back into what berth's first schema version wrote."""
    sql = """
        DROP INDEX berth_allocations_leases;
        DROP INDEX berth_allocations_quarantined;
        CREATE INDEX berth_allocations_expiry ON berth_allocations(pool_id, state, expires_at);
        CREATE INDEX berth_allocations_quarantine ON berth_allocations(pool_id, state, quarantine_until);
    """
    if store.startswith("postgres"):
        psql(store, sql + "UPDATE berth_meta SET version = 1;")
    else:
        con = sqlite3.connect(store)
        con.executescript(sql + "PRAGMA user_version = 1;")
        con.close()


def indexes(store):
    if store.startswith("postgres"):
        out = psql(store, "SELECT indexname FROM pg_indexes WHERE tablename = 'berth_allocations'")
        version = psql(store, "SELECT version FROM berth_meta").strip()
    else:
        con = sqlite3.connect(store)
        out = "\n".join(r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'berth_allocations'"))
        version = str(con.execute("PRAGMA user_version").fetchone()[0])
        con.close()
    return set(out.split()), version


@pytest.mark.parametrize("store", BACKENDS, indirect=True)
def test_version_1_store_is_upgraded_in_place(store):
    ok(store, "pool", "add", "--name", "p", "10.0.0.0/24")
    ok(store, "allocate", "--pool", "p", "--size", "26", "--lease", "1h")
    downgrade_to_v1(store)
    names, version = indexes(store)
    assert version == "1" and "berth_allocations_expiry" in names
    # The lease lapsed: the next write reclaims it and reuses the block, on the upgraded schema.
    assert ok(store, "allocate", "--pool", "p", "--size", "26", now="2025-01-01T02:00:00Z").strip() == "10.0.0.0/26"
    names, version = indexes(store)
    assert version == "4"  # 3: history actor and server tokens; 4: PostgreSQL overlap trigger instead of GiST
    assert {"berth_allocations_leases", "berth_allocations_quarantined"} <= names
    assert not names & {"berth_allocations_expiry", "berth_allocations_quarantine"}
    assert ok(store, "check", now="2025-01-01T02:00:00Z").startswith("ok: 1 pools, 2 allocations")


@pytest.mark.parametrize("store", BACKENDS, indirect=True)
def test_store_from_a_newer_berth_is_left_alone(store):
    ok(store, "pool", "add", "--name", "p", "10.0.0.0/24")
    if store.startswith("postgres"):
        psql(store, "UPDATE berth_meta SET version = 99")
    else:
        con = sqlite3.connect(store)
        con.execute("PRAGMA user_version = 99")
        con.close()
    before = snapshot(store)
    r = berth(store, "allocate", "--pool", "p", "--size", "26")
    assert r.returncode == 1
    assert "schema version 99" in r.stderr and "upgrade berth" in r.stderr
    assert snapshot(store) == before


@pytest.mark.parametrize("store", BACKENDS, indirect=True)
def test_outside_writer_conflict_is_retried(store):
    """A row written behind the ledger's back (no history event, so a running writer's cached view
    misses it) makes that writer's next insert collide; the database refuses it, and the writer
    rolls back, reloads and carries on around it."""
    ok(store, "pool", "add", "--name", "pods", "10.0.0.0/20")
    proc = subprocess.Popen([DRIVER, "loop", store, "pods", "32", "2000", "x"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=dict(os.environ, LEDGER_DRIVER_PAUSE_AFTER="20"))
    first = [proc.stdout.readline().strip() for _ in range(20)]
    assert first == [f"10.0.0.{i}/32" for i in range(20)]
    inject = ("INSERT INTO berth_allocations (pool_id, cidr, length, start_hex, end_hex, state, owner, created_at) "
              "SELECT id, '10.0.4.0/24', 24, '0000000000000000000000000a000400', '0000000000000000000000000a0004ff', "
              "'reserved', 'outside', 0 FROM berth_pools WHERE name = 'pods'")
    if store.startswith("postgres"):
        psql(store, inject)
    else:
        con = sqlite3.connect(store, timeout=30)
        con.execute(inject)
        con.commit()
        con.close()
    rest, err = proc.communicate("go\n", timeout=300)  # the writer goes on with its cached view
    assert proc.returncode == 0, err
    got = first + rest.split()
    assert len(got) == 2000 and len(set(got)) == 2000
    # Lowest free address first: everything below the outside block, then on past it.
    base = ipaddress.ip_address("10.0.0.0")
    assert got == [f"{base + i}/32" for i in list(range(1024)) + list(range(1280, 2256))]
