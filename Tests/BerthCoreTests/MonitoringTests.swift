import Foundation
import Testing

@testable import BerthCore

@Suite("Monitoring")
struct MonitoringTests {
    static let withSLO = Fixtures.mutate(
        "    replicas: { min: 2, max: 4 }\n",
        "    replicas: { min: 2, max: 4 }\n    metrics: { port: 9090 }\n    slos:\n      availability: { target: \"99.9\" }\n      latency: { target: \"99\", threshold: 250, window: 7d }\n"
    )

    @Test("SLO targets parse as thousandths of a percent; budgets are exact decimals")
    func targets() {
        #expect(SLO.parseTarget("99.9") == 99_900)
        #expect(SLO.parseTarget("99.95") == 99_950)
        #expect(SLO.parseTarget("99.999") == 99_999)
        #expect(SLO.parseTarget("50") == 50_000)
        for bad in ["100", "49.9", "99.9999", "99.", ".9", "9x", "", "-99", "99,9"] {
            #expect(SLO.parseTarget(bad) == nil, "\(bad)")
        }
        let slo = SLO(
            kind: .availability, target: 99_900, targetText: "99.9", window: SpecDuration(seconds: 30 * 86_400, text: "30d"),
            source: .metrics, thresholdMs: 250, location: SourceLocation(file: "s", line: 1, column: 1))
        #expect(slo.errorBudgetText == "0.001")
        #expect(slo.ratioText == "0.999")
        #expect(slo.budgetMinutes == 43)
        #expect(slo.thresholdSeconds == "0.25")
    }

    @Test("metrics and slos decode with their defaults")
    func decode() throws {
        let l = Fixtures.check(Self.withSLO)
        #expect(!l.diagnostics.hasErrors, "\(Fixtures.lines(l))")
        let spec = try #require(l.spec)
        let s = try #require(spec.services.first { $0.metrics != nil })
        #expect(s.metrics?.port == 9090)
        #expect(s.metrics?.path == "/metrics")
        #expect(s.slos.map(\.kind) == [.availability, .latency])
        #expect(s.slos.map(\.window.text) == ["30d", "7d"])
        #expect(s.slos[1].thresholdMs == 250)
        #expect(spec.monitoring.stack == .kubePrometheusStack)
        #expect(spec.monitoring.namespace == "monitoring")
        #expect(spec.monitoring.retention.text == "30d")
    }
}

@Suite("Monitoring render, audit, diff and document")
struct MonitoringRenderTests {
    static let publicWeb =
        MonitoringTests.withSLO
        .replacingOccurrences(of: "    port: 8080\n", with: "    port: 8080\n    public: { host: www }\n    team: web\n")
        + "security:\n  teams:\n    web: { role: edit }\n  tls: { email: ops@shop.example }\nmonitoring:\n  platformTeam: web\n  alerts:\n    web:\n      page: { type: pagerduty, secret: web-pager }\n"

    static func spec(_ text: String) throws -> Spec {
        let l = Fixtures.check(text)
        #expect(!l.diagnostics.hasErrors, "\(Fixtures.lines(l))")
        return try #require(l.spec)
    }

    static func files(_ spec: Spec) -> [String: String] {
        Dictionary(Pipeline.render(spec, ipPlan: nil).map { ($0.path, $0.contents) }, uniquingKeysWith: { a, _ in a })
    }

    static func objects(_ spec: Spec, kind: String) -> [JSONValue] {
        Renderer(plan: Plan(spec: spec)).renderedFiles().flatMap(\.objects).filter { $0["kind"]?.stringValue == kind }
    }

    @Test("a service with metrics gets a ServiceMonitor, its metrics port, and a policy that admits only the monitoring namespace on it")
    func monitorsAndPolicies() throws {
        let spec = try Self.spec(Self.publicWeb)
        let monitors = Self.objects(spec, kind: "ServiceMonitor")
        #expect(monitors.compactMap { $0.at("metadata.name")?.stringValue }.sorted() == ["api", "web"])
        #expect(monitors.first?.at("spec.endpoints")?.arrayValue?.first?["port"]?.stringValue == "metrics")
        let service = try #require(Self.objects(spec, kind: "Service").first { $0.at("metadata.name")?.stringValue == "web" })
        #expect(service.at("spec.ports")?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["http", "metrics"])
        let policy = try #require(Self.objects(spec, kind: "NetworkPolicy").first { $0.at("metadata.name")?.stringValue == "web" })
        let scrape = (policy.at("spec.ingress")?.arrayValue ?? []).filter { $0.serialized().contains("\"monitoring\"") }
        #expect(scrape.count == 1)
        #expect(scrape.first?["ports"] == [["protocol": "TCP", "port": 9090]])
    }

