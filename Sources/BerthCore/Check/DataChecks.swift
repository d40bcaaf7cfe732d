/// Rules about storage, databases, buckets and backups.
///
/// Broken artifacts are errors (a backup bucket without lifecycle or encryption, expiry before
/// retention, a missing account). Resilience and compliance judgments (production database
/// topology, backup retention against a regime) are warnings here and high findings in
/// `berth audit`, which is where CI gates on them.
extension PlatformChecks {
    /// Storage, database, bucket and backup rules of `spec` (its plan is computed unless given).
    public static func data(_ spec: Spec, plan given: Plan? = nil) -> [Diagnostic] {
        var out = accountChecks(spec)
        let required = spec.security.requiredBackupRetention
        for d in spec.databases {
            out += databaseBackup(d, spec, required: required)
            out += databaseResilience(d, spec)
            if let late = recoveryPoint(d, spec) { out.append(late) }
        }
        for s in spec.services {
            for v in s.volumes where spec.storage.classes.isEmpty && v.storageClass == nil {
                out.append(
                    .warning(
                        .noStorageClass,
                        "service '\(s.name)' has volume '\(v.name)' but storage.classes is empty; the cluster's default class will be used",
                        at: s.location))
            }
        }
        // Shared instances are reachable only inside one cluster.
        let plan = given ?? Plan(spec: spec)
        out += sharedDatabases(spec, plan: plan)
        return out
    }

