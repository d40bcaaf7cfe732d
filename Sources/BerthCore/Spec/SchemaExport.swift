import Foundation

/// Exports the spec schema table as JSON Schema (for editors) and as a Markdown field reference.
public enum SchemaExport {
    /// A JSON Schema (draft 2020-12) of the spec format.
    public static func jsonSchema() -> JSONValue {
        var root = object(SpecSchema.root)
        if case .object(var pairs) = root {
            pairs.insert(("$schema", "https://json-schema.org/draft/2020-12/schema"), at: 0)
            pairs.insert(("$id", "https://berth.dev/schema/platform-v1.json"), at: 1)
            pairs.insert(("title", "berth platform spec, format 1"), at: 2)
            root = .object(pairs)
        }
        return root
    }

    static func object(_ o: ObjectSchema) -> JSONValue {
        var props: [(String, JSONValue)] = []
        for f in o.fields {
            var p = type(f.type)
            if case .object(var pairs) = p {
                pairs.insert(("description", .string(f.doc + defaultText(f))), at: 0)
                if let d = f.defaultValue, let j = json(d) { pairs.append(("default", j)) }
                p = .object(pairs)
            }
            props.append((f.name, p))
        }
        var pairs: [(String, JSONValue)] = [
            ("type", "object"),
            ("description", .string(o.doc)),
            ("properties", .object(props)),
            ("additionalProperties", false),
        ]
        let req = o.fields.filter(\.required).map { JSONValue.string($0.name) }
        if !req.isEmpty { pairs.append(("required", .array(req))) }
        return .object(pairs)
    }

    static func defaultText(_ f: Field) -> String {
        if f.required { return " Required." }
        if let n = f.defaultNote { return " Default: \(n)." }
        if let d = f.defaultValue {
            if case .string(let s) = d, s.isEmpty { return "" }
            if case .list(let l) = d, l.isEmpty { return "" }
            if case .map(let m) = d, m.isEmpty { return "" }
            return " Default: \(d.docText)."
        }
        return ""
    }

    static let namePattern = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"

    static func type(_ t: SchemaType) -> JSONValue {
        switch t {
        case .string: return ["type": "string"]
        case .name: return ["type": "string", "pattern": .string(namePattern)]
        case .bool: return ["type": "boolean"]
        case .int(let lo, let hi): return ["type": "integer", "minimum": .int(lo), "maximum": .int(hi)]
        case .quantity:
            return [
                "type": ["string", "integer"], "pattern": "^[+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+|[numkMGTPE]|[KMGTPE]i)?$",
            ]
        case .duration: return ["type": "string", "pattern": "^[1-9][0-9]*[mhdwy]$"]
        case .cron: return ["type": "string", "pattern": "^\\S+ \\S+ \\S+ \\S+ \\S+$"]
        case .cidr: return ["type": "string", "format": "cidr"]
        case .hostname: return ["type": "string", "format": "hostname"]
        case .path: return ["type": "string", "pattern": "^/"]
        case .repoPath: return ["type": "string", "pattern": "^(?!/)(?!.*(^|/)\\.{1,2}(/|$))(?!.*//)[^\\\\]+$", "maxLength": 1024]
        case .url: return ["type": "string", "pattern": "^(https://|ssh://|git@)"]
        case .email: return ["type": "string", "format": "email"]
        case .digits: return ["type": ["string", "integer"], "pattern": "^[0-9]{1,20}$", "minimum": 0]
        case .oneOf(let words): return ["type": "string", "enum": .array(words.map { .string($0) })]
        case .version: return ["type": ["string", "number"]]
        case .list(let item): return ["type": "array", "items": type(item)]
        case .map(let value):
            return ["type": "object", "propertyNames": ["pattern": .string(namePattern)], "additionalProperties": type(value)]
        case .freeMap(_, let value): return ["type": "object", "additionalProperties": type(value)]
        case .object(let o): return object(o)
        case .allOr(let item):
            return ["oneOf": [["const": "all"], ["type": "array", "items": type(item)]]]
        }
    }

    static func json(_ v: SpecValue) -> JSONValue? {
        switch v {
        case .string(let s): return s.isEmpty ? nil : .string(s)
        case .int(let i): return .int(i)
        case .bool(let b): return .bool(b)
        case .list(let items): return .array(items.compactMap { json($0.value) })
        case .map: return nil
        case .all: return "all"
        }
    }

    // MARK: Markdown

    /// The field reference: one table per object, in the order of the spec.
    public static func markdown() -> String {
        var out = ""
        var seen: Set<String> = []
        walk(SpecSchema.root, path: "", into: &out, seen: &seen)
        return out
    }

    static func inner(_ t: SchemaType) -> ObjectSchema? {
        switch t {
        case .object(let o): return o
        case .list(let i), .map(let i), .freeMap(_, let i), .allOr(let i): return inner(i)
        default: return nil
        }
    }

    static func walk(_ o: ObjectSchema, path: String, into out: inout String, seen: inout Set<String>) {
        let title = path.isEmpty ? "Top level" : "`\(path)`"
        out += "### \(title)\n\n\(o.doc)\n\n| key | type | default | meaning |\n|---|---|---|---|\n"
        for f in o.fields {
            let def: String
            if f.required {
                def = "**required**"
            } else if let n = f.defaultNote {
                def = n
            } else if let d = f.defaultValue {
                def = "`\(d.docText)`"
            } else if case .object = f.type, !f.optionalObject {
                def = "(defaults below)"
            } else {
                def = "absent"
            }
            out += "| `\(f.name)` | \(f.type.names.reference) | \(def) | \(f.doc.replacingOccurrences(of: "|", with: "\\|")) |\n"
        }
        out += "\n"
        for f in o.fields {
            guard let sub = inner(f.type) else { continue }
            let suffix: String
            switch f.type {
            case .map: suffix = ".<name>"
            case .list: suffix = "[]"
            default: suffix = ""
            }
            let childPath = (path.isEmpty ? "" : path + ".") + f.name + suffix
            guard seen.insert(childPath).inserted else { continue }
            walk(sub, path: childPath, into: &out, seen: &seen)
        }
    }
}
