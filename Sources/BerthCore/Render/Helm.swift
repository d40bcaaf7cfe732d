/// Helm charts, one per service, under `helm/<service>/` (with `delivery.helm`).
///
/// ```
/// helm/<service>/Chart.yaml                         apiVersion v2, name, version, appVersion
/// helm/<service>/values.yaml                        shared defaults (the most common value of each setting)
/// helm/<service>/values-<env>-<cluster>.yaml        what differs from the defaults in that environment x cluster
/// helm/<service>/values.schema.json                 JSON Schema of the values
/// helm/<service>/templates/_helpers.tpl             names and labels
/// helm/<service>/templates/<object>.yaml            one template per object of the service
/// helm/<service>/templates/NOTES.txt
/// ```
///
/// A template is the part of an object that is the same wherever the service runs (as in
/// the kustomize bases); every field that differs between environment x cluster targets is
/// read from the values, under the object's key (`deployment.replicas`, `deployment.image`,
/// `httpRoute.hostnames.0`, ...), and objects that only some targets have are guarded by
/// `<object>.enabled`. The namespace is the release namespace, the `app.kubernetes.io/instance`
/// label is `<chart>-<environment>`, and the standard labels come from `_helpers.tpl`.
/// Every value a template writes goes through `toJson`, so a string such as `on` or `y` stays
/// a string. `helm template <service> helm/<service> -n <namespace> -f values-<env>-<cluster>.yaml`
/// therefore gives exactly the objects of `<cluster>/<namespace>/<service>.yaml`.
extension Renderer {
    static let helmChartVersion = "0.1.0"

    func helmArtifacts(_ units: [Unit]) -> [Artifact] {
        guard spec.delivery.helm else { return [] }
        var order: [String] = []
        var variants: [String: [(Int, [JSONValue])]] = [:]
        for u in units {
            guard case .service(let ti, let s) = u.owner, spec.service(s) != nil else { continue }
            if variants[s] == nil { order.append(s) }
            variants[s, default: []].append((ti, u.docs))
        }
        let names = order
        let inputs = names.map { variants[$0] ?? [] }
        let renderer = self
        return parallelMap(0..<names.count) { renderer.helmChart(names[$0], inputs[$0]) }.flatMap { $0 }
    }

    // MARK: model

    /// Markers put in place of per-target values that templates compute (never valid spec text: they start with NUL).
    enum HelmMarker: String, CaseIterable {
        case namespace = "\u{0}berth:namespace"
        case instance = "\u{0}berth:instance"
        case environment = "\u{0}berth:environment"
        case version = "\u{0}berth:version"
        case labels = "\u{0}berth:labels"
        case labelsWithoutVersion = "\u{0}berth:labels-without-version"
        case selectorLabels = "\u{0}berth:selector-labels"
    }

    /// A place in an object whose value comes from the values files.
    struct HelmHole {
        var path: [String]
        var name: String
        /// Per variant index: the value there (nil where the variant lacks the field).
        var values: [JSONValue?]
    }

    /// One object of a chart: its template and where its values differ.
    struct HelmObject {
        var slot: String
        var base: JSONValue?
        /// The object as the first variant that has it renders it: the key order templates follow.
        var sample: JSONValue
        /// Variant indexes that have the object.
        var present: [Bool]
        var holes: [HelmHole]
        var optional: Bool { present.contains(false) }
    }

