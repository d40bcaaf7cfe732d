// Family-independent prefix arithmetic shared by Prefix (IPv4Prefix, IPv6Prefix),
// IPPrefix and PrefixSet (internal). Values are Bits128 in the low
// `family.bitWidth` bits.

@usableFromInline
struct RawPrefix: Hashable, Sendable {
    @usableFromInline var start: Bits128
    @usableFromInline var length: Int
    @usableFromInline var family: IPFamily

    @inlinable @inline(__always)
    init(start: Bits128, length: Int, family: IPFamily) {
        self.start = start
        self.length = length
        self.family = family
    }

    @inlinable @inline(__always)
    var width: Int { family == .v4 ? 32 : 128 }

    @inlinable @inline(__always)
    var hostBits: Int { width - length }

    @inlinable @inline(__always)
    var last: Bits128 { start | Bits128.lowMask(hostBits) }

    @inlinable @inline(__always)
    func contains(_ address: Bits128) -> Bool {
        (address & ~Bits128.lowMask(hostBits)) == start
    }

    @inlinable @inline(__always)
    func contains(_ other: RawPrefix) -> Bool {
        other.length >= length && contains(other.start)
    }

    /// Aligned blocks either nest or are disjoint.
    @inlinable @inline(__always)
    func overlaps(_ other: RawPrefix) -> Bool {
        contains(other.start) || other.contains(start)
    }

    /// The two halves; only valid when `length < width`.
    @inlinable @inline(__always)
    var halves: (RawPrefix, RawPrefix) {
        let low = RawPrefix(start: start, length: length + 1, family: family)
        let high = RawPrefix(start: start | Bits128.power(hostBits - 1), length: length + 1, family: family)
        return (low, high)
    }

    /// The enclosing block of `newLength` (<= length).
    @inlinable @inline(__always)
    func truncated(to newLength: Int) -> RawPrefix {
        RawPrefix(start: start & ~Bits128.lowMask(width - newLength), length: newLength, family: family)
    }

    @usableFromInline
    var addressCount: AddressCount { AddressCount.power(hostBits) }

    static func addressText(_ address: Bits128, family: IPFamily) -> String {
        family == .v4 ? TextCodec.formatIPv4(UInt32(truncatingIfNeeded: address.lo)) : TextCodec.formatIPv6(address)
    }

    @usableFromInline
    var text: String { TextCodec.formatPrefix(start, family: family, length: length) }

    @inlinable
    var prefix: IPPrefix {
        family == .v4 ? .v4(IPv4Prefix(unchecked: self)) : .v6(IPv6Prefix(unchecked: self))
    }

    @usableFromInline
    static func < (a: RawPrefix, b: RawPrefix) -> Bool {
        a.start != b.start ? a.start < b.start : a.length < b.length
    }

    // MARK: parsing

    /// Parses `address/length`. With `family` nil, text containing ':' is IPv6.
    @usableFromInline
    static func parse(_ text: String, family: IPFamily?, normalize: Bool) throws(IPError) -> RawPrefix {
        enum Outcome {
            case ok(RawPrefix)
            case malformed(String)
            case badLength(String, IPFamily)
            case wrongFamily(IPFamily)
        }
        let outcome: Outcome = withUTF8Bytes(text) { b in
            var slash = -1
            var hasColon = false
            for i in 0..<b.count {
                let c = b[i]
                if c == UInt8(ascii: "/") {
                    if slash != -1 { return .malformed("only one '/' is permitted") }
                    slash = i
                } else if c == UInt8(ascii: ":") && slash == -1 {
                    hasColon = true
                }
            }
            let guessed: IPFamily = hasColon ? .v6 : .v4
            let fam = family ?? guessed
            if slash == -1 {
                let example = fam == .v4 ? "10.0.0.1/32" : "2001:db8::1/128"
                return .malformed("missing '/length' (write e.g. \(example) for a single address)")
            }
            var reason = ""
            var start: Bits128
            if fam == .v4 {
                guard let v = TextCodec.parseIPv4(b, 0, slash, reason: &reason) else {
                    if family != nil && hasColon && TextCodec.parseIPv6(b, 0, slash, reason: &reason) != nil {
                        return .wrongFamily(.v6)
                    }
                    return .malformed(reason)
                }
                start = Bits128(UInt64(v))
            } else {
                guard let v = TextCodec.parseIPv6(b, 0, slash, reason: &reason) else {
                    if family != nil && !hasColon && TextCodec.parseIPv4(b, 0, slash, reason: &reason) != nil {
                        return .wrongFamily(.v4)
                    }
                    return .malformed(reason)
                }
                start = v
            }
            let width = fam.bitWidth
            guard let length = TextCodec.parseLength(b, slash + 1, b.count, max: width) else {
                return .badLength(TextCodec.text(b, slash + 1, b.count), fam)
            }
            return .ok(RawPrefix(start: start, length: length, family: fam))
        }
        switch outcome {
        case .ok(let raw):
            return try raw.checkedHostBits(normalize: normalize)
        case .malformed(let reason):
            throw IPError.malformedAddress(text: text, reason: reason)
        case .badLength(let lengthText, let fam):
            throw IPError.prefixLengthOutOfRange(length: lengthText, allowed: 0...fam.bitWidth, context: "'\(text)'")
        case .wrongFamily(let found):
            throw IPError.familyMismatch(value: text, found: found, expected: found == .v4 ? .v6 : .v4)
        }
    }

