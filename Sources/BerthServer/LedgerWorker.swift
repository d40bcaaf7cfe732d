import BerthStore
import Foundation

/// What a request presents: the SHA-256 of its bearer token and the scope its route needs.
struct Credential: Sendable {
    let hash: String
    let scope: TokenScope
}

/// Why a credential was refused; the route answers 401 (unknown, revoked) or 403 (scope).
enum AuthFailure: Error, Sendable {
    case unknown
    case revoked
    case scope(TokenRecord, needed: TokenScope)
}

/// One ledger connection on its own thread. The ledger's calls block (SQLite and libpq), so they
/// never run on Swift's cooperative threads; requests queue here and are answered through
/// continuations.
///
/// A request's token is checked on the same thread, in the same job as its work: one handoff to
/// the worker and one back per request, and a token revoked by any process is refused from the
/// next request on (nothing is cached between jobs).
///
/// Allocations that arrive while the thread is busy are drained together: all of them, whatever
/// their pools, are committed in one transaction (`Ledger.allocateBatch(_:)`, at most `maxBatch`
/// allocations each; the pools' locks taken in a fixed order), each pool's in the order they
/// arrived, and each is answered only after that commit returned: one disk flush per drain, not
/// one per pool. A bad request or a full pool fails its own allocations only. Other jobs keep
/// their place: allocations are never moved across a job that is not an allocation.
///
/// Group commit: the clients answered by one commit usually send their next request within a
/// fraction of a millisecond, while the commit itself waits for the disk. So when the last drain
/// held several allocations and fewer are waiting now, the thread waits up to `gather` for the
/// queue to reach that many (the previous drain plus what queued during it) before it drains,
/// as PostgreSQL's `commit_delay` does. A lone client never waits (its drains hold one), and the
/// wait ends at once when any other job arrives.
final class LedgerWorker: @unchecked Sendable {
    typealias Done = @Sendable (Result<Allocation, any Error>) -> Void
    private enum Job {
        case run((Ledger) -> Void)
        case allocate(AllocationRequest, Credential, Done)
    }

    private let condition = NSCondition()
    private var queue: [Job] = []
    private var stopped = false
    private let ledger: Ledger
    /// The largest number of allocations committed in one transaction (all pools together).
    let maxBatch: Int
    /// Called after each batch with its size (metrics).
    private let onBatch: @Sendable (Int) -> Void
    /// The longest the thread waits for the allocations it expects (group commit); zero: never.
    let gather: TimeInterval
    /// Allocations queued now (guarded by `condition`).
    private var queuedAllocations = 0

    init(
        ledger: Ledger, name: String, maxBatch: Int = 256, gather: TimeInterval = 0,
        onBatch: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        self.ledger = ledger
        self.maxBatch = maxBatch
        self.gather = gather
        self.onBatch = onBatch
        let thread = Thread { [self] in loop() }
        thread.name = name
        thread.start()
    }

    /// `run` with `actor` recorded as the actor of every history event the body writes.
    func run<T: Sendable>(as actor: String, _ body: @escaping @Sendable (Ledger) throws(LedgerError) -> T) async throws(LedgerError) -> T {
        try await run { ledger throws(LedgerError) in
            ledger.actor = actor
            defer { ledger.actor = nil }
            return try body(ledger)
        }
    }

    /// Runs `body` with the ledger on the worker thread.
    func run<T: Sendable>(_ body: @escaping @Sendable (Ledger) throws(LedgerError) -> T) async throws(LedgerError) -> T {
        let result: Result<T, LedgerError> = await withCheckedContinuation { continuation in
            enqueue(
                .run { ledger in
                    do throws(LedgerError) {
                        continuation.resume(returning: .success(try body(ledger)))
                    } catch {
                        continuation.resume(returning: .failure(error))
                    }
                })
        }
        return try result.get()
    }

    /// Checks `credential` and, when it holds, runs `body` with the ledger and the token, the
    /// token's name recorded as the actor of the history events the body writes. Throws
    /// `AuthFailure` when the token is unknown, revoked or too narrow; else what the body throws.
    func run<T: Sendable>(authorizing credential: Credential, _ body: @escaping @Sendable (Ledger, TokenRecord) throws -> T) async throws
        -> T
    {
        let result: Result<T, any Error> = await withCheckedContinuation { continuation in
            enqueue(
                .run { ledger in
                    do {
                        let token = try Self.check(credential, ledger)
                        ledger.actor = token.name
                        defer { ledger.actor = nil }
                        continuation.resume(returning: .success(try body(ledger, token)))
                    } catch {
                        continuation.resume(returning: .failure(error))
                    }
                })
        }
        return try result.get()
    }

