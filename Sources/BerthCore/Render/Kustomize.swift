/// The GitOps layout: a kustomize base per service and an overlay per environment x cluster.
///
/// Layout under `kustomize/`:
///
/// ```
/// base/_namespace/        namespace-wide objects every environment x cluster has, in their shared shape
/// base/<service>/         the objects of one service, in the shape shared by every place it runs
/// overlays/<env>/<cluster>/kustomization.yaml
///                         the namespace (one JSON patch), the folders below and the bases used
///                         as they are, JSON patches for the namespace-wide objects
/// overlays/<env>/<cluster>/objects.yaml
///                         namespace-wide objects only some environments have (the Namespace,
///                         access rules) and the services' ServiceAccounts
/// overlays/<env>/<cluster>/<service>/
///                         one service (or `_database-<name>`) here: its base, JSON patches for
///                         what differs here, and objects.yaml with what only some places have
///                         (an HPA), so a change to it touches only this folder
/// clusters/<cluster>/     cluster-scoped objects of one cluster (the ClusterIssuer)
/// ```
///
/// A base is the common part of the objects it stands for: a field is in the base when it
/// has the same value everywhere the object is rendered; the rest is added or replaced by
/// JSON patches (RFC 6902) in the overlays. `kubectl kustomize overlays/<env>/<cluster>`
/// therefore builds exactly the objects of `<cluster>/<platform>-<env>/` in the plain render.
///
/// The namespace is set by JSON patches on the kinds of each base (one in the overlay for the
/// namespace-wide base, one in each service folder for its base), not by kustomize's
/// `namespace:` field, and ServiceAccounts are written whole, with their namespace, in the
/// overlays: when a ServiceAccount's namespace changes anywhere in a build, kustomize also
/// writes that namespace into every RoleBinding subject of the same name in the whole overlay,
/// Group subjects included, so a team named like a service would get a subject berth never rendered.
extension Renderer {
    static let kustomizeAPI = "kustomize.config.k8s.io/v1beta1"

    /// Base name for the namespace-wide objects (never a service name: those are DNS labels).
    static let namespaceBase = "_namespace"

    /// What a group's base is, and per target what its overlay adds.
    struct KustomizeGroup: Sendable {
        var name: String
        var base: [JSONValue]
        /// Per target index: patch entries (already as kustomization text) and objects only it has.
        var overlays: [Int: (patches: String, extras: [JSONValue])]
    }

    func kustomizeArtifacts(_ units: [Unit]) -> [Artifact] {
        // Group the plain render: namespace-wide objects across all targets, each service across the targets it runs in.
        var groupOrder: [String] = [Renderer.namespaceBase]
        var variants: [String: [(Int, [JSONValue])]] = [:]
        var clusterUnits: [(String, [JSONValue])] = []
        for u in units {
            switch u.owner {
            case .cluster(let c):
                clusterUnits.append((c, u.docs))
            case .namespace(let ti):
                variants[Renderer.namespaceBase, default: []].append((ti, u.docs))
            case .service(let ti, _), .database(let ti, _):
                let g = u.owner.group ?? ""
                if variants[g] == nil { groupOrder.append(g) }
                variants[g, default: []].append((ti, u.docs))
            }
        }
        let names = groupOrder.filter { variants[$0] != nil }
        let inputs = names.map { variants[$0] ?? [] }
        // Each group's base folder is written in the same parallel step that finds it, and each
        // target's overlay on its own thread after: no file is serialised on one thread alone.
        let renderer = self
        let grouped = parallelMap(0..<names.count) { i -> (KustomizeGroup, [Artifact]) in
            let g = Renderer.kustomizeGroup(names[i], inputs[i])
            return (g, g.base.isEmpty ? [] : renderer.kustomizeFolder("kustomize/base/\(g.name)", g.base))
        }
        let groups = grouped.map(\.0)
        let targets = plan.targets
        let overlays = parallelMap(0..<targets.count) { renderer.overlayArtifacts($0, targets[$0], groups: groups) }

        var out: [Artifact] = []
        for (_, base) in grouped { out += base }
        for o in overlays { out += o }
        for (c, docs) in clusterUnits {
            out += kustomizeFolder("kustomize/clusters/\(c)", docs)
        }
        return out
    }

