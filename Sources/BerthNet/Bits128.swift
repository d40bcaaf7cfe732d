// Internal 128-bit unsigned arithmetic.
//
// The standard library's `UInt128` needs macOS 15, while berth targets
// macOS 14, so addresses and counts use this small two-word type instead.
// IPv4 values live in the low 32 bits of `lo`.

/// A 128-bit unsigned integer made of two 64-bit words (internal).
@usableFromInline
struct Bits128: Hashable, Comparable, Sendable {
    @usableFromInline var hi: UInt64
    @usableFromInline var lo: UInt64

    @inlinable @inline(__always)
    init(hi: UInt64, lo: UInt64) {
        self.hi = hi
        self.lo = lo
    }

    @inlinable @inline(__always)
    init(_ value: UInt64) {
        self.hi = 0
        self.lo = value
    }

    // Computed rather than stored: a stored static would be reached through a lazy-initialisation
    // accessor from the inlinable code other modules specialise (Prefix).
    @inlinable static var zero: Bits128 { Bits128(hi: 0, lo: 0) }
    @inlinable static var one: Bits128 { Bits128(hi: 0, lo: 1) }
    @inlinable static var max: Bits128 { Bits128(hi: .max, lo: .max) }

    @inlinable @inline(__always)
    var isZero: Bool { hi == 0 && lo == 0 }

    @inlinable @inline(__always)
    static func < (a: Bits128, b: Bits128) -> Bool {
        a.hi != b.hi ? a.hi < b.hi : a.lo < b.lo
    }

    @inlinable @inline(__always)
    static func & (a: Bits128, b: Bits128) -> Bits128 { Bits128(hi: a.hi & b.hi, lo: a.lo & b.lo) }

    @inlinable @inline(__always)
    static func | (a: Bits128, b: Bits128) -> Bits128 { Bits128(hi: a.hi | b.hi, lo: a.lo | b.lo) }

    @inlinable @inline(__always)
    static func ^ (a: Bits128, b: Bits128) -> Bits128 { Bits128(hi: a.hi ^ b.hi, lo: a.lo ^ b.lo) }

    @inlinable @inline(__always)
    static prefix func ~ (a: Bits128) -> Bits128 { Bits128(hi: ~a.hi, lo: ~a.lo) }

    /// Wrapping addition.
    @inlinable @inline(__always)
    static func &+ (a: Bits128, b: Bits128) -> Bits128 {
        let (lo, carry) = a.lo.addingReportingOverflow(b.lo)
        return Bits128(hi: a.hi &+ b.hi &+ (carry ? 1 : 0), lo: lo)
    }

    /// Wrapping subtraction.
    @inlinable @inline(__always)
    static func &- (a: Bits128, b: Bits128) -> Bits128 {
        let (lo, borrow) = a.lo.subtractingReportingOverflow(b.lo)
        return Bits128(hi: a.hi &- b.hi &- (borrow ? 1 : 0), lo: lo)
    }

    /// Addition that reports a carry out of bit 127.
    @inlinable @inline(__always)
    func addingReportingOverflow(_ b: Bits128) -> (partialValue: Bits128, overflow: Bool) {
        let (lo, c1) = self.lo.addingReportingOverflow(b.lo)
        let (h1, c2) = self.hi.addingReportingOverflow(b.hi)
        let (h2, c3) = h1.addingReportingOverflow(c1 ? 1 : 0)
        return (Bits128(hi: h2, lo: lo), c2 || c3)
    }

    /// Logical left shift; shifts of 128 or more give zero.
    @inlinable @inline(__always)
    func shiftedLeft(_ n: Int) -> Bits128 {
        if n <= 0 { return self }
        if n >= 128 { return .zero }
        if n >= 64 { return Bits128(hi: lo << UInt64(n - 64), lo: 0) }
        return Bits128(hi: (hi << UInt64(n)) | (lo >> UInt64(64 - n)), lo: lo << UInt64(n))
    }

    /// Logical right shift; shifts of 128 or more give zero.
    @inlinable @inline(__always)
    func shiftedRight(_ n: Int) -> Bits128 {
        if n <= 0 { return self }
        if n >= 128 { return .zero }
        if n >= 64 { return Bits128(hi: 0, lo: hi >> UInt64(n - 64)) }
        return Bits128(hi: hi >> UInt64(n), lo: (lo >> UInt64(n)) | (hi << UInt64(64 - n)))
    }

    /// A value with the low `n` bits set (`n` in 0...128).
    @inlinable @inline(__always)
    static func lowMask(_ n: Int) -> Bits128 {
        if n <= 0 { return .zero }
        if n >= 128 { return .max }
        if n >= 64 { return Bits128(hi: n == 64 ? 0 : (UInt64.max >> UInt64(128 - n)), lo: .max) }
        return Bits128(hi: 0, lo: (UInt64(1) << UInt64(n)) &- 1)
    }

    /// `1 << n` for `n` in 0..<128.
    @inlinable @inline(__always)
    static func power(_ n: Int) -> Bits128 {
        n >= 64 ? Bits128(hi: UInt64(1) << UInt64(n - 64), lo: 0) : Bits128(hi: 0, lo: UInt64(1) << UInt64(n))
    }

    /// Whether bit `i` (0 = least significant) is set.
    @inlinable @inline(__always)
    func bit(_ i: Int) -> Bool {
        i >= 64 ? (hi >> UInt64(i - 64)) & 1 == 1 : (lo >> UInt64(i)) & 1 == 1
    }

    /// Trailing zero bits; 128 for zero.
    @inlinable @inline(__always)
    var trailingZeroBitCount: Int {
        lo != 0 ? lo.trailingZeroBitCount : 64 + hi.trailingZeroBitCount
    }

    /// Leading zero bits; 128 for zero.
    @inlinable @inline(__always)
    var leadingZeroBitCount: Int {
        hi != 0 ? hi.leadingZeroBitCount : 64 + lo.leadingZeroBitCount
    }

    /// Number of significant bits (0 for zero).
    @inlinable @inline(__always)
    var bitLength: Int { 128 - leadingZeroBitCount }

    /// Exact conversion to `Double` (rounded to nearest).
    var doubleValue: Double { Double(hi) * 18_446_744_073_709_551_616.0 + Double(lo) }

    /// Divides by a 64-bit value, returning quotient and remainder.
    func quotientAndRemainder(dividingBy d: UInt64) -> (quotient: Bits128, remainder: UInt64) {
        let qh = hi / d
        let rh = hi % d
        let (ql, rl) = d.dividingFullWidth((high: rh, low: lo))
        return (Bits128(hi: qh, lo: ql), rl)
    }

    /// Decimal text.
    var decimalString: String {
        if hi == 0 { return String(lo) }
        var chunks: [UInt64] = []
        var v = self
        let base: UInt64 = 10_000_000_000_000_000_000
        while !v.isZero {
            let (q, r) = v.quotientAndRemainder(dividingBy: base)
            chunks.append(r)
            v = q
        }
        var out = String(chunks[chunks.count - 1])
        for chunk in chunks.dropLast().reversed() {
            let digits = String(chunk)
            out += String(repeating: "0", count: 19 - digits.count) + digits
        }
        return out
    }
}