    func helmChart(_ service: String, _ variants: [(Int, [JSONValue])]) -> [Artifact] {
        let dir = "helm/\(service)"
        let targets = variants.map { plan.targets[$0.0] }
        let placements = targets.map { t in t.placements.first { $0.service.name == service } }
        // Per variant: the objects with computed values replaced by markers.
        let marked: [[JSONValue]] = variants.indices.map { i in
            guard let p = placements[i] else { return variants[i].1 }
            let t = targets[i]
            let m = MarkerContext(
                namespace: t.namespace, instance: "\(service)-\(t.environment.name)",
                environment: t.environment.name, version: p.version,
                labels: labels(p, t), labelsWithoutVersion: labels(p, t, withVersion: false),
                selector: selector(p, t))
            return variants[i].1.map { m.mark($0, key: nil) }
        }
        // Objects in order of first appearance.
        var keys: [String] = []
        var byKey: [String: [JSONValue?]] = [:]
        var originals: [String: [JSONValue?]] = [:]
        for (vi, docs) in marked.enumerated() {
            for (di, d) in docs.enumerated() {
                let k = Renderer.objectKey(d)
                if byKey[k] == nil {
                    keys.append(k)
                    byKey[k] = Array(repeating: nil, count: variants.count)
                    originals[k] = Array(repeating: nil, count: variants.count)
                }
                byKey[k]?[vi] = d
                originals[k]?[vi] = variants[vi].1[di]
            }
        }
        let slots = Renderer.helmSlots(keys.map { k in (byKey[k] ?? []).compactMap { $0 }.first ?? .null }, service: service)
        var objects: [HelmObject] = []
        for (n, k) in keys.enumerated() {
            let docs = byKey[k] ?? []
            let orig = originals[k] ?? []
            let present = docs.map { $0 != nil }
            let base = Renderer.commonShape(docs.compactMap { $0 })
            var paths: [[String]] = []
            var seen: Set<[String]> = []
            if base != nil {
                for d in docs {
                    guard let d, let base else { continue }
                    var found: [[String]] = []
                    Renderer.helmHoles(base, d, [], into: &found)
                    for p in found where seen.insert(p).inserted { paths.append(p) }
                }
            } else {
                paths = [[]]
            }
            // A hole inside another hole is covered by it.
            paths = paths.filter { p in !paths.contains { q in q.count < p.count && Array(p.prefix(q.count)) == q } }
            let names = Renderer.helmHoleNames(paths)
            let holes = paths.indices.map { i in
                HelmHole(path: paths[i], name: names[i], values: orig.map { $0.flatMap { Renderer.lookup($0, paths[i]) } })
            }
            objects.append(
                HelmObject(
                    slot: slots[n], base: base, sample: docs.compactMap { $0 }.first ?? .null,
                    present: present, holes: holes))
        }

        // Values per variant, then the defaults and what each variant changes.
        let versions = placements.map { $0.flatMap(\.version) }
        let envNames = targets.map(\.environment.name)
        func variantValues(_ vi: Int) -> [(String, JSONValue)] {
            var top: [(String, JSONValue)] = [("environment", .string(envNames[vi]))]
            if let v = versions[vi] { top.append(("version", .string(v))) }
            for o in objects {
                var slot: [(String, JSONValue)] = []
                if o.optional { slot.append(("enabled", .bool(o.present[vi]))) }
                if o.present[vi] {
                    for h in o.holes { if let v = h.values[vi] { slot.append((h.name, v)) } }
                }
                if !slot.isEmpty { top.append((o.slot, .object(slot))) }
            }
            return top
        }
        let all = variants.indices.map(variantValues)
        // ties go to production: the defaults read as the production settings where they can
        let ranked = variants.indices.sorted { a, b in
            let pa = targets[a].environment.tier == .production
            let pb = targets[b].environment.tier == .production
            return pa != pb ? pa : a < b
        }
        let defaults = Renderer.helmDefaults(ranked.map { all[$0] })
        var out: [Artifact] = []
        let header = "# Generated by berth from the platform spec. Do not edit; change the spec and render again.\n"
        for (vi, t) in targets.enumerated() {
            let delta = Renderer.helmDelta(all[vi], defaults: defaults)
            out.append(
                Artifact(
                    path: "\(dir)/values-\(t.environment.name)-\(t.cluster.name).yaml",
                    contents: header + "# Release \(service) in namespace \(t.namespace) on cluster \(t.cluster.name).\n"
                        + JSONValue.object(delta).yaml(),
                    objects: 0))
        }
        out.append(Artifact(path: "\(dir)/values.yaml", contents: header + JSONValue.object(defaults).yaml(), objects: 0))
        out.append(
            Artifact(
                path: "\(dir)/values.schema.json",
                contents: Renderer.helmSchema(all, environments: Array(Set(envNames)).sorted(), objects: objects).serialized(pretty: true)
                    + "\n",
                objects: 0))
        let appVersion = defaults.first { $0.0 == "version" }?.1.stringValue
        var chart: [(String, JSONValue)] = [
            ("apiVersion", "v2"),
            ("name", .string(service)),
            ("description", .string("Service \(service) of platform \(spec.platform), rendered by berth")),
            ("type", "application"),
            ("version", .string(Renderer.helmChartVersion)),
        ]
        if let appVersion { chart.append(("appVersion", .string(appVersion))) }
        chart.append(("annotations", ["berth.dev/platform": .string(spec.platform)]))
        out.append(Artifact(path: "\(dir)/Chart.yaml", contents: header + JSONValue.object(chart).yaml(), objects: 0))
        out.append(Artifact(path: "\(dir)/templates/_helpers.tpl", contents: helmHelpers(service), objects: 0))
        out.append(
            Artifact(
                path: "\(dir)/templates/NOTES.txt",
                contents: """
                    {{ .Chart.Name }} of platform \(Renderer.templateLiteral(spec.platform)) in environment {{ .Values.environment }}, namespace {{ .Release.Namespace }}.
                    Rendered by berth from the platform spec: change the spec and render again rather than this chart.

                    """, objects: 0))
        for o in objects {
            out.append(Artifact(path: "\(dir)/templates/\(o.slot).yaml", contents: helmTemplate(o, service: service), objects: 0))
        }
        return out
    }

