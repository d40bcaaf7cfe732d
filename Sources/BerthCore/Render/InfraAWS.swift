import BerthNet
import Foundation

/// The foundation on AWS, as managed resources of the upjet AWS provider family
/// (`*.aws.upbound.io`, v1beta1 kinds), one folder per Argo CD Application (see `Infra.swift`).
///
/// - Network per cluster: a VPC with the plan's CIDR, a public and a private subnet per zone
///   with the plan's CIDRs (tagged for load balancer discovery), an internet gateway, NAT
///   gateways (one per zone in production, one per network elsewhere) with their Elastic IPs,
///   route tables and associations, and a security group per `network.firewall` target with
///   one ingress rule per source and port. EKS gives pods addresses of the private subnets
///   (VPC CNI), so the plan's pod range is not a VPC range on AWS.
/// - IPv6, where the plan is dual-stack: AWS gives a VPC a private IPv6 range only from a VPC
///   IPAM pool, so `infra/network/_ipam.yaml` holds an IPAM operating in the clusters' regions,
///   a private scope, a pool with the plan's IPv6 supernet and, per cluster, a pool for its
///   region holding exactly the plan's IPv6 range of its VPC; each VPC is associated with that
///   range from its pool, and each subnet gets the plan's IPv6 /64. EKS clusters stay IPv4 (an
///   EKS cluster is single-stack), so the plan's IPv6 pod and service ranges are not applied.
/// - Cluster: the cluster role, the EKS cluster (the spec's version, private endpoint access
///   always, public access unless `endpoint: private`, the plan's service CIDR, secrets
///   encrypted with the region's key, every control-plane log type to a log group kept as
///   long as `security.audit.retention`), the managed add-ons the render relies on (VPC CNI,
///   CoreDNS, kube-proxy, the Pod Identity agent and the EBS CSI driver behind the
///   StorageClasses, with its own role); the node role and one managed node group per pool
///   (its name is the pool label `eks.amazonaws.com/nodegroup` that nodeSelectors use; taints
///   as written; spot or on-demand; the autoscaler owns the desired size).
/// - Keys: one KMS key per region whose alias is the one `provider.regions.<r>.kmsKey` names.
/// - DNS: one public hosted zone per `network.dns.zones` entry.
/// - Identities: one IAM role per workload identity, trusted by EKS Pod Identity for exactly
///   the ServiceAccounts bound to it (session tags cluster, namespace and ServiceAccount),
///   with one least-privilege policy, and one Pod Identity association per ServiceAccount.
/// - Buckets: bucket, versioning, default encryption with the region's key, public access
///   block, owner-enforced ownership, lifecycle and the bucket policy of `buckets/`.
/// - Registry: with an ECR registry host, the repositories with scanning, tag immutability
///   and the lifecycle policy of `registry/`.
///
/// Stateful resources (keys, zones, buckets, repositories) are orphaned on delete: removing
/// them from the spec never deletes data.
struct AWSFoundation: CloudFoundation {
    let inputs: FoundationInputs
    var account: String { spec.provider.account }

    /// The provider packages' version (crossplane-contrib/provider-upjet-aws).
    static let providerVersion = "v2.6.0"
    /// The CloudWatch Logs retention periods AWS accepts, in days.
    static let logRetentionDays = [
        1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
    ]

    func folders() -> [Renderer.InfraFolder] {
        let keys = regionKeys()
        let peering = peerings()
        let ipam = ipamObjects()
        let shared =
            (ipam.isEmpty ? [] : [("infra/network/_ipam.yaml", ipam)]) + (peering.isEmpty ? [] : [("infra/network/_peering.yaml", peering)])
        return infraFolders(
            provider: "aws", config: [providerConfig()], sharedNetwork: shared,
            keys: keys.isEmpty ? [] : keyObjects(keys), identities: identities().map { ("infra/identities/\($0.name).yaml", identity($0)) },
            registry: ("infra/registry/repositories.yaml", "registry repositories"),
            buckets: ("buckets", plan.foundationBuckets().map { ("infra/buckets/\($0.name).yaml", bucket($0)) }))
    }

    // MARK: objects

