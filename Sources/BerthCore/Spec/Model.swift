/// A value with the place in the spec it came from.
public struct Located<Value: Sendable & Hashable>: Sendable, Hashable {
    /// The value as decoded (defaults applied).
    public var value: Value
    /// Where the value is written in the spec (or `<default>` when it is a default).
    public var location: SourceLocation

    /// Pairs a value with the place in the spec it came from.
    public init(_ value: Value, _ location: SourceLocation) {
        self.value = value
        self.location = location
    }
}

/// The typed platform spec. Every default is already applied.
public struct Spec: Sendable {
    /// Path of the spec file as given on the command line.
    public var file: String
    /// `platform`: the platform name; it prefixes namespaces.
    public var platform: String
    /// `description`: one line about the platform (default empty).
    public var description: String
    /// `provider`: where the platform runs.
    public var provider: Provider
    /// `network`: the address plan, DNS, ingress and network security.
    public var network: Network
    /// `clusters`: the Kubernetes clusters, in the order written.
    public var clusters: [Cluster]
    /// `environments`: the stages of delivery (development, staging, production, ...), in the order written.
    public var environments: [Environment]
    /// `services`: the workloads, in the order written (empty when none are written).
    public var services: [Service]
    /// `databases`: the PostgreSQL clusters run by CloudNativePG, in the order written.
    public var databases: [Database]
    /// `buckets`: the S3-compatible buckets, in the order written.
    public var buckets: [Bucket]
    /// `storage`: storage classes and volume snapshots.
    public var storage: Storage
    /// `delivery`: Argo CD, Helm and the registry policy.
    public var delivery: Delivery
    /// `scaling`: cluster, vertical pod autoscaling and connection pooling.
    public var scaling: Scaling
    /// `security`: access, secrets, encryption, audit and compliance.
    public var security: Security
    /// Prometheus, alert rules and routing (`monitoring:`); filled in after the rest decodes.
    public var monitoring = MonitoringSpec()
    /// Whether `monitoring:` is written in the spec (a Prometheus scrapes the platform).
    public var monitoringDeclared = false
    /// The IP ledger's team server (`ipam.server`), when the spec renders one. Its workload
    /// and ledger are also in `services` and `databases` (pinned to its cluster and
    /// environment), so every check and render path treats them like the others.
    public var ipamServer: IPAMServer? = nil
    /// The cloud foundation berth renders (`infrastructure`), nil when the spec asks for none.
    public var infrastructure: Infrastructure? = nil
    /// environment -> service -> version (tag or digest), from the versions file.
    public var versions: [String: [String: Located<String>]]
    /// Path of the versions file beside the spec, when one was read.
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

    /// The cluster named `name`, if the spec declares one.
    public func cluster(_ name: String) -> Cluster? { clusters.first { $0.name == name } }
    /// The environment named `name`, if the spec declares one.
    public func environment(_ name: String) -> Environment? { environments.first { $0.name == name } }
    /// The service named `name` (constant time, through the index built at decode).
    public func service(_ name: String) -> Service? { serviceIndex[name].map { services[$0] } }
    /// Whether a service named `name` exists (constant time).
    public func hasService(_ name: String) -> Bool { serviceIndex[name] != nil }
    /// The database named `name` (constant time).
    public func database(_ name: String) -> Database? { databaseIndex[name].map { databases[$0] } }
    /// The bucket named `name` (constant time).
    public func bucket(_ name: String) -> Bucket? { bucketIndex[name].map { buckets[$0] } }
}

/// `provider`: the cloud (or own hardware) the platform runs on, its regions and accounts.
public struct Provider: Sendable {
    /// `provider.name`: the cloud, or `onprem` for own hardware.
    public enum Name: String, Sendable, CaseIterable { case aws, gcp, azure, onprem }
    /// `provider.name`: which cloud, or own hardware.
    public var name: Name
    /// `provider.rationale`: why this provider; copied into the generated docs (default empty).
    public var rationale: String
    /// `provider.regions`: the regions berth may use, each with its zones.
    public var regions: [Region]
    /// `provider.hardware`: the on-premises hardware (only with `name: onprem`).
    public var hardware: Hardware?
    /// `provider.dataResidency`: regions where databases, replicas and backups may store data; empty means anywhere.
    public var dataResidency: [Located<String>]
    /// `provider.account`: the AWS account id, GCP project id or Azure managed identity client id that workload identities live in (default
    /// empty: no identity annotations).
    public var account: String
    /// `provider.costNotes`: cost optimisation notes copied into the generated docs (default empty).
    public var costNotes: String
    /// Azure: the resource group of the platform's storage account (and default of the DNS zones').
    public var resourceGroup: String
    /// Azure: the subscription id of the platform's storage accounts (role assignment scopes; default empty).
    public var subscription: String = ""
    /// Azure: the client ids of the services' user-assigned managed identities, by service name (default empty).
    public var identities: [String: String] = [:]
    /// Google Cloud: the project number of `account` (digits; default empty). The
    /// Google-managed service agents' e-mails carry it, so the foundation can grant them
    /// the regions' keys only with it.
    public var projectNumber: String = ""
    /// Where `provider` is written in the spec.
    public var location: SourceLocation