    /// Replaces per-target values that templates compute with markers.
    struct MarkerContext {
        var namespace: String
        var instance: String
        var environment: String
        var version: String?
        var labels: JSONValue
        var labelsWithoutVersion: JSONValue
        var selector: JSONValue

        func mark(_ v: JSONValue, key: String?) -> JSONValue {
            switch v {
            case .object(let pairs):
                if v == labels { return .string(HelmMarker.labels.rawValue) }
                if v == labelsWithoutVersion { return .string(HelmMarker.labelsWithoutVersion.rawValue) }
                if v == selector { return .string(HelmMarker.selectorLabels.rawValue) }
                return .object(pairs.map { ($0.0, mark($0.1, key: $0.0)) })
            case .array(let items):
                return .array(items.map { mark($0, key: nil) })
            case .string(let s):
                if s == namespace { return .string(HelmMarker.namespace.rawValue) }
                if s == instance { return .string(HelmMarker.instance.rawValue) }
                if key == "berth.dev/environment", s == environment { return .string(HelmMarker.environment.rawValue) }
                if key == "app.kubernetes.io/version", s == version { return .string(HelmMarker.version.rawValue) }
                return v
            default:
                return v
            }
        }
    }

    /// Paths where `doc` differs from `base` (its common shape with the other variants).
    static func helmHoles(_ base: JSONValue, _ doc: JSONValue, _ path: [String], into out: inout [[String]]) {
        if base == doc { return }
        switch (base, doc) {
        case (.object(let b), .object(let d)) where !b.isEmpty:
            for (k, dv) in d {
                if let bv = b.first(where: { $0.0 == k })?.1 {
                    helmHoles(bv, dv, path + [k], into: &out)
                } else {
                    out.append(path + [k])
                }
            }
            // A base key the document lacks cannot happen (the base is the common part); be safe.
            if b.contains(where: { p in !d.contains { $0.0 == p.0 } }) { out.append(path) }
        case (.array(let b), .array(let d)) where b.count == d.count && !b.isEmpty:
            for i in b.indices { helmHoles(b[i], d[i], path + [String(i)], into: &out) }
        default:
            out.append(path)
        }
    }

    static func lookup(_ v: JSONValue, _ path: [String]) -> JSONValue? {
        var cur = v
        for seg in path {
            switch cur {
            case .object(let pairs):
                guard let next = pairs.first(where: { $0.0 == seg })?.1 else { return nil }
                cur = next
            case .array(let items):
                guard let i = Int(seg), items.indices.contains(i) else { return nil }
                cur = items[i]
            default:
                return nil
            }
        }
        return cur
    }

