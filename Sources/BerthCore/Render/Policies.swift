import BerthNet

/// NetworkPolicies, derived from the plan's traffic graph (`Plan.traffic(_:)`): the namespace
/// denies everything, then each workload admits exactly the edges that end at it and opens
/// exactly the edges that start at it.
extension Renderer {
    /// The traffic graph of every target, split by the local end of each edge. Built once per
    /// render; every policy, mesh rule and document reads it.
    struct TrafficIndex: Sendable {
        struct Local: Sendable {
            var ingress: [TrafficEdge.Peer: [TrafficEdge]] = [:]
            var egress: [TrafficEdge.Peer: [TrafficEdge]] = [:]
        }
        var byTarget: [String: Local] = [:]

        init(plan: Plan) {
            let perTarget = parallelMap(0..<plan.targets.count) { plan.traffic(plan.targets[$0]) }
            for (ti, edges) in perTarget.enumerated() {
                let t = plan.targets[ti]
                var local = Local()
                for e in edges {
                    if e.toNamespace == t.namespace { local.ingress[e.to, default: []].append(e) }
                    if e.fromNamespace == t.namespace { local.egress[e.from, default: []].append(e) }
                }
                byTarget[TrafficIndex.key(t)] = local
            }
        }

        static func key(_ t: Target) -> String { "\(t.cluster.name)/\(t.namespace)" }

        func ingress(_ peer: TrafficEdge.Peer, _ t: Target) -> [TrafficEdge] { byTarget[TrafficIndex.key(t)]?.ingress[peer] ?? [] }
        func egress(_ peer: TrafficEdge.Peer, _ t: Target) -> [TrafficEdge] { byTarget[TrafficIndex.key(t)]?.egress[peer] ?? [] }
    }

