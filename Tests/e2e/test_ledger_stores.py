"""The ledger opens only its own stores: an empty file, another application's SQLite database
or a PostgreSQL database without berth's schema is refused (never adopted), a SQLite file that
fails `PRAGMA quick_check` is neither written nor read, and a read-only file is read read-only.
Also the flag values the ledger refuses with precise messages: durations, sizes, IPv4-mapped pools.
"""
import hashlib
import os
import pathlib
import sqlite3
import stat
import subprocess
import uuid

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BERTH = os.environ.get("BERTH_BIN", str(ROOT / ".build" / "debug" / "berth"))
PG_URL = os.environ.get("BERTH_TEST_PG_URL", "")
T0 = "2025-01-01T00:00:00Z"

READS = [["list"], ["usage"], ["show", "10.0.0.1"], ["history", "10.0.0.1"], ["pool", "list"]]
WRITES = [["allocate", "--pool", "p", "--size", "28"], ["reserve", "--pool", "p", "10.0.0.128/28", "--owner", "o"],
          ["release", "10.0.0.0/28"]]


def berth(store, *args, preexec=None):
    env = dict(os.environ, BERTH_NOW=T0)
    env.pop("BERTH_STORE", None)
    return subprocess.run([BERTH, "ip", *map(str, args), "--store", str(store)], capture_output=True, text=True, env=env, timeout=120,
                          preexec_fn=preexec)


