/// `berth capacity`: what the services ask of each node pool, at minimum and maximum
/// replicas, against what the pool can give, and whether database connections hold.
///
/// Model: every environment on a cluster shares its node pools. A pod needs its CPU and
/// memory requests and one of the node's pod slots (`network.podsPerNode`). Nodes needed
/// come from first-fit-decreasing bin packing of the pods onto empty nodes of the pool's
/// allocatable size (`NodePool.allocatableCPUMilli` / `allocatableMemoryBytes`). Nodes are
/// spread evenly over the cluster's zones, so losing the largest zone loses
/// ceil(nodes / zones) nodes.
///
/// Database pods count too, as rendered (`Plan.databaseFootprint`): the CloudNativePG
/// instance pods of every cluster that holds a primary or a replica cluster, and the
/// PgBouncer pods beside each primary, at the same requests at minimum and maximum, on the
/// cluster's default pool (the rendered Cluster and Pooler have no nodeSelector and no
/// tolerations, so they run on untainted pools; berth counts them on the first by name).
public struct CapacityReport: Sendable {
    /// One entry per node pool: the clusters in the order written, each one's pools by name.
    public var pools: [PoolCapacity]
    /// One entry per database and scope: connections asked for against those accepted.
    public var connections: [ConnectionBudget]
    /// Database pods that no pool can take: every pool of their cluster is tainted.
    public var unschedulable: [String] = []

    /// Problems that make `berth capacity` exit 1.
    public var problems: [String] {
        var out: [String] = []
        for p in pools {
            if p.nodesAtMin > p.nodesMax {
                out.append(
                    "cluster '\(p.cluster)' pool '\(p.pool)' needs \(p.nodesAtMin) nodes for minimum replicas but may grow to \(p.nodesMax)"
                )
            } else if p.nodesAtMax > p.nodesMax {
                out.append(
                    "cluster '\(p.cluster)' pool '\(p.pool)' needs \(p.nodesAtMax) nodes for maximum replicas but the autoscaler stops at \(p.nodesMax)"
                )
            }
            if !p.largestPodFits {
                out.append(
                    "cluster '\(p.cluster)' pool '\(p.pool)': the largest pod (\(Quantity.cpuText(milli: p.largestPodCPU)) CPU, \(Quantity.bytesText(p.largestPodMemory)) memory) does not fit one node"
                )
            }
        }
        for c in connections where c.demand > c.available {
            out.append("database '\(c.database)' (\(c.scope)) may be asked for \(c.demand) connections but accepts \(c.available)")
        }
        out += unschedulable
        return out
    }

    /// Findings worth a look that do not fail the command.
    public var warnings: [String] {
        pools.filter { $0.zones > 0 && !$0.holdsMinAfterZoneLoss }.map {
            "cluster '\($0.cluster)' pool '\($0.pool)' cannot hold minimum replicas after losing a zone (\($0.nodesAfterZoneLoss) of \($0.nodesMax) nodes left, \($0.nodesAtMin) needed)"
        }
    }
}

/// Per-environment demand on a pool.
public struct PoolDemand: Sendable {
    /// The environment whose pods these are.
    public var environment: String
    /// CPU (millicores), memory (bytes) and pods at every service's minimum replicas.
    public var cpuMin: Int64, memoryMin: Int64, podsMin: Int
    /// CPU (millicores), memory (bytes) and pods at every service's maximum replicas.
    public var cpuMax: Int64, memoryMax: Int64, podsMax: Int
    /// The database pods included above, one line per database.
    public var databases: [String] = []
}