    /// Validates length and host bits of an (address, length) pair.
    @usableFromInline
    static func make(address: Bits128, length: Int, family: IPFamily, normalize: Bool) throws(IPError) -> RawPrefix {
        guard length >= 0 && length <= family.bitWidth else {
            throw IPError.prefixLengthOutOfRange(
                length: String(length), allowed: 0...family.bitWidth,
                context: "'\(Self.addressText(address, family: family))/\(length)'")
        }
        return try RawPrefix(start: address, length: length, family: family).checkedHostBits(normalize: normalize)
    }

    func checkedHostBits(normalize: Bool) throws(IPError) -> RawPrefix {
        let masked = truncated(to: length)
        if masked.start == start { return self }
        if normalize { return masked }
        throw IPError.hostBitsSet(text: text, suggestion: masked.prefix)
    }

    // MARK: operations shared by all prefix types

    @usableFromInline
    func subnetCursor(newLength: Int) throws(IPError) -> SubnetCursor {
        guard newLength >= length && newLength <= width else {
            throw IPError.prefixLengthOutOfRange(
                length: String(newLength), allowed: length...width, context: "subnets of \(text)")
        }
        return SubnetCursor(parent: self, newLength: newLength)
    }

    @usableFromInline
    func supernet(newLength: Int) throws(IPError) -> RawPrefix {
        guard newLength >= 0 && newLength <= length else {
            throw IPError.prefixLengthOutOfRange(
                length: String(newLength), allowed: 0...length, context: "supernet of \(text)")
        }
        return truncated(to: newLength)
    }

    /// Python's `address_exclude`, in Python's order.
    @usableFromInline
    func exclude(_ other: RawPrefix) throws(IPError) -> [RawPrefix] {
        guard contains(other) else {
            throw IPError.notContained(other.prefix, container: prefix)
        }
        var out: [RawPrefix] = []
        out.reserveCapacity(other.length - length)
        var current = self
        while current.length < other.length {
            let (low, high) = current.halves
            if low.contains(other.start) {
                out.append(high)
                current = low
            } else {
                out.append(low)
                current = high
            }
        }
        return out
    }

    /// Python's `summarize_address_range`: the minimal ordered CIDR cover of `first...last`.
    @usableFromInline
    static func summarize(first: Bits128, last: Bits128, family: IPFamily) -> [RawPrefix] {
        var out: [RawPrefix] = []
        summarize(first: first, last: last, family: family, into: &out)
        return out
    }

    static func summarize(first: Bits128, last: Bits128, family: IPFamily, into out: inout [RawPrefix]) {
        let width = family.bitWidth
        let allOnes = Bits128.lowMask(width)
        var current = first
        while true {
            let trailing = current.isZero ? width : min(current.trailingZeroBitCount, width)
            let diff = last &- current
            let span = diff == allOnes ? width : (diff &+ .one).bitLength - 1
            let bits = min(trailing, span)
            out.append(RawPrefix(start: current, length: width - bits, family: family))
            let end = current | Bits128.lowMask(bits)
            if end == last { return }
            current = end &+ .one
        }
    }

    /// Python's `collapse_addresses` for one family: sorted, merged, minimal.
    @usableFromInline
    static func collapse(_ prefixes: [RawPrefix], family: IPFamily) -> [RawPrefix] {
        if prefixes.isEmpty { return [] }
        let sorted = prefixes.sorted { $0 < $1 }
        let allOnes = Bits128.lowMask(family.bitWidth)
        var out: [RawPrefix] = []
        var runStart = sorted[0].start
        var runEnd = sorted[0].last
        for p in sorted.dropFirst() {
            if runEnd == allOnes || p.start <= runEnd &+ .one {
                if runEnd < p.last { runEnd = p.last }
            } else {
                summarize(first: runStart, last: runEnd, family: family, into: &out)
                runStart = p.start
                runEnd = p.last
            }
        }
        summarize(first: runStart, last: runEnd, family: family, into: &out)
        return out
    }
}

/// Lazy walk over the equal-length subnets of a prefix (internal).
@usableFromInline
struct SubnetCursor: Hashable, Sendable {
    @usableFromInline let parent: RawPrefix
    @usableFromInline let newLength: Int
    @usableFromInline var next: Bits128?

    @usableFromInline
    init(parent: RawPrefix, newLength: Int) {
        self.parent = parent
        self.newLength = newLength
        self.next = parent.start
    }

    @usableFromInline
    var count: AddressCount { AddressCount.power(newLength - parent.length) }

    @inlinable
    mutating func advance() -> RawPrefix? {
        guard let current = next else { return nil }
        let block = RawPrefix(start: current, length: newLength, family: parent.family)
        let end = block.last
        next = end == parent.last ? nil : end &+ .one
        return block
    }
}
