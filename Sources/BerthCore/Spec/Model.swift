/// A value with the place in the spec it came from.
public struct Located<Value: Sendable & Hashable>: Sendable, Hashable {
    public var value: Value
    public var location: SourceLocation

    public init(_ value: Value, _ location: SourceLocation) {
        self.value = value
        self.location = location
    }
}

/// The typed platform spec. Every default is already applied.
public struct Spec: Sendable {
    public var file: String
    public var platform: String
    public var description: String
    public var provider: Provider
    public var network: Network
    public var clusters: [Cluster]
    public var environments: [Environment]
    public var services: [Service]
    public var databases: [Database]
    public var buckets: [Bucket]
    public var storage: Storage
    public var delivery: Delivery
    public var scaling: Scaling
    public var security: Security
    /// Prometheus, alert rules and routing (`monitoring:`); filled in after the rest decodes.
    public var monitoring = MonitoringSpec()
    /// Whether `monitoring:` is written in the spec (a Prometheus scrapes the platform).
    public var monitoringDeclared = false
    /// The IP ledger's team server (`ipam.server`), when the spec renders one. Its workload
    /// and ledger are also in `services` and `databases` (pinned to its cluster and
    /// environment), so every check and render path treats them like the others.
    public var ipamServer: IPAMServer? = nil
    /// environment -> service -> version (tag or digest), from the versions file.
    public var versions: [String: [String: Located<String>]]
    public var versionsFile: String?
    /// The checked tree, for locations of keys.
    public var root: SpecNode
    /// Positions by name, for constant-time lookups (built once when the spec is decoded).
    var serviceIndex: [String: Int] = [:]
    var databaseIndex: [String: Int] = [:]
    var bucketIndex: [String: Int] = [:]

