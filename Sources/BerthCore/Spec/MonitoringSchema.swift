/// The monitoring keys of the spec format: `monitoring:` and a service's `metrics:` and `slos:`.
extension SpecSchema {
    /// A service's `metrics`: the port and path Prometheus scrapes.
    public static let metrics = ObjectSchema(
        "metrics", "Where Prometheus scrapes the service.",
        [
            Field(
                "port", .port(),
                "Container port serving the metrics (named `metrics` in the Service when it differs from the service port).",
                defaultNote: "the service port"),
            Field("path", .path, "HTTP path of the metrics.", default: s("/metrics")),
        ])

    /// An entry of a service's `slos`: target, window, SLI source and latency threshold.
    public static let sloObjective = ObjectSchema(
        "objective", "One objective: the share of good events over a rolling window.",
        [
            Field("target", .string, "Share of good events in percent, e.g. `99.9` (from 50 to 99.999).", required: true),
            Field("window", .duration, "Rolling window the target and the error budget are counted over.", default: s("30d")),
            Field(
                "source", .oneOf(["metrics", "gateway"]),
                "Where the SLI comes from: `metrics`, the service's own `http_requests_total` and `http_request_duration_seconds` (code and le labels); `gateway`, the ingress controller's `nginx_ingress_controller_requests` and `nginx_ingress_controller_request_duration_seconds` for the service's Ingress (needs `network.ingress.api: ingress` and a public service).",
                default: s("metrics")),
            Field(
                "threshold", .int(min: 1, max: 600_000),
                "latency only: a request is good when it completes within this many milliseconds; must be a bucket boundary of the histogram.",
                default: i(300)),
        ])

    /// A service's `slos`: its availability and latency objectives.
    public static let slos = ObjectSchema(
        "slos", "Availability and latency objectives.",
        [
            Field("availability", .object(sloObjective), "Share of requests that do not fail with a 5xx status.", optionalObject: true),
            Field("latency", .object(sloObjective), "Share of requests faster than `threshold`.", optionalObject: true),
        ])

    /// An Alertmanager receiver: kind, Secret and key of its credential, Slack channel.
    public static let alertChannel = ObjectSchema(
        "alert channel",
        "One receiver. Its credential stays in a Secret of the monitoring namespace, mounted into Alertmanager; berth names it, never writes it.",
        [
            Field("type", .oneOf(AlertChannel.Kind.allCases.map(\.rawValue)), "Receiver kind.", required: true),
            Field(
                "secret", .name,
                "Secret (in the monitoring namespace) whose key holds the Slack webhook URL, the PagerDuty routing key or the Opsgenie API key.",
                required: true),
            Field("key", .name, "Key of the Secret.", default: s("token")),
            .emptyByDefault("channel", .string, "slack: the channel, e.g. `#payments-alerts`."),
        ])

    /// An entry of `monitoring.alerts`: a team's page and ticket receivers.
    public static let alertRoute = ObjectSchema(
        "alert route", "Where one team's alerts go, by severity.",
        [
            Field("page", .object(alertChannel), "Receiver of `severity: page` alerts (fast burn, platform outages).", required: true),
            Field(
                "ticket", .object(alertChannel), "Receiver of `severity: ticket` alerts (slow burn, capacity).",
                defaultNote: "the page receiver", optionalObject: true),
        ])

    /// `monitoring`: the Prometheus stack, namespace, selector, retention, platform team and alert routes.
    public static let monitoring = ObjectSchema(
        "monitoring", "Prometheus, the alert rules and where alerts go.",
        [
            Field(
                "stack", .oneOf(["kube-prometheus-stack", "external"]),
                "`kube-prometheus-stack`: the add-ons install it in `namespace`; `external`: an existing Prometheus in `namespace` selects berth's monitors and rules by `selector`.",
                default: s("kube-prometheus-stack")),
            Field(
                "namespace", .name, "Namespace Prometheus runs in; NetworkPolicies admit scrapes from it to exactly the metrics ports.",
                default: s("monitoring")),
            Field(
                "selector", .freeMap(key: .labelKey, value: .string),
                "Labels put on every ServiceMonitor, PodMonitor and PrometheusRule so the Prometheus selects them (`external`: its `serviceMonitorSelector` and `ruleSelector`), including the monitors the add-on charts make.",
                default: .map([])),
            Field("retention", .duration, "How long Prometheus keeps samples; must cover the longest SLO window.", default: s("30d")),
            .emptyByDefault(
                "platformTeam", .name,
                "Team (a key of `security.teams`) that owns the platform alerts (certificates, backups, volumes, quotas, the IP pools of the team server) and the cluster alerts (node pools at their maximum)."
            ),
            Field(
                "alerts", .map(.object(alertRoute)),
                "Receivers by team (keys of `security.teams`); a team without an entry falls through to the platform team's, else to a receiver that drops the alert.",
                default: .map([])),
        ])
}
