/// Monitoring objects: a ServiceMonitor (or PodMonitor) per service with metrics and per
/// pooler, a PrometheusRule per service with SLOs (recording rules over the standard windows,
/// multi-window multi-burn-rate alerts, the error budget left) and a PrometheusRule of platform
/// alerts per namespace, derived from what the spec declares. The scrape itself is an edge of
/// the traffic graph (`Plan.traffic`), so the NetworkPolicies admit exactly the metrics ports.
extension Plan {
    /// The namespace Prometheus scrapes from (`monitoring.namespace`).
    public var scrapeNamespace: String { spec.monitoring.namespace }

    /// The scrape edges into target `t`'s namespace: each service's metrics port, each pooler's
    /// exporter (9127) where the primary runs.
    func monitoringEdges(_ t: Target) -> [TrafficEdge] {
        let mon = scrapeNamespace
        var out: [TrafficEdge] = []
        for p in t.placements {
            guard let port = p.service.metrics?.port else { continue }
            out.append(TrafficEdge(from: .namespace(mon), fromNamespace: mon, to: .service(p.service.name), toNamespace: t.namespace,
                                   ports: [.tcp(port)], purpose: .monitoring))
        }
        for d in spec.databases where d.pooler != nil {
            guard case .primary? = role(of: d, in: t) else { continue }
            out.append(TrafficEdge(from: .namespace(mon), fromNamespace: mon, to: .pooler(d.name), toNamespace: t.namespace,
                                   ports: [.tcp(Renderer.poolerMetricsPort)], purpose: .monitoring))
        }
        return out
    }
}

/// The burn-rate alerts of the Google SRE workbook (multiwindow, multi-burn-rate): name,
/// burn factor, long and short window, severity and how long the condition must hold.
public struct BurnRateAlert: Sendable, Hashable {
    public var name: String
    public var factor: String
    public var long: String
    public var short: String
    public var severity: String
    public var holdFor: String

    public static let all: [BurnRateAlert] = [
        BurnRateAlert(name: "SLOErrorBudgetBurnFast", factor: "14.4", long: "1h", short: "5m", severity: "page", holdFor: "2m"),
        BurnRateAlert(name: "SLOErrorBudgetBurnMedium", factor: "6", long: "6h", short: "30m", severity: "page", holdFor: "15m"),
        BurnRateAlert(name: "SLOErrorBudgetBurnSlow", factor: "1", long: "3d", short: "6h", severity: "ticket", holdFor: "1h"),
    ]
    /// Every window an error ratio is recorded over.
    public static let windows = ["5m", "30m", "1h", "6h", "3d"]
}

/// One platform alert rule, as rendered and as the monitoring document lists it.
public struct PlatformAlert: Sendable, Hashable {
    public var name: String
    public var expr: String
    public var holdFor: String
    public var severity: String
    /// The condition in words.
    public var summary: String
}

extension Renderer {
    static let poolerMetricsPort = 9127
    static let monitoringAPI = "monitoring.coreos.com/v1"

    /// Labels of a monitoring object: the owner's labels plus `monitoring.selector`.
    func monitoringLabels(_ base: JSONValue) -> JSONValue {
        guard case let .object(pairs) = base else { return base }
        let extra = spec.monitoring.selector.filter { s in !pairs.contains { $0.0 == s.key } }
        return .object(pairs + extra.map { ($0.key, JSONValue.string($0.value)) })
    }

    /// The Prometheus job a service's samples carry: the Service name for a ServiceMonitor,
    /// `<namespace>/<name>` for a PodMonitor (services without a port have no Service).
    func metricsJob(_ p: Placement, in t: Target) -> String {
        p.service.port == nil ? "\(t.namespace)/\(p.service.name)" : p.service.name
    }

    /// The name of the port Prometheus scrapes: the service port's when they are the same.
    func metricsPortName(_ p: Placement) -> String {
        p.service.metrics?.port == p.service.port ? portName(p) : "metrics"
    }

    /// The extra container and Service port when metrics are served on their own port.
    func extraMetricsPort(_ p: Placement) -> Int? {
        guard let m = p.service.metrics?.port, m != p.service.port else { return nil }
        return m
    }