    /// `dir/kustomization.yaml` with its resources and patches.
    private func kustomizationFile(_ dir: String, resources: [String], patches: String) -> Artifact {
        Artifact(path: "\(dir)/kustomization.yaml", contents: header + kustomization(resources: resources, patches: patches), objects: 0)
    }

    /// A folder of `docs` in objects.yaml, listed by its kustomization.yaml.
    private func kustomizeFolder(_ dir: String, _ docs: [JSONValue]) -> [Artifact] {
        [kustomizationFile(dir, resources: ["objects.yaml"], patches: ""), file("\(dir)/objects.yaml", docs)]
    }

    /// The overlay of target `ti`: the namespace-wide patches and objects in the overlay
    /// itself, a folder per service or database.
    private func overlayArtifacts(_ ti: Int, _ t: Target, groups: [KustomizeGroup]) -> [Artifact] {
        let dir = Renderer.overlayPath(t)
        var out: [Artifact] = []
        var resources: [String] = []
        var patches = ""
        var extras: [JSONValue] = []
        for g in groups {
            guard let o = g.overlays[ti] else { continue }
            let namespacePatch = Renderer.namespacePatch(g.base, t.namespace)
            if g.name == Renderer.namespaceBase {
                // Namespace-wide objects stay in the overlay itself.
                if !g.base.isEmpty { resources.append("../../../base/\(g.name)") }
                patches = namespacePatch + patches + o.patches
                extras += o.extras
                continue
            }
            // Each service or database gets its own folder in the overlay, which sets the
            // namespace of its own objects only, so a change to it touches only its files.
            // Its ServiceAccount goes to the overlay's objects.yaml: a folder of its own would cost
            // every service a second file, and the account changes only with the service's buckets.
            var own = g.base.isEmpty ? [] : ["../../../../base/\(g.name)"]
            let accounts = o.extras.filter { $0["kind"]?.stringValue == "ServiceAccount" }
            let rest = o.extras.filter { $0["kind"]?.stringValue != "ServiceAccount" }
            extras += accounts
            if !rest.isEmpty {
                own.append("objects.yaml")
                out.append(file("\(dir)/\(g.name)/objects.yaml", rest))
            }
            out.append(kustomizationFile("\(dir)/\(g.name)", resources: own, patches: namespacePatch + o.patches))
            resources.append(g.name)
        }
        if !extras.isEmpty {
            resources.append("objects.yaml")
            out.append(file("\(dir)/objects.yaml", extras))
        }
        out.append(kustomizationFile(dir, resources: resources, patches: patches))
        return out
    }

    /// One JSON patch entry setting `namespace` on the namespaced kinds of `base` (empty when there are none).
    static func namespacePatch(_ base: [JSONValue], _ namespace: String) -> String {
        var kinds: Set<String> = []
        for d in base {
            let k = d["kind"]?.stringValue ?? ""
            if !Renderer.clusterScopedKinds.contains(k) { kinds.insert(k) }
        }
        guard !kinds.isEmpty else { return "" }
        let ops: JSONValue = [["op": "add", "path": "/metadata/namespace", "value": .string(namespace)]]
        return Renderer.patchEntry(target: [("kind", .string(kinds.sorted().joined(separator: "|")))], ops: ops)
    }

    /// The overlay path of a target, relative to the output folder.
    static func overlayPath(_ t: Target) -> String { "kustomize/overlays/\(t.environment.name)/\(t.cluster.name)" }

    func kustomization(resources: [String], patches: String) -> String {
        var head: [(String, JSONValue)] = [("apiVersion", .string(Renderer.kustomizeAPI)), ("kind", "Kustomization")]
        head.append(("resources", .array(resources.map { .string($0) })))
        var text = JSONValue.object(head).yaml()
        if !patches.isEmpty { text += "patches:\n" + patches }
        return text
    }

    /// Identity of an object inside one namespace: apiVersion, kind and name.
    static func objectKey(_ doc: JSONValue) -> String {
        "\(doc["apiVersion"]?.stringValue ?? "")|\(doc["kind"]?.stringValue ?? "")|\(doc.at("metadata.name")?.stringValue ?? "")"
    }

