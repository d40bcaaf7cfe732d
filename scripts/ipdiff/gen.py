#!/usr/bin/env python3
"""Differential-test case generator for BerthNet, using Python's ipaddress as the oracle.

Usage:
    python3 scripts/ipdiff/gen.py --seed 1 --count 120000 > cases.jsonl
    python3 scripts/ipdiff/gen.py 1 120000 > cases.jsonl          # same, positional

Writes one JSON object per line: {"op": ..., inputs..., "out": expected}; an
expected value of null means Python raises (the input is invalid). The
ipdiff-driver executable reads the file and checks every case against BerthNet.

Ops: addr (parse/print, ipv4_mapped), net (parse strict or not, last address,
address count), contains (address in network), subnet_of, overlaps, supernet,
subnets (first few and count), collapse (collapse_addresses), exclude
(address_exclude, in Python's order), summarize (summarize_address_range),
sort (network ordering).

Deliberate differences from Python, where BerthNet is stricter and the
expected value is therefore overridden to "error" (such cases carry a "dev"
field naming the rule):
  zone     IPv6 zone ids ("fe80::1%eth0") are rejected.
  nolen    a network without "/length" is rejected (Python reads it as /32 or /128).
  lenform  a length must be plain decimal without leading zeros ("/08" and
           netmask forms like "/255.0.0.0" are rejected).
Python quirks that are not generated at all: supernet() of a /0 with another
new length (Python returns the /0), and subnets() of a host prefix (/32,
/128) with another new length (Python yields the host prefix).

IPv4-mapped IPv6 addresses print in the mixed notation RFC 5952 section 5
recommends (::ffff:1.2.3.4), as BerthNet and Python 3.13 do; on older Pythons,
which print them in hex (::ffff:102:304), gen.py gives IPv6Address the 3.13
str() first, so every expected text (addresses, networks, subnets, ...) follows it.
"""

import argparse
import ipaddress
import json
import multiprocessing
import os
import random
import re
import sys

if str(ipaddress.IPv6Address("::ffff:1.2.3.4")) != "::ffff:1.2.3.4":  # Python < 3.13
    _hex_str = ipaddress.IPv6Address.__str__

    def _rfc5952_str(self):
        mapped = self.ipv4_mapped
        return "::ffff:%s" % mapped if mapped is not None else _hex_str(self)

    ipaddress.IPv6Address.__str__ = _rfc5952_str

