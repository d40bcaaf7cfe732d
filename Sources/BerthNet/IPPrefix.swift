/// An IPv4 or IPv6 prefix.
///
/// ```swift
/// let p = try IPPrefix("2001:db8::/32")
/// p.family                                  // .v6
/// p.contains(try IPAddress("2001:db8::1"))  // true
/// p.contains(try IPAddress("10.0.0.1"))     // false (other family)
/// ```
public enum IPPrefix: IPPrefixProtocol {
    /// An IPv4 prefix, e.g. `.v4(try IPv4Prefix("10.0.0.0/8"))`.
    case v4(IPv4Prefix)
    /// An IPv6 prefix, e.g. `.v6(try IPv6Prefix("2001:db8::/32"))`.
    case v6(IPv6Prefix)

    @inlinable
    init(unchecked raw: RawPrefix) {
        self = raw.prefix
    }

    @inlinable
    var raw: RawPrefix {
        switch self {
        case .v4(let p): return p.raw
        case .v6(let p): return p.raw
        }
    }

    /// Parses either family (':' in the address means IPv6); same rules as the typed parsers.
    ///
    /// ```swift
    /// try IPPrefix("10.0.0.0/8")                    // .v4(10.0.0.0/8)
    /// try IPPrefix("10.0.0.0/08")                   // throws .prefixLengthOutOfRange
    /// try IPPrefix("::1/64", normalize: true)       // .v6(::/64)
    /// ```
    public init(_ text: String, normalize: Bool = false) throws(IPError) {
        self.init(unchecked: try RawPrefix.parse(text, family: nil, normalize: normalize))
    }

    /// A prefix from an address and a length, with the same checks as parsing.
    ///
    /// ```swift
    /// try IPPrefix(address: IPAddress("10.9.8.7"), length: 8, normalize: true)  // 10.0.0.0/8
    /// ```
    public init(address: IPAddress, length: Int, normalize: Bool = false) throws(IPError) {
        self.init(
            unchecked: try RawPrefix.make(
                address: address.bits, length: length, family: address.family, normalize: normalize))
    }

    /// Wraps a typed IPv4 prefix.
    ///
    /// ```swift
    /// IPPrefix(try IPv4Prefix("10.0.0.0/8")).family  // .v4
    /// ```
    public init(_ prefix: IPv4Prefix) { self = .v4(prefix) }

    /// The prefix itself (for `IPPrefixProtocol`, which `IPPrefix.Subnets` needs).
    ///
    /// ```swift
    /// IPPrefix(try IPPrefix("::/0")).family  // .v6
    /// ```
    @inlinable
    public init(_ prefix: IPPrefix) { self = prefix }

    /// Wraps a typed IPv6 prefix.
    ///
    /// ```swift
    /// IPPrefix(try IPv6Prefix("::/0")).family  // .v6
    /// ```
    public init(_ prefix: IPv6Prefix) { self = .v6(prefix) }

    /// The address family.
    ///
    /// ```swift
    /// try IPPrefix("10.0.0.0/8").family  // .v4
    /// ```
    public var family: IPFamily { raw.family }

    /// The network (first) address.
    ///
    /// ```swift
    /// try IPPrefix("10.0.0.0/8").address  // .v4(10.0.0.0)
    /// ```
    public var address: IPAddress { IPAddress(bits: raw.start, family: raw.family) }

    /// The prefix length.
    ///
    /// ```swift
    /// try IPPrefix("10.0.0.0/8").length  // 8
    /// ```
    public var length: Int {
        switch self {
        case .v4(let p): return p.length
        case .v6(let p): return p.length
        }
    }

    /// The first address (same as `address`).
    ///
    /// ```swift
    /// try IPPrefix("::/127").first  // .v6(::)
    /// ```
    public var first: IPAddress { address }

    /// The last address.
    ///
    /// ```swift
    /// try IPPrefix("::/127").last  // .v6(::1)
    /// ```
    public var last: IPAddress { IPAddress(bits: raw.last, family: raw.family) }

    /// Exact number of addresses.
    ///
    /// ```swift
    /// try IPPrefix("::/0").addressCount.description  // "340282366920938463463374607431768211456"
    /// ```
    public var addressCount: AddressCount { raw.addressCount }

    /// `address/length`.
    ///
    /// ```swift
    /// try IPPrefix("2001:DB8::/32").description  // "2001:db8::/32"
    /// ```
    public var description: String {
        switch self {
        case .v4(let p): return p.description
        case .v6(let p): return p.description
        }
    }

