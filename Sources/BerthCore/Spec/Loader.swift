import Foundation
import Yams

/// Reads YAML text into checked `SpecNode`s, reporting every problem with its location.
///
/// ```swift
/// var diags: [Diagnostic] = []
/// let root = SpecLoader.load(text: yaml, file: "platform.yaml", schema: SpecSchema.root, into: &diags)
/// ```
public enum SpecLoader {
    /// Files above this size are refused before parsing.
    public static let maxBytes = 8 << 20
    /// Deepest structure the loader accepts (block levels plus flow brackets).
    public static let maxDepth = 64
    /// Diagnostics after this many are summarised in one line.
    public static let maxDiagnostics = 200

    /// Reads a file, refusing binary data and oversized input with a diagnostic.
    /// Throws `BerthError.io` when the file cannot be read at all.
    public static func readText(path: String, displayName: String, diags: inout [Diagnostic]) throws -> String? {
        // A regular file only: a FIFO or a device would block or never end.
        let data = try InputFile.read(path, display: displayName, limit: maxBytes + 1, expected: "a YAML file")
        let loc = SourceLocation(file: displayName, line: 1, column: 1)
        if data.count > maxBytes {
            diags.append(
                .error(.fileTooLarge, "file is larger than \(maxBytes >> 20) MiB; a platform spec is a few thousand lines at most", at: loc)
            )
            return nil
        }
        if data.contains(0) {
            diags.append(.error(.notText, "file contains NUL bytes; expected UTF-8 YAML text", at: loc))
            return nil
        }
        guard let text = String(data: data, encoding: .utf8) else {
            diags.append(.error(.notText, "file is not valid UTF-8; expected UTF-8 YAML text", at: loc))
            return nil
        }
        return text
    }

    /// Parses `text` and checks it against `schema`. Returns nil when nothing usable was read.
    public static func load(
        text: String, file: String, schema: SchemaType, context: String = "",
        into diags: inout [Diagnostic]
    ) -> SpecNode? {
        guard let node = StageTimer.measure("load: parse \(file)", { parse(text: text, file: file, into: &diags) }) else { return nil }
        var walker = Walker(file: file)
        let result: SpecNode? = StageTimer.measure("load: schema walk") {
            if case .object(let o) = schema {
                return walker.walkObject(node, schema: o, path: context, required: true)
            } else {
                return walker.walk(node, type: schema, path: context)
            }
        }
        diags += walker.diags
        return result
    }

    /// YAML text to a Yams node, or a diagnostic.
    static func parse(text: String, file: String, into diags: inout [Diagnostic]) -> Node? {
        let start = SourceLocation(file: file, line: 1, column: 1)
        // Stops at the first character that is not white space (trimming copied the whole text).
        if text.utf8.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0x0B || $0 == 0x0C }) {
            diags.append(.error(.empty, "the file is empty; a spec starts with 'berth: 1'", at: start))
            return nil
        }
        if let (line, col, depth) = Prescan.tooDeep(text, limit: maxDepth) {
            diags.append(
                .error(
                    .tooDeep, "structure is nested more than \(maxDepth) levels deep (\(depth) here)",
                    at: SourceLocation(file: file, line: line, column: col)))
            return nil
        }
        if let (line, col) = Prescan.aliasAsKey(text) {
            diags.append(
                .error(
                    .yaml,
                    "a YAML alias cannot be a mapping key (a key is a plain name; an alias used as one can expand to millions of values)",
                    at: SourceLocation(file: file, line: line, column: col)))
            return nil
        }
        do {
            let parser = try Parser(yaml: text, resolver: .basic, encoding: .utf8)
            guard let node = try parser.singleRoot() else {
                diags.append(.error(.empty, "the file has no YAML document; a spec starts with 'berth: 1'", at: start))
                return nil
            }
            return node
        } catch let e as YamlError {
            diags.append(yamlDiagnostic(e, file: file))
            return nil
        } catch {
            diags.append(.error(.yaml, "cannot parse YAML: \(error)", at: start))
            return nil
        }
    }

    static func yamlDiagnostic(_ e: YamlError, file: String) -> Diagnostic {
        func loc(_ m: Mark?) -> SourceLocation {
            SourceLocation(file: file, line: max(1, m?.line ?? 1), column: max(1, m?.column ?? 1))
        }
        switch e {
        case .scanner(_, let problem, let mark, _):
            return .error(.yaml, "YAML syntax error: \(problem)", at: loc(mark))
        case .parser(_, let problem, let mark, _):
            return .error(.yaml, "YAML syntax error: \(problem)", at: loc(mark))
        case .composer(_, let problem, let mark, _):
            let text: String
            switch problem {
            case "found undefined alias": text = "YAML alias refers to an anchor that is not defined"
            case "but found another document": text = "a spec file holds one YAML document, but a second one starts here ('---')"
            default: text = "YAML error: \(problem)"
            }
            return .error(.yaml, text, at: loc(mark))
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return .error(
                .duplicateKey, "duplicate key \(keys) in the same mapping; each key may appear once",
                at: loc(context.mark))
        case .reader(let problem, _, _, _):
            return .error(.notText, "cannot read the file as text: \(problem)", at: loc(nil))
        default:
            return .error(.yaml, "cannot parse YAML: \(e)", at: loc(nil))
        }
    }
}

