import Foundation

/// What the render really contains, read back from the rendered objects and artifacts, so
/// the document claims a mechanism only when berth renders it.
struct RenderedFacts: Sendable {
    /// The Kubernetes objects of the plain render, per file.
    var files: [RenderedFile]
    /// Paths of the CDN configs (`network/cdn/<environment>.cloudfront.json`, or
    /// `<environment>.cloud-cdn.json` on gcp).
    var cdnConfigs: [String]
    /// Buckets (spec names) for which a rendered artifact turns versioning on.
    var versionedBuckets: Set<String>

    init(renderer: Renderer) {
        files = renderer.renderedFiles()
        cdnConfigs = renderer.edgeArtifacts().map(\.path).filter { $0.hasPrefix("network/cdn/") }.sorted()
        var versioned: Set<String> = []
        for a in renderer.bucketArtifacts() where a.path.hasSuffix(".settings.json") {
            // buckets/<env|shared>/<bucket>.settings.json holding PutBucketVersioning.
            guard let data = a.contents.data(using: .utf8),
                let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                let put = root["PutBucketVersioning"] as? [String: Any],
                let conf = put["VersioningConfiguration"] as? [String: Any],
                conf["Status"] as? String == "Enabled"
            else { continue }
            let file = a.path.split(separator: "/").last.map(String.init) ?? ""
            versioned.insert(String(file.dropLast(".settings.json".count)))
        }
        versionedBuckets = versioned
    }

    var objects: [JSONValue] { files.flatMap(\.objects) }

    func annotation(_ o: JSONValue, _ key: String) -> String? { o.at("metadata.annotations")?[key]?.stringValue }

    /// Environments whose rendered objects carry per-cluster DNS routing
    /// (`external-dns.alpha.kubernetes.io/set-identifier`).
    var dnsSplitEnvironments: Set<String> {
        Set(
            files.filter { f in f.objects.contains { annotation($0, "external-dns.alpha.kubernetes.io/set-identifier") != nil } }
                .compactMap { $0.environment ?? Self.environment(ofPath: $0.path, in: files) })
    }

    /// The environment of a namespace-wide file, from the other files of its folder.
    static func environment(ofPath path: String, in files: [RenderedFile]) -> String? {
        let folder = path.split(separator: "/").dropLast().joined(separator: "/")
        return files.first { $0.environment != nil && $0.path.hasPrefix(folder + "/") }?.environment
    }

    /// True when some rendered Service asks for more than one IP family.
    var dualStackServices: Bool {
        objects.contains {
            $0.at("kind") == "Service" && $0.at("spec.ipFamilyPolicy") != nil && $0.at("spec.ipFamilyPolicy") != "SingleStack"
        }
    }

    /// True when rendered DNS points a host at the CDN (an external-dns target on CloudFront).
    var cdnInPath: Bool {
        objects.contains { o in
            let target = annotation(o, "external-dns.alpha.kubernetes.io/target") ?? ""
            return target.contains("cloudfront.net")
        }
    }

    /// Admission objects that could refuse a deployment (none are rendered today).
    var admissionGates: [String] {
        let gates: Set<String> = ["ValidatingAdmissionPolicy", "ValidatingWebhookConfiguration", "ClusterPolicy", "ClusterImagePolicy"]
        return objects.compactMap { o in o.at("kind")?.stringValue.flatMap { gates.contains($0) ? $0 : nil } }
    }

    /// Whether any NetworkPolicy is rendered.
    var hasNetworkPolicies: Bool { objects.contains { $0.at("kind") == "NetworkPolicy" } }

    /// The IP ledger's team server as rendered (`ipam.server`).
    struct TeamServer: Sendable, Equatable {
        var cluster: String
        var namespace: String
        var replicas: Int
        var hosts: [String]
        var ledgerInstances: Int
        var ledgerBackedUp: Bool
        var scraped: Bool
    }

    /// The team server, read from its rendered Deployment, HTTPRoute, ledger Cluster and
    /// ServiceMonitor; nil when none is rendered.
    var teamServer: TeamServer? {
        func named(_ kind: String, _ name: String) -> (RenderedFile, JSONValue)? {
            for f in files {
                if let o = f.objects.first(where: { $0.at("kind")?.stringValue == kind && $0.at("metadata.name")?.stringValue == name }) {
                    return (f, o)
                }
            }
            return nil
        }
        guard let (file, deployment) = named("Deployment", IPAMServer.serviceName) else { return nil }
        let route = named("HTTPRoute", IPAMServer.serviceName)?.1 ?? named("Ingress", IPAMServer.serviceName)?.1
        let hosts = (route?.at("spec.hostnames")?.arrayValue ?? route?.at("spec.rules")?.arrayValue?.compactMap { $0["host"] } ?? [])
            .compactMap(\.stringValue)
        let ledger = named("Cluster", IPAMServer.ledgerName)?.1
        return TeamServer(
            cluster: file.path.split(separator: "/").first.map(String.init) ?? "",
            namespace: deployment.at("metadata.namespace")?.stringValue ?? "",
            replicas: deployment.at("spec.replicas")?.intValue ?? 0,
            hosts: hosts,
            ledgerInstances: ledger?.at("spec.instances")?.intValue ?? 0,
            ledgerBackedUp: ledger?.at("spec.backup") != nil,
            scraped: named("ServiceMonitor", IPAMServer.serviceName) != nil)
    }

    // MARK: the network-policy matrix

    /// One allowed connection read from the rendered NetworkPolicies: the callee admits the
    /// caller on the port (ingress) and the caller may send to the callee on it (egress).
    struct Edge: Hashable, Sendable {
        var from: String
        var to: String
        var port: String
    }