    /// Whether `address` is inside; always false across families.
    ///
    /// ```swift
    /// try IPPrefix("10.0.0.0/8").contains(IPAddress("10.0.0.1"))  // true
    /// ```
    public func contains(_ address: IPAddress) -> Bool {
        address.family == family && raw.contains(address.bits)
    }

    /// Whether `other` is wholly inside; always false across families.
    ///
    /// ```swift
    /// try IPPrefix("10.0.0.0/8").contains(IPPrefix("10.0.0.0/8"))  // true
    /// ```
    public func contains(_ other: IPPrefix) -> Bool {
        other.family == family && raw.contains(other.raw)
    }

    /// Whether the prefixes share an address; always false across families.
    ///
    /// ```swift
    /// try IPPrefix("10.0.0.0/8").overlaps(IPPrefix("10.1.0.0/16"))  // true
    /// ```
    public func overlaps(_ other: IPPrefix) -> Bool {
        other.family == family && raw.overlaps(other.raw)
    }

    /// The subnets of `newLength`, lazily, in address order.
    ///
    /// ```swift
    /// try IPPrefix("10.0.0.0/23").subnets(newLength: 24).map(\.description)  // ["10.0.0.0/24", "10.0.1.0/24"]
    /// ```
    public func subnets(newLength: Int) throws(IPError) -> Subnets {
        Subnets(cursor: try raw.subnetCursor(newLength: newLength))
    }

    /// The enclosing prefix of `newLength` (0...length).
    ///
    /// ```swift
    /// try IPPrefix("10.1.0.0/16").supernet(newLength: 8)  // .v4(10.0.0.0/8)
    /// ```
    public func supernet(newLength: Int) throws(IPError) -> IPPrefix {
        IPPrefix(unchecked: try raw.supernet(newLength: newLength))
    }

    /// This prefix minus `other`, in Python's `address_exclude` order.
    ///
    /// ```swift
    /// try IPPrefix("10.0.0.0/30").exclude(IPPrefix("10.0.0.0/31"))  // [10.0.0.2/31]
    /// ```
    public func exclude(_ other: IPPrefix) throws(IPError) -> [IPPrefix] {
        guard other.family == family else {
            throw IPError.familyMismatch(value: other.description, found: other.family, expected: family)
        }
        return try raw.exclude(other.raw).map(IPPrefix.init(unchecked:))
    }

    /// The minimal ordered CIDR cover of `first...last`; both must be one family.
    ///
    /// ```swift
    /// try IPPrefix.summarize(first: IPAddress("::"), last: IPAddress("::3"))  // [::/126]
    /// ```
    public static func summarize(first: IPAddress, last: IPAddress) throws(IPError) -> [IPPrefix] {
        guard first.family == last.family else {
            throw IPError.familyMismatch(value: last.description, found: last.family, expected: first.family)
        }
        guard first <= last else { throw IPError.invalidRange(first: first, last: last) }
        return RawPrefix.summarize(first: first.bits, last: last.bits, family: first.family)
            .map(IPPrefix.init(unchecked:))
    }

    /// Collapses each family separately (IPv4 results first), as `IPv4Prefix.collapse` does.
    ///
    /// ```swift
    /// IPPrefix.collapse([try IPPrefix("::/1"), try IPPrefix("10.0.0.0/8"), try IPPrefix("8000::/1")])
    /// // [10.0.0.0/8, ::/0]
    /// ```
    public static func collapse(_ prefixes: some Sequence<IPPrefix>) -> [IPPrefix] {
        var v4: [RawPrefix] = []
        var v6: [RawPrefix] = []
        for p in prefixes {
            if p.family == .v4 { v4.append(p.raw) } else { v6.append(p.raw) }
        }
        return (RawPrefix.collapse(v4, family: .v4) + RawPrefix.collapse(v6, family: .v6))
            .map(IPPrefix.init(unchecked:))
    }

    /// IPv4 before IPv6; then network address, then shorter length first.
    ///
    /// ```swift
    /// try IPPrefix("10.0.0.0/8") < IPPrefix("::/0")  // true
    /// ```
    public static func < (a: IPPrefix, b: IPPrefix) -> Bool {
        if a.family != b.family { return a.family == .v4 }
        return a.raw < b.raw
    }

    /// Parses canonical text, for `IPTextCodable` (the same rules as `init(_:)`).
    public static func parseText(_ text: String) throws(IPError) -> IPPrefix { try IPPrefix(text) }

    /// The lazy sequence `subnets(newLength:)` returns.
    ///
    /// ```swift
    /// try IPPrefix("10.0.0.0/16").subnets(newLength: 24).count  // AddressCount 256
    /// ```
    public typealias Subnets = PrefixSubnets<IPPrefix>
}