    /// A Kubernetes object name for `text`: lower case, every run of characters outside
    /// `[a-z0-9.-]` as one '-', trimmed, at most 253 characters (hashed when longer).
    static func objectName(_ text: String) -> String {
        var out = ""
        for ch in text.lowercased() {
            if ch.isASCII, ch.isLetter || ch.isNumber || ch == "." || ch == "-" {
                out.append(ch)
            } else if !out.hasSuffix("-") {
                out.append("-")
            }
        }
        while out.hasSuffix("-") || out.hasSuffix(".") { out.removeLast() }
        while out.hasPrefix("-") || out.hasPrefix(".") { out.removeFirst() }
        return Renderer.bounded(out, limit: 253)
    }

    func tags(_ name: String, _ extra: [(String, JSONValue)] = []) -> JSONValue {
        .object([("Name", .string(name)), ("berth.dev/platform", .string(spec.platform))] + extra)
    }

    /// The provider packages the foundation uses, at one pinned version.
    func providers() -> [JSONValue] {
        var services = ["ec2", "eks", "iam", "kms", "route53", "s3", "cloudwatchlogs"]
        if registryRegion() != nil { services.append("ecr") }
        return providerPackages("aws", services, version: AWSFoundation.providerVersion)
    }

    /// The ProviderConfig every managed resource names: credentials from the Secret that
    /// `infrastructure.credentials` names (key `credentials`), never written by berth.
    func providerConfig() -> JSONValue { providerConfig("aws", [credentials(fallback: "aws-credentials")]) }

    // MARK: network

    /// The region that holds the IPAM of a dual-stack plan (the first region of the spec), nil
    /// when no cluster's network has an IPv6 range or the plan has no IPv6 supernet.
    var ipamHome: String? {
        guard clusters.contains(where: { $0.network.cidr6 != nil }), renderer.ipPlan?.entry("supernet6") != nil else { return nil }
        return spec.provider.regions.first?.name ?? clusters.first?.region
    }

    /// The IPAM of a dual-stack plan (`infra/network/_ipam.yaml`): operating in the home region
    /// and every region of a dual-stack cluster, a private scope, a pool holding the plan's
    /// IPv6 supernet and, per cluster, a pool for the cluster's region holding exactly its
    /// VPC's IPv6 range. Every IPAM resource lives in the home region; a pool's `locale` is
    /// where VPCs may take addresses from it.
    func ipamObjects() -> [JSONValue] {
        guard let home = ipamHome, let supernet = renderer.ipPlan?.entry("supernet6")?.prefix.description else { return [] }
        let dual = clusters.filter { $0.network.cidr6 != nil }
        var regions = [home]
        for c in dual where !regions.contains(c.region) { regions.append(c.region) }
        let region: (String, JSONValue) = ("region", .string(home))
        let top = "\(spec.platform)-ipv6"
        var out: [JSONValue] = [
            managed(
                "ec2.aws.upbound.io/v1beta1", "VPCIpam", spec.platform,
                forProvider: [
                    region, ("description", .string("\(spec.platform): the IP plan's IPv6 ranges")),
                    ("operatingRegions", .array(regions.map { ["regionName": .string($0)] })), ("tags", tags(spec.platform)),
                ]),
            managed(
                "ec2.aws.upbound.io/v1beta1", "VPCIpamScope", "\(spec.platform)-private",
                forProvider: [
                    region, ("ipamIdRef", ref(spec.platform)), ("description", .string("\(spec.platform): private IPv6 (the plan's ULA)")),
                    ("tags", tags("\(spec.platform)-private")),
                ]),
            managed(
                "ec2.aws.upbound.io/v1beta1", "VPCIpamPool", top,
                forProvider: [
                    region, ("addressFamily", "ipv6"), ("ipamScopeIdRef", ref("\(spec.platform)-private")),
                    ("description", .string("\(spec.platform): the IP plan's IPv6 supernet")), ("tags", tags(top)),
                ]),
            managed(
                "ec2.aws.upbound.io/v1beta2", "VPCIpamPoolCidr", top,
                forProvider: [region, ("ipamPoolIdRef", ref(top)), ("cidr", .string(supernet))]),
        ]
        for c in dual {
            guard let cidr6 = c.network.cidr6 else { continue }
            let pool = "\(c.cluster.name)-ipv6"
            out.append(
                managed(
                    "ec2.aws.upbound.io/v1beta1", "VPCIpamPool", pool,
                    forProvider: [
                        region, ("addressFamily", "ipv6"), ("ipamScopeIdRef", ref("\(spec.platform)-private")),
                        ("locale", .string(c.region)),
                        ("sourceIpamPoolIdRef", ref(top)),
                        ("description", .string("\(spec.platform): the IPv6 range of \(c.cluster.name)")),
                        ("tags", tags("\(spec.platform)-\(pool)")),
                    ]))
            out.append(
                managed(
                    "ec2.aws.upbound.io/v1beta2", "VPCIpamPoolCidr", pool,
                    forProvider: [region, ("ipamPoolIdRef", ref(pool)), ("cidr", .string(cidr6))]))
        }
        return out
    }

