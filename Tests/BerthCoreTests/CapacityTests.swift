import Foundation
import Testing

@testable import BerthCore

@Suite("Capacity")
struct CapacityTests {
    static func report(_ text: String) throws -> CapacityReport { Capacity.report(try AuditTests.spec(text)) }

    @Test("bin packing: identical pods fill nodes, the largest first; slots limit pods per node; oversized pods are reported")
    func packing() {
        #expect(Capacity.pack([], cpu: 1000, mem: 1000, slots: 10) == (0, true))
        #expect(Capacity.pack([(cpu: 300, mem: 100, count: 10)], cpu: 1000, mem: 1000, slots: 110) == (4, true))
        #expect(Capacity.pack([(cpu: 10, mem: 10, count: 25)], cpu: 1000, mem: 1000, slots: 10) == (3, true))
        // 600 + 300 share a node, the second 600 needs another: FFD gives 2 nodes.
        #expect(Capacity.pack([(cpu: 300, mem: 1, count: 1), (cpu: 600, mem: 1, count: 2)], cpu: 1000, mem: 1000, slots: 110) == (2, true))
        #expect(Capacity.pack([(cpu: 2000, mem: 1, count: 1)], cpu: 1000, mem: 1000, slots: 110) == (0, false))
    }

    @Test("the clean fixture fits, with zone-loss figures; its database pods take a node each")
    func cleanFits() throws {
        let r = try Self.report(AuditTests.clean)
        #expect(r.problems == [])
        let p = try #require(r.pools.first)
        // 2 environments x (web 2-4, api 2-4) at 100m / 128Mi, plus 2 x 2 database instances at
        // 1 CPU / 2Gi, on m6i.large (1930m allocatable): one instance per node, 4 nodes.
        #expect(p.podsMin == 12 && p.podsMax == 20)
        #expect(p.nodesAtMin == 4 && p.nodesAtMax == 4)
        #expect(p.nodesAfterZoneLoss == 2 && !p.holdsMinAfterZoneLoss)
        #expect(
            r.warnings == ["cluster 'main' pool 'general' cannot hold minimum replicas after losing a zone (2 of 4 nodes left, 4 needed)"])
        #expect(p.allocatableCPU == 1930)
    }

    @Test("problems: max replicas beyond the autoscaler, a pod too large, connections exceeded; zone loss warns")
    func problems() throws {
        let big = try Self.report(
            AuditTests.mutate([
                (
                    "    replicas: { min: 2, max: 4 }\n    uses",
                    "    replicas: { min: 2, max: 40 }\n    resources: { cpu: 900m, memory: 1Gi }\n    uses"
                ),
                ("min: 2, max: 4 }\nenvironments", "min: 2, max: 6 }\nenvironments"),
            ]))
        // 2 environments x 40 api pods at 900m, 2 per node: 40 nodes; the 4 database instances at
        // 1 CPU take 2 more (with the web pods beside them); each api pod keeps a client pool of 10.
        #expect(
            big.problems == [
                "cluster 'main' pool 'general' needs 42 nodes for maximum replicas but the autoscaler stops at 6",
                "database 'main' (development) may be asked for 400 connections but accepts 197",
                "database 'main' (production) may be asked for 400 connections but accepts 197",
            ])
        #expect(
            big.warnings == ["cluster 'main' pool 'general' cannot hold minimum replicas after losing a zone (3 of 6 nodes left, 5 needed)"]
        )
        let lossy = try Self.report(
            AuditTests.mutate([
                (
                    "    replicas: { min: 2, max: 4 }\n    uses",
                    "    replicas: { min: 6, max: 6 }\n    resources: { cpu: 900m, memory: 1Gi }\n    uses"
                )
            ]))
        #expect(
            lossy.warnings == [
                "cluster 'main' pool 'general' cannot hold minimum replicas after losing a zone (2 of 4 nodes left, 8 needed)"
            ])
        let conns = try Self.report(AuditTests.mutate([("    instances: 2\n", "    instances: 2\n    maxConnections: 30\n")]))
        #expect(
            conns.problems == [
                "database 'main' (development) may be asked for 40 connections but accepts 27",
                "database 'main' (production) may be asked for 40 connections but accepts 27",
            ])
        #expect(conns.connections.first?.detail == "4 pods at max replicas x 10 connections each (assumed client pool), no pooler")
        let pooled = try Self.report(
            AuditTests.mutate([("    instances: 2\n", "    instances: 2\n    maxConnections: 30\n    pooler: { instances: 1 }\n")]))
        #expect(pooled.problems == [])
        #expect(
            pooled.connections.first?.detail
                == "1 PgBouncer pods x 20 server connections (the Pooler's default_pool_size); 4 client pods at max replicas")
    }

    /// The rendered Poolers' server connections (instances x default_pool_size) per namespace.
    static func renderedPoolerConnections(_ spec: Spec) -> [String: Int] {
        var out: [String: Int] = [:]
        for o in Renderer(plan: Plan(spec: spec)).renderedFiles().flatMap(\.objects) where o.at("kind") == "Pooler" {
            let n = o.at("spec.instances")?.intValue ?? 0
            let size = Int(o.at("spec.pgbouncer.parameters.default_pool_size")?.stringValue ?? "") ?? 0
            out[o.at("metadata.namespace")?.stringValue ?? "", default: 0] += n * size
        }
        return out
    }

    @Test("the connection budget uses the rendered Pooler's default_pool_size")
    func poolSizeAsRendered() throws {
        // maxConnections 100, 2 PgBouncer pods: default_pool_size (100 - 10) / 2 = 45 each.
        let spec = try AuditTests.spec(
            AuditTests.mutate([("    instances: 2\n", "    instances: 2\n    maxConnections: 100\n    pooler: { instances: 2 }\n")]))
        let r = Capacity.report(spec)
        #expect(Self.renderedPoolerConnections(spec) == ["shop-development": 90, "shop-production": 90])
        #expect(r.connections.map(\.demand) == [90, 90])
        #expect(
            r.connections.first?.detail
                == "2 PgBouncer pods x 45 server connections (the Pooler's default_pool_size); 4 client pods at max replicas")
        // The floor of 5 per pod can ask for more than the server accepts: 3 x 5 > 10 - 3.
        let tight = try AuditTests.spec(
            AuditTests.mutate([("    instances: 2\n", "    instances: 2\n    maxConnections: 10\n    pooler: { instances: 3 }\n")]))
        #expect(Self.renderedPoolerConnections(tight) == ["shop-development": 15, "shop-production": 15])
        #expect(
            Capacity.report(tight).problems == [
                "database 'main' (development) may be asked for 15 connections but accepts 7",
                "database 'main' (production) may be asked for 15 connections but accepts 7",
            ])
    }

    /// CPU (millicores) and memory (bytes) the rendered database pods request, per cluster folder:
    /// CloudNativePG Cluster instances x resources.requests, Pooler instances x the pgbouncer container's requests.
    static func renderedDatabaseRequests(_ spec: Spec) -> [String: (cpu: Int64, mem: Int64, pods: Int)] {
        var out: [String: (cpu: Int64, mem: Int64, pods: Int)] = [:]
        for f in Renderer(plan: Plan(spec: spec)).renderedFiles() {
            let cluster = String(f.path.split(separator: "/")[0])
            for o in f.objects {
                let n = o.at("spec.instances")?.intValue ?? 0
                let requests: JSONValue?
                switch o.at("kind")?.stringValue {
                case "Cluster": requests = o.at("spec.resources.requests")
                case "Pooler":
                    guard case .array(let cs)? = o.at("spec.template.spec.containers") else {
                        requests = nil
                        break
                    }
                    requests = cs.first { $0["name"] == "pgbouncer" }?["resources"]?["requests"]
                default: continue
                }
                let cpu = Quantity.parse(requests?["cpu"]?.stringValue ?? "")?.milli ?? -1
                let mem = Quantity.parse(requests?["memory"]?.stringValue ?? "")?.units ?? -1
                var v = out[cluster] ?? (0, 0, 0)
                v.cpu += Int64(n) * cpu
                v.mem += Int64(n) * mem
                v.pods += n
                out[cluster] = v
            }
        }
        return out
    }

    @Test("database instance and PgBouncer pods count as rendered, in the primary's and the replica clusters")
    func databasePodsAsRendered() throws {
        // production on two clusters: the primary (with its pooler) in main, a replica cluster in second.
        let spec = try AuditTests.spec(
            AuditTests.mutate([
                (
                    "environments:\n",
                    "  second:\n    region: eu-west-1\n    nodePools:\n      general: { machine: m6i.large, cpu: 2, memory: 8Gi, min: 2, max: 4 }\nenvironments:\n"
                ),
                ("production: { clusters: [main]", "production: { clusters: [main, second]"),
                ("    instances: 2\n", "    instances: 2\n    pooler: { instances: 2 }\n    topology: { remoteClients: primary }\n"),
            ]))
        let plan = Plan(spec: spec)
        let r = Capacity.report(spec, plan: plan)
        let rendered = Self.renderedDatabaseRequests(spec)
        // main: development (2 instances, 2 PgBouncer) and production (2 + 2); second: production's replica cluster (2 instances).
        #expect(rendered["main"]?.pods == 8 && rendered["second"]?.pods == 2)
        for c in ["main", "second"] {
            let pool = try #require(r.pools.first { $0.cluster == c })
            let services = plan.targets.filter { $0.cluster.name == c }.flatMap(\.placements)
            let svcCPU = services.reduce(Int64(0)) { $0 + $1.resources.cpu.milli * Int64($1.replicas.min) }
            let svcMem = services.reduce(Int64(0)) { $0 + $1.resources.memory.units * Int64($1.replicas.min) }
            let svcPods = services.reduce(0) { $0 + $1.replicas.min }
            let db = try #require(rendered[c])
            #expect(pool.cpuMin == svcCPU + db.cpu, "cluster \(c)")
            #expect(pool.memoryMin == svcMem + db.mem, "cluster \(c)")
            #expect(pool.podsMin == svcPods + db.pods, "cluster \(c)")
        }
        let second = try #require(r.pools.first { $0.cluster == "second" })
        #expect(second.demand.map(\.databases) == [["database main: 2 instances x 1 CPU 2Gi"]])
        let main = try #require(r.pools.first { $0.cluster == "main" })
        #expect(
            main.demand.first { $0.environment == "production" }?.databases == [
                "database main: 2 instances x 1 CPU 2Gi, 2 PgBouncer pods x 100m CPU 128Mi"
            ])
        #expect(
            r.text().contains(
                "  production: min 8 pods 2600m CPU 4.7Gi; max 12 pods 3 CPU 5.2Gi\n    includes database main: 2 instances x 1 CPU 2Gi, 2 PgBouncer pods x 100m CPU 128Mi\n"
            ))
    }

    @Test("database pods on a cluster whose pools are all tainted cannot be scheduled: a problem")
    func databaseOnTaintedPools() throws {
        let spec = try AuditTests.spec(
            AuditTests.mutate([
                (
                    "general: { machine: m6i.large, cpu: 2, memory: 8Gi, min: 2, max: 4 }",
                    "general: { machine: m6i.large, cpu: 2, memory: 8Gi, min: 2, max: 4, taints: [\"dedicated=web:NoSchedule\"] }"
                )
            ]))
        let r = Capacity.report(spec)
        #expect(
            r.problems.filter { $0.contains("tainted") } == [
                "cluster 'main': every node pool is tainted, so the pods of database 'main' (development), which tolerate no taints, cannot be scheduled",
                "cluster 'main': every node pool is tainted, so the pods of database 'main' (production), which tolerate no taints, cannot be scheduled",
            ])
    }

    @Test("cluster-autoscaler flags per pool; none on onprem or when the autoscaler is off")
    func autoscalerSettings() throws {
        let spec = try AuditTests.spec(AuditTests.clean)
        let cm = try #require(
            Renderer(plan: Plan(spec: spec)).renderedFiles().flatMap(\.objects).first {
                $0.at("metadata.name") == "berth-cluster-autoscaler"
            })
        #expect(cm.at("data")?["nodes"] == "--nodes=2:4:main-general\n")
        #expect(
            cm.at("data")?["node-group-auto-discovery"]
                == "--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/main")
        let off = try AuditTests.spec(AuditTests.mutate([("delivery:", "scaling: { clusterAutoscaler: false }\ndelivery:")]))
        #expect(
            !Renderer(plan: Plan(spec: off)).renderedFiles().flatMap(\.objects).contains {
                $0.at("metadata.name") == "berth-cluster-autoscaler"
            })
    }
}