    /// The ServiceMonitor or PodMonitor and the SLO rules of one service.
    func serviceMonitoring(_ p: Placement, in t: Target) -> [JSONValue] {
        var docs: [JSONValue] = []
        let s = p.service
        let labels = monitoringLabels(labels(p, t, withVersion: false))
        if let m = s.metrics, m.port != nil {
            var endpoint: JSONValue = ["port": .string(metricsPortName(p)), "path": .string(m.path), "interval": "30s"]
            if let auth = ipamMetricsAuthorization(p), case let .object(pairs) = endpoint { endpoint = .object(pairs + [("authorization", auth)]) }
            docs += ipamMetricsToken(p, t)
            if s.port != nil {
                docs.append([
                    "apiVersion": .string(Renderer.monitoringAPI), "kind": "ServiceMonitor",
                    "metadata": meta(s.name, t.namespace, labels: labels),
                    "spec": ["selector": ["matchLabels": selector(p, t)], "endpoints": [endpoint]],
                ])
            } else {
                docs.append([
                    "apiVersion": .string(Renderer.monitoringAPI), "kind": "PodMonitor",
                    "metadata": meta(s.name, t.namespace, labels: labels),
                    "spec": ["selector": ["matchLabels": selector(p, t)], "podMetricsEndpoints": [endpoint]],
                ])
            }
        }
        // Objectives hold in production; elsewhere a burn would page people for test traffic.
        if !s.slos.isEmpty, t.environment.tier == .production {
            docs.append([
                "apiVersion": .string(Renderer.monitoringAPI), "kind": "PrometheusRule",
                "metadata": meta("\(s.name)-slos", t.namespace, labels: labels),
                "spec": ["groups": .array(s.slos.map { sloGroup($0, p, in: t) })],
            ])
        }
        return docs
    }

    /// The name of an SLO in rule labels and documents: `<service>-<kind>`.
    static func sloName(_ service: String, _ slo: SLO) -> String { "\(service)-\(slo.kind.rawValue)" }

    /// The bad-event ratio of an SLO over `window`, as PromQL.
    func errorRatio(_ slo: SLO, _ p: Placement, in t: Target, window w: String) -> String {
        let ns = t.namespace, name = p.service.name
        switch (slo.source, slo.kind) {
        case (.metrics, .availability):
            let sel = "namespace=\"\(ns)\", job=\"\(metricsJob(p, in: t))\""
            return "sum(rate(http_requests_total{\(sel), code=~\"5..\"}[\(w)])) / sum(rate(http_requests_total{\(sel)}[\(w)]))"
        case (.metrics, .latency):
            let sel = "namespace=\"\(ns)\", job=\"\(metricsJob(p, in: t))\""
            return "1 - (sum(rate(http_request_duration_seconds_bucket{\(sel), le=\"\(slo.thresholdSeconds)\"}[\(w)])) / sum(rate(http_request_duration_seconds_count{\(sel)}[\(w)])))"
        case (.gateway, .availability):
            let sel = "exported_namespace=\"\(ns)\", service=\"\(name)\""
            return "sum(rate(nginx_ingress_controller_requests{\(sel), status=~\"5..\"}[\(w)])) / sum(rate(nginx_ingress_controller_requests{\(sel)}[\(w)]))"
        case (.gateway, .latency):
            let sel = "exported_namespace=\"\(ns)\", service=\"\(name)\""
            return "1 - (sum(rate(nginx_ingress_controller_request_duration_seconds_bucket{\(sel), le=\"\(slo.thresholdSeconds)\"}[\(w)])) / sum(rate(nginx_ingress_controller_request_duration_seconds_count{\(sel)}[\(w)])))"
        }
    }