/// A quick pass over the raw text that bounds nesting depth before the recursive YAML composer
/// runs, so deeply nested input is refused with a message instead of exhausting the stack.
enum Prescan {
    /// The first alias used as a mapping key (`*name:` outside quotes and comments), as line
    /// and column. Composing such a key hashes the whole aliased tree, which an alias bomb
    /// makes astronomically large, before any other guard can count it.
    static func aliasAsKey(_ text: String) -> (Int, Int)? {
        var line = 1
        for raw in text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false) {
            defer { line += 1 }
            guard raw.contains(0x2A) else { continue }  // '*'
            let b = Array(raw)
            // An explicit key (`? *name`) is a key too.
            if let first = b.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }), b[first] == 0x3F, first + 1 < b.count,
                let star = b[(first + 1)...].firstIndex(where: { $0 != 0x20 && $0 != 0x09 }), b[star] == 0x2A
            {
                return (line, star + 1)
            }
            var i = 0
            var quote: UInt8? = nil
            while i < b.count {
                let c = b[i]
                if let q = quote {
                    if c == q { quote = nil }
                    i += 1
                    continue
                }
                if c == 0x22 || c == 0x27 {
                    quote = c
                    i += 1
                    continue
                }
                if c == 0x23, i == 0 || b[i - 1] == 0x20 || b[i - 1] == 0x09 { break }  // comment
                // An alias starts a node: at the line's start, or after indentation, '-', '[', '{', ',' or '?'.
                let starts = i == 0 || [0x20, 0x09, 0x2D, 0x5B, 0x7B, 0x2C, 0x3F].contains(b[i - 1])
                if c == 0x2A, starts {
                    var j = i + 1
                    while j < b.count, ![0x20, 0x09, 0x2C, 0x5B, 0x5D, 0x7B, 0x7D, 0x3A].contains(b[j]) { j += 1 }
                    var k = j
                    while k < b.count, b[k] == 0x20 || b[k] == 0x09 { k += 1 }
                    if j > i + 1, k < b.count, b[k] == 0x3A, k + 1 == b.count || [0x20, 0x09, 0x0D, 0x2C, 0x5D, 0x7D].contains(b[k + 1]) {
                        return (line, i + 1)
                    }
                    i = j
                    continue
                }
                i += 1
            }
        }
        return nil
    }

    static func tooDeep(_ text: String, limit: Int) -> (Int, Int, Int)? {
        var indentStack: [Int] = [0]
        var flow = 0
        var line = 1
        var col = 0
        var atLineStart = true
        var indent = 0
        var inSingle = false
        var inDouble = false
        var inComment = false
        var prev: UInt8 = 0x0A
        var dashes = 0
        for c in text.utf8 {
            if c == 0x0A {
                line += 1
                col = 0
                atLineStart = true
                indent = 0
                inComment = false
                dashes = 0
                if flow == 0 {
                    inSingle = false
                    inDouble = false
                }
                prev = c
                continue
            }
            col += 1
            if inComment {
                prev = c
                continue
            }
            if atLineStart {
                if c == 0x20 {
                    indent += 1
                    prev = c
                    continue
                }
                atLineStart = false
                if c != 0x23 && flow == 0 && !inSingle && !inDouble {  // not a comment line
                    while let top = indentStack.last, top > indent { indentStack.removeLast() }
                    if indentStack.last ?? 0 < indent { indentStack.append(indent) }
                }
            }
            if inDouble {
                if c == 0x22 && prev != 0x5C { inDouble = false }
            } else if inSingle {
                if c == 0x27 { inSingle = false }
            } else {
                switch c {
                case 0x23 where prev == 0x20 || prev == 0x0A || col == 1: inComment = true
                case 0x22: inDouble = true
                case 0x27 where prev == 0x20 || prev == 0x5B || prev == 0x7B || prev == 0x2C || col == 1: inSingle = true
                case 0x5B, 0x7B: flow += 1
                case 0x5D, 0x7D: flow = max(0, flow - 1)
                case 0x2D where flow == 0 && (prev == 0x20 || col == indent + 1): dashes += 1
                default: break
                }
            }
            let depth = indentStack.count + flow + dashes
            if depth > limit { return (line, col, depth) }
            prev = c
        }
        return nil
    }
}