    @Test("each SLO renders its recording rules, three burn-rate alerts and the budget; platform alerts follow the spec")
    func rules() throws {
        let spec = try Self.spec(Self.publicWeb)
        let rules = Self.objects(spec, kind: "PrometheusRule")
        let names = rules.compactMap { $0.at("metadata.name")?.stringValue }.sorted()
        #expect(names == ["api-slos", "berth-cluster", "berth-platform", "web-slos"])
        let web = try #require(rules.first { $0.at("metadata.name")?.stringValue == "web-slos" })
        let groups = web.at("spec.groups")?.arrayValue ?? []
        #expect(groups.compactMap { $0["name"]?.stringValue } == ["slo-web-availability", "slo-web-latency"])
        let records = (groups.first?["rules"]?.arrayValue ?? []).compactMap { $0["record"]?.stringValue }
        #expect(
            records == [
                "slo:sli_error:ratio_rate5m", "slo:sli_error:ratio_rate30m", "slo:sli_error:ratio_rate1h", "slo:sli_error:ratio_rate6h",
                "slo:sli_error:ratio_rate3d", "slo:sli_error:ratio_window", "slo:objective:ratio", "slo:error_budget:remaining_ratio",
            ])
        let fast = try #require((groups.first?["rules"]?.arrayValue ?? []).first { $0["alert"]?.stringValue == "SLOErrorBudgetBurnFast" })
        #expect(
            fast["expr"]?.stringValue
                == "slo:sli_error:ratio_rate1h{slo=\"web-availability\", namespace=\"shop-production\"} > (14.4 * 0.001) and slo:sli_error:ratio_rate5m{slo=\"web-availability\", namespace=\"shop-production\"} > (14.4 * 0.001)"
        )
        #expect(fast.at("labels.team")?.stringValue == "web")
        let latency = (groups.last?["rules"]?.arrayValue ?? []).first?["expr"]?.stringValue ?? ""
        #expect(latency.contains("le=\"0.25\""))
        let platform = try #require(rules.first { $0.at("metadata.name")?.stringValue == "berth-platform" })
        let alerts = (platform.at("spec.groups")?.arrayValue?.first?["rules"]?.arrayValue ?? []).compactMap { $0["alert"]?.stringValue }
        #expect(alerts == ["CertificateExpiresSoon", "CertificateNotReady", "HPAAtMaximum", "PodNotReady", "QuotaNearLimit"])
    }

    @Test("audit: a production service without metrics or an SLO, and an SLO stricter than the topology, are findings")
    func audit() throws {
        let bare = try Self.spec(Fixtures.base)
        let lines = Audit.run(bare).filter { $0.rule.hasPrefix("BERTH-OBS") }.map { "\($0.rule) \($0.message)" }
        #expect(
            lines == [
                "BERTH-OBS-001 service 'web' runs in production without metrics; nothing scrapes it and no alert can see it fail",
                "BERTH-OBS-002 service 'web' serves requests in production without an SLO; no burn-rate alert pages when it fails its callers",
                "BERTH-OBS-001 service 'api' runs in production without metrics; nothing scrapes it and no alert can see it fail",
                "BERTH-OBS-002 service 'api' serves requests in production without an SLO; no burn-rate alert pages when it fails its callers",
            ])
        let strict = try Self.spec(
            Self.publicWeb.replacingOccurrences(of: "availability: { target: \"99.9\" }", with: "availability: { target: \"99.999\" }"))
        #expect(
            Audit.run(strict).filter { $0.rule == "BERTH-OBS-003" }.map(\.message) == [
                "public service 'web' promises 99.999% availability, but 2 replicas in 2 zones on 1 cluster plausibly deliver at most 99.95%"
            ])
        #expect(Audit.run(try Self.spec(Self.publicWeb)).filter { $0.rule.hasPrefix("BERTH-OBS") }.isEmpty)
    }

    @Test("diff: a removed alert or a loosened SLO is risky")
    func diff() throws {
        let before = Self.files(try Self.spec(Self.publicWeb))
        let looser = Self.files(
            try Self.spec(
                Self.publicWeb.replacingOccurrences(of: "availability: { target: \"99.9\" }", with: "availability: { target: \"99.5\" }")))
        let changes = try PlatformDiff.compare(old: before, new: looser).filter { $0.key.contains("PrometheusRule") }
        #expect(
            changes.map { "\($0.risk.rawValue) \($0.key) \($0.reasons)" } == [
                "risky main/shop-production/PrometheusRule/api-slos [\"SLO api-availability loosened from 0.999 to 0.995\"]",
                "risky main/shop-production/PrometheusRule/web-slos [\"SLO web-availability loosened from 0.999 to 0.995\"]",
            ])
        let noLatency = Self.files(
            try Self.spec(
                Self.publicWeb.replacingOccurrences(of: "      latency: { target: \"99\", threshold: 250, window: 7d }\n", with: "")))
        let removed = try PlatformDiff.compare(old: before, new: noLatency).filter { $0.key.hasSuffix("PrometheusRule/web-slos") }
        #expect(removed.map(\.risk) == [.risky])
        #expect(removed.first?.reasons.contains("SLO web-latency removed") == true)
        #expect(PlatformDiff.text(removed).hasSuffix("1 change: 0 safe, 1 risky, 0 disruptive, 0 security-sensitive\n"))
    }

    @Test("monitoring.md lists each SLO with its error budget in minutes, the alert catalogue and routing")
    func document() throws {
        let spec = try Self.spec(Self.publicWeb)
        let docs = HostingDoc(spec: spec, ipPlan: nil).artifacts()
        #expect(docs.map(\.path).contains("monitoring.html"))
        let md = try #require(docs.first { $0.path == "monitoring.md" }?.contents)
        #expect(md.contains("| web | availability | 99.9% of requests without a 5xx | 30d | 43 | service metrics | web | production |"))
        #expect(md.contains("| web | latency | 99% of requests within 250 ms | 7d | 100 | service metrics | web | production |"))
        #expect(md.contains("| SLOErrorBudgetBurnFast | the error ratio exceeds 14.4x the budget over both 1h and 5m, for 2m | page |"))
        #expect(md.contains("| web | pagerduty (Secret `web-pager`, key `token`) | pagerduty (Secret `web-pager`, key `token`) |"))
        let hosting = try #require(docs.first { $0.path == "hosting-and-network.md" }?.contents)
        #expect(hosting.contains("(./monitoring.md)"))
    }
}

