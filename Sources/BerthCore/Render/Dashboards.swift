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
        signalPanels(t) + sloPanels(t) + databasePanels(t) + namespacePanels(t)
    }

    /// The services' golden signals, where a service exports metrics.
    private func signalPanels(_ t: Target) -> [Panel] {
        let sel = "namespace=\"\(t.namespace)\""
        guard t.placements.contains(where: { $0.service.metrics?.port != nil }) else { return [] }
        return [
            Panel("Requests per second", unit: "reqps", "sum by (job) (rate(http_requests_total{\(sel)}[5m]))", legend: "{{job}}"),
            Panel(
                "Errors per second (5xx)", unit: "reqps", "sum by (job) (rate(http_requests_total{\(sel), code=~\"5..\"}[5m]))",
                legend: "{{job}}"),
            Panel(
                "Latency p99", unit: "s",
                "histogram_quantile(0.99, sum by (le, job) (rate(http_request_duration_seconds_bucket{\(sel)}[5m])))",
                legend: "{{job}}"),
        ]
    }

    /// Each SLO's error budget and error ratio, in production.
    private func sloPanels(_ t: Target) -> [Panel] {
        let sel = "namespace=\"\(t.namespace)\""
        guard t.environment.tier == .production, t.placements.contains(where: { !$0.service.slos.isEmpty }) else { return [] }
        return [
            Panel("SLO error budget remaining", unit: "percentunit", "slo:error_budget:remaining_ratio{\(sel)}", legend: "{{slo}}"),
            Panel(
                title: "SLO error ratio (1h) against the objective", unit: "percentunit",
                queries: [
                    ("slo:sli_error:ratio_rate1h{\(sel)}", "{{slo}} 1h"),
                    ("1 - slo:objective:ratio{\(sel)}", "{{slo}} budget"),
                ]),
        ]
    }

    /// Connections, size and replication lag of the databases here.
    private func databasePanels(_ t: Target) -> [Panel] {
        let sel = "namespace=\"\(t.namespace)\""
        guard spec.databases.contains(where: { plan.role(of: $0, in: t) != nil }) else { return [] }
        return [
            Panel("Database connections", unit: "short", "sum by (pod) (cnpg_backends_total{\(sel)})", legend: "{{pod}}"),
            Panel("Database size", unit: "bytes", "max by (datname) (cnpg_pg_database_size_bytes{\(sel)})", legend: "{{datname}}"),
            Panel("Replication lag", unit: "s", "max by (pod) (cnpg_pg_replication_lag{\(sel)})", legend: "{{pod}}"),
        ]
    }

    /// Quota, pod readiness and volume space of the namespace.
    private func namespacePanels(_ t: Target) -> [Panel] {
        let sel = "namespace=\"\(t.namespace)\""
        let quota = "kube_resourcequota{\(sel), type=\"used\"} / ignoring(type) kube_resourcequota{\(sel), type=\"hard\"}"
        let space = "kubelet_volume_stats_available_bytes{\(sel)} / kubelet_volume_stats_capacity_bytes{\(sel)}"
        return [
            Panel("Quota used", unit: "percentunit", quota, legend: "{{resource}}"),
            Panel("Pods not ready", unit: "short", "sum(kube_pod_status_ready{\(sel), condition=\"false\"})", legend: "not ready"),
            Panel("Volume space available", unit: "percentunit", space, legend: "{{persistentvolumeclaim}}"),
        ]
    }

    /// The dashboard JSON of one namespace (Grafana schema 39, time series panels, two per row).
    func dashboard(_ t: Target) -> JSONValue {
        dashboardJSON(
            uid: "berth-\(t.cluster.name)-\(t.namespace)", title: "\(spec.platform) \(t.environment.name) (\(t.cluster.name))",
            panels: dashboardPanels(t))
    }

    /// A dashboard: its uid (at most 40 characters), title and panels.
    func dashboardJSON(uid: String, title: String, panels given: [Panel]) -> JSONValue {
        let panels: [JSONValue] = given.enumerated().map { i, p in
            [
                "id": .int(i + 1), "type": "timeseries", "title": .string(p.title),
                "datasource": ["type": "prometheus", "uid": "${datasource}"],
                "gridPos": ["h": 8, "w": 12, "x": .int(i % 2 * 12), "y": .int(i / 2 * 8)],
                "fieldConfig": ["defaults": ["unit": .string(p.unit)], "overrides": []],
                "targets": .array(
                    p.queries.enumerated().map { j, q in
                        [
                            "refId": .string(String(UnicodeScalar(UInt8(65 + j)))), "expr": .string(q.expr),
                            "legendFormat": .string(q.legend),
                        ]
                    }),
            ]
        }
        return [
            "uid": .string(String(uid.prefix(40))),
            "title": .string(title),
            "tags": ["berth", .string(spec.platform)],
            "timezone": "utc", "schemaVersion": 39, "version": 1, "editable": false,
            "time": ["from": "now-6h", "to": "now"],
            "templating": ["list": [["name": "datasource", "type": "datasource", "query": "prometheus", "label": "Data source"]]],
            "panels": .array(panels),
        ]
    }

    /// The ConfigMap holding the namespace's dashboard, for the Grafana sidecar.
    func dashboardConfigMap(_ t: Target) -> [JSONValue] {
        guard case .object(let base) = namespaceLabels(t) else { return [] }
        return [
            grafanaConfigMap(
                "berth-dashboard", t.namespace, labels: .object(base + [("grafana_dashboard", "1")]), file: "berth-\(t.namespace).json",
                board: dashboard(t))
        ]
    }

    /// A ConfigMap holding one dashboard's JSON as `file`, for the Grafana sidecar.
    fileprivate func grafanaConfigMap(_ name: String, _ namespace: String, labels: JSONValue, file: String, board: JSONValue) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": meta(name, namespace, labels: labels),
            "data": .object([(file, .string(board.serialized(pretty: false)))]),
        ]
    }
}