/// What one node pool must hold and what it can give: demand per environment, bin-packed nodes, zone loss and waste.
public struct PoolCapacity: Sendable {
    /// The cluster's name.
    public var cluster: String
    /// The node pool's name.
    public var pool: String
    /// The pool's machine type.
    public var machine: String
    /// Zones of the cluster the nodes are spread over.
    public var zones: Int
    /// The pool's `min` nodes.
    public var nodesMin: Int
    /// The pool's `max` nodes (where the cluster autoscaler stops).
    public var nodesMax: Int
    /// Whether the pool runs on spot / preemptible capacity.
    public var spot: Bool
    /// CPU pods can request on one node, in millicores.
    public var allocatableCPU: Int64
    /// Memory pods can request on one node, in bytes.
    public var allocatableMemory: Int64
    /// Pod slots per node (`network.podsPerNode`).
    public var podsPerNode: Int
    /// Demand of each environment that places pods on the pool.
    public var demand: [PoolDemand]
    /// Totals over the environments at minimum replicas: CPU (millicores), memory (bytes) and pods.
    public var cpuMin: Int64, memoryMin: Int64, podsMin: Int
    /// Totals over the environments at maximum replicas: CPU (millicores), memory (bytes) and pods.
    public var cpuMax: Int64, memoryMax: Int64, podsMax: Int
    /// Nodes bin packing needs at minimum and maximum replicas.
    public var nodesAtMin: Int
    /// Nodes bin packing needs at maximum replicas.
    public var nodesAtMax: Int
    /// Nodes left at the pool's maximum after the largest zone is lost.
    public var nodesAfterZoneLoss: Int
    /// Whether the nodes left after losing the largest zone hold the pods at minimum replicas.
    public var holdsMinAfterZoneLoss: Bool
    /// Whether the nodes left after losing the largest zone hold the pods at maximum replicas.
    public var holdsMaxAfterZoneLoss: Bool
    /// CPU and memory left over after losing a zone, at minimum replicas (negative: short).
    public var zoneLossHeadroomCPU: Int64
    /// Memory (bytes) left over after losing a zone, at minimum replicas (negative: short).
    public var zoneLossHeadroomMemory: Int64
    /// The largest requests among the pool's pods, and whether they fit one node.
    public var largestPodCPU: Int64
    /// The largest memory request (bytes) among the pool's pods.
    public var largestPodMemory: Int64
    /// Whether the largest pod fits one node (CPU, memory and a pod slot).
    public var largestPodFits: Bool
    /// Share of the packed nodes' CPU and memory that no pod requests, at maximum replicas.
    public var wasteCPUPercent: Int
    /// Share of the packed nodes' memory that no pod requests, at maximum replicas.
    public var wasteMemoryPercent: Int
}

/// Database connections asked for against `maxConnections` less the 3 superuser slots.
/// Through a pooler: each PgBouncer pod opens up to its rendered `default_pool_size`
/// server connections (`Plan.poolerPoolSize`). Without one: every pod of every service that uses the database
/// keeps a client pool of 10 (an assumption, stated in the output).
public struct ConnectionBudget: Sendable {
    /// The database's name.
    public var database: String
    /// The environment, or `shared` for a database shared by all environments.
    public var scope: String
    /// Whether a PgBouncer pooler stands in front of the database.
    public var pooled: Bool
    /// Server connections that may be asked for.
    public var demand: Int
    /// `maxConnections` less the superuser slots.
    public var available: Int
    /// How the demand was counted, one line for the output.
    public var detail: String
}

/// `berth capacity`: node pool capacity and database connection budgets of a spec.
public enum Capacity {
    /// Connections each pod of a service keeps to a database it reaches without a pooler (an assumption).
    public static let clientPoolPerPod = 10
    /// PostgreSQL connection slots kept for superusers (`superuser_reserved_connections`).
    public static let reservedConnections = 3

    /// The capacity report of `spec`, from `plan` when given (else the plan is computed).
    public static func report(_ spec: Spec, plan: Plan? = nil) -> CapacityReport {
        let plan = plan ?? Plan(spec: spec)
        var pools: [PoolCapacity] = []
        var unschedulable: [String] = []
        for t in plan.targets {
            for f in plan.databaseFootprints(in: t) where f.pool == nil {
                unschedulable.append(
                    "cluster '\(t.cluster.name)': every node pool is tainted, so the pods of database '\(f.database.name)' (\(t.environment.name)), which tolerate no taints, cannot be scheduled"
                )
            }
        }
        for c in spec.clusters {
            let targets = plan.targets.filter { $0.cluster.name == c.name }
            for pool in c.nodePools.sorted(by: { $0.name < $1.name }) {
                let (demand, podsAtMin, podsAtMax) = poolDemand(pool, targets: targets, plan: plan)
                pools.append(poolCapacity(c, pool, demand: demand, podsAtMin: podsAtMin, podsAtMax: podsAtMax, spec: spec))
            }
        }
        return CapacityReport(pools: pools, connections: connections(spec, plan: plan), unschedulable: unschedulable)
    }

    /// Identical pods: their CPU (milli), memory (bytes) and how many.
    private typealias PodGroup = (cpu: Int64, mem: Int64, count: Int)

