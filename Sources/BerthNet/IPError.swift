/// An address family: IPv4 or IPv6.
///
/// ```swift
/// IPAddress("::1")?.family == .v6  // true
/// IPFamily.v4.bitWidth             // 32
/// ```
public enum IPFamily: String, Sendable, Hashable, Codable, CustomStringConvertible {
    /// IPv4, 32-bit addresses (`IPFamily.v4.bitWidth == 32`).
    case v4
    /// IPv6, 128-bit addresses (`IPFamily.v6.bitWidth == 128`).
    case v6

    /// Number of bits in an address of this family (32 or 128).
    ///
    /// ```swift
    /// IPFamily.v6.bitWidth  // 128
    /// ```
    public var bitWidth: Int { self == .v4 ? 32 : 128 }

    /// "IPv4" or "IPv6".
    ///
    /// ```swift
    /// "\(IPFamily.v4)"  // "IPv4"
    /// ```
    public var description: String { self == .v4 ? "IPv4" : "IPv6" }
}

/// Every error BerthNet throws, each with a human-readable `description`.
///
/// ```swift
/// do { _ = try IPv4Prefix("10.0.0.1/8") } catch {
///     print(error)  // 10.0.0.1/8 has host bits set; did you mean 10.0.0.0/8?
/// }
/// ```
public enum IPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Text that is not a valid address or prefix; `reason` says what is wrong.
    case malformedAddress(text: String, reason: String)
    /// A prefix length that is not a plain decimal number within `allowed`;
    /// `context` names where it appeared (quoted input text or an operation).
    case prefixLengthOutOfRange(length: String, allowed: ClosedRange<Int>, context: String)
    /// A prefix whose address has bits set past its length; `suggestion` is the masked prefix.
    case hostBitsSet(text: String, suggestion: IPPrefix)
    /// A value of one family used where the other was expected.
    case familyMismatch(value: String, found: IPFamily, expected: IPFamily)
    /// An address range whose last address is lower than its first.
    case invalidRange(first: IPAddress, last: IPAddress)
    /// A prefix that lies (partly) outside the prefix or pool it must be inside.
    case notContained(IPPrefix, container: IPPrefix)
    /// A prefix that cannot be allocated because `inUse` (a used block overlapping it) is taken.
    case notFree(IPPrefix, inUse: IPPrefix)
    /// No free block can hold a prefix of `length` inside `pool`.
    case poolExhausted(length: Int, pool: IPPrefix, freeTotal: AddressCount, largestFree: IPPrefix?)

    /// The human-readable message.
    ///
    /// ```swift
    /// IPError.notContained(try IPPrefix("192.168.0.0/24"), container: try IPPrefix("10.0.0.0/8")).description
    /// // "192.168.0.0/24 is not contained in 10.0.0.0/8"
    /// ```
    public var description: String {
        switch self {
        case .malformedAddress(let text, let reason):
            return "malformed address '\(text)': \(reason)"
        case .prefixLengthOutOfRange(let length, let allowed, let context):
            let range = "allowed \(allowed.lowerBound)-\(allowed.upperBound)"
            if length.isEmpty {
                return "missing prefix length in \(context) (\(range))"
            }
            if isPlainDecimal(length) {
                return "prefix length \(length) is out of range in \(context) (\(range))"
            }
            return "prefix length '\(length)' in \(context) is not a plain decimal number (\(range))"
        case .hostBitsSet(let text, let suggestion):
            return "\(text) has host bits set; did you mean \(suggestion)?"
        case .familyMismatch(let value, let found, let expected):
            return "family mismatch: \(value) is \(found), expected \(expected)"
        case .invalidRange(let first, let last):
            return "invalid range \(first)-\(last): last address is lower than first"
        case .notContained(let prefix, let container):
            return "\(prefix) is not contained in \(container)"
        case .notFree(let prefix, let inUse):
            return "\(prefix) is not free: \(inUse) is already in use"
        case .poolExhausted(let length, let pool, let freeTotal, let largestFree):
            let largest = largestFree.map { ", largest free block \($0)" } ?? ""
            return "no free /\(length) in \(pool): \(freeTotal) addresses free\(largest)"
        }
    }
}

/// True for "0" or digits without a leading zero.
func isPlainDecimal(_ s: String) -> Bool {
    guard let first = s.utf8.first else { return false }
    if first == UInt8(ascii: "0") && s.utf8.count > 1 { return false }
    return s.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
}
