/// Where each database's primary, replicas and clients are, and how each client reaches it.
///
/// One environment may run on several clusters (regions). For each database the primary
/// lives in one of them (`databases.<name>.topology.primary`, a region; default the region of
/// the environment's first cluster); the others get a read-only replica cluster
/// (`replicas: read`) or nothing (`replicas: none`). A service reaches:
/// - as a writer, the primary: through its pooler (`<db>-pooler-rw`) or `<db>-rw` where the
///   primary runs in the service's own cluster, else over the cross-cluster path
///   (`remoteClients: primary`): a Service `<db>-remote` in the client's namespace whose
///   EndpointSlice lists the planned addresses of an internal load balancer in front of the
///   primary; with `remoteClients: refuse` that is a check error;
/// - as a reader (`uses: database/<db>:read`), a local instance: `<db>-ro` next to a primary
///   with replicas, `<db>-r` otherwise (a replica cluster's instances), else the remote path.
///
/// Credentials come from the secret store when the platform has one: `<db>-owner` for
/// writers (the same secret bootstraps the database owner) and `<db>-reader` for readers (a
/// role with `pg_read_all_data`); without a store only writers next to the primary are
/// possible, with the operator's generated `<db>-app`.
extension Plan {
    /// How a service in a target reaches one database.
    public struct DatabaseEndpoint: Sendable, Equatable {
        /// Host name the service connects to (a Service name, namespace-qualified when the
        /// instance lives in another namespace of the same cluster).
        public var host: String
        /// The Secret (in the service's namespace) with the credentials.
        public var credentials: String
        /// True when the connection crosses clusters (the `<db>-remote` path).
        public var remote: Bool
        /// True when the connection only reads (a `:read` use, or a replica cluster's Service).
        public var readOnly: Bool
    }

    /// The cluster of `env` holding the primary of `d`.
    public func primaryCluster(of d: Database, in env: Environment) -> String? {
        if let pin = d.pinned { return pin.environment == env.name ? pin.cluster : nil }
        let clusters = env.clusters.map(\.value)
        if let region = d.topology.primary?.value,
            let c = clusters.first(where: { spec.cluster($0)?.region.value == region })
        {
            return c
        }
        return clusters.first
    }

    /// The environment whose namespace holds the instances `env` uses.
    func homeEnvironment(of d: Database, for env: Environment) -> Environment? {
        isShared(database: d, in: env) ? sharedHome(database: d) : env
    }

    /// The role a target plays for a database, or nil when it holds none of it.
    public func role(of d: Database, in t: Target) -> DatabaseRole? {
        let env = t.environment
        if isShared(database: d, in: env), sharedHome(database: d)?.name != env.name { return nil }
        guard let primary = primaryCluster(of: d, in: env) else { return nil }
        if t.cluster.name == primary { return .primary }
        return d.topology.replicas == .read ? .replica(of: primary) : nil
    }

    /// Whether database credentials come from the secret store (ExternalSecrets) rather than
    /// from the operator's generated secret.
    public var databaseCredentialsFromStore: Bool { spec.security.secrets != nil }

    /// PostgreSQL role that `:read` users log in as.
    public static func readerRole(_ d: Database) -> String {
        String(d.name.map { $0 == "-" ? "_" : $0 }) + "_reader"
    }

    /// Where a service using `d` in target `t` connects, or nil when nothing in the render
    /// can serve it (the checks report why: see `unreachable(_:)`).
    public func endpoint(_ d: Database, readOnly: Bool, from t: Target) -> DatabaseEndpoint? {
        guard let home = homeEnvironment(of: d, for: t.environment) else { return nil }
        let homeNS = Plan.namespace(spec: spec, environment: home.name)
        let qualify = { (service: String) in homeNS == t.namespace ? service : "\(service).\(homeNS).svc.cluster.local" }
        let fromStore = databaseCredentialsFromStore
        let credentials = readOnly ? "\(d.name)-reader" : (fromStore ? "\(d.name)-owner" : "\(d.name)-app")
        if readOnly || homeNS != t.namespace {
            guard fromStore else { return nil }
        }
        let local = targets.first { $0.environment.name == home.name && $0.cluster.name == t.cluster.name }
        let localRole = local.flatMap { role(of: d, in: $0) }
        switch (localRole, readOnly) {
        case (.primary?, false):
            let pooled = spec.scaling.connectionPooling && d.pooler != nil
            return DatabaseEndpoint(
                host: qualify(pooled ? "\(d.name)-pooler-rw" : "\(d.name)-rw"), credentials: credentials,
                remote: false, readOnly: false)
        case (.primary?, true):
            let replicas = local.map { databaseInstances(d, in: $0) > 1 } ?? false
            return DatabaseEndpoint(
                host: qualify(replicas ? "\(d.name)-ro" : "\(d.name)-r"), credentials: credentials,
                remote: false, readOnly: true)
        case (.replica?, true):
            return DatabaseEndpoint(host: qualify("\(d.name)-r"), credentials: credentials, remote: false, readOnly: true)
        default:
            guard d.topology.remoteClients == .primary, fromStore, remoteEndpoint(of: d, for: home) != nil else { return nil }
            return DatabaseEndpoint(host: "\(d.name)-remote", credentials: credentials, remote: true, readOnly: readOnly)
        }
    }

