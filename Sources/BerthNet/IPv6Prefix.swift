/// An IPv6 network: a network address and a prefix length (0...128).
///
/// ```swift
/// let p = try IPv6Prefix("2001:db8::/32")
/// p.contains(try IPv6Address("2001:db8::1"))  // true
/// p.last.description                           // "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"
/// try IPv6Prefix("2001:db8::1/32", normalize: true).description  // "2001:db8::/32"
/// ```
public struct IPv6Prefix: Sendable, Hashable, Comparable, CustomStringConvertible, IPTextCodable {
    /// The network (first) address.
    public let address: IPv6Address
    /// The prefix length, 0...128.
    public let length: Int

    init(unchecked raw: RawPrefix) {
        self.address = IPv6Address(bits: raw.start)
        self.length = raw.length
    }

    var raw: RawPrefix { RawPrefix(start: address.bits, length: length, family: .v6) }

    /// Parses `address/n` (any RFC 4291 address form, no zone id). Host bits set is an error unless `normalize` masks them;
    /// the length must be plain decimal (no leading zeros) in 0...128.
    ///
    /// ```swift
    /// try IPv6Prefix("2001:db8::/48")                    // ok
    /// try IPv6Prefix("2001:db8::1/48")                   // throws .hostBitsSet
    /// try IPv6Prefix("2001:db8::1/48", normalize: true)  // 2001:db8::/48
    /// ```
    public init(_ text: String, normalize: Bool = false) throws(IPError) {
        self.init(unchecked: try RawPrefix.parse(text, family: .v6, normalize: normalize))
    }

    /// A prefix from an address and length, with the same checks as parsing.
    ///
    /// ```swift
    /// try IPv6Prefix(address: IPv6Address("2001:db8::1"), length: 32, normalize: true)  // 2001:db8::/32
    /// ```
    public init(address: IPv6Address, length: Int, normalize: Bool = false) throws(IPError) {
        self.init(unchecked: try RawPrefix.make(address: address.bits, length: length, family: .v6, normalize: normalize))
    }

    /// `address/length`.
    ///
    /// ```swift
    /// try IPv6Prefix("2001:DB8::/32").description  // "2001:db8::/32"
    /// ```
    public var description: String { "\(address)/\(length)" }

    /// The first address (same as `address`).
    ///
    /// ```swift
    /// try IPv6Prefix("2001:db8::/127").first  // 2001:db8::
    /// ```
    public var first: IPv6Address { address }

    /// The last address.
    ///
    /// ```swift
    /// try IPv6Prefix("2001:db8::/127").last  // 2001:db8::1
    /// ```
    public var last: IPv6Address { IPv6Address(bits: raw.last) }

    /// Exact number of addresses, 2^(128 - length) (2^128 for /0).
    ///
    /// ```swift
    /// try IPv6Prefix("2001:db8::/120").addressCount.uint64Value  // 256
    /// ```
    public var addressCount: AddressCount { raw.addressCount }

    /// Whether `address` lies inside this prefix.
    ///
    /// ```swift
    /// try IPv6Prefix("2001:db8::/32").contains(IPv6Address("2001:db9::"))  // false
    /// ```
    public func contains(_ address: IPv6Address) -> Bool { raw.contains(address.bits) }

    /// Whether `other` lies wholly inside this prefix (Python's `other.subnet_of(self)`).
    ///
    /// ```swift
    /// try IPv6Prefix("2001:db8::/32").contains(IPv6Prefix("2001:db8:1::/48"))  // true
    /// ```
    public func contains(_ other: IPv6Prefix) -> Bool { raw.contains(other.raw) }

    /// Whether the two prefixes share any address.
    ///
    /// ```swift
    /// try IPv6Prefix("2001:db8:1::/48").overlaps(IPv6Prefix("2001:db8::/32"))  // true
    /// ```
    public func overlaps(_ other: IPv6Prefix) -> Bool { raw.overlaps(other.raw) }

    /// The subnets of `newLength` (length...128), lazily, in address order.
    ///
    /// ```swift
    /// try IPv6Prefix("2001:db8::/47").subnets(newLength: 48).map(\.description)  // ["2001:db8::/48", "2001:db8:1::/48"]
    /// ```
    public func subnets(newLength: Int) throws(IPError) -> Subnets {
        Subnets(cursor: try raw.subnetCursor(newLength: newLength))
    }

    /// The enclosing prefix of `newLength` (0...length).
    ///
    /// ```swift
    /// try IPv6Prefix("2001:db8:1::/48").supernet(newLength: 32)  // 2001:db8::/32
    /// ```
    public func supernet(newLength: Int) throws(IPError) -> IPv6Prefix {
        IPv6Prefix(unchecked: try raw.supernet(newLength: newLength))
    }

    /// This prefix minus `other`, as Python's `address_exclude` orders it
    /// (the halves not containing `other`, from the top down). Throws if `other` is not inside.
    ///
    /// ```swift
    /// try IPv6Prefix("::/126").exclude(IPv6Prefix("::1/128"))
    /// // [::2/127, ::/128]
    /// ```
    public func exclude(_ other: IPv6Prefix) throws(IPError) -> [IPv6Prefix] {
        try raw.exclude(other.raw).map(IPv6Prefix.init(unchecked:))
    }

    /// The minimal ordered list of prefixes covering `first...last` (Python's `summarize_address_range`).
    ///
    /// ```swift
    /// try IPv6Prefix.summarize(first: IPv6Address("::1"), last: IPv6Address("::6"))
    /// // [::1/128, ::2/127, ::4/127, ::6/128]
    /// ```
    public static func summarize(first: IPv6Address, last: IPv6Address) throws(IPError) -> [IPv6Prefix] {
        guard first <= last else { throw IPError.invalidRange(first: .v6(first), last: .v6(last)) }
        return RawPrefix.summarize(first: first.bits, last: last.bits, family: .v6).map(IPv6Prefix.init(unchecked:))
    }

    /// Merges prefixes into the minimal sorted list covering the same addresses (Python's `collapse_addresses`).
    ///
    /// ```swift
    /// IPv6Prefix.collapse([try IPv6Prefix("::/1"), try IPv6Prefix("8000::/1")])  // [::/0]
    /// ```
    public static func collapse(_ prefixes: some Sequence<IPv6Prefix>) -> [IPv6Prefix] {
        RawPrefix.collapse(prefixes.map(\.raw), family: .v6).map(IPv6Prefix.init(unchecked:))
    }

    /// Orders by network address, then shorter length first (as Python does).
    ///
    /// ```swift
    /// try IPv6Prefix("2001:db8::/32") < IPv6Prefix("2001:db8::/48")  // true
    /// ```
    public static func < (a: IPv6Prefix, b: IPv6Prefix) -> Bool {
        a.address != b.address ? a.address < b.address : a.length < b.length
    }

    /// Parses canonical text, for `IPTextCodable` (the same rules as `init(_:)`).
    public static func parseText(_ text: String) throws(IPError) -> IPv6Prefix { try IPv6Prefix(text) }

    /// A lazy sequence of equal-length subnets.
    ///
    /// ```swift
    /// try IPv6Prefix("2001:db8::/32").subnets(newLength: 48).count  // AddressCount 65536
    /// ```
    public struct Subnets: Sequence, IteratorProtocol, Sendable, Hashable {
        var cursor: SubnetCursor

        /// How many subnets the whole sequence holds (not reduced by iterating).
        public var count: AddressCount { cursor.count }

        /// Next subnet, or nil at the end.
        public mutating func next() -> IPv6Prefix? {
            cursor.advance().map(IPv6Prefix.init(unchecked:))
        }
    }
}
