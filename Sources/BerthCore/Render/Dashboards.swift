/// Grafana dashboards, one per environment namespace, as JSON in a ConfigMap that
/// kube-prometheus-stack's Grafana sidecar loads (label `grafana_dashboard: "1"`, searched in
/// every namespace): the services' golden signals, each SLO's error ratio and budget, the
/// databases, and capacity. Every query names only metrics the rendered rules record or a
/// documented exporter provides (the services' metrics contract, CloudNativePG,
/// kube-state-metrics, the kubelet).
extension Renderer {
    /// One panel: a title and its PromQL queries (with legends).
    struct Panel: Sendable {
        var title: String
        var unit: String
        var queries: [(expr: String, legend: String)]
    }

    func dashboardPanels(_ t: Target) -> [Panel] {
        let ns = t.namespace
        var panels: [Panel] = []
        let metered = t.placements.filter { $0.service.metrics?.port != nil }
        if !metered.isEmpty {
            panels.append(Panel(title: "Requests per second", unit: "reqps", queries: [
                ("sum by (job) (rate(http_requests_total{namespace=\"\(ns)\"}[5m]))", "{{job}}"),
            ]))
            panels.append(Panel(title: "Errors per second (5xx)", unit: "reqps", queries: [
                ("sum by (job) (rate(http_requests_total{namespace=\"\(ns)\", code=~\"5..\"}[5m]))", "{{job}}"),
            ]))
            panels.append(Panel(title: "Latency p99", unit: "s", queries: [
                ("histogram_quantile(0.99, sum by (le, job) (rate(http_request_duration_seconds_bucket{namespace=\"\(ns)\"}[5m])))", "{{job}}"),
            ]))
        }
        if t.environment.tier == .production, t.placements.contains(where: { !$0.service.slos.isEmpty }) {
            panels.append(Panel(title: "SLO error budget remaining", unit: "percentunit", queries: [
                ("slo:error_budget:remaining_ratio{namespace=\"\(ns)\"}", "{{slo}}"),
            ]))
            panels.append(Panel(title: "SLO error ratio (1h) against the objective", unit: "percentunit", queries: [
                ("slo:sli_error:ratio_rate1h{namespace=\"\(ns)\"}", "{{slo}} 1h"),
                ("1 - slo:objective:ratio{namespace=\"\(ns)\"}", "{{slo}} budget"),
            ]))
        }
        if spec.databases.contains(where: { plan.role(of: $0, in: t) != nil }) {
            panels.append(Panel(title: "Database connections", unit: "short", queries: [
                ("sum by (pod) (cnpg_backends_total{namespace=\"\(ns)\"})", "{{pod}}"),
            ]))
            panels.append(Panel(title: "Database size", unit: "bytes", queries: [
                ("max by (datname) (cnpg_pg_database_size_bytes{namespace=\"\(ns)\"})", "{{datname}}"),
            ]))
            panels.append(Panel(title: "Replication lag", unit: "s", queries: [
                ("max by (pod) (cnpg_pg_replication_lag{namespace=\"\(ns)\"})", "{{pod}}"),
            ]))
        }
        panels.append(Panel(title: "Quota used", unit: "percentunit", queries: [
            ("kube_resourcequota{namespace=\"\(ns)\", type=\"used\"} / ignoring(type) kube_resourcequota{namespace=\"\(ns)\", type=\"hard\"}", "{{resource}}"),
        ]))
        panels.append(Panel(title: "Pods not ready", unit: "short", queries: [
            ("sum(kube_pod_status_ready{namespace=\"\(ns)\", condition=\"false\"})", "not ready"),
        ]))
        panels.append(Panel(title: "Volume space available", unit: "percentunit", queries: [
            ("kubelet_volume_stats_available_bytes{namespace=\"\(ns)\"} / kubelet_volume_stats_capacity_bytes{namespace=\"\(ns)\"}", "{{persistentvolumeclaim}}"),
        ]))
        return panels
    }

    /// The dashboard JSON of one namespace (Grafana schema 39, time series panels, two per row).
    func dashboard(_ t: Target) -> JSONValue {
        let panels: [JSONValue] = dashboardPanels(t).enumerated().map { i, p in
            [
                "id": .int(i + 1), "type": "timeseries", "title": .string(p.title),
                "datasource": ["type": "prometheus", "uid": "${datasource}"],
                "gridPos": ["h": 8, "w": 12, "x": .int(i % 2 * 12), "y": .int(i / 2 * 8)],
                "fieldConfig": ["defaults": ["unit": .string(p.unit)], "overrides": []],
                "targets": .array(p.queries.enumerated().map { j, q in
                    ["refId": .string(String(UnicodeScalar(UInt8(65 + j)))), "expr": .string(q.expr), "legendFormat": .string(q.legend)]
                }),
            ]
        }
        return [
            "uid": .string(String("berth-\(t.cluster.name)-\(t.namespace)".prefix(40))),
            "title": .string("\(spec.platform) \(t.environment.name) (\(t.cluster.name))"),
            "tags": ["berth", .string(spec.platform)],
            "timezone": "utc", "schemaVersion": 39, "version": 1, "editable": false,
            "time": ["from": "now-6h", "to": "now"],
            "templating": ["list": [["name": "datasource", "type": "datasource", "query": "prometheus", "label": "Data source"]]],
            "panels": .array(panels),
        ]
    }

    /// The ConfigMap holding the namespace's dashboard, for the Grafana sidecar.
    func dashboardConfigMap(_ t: Target) -> [JSONValue] {
        guard case let .object(base) = namespaceLabels(t) else { return [] }
        return [[
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": meta("berth-dashboard", t.namespace, labels: .object(base + [("grafana_dashboard", "1")])),
            "data": ["berth-\(t.namespace).json": .string(dashboard(t).serialized(pretty: false))],
        ]]
    }
}
