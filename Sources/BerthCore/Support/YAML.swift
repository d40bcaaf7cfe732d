// MARK: - YAML

extension JSONValue {
    /// Block-style YAML in the layout `kubectl` uses (sequence items level with their key).
    ///
    /// Strings that a YAML 1.1 or 1.2 reader could take for anything other than a string
    /// (`on`, `no`, `8080`, `1e3`, `2024-01-01`, ...) are double-quoted.
    public func yaml() -> String {
        var out = YAMLBytes()
        out.document(self)
        return out.string
    }

    /// True when `s` reads back as the same string in YAML 1.1 and 1.2 without quotes.
    static func isPlainSafe(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { YAMLBytes.isPlainSafe($0) }
    }
}

/// A byte buffer that YAML is written into; far cheaper than appending to a String.
struct YAMLBytes {
    var bytes: [UInt8] = []

    init(capacity: Int = 4096) { bytes.reserveCapacity(capacity) }

    var string: String { String(decoding: bytes, as: UTF8.self) }

    mutating func append(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func indent(_ n: Int) {
        for _ in 0..<n { bytes.append(0x20) }
    }

    mutating func document(_ v: JSONValue) {
        switch v {
        case .object(let pairs) where !pairs.isEmpty:
            object(pairs, indent: 0, inline: false)
        case .array(let items) where !items.isEmpty:
            array(items, indent: 0)
        default:
            scalar(v)
            bytes.append(0x0A)
        }
    }

    /// `inline`: the first key continues the current line (after `- `).
    mutating func object(_ pairs: [(String, JSONValue)], indent: Int, inline: Bool) {
        // By index, each pair borrowed from `pairs`: a `for (k, v) in pairs` loop copies (retains
        // and releases) every key and value, and this runs for every member of every object written.
        for n in pairs.indices {
            if n > 0 || !inline { self.indent(indent) }
            key(pairs[n].0)
            bytes.append(0x3A)  // ':'
            valueAfterKey(pairs[n].1, indent: indent)
        }
    }

    mutating func valueAfterKey(_ v: JSONValue, indent: Int) {
        switch v {
        case .object(let pairs) where !pairs.isEmpty:
            bytes.append(0x0A)
            object(pairs, indent: indent + 2, inline: false)
        case .array(let items) where !items.isEmpty:
            bytes.append(0x0A)
            array(items, indent: indent)
        default:
            bytes.append(0x20)
            scalar(v)
            bytes.append(0x0A)
        }
    }

    mutating func array(_ items: [JSONValue], indent: Int) {
        for i in items.indices {
            self.indent(indent)
            bytes.append(0x2D)
            bytes.append(0x20)
            switch items[i] {
            case .object(let pairs) where !pairs.isEmpty:
                object(pairs, indent: indent + 2, inline: true)
            case .array(let inner) where !inner.isEmpty:
                bytes.append(0x0A)
                array(inner, indent: indent + 2)
            default:
                scalar(items[i])
                bytes.append(0x0A)
            }
        }
    }

    /// One RFC 6902 operation as an item of a patch's block literal at indent 4: the same text
    /// as `array([["op": op, "path": path, "value": value]], indent: 4)`, without building the object.
    mutating func patchOperation(_ op: StaticString, path: [UInt8], value: JSONValue?) {
        indent(4)
        append("- op: ")
        append(op)
        bytes.append(0x0A)
        indent(6)
        append("path: ")
        path.withUnsafeBufferPointer { p in
            text(p)
        }
        bytes.append(0x0A)
        guard let value else { return }
        indent(6)
        append("value:")
        valueAfterKey(value, indent: 6)
    }

    mutating func scalar(_ v: JSONValue) {
        switch v {
        case .null: append("null")
        case .bool(let b): if b { append("true") } else { append("false") }
        case .int(let i): bytes.append(contentsOf: String(i).utf8)
        case .double(let d): bytes.append(contentsOf: JSONValue.formatDouble(d).utf8)
        case .string(let s): text(s)
        case .array: append("[]")
        case .object: append("{}")
        }
    }

    mutating func key(_ k: String) { text(k) }

    mutating func text(_ s: String) {
        // A native string's bytes are read in place (`withUTF8` needs a mutable copy of `s`).
        let written: Void? = s.utf8.withContiguousStorageIfAvailable { text($0) }
        guard written == nil else { return }
        var s = s
        s.withUTF8 { text($0) }
    }

    /// The UTF-8 text `buf` as a plain scalar when it reads as one, else quoted.
    mutating func text(_ buf: UnsafeBufferPointer<UInt8>) {
        if YAMLBytes.isPlainSafe(buf) {
            bytes.append(contentsOf: buf)
        } else {
            quoted(buf)
        }
    }

    /// Appends the UTF-8 text `b` as a JSON string literal, byte for byte the text of
    /// `JSONValue.writeQuoted` (a test compares them), without building a String: `"` and
    /// `\` escaped, `\n`, `\r`, `\t`, and `\uXXXX` for the other C0 and C1 controls, DEL,
    /// U+2028, U+2029 and U+FEFF; every other byte copied.
    mutating func quoted(_ b: UnsafeBufferPointer<UInt8>) {
        bytes.append(0x22)
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            switch c {
            case 0x22:
                bytes.append(0x5C)
                bytes.append(0x22)
            case 0x5C:
                bytes.append(0x5C)
                bytes.append(0x5C)
            case 0x0A:
                bytes.append(0x5C)
                bytes.append(0x6E)
            case 0x0D:
                bytes.append(0x5C)
                bytes.append(0x72)
            case 0x09:
                bytes.append(0x5C)
                bytes.append(0x74)
            case 0x00..<0x20, 0x7F: unicodeEscape(UInt32(c))
            case 0xC2 where i + 1 < n && (0x80...0x9F).contains(b[i + 1]):
                // U+0080..U+009F, the C1 controls
                unicodeEscape(UInt32(b[i + 1]))
                i += 1
            case 0xE2 where i + 2 < n && b[i + 1] == 0x80 && (b[i + 2] == 0xA8 || b[i + 2] == 0xA9):
                unicodeEscape(b[i + 2] == 0xA8 ? 0x2028 : 0x2029)
                i += 2
            case 0xEF where i + 2 < n && b[i + 1] == 0xBB && b[i + 2] == 0xBF:
                unicodeEscape(0xFEFF)
                i += 2
            default: bytes.append(c)
            }
            i += 1
        }
        bytes.append(0x22)
    }