    /// A values key per object: the kind in lower camel case, with the object name's part
    /// after the service name when one service has several objects of a kind.
    static func helmSlots(_ docs: [JSONValue], service: String) -> [String] {
        var kindCount: [String: Int] = [:]
        for d in docs { kindCount[d["kind"]?.stringValue ?? "", default: 0] += 1 }
        var used: Set<String> = ["environment", "version"]
        return docs.map { d in
            let kind = d["kind"]?.stringValue ?? "object"
            var slot = lowerCamel(kind)
            let name = d.at("metadata.name")?.stringValue ?? ""
            if (kindCount[kind] ?? 0) > 1, name != service {
                slot += "-" + (name.hasPrefix(service + "-") ? String(name.dropFirst(service.count + 1)) : name)
            }
            var unique = slot
            var n = 2
            while !used.insert(unique).inserted {
                unique = "\(slot)-\(n)"
                n += 1
            }
            return unique
        }
    }

    /// `HTTPRoute` -> `httpRoute`, `Deployment` -> `deployment`.
    static func lowerCamel(_ s: String) -> String {
        let chars = Array(s)
        var n = 0
        while n < chars.count, chars[n].isUppercase { n += 1 }
        // keep the last capital of a run when a lower-case letter follows it (HTTPRoute -> httpRoute)
        if n > 1, n < chars.count { n -= 1 }
        return String(chars[..<max(n, 1)]).lowercased() + String(chars[max(n, 1)...])
    }

    /// Short names for the holes of one object: the path after `spec.template.spec.containers.0`,
    /// `spec.template.spec` or `spec`, joined with dots; the whole path where two would clash.
    static func helmHoleNames(_ paths: [[String]]) -> [String] {
        func short(_ p: [String]) -> [String] {
            for prefix in [["spec", "template", "spec", "containers", "0"], ["spec", "template", "spec"], ["spec"]]
            where p.count > prefix.count && Array(p.prefix(prefix.count)) == prefix {
                return Array(p.dropFirst(prefix.count))
            }
            return p
        }
        var names = paths.map { p in p.isEmpty ? "object" : short(p).joined(separator: ".") }
        var counts: [String: Int] = [:]
        for n in names { counts[n, default: 0] += 1 }
        for i in names.indices where counts[names[i], default: 0] > 1 || names[i] == "enabled" {
            names[i] = paths[i].joined(separator: ".")
        }
        var used: Set<String> = []
        for i in names.indices {
            var n = names[i]
            var k = 2
            while !used.insert(n).inserted || n == "enabled" {
                n = "\(names[i])#\(k)"
                k += 1
            }
            names[i] = n
        }
        return names
    }

    /// Defaults: per setting, the value most variants have (the first variant's on ties), when every variant has
    /// the setting and Helm's merge of a variant's own value over it gives that value back.
    static func helmDefaults(_ all: [[(String, JSONValue)]]) -> [(String, JSONValue)] {
        guard let first = all.first else { return [] }
        func mode(_ values: [JSONValue]) -> JSONValue? {
            var best: JSONValue?
            var bestCount = 0
            for v in values {
                let c = values.filter { $0 == v }.count
                if c > bestCount {
                    best = v
                    bestCount = c
                }
            }
            return best
        }
        func safe(_ d: JSONValue, _ values: [JSONValue]) -> Bool {
            values.allSatisfy { $0 == d || helmMerge(d, $0) == $0 }
        }
        var out: [(String, JSONValue)] = []
        for (k, v) in first {
            let values = all.compactMap { vals in vals.first { $0.0 == k }?.1 }
            guard values.count == all.count else { continue }
            if case .object = v, k != "environment", k != "version" {
                // an object's values: setting by setting
                var slot: [(String, JSONValue)] = []
                var names: [String] = []
                for vals in all {
                    if case .object(let p)? = vals.first(where: { $0.0 == k })?.1 {
                        for (n, _) in p where !names.contains(n) { names.append(n) }
                    }
                }
                for n in names {
                    let vs = all.compactMap { vals in vals.first { $0.0 == k }?.1[n] }
                    guard vs.count == all.count, let m = mode(vs), safe(m, vs) else { continue }
                    slot.append((n, m))
                }
                if !slot.isEmpty { out.append((k, .object(slot))) }
            } else if let m = mode(values) {
                out.append((k, m))
            }
        }
        return out
    }

