/// Monitoring objects: a ServiceMonitor (or PodMonitor) per service with metrics and per
/// pooler, a PrometheusRule per service with SLOs (recording rules over the standard windows,
/// multi-window multi-burn-rate alerts, the error budget left) and a PrometheusRule of platform
/// alerts per namespace, derived from what the spec declares. The scrape itself is an edge of
/// the traffic graph (`Plan.traffic`), so the NetworkPolicies admit exactly the metrics ports.
extension Plan {
    /// The namespace Prometheus scrapes from (`monitoring.namespace`).
    public var scrapeNamespace: String { spec.monitoring.namespace }

    /// Whether target `t` has a Gateway (NGINX Gateway Fabric's data plane runs in its namespace).
    func hasGateway(_ t: Target) -> Bool { usesGateway && t.placements.contains { $0.hostname != nil } }

    /// The scrape edges into target `t`'s namespace: each service's metrics port, each pooler's
    /// exporter (9127) where the primary runs, and the Gateway's data plane (NGINX Agent's
    /// Prometheus endpoint, 9113) where the environment has a Gateway.
    func monitoringEdges(_ t: Target) -> [TrafficEdge] {
        let mon = scrapeNamespace
        var out: [TrafficEdge] = []
        if hasGateway(t) {
            out.append(
                TrafficEdge(
                    from: .namespace(mon), fromNamespace: mon, to: .gateway(gatewayName), toNamespace: t.namespace,
                    ports: [.tcp(Renderer.gatewayMetricsPort)], purpose: .monitoring))
        }
        for p in t.placements {
            guard let port = p.service.metrics?.port else { continue }
            out.append(
                TrafficEdge(
                    from: .namespace(mon), fromNamespace: mon, to: .service(p.service.name), toNamespace: t.namespace,
                    ports: [.tcp(port)], purpose: .monitoring))
        }
        for d in spec.databases where d.pooler != nil {
            guard case .primary? = role(of: d, in: t) else { continue }
            out.append(
                TrafficEdge(
                    from: .namespace(mon), fromNamespace: mon, to: .pooler(d.name), toNamespace: t.namespace,
                    ports: [.tcp(Renderer.poolerMetricsPort)], purpose: .monitoring))
        }
        return out
    }
}

/// The burn-rate alerts of the Google SRE workbook (multiwindow, multi-burn-rate): name,
/// burn factor, long and short window, severity and how long the condition must hold.
public struct BurnRateAlert: Sendable, Hashable {
    /// The alert name, e.g. `SLOErrorBudgetBurnFast`.
    public var name: String
    /// How many times faster than sustainable the budget burns, e.g. `14.4`.
    public var factor: String
    /// The long window the burn rate must exceed the factor over, e.g. `1h`.
    public var long: String
    /// The short window that must agree, so the alert clears quickly, e.g. `5m`.
    public var short: String
    /// `page` or `ticket`.
    public var severity: String
    /// How long the condition must hold (the rule's `for`).
    public var holdFor: String

    /// The three alerts: fast (14.4x over 1h and 5m) and medium (6x over 6h and 30m) page; slow (1x over 3d and 6h) opens a ticket.
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
    /// The alert name.
    public var name: String
    /// The PromQL condition.
    public var expr: String
    /// How long the condition must hold (the rule's `for`).
    public var holdFor: String
    /// `page` or `ticket`.
    public var severity: String
    /// The condition in words.
    public var summary: String
}

extension Renderer {
    static let poolerMetricsPort = 9127
    /// NGINX Gateway Fabric's metrics port: the control plane's and each data plane pod's
    /// (`metrics` container port, NGINX Agent's Prometheus endpoint).
    static let gatewayMetricsPort = 9113
    /// The release name (and `app.kubernetes.io/instance`) of the NGINX Gateway Fabric add-on;
    /// its chart labels the control plane pods `app.kubernetes.io/name: nginx-gateway-fabric`.
    static let gatewayControllerRelease = "nginx-gateway-fabric"
    static let monitoringAPI = "monitoring.coreos.com/v1"