    /// Why `endpoint` has no answer, for the check's message.
    public func unreachable(_ d: Database, readOnly: Bool, from t: Target) -> String {
        guard let home = homeEnvironment(of: d, for: t.environment) else { return "no environment holds it" }
        let homeNS = Plan.namespace(spec: spec, environment: home.name)
        if !databaseCredentialsFromStore {
            if readOnly {
                return "read-only access needs read-only credentials, which berth delivers through the secret store; set security.secrets"
            }
            if homeNS != t.namespace {
                return
                    "the database lives in namespace \(homeNS), and its credentials reach another namespace only through the secret store; set security.secrets"
            }
        }
        let local = targets.first { $0.environment.name == home.name && $0.cluster.name == t.cluster.name }
        let primary = primaryCluster(of: d, in: home) ?? "?"
        let here =
            local == nil
            ? "cluster '\(t.cluster.name)' holds no instance of it"
            : "cluster '\(t.cluster.name)' holds no primary (it runs on '\(primary)')"
        if d.topology.remoteClients == .refuse {
            return
                "\(here); set databases.\(d.name).topology.remoteClients: primary to render the cross-cluster path to the primary, or run this service only where the primary is"
        }
        if !databaseCredentialsFromStore {
            return "\(here), and the cross-cluster path needs credentials from the secret store; set security.secrets"
        }
        return "\(here), and the primary's cluster '\(primary)' has no planned address for the cross-cluster path"
    }

    /// The cross-cluster endpoint of `d` for environment `env`: the primary's cluster and
    /// namespace, the clusters whose services connect through it, and the planned address
    /// keys (one per zone on aws, where a network load balancer takes one address per
    /// subnet; one elsewhere).
    public struct RemoteEndpoint: Sendable, Equatable {
        /// The database's name.
        public var database: String
        /// The environment whose primary this is.
        public var environment: String
        /// The cluster holding the primary.
        public var cluster: String
        /// The primary's namespace.
        public var namespace: String
        /// Clusters with clients of the remote path, sorted.
        public var clientClusters: [String]
        /// (IP plan key, zone) of each load-balancer address, in zone order.
        public var addresses: [(key: String, zone: String)]

        /// Equal when the database, place, client clusters and address keys are.
        public static func == (a: RemoteEndpoint, b: RemoteEndpoint) -> Bool {
            a.database == b.database && a.environment == b.environment && a.cluster == b.cluster && a.namespace == b.namespace
                && a.clientClusters == b.clientClusters && a.addresses.map(\.key) == b.addresses.map(\.key)
        }
    }

    /// The remote endpoint of `d` in its home environment `home`, when any service of an
    /// environment that uses this home connects from a cluster without a local answer.
    public func remoteEndpoint(of d: Database, for home: Environment) -> RemoteEndpoint? {
        remoteEndpoints.first { $0.database == d.name && $0.environment == home.name }
    }

    /// Every cross-cluster endpoint the platform needs. The IP planner reserves their
    /// addresses, so this works from the spec alone.
    public static func remoteEndpoints(spec: Spec, plan given: Plan? = nil) -> [RemoteEndpoint] {
        guard spec.databases.contains(where: { $0.topology.remoteClients == .primary }) else { return [] }
        let plan = given ?? Plan(spec: spec)
        var out: [RemoteEndpoint] = []
        for d in spec.databases where d.topology.remoteClients == .primary {
            for home in spec.environments {
                if plan.isShared(database: d, in: home), plan.sharedHome(database: d)?.name != home.name { continue }
                guard let primary = plan.primaryCluster(of: d, in: home), let c = spec.cluster(primary) else { continue }
                var clients: Set<String> = []
                for t in plan.targets where plan.homeEnvironment(of: d, for: t.environment)?.name == home.name {
                    let local = plan.targets.first { $0.environment.name == home.name && $0.cluster.name == t.cluster.name }
                    let role = local.flatMap { plan.role(of: d, in: $0) }
                    for p in t.placements {
                        for u in p.service.uses where u.kind == .database && u.name == d.name {
                            switch (role, u.readOnly) {
                            case (.primary?, _), (.replica?, true): break
                            default: clients.insert(t.cluster.name)
                            }
                        }
                    }
                }
                guard !clients.isEmpty else { continue }
                let zones = c.zones.map(\.value)
                let used = spec.provider.name == .aws ? zones : Array(zones.prefix(1))
                out.append(
                    RemoteEndpoint(
                        database: d.name, environment: home.name, cluster: primary,
                        namespace: Plan.namespace(spec: spec, environment: home.name),
                        clientClusters: clients.sorted(),
                        addresses: used.map { (key: "database/\(d.name)/\(home.name)/\($0)", zone: $0) }))
            }
        }
        return out
    }

    // MARK: regions and keys

    /// The region of a cluster.
    public func region(ofCluster name: String) -> String? { spec.cluster(name)?.region.value }

    /// The region that stores an environment's buckets and backups: its first cluster's.
    public func dataRegion(of env: Environment) -> String? {
        env.clusters.first.flatMap { region(ofCluster: $0.value) }
    }

    /// The encryption key of a region (empty: none named).
    public func kmsKey(region: String?) -> String {
        region.flatMap { spec.provider.region($0)?.kmsKey } ?? ""
    }
}