    /// The object without `metadata.namespace`: the overlay's `namespace` sets it.
    static func withoutNamespace(_ doc: JSONValue) -> JSONValue {
        guard case .object(let meta)? = doc["metadata"] else { return doc }
        return doc.setting("metadata", .object(meta.filter { $0.0 != "namespace" }))
    }

    static func kustomizeGroup(_ name: String, _ variants: [(Int, [JSONValue])]) -> KustomizeGroup {
        // Each object's key, once: objects (by key) present in every variant form the base; the rest are extras.
        let keys = variants.map { $0.1.map(objectKey) }
        var counts: [String: Int] = [:]
        for k in keys {
            for key in Set(k) { counts[key, default: 0] += 1 }
        }
        let first = variants.first?.1 ?? []
        // ServiceAccounts stay in the overlays, whole (see the type's documentation).
        let shared = first.indices.filter { first[$0]["kind"]?.stringValue != "ServiceAccount" }.map { keys[0][$0] }
            .filter { counts[$0] == variants.count }
        let sharedSet = Set(shared)
        // The shared objects without their namespace, once per variant (the base and the patches both read them).
        var stripped: [[JSONValue?]] = []
        stripped.reserveCapacity(variants.count)
        var byKey: [String: [JSONValue]] = [:]
        for (v, (_, docs)) in variants.enumerated() {
            var row: [JSONValue?] = []
            row.reserveCapacity(docs.count)
            for (i, d) in docs.enumerated() {
                guard sharedSet.contains(keys[v][i]) else {
                    row.append(nil)
                    continue
                }
                let bare = withoutNamespace(d)
                byKey[keys[v][i], default: []].append(bare)
                row.append(bare)
            }
            stripped.append(row)
        }
        var base: [JSONValue] = []
        // Each shared object's base and where its variants differ: the patches walk only there.
        var baseByKey: [String: (shape: JSONValue, same: Sameness?)] = [:]
        for key in shared {
            let all = byKey[key] ?? []
            let (shape, same) = commonPart(all)
            let common = shape ?? all[0]
            base.append(common)
            baseByKey[key] = (common, shape == nil ? nil : same)
        }
        var overlays: [Int: (patches: String, extras: [JSONValue])] = [:]
        var ops = YAMLBytes(capacity: 1024)
        var path: [UInt8] = []
        for (v, (ti, docs)) in variants.enumerated() {
            var patches = YAMLBytes(capacity: 2048)
            var extras: [JSONValue] = []
            for (i, d) in docs.enumerated() {
                if let bare = stripped[v][i], let b = baseByKey[keys[v][i]] {
                    ops.bytes.removeAll(keepingCapacity: true)
                    path.removeAll(keepingCapacity: true)
                    writePatch(from: b.shape, to: bare, same: b.same, path: &path, into: &ops)
                    if !ops.bytes.isEmpty { patchEntry(d, ops, into: &patches) }
                } else {
                    extras.append(d)
                }
            }
            overlays[ti] = (patches.string, extras)
        }
        return KustomizeGroup(name: name, base: base, overlays: overlays)
    }

    /// The part of `values` they all share: object keys every value has (recursively), arrays
    /// of one length whose items all have a common part, and equal scalars. nil when nothing is shared.
    static func commonShape(_ values: [JSONValue]) -> JSONValue? {
        values.isEmpty ? nil : commonPart(values).shape
    }

    /// Where the values `commonPart` compared differ, aligned with the common shape it built.
    ///
    /// `equal`: every value has this subtree alike (so it is in the shape as it is, and no patch
    /// needs to look inside it). `differs`: one mark per member of the shape's object, or per
    /// item of its array. Only the paths that lead to a difference allocate marks.
    indirect enum Sameness: Sendable {
        case equal
        case differs([Sameness])
    }

