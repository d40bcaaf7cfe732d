import BerthCore
import Foundation
import Testing

/// Storage, databases, buckets, backup and recovery: each rule passes on a good spec and fails on a bad one.
@Suite("Storage and data")
struct DataTests {
    /// base.yaml plus a backed-up database and its bucket, valid as written.
    static let withData =
        Fixtures.base.replacingOccurrences(of: "provider:\n  name: aws\n", with: "provider:\n  name: aws\n  account: \"111122223333\"\n")
            + """
            databases:
              main:
                instances: 2
                storage: { size: 10Gi, class: fast }
                backup: { schedule: "0 2 * * *", retention: 30d, bucket: backups }
                pooler: { mode: transaction, instances: 2 }
            buckets:
              backups:
                versioning: true
                encryption: kms
                lifecycle: [ { after: 90d, transition: archive } ]
            storage:
              classes:
                fast: { kind: ssd, iops: 6000, throughput: 250, default: true }

            """

    static func spec(_ text: String) throws -> Spec {
        let loaded = Fixtures.check(text)
        let spec = loaded.spec
        #expect(spec != nil, "\(Fixtures.lines(loaded))")
        return try #require(spec)
    }

    static func messages(_ ds: [Diagnostic]) -> [String] { ds.map { "\($0.severity.rawValue): \($0.message)" } }

    @Test("the data fixture passes every data rule")
    func clean() throws {
        #expect(Self.messages(PlatformChecks.data(try Self.spec(Self.withData))) == [])
        #expect(Fixtures.lines(Fixtures.check(Self.withData)) == [])
    }

