"""The output folder of `berth render` (and `berth docs`) under hostile conditions: concurrent
renders, inputs inside --out, symbolic links, read-only trees, mount points, FIFOs, and
I/O errors that must name the path and the cause.

Run by scripts/test.sh with BERTH_BIN pointing at the built executable.
"""
import fcntl
import os
import pathlib
import shutil
import stat
import subprocess
import tempfile

import pytest

from test_cli import BERTH, EXAMPLE, ROOT, berth

ONPREM = ROOT / "examples" / "onprem" / "platform.yaml"
NOBODY = 65534


def tree(path: pathlib.Path) -> dict:
    """Every entry under path: files by bytes, links by target, folders by name."""
    out = {}
    for p in sorted(path.rglob("*")):
        rel = str(p.relative_to(path))
        if p.is_symlink():
            out[rel] = ("link", os.readlink(p))
        elif p.is_file():
            out[rel] = p.read_bytes()
        else:
            out[rel] = "dir"
    return out


@pytest.fixture(scope="module")
def references(tmp_path_factory):
    base = tmp_path_factory.mktemp("refs")
    refs = {}
    for name, spec in (("acme", EXAMPLE), ("onprem", ONPREM)):
        r = berth("render", spec, "--out", base / name)
        assert r.returncode == 0, r.stderr
        refs[spec] = tree(base / name)
    assert refs[EXAMPLE] != refs[ONPREM]
    return refs


