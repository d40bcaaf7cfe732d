import BerthNet

/// NetworkPolicies, the gateway and routes, certificates and DNS names.
extension Renderer {
    // MARK: gateway

    var usesGateway: Bool { plan.usesGateway }

    func tlsEnabled(_ p: Placement) -> Bool { p.publicRoute?.tls == true && spec.security.tls != nil }

    /// One Gateway per environment namespace with an HTTP listener and an HTTPS listener per
    /// TLS host, plus the HTTP-to-HTTPS redirect.
    func gateway(_ t: Target) -> [JSONValue] {
        let publics = t.placements.filter { $0.hostname != nil }
        guard usesGateway, !publics.isEmpty else { return [] }
        let sameNS: JSONValue = ["namespaces": ["from": "Same"]]
        var listeners: [JSONValue] = [["name": "http", "protocol": "HTTP", "port": 80, "allowedRoutes": sameNS]]
        var tlsHosts: [JSONValue] = []
        for p in publics where tlsEnabled(p) {
            guard let host = p.hostname else { continue }
            tlsHosts.append(.string(host))
            listeners.append([
                "name": .string("\(p.service.name)-https"),
                "hostname": .string(host),
                "protocol": "HTTPS",
                "port": 443,
                "tls": ["mode": "Terminate", "certificateRefs": [["kind": "Secret", "name": .string("\(p.service.name)-tls")]]],
                "allowedRoutes": sameNS,
            ])
        }
        var gatewaySpec: [(String, JSONValue)] = [("gatewayClassName", .string(spec.network.ingress.className))]
        let addresses: [JSONValue] = ingressAddresses(t).map { ["type": "IPAddress", "value": .string($0)] }
        if spec.provider.name == .gcp {
            gatewaySpec += gkeGatewayInfrastructure(t)
        } else if spec.provider.name == .azure {
            gatewaySpec.append(("infrastructure", ["annotations": .object(azureGatewayAnnotations(t))]))
        } else if !addresses.isEmpty {
            gatewaySpec.append(("addresses", .array(addresses)))
        }
        gatewaySpec.append(("listeners", .array(listeners)))
        var docs: [JSONValue] = [
            [
                "apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
                // No external-dns annotations here: its gateway-httproute source takes the
                // hostnames from the HTTPRoutes (spec.hostnames) and their annotations.
                "metadata": meta(spec.platform, t.namespace, labels: namespaceLabels(t)),
                "spec": .object(gatewaySpec),
            ]
        ]
        if !tlsHosts.isEmpty {
            docs.append([
                "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
                "metadata": meta(
                    "https-redirect", t.namespace, labels: namespaceLabels(t),
                    annotations: .object(dnsAnnotations(hosts: tlsHosts.compactMap(\.stringValue), cluster: t.cluster))),
                "spec": [
                    "parentRefs": [["name": .string(spec.platform), "sectionName": "http"]],
                    "hostnames": .array(tlsHosts),
                    "rules": [["filters": [["type": "RequestRedirect", "requestRedirect": ["scheme": "https", "statusCode": 301]]]]],
                ],
            ])
        }
        return docs
    }

    /// Planned static addresses with role `ingress` for this environment on this cluster.
    func ingressAddresses(_ t: Target) -> [String] {
        guard let ipPlan else { return [] }
        let envsHere = spec.environments.filter { $0.clusters.contains { $0.value == t.cluster.name } }
        return spec.network.statics.filter { st in
            st.role == "ingress" && st.cluster.value == t.cluster.name
                && (st.environment?.value ?? (envsHere.count == 1 ? envsHere[0].name : "")) == t.environment.name
        }.compactMap { st in
            ipPlan.entry("static/\(st.name)").map { "\($0.prefix.address)" }
        }
    }

    /// external-dns annotations of a route (HTTPRoute or Ingress) serving `hosts` on cluster
    /// `c`: the record TTL and, when one of the hosts is served by more than one cluster and
    /// the DNS provider is route53, latency-based routing: a set identifier per cluster and
    /// the cluster's region, so Route 53 answers each client with the nearest cluster. Other
    /// providers have no per-cluster routing in external-dns (`berth check` warns).
    func dnsAnnotations(hosts: [String], cluster c: Cluster) -> [(String, JSONValue)] {
        var a: [(String, JSONValue)] = [("external-dns.alpha.kubernetes.io/ttl", .string(String(spec.network.dns.ttl)))]
        if spec.network.dns.provider == "route53", hosts.contains(where: { sharedHosts[$0] != nil }) {
            a.append(("external-dns.alpha.kubernetes.io/set-identifier", .string(c.name)))
            a.append(("external-dns.alpha.kubernetes.io/aws-region", .string(c.region.value)))
        }
        return a
    }

