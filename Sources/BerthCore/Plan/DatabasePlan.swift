/// The pods and volumes of the databases berth renders, per target: the one place the
/// renderer (`Renderer.databaseObjects`), `berth capacity`, `berth cost` and the document
/// read them from, so what they count is what is rendered.
///
/// - Instances: production runs `databases.<name>.instances`; other tiers run at most one
///   instance per zone of the cluster (at least one).
/// - Pooler: rendered only beside the primary (a replica cluster is read-only and has no
///   Pooler), `pooler.instances` PgBouncer pods, each with `default_pool_size`
///   max(5, (maxConnections - 10) / pooler instances) server connections.
/// - Pods: the instance pods request (and are limited to) the database's `cpu` and `memory`;
///   the PgBouncer pods request `Plan.poolerResources`, set explicitly on the Pooler's pod
///   template (CloudNativePG sets none of its own).
/// - Volumes: every instance has a data volume of `size` and a WAL volume of `walSize`.
public struct DatabaseFootprint: Sendable {
    /// The database.
    public var database: Database
    /// Whether this target holds the primary or a replica cluster.
    public var role: Plan.DatabaseRole
    /// CloudNativePG instance pods in this target.
    public var instances: Int
    /// PgBouncer pods in this target (0 without a pooler, and in replica clusters).
    public var poolerInstances: Int
    /// The Pooler's `default_pool_size` (server connections per PgBouncer pod), when it has one here.
    public var poolSize: Int?
    /// Bytes of one instance's data and WAL volumes.
    public var dataBytes: Int64
    /// Bytes of one instance's WAL volume.
    public var walBytes: Int64
    /// Where the pods run. The rendered Cluster and Pooler have no nodeSelector and no
    /// tolerations, so the scheduler may put them on any untainted pool; capacity and cost
    /// count them on the cluster's default pool (the first untainted pool by name, where
    /// services without `nodePool` run too). Nil when every pool is tainted: the pods cannot
    /// be scheduled at all.
    public var pool: NodePool?

    /// Every pod of one instance or PgBouncer pod: CPU in millicores, memory in bytes.
    public var instanceCPUMilli: Int64 { database.cpu.milli }
    /// Memory of one instance pod, in bytes.
    public var instanceMemoryBytes: Int64 { database.memory.units }
    /// CPU of one PgBouncer pod, in millicores.
    public var poolerCPUMilli: Int64 { Plan.poolerResources.cpuRequest.milli }
    /// Memory of one PgBouncer pod, in bytes.
    public var poolerMemoryBytes: Int64 { Plan.poolerResources.memoryRequest.units }
    /// Bytes of all volumes of this target's instances.
    public var volumeBytes: Int64 { (dataBytes + walBytes) * Int64(instances) }
}

extension Plan {
    /// Requests and limits of a PgBouncer container (`spec.template` of every Pooler).
    public struct PoolerResources: Sendable {
        /// CPU request.
        public var cpuRequest: Quantity
        /// Memory request.
        public var memoryRequest: Quantity
        /// CPU limit.
        public var cpuLimit: Quantity
        /// Memory limit.
        public var memoryLimit: Quantity
    }

    /// PgBouncer is single-threaded and small: 100m / 128Mi requested, limits of 500m CPU
    /// (one busy core's half, so bursts are not throttled at once) and the same 128Mi memory.
    public static let poolerResources = PoolerResources(
        cpuRequest: Quantity(milli: 100, text: "100m"), memoryRequest: Quantity(milli: Int64(128 << 20) * 1000, text: "128Mi"),
        cpuLimit: Quantity(milli: 500, text: "500m"), memoryLimit: Quantity(milli: Int64(128 << 20) * 1000, text: "128Mi"))

    /// CloudNativePG instances of `d` in target `t`.
    public func databaseInstances(_ d: Database, in t: Target) -> Int {
        t.environment.tier == .production ? d.instances : min(d.instances, max(1, t.cluster.zones.count))
    }

    /// The Pooler's `default_pool_size`: the connections left after 10 for administration,
    /// shared by the PgBouncer pods, at least 5 each. Nil without a pooler.
    public func poolerPoolSize(_ d: Database) -> Int? {
        guard let pooler = d.pooler else { return nil }
        return max(5, (d.maxConnections - 10) / max(1, pooler.instances))
    }

    /// What database `d` runs in target `t`, or nil when the target holds none of it.
    public func databaseFootprint(_ d: Database, in t: Target) -> DatabaseFootprint? {
        guard let role = role(of: d, in: t) else { return nil }
        let pooled: Bool
        if case .primary = role, d.pooler != nil { pooled = true } else { pooled = false }
        return DatabaseFootprint(
            database: d, role: role, instances: databaseInstances(d, in: t),
            poolerInstances: pooled ? (d.pooler?.instances ?? 0) : 0,
            poolSize: pooled ? poolerPoolSize(d) : nil,
            dataBytes: d.size.units, walBytes: d.walSize.units,
            pool: t.cluster.nodePools.filter(\.taints.isEmpty).min { $0.name < $1.name })
    }

    /// Every database footprint of a target, in spec order.
    public func databaseFootprints(in t: Target) -> [DatabaseFootprint] {
        spec.databases.compactMap { databaseFootprint($0, in: t) }
    }
}