def test_concurrent_renders_of_two_specs_leave_one_complete_tree(tmp_path, references):
    out = tmp_path / "out"
    for round_no in range(8):
        specs = [EXAMPLE, ONPREM, EXAMPLE, ONPREM] if round_no % 2 else [ONPREM, EXAMPLE, ONPREM, EXAMPLE]
        procs = [subprocess.Popen([BERTH, "render", str(s), "--out", str(out)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for s in specs]
        results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
        for p in procs:
            p.stderr.close()
        assert [rc for rc, _ in results] == [0, 0, 0, 0], (round_no, [e[-400:] for _, e in results])
        got = tree(out)
        assert ".berth-output" in got, round_no
        assert got == references[EXAMPLE] or got == references[ONPREM], f"round {round_no}: a mix of both specs or a partial tree"
        assert sorted(x.name for x in tmp_path.iterdir()) == ["out"], "no staging folder or lock file is left"


def test_a_second_render_waits_for_the_lock_then_gives_up_with_a_message(tmp_path):
    out = tmp_path / "out"
    assert berth("render", EXAMPLE, "--out", out).returncode == 0
    before = tree(out)
    lock = tmp_path / ".out.berth-lock"
    with open(lock, "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        r = berth("render", EXAMPLE, "--out", out, env={"BERTH_LOCK_TIMEOUT": "1"})
    assert r.returncode == 2
    assert f"berth: waiting for another berth writing '{out}' (at most 1 s)\n" in r.stderr
    assert r.stderr.endswith(f"berth: error: another berth is writing '{out}' (it holds the lock file '{lock}'); "
                             "gave up after 1 s; set BERTH_LOCK_TIMEOUT to wait longer\n")
    assert tree(out) == before
    assert berth("render", EXAMPLE, "--out", out).returncode == 0
    assert sorted(x.name for x in tmp_path.iterdir()) == ["out"]


def test_staging_folder_of_a_dead_run_is_removed(tmp_path, references):
    out = tmp_path / "out"
    assert berth("render", EXAMPLE, "--out", out).returncode == 0
    dead = tmp_path / ".out.berth-new-999999"
    (dead / "x").mkdir(parents=True)
    (dead / "x" / "y.yaml").write_text("half")
    assert berth("render", ONPREM, "--out", out).returncode == 0
    assert sorted(x.name for x in tmp_path.iterdir()) == ["out"]
    assert tree(out) == references[ONPREM]


@pytest.mark.parametrize("which", ["spec", "versions", "lock"])
@pytest.mark.parametrize("command", ["render", "docs"])
def test_an_input_inside_out_is_refused_and_nothing_is_touched(tmp_path, which, command):
    home = tmp_path / "H"
    (home / ".git").mkdir(parents=True)
    (home / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (home / ".berth-output").write_text("")  # even a folder berth wrote
    shutil.copy(EXAMPLE, home / "platform.yaml")
    shutil.copy(EXAMPLE.parent / "versions.yaml", home / "versions.yaml")
    assert berth("ip", "plan", home / "platform.yaml", "--write").returncode == 0
    assert (home / "ip-plan.lock").exists()
    args = [command]
    if which == "spec":
        args += [home / "platform.yaml"]
        inside, what = home / "platform.yaml", "spec"
    else:
        outside = tmp_path / "spec"
        outside.mkdir()
        shutil.copy(EXAMPLE, outside / "platform.yaml")
        args += [outside / "platform.yaml"]
        if which == "versions":
            args += ["--versions", home / "versions.yaml"]
            inside, what = home / "versions.yaml", "versions file"
        else:
            (home / "ip.lock").write_text('{"berthIPLock": 1, "ranges": {}}\n')
            args += ["--lock", home / "ip.lock"]
            inside, what = home / "ip.lock", "lock file"
    before = tree(home)
    r = berth(*args, "--out", home)
    assert r.returncode == 2, r.stderr
    assert r.stderr == (f"berth: error: refusing to write to '{home}': the {what} '{inside}' lies inside it, and berth "
                        "replaces that folder; choose an --out outside the folders of the inputs\n")
    assert tree(home) == before
    assert sorted(x.name for x in tmp_path.iterdir()) == (["H"] if which == "spec" else ["H", "spec"])


def test_a_spec_in_a_subfolder_of_out_is_refused(tmp_path):
    (tmp_path / "H" / "deep").mkdir(parents=True)
    shutil.copy(EXAMPLE, tmp_path / "H" / "deep" / "platform.yaml")
    r = berth("render", tmp_path / "H" / "deep" / "platform.yaml", "--out", str(tmp_path / "H") + "/")
    assert r.returncode == 2 and "lies inside it" in r.stderr
    assert (tmp_path / "H" / "deep" / "platform.yaml").exists()


def test_existing_non_empty_folder_without_marker_is_refused(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / ".hidden").write_text("mine")
    r = berth("render", EXAMPLE, "--out", out)
    assert r.returncode == 2
    assert r.stderr.endswith(f"berth: error: refusing to replace '{out}': it is not empty and was not written by berth "
                             "(no .berth-output file); choose another --out or empty it\n")
    assert tree(out) == {".hidden": b"mine"}


@pytest.mark.parametrize("command", ["render", "docs"])
def test_symlink_as_out_is_refused(tmp_path, command):
    real = tmp_path / "real"
    assert berth(command, EXAMPLE, "--out", real).returncode == 0
    before = tree(real)
    link = tmp_path / "link"
    link.symlink_to("real")
    r = berth(command, EXAMPLE, "--out", link)
    assert r.returncode == 2
    assert r.stderr == f"berth: error: refusing to write to '{link}': it is a symbolic link (to 'real'); give the folder itself as --out\n"
    assert link.is_symlink() and os.readlink(link) == "real"
    assert tree(real) == before


def test_symlinks_planted_in_the_output_do_not_survive(tmp_path, references):
    out = tmp_path / "out"
    assert berth("render", EXAMPLE, "--out", out).returncode == 0
    victim = tmp_path / "victim.txt"
    victim.write_text("secret\n")
    (out / "planted").symlink_to(victim)
    # A symlink where a rendered file was, pointing at a file with the very same bytes.
    some = sorted(p for p in out.rglob("*.yaml"))[0]
    copy = tmp_path / "same.yaml"
    shutil.copy(some, copy)
    some.unlink()
    some.symlink_to(copy)
    # A symlinked folder in place of a rendered folder.
    folder = sorted(p for p in out.iterdir() if p.is_dir())[0]
    moved = tmp_path / "moved"
    folder.rename(moved)
    folder.symlink_to(moved)
    assert berth("render", EXAMPLE, "--out", out).returncode == 0
    got = tree(out)
    assert not any(isinstance(v, tuple) for v in got.values()), "no symlink is carried over"
    assert got == references[EXAMPLE]
    assert victim.read_text() == "secret\n"
    assert copy.read_bytes() == some.read_bytes() and os.stat(copy).st_ino != os.stat(some).st_ino


def as_nobody():
    os.setgid(NOBODY)
    os.setuid(NOBODY)


def nobody_dir():
    d = pathlib.Path(tempfile.mkdtemp(prefix="berth-ro-"))
    d.chmod(0o755)
    os.chown(d, NOBODY, NOBODY)
    return d


def run_unprivileged(*args):
    kw = {"preexec_fn": as_nobody} if os.geteuid() == 0 else {}
    return subprocess.run([BERTH, *map(str, args)], capture_output=True, text=True, timeout=120, **kw)


def chown_tree(path):
    if os.geteuid() == 0:
        for p in [path, *path.rglob("*")]:
            os.lchown(p, NOBODY, NOBODY)


def test_read_only_old_tree_fails_naming_the_path_and_leaves_no_debris():
    d = nobody_dir()
    try:
        out = d / "out"
        assert berth("render", EXAMPLE, "--out", out).returncode == 0
        chown_tree(out)
        locked = sorted(p for p in out.iterdir() if p.is_dir())[0]
        locked.chmod(0o555)
        before = tree(out)
        r = run_unprivileged("render", EXAMPLE, "--out", out)
        assert r.returncode == 2, r.stderr
        assert r.stderr.endswith(f"berth: error: cannot replace '{out}': the old output cannot be removed: '{locked}': Permission denied\n")
        assert tree(out) == before
        assert sorted(x.name for x in d.iterdir()) == ["out"]
    finally:
        for p in d.rglob("*"):
            if p.is_dir() and not p.is_symlink():
                p.chmod(0o755)
        shutil.rmtree(d)


def test_unwritable_parent_names_the_path_and_the_cause():
    d = nobody_dir()
    try:
        parent = d / "ro"
        parent.mkdir()
        chown_tree(parent)
        parent.chmod(0o555)
        r = run_unprivileged("render", EXAMPLE, "--out", parent / "out")
        assert r.returncode == 2
        assert r.stderr.endswith(f"berth: error: cannot open the lock file '{parent}/.out.berth-lock': Permission denied\n")
        assert "error 1" not in r.stderr and "error 512" not in r.stderr
        r = run_unprivileged("docs", EXAMPLE, "--out", parent / "docs")
        assert r.returncode == 2
        assert r.stderr.endswith(f"berth: error: cannot create the folder '{parent}/docs': Permission denied\n")
    finally:
        (d / "ro").chmod(0o755)
        shutil.rmtree(d)


def test_a_mount_point_as_out_is_replaced_in_place(tmp_path, references):
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    script = (f"mount -t tmpfs berth-test '{mnt}' || exit 77; "
              f"'{BERTH}' render '{EXAMPLE}' --out '{mnt}' 2>/dev/null || exit 1; "
              f"'{BERTH}' render '{ONPREM}' --out '{mnt}' 2>/dev/null || exit 2; "
              f"cp -a '{mnt}' '{tmp_path}/copy'")
    r = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=300)
    if r.returncode == 77 or "unshare failed" in r.stderr or "Operation not permitted" in r.stderr:
        pytest.skip("cannot mount a tmpfs here: " + r.stderr.strip())
    assert r.returncode == 0, r.stderr
    assert tree(tmp_path / "copy") == references[ONPREM]


@pytest.mark.parametrize("which", ["spec", "versions", "lock"])
def test_fifo_input_is_refused_without_blocking(tmp_path, which):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    args = {"spec": [fifo], "versions": [EXAMPLE, "--versions", fifo], "lock": [EXAMPLE, "--lock", fifo]}[which]
    expected = {"spec": "a YAML file", "versions": "a YAML file", "lock": "an IP lock file"}[which]
    r = subprocess.run([BERTH, "check", *map(str, args)], capture_output=True, text=True, timeout=20)
    assert r.returncode == 2
    assert r.stderr == f"berth: error: {fifo}: is a FIFO (named pipe), expected {expected}\n"


def test_a_device_as_spec_is_refused():
    r = subprocess.run([BERTH, "check", "/dev/zero"], capture_output=True, text=True, timeout=20)
    assert r.returncode == 2
    assert r.stderr == "berth: error: /dev/zero: is a device, expected a YAML file\n"