    func subnetName(_ c: Foundation.ClusterPlan, _ s: Foundation.Subnet) -> String {
        "\(c.cluster.name)-\(s.zone)-\(s.isPublic ? "public" : "private")"
    }

    // Long: one network is a fixed sequence of related resources (VPC, subnets, gateways,
    // routes, firewall); splitting it would scatter the references between them.
    func network(_ c: Foundation.ClusterPlan) -> [JSONValue] {
        let n = c.cluster.name
        let region: (String, JSONValue) = ("region", .string(c.region))
        let vpcName = "\(spec.platform)-\(n)"
        var out: [JSONValue] = [
            managed(
                "ec2.aws.upbound.io/v1beta1", "VPC", n,
                forProvider: [
                    region, ("cidrBlock", .string(c.network.cidr)), ("enableDnsHostnames", true), ("enableDnsSupport", true),
                    ("tags", tags(vpcName)),
                ])
        ]
        if let cidr6 = c.network.cidr6, ipamHome != nil {
            // The plan's IPv6 range of the VPC, from the cluster's IPAM pool (`ipamObjects`).
            out.append(
                managed(
                    "ec2.aws.upbound.io/v1beta1", "VPCIpv6CidrBlockAssociation", "\(n)-ipv6",
                    forProvider: [
                        region, ("vpcIdRef", ref(n)), ("ipv6IpamPoolIdRef", ref("\(n)-ipv6")), ("ipv6CidrBlock", .string(cidr6)),
                    ]))
        }
        for s in c.network.subnets {
            let role = s.isPublic ? "kubernetes.io/role/elb" : "kubernetes.io/role/internal-elb"
            var ipv6: [(String, JSONValue)] = []
            if let cidr6 = s.cidr6, c.network.cidr6 != nil, ipamHome != nil {
                ipv6 = [("ipv6CidrBlock", .string(cidr6)), ("assignIpv6AddressOnCreation", true)]
            }
            out.append(
                managed(
                    "ec2.aws.upbound.io/v1beta1", "Subnet", subnetName(c, s),
                    forProvider: [
                        region, ("vpcIdRef", ref(n)), ("availabilityZone", .string(s.zone)), ("cidrBlock", .string(s.cidr)),
                    ] + ipv6 + [
                        ("mapPublicIpOnLaunch", false),
                        ("tags", tags("\(vpcName)-\(s.zone)-\(s.isPublic ? "public" : "private")", [(role, "1")])),
                    ]))
        }
        out.append(
            managed(
                "ec2.aws.upbound.io/v1beta1", "InternetGateway", n, forProvider: [region, ("vpcIdRef", ref(n)), ("tags", tags(vpcName))]))
        let natZones = c.network.natPerZone ? c.zones : Array(c.zones.prefix(1))
        for z in natZones {
            out.append(
                managed(
                    "ec2.aws.upbound.io/v1beta1", "EIP", "\(n)-nat-\(z)",
                    forProvider: [region, ("domain", "vpc"), ("tags", tags("\(vpcName)-nat-\(z)"))]))
            out.append(
                managed(
                    "ec2.aws.upbound.io/v1beta1", "NATGateway", "\(n)-\(z)",
                    forProvider: [
                        region, ("allocationIdRef", ref("\(n)-nat-\(z)")), ("subnetIdRef", ref("\(n)-\(z)-public")),
                        ("connectivityType", "public"), ("tags", tags("\(vpcName)-\(z)")),
                    ]))
        }
        out.append(
            managed(
                "ec2.aws.upbound.io/v1beta1", "RouteTable", "\(n)-public",
                forProvider: [region, ("vpcIdRef", ref(n)), ("tags", tags("\(vpcName)-public"))]))
        out.append(
            managed(
                "ec2.aws.upbound.io/v1beta1", "Route", "\(n)-public-default",
                forProvider: [
                    region, ("routeTableIdRef", ref("\(n)-public")), ("destinationCidrBlock", "0.0.0.0/0"), ("gatewayIdRef", ref(n)),
                ]))
        for s in c.network.subnets where s.isPublic {
            out.append(
                managed(
                    "ec2.aws.upbound.io/v1beta1", "RouteTableAssociation", subnetName(c, s),
                    forProvider: [region, ("routeTableIdRef", ref("\(n)-public")), ("subnetIdRef", ref(subnetName(c, s)))]))
        }
        for z in c.zones {
            let nat = natZones.contains(z) ? z : natZones.first ?? z
            out.append(
                managed(
                    "ec2.aws.upbound.io/v1beta1", "RouteTable", "\(n)-private-\(z)",
                    forProvider: [region, ("vpcIdRef", ref(n)), ("tags", tags("\(vpcName)-private-\(z)"))]))
            out.append(
                managed(
                    "ec2.aws.upbound.io/v1beta1", "Route", "\(n)-private-\(z)-default",
                    forProvider: [
                        region, ("routeTableIdRef", ref("\(n)-private-\(z)")), ("destinationCidrBlock", "0.0.0.0/0"),
                        ("natGatewayIdRef", ref("\(n)-\(nat)")),
                    ]))
            out.append(
                managed(
                    "ec2.aws.upbound.io/v1beta1", "RouteTableAssociation", "\(n)-\(z)-private",
                    forProvider: [region, ("routeTableIdRef", ref("\(n)-private-\(z)")), ("subnetIdRef", ref("\(n)-\(z)-private"))]))
        }
        out += firewall(c)
        return out
    }

