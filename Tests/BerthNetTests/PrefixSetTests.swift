import BerthNet
import Testing

func p(_ text: String) throws -> IPPrefix { try IPPrefix(text) }

@Suite("PrefixSet allocation")
struct PrefixSetTests {
    @Test func bestFitPicksSmallestHole() throws {
        var set = PrefixSet(pool: try p("10.0.0.0/16"))
        try set.insert(try p("10.0.0.0/16"))
        // Holes: a /22, a /23 and two /24s.
        try set.remove(try p("10.0.4.0/22"))
        try set.remove(try p("10.0.10.0/23"))
        try set.remove(try p("10.0.20.0/24"))
        try set.remove(try p("10.0.30.0/24"))
        #expect(try set.freeCountByLength() == [22: 1, 23: 1, 24: 2])
        #expect(try set.bestFit(length: 24)?.description == "10.0.20.0/24")
        #expect(try set.allocate(length: 24).description == "10.0.20.0/24")
        #expect(try set.allocate(length: 24).description == "10.0.30.0/24")
        // No /24 holes left: the /23 is the smallest block that fits.
        #expect(try set.allocate(length: 25).description == "10.0.10.0/25")
        #expect(try set.allocate(length: 24).description == "10.0.11.0/24")
        #expect(try set.allocate(length: 23).description == "10.0.4.0/23")
        #expect(try set.freeBlocks().map(\.description) == ["10.0.6.0/23", "10.0.10.128/25"])
        // The /25 hole now fits a /26 better than the /23.
        #expect(try set.allocate(length: 26).description == "10.0.10.128/26")
    }

    @Test func tiesGoToLowestAddress() throws {
        var set = PrefixSet(pool: try p("10.0.0.0/24"))
        try set.insert(try p("10.0.0.0/24"))
        try set.remove(try p("10.0.0.192/26"))
        try set.remove(try p("10.0.0.64/26"))
        #expect(try set.allocate(length: 28).description == "10.0.0.64/28")
    }

    @Test func releaseMergesBuddies() throws {
        var set = PrefixSet(pool: try p("10.0.0.0/24"))
        let a = try set.allocate(length: 25)
        let b = try set.allocate(length: 25)
        #expect(a.description == "10.0.0.0/25" && b.description == "10.0.0.128/25")
        #expect(set.prefixes.map(\.description) == ["10.0.0.0/24"])
        #expect(try set.freeBlocks().isEmpty)
        try set.remove(a)
        #expect(try set.freeBlocks().map(\.description) == ["10.0.0.0/25"])
        try set.remove(b)
        #expect(try set.freeBlocks().map(\.description) == ["10.0.0.0/24"])
        #expect(set.isEmpty)
        #expect(set == PrefixSet(pool: try p("10.0.0.0/24")))
        // Small pieces released in any order merge back up.
        var pieces: [IPPrefix] = []
        for _ in 0..<8 { pieces.append(try set.allocate(length: 27)) }
        for piece in [pieces[3], pieces[0], pieces[7], pieces[1], pieces[2], pieces[6], pieces[5], pieces[4]] {
            try set.remove(piece)
        }
        #expect(try set.freeBlocks().map(\.description) == ["10.0.0.0/24"])
    }

    @Test func wholeSpace() throws {
        var v6 = PrefixSet(family: .v6)
        #expect(try v6.largestFreeBlock()?.description == "::/0")
        #expect(try v6.allocate(length: 0).description == "::/0")
        #expect(try v6.usedAddressCount().description == "340282366920938463463374607431768211456")
        #expect(try v6.freeAddressCount() == .zero)
        #expect(try v6.utilization() == 1.0)
        #expect(throws: IPError.self) { try v6.allocate(length: 128) }
        #expect(errorText { _ = try v6.allocate(length: 128) } == "no free /128 in ::/0: 0 addresses free")
        try v6.remove(try p("::/0"))
        #expect(v6.isEmpty)
        #expect(try v6.allocate(length: 128).description == "::/128")
        #expect(try v6.allocate(length: 128).description == "::1/128")
        #expect(try v6.largestFreeBlock()?.description == "8000::/1")
        #expect(try v6.freeCountByLength().count == 127)

        var v4 = PrefixSet(family: .v4)
        #expect(try v4.allocate(length: 0).description == "0.0.0.0/0")
        #expect(try v4.usedAddressCount().uint64Value == 4_294_967_296)
    }

