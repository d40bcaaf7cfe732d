import BerthNet
import Foundation

/// What the template's "Environment Topology" says: the functions that answer its bullets, its summary and
/// its sections' tables; `HostingCatalogue.swift` names the place each one fills.
extension HostingDoc {
    /// The paragraph under "Environment Topology".
    func environmentTopologySummary() -> String {
        return list(spec.environments.map { e in "\(e.name) runs on \(list(e.clusters.map(\.value))) at \(code(e.domain))" }) + "."
    }

    // MARK: Development Environment

    func localDevelopmentSetup() -> String {
        let local = envs(.development).filter { $0.local != "none" }
        return clauses(local, none: "No local cluster config (environments.<name>.local).") {
            "\($0.name): a \($0.local) cluster config (local/\($0.name)-kind.yaml) mirroring the node pools"
        }
    }

    func developmentCluster() -> String {
        return envDescription(envs(.development))
    }

    func resourceAllocation() -> String {
        return quotaText(envs(.development))
    }

    func accessControls() -> String {
        return accessText(envs(.development))
    }

    // MARK: Staging Environment

    func preProductionTesting() -> String {
        return envDescription(envs(.staging))
    }

    func productionLikeConfiguration() -> String {
        let st = envs(.staging)
        guard !st.isEmpty else { return "No staging environment." }
        let diffs = differences(st[0])
        return
            "\(list(st.map(\.name))) \(st.allSatisfy(\.productionLike) ? "mirrors" : "does not mirror") production; it differs in \(diffs.isEmpty ? "nothing" : list(diffs.prefix(6).map { "\($0[0]) \($0[1]) (production \($0[2]))" })) (full list in the table under Production Environment)."
    }

    func dataIsolation() -> String {
        clauses(envs(.staging), none: "No staging environment.") {
            $0.dataIsolated ? "\($0.name) has its own databases and buckets" : "\($0.name) shares data with the platform-wide instances"
        }
    }

    func performanceTesting() -> String {
        let lt = spec.environments.filter(\.loadTest).map(\.name)
        return lt.isEmpty
            ? "No environment is marked for load tests (environments.<name>.loadTest)."
            : "Load and performance tests run in \(list(lt))."
    }

    // MARK: Production Environment

    func highAvailabilityConfiguration() -> String {
        let dbs = plan.targets.filter { $0.environment.tier == .production }.flatMap { t in
            plan.databaseFootprints(in: t).map { "\($0.database.name) \(plural($0.instances, "instance")) in \(t.cluster.name)" }
        }
        return list(
            production.map { e in
                "\(e.name) on \(list(e.clusters.compactMap { spec.cluster($0.value) }.map { "\($0.name) (\(plural($0.zones.count, "zone")))" }))"
            }) + "; at least 2 replicas per service (checked); databases: \(list(dbs, empty: "none"))."
    }

    func productionLoadDistribution() -> String {
        let multi = production.filter { $0.clusters.count > 1 }
        guard !multi.isEmpty else { return "One cluster; load spreads across zones and pods." }
        let split = facts.dnsSplitEnvironments
        return list(
            multi.map { e in
                split.contains(e.name)
                    ? "\(e.name): traffic is split between \(list(e.clusters.map(\.value))) by DNS (external-dns records per cluster, set-identifier annotations on the routes)"
                    : "\(e.name): nothing rendered splits traffic between \(list(e.clusters.map(\.value))) (no per-cluster DNS routing on the routes: both clusters' external-dns publish the same hosts)"
            }) + "; inside each cluster, across zones and pods."
    }

    func monitoringAndAlerting() -> String {
        return
            "Services with `metrics` are scraped through ServiceMonitors, databases through CloudNativePG PodMonitors and poolers through PodMonitors; SLOs, the alert catalogue and alert routing are described in monitoring.md (linked below)."
    }

    func disasterRecovery() -> String {
        return "Database RPO/RTO: "
            + list(
                spec.databases.map { d in
                    let o = Recovery.database(d, spec: spec)
                    return "\(d.name) \(Recovery.text(seconds: o.rpoSeconds))/\(Recovery.text(seconds: o.rtoSeconds))"
                }, empty: "no databases") + "; restore steps in restore/RUNBOOK.md."
    }

    /// The tables and diagrams after "Production Environment".
    func productionEnvironmentBlocks() -> [DocBlock] {
        var matrix: [[String]] = []
        for svc in spec.services {
            var row = [svc.name]
            for e in spec.environments {
                guard
                    let p = target(of: e)?.placements.first(where: { $0.service.name == svc.name })
                else {
                    row.append("not deployed")
                    continue
                }
                if let cron = p.service.schedule?.value {
                    row.append("scheduled `\(cron)` × \(p.resources.cpu)/\(p.resources.memory)")
                } else {
                    row.append(
                        "\(p.replicas.min)–\(p.replicas.max) × \(p.resources.cpu)/\(p.resources.memory)\(p.hostname.map { ", \($0)" } ?? ", internal")"
                    )
                }
            }
            matrix.append(row)
        }
        var diffRows: [[String]] = []
        for e in spec.environments where e.tier != .production {
            for d in differences(e) { diffRows.append([e.name] + d) }
        }
        return [
            .paragraph("Services × environments (replicas min–max × CPU/memory request, exposure):"),
            .table(header: ["service"] + spec.environments.map(\.name), rows: matrix),
            .paragraph("How each environment differs from production:"),
            .table(
                header: ["environment", "what", "here", "production"], rows: diffRows.isEmpty ? [["—", "nothing", "", ""]] : diffRows),
        ]
    }
}
