import BerthNet

/// The cloud foundation a spec implies, independent of the provider's resource kinds: the
/// networks of the IP plan, the clusters and their node pools, the keys, DNS zones, buckets,
/// registry repositories and workload identities. `infra/` renders it for the engine of
/// `infrastructure`; the checks and the document read the same values.
public struct Foundation: Sendable {
    /// One subnet of a cluster's network: a zone's public (load balancer) or private (node) range.
    public struct Subnet: Sendable {
        /// The zone.
        public var zone: String
        /// True for the public subnet of the zone.
        public var isPublic: Bool
        /// The IPv4 range, exactly as planned.
        public var cidr: String
        /// The IPv6 range of a dual-stack plan.
        public var cidr6: String?
    }

    /// A cluster's network (VPC, VNet or VPC network), from the IP plan.
    public struct Network: Sendable {
        /// The IPv4 range of the network.
        public var cidr: String
        /// The IPv6 range of a dual-stack plan.
        public var cidr6: String?
        /// Public and private subnets, zone by zone in the cluster's zone order, public first.
        public var subnets: [Subnet]
        /// The pod range of the cluster.
        public var pods: String
        /// The service range of the cluster.
        public var services: String
        /// One NAT gateway per zone (production) or one for the whole network (elsewhere).
        public var natPerZone: Bool
    }

    /// A cluster with its network, zones and the key that encrypts its secrets.
    public struct ClusterPlan: Sendable {
        /// The cluster of the spec.
        public var cluster: Cluster
        /// Its region.
        public var region: String
        /// The zones it uses.
        public var zones: [String]
        /// Its network.
        public var network: Network
        /// True when a production environment runs on it.
        public var production: Bool
        /// The region's key reference as the spec writes it (empty: the provider's default key).
        public var key: String
    }

    /// A physical bucket: its name, the spec's bucket and the region holding it.
    public struct CloudBucket: Sendable {
        /// The physical name.
        public var name: String
        /// The bucket of the spec.
        public var bucket: Bucket
        /// The region that holds it.
        public var region: String
        /// The key that encrypts it (empty: the provider's default key).
        public var key: String
    }

    /// Where a workload identity is used: one ServiceAccount of one cluster.
    public struct Binding: Sendable, Hashable, Comparable {
        /// The cluster.
        public var cluster: String
        /// The namespace of the ServiceAccount.
        public var namespace: String
        /// The ServiceAccount's name.
        public var serviceAccount: String

        /// Sorted by cluster, namespace, then ServiceAccount.
        public static func < (a: Binding, b: Binding) -> Bool {
            (a.cluster, a.namespace, a.serviceAccount) < (b.cluster, b.namespace, b.serviceAccount)
        }
    }

    /// What a workload identity is for; it decides the identity's permissions.
    public enum Purpose: Sendable, Hashable {
        /// A service of an environment that uses buckets.
        case service(String)
        /// The backups of a database of an environment.
        case backup(String)
        /// A cluster add-on (`external-dns`, `cert-manager`, `velero`, `cluster-autoscaler`, `external-secrets`).
        case addon(String)
    }

    /// One cloud identity: its name, who uses it and what it may do.
    public struct Identity: Sendable {
        /// The identity's name (an IAM role, a Google service account or a managed identity).
        public var name: String
        /// What it is for.
        public var purpose: Purpose
        /// The ServiceAccounts bound to it, sorted.
        public var bindings: [Binding]
        /// Physical buckets it may use, each with whether it may only read, sorted by name.
        public var buckets: [(name: String, readOnly: Bool)]
        /// Keys it may use to encrypt and decrypt (for its buckets), as the spec writes them.
        public var keys: [String]
        /// The clusters whose node pools it may scale (cluster-autoscaler) or whose volumes it
        /// may snapshot (velero).
        public var clusters: [String]
    }

    /// The clusters, in spec order.
    public var clusters: [ClusterPlan]
    /// The keys by region (region, reference as the spec writes it), in region order; only
    /// regions whose clusters, buckets or secrets use a key.
    public var keys: [(region: String, reference: String)]
    /// The public DNS zones.
    public var zones: [String]
    /// The physical buckets, in environment then bucket order.
    public var buckets: [CloudBucket]
    /// The registry repositories the services pull from, sorted.
    public var repositories: [String]
    /// The workload identities, sorted by name.
    public var identities: [Identity]
}

extension Plan {
    /// The cluster parts of the foundation, from the IP plan: nil without one or when a range
    /// of a cluster is missing from it (`berth check` reports why).
    public func foundationClusters() -> [Foundation.ClusterPlan]? {
        guard let ip = ipPlan else { return nil }
        var byKey: [String: IPPlanEntry] = [:]
        for e in ip.entries { byKey[e.key] = e }
        var out: [Foundation.ClusterPlan] = []
        for c in spec.clusters {
            let zones = c.zones.map(\.value)
            guard let vpc = byKey["\(c.name)/vpc"], let pods = byKey["\(c.name)/pods"], let services = byKey["\(c.name)/services"]
            else { return nil }
            var subnets: [Foundation.Subnet] = []
            for z in zones {
                for isPublic in [true, false] {
                    let tier = isPublic ? "public" : "private"
                    guard let s = byKey["\(c.name)/\(z)/\(tier)"] else { return nil }
                    subnets.append(
                        Foundation.Subnet(
                            zone: z, isPublic: isPublic, cidr: s.prefix.description,
                            cidr6: byKey["\(c.name)/\(z)/\(tier)6"]?.prefix.description))
                }
            }
            let production = spec.environments.contains { e in e.tier == .production && e.clusters.contains { $0.value == c.name } }
            let network = Foundation.Network(
                cidr: vpc.prefix.description, cidr6: byKey["\(c.name)/vpc6"]?.prefix.description, subnets: subnets,
                pods: pods.prefix.description, services: services.prefix.description, natPerZone: production)
            out.append(
                Foundation.ClusterPlan(
                    cluster: c, region: c.region.value, zones: zones, network: network, production: production,
                    key: kmsKey(region: c.region.value)))
        }
        return out
    }

    /// The physical buckets with their region and key.
    public func foundationBuckets() -> [Foundation.CloudBucket] {
        physicalBuckets.map { b, env, name in
            let region = dataRegion(of: env) ?? ""
            return Foundation.CloudBucket(name: name, bucket: b, region: region, key: b.encryption == "kms" ? kmsKey(region: region) : "")
        }
    }
}
