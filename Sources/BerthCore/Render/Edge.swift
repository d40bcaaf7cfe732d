/// Artifacts outside Kubernetes, under `network/` in the output folder:
///
/// - `network/firewall/<cluster>.security-groups.json` (aws): a JSON array of EC2
///   `AuthorizeSecurityGroupIngress` requests, one per target (`bastion`, `nodes`,
///   `ingress`), each with `GroupName` `<platform>-<cluster>-<target>` and the rules'
///   `IpPermissions` (one per port; IPv6 sources as `Ipv6Ranges`); rules with
///   `to: service/<name>` make the group `<platform>-<cluster>-service-<name>` on each
///   cluster the service runs on (its partner load balancer uses it).
/// - `network/firewall/<cluster>-<target>.nft` (onprem): an nftables ruleset per target:
///   default drop on input, established traffic, loopback, ICMP, the platform supernet
///   (node-to-node traffic) and the rules of `network.firewall`.
/// - `network/cdn/<environment>.cloudfront.json` (cdn provider cloudfront): a CloudFront
///   `DistributionConfig` per environment with public hosts: one origin per public host
///   (HTTPS only, TLS 1.2), a default behaviour that caches nothing and one cache
///   behaviour per `network.ingress.cdn.paths` pattern and origin with the CDN TTL.
/// Falco rules are a ConfigMap in each cluster's `_cluster.yaml` (see `falcoRules`).
extension Renderer {
    func edgeArtifacts() -> [Artifact] {
        var out: [Artifact] = []
        out += firewallArtifacts()
        out += cdnArtifacts()
        out += gcpEdgeArtifacts()
        return out
    }

    /// The firewall targets of one cluster: rules whose `to` is a shared target, and rules
    /// naming the cluster (which protect its nodes).
    func firewallRules(for c: Cluster) -> [(target: String, rules: [Network.FirewallRule])] {
        var byTarget: [String: [Network.FirewallRule]] = [:]
        for f in spec.network.firewall {
            let target = f.to.value == c.name ? "nodes" : f.to.value
            if target.hasPrefix("service/") {
                // A service's partner rule, on the clusters the service runs on.
                let name = String(target.dropFirst(8))
                guard plan.targets.contains(where: { $0.cluster.name == c.name && $0.placements.contains { $0.service.name == name } })
                else { continue }
                byTarget["service-\(name)", default: []].append(f)
                continue
            }
            guard ["bastion", "nodes", "ingress"].contains(target) else { continue }
            byTarget[target, default: []].append(f)
        }
        // The cross-cluster database paths that end in this cluster: PostgreSQL from each
        // client cluster's VPC and pod range to the nodes behind the internal load balancer.
        for r in plan.remoteEndpoints where r.cluster == c.name {
            for client in r.clientClusters {
                for key in ["\(client)/vpc", "\(client)/pods"] {
                    guard let cidr = plan.ipPlanCIDR(key) else { continue }
                    let loc = spec.database(r.database)?.topology.location ?? c.location
                    byTarget["nodes", default: []].append(
                        Network.FirewallRule(
                            name: "database-\(r.database)-\(r.environment)-from-\(client)", from: Located(cidr, loc), ports: [5432],
                            proto: "tcp", to: Located(c.name, loc)))
                }
            }
        }
        return byTarget.keys.sorted().map { ($0, byTarget[$0] ?? []) }
    }