/// Walks a Yams node against a schema, collecting diagnostics and filling defaults.
/// A composed YAML mapping's pairs, read by the parallel chunks of `Walker.walkMap`.
/// `@unchecked Sendable` is safe here because the nodes are only read: the composer is done
/// with them, and Yams nodes are values whose shared parts (tags) are never mutated.
struct YAMLPairs: @unchecked Sendable {
    let pairs: [(Node, Node)]
    init(_ pairs: [(Node, Node)]) { self.pairs = pairs }
}

struct Walker {
    let file: String
    var diags: [Diagnostic] = []
    var visited = 0
    /// The nodes the parallel chunks of large maps walked, kept or not (`walkInChunks`): with
    /// `visited`, all the walking a document cost.
    var chunkWork = 0
    static let maxNodes = 2_000_000

    init(file: String) { self.file = file }

    func loc(_ n: Node) -> SourceLocation {
        SourceLocation(file: file, line: max(1, n.mark?.line ?? 1), column: max(1, n.mark?.column ?? 1))
    }

    mutating func report(_ d: Diagnostic) {
        if diags.count < SpecLoader.maxDiagnostics {
            diags.append(d)
        } else if diags.count == SpecLoader.maxDiagnostics {
            diags.append(.error(.tooMany, "too many problems; stopping after \(SpecLoader.maxDiagnostics)", at: d.location))
        }
    }

