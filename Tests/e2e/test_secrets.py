"""Secrets never reach output: distinctive values are planted where berth reads them (an env
literal under a secret-looking name, URL passwords in env values, block and flow styles, a
staging override that differs from production, store passwords in --store and $BERTH_STORE
in URL, query and key=value forms, a malformed URL libpq echoes), then every subcommand runs
and its stdout, stderr and written files are searched for them.
"""
import os
import pathlib
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BERTH = os.environ.get("BERTH_BIN", str(ROOT / ".build" / "debug" / "berth"))
ACME = ROOT / "examples" / "acme"
PRICES = ROOT / "examples" / "prices" / "aws-eu-west-1.yaml"

# Each value is distinctive, so finding it anywhere is a leak.
ENV_SECRET = "PlantedEnvS3cret7f3a"
STAGING_SECRET = "PlantedStagingS3cret55d1"
URL_PASSWORD = "PlantedUrlPw91c2"
STAGING_URL_PASSWORD = "PlantedStagingPw0b7e"
BLOCK_TOKEN = "PlantedBlockTok3d9e"
QUOTED_TOKEN = "PlantedQuotedTokaa12"
QUERY_PASSWORD = "PlantedQueryPw8e41"
SPEC_SECRETS = [ENV_SECRET, STAGING_SECRET, URL_PASSWORD, STAGING_URL_PASSWORD, BLOCK_TOKEN, QUOTED_TOKEN, QUERY_PASSWORD]

STORE_QUERY_PASSWORD = "PlantedStoreQuery11"
STORE_USERINFO_PASSWORD = "PlantedStoreUser22"
STORE_CONNINFO_PASSWORD = "PlantedStoreKv33"
STORE_MALFORMED_PASSWORD = "PlantedStoreMalformed44"
STORE_SECRETS = [STORE_QUERY_PASSWORD, STORE_USERINFO_PASSWORD, STORE_CONNINFO_PASSWORD, STORE_MALFORMED_PASSWORD]

ANCHOR = """    uses: [bucket/uploads:read]
    team: storefront
    overrides:
      development: { replicas: { min: 1, max: 1 } }
      staging: { replicas: { min: 2, max: 3 } }
"""

PLANTED = f"""    uses: [bucket/uploads:read]
    team: storefront
    env:
      DB_PASSWORD: {ENV_SECRET}
      DATABASE_URL: "postgres://app:{URL_PASSWORD}@db.internal:5432/app"
      REPLICA_DSN: https://db.internal/app?sslmode=require&password={QUERY_PASSWORD}
      API_TOKEN: |
        {BLOCK_TOKEN}
      "SERVICE_TOKEN": '{QUOTED_TOKEN}'
      LOG_LEVEL: info
    overrides:
      development: {{ replicas: {{ min: 1, max: 1 }} }}
      staging: {{ replicas: {{ min: 2, max: 3 }}, env: {{ DB_PASSWORD: {STAGING_SECRET}, DATABASE_URL: "postgres://app:{STAGING_URL_PASSWORD}@db/app" }} }}
"""


def run(*args, env=None, cwd=None):
    e = dict(os.environ)
    e.pop("BERTH_STORE", None)
    e["NO_COLOR"] = "1"
    if env:
        e.update(env)
    return subprocess.run([BERTH, *map(str, args)], capture_output=True, text=True, env=e, timeout=300, cwd=cwd)


def assert_clean(r, secrets, what):
    for s in secrets:
        assert s not in r.stdout, f"{what}: stdout shows {s}"
        assert s not in r.stderr, f"{what}: stderr shows {s}"


def tree_text(folder):
    out = []
    for p in pathlib.Path(folder).rglob("*"):
        if p.is_file():
            out.append(p.read_bytes().decode("utf-8", "replace"))
    return "\n".join(out)