    /// `commonShape` of `values` (not empty), and where they differ: found on the way down, so
    /// each value is compared once rather than once per level of nesting, and the patches
    /// (`writePatch`) skip every subtree marked `equal`.
    private static func commonPart(_ values: [JSONValue]) -> (shape: JSONValue?, same: Sameness) {
        let first = values[0]
        switch first {
        case .object(let pairs):
            // Equal values (most subtrees) need no per-member arrays.
            if values.dropFirst().allSatisfy({ $0 == first }) { return (first, .equal) }
            var objects: [[(String, JSONValue)]] = []
            objects.reserveCapacity(values.count)
            for v in values {
                guard case .object(let o) = v else { return (nil, .differs([])) }
                objects.append(o)
            }
            // Equal objects have the same keys in the same order (`==` compares them in order).
            var sameKeys = objects.allSatisfy { $0.count == pairs.count }
            var allEqual = true
            var out: [(String, JSONValue)] = []
            var marks: [Sameness] = []
            for (i, (k, _)) in pairs.enumerated() {
                var children: [JSONValue] = []
                children.reserveCapacity(objects.count)
                for o in objects {
                    if i < o.count, o[i].0 == k {
                        children.append(o[i].1)
                    } else if let c = o.first(where: { $0.0 == k })?.1 {
                        children.append(c)
                        sameKeys = false
                    } else {
                        break
                    }
                }
                guard children.count == objects.count else {
                    allEqual = false
                    continue
                }
                let (c, same) = commonPart(children)
                if case .differs = same { allEqual = false }
                if let c {
                    out.append((k, c))
                    marks.append(same)
                }
            }
            return allEqual && sameKeys ? (first, .equal) : (.object(out), .differs(marks))
        case .array(let items):
            var arrays: [[JSONValue]] = []
            arrays.reserveCapacity(values.count)
            for v in values {
                guard case .array(let a) = v, a.count == items.count else { return (nil, .differs([])) }
                arrays.append(a)
            }
            var allEqual = true
            var out: [JSONValue] = []
            var marks: [Sameness] = []
            out.reserveCapacity(items.count)
            marks.reserveCapacity(items.count)
            for i in items.indices {
                let (c, same) = commonPart(arrays.map { $0[i] })
                guard let c else { return (nil, .differs([])) }
                if case .differs = same { allEqual = false }
                out.append(c)
                marks.append(same)
            }
            return allEqual ? (first, .equal) : (.array(out), .differs(marks))
        default:
            return values.dropFirst().allSatisfy({ $0 == first }) ? (first, .equal) : (nil, .differs([]))
        }
    }

    /// The RFC 6902 operations that turn `base` into `target`, written straight into `out` as the
    /// items of a patch's block literal (indent 4), with `path` (the JSON pointer so far, as bytes)
    /// as the scratch buffer: no operation object and no path string is built. Equal members are
    /// skipped before their path is extended, so only the paths that lead to a change are escaped.
    /// `same`, when `base` is the common part of values `target` is one of (`commonPart`), marks
    /// the subtrees all of them share: those are not walked at all.
    static func writePatch(
        from base: JSONValue, to target: JSONValue, same: Sameness? = nil, path: inout [UInt8], into out: inout YAMLBytes
    ) {
        if case .equal? = same { return }
        if same != nil || base != target { writeDifferent(from: base, to: target, same: same, path: &path, into: &out) }
    }

    /// `writePatch` without the first comparison: objects and arrays are walked member by
    /// member (but for the members `same` marks equal), and nothing is written where they turn out equal.
    private static func writeDifferent(
        from base: JSONValue, to target: JSONValue, same: Sameness?, path: inout [UInt8], into out: inout YAMLBytes
    ) {
        if case .equal? = same { return }
        switch (base, target) {
        case (.object(let b), .object(let t)):
            let marks = Renderer.marks(same, count: b.count)
            let mark = path.count
            // Whether the keys are the same, in the same order: then nothing is removed.
            var sameKeys = b.count == t.count
            for (i, (k, tv)) in t.enumerated() {
                let inPlace = i < b.count && b[i].0 == k
                if !inPlace { sameKeys = false }
                guard let j = inPlace ? i : b.firstIndex(where: { $0.0 == k }) else {
                    appendPointerToken(k, to: &path)
                    out.patchOperation("add", path: path, value: tv)
                    path.removeSubrange(mark...)
                    continue
                }
                let bv = b[j].1
                if case .equal? = marks?[j] { continue }
                // Objects and arrays are walked (one pass finds what differs in them); other values compared.
                switch (bv, tv) {
                case (.object, .object), (.array, .array): break
                default: if bv == tv { continue }
                }
                appendPointerToken(k, to: &path)
                writeDifferent(from: bv, to: tv, same: marks?[j], path: &path, into: &out)
                path.removeSubrange(mark...)
            }
            for (k, _) in b where !sameKeys && !t.contains(where: { $0.0 == k }) {
                appendPointerToken(k, to: &path)
                out.patchOperation("remove", path: path, value: nil)
                path.removeSubrange(mark...)
            }
        case (.array(let b), .array(let t)) where b.count == t.count:
            let marks = Renderer.marks(same, count: b.count)
            let mark = path.count
            for i in b.indices {
                if case .equal? = marks?[i] { continue }
                switch (b[i], t[i]) {
                case (.object, .object), (.array, .array): break
                default: if b[i] == t[i] { continue }
                }
                path.append(0x2F)
                path.append(contentsOf: String(i).utf8)
                writeDifferent(from: b[i], to: t[i], same: marks?[i], path: &path, into: &out)
                path.removeSubrange(mark...)
            }
        default:
            if base != target { out.patchOperation("replace", path: path, value: target) }
        }
    }