    static func describe(_ n: Node) -> String {
        switch n {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let s):
            if s.style != .plain { return "a string" }
            switch s.string {
            case "true", "false", "True", "False", "TRUE", "FALSE": return "a boolean"
            case "yes", "no", "Yes", "No", "on", "off", "On", "Off", "YES", "NO", "ON", "OFF": return "'\(s.string)'"
            case "", "~", "null", "Null", "NULL": return "nothing"
            default:
                if Int(s.string) != nil { return "a number" }
                if Double(s.string) != nil { return "a number" }
                return "a string"
            }
        }
    }

    /// An explicit tag that is not the plain one for the node's kind (`!!float 1`, `!!int "7"`,
    /// `!!binary`, `!custom`): YAML readers would give the value another type than berth does.
    static func tagProblem(_ n: Node) -> String? {
        let name = n.tag.description
        let plain: String
        switch n {
        case .scalar: plain = "tag:yaml.org,2002:str"
        case .mapping: plain = "tag:yaml.org,2002:map"
        case .sequence: plain = "tag:yaml.org,2002:seq"
        case .alias: return nil
        }
        if name == plain || name.isEmpty || name == "!" { return nil }
        let short = name.hasPrefix("tag:yaml.org,2002:") ? "!!" + name.dropFirst("tag:yaml.org,2002:".count) : name
        return "'\(short)'"
    }

    /// The longest text accepted for a scalar of each type (in characters).
    static func maxLength(_ t: SchemaType) -> Int {
        switch t {
        case .string, .path, .repoPath: return 1024
        case .url: return 2048
        case .hostname: return 253
        case .email: return 254
        case .name: return 63
        default: return 253
        }
    }

    /// `017`, `-08`, `+0012`: an integer with a leading zero, which YAML 1.1 readers take as octal.
    static func leadingZeroInteger(_ text: String) -> Bool {
        var digits = Substring(text)
        if let f = digits.first, f == "-" || f == "+" { digits = digits.dropFirst() }
        return digits.count > 1 && digits.first == "0" && digits.allSatisfy(\.isASCIIDigit)
    }

    static func isNull(_ n: Node) -> Bool {
        if case .scalar(let s) = n, s.style == .plain, ["", "~", "null", "Null", "NULL"].contains(s.string) { return true }
        return false
    }

    // MARK: walking

    mutating func walk(_ n: Node, type: SchemaType, path: String) -> SpecNode? {
        if let p = Walker.tagProblem(n) {
            report(
                .error(
                    .yamlTag, "'\(path)' has the YAML tag \(p); berth decides a value's type from the schema, remove the tag", at: loc(n)))
            return nil
        }
        visited += 1
        if visited > Walker.maxNodes {
            if visited == Walker.maxNodes + 1 {
                report(.error(.tooLarge, "the document expands to more than \(Walker.maxNodes) values (an alias bomb?)", at: loc(n)))
            }
            return nil
        }
        switch type {
        case .object(let schema):
            return walkObject(n, schema: schema, path: path, required: false)
        case .map(let valueType):
            return walkMap(n, path: path, key: nil, value: valueType)
        case .freeMap(let rule, let valueType):
            return walkMap(n, path: path, key: rule, value: valueType)
        case .list(let item):
            return walkList(n, item: item, path: path)
        case .allOr(let item):
            if case .scalar(let s) = n, s.string == "all" { return SpecNode(.all, loc(n)) }
            guard case .sequence = n else {
                report(.error(.type, "'\(path)' must be 'all' or a list, found \(Walker.describe(n))", at: loc(n)))
                return nil
            }
            return walkList(n, item: item, path: path)
        default:
            return walkScalar(n, type: type, path: path)
        }
    }

    mutating func walkObject(_ n: Node, schema: ObjectSchema, path: String, required: Bool) -> SpecNode? {
        let here = loc(n)
        var pairs: [(Node, Node)] = []
        if case .mapping(let m) = n {
            pairs = Array(m)
        } else if !Walker.isNull(n) {
            let what = path.isEmpty ? "the spec" : "'\(path)'"
            report(.error(.type, "\(what) must be a mapping, found \(Walker.describe(n))", at: here))
            return nil
        }
        var entries: [SpecEntry] = []
        var seen: Set<String> = []
        for (k, v) in pairs {
            guard case .scalar(let ks) = k else {
                report(.error(.type, "keys must be plain words, found \(Walker.describe(k))", at: loc(k)))
                continue
            }
            let key = ks.string
            let childPath = path.isEmpty ? key : "\(path).\(key)"
            guard let field = schema.field(key) else {
                var msg = "unknown key '\(key)'" + (path.isEmpty ? "" : " in '\(path)'")
                if let hint = Suggest.closest(key, among: schema.fields.map(\.name)) {
                    msg += "; did you mean '\(hint)'?"
                } else {
                    msg += "; expected one of: " + schema.fields.map(\.name).joined(separator: ", ")
                }
                report(.error(.unknownKey, msg, at: loc(k)))
                continue
            }
            seen.insert(key)
            if Walker.isNull(v) {
                if field.required {
                    report(.error(.missing, "'\(childPath)' needs a value", at: loc(v)))
                    continue
                }
                if case .object = field.type, !field.optionalObject {
                    // `key:` with nothing: treat as an empty object so defaults apply
                } else {
                    continue
                }
            }
            if let node = walk(v, type: field.type, path: childPath) {
                entries.append(SpecEntry(key: key, keyLocation: loc(k), node: node))
            }
        }
        for field in schema.fields where !seen.contains(field.name) {
            let childPath = path.isEmpty ? field.name : "\(path).\(field.name)"
            if field.required {
                let what = path.isEmpty ? "the spec" : "'\(path)'"
                report(.error(.missing, "\(what) is missing required key '\(field.name)'", at: here))
            } else if let d = field.defaultValue {
                entries.append(SpecEntry(key: field.name, keyLocation: here, node: SpecNode(d, here, explicit: false)))
            } else if case .object(let inner) = field.type, !field.optionalObject {
                var sub = Walker(file: file)
                if let filled = sub.walkObject(.mapping(Node.Mapping([])), schema: inner, path: childPath, required: false) {
                    var f = filled
                    f.location = here
                    f.explicit = false
                    entries.append(SpecEntry(key: field.name, keyLocation: here, node: f))
                }
            }
        }
        _ = required
        return SpecNode(.map(entries), here)
    }

    /// A map of named values (`services`, `databases`, env vars).
    ///
    /// A large map (a platform's services) is walked in chunks on all cores, each chunk by a
    /// walker of its own, and the entries joined in order. The parallel result is kept only
    /// when no chunk reported anything and all of them together stayed within the node budget
    /// (`maxNodes`); otherwise the map is walked again in order, so diagnostics, their order and
    /// the alias-bomb guard are exactly those of the sequential walk.
    mutating func walkMap(_ n: Node, path: String, key rule: SchemaType.KeyRule?, value: SchemaType) -> SpecNode? {
        guard case .mapping(let m) = n else {
            if Walker.isNull(n) { return SpecNode(.map([]), loc(n)) }
            report(.error(.type, "'\(path)' must be a mapping, found \(Walker.describe(n))", at: loc(n)))
            return nil
        }
        if m.count >= Walker.parallelMapSize, let entries = walkInChunks(Array(m), path: path, key: rule, value: value) {
            return SpecNode(.map(entries), loc(n))
        }
        var entries: [SpecEntry] = []
        for (k, v) in m {
            if let entry = walkEntry(k, v, path: path, key: rule, value: value) { entries.append(entry) }
        }
        return SpecNode(.map(entries), loc(n))
    }

    /// Maps with at least this many entries are walked in parallel chunks.
    static let parallelMapSize = 64

    /// The map's entries walked in parallel chunks, or nil when the sequential walk must decide
    /// (a chunk reported something, or the chunks' nodes exceed the budget left).
    private mutating func walkInChunks(
        _ pairs: [(Node, Node)], path: String, key rule: SchemaType.KeyRule?,
        value: SchemaType
    ) -> [SpecEntry]? {
        let budget = Walker.maxNodes - visited
        let chunkSize = max(16, pairs.count / 16)
        let starts = Array(stride(from: 0, to: pairs.count, by: chunkSize))
        // Each chunk gets an equal share of the node budget left, so the chunks together never
        // walk more than the sequential walk may (an alias bomb spread over a large map stops
        // each chunk at its share, and the sequential walk then reports it).
        let share = budget / starts.count
        let shared = YAMLPairs(pairs)
        let file = file
        let chunks = parallelMap(0..<starts.count) { c -> (entries: [SpecEntry], clean: Bool, visited: Int) in
            var w = Walker(file: file)
            w.visited = Walker.maxNodes - share
            var entries: [SpecEntry] = []
            for (k, v) in shared.pairs[starts[c]..<min(shared.pairs.count, starts[c] + chunkSize)] {
                if let entry = w.walkEntry(k, v, path: path, key: rule, value: value) { entries.append(entry) }
                if !w.diags.isEmpty || w.visited > Walker.maxNodes { return ([], false, w.visited - (Walker.maxNodes - share)) }
            }
            return (entries, true, w.visited - (Walker.maxNodes - share))
        }
        let spent = chunks.reduce(0) { $0 + $1.visited }
        chunkWork += spent
        guard chunks.allSatisfy(\.clean), spent <= budget else { return nil }
        visited += spent
        return chunks.flatMap(\.entries)
    }

    /// One entry of a map: the key checked against `rule`, the value against `value`.
    private mutating func walkEntry(
        _ k: Node, _ v: Node, path: String, key rule: SchemaType.KeyRule?,
        value: SchemaType
    ) -> SpecEntry? {
        guard case .scalar(let ks) = k else {
            report(.error(.type, "keys in '\(path)' must be plain words, found \(Walker.describe(k))", at: loc(k)))
            return nil
        }
        let key = ks.string
        if let p = Walker.tagProblem(k) {
            report(.error(.yamlTag, "key '\(key)' in '\(path)' has the YAML tag \(p); remove the tag", at: loc(k)))
            return nil
        }
        if ks.style == .plain, rule == nil || rule == .name, key.allSatisfy(\.isASCIIDigit) {
            report(
                .error(
                    .invalidName,
                    "invalid name '\(key)' in '\(path)': YAML readers take a plain \(key) as a number; quote it (\"\(key)\") if you mean the name",
                    at: loc(k)))
            return nil
        }
        let keyProblem: String?
        switch rule {
        case nil, .name?: keyProblem = Names.labelProblem(key)
        case .envVar?: keyProblem = Names.envVarProblem(key)
        case .labelKey?: keyProblem = Names.labelKeyProblem(key)
        }
        if let p = keyProblem {
            report(.error(.invalidName, "invalid name '\(key)' in '\(path)': \(p)", at: loc(k)))
            return nil
        }
        guard let node = walk(v, type: value, path: "\(path).\(key)") else { return nil }
        return SpecEntry(key: key, keyLocation: loc(k), node: node)
    }

    mutating func walkList(_ n: Node, item: SchemaType, path: String) -> SpecNode? {
        guard case .sequence(let seq) = n else {
            if Walker.isNull(n) { return SpecNode(.list([]), loc(n)) }
            report(.error(.type, "'\(path)' must be a list, found \(Walker.describe(n))", at: loc(n)))
            return nil
        }
        var items: [SpecNode] = []
        for (i, v) in seq.enumerated() {
            if let node = walk(v, type: item, path: "\(path)[\(i)]") { items.append(node) }
        }
        return SpecNode(.list(items), loc(n))
    }

    mutating func walkScalar(_ n: Node, type: SchemaType, path: String) -> SpecNode? {
        let here = loc(n)
        guard case .scalar(let s) = n else {
            report(.error(.type, "'\(path)' must be \(type.names.expected), found \(Walker.describe(n))", at: here))
            return nil
        }
        let text = s.string
        let plain = s.style == .plain
        func bad(_ why: String) -> SpecNode? {
            report(.error(.invalidValue, "'\(path)' \(why)", at: here))
            return nil
        }
        if let why = Walker.textProblem(text, type: type, plain: plain) { return bad(why) }
        func wrongType() -> SpecNode? {
            report(.error(.type, "'\(path)' must be \(type.names.expected), found \(Walker.describe(n))", at: here))
            return nil
        }
        // Plain booleans and nulls never pass as text: YAML 1.1 readers disagree on them.
        let looksBool =
            plain
            && [
                "true", "false", "True", "False", "TRUE", "FALSE", "yes", "no", "Yes", "No", "YES", "NO", "on", "off", "On", "Off", "ON",
                "OFF", "y", "n", "Y", "N",
            ].contains(text)
        switch type {
        case .bool:
            guard plain else { return wrongType() }
            switch text {
            case "true": return SpecNode(.bool(true), here)
            case "false": return SpecNode(.bool(false), here)
            default:
                if looksBool { return bad("must be true or false (YAML 1.2), found '\(text)'") }
                return wrongType()
            }
        case .int(let lo, let hi):
            guard plain, let v = Int(text) else { return wrongType() }
            guard v >= lo, v <= hi else {
                if lo == hi { return bad("is \(v), but this berth reads only \(lo)") }
                return bad("is \(v), must be from \(lo) to \(hi)")
            }
            return SpecNode(.int(v), here)
        default:
            break
        }
        if looksBool { return bad("must be \(type.names.expected), found the boolean-like word '\(text)'; quote it if you mean text") }
        switch Walker.checkText(text, type: type, plain: plain) {
        case .valid: return SpecNode(.string(text), here)
        case .invalid(let why): return bad(why)
        case .wrongType: return wrongType()
        }
    }

    /// Why a scalar's text cannot be a value of any type: too long, a control character, or a
    /// plain number with a leading zero. Nil when none of these.
    static func textProblem(_ text: String, type: SchemaType, plain: Bool) -> String? {
        let limit = Walker.maxLength(type)
        if text.count > limit {
            return "is \(text.count) characters long; at most \(limit) are allowed"
        }
        // Control characters (Unicode category Cc: U+0000-U+001F, U+007F-U+009F) never belong in
        // a spec value; free text may hold line breaks and tabs.
        let freeText: Bool = if case .string = type { true } else { false }
        if let c = text.unicodeScalars.first(where: {
            ($0.value < 0x20 || (0x7F...0x9F).contains($0.value)) && !(freeText && ($0 == "\n" || $0 == "\t"))
        }) {
            let code = String(c.value, radix: 16, uppercase: true)
            return "contains the control character U+\(String(repeating: "0", count: max(0, 4 - code.count)) + code); remove it"
        }
        if plain, Walker.leadingZeroInteger(text) {
            if case .int = type, let v = Int(text) {
                return "is written '\(text)' with a leading zero, which YAML 1.1 readers take as an octal number; write \(v)"
            }
            return
                "is the plain number '\(text)' with a leading zero, which YAML 1.1 readers take as an octal number; quote it if you mean text"
        }
        return nil
    }

    /// What a text-like type makes of a scalar that is not a boolean-like word.
    enum TextCheck {
        case valid
        case invalid(String)
        case wrongType
    }

    /// Checks `text` against a text-like type (names, quantities, durations, addresses, ...).
    static func checkText(_ text: String, type: SchemaType, plain: Bool) -> TextCheck {
        switch type {
        case .string:
            return .valid
        case .name:
            if plain, text.allSatisfy(\.isASCIIDigit) {
                return .invalid(
                    "must be a name, found the number \(text); YAML readers take it as a number, so quote it (\"\(text)\") if you mean the name"
                )
            }
            if let p = Names.labelProblem(text) { return .invalid("is not a valid name '\(text)': \(p)") }
        case .quantity:
            guard let q = Quantity.parse(text) else {
                return .invalid("has an invalid quantity '\(text)': expected a number with an optional suffix (m, k, M, G, Ki, Mi, Gi, Ti)")
            }
            if q.milli <= 0 { return .invalid("must be greater than zero, found '\(text)'") }
        case .duration:
            if SpecDuration.parse(text) == nil {
                return .invalid("has an invalid duration '\(text)': expected a number and a unit m, h, d, w or y, e.g. 30d")
            }
        case .cron:
            if let p = Cron.problem(text) { return .invalid("has an invalid cron schedule '\(text)': \(p)") }
        case .cidr(let family):
            if let p = CIDRCheck.problem(text, family: family) { return .invalid("is not a valid CIDR '\(text)': \(p)") }
        case .hostname:
            if let p = Names.hostnameProblem(text) { return .invalid("is not a valid DNS name '\(text)': \(p)") }
        case .path:
            if !text.hasPrefix("/") || text.contains(" ") || text.contains("..") {
                return .invalid("must be an HTTP path starting with '/', found '\(text)'")
            }
        case .repoPath:
            let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            if text.isEmpty || text.hasPrefix("/") || text.contains("\\")
                || parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." })
            {
                return .invalid(
                    "must be a relative folder inside the repository, such as rendered/prod, without '..', '.', empty parts or a leading '/'; found '\(text)'"
                )
            }
        case .url:
            let ok =
                (text.hasPrefix("https://") || text.hasPrefix("ssh://") || text.hasPrefix("git@"))
                && !text.contains(" ") && text.count > 10
            if !ok { return .invalid("must be an https://, ssh:// or git@ address, found '\(text)'") }
        case .email:
            let parts = text.split(separator: "@", omittingEmptySubsequences: false)
            if parts.count != 2 || parts[0].isEmpty || Names.hostnameProblem(String(parts[1])) != nil || text.contains(" ") {
                return .invalid("must be an e-mail address, found '\(text)'")
            }
        case .digits:
            if text.isEmpty || text.count > 20 || !text.allSatisfy(\.isASCIIDigit) {
                return .invalid("must be digits only (at most 20), found '\(text)'")
            }
        case .oneOf(let words):
            guard words.contains(text) else {
                var msg = "must be one of " + words.joined(separator: ", ") + ", found '\(text)'"
                if let hint = Suggest.closest(text, among: words) { msg += "; did you mean '\(hint)'?" }
                return .invalid(msg)
            }
        case .version:
            // Dot-separated whole numbers without leading zeros, the first at least 1: "1.31", "16".
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            let ok =
                !text.isEmpty && text.count < 20 && parts.count <= 3
                && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) && ($0 == "0" || $0.first != "0") }
                && parts.first.map { $0 != "0" } == true
            if !ok {
                return .invalid(
                    "must be a version number such as \"1.31\" (whole numbers without leading zeros, the first at least 1), found '\(text)'"
                )
            }
        default:
            return .wrongType
        }
        return .valid
    }
}

