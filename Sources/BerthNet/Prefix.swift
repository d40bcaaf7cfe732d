/// An IPv4 network: a network address and a prefix length (0...32).
///
/// ```swift
/// let p = try IPv4Prefix("10.0.0.0/8")
/// p.contains(try IPv4Address("10.1.2.3"))   // true
/// p.last.description                          // "10.255.255.255"
/// try IPv4Prefix("10.0.0.1/8", normalize: true).description  // "10.0.0.0/8"
/// ```
public typealias IPv4Prefix = Prefix<IPv4Address>

/// An IPv6 network: a network address and a prefix length (0...128).
///
/// ```swift
/// let p = try IPv6Prefix("2001:db8::/32")
/// p.contains(try IPv6Address("2001:db8::1"))  // true
/// p.last.description                           // "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"
/// try IPv6Prefix("2001:db8::1/32", normalize: true).description  // "2001:db8::/32"
/// ```
public typealias IPv6Prefix = Prefix<IPv6Address>

/// A network of one address family: a network address and a prefix length
/// (0...32 for `IPv4Prefix`, 0...128 for `IPv6Prefix`).
///
/// Every operation is written once, here, over the family's `IPAddressProtocol` type; the
/// arithmetic itself is the family-independent code `IPPrefix` and `PrefixSet` share. The
/// members are inlinable, so callers get code specialised for their family.
///
/// ```swift
/// let p = try Prefix<IPv4Address>("10.0.0.0/8")   // the same type as IPv4Prefix
/// p.contains(try IPv4Address("10.1.2.3"))          // true
/// try IPv6Prefix("2001:db8::/32").length           // 32
/// ```
public struct Prefix<Address: IPAddressProtocol>: Sendable, Hashable, Comparable, CustomStringConvertible, IPTextCodable,
    IPPrefixProtocol
{
    /// The network (first) address.
    public let address: Address
    /// The prefix length, 0...32 for IPv4 and 0...128 for IPv6.
    public let length: Int

    /// A prefix known to be valid (length in range, host bits clear).
    @inlinable @inline(__always)
    init(uncheckedAddress address: Address, length: Int) {
        self.address = address
        self.length = length
    }

    /// A prefix from valid family-independent bits of this family.
    @inlinable @inline(__always)
    init(unchecked raw: RawPrefix) {
        self.init(uncheckedAddress: Address(uncheckedBits: raw.start), length: raw.length)
    }

    @inlinable
    var raw: RawPrefix {
        @inline(__always) get { RawPrefix(start: address.uncheckedBits, length: length, family: Address.family) }
    }

    /// Parses `address/n`: a dotted quad for IPv4, any RFC 4291 form (no zone id) for IPv6.
    /// Host bits set is an error unless `normalize` masks them; the length must be plain
    /// decimal (no leading zeros) within the family's width.
    ///
    /// ```swift
    /// try IPv4Prefix("192.0.2.0/24")                     // ok
    /// try IPv4Prefix("192.0.2.1/24")                     // throws .hostBitsSet
    /// try IPv4Prefix("192.0.2.1/24", normalize: true)    // 192.0.2.0/24
    /// try IPv6Prefix("2001:db8::1/48", normalize: true)  // 2001:db8::/48
    /// ```
    @inlinable
    public init(_ text: String, normalize: Bool = false) throws(IPError) {
        self.init(unchecked: try RawPrefix.parse(text, family: Address.family, normalize: normalize))
    }

    /// A prefix from an address and length, with the same checks as parsing.
    ///
    /// ```swift
    /// try IPv4Prefix(address: IPv4Address("10.1.2.3"), length: 16, normalize: true)     // 10.1.0.0/16
    /// try IPv6Prefix(address: IPv6Address("2001:db8::1"), length: 32, normalize: true)  // 2001:db8::/32
    /// ```
    @inlinable
    public init(address: Address, length: Int, normalize: Bool = false) throws(IPError) {
        self.init(
            unchecked: try RawPrefix.make(
                address: address.uncheckedBits, length: length, family: Address.family, normalize: normalize))
    }

    /// The typed prefix `prefix` holds, or nil when it is of the other family.
    ///
    /// ```swift
    /// IPv4Prefix(try IPPrefix("10.0.0.0/8"))?.length  // 8
    /// IPv4Prefix(try IPPrefix("::/0"))                 // nil
    /// ```
    @inlinable
    public init?(_ prefix: IPPrefix) {
        switch prefix {
        case .v4(let p):
            guard let address = Address(.v4(p.address)) else { return nil }
            self.init(uncheckedAddress: address, length: p.length)
        case .v6(let p):
            guard let address = Address(.v6(p.address)) else { return nil }
            self.init(uncheckedAddress: address, length: p.length)
        }
    }

    /// `address/length`.
    ///
    /// ```swift
    /// try IPv4Prefix("10.0.0.0/8").description     // "10.0.0.0/8"
    /// try IPv6Prefix("2001:DB8::/32").description  // "2001:db8::/32"
    /// ```
    @inlinable
    public var description: String { raw.text }

    /// The first address (same as `address`).
    ///
    /// ```swift
    /// try IPv4Prefix("10.0.0.0/31").first   // 10.0.0.0
    /// try IPv6Prefix("2001:db8::/127").first  // 2001:db8::
    /// ```
    @inlinable
    public var first: Address { address }

    /// The last address (for IPv4 lengths below 31, the broadcast address).
    ///
    /// ```swift
    /// try IPv4Prefix("10.0.0.0/31").last     // 10.0.0.1
    /// try IPv6Prefix("2001:db8::/127").last  // 2001:db8::1
    /// ```
    @inlinable
    public var last: Address { Address(uncheckedBits: raw.last) }

    /// Exact number of addresses, 2^(width - length) (2^128 for IPv6 /0).
    ///
    /// ```swift
    /// try IPv4Prefix("10.0.0.0/24").addressCount.uint64Value      // 256
    /// try IPv6Prefix("2001:db8::/120").addressCount.uint64Value  // 256
    /// ```
    @inlinable
    public var addressCount: AddressCount { raw.addressCount }

    /// Whether `address` lies inside this prefix.
    ///
    /// ```swift
    /// try IPv4Prefix("10.0.0.0/8").contains(IPv4Address("11.0.0.0"))         // false
    /// try IPv6Prefix("2001:db8::/32").contains(IPv6Address("2001:db8::1"))  // true
    /// ```
    @inlinable
    public func contains(_ address: Address) -> Bool { raw.contains(address.uncheckedBits) }

    /// Whether `other` lies wholly inside this prefix (Python's `other.subnet_of(self)`).
    ///
    /// ```swift
    /// try IPv4Prefix("10.0.0.0/8").contains(IPv4Prefix("10.1.0.0/16"))         // true
    /// try IPv6Prefix("2001:db8::/32").contains(IPv6Prefix("2001:db8:1::/48"))  // true
    /// ```
    @inlinable
    public func contains(_ other: Prefix) -> Bool { raw.contains(other.raw) }

    /// Whether the two prefixes share any address.
    ///
    /// ```swift
    /// try IPv4Prefix("10.1.0.0/16").overlaps(IPv4Prefix("10.0.0.0/8"))         // true
    /// try IPv6Prefix("2001:db8:1::/48").overlaps(IPv6Prefix("2001:db8::/32"))  // true
    /// ```
    @inlinable
    public func overlaps(_ other: Prefix) -> Bool { raw.overlaps(other.raw) }

    /// The subnets of `newLength` (length through the family's width), lazily, in address order.
    ///
    /// ```swift
    /// try IPv4Prefix("10.0.0.0/30").subnets(newLength: 31).map(\.description)     // ["10.0.0.0/31", "10.0.0.2/31"]
    /// try IPv6Prefix("2001:db8::/47").subnets(newLength: 48).map(\.description)  // ["2001:db8::/48", "2001:db8:1::/48"]
    /// ```
    @inlinable
    public func subnets(newLength: Int) throws(IPError) -> Subnets {
        Subnets(cursor: try raw.subnetCursor(newLength: newLength))
    }

    /// The enclosing prefix of `newLength` (0...length).
    ///
    /// ```swift
    /// try IPv4Prefix("10.1.2.0/24").supernet(newLength: 8)         // 10.0.0.0/8
    /// try IPv6Prefix("2001:db8:1::/48").supernet(newLength: 32)  // 2001:db8::/32
    /// ```
    @inlinable
    public func supernet(newLength: Int) throws(IPError) -> Prefix {
        Prefix(unchecked: try raw.supernet(newLength: newLength))
    }

    /// This prefix minus `other`, as Python's `address_exclude` orders it
    /// (the halves not containing `other`, from the top down). Throws if `other` is not inside.
    ///
    /// ```swift
    /// try IPv4Prefix("10.0.0.0/30").exclude(IPv4Prefix("10.0.0.1/32"))  // [10.0.0.2/31, 10.0.0.0/32]
    /// try IPv6Prefix("::/126").exclude(IPv6Prefix("::1/128"))           // [::2/127, ::/128]
    /// ```
    @inlinable
    public func exclude(_ other: Prefix) throws(IPError) -> [Prefix] {
        try raw.exclude(other.raw).map(Prefix.init(unchecked:))
    }

    /// The minimal ordered list of prefixes covering `first...last` (Python's `summarize_address_range`).
    ///
    /// ```swift
    /// try IPv4Prefix.summarize(first: IPv4Address("10.0.0.1"), last: IPv4Address("10.0.0.6"))
    /// // [10.0.0.1/32, 10.0.0.2/31, 10.0.0.4/31, 10.0.0.6/32]
    /// try IPv6Prefix.summarize(first: IPv6Address("::1"), last: IPv6Address("::6"))
    /// // [::1/128, ::2/127, ::4/127, ::6/128]
    /// ```
    @inlinable
    public static func summarize(first: Address, last: Address) throws(IPError) -> [Prefix] {
        guard first <= last else { throw IPError.invalidRange(first: first.ipAddress, last: last.ipAddress) }
        return RawPrefix.summarize(first: first.uncheckedBits, last: last.uncheckedBits, family: Address.family)
            .map(Prefix.init(unchecked:))
    }

    /// Merges prefixes into the minimal sorted list covering the same addresses (Python's `collapse_addresses`).
    ///
    /// ```swift
    /// IPv4Prefix.collapse([try IPv4Prefix("10.0.0.0/25"), try IPv4Prefix("10.0.0.128/25")])  // [10.0.0.0/24]
    /// IPv6Prefix.collapse([try IPv6Prefix("::/1"), try IPv6Prefix("8000::/1")])               // [::/0]
    /// ```
    @inlinable
    public static func collapse(_ prefixes: some Sequence<Prefix>) -> [Prefix] {
        RawPrefix.collapse(prefixes.map(\.raw), family: Address.family).map(Prefix.init(unchecked:))
    }

    /// Orders by network address, then shorter length first (as Python does).
    ///
    /// ```swift
    /// try IPv4Prefix("10.0.0.0/8") < IPv4Prefix("10.0.0.0/16")        // true
    /// try IPv6Prefix("2001:db8::/32") < IPv6Prefix("2001:db8::/48")  // true
    /// ```
    @inlinable
    public static func < (a: Prefix, b: Prefix) -> Bool {
        a.address != b.address ? a.address < b.address : a.length < b.length
    }

    /// Parses canonical text, for `IPTextCodable` (the same rules as `init(_:)`).
    ///
    /// ```swift
    /// try IPv4Prefix.parseText("10.0.0.0/8").length  // 8
    /// ```
    @inlinable
    public static func parseText(_ text: String) throws(IPError) -> Prefix { try Prefix(text) }

    /// The lazy sequence `subnets(newLength:)` returns.
    ///
    /// ```swift
    /// try IPv4Prefix("10.0.0.0/8").subnets(newLength: 24).count       // AddressCount 65536
    /// try IPv6Prefix("2001:db8::/32").subnets(newLength: 48).count  // AddressCount 65536
    /// ```
    public typealias Subnets = PrefixSubnets<Prefix>
}

