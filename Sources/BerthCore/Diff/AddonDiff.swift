extension PlatformDiff {
    /// An add-on Application (addons/<cluster>/<addon>.yaml) that changes: a new chart version
    /// or tag is disruptive (the controller, its CRDs and webhooks are replaced while the
    /// objects it serves keep running); values that widen access are security-sensitive: a new
    /// or changed workload identity (ServiceAccount annotations, identity pod labels), DNS zones
    /// or sources external-dns may write, and snippets enabled on NGINX Gateway Fabric.
    static func addonChange(_ o: JSONValue, _ n: JSONValue) -> (disruptive: [String], security: [String]) {
        let addon = n.at("metadata.labels")?["berth.dev/addon"]?.stringValue ?? ""
        var disruptive: [String] = []
        var security: [String] = []
        func revisions(_ v: JSONValue) -> [String] {
            if let r = v.at("spec.source.targetRevision")?.stringValue { return [r] }
            return (v.at("spec.sources")?.arrayValue ?? []).compactMap { $0["targetRevision"]?.stringValue }
        }
        let (ra, rb) = (revisions(o), revisions(n))
        if ra != rb {
            disruptive.append(
                "add-on \(addon) version changes from \(ra.first ?? "(none)") to \(rb.first ?? "(none)"): its controller and CRDs are replaced"
            )
        }
        let va = o.at("spec.source.helm.valuesObject") ?? .object([])
        let vb = n.at("spec.source.helm.valuesObject") ?? .object([])
        var la: [String: JSONValue] = [:]
        var lb: [String: JSONValue] = [:]
        leaves(va, "", into: &la)
        leaves(vb, "", into: &lb)
        let identityKeys = [
            "eks.amazonaws.com/role-arn", "iam.gke.io/gcp-service-account", "azure.workload.identity/client-id", "berth.dev/cloud-identity",
            "azure.workload.identity/use",
        ]
        let identity = Set(la.keys).union(lb.keys).filter { k in
            identityKeys.contains { k.hasSuffix("." + $0) } && lb[k] != nil && la[k] != lb[k]
        }
        if !identity.isEmpty {
            security.append("add-on \(addon) runs with a new cloud identity (\(identity.sorted().joined(separator: ", ")))")
        }
        for key in ["domainFilters", "sources"] {
            let a = Set((va[key]?.arrayValue ?? []).compactMap(\.stringValue))
            let b = Set((vb[key]?.arrayValue ?? []).compactMap(\.stringValue))
            let wider = b.subtracting(a)
            if !wider.isEmpty {
                security.append("add-on \(addon) may write DNS for more \(key): \(wider.sorted().joined(separator: ", "))")
            }
        }
        if vb.at("nginxGateway.snippetsFilters.enable") == .bool(true), va.at("nginxGateway.snippetsFilters.enable") != .bool(true) {
            security.append("add-on \(addon) enables NGINX configuration snippets")
        }
        return (disruptive, security)
    }

    /// Leaf values by dotted path (map keys only; arrays are leaves).
    static func leaves(_ v: JSONValue, _ path: String, into out: inout [String: JSONValue]) {
        if case .object(let pairs) = v {
            for (k, x) in pairs { leaves(x, path.isEmpty ? k : "\(path).\(k)", into: &out) }
        } else {
            out[path] = v
        }
    }
}