    /// Labels of a monitoring object: the owner's labels plus `monitoring.selector`.
    func monitoringLabels(_ base: JSONValue) -> JSONValue {
        guard case .object(let pairs) = base else { return base }
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
            if let auth = ipamMetricsAuthorization(p), case .object(let pairs) = endpoint {
                endpoint = .object(pairs + [("authorization", auth)])
            }
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
        let ns = t.namespace
        let name = p.service.name
        switch (slo.source, slo.kind) {
        case (.metrics, .availability):
            let sel = "namespace=\"\(ns)\", job=\"\(metricsJob(p, in: t))\""
            return "sum(rate(http_requests_total{\(sel), code=~\"5..\"}[\(w)])) / sum(rate(http_requests_total{\(sel)}[\(w)]))"
        case (.metrics, .latency):
            let sel = "namespace=\"\(ns)\", job=\"\(metricsJob(p, in: t))\""
            return
                "1 - (sum(rate(http_request_duration_seconds_bucket{\(sel), le=\"\(slo.thresholdSeconds)\"}[\(w)])) / sum(rate(http_request_duration_seconds_count{\(sel)}[\(w)])))"
        case (.gateway, .availability):
            let sel = "exported_namespace=\"\(ns)\", service=\"\(name)\""
            return
                "sum(rate(nginx_ingress_controller_requests{\(sel), status=~\"5..\"}[\(w)])) / sum(rate(nginx_ingress_controller_requests{\(sel)}[\(w)]))"
        case (.gateway, .latency):
            let sel = "exported_namespace=\"\(ns)\", service=\"\(name)\""
            return
                "1 - (sum(rate(nginx_ingress_controller_request_duration_seconds_bucket{\(sel), le=\"\(slo.thresholdSeconds)\"}[\(w)])) / sum(rate(nginx_ingress_controller_request_duration_seconds_count{\(sel)}[\(w)])))"
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
            [
                "record": .string("slo:sli_error:ratio_rate\(w)"), "expr": .string(errorRatio(slo, p, in: t, window: w)),
                "labels": ruleLabels,
            ]
        }
        rules.append([
            "record": "slo:sli_error:ratio_window",
            "expr": .string("avg_over_time(slo:sli_error:ratio_rate5m{\(sel)}[\(slo.window.text)])"), "labels": ruleLabels,
        ])
        rules.append(["record": "slo:objective:ratio", "expr": .string("vector(\(slo.ratioText))"), "labels": ruleLabels])
        rules.append([
            "record": "slo:error_budget:remaining_ratio",
            "expr": .string("1 - (slo:sli_error:ratio_window{\(sel)} / \(slo.errorBudgetText))"), "labels": ruleLabels,
        ])
        let owner = p.service.team.isEmpty ? (spec.monitoring.platformTeam?.value ?? "") : p.service.team
        for a in BurnRateAlert.all {
            let threshold = "(\(a.factor) * \(slo.errorBudgetText))"
            var l: [(String, JSONValue)] = [("severity", .string(a.severity))]
            if !owner.isEmpty { l.append(("team", .string(owner))) }
            l += [("slo", .string(name)), ("service", .string(p.service.name)), ("environment", .string(t.environment.name))]
            rules.append([
                "alert": .string(a.name),
                "expr": .string(
                    "slo:sli_error:ratio_rate\(a.long){\(sel)} > \(threshold) and slo:sli_error:ratio_rate\(a.short){\(sel)} > \(threshold)"
                ),
                "for": .string(a.holdFor),
                "labels": .object(l),
                "annotations": [
                    "summary": .string(
                        "\(p.service.name) in \(t.environment.name) burns its \(slo.kind.rawValue) error budget at \(a.factor)x or more (over \(a.long) and \(a.short))"
                    ),
                    "description": .string(
                        "Objective \(slo.targetText)% over \(slo.window.text); at \(a.factor)x the budget of \(slo.budgetMinutes) minutes lasts \(Renderer.budgetLasts(slo, factor: a.factor))."
                    ),
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
        return [
            [
                "apiVersion": .string(Renderer.monitoringAPI), "kind": "PodMonitor",
                "metadata": meta("\(d.name)-pooler-rw", t.namespace, labels: monitoringLabels(labels)),
                "spec": [
                    "selector": ["matchLabels": ["cnpg.io/poolerName": .string("\(d.name)-pooler-rw")]],
                    "podMetricsEndpoints": [["port": "metrics", "interval": "30s"]],
                ],
            ]
        ]
    }

    /// The platform alerts of one namespace, from what the spec declares there.
    func platformAlerts(_ t: Target) -> [PlatformAlert] {
        let ns = t.namespace
        var out = certificateAlerts(t) + databaseArchiveAlerts(t) + databaseBackupAlerts(t)
        let hasVolumes =
            t.placements.contains { !$0.service.volumes.isEmpty } || spec.databases.contains { plan.role(of: $0, in: t) != nil }
        if hasVolumes {
            out.append(
                PlatformAlert(
                    name: "VolumeFillsWithinADay",
                    expr:
                        "predict_linear(kubelet_volume_stats_available_bytes{namespace=\"\(ns)\"}[6h], 86400) < 0 and kubelet_volume_stats_available_bytes{namespace=\"\(ns)\"} / kubelet_volume_stats_capacity_bytes{namespace=\"\(ns)\"} < 0.5",
                    holdFor: "30m", severity: "page",
                    summary: "a persistent volume, at its growth over the last 6 hours, is full within a day"))
        }
        if t.placements.contains(where: { $0.replicas.max > $0.replicas.min }) {
            out.append(
                PlatformAlert(
                    name: "HPAAtMaximum",
                    expr:
                        "kube_horizontalpodautoscaler_status_current_replicas{namespace=\"\(ns)\"} >= kube_horizontalpodautoscaler_spec_max_replicas{namespace=\"\(ns)\"}",
                    holdFor: "30m", severity: "ticket",
                    summary: "a HorizontalPodAutoscaler runs at its maximum replicas"))
        }
        out.append(
            PlatformAlert(
                name: "PodNotReady",
                expr: "sum by (pod) (kube_pod_status_ready{namespace=\"\(ns)\", condition=\"false\"}) > 0",
                holdFor: "15m", severity: "ticket",
                summary: "a pod is not ready"))
        out.append(
            PlatformAlert(
                name: "QuotaNearLimit",
                expr:
                    "kube_resourcequota{namespace=\"\(ns)\", type=\"used\"} / ignoring(type) kube_resourcequota{namespace=\"\(ns)\", type=\"hard\"} > 0.9",
                holdFor: "15m", severity: "ticket",
                summary: "the namespace uses more than 90% of a ResourceQuota limit"))
        out += ipPoolAlerts(t)
        return out
    }

    /// Certificate alerts where a public route has TLS.
    private func certificateAlerts(_ t: Target) -> [PlatformAlert] {
        let ns = t.namespace
        guard spec.security.tls != nil, t.placements.contains(where: { $0.publicRoute != nil && $0.service.port != nil }) else {
            return []
        }
        return [
            PlatformAlert(
                name: "CertificateExpiresSoon",
                expr: "certmanager_certificate_expiration_timestamp_seconds{exported_namespace=\"\(ns)\"} - time() < 14 * 86400",
                holdFor: "1h", severity: "ticket",
                summary: "a cert-manager certificate of the namespace expires within 14 days (renewal is failing)"),
            PlatformAlert(
                name: "CertificateNotReady",
                expr: "certmanager_certificate_ready_status{exported_namespace=\"\(ns)\", condition=\"False\"} == 1",
                holdFor: "30m", severity: "page",
                summary: "a cert-manager certificate of the namespace is not ready"),
        ]
    }

    /// The label matchers of a database's instance pods, when its primary runs in `t`.
    private func primaryPods(_ d: Database, in t: Target) -> String? {
        guard case .primary? = plan.role(of: d, in: t) else { return nil }
        return "namespace=\"\(t.namespace)\", pod=~\"\(d.name)-[0-9]+\""
    }

    /// WAL archiving alerts of the backed-up databases whose primary runs here.
    private func databaseArchiveAlerts(_ t: Target) -> [PlatformAlert] {
        var out: [PlatformAlert] = []
        for d in spec.databases {
            guard d.backup != nil, let pods = primaryPods(d, in: t) else { continue }
            let rpo = d.rpo?.seconds ?? Recovery.database(d, spec: spec).rpoSeconds ?? 300
            out.append(
                PlatformAlert(
                    name: "DatabaseRecoveryPointBeyondRPO",
                    expr: "time() - max(cnpg_pg_stat_archiver_last_archived_time{\(pods)}) > \(max(rpo, 60))",
                    holdFor: "5m", severity: "page",
                    summary:
                        "the newest WAL archived for database \(d.name) is older than its recovery point objective (\(Recovery.text(seconds: rpo)))"
                ))
            out.append(
                PlatformAlert(
                    name: "DatabaseWALArchivingFailing",
                    expr: "increase(cnpg_pg_stat_archiver_failed_count{\(pods)}[15m]) > 0",
                    holdFor: "15m", severity: "page",
                    summary: "PostgreSQL of database \(d.name) fails to archive WAL to object storage"))
        }
        return out
    }

    /// Base backup alerts of the backed-up databases whose primary runs here.
    private func databaseBackupAlerts(_ t: Target) -> [PlatformAlert] {
        var out: [PlatformAlert] = []
        for d in spec.databases {
            guard let b = d.backup, let pods = primaryPods(d, in: t) else { continue }
            // A base backup is due every schedule interval; an hour of grace covers its run.
            let interval = Int((Cron.intervalHours(b.schedule) ?? 24) * 3600)
            out.append(
                PlatformAlert(
                    name: "DatabaseBaseBackupTooOld",
                    expr: "time() - max(cnpg_collector_last_available_backup_timestamp{\(pods)}) > \(interval + 3600)",
                    holdFor: "30m", severity: "page",
                    summary:
                        "the newest base backup of database \(d.name) is older than its schedule (`\(b.schedule)`) allows, by more than an hour"
                ))
        }
        return out
    }

    /// The IP pool alerts of the ledger's team server (`ipam.server`), in the namespace where it
    /// runs, when Prometheus scrapes it (`monitoring:` written): the `berth_pool_*` gauges of
    /// `berth serve`, selected by the `namespace` and `job` labels its ServiceMonitor gives
    /// every series (the job is the Service's name), so only that scrape feeds them.
    func ipPoolAlerts(_ t: Target) -> [PlatformAlert] {
        guard let p = t.placements.first(where: { $0.service.isIPAMServer && $0.service.metrics?.port != nil }) else { return [] }
        let sel = "namespace=\"\(t.namespace)\", job=\"\(metricsJob(p, in: t))\""
        let source = " (team server metrics)"
        return [
            PlatformAlert(
                name: "IPPoolNearlyExhausted",
                expr: "max by (pool) (berth_pool_used_addresses{\(sel)}) / max by (pool) (berth_pool_capacity_addresses{\(sel)}) > 0.9",
                holdFor: "15m", severity: "ticket",
                summary: "an IP pool of the ledger has more than 90% of its addresses held" + source),
            PlatformAlert(
                name: "IPPoolExhausted",
                expr: "max by (pool) (berth_pool_largest_free_block_length{\(sel)}) < 0",
                holdFor: "5m", severity: "page",
                summary: "an IP pool of the ledger has no free block left; allocations fail" + source),
        ]
    }

    /// The PrometheusRule of the platform alerts of one namespace.
    func platformRules(_ t: Target) -> [JSONValue] {
        prometheusRule(
            "berth-platform", namespace: t.namespace, labels: monitoringLabels(namespaceLabels(t)), group: "platform",
            alerts: platformAlerts(t), scope: [("environment", .string(t.environment.name)), ("namespace", .string(t.namespace))],
            summaryPrefix: t.namespace)
    }

    /// A PrometheusRule of one rule group, none without alerts: each alert labelled with its
    /// severity, the platform team (when there is one) and `scope`, its summary prefixed with
    /// `summaryPrefix`.
    func prometheusRule(
        _ name: String, namespace: String, labels: JSONValue, group: String, alerts: [PlatformAlert], scope: [(String, JSONValue)],
        summaryPrefix: String
    ) -> [JSONValue] {
        guard !alerts.isEmpty else { return [] }
        let team = spec.monitoring.platformTeam?.value ?? ""
        let rules: [JSONValue] = alerts.map { a in
            var l: [(String, JSONValue)] = [("severity", .string(a.severity))]
            if !team.isEmpty { l.append(("team", .string(team))) }
            l += scope
            return [
                "alert": .string(a.name), "expr": .string(a.expr), "for": .string(a.holdFor),
                "labels": .object(l), "annotations": ["summary": .string("\(summaryPrefix): \(a.summary)")],
            ]
        }
        return [
            [
                "apiVersion": .string(Renderer.monitoringAPI), "kind": "PrometheusRule",
                "metadata": meta(name, namespace, labels: labels),
                "spec": ["groups": [["name": .string(group), "rules": .array(rules)]]],
            ]
        ]
    }
}

/// Monitors of what berth installs rather than runs: the Gateway's data plane (per environment
/// namespace), NGINX Gateway Fabric's control plane, and the add-ons whose charts make their own
/// ServiceMonitor or PodMonitor (`addonMonitoringValues`); and the cluster-wide alerts (node
/// pools at their autoscaler maximum).
extension Renderer {
    /// The PodMonitor of the environment's Gateway data plane: NGINX Gateway Fabric runs the
    /// NGINX pods in the Gateway's namespace, labelled with the Gateway's name, each serving
    /// NGINX Agent's metrics on its `metrics` container port (9113).
    func gatewayMonitor(_ t: Target) -> [JSONValue] {
        guard plan.hasGateway(t) else { return [] }
        return [
            [
                "apiVersion": .string(Renderer.monitoringAPI), "kind": "PodMonitor",
                "metadata": meta("gateway-data-plane", t.namespace, labels: monitoringLabels(namespaceLabels(t))),
                "spec": [
                    "selector": ["matchLabels": ["gateway.networking.k8s.io/gateway-name": .string(plan.gatewayName)]],
                    "podMetricsEndpoints": [["port": "metrics", "interval": "30s"]],
                ],
            ]
        ]
    }

    /// Whether cluster `c` runs a Gateway (and so NGINX Gateway Fabric).
    func clusterHasGateway(_ c: Cluster) -> Bool {
        plan.targets.contains { $0.cluster.name == c.name && plan.hasGateway($0) }
    }

    /// Labels of berth's cluster-wide monitoring objects.
    var clusterMonitoringLabels: JSONValue {
        monitoringLabels(["app.kubernetes.io/part-of": .string(spec.platform), "app.kubernetes.io/managed-by": "berth"])
    }

    /// NGINX Gateway Fabric's control plane: its chart (pinned release) makes no ServiceMonitor,
    /// so berth renders a PodMonitor for the chart's pods (`app.kubernetes.io/name` and
    /// `app.kubernetes.io/instance` are the chart's selector labels, the release is the add-on's
    /// name) and their `metrics` container port.
    func gatewayControllerMonitor(_ c: Cluster) -> [JSONValue] {
        guard clusterHasGateway(c) else { return [] }
        let r = Renderer.gatewayControllerRelease
        return [
            [
                "apiVersion": .string(Renderer.monitoringAPI), "kind": "PodMonitor",
                "metadata": meta("nginx-gateway-fabric", plan.ingressNamespace, labels: clusterMonitoringLabels),
                "spec": [
                    "selector": [
                        "matchLabels": ["app.kubernetes.io/instance": .string(r), "app.kubernetes.io/name": "nginx-gateway-fabric"]
                    ],
                    "podMetricsEndpoints": [["port": "metrics", "interval": "30s"]],
                ],
            ]
        ]
    }

    /// The node-group name the cluster autoscaler knows a pool by (as in its add-on values).
    static func nodeGroup(_ c: Cluster, _ pool: NodePool) -> String { "\(c.name)-\(pool.name)" }

    /// Whether the cluster autoscaler runs on `c` (and exports per-node-group metrics).
    func autoscaled(_ c: Cluster) -> Bool {
        spec.scaling.clusterAutoscaler && spec.provider.name != .onprem && !providerManagesControlPlane && !c.nodePools.isEmpty
    }

    /// The cluster-wide alerts of cluster `c`: each autoscaled node pool at its maximum
    /// (`nodePools.<pool>.max`). The team server's IP pool alerts are in the `berth-platform`
    /// rule of its namespace (`ipPoolAlerts`).
    func clusterAlerts(_ c: Cluster) -> [PlatformAlert] {
        var out: [PlatformAlert] = []
        if autoscaled(c) {
            for pool in c.nodePools.sorted(by: { $0.name < $1.name }) {
                out.append(
                    PlatformAlert(
                        name: "NodePoolAtMaximum",
                        expr:
                            "max(cluster_autoscaler_node_group_target_count{node_group=\"\(Renderer.nodeGroup(c, pool))\"}) >= \(pool.max)",
                        holdFor: "30m", severity: "ticket",
                        summary:
                            "node pool \(pool.name) of cluster \(c.name) runs at its maximum of \(pool.max) nodes (nodePools.\(pool.name).max); pending pods wait"
                    ))
            }
        }
        return out
    }

    /// The PrometheusRule of the cluster-wide alerts, in the monitoring namespace.
    func clusterRules(_ c: Cluster) -> [JSONValue] {
        prometheusRule(
            "berth-cluster", namespace: spec.monitoring.namespace, labels: clusterMonitoringLabels, group: "cluster",
            alerts: clusterAlerts(c), scope: [("cluster", .string(c.name))], summaryPrefix: c.name)
    }

    /// The cluster-wide monitoring objects of `_cluster.yaml`.
    func clusterMonitoring(_ c: Cluster) -> [JSONValue] {
        gatewayControllerMonitor(c) + clusterRules(c) + capacityDashboard(c)
    }

    /// Chart values that make an add-on's own ServiceMonitor or PodMonitor (carrying
    /// `monitoring.selector`), nil for add-ons whose chart has none berth sets.
    func addonMonitoringValues(_ name: String) -> JSONValue? {
        let selector = spec.monitoring.selector
        /// The switch `on` plus, when `monitoring.selector` is set, the labels under `labelsKey`.
        func monitor(_ on: [(String, JSONValue)], labelsKey: String) -> JSONValue {
            guard !selector.isEmpty else { return .object(on) }
            return .object(on + [(labelsKey, .object(selector.map { ($0.key, JSONValue.string($0.value)) }))])
        }
        switch name {
        case "cert-manager":
            return ["prometheus": ["enabled": true, "servicemonitor": monitor([("enabled", true)], labelsKey: "labels")]]
        case "trust-manager":
            return [
                "app": ["metrics": ["service": ["enabled": true, "servicemonitor": monitor([("enabled", true)], labelsKey: "labels")]]]
            ]
        case "external-dns":
            return ["serviceMonitor": monitor([("enabled", true)], labelsKey: "additionalLabels")]
        case "external-secrets":
            return [
                "metrics": ["service": ["enabled": true]], "serviceMonitor": monitor([("enabled", true)], labelsKey: "additionalLabels"),
            ]
        case "ingress-nginx":
            return [
                "controller": ["metrics": ["enabled": true, "serviceMonitor": monitor([("enabled", true)], labelsKey: "additionalLabels")]]
            ]
        case "cloudnative-pg":
            return ["monitoring": monitor([("podMonitorEnabled", true)], labelsKey: "podMonitorAdditionalLabels")]
        case "velero":
            return ["metrics": ["enabled": true, "serviceMonitor": monitor([("enabled", true)], labelsKey: "additionalLabels")]]
        case "cluster-autoscaler":
            // The chart's default selector label (`release: prometheus-operator`) stays; the
            // kube-prometheus-stack add-on selects every ServiceMonitor.
            return [
                "serviceMonitor": monitor([("enabled", true), ("namespace", .string(spec.monitoring.namespace))], labelsKey: "selector")
            ]
        case "metallb":
            // One ServiceMonitor each for the controller and the speakers (HTTPS with the
            // scraper's token). The chart's Role for Prometheus needs Prometheus's ServiceAccount
            // by name; kube-prometheus-stack's Prometheus already lists pods, services and
            // endpoints in every namespace, so the Role stays off.
            var sm: [(String, JSONValue)] = [("enabled", true)]
            if !selector.isEmpty {
                let labels = JSONValue.object(selector.map { ($0.key, JSONValue.string($0.value)) })
                sm += [("speaker", ["additionalLabels": labels]), ("controller", ["additionalLabels": labels])]
            }
            return ["prometheus": ["rbacPrometheus": false, "serviceMonitor": .object(sm)]]
        case "longhorn":
            return ["metrics": ["serviceMonitor": monitor([("enabled", true)], labelsKey: "additionalLabels")]]
        case "metrics-server":
            // The chart makes its ServiceMonitor only with `metrics.enabled` (unauthenticated /metrics).
            return ["metrics": ["enabled": true], "serviceMonitor": monitor([("enabled", true)], labelsKey: "additionalLabels")]
        case "falco":
            // `metrics.enabled` turns on Falco's Prometheus endpoint and the chart's metrics Service.
            return ["metrics": ["enabled": true], "serviceMonitor": monitor([("create", true)], labelsKey: "labels")]
        case "vertical-pod-autoscaler":
            // PodMonitors for the recommender and, where it runs (`auto`), the updater; the
            // admission controller has none.
            var v: [(String, JSONValue)] = [("recommender", ["podMonitor": monitor([("enabled", true)], labelsKey: "labels")])]
            if spec.scaling.verticalPodAutoscaler == "auto" {
                v.append(("updater", ["podMonitor": monitor([("enabled", true)], labelsKey: "labels")]))
            }
            return .object(v)
        case "minio":
            return ["metrics": ["serviceMonitor": monitor([("enabled", true)], labelsKey: "additionalLabels")]]
        default:
            return nil
        }
    }

    /// `a` with `b` merged in as Helm merges values: objects key by key, anything else replaced.
    static func mergeValues(_ a: JSONValue?, _ b: JSONValue) -> JSONValue {
        guard case .object(let left)? = a, case .object(let right) = b else { return b }
        var out = left
        for (k, v) in right {
            if let i = out.firstIndex(where: { $0.0 == k }) {
                out[i].1 = mergeValues(out[i].1, v)
            } else {
                out.append((k, v))
            }
        }
        return .object(out)
    }
}
