/// `monitoring:`: which Prometheus scrapes the platform, how long it keeps samples, and where
/// each team's alerts go. Every default is applied.
public struct MonitoringSpec: Sendable {
    /// `monitoring.stack`: where Prometheus comes from.
    public enum Stack: String, Sendable, CaseIterable {
        /// The add-ons install kube-prometheus-stack in `namespace`.
        case kubePrometheusStack = "kube-prometheus-stack"
        /// An existing Prometheus in `namespace` selects berth's monitors and rules by `selector`.
        case external
    }

    /// `stack`: `kube-prometheus-stack` (default) or `external`.
    public var stack: Stack = .kubePrometheusStack
    /// Namespace Prometheus runs in; NetworkPolicies admit scrapes from it.
    public var namespace = "monitoring"
    /// Labels every ServiceMonitor, PodMonitor and PrometheusRule carries, sorted by key.
    public var selector: [(key: String, value: String)] = []
    /// `retention`: how long Prometheus keeps samples; must cover the longest SLO window (default 30d).
    public var retention = SpecDuration(seconds: 30 * 86_400, text: "30d")
    /// Where `retention` is written, when it is.
    public var retentionLocation: SourceLocation?
    /// Team owning the platform alerts (nil: none named).
    public var platformTeam: Located<String>?
    /// Receivers by team, in spec order.
    public var alerts: [TeamAlerts] = []

    /// Monitoring with every default: kube-prometheus-stack in `monitoring`, 30 days, no alerts.
    public init() {}
}

/// One team's receivers: page alerts and ticket alerts.
public struct TeamAlerts: Sendable {
    /// The team (a key of `security.teams`) whose alerts these are.
    public var team: Located<String>
    /// `page`: the receiver of `severity: page` alerts (fast burn, platform outages).
    public var page: AlertChannel
    /// `ticket`: the receiver of `severity: ticket` alerts (slow burn, capacity); defaults to the page receiver.
    public var ticket: AlertChannel
}

/// One Alertmanager receiver. The credential is in a Secret that is named, never written.
public struct AlertChannel: Sendable, Hashable {
    /// A receiver kind.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A Slack incoming webhook (the Secret holds its URL).
        case slack
        /// A PagerDuty Events API v2 integration (the Secret holds its routing key).
        case pagerduty
        /// An Opsgenie API integration (the Secret holds its API key).
        case opsgenie
    }

    /// `type`: the receiver kind.
    public var type: Kind
    /// `secret`: the Secret in the monitoring namespace holding the webhook URL, routing key or API key.
    public var secret: String
    /// `key`: the key of that Secret (default `token`).
    public var key: String
    /// `channel`: slack only, the channel, e.g. `#payments-alerts` (default empty).
    public var channel: String
}

/// Where Prometheus scrapes one service.
public struct ServiceMetrics: Sendable, Hashable {
    /// The metrics port; nil when neither `metrics.port` nor the service port is set.
    public var port: Int?
    /// `metrics.path`: the HTTP path of the metrics (default `/metrics`).
    public var path: String
    /// Where `metrics` is written in the spec.
    public var location: SourceLocation
}

/// One service level objective.
public struct SLO: Sendable, Hashable {
    /// What an objective measures: requests that do not fail with a 5xx (availability), or that finish within a threshold (latency).
    public enum Kind: String, Sendable, CaseIterable { case availability, latency }
    /// Where the SLI comes from: the service's own metrics or the ingress controller's.
    public enum Source: String, Sendable { case metrics, gateway }
    /// Which objective this is.
    public var kind: Kind
    /// The target in thousandths of a percent (99.9% is 99_900), nil when `target` does not parse.
    public var target: Int
    /// The target as written, e.g. `99.9`.
    public var targetText: String
    /// `window`: the rolling window the target and the error budget are counted over (default 30d).
    public var window: SpecDuration
    /// `source`: `metrics` (default) or `gateway`.
    public var source: Source
    /// latency: the threshold in milliseconds.
    public var thresholdMs: Int
    /// Where the objective is written in the spec.
    public var location: SourceLocation