    /// What one variant sets over the defaults.
    static func helmDelta(_ values: [(String, JSONValue)], defaults: [(String, JSONValue)]) -> [(String, JSONValue)] {
        var out: [(String, JSONValue)] = []
        for (k, v) in values {
            let d = defaults.first { $0.0 == k }?.1
            if d == v { continue }
            if case .object(let slot) = v, case .object(let dslot)? = d {
                let changed = slot.filter { n, sv in dslot.first { $0.0 == n }?.1 != sv }
                if !changed.isEmpty { out.append((k, .object(changed))) }
            } else {
                out.append((k, v))
            }
        }
        return out
    }

    /// Helm's merge of user values over defaults: maps merge key by key, everything else is replaced.
    static func helmMerge(_ base: JSONValue, _ over: JSONValue) -> JSONValue {
        guard case .object(let b) = base, case .object(let o) = over else { return over }
        var out = b
        for (k, v) in o {
            if let i = out.firstIndex(where: { $0.0 == k }) { out[i].1 = helmMerge(out[i].1, v) } else { out.append((k, v)) }
        }
        return .object(out)
    }

    static func jsonType(_ v: JSONValue) -> String {
        switch v {
        case .null: "null"
        case .bool: "boolean"
        case .int: "integer"
        case .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// JSON Schema of the values: the settings each object takes, typed from the values rendered.
    static func helmSchema(_ all: [[(String, JSONValue)]], environments: [String], objects: [HelmObject]) -> JSONValue {
        func types(_ vs: [JSONValue]) -> JSONValue {
            var ts: [String] = []
            for v in vs where !ts.contains(jsonType(v)) { ts.append(jsonType(v)) }
            if ts == ["integer", "number"] || ts == ["number", "integer"] { ts = ["number"] }
            return ts.count == 1 ? .string(ts[0]) : .array(ts.map { .string($0) })
        }
        var props: [(String, JSONValue)] = [
            (
                "environment",
                [
                    "type": "string", "enum": .array(environments.map { .string($0) }),
                    "description": "The environment the release runs in.",
                ]
            ),
            ("version", ["type": "string", "description": "The image version (the app.kubernetes.io/version label)."]),
        ]
        for o in objects {
            var sp: [(String, JSONValue)] = []
            if o.optional { sp.append(("enabled", ["type": "boolean", "description": "Whether this environment has the object."])) }
            for h in o.holes {
                sp.append(
                    (
                        h.name,
                        [
                            "type": types(h.values.compactMap { $0 }),
                            "description": .string("/" + h.path.map(pointerEscape).joined(separator: "/")),
                        ]
                    ))
            }
            if sp.isEmpty { continue }
            props.append((o.slot, ["type": "object", "additionalProperties": false, "properties": .object(sp)]))
        }
        _ = all
        return [
            "$schema": "http://json-schema.org/draft-07/schema#",
            "title": "values",
            "type": "object",
            "additionalProperties": false,
            "required": ["environment"],
            "properties": .object(props),
        ]
    }

    // MARK: templates

    /// Text that is safe inside a template: `{{` would start an action.
    static func templateLiteral(_ s: String) -> String {
        guard s.contains("{{") else { return s }
        var q = ""
        JSONValue.writeQuoted(s, into: &q)
        return "{{ \(q) }}"
    }

    /// A Go template string literal.
    static func goString(_ s: String) -> String {
        var q = ""
        JSONValue.writeQuoted(s, into: &q)
        return q
    }

    func helmHelpers(_ service: String) -> String {
        let partOf = Renderer.goString(spec.platform)
        return """
            {{/* Generated by berth from the platform spec. Names and labels of \(Renderer.templateLiteral(service)). */}}

            {{- define \(Renderer.goString(service + ".name")) -}}
            {{ .Chart.Name }}
            {{- end }}

            {{/* app.kubernetes.io/instance: <chart>-<environment> */}}
            {{- define \(Renderer.goString(service + ".instance")) -}}
            {{ printf "%s-%s" .Chart.Name .Values.environment }}
            {{- end }}

            {{- define \(Renderer.goString(service + ".selectorLabels")) -}}
            app.kubernetes.io/name: {{ include \(Renderer.goString(service + ".name")) . | toJson }}
            app.kubernetes.io/instance: {{ include \(Renderer.goString(service + ".instance")) . | toJson }}
            {{- end }}

            {{- define \(Renderer.goString(service + ".labelsWithoutVersion")) -}}
            {{ include \(Renderer.goString(service + ".selectorLabels")) . }}
            app.kubernetes.io/part-of: {{ \(partOf) | toJson }}
            app.kubernetes.io/managed-by: "berth"
            berth.dev/environment: {{ .Values.environment | toJson }}
            {{- end }}

            {{- define \(Renderer.goString(service + ".labels")) -}}
            {{ include \(Renderer.goString(service + ".selectorLabels")) . }}
            {{- with .Values.version }}
            app.kubernetes.io/version: {{ . | toJson }}
            {{- end }}
            app.kubernetes.io/part-of: {{ \(partOf) | toJson }}
            app.kubernetes.io/managed-by: "berth"
            berth.dev/environment: {{ .Values.environment | toJson }}
            {{- end }}

            """
    }

    func helmTemplate(_ o: HelmObject, service: String) -> String {
        var w = HelmTemplateWriter(service: service, holes: o.holes, sample: o.sample)
        w.out = "{{- /* Generated by berth from the platform spec. Do not edit; change the spec and render again. */}}\n"
        let usesValues = o.optional || !o.holes.isEmpty
        if usesValues {
            w.out += "{{- $v := index .Values \(Renderer.goString(o.slot)) | default dict }}\n"
        }
        if o.optional { w.out += "{{- if index $v \"enabled\" }}\n" }
        if let base = o.base, !(o.holes.first?.path.isEmpty ?? false) {
            if case .object(let pairs) = base { w.object(pairs, path: [], indent: 0) }
        } else {
            w.out += "{{ index $v \"object\" | toJson }}\n"
        }
        if o.optional { w.out += "{{- end }}\n" }
        return w.out
    }
}

/// Writes a template: the common part of an object as YAML, with each hole read from `$v`.
struct HelmTemplateWriter {
    var service: String
    var out = ""
    var holeNames: [[String]: String] = [:]
    var optional: Set<[String]> = []
    /// Per parent path: keys of holes the base does not have, in order of first appearance.
    var added: [[String]: [String]] = [:]

    /// The object as one variant renders it, for the order of keys.
    var sample: JSONValue

    init(service: String, holes: [Renderer.HelmHole], sample: JSONValue) {
        self.service = service
        self.sample = sample
        for h in holes {
            holeNames[h.path] = h.name
            if h.values.contains(where: { $0 == nil }) { optional.insert(h.path) }
            if let last = h.path.last {
                added[Array(h.path.dropLast()), default: []].append(last)
            }
        }
    }

    static func pad(_ n: Int) -> String { String(repeating: " ", count: n) }

    func scalar(_ v: JSONValue) -> String {
        if case .string(let s) = v {
            if let m = Renderer.HelmMarker(rawValue: s) {
                switch m {
                case .namespace: return "{{ .Release.Namespace | toJson }}"
                case .instance: return "{{ include \(Renderer.goString(service + ".instance")) . | toJson }}"
                case .environment: return "{{ .Values.environment | toJson }}"
                case .version: return "{{ .Values.version | toJson }}"
                case .labels, .labelsWithoutVersion, .selectorLabels: return ""
                }
            }
            if s.contains("{{") { return "{{ \(Renderer.goString(s)) | toJson }}" }
        }
        var y = YAMLBytes(capacity: 64)
        y.scalar(v)
        return y.string
    }

    func key(_ k: String) -> String { scalar(.string(k)) }

    func include(_ v: JSONValue) -> String? {
        guard case .string(let s) = v, let m = Renderer.HelmMarker(rawValue: s) else { return nil }
        switch m {
        case .labels: return service + ".labels"
        case .labelsWithoutVersion: return service + ".labelsWithoutVersion"
        case .selectorLabels: return service + ".selectorLabels"
        default: return nil
        }
    }

    func holeValue(_ path: [String]) -> String {
        "{{ index $v \(Renderer.goString(holeNames[path] ?? "")) | toJson }}"
    }

    mutating func object(_ pairs: [(String, JSONValue)], path: [String], indent: Int) {
        let have = Set(pairs.map(\.0))
        var entries: [(String, JSONValue?)] = pairs.map { ($0.0, $0.1) }
        for k in added[path] ?? [] where !have.contains(k) { entries.append((k, nil)) }
        if entries.count > pairs.count, case .object(let order)? = Renderer.lookup(sample, path) {
            let rank = Dictionary(order.enumerated().map { ($0.element.0, $0.offset) }, uniquingKeysWith: { a, _ in a })
            entries = entries.enumerated().sorted { a, b in
                let ra = rank[a.element.0] ?? Int.max
                let rb = rank[b.element.0] ?? Int.max
                return ra != rb ? ra < rb : a.offset < b.offset
            }.map(\.element)
        }
        for (k, v) in entries { entry(k, v, path: path + [k], indent: indent) }
    }

    /// One key of an object: a hole, an included label block, or the base value.
    mutating func entry(_ k: String, _ v: JSONValue?, path: [String], indent: Int) {
        let pad = HelmTemplateWriter.pad(indent)
        if holeNames[path] != nil {
            if optional.contains(path) {
                out += "{{- if hasKey $v \(Renderer.goString(holeNames[path] ?? "")) }}\n"
                out += pad + key(k) + ": " + holeValue(path) + "\n"
                out += "{{- end }}\n"
            } else {
                out += pad + key(k) + ": " + holeValue(path) + "\n"
            }
            return
        }
        guard let v else { return }
        if let name = include(v) {
            out += pad + key(k) + ":\n{{- include \(Renderer.goString(name)) . | nindent \(indent + 2) }}\n"
            return
        }
        switch v {
        case .object(let pairs) where !pairs.isEmpty:
            out += pad + key(k) + ":\n"
            object(pairs, path: path, indent: indent + 2)
        case .array(let items) where !items.isEmpty:
            out += pad + key(k) + ":\n"
            array(items, path: path, indent: indent)
        default:
            out += pad + key(k) + ": " + scalar(v) + "\n"
        }
    }

    mutating func array(_ items: [JSONValue], path: [String], indent: Int) {
        let pad = HelmTemplateWriter.pad(indent)
        for (i, item) in items.enumerated() {
            let p = path + [String(i)]
            if holeNames[p] != nil {
                out += pad + "- " + holeValue(p) + "\n"
                continue
            }
            switch item {
            case .object(let pairs) where !pairs.isEmpty:
                var inner = HelmTemplateWriter(copying: self)
                inner.object(pairs, path: p, indent: indent + 2)
                let body = inner.out
                let lead = HelmTemplateWriter.pad(indent + 2)
                if body.hasPrefix(lead), !body.hasPrefix(lead + " ") {
                    out += pad + "- " + body.dropFirst(indent + 2)
                } else {
                    out += pad + "-\n" + body
                }
            case .array(let inner) where !inner.isEmpty:
                out += pad + "-\n"
                array(inner, path: p, indent: indent + 2)
            default:
                if let name = include(item) {
                    out += pad + "-\n{{- include \(Renderer.goString(name)) . | nindent \(indent + 2) }}\n"
                } else {
                    out += pad + "- " + scalar(item) + "\n"
                }
            }
        }
    }

    init(copying w: HelmTemplateWriter) {
        service = w.service
        sample = w.sample
        holeNames = w.holeNames
        optional = w.optional
        added = w.added
    }
}