    /// What each environment on the pool's cluster asks of the pool at its minimum and maximum
    /// replicas, and the pods to pack for each.
    private static func poolDemand(_ pool: NodePool, targets: [Target], plan: Plan) -> ([PoolDemand], [PodGroup], [PodGroup]) {
        var demand: [PoolDemand] = []
        var podsAtMin: [PodGroup] = []
        var podsAtMax: [PodGroup] = []
        for t in targets {
            var d = PoolDemand(
                environment: t.environment.name, cpuMin: 0, memoryMin: 0, podsMin: 0, cpuMax: 0, memoryMax: 0, podsMax: 0)
            for p in t.placements where p.pool?.name == pool.name {
                let cpu = p.resources.cpu.milli
                let mem = p.resources.memory.units
                d.cpuMin += cpu * Int64(p.replicas.min)
                d.memoryMin += mem * Int64(p.replicas.min)
                d.podsMin += p.replicas.min
                d.cpuMax += cpu * Int64(p.replicas.max)
                d.memoryMax += mem * Int64(p.replicas.max)
                d.podsMax += p.replicas.max
                if p.replicas.min > 0 { podsAtMin.append((cpu, mem, p.replicas.min)) }
                if p.replicas.max > 0 { podsAtMax.append((cpu, mem, p.replicas.max)) }
            }
            for f in plan.databaseFootprints(in: t) where f.pool?.name == pool.name {
                var groups = [(cpu: f.instanceCPUMilli, mem: f.instanceMemoryBytes, count: f.instances)]
                if f.poolerInstances > 0 { groups.append((f.poolerCPUMilli, f.poolerMemoryBytes, f.poolerInstances)) }
                for g in groups where g.count > 0 {
                    d.cpuMin += g.cpu * Int64(g.count)
                    d.memoryMin += g.mem * Int64(g.count)
                    d.podsMin += g.count
                    d.cpuMax += g.cpu * Int64(g.count)
                    d.memoryMax += g.mem * Int64(g.count)
                    d.podsMax += g.count
                    podsAtMin.append(g)
                    podsAtMax.append(g)
                }
                d.databases.append(databaseLine(f))
            }
            if d.podsMax > 0 { demand.append(d) }
        }
        return (demand, podsAtMin, podsAtMax)
    }

    /// A database's line in the pool's demand: its instances and PgBouncer pods.
    private static func databaseLine(_ f: DatabaseFootprint) -> String {
        var line =
            "database \(f.database.name): \(f.instances) instance\(f.instances == 1 ? "" : "s") x \(Quantity.cpuText(milli: f.instanceCPUMilli)) CPU \(Quantity.bytesText(f.instanceMemoryBytes))"
        if f.poolerInstances > 0 {
            line +=
                ", \(f.poolerInstances) PgBouncer pod\(f.poolerInstances == 1 ? "" : "s") x \(Quantity.cpuText(milli: f.poolerCPUMilli)) CPU \(Quantity.bytesText(f.poolerMemoryBytes))"
        }
        return line
    }

    /// The pool's nodes at minimum and maximum demand, after losing a zone, and its waste.
    private static func poolCapacity(
        _ c: Cluster, _ pool: NodePool, demand: [PoolDemand], podsAtMin: [PodGroup], podsAtMax: [PodGroup], spec: Spec
    ) -> PoolCapacity {
        let allocCPU = pool.allocatableCPUMilli
        let allocMem = pool.allocatableMemoryBytes
        let slots = spec.network.podsPerNode
        let atMin = pack(podsAtMin, cpu: allocCPU, mem: allocMem, slots: slots)
        let atMax = pack(podsAtMax, cpu: allocCPU, mem: allocMem, slots: slots)
        let zones = max(1, c.zones.count)
        let lost = (pool.max + zones - 1) / zones
        let surviving = zones > 1 ? pool.max - lost : 0
        let sum = { (k: KeyPath<PoolDemand, Int64>) in demand.reduce(Int64(0)) { $0 + $1[keyPath: k] } }
        let cpuMin = sum(\.cpuMin)
        let memMin = sum(\.memoryMin)
        let cpuMax = sum(\.cpuMax)
        let memMax = sum(\.memoryMax)
        let largestCPU = podsAtMax.map(\.cpu).max() ?? 0
        let largestMem = podsAtMax.map(\.mem).max() ?? 0
        func waste(_ used: Int64, _ per: Int64) -> Int {
            let total = Int64(atMax.nodes) * per
            return total > 0 ? Int((total - used) * 100 / total) : 0
        }
        return PoolCapacity(
            cluster: c.name, pool: pool.name, machine: pool.machine, zones: c.zones.count,
            nodesMin: pool.min, nodesMax: pool.max, spot: pool.spot,
            allocatableCPU: allocCPU, allocatableMemory: allocMem, podsPerNode: slots,
            demand: demand,
            cpuMin: cpuMin, memoryMin: memMin, podsMin: demand.reduce(0) { $0 + $1.podsMin },
            cpuMax: cpuMax, memoryMax: memMax, podsMax: demand.reduce(0) { $0 + $1.podsMax },
            nodesAtMin: atMin.nodes, nodesAtMax: atMax.nodes,
            nodesAfterZoneLoss: surviving,
            holdsMinAfterZoneLoss: atMin.nodes <= surviving,
            holdsMaxAfterZoneLoss: atMax.nodes <= surviving,
            zoneLossHeadroomCPU: Int64(surviving) * allocCPU - cpuMin,
            zoneLossHeadroomMemory: Int64(surviving) * allocMem - memMin,
            largestPodCPU: largestCPU, largestPodMemory: largestMem,
            largestPodFits: largestCPU <= allocCPU && largestMem <= allocMem && atMax.fits,
            wasteCPUPercent: waste(cpuMax, allocCPU), wasteMemoryPercent: waste(memMax, allocMem))
    }

