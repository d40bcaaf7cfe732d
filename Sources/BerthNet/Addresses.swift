/// An address type of one family, which `Prefix` is generic over: `IPv4Address` or `IPv6Address`.
///
/// ```swift
/// IPv4Address.family                              // .v4
/// try IPv6Address("::1").ipAddress                // .v6(::1)
/// IPv4Address(try IPAddress("10.0.0.1"))          // 10.0.0.1
/// IPv4Address(try IPAddress("::1"))               // nil (other family)
/// ```
public protocol IPAddressProtocol: Sendable, Hashable, Comparable, CustomStringConvertible, IPTextCodable {
    /// The family of every address of this type.
    ///
    /// ```swift
    /// IPv6Address.family.bitWidth  // 128
    /// ```
    static var family: IPFamily { get }

    /// This address as an `IPAddress`.
    ///
    /// ```swift
    /// IPv4Address(0x0A00_0001).ipAddress  // .v4(10.0.0.1)
    /// ```
    var ipAddress: IPAddress { get }

    /// The address of this type that `address` holds, or nil for the other family.
    ///
    /// ```swift
    /// IPv6Address(try IPAddress("::1"))?.description  // "::1"
    /// ```
    init?(_ address: IPAddress)
}

extension IPAddressProtocol {
    /// An address of this family from its bits (the caller knows they are of this family).
    @inlinable @inline(__always)
    init(uncheckedBits bits: Bits128) {
        guard let address = Self(IPAddress(bits: bits, family: Self.family)) else {
            preconditionFailure("\(Self.family) bits expected")
        }
        self = address
    }

    /// The address as family-independent bits (IPv4 in the low 32 bits).
    @inlinable
    var uncheckedBits: Bits128 {
        @inline(__always) get { ipAddress.bits }
    }
}

/// The two address types' side of `IPAddressProtocol`: the family-independent bits each is
/// stored as (IPv4 in the low 32 bits). From them and `family`, one definition of `ipAddress` and
/// `init?(_: IPAddress)` serves both types.
@usableFromInline
protocol FixedFamilyAddress: IPAddressProtocol {
    /// The address of these bits (the caller knows they are of this family).
    init(bits: Bits128)
    /// The address as family-independent bits.
    var bits: Bits128 { get }
}

extension FixedFamilyAddress {
    /// This address as an `IPAddress` of its family.
    ///
    /// ```swift
    /// IPv4Address(1).ipAddress                // .v4(0.0.0.1)
    /// IPv6Address(high: 0, low: 1).ipAddress  // .v6(::1)
    /// ```
    @inlinable
    public var ipAddress: IPAddress { IPAddress(bits: bits, family: Self.family) }

    /// The address of this type that `address` holds, or nil for the other family (an
    /// IPv4-mapped IPv6 address is IPv6).
    ///
    /// ```swift
    /// IPv4Address(try IPAddress("10.0.0.1"))         // 10.0.0.1
    /// IPv4Address(try IPAddress("::ffff:10.0.0.1"))  // nil
    /// IPv6Address(try IPAddress("::1"))              // ::1
    /// IPv6Address(try IPAddress("10.0.0.1"))         // nil
    /// ```
    @inlinable
    public init?(_ address: IPAddress) {
        switch (address, Self.family) {
        case (.v4(let a), .v4): self.init(bits: a.bits)
        case (.v6(let a), .v6): self.init(bits: a.bits)
        default: return nil
        }
    }
}

/// An IPv4 address stored as a 32-bit integer.
///
/// ```swift
/// let a = try IPv4Address("192.0.2.1")
/// a.value        // 3221225985
/// "\(a)"         // "192.0.2.1"
/// ```
public struct IPv4Address: FixedFamilyAddress {
    /// The address as a big-endian-ordered integer (`1.2.3.4` is `0x01020304`).
    public let value: UInt32

    /// An address from its integer value.
    ///
    /// ```swift
    /// IPv4Address(0x7F00_0001).description  // "127.0.0.1"
    /// ```
    public init(_ value: UInt32) {
        self.value = value
    }