    /// The region named `n`, if `provider.regions` declares it.
    public func region(_ n: String) -> Region? { regions.first { $0.name == n } }
}

/// One entry of `provider.regions`: a region and the zones berth may use in it.
public struct Region: Sendable {
    /// The region's name (its key in `provider.regions`).
    public var name: String
    /// `zones`: availability zones of the region that clusters may spread over.
    public var zones: [String]
    /// The key that encrypts data stored in this region (empty: the provider's default key).
    public var kmsKey: String
    /// Where the region is written in the spec.
    public var location: SourceLocation
}

/// `provider.hardware`: on-premises servers, used for capacity and docs when the provider is `onprem`.
public struct Hardware: Sendable {
    /// `nodes`: number of physical servers (1-100,000).
    public var nodes: Int
    /// `cpu`: CPU cores per server.
    public var cpu: Int
    /// `memory`: memory per server, e.g. `256Gi`.
    public var memory: Quantity
    /// `disk`: local disk per server, e.g. `2Ti`.
    public var disk: Quantity
    /// `racks`: racks the servers are spread over, the failure domains (default 1).
    public var racks: Int
    /// `network`: top-of-rack and uplink description, free text (default empty).
    public var network: String
    /// `storage`: the CSI driver that provides volumes, `longhorn` (default) or `ceph-rbd`.
    public var storage: String
    /// `cephMonitors`: the Ceph monitors (`host:port`) ceph-csi connects to, with `storage: ceph-rbd`.
    public var cephMonitors: [String] = []
}

/// `network`: the address plan, DNS, ingress and network security of the platform.
public struct Network: Sendable {
    /// `network.supernet`: the IPv4 range every planned range is carved from (default `10.0.0.0/8`).
    public var supernet: Located<String>
    /// `network.ipv6`: the IPv6 range of a dual-stack plan; nil for IPv4 only.
    public var ipv6: Located<String>?
    /// `network.carve`: the prefix lengths the IP planner hands out.
    public var carve: Carve
    /// `network.reserved`: ranges the planner never hands out.
    public var reserved: [Reserved]
    /// `network.static`: named static addresses allocated from the plan.
    public var statics: [StaticAddress]
    /// `network.dns`: public DNS (zones, external-dns provider, TTL).
    public var dns: DNS
    /// `network.ingress`: how traffic enters the clusters.
    public var ingress: Ingress
    /// `network.mesh`: the service mesh for mTLS in transit (default `none`).
    public var mesh: Mesh
    /// `network.loadBalancing`: `round-robin` (default), `least-request` or `ring-hash` between pods.
    public var loadBalancing: String
    /// `network.firewall`: edge firewall rules outside Kubernetes (security groups or nftables).
    public var firewall: [FirewallRule]
    /// `network.ids`: whether runtime intrusion detection is deployed (default off) and its engine (`falco`).
    public var ids: (enabled: Bool, engine: String)
    /// `network.podsPerNode`: maximum pods per node, used to size pod CIDRs (default 110).
    public var podsPerNode: Int

    /// `network.carve`: prefix lengths of the ranges the IP planner hands out.
    public struct Carve: Sendable {
        /// `vpc`: prefix length of each cluster's VPC (default 16).
        public var vpc: Int
        /// `subnets.public`: prefix length of each zone's public (load balancer) subnet (default 24).
        public var publicSubnet: Int
        /// `subnets.private`: prefix length of each zone's private (node) subnet (default 20).
        public var privateSubnet: Int
        /// `pods`: prefix length of each cluster's pod CIDR (default 17).
        public var pods: Int
        /// `services`: prefix length of each cluster's service CIDR (default 22).
        public var services: Int
        /// Where `network.carve` is written (or the default location).
        public var location: SourceLocation
    }

    /// One entry of `network.reserved`: a range the planner never hands out.
    public struct Reserved: Sendable {
        /// `cidr`: the reserved range.
        public var cidr: Located<String>
        /// `purpose`: why it is reserved.
        public var purpose: String
    }

    /// One entry of `network.static`: a named static address allocated from the plan.
    public struct StaticAddress: Sendable {
        /// `name`: name of the address.
        public var name: String
        /// `cluster`: the cluster whose VPC holds the address.
        public var cluster: Located<String>
        /// `subnet`: which subnet kind it comes from, `public` (default) or `private`.
        public var subnet: String
        /// `zone`: zone of the subnet; nil means the cluster's first zone.
        public var zone: Located<String>?
        /// `purpose`: what the address is for (default empty).
        public var purpose: String
        /// `role`: what uses it: `ingress` gives it to the environment's Gateway; also `egress`, `bastion`, `other` (default).
        public var role: String
        /// `environment`: the environment whose Gateway gets an `ingress` address; nil means the only environment on the cluster.
        public var environment: Located<String>?
        /// Where the address is written in the spec.
        public var location: SourceLocation
    }

