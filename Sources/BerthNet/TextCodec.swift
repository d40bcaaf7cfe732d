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

enum TextCodec {
    /// Parses a dotted quad in `b[from..<to]`.
    static func parseIPv4(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int, reason: inout String) -> UInt32? {
        if from == to {
            reason = "address is empty"
            return nil
        }
        var value: UInt32 = 0
        var octets = 0
        var partStart = from
        var i = from
        while true {
            if i == to || b[i] == UInt8(ascii: ".") {
                octets += 1
                if octets > 4 {
                    reason = "expected 4 octets, found more"
                    return nil
                }
                let length = i - partStart
                if length == 0 {
                    reason = "empty octet"
                    return nil
                }
                var octet: UInt32 = 0
                for j in partStart..<i {
                    let c = b[j]
                    guard c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") else {
                        reason =
                            commonReason(b, from, to)
                            ?? "only decimal digits are permitted in octet '\(slice(b, partStart, i))'"
                        return nil
                    }
                    octet = octet &* 10 &+ UInt32(c &- UInt8(ascii: "0"))
                }
                if length > 3 {
                    reason = "at most 3 digits are permitted in octet '\(slice(b, partStart, i))'"
                    return nil
                }
                if length > 1 && b[partStart] == UInt8(ascii: "0") {
                    reason = "leading zeros are not permitted in octet '\(slice(b, partStart, i))'"
                    return nil
                }
                if octet > 255 {
                    reason = "octet \(octet) is out of range 0-255"
                    return nil
                }
                value = value << 8 | octet
                if i == to { break }
                partStart = i + 1
            }
            i += 1
        }
        if octets != 4 {
            reason = "expected 4 octets, found \(octets)"
            return nil
        }
        return value
    }

    /// Parses IPv6 text in `b[from..<to]` (RFC 4291 forms, no zone id).
    static func parseIPv6(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int, reason: inout String) -> Bits128? {
        if from == to {
            reason = "address is empty"
            return nil
        }
        if let common = commonReason(b, from, to) {
            reason = common
            return nil
        }
        // Parts between colons: -1 for an empty part, else the hextet value.
        var parts: [Int32] = []
        parts.reserveCapacity(10)
        var partCount = 0
        var partStart = from
        var i = from
        while true {
            if i == to || b[i] == UInt8(ascii: ":") {
                partCount += 1
                if partCount > 9 {
                    reason = "at most 8 colons are permitted"
                    return nil
                }
                if partStart == i {
                    parts.append(-1)
                } else if i == to && b[partStart..<i].contains(UInt8(ascii: ".")) {
                    var inner = ""
                    guard let v4 = parseIPv4(b, partStart, i, reason: &inner) else {
                        reason = "invalid embedded IPv4 address '\(slice(b, partStart, i))': \(inner)"
                        return nil
                    }
                    parts.append(Int32(v4 >> 16))
                    parts.append(Int32(v4 & 0xFFFF))
                } else {
                    var hextet: UInt32 = 0
                    for j in partStart..<i {
                        guard let digit = hexValue(b[j]) else {
                            reason = "only hex digits are permitted in group '\(slice(b, partStart, i))'"
                            return nil
                        }
                        hextet = (hextet &<< 4) | digit
                    }
                    if i - partStart > 4 {
                        reason = "at most 4 hex digits are permitted in group '\(slice(b, partStart, i))'"
                        return nil
                    }
                    parts.append(Int32(hextet))
                }
                if i == to { break }
                partStart = i + 1
            }
            i += 1
        }
        if partCount < 3 {
            reason = "at least 3 colon-separated parts are expected"
            return nil
        }
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
        var partsHi: Int
        var partsLo: Int
        if skipIndex != -1 {
            partsHi = skipIndex
            partsLo = n - skipIndex - 1
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
            if 8 - (partsHi + partsLo) < 1 {
                reason = "'::' must stand for at least one group (at most 7 other groups)"
                return nil
            }
        } else {
            if n != 8 {
                reason = "exactly 8 groups are expected without '::', found \(n)"
                return nil
            }
            if parts[0] == -1 {
                reason = "a leading ':' is only permitted as part of '::'"
                return nil
            }
            if parts[n - 1] == -1 {
                reason = "a trailing ':' is only permitted as part of '::'"
                return nil
            }
            partsHi = n
            partsLo = 0
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

    static func formatIPv4(_ v: UInt32) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(15)
        appendDecimal(v >> 24, to: &out)
        out.append(UInt8(ascii: "."))
        appendDecimal((v >> 16) & 0xFF, to: &out)
        out.append(UInt8(ascii: "."))
        appendDecimal((v >> 8) & 0xFF, to: &out)
        out.append(UInt8(ascii: "."))
        appendDecimal(v & 0xFF, to: &out)
        return String(decoding: out, as: UTF8.self)
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
    static func formatIPv6(_ v: Bits128) -> String {
        if v.hi == 0 && v.lo >> 32 == 0xffff {
            return "::ffff:" + formatIPv4(UInt32(truncatingIfNeeded: v.lo))
        }
        var groups: [UInt16] = []
        groups.reserveCapacity(8)
        for k in 0..<4 { groups.append(UInt16(truncatingIfNeeded: v.hi >> UInt64(48 - 16 * k))) }
        for k in 0..<4 { groups.append(UInt16(truncatingIfNeeded: v.lo >> UInt64(48 - 16 * k))) }
        var bestStart = -1
        var bestLength = 0
        var runStart = -1
        var runLength = 0
        for k in 0..<8 {
            if groups[k] == 0 {
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
        var out: [UInt8] = []
        out.reserveCapacity(39)
        var k = 0
        while k < 8 {
            if k == bestStart {
                out.append(UInt8(ascii: ":"))
                out.append(UInt8(ascii: ":"))
                k += bestLength
                continue
            }
            if k > 0 && k != bestStart + bestLength { out.append(UInt8(ascii: ":")) }
            appendHex(groups[k], to: &out)
            k += 1
        }
        return String(decoding: out, as: UTF8.self)
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
