#!/usr/bin/env python3
"""Times a command over several runs: median and min wall time, peak RSS of the child.

    timeit.py --runs 5 [--before 'shell cmd run untimed before each run'] -- CMD ARGS...

Prints one JSON object: {"median_s":..,"min_s":..,"max_rss_mb":..,"runs":..}.
"""
import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

p = argparse.ArgumentParser()
p.add_argument("--runs", type=int, default=5)
p.add_argument("--before", default="")
p.add_argument("cmd", nargs=argparse.REMAINDER)
a = p.parse_args()
cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
times, rss = [], []
for _ in range(a.runs):
    if a.before:
        subprocess.run(a.before, shell=True, check=True)
    t = time.perf_counter()
    # stderr goes to a file, not a pipe: a command that prints more than a pipe holds (a
    # check with hundreds of warnings) would block on a pipe nobody reads until it exits.
    with tempfile.TemporaryFile() as errfile:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=errfile)
        _, status, usage = os.wait4(proc.pid, 0)
        dt = time.perf_counter() - t
        errfile.seek(0)
        err = errfile.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"timeit: command failed ({shlex.join(cmd)}): {err[-400:]}")
    times.append(dt)
    rss.append(usage.ru_maxrss / 1024)
print(json.dumps({"median_s": round(statistics.median(times), 4), "min_s": round(min(times), 4),
                  "max_rss_mb": round(max(rss), 1), "runs": a.runs}))
