// The typed prefixes (IPv4Prefix, IPv6Prefix) through their public API, from outside
// BerthNet as every caller uses them: `ipdiff-driver --bench-typed [ROUNDS]` prints one
// line per operation (seconds) and a checksum that must not change between builds.
// Sized for instruction counts too (`valgrind --tool=callgrind ... --bench-typed 1`).

import BerthNet

func runTypedBenchmarks(rounds: Int) -> Int32 {
    do {
        let clock = ContinuousClock()
        var rng = SplitMix64(state: 11)
        var v4: [IPv4Prefix] = []
        var v4Addresses: [IPv4Address] = []
        var v6: [IPv6Prefix] = []
        var v6Addresses: [IPv6Address] = []
        for _ in 0..<1024 {
            let base = UInt32(0x0A00_0000) | UInt32(truncatingIfNeeded: rng.next() & 0xFF_FFFF)
            v4.append(try IPv4Prefix(address: IPv4Address(base), length: 8 + Int(rng.next() % 25), normalize: true))
            v4Addresses.append(IPv4Address(UInt32(0x0A00_0000) | UInt32(truncatingIfNeeded: rng.next() & 0xFF_FFFF)))
            let high = 0x2001_0DB8_0000_0000 | (rng.next() & 0xFFFF_FFFF)
            let low = rng.next()
            v6.append(try IPv6Prefix(address: IPv6Address(high: high, low: low), length: 32 + Int(rng.next() % 97), normalize: true))
            v6Addresses.append(IPv6Address(high: 0x2001_0DB8_0000_0000 | (rng.next() & 0xFFFF_FFFF), low: rng.next()))
        }
        var checksum = 0
        func timed(_ name: String, _ body: () throws -> Void) rethrows {
            let elapsed = try clock.measure(body)
            print("\(name)_s=\(format3(elapsed.seconds))")
        }
        let n = 1_000_000 * rounds
        timed("v4_contains_overlaps") {
            containsOverlaps(n, v4, v4Addresses, checksum: &checksum) { Int(truncatingIfNeeded: $0.value) }
        }
        timed("v6_contains_overlaps") {
            containsOverlaps(n, v6, v6Addresses, checksum: &checksum) { Int(truncatingIfNeeded: $0.low) }
        }
        try timed("subnets_supernet") {
            for _ in 0..<rounds {
                for p in try IPv4Prefix("10.0.0.0/8").subnets(newLength: 26) {
                    checksum &+= Int(p.address.value & 0xFF) &+ (try p.supernet(newLength: 20)).length
                }
                for p in try IPv6Prefix("2001:db8::/32").subnets(newLength: 50) {
                    checksum &+= Int(truncatingIfNeeded: p.address.high) &+ p.length
                }
            }
        }
        try timed("parse_format") {
            for r in 0..<(100 * rounds) {
                for i in 0..<1024 {
                    let p = v4[(i &+ r) & 1023]
                    let q = try IPv4Prefix(p.description)
                    let p6 = v6[(i &+ r) & 1023]
                    let q6 = try IPv6Prefix(p6.description)
                    checksum &+= q.length &+ q6.length
                }
            }
        }
        try timed("summarize_collapse_exclude_sort") {
            for r in 0..<(20 * rounds) {
                var sorted = v4
                sorted.sort()
                let collapsed = IPv4Prefix.collapse(sorted)
                checksum &+= collapsed.count &+ IPv6Prefix.collapse(v6).count
                let first = IPv4Address(0x0A00_0000 + UInt32(r))
                checksum &+= try IPv4Prefix.summarize(first: first, last: IPv4Address(0x0AFF_FF00)).count
                checksum &+= try IPv4Prefix("10.0.0.0/8").exclude(IPv4Prefix("10.1.2.4/30")).count
                checksum &+= Set(v4).count &+ Set(v6).count
            }
        }
        print("typed_checksum=\(checksum)")
        return 0
    } catch {
        print("bench failed: \(error)")
        return 1
    }
}

/// `n` rounds of `contains`, `overlaps` and `<` over `prefixes` and `addresses` (1024 of each),
/// added into `checksum` with `lowBits` of each prefix's last address.
private func containsOverlaps<Address: IPAddressProtocol>(
    _ n: Int, _ prefixes: [Prefix<Address>], _ addresses: [Address], checksum: inout Int, lowBits: (Address) -> Int
) {
    for i in 0..<n {
        let a = prefixes[i & 1023]
        let b = prefixes[(i &* 7 &+ 3) & 1023]
        if a.contains(addresses[(i &* 13) & 1023]) { checksum &+= 1 }
        if a.contains(b) { checksum &+= 2 }
        if a.overlaps(b) { checksum &+= 3 }
        if a < b { checksum &+= 5 }
        checksum &+= lowBits(a.last)
    }
}