/// The gateway dashboard (per environment namespace with public routes) and the capacity
/// dashboard (per cluster, in the monitoring namespace), provisioned like the namespace
/// dashboards. With `network.ingress.api: ingress` the gateway panels read ingress-nginx's
/// per-host request counter and latency histogram; with Gateway API they read what NGINX
/// Gateway Fabric's data plane exports with NGINX Open Source (NGINX Agent: requests and
/// connections per pod; status codes and latency per route are NGINX Plus metrics).
extension Renderer {
    func gatewayPanels(_ t: Target) -> [Panel] {
        let ns = t.namespace
        guard t.placements.contains(where: { $0.hostname != nil }) else { return [] }
        if usesGateway {
            // NGINX Agent's per-pod series of the namespace's data plane.
            let sel = "namespace=\"\(ns)\""
            let perPod: [(title: String, unit: String, series: String)] = [
                ("Gateway requests per second", "reqps", "rate(nginx_http_requests_total{\(sel)}[5m])"),
                ("Gateway connections", "short", "nginx_http_connection_count_connections{\(sel)}"),
                ("Gateway connections accepted per second", "cps", "rate(nginx_http_connections_total{\(sel)}[5m])"),
            ]
            return perPod.map { Panel($0.title, unit: $0.unit, "sum by (pod) (\($0.series))", legend: "{{pod}}") }
        }
        let sel = "exported_namespace=\"\(ns)\""
        let requests = "rate(nginx_ingress_controller_requests{\(sel)}[5m])"
        let errors = "rate(nginx_ingress_controller_requests{\(sel), status=~\"5..\"}[5m])"
        let latency = "rate(nginx_ingress_controller_request_duration_seconds_bucket{\(sel)}[5m])"
        return [
            Panel("Requests per second by host", unit: "reqps", "sum by (host) (\(requests))", legend: "{{host}}"),
            Panel(
                "Error ratio (5xx) by host", unit: "percentunit", "sum by (host) (\(errors)) / sum by (host) (\(requests))",
                legend: "{{host}}"),
            Panel("Latency p99 by host", unit: "s", "histogram_quantile(0.99, sum by (le, host) (\(latency)))", legend: "{{host}}"),
            Panel("Requests per second by route", unit: "reqps", "sum by (ingress) (\(requests))", legend: "{{ingress}}"),
        ]
    }

