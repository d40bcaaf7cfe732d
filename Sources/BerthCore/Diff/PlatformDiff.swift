import Foundation
import Yams

/// What changes between two renders of a platform, object by object, and how risky each change is.
///
/// The inputs are rendered files (relative path -> contents), from a render folder or from
/// rendering a spec in memory. Kubernetes objects of the plain render (`<cluster>/...yaml`) are
/// keyed by cluster, namespace, kind and name; JSON artifacts (bucket policies, registry policy,
/// the IP plan) by path. The kustomize layout, Helm charts, Argo CD objects and local cluster
/// configs are other forms of the same objects and are not compared.
public enum PlatformDiff {
    /// How a change can hurt.
    public enum Risk: String, Sendable, Comparable, CaseIterable {
        /// Applies in place without losing data or widening access.
        case safe
        /// Weaker monitoring: an alert removed or a service level objective loosened.
        case risky
        /// Kubernetes refuses the update (an immutable field) or data is lost: the object must be replaced.
        case disruptive
        /// More access than before: network, RBAC, TLS, Pod Security, securityContext, bucket policy.
        case securitySensitive = "security-sensitive"

        var rank: Int {
            switch self {
            case .safe: 0
            case .risky: 1
            case .disruptive: 2
            case .securitySensitive: 3
            }
        }

        /// Orders by harm: safe < risky < disruptive < security-sensitive.
        public static func < (a: Risk, b: Risk) -> Bool { a.rank < b.rank }
    }

    /// Whether an object (or file) appears, disappears or differs.
    public enum Kind: String, Sendable { case added, removed, changed }

    /// One object or file that differs between the two renders, and how risky that is.
    public struct Change: Sendable, Equatable {
        /// Added, removed or changed.
        public var kind: Kind
        /// `cluster/namespace/Kind/name`, `cluster/Kind/name` (cluster-scoped), a JSON path, or `spec`.
        public var key: String
        /// Every risk the change carries; empty means safe.
        public var risks: [Risk]
        /// Field paths that differ (for changed objects).
        public var paths: [String]
        /// Why the change is disruptive or security-sensitive.
        public var reasons: [String]

        /// The highest risk.
        public var risk: Risk { risks.max() ?? .safe }

        /// A change of `kind` to `key`, with its risks, differing field paths and reasons.
        public init(kind: Kind, key: String, risks: [Risk], paths: [String], reasons: [String]) {
            self.kind = kind
            self.key = key
            self.risks = risks
            self.paths = paths
            self.reasons = reasons
        }
    }

    /// Files of a render that the diff reads: the plain render's YAML and the JSON artifacts.
    public static func isCompared(_ path: String) -> Bool {
        let parts = path.split(separator: "/")
        guard parts.count >= 2, let first = parts.first else { return false }
        if ["kustomize", "helm", "argocd", "local"].contains(first) { return false }
        if path.hasSuffix(".json") { return true }
        if ["registry", "buckets", "network", "restore", "monitoring"].contains(first) { return false }
        return path.hasSuffix(".yaml")
    }

    /// Reads a render: the files `isCompared` selects, as objects.
    struct Snapshot {
        var objects: [String: JSONValue] = [:]
        var json: [String: JSONValue] = [:]
    }

    static func snapshot(_ files: [String: String]) throws -> Snapshot {
        var s = Snapshot()
        for (path, text) in files where isCompared(path) {
            if path.hasSuffix(".json") {
                s.json[path] = try parseJSON(text, path: path)
                continue
            }
            let cluster = String(path.split(separator: "/")[0])
            for doc in try parseYAML(text, path: path) {
                guard let kind = doc["kind"]?.stringValue, let name = doc.at("metadata.name")?.stringValue else { continue }
                let key: String
                if let ns = doc.at("metadata.namespace")?.stringValue {
                    key = "\(cluster)/\(ns)/\(kind)/\(name)"
                } else {
                    key = "\(cluster)/\(kind)/\(name)"
                }
                s.objects[key] = doc
            }
        }
        return s
    }