    /// The pod selector of a peer that is a set of pods.
    static func podLabels(_ peer: TrafficEdge.Peer) -> JSONValue? {
        switch peer {
        case .service(let n): ["app.kubernetes.io/name": .string(n)]
        case .databaseInstances(let d): ["cnpg.io/cluster": .string(d)]
        case .pooler(let d): ["cnpg.io/poolerName": .string("\(d)-pooler-rw")]
        case .gateway(let g): ["gateway.networking.k8s.io/gateway-name": .string(g)]
        case .allPods: [:]
        case .pods(_, let labels): .object(labels.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) })
        case .namespace, .addresses, .apiServer: nil
        }
    }

    /// The NetworkPolicy peers (`from` or `to` entries) for the far end of an edge, seen from
    /// namespace `here`; nil means any address (a rule without `to`).
    func policyPeers(_ peer: TrafficEdge.Peer, namespace: String, here: String, cluster: Cluster) -> [JSONValue]? {
        func inNamespace(_ pods: JSONValue?) -> JSONValue {
            var o: [(String, JSONValue)] = []
            if namespace != here { o.append(("namespaceSelector", ["matchLabels": ["kubernetes.io/metadata.name": .string(namespace)]])) }
            if let pods { o.append(("podSelector", ["matchLabels": pods])) }
            return .object(o)
        }
        switch peer {
        case .namespace(let n):
            return [["namespaceSelector": ["matchLabels": ["kubernetes.io/metadata.name": .string(n)]]]]
        case .addresses(let cidrs, let except):
            return cidrs.map { cidr in
                let inside = except.filter { e in
                    guard let outer = try? IPPrefix(cidr), let inner = try? IPPrefix(e) else { return false }
                    return outer.contains(inner) && outer != inner
                }
                return inside.isEmpty
                    ? ["ipBlock": ["cidr": .string(cidr)]]
                    : ["ipBlock": ["cidr": .string(cidr), "except": .array(inside.map { .string($0) })]]
            }
        case .apiServer:
            // Managed control planes expose their endpoints inside the cluster's VPC (on AKS:
            // API Server VNet Integration, an internal address in a delegated subnet of the VNet).
            return plan.ipPlanCIDR("\(cluster.name)/vpc").map { [["ipBlock": ["cidr": .string($0)]]] }
        default:
            return [inNamespace(Renderer.podLabels(peer))]
        }
    }

    /// Rules from edges: edges with the same ports and purpose share one rule, in graph order.
    func policyRules(_ edges: [TrafficEdge], ingress: Bool, in t: Target) -> [JSONValue] {
        // `seen`: the peers of a rule so far, so a peer named by several edges is added once
        // without comparing it with every peer before it.
        var rules: [(ports: [TrafficEdge.Port], purpose: TrafficEdge.Purpose, peers: [JSONValue]?, seen: Set<JSONValue>)] = []
        for e in edges {
            let far = ingress ? e.from : e.to
            let farNS = ingress ? e.fromNamespace : e.toNamespace
            let peers = policyPeers(far, namespace: farNS, here: t.namespace, cluster: t.cluster)
            if let i = rules.firstIndex(where: { $0.ports == e.ports && $0.purpose == e.purpose }),
                rules[i].peers != nil, let add = peers
            {
                for p in add where rules[i].seen.insert(p).inserted { rules[i].peers?.append(p) }
            } else {
                rules.append((e.ports, e.purpose, peers, Set(peers ?? [])))
            }
        }
        return rules.map { r in
            var o: [(String, JSONValue)] = []
            if let peers = r.peers { o.append((ingress ? "from" : "to", .array(peers))) }
            o.append(("ports", .array(r.ports.map { ["protocol": .string($0.proto), "port": .int($0.number)] })))
            return .object(o)
        }
    }

    /// The NetworkPolicy of one local peer: exactly its edges in and out.
    func networkPolicy(_ peer: TrafficEdge.Peer, name: String, labels: JSONValue, in t: Target) -> JSONValue {
        [
            "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": meta(name, t.namespace, labels: labels),
            "spec": [
                "podSelector": ["matchLabels": Renderer.podLabels(peer) ?? [:]],
                "policyTypes": ["Ingress", "Egress"],
                "ingress": .array(policyRules(traffic.ingress(peer, t), ingress: true, in: t)),
                "egress": .array(policyRules(traffic.egress(peer, t), ingress: false, in: t)),
            ],
        ]
    }

    /// Deny everything in the namespace, then open what every pod needs (DNS, and the mesh's
    /// control plane), one policy per purpose.
    func baselinePolicies(_ t: Target) -> [JSONValue] {
        let labels = namespaceLabels(t)
        var docs: [JSONValue] = [
            [
                "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                "metadata": meta("default-deny", t.namespace, labels: labels),
                "spec": ["podSelector": [:], "policyTypes": ["Ingress", "Egress"]],
            ]
        ]
        let shared = traffic.egress(.allPods, t)
        for purpose in [TrafficEdge.Purpose.dns, .mesh] {
            let edges = shared.filter { $0.purpose == purpose }
            guard !edges.isEmpty else { continue }
            docs.append([
                "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                "metadata": meta(purpose == .dns ? "allow-dns" : "allow-mesh-control-plane", t.namespace, labels: labels),
                "spec": ["podSelector": [:], "policyTypes": ["Egress"], "egress": .array(policyRules(edges, ingress: false, in: t))],
            ])
        }
        if usesGateway, !traffic.ingress(.gateway(plan.gatewayName), t).isEmpty {
            docs.append(networkPolicy(.gateway(plan.gatewayName), name: "gateway-data-plane", labels: labels, in: t))
        }
        return docs
    }

    /// Services whose pods may call `p` (talksTo edges inside the namespace), sorted.
    func callers(of p: Placement, in t: Target) -> [String] {
        traffic.ingress(.service(p.service.name), t).compactMap { e -> String? in
            guard e.purpose == .talksTo, e.fromNamespace == t.namespace, case .service(let n) = e.from else { return nil }
            return n
        }.sorted()
    }
}