    /// The ConfigMap of the namespace's gateway dashboard, where the namespace has public routes.
    func gatewayDashboard(_ t: Target) -> [JSONValue] {
        let panels = gatewayPanels(t)
        guard !panels.isEmpty, case .object(let base) = namespaceLabels(t) else { return [] }
        let board = dashboardJSON(
            uid: "berth-gw-\(t.cluster.name)-\(t.namespace)", title: "\(spec.platform) \(t.environment.name) gateway (\(t.cluster.name))",
            panels: panels)
        return [
            grafanaConfigMap(
                "berth-gateway-dashboard", t.namespace, labels: .object(base + [("grafana_dashboard", "1")]),
                file: "berth-gateway-\(t.namespace).json", board: board)
        ]
    }

    func capacityPanels(_ c: Cluster) -> [Panel] {
        let namespaces = plan.targets.filter { $0.cluster.name == c.name }.map(\.namespace)
        guard !namespaces.isEmpty else { return [] }
        let nsSel = "namespace=~\"\(namespaces.joined(separator: "|"))\""
        var panels: [Panel] = []
        if autoscaled(c) {
            let groups = c.nodePools.sorted { $0.name < $1.name }.map { Renderer.nodeGroup(c, $0) }.joined(separator: "|")
            panels.append(
                Panel(
                    title: "Node pools: target nodes against the maximum", unit: "short",
                    queries: [
                        ("max by (node_group) (cluster_autoscaler_node_group_target_count{node_group=~\"\(groups)\"})", "{{node_group}}"),
                        ("max by (node_group) (cluster_autoscaler_node_group_max_count{node_group=~\"\(groups)\"})", "{{node_group}} max"),
                    ]))
        }
        panels.append(Panel(title: "Nodes", unit: "short", queries: [("count(kube_node_info)", "nodes")]))
        panels.append(
            Panel(
                title: "Volume space used", unit: "percentunit",
                queries: [
                    (
                        "max by (namespace, persistentvolumeclaim) (1 - kubelet_volume_stats_available_bytes{\(nsSel)} / kubelet_volume_stats_capacity_bytes{\(nsSel)})",
                        "{{namespace}}/{{persistentvolumeclaim}}"
                    )
                ]))
        panels.append(
            Panel(
                title: "Quota used", unit: "percentunit",
                queries: [
                    (
                        "max by (namespace, resource) (kube_resourcequota{\(nsSel), type=\"used\"} / ignoring(type) kube_resourcequota{\(nsSel), type=\"hard\"})",
                        "{{namespace}} {{resource}}"
                    )
                ]))
        return panels
    }

    /// The ConfigMap of the cluster's capacity dashboard, in the monitoring namespace.
    func capacityDashboard(_ c: Cluster) -> [JSONValue] {
        let panels = capacityPanels(c)
        guard !panels.isEmpty else { return [] }
        let board = dashboardJSON(uid: "berth-capacity-\(c.name)", title: "\(spec.platform) capacity (\(c.name))", panels: panels)
        return [
            grafanaConfigMap(
                "berth-capacity-dashboard", spec.monitoring.namespace,
                labels: [
                    "app.kubernetes.io/part-of": .string(spec.platform), "app.kubernetes.io/managed-by": "berth",
                    "grafana_dashboard": "1",
                ],
                file: "berth-capacity-\(c.name).json", board: board)
        ]
    }
}

extension Renderer.Panel {
    /// A panel of one query: `expr`, drawn with `legend`.
    init(_ title: String, unit: String, _ expr: String, legend: String) {
        self.init(title: title, unit: unit, queries: [(expr, legend)])
    }
}