    /// The route, certificate and DNS for a public service.
    func exposure(_ p: Placement, _ t: Target) -> [JSONValue] {
        guard let host = p.hostname, let route = p.publicRoute, let port = p.service.port else { return [] }
        var docs: [JSONValue] = []
        let tls = tlsEnabled(p)
        if tls {
            docs.append([
                "apiVersion": "cert-manager.io/v1", "kind": "Certificate",
                "metadata": meta("\(p.service.name)-tls", t.namespace, labels: labels(p, t, withVersion: false)),
                "spec": [
                    "secretName": .string("\(p.service.name)-tls"),
                    "dnsNames": [.string(host)],
                    "issuerRef": ["name": .string(issuerName), "kind": "ClusterIssuer", "group": "cert-manager.io"],
                    "privateKey": ["algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always"],
                    "duration": "2160h",
                    "renewBefore": "720h",
                ],
            ])
        }
        let paths = route.paths.map { $0.hasSuffix("*") ? String($0.dropLast()) : $0 }
        if usesGateway {
            let matches: [JSONValue] = paths.map { ["path": ["type": "PathPrefix", "value": .string($0)]] }
            var rule: [(String, JSONValue)] = [("matches", .array(matches))]
            if hasEdgePolicy {
                rule.append(
                    (
                        "filters",
                        [
                            [
                                "type": "ExtensionRef",
                                "extensionRef": [
                                    "group": "gateway.nginx.org", "kind": "SnippetsFilter", "name": "edge-policy",
                                ],
                            ]
                        ]
                    ))
            }
            rule.append(("backendRefs", [["name": .string(p.service.name), "port": .int(port)]]))
            docs.append([
                "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
                "metadata": meta(
                    p.service.name, t.namespace, labels: labels(p, t, withVersion: false),
                    annotations: .object(dnsAnnotations(hosts: [host], cluster: t.cluster))),
                "spec": [
                    "parentRefs": [["name": .string(spec.platform), "sectionName": .string(tls ? "\(p.service.name)-https" : "http")]],
                    "hostnames": [.string(host)],
                    "rules": [.object(rule)],
                ],
            ])
        } else {
            let httpPaths: [JSONValue] = paths.map {
                [
                    "path": .string($0), "pathType": "Prefix",
                    "backend": ["service": ["name": .string(p.service.name), "port": ["number": .int(port)]]],
                ]
            }
            var ingressSpec: [(String, JSONValue)] = [
                ("ingressClassName", .string(spec.network.ingress.className))
            ]
            if tls { ingressSpec.append(("tls", [["hosts": [.string(host)], "secretName": .string("\(p.service.name)-tls")]])) }
            ingressSpec.append(("rules", [["host": .string(host), "http": ["paths": .array(httpPaths)]]]))
            docs.append([
                "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                "metadata": meta(
                    p.service.name, t.namespace, labels: labels(p, t, withVersion: false),
                    annotations: .object(
                        [("external-dns.alpha.kubernetes.io/hostname", .string(host))]
                            + dnsAnnotations(hosts: [host], cluster: t.cluster) + ingressNginxAnnotations())),
                "spec": .object(ingressSpec),
            ])
        }
        return docs
    }
}

/// First line against floods and the load-balancing strategy at the edge.
extension Renderer {
    /// ingress-nginx annotations for `api: ingress`: per-client-IP request rate, burst (as
    /// the multiplier ingress-nginx takes, rounded up) and concurrent connections; and the
    /// balancing strategy (`round_robin`, `ewma` for least-request, a consistent hash of the
    /// client address for ring-hash).
    func ingressNginxAnnotations() -> [(String, JSONValue)] {
        var a: [(String, JSONValue)] = []
        if let r = spec.network.ingress.rateLimit {
            let multiplier = max(1, (r.burst + r.rps - 1) / r.rps)
            a += [
                ("nginx.ingress.kubernetes.io/limit-rps", .string(String(r.rps))),
                ("nginx.ingress.kubernetes.io/limit-burst-multiplier", .string(String(multiplier))),
                ("nginx.ingress.kubernetes.io/limit-connections", .string(String(r.connections))),
            ]
        }
        switch spec.network.loadBalancing {
        case "least-request": a.append(("nginx.ingress.kubernetes.io/load-balance", "ewma"))
        case "ring-hash": a.append(("nginx.ingress.kubernetes.io/upstream-hash-by", "$binary_remote_addr"))
        default: a.append(("nginx.ingress.kubernetes.io/load-balance", "round_robin"))
        }
        return a
    }

    /// Rate limits or a TLS minimum version to apply at the gateway.
    var hasEdgePolicy: Bool { spec.network.ingress.rateLimit != nil || spec.security.tls != nil }