V4, V6 = 4, 6
BITS = {V4: 32, V6: 128}
PLAIN_LEN = re.compile(r"^(0|[1-9][0-9]*)$")
NOISE = ":.0123456789abcdefABCDEFg/% -x"
CHUNK = 5000


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    # ---------- values ----------

    def v4_int(self):
        r = self.r
        k = r.random()
        if k < 0.05:
            return r.choice([0, 0xFFFFFFFF, 1, 0x7F000001, 0xFFFFFFFE, 0x80000000])
        if k < 0.35:
            # few distinct octets, many zeros
            return int.from_bytes(bytes(r.choice([0, 0, 1, 10, 127, 192, 255, r.randrange(256)]) for _ in range(4)), "big")
        return r.getrandbits(32)

    def v6_int(self):
        r = self.r
        k = r.random()
        if k < 0.05:
            return r.choice([0, 1, (1 << 128) - 1, 1 << 127, 0xFFFF << 32, 0x20010DB8 << 96])
        if k < 0.20:
            return (0xFFFF << 32) | self.v4_int()  # IPv4-mapped
        if k < 0.25:
            return self.v4_int()  # IPv4-compatible
        if k < 0.30:
            return (0xFFFF << 48) | (self.v4_int())  # ::ffff:0:a.b.c.d style
        groups = []
        for _ in range(8):
            c = r.random()
            if c < 0.45:
                groups.append(0)
            elif c < 0.6:
                groups.append(r.randrange(16))
            elif c < 0.7:
                groups.append(0xFFFF)
            else:
                groups.append(r.getrandbits(16))
        v = 0
        for g in groups:
            v = (v << 16) | g
        return v

    def addr_int(self, fam):
        return self.v4_int() if fam == V4 else self.v6_int()

    def fam(self):
        return V4 if self.r.random() < 0.5 else V6

    # ---------- text forms ----------

    def v4_text(self, v):
        return ".".join(str((v >> s) & 0xFF) for s in (24, 16, 8, 0))

    def v6_text(self, v):
        """A random valid spelling of v: any zero run compressed, random case and padding, maybe a dotted tail."""
        r = self.r
        groups = [(v >> (112 - 16 * i)) & 0xFFFF for i in range(8)]
        dotted = r.random() < 0.15
        n = 6 if dotted else 8
        runs = []
        i = 0
        while i < n:
            if groups[i] == 0:
                j = i
                while j < n and groups[j] == 0:
                    j += 1
                runs.append((i, j))
                i = j
            else:
                i += 1
        comp = None
        if runs and r.random() < 0.8:
            s, e = r.choice(runs)
            if r.random() < 0.5:  # sometimes compress only part of the run
                s2 = r.randrange(s, e)
                e2 = r.randrange(s2 + 1, e + 1)
                s, e = s2, e2
            comp = (s, e)

        def fmt(g):
            t = "%x" % g
            if r.random() < 0.2:
                t = t.rjust(r.randrange(len(t), 5), "0")
            if r.random() < 0.2:
                t = t.upper()
            return t

        parts = [fmt(g) for g in groups[:n]]
        tail = self.v4_text(v & 0xFFFFFFFF) if dotted else None
        if comp is None:
            body = ":".join(parts)
            if tail is not None:
                body += ":" + tail
            return body
        s, e = comp
        left = ":".join(parts[:s])
        right_parts = parts[e:]
        if tail is not None:
            right_parts = right_parts + [tail]
        right = ":".join(right_parts)
        return left + "::" + right

    def addr_text(self, fam, v):
        return self.v4_text(v) if fam == V4 else self.v6_text(v)

    def mutate(self, s):
        r = self.r
        k = r.random()
        if k < 0.12 or not s:
            i = r.randrange(len(s) + 1)
            return s[:i] + r.choice(NOISE) + s[i:]
        if k < 0.24:
            i = r.randrange(len(s))
            return s[:i] + s[i + 1:]
        if k < 0.36:
            i = r.randrange(len(s))
            return s[:i] + r.choice(NOISE) + s[i + 1:]
        if k < 0.44:
            return s + r.choice(["%eth0", "%1", "%", " ", "\n", ".", ":", "::"])
        if k < 0.50:
            return r.choice([" ", "\t", ":", "::"]) + s
        if k < 0.58:
            # leading zero on a decimal or hex group
            parts = re.split(r"([.:])", s)
            idx = [i for i, p in enumerate(parts) if p and p not in ".:"]
            if idx:
                i = r.choice(idx)
                parts[i] = "0" + parts[i]
            return "".join(parts)
        if k < 0.64:
            return s.replace("::", ":::", 1) if "::" in s else s + "::1"
        if k < 0.70:
            return s + ":" + s
        if k < 0.76:
            return s.replace(":", "", 1)
        if k < 0.82:
            return r.choice(["", ":", "::", ":::", "1:::", "::1::", "1.2.3", "1.2.3.4.5", "256.1.1.1",
                             "1..2.3", "1.2.3.4:", "::1.2.3", "::1.2.3.4.5", "1::2::3", "12345::",
                             "::ffff:1.2.3.04", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:1.2.3.4",
                             "g::", "-1.2.3.4", "+1.2.3.4", "1.2.3.4\x00", "\u0661.2.3.4", "::\u0661"])
        i = r.randrange(len(s))
        j = r.randrange(i, min(len(s), i + 4) + 1)
        return s[:i] + s[j:]

    # ---------- networks ----------

    def length(self, fam):
        r = self.r
        w = BITS[fam]
        k = r.random()
        if k < 0.1:
            return r.choice([0, w, w - 1, 1])
        if fam == V4:
            return r.choice([r.randrange(33), r.randrange(8, 31), r.randrange(16, 33)])
        return r.choice([r.randrange(129), r.randrange(16, 65), r.randrange(32, 129), r.randrange(120, 129)])

    def net(self, fam=None, length=None):
        fam = fam or self.fam()
        length = self.length(fam) if length is None else length
        w = BITS[fam]
        v = self.addr_int(fam)
        v &= ((1 << w) - 1) ^ ((1 << (w - length)) - 1)
        return (ipaddress.IPv4Network if fam == V4 else ipaddress.IPv6Network)((v, length))

    def subnet_in(self, n, extra=None):
        r = self.r
        w = n.max_prefixlen
        if extra is None:
            extra = r.randrange(0, min(w - n.prefixlen, 24) + 1)
        newlen = n.prefixlen + extra
        off = r.getrandbits(max(extra, 1)) & ((1 << extra) - 1) if extra else 0
        base = int(n.network_address) | (off << (w - newlen))
        return n.__class__((base, newlen))

    def related(self, a):
        """A network related to a: subnet, supernet, sibling, equal, or random of either family."""
        r = self.r
        k = r.random()
        if k < 0.3:
            return self.subnet_in(a)
        if k < 0.5 and a.prefixlen > 0:
            return a.supernet(new_prefix=r.randrange(0, a.prefixlen))
        if k < 0.6:
            return a
        if k < 0.75 and a.prefixlen > 0:
            sup = a.supernet(new_prefix=r.randrange(max(0, a.prefixlen - 6), a.prefixlen))
            return self.subnet_in(sup)
        if k < 0.95:
            return self.net(a.version)
        return self.net()


