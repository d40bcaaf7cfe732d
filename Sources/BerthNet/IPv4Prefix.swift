/// An IPv4 network: a network address and a prefix length (0...32).
///
/// ```swift
/// let p = try IPv4Prefix("10.0.0.0/8")
/// p.contains(try IPv4Address("10.1.2.3"))   // true
/// p.last.description                          // "10.255.255.255"
/// try IPv4Prefix("10.0.0.1/8", normalize: true).description  // "10.0.0.0/8"
/// ```
public struct IPv4Prefix: Sendable, Hashable, Comparable, CustomStringConvertible, IPTextCodable {
    /// The network (first) address.
    public let address: IPv4Address
    /// The prefix length, 0...32.
    public let length: Int

    init(unchecked raw: RawPrefix) {
        self.address = IPv4Address(UInt32(truncatingIfNeeded: raw.start.lo))
        self.length = raw.length
    }

    var raw: RawPrefix { RawPrefix(start: address.bits, length: length, family: .v4) }

    /// Parses `a.b.c.d/n`. Host bits set is an error unless `normalize` masks them;
    /// the length must be plain decimal (no leading zeros) in 0...32.
    ///
    /// ```swift
    /// try IPv4Prefix("192.0.2.0/24")                   // ok
    /// try IPv4Prefix("192.0.2.1/24")                   // throws .hostBitsSet
    /// try IPv4Prefix("192.0.2.1/24", normalize: true)  // 192.0.2.0/24
    /// ```
    public init(_ text: String, normalize: Bool = false) throws(IPError) {
        self.init(unchecked: try RawPrefix.parse(text, family: .v4, normalize: normalize))
    }

    /// A prefix from an address and length, with the same checks as parsing.
    ///
    /// ```swift
    /// try IPv4Prefix(address: IPv4Address("10.1.2.3"), length: 16, normalize: true)  // 10.1.0.0/16
    /// ```
    public init(address: IPv4Address, length: Int, normalize: Bool = false) throws(IPError) {
        self.init(unchecked: try RawPrefix.make(address: address.bits, length: length, family: .v4, normalize: normalize))
    }

    /// `address/length`.
    ///
    /// ```swift
    /// try IPv4Prefix("10.0.0.0/8").description  // "10.0.0.0/8"
    /// ```
    public var description: String { "\(address)/\(length)" }

    /// The first address (same as `address`).
    ///
    /// ```swift
    /// try IPv4Prefix("10.0.0.0/31").first  // 10.0.0.0
    /// ```
    public var first: IPv4Address { address }

    /// The last address (the broadcast address for lengths below 31).
    ///
    /// ```swift
    /// try IPv4Prefix("10.0.0.0/31").last  // 10.0.0.1
    /// ```
    public var last: IPv4Address { IPv4Address(UInt32(truncatingIfNeeded: raw.last.lo)) }

    /// Exact number of addresses, 2^(32 - length).
    ///
    /// ```swift
    /// try IPv4Prefix("10.0.0.0/24").addressCount.uint64Value  // 256
    /// ```
    public var addressCount: AddressCount { raw.addressCount }

    /// Whether `address` lies inside this prefix.
    ///
    /// ```swift
    /// try IPv4Prefix("10.0.0.0/8").contains(IPv4Address("11.0.0.0"))  // false
    /// ```
    public func contains(_ address: IPv4Address) -> Bool { raw.contains(address.bits) }

    /// Whether `other` lies wholly inside this prefix (Python's `other.subnet_of(self)`).
    ///
    /// ```swift
    /// try IPv4Prefix("10.0.0.0/8").contains(IPv4Prefix("10.1.0.0/16"))  // true
    /// ```
    public func contains(_ other: IPv4Prefix) -> Bool { raw.contains(other.raw) }

    /// Whether the two prefixes share any address.
    ///
    /// ```swift
    /// try IPv4Prefix("10.1.0.0/16").overlaps(IPv4Prefix("10.0.0.0/8"))  // true
    /// ```
    public func overlaps(_ other: IPv4Prefix) -> Bool { raw.overlaps(other.raw) }