    /// The allowed share of bad events, as a decimal: 99.9 gives `0.001`.
    public var errorBudgetText: String { SLO.decimal(100_000 - target, scale: 5) }
    /// The target as a ratio: 99.9 gives `0.999`.
    public var ratioText: String { SLO.decimal(target, scale: 5) }
    /// The error budget over the window, in whole minutes (rounded down).
    public var budgetMinutes: Int { window.seconds / 60 * (100_000 - target) / 100_000 }
    /// The latency threshold in seconds as Prometheus writes a bucket's `le`: 300 ms gives `0.3`.
    public var thresholdSeconds: String { SLO.decimal(thresholdMs, scale: 3) }

    /// `value / 10^scale` written as a plain decimal without trailing zeros (`100, 5` gives `0.001`).
    static func decimal(_ value: Int, scale: Int) -> String {
        var p = 1
        for _ in 0..<scale { p *= 10 }
        let whole = value / p
        let frac = value % p
        guard frac != 0 else { return String(whole) }
        var f = String(frac)
        f = String(repeating: "0", count: scale - f.count) + f
        while f.hasSuffix("0") { f.removeLast() }
        return "\(whole).\(f)"
    }

    /// Parses a percentage `50` to `99.999` with at most three decimals, in thousandths.
    static func parseTarget(_ s: String) -> Int? {
        let parts = s.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let wholeText = parts.first, !wholeText.isEmpty, wholeText.count <= 3,
            wholeText.allSatisfy(\.isASCIIDigit), let whole = Int(wholeText)
        else { return nil }
        var frac = 0
        if parts.count == 2 {
            let f = parts[1]
            guard !f.isEmpty, f.count <= 3, f.allSatisfy(\.isASCIIDigit), let v = Int(f) else { return nil }
            frac = v * [1, 100, 10, 1][f.count]
        }
        let t = whole * 1000 + frac
        return (50_000...99_999).contains(t) ? t : nil
    }
}

extension Decoder {
    /// Fills in `monitoring:` and every service's `metrics:` and `slos:`.
    mutating func monitoring(_ r: SpecNode, into spec: inout Spec) {
        var m = MonitoringSpec()
        if let n = r["monitoring"] {
            m.stack = MonitoringSpec.Stack(rawValue: str(n, "stack")) ?? .kubePrometheusStack
            m.namespace = n["namespace"]?.string ?? "monitoring"
            m.selector = (n["selector"]?.entries ?? []).map { ($0.key, $0.node.string ?? "") }.sorted { $0.key < $1.key }
            if let d = duration(n, "retention") { m.retention = d }
            m.retentionLocation = n["retention"]?.location
            if let t = located(n, "platformTeam"), !t.value.isEmpty { m.platformTeam = t }
            m.alerts = (n["alerts"]?.entries ?? []).map { e in
                func channel(_ c: SpecNode?) -> AlertChannel {
                    AlertChannel(
                        type: AlertChannel.Kind(rawValue: str(c, "type")) ?? .slack, secret: str(c, "secret"),
                        key: c?["key"]?.string ?? "token", channel: str(c, "channel"))
                }
                let page = channel(e.node["page"])
                return TeamAlerts(team: Located(e.key, e.keyLocation), page: page, ticket: e.node["ticket"].map { channel($0) } ?? page)
            }
        }
        spec.monitoring = m
        spec.monitoringDeclared = r["monitoring"]?.explicit == true
        let entries = r["services"]?.entries ?? []
        for (i, e) in entries.enumerated() where i < spec.services.count {
            let n = e.node
            if let mn = n["metrics"] {
                spec.services[i].metrics = ServiceMetrics(
                    port: int(mn, "port") ?? spec.services[i].port,
                    path: mn["path"]?.string ?? "/metrics", location: mn.location)
            }
            guard let sn = n["slos"] else { continue }
            for kind in SLO.Kind.allCases {
                guard let o = sn[kind.rawValue] else { continue }
                let text = o["target"]?.string ?? ""
                guard let target = SLO.parseTarget(text) else {
                    diags.append(
                        .error(
                            .invalidValue,
                            "target '\(text)' of services.\(e.key).slos.\(kind.rawValue) must be a percentage from 50 to 99.999 with at most three decimals, e.g. 99.9",
                            at: o["target"]?.location ?? o.location))
                    continue
                }
                spec.services[i].slos.append(
                    SLO(
                        kind: kind, target: target, targetText: text,
                        window: duration(o, "window") ?? SpecDuration(seconds: 30 * 86_400, text: "30d"),
                        source: SLO.Source(rawValue: str(o, "source")) ?? .metrics,
                        thresholdMs: int(o, "threshold") ?? 300, location: o.location))
            }
        }
    }
}

