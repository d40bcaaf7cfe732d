/// Observability findings: production services nobody can see, and objectives the topology
/// cannot plausibly meet.
extension AuditContext {
    /// The highest availability objective (thousandths of a percent) a service can plausibly
    /// deliver from its smallest production footprint: one replica 99.5%, one zone 99.9%,
    /// two zones 99.95%, three or more zones with three or more replicas 99.99%, and 99.999%
    /// only when it also runs on two or more clusters.
    static func plausibleCeiling(replicas: Int, zones: Int, clusters: Int) -> Int {
        if replicas < 2 { return 99_500 }
        if zones < 2 { return 99_900 }
        if zones < 3 || replicas < 3 { return 99_950 }
        return clusters >= 2 ? 99_999 : 99_990
    }

    func observability(plan: Plan) -> [Finding] {
        var out: [Finding] = []
        // The smallest production footprint of each service: min replicas, min zones, clusters.
        var footprint: [String: (replicas: Int, zones: Int, clusters: Set<String>)] = [:]
        for t in plan.targets where t.environment.tier == .production {
            for p in t.placements where p.replicas.max > 0 {
                let f = footprint[p.service.name] ?? (Int.max, Int.max, [])
                footprint[p.service.name] = (
                    min(f.replicas, p.replicas.min), min(f.zones, t.cluster.zones.count), f.clusters.union([t.cluster.name])
                )
            }
        }
        for s in spec.services {
            guard let f = footprint[s.name] else { continue }
            if s.metrics == nil {
                out.append(
                    finding(
                        "BERTH-OBS-001", s.location,
                        "service '\(s.name)' runs in production without metrics; nothing scrapes it and no alert can see it fail",
                        fix: s.isIPAMServer
                            ? "write monitoring: in the spec; the team server then gets a ServiceMonitor on /metrics"
                            : "set services.\(s.name).metrics: { port: <metrics port> }"))
            }
            if s.port != nil, s.slos.isEmpty {
                out.append(
                    finding(
                        "BERTH-OBS-002", s.location,
                        "service '\(s.name)' serves requests in production without an SLO; no burn-rate alert pages when it fails its callers",
                        fix: s.isIPAMServer
                            ? "ipam.server has no objectives: alert on berth_http_requests_total{status=~\"5..\"} in a PrometheusRule of your own, or accept the finding"
                            : "set services.\(s.name).slos.availability: { target: \"99.9\" }"))
            }
            guard s.publicRoute != nil else { continue }
            let ceiling = AuditContext.plausibleCeiling(replicas: f.replicas, zones: f.zones, clusters: f.clusters.count)
            for slo in s.slos where slo.kind == .availability && slo.target > ceiling {
                out.append(
                    finding(
                        "BERTH-OBS-003", slo.location,
                        "public service '\(s.name)' promises \(slo.targetText)% availability, but \(f.replicas) replica\(f.replicas == 1 ? "" : "s") in \(f.zones) zone\(f.zones == 1 ? "" : "s") on \(f.clusters.count) cluster\(f.clusters.count == 1 ? "" : "s") plausibly deliver at most \(SLO.decimal(ceiling, scale: 3))%",
                        fix: "lower the target or add replicas, zones or clusters"))
            }
        }
        return out
    }
}