    /// The allowed connections and data access of one environment.
    struct PolicyView: Sendable, Equatable {
        /// Services with a NetworkPolicy, in render order.
        var services: [String]
        var edges: Set<Edge>
        /// Per service: what it may reach outside the services (databases, poolers, HTTPS out).
        var data: [String: [String]]

        /// The ports on which `from` may open a connection to `to`, sorted and comma-separated;
        /// empty when it may not.
        func ports(_ from: String, _ to: String) -> String {
            edges.filter { $0.from == from && $0.to == to }.map(\.port).sorted().joined(separator: ", ")
        }

        /// `ports` of every connected pair at once, by caller then callee: one pass over the
        /// edges, for the tables that would otherwise ask `ports` once per pair of services.
        func portsByCaller() -> [String: [String: String]] {
            var grouped: [String: [String: [String]]] = [:]
            for e in edges { grouped[e.from, default: [:]][e.to, default: []].append(e.port) }
            return grouped.mapValues { callees in
                callees.compactMapValues { ports in
                    let joined = ports.sorted().joined(separator: ", ")
                    return joined.isEmpty ? nil : joined
                }
            }
        }
    }

    /// The row name of traffic from the ingress controller's namespace; it has spaces, so it
    /// never collides with a service name.
    static func ingressPeer(_ namespace: String) -> String { "ingress (namespace \(namespace))" }

    /// The row name of traffic from the Gateway's data plane (NGINX Gateway Fabric runs it in
    /// the environment's namespace).
    static let gatewayPeer = "gateway (data plane)"

    static func ports(_ rule: JSONValue) -> [String] {
        (rule["ports"]?.arrayValue ?? []).map { p in
            let port = p["port"].map { $0.intValue.map(String.init) ?? $0.stringValue ?? "" } ?? "all"
            let proto = p["protocol"]?.stringValue ?? "TCP"
            return proto == "TCP" ? port : "\(proto) \(port)"
        }
    }

    /// The service a peer selects (`app.kubernetes.io/name`), the ingress namespace, or nil.
    static func peer(_ p: JSONValue, ingressNamespace: String) -> String? {
        let ns = p.at("namespaceSelector.matchLabels")?["kubernetes.io/metadata.name"]?.stringValue
        if let name = p.at("podSelector.matchLabels")?["app.kubernetes.io/name"]?.stringValue { return name }
        if p.at("podSelector.matchLabels")?["gateway.networking.k8s.io/gateway-name"] != nil { return gatewayPeer }
        if ns == ingressNamespace, p["podSelector"] == nil { return ingressPeer(ingressNamespace) }
        return nil
    }

    /// The view of environment `env`, from the NetworkPolicies of its service files (every
    /// cluster it runs on).
    func policyView(environment env: String, ingressNamespace: String) -> PolicyView {
        var services: [String] = []
        var ingress: Set<Edge> = []
        var egress: Set<Edge> = []
        var data: [String: [String]] = [:]
        for f in files where f.environment == env {
            guard let svc = f.service else { continue }
            for o in f.objects
            where o.at("kind") == "NetworkPolicy" && o.at("spec.podSelector.matchLabels")?["app.kubernetes.io/name"]?.stringValue == svc {
                if !services.contains(svc) { services.append(svc) }
                for rule in o.at("spec.ingress")?.arrayValue ?? [] {
                    for p in rule["from"]?.arrayValue ?? [] {
                        guard let caller = Self.peer(p, ingressNamespace: ingressNamespace) else { continue }
                        for port in Self.ports(rule) { ingress.insert(Edge(from: caller, to: svc, port: port)) }
                    }
                }
                for rule in o.at("spec.egress")?.arrayValue ?? [] {
                    let ports = Self.ports(rule)
                    for p in rule["to"]?.arrayValue ?? [] {
                        if let callee = p.at("podSelector.matchLabels")?["app.kubernetes.io/name"]?.stringValue {
                            for port in ports { egress.insert(Edge(from: svc, to: callee, port: port)) }
                        } else if let text = Self.dataAccess(p, ports: ports), data[svc]?.contains(text) != true {
                            data[svc, default: []].append(text)
                        }
                    }
                }
            }
        }
        // A connection needs both: the caller's egress and the callee's ingress. Traffic from
        // the ingress controller is outside the platform's namespaces: its ingress rule decides.
        let gateway = Self.ingressPeer(ingressNamespace)
        let edges = ingress.filter { $0.from == gateway || $0.from == Self.gatewayPeer || egress.contains($0) }
        return PolicyView(services: services.sorted(), edges: edges, data: data)
    }

    /// What an egress peer outside the services is, in the words of the table's data column: a
    /// database, a database through its pooler, a database in another cluster, or HTTPS out;
    /// nil for any other peer.
    static func dataAccess(_ p: JSONValue, ports: [String]) -> String? {
        let labels = p.at("podSelector.matchLabels")
        if let db = labels?["cnpg.io/cluster"]?.stringValue { return "database \(db) (\(ports.joined(separator: ", ")))" }
        if let pooler = labels?["cnpg.io/poolerName"]?.stringValue {
            let db = pooler.hasSuffix("-pooler-rw") ? String(pooler.dropLast("-pooler-rw".count)) : pooler
            return "database \(db) through its pooler (\(ports.joined(separator: ", ")))"
        }
        guard p["ipBlock"] != nil else { return nil }
        return ports == ["5432"] ? "a database in another cluster (5432)" : "HTTPS out (\(ports.joined(separator: ", ")))"
    }
}
