public import Foundation

/// A position in a source file, 1-based.
///
/// ```swift
/// let loc = SourceLocation(file: "platform.yaml", line: 42, column: 7)
/// print(loc) // platform.yaml:42:7
/// ```
public struct SourceLocation: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The file name as given (or `<default>` for values that came from defaults).
    public var file: String
    /// The line, from 1.
    public var line: Int
    /// The column, from 1.
    public var column: Int

    /// A position at `line` and `column` (both 1-based) of `file`.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`.
    public var description: String { "\(file):\(line):\(column)" }

    /// Whether `a` comes before `b` in file, line and column order (a missing location as an
    /// empty file name at line 0, column 0); nil when they name the same place, for the caller's
    /// next sort key.
    static func precedes(_ a: SourceLocation?, _ b: SourceLocation?) -> Bool? {
        if a?.file != b?.file { return (a?.file ?? "") < (b?.file ?? "") }
        if a?.line != b?.line { return (a?.line ?? 0) < (b?.line ?? 0) }
        if a?.column != b?.column { return (a?.column ?? 0) < (b?.column ?? 0) }
        return nil
    }
}

/// How bad a finding is. Only errors make `berth check` fail.
public enum Severity: String, Sendable, Hashable, Codable, Comparable {
    /// Errors fail `berth check`; warnings and notes are reported only.
    case error, warning, note

    private var rank: Int {
        switch self {
        case .error: 0
        case .warning: 1
        case .note: 2
        }
    }

    /// Orders by weight: errors before warnings before notes.
    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// One finding about a spec: data, never a thrown error.
///
/// ```swift
/// let d = Diagnostic(.error, .unknownKey, "unknown key 'replica'; did you mean 'replicas'?", at: loc)
/// ```
public struct Diagnostic: Sendable, Hashable, Codable {
    /// How bad the finding is.
    public var severity: Severity
    /// The stable identifier of the kind of finding, e.g. `unknown-key` (`CheckCode.unknownKey`):
    /// one of the catalogue (`CheckRules`), so an unknown code does not compile.
    public var code: CheckCode
    /// The message shown to users, one line, lower case.
    public var message: String
    /// Where in the spec the finding is, when it has a place.
    public var location: SourceLocation?

    /// A finding of `severity` with `code` and `message`, at `location` when known.
    public init(_ severity: Severity, _ code: CheckCode, _ message: String, at location: SourceLocation?) {
        self.severity = severity
        self.code = code
        self.message = message
        self.location = location
    }

    /// An error with `code` and `message`.
    public static func error(_ code: CheckCode, _ message: String, at location: SourceLocation?) -> Diagnostic {
        Diagnostic(.error, code, message, at: location)
    }

    /// A warning with `code` and `message`.
    public static func warning(_ code: CheckCode, _ message: String, at location: SourceLocation?) -> Diagnostic {
        Diagnostic(.warning, code, message, at: location)
    }
}

extension Array where Element == Diagnostic {
    /// True when any diagnostic is an error.
    public var hasErrors: Bool { contains { $0.severity == .error } }

    /// Diagnostics in a stable order: by file, line, column, then severity and text.
    public func sortedForDisplay() -> [Diagnostic] {
        sorted { a, b in
            if let order = SourceLocation.precedes(a.location, b.location) { return order }
            if a.severity != b.severity { return a.severity < b.severity }
            return a.message < b.message
        }
    }
}

/// The start of every line of a text, found in one pass, so the line under a diagnostic is
/// found in constant time: printing N diagnostics costs O(N + file size), not O(N x file size).
public struct LineIndex: Sendable {
    /// The whole text.
    public let text: String
    /// UTF-8 offset of the first byte of each line (line 1 at index 0).
    public let starts: [Int]

    /// Indexes the line starts of `text`.
    public init(_ text: String) {
        self.text = text
        var starts = [0]
        var offset = 0
        for byte in text.utf8 {
            offset += 1
            if byte == 0x0A { starts.append(offset) }
        }
        self.starts = starts
        // A final newline ends the last line rather than starting an empty one.
        lineCount = starts.last == offset ? starts.count - 1 : starts.count
    }

    /// The number of lines (a final line break does not start another).
    public let lineCount: Int

    /// Line `n` (1-based) without its line break (`\n` or `\r\n`), or nil past the end.
    public func line(_ n: Int) -> Substring? {
        guard n >= 1, n <= lineCount else { return nil }
        let utf8 = text.utf8
        let start = utf8.index(utf8.startIndex, offsetBy: starts[n - 1])
        var end = n < starts.count ? utf8.index(utf8.startIndex, offsetBy: starts[n] - 1) : utf8.endIndex
        if n < starts.count, end > start, utf8[utf8.index(before: end)] == 0x0D { end = utf8.index(before: end) }
        return text[start..<end]
    }
}

/// Formats diagnostics for people (with the source line and a caret) or machines (JSON).
public struct DiagnosticFormatter: Sendable {
    /// Source texts by file name, used to print the offending line.
    public var sources: [String: String] {
        didSet { lineIndexes = sources.mapValues(LineIndex.init) }
    }
    /// Whether `text(_:)` colours the severity with ANSI escapes.
    public var color: Bool
    /// One line index per source file, built once when the sources are set.
    public private(set) var lineIndexes: [String: LineIndex]

    /// When set, `sources` are the texts as read and each printed line is redacted on its own
    /// (`SecretValues.redactLine`, with these secret values).
    var secretValues: [String]?

