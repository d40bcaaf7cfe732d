import BerthNet
import Foundation

/// What the template's "Networking Configuration" says: the functions that answer its bullets, its summary and
/// its sections' tables; `HostingCatalogue.swift` names the place each one fills.
extension HostingDoc {
    /// The paragraph under "Networking Configuration".
    func networkingConfigurationSummary() -> String {
        return
            "Every range comes from the \(spec.network.supernet.value) supernet\(spec.network.ipv6.map { " and the \($0.value) IPv6 range" } ?? ""); traffic enters through \(spec.network.ingress.api == .gateway ? "a Gateway API Gateway" : "an Ingress") of class \(code(spec.network.ingress.className)) and, inside the clusters, \(spec.security.networkPolicy == .defaultDeny ? "all traffic is denied except the declared edges" : "NetworkPolicies are not enforced (security.networkPolicy: none)")."
    }

    // MARK: Service Communication

    func internalServiceDiscovery() -> String {
        return
            "Cluster DNS: a service is `<service>.<platform>-<environment>.svc.cluster.local` (or just `<service>` inside its namespace); services reach only what they declare in `talksTo` and `uses`."
    }

    func dnsConfiguration() -> String {
        let net = spec.network
        return
            "external-dns (\(code(net.dns.provider))) publishes public hosts\(net.dns.zones.isEmpty ? "" : " into \(list(net.dns.zones.map { code($0.value) }))") with TTL \(net.dns.ttl) s, from \(net.ingress.api == .gateway ? "the hostnames of the HTTPRoutes (gateway-httproute source; TTL and routing annotations on each route)" : "the hostname annotations on the Ingresses")."
    }

    func serviceMesh() -> String {
        let net = spec.network
        switch net.mesh {
        case .istio:
            return
                "Istio: namespaces are labelled for sidecar injection, PeerAuthentication requires mTLS (STRICT), and each service has an AuthorizationPolicy that admits exactly its NetworkPolicy callers' identities and the gateway, plus a DestinationRule with ISTIO_MUTUAL."
        case .linkerd:
            return
                "Linkerd: namespaces are injected with an all-authenticated default inbound policy; each service has a Server, a MeshTLSAuthentication listing its callers' identities and an AuthorizationPolicy requiring it."
        default:
            return
                "None (network.mesh: none); traffic inside the cluster is plain, guarded by NetworkPolicies. Set network.mesh to linkerd or istio for mTLS."
        }
    }

    func loadBalancingStrategies() -> String {
        let net = spec.network
        let impl: String
        switch (net.mesh, net.ingress.api) {
        case (.istio, _):
            impl =
                "an Istio DestinationRule (\(net.loadBalancing == "least-request" ? "LEAST_REQUEST" : net.loadBalancing == "ring-hash" ? "consistent hash on the source IP" : "ROUND_ROBIN"))"
        case (.linkerd, _): impl = "Linkerd's EWMA latency balancing, whatever the setting"
        case (_, .ingress): impl = "ingress-nginx annotations"
        default: impl = "the gateway's default round robin (NGINX Gateway Fabric has no balancing setting)"
        }
        return
            "\(net.loadBalancing) between the pods of a service (network.loadBalancing), through \(impl); replicas spread over zones so each zone serves traffic."
    }

    /// The tables and diagrams after "Service Communication".
    func serviceCommunicationBlocks() -> [DocBlock] {
        var rows: [[String]] = []
        for t in plan.targets {
            for p in t.placements where p.hostname != nil {
                rows.append([
                    p.hostname ?? "", t.environment.name, t.cluster.name, p.service.name,
                    p.publicRoute?.tls == true && spec.security.tls != nil
                        ? "\(spec.security.tls?.issuer ?? "") (\(p.service.name)-tls)" : "none",
                ])
            }
        }
        return rows.isEmpty
            ? [] : [.table(header: ["DNS name", "environment", "cluster", "service", "certificate (issuer, secret)"], rows: rows)]
    }

    // MARK: External Access

    func ingressControllerConfiguration() -> String {
        let net = spec.network
        var t =
            net.ingress.api == .gateway
            ? "Gateway API: one Gateway per environment namespace with class \(code(net.ingress.className)), an HTTP listener that redirects to HTTPS and one HTTPS listener per public host; routes are HTTPRoutes."
            : "Ingress objects of class \(code(net.ingress.className))."
        t += " The controller runs in namespace \(code(net.ingress.namespace))."
        if let rl = net.ingress.rateLimit {
            t += " Each client IP is limited to \(rl.rps) requests/s (burst \(rl.burst)) and \(rl.connections) connections."
        }
        return t
    }