    /// Recording rules for the error ratio over every window and the SLO window, the error
    /// budget left, and the three burn-rate alerts.
    func sloGroup(_ slo: SLO, _ p: Placement, in t: Target) -> JSONValue {
        let name = Renderer.sloName(p.service.name, slo)
        let sel = "slo=\"\(name)\", namespace=\"\(t.namespace)\""
        let ruleLabels: JSONValue = [
            "slo": .string(name), "service": .string(p.service.name), "namespace": .string(t.namespace),
            "environment": .string(t.environment.name),
        ]
        var rules: [JSONValue] = BurnRateAlert.windows.map { w in
            ["record": .string("slo:sli_error:ratio_rate\(w)"), "expr": .string(errorRatio(slo, p, in: t, window: w)), "labels": ruleLabels]
        }
        rules.append(["record": "slo:sli_error:ratio_window",
                      "expr": .string("avg_over_time(slo:sli_error:ratio_rate5m{\(sel)}[\(slo.window.text)])"), "labels": ruleLabels])
        rules.append(["record": "slo:objective:ratio", "expr": .string("vector(\(slo.ratioText))"), "labels": ruleLabels])
        rules.append(["record": "slo:error_budget:remaining_ratio",
                      "expr": .string("1 - (slo:sli_error:ratio_window{\(sel)} / \(slo.errorBudgetText))"), "labels": ruleLabels])
        let owner = p.service.team.isEmpty ? (spec.monitoring.platformTeam?.value ?? "") : p.service.team
        for a in BurnRateAlert.all {
            let threshold = "(\(a.factor) * \(slo.errorBudgetText))"
            var l: [(String, JSONValue)] = [("severity", .string(a.severity))]
            if !owner.isEmpty { l.append(("team", .string(owner))) }
            l += [("slo", .string(name)), ("service", .string(p.service.name)), ("environment", .string(t.environment.name))]
            rules.append([
                "alert": .string(a.name),
                "expr": .string("slo:sli_error:ratio_rate\(a.long){\(sel)} > \(threshold) and slo:sli_error:ratio_rate\(a.short){\(sel)} > \(threshold)"),
                "for": .string(a.holdFor),
                "labels": .object(l),
                "annotations": [
                    "summary": .string("\(p.service.name) in \(t.environment.name) burns its \(slo.kind.rawValue) error budget at \(a.factor)x or more (over \(a.long) and \(a.short))"),
                    "description": .string("Objective \(slo.targetText)% over \(slo.window.text); at \(a.factor)x the budget of \(slo.budgetMinutes) minutes lasts \(Renderer.budgetLasts(slo, factor: a.factor))."),
                ],
            ])
        }
        return ["name": .string("slo-\(name)"), "rules": .array(rules)]
    }

    /// How long the whole budget lasts at a burn factor, in words (`30d` at 14.4 gives `2 days`).
    static func budgetLasts(_ slo: SLO, factor: String) -> String {
        let f = Double(factor) ?? 1
        let hours = Double(slo.window.seconds) / 3600 / f
        return hours >= 48 ? "\(Int(hours / 24)) days" : "\(Int(hours)) hours"
    }

    /// The PodMonitor of a database's PgBouncer pods (their `metrics` port, 9127).
    func poolerMonitor(_ d: Database, role: Plan.DatabaseRole?, in t: Target, labels: JSONValue) -> [JSONValue] {
        guard d.pooler != nil, case .primary? = role else { return [] }
        return [[
            "apiVersion": .string(Renderer.monitoringAPI), "kind": "PodMonitor",
            "metadata": meta("\(d.name)-pooler-rw", t.namespace, labels: monitoringLabels(labels)),
            "spec": [
                "selector": ["matchLabels": ["cnpg.io/poolerName": .string("\(d.name)-pooler-rw")]],
                "podMetricsEndpoints": [["port": "metrics", "interval": "30s"]],
            ],
        ]]
    }