    /// `\u` and four lower-case hexadecimal digits.
    private mutating func unicodeEscape(_ v: UInt32) {
        bytes.append(0x5C)
        bytes.append(0x75)
        for shift in stride(from: 12, through: 0, by: -4) {
            let d = UInt8((v >> UInt32(shift)) & 0xF)
            bytes.append(d < 10 ? 0x30 + d : 0x61 + d - 10)
        }
    }

    static func isPlainSafe(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = b.first, let last = b.last else { return false }
        // Must start with a letter or '/'; digits, signs and dots could read as numbers or dates.
        let startsOK = (first >= 0x41 && first <= 0x5A) || (first >= 0x61 && first <= 0x7A) || first == 0x2F
        guard startsOK, last != 0x3A else { return false }  // no trailing ':'
        var prev: UInt8 = 0
        for c in b {
            guard isPlainByte(c) else { return false }
            if prev == 0x3A, c == 0x3A { return false }
            prev = c
        }
        if b.count <= 5 {
            // y, n, yes, no, on, off, true, false, null (any case) read as booleans or null:
            // the lower-cased bytes packed into one integer, compared with each word's
            // (`reserved`; a test checks the constants against it).
            var packed: UInt64 = 0
            for c in b { packed = packed << 8 | UInt64(c | 0x20) }
            switch packed {
            case 0x79, 0x6E, 0x79_6573, 0x6E6F, 0x7472_7565, 0x66_616C_7365, 0x6F6E, 0x6F_6666, 0x6E75_6C6C: return false
            default: return true
            }
        }
        return true
    }

    /// Whether a plain scalar may hold byte `c`: letters, digits and `-._/:=@+`. Two 64-bit
    /// masks, one per half of ASCII (this runs for every byte of every rendered string; a test
    /// checks the masks against that definition).
    @inline(__always)
    static func isPlainByte(_ c: UInt8) -> Bool {
        if c < 64 { return (0x27FF_E800_0000_0000 as UInt64) >> c & 1 == 1 }
        if c < 128 { return (0x07FF_FFFE_87FF_FFFF as UInt64) >> (c - 64) & 1 == 1 }
        return false
    }

    /// The words YAML 1.1 readers take as booleans or null.
    static let reserved: [[UInt8]] = ["y", "n", "yes", "no", "true", "false", "on", "off", "null"].map { Array($0.utf8) }
}

/// Joins objects into one multi-document YAML stream, `---` between documents.
public func yamlStream(_ docs: [JSONValue], header: String = "") -> String {
    var out = YAMLBytes()
    out.bytes.append(contentsOf: header.utf8)
    for (n, d) in docs.enumerated() {
        if n > 0 { out.append("---\n") }
        out.document(d)
    }
    return out.string
}
