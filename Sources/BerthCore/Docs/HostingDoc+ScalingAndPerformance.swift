import BerthNet
import Foundation

/// What the template's "Scaling and Performance" says: the functions that answer its bullets, its summary and
/// its sections' tables; `HostingCatalogue.swift` names the place each one fills.
extension HostingDoc {
    /// The paragraph under "Scaling and Performance".
    func scalingAndPerformanceSummary() -> String {
        return
            "Services scale horizontally between their replica bounds on CPU; node pools scale between their min and max\(spec.scaling.clusterAutoscaler ? " with the cluster autoscaler" : " (cluster autoscaler off)"); vertical pod autoscaling is \(spec.scaling.verticalPodAutoscaler)."
    }

    // MARK: Horizontal Scaling

    func autoScalingPolicies() -> String {
        let hpas = spec.services.filter { $0.replicas.max > $0.replicas.min }
        return
            "\(plural(hpas.count, "service")) scale on CPU with a HorizontalPodAutoscaler (targets in the matrix below), scaling down after 5 minutes of low load."
    }

    func resourceQuotas() -> String {
        return quotaText(spec.environments)
    }

    func nodePoolManagement() -> String {
        return spec.scaling.clusterAutoscaler
            ? "The cluster autoscaler keeps each pool between its min and max nodes (ConfigMap berth-cluster-autoscaler in kube-system per cluster: node-group bounds, balance-similar-node-groups, least-waste expander)."
            : "Fixed sizes: the cluster autoscaler is off (scaling.clusterAutoscaler)."
    }

    func horizontalLoadDistribution() -> String {
        let net = spec.network
        return "Replicas spread evenly across zones (max skew 1) and hosts; requests are balanced \(net.loadBalancing)."
    }

    /// The tables and diagrams after "Horizontal Scaling".
    func horizontalScalingBlocks() -> [DocBlock] {
        return [
            .table(
                header: ["service", "environment", "min", "max", "CPU target", "autoscaler"],
                rows: plan.targets.reduce(into: [[String]]()) { rows, t in
                    guard !rows.contains(where: { $0[1] == t.environment.name }) else { return }
                    for p in t.placements {
                        if let cron = p.service.schedule?.value {
                            // A CronJob: one run at a time on its schedule, no replicas to scale.
                            rows.append([
                                p.service.name, t.environment.name, "—", "—", "—", "none: CronJob `\(cron)`, one run at a time",
                            ])
                        } else {
                            rows.append([
                                p.service.name, t.environment.name, "\(p.replicas.min)", "\(p.replicas.max)", "\(p.replicas.cpu)%",
                                p.replicas.max > p.replicas.min ? "HPA" : "fixed",
                            ])
                        }
                    }
                })
        ]
    }

    // MARK: Vertical Scaling

    func resourceLimitAdjustments() -> String {
        return spec.scaling.verticalPodAutoscaler == "off"
            ? "Requests and limits come from the spec only (scaling.verticalPodAutoscaler: off)."
            : "A VerticalPodAutoscaler per service in \(code(spec.scaling.verticalPodAutoscaler)) mode (\(spec.scaling.verticalPodAutoscaler == "recommend" ? "update mode Off: recommendations only" : "Recreate")); beside an HPA it controls memory only, and it never asks for more than one node's allocatable."
    }

    func verticalPerformanceTuning() -> String {
        return spec.databases.isEmpty
            ? "Per-service resources and probes."
            : "PostgreSQL is sized from instance memory (shared_buffers 25%, effective_cache_size 75%, work_mem from max_connections)."
    }

    func capacityPlanning() -> String {
        let report = Capacity.report(spec, plan: plan)
        let problems = report.problems
        return capacityText(report) + " Per pool at maximum scale (`berth capacity`): "
            + list(
                report.pools.map {
                    "\($0.cluster)/\($0.pool) \($0.nodesAtMax) of \($0.nodesMax) nodes\($0.holdsMaxAfterZoneLoss ? "" : ", short after losing a zone")"
                }) + "." + (problems.isEmpty ? "" : " Problems: " + list(problems) + ".")
    }

    func bottleneckIdentification() -> String {
        let largest = spec.services.max { $0.resources.memory < $1.resources.memory }
        return
            "The largest pod is \(largest.map { "\($0.name) (\($0.resources.cpu) CPU, \($0.resources.memory))" } ?? "none"); `berth check` refuses any pod that cannot fit its node pool."
    }

    // MARK: Network Scaling

    func bandwidthManagement() -> String {
        let net = spec.network
        return net.ingress.rateLimit.map { "Per-client limits at the edge (\($0.rps) requests/s)." }
            ?? "No per-client limits (network.ingress.rateLimit)."
    }

    func connectionPooling() -> String {
        let pooled = spec.databases.filter { $0.pooler != nil }
        return clauses(
            pooled, none: "No poolers (databases.<name>.pooler).",
            end: spec.scaling.connectionPooling ? "; services connect through it." : "."
        ) {
            "\($0.name): PgBouncer, \($0.pooler?.mode ?? "") mode, \($0.pooler?.instances ?? 0) instances of \(plan.poolerPoolSize($0) ?? 0) server connections each (default_pool_size) in front of max_connections \($0.maxConnections), beside the primary only"
        }
    }

    func latencyOptimization() -> String {
        let split = facts.dnsSplitEnvironments
        let remote = plan.remoteEndpoints.map { r in
            "\(list(r.clientClusters)) reach\(r.clientClusters.count == 1 ? "es" : "") database \(r.database)'s primary on \(r.cluster) (\(r.environment)) across regions, one round trip per query"
        }
        let placement =
            remote.isEmpty
            ? "Services and their databases run in the same cluster and region"
            : "Readers use an instance in their own cluster; " + remote.joined(separator: "; ")
        return placement
            + (production.contains { $0.clusters.count > 1 && split.contains($0.name) }
                ? "; DNS sends users to a cluster per record set (external-dns set-identifier)."
                : "; nothing rendered steers users to their nearest region.")
    }

    func throughputOptimization() -> String {
        return
            "Horizontal scaling on CPU\(facts.cdnInPath ? ", CDN caching of static paths" : "") and connection pooling to the databases."
    }
}