def net_text_variants(g, n):
    """Spelling of a network, possibly with host bits set; returns (text, has_host_bits)."""
    r = g.r
    fam = n.version
    w = n.max_prefixlen
    v = int(n.network_address)
    host_bits = w - n.prefixlen
    if host_bits and r.random() < 0.35:
        v |= r.getrandbits(host_bits) or 1
    return g.addr_text(fam, v) + "/" + str(n.prefixlen)


def length_mutation(g, text):
    r = g.r
    addr = text.split("/")[0]
    choice = r.random()
    if choice < 0.15:
        return addr  # no length
    if choice < 0.25:
        return addr + "/"
    options = ["/33", "/129", "/-1", "/08", "/00", "/ 8", "/8 ", "/+8", "/1e1", "/8/8", "//8",
               "/255.255.0.0", "/0.0.255.255", "/255.0.255.0", "/ffff::", "/999", "/0128", "/\u0668",
               "/" + str(r.randrange(0, 140))]
    return addr + r.choice(options)


def expect_net(text, strict):
    """Python's verdict with BerthNet's stricter rules applied; returns (network or None, deviation)."""
    try:
        net = ipaddress.ip_network(text, strict=strict)
    except ValueError:
        return None, None
    if "%" in text:
        return None, "zone"
    if "/" not in text:
        return None, "nolen"
    if not PLAIN_LEN.fullmatch(text.split("/", 1)[1]):
        return None, "lenform"
    return net, None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pos", nargs="*", type=int, help="SEED COUNT (alternative to the options)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=100000)
    args = ap.parse_args()
    seed, count = args.seed, args.count
    if len(args.pos) >= 1:
        seed = args.pos[0]
    if len(args.pos) >= 2:
        count = args.pos[1]

    assert str(ipaddress.ip_network("::ffff:0:0/96")) == "::ffff:0.0.0.0/96"
    # Cases are made in fixed chunks, each from its own seed derived from
    # (seed, chunk number), so the output is the same whatever the number of
    # worker processes; chunks are written in order.
    chunks = [(seed, i, min(CHUNK, count - i * CHUNK)) for i in range((count + CHUNK - 1) // CHUNK)]
    workers = min(len(chunks), os.cpu_count() or 1)
    write = sys.stdout.write
    if workers <= 1:
        for c in chunks:
            write(make_chunk(c))
    else:
        with multiprocessing.Pool(workers) as pool:
            for text in pool.imap(make_chunk, chunks):
                write(text)


def make_chunk(spec):
    seed, index, count = spec
    g = Gen("%d/%d" % (seed, index))
    r = g.r
    out = []
    emit = out.append
    dumps = json.dumps

    ops = [
        ("addr", 30), ("addr_bad", 12), ("net", 16), ("net_bad", 6), ("contains", 6), ("subnet_of", 5),
        ("overlaps", 6), ("supernet", 4), ("subnets", 3), ("collapse", 4), ("exclude", 4),
        ("summarize", 4), ("sort", 2),
    ]
    names = [o for o, _ in ops]
    weights = [w for _, w in ops]
    plan = r.choices(names, weights, k=count)

    for op in plan:
        if op == "addr" or op == "addr_bad":
            fam = g.fam()
            text = g.addr_text(fam, g.addr_int(fam))
            if op == "addr_bad":
                text = g.mutate(text)
            case = {"op": "addr", "in": text}
            if "%" in text:
                case["out"] = None
                case["dev"] = "zone"
            else:
                try:
                    a = ipaddress.ip_address(text)
                    case["out"] = str(a)
                    if a.version == 6:
                        m = a.ipv4_mapped
                        case["mapped"] = str(m) if m is not None else None
                except ValueError:
                    case["out"] = None
            emit(dumps(case))
        elif op == "net" or op == "net_bad":
            n = g.net()
            text = net_text_variants(g, n)
            if op == "net_bad":
                text = length_mutation(g, text) if r.random() < 0.6 else g.mutate(text)
            strict = r.random() < 0.6
            res, dev = expect_net(text, strict)
            case = {"op": "net", "in": text, "strict": strict}
            if res is None:
                case["out"] = None
            else:
                case["out"] = str(res)
                case["last"] = str(res.broadcast_address)
                case["count"] = str(res.num_addresses)
            if dev:
                case["dev"] = dev
            emit(dumps(case))
        elif op == "contains":
            a = g.net()
            k = r.random()
            if k < 0.5:
                sub = g.subnet_in(a, a.max_prefixlen - a.prefixlen)
                addr = sub.network_address
            elif k < 0.6:
                addr = a.broadcast_address if r.random() < 0.5 else a.network_address
            else:
                fam = a.version if r.random() < 0.9 else g.fam()
                addr = (ipaddress.IPv4Address if fam == V4 else ipaddress.IPv6Address)(g.addr_int(fam))
            emit(dumps({"op": "contains", "a": str(a), "b": str(addr), "out": addr in a}))
        elif op == "subnet_of":
            a = g.net()
            b = g.related(a)
            if b.version != a.version:
                b = g.net(a.version)
            x, y = (a, b) if r.random() < 0.5 else (b, a)
            emit(dumps({"op": "subnet_of", "a": str(x), "b": str(y), "out": x.subnet_of(y)}))
        elif op == "overlaps":
            a = g.net()
            b = g.related(a)
            emit(dumps({"op": "overlaps", "a": str(a), "b": str(b), "out": a.overlaps(b)}))
        elif op == "supernet":
            a = g.net()
            n = r.randrange(-1, a.prefixlen + 2)
            if a.prefixlen == 0 and n != 0:
                n = 0
            try:
                res = str(a.supernet(new_prefix=n))
            except ValueError:
                res = None
            emit(dumps({"op": "supernet", "a": str(a), "n": n, "out": res}))
        elif op == "subnets":
            a = g.net()
            w = a.max_prefixlen
            if a.prefixlen == w:
                n = w
            else:
                n = r.randrange(a.prefixlen - 1, min(w, a.prefixlen + 20) + 2)
            try:
                it = a.subnets(new_prefix=n)
                head = []
                for s in it:
                    head.append(str(s))
                    if len(head) == 3:
                        break
                res = head
                cnt = str(1 << (n - a.prefixlen))
            except ValueError:
                res, cnt = None, None
            emit(dumps({"op": "subnets", "a": str(a), "n": n, "out": res, "count": cnt}))
        elif op == "collapse":
            fam = g.fam()
            k = r.randrange(1, 10)
            if r.random() < 0.7:
                parent = g.net(fam, r.randrange(0, BITS[fam] - 4 + 1) if fam == V4 else r.randrange(0, 125))
                nets = []
                for _ in range(k):
                    room = parent.max_prefixlen - parent.prefixlen
                    nets.append(g.subnet_in(parent, r.randrange(0, min(room, 6) + 1)))
            else:
                nets = [g.net(fam) for _ in range(k)]
            res = [str(x) for x in ipaddress.collapse_addresses(nets)]
            emit(dumps({"op": "collapse", "in": [str(x) for x in nets], "out": res}))
        elif op == "exclude":
            a = g.net()
            if r.random() < 0.85:
                room = a.max_prefixlen - a.prefixlen
                b = g.subnet_in(a, min(room, r.choice([0, 1, 2, 3, 4, 6, 8, 12, 16, 24])))
            else:
                b = g.related(a)
            try:
                res = [str(x) for x in a.address_exclude(b)]
            except (ValueError, TypeError):
                res = None
            emit(dumps({"op": "exclude", "a": str(a), "b": str(b), "out": res}))
        elif op == "summarize":
            fam = g.fam()
            span = r.choice([0, 1, 2, 3, 4, 6, 8, 12, 16, 20, 24, 32, 40, 64, 128])
            base = g.net(fam, max(0, BITS[fam] - span))
            x = int(g.subnet_in(base, base.max_prefixlen - base.prefixlen).network_address)
            y = int(g.subnet_in(base, base.max_prefixlen - base.prefixlen).network_address)
            if r.random() < 0.85 and x > y:
                x, y = y, x
            cls = ipaddress.IPv4Address if fam == V4 else ipaddress.IPv6Address
            first, last = cls(x), cls(y)
            if r.random() < 0.02:
                last = ipaddress.IPv6Address(y) if fam == V4 else ipaddress.IPv4Address(y & 0xFFFFFFFF)
            try:
                res = [str(n) for n in ipaddress.summarize_address_range(first, last)]
            except (ValueError, TypeError):
                res = None
            emit(dumps({"op": "summarize", "a": str(first), "b": str(last), "out": res}))
        elif op == "sort":
            fam = g.fam()
            base = g.net(fam)
            nets = [g.related(base) for _ in range(r.randrange(2, 8))]
            nets = [x for x in nets if x.version == fam] or [base]
            emit(dumps({"op": "sort", "in": [str(x) for x in nets], "out": [str(x) for x in sorted(nets)]}))
    return "\n".join(out) + "\n" if out else ""


if __name__ == "__main__":
    main()
