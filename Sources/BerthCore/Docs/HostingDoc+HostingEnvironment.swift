import BerthNet
import Foundation

/// What the template's "Hosting Environment" says: the functions that answer its bullets, its summary and
/// its sections' tables; `HostingCatalogue.swift` names the place each one fills.
extension HostingDoc {
    /// The paragraph under "Hosting Environment".
    func hostingEnvironmentSummary() -> String {
        return
            "\(spec.platform) runs on \(spec.provider.name.rawValue) in \(plural(spec.provider.regions.count, "region")) with \(plural(spec.clusters.count, "Kubernetes cluster")) and \(plural(spec.environments.count, "environment")) (\(list(spec.environments.map { $0.name == $0.tier.rawValue ? $0.name : "\($0.name) (\($0.tier.rawValue))" }))). \(spec.description.isEmpty ? "" : spec.description + ".")"
            + foundationSummary()
    }

    // MARK: Kubernetes Cluster

    func clusterArchitectureAndTopology() -> String {
        return list(
            spec.clusters.map { c in
                "\(code(c.name)) in \(c.region.value) across \(plural(c.zones.count, "zone")) (Kubernetes \(c.kubernetes)\(c.haControlPlane ? ", highly available control plane" : ""))"
            }) + ". Each environment gets one namespace per cluster it runs on, named `<platform>-<environment>`."
    }

    func nodePoolConfiguration() -> String {
        let pools = spec.clusters.flatMap { c in
            c.nodePools.map { p in
                "\(c.name)/\(p.name): \(p.machine) (\(p.cpu) CPU, \(p.memory)), \(p.min)–\(p.max) nodes\(p.spot ? ", spot" : "")\(p.taints.isEmpty ? "" : ", tainted " + p.taints.map { "\($0.key)=\($0.value):\($0.effect)" }.joined(separator: ", "))"
            }
        }
        return list(pools)
            + ". Services pick a pool with `nodePool` (default: the first untainted pool by name) and tolerate its taints; nodes are selected by the provider's pool label."
    }

    func resourceAllocationAndLimits() -> String {
        return
            "Every container has requests and limits; limits default to twice the CPU request and equal the memory request (services.<name>.resources.limits changes them). Each namespace has a ResourceQuota of maximum replicas × requests plus `headroom` (default 20%) and a LimitRange with defaults of 100m/128Mi requested and 200m/256Mi limits, capped at the largest node's allocatable capacity."
    }

    func highAvailabilitySetup() -> String {
        let cp = spec.clusters.filter(\.haControlPlane).map(\.name)
        return
            "Control planes are highly available on \(list(cp, empty: "no cluster")). Pods spread across zones (topologySpreadConstraints, `DoNotSchedule` in production) and hosts, every service has a PodDisruptionBudget of one unavailable pod, and production services run at least 2 replicas (checked)."
    }

    /// The tables and diagrams after "Kubernetes Cluster".
    func kubernetesClusterBlocks() -> [DocBlock] {
        let topo = Diagrams.topology(spec)
        var rows: [[String]] = []
        for c in spec.clusters {
            for p in c.nodePools {
                rows.append([
                    c.name, c.region.value, c.zones.map(\.value).joined(separator: ", "), p.name, p.machine,
                    "\(p.cpu) / \(p.memory)",
                    "\(cpu(p.allocatableCPUMilli)) / \(mem(p.allocatableMemoryBytes / (1 << 20) * (1 << 20)))",
                    "\(p.min)–\(p.max)", p.spot ? "yes" : "no",
                ])
            }
        }
        return [
            .table(
                header: [
                    "cluster", "region", "zones", "pool", "machine", "CPU / memory per node", "allocatable per node",
                    "nodes (autoscaling)", "spot",
                ], rows: rows),
            .diagram(
                title: "Topology: provider, regions, zones, clusters, node pools", mermaid: topo.mermaid, svgFile: "topology.svg",
                svg: topo.svg),
        ]
    }

    // MARK: Cloud Provider