@pytest.fixture
def planted(tmp_path):
    d = tmp_path / "planted"
    shutil.copytree(ACME, d)
    spec = d / "platform.yaml"
    text = spec.read_text()
    assert text.count(ANCHOR) == 1
    spec.write_text(text.replace(ANCHOR, PLANTED))
    return spec


def test_check_refuses_plain_secrets_with_located_errors(planted):
    r = run("check", planted)
    assert r.returncode == 1
    assert_clean(r, SPEC_SECRETS, "check")
    lines = [l for l in r.stderr.splitlines() if ": error: " in l]
    # file:line:col, the env var, and where credentials go instead.
    assert f"{planted}:150:20: error: service 'search' sets env DB_PASSWORD to a literal value, and the name looks like a credential: " \
        "list the secret under services.search.secrets (rendered as an ExternalSecret from security.secrets.store) and remove DB_PASSWORD from env" in lines
    assert any(f"{planted}:151:21: error: service 'search' sets env DATABASE_URL to a value with a password in it (URL userinfo or password=)" in l
               for l in lines)
    assert any("sets env REPLICA_DSN to a value with a password in it" in l for l in lines)
    assert any("sets env API_TOKEN to a literal value" in l for l in lines)
    assert any("sets env SERVICE_TOKEN to a literal value" in l for l in lines)
    assert any("sets env DB_PASSWORD (override for 'staging') to a literal value" in l for l in lines)
    assert len(lines) == 7, r.stderr
    # The source line under the error keeps its shape, with the value hidden.
    assert "      DB_PASSWORD: <redacted>\n" in r.stderr
    assert '      DATABASE_URL: "postgres://app:<redacted>@db.internal:5432/app"\n' in r.stderr
    # The staging-parity notes name the differing variables without their values.
    assert "note: staging differs from production for service 'search': env DB_PASSWORD '<redacted>' (production '<redacted>')" in r.stderr
    assert "env DATABASE_URL 'postgres://app:<redacted>@db/app' (production 'postgres://app:<redacted>@db.internal:5432/app')" in r.stderr


def test_every_spec_command_keeps_secrets_out(planted, tmp_path):
    clean_spec = ACME / "platform.yaml"
    runs = {
        "check": run("check", planted),
        "check json": run("check", planted, "--format", "json"),
        "check strict": run("check", planted, "--strict"),
        "render": run("render", planted, "--out", tmp_path / "out"),
        "docs": run("docs", planted, "--out", tmp_path / "docs"),
        "audit": run("audit", planted),
        "audit json": run("audit", planted, "--format", "json"),
        "audit sarif": run("audit", planted, "--format", "sarif"),
        "capacity": run("capacity", planted),
        "capacity json": run("capacity", planted, "--format", "json"),
        "cost": run("cost", planted, "--prices", PRICES),
        "ip plan": run("ip", "plan", planted),
        "diff clean planted": run("diff", clean_spec, planted),
        "diff planted clean": run("diff", planted, clean_spec),
        "diff json": run("diff", clean_spec, planted, "--format", "json"),
    }
    for what, r in runs.items():
        assert_clean(r, SPEC_SECRETS, what)
        assert "<redacted>" in r.stdout + r.stderr or what.startswith("audit"), what
    # Nothing is written from a spec that holds plain credentials.
    assert runs["render"].returncode == 1 and not (tmp_path / "out").exists()
    assert runs["docs"].returncode == 1 and not (tmp_path / "docs").exists()
    for what in ("check", "capacity", "cost", "ip plan"):
        assert runs[what].returncode == 1, what
    assert runs["diff clean planted"].returncode == 2
    # The audit still reports every plain credential, by name, as BERTH-SEC-002.
    audit = runs["audit"].stdout
    for name in ("DB_PASSWORD", "DATABASE_URL", "REPLICA_DSN", "API_TOKEN", "SERVICE_TOKEN"):
        assert f"BERTH-SEC-002: service 'search' sets {name} to a" in audit, name
    assert "BERTH-SEC-002" in runs["audit sarif"].stdout


