import BerthNet
import Foundation
import Testing

@testable import BerthServer
@testable import BerthStore

/// The server's ledger worker: tokens checked in the job that serves the request, and queued
/// allocations of every pool committed in one transaction per drain.
@Suite struct LedgerWorkerTests {
    /// A store with pools `a` and `b`, a live allocate token `good` and a revoked one `gone`.
    func ledger() throws -> Ledger {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("worker-\(UUID().uuidString).sqlite").path
        let ledger = try Ledger(store: path, access: .create)
        _ = try ledger.addPool(name: "a", prefix: try IPPrefix("10.0.0.0/24"))
        _ = try ledger.addPool(name: "b", prefix: try IPPrefix("10.1.0.0/24"))
        _ = try ledger.addToken(name: "good", scope: .allocate, hash: ServerToken.hash("good-token"))
        _ = try ledger.addToken(name: "gone", scope: .allocate, hash: ServerToken.hash("gone-token"))
        _ = try ledger.revokeToken(name: "gone")
        return ledger
    }

    final class Sizes: @unchecked Sendable {
        let lock = NSLock()
        var all: [Int] = []
        func add(_ n: Int) { lock.withLock { all.append(n) } }
    }

    /// Holds the worker's thread busy until `release` is signalled, so that the jobs queued
    /// meanwhile are drained together. Only the worker's own thread blocks.
    final class Gate: @unchecked Sendable {
        let lock = NSLock()
        var inside = false
        let release = DispatchSemaphore(value: 0)
        var entered: Bool { lock.withLock { inside } }
    }

    func hold(_ worker: LedgerWorker) async throws -> Gate {
        let gate = Gate()
        Task {
            _ = try? await worker.run { _ throws(LedgerError) in
                gate.lock.withLock { gate.inside = true }
                gate.release.wait()
            }
        }
        while !gate.entered { try await Task.sleep(for: .milliseconds(1)) }
        return gate
    }

