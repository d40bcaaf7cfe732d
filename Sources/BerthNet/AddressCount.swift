/// An exact number of addresses, from 0 up to 2^128 (the whole IPv6 space).
///
/// ```swift
/// let n = try IPv6Prefix("2001:db8::/32").addressCount
/// print(n)             // 79228162514264337593543950336
/// n.uint64Value        // nil: too large for UInt64
/// try IPv4Prefix("10.0.0.0/8").addressCount.uint64Value  // 16777216
/// ```
public struct AddressCount: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The value modulo 2^128.
    var bits: Bits128
    /// True only for exactly 2^128.
    var isFull: Bool

    init(bits: Bits128, isFull: Bool = false) {
        self.bits = bits
        self.isFull = isFull
    }

    /// A count from a 64-bit value.
    ///
    /// ```swift
    /// AddressCount(256).description  // "256"
    /// ```
    public init(_ value: UInt64) {
        self.init(bits: Bits128(value))
    }

    /// Zero addresses.
    ///
    /// ```swift
    /// AddressCount.zero.uint64Value  // 0
    /// ```
    public static let zero = AddressCount(bits: .zero)

    /// 2^n for n in 0...128.
    static func power(_ n: Int) -> AddressCount {
        n >= 128 ? AddressCount(bits: .zero, isFull: true) : AddressCount(bits: .power(n))
    }

    /// The count as `UInt64`, or nil when it does not fit.
    ///
    /// ```swift
    /// try IPv4Prefix("0.0.0.0/0").addressCount.uint64Value  // 4294967296
    /// ```
    public var uint64Value: UInt64? {
        (!isFull && bits.hi == 0) ? bits.lo : nil
    }

    /// The count as a `Double` (rounded for counts above 2^53).
    ///
    /// ```swift
    /// try IPv6Prefix("::/0").addressCount.doubleValue  // 3.402823669209385e+38
    /// ```
    public var doubleValue: Double {
        isFull ? 340_282_366_920_938_463_463_374_607_431_768_211_456.0 : bits.doubleValue
    }

    /// Exact decimal text.
    ///
    /// ```swift
    /// try IPv6Prefix("::/0").addressCount.description  // "340282366920938463463374607431768211456"
    /// ```
    public var description: String {
        isFull ? "340282366920938463463374607431768211456" : bits.decimalString
    }

    /// A count from its exact decimal text (as `description` writes it); nil for anything else
    /// (signs, spaces, leading zeros, more than 2^128).
    ///
    /// ```swift
    /// AddressCount(decimal: "256")?.uint64Value  // 256
    /// ```
    public init?(decimal text: String) {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), text == "0" || !text.hasPrefix("0") else { return nil }
        if text == "340282366920938463463374607431768211456" {
            self.init(bits: .zero, isFull: true)
            return
        }
        var value = Bits128.zero
        for digit in text.utf8 {
            // value * 10 + digit, refusing overflow past 2^128 - 1.
            guard value.hi >> 61 == 0 else { return nil }  // value << 3 must not lose bits
            let (times10, o1) = value.shiftedLeft(3).addingReportingOverflow(value.shiftedLeft(1))
            let (next, o2) = times10.addingReportingOverflow(Bits128(UInt64(digit - 48)))
            guard !o1, !o2 else { return nil }
            value = next
        }
        self.init(bits: value)
    }

    /// Orders counts numerically.
    ///
    /// ```swift
    /// AddressCount(1) < AddressCount(2)  // true
    /// ```
    public static func < (a: AddressCount, b: AddressCount) -> Bool {
        if a.isFull != b.isFull { return b.isFull }
        return a.bits < b.bits
    }

    /// Sum; callers guarantee the result is at most 2^128.
    static func + (a: AddressCount, b: AddressCount) -> AddressCount {
        if a.isFull { return a }
        if b.isFull { return b }
        let (sum, overflow) = a.bits.addingReportingOverflow(b.bits)
        return AddressCount(bits: sum, isFull: overflow)
    }

    /// Difference; callers guarantee `a >= b`.
    static func - (a: AddressCount, b: AddressCount) -> AddressCount {
        if a.isFull {
            if b.isFull { return .zero }
            if b.bits.isZero { return a }
            return AddressCount(bits: Bits128.zero &- b.bits)
        }
        return AddressCount(bits: a.bits &- b.bits)
    }
}
