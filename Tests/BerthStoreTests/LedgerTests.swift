import BerthNet
import Foundation
import Testing

@testable import BerthStore

/// The ledger in-process on a temporary SQLite file.
@Suite struct LedgerTests {
    final class Clock: @unchecked Sendable {  // tests only: read and set on the test's own thread
        var now: Int64 = 1_735_689_600
    }

    func tempStore() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("ledger-\(UUID().uuidString).sqlite").path
    }

    @Test func allocateBestFitIdempotentAndExhausted() throws {
        let ledger = try Ledger(store: tempStore())
        _ = try ledger.addPool(name: "p", prefix: try IPPrefix("10.0.0.0/24"))
        let a = try ledger.allocate(AllocationRequest(pool: "p", length: 26, requestID: "x"))
        #expect(a.prefix.description == "10.0.0.0/26")
        #expect(try ledger.allocate(AllocationRequest(pool: "p", length: 26, requestID: "x")).id == a.id)
        #expect(try ledger.allocate(AllocationRequest(pool: "p", length: 25)).prefix.description == "10.0.0.128/25")
        #expect(throws: LedgerError.invalid("no free /25 in 10.0.0.0/24: 64 addresses free, largest free block 10.0.0.64/26")) {
            try ledger.allocate(AllocationRequest(pool: "p", length: 25))
        }
        #expect(try ledger.check().problems.isEmpty)
    }

    @Test func databaseRefusesTwoHolders() throws {
        let ledger = try Ledger(store: tempStore())
        let pool = try ledger.addPool(name: "p", prefix: try IPPrefix("10.0.0.0/24"))
        _ = try ledger.allocate(AllocationRequest(pool: "p", length: 26))
        // Bypass the code: the trigger alone must refuse a block overlapping a live one.
        let inner = try IPPrefix("10.0.0.32/27")
        #expect(throws: DBFailure.self) {
            try ledger.db.query(
                """
                INSERT INTO berth_allocations (pool_id, cidr, length, start_hex, end_hex, state, created_at)
                VALUES ($1, $2, 27, $3, $4, 'allocated', 0)
                """, .int(pool.id), .text(inner.description), .text(inner.startHex), .text(inner.endHex))
        }
    }

    @Test func leasesExpireIntoQuarantineThenFree() throws {
        let clock = Clock()
        let ledger = try Ledger(store: tempStore(), now: { clock.now })
        _ = try ledger.addPool(name: "p", prefix: try IPPrefix("10.0.0.0/30"), quarantine: 600)
        let a = try ledger.allocate(AllocationRequest(pool: "p", length: 30, lease: 60))
        clock.now += 61
        #expect(throws: LedgerError.self) { try ledger.allocate(AllocationRequest(pool: "p", length: 30)) }
        #expect(try ledger.list().first?.state == .quarantined)
        clock.now += 600
        #expect(try ledger.allocate(AllocationRequest(pool: "p", length: 30)).prefix == a.prefix)
        let kinds = try ledger.history(try IPAddress("10.0.0.1")).map(\.kind)
        #expect(kinds == [.allocate, .expire, .quarantineEnd, .allocate])
        #expect(try ledger.check().problems.isEmpty)
    }

    /// Two connections take turns: each one's cached used blocks go stale after the other writes,
    /// and its next write catches up from history (allocations, releases, lapsed leases) before
    /// choosing, so neither hands out a block the other holds and freed blocks are reused.
    @Test func connectionsCatchUpWithEachOthersWrites() throws {
        let store = tempStore()
        let clock = Clock()
        let a = try Ledger(store: store, now: { clock.now })
        let b = try Ledger(store: store, now: { clock.now })
        _ = try a.addPool(name: "p", prefix: try IPPrefix("10.0.0.0/26"))
        var held: [IPPrefix] = []
        for i in 0..<32 {
            let ledger = i % 2 == 0 ? a : b
            held.append(try ledger.allocate(AllocationRequest(pool: "p", length: 31, owner: "c\(i % 2)")).prefix)
        }
        #expect(Set(held).count == 32)
        #expect(throws: LedgerError.self) { try a.allocate(AllocationRequest(pool: "p", length: 32)) }
        // b frees a block a allocated; a's next allocation must see it free.
        _ = try b.release(held[4])
        #expect(try a.allocate(AllocationRequest(pool: "p", length: 31)).prefix == held[4])
        // a lease taken through b lapses; a reclaims it inside its own write and reuses the block.
        _ = try a.release(held[7])
        let leased = try b.allocate(AllocationRequest(pool: "p", length: 31, lease: 60))
        #expect(leased.prefix == held[7])
        clock.now += 61
        #expect(try a.allocate(AllocationRequest(pool: "p", length: 31)).prefix == held[7])
        #expect(try a.check().problems.isEmpty)
    }

    /// A store upgraded from schema version 1 gains the partial lease and quarantine indexes;
    /// a store from a newer berth is refused untouched.
    @Test func schemaUpgradeAndNewerStore() throws {
        let store = tempStore()
        _ = try Ledger(store: store).addPool(name: "p", prefix: try IPPrefix("10.0.0.0/24"))
        do {
            let raw = try SQLiteConnection(path: store, create: false)
            try raw.script(
                """
                DROP INDEX berth_allocations_leases; DROP INDEX berth_allocations_quarantined;
                CREATE INDEX berth_allocations_expiry ON berth_allocations(pool_id, state, expires_at);
                PRAGMA user_version = 1;
                """)
        }
        let upgraded = try Ledger(store: store)
        let names = try upgraded.db.query("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name").map { $0.string(0) }
        #expect(names.contains("berth_allocations_leases") && names.contains("berth_allocations_quarantined"))
        #expect(!names.contains("berth_allocations_expiry"))
        #expect(try upgraded.db.query("PRAGMA user_version").first?.int(0) == Int64(Schema.version))
        try upgraded.db.script("PRAGMA user_version = 99")
        #expect(
            throws: LedgerError.store(
                "store \(store) has schema version 99; this berth knows versions up to \(Schema.version): upgrade berth")
        ) {
            try Ledger(store: store)
        }
    }
}