    /// Parses a dotted quad; rejects leading zeros, empty octets, values over 255 and whitespace.
    ///
    /// ```swift
    /// try IPv4Address("10.0.0.1")   // ok
    /// try IPv4Address("010.0.0.1")  // throws IPError.malformedAddress
    /// ```
    public init(_ text: String) throws(IPError) {
        var reason = ""
        let parsed = withUTF8Bytes(text) { b in TextCodec.parseIPv4(b, 0, b.count, reason: &reason) }
        guard let parsed else {
            if text.utf8.contains(UInt8(ascii: ":")), (try? IPv6Address(text)) != nil {
                throw IPError.familyMismatch(value: text, found: .v6, expected: .v4)
            }
            throw IPError.malformedAddress(text: text, reason: reason)
        }
        self.value = parsed
    }

    /// Dotted-quad text.
    ///
    /// ```swift
    /// IPv4Address(0).description  // "0.0.0.0"
    /// ```
    public var description: String { TextCodec.formatIPv4(value) }

    /// Numeric order.
    ///
    /// ```swift
    /// try IPv4Address("9.0.0.0") < IPv4Address("10.0.0.0")  // true
    /// ```
    @inlinable
    public static func < (a: IPv4Address, b: IPv4Address) -> Bool { a.value < b.value }

    /// Parses canonical text, for `IPTextCodable` (the same rules as `init(_:)`).
    public static func parseText(_ text: String) throws(IPError) -> IPv4Address { try IPv4Address(text) }

    /// IPv4 (for `IPAddressProtocol`).
    ///
    /// ```swift
    /// IPv4Address.family  // .v4
    /// ```
    @inlinable
    public static var family: IPFamily { .v4 }

    @inlinable
    init(bits: Bits128) {
        self.value = UInt32(truncatingIfNeeded: bits.lo)
    }

    @inlinable
    var bits: Bits128 { Bits128(UInt64(value)) }
}

/// An IPv6 address stored as two 64-bit halves.
///
/// ```swift
/// let a = try IPv6Address("2001:DB8:0:0:1::1")
/// "\(a)"                 // "2001:db8::1:0:0:1"
/// a.high                 // 0x2001_0db8_0000_0000
/// ```
public struct IPv6Address: FixedFamilyAddress {
    /// The upper 64 bits (first four groups).
    public let high: UInt64
    /// The lower 64 bits (last four groups).
    public let low: UInt64

    /// An address from its two 64-bit halves.
    ///
    /// ```swift
    /// IPv6Address(high: 0, low: 1).description  // "::1"
    /// ```
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The IPv4-mapped address `::ffff:a.b.c.d`.
    ///
    /// ```swift
    /// IPv6Address(ipv4Mapped: try IPv4Address("1.2.3.4")).description  // "::ffff:1.2.3.4"
    /// ```
    public init(ipv4Mapped v4: IPv4Address) {
        self.init(high: 0, low: 0xFFFF_0000_0000 | UInt64(v4.value))
    }

    /// Parses RFC 4291 text: full, `::`-compressed, or with a dotted IPv4 tail.
    /// Zone identifiers (`%eth0`) and whitespace are rejected.
    ///
    /// ```swift
    /// try IPv6Address("::ffff:1.2.3.4").ipv4Mapped  // 1.2.3.4
    /// try IPv6Address("fe80::1%eth0")               // throws IPError.malformedAddress
    /// ```
    public init(_ text: String) throws(IPError) {
        var reason = ""
        let parsed = withUTF8Bytes(text) { b in TextCodec.parseIPv6(b, 0, b.count, reason: &reason) }
        guard let parsed else {
            if !text.utf8.contains(UInt8(ascii: ":")), (try? IPv4Address(text)) != nil {
                throw IPError.familyMismatch(value: text, found: .v4, expected: .v6)
            }
            throw IPError.malformedAddress(text: text, reason: reason)
        }
        self.init(bits: parsed)
    }

    @inlinable
    init(bits: Bits128) {
        self.high = bits.hi
        self.low = bits.lo
    }

    @inlinable
    var bits: Bits128 { Bits128(hi: high, lo: low) }

