import BerthNet

/// Validates CIDR text for the loader through BerthNet.
enum CIDRCheck {
    static func problem(_ text: String, family: SchemaType.Family) -> String? {
        nil
    }
}
