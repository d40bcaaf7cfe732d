import BerthStore
import Foundation

/// One ledger connection on its own thread. The ledger's calls block (SQLite and libpq), so they
/// never run on Swift's cooperative threads; requests queue here and are answered through
/// continuations.
///
/// Allocations that arrive while the thread is busy are drained together: consecutive allocations
/// of one pool are committed in one transaction (`Ledger.allocateBatch`) and each is answered only
/// after that commit returned.
final class LedgerWorker: @unchecked Sendable {
    private enum Job {
        case run((Ledger) -> Void)
        case allocate(AllocationRequest, (Result<Allocation, LedgerError>) -> Void)
    }

    private let condition = NSCondition()
    private var queue: [Job] = []
    private var stopped = false
    private let ledger: Ledger
    /// The largest number of allocations committed in one transaction.
    let maxBatch: Int
    /// Called after each batch with its size (metrics).
    private let onBatch: @Sendable (Int) -> Void

    init(ledger: Ledger, name: String, maxBatch: Int = 256, onBatch: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.ledger = ledger
        self.maxBatch = maxBatch
        self.onBatch = onBatch
        let thread = Thread { [self] in loop() }
        thread.name = name
        thread.start()
    }

    /// Runs `body` with the ledger on the worker thread.
    /// `run` with `actor` recorded as the actor of every history event the body writes.
    func run<T: Sendable>(as actor: String, _ body: @escaping @Sendable (Ledger) throws(LedgerError) -> T) async throws(LedgerError) -> T {
        try await run { ledger throws(LedgerError) in
            ledger.actor = actor
            defer { ledger.actor = nil }
            return try body(ledger)
        }
    }

    func run<T: Sendable>(_ body: @escaping @Sendable (Ledger) throws(LedgerError) -> T) async throws(LedgerError) -> T {
        let result: Result<T, LedgerError> = await withCheckedContinuation { continuation in
            enqueue(.run { ledger in
                do throws(LedgerError) {
                    continuation.resume(returning: .success(try body(ledger)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            })
        }
        return try result.get()
    }

    /// Allocates by length, batched with the other allocations of the same pool waiting now.
    func allocate(_ request: AllocationRequest) async throws(LedgerError) -> Allocation {
        let result: Result<Allocation, LedgerError> = await withCheckedContinuation { continuation in
            enqueue(.allocate(request, { continuation.resume(returning: $0) }))
        }
        return try result.get()
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
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while queue.isEmpty && !stopped { condition.wait() }
            if queue.isEmpty && stopped {
                condition.unlock()
                return
            }
            let jobs = queue
            queue.removeAll(keepingCapacity: true)
            condition.unlock()
            var i = 0
            while i < jobs.count {
                switch jobs[i] {
                case .run(let body):
                    body(ledger)
                    i += 1
                case .allocate(let first, _):
                    // The run of allocations for this pool starting here (up to maxBatch).
                    var batch: [(AllocationRequest, (Result<Allocation, LedgerError>) -> Void)] = []
                    while i < jobs.count, batch.count < maxBatch, case .allocate(let r, let done) = jobs[i], r.pool == first.pool {
                        batch.append((r, done))
                        i += 1
                    }
                    do throws(LedgerError) {
                        let results = try ledger.allocateBatch(pool: first.pool, batch.map(\.0))
                        for (k, result) in results.enumerated() { batch[k].1(result) }
                    } catch {
                        for (_, done) in batch { done(.failure(error)) }
                    }
                    onBatch(batch.count)
                }
            }
        }
    }
}