    @Test func exhaustion() throws {
        var set = PrefixSet(pool: try p("10.0.0.0/24"))
        var seen = Set<IPPrefix>()
        for _ in 0..<256 { seen.insert(try set.allocate(length: 32)) }
        #expect(seen.count == 256)
        #expect(errorText { _ = try set.allocate(length: 32) } == "no free /32 in 10.0.0.0/24: 0 addresses free")
        var partial = PrefixSet(pool: try p("10.0.0.0/23"))
        try partial.insert(try p("10.0.0.0/24"))
        try partial.insert(try p("10.0.1.0/25"))
        #expect(
            errorText { _ = try partial.allocate(length: 24) }
                == "no free /24 in 10.0.0.0/23: 128 addresses free, largest free block 10.0.1.128/25")
    }

    @Test func exactAllocation() throws {
        var set = PrefixSet(pool: try p("10.0.0.0/8"))
        try set.allocate(exact: try p("10.0.3.0/24"))
        #expect(
            errorText { try set.allocate(exact: try p("10.0.0.0/16")) }
                == "10.0.0.0/16 is not free: 10.0.3.0/24 is already in use")
        #expect(
            errorText { try set.allocate(exact: try p("10.0.3.128/25")) }
                == "10.0.3.128/25 is not free: 10.0.3.0/24 is already in use")
        try set.allocate(exact: try p("10.0.2.0/24"))
        #expect(set.prefixes.map(\.description) == ["10.0.2.0/23"])
        #expect(try set.reserve(try p("10.0.0.0/16")))
        #expect(try !set.reserve(try p("10.0.0.0/16")))
    }

    @Test func poolBoundsAndFamilies() throws {
        var set = PrefixSet(pool: try p("10.0.0.0/8"))
        #expect(errorText { try set.insert(try p("192.168.0.0/24")) } == "192.168.0.0/24 is not contained in 10.0.0.0/8")
        #expect(errorText { try set.insert(try p("0.0.0.0/0")) } == "0.0.0.0/0 is not contained in 10.0.0.0/8")
        #expect(errorText { try set.insert(try p("2001:db8::/32")) } == "family mismatch: 2001:db8::/32 is IPv6, expected IPv4")
        #expect(
            errorText { _ = try set.allocate(length: 7) }
                == "prefix length 7 is out of range in allocation in 10.0.0.0/8 (allowed 8-32)")
        #expect(errorText { _ = try set.freeBlocks(in: try p("11.0.0.0/16")) } == "11.0.0.0/16 is not contained in 10.0.0.0/8")
        #expect(!set.contains(try IPAddress("192.168.0.1")))
        #expect(!set.overlaps(try p("::/0")))
        try set.insert(try p("10.9.0.0/16"))
        #expect(set.overlaps(try p("0.0.0.0/0")))
        #expect(set.overlaps(try p("10.9.1.0/24")))
        #expect(set.contains(try p("10.9.1.0/24")))
        #expect(!set.contains(try p("10.8.0.0/15")))
        #expect(set.overlaps(try p("10.8.0.0/15")))
        let inside = try set.allocate(length: 24, in: try p("10.128.0.0/9"))
        #expect(inside.description == "10.128.0.0/24")
    }

    @Test func statistics() throws {
        var set = PrefixSet(pool: try p("10.0.0.0/24"))
        #expect(try set.fragmentation() == 0)
        #expect(try set.utilization() == 0)
        try set.insert(try p("10.0.0.0/26"))
        // Free: 10.0.0.64/26 and 10.0.0.128/25 → 192 free, largest 128.
        #expect(try set.utilization() == 0.25)
        #expect(abs(try set.fragmentation() - (1 - 128.0 / 192.0)) < 1e-12)
        #expect(try set.freeAddressCount(in: try p("10.0.0.0/25")).uint64Value == 64)
        #expect(try set.usedAddressCount(in: try p("10.0.0.0/27")).uint64Value == 32)
        #expect(try set.utilization(in: try p("10.0.0.0/25")) == 0.5)
        try set.insert(try p("10.0.0.0/24"))
        #expect(try set.fragmentation() == 0)
        #expect(try set.largestFreeBlock() == nil)
    }

    @Test func valueSemanticsAndHashing() throws {
        var a = PrefixSet(pool: try p("10.0.0.0/16"))
        try a.insert(try p("10.0.1.0/24"))
        var b = a
        try b.insert(try p("10.0.2.0/24"))
        #expect(a.prefixes.map(\.description) == ["10.0.1.0/24"])
        #expect(b.prefixes.map(\.description) == ["10.0.1.0/24", "10.0.2.0/24"])
        var c = PrefixSet(pool: try p("10.0.0.0/16"))
        try c.insert(try p("10.0.2.0/23"))
        try c.remove(try p("10.0.3.0/24"))
        try c.insert(try p("10.0.1.0/24"))
        #expect(c == b)
        #expect(c.hashValue == b.hashValue)
        #expect(a != b)
        #expect(a.description == "PrefixSet(pool: 10.0.0.0/16, used: [10.0.1.0/24])")
    }
}