    /// One security group per firewall target of the cluster (`<platform>-<cluster>-<target>`,
    /// the names of `network/firewall/`), one ingress rule per source and port.
    func firewall(_ c: Foundation.ClusterPlan) -> [JSONValue] {
        var out: [JSONValue] = []
        let region: (String, JSONValue) = ("region", .string(c.region))
        for (target, rules) in renderer.firewallRules(for: c.cluster) {
            let group = "\(spec.platform)-\(c.cluster.name)-\(target)"
            out.append(
                managed(
                    "ec2.aws.upbound.io/v1beta1", "SecurityGroup", group,
                    forProvider: [
                        region, ("name", .string(group)), ("description", .string("berth edge firewall: \(target) of \(c.cluster.name)")),
                        ("vpcIdRef", ref(c.cluster.name)), ("tags", tags(group)),
                    ]))
            var seen: Set<String> = []
            for f in rules {
                for port in f.ports {
                    var name = AWSFoundation.objectName("\(group)-\(f.name)-\(f.proto)-\(port)")
                    if !seen.insert(name).inserted { name = AWSFoundation.objectName("\(name)-\(f.from.value)") }
                    let v6 = f.from.value.contains(":")
                    out.append(
                        managed(
                            "ec2.aws.upbound.io/v1beta1", "SecurityGroupIngressRule", name,
                            forProvider: [
                                region, ("securityGroupIdRef", ref(group)), (v6 ? "cidrIpv6" : "cidrIpv4", .string(f.from.value)),
                                ("ipProtocol", .string(f.proto)), ("fromPort", .int(port)), ("toPort", .int(port)),
                                ("description", .string(f.name)),
                            ]))
                }
            }
        }
        return out
    }

    /// The pairs of clusters a cross-cluster database path joins: (client, server), each once,
    /// sorted.
    func peeredPairs() -> [(client: Foundation.ClusterPlan, server: Foundation.ClusterPlan)] {
        var seen: Set<[String]> = []
        var out: [(Foundation.ClusterPlan, Foundation.ClusterPlan)] = []
        for r in plan.remoteEndpoints {
            for client in r.clientClusters where client != r.cluster {
                let key = [client, r.cluster].sorted()
                guard seen.insert(key).inserted, let c = clusters.first(where: { $0.cluster.name == client }),
                    let s = clusters.first(where: { $0.cluster.name == r.cluster })
                else { continue }
                out.append((c, s))
            }
        }
        return out.sorted { ($0.0.cluster.name, $0.1.cluster.name) < ($1.0.cluster.name, $1.1.cluster.name) }
    }