    @Test("a referenced storage class or bucket exists")
    func references() throws {
        let badClass = Self.withData.replacingOccurrences(of: "class: fast }", with: "class: fsat }")
        #expect(
            Self.messages(PlatformChecks.references(try Self.spec(badClass))) == [
                "error: unknown storage class 'fsat' in databases.main.storage; did you mean 'fast'?"
            ])
        let badBucket = Self.withData.replacingOccurrences(of: "bucket: backups }", with: "bucket: backup }")
        #expect(
            Self.messages(PlatformChecks.references(try Self.spec(badBucket))) == [
                "error: unknown bucket 'backup' in databases.main.backup; did you mean 'backups'?"
            ])
    }

    @Test("a backup bucket has a lifecycle and encryption")
    func backupBucket() throws {
        let noLifecycle = Self.withData.replacingOccurrences(of: "    lifecycle: [ { after: 90d, transition: archive } ]\n", with: "")
        #expect(
            Self.messages(PlatformChecks.data(try Self.spec(noLifecycle))) == [
                "error: bucket 'backups' holds backups of database 'main' but has no lifecycle; add a lifecycle rule (e.g. move to archive after 90d)"
            ])
        let plain = Self.withData.replacingOccurrences(of: "encryption: kms", with: "encryption: none")
        #expect(
            Self.messages(PlatformChecks.data(try Self.spec(plain))) == [
                "error: bucket 'backups' holds backups of database 'main' but is not encrypted; set encryption: kms"
            ])
    }

    @Test("backup retention meets the compliance requirement or the stated one")
    func retention() throws {
        let gdprOK = Self.withData + "security:\n  compliance: [gdpr]\n"
        #expect(PlatformChecks.data(try Self.spec(gdprOK)).isEmpty)
        let soc2 = Self.withData + "security:\n  compliance: [gdpr, soc2]\n"
        #expect(
            Self.messages(PlatformChecks.data(try Self.spec(soc2))) == [
                "warning: database 'main' keeps backups 30d but soc2 requires at least 90d"
            ])
        let stated = Self.withData + "security:\n  backupRetention: 60d\n"
        #expect(
            Self.messages(PlatformChecks.data(try Self.spec(stated))) == [
                "warning: database 'main' keeps backups 30d but security.backupRetention requires at least 60d"
            ])
        let expiresEarly = Self.withData.replacingOccurrences(
            of: "[ { after: 90d, transition: archive } ]", with: "[ { after: 7d, expire: true } ]")
        #expect(
            Self.messages(PlatformChecks.data(try Self.spec(expiresEarly))) == [
                "error: bucket 'backups' expires objects after 7d, before database 'main' backups reach their retention of 30d"
            ])
    }

    @Test("production databases have two or more instances across two or more zones")
    func productionDatabase() throws {
        let one = Self.withData.replacingOccurrences(of: "instances: 2\n    storage", with: "instances: 1\n    storage")
        #expect(
            Self.messages(PlatformChecks.data(try Self.spec(one))) == [
                "warning: database 'main' runs 1 instance in production environment 'production'; production needs 2 or more across 2 or more zones"
            ])
        let oneZone = Self.withData.replacingOccurrences(of: "zones: [eu-west-1a, eu-west-1b]", with: "zones: [eu-west-1a]")
        #expect(
            Self.messages(PlatformChecks.data(try Self.spec(oneZone))).contains(
                "warning: database 'main' runs in production environment 'production' on a cluster with 1 zone; production needs instances across 2 or more zones"
            ))
    }

    @Test("recovery promotes a replica cluster only where the topology keeps one (acme keeps no copy outside the EU)")
    func recoveryFollowsTopology() throws {
        let text = try String(contentsOf: Fixtures.example, encoding: .utf8)
        let acme = try #require(Fixtures.check(text, file: Fixtures.example.path).spec)
        let main = try #require(acme.database("main"))
        let kept = Recovery.database(main, spec: acme)
        #expect(!kept.basis.contains("promoted"), "\(kept.basis)")
        #expect(kept.rtoSeconds != Recovery.promoteSeconds)
        #expect(kept.rtoSeconds ?? 0 > Recovery.promoteSeconds)
        let withReplicas = text.replacingOccurrences(
            of: "replicas: none, remoteClients: primary", with: "replicas: read, remoteClients: primary")
        #expect(withReplicas != text)
        let replicated = try #require(Fixtures.check(withReplicas, file: Fixtures.example.path).spec)
        let promoted = Recovery.database(try #require(replicated.database("main")), spec: replicated)
        #expect(promoted.rtoSeconds == Recovery.promoteSeconds)
        #expect(promoted.basis.contains("a replica cluster in the second production cluster is promoted"))
    }

    @Test("an RPO worse than the target is a warning")
    func rpo() throws {
        let tight = Self.withData.replacingOccurrences(of: "pooler: { mode", with: "rpo: 1m\n    pooler: { mode")
        #expect(
            Self.messages(PlatformChecks.data(try Self.spec(tight))) == [
                "warning: database 'main' has a recovery point of 5min, worse than its target rpo 1m"
            ])
        let noBackup = Self.withData.replacingOccurrences(
            of: "    backup: { schedule: \"0 2 * * *\", retention: 30d, bucket: backups }\n", with: "")
        #expect(
            Self.messages(PlatformChecks.data(try Self.spec(noBackup))) == [
                "warning: database 'main' has no backup; its recovery point in production is the last lost write"
            ])
    }

    @Test("storage sizes never shrink between two specs")
    func shrink() throws {
        let old = try Self.spec(Self.withData)
        let grown = try Self.spec(Self.withData.replacingOccurrences(of: "size: 10Gi", with: "size: 20Gi"))
        #expect(PlatformChecks.storageShrink(old: old, new: grown).isEmpty)
        let shrunk = try Self.spec(Self.withData.replacingOccurrences(of: "size: 10Gi", with: "size: 5Gi"))
        #expect(
            Self.messages(PlatformChecks.storageShrink(old: old, new: shrunk)) == [
                "error: database 'main' storage shrinks from 10Gi to 5Gi; volumes can grow but never shrink"
            ])
    }

    @Test("aws bucket policies need the account")
    func account() throws {
        let noAccount = Self.withData.replacingOccurrences(of: "  account: \"111122223333\"\n", with: "")
        #expect(
            Self.messages(PlatformChecks.data(try Self.spec(noAccount))) == [
                "error: provider.account is not set, but bucket policies and workload roles name the AWS account; set provider.account to the 12-digit account id"
            ])
    }

    @Test("the example's primary and replica database clusters, and a StatefulSet for volumes")
    func rendered() throws {
        let loaded = try Pipeline.check(path: Fixtures.example.path)
        let files = Dictionary(
            uniqueKeysWithValues: Pipeline.render(try #require(loaded.spec), ipPlan: loaded.ipPlan).map { ($0.path, $0.contents) })
        let eu = try #require(files["prod-eu/acme-production/_database-main.yaml"])
        let us = try #require(files["prod-us/acme-production/_database-main.yaml"])
        #expect(eu.contains("kind: ScheduledBackup") && eu.contains("kind: Pooler") && eu.contains("retentionPolicy: \"30d\""))
        #expect(eu.contains("destinationPath: s3://acme-production-backups/main"))
        // acme keeps its data in the EU: prod-us has no copy, only the path to the primary.
        #expect(!us.contains("\nkind: Cluster\n") && us.contains("\nkind: EndpointSlice\n"))
        let twinLoaded = try Pipeline.check(path: Fixtures.repoRoot.appendingPathComponent("examples/twin/platform.yaml").path)
        let twin = Dictionary(
            uniqueKeysWithValues: Pipeline.render(try #require(twinLoaded.spec), ipPlan: twinLoaded.ipPlan).map { ($0.path, $0.contents) })
        let dub = try #require(twin["dub/twin-production/_database-orders.yaml"])
        #expect(dub.contains("replica:\n    enabled: true\n    source: orders-fra"))
        #expect(dub.contains("kind: ScheduledBackup"))
        #expect(twin["restore/RUNBOOK.md"]?.contains("patch cluster orders --type merge") == true)
        let search = try #require(files["prod-eu/acme-production/search.yaml"])
        #expect(
            search.contains("kind: StatefulSet") && search.contains("volumeClaimTemplates:") && search.contains("storageClassName: fast"))
        let lifecycle = try #require(files["buckets/production/uploads.lifecycle.json"])
        #expect(lifecycle.contains("\"StorageClass\": \"STANDARD_IA\"") && lifecycle.contains("\"DaysAfterInitiation\": 7"))
    }
}
