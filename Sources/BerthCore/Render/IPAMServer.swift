/// The IP ledger's team server (`ipam.server`). Its objects are those of any service (the
/// spec holds it as the pinned service `berth-ipam` using the pinned database
/// `berth-ipam-ledger`), with three differences made here: the container runs
/// `berth serve` on the ledger, the password reaches it as `PGPASSWORD` from the ledger's
/// credentials Secret (never in the output), and Prometheus scrapes `/metrics` with a
/// read-scope token from the Secret `berth-ipam-metrics-token`.
extension Renderer {
    /// `command`, `args` and the extra `env` of the team server's container; nil for any other
    /// service, or when the ledger has no endpoint (the checks refuse that).
    func ipamServerProcess(_ p: Placement, _ t: Target) -> (command: JSONValue, args: JSONValue, env: [JSONValue])? {
        guard p.service.isIPAMServer, let port = p.service.port, let d = spec.database(IPAMServer.ledgerName),
            let ep = plan.endpoint(d, readOnly: false, from: t)
        else { return nil }
        // libpq reads the password from PGPASSWORD; the URL names the owner CloudNativePG
        // bootstraps (`app`, database `app`) and asks for TLS, which every instance serves.
        let store = "postgres://app@\(ep.host):5432/app?sslmode=require"
        return (
            ["berth"],
            ["serve", "--store", .string(store), "--listen", .string("0.0.0.0:\(port)")],
            [["name": "PGPASSWORD", "valueFrom": ["secretKeyRef": ["name": .string(ep.credentials), "key": "password"]]]]
        )
    }

    /// The scrape credentials of the team server's ServiceMonitor (`/metrics` needs a token
    /// with the read scope).
    func ipamMetricsAuthorization(_ p: Placement) -> JSONValue? {
        guard p.service.isIPAMServer else { return nil }
        return ["type": "Bearer", "credentials": ["name": .string(IPAMServer.metricsTokenSecret), "key": "token"]]
    }

    /// The read-scope token Prometheus scrapes the team server with, from the secret store at
    /// `<platform>/<environment>/berth-ipam/metrics-token` (property `token`). Without a store
    /// the Secret is created by hand (`berth check` warns).
    func ipamMetricsToken(_ p: Placement, _ t: Target) -> [JSONValue] {
        guard p.service.isIPAMServer, p.service.metrics != nil, let store = spec.security.secrets else { return [] }
        return [
            [
                "apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret",
                "metadata": meta(
                    IPAMServer.metricsTokenSecret, t.namespace, labels: labels(p, t, withVersion: false),
                    annotations: ["berth.dev/rotate-every": .string(store.rotateEvery.text)]),
                "spec": [
                    "refreshInterval": .string(store.rotateEvery.seconds <= 3600 ? "5m" : "1h"),
                    "secretStoreRef": ["kind": "ClusterSecretStore", "name": .string(store.store)],
                    "target": ["name": .string(IPAMServer.metricsTokenSecret), "creationPolicy": "Owner"],
                    "data": [
                        [
                            "secretKey": "token",
                            "remoteRef": [
                                "key": .string(secretKey(spec.platform, t.environment.name, IPAMServer.serviceName, "metrics-token")),
                                "property": "token",
                            ],
                        ]
                    ],
                ],
            ]
        ]
    }
}