    /// `network.dns`: public DNS zones and how records are written into them.
    public struct DNS: Sendable {
        /// `zones`: DNS zones berth may write records into (the external-dns domain filter).
        public var zones: [Located<String>]
        /// `provider`: the external-dns provider; defaults to route53, google, azure or rfc2136 by cloud.
        public var provider: String
        /// `ttl`: record TTL in seconds (default 300).
        public var ttl: Int
        /// google: the Cloud DNS project (cert-manager DNS-01).
        public var project: String
        /// azure: subscription id and resource group of the DNS zones (cert-manager DNS-01).
        public var subscription: String
        /// azure: the resource group of the DNS zones; defaults to `provider.resourceGroup`.
        public var resourceGroup: String
        /// rfc2136: the name server accepting TSIG-signed updates (cert-manager DNS-01).
        public var server: String
    }

    /// `network.ingress`: how traffic enters the clusters.
    public struct Ingress: Sendable {
        /// `api`: Gateway API (Gateway + HTTPRoute, the default) or networking.k8s.io Ingress.
        public var api: IngressAPI
        /// `className`: the GatewayClass or IngressClass name (default `nginx`).
        public var className: String
        /// `namespace`: where the gateway or ingress controller's pods run; NetworkPolicies admit traffic from it.
        public var namespace: String
        /// `rateLimit`: per-client-IP request limits at the edge, when written.
        public var rateLimit: RateLimit?
        /// `cdn`: a CDN in front of public routes, when written.
        public var cdn: CDN?
    }

    /// `network.ingress.rateLimit`: per-client-IP request limits at the edge (a first line against DDoS).
    public struct RateLimit: Sendable {
        /// `rps`: requests per second per client IP.
        public var rps: Int
        /// `burst`: burst allowance in requests (default 2 x rps).
        public var burst: Int
        /// `connections`: concurrent connections per client IP (default 100).
        public var connections: Int
    }

    /// `network.ingress.cdn`: a CDN in front of the gateway.
    public struct CDN: Sendable {
        /// `provider`: the CDN product (`cloudfront`, `cloud-cdn`, `azure-front-door`, `cloudflare`, `fastly`).
        public var provider: String
        /// `paths`: paths served through the CDN cache, e.g. `/static/*` (default none).
        public var paths: [String]
        /// `ttl`: cache TTL in seconds for those paths (default 86,400).
        public var ttl: Int
    }

    /// One entry of `network.firewall`: an edge rule outside Kubernetes (security group or nftables).
    public struct FirewallRule: Sendable {
        /// `name`: the rule name.
        public var name: String
        /// `from`: the source range.
        public var from: Located<String>
        /// `ports`: destination ports.
        public var ports: [Int]
        /// `protocol`: `tcp` (default) or `udp`.
        public var proto: String
        /// `to`: the target: `bastion`, `nodes`, `ingress`, a cluster name, or `service/<name>` for an exposed service.
        public var to: Located<String>
    }
}

/// One entry of `clusters`: a Kubernetes cluster.
public struct Cluster: Sendable {
    /// The cluster's name (its key in `clusters`).
    public var name: String
    /// `region`: the region it runs in (a key of `provider.regions`).
    public var region: Located<String>
    /// `zones`: the zones it uses; every zone of its region when not written.
    public var zones: [Located<String>]
    /// True when zones were listed explicitly; otherwise they are the region's.
    public var zonesExplicit: Bool
    /// `kubernetes`: the Kubernetes minor version (default `1.31`).
    public var kubernetes: String
    /// `controlPlane.ha`: a highly available control plane of 3 or more members across zones (default true).
    public var haControlPlane: Bool
    /// `nodePools`: the node pools, in the order written.
    public var nodePools: [NodePool]
    /// Where the cluster is written in the spec.
    public var location: SourceLocation

    /// The node pool named `n`, if the cluster has one.
    public func pool(_ n: String) -> NodePool? { nodePools.first { $0.name == n } }

    /// The pool a service lands on when it names none: the first untainted pool by name.
    public var defaultPool: NodePool? {
        nodePools.filter(\.taints.isEmpty).min { $0.name < $1.name } ?? nodePools.min { $0.name < $1.name }
    }
}

/// One entry of a cluster's `nodePools`: a group of identical nodes.
public struct NodePool: Sendable {
    /// The pool's name: the cloud's node group or node pool and the pool label every nodeSelector uses.
    public var name: String
    /// `machine`: the machine type, e.g. `m6i.xlarge`.
    public var machine: String
    /// `cpu`: CPU cores per node.
    public var cpu: Int
    /// `memory`: memory per node, e.g. `16Gi`.
    public var memory: Quantity
    /// `min`: minimum nodes, the cluster autoscaler's lower bound (default 1).
    public var min: Int
    /// `max`: maximum nodes, the cluster autoscaler's upper bound (default equal to min, at least 1).
    public var max: Int
    /// `spot`: whether the pool uses spot / preemptible capacity (default false).
    public var spot: Bool
    /// `taints`: taints written as `key=value:Effect`; pods that select the pool tolerate them.
    public var taints: [Taint]
    /// `disk`: root disk per node (default `100Gi`).
    public var disk: Quantity
    /// Where the pool is written in the spec.
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