    /// A formatter over `sources` (already redacted as needed), coloured when `color` is true.
    public init(sources: [String: String], color: Bool) {
        self.sources = sources
        self.color = color
        self.lineIndexes = sources.mapValues(LineIndex.init)
    }

    /// A formatter over texts as read that hides secrets in each line it prints: the same lines
    /// `SecretValues.redactSource` gives, without redacting whole files.
    public init(unredacted sources: [String: String], secretValues: [String], color: Bool) {
        self.init(sources: sources, color: color)
        self.secretValues = secretValues
    }

    /// `file:line:col: error: message`, then the source line and a caret under the column.
    public func text(_ d: Diagnostic) -> String {
        let sev = d.severity.rawValue
        let sevText: String
        if color {
            let code =
                switch d.severity {
                case .error: "\u{1B}[1;31m"
                case .warning: "\u{1B}[1;33m"
                case .note: "\u{1B}[1;36m"
                }
            sevText = "\(code)\(sev):\u{1B}[0m"
        } else {
            sevText = "\(sev):"
        }
        guard let loc = d.location else { return "berth: \(sevText) \(d.message)\n" }
        var out = "\(loc): \(sevText) \(d.message)\n"
        if let line = sourceLine(file: loc.file, line: loc.line) {
            let shown = String(line.prefix(200))
            out += shown + "\n"
            let caretColumn = min(max(loc.column - 1, 0), shown.count)
            var pad = ""
            for ch in shown.prefix(caretColumn) { pad.append(ch == "\t" ? "\t" : " ") }
            out += pad + (color ? "\u{1B}[1;32m^\u{1B}[0m" : "^") + "\n"
        }
        return out
    }

    /// All diagnostics, then a summary line such as `2 errors, 1 warning`.
    public func text(_ ds: [Diagnostic]) -> String {
        var out = ""
        for d in ds { out += text(d) }
        let e = ds.filter { $0.severity == .error }.count
        let w = ds.filter { $0.severity == .warning }.count
        let n = ds.filter { $0.severity == .note }.count
        if e + w + n > 0 {
            out += "\(e) error\(e == 1 ? "" : "s"), \(w) warning\(w == 1 ? "" : "s")"
            out += n > 0 ? ", \(n) note\(n == 1 ? "" : "s")\n" : "\n"
        }
        return out
    }

    /// Machine-readable form, one object with a `diagnostics` array and counts.
    public static func json(_ ds: [Diagnostic]) -> String {
        var items: [JSONValue] = []
        for d in ds {
            var o: [(String, JSONValue)] = [
                ("severity", .string(d.severity.rawValue)),
                ("code", .string(d.code.rawValue)),
                ("message", .string(d.message)),
            ]
            if let l = d.location {
                o.append(("file", .string(l.file)))
                o.append(("line", .int(l.line)))
                o.append(("column", .int(l.column)))
            }
            items.append(.object(o))
        }
        let root = JSONValue.object([
            ("diagnostics", .array(items)),
            ("errors", .int(ds.filter { $0.severity == .error }.count)),
            ("warnings", .int(ds.filter { $0.severity == .warning }.count)),
            ("notes", .int(ds.filter { $0.severity == .note }.count)),
        ])
        return root.serialized(pretty: true) + "\n"
    }

    private func sourceLine(file: String, line: Int) -> Substring? {
        guard let index = lineIndexes[file], let raw = index.line(line) else { return nil }
        guard let values = secretValues else { return raw }
        return Substring(SecretValues.redactLine(line, in: index, values: values))
    }
}

/// A library error for the command line: what kind of failure it is (`code`, which says the exit
/// status), the message printed as `berth: error: <message>`, where in a source file it happened
/// when known, and the underlying error, in the spirit of swift-nio's `FileSystemError`.
///
/// ```swift
/// throw BerthError(.io, "cannot write '\(path)': \(why)", cause: underlying)
/// ```
public struct BerthError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The stable kind of failure. Each code means one exit status (`exitStatus`), the table in
    /// README.md.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The spec (or a file read with it) was refused: exit 1.
        case spec
        /// A file or folder cannot be read or written: exit 2.
        case io
        /// A flag or an argument berth cannot use: exit 2.
        case usage

        /// The exit status this code means.
        public var exitStatus: ExitStatus {
            switch self {
            case .spec: .failed
            case .io, .usage: .usage
            }
        }
    }

    /// The kind of failure; it decides the exit status.
    public var code: Code
    /// The user-facing message, without the `berth: error: ` prefix; tests check it verbatim.
    public var message: String
    /// Where in a source file the failure is, when known (`file:line:col`).
    public var location: SourceLocation?
    /// The underlying error, when there is one (a system call's, a parser's).
    public var cause: (any Error)?

    /// An error of `code` with `message`, and where and why when known.
    public init(_ code: Code, _ message: String, at location: SourceLocation? = nil, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.location = location
        self.cause = cause
    }

    /// The exit status the error means (`code.exitStatus`).
    public var exitStatus: ExitStatus { code.exitStatus }

    /// The message: what the command line prints.
    public var description: String { message }

    /// Code, location, message and cause, for logs and test failures.
    public var debugDescription: String {
        var out = "BerthError(\(code.rawValue)"
        if let location { out += ", at: \(location)" }
        out += "): \(message)"
        if let cause { out += " (cause: \(String(reflecting: cause)))" }
        return out
    }
}

extension BerthError: ExitStatusError {}

extension BerthError: LocalizedError {
    /// The message itself, so `localizedDescription` never reads "BerthError error 1".
    public var errorDescription: String? { message }
}