extension PlatformChecks {
    /// Monitoring: teams named exist, SLIs have a source, Prometheus keeps every SLO window.
    public static func monitoring(_ spec: Spec, plan: Plan) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let m = spec.monitoring
        let teamNames = spec.security.teams.map(\.name)
        func unknownTeam(_ t: Located<String>, _ context: String) {
            guard spec.security.team(t.value) == nil else { return }
            var msg = "unknown team '\(t.value)' \(context) (teams come from security.teams)"
            if let hint = Suggest.closest(t.value, among: teamNames) { msg += "; did you mean '\(hint)'?" }
            out.append(.error(.unknownReference, msg, at: t.location))
        }
        if let t = m.platformTeam { unknownTeam(t, "in monitoring.platformTeam") }
        for a in m.alerts { unknownTeam(a.team, "in monitoring.alerts") }
        if m.stack == .kubePrometheusStack, m.namespace != "monitoring" {
            out.append(
                .error(
                    .invalidValue,
                    "monitoring.namespace '\(m.namespace)' needs stack: external; the kube-prometheus-stack add-on runs in 'monitoring'",
                    at: spec.root["monitoring"]?["namespace"]?.location))
        }
        for s in spec.services {
            if let mt = s.metrics, mt.port == nil {
                out.append(
                    .error(
                        .missingValue, "service '\(s.name)' has metrics but no port; set metrics.port or the service port", at: mt.location)
                )
            }
            for slo in s.slos {
                switch slo.source {
                case .metrics where s.metrics == nil:
                    out.append(
                        .error(
                            .missingValue,
                            "the \(slo.kind.rawValue) SLO of service '\(s.name)' reads the service's own metrics, but it has no metrics; add metrics: { port: ... } or use source: gateway",
                            at: slo.location))
                case .gateway where spec.network.ingress.api != .ingress:
                    out.append(
                        .error(
                            .invalidValue,
                            "the \(slo.kind.rawValue) SLO of service '\(s.name)' reads the gateway's metrics, which needs network.ingress.api: ingress (NGINX Gateway Fabric exports no per-route request metrics); use source: metrics",
                            at: slo.location))
                case .gateway where s.publicRoute == nil:
                    out.append(
                        .error(
                            .invalidValue,
                            "the \(slo.kind.rawValue) SLO of service '\(s.name)' reads the gateway's metrics, but the service is not public; use source: metrics",
                            at: slo.location))
                default: break
                }
                if slo.window > m.retention {
                    out.append(
                        .error(
                            .invalidValue,
                            "monitoring.retention \(m.retention.text) is shorter than the \(slo.window.text) window of the \(slo.kind.rawValue) SLO of service '\(s.name)'; Prometheus would forget part of the error budget",
                            at: m.retentionLocation ?? slo.location))
                }
            }
        }
        return out
    }
}
