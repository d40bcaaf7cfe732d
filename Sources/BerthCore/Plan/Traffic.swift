import BerthNet

/// Who may talk to whom, on which port: the platform's one traffic graph.
///
/// Every connection a rendered workload makes or accepts is an edge here: service to
/// service (`talksTo`), the gateway's data plane to public services, services to databases
/// and their poolers (locally or over the cross-cluster path), database instances to each
/// other, to the operator, to the API server and to object storage, pods to DNS and to the
/// mesh control plane. NetworkPolicies, mesh authorization, the document's matrix and the
/// audit all read these edges; none works them out again.
public struct TrafficEdge: Sendable, Hashable {
    /// One end of an edge.
    public enum Peer: Sendable, Hashable {
        /// The pods of a berth service (`app.kubernetes.io/name`).
        case service(String)
        /// The instance pods of a CloudNativePG cluster (`cnpg.io/cluster`).
        case databaseInstances(String)
        /// The PgBouncer pods of a database's read-write pooler (`cnpg.io/poolerName`).
        case pooler(String)
        /// The data plane pods of the environment's Gateway (NGINX Gateway Fabric runs them in
        /// the Gateway's namespace, labelled with the Gateway's name).
        case gateway(String)
        /// Every pod of the namespace (namespace-wide rules such as DNS).
        case allPods
        /// Every pod of a namespace outside the platform: a controller, operator or monitoring.
        case namespace(String)
        /// Labelled pods of a namespace outside the platform (kube-dns).
        case pods(namespace: String, labels: [String: String])
        /// Addresses outside the cluster, with exceptions.
        case addresses([String], except: [String])
        /// The Kubernetes API server, as pods reach it.
        case apiServer
    }

    /// A port and its transport protocol.
    public struct Port: Sendable, Hashable, Comparable {
        /// `TCP` or `UDP`.
        public var proto: String
        /// The port number.
        public var number: Int
        /// The port `number` over `proto` (`TCP` or `UDP`).
        public init(_ proto: String, _ number: Int) {
            self.proto = proto
            self.number = number
        }
        /// TCP port `n`.
        public static func tcp(_ n: Int) -> Port { Port("TCP", n) }
        /// Orders ports by number, then protocol.
        public static func < (a: Port, b: Port) -> Bool { (a.number, a.proto) < (b.number, b.proto) }
    }

    /// Why the edge exists, for documents and diagrams.
    public enum Purpose: String, Sendable, Hashable {
        /// A service calls another (`talksTo`).
        case talksTo = "talksTo"
        /// The gateway or ingress controller reaches a public service.
        case publicRoute = "public route"
        /// A service reaches a database or its pooler.
        case database = "database"
        /// A database instance reaches object storage (backups and WAL archives).
        case objectStorage = "object storage"
        /// Database instances reach each other (streaming replication).
        case replication = "replication"
        /// The CloudNativePG operator reaches the instances.
        case operatorControl = "operator"
        /// Prometheus scrapes a workload.
        case monitoring = "monitoring"
        /// A workload reaches the Kubernetes API server.
        case apiServer = "API server"
        /// Pods reach cluster DNS.
        case dns = "DNS"
        /// Mesh proxies reach the mesh control plane.
        case mesh = "mesh control plane"
        /// The gateway's data plane reaches its control plane.
        case gatewayControl = "gateway control plane"
        /// A service in another cluster reaches a database through its cross-cluster path.
        case crossCluster = "cross-cluster database"
        /// Partner ranges reach an exposed service port.
        case partner = "partner exposure"
    }

    /// Where the traffic starts.
    public var from: Peer
    /// Namespace of `from` (empty for addresses and the API server).
    public var fromNamespace: String
    /// Where the traffic goes.
    public var to: Peer
    /// Namespace of `to` (empty for addresses and the API server).
    public var toNamespace: String
    /// The destination ports.
    public var ports: [Port]
    /// Why the edge exists.
    public var purpose: Purpose
    /// The database an edge reaches (database and cross-cluster edges), for documents.
    public var database: String? = nil
}

extension Service {
    /// The port as the network sees it: UDP for `protocol: udp`, TCP otherwise.
    public func transportPort(_ port: Int) -> TrafficEdge.Port { TrafficEdge.Port(proto == "udp" ? "UDP" : "TCP", port) }
}