// MARK: - Randomised model check

/// The model check's seeded generator.
typealias SeededRandom = SplitMix64

/// A naive model: one Bool per unit (a block of the longest length used in the test).
struct UnitModel {
    let pool: IPPrefix
    let maxLength: Int
    var used: [Bool]

    init(pool: IPPrefix, maxLength: Int) {
        self.pool = pool
        self.maxLength = maxLength
        self.used = Array(repeating: false, count: 1 << (maxLength - pool.length))
    }

    var width: Int { pool.family.bitWidth }

    /// Unit range of a prefix inside the pool.
    func units(_ prefix: IPPrefix) -> Range<Int> {
        let offset = Self.offset(prefix.address, from: pool.address, shift: width - maxLength)
        return offset..<(offset + (1 << (maxLength - prefix.length)))
    }

    static func words(_ a: IPAddress) -> (UInt64, UInt64) {
        switch a {
        case .v4(let x): return (0, UInt64(x.value))
        case .v6(let x): return (x.high, x.low)
        }
    }

    /// (a - base) >> shift, assumed small.
    static func offset(_ a: IPAddress, from base: IPAddress, shift: Int) -> Int {
        let (ah, al) = words(a)
        let (bh, bl) = words(base)
        let (lo, borrow) = al.subtractingReportingOverflow(bl)
        let hi = ah &- bh &- (borrow ? 1 : 0)
        if shift >= 64 { return Int(hi >> UInt64(shift - 64)) }
        if shift == 0 { return Int(lo) }
        return Int((lo >> UInt64(shift)) | (hi << UInt64(64 - shift)))
    }

    /// The prefix of `length` starting at unit `unit`.
    func prefix(unit: Int, length: Int) -> IPPrefix {
        let shift = width - maxLength
        let (bh, bl) = Self.words(pool.address)
        let u = UInt64(unit)
        let addLo = shift >= 64 ? 0 : u << UInt64(shift)
        let addHi = shift >= 64 ? u << UInt64(shift - 64) : (shift == 0 ? 0 : u >> UInt64(64 - shift))
        let (lo, carry) = bl.addingReportingOverflow(addLo)
        let hi = bh &+ addHi &+ (carry ? 1 : 0)
        let address: IPAddress =
            pool.family == .v4
            ? .v4(IPv4Address(UInt32(truncatingIfNeeded: lo))) : .v6(IPv6Address(high: hi, low: lo))
        // The test only builds aligned prefixes; fall back to the pool to make failures visible.
        return (try? IPPrefix(address: address, length: length)) ?? pool
    }

