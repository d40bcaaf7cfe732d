// In-process benchmarks (build with -c release). scripts/ipdiff/bench_netaddr.py
// does the same work with Python's netaddr and prints the same keys.
//
// Workload, identical in both (same splitmix64 stream):
//   prefill  100,000 allocations of /25…/30 laid out upward through 10.0.0.0/8
//            with random gaps (holes of many sizes, about 60% of the pool used);
//   (a)      500 successive best-fit allocations of a /24 in 10.0.0.0/8, each
//            timed alone; reports the median in microseconds;
//   (b)      1,000,000 checks: 500,000 "address in set" (the prefilled set),
//            250,000 "prefix contains prefix" and 250,000 "prefixes overlap";
//            reports seconds.
// alloc_first, alloc_200th and contains_overlap_hits must match the netaddr run.

import BerthNet

let benchPoolBase: UInt32 = 0x0A00_0000  // 10.0.0.0/8

/// The 100,000 prefill allocations as (first address, length).
func benchLayout() -> [(UInt32, Int)] {
    var rng = SplitMix64(state: 2024)
    let gaps: [UInt32] = [0, 0, 0, 0, 8, 32, 64, 256]
    var cursor: UInt32 = 0
    var out: [(UInt32, Int)] = []
    out.reserveCapacity(100_000)
    for _ in 0..<100_000 {
        let length = 25 + Int(rng.next() % 6)
        let size = UInt32(1) << UInt32(32 - length)
        cursor += gaps[Int(rng.next() % 8)]
        cursor = (cursor + size - 1) & ~(size - 1)
        out.append((benchPoolBase + cursor, length))
        cursor += size
    }
    precondition(cursor < 1 << 24, "layout overflows the /8")
    return out
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func runBenchmarks() -> Int32 {
    do {
        let clock = ContinuousClock()
        let pool = try IPPrefix("10.0.0.0/8")
        var set = PrefixSet(pool: pool)
        let layout = benchLayout()
        var allocated: [IPPrefix] = []
        allocated.reserveCapacity(layout.count)
        let prefill = try clock.measure {
            for (start, length) in layout {
                let p = IPPrefix(try IPv4Prefix(address: IPv4Address(start), length: length))
                try set.allocate(exact: p)
                allocated.append(p)
            }
        }

        let prefilled = set  // (b) checks membership against the prefill only

        // (a) successive best-fit /24 allocations, each timed alone.
        var samples: [Double] = []
        var firstAllocation = ""
        var allocation200 = ""
        for i in 0..<500 {
            let t0 = clock.now
            let block = try set.allocate(length: 24)
            let t1 = clock.now
            samples.append((t1 - t0).seconds * 1e6)
            if i == 0 { firstAllocation = block.description }
            if i == 199 { allocation200 = block.description }
        }

        // (b) one million membership / overlap checks on pre-built inputs.
        var rng = SplitMix64(state: 7)
        var addresses: [IPAddress] = []
        addresses.reserveCapacity(500_000)
        for _ in 0..<500_000 {
            addresses.append(.v4(IPv4Address(benchPoolBase + UInt32(truncatingIfNeeded: rng.next() & 0xFF_FFFF))))
        }
        var pairs: [(IPPrefix, IPPrefix)] = []
        pairs.reserveCapacity(500_000)
        for _ in 0..<500_000 {
            let a = allocated[Int(rng.next() % UInt64(allocated.count))]
            let length = 16 + Int(rng.next() % 17)
            let start = benchPoolBase + UInt32(truncatingIfNeeded: rng.next() & 0xFF_FFFF)
            let b = IPPrefix(try IPv4Prefix(address: IPv4Address(start), length: length, normalize: true))
            pairs.append((a, b))
        }
        var hits = 0
        let checks = clock.measure {
            for a in addresses where prefilled.contains(a) {
                hits += 1
            }
            for (a, b) in pairs[0..<250_000] where a.contains(b) {
                hits += 1
            }
            for (a, b) in pairs[250_000...] where a.overlaps(b) {
                hits += 1
            }
        }

        print("prefill_100k_s=\(format3(prefill.seconds))")
        print("alloc_first=\(firstAllocation) alloc_200th=\(allocation200)")
        print("contains_overlap_hits=\(hits)")
        print("alloc_next_24_median_us=\(format3(median(samples)))")
        print("contains_overlap_1m_s=\(format3(checks.seconds))")
        return 0
    } catch {
        print("bench failed: \(error)")
        return 1
    }
}

/// A number with three decimals (no Foundation).
func format3(_ x: Double) -> String {
    let scaled = Int((x * 1000).rounded())
    let frac = scaled % 1000
    return "\(scaled / 1000)." + String(repeating: "0", count: frac < 10 ? 2 : frac < 100 ? 1 : 0) + String(frac)
}