extension Plan {
    /// Private IPv4 ranges, excluded from "the internet".
    public static let privateRanges = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]

    /// The namespace of the gateway or ingress controller.
    public var ingressNamespace: String { spec.network.ingress.namespace }

    /// Whether public traffic enters through Gateway API (NGINX Gateway Fabric's data plane in
    /// each environment's namespace) rather than an ingress controller's own namespace.
    public var usesGateway: Bool { spec.network.ingress.api == .gateway }

    /// Name of the Gateway of every environment namespace.
    public var gatewayName: String { spec.platform }

    /// The mesh control plane that proxies must reach: namespace and ports.
    public var meshControlPlane: (namespace: String, ports: [TrafficEdge.Port])? {
        switch spec.network.mesh {
        // istiod: xDS and certificates over 15012, the sidecar injector's webhook is API-server side.
        case .istio: ("istio-system", [.tcp(15012)])
        // linkerd: identity 8080, destination 8086, policy 8090.
        case .linkerd: ("linkerd", [.tcp(8080), .tcp(8086), .tcp(8090)])
        default: nil
        }
    }

    /// Every edge with at least one end in target `t`'s namespace, in a stable order.
    public func traffic(_ t: Target) -> [TrafficEdge] {
        var edge = EdgeCollector()
        let ns = t.namespace
        // Namespace-wide: DNS, and the mesh's control plane for every proxy.
        edge(
            .allPods, ns, .pods(namespace: "kube-system", labels: ["k8s-app": "kube-dns"]), "kube-system",
            [TrafficEdge.Port("UDP", 53), .tcp(53)], .dns)
        if let mesh = meshControlPlane {
            edge(.allPods, ns, .namespace(mesh.namespace), mesh.namespace, mesh.ports, .mesh)
        }

        let enabled = Set(t.placements.map(\.service.name))
        let publics = t.placements.filter { $0.hostname != nil && $0.service.port != nil }
        if usesGateway, !publics.isEmpty {
            // The data plane takes traffic from anywhere on the listener ports and gets its
            // configuration from the control plane (NGINX Gateway Fabric's agent, TCP 443).
            var anywhere = ["0.0.0.0/0"]
            if spec.network.ipv6 != nil { anywhere.append("::/0") }
            edge(.addresses(anywhere, except: []), "", .gateway(gatewayName), ns, [.tcp(80), .tcp(443)], .publicRoute)
            edge(.gateway(gatewayName), ns, .namespace(ingressNamespace), ingressNamespace, [.tcp(443)], .gatewayControl)
        }
        for p in t.placements { serviceEdges(p, in: t, enabled: enabled, into: &edge) }
        // Databases whose instances live here: replication, the operator, monitoring, the API
        // server, backups, the pooler, and clients from other namespaces or clusters.
        for d in spec.databases {
            guard let role = role(of: d, in: t) else {
                continue
            }
            databaseEdges(d, role: role, in: t, into: &edge)
        }
        edge.edges += monitoringEdges(t)
        return edge.edges
    }

    /// The edges of one traffic computation, added in order.
    private struct EdgeCollector {
        var edges: [TrafficEdge] = []

        mutating func callAsFunction(
            _ from: TrafficEdge.Peer, _ fromNS: String, _ to: TrafficEdge.Peer, _ toNS: String,
            _ ports: [TrafficEdge.Port], _ purpose: TrafficEdge.Purpose, database: String? = nil
        ) {
            edges.append(
                TrafficEdge(
                    from: from, fromNamespace: fromNS, to: to, toNamespace: toNS, ports: ports, purpose: purpose, database: database))
        }
    }

    /// A service's edges: its public route, the services it talks to, its partners, the
    /// databases it uses and object storage.
    private func serviceEdges(_ p: Placement, in t: Target, enabled: Set<String>, into edge: inout EdgeCollector) {
        let ns = t.namespace
        let name = p.service.name
        if let port = p.service.port, p.hostname != nil {
            if usesGateway {
                edge(.gateway(gatewayName), ns, .service(name), ns, [.tcp(port)], .publicRoute)
            } else {
                edge(.namespace(ingressNamespace), ingressNamespace, .service(name), ns, [.tcp(port)], .publicRoute)
            }
        }
        for callee in Set(p.service.talksTo.map(\.value)).sorted() where enabled.contains(callee) {
            guard let c = spec.service(callee), let port = c.port else { continue }
            edge(.service(name), ns, .service(callee), ns, [c.transportPort(port)], .talksTo)
        }
        // Partner ranges through the service's LoadBalancer (source addresses preserved).
        if let x = p.service.exposure, let port = p.service.port {
            edge(.addresses(x.from.map(\.value), except: []), "", .service(name), ns, [p.service.transportPort(port)], .partner)
        }
        var objectStorage = false
        for u in p.service.uses {
            switch u.kind {
            case .bucket:
                objectStorage = true
            case .database:
                guard let d = spec.database(u.name), let ep = endpoint(d, readOnly: u.readOnly, from: t) else { continue }
                if ep.remote {
                    let ips = remoteAddresses(of: d, for: t.environment)
                    if !ips.isEmpty {
                        edge(.service(name), ns, .addresses(ips, except: []), "", [.tcp(5432)], .crossCluster, database: d.name)
                    }
                    continue
                }
                let home = homeEnvironment(of: d, for: t.environment).map { Plan.namespace(spec: spec, environment: $0.name) } ?? ns
                let pooled = ep.host.hasPrefix("\(d.name)-pooler-")
                edge(
                    .service(name), ns, pooled ? .pooler(d.name) : .databaseInstances(d.name), home, [.tcp(5432)], .database,
                    database: d.name)
            }
        }
        if objectStorage {
            edge(.service(name), ns, .addresses(["0.0.0.0/0"], except: Plan.privateRanges), "", [.tcp(443)], .objectStorage)
        }
    }

    /// A database whose instances live here: replication, the operator, monitoring, the API
    /// server, backups, the pooler, and clients from other namespaces or clusters.
    private func databaseEdges(_ d: Database, role: DatabaseRole, in t: Target, into edge: inout EdgeCollector) {
        let ns = t.namespace
        let inst = TrafficEdge.Peer.databaseInstances(d.name)
        edge(inst, ns, inst, ns, [.tcp(5432), .tcp(8000)], .replication)
        edge(.namespace(Plan.operatorNamespace), Plan.operatorNamespace, inst, ns, [.tcp(5432), .tcp(8000)], .operatorControl)
        edge(.namespace(scrapeNamespace), scrapeNamespace, inst, ns, [.tcp(9187)], .monitoring)
        edge(inst, ns, .apiServer, "", [.tcp(443), .tcp(6443)], .apiServer)
        if d.backup != nil {
            edge(inst, ns, .addresses(["0.0.0.0/0"], except: Plan.privateRanges), "", [.tcp(443)], .objectStorage)
        }
        // Clients in other namespaces of this cluster (shared databases).
        for other in targets where other.cluster.name == t.cluster.name && other.namespace != ns {
            for p in other.placements {
                for u in p.service.uses where u.kind == .database && u.name == d.name {
                    guard let ep = endpoint(d, readOnly: u.readOnly, from: other), !ep.remote else { continue }
                    let pooled = ep.host.hasPrefix("\(d.name)-pooler-")
                    edge(
                        .service(p.service.name), other.namespace, pooled ? .pooler(d.name) : inst, ns, [.tcp(5432)], .database,
                        database: d.name)
                }
            }
        }
        if case .primary = role, d.pooler != nil {
            let pooler = TrafficEdge.Peer.pooler(d.name)
            edge(pooler, ns, inst, ns, [.tcp(5432)], .database)
            edge(.namespace(Plan.operatorNamespace), Plan.operatorNamespace, pooler, ns, [.tcp(5432), .tcp(9127)], .operatorControl)
            edge(pooler, ns, .apiServer, "", [.tcp(443), .tcp(6443)], .apiServer)
        }
        if case .primary = role, let r = remoteEndpoint(of: d, for: t.environment), r.cluster == t.cluster.name {
            let sources = r.clientClusters.flatMap { c in ["\(c)/vpc", "\(c)/pods"].compactMap { ipPlanCIDR($0) } }
            let entry: TrafficEdge.Peer = remoteTarget(d)
            if !sources.isEmpty { edge(.addresses(sources, except: []), "", entry, ns, [.tcp(5432)], .crossCluster) }
        }
    }

    /// What the cross-cluster load balancer sends traffic to: the pooler when there is one,
    /// else the instances (the Service selects the primary among them).
    func remoteTarget(_ d: Database) -> TrafficEdge.Peer {
        spec.scaling.connectionPooling && d.pooler != nil ? .pooler(d.name) : .databaseInstances(d.name)
    }

    /// The planned load-balancer addresses of a database's cross-cluster path (host addresses).
    public func remoteAddresses(of d: Database, for env: Environment) -> [String] {
        guard let home = homeEnvironment(of: d, for: env), let r = remoteEndpoint(of: d, for: home) else { return [] }
        return r.addresses.compactMap { ipPlanCIDR($0.key) }
    }

    /// The planned prefix under an IP plan key, as text.
    func ipPlanCIDR(_ key: String) -> String? { ipPlan?.entry(key).map { $0.prefix.description } }

    static let operatorNamespace = "cnpg-system"
    static let monitoringNamespace = "monitoring"
}
