extension Decoder {
    /// `infrastructure`: the engine, the clusters' endpoint and the credentials Secret's name.
    mutating func infrastructure(_ r: SpecNode, into spec: inout Spec) {
        guard let n = r["infrastructure"] else { return }
        let credentials = located(n, "credentials")?.value ?? "\(spec.provider.name.rawValue)-credentials"
        func map(_ key: String) -> [String: String] {
            Dictionary((n[key]?.entries ?? []).map { ($0.key, $0.node.string ?? "") }, uniquingKeysWith: { a, _ in a })
        }
        spec.infrastructure = Infrastructure(
            engine: str(n, "engine"), endpoint: located(n, "endpoint")?.value ?? "public", credentials: credentials,
            tenant: str(n, "tenant"), principals: map("principals"), issuers: map("issuers"), keyVersions: map("keyVersions"),
            location: n.location)
    }

    /// `ipam.server`: the team server and its ledger become one service and one database,
    /// both pinned to the server's environment and cluster, so the traffic graph, the checks,
    /// the render, the Argo CD layout and the documents treat them like any other.
    ///
    /// - The service `berth-ipam` runs the image on `port`, is public at `hostname` (TLS),
    ///   writes to the database `berth-ipam-ledger` (`uses`) and, when `monitoring:` is
    ///   written, exports `/metrics` on its port.
    /// - The database has `ledger.instances` instances of `ledger.size` and is backed up like
    ///   the first database of the spec that has a backup (same schedule, retention and bucket).
    ///
    /// A service or database already named `berth-ipam` / `berth-ipam-ledger` is an error.
    mutating func ipam(_ r: SpecNode, into spec: inout Spec) {
        guard let n = r["ipam"]?["server"] else { return }
        let cluster = located(n, "cluster") ?? Located("", n.location)
        let environment = located(n, "environment") ?? Located("", n.location)
        let env = spec.environment(environment.value)
        let hostname = located(n, "hostname") ?? Located("ipam.\(env?.domain ?? "")", n.location)
        let image = located(n, "image") ?? Located("ghcr.io/berth-dev/berth:\(Pipeline.version)", n.location)
        let port = int(n, "port") ?? 8080
        let replicas = int(n, "replicas") ?? 2
        let server = IPAMServer(
            cluster: cluster, environment: environment, replicas: replicas, hostname: hostname,
            image: image, port: port, location: n.location)
        spec.ipamServer = server
        let pin = Pin(environment: environment.value, cluster: cluster.value)

        // The service and the database it renders keep their names.
        var clash = false
        for (section, kind, name) in [("services", "service", IPAMServer.serviceName), ("databases", "database", IPAMServer.ledgerName)] {
            guard let taken = (r[section]?.entries ?? []).first(where: { $0.key == name }) else { continue }
            diags.append(.error(.nameTaken, "ipam.server renders the \(kind) '\(name)'; rename \(section).\(name)", at: taken.keyLocation))
            clash = true
        }
        guard !clash else { return }

        // The route: `<host>.<domain>`, or the domain itself (apex). A name outside the domain
        // is reported by `PlatformChecks.ipamServer`.
        let domain = env?.domain ?? ""
        let apex = hostname.value == domain
        let host = hostname.value.hasSuffix(".\(domain)") ? String(hostname.value.dropLast(domain.count + 1)) : hostname.value
        let route = PublicRoute(host: apex ? "" : host, paths: ["/"], tls: true, apex: apex, location: hostname.location)

        var service = Service(
            name: IPAMServer.serviceName, image: image, port: port, proto: "http", publicRoute: route,
            replicas: Replicas(min: replicas, max: replicas, cpu: 80),
            replicasLocation: n["replicas"]?.location ?? n.location,
            resources: resources(n["resources"]),
            health: Health(live: "/healthz", ready: "/readyz", port: nil, command: []),
            talksTo: [], uses: [Use(kind: .database, name: IPAMServer.ledgerName, readOnly: false, location: n.location)],
            badUses: [], secrets: [], env: [], nodePool: nil, volumes: [], team: spec.monitoring.platformTeam?.value ?? "",
            overrides: [], location: n.location)
        service.pinned = pin
        service.isIPAMServer = true
        if spec.monitoringDeclared {
            service.metrics = ServiceMetrics(port: port, path: "/metrics", location: n.location)
        }
        spec.services.append(service)

        let l = n["ledger"]
        let size = quantity(l, "size") ?? Quantity(milli: Int64(10 << 30) * 1000, text: "10Gi")
        let wal = Swift.max(Int64(1) << 30, size.units / 4)
        // Backed up like the platform's other databases: the first one with a backup.
        var backup = spec.databases.first { $0.backup != nil }?.backup
        backup?.location = l?.location ?? n.location
        var ledger = Database(
            name: IPAMServer.ledgerName, version: "16", instances: int(l, "instances") ?? 2,
            instancesLocation: l?["instances"]?.location ?? n.location,
            size: size, storageClass: located(l, "class"), walSize: Quantity(milli: wal * 1000, text: Quantity.bytesText(wal)),
            memory: quantity(l, "memory") ?? Quantity(milli: Int64(1 << 30) * 1000, text: "1Gi"),
            cpu: quantity(l, "cpu") ?? Quantity(milli: 500, text: "500m"),
            backup: backup, pooler: nil, maxConnections: 100, shared: false,
            topology: Database.Topology(primary: nil, replicas: .none, remoteClients: .refuse, location: n.location),
            rpo: nil, location: n.location)
        ledger.pinned = pin
        spec.databases.append(ledger)
    }
}
