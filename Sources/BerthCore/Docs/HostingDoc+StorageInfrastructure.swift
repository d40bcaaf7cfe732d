import BerthNet
import Foundation

/// What the template's "Storage Infrastructure" says: the functions that answer its bullets, its summary and
/// its sections' tables; `HostingCatalogue.swift` names the place each one fills.
extension HostingDoc {
    /// The paragraph under "Storage Infrastructure".
    func storageInfrastructureSummary() -> String {
        return
            "\(plural(spec.storage.classes.count, "storage class")), \(plural(spec.databases.count, "PostgreSQL database")) run by CloudNativePG and \(plural(spec.buckets.count, "bucket")), each kept per environment unless marked shared. Recovery points and times are computed from the schedules, retention and replication below."
    }

    // MARK: Persistent Storage

    func volumeProvisioning() -> String {
        let stateful = spec.services.filter { !$0.volumes.isEmpty }.map(\.name)
        return
            "Volumes are provisioned on demand by \(code(plan.csiDriver)) when a pod is scheduled (WaitForFirstConsumer). Services with volumes run as StatefulSets with one claim per replica: \(list(stateful, empty: "none")); databases get data and WAL volumes from CloudNativePG."
    }

    func storageClassConfiguration() -> String {
        return clauses(
            spec.storage.classes, none: "No classes are declared (storage.classes); the cluster's default class applies.",
            end: "; all allow volume expansion."
        ) { "\($0.name) (\($0.kind)\($0.isDefault ? ", default" : ""), reclaim \($0.reclaim))" }
    }

    func backupAndSnapshotPolicies() -> String {
        if let snap = spec.storage.snapshots {
            return
                "Velero snapshots every namespace's volumes on `\(snap.schedule)` and keeps \(snap.keep); snapshots are retained when their object is deleted."
        }
        return "No volume snapshots are scheduled (storage.snapshots)."
    }

    func volumePerformanceTuning() -> String {
        let tuned = spec.storage.classes.filter { $0.iops != nil || $0.throughput != nil }
        return clauses(tuned, none: "Provider defaults; set storage.classes.<name>.iops and throughput to provision more.") {
            "\($0.name): \($0.iops.map { "\($0) IOPS" } ?? "default IOPS"), \($0.throughput.map { "\($0) MiB/s" } ?? "default throughput")"
        }
    }

    /// The tables and diagrams after "Persistent Storage".
    func persistentStorageBlocks() -> [DocBlock] {
        guard !spec.storage.classes.isEmpty else { return [] }
        return [
            .table(
                header: ["class", "media", "provisioner", "parameters", "reclaim", "default"],
                rows: spec.storage.classes.map { c in
                    [
                        c.name, c.kind, plan.csiDriver,
                        renderer.storageParameters(c, cluster: spec.clusters.first).map { "\($0.0)=\($0.1.stringValue ?? "")" }.joined(
                            separator: ", "), c.reclaim, c.isDefault ? "yes" : "",
                    ]
                })
        ]
    }

    // MARK: File Storage

    func s3CompatibleStorage() -> String {
        return spec.buckets.isEmpty
            ? "No buckets are declared (buckets)."
            : "\(plural(plan.physicalBuckets.count, "physical bucket")): " + list(plan.physicalBuckets.map { code($0.name) }) + "."
    }

    func accessPatternsAndPermissions() -> String {
        return clauses(
            spec.buckets, none: "No buckets.",
            end: ". Policies name each service's own role and explicit actions; no wildcard principal or action, and TLS is required."
        ) { b in
            let dbs = spec.databases.filter { $0.backup?.bucket.value == b.name }.map { "\($0.name) backups" }
            return
                "\(b.name): read-write by \(list(bucketUsers(b.name, readOnly: false) + dbs)), read-only by \(list(bucketUsers(b.name, readOnly: true)))"
        }
    }

    /// The services that use bucket `name`, read-only or read-write.
    func bucketUsers(_ name: String, readOnly: Bool) -> [String] {
        spec.services.filter { $0.uses.contains { $0.kind == .bucket && $0.name == name && $0.readOnly == readOnly } }.map(\.name)
    }

    func lifecycleManagement() -> String {
        return clauses(spec.buckets, none: "No buckets.", end: "; unfinished multipart uploads are aborted.") { b in
            "\(b.name): "
                + (b.lifecycle.isEmpty
                    ? "kept forever"
                    : b.lifecycle.map { r in r.expire ? "deleted after \(r.after)" : "\(r.transition ?? "") after \(r.after)" }
                        .joined(separator: ", "))
                + (b.versioning ? ", old versions deleted after \(b.noncurrentAfter)" : "")
        }
    }

