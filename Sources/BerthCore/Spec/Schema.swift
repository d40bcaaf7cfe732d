/// The shape of the spec format, as data.
///
/// One table drives the loader's checks (types, unknown keys, names, quantities, enums,
/// ranges), the defaults filled in before decoding, `berth schema` (JSON Schema) and the
/// field reference in docs/spec.md, so the four can never disagree.
public indirect enum SchemaType: Sendable {
    /// Free text.
    case string
    /// A DNS-1123 label: lower-case letters, digits and '-', at most 63 characters.
    case name
    /// `true` or `false`.
    case bool
    /// A whole number within a range.
    case int(min: Int, max: Int)
    /// A Kubernetes quantity, e.g. `250m`, `2`, `512Mi`, `100Gi`.
    case quantity
    /// A duration such as `12h`, `30d`, `2w`, `1y`.
    case duration
    /// A five-field cron expression, e.g. `0 2 * * *`.
    case cron
    /// A CIDR prefix, IPv4 or IPv6 as `family` says.
    case cidr(Family)
    /// A DNS name such as `acme.example` (a relative name is allowed where documented).
    case hostname
    /// An HTTP path starting with `/`; a trailing `*` matches a prefix.
    case path
    /// A relative folder inside a repository, e.g. `rendered/prod`: no leading `/`, no `.`,
    /// `..` or empty parts.
    case repoPath
    /// An `https://` or `ssh://` URL, or a `git@host:path` address.
    case url
    /// An e-mail address.
    case email
    /// A whole number written as digits only, kept as text (e.g. a Google Cloud project
    /// number); at most 20 digits.
    case digits
    /// One of a fixed set of words.
    case oneOf([String])
    /// A version string such as `1.31` or `16`; numbers are read as text.
    case version
    /// A list of values of one type.
    case list(SchemaType)
    /// A mapping from names (DNS-1123 labels) to values of one type.
    case map(SchemaType)
    /// A mapping from free-text keys (e.g. environment variable names) to values.
    case freeMap(key: KeyRule, value: SchemaType)
    /// A fixed object.
    case object(ObjectSchema)
    /// The word `all`, or a list of values.
    case allOr(SchemaType)

    /// Which address family a CIDR may be: IPv4, IPv6 or either.
    public enum Family: String, Sendable { case v4, v6, any }

    /// A rule that the keys of a free-text mapping must follow.
    public enum KeyRule: Sendable {
        /// Environment variable names: `[A-Z_][A-Z0-9_]*`.
        case envVar
        /// Label keys: an optional DNS prefix and a name.
        case labelKey
        /// Environment names mapping to service names (versions file).
        case name
    }
}

extension SchemaType {
    /// A TCP or UDP port number from `low` (1024 for a port that non-root pods listen on) to 65535.
    static func port(from low: Int = 1) -> SchemaType { .int(min: low, max: 65535) }

    /// The type's two names, side by side so that a new type gets both: `expected`, how an error
    /// message says what a value must be ("a whole number from 1 to 10"), and `reference`, the
    /// type column of the field reference in docs/spec.md ("integer 1–10").
    var names: (expected: String, reference: String) {
        switch self {
        case .string: ("a string", "text")
        case .name: ("a name", "name")
        case .bool: ("true or false", "bool")
        case .int(let lo, let hi): ("a whole number from \(lo) to \(hi)", "integer \(lo)–\(hi)")
        case .quantity: ("a quantity such as 250m, 2 or 512Mi", "quantity")
        case .duration: ("a duration such as 12h, 30d or 1y", "duration")
        case .cron: ("a cron schedule such as \"0 2 * * *\"", "cron")
        case .cidr(let f): ("a CIDR prefix such as 10.0.0.0/16", f == .any ? "CIDR" : "IP\(f.rawValue) CIDR")
        case .hostname: ("a DNS name", "DNS name")
        case .path: ("an HTTP path", "path")
        case .repoPath: ("a folder in the repository", "folder in the repository")
        case .url: ("a URL", "URL")
        case .email: ("an e-mail address", "e-mail")
        case .digits: ("a number written as digits", "digits")
        case .oneOf(let words): ("one of " + words.joined(separator: ", "), words.map { "`\($0)`" }.joined(separator: " \\| "))
        case .version: ("a version such as \"1.31\"", "version")
        case .list(let item): ("a list", "list of " + item.names.reference)
        case .map(let value): ("a mapping", "map name → " + value.names.reference)
        case .freeMap(let key, let value): ("a mapping", "map \(key.referenceName) → " + value.names.reference)
        case .object(let o): ("a mapping", "object (\(o.title))")
        case .allOr(let item): ("'all' or a list", "`all` or list of " + item.names.reference)
        }
    }
}

extension SchemaType.KeyRule {
    /// How the field reference names the keys of a free-text mapping.
    var referenceName: String {
        switch self {
        case .envVar: "VAR_NAME"
        case .labelKey: "label key"
        case .name: "name"
        }
    }
}