def files(folder):
    """Every file in the folder and its digest (the store, and any -wal/-shm it grew)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in pathlib.Path(folder).iterdir()}


def test_empty_file_is_not_adopted(tmp_path):
    store = tmp_path / "empty.sqlite"
    store.write_bytes(b"")
    for args in READS + WRITES + [["check"]]:
        r = berth(store, *args)
        assert r.returncode == 1, (args, r.stderr)
        assert r.stderr == (f"berth: error: store {store} is not a berth ledger: it is an empty file or database; "
                            "'berth ip pool add' creates one\n"), args
        assert store.read_bytes() == b"" and sorted(p.name for p in tmp_path.iterdir()) == ["empty.sqlite"], args
    # 'pool add' is the one command that makes a ledger, and an empty file is a new one.
    r = berth(store, "pool", "add", "--name", "p", "10.0.0.0/24")
    assert r.returncode == 0, r.stderr
    assert berth(store, "list").returncode == 0


def test_other_applications_database_is_left_alone(tmp_path):
    store = tmp_path / "app.db"
    con = sqlite3.connect(store)
    con.executescript("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users (name) VALUES ('ada');")
    con.close()
    before = files(tmp_path)
    for args in READS + WRITES + [["check"], ["pool", "add", "--name", "p", "10.0.0.0/24"]]:
        r = berth(store, *args)
        assert r.returncode == 1, (args, r.stderr)
        assert r.stderr == (f"berth: error: store {store} is not a berth ledger: it holds other tables (users) and no berth "
                            "schema version; berth does not write to it (give --store another file)\n"), args
        assert files(tmp_path) == before, args
    con = sqlite3.connect(store)
    assert [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["users"]
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    con.close()


def damaged_store(tmp_path):
    store = tmp_path / "ledger.sqlite"
    assert berth(store, "pool", "add", "--name", "p", "10.0.0.0/16").returncode == 0
    for i in range(40):
        assert berth(store, "allocate", "--pool", "p", "--size", "28", "--owner", f"owner-{i}-" + "x" * 40).returncode == 0
    con = sqlite3.connect(store)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.execute("PRAGMA journal_mode = DELETE")
    page = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'sqlite_autoindex_berth_pools_1'").fetchone()[0]
    size = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    with open(store, "r+b") as f:  # the pool-name index's cell pointers point past the page
        f.seek((page - 1) * size + 8)
        f.write(b"\xff" * 64)
    return store, page


def test_damaged_store_is_neither_written_nor_read(tmp_path):
    store, page = damaged_store(tmp_path)
    before = files(tmp_path)
    message = (f"berth: error: store {store} fails SQLite's quick_check (On tree page {page} cell 0: Offset 65535 out of range "
               f"4091..4092): berth neither reads nor writes a damaged store; 'berth ip check' lists the problems; "
               "restore the file from a backup\n")
    for args in WRITES + READS + [["pool", "add", "--name", "q", "10.9.0.0/24"]]:
        r = berth(store, *args)
        assert (r.returncode, r.stderr) == (1, message), args
        assert files(tmp_path) == before, args
    r = berth(store, "check")
    assert r.returncode == 1 and f"On tree page {page}" in r.stdout + r.stderr


def test_read_only_store_is_read(tmp_path):
    """A store in a folder this user cannot write, without write permission: reads work and
    change nothing. Run as root, berth runs as nobody (root would bypass the permissions)."""
    folder = pathlib.Path(tmp_path) / "ro"
    folder.mkdir()
    store = folder / "ledger.sqlite"
    assert berth(store, "pool", "add", "--name", "p", "10.0.0.0/24").returncode == 0
    assert berth(store, "allocate", "--pool", "p", "--size", "28", "--owner", "a").returncode == 0
    as_root = os.geteuid() == 0
    if as_root:  # nobody must reach the folder through tmp_path
        for p in [folder, *folder.parents]:
            if str(p).startswith("/tmp/") or p == tmp_path:
                os.chmod(p, os.stat(p).st_mode | stat.S_IXOTH)
    os.chmod(store, 0o444)
    os.chmod(folder, 0o555)
    preexec = (lambda: (os.setgid(65534), os.setuid(65534))) if as_root else None
    try:
        before = files(folder)
        for args in READS + [["check"], ["list", "--format", "json"]]:
            r = berth(store, *args, preexec=preexec)
            assert r.returncode == 0, (args, r.stderr)
        assert "10.0.0.0/28" in berth(store, "list", preexec=preexec).stdout
        assert berth(store, "check", preexec=preexec).stdout.startswith("ok: 1 pools, 1 allocations")
        assert files(folder) == before
    finally:
        os.chmod(folder, stat.S_IRWXU)
        os.chmod(store, stat.S_IRUSR | stat.S_IWUSR)


@pytest.mark.skipif(not PG_URL, reason="BERTH_TEST_PG_URL not set")
def test_postgres_database_without_berth_schema_is_not_adopted():
    name = "t_" + uuid.uuid4().hex[:12]

    def psql(url, sql):
        r = subprocess.run(["psql", url, "-qAtX", "-v", "ON_ERROR_STOP=1", "-c", sql], capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        return r.stdout

    psql(PG_URL, f"CREATE DATABASE {name}")
    url = PG_URL.rsplit("/", 1)[0] + "/" + name
    try:
        psql(url, "CREATE TABLE orders (id int)")
        for args in READS + WRITES + [["check"]]:
            r = berth(url, *args)
            assert r.returncode == 1, (args, r.stderr)
            assert "is not a berth ledger: no berth_meta table with a schema version; 'berth ip pool add' creates one" in r.stderr
        assert psql(url, "SELECT string_agg(tablename, ',') FROM pg_tables WHERE schemaname = 'public'").strip() == "orders"
        assert berth(url, "pool", "add", "--name", "p", "10.0.0.0/24").returncode == 0
        assert berth(url, "list").returncode == 0
    finally:
        psql(PG_URL, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.mark.parametrize("args,message", [
    (["allocate", "--pool", "p", "--size", "-1"],
     "invalid --size '-1': a prefix length is not negative; give 0 to 128 (32 at most for IPv4), e.g. --size 24"),
    (["allocate", "--pool", "p", "--size", "28", "--lease", "1h1h"],
     "invalid duration '1h1h' for --lease: it repeats the unit 'h'; write each unit once; for example 90s, 1h30m, 7d, 1y or 0"),
    (["allocate", "--pool", "p", "--size", "28", "--lease", "30m1h"],
     "invalid duration '30m1h' for --lease: it has 'h' after 'm'; write the largest unit first; for example 90s, 1h30m, 7d, 1y or 0"),
    (["allocate", "--pool", "p", "--size", "28", "--lease", "-1h"],
     "invalid duration '-1h' for --lease: it is negative; durations are zero or more; for example 90s, 1h30m, 7d, 1y or 0"),
    (["release", "10.0.0.0/28", "--quarantine", "-5m"],
     "invalid duration '-5m' for --quarantine: it is negative; durations are zero or more; for example 90s, 1h30m, 7d, 1y or 0"),
    (["release", "10.0.0.0/28", "--quarantine", "101y"],
     "invalid duration '101y' for --quarantine: it is longer than the maximum 100y; for example 90s, 1h30m, 7d, 1y or 0"),
    (["pool", "add", "--name", "mapped", "::ffff:10.8.0.0/112"],
     "pool ::ffff:10.8.0.0/112 is IPv4-mapped IPv6 (::ffff:0:0/96) and names the IPv4 addresses 10.8.0.0/16: "
     "add the IPv4 pool 10.8.0.0/16 instead"),
    (["pool", "add", "--name", "mapped", "::ffff:0:0/96"],
     "pool ::ffff:0.0.0.0/96 is IPv4-mapped IPv6 (::ffff:0:0/96) and names the IPv4 addresses 0.0.0.0/0: "
     "add the IPv4 pool 0.0.0.0/0 instead"),
    (["pool", "add", "--name", "wide", "::/64"],
     "pool ::/64 contains the IPv4-mapped range ::ffff:0:0/96, which names IPv4 addresses: "
     "use IPv4 pools for IPv4 space and an IPv6 range outside ::ffff:0:0/96"),
])
def test_flag_values_refused_precisely(tmp_path, args, message):
    store = tmp_path / "s.sqlite"
    assert berth(store, "pool", "add", "--name", "p", "10.8.0.0/16").returncode == 0
    assert berth(store, "allocate", "--pool", "p", "--size", "28").returncode == 0
    r = berth(store, *args)
    assert (r.returncode, r.stdout, r.stderr) == (1, "", f"berth: error: {message}\n")


def test_durations_in_years_and_weeks(tmp_path):
    store = tmp_path / "s.sqlite"
    assert berth(store, "pool", "add", "--name", "p", "10.8.0.0/16", "--quarantine", "1y").returncode == 0
    r = berth(store, "allocate", "--pool", "p", "--size", "28", "--lease", "2w1d", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert '"expires_at": "2025-01-16T00:00:00Z"' in r.stdout
    r = berth(store, "release", "10.8.0.0/28", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert '"quarantine_until": "2026-01-01T00:00:00Z"' in r.stdout