    func firewallArtifacts() -> [Artifact] {
        var out: [Artifact] = []
        for c in spec.clusters.sorted(by: { $0.name < $1.name }) {
            let targets = firewallRules(for: c)
            guard !targets.isEmpty else { continue }
            switch spec.provider.name {
            case .aws:
                let requests: [JSONValue] = targets.map { target, rules in
                    var perms: [JSONValue] = []
                    for f in rules {
                        let v6 = f.from.value.contains(":")
                        for port in f.ports {
                            let range: JSONValue =
                                v6
                                ? ["CidrIpv6": .string(f.from.value), "Description": .string(f.name)]
                                : ["CidrIp": .string(f.from.value), "Description": .string(f.name)]
                            perms.append([
                                "IpProtocol": .string(f.proto), "FromPort": .int(port), "ToPort": .int(port),
                                (v6 ? "Ipv6Ranges" : "IpRanges"): [range],
                            ])
                        }
                    }
                    return ["GroupName": .string("\(spec.platform)-\(c.name)-\(target)"), "IpPermissions": .array(perms)]
                }
                out.append(
                    Artifact(
                        path: "network/firewall/\(c.name).security-groups.json",
                        contents: JSONValue.array(requests).serialized(pretty: true) + "\n", objects: 0))
            case .onprem:
                for (target, rules) in targets {
                    out.append(Artifact(path: "network/firewall/\(c.name)-\(target).nft", contents: nftables(c, target, rules), objects: 0))
                }
            case .gcp:
                out.append(gcpFirewalls(c, targets))
            case .azure:
                continue
            }
        }
        return out
    }

    func nftables(_ c: Cluster, _ target: String, _ rules: [Network.FirewallRule]) -> String {
        let table = "berth_" + String(target.map { $0 == "-" ? "_" : $0 })
        var s = "#!/usr/sbin/nft -f\n"
        s += "# Generated by berth from the platform spec: \(target) hosts of cluster \(c.name). Do not edit.\n"
        s += "table inet \(table)\nflush table inet \(table)\n\n"
        s += "table inet \(table) {\n"
        s += "\tchain input {\n"
        s += "\t\ttype filter hook input priority filter; policy drop;\n"
        s += "\t\tct state established,related accept\n"
        s += "\t\tct state invalid drop\n"
        s += "\t\tiifname \"lo\" accept\n"
        s += "\t\tmeta l4proto { icmp, ipv6-icmp } accept\n"
        s += "\t\tip saddr \(spec.network.supernet.value) accept comment \"platform supernet\"\n"
        for f in rules {
            let family = f.from.value.contains(":") ? "ip6" : "ip"
            let ports = f.ports.map(String.init).joined(separator: ", ")
            s += "\t\t\(family) saddr \(f.from.value) \(f.proto) dport { \(ports) } accept comment \"\(f.name)\"\n"
        }
        s += "\t}\n}\n"
        return s
    }

    /// Each environment's first target with the HTTPS hosts a CDN may front there, sorted;
    /// environments without one are left out. The team server's API carries tokens and is
    /// never cached: it stays off the CDN.
    func cdnHostsByEnvironment() -> [(target: Target, hosts: [String])] {
        var out: [(Target, [String])] = []
        var seen: Set<String> = []
        for t in plan.targets where seen.insert(t.environment.name).inserted {
            let hosts = Array(
                Set(t.placements.compactMap { p in p.publicRoute?.tls == true && !p.service.isIPAMServer ? p.hostname : nil })
            ).sorted()
            if !hosts.isEmpty { out.append((t, hosts)) }
        }
        return out
    }

