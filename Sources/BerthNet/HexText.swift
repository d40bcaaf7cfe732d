/// Fixed-width lowercase hexadecimal text: two digits per byte, leading zeros kept.
///
/// ```swift
/// HexText.lowercase([0x0a, 0xff])                // "0aff"
/// HexText.lowercase(words: [0x20010db8, 0xff])    // "0000000020010db800000000000000ff"
/// ```
public enum HexText {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Each byte of `bytes` as two lowercase hex digits, in order.
    public static func lowercase<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        String(unsafeUninitializedCapacity: 2 * bytes.count) { out in
            var i = 0
            for b in bytes {
                out[i] = digits[Int(b >> 4)]
                out[i + 1] = digits[Int(b & 15)]
                i += 2
            }
            return i
        }
    }

    /// Each word of `words` as 16 lowercase hex digits (big-endian), in order.
    public static func lowercase(words: [UInt64]) -> String {
        String(unsafeUninitializedCapacity: 16 * words.count) { out in
            var i = 0
            for word in words {
                for shift in stride(from: 60, through: 0, by: -4) {
                    out[i] = digits[Int((word >> UInt64(shift)) & 15)]
                    i += 1
                }
            }
            return i
        }
    }
}