    /// The marks of a `differs` node with `count` members, nil when `same` says nothing of them.
    private static func marks(_ same: Sameness?, count: Int) -> [Sameness]? {
        if case .differs(let m)? = same, m.count == count { return m }
        return nil
    }

    /// `/` and the object key `key` as a JSON pointer token (`~` as `~0`, `/` as `~1`).
    private static func appendPointerToken(_ key: String, to path: inout [UInt8]) {
        path.append(0x2F)
        var key = key
        let copied = key.withUTF8 { buf in
            guard !buf.contains(where: { $0 == 0x7E || $0 == 0x2F }) else { return false }
            path.append(contentsOf: buf)
            return true
        }
        if !copied { appendEscaped(key, to: &path) }
    }

    /// `key`'s bytes with `~` as `~0` and `/` as `~1` (RFC 6901), appended to `out`.
    private static func appendEscaped(_ key: String, to out: inout [UInt8]) {
        for b in key.utf8 {
            switch b {
            case 0x7E: out += [0x7E, 0x30]
            case 0x2F: out += [0x7E, 0x31]
            default: out.append(b)
            }
        }
    }

    static func pointerEscape(_ key: String) -> String {
        guard key.utf8.contains(where: { $0 == 0x7E || $0 == 0x2F }) else { return key }
        // bytes, not Characters: '~' and '/' are ASCII, and this runs for every label key
        var out: [UInt8] = []
        out.reserveCapacity(key.utf8.count + 4)
        appendEscaped(key, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// One `patches` entry of a kustomization, appended to `out`: the target object and its
    /// operations (`ops`, written by `writePatch`) as a block literal.
    static func patchEntry(_ doc: JSONValue, _ ops: YAMLBytes, into out: inout YAMLBytes) {
        let apiVersion = doc["apiVersion"]?.stringValue ?? ""
        let parts = apiVersion.split(separator: "/", maxSplits: 1).map(String.init)
        var target: [(String, JSONValue)] = []
        if parts.count == 2 { target.append(("group", .string(parts[0]))) }
        target.append(("version", .string(parts.last ?? "")))
        target.append(("kind", doc["kind"] ?? ""))
        target.append(("name", doc.at("metadata.name") ?? ""))
        out.append("- target:\n")
        out.object(target, indent: 4, inline: false)
        out.append("  patch: |-\n")
        out.bytes.append(contentsOf: ops.bytes)
    }

    static func patchEntry(target: [(String, JSONValue)], ops: JSONValue) -> String {
        // written straight at indent 4 (the same text as indenting each line of `yaml()`, without splitting strings)
        var out = YAMLBytes()
        out.append("- target:\n")
        if !target.isEmpty { out.object(target, indent: 4, inline: false) }
        out.append("  patch: |-\n")
        switch ops {
        case .array(let items) where !items.isEmpty:
            out.array(items, indent: 4)
        case .object(let pairs) where !pairs.isEmpty:
            out.object(pairs, indent: 4, inline: false)
        default:
            out.indent(4)
            out.scalar(ops)
            out.bytes.append(0x0A)
        }
        return out.string
    }
}
