/// Addresses and prefixes encode as their canonical text and decode by parsing it, with the
/// same rules as the parsers (a prefix with host bits set is refused).
///
/// ```swift
/// try JSONEncoder().encode([try IPv4Prefix("10.0.0.0/8")])             // ["10.0.0.0\/8"]
/// try JSONDecoder().decode(IPv4Address.self, from: Data(#""10.0.0.1""#.utf8))
/// ```
public protocol IPTextCodable: Codable, CustomStringConvertible {
    /// Parses the text `description` prints.
    static func parseText(_ text: String) throws(IPError) -> Self
}

extension IPTextCodable {
    /// Decodes the canonical text and parses it with `parseText`; a refused text is a
    /// `DecodingError.dataCorrupted` carrying the parser's message.
    ///
    /// ```swift
    /// try JSONDecoder().decode(IPv4Prefix.self, from: Data(#""10.0.0.1/8""#.utf8))  // throws: host bits set
    /// ```
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            self = try Self.parseText(text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    /// Encodes `description`, the canonical text.
    ///
    /// ```swift
    /// try JSONEncoder().encode(try IPv6Address("2001:DB8::1"))  // "2001:db8::1"
    /// ```
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
