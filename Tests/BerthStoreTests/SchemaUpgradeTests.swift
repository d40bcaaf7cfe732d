import BerthNet
import Foundation
import Testing

@testable import BerthStore

extension ServerStoreTests {
    /// Schema version 4: a version-3 store (written with version 3's own DDL) is upgraded in one
    /// transaction with its data intact, and still refuses overlapping live blocks; on PostgreSQL
    /// the overlap check is a trigger under the pool's lock, so outside writers serialize on it too.
    /// Nested in `ServerStoreTests`, so `swift test --filter ServerStoreTests` (scripts/test.sh, with
    /// `BERTH_TEST_PG_URL`) runs it on PostgreSQL too.
    @Suite struct SchemaUpgradeTests {
        /// A pool 10.0.0.0/24 with an allocation, a reservation and a released block, and their
        /// history, written the way version 3 stored them.
        static func versionThreeData() throws -> String {
            func row(_ id: Int, _ cidr: String, _ state: String, _ owner: String, _ rid: String) throws -> String {
                let p = try IPPrefix(cidr)
                let ended = state == "released" ? "20" : "NULL"
                return """
                    INSERT INTO berth_allocations (id, pool_id, cidr, length, start_hex, end_hex, state, owner, request_id,
                        request_params, created_at, ended_at)
                    VALUES (\(id), 1, '\(cidr)', \(p.length), '\(p.startHex)', '\(p.endHex)', '\(state)', '\(owner)', '\(rid)',
                        'pool=p size=\(p.length)', 10, \(ended));
                    """
            }
            func event(_ seq: Int, _ id: Int, _ cidr: String, _ kind: String, _ owner: String) throws -> String {
                let p = try IPPrefix(cidr)
                return """
                    INSERT INTO berth_history (seq, allocation_id, pool_id, cidr, start_hex, end_hex, event, owner, at, actor)
                    VALUES (\(seq), \(id), 1, '\(cidr)', '\(p.startHex)', '\(p.endHex)', '\(kind)', '\(owner)', \(seq * 10), 'ops');
                    """
            }
            let pool = try IPPrefix("10.0.0.0/24")
            return """
                INSERT INTO berth_pools (id, name, cidr, family, start_hex, end_hex, quarantine_seconds, created_at)
                VALUES (1, 'p', '10.0.0.0/24', 4, '\(pool.startHex)', '\(pool.endHex)', 0, 1);
                \(try row(1, "10.0.0.0/26", "allocated", "a", "r1"))
                \(try row(2, "10.0.0.64/27", "reserved", "b", "r2"))
                \(try row(3, "10.0.0.96/28", "released", "c", "r3"))
                \(try event(1, 1, "10.0.0.0/26", "allocate", "a"))
                \(try event(2, 2, "10.0.0.64/27", "reserve", "b"))
                \(try event(3, 3, "10.0.0.96/28", "allocate", "c"))
                \(try event(4, 3, "10.0.0.96/28", "release", "c"))
                """
        }

        /// Writes a version-3 store at `store` with the version-3 DDL and `versionThreeData`.
        /// `extra` runs after it (on PostgreSQL the serial sequences are moved past the fixed ids).
        static func makeVersionThree(_ store: String, extra: String = "") throws {
            if Ledger.isPostgres(store) {
                try PostgresConnection(url: store).script(
                    SchemaV3Fixture.postgres + versionThreeData()
                        + """
                        SELECT setval('berth_allocations_id_seq', 3); SELECT setval('berth_history_seq_seq', 4);
                        SELECT setval('berth_pools_id_seq', 1);
                        """ + extra)
            } else {
                try SQLiteConnection(path: store, create: true).script(SchemaV3Fixture.sqlite + versionThreeData() + extra)
            }
        }

        static func version(_ ledger: Ledger) throws -> Int64? {
            try ledger.db.query(ledger.db.dialect == .postgres ? "SELECT version FROM berth_meta" : "PRAGMA user_version").first?.int(0)
        }