    mutating func buildIndexes() {
        serviceIndex = Dictionary(services.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        databaseIndex = Dictionary(databases.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        bucketIndex = Dictionary(buckets.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    public func cluster(_ name: String) -> Cluster? { clusters.first { $0.name == name } }
    public func environment(_ name: String) -> Environment? { environments.first { $0.name == name } }
    public func service(_ name: String) -> Service? { serviceIndex[name].map { services[$0] } }
    public func hasService(_ name: String) -> Bool { serviceIndex[name] != nil }
    public func database(_ name: String) -> Database? { databaseIndex[name].map { databases[$0] } }
    public func bucket(_ name: String) -> Bucket? { bucketIndex[name].map { buckets[$0] } }
}

public struct Provider: Sendable {
    public enum Name: String, Sendable, CaseIterable { case aws, gcp, azure, onprem }
    public var name: Name
    public var rationale: String
    public var regions: [Region]
    public var hardware: Hardware?
    public var dataResidency: [Located<String>]
    public var account: String
    public var costNotes: String
    /// Azure: the resource group of the platform's storage account (and default of the DNS zones').
    public var resourceGroup: String
    public var location: SourceLocation

    public func region(_ n: String) -> Region? { regions.first { $0.name == n } }
}

public struct Region: Sendable {
    public var name: String
    public var zones: [String]
    /// The key that encrypts data stored in this region (empty: the provider's default key).
    public var kmsKey: String
    public var location: SourceLocation
}

public struct Hardware: Sendable {
    public var nodes: Int
    public var cpu: Int
    public var memory: Quantity
    public var disk: Quantity
    public var racks: Int
    public var network: String
    public var storage: String
}

public struct Network: Sendable {
    public var supernet: Located<String>
    public var ipv6: Located<String>?
    public var carve: Carve
    public var reserved: [Reserved]
    public var statics: [StaticAddress]
    public var dns: DNS
    public var ingress: Ingress
    public var mesh: Mesh
    public var loadBalancing: String
    public var firewall: [FirewallRule]
    public var ids: (enabled: Bool, engine: String)
    public var podsPerNode: Int

    public struct Carve: Sendable {
        public var vpc: Int
        public var publicSubnet: Int
        public var privateSubnet: Int
        public var pods: Int
        public var services: Int
        public var location: SourceLocation
    }

    public struct Reserved: Sendable {
        public var cidr: Located<String>
        public var purpose: String
    }

    public struct StaticAddress: Sendable {
        public var name: String
        public var cluster: Located<String>
        public var subnet: String
        public var zone: Located<String>?
        public var purpose: String
        public var role: String
        public var environment: Located<String>?
        public var location: SourceLocation
    }

    public struct DNS: Sendable {
        public var zones: [Located<String>]
        public var provider: String
        public var ttl: Int
        /// google: the Cloud DNS project (cert-manager DNS-01).
        public var project: String
        /// azure: subscription id and resource group of the DNS zones (cert-manager DNS-01).
        public var subscription: String
        public var resourceGroup: String
        /// rfc2136: the name server accepting TSIG-signed updates (cert-manager DNS-01).
        public var server: String
    }

    public struct Ingress: Sendable {
        public var api: IngressAPI
        public var className: String
        public var namespace: String
        public var rateLimit: RateLimit?
        public var cdn: CDN?
    }

    public struct RateLimit: Sendable {
        public var rps: Int
        public var burst: Int
        public var connections: Int
    }

    public struct CDN: Sendable {
        public var provider: String
        public var paths: [String]
        public var ttl: Int
    }

    public struct FirewallRule: Sendable {
        public var name: String
        public var from: Located<String>
        public var ports: [Int]
        public var proto: String
        public var to: Located<String>
    }
}

public struct Cluster: Sendable {
    public var name: String
    public var region: Located<String>
    public var zones: [Located<String>]
    /// True when zones were listed explicitly; otherwise they are the region's.
    public var zonesExplicit: Bool
    public var kubernetes: String
    public var haControlPlane: Bool
    public var nodePools: [NodePool]
    public var location: SourceLocation

    public func pool(_ n: String) -> NodePool? { nodePools.first { $0.name == n } }

    /// The pool a service lands on when it names none: the first untainted pool by name.
    public var defaultPool: NodePool? {
        nodePools.filter(\.taints.isEmpty).min { $0.name < $1.name } ?? nodePools.min { $0.name < $1.name }
    }
}

public struct NodePool: Sendable {
    public var name: String
    public var machine: String
    public var cpu: Int
    public var memory: Quantity
    public var min: Int
    public var max: Int
    public var spot: Bool
    public var taints: [Taint]
    public var disk: Quantity
    public var location: SourceLocation

    /// What pods can request on one node: capacity less system and kubelet reservations
    /// (the GKE/EKS reservation ladder: 6% of the first core, 1% of the next, 0.5% of the
    /// next two, 0.25% above; 25% of the first 4 GiB of memory, 20% of the next 4, 10% of
    /// the next 8, 6% of the next 112, 2% above, plus 100Mi eviction threshold).
    public var allocatableCPUMilli: Int64 {
        let cores = Int64(cpu)
        var reserved: Int64 = 60
        if cores > 1 { reserved += 10 }
        if cores > 2 { reserved += 5 * Swift.min(2, cores - 2) }
        if cores > 4 { reserved += (cores - 4) * 25 / 10 }
        return cores * 1000 - reserved
    }

    public var allocatableMemoryBytes: Int64 {
        let gi: Int64 = 1 << 30
        let total = memory.units
        var rest = total
        var reserved: Int64 = 0
        for (size, pct) in [(4 * gi, 25), (4 * gi, 20), (8 * gi, 10), (112 * gi, 6)] {
            let part = Swift.min(rest, size)
            reserved += part * Int64(pct) / 100
            rest -= part
            if rest <= 0 { break }
        }
        if rest > 0 { reserved += rest * 2 / 100 }
        return Swift.max(0, total - reserved - 100 * (1 << 20))
    }
}

public struct Taint: Sendable, Hashable {
    public var key: String
    public var value: String
    public var effect: String
}

public struct Environment: Sendable {
    public enum Tier: String, Sendable { case development, staging, production }
    public var name: String
    public var clusters: [Located<String>]
    public var domain: String
    public var tier: Tier
    public var access: [(team: Located<String>, role: String)]
    public var dataIsolated: Bool
    public var loadTest: Bool
    public var productionLike: Bool
    public var local: String
    public var headroom: Int
    public var location: SourceLocation
}

public struct Replicas: Sendable, Hashable {
    public var min: Int
    public var max: Int
    public var cpu: Int
}

public struct Resources: Sendable, Hashable {
    public var cpu: Quantity
    public var memory: Quantity
    public var cpuLimit: Quantity
    public var memoryLimit: Quantity
}

public struct PublicRoute: Sendable, Hashable {
    public var host: String
    public var paths: [String]
    public var tls: Bool
    public var apex: Bool
    public var location: SourceLocation
}

public struct Health: Sendable, Hashable {
    public var live: String
    public var ready: String
    public var port: Int?
    public var command: [String]
}

public struct ServiceVolume: Sendable, Hashable {
    public var name: String
    public var size: Quantity
    public var storageClass: Located<String>?
    public var path: String
}

/// What one environment changes about a service.
public struct ServiceOverride: Sendable {
    public var environment: Located<String>
    public var replicas: Replicas?
    public var resources: Resources?
    public var publicRoute: PublicRoute?
    public var env: [(String, String)]
    public var enabled: Bool
    /// `replicas.waiver` of this override's replicas, when written and not blank.
    public var replicasWaiver: Located<String>? = nil
}

/// A `uses` entry: `database/main` or `bucket/uploads:read`.
public struct Use: Sendable, Hashable {
    public enum Kind: String, Sendable { case database, bucket }
    public var kind: Kind
    public var name: String
    public var readOnly: Bool
    public var location: SourceLocation
}

/// `services.<name>.expose`: partner ranges reach the port through a LoadBalancer Service.
public struct Exposure: Sendable {
    public var from: [Located<String>]
    /// `internal` or `external`.
    public var scope: String
    public var location: SourceLocation
}

public struct Service: Sendable {
    public var name: String
    public var image: Located<String>
    public var port: Int?
    public var proto: String
    public var publicRoute: PublicRoute?
    public var replicas: Replicas
    public var replicasLocation: SourceLocation
    public var resources: Resources
    public var health: Health
    public var talksTo: [Located<String>]
    public var uses: [Use]
    /// `uses` entries that did not parse, with why.
    public var badUses: [Located<String>]
    public var secrets: [String]
    public var env: [(String, String)]
    public var nodePool: Located<String>?
    public var volumes: [ServiceVolume]
    public var team: String
    public var overrides: [ServiceOverride]
    public var location: SourceLocation
    /// The cron schedule of a scheduled service (rendered as a CronJob); nil for a Deployment.
    public var schedule: Located<String>? = nil
    /// How long one scheduled run may take (`activeDeadlineSeconds`).
    public var deadline = SpecDuration(seconds: 3600, text: "1h")
    /// `OnFailure` or `Never`, for a scheduled service's pods.
    public var restartPolicy = "OnFailure"
    /// `replicas.waiver`: why a single production replica is accepted, when written and not blank.
    public var replicasWaiver: Located<String>? = nil
    /// TCP or UDP exposure to partner ranges through a LoadBalancer Service.
    public var exposure: Exposure? = nil
    /// Where `port` and `volumes` are written, when they are.
    public var portLocation: SourceLocation? = nil
    public var volumesLocation: SourceLocation? = nil
    /// Where Prometheus scrapes it (`metrics:`), and its objectives (`slos:`).
    public var metrics: ServiceMetrics? = nil
    public var slos: [SLO] = []
    /// The one environment and cluster the service runs in (the team server); nil: everywhere.
    public var pinned: Pin? = nil
    /// The service is the IP ledger's team server: the Deployment runs `berth serve` on the
    /// ledger database `IPAMServer.ledgerName`.
    public var isIPAMServer = false

    public func override(for env: String) -> ServiceOverride? { overrides.first { $0.environment.value == env } }
    /// The replicas waiver in effect in an environment: the override's when it sets replicas.
    public func replicasWaiver(in env: String) -> Located<String>? {
        if let o = override(for: env), o.replicas != nil { return o.replicasWaiver }
        return replicasWaiver
    }
    /// Whether the service runs on a schedule (a CronJob) rather than continuously.
    public var isScheduled: Bool { schedule != nil }
    /// Whether the service runs in an environment: not disabled there, and pinned to it when pinned.
    public func runs(in env: String) -> Bool {
        override(for: env)?.enabled != false && (pinned == nil || pinned?.environment == env)
    }
}

public struct Database: Sendable {
    public var name: String
    public var version: String
    public var instances: Int
    public var instancesLocation: SourceLocation
    public var size: Quantity
    public var storageClass: Located<String>?
    public var walSize: Quantity
    public var memory: Quantity
    public var cpu: Quantity
    public var backup: Backup?
    public var pooler: (mode: String, instances: Int)?
    public var maxConnections: Int
    public var shared: Bool
    public var topology: Topology
    public var rpo: SpecDuration?
    public var location: SourceLocation
    /// The one environment and cluster holding the database (the team server's ledger); nil:
    /// every environment, as `shared` and `topology` say.
    public var pinned: Pin? = nil

    /// Where the primary runs and what an environment's other clusters get.
    public struct Topology: Sendable {
        public enum Replicas: String, Sendable { case read, none }
        public enum RemoteClients: String, Sendable { case refuse, primary }
        /// Region of the primary; nil: the region of each environment's first cluster.
        public var primary: Located<String>?
        public var replicas: Replicas
        public var remoteClients: RemoteClients
        public var location: SourceLocation
    }

    public struct Backup: Sendable {
        public var schedule: String
        public var retention: SpecDuration
        public var bucket: Located<String>
        public var location: SourceLocation
    }
}

public struct Bucket: Sendable {
    public var name: String
    public var versioning: Bool
    public var encryption: String
    public var lifecycle: [LifecycleRule]
    public var shared: Bool
    public var isPublic: Bool
    public var noncurrentAfter: SpecDuration
    public var abortUploadsAfter: SpecDuration
    public var location: SourceLocation

    public struct LifecycleRule: Sendable {
        public var after: SpecDuration
        public var transition: String?
        public var expire: Bool
    }
}

public struct Storage: Sendable {
    public var classes: [StorageClassSpec]
    public var snapshots: (schedule: String, keep: Int)?
    /// Where `storage.snapshots` is written, for diagnostics.
    public var snapshotsLocation: SourceLocation?

    public var defaultClass: StorageClassSpec? { classes.first { $0.isDefault } ?? classes.first }
    public func storageClass(_ n: String) -> StorageClassSpec? { classes.first { $0.name == n } }
}

public struct StorageClassSpec: Sendable {
    public var name: String
    public var kind: String
    public var iops: Int?
    public var throughput: Int?
    public var reclaim: String
    public var isDefault: Bool
    public var location: SourceLocation
}

public struct Delivery: Sendable {
    public var gitops: GitOps?
    public var helm: Bool
    public var registry: Registry?

    public struct GitOps: Sendable {
        public var repo: String
        public var branch: String
        public var path: String
        public var autoSync: [Located<String>]
        public var selfHeal: Bool
        public var prune: Bool
    }

    public struct Registry: Sendable {
        public var host: String
        public var tags: String
        public var pinDigests: Bool
        public var immutable: Bool
        public var scanOnPush: Bool
        public var blockSeverity: String
        public var keepLast: Int
        public var untaggedAfter: SpecDuration
        public var location: SourceLocation
    }
}

public struct Scaling: Sendable {
    public var clusterAutoscaler: Bool
    public var verticalPodAutoscaler: String
    public var connectionPooling: Bool
}

public struct Team: Sendable {
    public var name: String
    public var role: String
    /// nil means all environments.
    public var environments: [Located<String>]?
    public var group: String
    public var clusterAdmin: Bool
    public var location: SourceLocation
}

public struct Security: Sendable {
    public var teams: [Team]
    public var podSecurity: String
    public var networkPolicy: NetworkPolicyMode
    public var tls: TLS?
    /// The external store: its kind, the rotation interval, and for vault (server URL) and
    /// azure-key-vault (vault URL) its address, and for vault the Kubernetes auth role.
    public var secrets: (store: String, rotateEvery: SpecDuration, address: String, role: String)?
    public var encryptionAtRest: String
    public var encryptionInTransit: String
    public var auditLevel: String
    public var auditRetention: SpecDuration
    public var compliance: [String]
    public var backupRetention: SpecDuration?

    /// The minimum backup retention: the stated one, else the longest minimum of the regimes.
    public var requiredBackupRetention: (SpecDuration, String)? {
        if let r = backupRetention { return (r, "security.backupRetention") }
        let minimums: [(String, Int)] = [("gdpr", 30), ("soc2", 90), ("pci-dss", 365), ("hipaa", 6 * 365)]
        let applicable = minimums.filter { compliance.contains($0.0) }
        guard let longest = applicable.max(by: { $0.1 < $1.1 }) else { return nil }
        return (SpecDuration(seconds: longest.1 * 86_400, text: "\(longest.1)d"), longest.0)
    }

    public struct TLS: Sendable {
        /// The words of `security.tls.issuer`.
        public static let issuers = ["letsencrypt", "letsencrypt-staging", "selfsigned", "ca", "vault"]
        public var issuer: String
        public var email: String
        public var minVersion: String
        /// `issuer: ca`: the Secret (in cert-manager's namespace) holding the CA's certificate and key.
        public var caSecret: String = ""
        /// `issuer: vault`: the server URL, the PKI sign path and the Kubernetes auth role.
        public var vault: (address: String, path: String, role: String)? = nil

        /// Whether the issuer is an ACME server (HTTP-01 and DNS-01 challenges, an account e-mail).
        public var isACME: Bool { issuer == "letsencrypt" || issuer == "letsencrypt-staging" }
    }

    public func team(_ n: String) -> Team? { teams.first { $0.name == n } }
}

/// The spec's fixed word sets. Each enum is the one list of its words: the schema
/// (`SpecSchema`), the decoder and every comparison use it, and its raw values are the
/// words written in the spec.
public enum Mesh: String, Sendable, CaseIterable, CustomStringConvertible {
    case none, linkerd, istio
    public var description: String { rawValue }
}

/// How public traffic enters: Gateway API (Gateway + HTTPRoute) or an Ingress.
public enum IngressAPI: String, Sendable, CaseIterable, CustomStringConvertible {
    case gateway, ingress
    public var description: String { rawValue }
}

/// Whether NetworkPolicies isolate pods (`default-deny`) or none are rendered.
public enum NetworkPolicyMode: String, Sendable, CaseIterable, CustomStringConvertible {
    case defaultDeny = "default-deny"
    case none
    public var description: String { rawValue }
}

/// One environment on one cluster: where a pinned service or database runs.
public struct Pin: Sendable, Hashable {
    public var environment: String
    public var cluster: String
}

/// `ipam.server`: the IP ledger's team server (`berth serve`) rendered into one cluster and
/// environment, with its PostgreSQL ledger on CloudNativePG.
public struct IPAMServer: Sendable {
    /// The name of its workload (Deployment, Service, ServiceAccount, HTTPRoute, ...).
    public static let serviceName = "berth-ipam"
    /// The name of its CloudNativePG cluster.
    public static let ledgerName = "berth-ipam-ledger"
    /// The Secret (and secret-store key) with the read-scope token Prometheus scrapes with.
    public static let metricsTokenSecret = "berth-ipam-metrics-token"

    public var cluster: Located<String>
    public var environment: Located<String>
    public var replicas: Int
    /// The full host name of the route (default `ipam.<environment domain>`).
    public var hostname: Located<String>
    public var image: Located<String>
    public var port: Int
    public var location: SourceLocation
}