    /// Every change from `old` to `new`, sorted by key.
    public static func compare(old: [String: String], new: [String: String]) throws -> [Change] {
        let a = try snapshot(old)
        let b = try snapshot(new)
        var out: [Change] = []
        for key in Set(a.objects.keys).union(b.objects.keys).sorted() {
            switch (a.objects[key], b.objects[key]) {
            case (nil, let n?):
                let (risks, reasons) = classifyAdded(n)
                out.append(Change(kind: .added, key: key, risks: risks, paths: [], reasons: reasons))
            case (let o?, nil):
                let (risks, reasons) = classifyRemoved(o)
                out.append(Change(kind: .removed, key: key, risks: risks, paths: [], reasons: reasons))
            case (let o?, let n?) where o != n:
                var paths: [String] = []
                fieldDiff(o, n, "", into: &paths)
                if paths.isEmpty { continue }  // key order only
                let (risks, reasons) = classifyChanged(o, n)
                out.append(Change(kind: .changed, key: key, risks: risks, paths: paths, reasons: reasons))
            default:
                continue
            }
        }
        for path in Set(a.json.keys).union(b.json.keys).sorted() {
            let o = a.json[path]
            let n = b.json[path]
            if o == n { continue }
            var risks: [Risk] = []
            var reasons: [String] = []
            if path.hasSuffix(".policy.json"), let widened = policyWidened(o, n) {
                risks.append(.securitySensitive)
                reasons.append(widened)
            }
            if let widened = grantsWidened(path, o, n) {
                risks.append(.securitySensitive)
                reasons.append(widened)
            }
            var paths: [String] = []
            if let o, let n { fieldDiff(o, n, "", into: &paths) }
            let kind: Kind = o == nil ? .added : (n == nil ? .removed : .changed)
            out.append(Change(kind: kind, key: path, risks: risks.isEmpty ? [.safe] : risks, paths: paths, reasons: reasons))
        }
        return out
    }

    // MARK: parsing

    static func parseYAML(_ text: String, path: String) throws -> [JSONValue] {
        do {
            var docs: [JSONValue] = []
            let parser = try Parser(yaml: text)
            while let node = try parser.nextRoot() {
                let v = json(node)
                if v != .null { docs.append(v) }
            }
            return docs
        } catch let e as BerthError {
            throw e
        } catch {
            // The parser quotes the offending line, which may hold a credential: hide it.
            throw BerthError(.io, "cannot read '\(path)': not YAML (\(SecretValues.redactSource("\(error)")))")
        }
    }

    static func json(_ n: Node) -> JSONValue {
        switch n {
        case .scalar(let s):
            switch n.tag.rawValue {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue: return n.bool.map(JSONValue.bool) ?? .string(s.string)
            case Tag.Name.int.rawValue: return n.int.map(JSONValue.int) ?? .string(s.string)
            case Tag.Name.float.rawValue: return n.float.map(JSONValue.double) ?? .string(s.string)
            default: return .string(s.string)
            }
        case .mapping(let m):
            return .object(m.map { (k, v) in (k.string ?? "", json(v)) })
        case .sequence(let items):
            return .array(items.map(json))
        case .alias(let a):
            return .string(a.anchor.rawValue)
        }
    }