    /// Memory pods can request on one node, in bytes: capacity less the reservation ladder above and the 100Mi eviction threshold.
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

/// A node pool taint, parsed from `key=value:Effect`.
public struct Taint: Sendable, Hashable {
    /// The taint's key.
    public var key: String
    /// The taint's value.
    public var value: String
    /// The effect: `NoSchedule`, `PreferNoSchedule` or `NoExecute`.
    public var effect: String
}

/// One entry of `environments`: a stage of delivery such as development, staging or production.
public struct Environment: Sendable {
    /// `tier`: what the environment is for; production gets the strictest checks.
    public enum Tier: String, Sendable { case development, staging, production }
    /// The environment's name (its key in `environments`).
    public var name: String
    /// `clusters`: the clusters the environment runs on.
    public var clusters: [Located<String>]
    /// `domain`: the DNS domain; public hosts are `<host>.<domain>`.
    public var domain: String
    /// `tier`: defaults to the environment's name when it is one of the tiers, else development.
    public var tier: Tier
    /// `access`: team roles here (`admin`, `edit`, `view`, `none`), overriding `security.teams`.
    public var access: [(team: Located<String>, role: String)]
    /// `data: isolated` (the default): the environment gets its own databases and buckets; false for `shared`.
    public var dataIsolated: Bool
    /// `loadTest`: the environment is used for load and performance tests (default false).
    public var loadTest: Bool
    /// `productionLike`: mirror production settings except where overridden (default true for tier staging).
    public var productionLike: Bool
    /// `local`: the local cluster config written for laptops: `kind` (default for development) or `none`.
    public var local: String
    /// `headroom`: extra quota in percent above max replicas x requests (default 20).
    public var headroom: Int
    /// Where the environment is written in the spec.
    public var location: SourceLocation
}

/// `replicas`: a service's replica bounds and autoscaling target.
public struct Replicas: Sendable, Hashable {
    /// `min`: minimum replicas (default 1).
    public var min: Int
    /// `max`: maximum replicas; above min an HPA scales between them (default equal to min, at least 1).
    public var max: Int
    /// `cpu`: the HPA's target CPU utilisation in percent (default 80).
    public var cpu: Int
}

/// `resources`: CPU and memory requests, and the limits (derived when absent).
public struct Resources: Sendable, Hashable {
    /// `cpu`: the CPU request (default `100m` for a service).
    public var cpu: Quantity
    /// `memory`: the memory request (default `128Mi` for a service).
    public var memory: Quantity
    /// `limits.cpu`: the CPU limit (default 2 x the CPU request).
    public var cpuLimit: Quantity
    /// `limits.memory`: the memory limit (default the memory request).
    public var memoryLimit: Quantity
}

/// A service's `public`: exposure on the internet through the gateway.
public struct PublicRoute: Sendable, Hashable {
    /// `host`: the host label under the environment's domain (`www` gives `www.<domain>`).
    public var host: String
    /// `paths`: path prefixes routed to the service (default `/`).
    public var paths: [String]
    /// `tls`: serve HTTPS with a cert-manager certificate (default true; production requires it).
    public var tls: Bool
    /// `apex`: serve the environment's domain itself instead of `<host>.<domain>` (default false).
    public var apex: Bool
    /// Where `public` is written in the spec.
    public var location: SourceLocation
}

/// A service's `health`: its liveness and readiness probes.
public struct Health: Sendable, Hashable {
    /// `live`: HTTP liveness path on the service port (default `/healthz`).
    public var live: String
    /// `ready`: HTTP readiness path on the service port (default `/readyz`).
    public var ready: String
    /// `port`: the port the probes use; nil means the service port.
    public var port: Int?
    /// `command`: exec probe command for services without a port (default none).
    public var command: [String]
}

/// One entry of a service's `volumes`: a persistent volume mounted into it (the service becomes a StatefulSet).
public struct ServiceVolume: Sendable, Hashable {
    /// The volume's name (its key in `volumes`).
    public var name: String
    /// `size`: the volume's size.
    public var size: Quantity
    /// `class`: the storage class (a key of `storage.classes`); nil means the default class.
    public var storageClass: Located<String>?
    /// `path`: the mount path.
    public var path: String
}

/// What one environment changes about a service.
public struct ServiceOverride: Sendable {
    /// The environment this override applies to (its key in the service's `overrides`).
    public var environment: Located<String>
    /// `replicas`: replica bounds in this environment, when written.
    public var replicas: Replicas?
    /// `resources`: requests and limits in this environment, when written.
    public var resources: Resources?
    /// `public`: internet exposure in this environment, when written.
    public var publicRoute: PublicRoute?
    /// `env`: extra environment variables here, merged over the service's.
    public var env: [(String, String)]
    /// `enabled`: whether the service is deployed in this environment (default true).
    public var enabled: Bool
    /// `replicas.waiver` of this override's replicas, when written and not blank.
    public var replicasWaiver: Located<String>? = nil
}

/// A `uses` entry: `database/main` or `bucket/uploads:read`.
public struct Use: Sendable, Hashable {
    /// What a `uses` entry names: a database or a bucket.
    public enum Kind: String, Sendable { case database, bucket }
    /// Whether the entry names a database or a bucket.
    public var kind: Kind
    /// The database's or bucket's name.
    public var name: String
    /// Whether the entry ends in `:read` (read-only access).
    public var readOnly: Bool
    /// Where the entry is written in the spec.
    public var location: SourceLocation
}

/// `services.<name>.expose`: partner ranges reach the port through a LoadBalancer Service.
public struct Exposure: Sendable {
    /// `from`: the source ranges allowed in (the Service's `loadBalancerSourceRanges` and the NetworkPolicy).
    public var from: [Located<String>]
    /// `internal` or `external`.
    public var scope: String
    /// Where `expose` is written in the spec.
    public var location: SourceLocation
}

/// One entry of `services`: a workload, what it runs, who may call it and what it needs.
public struct Service: Sendable {
    /// The service's name (its key in `services`).
    public var name: String
    /// `image`: the image reference, `registry/repo:tag` or `@sha256:...`, never `latest`.
    public var image: Located<String>
    /// `port`: the container port served by a Service; nil means the service is not callable.
    public var port: Int?
    /// `protocol`: the application protocol of the port: `http` (default), `grpc`, `tcp` or `udp`.
    public var proto: String
    /// `public`: internet exposure through the gateway, when written.
    public var publicRoute: PublicRoute?
    /// `replicas`: replica bounds and autoscaling target.
    public var replicas: Replicas
    /// Where `replicas` is written (or the service's location when it is not).
    public var replicasLocation: SourceLocation
    /// `resources`: requests and limits.
    public var resources: Resources
    /// `health`: liveness and readiness probes.
    public var health: Health
    /// `talksTo`: the services this one calls (NetworkPolicy edges).
    public var talksTo: [Located<String>]
    /// `uses`: the databases and buckets it uses, parsed.
    public var uses: [Use]
    /// `uses` entries that did not parse, with why.
    public var badUses: [Located<String>]
    /// `secrets`: entries of the external secret store it needs (ExternalSecret references).
    public var secrets: [String]
    /// `env`: plain (non-secret) environment variables, in the order written.
    public var env: [(String, String)]
    /// `nodePool`: the node pool it runs on; nil means the first pool without taints, by name.
    public var nodePool: Located<String>?
    /// `volumes`: persistent volumes (the service becomes a StatefulSet).
    public var volumes: [ServiceVolume]
    /// `team`: the owning team, a key of `security.teams` (default empty).
    public var team: String
    /// `overrides`: per-environment changes.
    public var overrides: [ServiceOverride]
    /// Where the service is written in the spec.
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
    /// Where `volumes` is written, when it is.
    public var volumesLocation: SourceLocation? = nil
    /// Where Prometheus scrapes it (`metrics:`), and its objectives (`slos:`).
    public var metrics: ServiceMetrics? = nil
    /// `slos`: the service level objectives; each gets recording rules, burn-rate alerts and an error budget.
    public var slos: [SLO] = []
    /// The one environment and cluster the service runs in (the team server); nil: everywhere.
    public var pinned: Pin? = nil
    /// The service is the IP ledger's team server: the Deployment runs `berth serve` on the
    /// ledger database `IPAMServer.ledgerName`.
    public var isIPAMServer = false