    func providerSelectionRationale() -> String {
        return spec.provider.rationale.isEmpty
            ? "\(spec.provider.name.rawValue); no rationale is recorded (set provider.rationale)."
            : spec.provider.rationale.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func regionAndZoneDistribution() -> String {
        return list(spec.provider.regions.map { "\($0.name) (\(list($0.zones)))" }) + "."
    }

    func serviceIntegration() -> String {
        let net = spec.network
        var parts = ["volumes through \(code(plan.csiDriver))", "DNS through external-dns (\(code(net.dns.provider)))"]
        let keys = keyedRegions
        if !keys.isEmpty { parts.append("encryption keys per region (" + list(keys.map { "\($0.name): \(code($0.kmsKey))" }) + ")") }
        if let st = spec.security.secrets { parts.append("secrets from \(code(st.store)) through External Secrets") }
        if let r = spec.delivery.registry { parts.append("images from \(code(r.host))") }
        if !spec.buckets.isEmpty { parts.append("object storage for \(plural(spec.buckets.count, "bucket"))") }
        return list(parts) + "."
    }

    func costOptimizationStrategies() -> String {
        let spot = spec.clusters.flatMap { c in c.nodePools.filter(\.spot).map { "\(c.name)/\($0.name)" } }
        var t = spot.isEmpty ? "No node pool uses spot capacity (nodePools.<name>.spot)." : "Spot capacity for \(list(spot))."
        t +=
            spec.scaling.clusterAutoscaler
            ? " Node pools scale down to their minimum when idle."
            : " The cluster autoscaler is off (scaling.clusterAutoscaler), so pools stay at their size."
        if spec.buckets.contains(where: { !$0.lifecycle.isEmpty }) { t += " Bucket lifecycles move old objects to cheaper tiers." }
        if !spec.provider.costNotes.isEmpty { t += " " + spec.provider.costNotes }
        return t + " `berth cost SPEC --prices FILE` estimates the monthly cost per environment at minimum and maximum scale."
    }

    /// The tables and diagrams after "Cloud Provider": the regions, then the foundation's folders
    /// (`foundationBlocks`).
    func cloudProviderBlocks() -> [DocBlock] {
        return [
            .table(
                header: ["region", "zones", "clusters"],
                rows: spec.provider.regions.map { r in
                    [
                        r.name, r.zones.joined(separator: ", "),
                        spec.clusters.filter { $0.region.value == r.name }.map(\.name).joined(separator: ", "),
                    ]
                })
        ] + foundationBlocks()
    }

    // MARK: On-Premises Considerations

    func hardwareRequirements() -> String {
        if let h = spec.provider.hardware {
            return
                "\(h.nodes) servers with \(h.cpu) cores, \(h.memory) memory and \(h.disk) disk each, in \(plural(h.racks, "rack")): \(h.nodes * h.cpu) cores in all."
        }
        return
            "Not applicable: the platform runs on \(spec.provider.name.rawValue). For own hardware set provider.name: onprem and describe provider.hardware."
    }

    func networkInfrastructure() -> String {
        if let h = spec.provider.hardware, !h.network.isEmpty { return h.network + "; the address plan below applies unchanged." }
        return spec.provider.name == .onprem
            ? "Not described (provider.hardware.network); the address plan below applies."
            : "Not applicable on \(spec.provider.name.rawValue): networks are \(spec.provider.name.networkNoun)s carved from the address plan below."
    }

    func storageSystems() -> String {
        if spec.provider.name == .onprem {
            return plan.csiDriver == "driver.longhorn.io"
                ? "Longhorn replicates each volume on up to 3 nodes in different racks (provider.hardware.storage: longhorn; ceph-rbd is the alternative)."
                : "Ceph RBD through ceph-csi, pools rbd-ssd and rbd-hdd (provider.hardware.storage: ceph-rbd), reached through the monitors \(list((spec.provider.hardware?.cephMonitors ?? []).map(code))) (provider.hardware.cephMonitors) with the client key in Secret \(code("\(Renderer.cephNamespace)/\(Renderer.cephSecret)")), which an ExternalSecret fills from the secret store entry \(code("\(spec.platform)/ceph-rbd/<cluster>"))."
        }
        return "Not applicable: volumes are the provider's block storage through \(code(plan.csiDriver))."
    }

    func backupAndDisasterRecovery() -> String {
        return
            "Databases archive WAL to object storage and take base backups on schedule; volumes are snapshotted by Velero\(spec.storage.snapshots.map { " on `\($0.schedule)`, \($0.keep) kept" } ?? " (not scheduled: storage.snapshots)"). Recovery points and times are in the table under Database Storage; the restore runbook (restore/RUNBOOK.md in the rendered output) lists every command with real names."
    }
}
