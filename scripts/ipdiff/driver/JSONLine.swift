// A minimal JSON reader for the flat case objects written by gen.py.

enum JSONValue: Equatable {
    case null
    case bool(Bool)
    case number(Int)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    subscript(key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }

    var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    var int: Int? {
        if case .number(let n) = self { return n }
        return nil
    }

    var bool: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    var isNull: Bool { self == .null }

    var strings: [String]? {
        guard case .array(let items) = self else { return nil }
        var out: [String] = []
        out.reserveCapacity(items.count)
        for item in items {
            guard let s = item.string else { return nil }
            out.append(s)
        }
        return out
    }
}

struct JSONError: Error, CustomStringConvertible {
    let description: String
}

struct JSONReader {
    private let bytes: [UInt8]
    private var i = 0

    static func parse(_ bytes: [UInt8]) throws(JSONError) -> JSONValue {
        var reader = JSONReader(bytes: bytes)
        let value = try reader.value()
        reader.skipSpace()
        guard reader.i == bytes.count else { throw JSONError(description: "trailing characters at \(reader.i)") }
        return value
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D {
            i += 1
        }
    }

    private mutating func expect(byte: UInt8) throws(JSONError) {
        guard i < bytes.count, bytes[i] == byte else {
            throw JSONError(description: "expected '\(Character(Unicode.Scalar(byte)))' at \(i)")
        }
        i += 1
    }

    private mutating func expect(_ literal: String) throws(JSONError) {
        for c in literal.utf8 {
            guard i < bytes.count, bytes[i] == c else { throw JSONError(description: "expected \(literal) at \(i)") }
            i += 1
        }
    }

    /// Reads the comma-separated elements of an object or array whose opening byte is at `i`,
    /// through the `close` byte, calling `element` to read each one.
    private mutating func elements(
        closedBy close: UInt8, _ what: String, _ element: (inout Self) throws(JSONError) -> Void
    ) throws(JSONError) {
        i += 1
        skipSpace()
        if i < bytes.count, bytes[i] == close {
            i += 1
            return
        }
        while true {
            try element(&self)
            skipSpace()
            guard i < bytes.count else { throw JSONError(description: "unterminated \(what)") }
            if bytes[i] == Byte.comma {
                i += 1
                continue
            }
            try expect(byte: close)
            return
        }
    }

    private mutating func value() throws(JSONError) -> JSONValue {
        skipSpace()
        guard i < bytes.count else { throw JSONError(description: "unexpected end") }
        switch bytes[i] {
        case Byte.openBrace:
            var fields: [String: JSONValue] = [:]
            try elements(closedBy: Byte.closeBrace, "object") { (p: inout Self) throws(JSONError) in
                p.skipSpace()
                let key = try p.string()
                p.skipSpace()
                try p.expect(byte: Byte.colon)
                fields[key] = try p.value()
            }
            return .object(fields)
        case Byte.openBracket:
            var items: [JSONValue] = []
            try elements(closedBy: Byte.closeBracket, "array") { (p: inout Self) throws(JSONError) in items.append(try p.value()) }
            return .array(items)
        case Byte.quote:
            return .string(try string())
        case UInt8(ascii: "t"):
            try expect("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expect("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expect("null")
            return .null
        default:
            var negative = false
            if bytes[i] == Byte.minus {
                negative = true
                i += 1
            }
            var n = 0
            let start = i
            while i < bytes.count, bytes[i] >= Byte.zero, bytes[i] <= Byte.nine {
                n = n * 10 + Int(bytes[i] - Byte.zero)
                i += 1
            }
            guard i > start else { throw JSONError(description: "bad value at \(start)") }
            return .number(negative ? -n : n)
        }
    }

    private mutating func hex4() throws(JSONError) -> UInt32 {
        guard i + 4 <= bytes.count else { throw JSONError(description: "short \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[i]
            let d: UInt32
            switch c {
            case Byte.zero...Byte.nine: d = UInt32(c - Byte.zero)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw JSONError(description: "bad \\u escape")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }

    private mutating func string() throws(JSONError) -> String {
        try expect(byte: Byte.quote)
        // Fast path: no escapes before the closing quote.
        var j = i
        while j < bytes.count, bytes[j] != Byte.quote, bytes[j] != Byte.backslash { j += 1 }
        if j < bytes.count, bytes[j] == Byte.quote {
            let s = String(decoding: bytes[i..<j], as: UTF8.self)
            i = j + 1
            return s
        }
        var out: [UInt8] = []
        while true {
            guard i < bytes.count else { throw JSONError(description: "unterminated string") }
            let c = bytes[i]
            i += 1
            if c == Byte.quote { break }
            if c != Byte.backslash {
                out.append(c)
                continue
            }
            guard i < bytes.count else { throw JSONError(description: "bad escape") }
            let e = bytes[i]
            i += 1
            switch e {
            case Byte.quote, Byte.backslash, UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    try expect("\\u")
                    let low = try hex4()
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let u = Unicode.Scalar(scalar) else { throw JSONError(description: "bad scalar") }
                out.append(contentsOf: Array(String(Character(u)).utf8))
            default:
                throw JSONError(description: "bad escape")
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Byte constants (avoids per-call conversions in unoptimised builds).
enum Byte {
    static let quote: UInt8 = 0x22
    static let backslash: UInt8 = 0x5C
    static let colon: UInt8 = 0x3A
    static let comma: UInt8 = 0x2C
    static let openBrace: UInt8 = 0x7B
    static let closeBrace: UInt8 = 0x7D
    static let openBracket: UInt8 = 0x5B
    static let closeBracket: UInt8 = 0x5D
    static let minus: UInt8 = 0x2D
    static let zero: UInt8 = 0x30
    static let nine: UInt8 = 0x39
}