    /// The override for environment `env`, when the service has one.
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

/// One entry of `databases`: a PostgreSQL cluster run by CloudNativePG.
public struct Database: Sendable {
    /// The database's name (its key in `databases`).
    public var name: String
    /// `version`: the PostgreSQL major version (default `16`).
    public var version: String
    /// `instances`: one primary and the rest replicas, spread across zones (default 1).
    public var instances: Int
    /// Where `instances` is written (or the database's location when it is not).
    public var instancesLocation: SourceLocation
    /// `storage.size`: the data volume size.
    public var size: Quantity
    /// `storage.class`: the storage class; nil means the default class.
    public var storageClass: Located<String>?
    /// `storage.walSize`: the separate WAL volume size (default a quarter of size, at least 1Gi).
    public var walSize: Quantity
    /// `memory`: memory per instance; PostgreSQL parameters are sized from it (default `2Gi`).
    public var memory: Quantity
    /// `cpu`: CPU per instance (default `1`).
    public var cpu: Quantity
    /// `backup`: backups to object storage, when written.
    public var backup: Backup?
    /// `pooler`: PgBouncer in front of the database: its mode (`transaction` by default) and pods (default 2); nil without one.
    public var pooler: (mode: String, instances: Int)?
    /// `maxConnections`: PostgreSQL `max_connections` (default 200).
    public var maxConnections: Int
    /// `shared`: one database for all environments instead of one per environment (default false).
    public var shared: Bool
    /// `topology`: where the primary runs and what an environment's other clusters get.
    public var topology: Topology
    /// `rpo`: the recovery point objective target; a worse computed RPO is a warning. Nil when not written.
    public var rpo: SpecDuration?
    /// Where the database is written in the spec.
    public var location: SourceLocation
    /// The one environment and cluster holding the database (the team server's ledger); nil:
    /// every environment, as `shared` and `topology` say.
    public var pinned: Pin? = nil

