import BerthNet

/// Validates CIDR text for the loader through BerthNet.
enum CIDRCheck {
    /// Why `text` is not a CIDR of `family`, or nil when it is one.
    static func problem(_ text: String, family: SchemaType.Family) -> String? {
        if text.isEmpty { return nil }  // an empty optional prefix (e.g. no ipv6) means "none"
        let prefix: IPPrefix
        do {
            prefix = try IPPrefix(text)
        } catch {
            return "\(error)"
        }
        switch (family, prefix.family) {
        case (.v4, .v6): return "expected an IPv4 prefix"
        case (.v6, .v4): return "expected an IPv6 prefix"
        default: return nil
        }
    }
}