@Suite("Monitoring of the gateway, the add-ons and the clusters")
struct MonitoringPlatformTests {
    /// `scaling.clusterAutoscaler` is on by default; said here so the tests read on their own.
    static let autoscaled = MonitoringRenderTests.publicWeb + "scaling:\n  clusterAutoscaler: true\n"

    static func objects(_ spec: Spec, kind: String) -> [JSONValue] { MonitoringRenderTests.objects(spec, kind: kind) }

    @Test("the Gateway's data plane is scraped by a PodMonitor, and the data plane's policy admits the monitoring namespace on 9113 only")
    func gatewayScrape() throws {
        let spec = try MonitoringRenderTests.spec(MonitoringRenderTests.publicWeb)
        let plan = Plan(spec: spec)
        let t = try #require(plan.targets.first)
        let scrape = plan.traffic(t).filter { $0.purpose == .monitoring && $0.to == .gateway("shop") }
        #expect(scrape.map(\.ports) == [[.tcp(9113)]])
        #expect(scrape.first?.from == .namespace("monitoring"))
        let monitors = Self.objects(spec, kind: "PodMonitor")
        let dataPlane = try #require(monitors.first { $0.at("metadata.name")?.stringValue == "gateway-data-plane" })
        #expect(dataPlane.at("metadata.namespace")?.stringValue == "shop-production")
        #expect(dataPlane.at("spec.selector.matchLabels") == ["gateway.networking.k8s.io/gateway-name": "shop"])
        #expect(dataPlane.at("spec.podMetricsEndpoints")?.arrayValue?.first?["port"]?.stringValue == "metrics")
        let policy = try #require(
            Self.objects(spec, kind: "NetworkPolicy").first { $0.at("metadata.name")?.stringValue == "gateway-data-plane" })
        let fromMonitoring = (policy.at("spec.ingress")?.arrayValue ?? []).filter { $0.serialized().contains("\"monitoring\"") }
        #expect(fromMonitoring.map { $0["ports"] } == [[["protocol": "TCP", "port": 9113]]])
        // The control plane: the chart's selector labels, its release being the add-on's name.
        let control = try #require(monitors.first { $0.at("metadata.name")?.stringValue == "nginx-gateway-fabric" })
        #expect(control.at("metadata.namespace")?.stringValue == plan.ingressNamespace)
        #expect(
            control.at("spec.selector.matchLabels") == [
                "app.kubernetes.io/instance": "nginx-gateway-fabric", "app.kubernetes.io/name": "nginx-gateway-fabric",
            ])
        let ngf = try #require(Renderer(plan: plan).addonList().first { $0.release.name == "nginx-gateway-fabric" })
        #expect(ngf.release.name == Renderer.gatewayControllerRelease)
        #expect(ngf.release.namespace == plan.ingressNamespace)
    }

    @Test("a platform without public routes has no Gateway monitors and no scrape edge to a data plane")
    func noGateway() throws {
        let spec = try MonitoringRenderTests.spec(MonitoringTests.withSLO)
        let names = Self.objects(spec, kind: "PodMonitor").compactMap { $0.at("metadata.name")?.stringValue }
        #expect(!names.contains("gateway-data-plane") && !names.contains("nginx-gateway-fabric"))
        let plan = Plan(spec: spec)
        #expect(plan.targets.flatMap { plan.traffic($0) }.filter { if case .gateway = $0.to { return true } else { return false } }.isEmpty)
    }

    @Test("add-on charts make their own monitors, labelled with monitoring.selector")
    func addonValues() throws {
        let text = Self.autoscaled.replacingOccurrences(of: "monitoring:\n", with: "monitoring:\n  selector: { release: main }\n")
        let spec = try MonitoringRenderTests.spec(text)
        let addons = Renderer(plan: Plan(spec: spec)).addonList()
        let cm = try #require(addons.first { $0.release.name == "cert-manager" })
        #expect(cm.values?.at("prometheus.servicemonitor.enabled") == .bool(true))
        #expect(cm.values?.at("prometheus.servicemonitor.labels") == ["release": "main"])
        // berth's own values stay: the merge adds keys, it does not replace the section.
        #expect(cm.values?.at("crds.enabled") == .bool(true))
        let ca = try #require(addons.first { $0.release.name == "cluster-autoscaler" })
        #expect(ca.values?.at("serviceMonitor.enabled") == .bool(true))
        #expect(ca.values?.at("serviceMonitor.namespace") == "monitoring")
        #expect(ca.values?.at("extraArgs.emit-per-nodegroup-metrics") == .bool(true))
        #expect(Renderer.mergeValues(["a": ["b": 1, "c": 2]], ["a": ["c": 3, "d": 4]]) == ["a": ["b": 1, "c": 3, "d": 4]])
    }

    @Test(
        "MetalLB, Longhorn, metrics-server, Falco, the VPA and MinIO turn on their charts' monitors; labels only with monitoring.selector")
    func moreAddonValues() throws {
        let labelled = Renderer(
            plan: Plan(
                spec: try MonitoringRenderTests.spec(
                    Self.autoscaled.replacingOccurrences(of: "monitoring:\n", with: "monitoring:\n  selector: { release: main }\n"))))
        let plain = Renderer(plan: Plan(spec: try MonitoringRenderTests.spec(Self.autoscaled)))
        let l: JSONValue = ["release": "main"]
        #expect(
            labelled.addonMonitoringValues("metallb") == [
                "prometheus": [
                    "rbacPrometheus": false,
                    "serviceMonitor": [
                        "enabled": true, "speaker": ["additionalLabels": l], "controller": ["additionalLabels": l],
                    ],
                ]
            ])
        #expect(plain.addonMonitoringValues("metallb") == ["prometheus": ["rbacPrometheus": false, "serviceMonitor": ["enabled": true]]])
        #expect(labelled.addonMonitoringValues("longhorn") == ["metrics": ["serviceMonitor": ["enabled": true, "additionalLabels": l]]])
        #expect(plain.addonMonitoringValues("longhorn") == ["metrics": ["serviceMonitor": ["enabled": true]]])
        #expect(
            labelled.addonMonitoringValues("metrics-server") == [
                "metrics": ["enabled": true], "serviceMonitor": ["enabled": true, "additionalLabels": l],
            ])
        #expect(plain.addonMonitoringValues("metrics-server") == ["metrics": ["enabled": true], "serviceMonitor": ["enabled": true]])
        #expect(
            labelled.addonMonitoringValues("falco") == ["metrics": ["enabled": true], "serviceMonitor": ["create": true, "labels": l]])
        #expect(plain.addonMonitoringValues("falco") == ["metrics": ["enabled": true], "serviceMonitor": ["create": true]])
        // The updater's PodMonitor only where the updater runs (`auto`).
        #expect(
            labelled.addonMonitoringValues("vertical-pod-autoscaler") == ["recommender": ["podMonitor": ["enabled": true, "labels": l]]])
        #expect(plain.addonMonitoringValues("vertical-pod-autoscaler") == ["recommender": ["podMonitor": ["enabled": true]]])
        let auto = Renderer(
            plan: Plan(
                spec: try MonitoringRenderTests.spec(
                    Self.autoscaled.replacingOccurrences(of: "scaling:\n", with: "scaling:\n  verticalPodAutoscaler: auto\n"))))
        #expect(
            auto.addonMonitoringValues("vertical-pod-autoscaler") == [
                "recommender": ["podMonitor": ["enabled": true]], "updater": ["podMonitor": ["enabled": true]],
            ])
        #expect(labelled.addonMonitoringValues("minio") == ["metrics": ["serviceMonitor": ["enabled": true, "additionalLabels": l]]])
        #expect(plain.addonMonitoringValues("minio") == ["metrics": ["serviceMonitor": ["enabled": true]]])
        // Charts without a monitor value get none.
        for name in ["ceph-csi-rbd", "istiod", "istio-base", "linkerd-control-plane", "nginx-gateway-fabric"] {
            #expect(labelled.addonMonitoringValues(name) == nil, "\(name)")
        }
        // Merged into the add-on's own values (metrics-server keeps its replicas).
        let ms = try #require(labelled.addonList().first { $0.release.name == "metrics-server" })
        #expect(ms.values?.at("replicas") == 2)
        #expect(ms.values?.at("serviceMonitor.enabled") == .bool(true))
        #expect(ms.values?.at("metrics.enabled") == .bool(true))
    }

    @Test("cluster alerts: each autoscaled node pool at its spec maximum; the IP pool alerts are not cluster alerts")
    func clusterRules() throws {
        let spec = try MonitoringRenderTests.spec(Self.autoscaled)
        let rule = try #require(Self.objects(spec, kind: "PrometheusRule").first { $0.at("metadata.name")?.stringValue == "berth-cluster" })
        #expect(rule.at("metadata.namespace")?.stringValue == "monitoring")
        let rules = rule.at("spec.groups")?.arrayValue?.first?["rules"]?.arrayValue ?? []
        #expect(rules.compactMap { $0["alert"]?.stringValue } == ["NodePoolAtMaximum"])
        #expect(rules.first?["expr"]?.stringValue == "max(cluster_autoscaler_node_group_target_count{node_group=\"main-general\"}) >= 4")
        #expect(rules.first?.at("labels.cluster")?.stringValue == "main")
        #expect(rules.first?.at("labels.team")?.stringValue == "web")
        // Without the autoscaler there is no cluster alert, so no `berth-cluster` rule.
        let fixed = try MonitoringRenderTests.spec(MonitoringRenderTests.publicWeb + "scaling:\n  clusterAutoscaler: false\n")
        #expect(!Self.objects(fixed, kind: "PrometheusRule").contains { $0.at("metadata.name")?.stringValue == "berth-cluster" })
    }

    /// IPAMServerTests' spec (server on `main` in production, a development environment on
    /// `lab`) with a platform team that owns the platform alerts.
    static let ipamOwned = IPAMServerTests.text
        .replacingOccurrences(
            of: "monitoring:\n  stack: kube-prometheus-stack\n",
            with: "monitoring:\n  stack: kube-prometheus-stack\n  platformTeam: network\n"
        )
        .replacingOccurrences(of: "security:\n", with: "security:\n  teams:\n    network: { role: edit }\n")

    /// Every IP pool alert rule rendered, as (file path, rule name, namespace, rule).
    static func ipPoolRules(_ text: String) throws -> [(String, String, String, JSONValue)] {
        var out: [(String, String, String, JSONValue)] = []
        for f in try IPAMServerTests.files(text) {
            for o in f.objects where o["kind"]?.stringValue == "PrometheusRule" {
                let name = o.at("metadata.name")?.stringValue ?? ""
                let namespace = o.at("metadata.namespace")?.stringValue ?? ""
                for g in o.at("spec.groups")?.arrayValue ?? [] {
                    for rule in g["rules"]?.arrayValue ?? [] where rule["alert"]?.stringValue?.hasPrefix("IPPool") == true {
                        out.append((f.path, name, namespace, rule))
                    }
                }
            }
        }
        return out
    }

    @Test(
        "the IP pool alerts follow ipam.server: in the server's namespace, on its ServiceMonitor's namespace and job, owned by the platform team"
    )
    func ipPoolAlerts() throws {
        let found = try Self.ipPoolRules(Self.ipamOwned)
        #expect(
            found.map { "\($0.0) \($0.1) \($0.2) \($0.3["alert"]?.stringValue ?? "")" } == [
                "main/shop-production/_namespace.yaml berth-platform shop-production IPPoolNearlyExhausted",
                "main/shop-production/_namespace.yaml berth-platform shop-production IPPoolExhausted",
            ])
        let sel = "namespace=\"shop-production\", job=\"berth-ipam\""
        #expect(
            found.map { $0.3["expr"]?.stringValue ?? "" } == [
                "max by (pool) (berth_pool_used_addresses{\(sel)}) / max by (pool) (berth_pool_capacity_addresses{\(sel)}) > 0.9",
                "max by (pool) (berth_pool_largest_free_block_length{\(sel)}) < 0",
            ])
        #expect(
            found.map { $0.3["labels"] } == [
                ["severity": "ticket", "team": "network", "environment": "production", "namespace": "shop-production"],
                ["severity": "page", "team": "network", "environment": "production", "namespace": "shop-production"],
            ])
        #expect(
            found.last?.3.at("annotations.summary")?.stringValue
                == "shop-production: an IP pool of the ledger has no free block left; allocations fail (team server metrics)")
        // The job the rule reads is the one the server's ServiceMonitor gives: the Service it selects.
        let files = try IPAMServerTests.files(Self.ipamOwned)
        let monitor = try #require(IPAMServerTests.object(files, "ServiceMonitor", "berth-ipam"))
        #expect(monitor.at("metadata.namespace")?.stringValue == "shop-production")
        #expect(monitor.at("spec.jobLabel") == nil)
        let service = try #require(IPAMServerTests.object(files, "Service", "berth-ipam"))
        guard case .object(let selector)? = monitor.at("spec.selector.matchLabels") else {
            Issue.record("no selector")
            return
        }
        #expect(!selector.isEmpty && selector.allSatisfy { k, v in service.at("metadata.labels")?[k] == v })
        // Alertmanager: the pools paging does not inhibit the symptoms of the server's namespace.
        let (spec, _) = try IPAMServerTests.loaded(Self.ipamOwned)
        let am = Renderer(plan: Plan(spec: spec)).alertmanagerConfig()
        #expect(
            am.at("inhibit_rules")?.arrayValue?.first?["source_matchers"] == [
                "team=\"network\"", "severity=\"page\"", "alertname!~\"SLO.*|IPPool.*\"",
            ])
    }

    @Test("without ipam.server, or without monitoring, no IP pool alert is rendered, and monitoring.md says why")
    func noIPPoolAlerts() throws {
        let without = Self.ipamOwned.replacingOccurrences(
            of:
                "ipam:\n  server:\n    cluster: main\n    environment: production\n    replicas: 2\n    image: registry.shop.example/platform/berth:0.1.0\n",
            with: "")
        #expect(without != Self.ipamOwned)
        #expect(try Self.ipPoolRules(without).isEmpty)
        #expect(try Self.ipPoolRules(MonitoringRenderTests.publicWeb + "scaling:\n  clusterAutoscaler: true\n").isEmpty)
        let unmonitored = IPAMServerTests.text.replacingOccurrences(of: "monitoring:\n  stack: kube-prometheus-stack\n", with: "")
        #expect(try Self.ipPoolRules(unmonitored).isEmpty)

        let (bare, _) = try IPAMServerTests.loaded(without)
        let md = try #require(HostingDoc(spec: bare, ipPlan: nil).artifacts().first { $0.path == "monitoring.md" }?.contents)
        #expect(
            md.contains(
                "The spec has no `ipam.server`, so no Prometheus scrapes the ledger's team server (`berth serve`) and berth renders no IP pool alerts; with `ipam.server` they are rendered in the server's namespace, on its ServiceMonitor's series."
            ))
        #expect(!md.contains("IPPool"))
        let (owned, _) = try IPAMServerTests.loaded(Self.ipamOwned)
        let withServer = try #require(HostingDoc(spec: owned, ipPlan: nil).artifacts().first { $0.path == "monitoring.md" }?.contents)
        #expect(
            withServer.contains(
                "The ledger's team server (`berth serve`, `ipam.server`) runs on cluster main in namespace `shop-production`; its ServiceMonitor `berth-ipam` scrapes `/metrics` with a read-scope token. The IP pool alerts are in that namespace's `berth-platform` rule and read only that scrape (`namespace=\"shop-production\", job=\"berth-ipam\"`)."
            ))
        #expect(
            withServer.contains(
                "| IPPoolExhausted | an IP pool of the ledger has no free block left; allocations fail (team server metrics), for 5m | page | network | - |"
            ))
    }

    @Test("the gateway and capacity dashboards are provisioned like the namespace dashboards")
    func dashboards() throws {
        let spec = try MonitoringRenderTests.spec(Self.autoscaled)
        let maps = Self.objects(spec, kind: "ConfigMap").filter { $0.at("metadata.labels")?["grafana_dashboard"]?.stringValue == "1" }
        let names = maps.map { "\($0.at("metadata.namespace")?.stringValue ?? "")/\($0.at("metadata.name")?.stringValue ?? "")" }.sorted()
        #expect(
            names == ["monitoring/berth-capacity-dashboard", "shop-production/berth-dashboard", "shop-production/berth-gateway-dashboard"])
        let r = Renderer(plan: Plan(spec: spec))
        let t = try #require(r.plan.targets.first)
        #expect(
            r.gatewayPanels(t).map(\.title) == [
                "Gateway requests per second", "Gateway connections", "Gateway connections accepted per second",
            ])
        let capacity = r.capacityPanels(try #require(spec.clusters.first))
        #expect(capacity.map(\.title) == ["Node pools: target nodes against the maximum", "Nodes", "Volume space used", "Quota used"])
        #expect(
            capacity.first?.queries.map(\.expr) == [
                "max by (node_group) (cluster_autoscaler_node_group_target_count{node_group=~\"main-general\"})",
                "max by (node_group) (cluster_autoscaler_node_group_max_count{node_group=~\"main-general\"})",
            ])
        // With an ingress controller the gateway dashboard reads its per-host counters.
        let ingress = try MonitoringRenderTests.spec(
            Self.autoscaled.replacingOccurrences(of: "scaling:\n", with: "network:\n  ingress: { api: ingress }\nscaling:\n"))
        let ri = Renderer(plan: Plan(spec: ingress))
        #expect(
            ri.gatewayPanels(try #require(ri.plan.targets.first)).map(\.title) == [
                "Requests per second by host", "Error ratio (5xx) by host", "Latency p99 by host", "Requests per second by route",
            ])
    }
}