    /// For Gateway API on NGINX Gateway Fabric: one SnippetsFilter `edge-policy` per
    /// namespace with `limit_req_zone`/`limit_conn_zone` (http context, zones named per
    /// namespace), `ssl_protocols` from `security.tls.minVersion` (server context) and
    /// `limit_req`/`limit_conn` (location context); every public HTTPRoute rule refers to it.
    /// NGINX Gateway Fabric applies snippets only when installed with snippets enabled.
    func rateLimitFilter(_ t: Target) -> [JSONValue] {
        guard usesGateway, hasEdgePolicy, t.placements.contains(where: { $0.hostname != nil }) else { return [] }
        let zone = String(t.namespace.map { $0 == "-" ? "_" : $0 })
        var snippets: [JSONValue] = []
        if let r = spec.network.ingress.rateLimit {
            snippets.append([
                "context": "http",
                "value": .string(
                    "limit_req_zone $binary_remote_addr zone=\(zone)_rps:10m rate=\(r.rps)r/s; limit_conn_zone $binary_remote_addr zone=\(zone)_conn:10m;"
                ),
            ])
        }
        if spec.security.tls != nil {
            snippets.append(["context": "http.server", "value": .string("ssl_protocols \(sslProtocols);")])
        }
        if let r = spec.network.ingress.rateLimit {
            snippets.append([
                "context": "http.server.location",
                "value": .string(
                    "limit_req zone=\(zone)_rps burst=\(r.burst) nodelay; limit_conn \(zone)_conn \(r.connections); limit_req_status 429; limit_conn_status 429;"
                ),
            ])
        }
        return [
            [
                "apiVersion": "gateway.nginx.org/v1alpha1", "kind": "SnippetsFilter",
                "metadata": meta("edge-policy", t.namespace, labels: namespaceLabels(t)),
                "spec": ["snippets": .array(snippets)],
            ]
        ]
    }
}

/// MetalLB on own hardware: per cluster an IPAddressPool `<platform>` holding the IP plan's
/// load-balancer ranges of that cluster for automatic assignment, an IPAddressPool
/// `<platform>-requested` (`autoAssign: false`) holding the addresses that objects request by
/// name, and an L2Advertisement announcing both. The ranges are the cluster's public subnets
/// (one per zone: the subnets the planner keeps for load balancers), less the static addresses
/// that are not for load balancers (`role: egress`, `bastion`, `other`) and less the requested
/// addresses. Those are the load-balancer addresses the plan names: a `role: ingress` static
/// (the Gateway's address) and the internal load balancers of cross-cluster database paths.
/// Kept out of the automatic pool, no other LoadBalancer Service can be handed one of them
/// before the object that asks for it exists. The reference check verifies that every
/// requested address lies in a pool that does not assign it on its own.
extension Renderer {
    /// The IP plan's load-balancer ranges of cluster `c` for automatic assignment, in zone order,
    /// and the single addresses that objects request by name.
    func loadBalancerPools(_ c: Cluster) -> (auto: [IPPrefix], requested: [IPPrefix]) {
        guard let ipPlan else { return ([], []) }
        var ranges = c.zones.compactMap { z in ipPlan.entry("\(c.name)/\(z.value)/public").map(\.prefix) }
        let statics = spec.network.statics.filter { $0.cluster.value == c.name }
        var lbKeys = statics.filter { $0.role == "ingress" }.map { "static/\($0.name)" }
        for r in plan.remoteEndpoints where r.cluster == c.name { lbKeys += r.addresses.map(\.key) }
        var requested: [IPPrefix] = []
        for key in lbKeys {
            guard let a = ipPlan.entry(key)?.prefix, !requested.contains(a) else { continue }
            requested.append(a)
        }
        let reserved = statics.filter { $0.role != "ingress" }.compactMap { ipPlan.entry("static/\($0.name)")?.prefix }
        for r in reserved + requested {
            ranges = ranges.flatMap { p -> [IPPrefix] in
                guard p.contains(r) else { return [p] }
                return (try? p.exclude(r)) ?? [p]
            }
        }
        return (IPPrefix.collapse(ranges), requested.sorted())
    }

    func metallbObjects(_ c: Cluster) -> [JSONValue] {
        guard spec.provider.name == .onprem else { return [] }
        let (auto, requested) = loadBalancerPools(c)
        let ns = addonRelease("metallb")?.namespace ?? "metallb-system"
        let labels: JSONValue = ["app.kubernetes.io/part-of": .string(spec.platform), "app.kubernetes.io/managed-by": "berth"]
        let pools = [(spec.platform, auto, true), ("\(spec.platform)-requested", requested, false)].filter { !$0.1.isEmpty }
        guard !pools.isEmpty else { return [] }
        var docs: [JSONValue] = pools.map { name, ranges, autoAssign in
            [
                "apiVersion": "metallb.io/v1beta1", "kind": "IPAddressPool",
                "metadata": ["name": .string(name), "namespace": .string(ns), "labels": labels],
                "spec": [
                    "addresses": .array(ranges.map { .string($0.description) }), "autoAssign": .bool(autoAssign), "avoidBuggyIPs": true,
                ],
            ]
        }
        docs.append([
            "apiVersion": "metallb.io/v1beta1", "kind": "L2Advertisement",
            "metadata": ["name": .string(spec.platform), "namespace": .string(ns), "labels": labels],
            "spec": ["ipAddressPools": .array(pools.map { .string($0.0) })],
        ])
        return docs
    }
}