    static func parseJSON(_ text: String, path: String) throws -> JSONValue {
        guard let any = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) else {
            throw BerthError(.io, "cannot read '\(path)': not JSON")
        }
        return json(any)
    }

    static func json(_ any: Any) -> JSONValue {
        switch any {
        case let d as [String: Any]:
            return .object(d.keys.sorted().map { ($0, json(d[$0] as Any)) })
        case let a as [Any]:
            return .array(a.map(json))
        case let s as String:
            return .string(s)
        case let b as Bool where type(of: any) == Bool.self:
            return .bool(b)
        case let n as NSNumber:
            if String(cString: n.objCType) == "c" { return .bool(n.boolValue) }
            if n.doubleValue == n.doubleValue.rounded(), abs(n.doubleValue) < 1e15 { return .int(n.intValue) }
            return .double(n.doubleValue)
        default:
            return .null
        }
    }

    // MARK: field paths

    /// Field paths where `a` and `b` differ (`spec.template.spec.containers[0].image`); key order is ignored.
    static func fieldDiff(_ a: JSONValue, _ b: JSONValue, _ path: String, into out: inout [String]) {
        if a == b { return }
        switch (a, b) {
        case (.object(let x), .object(let y)):
            var keys: [String] = x.map(\.0)
            for (k, _) in y where !keys.contains(k) { keys.append(k) }
            for k in keys {
                let p = path.isEmpty ? k : path + "." + k
                let xv = x.first { $0.0 == k }?.1
                let yv = y.first { $0.0 == k }?.1
                switch (xv, yv) {
                case (let xv?, let yv?): fieldDiff(xv, yv, p, into: &out)
                default: out.append(p)
                }
            }
        case (.array(let x), .array(let y)) where x.count == y.count:
            for i in x.indices { fieldDiff(x[i], y[i], "\(path)[\(i)]", into: &out) }
        default:
            out.append(path.isEmpty ? "(whole)" : path)
        }
    }

    // MARK: classification

    static func classifyAdded(_ n: JSONValue) -> ([Risk], [String]) {
        if isFoundation(n) { return foundationChange(nil, n) }
        let kind = n["kind"]?.stringValue ?? ""
        switch kind {
        case "RoleBinding", "ClusterRoleBinding":
            return ([.securitySensitive], ["new \(kind) grants \(n.at("roleRef.name")?.stringValue ?? "a role")"])
        case "Role", "ClusterRole":
            return ([.securitySensitive], ["new \(kind) with \(rbacRules(n).count) permissions"])
        case "NetworkPolicy":
            let allows = networkAllows(n)
            if !allows.ingress.isEmpty || !allows.egress.isEmpty {
                return ([.securitySensitive], ["new NetworkPolicy allows traffic"])
            }
        default:
            break
        }
        return ([.safe], [])
    }

    static func classifyRemoved(_ o: JSONValue) -> ([Risk], [String]) {
        if isFoundation(o) { return foundationChange(o, nil) }
        let kind = o["kind"]?.stringValue ?? ""
        switch kind {
        case "PersistentVolumeClaim":
            return ([.disruptive], ["removing a PersistentVolumeClaim deletes its volume's data"])
        case "StatefulSet" where o.at("spec.volumeClaimTemplates") != nil:
            return ([.disruptive], ["removing a StatefulSet with volumeClaimTemplates stops its pods; their claims are left behind"])
        case "Cluster" where (o["apiVersion"]?.stringValue ?? "").hasPrefix("postgresql.cnpg.io/"):
            return ([.disruptive], ["removing a database cluster deletes its instances"])
        case "NetworkPolicy":
            let types = (o.at("spec.policyTypes")?.arrayValue ?? []).compactMap(\.stringValue)
            let allows = networkAllows(o)
            let denies = (types.contains("Ingress") && allows.ingress.isEmpty) || (types.contains("Egress") && allows.egress.isEmpty)
            if denies { return ([.securitySensitive], ["a NetworkPolicy that denies traffic is removed"]) }
        case "Certificate":
            return ([.securitySensitive], ["TLS certificate removed"])
        case "PrometheusRule":
            let reasons = monitoringRemoved(o)
            if !reasons.isEmpty { return ([.risky], reasons) }
        default:
            break
        }
        return ([.safe], [])
    }

    static func classifyChanged(_ o: JSONValue, _ n: JSONValue) -> ([Risk], [String]) {
        if isFoundation(n) { return foundationChange(o, n) }
        let kind = n["kind"]?.stringValue ?? ""
        let risky = kind == "PrometheusRule" ? monitoringChanged(o, n) : []
        var disruptive = immutableChanges(kind, o, n)
        var security = securityChanges(kind, o, n)
        if kind == "Application", n.at("metadata.labels")?["berth.dev/addon"] != nil {
            let (d, s) = addonChange(o, n)
            disruptive += d
            security += s
        }
        if let a = podSpec(o), let b = podSpec(n) { security += securityContextLoosened(a, b) }
        var risks: [Risk] = []
        if !risky.isEmpty { risks.append(.risky) }
        if !disruptive.isEmpty { risks.append(.disruptive) }
        if !security.isEmpty { risks.append(.securitySensitive) }
        return (risks.isEmpty ? [.safe] : risks, risky + disruptive + security)
    }

    /// Changes to fields the API server refuses to change in place, or that lose data.
    private static func immutableChanges(_ kind: String, _ o: JSONValue, _ n: JSONValue) -> [String] {
        var out: [String] = []
        func changed(_ path: String) -> Bool { o.at(path) != n.at(path) }
        switch kind {
        case "Deployment", "StatefulSet", "DaemonSet":
            if changed("spec.selector") { out.append("\(kind) spec.selector is immutable") }
            if kind == "StatefulSet", changed("spec.volumeClaimTemplates") {
                out.append("StatefulSet volumeClaimTemplates are immutable")
            }
        case "Job":
            if changed("spec.template") { out.append("a Job's pod template is immutable") }
            if changed("spec.selector") { out.append("Job spec.selector is immutable") }
        case "StorageClass":
            if changed("parameters") { out.append("StorageClass parameters are immutable") }
            if changed("provisioner") { out.append("StorageClass provisioner is immutable") }
        case "PersistentVolumeClaim":
            if let r = shrink(o.at("spec.resources.requests.storage"), n.at("spec.resources.requests.storage")) {
                out.append("PersistentVolumeClaim storage shrinks \(r)")
            }
        case "Service":
            if changed("spec.type") { out.append("Service spec.type changes") }
            if changed("spec.clusterIP") { out.append("Service spec.clusterIP is immutable") }
        case "Cluster" where (n["apiVersion"]?.stringValue ?? "").hasPrefix("postgresql.cnpg.io/"):
            if let r = shrink(o.at("spec.storage.size"), n.at("spec.storage.size")) { out.append("database storage shrinks \(r)") }
            if let r = shrink(o.at("spec.walStorage.size"), n.at("spec.walStorage.size")) {
                out.append("database WAL storage shrinks \(r)")
            }
        default:
            break
        }
        return out
    }

    /// Changes that widen access: traffic, RBAC, Pod Security, TLS.
    private static func securityChanges(_ kind: String, _ o: JSONValue, _ n: JSONValue) -> [String] {
        var out: [String] = []
        func changed(_ path: String) -> Bool { o.at(path) != n.at(path) }
        switch kind {
        case "NetworkPolicy":
            let a = networkAllows(o)
            let b = networkAllows(n)
            if !b.ingress.subtracting(a.ingress).isEmpty { out.append("NetworkPolicy allows new ingress peers or ports") }
            if !b.egress.subtracting(a.egress).isEmpty { out.append("NetworkPolicy allows new egress peers or ports") }
            let ta = Set((o.at("spec.policyTypes")?.arrayValue ?? []).compactMap(\.stringValue))
            let tb = Set((n.at("spec.policyTypes")?.arrayValue ?? []).compactMap(\.stringValue))
            if !ta.subtracting(tb).isEmpty {
                out.append("NetworkPolicy no longer restricts \(ta.subtracting(tb).sorted().joined(separator: ", "))")
            }
            if changed("spec.podSelector") { out.append("NetworkPolicy applies to other pods") }
        case "Role", "ClusterRole":
            let added = rbacRules(n).subtracting(rbacRules(o))
            if !added.isEmpty {
                out.append(
                    "RBAC rules widened: " + added.sorted().prefix(5).joined(separator: ", ") + (added.count > 5 ? ", ..." : ""))
            }
        case "RoleBinding", "ClusterRoleBinding":
            if changed("roleRef") { out.append("binding points at another role") }
            let sa = Set((o["subjects"]?.arrayValue ?? []).map { $0.serialized() })
            let sb = Set((n["subjects"]?.arrayValue ?? []).map { $0.serialized() })
            if !sb.subtracting(sa).isEmpty { out.append("binding has new subjects") }
        case "Namespace":
            for mode in ["enforce", "audit", "warn"] {
                let key = "pod-security.kubernetes.io/\(mode)"
                let a = o.at("metadata.labels")?[key]?.stringValue
                let b = n.at("metadata.labels")?[key]?.stringValue
                if let a, podSecurityRank(b) < podSecurityRank(a) {
                    out.append("Pod Security \(mode) loosened from \(a) to \(b ?? "(none)")")
                }
            }
        case "Gateway":
            let lost = httpsHosts(o).subtracting(httpsHosts(n))
            if !lost.isEmpty { out.append("TLS removed from listener for " + lost.sorted().joined(separator: ", ")) }
        case "Ingress":
            let lost = ingressTLSHosts(o).subtracting(ingressTLSHosts(n))
            if !lost.isEmpty { out.append("TLS removed for " + lost.sorted().joined(separator: ", ")) }
        case "HTTPRoute":
            let before = (o.at("spec.parentRefs")?.arrayValue ?? []).compactMap { $0["sectionName"]?.stringValue }.contains {
                $0.hasSuffix("https")
            }
            let after = (n.at("spec.parentRefs")?.arrayValue ?? []).compactMap { $0["sectionName"]?.stringValue }.contains {
                $0.hasSuffix("https")
            }
            if before, !after { out.append("route no longer attached to an HTTPS listener") }
        default:
            break
        }
        return out
    }

    static func shrink(_ a: JSONValue?, _ b: JSONValue?) -> String? {
        guard let a = a?.stringValue, let b = b?.stringValue, let qa = Quantity.parse(a), let qb = Quantity.parse(b),
            qb < qa
        else { return nil }
        return "from \(a) to \(b)"
    }

    /// (peer, port) pairs a NetworkPolicy allows, per direction; an absent list allows all.
    static func networkAllows(_ doc: JSONValue) -> (ingress: Set<String>, egress: Set<String>) {
        func pairs(_ rules: JSONValue?, peerKey: String) -> Set<String> {
            var out: Set<String> = []
            for rule in rules?.arrayValue ?? [] {
                let peers = rule[peerKey]?.arrayValue.map { $0.map { canonical($0) } } ?? ["*"]
                let ports = rule["ports"]?.arrayValue.map { $0.map { canonical($0) } } ?? ["*"]
                for p in peers { for q in ports { out.insert(p + " " + q) } }
            }
            return out
        }
        return (pairs(doc.at("spec.ingress"), peerKey: "from"), pairs(doc.at("spec.egress"), peerKey: "to"))
    }

    /// JSON text with object keys sorted, so equal values compare equal whatever their key order.
    static func canonical(_ v: JSONValue) -> String {
        func sorted(_ v: JSONValue) -> JSONValue {
            switch v {
            case .object(let p): .object(p.sorted { $0.0 < $1.0 }.map { ($0.0, sorted($0.1)) })
            case .array(let a): .array(a.map(sorted))
            default: v
            }
        }
        return sorted(v).serialized()
    }

    /// `apiGroup/resource:verb` for every rule of a Role.
    static func rbacRules(_ doc: JSONValue) -> Set<String> {
        var out: Set<String> = []
        for rule in doc["rules"]?.arrayValue ?? [] {
            let groups = (rule["apiGroups"]?.arrayValue ?? [""]).compactMap(\.stringValue)
            let resources =
                (rule["resources"]?.arrayValue ?? []).compactMap(\.stringValue)
                + (rule["nonResourceURLs"]?.arrayValue ?? []).compactMap(\.stringValue)
            let verbs = (rule["verbs"]?.arrayValue ?? []).compactMap(\.stringValue)
            let names = (rule["resourceNames"]?.arrayValue ?? []).compactMap(\.stringValue)
            for g in groups {
                for r in resources {
                    for v in verbs {
                        out.insert(
                            "\(g.isEmpty ? "core" : g)/\(r):\(v)" + (names.isEmpty ? "" : "[\(names.sorted().joined(separator: ","))]"))
                    }
                }
            }
        }
        return out
    }

    static func podSecurityRank(_ level: String?) -> Int {
        switch level {
        case "restricted": 2
        case "baseline": 1
        default: 0
        }
    }

    static func httpsHosts(_ gateway: JSONValue) -> Set<String> {
        Set(
            (gateway.at("spec.listeners")?.arrayValue ?? []).filter {
                $0["protocol"]?.stringValue == "HTTPS" || $0["protocol"]?.stringValue == "TLS"
            }.map { $0["hostname"]?.stringValue ?? "*" })
    }

    static func ingressTLSHosts(_ ingress: JSONValue) -> Set<String> {
        Set((ingress.at("spec.tls")?.arrayValue ?? []).flatMap { ($0["hosts"]?.arrayValue ?? []).compactMap(\.stringValue) })
    }

    static func podSpec(_ doc: JSONValue) -> JSONValue? {
        doc.at("spec.template.spec") ?? doc.at("spec.jobTemplate.spec.template.spec")
    }

    /// Settings of a pod or its containers that give the workload more than before.
    static func securityContextLoosened(_ a: JSONValue, _ b: JSONValue) -> [String] {
        var out: [String] = []
        for (field, safe) in [("hostNetwork", false), ("hostPID", false), ("hostIPC", false)] {
            if (a[field] ?? .bool(safe)) == .bool(safe), (b[field] ?? .bool(safe)) != .bool(safe) { out.append("pod \(field) turned on") }
        }
        func context(_ sc: JSONValue?, _ sc2: JSONValue?, _ who: String) {
            for (field, safe) in [
                ("allowPrivilegeEscalation", false), ("privileged", false), ("readOnlyRootFilesystem", true), ("runAsNonRoot", true),
            ] {
                if sc?[field] == .bool(safe), sc2?[field] != .bool(safe) { out.append("\(who) securityContext.\(field) no longer \(safe)") }
            }
            if let u = sc?["runAsUser"]?.intValue, u != 0, sc2?["runAsUser"]?.intValue == 0 { out.append("\(who) runs as root") }
            let seccompA = sc?.at("seccompProfile.type")?.stringValue
            let seccompB = sc2?.at("seccompProfile.type")?.stringValue
            if let s = seccompA, s != "Unconfined", seccompB == nil || seccompB == "Unconfined" {
                out.append("\(who) seccomp profile \(s) removed")
            }
            let dropA = Set((sc?.at("capabilities")?["drop"]?.arrayValue ?? []).compactMap(\.stringValue))
            let dropB = Set((sc2?.at("capabilities")?["drop"]?.arrayValue ?? []).compactMap(\.stringValue))
            if !dropA.subtracting(dropB).isEmpty {
                out.append("\(who) no longer drops " + dropA.subtracting(dropB).sorted().joined(separator: ", "))
            }
            let addA = Set((sc?.at("capabilities")?["add"]?.arrayValue ?? []).compactMap(\.stringValue))
            let addB = Set((sc2?.at("capabilities")?["add"]?.arrayValue ?? []).compactMap(\.stringValue))
            if !addB.subtracting(addA).isEmpty {
                out.append("\(who) adds capabilities " + addB.subtracting(addA).sorted().joined(separator: ", "))
            }
        }
        context(a["securityContext"], b["securityContext"], "pod")
        let ca = a["containers"]?.arrayValue ?? []
        let cb = b["containers"]?.arrayValue ?? []
        for c in cb {
            let name = c["name"]?.stringValue ?? ""
            guard let before = ca.first(where: { $0["name"]?.stringValue == name }) else { continue }
            context(before["securityContext"], c["securityContext"], "container \(name)")
        }
        return out
    }

    /// A bucket policy grants more: a new Allow (principal, action, resource) or a Deny dropped.
    static func policyWidened(_ a: JSONValue?, _ b: JSONValue?) -> String? {
        func grants(_ p: JSONValue?, effect: String) -> Set<String> {
            var out: Set<String> = []
            for st in p?["Statement"]?.arrayValue ?? [] where st["Effect"]?.stringValue == effect {
                func list(_ v: JSONValue?) -> [String] {
                    switch v {
                    case .array(let a)?: a.map { $0.stringValue ?? canonical($0) }
                    case .string(let s)?: [s]
                    case let v?: [canonical(v)]
                    case nil: ["*"]
                    }
                }
                var principals: [String] = []
                if case .object(let pr)? = st["Principal"] {
                    for (k, v) in pr { principals += list(v).map { "\(k):\($0)" } }
                } else {
                    principals = list(st["Principal"])
                }
                let cond = st["Condition"].map(canonical) ?? ""
                for pr in principals {
                    for ac in list(st["Action"]) {
                        for r in list(st["Resource"]) {
                            out.insert("\(pr) \(ac) \(r) \(cond)")
                        }
                    }
                }
            }
            return out
        }
        let newAllows = grants(b, effect: "Allow").subtracting(grants(a, effect: "Allow"))
        let lostDenies = grants(a, effect: "Deny").subtracting(grants(b, effect: "Deny"))
        if newAllows.isEmpty, lostDenies.isEmpty { return nil }
        var parts: [String] = []
        if !newAllows.isEmpty { parts.append("bucket policy allows more (\(newAllows.count) new grants)") }
        if !lostDenies.isEmpty { parts.append("bucket policy denies less (\(lostDenies.count) denials dropped)") }
        return parts.joined(separator: "; ")
    }

    /// What a Google bucket's IAM policy (`*.iam.json`: members per role) or an Azure storage
    /// account (`*.storage-account.json`: role assignments, public access) grants now that it
    /// did not before; nil when it grants nothing new.
    static func grantsWidened(_ path: String, _ a: JSONValue?, _ b: JSONValue?) -> String? {
        var parts: [String] = []
        func added(_ grants: (JSONValue?) -> Set<String>, _ what: String) {
            let new = grants(b).subtracting(grants(a))
            if !new.isEmpty { parts.append("\(what) (\(new.sorted().joined(separator: ", ")))") }
        }
        if path.hasSuffix(".iam.json") {
            added(
                { p in
                    var out: Set<String> = []
                    for binding in p?["bindings"]?.arrayValue ?? [] {
                        let role = binding["role"]?.stringValue ?? "?"
                        for m in binding["members"]?.arrayValue ?? [] { out.insert("\(role) to \(m.stringValue ?? canonical(m))") }
                    }
                    return out
                }, "bucket IAM grants more")
        }
        if path.hasSuffix(".storage-account.json") {
            added(
                { p in
                    Set(
                        (p?["roleAssignments"]?.arrayValue ?? []).map { r in
                            let scope = r["scope"]?.stringValue ?? ""
                            let on = scope.split(separator: "/").last.map(String.init) ?? scope
                            return "\(r["role"]?.stringValue ?? "?") to \(r["identity"]?.stringValue ?? "?") on \(on)"
                        })
                }, "storage account grants more")
            added(
                { p in
                    var out: Set<String> = []
                    if p?.at("StorageAccountCreateParameters.properties.allowBlobPublicAccess") == .bool(true) {
                        out.insert("public blob access allowed")
                    }
                    for c in p?["containers"]?.arrayValue ?? [] where (c.at("properties.publicAccess")?.stringValue ?? "None") != "None" {
                        out.insert(
                            "container \(c["name"]?.stringValue ?? "?") public (\(c.at("properties.publicAccess")?.stringValue ?? ""))")
                    }
                    return out
                }, "storage account opens public access")
        }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    // MARK: output

    /// The text report: one line per change (risk, kind, key, paths, reasons), then the counts per risk.
    public static func text(_ changes: [Change]) -> String {
        var out = ""
        for c in changes {
            out += "\(c.risk.rawValue): \(c.kind.rawValue) \(c.key)"
            if !c.paths.isEmpty { out += ": " + c.paths.joined(separator: ", ") }
            if !c.reasons.isEmpty { out += " (" + c.reasons.joined(separator: "; ") + ")" }
            out += "\n"
        }
        let count = { (r: Risk) in changes.filter { $0.risk == r }.count }
        // The risky count is printed only when there is one, so the line stays as it was otherwise.
        let risky = count(.risky) > 0 ? ", \(count(.risky)) risky" : ""
        out +=
            "\(changes.count) change\(changes.count == 1 ? "" : "s"): \(count(.safe)) safe\(risky), \(count(.disruptive)) disruptive, \(count(.securitySensitive)) security-sensitive\n"
        return out
    }

    /// The JSON report: every change and the counts per risk.
    public static func json(_ changes: [Change]) -> JSONValue {
        let items: [JSONValue] = changes.map { c in
            [
                "change": .string(c.kind.rawValue),
                "key": .string(c.key),
                "class": .string(c.risk.rawValue),
                "classes": .array(c.risks.map { .string($0.rawValue) }),
                "paths": .array(c.paths.map { .string($0) }),
                "reasons": .array(c.reasons.map { .string($0) }),
            ]
        }
        let count = { (r: Risk) in JSONValue.int(changes.filter { $0.risk == r }.count) }
        var summary: [(String, JSONValue)] = [("total", .int(changes.count)), ("safe", count(.safe))]
        if changes.contains(where: { $0.risk == .risky }) { summary.append(("risky", count(.risky))) }
        summary += [("disruptive", count(.disruptive)), ("security-sensitive", count(.securitySensitive))]
        return ["changes": .array(items), "summary": .object(summary)]
    }
}
