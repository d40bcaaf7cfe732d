import BerthNet
import Foundation
import Testing

@testable import BerthStore

/// What the team server needs from the store: batched allocation, the history's actor, tokens
/// kept as hashes, and the upgrade of a version-2 store.
@Suite struct ServerStoreTests {
    func tempStore() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("ledger-\(UUID().uuidString).sqlite").path
    }

    /// The stores a test runs on: a new SQLite file, and a new database on the PostgreSQL server
    /// of `BERTH_TEST_PG_URL` when it is set (scripts/test.sh sets it for this suite).
    static func stores() throws -> [String] {
        let sqlite = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-\(UUID().uuidString).sqlite").path
        guard let url = ProcessInfo.processInfo.environment["BERTH_TEST_PG_URL"], let slash = url.lastIndex(of: "/") else {
            return [sqlite]
        }
        let name = "berth_" + UUID().uuidString.lowercased().filter { $0 != "-" }
        try PostgresConnection(url: url).script("CREATE DATABASE \(name)")
        return [sqlite, url[..<slash] + "/" + name]
    }

    @Test func batchAllocatesInOneTransactionWithPerRequestResults() throws {
        for store in try Self.stores() { try batchAllocates(store: store) }
    }

    /// One batch with every kind of outcome, then the same again after quoting-hostile request ids
    /// (on PostgreSQL the batch travels as array literals).
    func batchAllocates(store: String) throws {
        let ledger = try Ledger(store: store)
        _ = try ledger.addPool(name: "p", prefix: try IPPrefix("10.0.0.0/24"))
        let first = try ledger.allocate(AllocationRequest(pool: "p", length: 26, requestID: "old"))
        var requests = [
            AllocationRequest(pool: "p", length: 28, owner: "a", requestID: "r1"),
            AllocationRequest(pool: "p", length: 28, owner: "a", requestID: "r1"),  // the same request again: same block
            AllocationRequest(pool: "p", length: 26, requestID: "old"),  // stored before: answered from the store
            AllocationRequest(pool: "p", length: 27, requestID: "old"),  // reused with other parameters
            AllocationRequest(pool: "p", length: 25),
            AllocationRequest(pool: "p", length: 25),  // no /25 left
            AllocationRequest(pool: "p", length: 8),  // out of range
            AllocationRequest(pool: "p", length: 29),
        ]
        requests[0].actor = "ci"
        let seqBefore = try ledger.db.query("SELECT COUNT(*) FROM berth_history").first?.int(0)
        let results = try ledger.allocateBatch(pool: "p", requests)
        let blocks = results.map { (try? $0.get())?.prefix.description }
        #expect(blocks == ["10.0.0.64/28", "10.0.0.64/28", "10.0.0.0/26", nil, "10.0.0.128/25", nil, nil, "10.0.0.80/29"])
        #expect(try results[2].get().id == first.id)
        #expect(
            throws: LedgerError.invalid(
                "request id 'old' was already used with different parameters (pool=p size=26); this call has (pool=p size=27)")
        ) {
            try results[3].get()
        }
        #expect(throws: LedgerError.invalid("no free /25 in 10.0.0.0/24: 48 addresses free, largest free block 10.0.0.96/27")) {
            try results[5].get()
        }
        #expect(try ledger.db.query("SELECT COUNT(*) FROM berth_history").first?.int(0) == (seqBefore ?? 0) + 3)
        let events = try ledger.history(try IPAddress("10.0.0.65"))
        #expect(events.map(\.actor) == ["ci"])
        #expect(try ledger.check().problems.isEmpty)
        // A later single allocation sees the batch's blocks (the cache was carried over).
        #expect(try ledger.allocate(AllocationRequest(pool: "p", length: 29)).prefix.description == "10.0.0.88/29")
        // Text that an array literal must quote travels unchanged, NULLs stay NULL.
        let odd = [#"a"b"#, #"c\d"#, "{e,f}", "NULL", " g "]
        let requests2 = odd.map { AllocationRequest(pool: "p", length: 32, owner: $0, note: $0 == "NULL" ? nil : $0, requestID: $0) }
        let more = try ledger.allocateBatch(pool: "p", requests2)
        for (text, result) in zip(odd, more) {
            let a = try result.get()
            #expect(a.owner == text && a.requestID == text && a.note == (text == "NULL" ? nil : text))
        }
        let again = try ledger.allocateBatch(pool: "p", requests2)
        #expect(try again.map { try $0.get().id } == (try more.map { try $0.get().id }))
        #expect(try ledger.check().problems.isEmpty)
    }

    @Test func batchOfSeveralPoolsIsOneTransactionWithPerRequestResults() throws {
        for store in try Self.stores() { try batchAcrossPools(store: store) }
    }

    /// One batch over three pools (given out of lock order) and an unknown one: a request id
    /// stored before answers its block, a bad length, a full pool, a request id repeated in the
    /// batch and one reused in another pool each answer their own result, and the new blocks are
    /// written by one transaction.
    func batchAcrossPools(store: String) throws {
        let ledger = try Ledger(store: store)
        _ = try ledger.addPool(name: "a", prefix: try IPPrefix("10.0.0.0/24"))
        _ = try ledger.addPool(name: "b", prefix: try IPPrefix("10.1.0.0/30"))
        _ = try ledger.addPool(name: "c", prefix: try IPPrefix("10.2.0.0/24"))
        let old = try ledger.allocate(AllocationRequest(pool: "c", length: 28, requestID: "old"))
        let eventsBefore = try ledger.db.query("SELECT COUNT(*) FROM berth_history").first?.int(0) ?? 0
        let batch: [(pool: String, requests: [AllocationRequest])] = [
            (
                "c",
                [
                    AllocationRequest(pool: "c", length: 28, requestID: "old"),  // stored before: the same block
                    AllocationRequest(pool: "c", length: 8),  // out of range
                    AllocationRequest(pool: "c", length: 28, owner: "x"),
                ]
            ),
            ("zz", [AllocationRequest(pool: "zz", length: 28)]),  // no such pool
            ("b", (0..<3).map { _ in AllocationRequest(pool: "b", length: 31) }),  // room for two
            (
                "a",
                [
                    AllocationRequest(pool: "a", length: 28, requestID: "r1"),
                    AllocationRequest(pool: "a", length: 28, requestID: "r1"),  // repeated: the same block
                    AllocationRequest(pool: "a", length: 28, requestID: "old"),  // used in pool c
                ]
            ),
        ]
        let results = try ledger.allocateBatch(batch)
        let blocks = results.map { group in group.map { (try? $0.get())?.prefix.description } }
        #expect(
            blocks == [
                ["10.2.0.0/28", nil, "10.2.0.16/28"], [nil], ["10.1.0.0/31", "10.1.0.2/31", nil], ["10.0.0.0/28", "10.0.0.0/28", nil],
            ])
        #expect(try results[0][0].get().id == old.id)
        #expect(
            throws: LedgerError.invalid("prefix length 8 is out of range in pool 'c' (10.2.0.0/24) (allowed 24-32)")
        ) { try results[0][1].get() }
        #expect(throws: LedgerError.invalid("unknown pool 'zz'; pools: a, b, c")) { try results[1][0].get() }
        #expect(throws: LedgerError.invalid("no free /31 in 10.1.0.0/30: 0 addresses free")) { try results[2][2].get() }
        #expect(
            throws: LedgerError.invalid(
                "request id 'old' was already used with different parameters (pool=c size=28); this call has (pool=a size=28)")
        ) { try results[3][2].get() }
        let newIDs = [results[0][2], results[2][0], results[2][1], results[3][0]].map { (try? $0.get())?.id ?? -1 }
        #expect(try ledger.db.query("SELECT COUNT(*) FROM berth_history").first?.int(0) == eventsBefore + 4)
        if store.hasPrefix("postgres") {
            // Rows written by one transaction share its id (xmin).
            let xmins = try ledger.db.query(
                "SELECT COUNT(DISTINCT xmin::text) FROM berth_allocations WHERE id = ANY($1::bigint[])",
                .text("{" + newIDs.map(String.init).joined(separator: ",") + "}"))
            #expect(xmins.first?.int(0) == 1)
        }
        #expect(try ledger.check().problems.isEmpty)
        // The same batch again answers the same blocks (request ids) and writes only the
        // requests without one; later single allocations see every pool's new blocks.
        let again = try ledger.allocateBatch([batch[3], batch[0]])
        #expect(
            again.map { group in group.map { (try? $0.get())?.prefix.description } } == [
                ["10.0.0.0/28", "10.0.0.0/28", nil], ["10.2.0.0/28", nil, "10.2.0.32/28"],
            ])
        #expect(try ledger.allocate(AllocationRequest(pool: "a", length: 28)).prefix.description == "10.0.0.16/28")
        #expect(try ledger.allocate(AllocationRequest(pool: "c", length: 28)).prefix.description == "10.2.0.48/28")
        #expect(throws: LedgerError.self) { try ledger.allocate(AllocationRequest(pool: "b", length: 31)) }
        // One pool alone is the same call.
        let single = try ledger.allocateBatch(pool: "a", [AllocationRequest(pool: "a", length: 29)])
        #expect(single.map { (try? $0.get())?.prefix.description } == ["10.0.0.32/29"])
        #expect(throws: LedgerError.invalid("unknown pool 'zz'; pools: a, b, c")) { try ledger.allocateBatch(pool: "zz", []) }
        #expect(try ledger.check().problems.isEmpty)
    }

    /// Four connections batch over the same four pools at once, each naming the pools in its own
    /// order: the locks are taken in one order, so nothing deadlocks or fails, and no block is
    /// handed out twice.
    @Test func concurrentBatchesOverSeveralPoolsNeverOverlap() throws {
        for store in try Self.stores() {
            let setup = try Ledger(store: store)
            let names = ["p1", "p2", "p3", "p4"]
            for (i, name) in names.enumerated() { _ = try setup.addPool(name: name, prefix: try IPPrefix("10.\(i).0.0/21")) }
            let blocks = Blocks()
            DispatchQueue.concurrentPerform(iterations: 4) { worker in
                do {
                    let ledger = try Ledger(store: store)
                    for round in 0..<25 {
                        let order = worker % 2 == 0 ? names : names.reversed()
                        let batch = order.map { name in
                            (
                                pool: name,
                                requests: (0..<3).map { k in
                                    AllocationRequest(pool: name, length: 30, requestID: "w\(worker)-\(round)-\(name)-\(k)")
                                }
                            )
                        }
                        for group in try ledger.allocateBatch(batch) {
                            for result in group { blocks.add(try result.get().prefix.description) }
                        }
                    }
                } catch {
                    blocks.fail("\(error)")
                }
            }
            #expect(blocks.failures.isEmpty)
            #expect(blocks.all.count == 4 * 25 * 4 * 3)
            #expect(Set(blocks.all).count == blocks.all.count)
            #expect(try setup.check().problems.isEmpty)
            #expect(try setup.list().count == 4 * 25 * 4 * 3)
        }
    }

    final class Blocks: @unchecked Sendable {
        let lock = NSLock()
        var all: [String] = []
        var failures: [String] = []
        func add(_ block: String) { lock.withLock { all.append(block) } }
        func fail(_ message: String) { lock.withLock { failures.append(message) } }
    }

    /// The read every write starts with (is a lease or quarantine due?) uses the partial indexes,
    /// also in PostgreSQL's generic plan of the prepared statement: a scan of every allocation
    /// per write made the server's batches slower as the store grew.
    @Test func theReclaimCheckUsesItsIndexes() throws {
        for store in try Self.stores() {
            let ledger = try Ledger(store: store)
            let pool = try ledger.addPool(name: "p", prefix: try IPPrefix("10.0.0.0/16"))
            for _ in 0..<20 {
                _ = try ledger.allocateBatch(pool: "p", (0..<200).map { _ in AllocationRequest(pool: "p", length: 32) })
            }
            let read = Ledger.reclaimDueRead(pool, at: 1)
            let plan: [String]
            if store.hasPrefix("postgres") {
                try ledger.db.script("ANALYZE; SET plan_cache_mode = force_generic_plan")
                try ledger.db.script("PREPARE due(bigint, bigint) AS " + read.sql)
                plan = try ledger.db.query("EXPLAIN EXECUTE due(\(pool.id), 1)").map { $0.string(0) }
            } else {
                try ledger.db.script("ANALYZE")
                plan = try ledger.db.query("EXPLAIN QUERY PLAN " + read.sql, read.params).map { $0.string(3) }
            }
            #expect(!plan.contains { $0.contains("Seq Scan") || $0.hasPrefix("SCAN berth_allocations") }, "\(store): \(plan)")
            #expect(plan.contains { $0.contains("berth_allocations_leases") }, "\(store): \(plan)")
        }
    }

    @Test func actorIsRecordedForWritesNotExpiries() throws {
        let ledger = try Ledger(store: tempStore())
        _ = try ledger.addPool(name: "p", prefix: try IPPrefix("10.0.0.0/24"))
        ledger.actor = "netops"
        let a = try ledger.allocate(AllocationRequest(pool: "p", length: 28))
        ledger.actor = "cleanup-job"
        _ = try ledger.release(a.prefix)
        ledger.actor = nil
        _ = try ledger.allocate(AllocationRequest(pool: "p", length: 28))
        let events = try ledger.history(try IPAddress("10.0.0.1"))
        #expect(events.map(\.kind) == [.allocate, .release, .allocate])
        #expect(events.map(\.actor) == ["netops", "cleanup-job", nil])
    }

    @Test func tokensAreKeptByHashAndRevoked() throws {
        let ledger = try Ledger(store: tempStore())
        let hash = String(repeating: "ab", count: 32)
        let t = try ledger.addToken(name: "ci", scope: .allocate, hash: hash)
        #expect(t.scope == .allocate && t.revokedAt == nil)
        #expect(try ledger.token(hash: hash)?.name == "ci")
        #expect(try ledger.token(hash: String(repeating: "0", count: 64)) == nil)
        #expect(throws: LedgerError.invalid("token 'ci' already exists")) {
            try ledger.addToken(name: "ci", scope: .read, hash: String(repeating: "cd", count: 32))
        }
        #expect(throws: LedgerError.invalid("a token hash is 64 lowercase hex digits")) {
            try ledger.addToken(name: "x", scope: .read, hash: "berth_plaintext")
        }
        #expect(
            throws: LedgerError.invalid(
                "invalid token name 'Bad Name': use 1-63 lowercase letters, digits and '-', starting and ending with a letter or digit")
        ) {
            try ledger.addToken(name: "Bad Name", scope: .read, hash: hash)
        }
        #expect(try ledger.revokeToken(name: "ci").revokedAt != nil)
        #expect(try ledger.token(hash: hash)?.revokedAt != nil)
        #expect(throws: LedgerError.invalid("unknown token 'nope'")) { try ledger.revokeToken(name: "nope") }
        #expect(TokenScope.read < .allocate && TokenScope.allocate < .admin)
    }

    @Test func versionTwoStoreGainsActorAndTokens() throws {
        let store = tempStore()
        do {
            let ledger = try Ledger(store: store)
            _ = try ledger.addPool(name: "p", prefix: try IPPrefix("10.0.0.0/24"))
            _ = try ledger.allocate(AllocationRequest(pool: "p", length: 28))
        }
        do {
            let raw = try SQLiteConnection(path: store, create: false)
            try raw.script("ALTER TABLE berth_history DROP COLUMN actor; DROP TABLE berth_tokens; PRAGMA user_version = 2;")
        }
        // Read-only use of the old schema works without the column.
        let old = try Ledger(store: store, access: .read)
        #expect(try old.tokens().isEmpty)
        let upgraded = try Ledger(store: store)
        #expect(try upgraded.db.query("PRAGMA user_version").first?.int(0) == Int64(Schema.version))
        upgraded.actor = "ops"
        _ = try upgraded.allocate(AllocationRequest(pool: "p", length: 28))
        #expect(try upgraded.history(try IPAddress("10.0.0.17")).map(\.actor) == ["ops"])
        #expect(try upgraded.history(try IPAddress("10.0.0.1")).map(\.actor) == [nil])
        _ = try upgraded.addToken(name: "t", scope: .read, hash: String(repeating: "1", count: 64))
        #expect(try upgraded.check().problems.isEmpty)
    }
}