        /// An allocation row written past the ledger (no history, no lock of its own).
        static func rawInsert(_ ledger: Ledger, _ cidr: String, state: String = "allocated") throws {
            let p = try IPPrefix(cidr)
            try ledger.db.query(
                """
                INSERT INTO berth_allocations (pool_id, cidr, length, start_hex, end_hex, state, created_at)
                VALUES (1, $1, $2, $3, $4, $5, 0)
                """, .text(cidr), .int(Int64(p.length)), .text(p.startHex), .text(p.endHex), .text(state))
        }

        @Test func versionThreeStoreIsUpgradedWithItsDataAndGuarantees() throws {
            for store in try ServerStoreTests.stores() { try upgradesFromThree(store) }
        }

        func upgradesFromThree(_ store: String) throws {
            try Self.makeVersionThree(store)
            if Ledger.isPostgres(store) {
                // A PostgreSQL reader uses a version-3 store as it is (a SQLite file this process
                // can write is upgraded by any command).
                let reader = try Ledger(store: store, access: .read)
                #expect(try Self.version(reader) == 3)
                #expect(try reader.list().map(\.prefix.description) == ["10.0.0.0/26", "10.0.0.64/27"])
            }

            let ledger = try Ledger(store: store)
            #expect(try Self.version(ledger) == 4, "\(store)")
            let all = try ledger.list(includeReleased: true)
            #expect(all.map(\.prefix.description) == ["10.0.0.0/26", "10.0.0.64/27", "10.0.0.96/28"])
            #expect(all.map(\.state) == [.allocated, .reserved, .released])
            #expect(all.map(\.requestID) == ["r1", "r2", "r3"])
            #expect(try ledger.history(try IPAddress("10.0.0.100")).map(\.kind) == [.allocate, .release])
            #expect(try ledger.check().problems.isEmpty)
            if ledger.db.dialect == .postgres {
                let gone = try ledger.db.query(
                    "SELECT COUNT(*) FROM pg_constraint WHERE conname IN ('berth_allocations_one_holder', 'berth_history_pool_id_fkey')")
                #expect(gone.first?.int(0) == 0)
                let trigger = try ledger.db.query("SELECT COUNT(*) FROM pg_trigger WHERE tgname = 'berth_allocations_one_holder'")
                #expect(trigger.first?.int(0) == 1)
            }

            // The database still refuses a live block overlapping a live one, inside or around it,
            // and a block outside its pool; a released row may overlap.
            for cidr in ["10.0.0.32/27", "10.0.0.0/25", "10.0.0.64/32"] {
                #expect(throws: DBFailure.self, "\(store) \(cidr)") { try Self.rawInsert(ledger, cidr) }
            }
            #expect(throws: DBFailure.self, "\(store)") { try Self.rawInsert(ledger, "10.0.1.0/28") }
            try Self.rawInsert(ledger, "10.0.0.0/30", state: "released")

            // The ledger carries on after the old rows (ids, history sequence, request ids).
            let next = try ledger.allocate(AllocationRequest(pool: "p", length: 28, requestID: "r4"))
            #expect(next.prefix.description == "10.0.0.96/28" && next.id > 3)
            #expect(try ledger.allocate(AllocationRequest(pool: "p", length: 26, requestID: "r1")).id == 1)
            let batch = try ledger.allocateBatch(pool: "p", (0..<4).map { _ in AllocationRequest(pool: "p", length: 28) })
            #expect(
                batch.compactMap { try? $0.get().prefix.description } == [
                    "10.0.0.112/28", "10.0.0.128/28", "10.0.0.144/28", "10.0.0.160/28",
                ])

            // Past the database's own guard, `ip check` finds the overlap.
            try ledger.db.script(
                ledger.db.dialect == .postgres
                    ? "ALTER TABLE berth_allocations DISABLE TRIGGER berth_allocations_one_holder"
                    : "DROP TRIGGER berth_allocations_one_holder")
            try Self.rawInsert(ledger, "10.0.0.32/27")
            #expect(try ledger.check().problems.contains("pool 'p': live allocations 10.0.0.0/26 and 10.0.0.32/27 overlap"))
        }