    /// The subnets of `newLength` (length...32), lazily, in address order.
    ///
    /// ```swift
    /// try IPv4Prefix("10.0.0.0/30").subnets(newLength: 31).map(\.description)  // ["10.0.0.0/31", "10.0.0.2/31"]
    /// ```
    public func subnets(newLength: Int) throws(IPError) -> Subnets {
        Subnets(cursor: try raw.subnetCursor(newLength: newLength))
    }

    /// The enclosing prefix of `newLength` (0...length).
    ///
    /// ```swift
    /// try IPv4Prefix("10.1.2.0/24").supernet(newLength: 8)  // 10.0.0.0/8
    /// ```
    public func supernet(newLength: Int) throws(IPError) -> IPv4Prefix {
        IPv4Prefix(unchecked: try raw.supernet(newLength: newLength))
    }

    /// This prefix minus `other`, as Python's `address_exclude` orders it
    /// (the halves not containing `other`, from the top down). Throws if `other` is not inside.
    ///
    /// ```swift
    /// try IPv4Prefix("10.0.0.0/30").exclude(IPv4Prefix("10.0.0.1/32"))
    /// // [10.0.0.2/31, 10.0.0.0/32]
    /// ```
    public func exclude(_ other: IPv4Prefix) throws(IPError) -> [IPv4Prefix] {
        try raw.exclude(other.raw).map(IPv4Prefix.init(unchecked:))
    }

    /// The minimal ordered list of prefixes covering `first...last` (Python's `summarize_address_range`).
    ///
    /// ```swift
    /// try IPv4Prefix.summarize(first: IPv4Address("10.0.0.1"), last: IPv4Address("10.0.0.6"))
    /// // [10.0.0.1/32, 10.0.0.2/31, 10.0.0.4/31, 10.0.0.6/32]
    /// ```
    public static func summarize(first: IPv4Address, last: IPv4Address) throws(IPError) -> [IPv4Prefix] {
        guard first <= last else { throw IPError.invalidRange(first: .v4(first), last: .v4(last)) }
        return RawPrefix.summarize(first: first.bits, last: last.bits, family: .v4).map(IPv4Prefix.init(unchecked:))
    }

    /// Merges prefixes into the minimal sorted list covering the same addresses (Python's `collapse_addresses`).
    ///
    /// ```swift
    /// IPv4Prefix.collapse([try IPv4Prefix("10.0.0.0/25"), try IPv4Prefix("10.0.0.128/25")])  // [10.0.0.0/24]
    /// ```
    public static func collapse(_ prefixes: some Sequence<IPv4Prefix>) -> [IPv4Prefix] {
        RawPrefix.collapse(prefixes.map(\.raw), family: .v4).map(IPv4Prefix.init(unchecked:))
    }

    /// Orders by network address, then shorter length first (as Python does).
    ///
    /// ```swift
    /// try IPv4Prefix("10.0.0.0/8") < IPv4Prefix("10.0.0.0/16")  // true
    /// ```
    public static func < (a: IPv4Prefix, b: IPv4Prefix) -> Bool {
        a.address != b.address ? a.address < b.address : a.length < b.length
    }

    /// Parses canonical text, for `IPTextCodable` (the same rules as `init(_:)`).
    public static func parseText(_ text: String) throws(IPError) -> IPv4Prefix { try IPv4Prefix(text) }

    /// A lazy sequence of equal-length subnets.
    ///
    /// ```swift
    /// try IPv4Prefix("10.0.0.0/8").subnets(newLength: 24).count  // AddressCount 65536
    /// ```
    public struct Subnets: Sequence, IteratorProtocol, Sendable, Hashable {
        var cursor: SubnetCursor

        /// How many subnets the whole sequence holds (not reduced by iterating).
        public var count: AddressCount { cursor.count }

        /// Next subnet, or nil at the end.
        public mutating func next() -> IPv4Prefix? {
            cursor.advance().map(IPv4Prefix.init(unchecked:))
        }
    }
}