    /// The platform alerts of one namespace, from what the spec declares there.
    func platformAlerts(_ t: Target) -> [PlatformAlert] {
        let ns = t.namespace
        var out: [PlatformAlert] = []
        if spec.security.tls != nil, t.placements.contains(where: { $0.publicRoute != nil && $0.service.port != nil }) {
            out.append(PlatformAlert(
                name: "CertificateExpiresSoon",
                expr: "certmanager_certificate_expiration_timestamp_seconds{exported_namespace=\"\(ns)\"} - time() < 14 * 86400",
                holdFor: "1h", severity: "ticket",
                summary: "a cert-manager certificate of the namespace expires within 14 days (renewal is failing)"))
            out.append(PlatformAlert(
                name: "CertificateNotReady",
                expr: "certmanager_certificate_ready_status{exported_namespace=\"\(ns)\", condition=\"False\"} == 1",
                holdFor: "30m", severity: "page",
                summary: "a cert-manager certificate of the namespace is not ready"))
        }
        for d in spec.databases {
            guard case .primary? = plan.role(of: d, in: t), d.backup != nil else { continue }
            let rpo = d.rpo?.seconds ?? Recovery.database(d, spec: spec).rpoSeconds ?? 300
            let pods = "namespace=\"\(ns)\", pod=~\"\(d.name)-[0-9]+\""
            out.append(PlatformAlert(
                name: "DatabaseRecoveryPointBeyondRPO",
                expr: "time() - max(cnpg_pg_stat_archiver_last_archived_time{\(pods)}) > \(max(rpo, 60))",
                holdFor: "5m", severity: "page",
                summary: "the newest WAL archived for database \(d.name) is older than its recovery point objective (\(Recovery.text(seconds: rpo)))"))
            out.append(PlatformAlert(
                name: "DatabaseWALArchivingFailing",
                expr: "increase(cnpg_pg_stat_archiver_failed_count{\(pods)}[15m]) > 0",
                holdFor: "15m", severity: "page",
                summary: "PostgreSQL of database \(d.name) fails to archive WAL to object storage"))
        }
        let hasVolumes = t.placements.contains { !$0.service.volumes.isEmpty } || spec.databases.contains { plan.role(of: $0, in: t) != nil }
        if hasVolumes {
            out.append(PlatformAlert(
                name: "VolumeFillsWithinADay",
                expr: "predict_linear(kubelet_volume_stats_available_bytes{namespace=\"\(ns)\"}[6h], 86400) < 0 and kubelet_volume_stats_available_bytes{namespace=\"\(ns)\"} / kubelet_volume_stats_capacity_bytes{namespace=\"\(ns)\"} < 0.5",
                holdFor: "30m", severity: "page",
                summary: "a persistent volume, at its growth over the last 6 hours, is full within a day"))
        }
        if t.placements.contains(where: { $0.replicas.max > $0.replicas.min }) {
            out.append(PlatformAlert(
                name: "HPAAtMaximum",
                expr: "kube_horizontalpodautoscaler_status_current_replicas{namespace=\"\(ns)\"} >= kube_horizontalpodautoscaler_spec_max_replicas{namespace=\"\(ns)\"}",
                holdFor: "30m", severity: "ticket",
                summary: "a HorizontalPodAutoscaler runs at its maximum replicas"))
        }
        out.append(PlatformAlert(
            name: "PodNotReady",
            expr: "sum by (pod) (kube_pod_status_ready{namespace=\"\(ns)\", condition=\"false\"}) > 0",
            holdFor: "15m", severity: "ticket",
            summary: "a pod is not ready"))
        out.append(PlatformAlert(
            name: "QuotaNearLimit",
            expr: "kube_resourcequota{namespace=\"\(ns)\", type=\"used\"} / ignoring(type) kube_resourcequota{namespace=\"\(ns)\", type=\"hard\"} > 0.9",
            holdFor: "15m", severity: "ticket",
            summary: "the namespace uses more than 90% of a ResourceQuota limit"))
        return out
    }

    /// The PrometheusRule of the platform alerts of one namespace.
    func platformRules(_ t: Target) -> [JSONValue] {
        let alerts = platformAlerts(t)
        guard !alerts.isEmpty else { return [] }
        let team = spec.monitoring.platformTeam?.value ?? ""
        let rules: [JSONValue] = alerts.map { a in
            var l: [(String, JSONValue)] = [("severity", .string(a.severity))]
            if !team.isEmpty { l.append(("team", .string(team))) }
            l += [("environment", .string(t.environment.name)), ("namespace", .string(t.namespace))]
            return [
                "alert": .string(a.name), "expr": .string(a.expr), "for": .string(a.holdFor),
                "labels": .object(l), "annotations": ["summary": .string("\(t.namespace): \(a.summary)")],
            ]
        }
        return [[
            "apiVersion": .string(Renderer.monitoringAPI), "kind": "PrometheusRule",
            "metadata": meta("berth-platform", t.namespace, labels: monitoringLabels(namespaceLabels(t))),
            "spec": ["groups": [["name": "platform", "rules": .array(rules)]]],
        ]]
    }
}
