import BerthNet
@testable import BerthStore
import Foundation
import Testing

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
}