    /// VPC peering for the cross-cluster database paths: the client's network requests a
    /// peering with the server's (in the server's region and the same account), the server's
    /// side accepts it, and each side's private route tables send the other's range through
    /// it. The security group of the server's nodes admits the client's ranges (`firewall`).
    func peerings() -> [JSONValue] {
        var out: [JSONValue] = []
        for (client, server) in peeredPairs() {
            let name = "\(client.cluster.name)-to-\(server.cluster.name)"
            out.append(
                managed(
                    "ec2.aws.upbound.io/v1beta1", "VPCPeeringConnection", name,
                    forProvider: [
                        ("region", .string(client.region)), ("vpcIdRef", ref(client.cluster.name)),
                        ("peerVpcIdRef", ref(server.cluster.name)), ("peerRegion", .string(server.region)),
                        ("peerOwnerId", .string(account)), ("tags", tags("\(spec.platform)-\(name)")),
                    ]))
            out.append(
                managed(
                    "ec2.aws.upbound.io/v1beta1", "VPCPeeringConnectionAccepter", name,
                    forProvider: [
                        ("region", .string(server.region)), ("vpcPeeringConnectionIdRef", ref(name)), ("autoAccept", true),
                        ("tags", tags("\(spec.platform)-\(name)")),
                    ]))
            for (from, to) in [(client, server), (server, client)] {
                for z in from.zones {
                    out.append(
                        managed(
                            "ec2.aws.upbound.io/v1beta1", "Route", "\(from.cluster.name)-private-\(z)-to-\(to.cluster.name)",
                            forProvider: [
                                ("region", .string(from.region)), ("routeTableIdRef", ref("\(from.cluster.name)-private-\(z)")),
                                ("destinationCidrBlock", .string(to.network.cidr)), ("vpcPeeringConnectionIdRef", ref(name)),
                            ]))
                }
            }
        }
        return out
    }

    // MARK: keys and DNS

    /// The regions whose key the spec names as an alias ARN, with the alias (`alias/<name>`).
    func regionKeys() -> [(region: String, alias: String)] {
        spec.provider.regions.compactMap { r in
            guard let alias = AWSFoundation.alias(of: r.kmsKey) else { return nil }
            return (r.name, alias)
        }
    }

    /// `alias/<name>` of a key alias ARN (`arn:aws:kms:<region>:<account>:alias/<name>`), nil otherwise.
    static func alias(of arn: String) -> String? {
        guard let r = arn.range(of: ":alias/") else { return nil }
        return "alias/" + arn[r.upperBound...]
    }

    func keyObjects(_ keys: [(region: String, alias: String)]) -> [JSONValue] {
        keys.flatMap { k -> [JSONValue] in
            let name = "\(k.region)-\(k.alias.dropFirst(6))"
            return [
                managed(
                    "kms.aws.upbound.io/v1beta1", "Key", name,
                    forProvider: [
                        ("region", .string(k.region)),
                        ("description", .string("\(spec.platform): volumes, buckets and Kubernetes secrets in \(k.region)")),
                        ("enableKeyRotation", true), ("deletionWindowInDays", 30), ("tags", tags(name)),
                    ], orphan: true),
                managed(
                    "kms.aws.upbound.io/v1beta1", "Alias", name, externalName: k.alias,
                    forProvider: [("region", .string(k.region)), ("targetKeyIdRef", ref(name))], orphan: true),
            ]
        }
    }

    func zones() -> [JSONValue] {
        spec.network.dns.zones.map { z in
            managed(
                "route53.aws.upbound.io/v1beta1", "Zone", z.value,
                forProvider: [
                    ("name", .string(z.value)), ("comment", .string("\(spec.platform): public zone (external-dns, cert-manager)")),
                    ("tags", tags(z.value)),
                ], orphan: true)
        }
    }
}