/// One key of an object.
public struct Field: Sendable {
    /// The key as written in the spec.
    public var name: String
    /// What the value must be.
    public var type: SchemaType
    /// One line of documentation, shown in docs/spec.md and the JSON Schema.
    public var doc: String
    /// The default filled in when the key is absent; nil when there is none or it is derived.
    public var defaultValue: SpecValue?
    /// Text shown as the default where the default is derived rather than fixed.
    public var defaultNote: String?
    /// Whether the key must be written.
    public var required: Bool
    /// For object-typed fields: absent means "not present" rather than "all defaults".
    public var optionalObject: Bool
}

extension Field {
    /// A key of text (or a name, or digits) that is empty when absent: the features it sets
    /// are off, or derived from elsewhere, until it is written.
    static func emptyByDefault(_ name: String, _ type: SchemaType, _ doc: String) -> Field {
        Field(name, type, doc, default: .string(""))
    }

    /// A mapping, empty by default, of what the cloud assigns on creation (client ids, principal
    /// ids, issuer URLs, key versions) by the names the spec gives; filled in after a first apply.
    static func assigned(_ name: String, _ doc: String) -> Field {
        Field(name, .freeMap(key: .name, value: .string), doc, default: .map([]))
    }

    /// A key with its type, documentation and default (or `defaultNote` when it is derived).
    /// (An extension, so that the memberwise initialiser stays available to build it.)
    public init(
        _ name: String, _ type: SchemaType, _ doc: String, default defaultValue: SpecValue? = nil,
        defaultNote: String? = nil, required: Bool = false, optionalObject: Bool = false
    ) {
        self.init(
            name: name, type: type, doc: doc, defaultValue: defaultValue, defaultNote: defaultNote, required: required,
            optionalObject: optionalObject)
    }
}

/// An object with named keys.
public struct ObjectSchema: Sendable {
    /// The object's name as messages and docs show it.
    public var title: String
    /// One line about what the object is.
    public var doc: String
    /// The object's keys, in the order the docs list them.
    public var fields: [Field]

    /// An object with the given title, documentation and keys.
    public init(_ title: String, _ doc: String, _ fields: [Field]) {
        self.title = title
        self.doc = doc
        self.fields = fields
    }

    /// The field named `name`, if the object has one.
    public func field(_ name: String) -> Field? { fields.first { $0.name == name } }
}

/// A checked value of the spec, with defaults filled in and where it came from.
public struct SpecNode: Sendable {
    /// The value, with defaults filled in.
    public var value: SpecValue
    /// Where it is written (or `<default>` for a default).
    public var location: SourceLocation
    /// False for values that came from a default.
    public var explicit: Bool

    /// A node holding `value`, written at `location` (`explicit: false` for defaults).
    public init(_ value: SpecValue, _ location: SourceLocation, explicit: Bool = true) {
        self.value = value
        self.location = location
        self.explicit = explicit
    }

    /// The value under `key` when this node is a mapping that has it.
    public subscript(key: String) -> SpecNode? {
        guard case .map(let entries) = value else { return nil }
        return entries.first { $0.key == key }?.node
    }

    /// The text of a string value (a whole number is given as its digits); nil otherwise.
    public var string: String? {
        switch value {
        case .string(let s): return s
        case .int(let i): return String(i)
        default: return nil
        }
    }

    /// The value when it is a whole number.
    public var int: Int? {
        if case .int(let i) = value { i } else { nil }
    }

    /// The value when it is `true` or `false`.
    public var bool: Bool? {
        if case .bool(let b) = value { b } else { nil }
    }

    /// The items when the node is a list; empty otherwise.
    public var list: [SpecNode] {
        if case .list(let items) = value { items } else { [] }
    }

    /// The entries when the node is a mapping, in the order written; empty otherwise.
    public var entries: [SpecEntry] {
        if case .map(let e) = value { e } else { [] }
    }

    /// The string items of a list.
    public var strings: [String] { list.compactMap(\.string) }
}

/// A key of a mapping with its value.
public struct SpecEntry: Sendable {
    /// The key.
    public var key: String
    /// Where the key is written.
    public var keyLocation: SourceLocation
    /// The value.
    public var node: SpecNode
}

/// The value part of a `SpecNode`.
public indirect enum SpecValue: Sendable {
    /// A text value.
    case string(String)
    /// A whole number.
    case int(Int)
    /// `true` or `false`.
    case bool(Bool)
    /// A list of nodes.
    case list([SpecNode])
    /// A mapping, its entries in the order written.
    case map([SpecEntry])
    /// The word `all` where `allOr` allows it.
    case all

    /// A plain-text rendering of a default, for docs.
    public var docText: String {
        switch self {
        case .string(let s): return s.isEmpty ? "\"\"" : s
        case .int(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        case .list(let items): return "[" + items.map(\.value.docText).joined(separator: ", ") + "]"
        case .map(let e): return e.isEmpty ? "{}" : "{…}"
        case .all: return "all"
        }
    }
}
