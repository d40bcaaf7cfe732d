import BerthNet

/// A Kubernetes resource quantity, kept exactly in milli-units.
///
/// ```swift
/// Quantity.parse("250m")?.milli   // 250
/// Quantity.parse("512Mi")?.milli  // 536870912000
/// ```
public struct Quantity: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The value times 1000 (so `250m` CPU is 250 and `1Ki` bytes is 1,024,000).
    public var milli: Int64
    /// The text it was written as, e.g. `512Mi`.
    public var text: String

    /// A quantity of `milli` thousandths, written as `text`.
    public init(milli: Int64, text: String) {
        self.milli = milli
        self.text = text
    }

    /// Orders by value, whatever the text.
    public static func < (a: Quantity, b: Quantity) -> Bool { a.milli < b.milli }
    /// Equal when the values are, whatever the text (`1Gi` equals `1024Mi`).
    public static func == (a: Quantity, b: Quantity) -> Bool { a.milli == b.milli }
    /// Hashes the value only (consistent with `==`).
    public func hash(into h: inout Hasher) { h.combine(milli) }
    /// The text as written.
    public var description: String { text }

    /// The whole-unit value, rounded up (bytes for memory, cores for CPU).
    public var units: Int64 { (milli + 999) / 1000 }

    private static let suffixes: [(String, Int64, Int64)] = [
        // suffix, multiplier numerator, divisor (value = n * mult / div, in units)
        ("Ki", 1 << 10, 1), ("Mi", 1 << 20, 1), ("Gi", 1 << 30, 1), ("Ti", 1 << 40, 1), ("Pi", 1 << 50, 1),
        ("Ei", 1 << 60, 1),
        ("n", 1, 1_000_000_000), ("u", 1, 1_000_000), ("m", 1, 1000),
        ("k", 1000, 1), ("M", 1_000_000, 1), ("G", 1_000_000_000, 1), ("T", 1_000_000_000_000, 1),
        ("P", 1_000_000_000_000_000, 1), ("E", 1_000_000_000_000_000_000, 1),
    ]

    /// Parses Kubernetes quantity syntax: a decimal number with an optional binary (`Ki`…`Ei`),
    /// decimal (`n`, `u`, `m`, `k`, `M`, `G`, `T`, `P`, `E`) or exponent (`e3`) suffix.
    /// Returns nil for anything else, negative values, or values that overflow.
    public static func parse(_ raw: String) -> Quantity? {
        let s = raw
        guard !s.isEmpty, s.count <= 40 else { return nil }
        var number = Substring(s)
        var mult: Int64 = 1
        var div: Int64 = 1
        var exp = 0
        if let (suf, m, d) = suffixes.first(where: { s.hasSuffix($0.0) }) {
            number = s.dropLast(suf.count)
            mult = m
            div = d
        } else if let eIdx = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            let expText = s[s.index(after: eIdx)...]
            guard let e = Int(expText), abs(e) <= 18 else { return nil }
            exp = e
            number = s[..<eIdx]
        }
        // number: digits with an optional fraction, optional leading '+'
        if number.hasPrefix("+") { number = number.dropFirst() }
        guard !number.isEmpty else { return nil }
        let parts = number.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }),
            !(parts[0].isEmpty && (parts.count == 1 || parts[1].isEmpty))
        else { return nil }
        let intPart = parts[0]
        let fracPart = parts.count == 2 ? parts[1] : ""
        // value in milli = (int.frac) * mult * 1000 / div * 10^exp
        var digits = String(intPart) + fracPart
        var scale = -fracPart.count + exp  // power of ten applied to `digits`
        while digits.count > 1, digits.hasPrefix("0") { digits.removeFirst() }
        guard digits.count <= 19, var v = Int64(digits.isEmpty ? "0" : digits) else { return nil }
        // multiply by mult*1000, then by 10^scale, then divide by div (exact where possible)
        func mul(_ a: Int64, _ b: Int64) -> Int64? {
            let (r, o) = a.multipliedReportingOverflow(by: b)
            return o ? nil : r
        }
        guard let a = mul(v, 1000) else { return nil }
        v = a
        guard let b = mul(v, mult) else { return nil }
        v = b
        while scale > 0 {
            guard let c = mul(v, 10) else { return nil }
            v = c
            scale -= 1
        }
        while scale < 0 {
            v /= 10
            scale += 1
        }
        v /= div
        return Quantity(milli: v, text: raw)
    }

    /// Formats a CPU amount in milli-cores the way Kubernetes prints it (`1500m`, `2`).
    public static func cpuText(milli: Int64) -> String {
        milli % 1000 == 0 ? String(milli / 1000) : "\(milli)m"
    }

    /// Formats a byte count with the largest exact binary suffix (`512Mi`, `3Gi`), else `Mi` rounded up.
    public static func bytesText(_ bytes: Int64) -> String {
        for (suf, shift) in [("Ti", 40), ("Gi", 30), ("Mi", 20), ("Ki", 10)] where bytes >= (Int64(1) << shift) {
            if bytes % (Int64(1) << shift) == 0 { return "\(bytes >> shift)\(suf)" }
        }
        if bytes % 1024 == 0 { return "\(bytes >> 10)Ki" }
        let mi = (bytes + (1 << 20) - 1) >> 20
        return "\(mi)Mi"
    }
}