/// A prefix type whose subnets `PrefixSubnets` yields: `IPv4Prefix`, `IPv6Prefix` or `IPPrefix`.
///
/// ```swift
/// func only<P: IPPrefixProtocol>(_ type: P.Type, in prefixes: [IPPrefix]) -> [P] {
///     prefixes.compactMap(P.init)
/// }
/// only(IPv4Prefix.self, in: [try IPPrefix("10.0.0.0/8"), try IPPrefix("::/0")])  // [10.0.0.0/8]
/// ```
public protocol IPPrefixProtocol: Sendable, Hashable, Comparable, CustomStringConvertible, IPTextCodable {
    /// The prefix of this type that `prefix` holds, or nil for a prefix of another family.
    ///
    /// ```swift
    /// IPv6Prefix(try IPPrefix("::/0"))?.length  // 0
    /// ```
    init?(_ prefix: IPPrefix)
}

/// A lazy sequence of the equal-length subnets of a prefix, in address order
/// (`IPv4Prefix.Subnets`, `IPv6Prefix.Subnets` and `IPPrefix.Subnets`).
///
/// ```swift
/// var it = try IPv4Prefix("10.0.0.0/23").subnets(newLength: 24)
/// it.count           // AddressCount 2
/// it.next()          // 10.0.0.0/24
/// ```
public struct PrefixSubnets<Element: IPPrefixProtocol>: Sequence, IteratorProtocol, Sendable, Hashable {
    @usableFromInline
    var cursor: SubnetCursor

    @inlinable
    init(cursor: SubnetCursor) {
        self.cursor = cursor
    }

    /// How many subnets the whole sequence holds (not reduced by iterating).
    ///
    /// ```swift
    /// try IPPrefix("10.0.0.0/16").subnets(newLength: 24).count  // AddressCount 256
    /// ```
    @inlinable
    public var count: AddressCount { cursor.count }

    /// Next subnet, or nil at the end.
    ///
    /// ```swift
    /// var it = try IPv6Prefix("::/127").subnets(newLength: 128)
    /// it.next()  // ::/128
    /// ```
    @inlinable
    public mutating func next() -> Element? {
        guard let raw = cursor.advance() else { return nil }
        return Element(raw.prefix)
    }
}
