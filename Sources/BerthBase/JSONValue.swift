import Glibc

/// An ordered JSON-like value: the form every rendered object takes before it is written.
///
/// Keys keep the order they were built in, so output is deterministic; absent fields are
/// simply not added (never encoded as `null`), and strings stay strings (`"8080"` is quoted).
///
/// ```swift
/// let ns: JSONValue = ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "shop"]]
/// print(ns.yaml())
/// ```
public enum JSONValue: Sendable, Hashable {
    /// JSON `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A whole number.
    case int(Int)
    /// A floating-point number.
    case double(Double)
    /// A string (always written quoted when it could read as anything else).
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object: its keys in the order they were added.
    case object([(String, JSONValue)])

    /// Deep equality; object keys are compared in order.
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.double(let a), .double(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// Hashes the whole value, object keys in order (consistent with `==`).
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let b): hasher.combine(b)
        case .int(let i): hasher.combine(i)
        case .double(let d): hasher.combine(d)
        case .string(let s): hasher.combine(s)
        case .array(let a): hasher.combine(a)
        case .object(let o):
            for (k, v) in o {
                hasher.combine(k)
                hasher.combine(v)
            }
        }
    }

    /// The value under `key` when this is an object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let pairs) = self else { return nil }
        return pairs.first { $0.0 == key }?.1
    }

    /// The string when this is a string.
    public var stringValue: String? {
        if case .string(let s) = self { s } else { nil }
    }

    /// The number when this is a whole number.
    public var intValue: Int? {
        if case .int(let i) = self { i } else { nil }
    }

    /// The items when this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { a } else { nil }
    }

    /// Follows a dotted path of object keys, e.g. `metadata.name`.
    public func at(_ path: String) -> JSONValue? {
        // Walks the path's UTF-8 in place, comparing keys byte for byte: no array of parts and
        // no String per part (this runs for every reference of every rendered object).
        var cur = self
        var found = true
        path.utf8.withContiguousStorageIfAvailable { bytes in
            var start = 0
            while start <= bytes.count, found {
                var end = start
                while end < bytes.count, bytes[end] != 0x2E { end += 1 }
                let part = UnsafeBufferPointer(rebasing: bytes[start..<end])
                guard case .object(let pairs) = cur else {
                    found = false
                    return
                }
                var next: JSONValue?
                // By index: a `for (k, v) in pairs` loop would copy (retain and release) every pair it passes.
                for i in pairs.indices where pairs[i].0.utf8.count == part.count {
                    let same =
                        pairs[i].0.utf8.withContiguousStorageIfAvailable { kb in
                            guard let k = kb.baseAddress, let p = part.baseAddress else { return part.isEmpty }
                            return memcmp(k, p, part.count) == 0
                        } ?? pairs[i].0.utf8.elementsEqual(part)
                    if same {
                        next = pairs[i].1
                        break
                    }
                }
                guard let next else {
                    found = false
                    return
                }
                cur = next
                start = end + 1
            }
        }
            ?? {
                for part in path.split(separator: ".") {
                    guard let next = cur[String(part)] else {
                        found = false
                        return
                    }
                    cur = next
                }
            }()
        return found ? cur : nil
    }

    /// Returns a copy with `value` set under `key` (appended when new, replaced in place otherwise).
    public func setting(_ key: String, _ value: JSONValue) -> JSONValue {
        guard case .object(var pairs) = self else { return self }
        if let i = pairs.firstIndex(where: { $0.0 == key }) {
            pairs[i].1 = value
        } else {
            pairs.append((key, value))
        }
        return .object(pairs)
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByFloatLiteral
{
    /// A string literal is a `.string`.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An integer literal is an `.int`.
    public init(integerLiteral value: Int) { self = .int(value) }
    /// A Boolean literal is a `.bool`.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// A floating-point literal is a `.double`.
    public init(floatLiteral value: Double) { self = .double(value) }
    /// An array literal is an `.array`.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// A dictionary literal is an `.object`, keys in the order written.
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(elements) }
}

// MARK: - JSON

extension JSONValue {
    /// Deterministic JSON text. Pretty output indents by two spaces.
    public func serialized(pretty: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(256)
        writeJSON(into: &out, pretty: pretty, indent: 0)
        return out
    }

    private func writeJSON(into out: inout String, pretty: Bool, indent: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += JSONValue.formatDouble(d)
        case .string(let s): JSONValue.writeQuoted(s, into: &out)
        case .array(let items):
            if items.isEmpty {
                out += "[]"
                return
            }
            out += "["
            for (n, item) in items.enumerated() {
                if n > 0 { out += "," }
                if pretty { out += "\n" + JSONValue.spaces(indent + 2) }
                item.writeJSON(into: &out, pretty: pretty, indent: indent + 2)
            }
            if pretty { out += "\n" + JSONValue.spaces(indent) }
            out += "]"
        case .object(let pairs):
            if pairs.isEmpty {
                out += "{}"
                return
            }
            out += "{"
            for (n, (k, v)) in pairs.enumerated() {
                if n > 0 { out += "," }
                if pretty { out += "\n" + JSONValue.spaces(indent + 2) }
                JSONValue.writeQuoted(k, into: &out)
                out += pretty ? ": " : ":"
                v.writeJSON(into: &out, pretty: pretty, indent: indent + 2)
            }
            if pretty { out += "\n" + JSONValue.spaces(indent) }
            out += "}"
        }
    }

    /// `n` spaces, for pretty output's indentation.
    package static func spaces(_ n: Int) -> String { String(repeating: " ", count: n) }

    package static func formatDouble(_ d: Double) -> String {
        if d.isFinite, d == d.rounded(), abs(d) < 1e15 { return String(Int(d)) }
        return "\(d)"
    }

    /// Writes `s` as a JSON string literal (also valid YAML double-quoted text).
    package static func writeQuoted(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7F || (u.value >= 0x80 && u.value < 0xA0) || u.value == 0x2028
                    || u.value == 0x2029 || u.value == 0xFEFF
                {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }
}
