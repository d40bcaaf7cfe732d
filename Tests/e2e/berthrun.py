"""What end-to-end tests share: the repository, the berth binary under test (BERTH_BIN, which
scripts/test.sh sets) and one way to run it."""
import os
import pathlib
import subprocess

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
BERTH = os.environ.get("BERTH_BIN", str(ROOT / ".build" / "debug" / "berth"))
ACME = ROOT / "examples" / "acme" / "platform.yaml"


def berth(*args, env=None, timeout=120):
    """berth with `args`, its output captured; `env` is added to the environment, from which
    the test hook BERTH_TEST_DROP_OBJECT is removed unless `env` sets it."""
    e = dict(os.environ)
    e.pop("BERTH_TEST_DROP_OBJECT", None)
    e.update(env or {})
    return subprocess.run([BERTH, *map(str, args)], capture_output=True, text=True, env=e, timeout=timeout)


def docs(path):
    """The YAML documents of a file, empty ones left out."""
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d]