    /// First-fit decreasing over groups of identical pods: each group is placed on the open
    /// nodes in order, as many per node as fit, then on new nodes. Pods larger than a node
    /// are left out and reported through `fits`.
    static func pack(_ groups: [(cpu: Int64, mem: Int64, count: Int)], cpu: Int64, mem: Int64, slots: Int) -> (nodes: Int, fits: Bool) {
        guard cpu > 0, mem > 0, slots > 0 else { return (0, groups.isEmpty) }
        let sorted = groups.sorted { a, b in
            let ka = max(Double(a.cpu) / Double(cpu), Double(a.mem) / Double(mem))
            let kb = max(Double(b.cpu) / Double(cpu), Double(b.mem) / Double(mem))
            return ka != kb ? ka > kb : (a.cpu, a.mem) > (b.cpu, b.mem)
        }
        var free: [(cpu: Int64, mem: Int64, slots: Int)] = []
        var fits = true
        for g in sorted {
            guard g.cpu <= cpu, g.mem <= mem else {
                fits = false
                continue
            }
            var left = g.count
            func take(_ n: inout (cpu: Int64, mem: Int64, slots: Int)) {
                var k = n.slots
                if g.cpu > 0 { k = min(k, Int(n.cpu / g.cpu)) }
                if g.mem > 0 { k = min(k, Int(n.mem / g.mem)) }
                k = min(k, left)
                guard k > 0 else { return }
                n.cpu -= Int64(k) * g.cpu
                n.mem -= Int64(k) * g.mem
                n.slots -= k
                left -= k
            }
            var i = 0
            while left > 0, i < free.count {
                take(&free[i])
                i += 1
            }
            while left > 0 {
                var n = (cpu: cpu, mem: mem, slots: slots)
                take(&n)
                free.append(n)
            }
        }
        return (free.count, fits)
    }

    static func connections(_ spec: Spec, plan: Plan) -> [ConnectionBudget] {
        var out: [ConnectionBudget] = []
        for d in spec.databases {
            let pooled = spec.scaling.connectionPooling && d.pooler != nil
            let available = d.maxConnections - reservedConnections
            // Replicas of every pod that uses the database, per environment (all clusters).
            var pods: [String: Int] = [:]
            for t in plan.targets {
                for p in t.placements where p.service.uses.contains(where: { $0.kind == .database && $0.name == d.name }) {
                    pods[d.shared ? "shared" : t.environment.name, default: 0] += p.replicas.max
                }
            }
            for scope in pods.keys.sorted() {
                let n = pods[scope] ?? 0
                if pooled, let pooler = d.pooler, let poolSize = plan.poolerPoolSize(d) {
                    out.append(
                        ConnectionBudget(
                            database: d.name, scope: scope, pooled: true,
                            demand: pooler.instances * poolSize, available: available,
                            detail:
                                "\(pooler.instances) PgBouncer pods x \(poolSize) server connections (the Pooler's default_pool_size); \(n) client pods at max replicas"
                        ))
                } else {
                    out.append(
                        ConnectionBudget(
                            database: d.name, scope: scope, pooled: false,
                            demand: n * clientPoolPerPod, available: available,
                            detail: "\(n) pods at max replicas x \(clientPoolPerPod) connections each (assumed client pool), no pooler"))
                }
            }
        }
        return out
    }
}