def test_diff_of_render_folders_keeps_secrets_out(tmp_path):
    old = tmp_path / "old"
    r = run("render", ACME / "platform.yaml", "--out", old)
    assert r.returncode == 0, r.stderr
    new = tmp_path / "new"
    shutil.copytree(old, new)
    api = new / "prod-eu" / "acme-production" / "api.yaml"
    text = api.read_text()
    anchor = "        env:\n"
    assert anchor in text
    api.write_text(text.replace(anchor, anchor + f"        - name: DB_PASSWORD\n          value: {ENV_SECRET}\n"
                                + f"        - name: DATABASE_URL\n          value: postgres://app:{URL_PASSWORD}@db/app\n", 1))
    for args in (("diff", old, new), ("diff", new, old), ("diff", old, new, "--format", "json")):
        r = run(*args)
        assert r.returncode == 1, r.stderr
        assert_clean(r, SPEC_SECRETS, " ".join(map(str, args)))
    # A render file that no longer parses: the parser's message quotes the line; it is hidden.
    worker = new / "prod-eu" / "acme-production" / "worker.yaml"
    worker.write_text(worker.read_text().replace(anchor, anchor + f'        - name: API_TOKEN\n          API_TOKEN: "{BLOCK_TOKEN}\n', 1))
    r = run("diff", old, new)
    assert r.returncode == 2 and "not YAML" in r.stderr
    assert_clean(r, SPEC_SECRETS, "diff of an unparsable folder")


LEDGER_COMMANDS = [
    ["ip", "pool", "add", "--name", "p", "10.0.0.0/24"],
    ["ip", "pool", "list"],
    ["ip", "reserve", "--pool", "p", "10.0.0.0/28", "--owner", "o"],
    ["ip", "allocate", "--pool", "p", "--size", "28"],
    ["ip", "release", "10.0.0.0/28"],
    ["ip", "list"],
    ["ip", "show", "10.0.0.1"],
    ["ip", "usage"],
    ["ip", "history", "10.0.0.1"],
    ["ip", "check"],
]

STORES = [
    (f"postgres://u@127.0.0.1:1/db?password={STORE_QUERY_PASSWORD}", "postgres://u@127.0.0.1:1/db?password=<redacted>"),
    (f"postgresql://u:{STORE_USERINFO_PASSWORD}@127.0.0.1:1/db?sslmode=disable", "postgresql://u:<redacted>@127.0.0.1:1/db?sslmode=disable"),
    (f"host=127.0.0.1 port=1 user=u password={STORE_CONNINFO_PASSWORD} dbname=x", "host=127.0.0.1 port=1 user=u password=<redacted> dbname=x"),
    (f"postgres://u:{STORE_MALFORMED_PASSWORD}@[::1:1/db", "postgres://u:<redacted>@[::1:1/db"),
]


@pytest.mark.parametrize("store,shown", STORES)
def test_store_passwords_never_printed(store, shown):
    for args in LEDGER_COMMANDS:
        for how in ("flag", "env"):
            if how == "flag":
                r = run(*args, "--store", store)
            else:
                r = run(*args, env={"BERTH_STORE": store})
            assert r.returncode == 1, (args, r.stderr)
            assert_clean(r, STORE_SECRETS, f"{args} ({how})")
            assert r.stderr.startswith(f"berth: error: cannot open store {shown}: "), r.stderr


def test_store_password_scrubbed_from_libpq_echo():
    # libpq quotes the whole URI when it cannot parse it; the password is hidden there too.
    r = run("ip", "list", "--store", f"postgres://u:{STORE_MALFORMED_PASSWORD}@[::1:1/db")
    assert r.stderr == ('berth: error: cannot open store postgres://u:<redacted>@[::1:1/db: end of string reached when looking for '
                        'matching "]" in IPv6 host address in URI: "postgres://u:<redacted>@[::1:1/db"\n')