    func tlsCertificateManagement() -> String {
        if let tls = spec.security.tls {
            let how: String
            switch tls.issuer {
            case "selfsigned":
                how = "self-signed, trusted by no client"
            case "ca":
                how =
                    "signed by the on-premises CA in Secret \(code("\(Renderer.certManagerNamespace)/\(tls.caSecret)")), which an ExternalSecret copies from the secret store entry \(code("\(spec.platform)/cert-manager/\(tls.caSecret)")); berth never writes the key"
            case "vault":
                let v = tls.vault ?? (address: "", path: "", role: "")
                how =
                    "signed by Vault's PKI engine at \(code(v.address)), path \(code(v.path)); cert-manager logs in through Vault's Kubernetes auth method (mount `kubernetes-<cluster>`, role \(code(v.role))) with tokens of the ServiceAccount \(code("\(Renderer.certManagerNamespace)/\(Renderer.vaultIssuerAccount)")), which a Role lets it request"
            default:
                how = "ACME HTTP-01"
            }
            return
                "cert-manager issues one certificate per public host from the \(code(tls.issuer)) ClusterIssuer (\(how)), ECDSA P-256 keys rotated on renewal, 90-day certificates renewed 30 days early; minimum TLS \(tls.minVersion)."
        }
        return "No issuer is configured (security.tls), so no certificates are issued; production routes are refused without TLS."
    }

    func domainNameSetup() -> String {
        return list(spec.environments.map { "\($0.name) at \(code($0.domain))" })
            + "; a public service answers at `<host>.<domain>` (or the domain itself with `apex: true`)."
    }

    func cdnIntegration() -> String {
        let net = spec.network
        guard let cdn = net.ingress.cdn else { return "None (network.ingress.cdn is not set)." }
        if facts.cdnConfigs.isEmpty {
            return
                "\(cdn.provider) is declared (network.ingress.cdn) but berth renders nothing for it (only cloudfront and cloud-cdn with `paths` are rendered), so no CDN is in the path."
        }
        let routed =
            facts.cdnInPath
            ? "DNS points the public hosts at the distribution."
            : "berth does not create the distribution or point DNS at it: until that is done outside berth, traffic goes straight to the \(net.ingress.api == .gateway ? "Gateway" : "Ingress")."
        if cdn.provider == "cloud-cdn" {
            return
                "berth writes Cloud CDN backend services and a URL map per environment with public TLS hosts (\(list(facts.cdnConfigs.map { code($0) }))), inputs for the cloud that berth does not apply: the cached backend serves \(list(cdn.paths.map { code($0) })) for \(cdn.ttl) s, the other backend passes everything else through uncached, and both sit behind the environment's Cloud Armor policy (network/waf/). \(routed)"
        }
        return
            "berth writes a CloudFront DistributionConfig per environment with public TLS hosts (\(list(facts.cdnConfigs.map { code($0) }))), an input for the cloud that is not applied by berth: origins are the public hosts over HTTPS, \(list(cdn.paths.map { code($0) })) cached for \(cdn.ttl) s, everything else passed through uncached. \(routed)"
    }

    /// The tables and diagrams after "External Access".
    func externalAccessBlocks() -> [DocBlock] {
        let traffic = Diagrams.traffic(spec, cdnInPath: facts.cdnInPath)
        return [
            .diagram(
                title: "Traffic: internet, \(facts.cdnInPath ? "CDN, " : "")gateway, services, databases and buckets",
                mermaid: traffic.mermaid, svgFile: "traffic.svg", svg: traffic.svg)
        ]
    }

    // MARK: Network Security

    func firewallRules() -> String {
        let net = spec.network
        if net.firewall.isEmpty {
            return "No edge rules are declared (network.firewall); only the load balancers are reachable from outside."
        }
        let form =
            spec.provider.name == .aws
            ? " Rendered as EC2 security-group rules (network/firewall/<cluster>.security-groups.json)."
            : (spec.provider.name == .onprem
                ? " Rendered as nftables rulesets with a default drop policy (network/firewall/<cluster>-<target>.nft)."
                : (spec.provider.name == .gcp
                    ? " Rendered as VPC firewall rules on each cluster's VPC network, targeting the bastion's or the nodes' network tag (network/firewall/<cluster>.firewalls.json)."
                    : " Not rendered for \(spec.provider.name.rawValue) yet."))
        return list(
            net.firewall.map {
                "\($0.name): \($0.from.value) to \($0.to.value) on \($0.proto) \($0.ports.map(String.init).joined(separator: ","))"
            }) + "." + form
    }

    func networkPolicies() -> String {
        return facts.hasNetworkPolicies
            ? "Each namespace denies all ingress and egress, allows DNS, then each service allows exactly its declared edges: callers from `talksTo`, the ingress controller to public services, databases and their poolers on 5432 for services that use them, and HTTPS to object storage. The tables below are read from the rendered NetworkPolicies of each environment."
            : "None are rendered (security.networkPolicy: none): every pod can reach every pod, in every namespace, and anything outside the cluster."
    }

