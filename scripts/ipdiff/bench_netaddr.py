#!/usr/bin/env python3
"""The ipdiff-driver --bench workload done in memory with Python's netaddr.

Usage (netaddr must be installed, e.g. in a venv):
    python3 scripts/ipdiff/bench_netaddr.py [--allocs 200]

Prints the same keys as `ipdiff-driver --bench`:
    alloc_next_24_median_us=...   median time of one best-fit /24 allocation in
                                  10.0.0.0/8 after pre-filling 100,000 allocations
    contains_overlap_1m_s=...     time for 1,000,000 checks: 500,000 "address in
                                  set" (the prefilled set), 250,000 "prefix
                                  contains prefix" and 250,000 "prefixes overlap"
plus alloc_first, alloc_200th and contains_overlap_hits, which must equal the
Swift figures (same splitmix64 stream, same layout, same best-fit rule).

Allocation uses the fastest honest approach with netaddr's public API: the
free space is kept as an IPSet (pool minus the prefill); each allocation walks
free.iter_cidrs() (canonical maximal CIDRs, address order) for the smallest
block whose length is <= 24, lowest address on ties, takes its first /24 and
removes it from the free IPSet. Swift allocates 500 blocks; by default this
script times the first 200 of the same sequence (each one is slow).
"""

import argparse
import statistics
import sys
import time

try:
    from netaddr import IPAddress, IPNetwork, IPSet
except ImportError:  # pragma: no cover
    sys.exit("bench_netaddr.py needs netaddr: pip install netaddr")

MASK64 = (1 << 64) - 1
POOL_BASE = 0x0A000000  # 10.0.0.0/8


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK64

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)


def layout():
    """The 100,000 prefill allocations as (first address, length); mirrors Bench.swift."""
    rng = SplitMix64(2024)
    gaps = [0, 0, 0, 0, 8, 32, 64, 256]
    cursor = 0
    out = []
    for _ in range(100_000):
        length = 25 + rng.next() % 6
        size = 1 << (32 - length)
        cursor += gaps[rng.next() % 8]
        cursor = (cursor + size - 1) & ~(size - 1)
        out.append((POOL_BASE + cursor, length))
        cursor += size
    assert cursor < 1 << 24, "layout overflows the /8"
    return out


def main():
    ap = argparse.ArgumentParser(description="netaddr version of ipdiff-driver --bench")
    ap.add_argument("--allocs", type=int, default=200, help="number of /24 allocations to time (at least 200)")
    args = ap.parse_args()
    if args.allocs < 200:
        ap.error("--allocs must be at least 200")

    pool = IPNetwork("10.0.0.0/8")
    allocated = [IPNetwork((start, length)) for start, length in layout()]
    t0 = time.perf_counter()
    used = IPSet(allocated)
    free = IPSet([pool]) - used
    prefill = time.perf_counter() - t0

    # (a) successive best-fit /24 allocations.
    samples = []
    first = nth = None
    for i in range(args.allocs):
        t0 = time.perf_counter()
        best = None
        for cidr in free.iter_cidrs():
            if cidr.prefixlen <= 24 and (best is None or cidr.prefixlen > best.prefixlen):
                best = cidr
                if cidr.prefixlen == 24:
                    break
        if best is None:
            sys.exit("pool exhausted")
        block = IPNetwork((best.first, 24))
        free.remove(block)
        samples.append((time.perf_counter() - t0) * 1e6)
        if i == 0:
            first = block
        if i == 199:
            nth = block

    # (b) one million checks on pre-built inputs (same stream as Bench.swift).
    rng = SplitMix64(7)
    addresses = [IPAddress(POOL_BASE + (rng.next() & 0xFFFFFF)) for _ in range(500_000)]
    pairs = []
    for _ in range(500_000):
        a = allocated[rng.next() % len(allocated)]
        length = 16 + rng.next() % 17
        start = POOL_BASE + (rng.next() & 0xFFFFFF)
        b = IPNetwork((start, length)).cidr
        pairs.append((a, b))
    hits = 0
    t0 = time.perf_counter()
    for a in addresses:
        if a in used:
            hits += 1
    for a, b in pairs[:250_000]:
        if b in a:
            hits += 1
    for a, b in pairs[250_000:]:
        if a.first <= b.last and b.first <= a.last:
            hits += 1
    checks = time.perf_counter() - t0

    print("prefill_100k_s=%.3f" % prefill)
    print("alloc_first=%s alloc_200th=%s" % (first, nth))
    print("contains_overlap_hits=%d" % hits)
    print("alloc_next_24_median_us=%.3f" % statistics.median(samples))
    print("contains_overlap_1m_s=%.3f" % checks)


if __name__ == "__main__":
    main()