/// A span of time written as `<n><unit>` with unit `m` (minutes), `h`, `d`, `w` or `y` (365 days).
///
/// ```swift
/// SpecDuration.parse("30d")?.seconds  // 2_592_000
/// ```
public struct SpecDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The length in seconds.
    public var seconds: Int
    /// The text it was written as, e.g. `30d`.
    public var text: String

    /// Orders by length.
    public static func < (a: SpecDuration, b: SpecDuration) -> Bool { a.seconds < b.seconds }
    /// The text as written.
    public var description: String { text }
    /// Whole days, rounded down.
    public var days: Int { seconds / 86_400 }
    /// Whole hours, rounded down.
    public var hours: Int { seconds / 3600 }

    /// Through the one duration parser (`DurationText`, spec rules: one part, unit m h d w y).
    public static func parse(_ s: String) -> SpecDuration? {
        guard s.count >= 2, s.count <= 12, let v = try? DurationText.parse(s, rules: .spec), let seconds = Int(exactly: v) else {
            return nil
        }
        return SpecDuration(seconds: seconds, text: s)
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

/// Checks a five-field cron expression (minute hour day-of-month month day-of-week).
enum Cron {
    /// A problem description, or nil when `s` is valid.
    static func problem(_ s: String) -> String? {
        let fields = s.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count == 5 else {
            return "expected 5 fields (minute hour day month weekday), found \(fields.count)"
        }
        let ranges = [(0, 59, "minute"), (0, 23, "hour"), (1, 31, "day of month"), (1, 12, "month"), (0, 7, "day of week")]
        for (f, (lo, hi, what)) in zip(fields, ranges) {
            for part in f.split(separator: ",", omittingEmptySubsequences: false) {
                let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
                guard pieces.count <= 2 else { return "bad \(what) field '\(f)'" }
                if pieces.count == 2 {
                    guard let step = Int(pieces[1]), step > 0, step <= hi else { return "bad step in \(what) field '\(f)'" }
                }
                let base = pieces[0]
                if base == "*" { continue }
                let bounds = base.split(separator: "-", omittingEmptySubsequences: false)
                guard bounds.count <= 2 else { return "bad \(what) field '\(f)'" }
                for b in bounds {
                    guard let v = Int(b), v >= lo, v <= hi else {
                        return "\(what) '\(b)' is outside \(lo)-\(hi)"
                    }
                }
                if bounds.count == 2, let a = Int(bounds[0]), let b = Int(bounds[1]), a > b {
                    return "\(what) range '\(base)' runs backwards"
                }
            }
        }
        return nil
    }

    /// The longest gap between two runs in hours, for daily-or-more-frequent patterns
    /// built from the minute and hour fields; nil when the pattern is not that simple.
    static func intervalHours(_ s: String) -> Double? {
        let f = s.split(separator: " ")
        guard f.count == 5, f[2] == "*", f[3] == "*" else { return nil }
        let hourField = f[1]
        var hours: [Int] = []
        if hourField == "*" {
            hours = Array(0..<24)
        } else if hourField.hasPrefix("*/"), let step = Int(hourField.dropFirst(2)) {
            hours = Array(stride(from: 0, to: 24, by: step))
        } else {
            for p in hourField.split(separator: ",") {
                guard let h = Int(p) else { return nil }
                hours.append(h)
            }
        }
        guard !hours.isEmpty else { return nil }
        let weekly = f[4] != "*"
        hours.sort()
        var gap = 0
        for (i, h) in hours.enumerated() {
            let next = i + 1 < hours.count ? hours[i + 1] : hours[0] + 24
            gap = max(gap, next - h)
        }
        return Double(weekly ? gap + 24 * 6 : gap)
    }
}
