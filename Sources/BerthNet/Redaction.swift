/// Finds and hides passwords in text that names a service: URL userinfo passwords
/// (`postgres://user:pass@host/db`), `password=` parameters of URL queries and of libpq
/// key=value connection strings (`host=db password=pass`). Shared by the spec checks, the
/// diagnostics and the IP ledger's store messages, so every place hides the same things.
///
/// ```swift
/// Redaction.redactPasswords("postgres://u:pw@h/db?sslmode=require&password=x")
/// // "postgres://u:<redacted>@h/db?sslmode=require&password=<redacted>"
/// ```
public enum Redaction {
    /// What a hidden value is replaced with.
    public static let mask = "<redacted>"

    /// Byte ranges (UTF-8 offsets) of every password in `text`: the part between `:` and the
    /// last `@` of the userinfo of each `scheme://` URL, and the value of every `password=`
    /// parameter (in a URL query or a key=value connection string). Empty passwords are not ranges.
    public static func passwordRanges(in text: String) -> [Range<Int>] {
        let b = Array(text.utf8)
        var out: [Range<Int>] = []
        var i = 0
        // URL userinfo: scheme "://" userinfo "@" ...; the authority ends at / ? # or whitespace
        // or a quote. The password runs from the first ':' of the userinfo to the last '@'.
        while i + 2 < b.count {
            guard b[i] == UInt8(ascii: ":"), b[i + 1] == UInt8(ascii: "/"), b[i + 2] == UInt8(ascii: "/") else {
                i += 1
                continue
            }
            let start = i + 3
            var end = start
            var lastAt: Int? = nil
            while end < b.count, !isAuthorityEnd(b[end]) {
                if b[end] == UInt8(ascii: "@") { lastAt = end }
                end += 1
            }
            if let at = lastAt, let colon = b[start..<at].firstIndex(of: UInt8(ascii: ":")), colon + 1 < at {
                out.append((colon + 1)..<at)
            }
            i = max(end, i + 3)
        }
        // password=value (case-insensitive key), at the start, after ? & ; or whitespace.
        let key = Array("password".utf8)
        var j = 0
        while j + key.count < b.count {
            let boundary =
                j == 0
                || [
                    UInt8(ascii: "?"), UInt8(ascii: "&"), UInt8(ascii: ";"), UInt8(ascii: " "),
                    UInt8(ascii: "\t"), UInt8(ascii: "\n"),
                ].contains(b[j - 1])
            var matches = boundary
            if matches {
                for k in 0..<key.count where lower(b[j + k]) != key[k] {
                    matches = false
                    break
                }
            }
            guard matches else {
                j += 1
                continue
            }
            var v = j + key.count
            while v < b.count, b[v] == UInt8(ascii: " ") { v += 1 }
            guard v < b.count, b[v] == UInt8(ascii: "=") else {
                j += 1
                continue
            }
            v += 1
            while v < b.count, b[v] == UInt8(ascii: " ") { v += 1 }
            var start = v
            var end = v
            if v < b.count, b[v] == UInt8(ascii: "'") {
                // conninfo quoting: 'pass word', with \' and \\ escapes
                start = v + 1
                end = start
                while end < b.count, b[end] != UInt8(ascii: "'") { end += b[end] == UInt8(ascii: "\\") ? 2 : 1 }
                end = min(end, b.count)
            } else {
                while end < b.count, !isParameterEnd(b[end]) { end += 1 }
            }
            if end > start { out.append(start..<end) }
            j = max(end, j + 1)
        }
        return out.sorted { $0.lowerBound < $1.lowerBound }
    }

    /// True when `text` holds a password (a URL userinfo password or a `password=` parameter).
    public static func containsPassword(_ text: String) -> Bool { !passwordRanges(in: text).isEmpty }

    /// `text` with every password of `passwordRanges(in:)` replaced by `mask`.
    public static func redactPasswords(_ text: String) -> String {
        let ranges = passwordRanges(in: text)
        guard !ranges.isEmpty else { return text }
        let b = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        for r in ranges where r.lowerBound >= i {
            out += b[i..<r.lowerBound]
            out += Array(mask.utf8)
            i = r.upperBound
        }
        out += b[min(i, b.count)...]
        return String(decoding: out, as: UTF8.self)
    }

    /// `text` with every occurrence of each of `secrets` (non-empty) replaced by `mask`; for
    /// messages that quote text which may contain a known password (a driver's error message).
    public static func scrub(_ text: String, secrets: [String]) -> String {
        var out = text
        for s in secrets.sorted(by: { $0.utf8.count > $1.utf8.count }) where !s.isEmpty {
            out = replacing(s, in: out)
        }
        return redactPasswords(out)
    }

    /// The passwords `passwordRanges(in:)` finds, as text (to scrub them from other messages).
    public static func passwords(in text: String) -> [String] {
        let b = Array(text.utf8)
        var out: [String] = []
        for r in passwordRanges(in: text) {
            let raw = String(decoding: b[r], as: UTF8.self)
            out.append(raw)
            let decoded = percentDecoded(raw)
            if decoded != raw { out.append(decoded) }
        }
        return out
    }

    /// `%xx` escapes decoded (malformed escapes kept as written).
    public static func percentDecoded(_ s: String) -> String {
        let b = Array(s.utf8)
        var out: [UInt8] = []
        var i = 0
        func hex(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: c - 48
            case 65...70: c - 55
            case 97...102: c - 87
            default: nil
            }
        }
        while i < b.count {
            if b[i] == UInt8(ascii: "%"), i + 2 < b.count, let h = hex(b[i + 1]), let l = hex(b[i + 2]) {
                out.append(h << 4 | l)
                i += 3
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func replacing(_ needle: String, in text: String) -> String {
        let n = Array(needle.utf8)
        let h = Array(text.utf8)
        guard !n.isEmpty, h.count >= n.count else { return text }
        var out: [UInt8] = []
        var i = 0
        var changed = false
        while i < h.count {
            if i + n.count <= h.count, h[i] == n[0], Array(h[i..<(i + n.count)]) == n {
                out += Array(mask.utf8)
                i += n.count
                changed = true
            } else {
                out.append(h[i])
                i += 1
            }
        }
        return changed ? String(decoding: out, as: UTF8.self) : text
    }

    private static func lower(_ c: UInt8) -> UInt8 { c >= 65 && c <= 90 ? c + 32 : c }

    private static func isAuthorityEnd(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "#"), UInt8(ascii: " "), UInt8(ascii: "\t"),
            UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: ","),
            UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: "<"), UInt8(ascii: ">"):
            true
        default: false
        }
    }

    private static func isParameterEnd(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "&"), UInt8(ascii: "#"), UInt8(ascii: ";"), UInt8(ascii: " "), UInt8(ascii: "\t"),
            UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: ","),
            UInt8(ascii: "}"), UInt8(ascii: "]"):
            true
        default: false
        }
    }
}