    @Test func allocationsOfInterleavedPoolsShareOneTransaction() async throws {
        let sizes = Sizes()
        let worker = LedgerWorker(ledger: try ledger(), name: "test-writer", onBatch: sizes.add)
        defer { worker.stop() }
        let gate = try await hold(worker)
        let good = Credential(hash: ServerToken.hash("good-token"), scope: .allocate)
        let tasks = (0..<8).map { i in
            Task { try await worker.allocate(AllocationRequest(pool: i % 2 == 0 ? "a" : "b", length: 28, requestID: "r\(i)"), good) }
        }
        // Every allocation is queued behind the held job before it is let go.
        while worker.queued < 8 { try await Task.sleep(for: .milliseconds(1)) }
        gate.release.signal()
        var blocks: [String] = []
        for t in tasks { blocks.append(try await t.value.prefix.description) }
        #expect(sizes.all == [8])
        #expect(Set(blocks).count == 8)
        // Each pool's allocations keep their arrival order.
        #expect(
            blocks == [
                "10.0.0.0/28", "10.1.0.0/28", "10.0.0.16/28", "10.1.0.16/28", "10.0.0.32/28", "10.1.0.32/28", "10.0.0.48/28",
                "10.1.0.48/28",
            ])
    }

    /// `maxBatch` bounds a transaction over all its pools; a bad request and an unknown pool fail
    /// their own allocations only.
    @Test func maxBatchCountsAllPoolsAndBadRequestsFailAlone() async throws {
        let sizes = Sizes()
        let worker = LedgerWorker(ledger: try ledger(), name: "test-writer", maxBatch: 3, onBatch: sizes.add)
        defer { worker.stop() }
        let gate = try await hold(worker)
        let good = Credential(hash: ServerToken.hash("good-token"), scope: .allocate)
        let requests = [
            AllocationRequest(pool: "a", length: 28), AllocationRequest(pool: "b", length: 28), AllocationRequest(pool: "a", length: 4),
            AllocationRequest(pool: "nope", length: 28), AllocationRequest(pool: "b", length: 28), AllocationRequest(pool: "a", length: 28),
            AllocationRequest(pool: "b", length: 28),
        ]
        var tasks: [Task<String, Never>] = []
        for (i, r) in requests.enumerated() {
            tasks.append(
                Task {
                    do { return try await worker.allocate(r, good).prefix.description } catch { return "\(error)" }
                })
            // Queued in this order, behind the held job.
            while worker.queued < i + 1 { try await Task.sleep(for: .milliseconds(1)) }
        }
        gate.release.signal()
        var answers: [String] = []
        for t in tasks { answers.append(await t.value) }
        #expect(sizes.all == [3, 3, 1])
        #expect(
            answers == [
                "10.0.0.0/28", "10.1.0.0/28", "prefix length 4 is out of range in pool 'a' (10.0.0.0/24) (allowed 24-32)",
                "unknown pool 'nope'; pools: a, b", "10.1.0.16/28", "10.0.0.16/28", "10.1.0.32/28",
            ])
    }

    /// Three allocations queued behind a held job and committed in one drain, so that the
    /// worker expects three at its next drain.
    func drainThree(_ worker: LedgerWorker, _ credential: Credential) async throws {
        let gate = try await hold(worker)
        let first = (0..<3).map { i in
            Task { try await worker.allocate(AllocationRequest(pool: "a", length: 28, requestID: "f\(i)"), credential) }
        }
        while worker.queued < 3 { try await Task.sleep(for: .milliseconds(1)) }
        gate.release.signal()
        for t in first { _ = try await t.value }
    }

    /// Group commit: after a drain of three, a lone allocation waits (up to `gather`) for the two
    /// that follow it, and all three share one transaction. Without `gather` it commits alone.
    @Test(arguments: [0, 30] as [TimeInterval])
    func answeredClientsAreGatheredIntoTheNextCommit(gather: TimeInterval) async throws {
        let sizes = Sizes()
        let worker = LedgerWorker(ledger: try ledger(), name: "test-writer", gather: gather, onBatch: sizes.add)
        defer { worker.stop() }
        let good = Credential(hash: ServerToken.hash("good-token"), scope: .allocate)
        try await drainThree(worker, good)
        let lone = Task { try await worker.allocate(AllocationRequest(pool: "a", length: 28, requestID: "n0"), good) }
        try await Task.sleep(for: .milliseconds(300))
        let rest = (1..<3).map { i in Task { try await worker.allocate(AllocationRequest(pool: "a", length: 28, requestID: "n\(i)"), good) }
        }
        for t in [lone] + rest { _ = try await t.value }
        if gather > 0 {
            #expect(sizes.all == [3, 3])
        } else {
            // The lone allocation commits alone; the two that follow may or may not share one.
            #expect(Array(sizes.all.prefix(2)) == [3, 1] && sizes.all.reduce(0, +) == 6)
        }
    }

    /// A job that is not an allocation ends the wait at once: reads are never held back.
    @Test func otherJobsAreNotHeldBackByTheGather() async throws {
        let worker = LedgerWorker(ledger: try ledger(), name: "test-writer", gather: 30)
        defer { worker.stop() }
        let good = Credential(hash: ServerToken.hash("good-token"), scope: .allocate)
        try await drainThree(worker, good)
        let start = ContinuousClock.now
        let pools = try await worker.run { ledger throws(LedgerError) in try ledger.pools().count }
        #expect(pools == 2)
        #expect(ContinuousClock.now - start < .seconds(10))
    }

    @Test func aRefusedTokenFailsItsOwnAllocationOnly() async throws {
        let sizes = Sizes()
        let store = try ledger()
        let worker = LedgerWorker(ledger: store, name: "test-writer", onBatch: sizes.add)
        defer { worker.stop() }
        let gate = try await hold(worker)
        let credentials = [
            Credential(hash: ServerToken.hash("good-token"), scope: .allocate),
            Credential(hash: ServerToken.hash("gone-token"), scope: .allocate),
            Credential(hash: ServerToken.hash("no-such-token"), scope: .allocate),
            Credential(hash: ServerToken.hash("good-token"), scope: .admin),
            Credential(hash: ServerToken.hash("good-token"), scope: .allocate),
        ]
        let tasks = credentials.enumerated().map { i, c in
            Task { () -> String in
                do {
                    return try await worker.allocate(AllocationRequest(pool: "a", length: 28, requestID: "q\(i)"), c).prefix.description
                } catch let f as AuthFailure {
                    switch f {
                    case .unknown: return "unknown"
                    case .revoked: return "revoked"
                    case .scope(let t, let needed): return "\(t.name) lacks \(needed.rawValue)"
                    }
                }
            }
        }
        while worker.queued < credentials.count { try await Task.sleep(for: .milliseconds(1)) }
        gate.release.signal()
        var answers: [String] = []
        for t in tasks { answers.append(try await t.value) }
        #expect(answers == ["10.0.0.0/28", "revoked", "unknown", "good lacks admin", "10.0.0.16/28"])
        #expect(sizes.all == [2])
        // The history names the token that allocated.
        let actors = try store.db.query("SELECT actor FROM berth_history WHERE event = 'allocate' ORDER BY seq").map { $0.string(0) }
        #expect(actors == ["good", "good"])
    }

    @Test func aTokenRevokedByAnotherProcessIsRefusedAtTheNextRequest() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("worker-\(UUID().uuidString).sqlite").path
        let other = try Ledger(store: path, access: .create)
        _ = try other.addPool(name: "a", prefix: try IPPrefix("10.0.0.0/24"))
        _ = try other.addToken(name: "ci", scope: .read, hash: ServerToken.hash("ci-token"))
        let worker = LedgerWorker(ledger: try Ledger(store: path, access: .write), name: "test-reader")
        defer { worker.stop() }
        let ci = Credential(hash: ServerToken.hash("ci-token"), scope: .read)
        #expect(try await worker.run(authorizing: ci) { ledger, token in "\(token.name): \(try ledger.pools().count)" } == "ci: 1")
        _ = try other.revokeToken(name: "ci")
        await #expect(throws: AuthFailure.self) { try await worker.run(authorizing: ci) { _, _ in 0 } }
    }
}