    /// Maximal aligned blocks of units in `state` inside `range`, in order.
    func blocks(_ state: Bool, in range: Range<Int>) -> [IPPrefix] {
        var out: [IPPrefix] = []
        var i = range.lowerBound
        while i < range.upperBound {
            guard used[i] == state else {
                i += 1
                continue
            }
            var j = i
            while j < range.upperBound && used[j] == state { j += 1 }
            var start = i
            while start < j {
                var size = start == 0 ? 1 << 62 : start & -start
                while start + size > j { size >>= 1 }
                out.append(prefix(unit: start, length: maxLength - size.trailingZeroBitCount))
                start += size
            }
            i = j
        }
        return out
    }

    func usedUnits(in range: Range<Int>) -> Int { used[range].reduce(0) { $0 + ($1 ? 1 : 0) } }
}

@Suite("PrefixSet against a naive model")
struct PrefixSetModelTests {
    @Test(
        "random operations keep every invariant",
        arguments: [
            ("10.0.0.0/20", 32, 4000, 1),
            ("2001:db8::ab00/120", 128, 3000, 1),
            ("2001:db8:0:f000::/52", 68, 1500, 10),
        ])
    func randomOperations(poolText: String, maxLength: Int, steps: Int, checkEvery: Int) throws {
        let pool = try p(poolText)
        var rng = SeededRandom(state: 42 &+ UInt64(maxLength))
        var set = PrefixSet(pool: pool)
        var model = UnitModel(pool: pool, maxLength: maxLength)
        var live: [IPPrefix] = []
        let span = maxLength - pool.length
        let unitSize = model.width - maxLength

        func randomLength(from lower: Int) -> Int {
            // Bias toward longer (smaller) prefixes so the pool fills gradually.
            let a = lower + Int(rng.next() % UInt64(maxLength - lower + 1))
            let b = lower + Int(rng.next() % UInt64(maxLength - lower + 1))
            return max(a, b)
        }
        func randomPrefix(minLength: Int = pool.length) -> IPPrefix {
            let length = randomLength(from: minLength)
            let count = 1 << (maxLength - length)
            let unit = Int(rng.next() % UInt64(1 << span)) / count * count
            return model.prefix(unit: unit, length: length)
        }
        func randomAddress() -> IPAddress {
            let unit = Int(rng.next() % UInt64(1 << span))
            let base = model.prefix(unit: unit, length: maxLength).address
            guard unitSize > 0 else { return base }
            switch base {
            case .v4(let a): return .v4(IPv4Address(a.value | UInt32(truncatingIfNeeded: rng.next() & ((1 << UInt64(unitSize)) - 1))))
            case .v6(let a): return .v6(IPv6Address(high: a.high, low: a.low | (rng.next() & ((1 << UInt64(min(unitSize, 63))) - 1))))
            }
        }

        for step in 0..<steps {
            let roll = rng.next() % 100
            switch roll {
            case 0..<40:
                let parent = rng.next() % 10 < 7 ? pool : randomPrefix(minLength: pool.length)
                let length = randomLength(from: parent.length)
                let area = model.units(parent)
                let candidates = model.blocks(false, in: area).filter { $0.length <= length }
                let best = candidates.max { a, b in a.length < b.length || (a.length == b.length && a.address > b.address) }
                if let best {
                    let got = try set.allocate(length: length, in: parent)
                    let expected = model.prefix(unit: model.units(best).lowerBound, length: length)
                    #expect(got == expected, "step \(step): allocate /\(length) in \(parent)")
                    for other in live {
                        #expect(!other.overlaps(got), "step \(step): \(got) overlaps live \(other)")
                    }
                    for u in model.units(got) { model.used[u] = true }
                    live.append(got)
                } else {
                    do {
                        _ = try set.allocate(length: length, in: parent)
                        Issue.record("step \(step): allocation of /\(length) in \(parent) should fail")
                    } catch {
                        let free = model.blocks(false, in: area)
                        let largest = free.min { a, b in a.length < b.length || (a.length == b.length && a.address < b.address) }
                        let freeUnits = area.count - model.usedUnits(in: area)
                        guard case .poolExhausted(let l, let where_, let total, let big) = error else {
                            Issue.record("step \(step): unexpected error \(error)")
                            continue
                        }
                        #expect(l == length && where_ == parent && big == largest)
                        #expect(total.doubleValue == Double(freeUnits) * Double(sign: .plus, exponent: unitSize, significand: 1))
                    }
                }
            case 40..<60:
                guard !live.isEmpty else { continue }
                let victim = live.remove(at: Int(rng.next() % UInt64(live.count)))
                #expect(try set.remove(victim))
                for u in model.units(victim) { model.used[u] = false }
            case 60..<70:
                let target = randomPrefix()
                let range = model.units(target)
                let conflict = model.blocks(true, in: 0..<model.used.count).first { $0.overlaps(target) }
                do {
                    try set.allocate(exact: target)
                    #expect(conflict == nil, "step \(step): \(target) allocated over \(String(describing: conflict))")
                    for u in range { model.used[u] = true }
                    live.append(target)
                } catch {
                    #expect(error == .notFree(target, inUse: conflict ?? pool), "step \(step)")
                }
            case 70..<80:
                let target = randomPrefix()
                let range = model.units(target)
                let changed = model.usedUnits(in: range) != range.count
                #expect(try set.insert(target) == changed)
                for u in range { model.used[u] = true }
            case 80..<90:
                let target = randomPrefix()
                let range = model.units(target)
                let changed = model.usedUnits(in: range) != 0
                #expect(try set.remove(target) == changed)
                for u in range { model.used[u] = false }
                live.removeAll { $0.overlaps(target) }
            default:
                let a = randomAddress()
                #expect(set.contains(a) == model.used[UnitModel.offset(a, from: pool.address, shift: unitSize)])
                let q = randomPrefix()
                let r = model.units(q)
                #expect(set.contains(q) == (model.usedUnits(in: r) == r.count))
                #expect(set.overlaps(q) == (model.usedUnits(in: r) > 0))
                let sub = try set.freeBlocks(in: q)
                #expect(sub == model.blocks(false, in: r))
            }

            if step % checkEvery == 0 || step == steps - 1 {
                let all = 0..<model.used.count
                let freeList = model.blocks(false, in: all)
                let usedList = model.blocks(true, in: all)
                #expect(try set.freeBlocks() == freeList, "step \(step)")
                #expect(set.prefixes == usedList, "step \(step)")
                #expect(set.isEmpty == usedList.isEmpty)
                let usedCount = model.usedUnits(in: all)
                let scale = Double(sign: .plus, exponent: unitSize, significand: 1)
                #expect(try set.usedAddressCount().doubleValue == Double(usedCount) * scale)
                #expect(try set.freeAddressCount().doubleValue == Double(all.count - usedCount) * scale)
                let largest = freeList.min { a, b in a.length < b.length || (a.length == b.length && a.address < b.address) }
                #expect(try set.largestFreeBlock() == largest)
                var histogram: [Int: Int] = [:]
                for block in freeList { histogram[block.length, default: 0] += 1 }
                #expect(try set.freeCountByLength() == histogram)
                for (i, a) in live.enumerated() {
                    for b in live[(i + 1)...] { #expect(!a.overlaps(b)) }
                    #expect(set.contains(a))
                }
            }
            if step % 250 == 0 {
                var rebuilt = PrefixSet(pool: pool)
                for block in set.prefixes { try rebuilt.insert(block) }
                #expect(rebuilt == set)
                #expect(rebuilt.hashValue == set.hashValue)
            }
        }
    }
}
