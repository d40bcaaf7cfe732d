import BerthNet

/// Rules that keep the rendered platform whole: every database client has an endpoint and
/// credentials in its own cluster, data stays in the declared regions, every region that
/// encrypts with a customer key names its own, and backup credentials have a source.
extension PlatformChecks {
    /// Database endpoints and credentials, data residency, per-region keys and backup credentials of `spec`.
    public static func topology(_ spec: Spec, plan: Plan) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let regions = Set(spec.provider.regions.map(\.name))
        for r in spec.provider.dataResidency where !regions.contains(r.value) {
            out.append(
                .error(
                    .unknownReference, "provider.dataResidency names region '\(r.value)', which is not in provider.regions", at: r.location)
            )
        }
        let residency = Set(spec.provider.dataResidency.map(\.value))
        for d in spec.databases { out += databaseTopology(d, spec, plan: plan, regions: regions, residency: residency) }
        out += bucketResidency(spec, plan: plan)
        out += databaseEndpoints(spec, plan: plan)
        out += regionalKeys(spec)
        out += backupCredentials(spec, plan: plan)
        out += cephMonitors(spec, plan: plan)
        return out
    }

    /// With Ceph RBD volumes, the monitors ceph-csi connects to: at least one, each `host:port`.
    static func cephMonitors(_ spec: Spec, plan: Plan) -> [Diagnostic] {
        guard plan.csiDriver == Renderer.cephDriver, !spec.storage.classes.isEmpty else { return [] }
        let hardware = spec.root["provider"]?["hardware"]
        let monitors = hardware?["cephMonitors"]?.list ?? []
        guard !monitors.isEmpty else {
            return [
                .error(
                    .cephMonitors,
                    "provider.hardware.storage is ceph-rbd, but provider.hardware.cephMonitors is empty: ceph-csi needs the Ceph monitors (host:port, e.g. 10.20.0.11:6789) to provision and mount volumes",
                    at: hardware?["storage"]?.location ?? hardware?.location)
            ]
        }
        return monitors.compactMap { m in
            let text = m.string ?? ""
            guard let why = monitorProblem(text) else { return nil }
            return .error(
                .cephMonitors, "Ceph monitor '\(text)' \(why); write host:port, e.g. 10.20.0.11:6789 or [fd00::11]:6789", at: m.location)
        }
    }

    /// Why `text` is not a Ceph monitor address (`host:port`, `[IPv6]:port`), or nil.
    static func monitorProblem(_ text: String) -> String? {
        let host: Substring
        let port: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[close...].hasPrefix("]:") else {
                return "has no port after the bracketed address"
            }
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
            guard (try? IPv6Address(String(host))) != nil else { return "is not an IPv6 address in brackets" }
        } else {
            guard let colon = text.lastIndex(of: ":") else { return "has no port" }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
            if host.contains(":") { return "is an IPv6 address without brackets" }
            if (try? IPv4Address(String(host))) == nil, host.allSatisfy({ $0.isASCIIDigit || $0 == "." }) {
                return "is not an IPv4 address"
            }
            if (try? IPv4Address(String(host))) == nil, Names.hostnameProblem(String(host)) != nil {
                return "is not a host name or address"
            }
        }
        guard let p = Int(port), (1...65_535).contains(p), port.allSatisfy(\.isASCIIDigit) else { return "has no port from 1 to 65535" }
        return nil
    }

    /// A database's name, its primary region, the residency of its clusters, its replicas'
    /// archive, and where its primary runs in each environment.
    private static func databaseTopology(
        _ d: Database, _ spec: Spec, plan: Plan, regions: Set<String>, residency: Set<String>
    ) -> [Diagnostic] {
        var out: [Diagnostic] = []
        if spec.hasService(d.name) {
            out.append(
                .error(
                    .nameClash,
                    "database '\(d.name)' has the name of a service: CloudNativePG names the database's ServiceAccount after it, which would take over the service's own; rename the database or the service",
                    at: d.location))
        }
        if let p = d.topology.primary, !regions.contains(p.value) {
            out.append(
                .error(
                    .unknownReference,
                    "database '\(d.name)' topology.primary names region '\(p.value)', which is not in provider.regions", at: p.location)
            )
        }
        var reported: Set<String> = []
        for t in plan.targets {
            guard let role = plan.role(of: d, in: t), let region = plan.region(ofCluster: t.cluster.name) else { continue }
            if !residency.isEmpty, !residency.contains(region), reported.insert(t.cluster.name).inserted {
                let what = role == .primary ? "its primary" : "a replica"
                out.append(
                    .error(
                        .dataResidency,
                        "database '\(d.name)' keeps \(what) on cluster '\(t.cluster.name)' in region '\(region)', outside provider.dataResidency (\(spec.provider.dataResidency.map(\.value).joined(separator: ", "))); set topology.replicas: none or move the cluster",
                        at: d.topology.location))
            }
            if case .replica = role, d.backup == nil, reported.insert("backup/\(t.environment.name)").inserted {
                out.append(
                    .error(
                        .replicaWithoutArchive,
                        "database '\(d.name)' gets a replica cluster on '\(t.cluster.name)' (environment '\(t.environment.name)'), which follows the primary's WAL archive, but it has no backup; add databases.\(d.name).backup or set topology.replicas: none",
                        at: d.topology.location))
            }
        }
        if let p = d.topology.primary {
            for env in spec.environments where !env.clusters.isEmpty {
                let inRegion = env.clusters.contains { plan.region(ofCluster: $0.value) == p.value }
                let used = spec.services.contains { $0.uses.contains { $0.kind == .database && $0.name == d.name } }
                if !inRegion, used, plan.homeEnvironment(of: d, for: env)?.name == env.name {
                    out.append(
                        .warning(
                            .databaseTopology,
                            "database '\(d.name)' wants its primary in region '\(p.value)', but environment '\(env.name)' has no cluster there; its primary runs on '\(env.clusters[0].value)'",
                            at: p.location))
                }
            }
        }
        return out
    }

    /// Buckets and backups are stored in each environment's data region.
    private static func bucketResidency(_ spec: Spec, plan: Plan) -> [Diagnostic] {
        let residency = Set(spec.provider.dataResidency.map(\.value))
        guard !residency.isEmpty, !spec.buckets.isEmpty else { return [] }
        return spec.environments.compactMap { env in
            guard let region = plan.dataRegion(of: env), !residency.contains(region) else { return nil }
            return .error(
                .dataResidency,
                "environment '\(env.name)' stores its buckets and backups in region '\(region)' (its first cluster's), outside provider.dataResidency",
                at: env.location)
        }
    }

    /// Every database use has an endpoint in the service's own cluster.
    private static func databaseEndpoints(_ spec: Spec, plan: Plan) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var seen: Set<String> = []
        for t in plan.targets {
            for p in t.placements {
                for u in p.service.uses where u.kind == .database {
                    guard let d = spec.database(u.name), plan.endpoint(d, readOnly: u.readOnly, from: t) == nil else { continue }
                    guard seen.insert("\(p.service.name)/\(u.name)/\(t.cluster.name)/\(t.environment.name)").inserted else { continue }
                    out.append(
                        .error(
                            .databaseUnreachable,
                            "service '\(p.service.name)' uses database '\(d.name)'\(u.readOnly ? " (read-only)" : "") in environment '\(t.environment.name)' on cluster '\(t.cluster.name)', but \(plan.unreachable(d, readOnly: u.readOnly, from: t))",
                            at: u.location))
                }
            }
        }
        return out
    }

    /// Keys are regional: once one region names a customer key, each region that stores
    /// encrypted data names its own (with none named, the provider's default keys apply and
    /// `berth audit` reports BERTH-ENC-004).
    private static func regionalKeys(_ spec: Spec) -> [Diagnostic] {
        let keyed = spec.provider.regions.contains { !$0.kmsKey.isEmpty }
        guard spec.security.encryptionAtRest == "kms", spec.provider.name != .onprem, keyed else { return [] }
        let used = Set(spec.clusters.map(\.region.value))
        return spec.provider.regions.compactMap { r in
            guard used.contains(r.name) else { return nil }
            if r.kmsKey.isEmpty {
                return .error(
                    .missingKey,
                    "security.encryption.atRest is kms, but region '\(r.name)' has clusters and no key; set provider.regions.\(r.name).kmsKey (keys are regional: each region needs its own)",
                    at: r.location)
            }
            guard spec.provider.name == .aws, r.kmsKey.hasPrefix("arn:"),
                let keyRegion = r.kmsKey.split(separator: ":", omittingEmptySubsequences: false).dropFirst(3).first,
                String(keyRegion) != r.name
            else { return nil }
            return .error(
                .missingKey,
                "region '\(r.name)' names key '\(r.kmsKey)' from region '\(keyRegion)'; KMS keys are regional, so volumes in '\(r.name)' cannot use it",
                at: r.location)
        }
    }

    /// The on-premises backup credentials come from the store (services' own secrets are
    /// checked with the references).
    private static func backupCredentials(_ spec: Spec, plan: Plan) -> [Diagnostic] {
        guard spec.security.secrets == nil, spec.provider.name == .onprem else { return [] }
        var out: [Diagnostic] = []
        for d in spec.databases where d.backup != nil {
            out.append(
                .error(
                    .noSecretStore,
                    "database '\(d.name)' backs up to on-premises object storage with credentials from the secret store, but security.secrets is not set; set security.secrets.store",
                    at: d.location))
        }
        if spec.storage.snapshots != nil, !spec.storage.classes.isEmpty, let snapshots = spec.storage.snapshotsLocation {
            out.append(
                .error(
                    .noSecretStore,
                    "Velero writes volume backups to on-premises object storage with credentials from the secret store, but security.secrets is not set; set security.secrets.store",
                    at: snapshots))
        }
        // Longhorn's encrypted volumes read their passphrase from a Secret that berth fills
        // from the store (it never writes the passphrase).
        if plan.csiDriver == "driver.longhorn.io", spec.security.encryptionAtRest != "none", !spec.storage.classes.isEmpty {
            let atRest = spec.root["security"]?["encryption"]?["atRest"]
            let at = atRest?.explicit == true ? atRest?.location : spec.root["storage"]?["classes"]?.location
            out.append(
                .error(
                    .noSecretStore,
                    "Longhorn encrypts volumes (security.encryption.atRest: \(spec.security.encryptionAtRest)) with the passphrase in Secret longhorn-system/longhorn-crypto, which berth fills from the secret store, but security.secrets is not set; set security.secrets.store (entry <platform>/longhorn/<cluster>, property passphrase) or security.encryption.atRest: none",
                    at: at))
        }
        // ceph-csi provisions and mounts with the Ceph client key, which berth fills from the store.
        if plan.csiDriver == Renderer.cephDriver, !spec.storage.classes.isEmpty {
            out.append(
                .error(
                    .noSecretStore,
                    "Ceph RBD volumes are provisioned and mounted with the Ceph client key in Secret ceph-csi-rbd/csi-rbd-secret, which berth fills from the secret store, but security.secrets is not set; set security.secrets.store (entry <platform>/ceph-rbd/<cluster>, properties userID, userKey and, with encryption at rest, encryptionPassphrase)",
                    at: spec.root["provider"]?["hardware"]?["storage"]?.location ?? spec.root["storage"]?["classes"]?.location))
        }
        return out
    }
}
