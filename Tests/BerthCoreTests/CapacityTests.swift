@testable import BerthCore
import Foundation
import Testing

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

    @Test("the clean fixture fits, with zone-loss figures")
    func cleanFits() throws {
        let r = try Self.report(AuditTests.clean)
        #expect(r.problems == [])
        let p = try #require(r.pools.first)
        // 2 environments x (web 2-4, api 2-4) at 100m / 128Mi on m6i.large (1930m allocatable).
        #expect(p.podsMin == 8 && p.podsMax == 16)
        #expect(p.nodesAtMin == 1 && p.nodesAtMax == 1)
        #expect(p.nodesAfterZoneLoss == 2 && p.holdsMinAfterZoneLoss)
        #expect(p.allocatableCPU == 1930)
    }

    @Test("problems: max replicas beyond the autoscaler, a pod too large, connections exceeded; zone loss warns")
    func problems() throws {
        let big = try Self.report(AuditTests.mutate([("    replicas: { min: 2, max: 4 }\n    uses", "    replicas: { min: 2, max: 40 }\n    resources: { cpu: 900m, memory: 1Gi }\n    uses")]))
        // 2 environments x 40 api pods at 900m, 2 per node: 40 nodes; each pod keeps a client pool of 10.
        #expect(big.problems == ["cluster 'main' pool 'general' needs 40 nodes for maximum replicas but the autoscaler stops at 4",
                                 "database 'main' (development) may be asked for 400 connections but accepts 197",
                                 "database 'main' (production) may be asked for 400 connections but accepts 197"])
        #expect(big.warnings == ["cluster 'main' pool 'general' cannot hold minimum replicas after losing a zone (2 of 4 nodes left, 3 needed)"])
        let lossy = try Self.report(AuditTests.mutate([("    replicas: { min: 2, max: 4 }\n    uses", "    replicas: { min: 6, max: 6 }\n    resources: { cpu: 900m, memory: 1Gi }\n    uses")]))
        #expect(lossy.warnings == ["cluster 'main' pool 'general' cannot hold minimum replicas after losing a zone (2 of 4 nodes left, 6 needed)"])
        let conns = try Self.report(AuditTests.mutate([("    instances: 2\n", "    instances: 2\n    maxConnections: 30\n")]))
        #expect(conns.problems == ["database 'main' (development) may be asked for 40 connections but accepts 27",
                                   "database 'main' (production) may be asked for 40 connections but accepts 27"])
        #expect(conns.connections.first?.detail == "4 pods at max replicas x 10 connections each (assumed client pool), no pooler")
        let pooled = try Self.report(AuditTests.mutate([("    instances: 2\n", "    instances: 2\n    maxConnections: 30\n    pooler: { instances: 1 }\n")]))
        #expect(pooled.problems == [])
        #expect(pooled.connections.first?.detail == "1 PgBouncer pods x 20 server connections; 4 client pods at max replicas")
    }

    @Test("cluster-autoscaler flags per pool; none on onprem or when the autoscaler is off")
    func autoscalerSettings() throws {
        let spec = try AuditTests.spec(AuditTests.clean)
        let cm = try #require(Renderer(plan: Plan(spec: spec)).renderedFiles().flatMap(\.objects).first { $0.at("metadata.name") == "berth-cluster-autoscaler" })
        #expect(cm.at("data")?["nodes"] == "--nodes=2:4:main-general\n")
        #expect(cm.at("data")?["node-group-auto-discovery"] == "--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/main")
        let off = try AuditTests.spec(AuditTests.mutate([("delivery:", "scaling: { clusterAutoscaler: false }\ndelivery:")]))
        #expect(!Renderer(plan: Plan(spec: off)).renderedFiles().flatMap(\.objects).contains { $0.at("metadata.name") == "berth-cluster-autoscaler" })
    }
}