    /// Where the primary runs and what an environment's other clusters get.
    public struct Topology: Sendable {
        /// `replicas`: `read` (a read-only replica cluster in the other clusters) or `none`.
        public enum Replicas: String, Sendable, CaseIterable { case read, none }
        /// `remoteClients`: `refuse` (a check error) or `primary` (render the cross-cluster path to the primary).
        public enum RemoteClients: String, Sendable, CaseIterable { case refuse, primary }
        /// Region of the primary; nil: the region of each environment's first cluster.
        public var primary: Located<String>?
        /// What the environment's other clusters get (default `read`).
        public var replicas: Replicas
        /// How clients in a cluster without the primary are handled (default `refuse`).
        public var remoteClients: RemoteClients
        /// Where `topology` is written (or the database's location).
        public var location: SourceLocation
    }

    /// A database's `backup`: base backups and WAL archives in object storage.
    public struct Backup: Sendable {
        /// `schedule`: the base backup schedule (cron).
        public var schedule: String
        /// `retention`: how long backups are kept.
        public var retention: SpecDuration
        /// `bucket`: the bucket (a key of `buckets`) holding backups and WAL archives.
        public var bucket: Located<String>
        /// Where `backup` is written in the spec.
        public var location: SourceLocation
    }
}

/// One entry of `buckets`: an S3-compatible bucket.
public struct Bucket: Sendable {
    /// The bucket's name (its key in `buckets`).
    public var name: String
    /// `versioning`: keep object versions (default false).
    public var versioning: Bool
    /// `encryption`: server-side encryption, `kms` (default), `s3` or `none`.
    public var encryption: String
    /// `lifecycle`: lifecycle steps, in the order written.
    public var lifecycle: [LifecycleRule]
    /// `shared`: one bucket for all environments instead of one per environment (default false).
    public var shared: Bool
    /// `public`: allow anonymous reads, never for backups (default false).
    public var isPublic: Bool
    /// `noncurrentAfter`: with versioning, delete non-current versions after this long (default 30d).
    public var noncurrentAfter: SpecDuration
    /// `abortUploadsAfter`: abort incomplete multipart uploads after this long (default 7d).
    public var abortUploadsAfter: SpecDuration
    /// Where the bucket is written in the spec.
    public var location: SourceLocation

    /// One entry of a bucket's `lifecycle`: one step applied at an age.
    public struct LifecycleRule: Sendable {
        /// `after`: the age of objects the rule applies to.
        public var after: SpecDuration
        /// `transition`: the storage tier to move to (`infrequent-access`, `archive`, `deep-archive`); nil for none.
        public var transition: String?
        /// `expire`: delete objects at this age (default false).
        public var expire: Bool
    }
}

/// `storage`: storage classes and the volume snapshot schedule.
public struct Storage: Sendable {
    /// `classes`: the storage classes, in the order written.
    public var classes: [StorageClassSpec]
    /// `snapshots`: when volume snapshots are taken (cron) and how many are kept; nil without snapshots.
    public var snapshots: (schedule: String, keep: Int)?
    /// Where `storage.snapshots` is written, for diagnostics.
    public var snapshotsLocation: SourceLocation?

    /// The class volumes get when they name none: the one marked `default`, else the first.
    public var defaultClass: StorageClassSpec? { classes.first { $0.isDefault } ?? classes.first }
    /// The storage class named `n`, if `storage.classes` declares it.
    public func storageClass(_ n: String) -> StorageClassSpec? { classes.first { $0.name == n } }
}

/// One entry of `storage.classes`: a class of persistent volumes, encrypted at rest as `security.encryption.atRest` says.
public struct StorageClassSpec: Sendable {
    /// The class's name (its key in `storage.classes`).
    public var name: String
    /// `kind`: the media, `ssd` (default) or `hdd`.
    public var kind: String
    /// `iops`: provisioned IOPS where the provider supports it; nil when not written.
    public var iops: Int?
    /// `throughput`: provisioned throughput in MiB/s where supported; nil when not written.
    public var throughput: Int?
    /// `reclaim`: the reclaim policy, `Retain` or `Delete` (default).
    public var reclaim: String
    /// `default`: whether this is the cluster default class (default false).
    public var isDefault: Bool
    /// Where the class is written in the spec.
    public var location: SourceLocation
}

/// `delivery`: GitOps, Helm and the registry policy.
public struct Delivery: Sendable {
    /// `gitops`: the Argo CD repository berth renders into, when written.
    public var gitops: GitOps?
    /// `helm`: also emit a Helm chart per service (default false).
    public var helm: Bool
    /// `registry`: the container registry policy, when written.
    public var registry: Registry?

