#!/usr/bin/env python3
"""Where one client's time goes on `berth serve`: N sequential requests over one keep-alive
connection for each of /healthz (no token, no store), GET /api/v1/pools/NAME (token check, then a
read) and POST .../allocations (token check, then a write: one commit), with per request the
latency (p50, p99), the server's CPU time and its context switches (all threads, from /proc), and
how latencies fall on the kernel's tick. Prints the load average before and after: on a busy
machine a woken thread waits for a CPU.

    python3 Benchmarks/server_latency.py BERTH_BINARY [N]      (default N = 1000)
"""
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time


def main():
    berth, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    work = tempfile.mkdtemp(prefix="berth-latency.")
    store = os.path.join(work, "bench.sqlite")
    env = dict(os.environ, BERTH_LOG_LEVEL="error")
    env.pop("BERTH_NOW", None)
    subprocess.run([berth, "ip", "pool", "add", "--name", "bench", "10.0.0.0/12", "--store", store], check=True, capture_output=True)
    tok = subprocess.run([berth, "ip", "token", "create", "--name", "bench", "--scope", "allocate", "--store", store],
                         check=True, capture_output=True, text=True).stdout.strip()
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    srv = subprocess.Popen([berth, "serve", "--store", store, "--listen", f"127.0.0.1:{port}"], stderr=subprocess.DEVNULL, env=env)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        hz = os.sysconf("SC_CLK_TCK")

        def usage():
            fields = open(f"/proc/{srv.pid}/stat").read().rsplit(")", 1)[1].split()
            switches = 0
            for task in os.listdir(f"/proc/{srv.pid}/task"):
                for line in open(f"/proc/{srv.pid}/task/{task}/status"):
                    if "ctxt_switches" in line:
                        switches += int(line.split()[1])
            return (int(fields[11]) + int(fields[12])) / hz, switches

        conn = http.client.HTTPConnection("127.0.0.1", port)
        headers = {"Authorization": "Bearer " + tok, "Content-Type": "application/json"}
        print(f"load average before: {open('/proc/loadavg').read().split()[:3]}")
        print(f"{'request':34s} {'p50 ms':>7s} {'p99 ms':>7s} {'CPU ms':>7s} {'switches':>8s} {'on 4 ms ticks':>13s}")
        for label, method, path, body in [
            ("GET /healthz", "GET", "/healthz", None),
            ("GET /api/v1/pools/bench", "GET", "/api/v1/pools/bench", None),
            ("POST /api/v1/pools/bench/allocations", "POST", "/api/v1/pools/bench/allocations", "alloc"),
        ]:
            (cpu0, sw0), lat = usage(), []
            for i in range(n):
                data = json.dumps({"size": 32, "requestId": f"lat-{i}"}).encode() if body else None
                t0 = time.perf_counter()
                conn.request(method, path, body=data, headers=headers)
                r = conn.getresponse()
                r.read()
                lat.append((time.perf_counter() - t0) * 1000)
                assert r.status < 300, (path, r.status)
            cpu1, sw1 = usage()
            lat.sort()
            # Share of requests within 0.3 ms of a multiple of 4 ms (and at least 3.7 ms).
            ticks = sum(1 for x in lat if x > 3.7 and min(x % 4, 4 - x % 4) < 0.3) / n
            print(f"{label:34s} {lat[n // 2]:7.2f} {lat[int(n * 0.99)]:7.2f} {(cpu1 - cpu0) / n * 1000:7.3f} "
                  f"{(sw1 - sw0) / n:8.1f} {ticks:12.0%}")
        print(f"load average after: {open('/proc/loadavg').read().split()[:3]}")
    finally:
        srv.terminate()
        srv.wait()


if __name__ == "__main__":
    main()