/// "Did you mean" suggestions by edit distance.
enum Suggest {
    static func closest(_ word: String, among options: [String]) -> String? {
        let w = Array(word.lowercased())
        var best: (String, Int)?
        for o in options {
            let d = distance(w, Array(o.lowercased()))
            let limit = max(1, min(3, o.count / 3))
            if d <= limit, d < (best?.1 ?? Int.max) { best = (o, d) }
        }
        return best?.0
    }

    /// Edit distance counting an adjacent transposition as one edit (optimal string alignment),
    /// so `fsat` is one edit from `fast`.
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}

/// Name rules shared by the loader and the checks.
public enum Names {
    /// Why `s` is not a DNS-1123 label, or nil when it is one.
    public static func labelProblem(_ s: String) -> String? {
        if s.isEmpty { return "a name cannot be empty" }
        if s.utf8.count > 63 { return "at most 63 characters, found \(s.utf8.count)" }
        for c in s.utf8 {
            let ok = (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2D
            if !ok {
                return "use lower-case letters, digits and '-' only (DNS-1123 label)"
            }
        }
        if s.hasPrefix("-") || s.hasSuffix("-") { return "must start and end with a letter or digit" }
        return nil
    }

    /// Why `s` is not a valid DNS name (each label checked), or nil when it is.
    public static func hostnameProblem(_ s: String) -> String? {
        if s.isEmpty { return "empty" }
        if s.utf8.count > 253 { return "longer than 253 characters" }
        for label in s.split(separator: ".", omittingEmptySubsequences: false) {
            if let p = labelProblem(String(label)) { return "label '\(label)': \(p)" }
        }
        return nil
    }

    static func envVarProblem(_ s: String) -> String? {
        guard let f = s.first, f == "_" || ("A"..."Z").contains(f) else {
            return "environment variable names start with A-Z or '_'"
        }
        if !s.allSatisfy({ $0 == "_" || ("A"..."Z").contains($0) || $0.isASCIIDigit }) {
            return "environment variable names use A-Z, 0-9 and '_' only"
        }
        return nil
    }

    static func labelKeyProblem(_ s: String) -> String? {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count > 2 { return "a label key has at most one '/'" }
        if parts.count == 2, let p = hostnameProblem(String(parts[0])) { return "prefix: \(p)" }
        let name = parts.last.map(String.init) ?? ""
        if name.isEmpty || name.count > 63 { return "the name part must be 1 to 63 characters" }
        if !name.allSatisfy({ $0.isLetter || $0.isASCIIDigit || $0 == "-" || $0 == "_" || $0 == "." }) || !name.allSatisfy(\.isASCII) {
            return "use letters, digits, '-', '_' and '.'"
        }
        return nil
    }
}
