/// Recovery point and recovery time objectives computed from schedules, retention and replication.
///
/// The model, stated so it can be checked:
/// - A database with backups archives WAL continuously with `archive_timeout` 5 min, so at most
///   5 min of writes are lost when every instance is lost (RPO 5 min). Without backups nothing
///   outside the cluster survives: the RPO is unbounded.
/// - Restoring from the object store (RTO) = 10 min to provision + the base backup at 100 MiB/s
///   + replaying WAL of up to one base-backup interval at 10x real time. A replica cluster in
///   another Kubernetes cluster of the environment is promoted instead: RTO 5 min.
/// - A bucket with versioning recovers overwritten or deleted objects while non-current versions
///   are kept (RPO 0 for those); without versioning a deleted object is gone.
/// - Volumes are snapshotted on `storage.snapshots.schedule`: RPO one interval, RTO 15 min.
public enum Recovery {
    /// WAL `archive_timeout`: at most this many seconds of writes are lost (5 min).
    public static let archiveTimeoutSeconds = 300
    /// Time to provision a restored database cluster (10 min).
    public static let provisionSeconds = 600
    /// The assumed restore speed from object storage (100 MiB/s).
    public static let restoreBytesPerSecond: Int64 = 100 << 20
    /// Time to promote a replica cluster in another Kubernetes cluster (5 min).
    public static let promoteSeconds = 300

    /// Recovery point and recovery time of one thing, and how they were worked out.
    public struct Objective: Sendable, Hashable {
        /// nil when unbounded.
        public var rpoSeconds: Int?
        /// Recovery time in seconds; nil when there is nothing to recover from.
        public var rtoSeconds: Int?
        /// How the numbers were worked out, in words.
        public var basis: String
    }

    /// The RPO and RTO of database `d`: from WAL archiving and base backups, or a replica cluster's promotion.
    public static func database(_ d: Database, spec: Spec) -> Objective {
        guard let b = d.backup else {
            return Objective(
                rpoSeconds: nil, rtoSeconds: nil,
                basis: "no backup: losing every instance loses the data; \(d.instances) instance(s) cover single-instance failures only")
        }
        // A replica cluster to promote exists only when the topology keeps read replicas in the
        // production environment's other clusters; a pinned database (the team server's ledger)
        // lives in one cluster, and `replicas: none` keeps no copy outside the primary's region.
        let replicated =
            d.pinned == nil && d.topology.replicas == .read
            && spec.environments.contains { $0.tier == .production && $0.clusters.count > 1 }
        let interval = Int((Cron.intervalHours(b.schedule) ?? 24) * 3600)
        let restore = provisionSeconds + Int(d.size.units / restoreBytesPerSecond) + interval / 10
        if replicated {
            return Objective(
                rpoSeconds: archiveTimeoutSeconds, rtoSeconds: promoteSeconds,
                basis:
                    "WAL archived every 5 min to bucket '\(b.bucket.value)'; a replica cluster in the second production cluster is promoted (restore from the archive takes \(text(seconds: restore)))"
            )
        }
        return Objective(
            rpoSeconds: archiveTimeoutSeconds, rtoSeconds: restore,
            basis:
                "WAL archived every 5 min to bucket '\(b.bucket.value)'; restore = 10 min provisioning + \(d.size) at 100 MiB/s + WAL replay of one \(text(seconds: interval)) backup interval at 10x"
        )
    }

    /// The RPO and RTO of bucket `b`: recoverable through versioning, else unbounded.
    public static func bucket(_ b: Bucket) -> Objective {
        if b.versioning {
            return Objective(
                rpoSeconds: 0, rtoSeconds: 900,
                basis:
                    "versioning keeps overwritten and deleted objects \(b.noncurrentAfter) as non-current versions; no copy in another region"
            )
        }
        return Objective(rpoSeconds: nil, rtoSeconds: nil, basis: "no versioning: an overwritten or deleted object cannot be recovered")
    }

    /// The RPO and RTO of volumes from `storage.snapshots`; nil without snapshots.
    public static func volumes(_ spec: Spec) -> Objective? {
        guard let s = spec.storage.snapshots else { return nil }
        let interval = Int((Cron.intervalHours(s.schedule) ?? 24) * 3600)
        return Objective(
            rpoSeconds: interval, rtoSeconds: 900,
            basis: "Velero snapshots on '\(s.schedule)', \(s.keep) kept (\(text(seconds: interval * s.keep)) of history)")
    }

    /// A duration in seconds as `5min`, `1h 30min`, `2d`, `0`, or `unbounded` for nil.
    public static func text(seconds: Int?) -> String {
        guard let s = seconds else { return "unbounded" }
        if s == 0 { return "0" }
        if s % 86_400 == 0 { return "\(s / 86_400)d" }
        if s % 3600 == 0 { return "\(s / 3600)h" }
        if s >= 3600 { return "\(s / 3600)h \((s % 3600) / 60)min" }
        return "\(max(1, s / 60))min"
    }
}