    func ddosProtection() -> String {
        let net = spec.network
        if let rl = net.ingress.rateLimit {
            let how =
                net.ingress.api == .ingress
                ? "ingress-nginx limit annotations on each Ingress"
                : "an NGINX Gateway Fabric SnippetsFilter that every public route references"
            return
                "Per-client limits at the edge: \(rl.rps) requests/s, burst \(rl.burst), \(rl.connections) connections (network.ingress.rateLimit), through \(how)\(facts.cdnInPath ? "; the CDN absorbs cached traffic" : "")."
                + (spec.provider.name == .gcp
                    ? " In front of it a Cloud Armor policy per environment throttles each client IP at the same rate and turns on Adaptive Protection against layer 7 DDoS (network/waf/<environment>.cloud-armor.json)."
                    : "")
        }
        return "No rate limits are set (network.ingress.rateLimit); the provider's load balancer is the only line."
    }

    func intrusionDetectionSystems() -> String {
        let net = spec.network
        return net.ids.enabled
            ? "\(net.ids.engine) watches system calls on every node (network.ids); berth ships rules for a shell in a platform container, unexpected outbound connections and writes outside the writable paths (ConfigMap berth-falco-rules in namespace falco)."
            : "None (network.ids.enabled: false)."
    }

    /// The tables and diagrams after "Network Security".
    func networkSecurityBlocks() -> [DocBlock] {
        var blocks: [DocBlock] = []
        if !spec.network.firewall.isEmpty {
            blocks.append(
                .table(
                    header: ["edge rule", "from", "to", "protocol", "ports"],
                    rows: spec.network.firewall.map {
                        [$0.name, $0.from.value, $0.to.value, $0.proto, $0.ports.map(String.init).joined(separator: ", ")]
                    }))
        }
        guard facts.hasNetworkPolicies else {
            blocks.append(.paragraph("No NetworkPolicy is rendered (security.networkPolicy: none): every pod can reach every pod."))
            return blocks
        }
        let graph = Diagrams.policyGraph(plan)
        blocks += policyBlocks()
        blocks.append(.diagram(title: "Network policy graph", mermaid: graph.mermaid, svgFile: "network-policy.svg", svg: graph.svg))
        return blocks
    }

    // MARK: IP Address Management

    func staticIPAllocation() -> String {
        guard let ip = ipPlan else { return "No plan." }
        let statics = ip.entries.filter { $0.kind == .staticAddress }
        return clauses(
            statics, none: "No static addresses are declared (network.static).",
            end: ", pinned in ip-plan.lock. Addresses for anything else come from the ledger: `berth ip reserve`."
        ) {
            "\($0.key.replacingOccurrences(of: "static/", with: "")) = \($0.prefix.address) (\($0.purpose), \($0.cluster ?? "")/\($0.zone ?? ""))"
        }
    }

    func dynamicIPAssignment() -> String {
        let net = spec.network
        return
            "Pods get addresses from each cluster's pod CIDR (/\(net.carve.pods)), one /\(IPPlanner.nodeMaskLength(podsPerNode: net.podsPerNode)) per node for up to \(net.podsPerNode) pods; services from the service CIDR (/\(net.carve.services)); everything else is allocated from the ledger (`berth ip allocate`), best fit, idempotent with request ids and optionally leased."
            + teamServerText
    }

    func ipRangePlanning() -> String {
        let net = spec.network
        return
            "Per cluster a /\(net.carve.vpc) \(spec.provider.name.networkNoun) with a /\(net.carve.publicSubnet) public and a /\(net.carve.privateSubnet) private subnet per zone, a /\(net.carve.pods) pod CIDR and a /\(net.carve.services) service CIDR, all from \(net.supernet.value)\(ipv6Text). The planner packs best-fit, largest first, and never moves a range pinned in ip-plan.lock."
            + foundationNetworkText()
    }

    func addressConservation() -> String {
        let net = spec.network
        guard let ip = ipPlan, let sup = ip.entries.first(where: { $0.kind == .supernet }) else { return "No plan." }
        let used = sup.prefix.addressCount.doubleValue - sup.free.doubleValue
        return String(format: "%.1f%%", 100 * used / max(1, sup.prefix.addressCount.doubleValue))
            + " of \(sup.prefix) is planned; best fit keeps the large free blocks whole. Reserved ranges: \(list(net.reserved.map { "\($0.cidr.value) (\($0.purpose))" }))."
    }

    /// The tables and diagrams after "IP Address Management": the address plan, when there is
    /// one, then the foundation's networks (`foundationNetworkBlocks`).
    func ipAddressManagementBlocks() -> [DocBlock] {
        guard let ip = ipPlan else { return foundationNetworkBlocks() }
        let diagram = Diagrams.ipPlan(ip)
        return [
            .table(
                header: ["range", "purpose", "size", "free"],
                rows: ip.entries.map {
                    [
                        $0.prefix.description, $0.key == "supernet" || $0.key == "supernet6" ? $0.purpose : "\($0.key): \($0.purpose)",
                        IPPlan.countText($0.prefix.addressCount), IPPlan.countText($0.free),
                    ]
                }),
            .diagram(
                title: "IP plan: each supernet and its carved ranges", mermaid: diagram.mermaid, svgFile: "ip-plan.svg",
                svg: diagram.svg),
        ] + foundationNetworkBlocks()
    }
}