    /// `delivery.gitops`: the Argo CD repository berth renders into.
    public struct GitOps: Sendable {
        /// `repo`: the repository URL.
        public var repo: String
        /// `branch`: the branch (default `main`).
        public var branch: String
        /// `path`: the folder in the repository holding the rendered output (default `rendered`).
        public var path: String
        /// `autoSync`: environments Argo CD syncs automatically; the rest sync by hand.
        public var autoSync: [Located<String>]
        /// `selfHeal`: revert drift in auto-synced environments (default true).
        public var selfHeal: Bool
        /// `prune`: delete objects removed from the spec in auto-synced environments (default true).
        public var prune: Bool
    }

    /// `delivery.registry`: the container registry policy.
    public struct Registry: Sendable {
        /// `host`: the registry host; every image must come from it.
        public var host: String
        /// `tags`: the tagging strategy, `semver` (default), `git-sha` or `semver+sha`.
        public var tags: String
        /// `pinDigests`: require `@sha256:` digests in production (default false).
        public var pinDigests: Bool
        /// `immutable`: tags cannot be overwritten (default true).
        public var immutable: Bool
        /// `scan.onPush`: scan every pushed image (default true).
        public var scanOnPush: Bool
        /// `scan.blockSeverity`: the lowest severity that blocks a deploy (default `critical`).
        public var blockSeverity: String
        /// `retention.keepLast`: tagged images kept per repository (default 30).
        public var keepLast: Int
        /// `retention.untaggedAfter`: untagged images expire after this long (default 7d).
        public var untaggedAfter: SpecDuration
        /// Where `delivery.registry` is written in the spec.
        public var location: SourceLocation
    }
}

/// `scaling`: autoscaling of nodes and pods, and connection pooling.
public struct Scaling: Sendable {
    /// `clusterAutoscaler`: node pools scale between min and max (default true).
    public var clusterAutoscaler: Bool
    /// `verticalPodAutoscaler`: the VPA mode per workload, `off` (default), `recommend` or `auto`.
    public var verticalPodAutoscaler: String
    /// `connectionPooling`: services reach databases through the pooler when one exists (default true).
    public var connectionPooling: Bool
}

/// One entry of `security.teams`: a team and its access.
public struct Team: Sendable {
    /// The team's name (its key in `security.teams`).
    public var name: String
    /// `role`: the role in its environments, `admin`, `edit` or `view`.
    public var role: String
    /// nil means all environments.
    public var environments: [Located<String>]?
    /// `group`: the identity-provider group bound to the role (default the team name).
    public var group: String
    /// `clusterAdmin`: also bind cluster-admin (default false; discouraged and flagged by audit).
    public var clusterAdmin: Bool
    /// Where the team is written in the spec.
    public var location: SourceLocation
}

/// `security`: access, secrets, encryption, audit and compliance.
public struct Security: Sendable {
    /// `teams`: the teams, in the order written.
    public var teams: [Team]
    /// `podSecurity`: the Pod Security Standard enforced per namespace (default `restricted`).
    public var podSecurity: String
    /// `networkPolicy`: `default-deny` (the default) denies traffic not declared by talksTo, uses and public.
    public var networkPolicy: NetworkPolicyMode
    /// `tls`: certificates for public routes; nil means no route has a certificate.
    public var tls: TLS?
    /// The external store: its kind, the rotation interval, and for vault (server URL) and
    /// azure-key-vault (vault URL) its address, and for vault the Kubernetes auth role.
    public var secrets: (store: String, rotateEvery: SpecDuration, address: String, role: String)?
    /// `encryption.atRest`: `kms` (default), `provider` or `none`.
    public var encryptionAtRest: String
    /// `encryption.inTransit`: `tls` at the edge (default) or `mtls` everywhere (needs a mesh).
    public var encryptionInTransit: String
    /// `audit.level`: the Kubernetes API audit level (default `Metadata`).
    public var auditLevel: String
    /// `audit.retention`: how long audit logs are kept (default 365d).
    public var auditRetention: SpecDuration
    /// `compliance`: the regimes whose rule sets apply (`gdpr`, `soc2`, `hipaa`, `pci-dss`).
    public var compliance: [String]
    /// `backupRetention`: the stated minimum backup retention; nil when not written.
    public var backupRetention: SpecDuration?

    /// The minimum backup retention: the stated one, else the longest minimum of the regimes.
    public var requiredBackupRetention: (SpecDuration, String)? {
        if let r = backupRetention { return (r, "security.backupRetention") }
        let minimums: [(String, Int)] = [("gdpr", 30), ("soc2", 90), ("pci-dss", 365), ("hipaa", 6 * 365)]
        let applicable = minimums.filter { compliance.contains($0.0) }
        guard let longest = applicable.max(by: { $0.1 < $1.1 }) else { return nil }
        return (SpecDuration(seconds: longest.1 * 86_400, text: "\(longest.1)d"), longest.0)
    }