    /// IPv6 (for `IPAddressProtocol`).
    ///
    /// ```swift
    /// IPv6Address.family  // .v6
    /// ```
    @inlinable
    public static var family: IPFamily { .v6 }

    /// The embedded IPv4 address when this is IPv4-mapped (`::ffff:0:0/96`), else nil.
    ///
    /// ```swift
    /// try IPv6Address("::ffff:10.1.2.3").ipv4Mapped?.description  // "10.1.2.3"
    /// try IPv6Address("::10.1.2.3").ipv4Mapped                    // nil
    /// ```
    public var ipv4Mapped: IPv4Address? {
        guard high == 0, low >> 32 == 0xFFFF else { return nil }
        return IPv4Address(UInt32(truncatingIfNeeded: low))
    }

    /// RFC 5952 canonical text, identical to Python 3.11's `ipaddress`.
    ///
    /// ```swift
    /// try IPv6Address("1:0:0:1:0:0:0:1").description  // "1:0:0:1::1"
    /// ```
    public var description: String { TextCodec.formatIPv6(bits) }

    /// Numeric order.
    ///
    /// ```swift
    /// try IPv6Address("::1") < IPv6Address("::2")  // true
    /// ```
    @inlinable
    public static func < (a: IPv6Address, b: IPv6Address) -> Bool { a.bits < b.bits }

    /// Parses canonical text, for `IPTextCodable` (the same rules as `init(_:)`).
    public static func parseText(_ text: String) throws(IPError) -> IPv6Address { try IPv6Address(text) }
}

/// An IPv4 or IPv6 address.
///
/// ```swift
/// let a = try IPAddress("::ffff:1.2.3.4")
/// a.family        // .v6
/// "\(a)"          // "::ffff:1.2.3.4"
/// ```
public enum IPAddress: Sendable, Hashable, Comparable, CustomStringConvertible, IPTextCodable {
    /// An IPv4 address, e.g. `.v4(try IPv4Address("10.0.0.1"))`.
    case v4(IPv4Address)
    /// An IPv6 address, e.g. `.v6(try IPv6Address("::1"))`.
    case v6(IPv6Address)

    /// Parses either family: text containing ':' is IPv6, anything else IPv4.
    ///
    /// ```swift
    /// try IPAddress("10.0.0.1")  // .v4(10.0.0.1)
    /// try IPAddress("::")        // .v6(::)
    /// ```
    public init(_ text: String) throws(IPError) {
        if text.utf8.contains(UInt8(ascii: ":")) {
            self = .v6(try IPv6Address(text))
        } else {
            self = .v4(try IPv4Address(text))
        }
    }

    /// The address family.
    ///
    /// ```swift
    /// try IPAddress("::1").family  // .v6
    /// ```
    public var family: IPFamily {
        switch self {
        case .v4: return .v4
        case .v6: return .v6
        }
    }

    /// Canonical text of the wrapped address.
    ///
    /// ```swift
    /// try IPAddress("0:0::1").description  // "::1"
    /// ```
    public var description: String {
        switch self {
        case .v4(let a): return a.description
        case .v6(let a): return a.description
        }
    }

    /// IPv4 addresses sort before IPv6; within a family, numeric order.
    ///
    /// ```swift
    /// try IPAddress("255.255.255.255") < IPAddress("::")  // true
    /// ```
    public static func < (a: IPAddress, b: IPAddress) -> Bool {
        switch (a, b) {
        case (.v4(let x), .v4(let y)): return x < y
        case (.v6(let x), .v6(let y)): return x < y
        case (.v4, .v6): return true
        case (.v6, .v4): return false
        }
    }

    /// Parses canonical text, for `IPTextCodable` (the same rules as `init(_:)`).
    public static func parseText(_ text: String) throws(IPError) -> IPAddress { try IPAddress(text) }

    @inlinable
    var bits: Bits128 {
        switch self {
        case .v4(let a): return a.bits
        case .v6(let a): return a.bits
        }
    }

    @inlinable
    init(bits: Bits128, family: IPFamily) {
        switch family {
        case .v4: self = .v4(IPv4Address(UInt32(truncatingIfNeeded: bits.lo)))
        case .v6: self = .v6(IPv6Address(bits: bits))
        }
    }
}
