// Parsing and printing of address text (internal).
//
// Accepted forms follow Python's `ipaddress` (3.11) exactly, except that
// IPv6 zone identifiers (`fe80::1%eth0`) are rejected. Output is RFC 5952
// canonical text (section 4), with IPv4-mapped addresses in the mixed
// notation section 5 recommends (`::ffff:1.2.3.4`), as Python 3.13 prints them.

@inline(__always)
func withUTF8Bytes<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    if let result = text.utf8.withContiguousStorageIfAvailable(body) {
        return result
    }
    var copy = text
    return copy.withUTF8(body)
}

@inline(__always)
private func hexValue(_ c: UInt8) -> UInt32? {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(c &- UInt8(ascii: "0"))
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(c &- UInt8(ascii: "a") &+ 10)
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(c &- UInt8(ascii: "A") &+ 10)
    default: return nil
    }
}

private func slice(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> String {
    String(decoding: UnsafeBufferPointer(rebasing: b[from..<to]), as: UTF8.self)
}

/// A reason for whitespace or zone ids, which get a clearer message than "bad digit".
private func commonReason(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> String? {
    for i in from..<to {
        switch b[i] {
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
            return "whitespace is not permitted"
        case UInt8(ascii: "%"):
            return "zone identifiers ('%...') are not supported"
        default:
            continue
        }
    }
    return nil
}

/// Calls `body(start, end)` for each of the first `limit` parts of `b[from..<to]` between
/// `separator` bytes, in order (an empty text is one empty part), and returns how many parts
/// there are, or `limit + 1` when there are more (the parts past the limit are not read). Stops
/// at the first part for which `body` returns false, and returns nil then.
@inline(__always)
private func forEachPart(
    _ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int, separatedBy separator: UInt8, atMost limit: Int,
    _ body: (Int, Int) -> Bool
) -> Int? {
    var partStart = from
    var count = 0
    var i = from
    while true {
        if i == to || b[i] == separator {
            count += 1
            guard count <= limit else { return count }
            guard body(partStart, i) else { return nil }
            if i == to { return count }
            partStart = i + 1
        }
        i += 1
    }
}

/// The parts of IPv6 text between colons (at most ten) without a heap allocation: each -1 for
/// an empty part or a 16-bit group, read back by index.
private struct IPv6Parts {
    private var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
    private var empty: UInt16 = 0
    private(set) var count = 0

    @inline(__always)
    mutating func append(_ part: Int32) {
        if part < 0 {
            empty |= 1 << UInt16(count)
        } else {
            let group = UInt64(UInt16(truncatingIfNeeded: part)) << UInt64(16 * (count & 3))
            switch count >> 2 {
            case 0: words.0 |= group
            case 1: words.1 |= group
            default: words.2 |= group
            }
        }
        count += 1
    }

    @inline(__always)
    subscript(_ k: Int) -> Int32 {
        if empty & (1 << UInt16(k)) != 0 { return -1 }
        let word = k >> 2 == 0 ? words.0 : k >> 2 == 1 ? words.1 : words.2
        return Int32(UInt16(truncatingIfNeeded: word >> UInt64(16 * (k & 3))))
    }
}

enum TextCodec {
    /// Parses a dotted quad in `b[from..<to]`.
    static func parseIPv4(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int, reason: inout String) -> UInt32? {
        if from == to {
            reason = "address is empty"
            return nil
        }
        var value: UInt32 = 0
        let octets = forEachPart(b, from, to, separatedBy: UInt8(ascii: "."), atMost: 4) { partStart, partEnd in
            guard let octet = parseOctet(b, partStart, partEnd, address: from..<to, reason: &reason) else { return false }
            value = value << 8 | octet
            return true
        }
        guard let octets else { return nil }
        if octets != 4 {
            reason = octets > 4 ? "expected 4 octets, found more" : "expected 4 octets, found \(octets)"
            return nil
        }
        return value
    }

    /// Parses one octet of a dotted quad, `b[from..<to]`: 1-3 decimal digits, no leading zero, at most 255.
    @inline(__always)
    private static func parseOctet(
        _ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int, address: Range<Int>, reason: inout String
    ) -> UInt32? {
        let length = to - from
        if length == 0 {
            reason = "empty octet"
            return nil
        }
        var octet: UInt32 = 0
        for j in from..<to {
            let c = b[j]
            guard c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") else {
                reason =
                    commonReason(b, address.lowerBound, address.upperBound)
                    ?? "only decimal digits are permitted in octet '\(slice(b, from, to))'"
                return nil
            }
            octet = octet &* 10 &+ UInt32(c &- UInt8(ascii: "0"))
        }
        if length > 3 {
            reason = "at most 3 digits are permitted in octet '\(slice(b, from, to))'"
            return nil
        }
        if length > 1 && b[from] == UInt8(ascii: "0") {
            reason = "leading zeros are not permitted in octet '\(slice(b, from, to))'"
            return nil
        }
        if octet > 255 {
            reason = "octet \(octet) is out of range 0-255"
            return nil
        }
        return octet
    }

    /// Parses IPv6 text in `b[from..<to]` (RFC 4291 forms, no zone id): the colon-separated
    /// groups first, then where `::` stands and what it stands for.
    static func parseIPv6(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int, reason: inout String) -> Bits128? {
        if from == to {
            reason = "address is empty"
            return nil
        }
        if let common = commonReason(b, from, to) {
            reason = common
            return nil
        }
        guard let parts = ipv6Parts(b, from, to, reason: &reason) else { return nil }
        return ipv6Value(parts, reason: &reason)
    }

    /// The parts between the colons of `b[from..<to]`: -1 for an empty part, else the group's
    /// value; an embedded IPv4 tail gives two groups.
    @inline(__always)
    private static func ipv6Parts(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int, reason: inout String) -> IPv6Parts? {
        var parts = IPv6Parts()
        let partCount = forEachPart(b, from, to, separatedBy: UInt8(ascii: ":"), atMost: 9) { partStart, partEnd in
            if partStart == partEnd {
                parts.append(-1)
            } else if partEnd == to && b[partStart..<partEnd].contains(UInt8(ascii: ".")) {
                var inner = ""
                guard let v4 = parseIPv4(b, partStart, partEnd, reason: &inner) else {
                    reason = "invalid embedded IPv4 address '\(slice(b, partStart, partEnd))': \(inner)"
                    return false
                }
                parts.append(Int32(v4 >> 16))
                parts.append(Int32(v4 & 0xFFFF))
            } else {
                guard let hextet = parseHextet(b, partStart, partEnd, reason: &reason) else { return false }
                parts.append(Int32(hextet))
            }
            return true
        }
        guard let partCount else { return nil }
        if partCount > 9 {
            reason = "at most 8 colons are permitted"
            return nil
        }
        if partCount < 3 {
            reason = "at least 3 colon-separated parts are expected"
            return nil
        }
        return parts
    }

    /// Parses one IPv6 group, `b[from..<to]` (not empty): 1-4 hex digits.
    @inline(__always)
    private static func parseHextet(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int, reason: inout String) -> UInt32? {
        var hextet: UInt32 = 0
        for j in from..<to {
            guard let digit = hexValue(b[j]) else {
                reason = "only hex digits are permitted in group '\(slice(b, from, to))'"
                return nil
            }
            hextet = (hextet &<< 4) | digit
        }
        if to - from > 4 {
            reason = "at most 4 hex digits are permitted in group '\(slice(b, from, to))'"
            return nil
        }
        return hextet
    }

    /// The address the parts (from `ipv6Parts`) spell: checks where `::` may stand, then
    /// places the groups before it at the top and those after it at the bottom.
    @inline(__always)
    private static func ipv6Value(_ parts: IPv6Parts, reason: inout String) -> Bits128? {
        let n = parts.count
        if n > 9 {
            reason = "at most 8 colons are permitted"
            return nil
        }
        var skipIndex = -1
        if n > 2 {
            for k in 1..<(n - 1) where parts[k] == -1 {
                if skipIndex != -1 {
                    reason = "at most one '::' is permitted"
                    return nil
                }
                skipIndex = k
            }
        }
        let compressed = skipIndex != -1
        if !compressed && n != 8 {
            reason = "exactly 8 groups are expected without '::', found \(n)"
            return nil
        }
        // The groups before and after '::' (without it, all of them before). An empty first or
        // last part is only permitted as the outer half of a leading or trailing '::'.
        var partsHi = compressed ? skipIndex : n
        var partsLo = compressed ? n - skipIndex - 1 : 0
        if parts[0] == -1 {
            partsHi -= 1
            if partsHi != 0 {
                reason = "a leading ':' is only permitted as part of '::'"
                return nil
            }
        }
        if parts[n - 1] == -1 {
            partsLo -= 1
            if partsLo != 0 {
                reason = "a trailing ':' is only permitted as part of '::'"
                return nil
            }
        }
        if compressed && 8 - (partsHi + partsLo) < 1 {
            reason = "'::' must stand for at least one group (at most 7 other groups)"
            return nil
        }
        var hi: UInt64 = 0
        var lo: UInt64 = 0
        @inline(__always)
        func put(_ index: Int, _ value: Int32) {
            let v = UInt64(UInt16(truncatingIfNeeded: value))
            if index < 4 {
                hi |= v << UInt64(48 - 16 * index)
            } else {
                lo |= v << UInt64(48 - 16 * (index - 4))
            }
        }
        for k in 0..<partsHi {
            put(k, parts[k])
        }
        for k in 0..<partsLo {
            put(8 - partsLo + k, parts[n - partsLo + k])
        }
        return Bits128(hi: hi, lo: lo)
    }

    // MARK: printing

    @inline(__always)
    static func appendDecimal(_ v: UInt32, to out: inout [UInt8]) {
        if v >= 100 { out.append(UInt8(ascii: "0") &+ UInt8(v / 100)) }
        if v >= 10 { out.append(UInt8(ascii: "0") &+ UInt8((v / 10) % 10)) }
        out.append(UInt8(ascii: "0") &+ UInt8(v % 10))
    }

    /// Dotted-quad text.
    static func formatIPv4(_ v: UInt32) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(15)
        appendIPv4(v, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// RFC 5952 text (see `appendIPv6`).
    static func formatIPv6(_ v: Bits128) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(39)
        appendIPv6(v, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `address/length` in one buffer, the text of every prefix.
    static func formatPrefix(_ start: Bits128, family: IPFamily, length: Int) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(43)
        if family == .v4 {
            appendIPv4(UInt32(truncatingIfNeeded: start.lo), to: &out)
        } else {
            appendIPv6(start, to: &out)
        }
        out.append(UInt8(ascii: "/"))
        appendDecimal(UInt32(truncatingIfNeeded: length), to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @inline(__always)
    static func appendIPv4(_ v: UInt32, to out: inout [UInt8]) {
        appendDecimal(v >> 24, to: &out)
        out.append(UInt8(ascii: "."))
        appendDecimal((v >> 16) & 0xFF, to: &out)
        out.append(UInt8(ascii: "."))
        appendDecimal((v >> 8) & 0xFF, to: &out)
        out.append(UInt8(ascii: "."))
        appendDecimal(v & 0xFF, to: &out)
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    @inline(__always)
    static func appendHex(_ v: UInt16, to out: inout [UInt8]) {
        var started = false
        var shift = 12
        while shift >= 0 {
            let d = Int((v >> UInt16(shift)) & 0xF)
            if d != 0 || started || shift == 0 {
                out.append(hexDigits[d])
                started = true
            }
            shift -= 4
        }
    }

    /// RFC 5952 text: lowercase, longest run (>= 2) of zero groups compressed, leftmost on ties;
    /// IPv4-mapped addresses (`::ffff:0:0/96`) in mixed notation, `::ffff:1.2.3.4` (section 5).
    static func appendIPv6(_ v: Bits128, to out: inout [UInt8]) {
        if v.hi == 0 && v.lo >> 32 == 0xffff {
            out.append(contentsOf: "::ffff:".utf8)
            appendIPv4(UInt32(truncatingIfNeeded: v.lo), to: &out)
            return
        }
        @inline(__always)
        func group(_ k: Int) -> UInt16 {
            UInt16(truncatingIfNeeded: (k < 4 ? v.hi : v.lo) >> UInt64(48 - 16 * (k & 3)))
        }
        var bestStart = -1
        var bestLength = 0
        var runStart = -1
        var runLength = 0
        for k in 0..<8 {
            if group(k) == 0 {
                if runStart == -1 { runStart = k }
                runLength += 1
                if runLength > bestLength {
                    bestLength = runLength
                    bestStart = runStart
                }
            } else {
                runStart = -1
                runLength = 0
            }
        }
        if bestLength < 2 { bestStart = -1 }
        var k = 0
        while k < 8 {
            if k == bestStart {
                out.append(UInt8(ascii: ":"))
                out.append(UInt8(ascii: ":"))
                k += bestLength
                continue
            }
            if k > 0 && k != bestStart + bestLength { out.append(UInt8(ascii: ":")) }
            appendHex(group(k), to: &out)
            k += 1
        }
    }

    /// Parses a prefix length in `b[from..<to]`: "0" or digits without a leading zero, at most `max`.
    static func parseLength(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int, max: Int) -> Int? {
        let count = to - from
        guard count >= 1 && count <= 3 else { return nil }
        if count > 1 && b[from] == UInt8(ascii: "0") { return nil }
        var v = 0
        for i in from..<to {
            let c = b[i]
            guard c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") else { return nil }
            v = v * 10 + Int(c &- UInt8(ascii: "0"))
        }
        return v <= max ? v : nil
    }

    static func text(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> String {
        slice(b, from, to)
    }
}