    /// On AWS, bucket policies and workload roles need a valid account id.
    private static func accountChecks(_ spec: Spec) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let usesObjectStorage =
            spec.services.contains { $0.uses.contains { $0.kind == .bucket } } || spec.databases.contains { $0.backup != nil }
        if spec.provider.name == .aws, spec.provider.account.isEmpty, usesObjectStorage {
            out.append(
                .error(
                    .noAccount,
                    "provider.account is not set, but bucket policies and workload roles name the AWS account; set provider.account to the 12-digit account id",
                    at: spec.provider.location))
        }
        if spec.provider.name == .aws, !spec.provider.account.isEmpty,
            !(spec.provider.account.count == 12 && spec.provider.account.allSatisfy(\.isASCIIDigit))
        {
            out.append(
                .error(
                    .invalidValue, "provider.account '\(spec.provider.account)' is not a 12-digit AWS account id",
                    at: spec.provider.location))
        }
        return out
    }

    /// A backed-up database's bucket (lifecycle, encryption, no public reads, expiry) and
    /// retention; a database without backup.
    private static func databaseBackup(_ d: Database, _ spec: Spec, required: (SpecDuration, String)?) -> [Diagnostic] {
        var out: [Diagnostic] = []
        if let b = d.backup, let bucket = spec.bucket(b.bucket.value) {
            if bucket.lifecycle.isEmpty {
                out.append(
                    .error(
                        .backupBucket,
                        "bucket '\(bucket.name)' holds backups of database '\(d.name)' but has no lifecycle; add a lifecycle rule (e.g. move to archive after 90d)",
                        at: bucket.location))
            }
            if bucket.encryption == "none" {
                out.append(
                    .error(
                        .backupBucket,
                        "bucket '\(bucket.name)' holds backups of database '\(d.name)' but is not encrypted; set encryption: kms",
                        at: bucket.location))
            }
            if bucket.isPublic {
                out.append(
                    .error(
                        .backupBucket, "bucket '\(bucket.name)' holds backups of database '\(d.name)' and allows public reads",
                        at: bucket.location))
            }
            if let (minimum, source) = required, b.retention < minimum {
                out.append(
                    .warning(
                        .backupRetention,
                        "database '\(d.name)' keeps backups \(b.retention) but \(source) requires at least \(minimum)", at: b.location))
            }
            if let expiry = bucket.lifecycle.filter(\.expire).map(\.after).min(), expiry < b.retention {
                out.append(
                    .error(
                        .backupRetention,
                        "bucket '\(bucket.name)' expires objects after \(expiry), before database '\(d.name)' backups reach their retention of \(b.retention)",
                        at: bucket.location))
            }
        } else if d.backup == nil {
            let prod = spec.environments.contains { $0.tier == .production }
            if prod {
                out.append(
                    .warning(
                        .noBackup, "database '\(d.name)' has no backup; its recovery point in production is the last lost write",
                        at: d.location))
            }
            if let (_, source) = required {
                out.append(
                    .warning(.backupRetention, "database '\(d.name)' has no backup, but \(source) requires backups", at: d.location))
            }
        }
        return out
    }

    /// A database's instances across zones in production.
    private static func databaseResilience(_ d: Database, _ spec: Spec) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for env in spec.environments where env.tier == .production {
            let zones = env.clusters.compactMap { spec.cluster($0.value)?.zones.count }.min() ?? 0
            if d.instances < 2 {
                out.append(
                    .warning(
                        .productionDatabase,
                        "database '\(d.name)' runs \(d.instances) instance in production environment '\(env.name)'; production needs 2 or more across 2 or more zones",
                        at: d.instancesLocation))
            } else if zones < 2 {
                out.append(
                    .warning(
                        .productionDatabase,
                        "database '\(d.name)' runs in production environment '\(env.name)' on a cluster with \(zones) zone; production needs instances across 2 or more zones",
                        at: d.instancesLocation))
            }
        }
        return out
    }

    /// A database's recovery point when it is worse than its target `rpo`.
    private static func recoveryPoint(_ d: Database, _ spec: Spec) -> Diagnostic? {
        guard let target = d.rpo, let rpo = Recovery.database(d, spec: spec).rpoSeconds, rpo > target.seconds else { return nil }
        return .warning(
            .rpo, "database '\(d.name)' has a recovery point of \(Recovery.text(seconds: rpo)), worse than its target rpo \(target)",
            at: d.location)
    }

    /// Shared instances are reachable only inside one cluster.
    private static func sharedDatabases(_ spec: Spec, plan: Plan) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for d in spec.databases {
            guard let home = plan.sharedHome(database: d), let homeCluster = home.clusters.first?.value else { continue }
            for env in spec.environments where plan.isShared(database: d, in: env) {
                for c in env.clusters where c.value != homeCluster {
                    let using = spec.services.contains { $0.uses.contains { $0.kind == .database && $0.name == d.name } }
                    if using {
                        out.append(
                            .error(
                                .sharedDatabase,
                                "database '\(d.name)' is shared and lives on cluster '\(homeCluster)' (environment '\(home.name)'), but environment '\(env.name)' also runs on cluster '\(c.value)'; share it only between environments on one cluster",
                                at: d.location))
                    }
                }
            }
        }
        return out
    }

    /// Storage sizes must never shrink from one spec to the next (a PVC cannot shrink).
    public static func storageShrink(old: Spec, new: Spec) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for d in new.databases {
            guard let before = old.database(d.name) else { continue }
            if d.size < before.size {
                out.append(
                    .error(
                        .storageShrink,
                        "database '\(d.name)' storage shrinks from \(before.size) to \(d.size); volumes can grow but never shrink",
                        at: d.location))
            }
            if d.size >= before.size, d.walSize < before.walSize {
                out.append(
                    .error(
                        .storageShrink,
                        "database '\(d.name)' WAL storage shrinks from \(before.walSize) to \(d.walSize); volumes can grow but never shrink",
                        at: d.location))
            }
        }
        for s in new.services {
            guard let before = old.service(s.name) else { continue }
            for v in s.volumes {
                if let b = before.volumes.first(where: { $0.name == v.name }), v.size < b.size {
                    out.append(
                        .error(
                            .storageShrink,
                            "volume '\(v.name)' of service '\(s.name)' shrinks from \(b.size) to \(v.size); volumes can grow but never shrink",
                            at: s.location))
                }
            }
        }
        return out
    }
}