    /// Allocates by length once `credential` holds, batched with the other allocations waiting
    /// now (of any pool). Throws `AuthFailure` or `LedgerError`.
    func allocate(_ request: AllocationRequest, _ credential: Credential) async throws -> Allocation {
        let result: Result<Allocation, any Error> = await withCheckedContinuation { continuation in
            enqueue(.allocate(request, credential, { continuation.resume(returning: $0) }))
        }
        return try result.get()
    }

    /// The token behind `credential`, or why it is refused.
    static func check(_ credential: Credential, _ ledger: Ledger) throws -> TokenRecord {
        guard let token = try ledger.token(hash: credential.hash) else { throw AuthFailure.unknown }
        guard token.revokedAt == nil else { throw AuthFailure.revoked }
        guard token.scope >= credential.scope else { throw AuthFailure.scope(token, needed: credential.scope) }
        return token
    }

    /// Jobs waiting for the thread (tests).
    var queued: Int {
        condition.lock()
        defer { condition.unlock() }
        return queue.count
    }

    func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    private func enqueue(_ job: Job) {
        condition.lock()
        queue.append(job)
        if case .allocate = job { queuedAllocations += 1 }
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        // How many allocations the next drain can expect: the last drain's (their clients were
        // just answered) plus those that queued while it ran.
        var expected = 0
        while true {
            condition.lock()
            while queue.isEmpty && !stopped { condition.wait() }
            if queue.isEmpty && stopped {
                condition.unlock()
                return
            }
            if gather > 0 && expected > 1 {
                let deadline = Date(timeIntervalSinceNow: gather)
                while queuedAllocations < min(expected, maxBatch) && queuedAllocations == queue.count && !stopped {
                    if !condition.wait(until: deadline) { break }
                }
            }
            let jobs = queue
            let drained = queuedAllocations
            queue.removeAll(keepingCapacity: true)
            queuedAllocations = 0
            condition.unlock()
            var i = 0
            while i < jobs.count {
                if case .run(let body) = jobs[i] {
                    body(ledger)
                    i += 1
                    continue
                }
                // The allocations from here to the next other job: checked, then grouped by pool.
                var segment: [(AllocationRequest, Credential, Done)] = []
                while i < jobs.count, case .allocate(let r, let c, let done) = jobs[i] {
                    segment.append((r, c, done))
                    i += 1
                }
                allocate(segment)
            }
            condition.lock()
            expected = drained + queuedAllocations
            condition.unlock()
        }
    }

    /// Checks each allocation's token (once per distinct token in the segment), then commits the
    /// allocations that passed, in arrival order, in transactions of at most `maxBatch` each,
    /// whatever their pools.
    private func allocate(_ segment: [(AllocationRequest, Credential, Done)]) {
        var checked: [String: Result<TokenRecord, any Error>] = [:]
        var accepted: [(AllocationRequest, Done)] = []
        accepted.reserveCapacity(segment.count)
        for (request, credential, done) in segment {
            let key = credential.hash + " " + credential.scope.rawValue
            let verdict = checked[key] ?? Result { try Self.check(credential, ledger) }
            checked[key] = verdict
            switch verdict {
            case .failure(let error):
                done(.failure(error))
            case .success(let token):
                var r = request
                r.actor = token.name
                accepted.append((r, done))
            }
        }
        var start = 0
        while start < accepted.count {
            let batch = accepted[start..<min(start + maxBatch, accepted.count)]
            start += batch.count
            commit(batch)
        }
    }

    /// Commits `batch` in one transaction (`Ledger.allocateBatch`), its allocations grouped by
    /// pool in the order they arrived, and answers each once the commit has returned.
    private func commit(_ batch: ArraySlice<(AllocationRequest, Done)>) {
        var pools: [String] = []
        var byPool: [String: [(AllocationRequest, Done)]] = [:]
        for job in batch {
            if byPool[job.0.pool] == nil { pools.append(job.0.pool) }
            byPool[job.0.pool, default: []].append(job)
        }
        let groups = pools.map { pool in (pool: pool, jobs: byPool[pool] ?? []) }
        let results: [[Result<Allocation, any Error>]]
        do throws(LedgerError) {
            results = try ledger.allocateBatch(groups.map { (pool: $0.pool, requests: $0.jobs.map(\.0)) })
                .map { answers in answers.map { $0.mapError { $0 } } }
        } catch {
            results = groups.map { group in group.jobs.map { _ in .failure(error) } }
        }
        // Counted before anyone is answered, so that a client that sees its answer also sees the batch.
        onBatch(batch.count)
        for (group, answers) in zip(groups, results) {
            for (job, result) in zip(group.jobs, answers) { job.1(result) }
        }
    }
}