    func costOptimization() -> String {
        return
            "Lifecycle transitions move cold objects to cheaper tiers, expiry and non-current version limits cap growth, and aborted multipart uploads stop paying for fragments."
    }

    /// The tables and diagrams after "File Storage".
    func fileStorageBlocks() -> [DocBlock] {
        guard !spec.buckets.isEmpty else { return [] }
        return [
            .table(
                header: ["bucket", "physical names", "versioning", "encryption", "lifecycle"],
                rows: spec.buckets.map { b in
                    [
                        b.name, plan.physicalBuckets.filter { $0.bucket.name == b.name }.map(\.name).joined(separator: ", "),
                        b.versioning ? (facts.versionedBuckets.contains(b.name) ? "yes" : "declared, not rendered") : "no",
                        b.encryption,
                        b.lifecycle.map { $0.expire ? "delete \($0.after)" : "\($0.transition ?? "") \($0.after)" }.joined(
                            separator: ", "),
                    ]
                })
        ]
    }

    // MARK: Database Storage

    func postgreSQLStorageConfiguration() -> String {
        return clauses(spec.databases, none: "No databases (databases).", end: "; " + antiAffinityText + ".") { d in
            "\(d.name): PostgreSQL \(d.version), \(d.instances) instances, \(d.size) data and \(Quantity.bytesText(d.walSize.units)) WAL on \(renderer.storageClassName(d.storageClass) ?? "the default class"), \(d.memory) memory"
        }
    }

    func backupStorageLocations() -> String {
        let locs = spec.databases.compactMap { d -> String? in
            guard let env = production.first ?? spec.environments.first, let dest = plan.backupDestination(d, env: env) else { return nil }
            return "\(d.name) to \(code(dest)) (in \(env.name); each environment its own bucket)"
        }
        return locs.isEmpty ? "No database backups are configured (databases.<name>.backup)." : list(locs) + "."
    }

    func archiveStorage() -> String {
        return
            "WAL is archived continuously (at least every 5 minutes) with the base backups, gzip-compressed; bucket lifecycle rules move older backups to archive tiers."
    }

    func replicationStorage() -> String {
        let replicated = production.contains { $0.clusters.count > 1 }
        return clauses(spec.databases, none: "No databases.") { d in
            "\(d.name): \(max(0, d.instances - 1)) streaming replica(s) in the cluster\(replicated ? ", plus a replica cluster in each further production cluster fed from the WAL archive" : "")"
        }
    }

    /// The tables and diagrams after "Database Storage".
    func databaseStorageBlocks() -> [DocBlock] {
        var rows: [[String]] = []
        for d in spec.databases {
            let o = Recovery.database(d, spec: spec)
            rows.append([
                "database \(d.name)", d.backup.map { "`\($0.schedule)`" } ?? "none", d.backup.map { $0.retention.text } ?? "—",
                Recovery.text(seconds: o.rpoSeconds), Recovery.text(seconds: o.rtoSeconds), d.rpo.map(\.text) ?? "—", o.basis,
            ])
        }
        for b in spec.buckets {
            // Continuous only when the render turns versioning on (aws settings); declared
            // versioning that nothing renders protects nothing.
            var rendered = b
            rendered.versioning = b.versioning && facts.versionedBuckets.contains(b.name)
            let o = Recovery.bucket(rendered)
            let basis =
                b.versioning && !rendered.versioning
                ? "versioning is declared, but berth renders no versioning setting for \(spec.provider.name.rawValue): turn it on in the object store; until then an overwritten or deleted object cannot be recovered"
                : o.basis
            rows.append([
                "bucket \(b.name)", rendered.versioning ? "continuous (versioning)" : "none (no versioning)",
                rendered.versioning ? b.noncurrentAfter.text : "—",
                Recovery.text(seconds: o.rpoSeconds), Recovery.text(seconds: o.rtoSeconds), "—", basis,
            ])
        }
        if let v = Recovery.volumes(spec), let snap = spec.storage.snapshots {
            rows.append([
                "volumes", "`\(snap.schedule)`", "\(snap.keep) snapshots", Recovery.text(seconds: v.rpoSeconds),
                Recovery.text(seconds: v.rtoSeconds), "—", v.basis,
            ])
        }
        return rows.isEmpty
            ? [] : [.table(header: ["what", "backup schedule", "retention", "RPO", "RTO", "RPO target", "basis"], rows: rows)]
    }
}
