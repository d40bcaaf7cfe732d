/// `berth capacity` as text and JSON.
extension CapacityReport {
    static func cpu(_ m: Int64) -> String { Quantity.cpuText(milli: m) }
    static func mem(_ b: Int64) -> String {
        let gi = Double(b) / Double(1 << 30)
        return gi >= 10 ? "\(Int(gi.rounded()))Gi" : "\(Double(Int(gi * 10)) / 10)Gi"
    }

    /// The report as text: each pool's demand, nodes and zone loss, the connection budgets, then problems and warnings.
    public func text() -> String {
        var s = ""
        for p in pools {
            s +=
                "cluster \(p.cluster), pool \(p.pool) (\(p.machine)\(p.spot ? ", spot" : ""); \(p.nodesMin)-\(p.nodesMax) nodes over \(p.zones) zone\(p.zones == 1 ? "" : "s"))\n"
            s +=
                "  node allocatable: \(Self.cpu(p.allocatableCPU)) CPU, \(Self.mem(p.allocatableMemory)) memory, \(p.podsPerNode) pods (the largest pod that fits)\n"
            for d in p.demand {
                s +=
                    "  \(d.environment): min \(d.podsMin) pods \(Self.cpu(d.cpuMin)) CPU \(Self.mem(d.memoryMin)); max \(d.podsMax) pods \(Self.cpu(d.cpuMax)) CPU \(Self.mem(d.memoryMax))\n"
                for line in d.databases { s += "    includes \(line)\n" }
            }
            if p.demand.isEmpty { s += "  no pods\n" }
            s +=
                "  requested: min \(Self.cpu(p.cpuMin)) CPU \(Self.mem(p.memoryMin)); max \(Self.cpu(p.cpuMax)) CPU \(Self.mem(p.memoryMax))\n"
            s +=
                "  capacity: \(p.nodesMin) nodes \(Self.cpu(Int64(p.nodesMin) * p.allocatableCPU)) CPU \(Self.mem(Int64(p.nodesMin) * p.allocatableMemory)); \(p.nodesMax) nodes \(Self.cpu(Int64(p.nodesMax) * p.allocatableCPU)) CPU \(Self.mem(Int64(p.nodesMax) * p.allocatableMemory))\n"
            s +=
                "  nodes needed (bin packing): \(p.nodesAtMin) at min, \(p.nodesAtMax) at max; autoscaler max \(p.nodesMax): \(p.nodesAtMax <= p.nodesMax ? "holds max replicas" : "does NOT hold max replicas")\n"
            s +=
                "  zone loss: \(p.nodesAfterZoneLoss) of \(p.nodesMax) nodes left; \(p.holdsMinAfterZoneLoss ? "holds" : "does NOT hold") min replicas, \(p.holdsMaxAfterZoneLoss ? "holds" : "does NOT hold") max; headroom at min \(Self.cpu(p.zoneLossHeadroomCPU)) CPU \(Self.mem(p.zoneLossHeadroomMemory))\n"
            s +=
                "  largest pod requested: \(Self.cpu(p.largestPodCPU)) CPU \(Self.mem(p.largestPodMemory))\(p.largestPodFits ? "" : " (does NOT fit a node)"); bin-packing waste at max: \(p.wasteCPUPercent)% CPU, \(p.wasteMemoryPercent)% memory\n"
        }
        for c in connections {
            s +=
                "database \(c.database) (\(c.scope)): \(c.demand) of \(c.available) connections \(c.demand <= c.available ? "ok" : "EXCEEDED") - \(c.detail)\n"
        }
        for w in warnings { s += "warning: \(w)\n" }
        for p in problems { s += "error: \(p)\n" }
        s +=
            "berth capacity: \(pools.count) pools, \(connections.count) connection budgets; \(problems.count) problem\(problems.count == 1 ? "" : "s"), \(warnings.count) warning\(warnings.count == 1 ? "" : "s")\n"
        return s
    }

    /// The report as JSON: pools, connection budgets, problems and warnings.
    public func json() -> String {
        let poolItems: [JSONValue] = pools.map { p in
            [
                "cluster": .string(p.cluster), "pool": .string(p.pool), "machine": .string(p.machine), "spot": .bool(p.spot),
                "zones": .int(p.zones), "nodesMin": .int(p.nodesMin), "nodesMax": .int(p.nodesMax),
                "allocatable": [
                    "cpuMilli": .int(Int(p.allocatableCPU)), "memoryBytes": .int(Int(p.allocatableMemory)), "pods": .int(p.podsPerNode),
                ],
                "environments": .array(
                    p.demand.map { d in
                        [
                            "environment": .string(d.environment),
                            "min": ["pods": .int(d.podsMin), "cpuMilli": .int(Int(d.cpuMin)), "memoryBytes": .int(Int(d.memoryMin))],
                            "max": ["pods": .int(d.podsMax), "cpuMilli": .int(Int(d.cpuMax)), "memoryBytes": .int(Int(d.memoryMax))],
                            "databases": .array(d.databases.map { .string($0) }),
                        ]
                    }),
                "requested": [
                    "min": ["pods": .int(p.podsMin), "cpuMilli": .int(Int(p.cpuMin)), "memoryBytes": .int(Int(p.memoryMin))],
                    "max": ["pods": .int(p.podsMax), "cpuMilli": .int(Int(p.cpuMax)), "memoryBytes": .int(Int(p.memoryMax))],
                ],
                "nodesNeeded": ["min": .int(p.nodesAtMin), "max": .int(p.nodesAtMax)],
                "autoscalerHoldsMax": .bool(p.nodesAtMax <= p.nodesMax),
                "zoneLoss": [
                    "nodesLeft": .int(p.nodesAfterZoneLoss), "holdsMin": .bool(p.holdsMinAfterZoneLoss),
                    "holdsMax": .bool(p.holdsMaxAfterZoneLoss),
                    "headroomCpuMilli": .int(Int(p.zoneLossHeadroomCPU)), "headroomMemoryBytes": .int(Int(p.zoneLossHeadroomMemory)),
                ],
                "largestPod": [
                    "cpuMilli": .int(Int(p.largestPodCPU)), "memoryBytes": .int(Int(p.largestPodMemory)), "fits": .bool(p.largestPodFits),
                ],
                "wastePercent": ["cpu": .int(p.wasteCPUPercent), "memory": .int(p.wasteMemoryPercent)],
            ]
        }
        let conn: [JSONValue] = connections.map { c in
            [
                "database": .string(c.database), "scope": .string(c.scope), "pooled": .bool(c.pooled),
                "demand": .int(c.demand), "available": .int(c.available), "ok": .bool(c.demand <= c.available), "detail": .string(c.detail),
            ]
        }
        let doc: JSONValue = [
            "pools": .array(poolItems), "connections": .array(conn),
            "problems": .array(problems.map { .string($0) }), "warnings": .array(warnings.map { .string($0) }),
        ]
        return doc.serialized(pretty: true) + "\n"
    }
}