        /// The upgrade is one transaction: when a step fails, the store stays at version 3 with its
        /// `EXCLUDE` constraint; once the obstacle is gone it upgrades to what a new store has.
        @Test func postgresUpgradeIsOneTransactionAndEndsLikeANewStore() throws {
            let stores = try ServerStoreTests.stores()
            guard stores.count == 2, let url = stores.last else { return }
            // A function of the same name with another return type: CREATE OR REPLACE fails after
            // the constraints were dropped.
            try Self.makeVersionThree(url, extra: "CREATE FUNCTION berth_one_holder() RETURNS integer LANGUAGE sql AS 'SELECT 1';")
            #expect(throws: LedgerError.self) { try Ledger(store: url) }
            let raw = try PostgresConnection(url: url)
            #expect(try raw.query("SELECT version FROM berth_meta").first?.int(0) == 3)
            #expect(try raw.query("SELECT COUNT(*) FROM pg_constraint WHERE conname = 'berth_allocations_one_holder'").first?.int(0) == 1)
            try raw.script("DROP FUNCTION berth_one_holder()")
            let upgraded = try Ledger(store: url)
            #expect(try Self.version(upgraded) == 4)

            // The same constraints and triggers as a store created by version 4.
            let fresh = try ServerStoreTests.stores()[1]
            _ = try Ledger(store: fresh).addPool(name: "q", prefix: try IPPrefix("10.9.0.0/16"))
            let catalog = """
                SELECT c.relname || ' ' || x.conname || ' ' || pg_get_constraintdef(x.oid) FROM pg_constraint x
                    JOIN pg_class c ON c.oid = x.conrelid WHERE c.relname LIKE 'berth%'
                UNION ALL
                SELECT c.relname || ' trigger ' || t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                    WHERE c.relname LIKE 'berth%' AND NOT t.tgisinternal
                UNION ALL
                SELECT 'index ' || indexdef FROM pg_indexes WHERE tablename LIKE 'berth%'
                ORDER BY 1
                """
            let before = try upgraded.db.query(catalog).map { $0.string(0) }
            #expect(before == (try PostgresConnection(url: fresh).query(catalog).map { $0.string(0) }))
            #expect(!before.contains { $0.contains("EXCLUDE") && $0.hasPrefix("berth_allocations") })
        }

        /// Two connections outside berth insert overlapping live blocks at the same time: the
        /// trigger makes the second wait for the first one's pool lock, then sees its row and refuses.
        @Test func postgresOverlapTriggerSerializesOutsideWriters() throws {
            let stores = try ServerStoreTests.stores()
            guard stores.count == 2, let url = stores.last else { return }
            let ledger = try Ledger(store: url)
            _ = try ledger.addPool(name: "p", prefix: try IPPrefix("10.0.0.0/24"))
            let first = try PostgresConnection(url: url)
            try first.script("BEGIN")
            let p = try IPPrefix("10.0.0.0/26")
            let insert = """
                INSERT INTO berth_allocations (pool_id, cidr, length, start_hex, end_hex, state, created_at)
                SELECT id, $1, $2, $3, $4, 'allocated', 0 FROM berth_pools WHERE name = 'p'
                """
            try first.query(insert, .text(p.description), .int(26), .text(p.startHex), .text(p.endHex))
            final class Outcome: @unchecked Sendable {  // written by the thread before it signals
                var failure: DBFailure?
                var error: String?
            }
            let outcome = Outcome()
            let done = DispatchSemaphore(value: 0)
            let inner = try IPPrefix("10.0.0.32/27")
            let params: [SQLParam] = [.text(inner.description), .int(27), .text(inner.startHex), .text(inner.endHex)]
            Thread {
                do {
                    try PostgresConnection(url: url).query(insert, params)
                } catch let f as DBFailure {
                    outcome.failure = f
                } catch {
                    outcome.error = "\(error)"
                }
                done.signal()
            }.start()
            #expect(done.wait(timeout: .now() + 0.5) == .timedOut, "the second insert did not wait for the pool lock")
            try first.script("COMMIT")
            #expect(done.wait(timeout: .now() + 30) == .success)
            guard case .conflict(let message)? = outcome.failure else {
                Issue.record("expected an exclusion violation, got \(String(describing: outcome.failure)) \(outcome.error ?? "")")
                return
            }
            #expect(message.contains("berth: overlapping live allocation (10.0.0.32/27 overlaps 10.0.0.0/26)"), "\(message)")
            #expect(try ledger.check().problems.allSatisfy { !$0.contains("overlap") })
        }
    }
}
