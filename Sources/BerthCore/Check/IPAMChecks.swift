extension PlatformChecks {
    /// `ipam.server`: its cluster and environment exist and belong together, its host name
    /// lies in the environment's domain, and its scrape token has a way in.
    ///
    /// Everything else about it (image pinning and registry, production replicas, the
    /// ledger's storage class and backups, host collisions with services) is checked where
    /// the same rule is checked for every service and database.
    public static func ipamServer(_ spec: Spec) -> [Diagnostic] {
        guard let server = spec.ipamServer else { return [] }
        var out: [Diagnostic] = []
        func unknown(_ what: String, _ ref: Located<String>, _ known: [String]) {
            var msg = "unknown \(what) '\(ref.value)' in ipam.server"
            if let hint = Suggest.closest(ref.value, among: known) {
                msg += "; did you mean '\(hint)'?"
            } else {
                msg += "; known: " + known.sorted().joined(separator: ", ")
            }
            out.append(.error(.unknownReference, msg, at: ref.location))
        }
        let cluster = spec.cluster(server.cluster.value)
        if cluster == nil { unknown("cluster", server.cluster, spec.clusters.map(\.name)) }
        guard let env = spec.environment(server.environment.value) else {
            unknown("environment", server.environment, spec.environments.map(\.name))
            return out
        }
        if cluster != nil, !env.clusters.contains(where: { $0.value == server.cluster.value }) {
            out.append(
                .error(
                    .ipamServerCluster,
                    "ipam.server runs on cluster '\(server.cluster.value)', which is not a cluster of environment '\(env.name)' (its clusters: \(env.clusters.map(\.value).joined(separator: ", ")))",
                    at: server.cluster.location))
        }
        let host = server.hostname.value
        if host != env.domain, !host.hasSuffix(".\(env.domain)") {
            out.append(
                .error(
                    .ipamServerHostname,
                    "ipam.server.hostname '\(host)' is outside the domain '\(env.domain)' of environment '\(env.name)'; use the domain or a name under it (e.g. ipam.\(env.domain))",
                    at: server.hostname.location))
        }
        if spec.monitoringDeclared, spec.security.secrets == nil {
            out.append(
                .warning(
                    .ipamServerMetricsToken,
                    "the team server's /metrics needs a read-scope token, and without security.secrets berth cannot deliver it; create the Secret '\(IPAMServer.metricsTokenSecret)' (key 'token') in namespace '\(Plan.namespace(spec: spec, environment: env.name))' from `berth ip token create --scope read`",
                    at: server.location))
        }
        return out
    }
}