    /// `security.tls`: the cert-manager issuer of public routes' certificates.
    public struct TLS: Sendable {
        /// The words of `security.tls.issuer`.
        public static let issuers = ["letsencrypt", "letsencrypt-staging", "selfsigned", "ca", "vault"]
        /// `issuer`: `letsencrypt` (default), `letsencrypt-staging`, `selfsigned`, `ca` or `vault`.
        public var issuer: String
        /// `email`: the ACME account e-mail, required with the Let's Encrypt issuers.
        public var email: String
        /// `minVersion`: the minimum TLS version, `1.2` (default) or `1.3`.
        public var minVersion: String
        /// `issuer: ca`: the Secret (in cert-manager's namespace) holding the CA's certificate and key.
        public var caSecret: String = ""
        /// `issuer: vault`: the server URL, the PKI sign path and the Kubernetes auth role.
        public var vault: (address: String, path: String, role: String)? = nil

        /// Whether the issuer is an ACME server (HTTP-01 and DNS-01 challenges, an account e-mail).
        public var isACME: Bool { issuer == "letsencrypt" || issuer == "letsencrypt-staging" }
    }

    /// The team named `n`, if `security.teams` declares it.
    public func team(_ n: String) -> Team? { teams.first { $0.name == n } }
}

/// The spec's fixed word sets. Each enum is the one list of its words: the schema
/// (`SpecSchema`), the decoder and every comparison use it, and its raw values are the
/// words written in the spec.
public enum Mesh: String, Sendable, CaseIterable, CustomStringConvertible {
    /// No mesh, Linkerd or Istio.
    case none, linkerd, istio
    /// The word written in the spec.
    public var description: String { rawValue }
}

/// How public traffic enters: Gateway API (Gateway + HTTPRoute) or an Ingress.
public enum IngressAPI: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Gateway API or networking.k8s.io Ingress.
    case gateway, ingress
    /// The word written in the spec.
    public var description: String { rawValue }
}

/// Whether NetworkPolicies isolate pods (`default-deny`) or none are rendered.
public enum NetworkPolicyMode: String, Sendable, CaseIterable, CustomStringConvertible {
    /// NetworkPolicies deny all traffic the spec does not declare.
    case defaultDeny = "default-deny"
    /// No NetworkPolicies are rendered.
    case none
    /// The word written in the spec.
    public var description: String { rawValue }
}

/// One environment on one cluster: where a pinned service or database runs.
public struct Pin: Sendable, Hashable {
    /// The environment's name.
    public var environment: String
    /// The cluster's name.
    public var cluster: String
}

/// `infrastructure`: the cloud foundation (networks, clusters, node pools, keys, DNS zones,
/// buckets, registry repositories and identities) rendered under `infra/` for an engine.
public struct Infrastructure: Sendable {
    /// `engine`: what applies the foundation; `crossplane` (managed resources of the upjet providers).
    public var engine: String
    /// `endpoint`: the clusters' API endpoint, `public` (reachable from the internet and from
    /// the network) or `private` (from the network only).
    public var endpoint: String
    /// `credentials`: the Secret in `crossplane-system` holding the provider's credentials
    /// (key `credentials`); berth names it and never writes it.
    public var credentials: String
    /// `tenant` (azure): the Entra ID tenant id the Key Vaults trust (empty: not set).
    public var tenant: String = ""
    /// `principals` (azure): the object (principal) ids of the managed identities the
    /// foundation creates, by the same key as `provider.identities` (`platform` for the
    /// identity of `provider.account`); a role assignment needs it, and Azure assigns it
    /// when the identity is created.
    public var principals: [String: String] = [:]
    /// `issuers` (azure): each AKS cluster's OIDC issuer URL by cluster name, which Azure
    /// assigns when the cluster is created; federated identity credentials trust it.
    public var issuers: [String: String] = [:]
    /// `keyVersions` (azure): the version of each region's Key Vault key by region name,
    /// which Azure assigns when the key is created; AKS encrypts secrets (KMS) with the
    /// versioned key id.
    public var keyVersions: [String: String] = [:]
    /// Where `infrastructure` is written in the spec.
    public var location: SourceLocation
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

    /// `cluster`: the cluster it runs on (one of the environment's clusters).
    public var cluster: Located<String>
    /// `environment`: the environment whose namespace it runs in.
    public var environment: Located<String>
    /// `replicas`: server pods, sharing the ledger (default 2; production needs 2 or more).
    public var replicas: Int
    /// The full host name of the route (default `ipam.<environment domain>`).
    public var hostname: Located<String>
    /// `image`: the berth image with its version pinned (default `ghcr.io/berth-dev/berth:<version>`).
    public var image: Located<String>
    /// `port`: the port the server listens on and serves `/metrics` on (default 8080).
    public var port: Int
    /// Where `ipam.server` is written in the spec.
    public var location: SourceLocation
}