    func cdnArtifacts() -> [Artifact] {
        guard let cdn = spec.network.ingress.cdn, cdn.provider == "cloudfront", !cdn.paths.isEmpty else { return [] }
        var out: [Artifact] = []
        for (t, hosts) in cdnHostsByEnvironment() {
            guard let first = hosts.first else { continue }
            let origins: [JSONValue] = hosts.map { host in
                [
                    "Id": .string(host), "DomainName": .string(host),
                    "CustomOriginConfig": [
                        "HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only",
                        "OriginSslProtocols": ["Quantity": 1, "Items": ["TLSv1.2"]],
                    ],
                ]
            }
            func behaviour(origin: String, ttl: Int, path: String?) -> JSONValue {
                var b: [(String, JSONValue)] = []
                if let path { b.append(("PathPattern", .string(path))) }
                b += [
                    ("TargetOriginId", .string(origin)),
                    ("ViewerProtocolPolicy", "redirect-to-https"),
                    ("Compress", true),
                    (
                        "ForwardedValues",
                        path == nil
                            ? ["QueryString": true, "Cookies": ["Forward": "all"], "Headers": ["Quantity": 1, "Items": ["*"]]]
                            : ["QueryString": false, "Cookies": ["Forward": "none"]]
                    ),
                    ("MinTTL", .int(0)), ("DefaultTTL", .int(ttl)), ("MaxTTL", .int(max(ttl, path == nil ? 0 : ttl))),
                ]
                return .object(b)
            }
            var behaviours: [JSONValue] = []
            for host in hosts {
                for path in cdn.paths { behaviours.append(behaviour(origin: host, ttl: cdn.ttl, path: path)) }
            }
            let config: JSONValue = [
                "CallerReference": .string("berth-\(spec.platform)-\(t.environment.name)"),
                "Comment": .string("\(spec.platform) \(t.environment.name): cached paths \(cdn.paths.joined(separator: " "))"),
                "Enabled": true,
                "Origins": ["Quantity": .int(origins.count), "Items": .array(origins)],
                "DefaultCacheBehavior": behaviour(origin: first, ttl: 0, path: nil),
                "CacheBehaviors": ["Quantity": .int(behaviours.count), "Items": .array(behaviours)],
                "PriceClass": "PriceClass_100",
                "HttpVersion": "http2and3",
                "ViewerCertificate": ["CloudFrontDefaultCertificate": true, "MinimumProtocolVersion": "TLSv1.2_2021"],
            ]
            out.append(
                Artifact(
                    path: "network/cdn/\(t.environment.name).cloudfront.json",
                    contents: config.serialized(pretty: true) + "\n", objects: 0))
        }
        return out
    }

    /// Falco rules for the platform's namespaces on one cluster, as a ConfigMap in the
    /// `falco` namespace (mount it with the Falco Helm chart's `customRules`, or reference
    /// it from `falco.rules_files`). Uses macros of Falco's default rules
    /// (`spawned_process`, `container`, `shell_procs`, `outbound`).
    func falcoRules(_ c: Cluster) -> [JSONValue] {
        guard spec.network.ids.enabled else { return [] }
        let namespaces = plan.targets.filter { $0.cluster.name == c.name }.map(\.namespace)
        guard !namespaces.isEmpty else { return [] }
        let rules = """
            - macro: berth_namespaces
              condition: k8s.ns.name in (\(namespaces.joined(separator: ", ")))
            - rule: berth shell in a platform container
              desc: An interactive shell started in a container of a berth-managed namespace.
              condition: spawned_process and container and shell_procs and proc.tty != 0 and berth_namespaces
              output: Shell in a platform container (user=%user.name ns=%k8s.ns.name pod=%k8s.pod.name cmdline=%proc.cmdline)
              priority: WARNING
              tags: [berth, shell, mitre_execution]
            - rule: berth unexpected outbound connection
              desc: A platform pod connected to a public address on a port other than HTTPS, which its NetworkPolicy does not declare.
              condition: outbound and container and berth_namespaces and not fd.snet in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16") and not fd.rport in (443, 53)
              output: Unexpected outbound connection (ns=%k8s.ns.name pod=%k8s.pod.name connection=%fd.name)
              priority: NOTICE
              tags: [berth, network, mitre_exfiltration]
            - rule: berth write to a read-only path
              desc: A process in a platform container opened a file for writing outside /tmp and mounted volumes (the root filesystem is read-only).
              condition: open_write and container and berth_namespaces and not fd.name startswith /tmp/ and not fd.name startswith /var/run/secrets/ and not fd.name startswith /dev/
              output: Write outside writable paths (ns=%k8s.ns.name pod=%k8s.pod.name file=%fd.name)
              priority: WARNING
              tags: [berth, filesystem]

            """
        return [
            [
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": [
                    "name": "berth-falco-rules", "namespace": "falco",
                    "labels": ["app.kubernetes.io/part-of": .string(spec.platform), "app.kubernetes.io/managed-by": "berth"],
                ],
                "data": ["berth_rules.yaml": .string(rules)],
            ]
        ]
    }
}
