import Dispatch

/// Runs `body` for every index on all cores and collects the results in order.
///
/// ```swift
/// let squares = parallelMap(0..<100) { $0 * $0 }
/// ```
func parallelMap<T: Sendable>(_ range: Range<Int>, _ body: @Sendable (Int) -> T) -> [T] {
    let slots = Slots<T>(count: range.count)
    DispatchQueue.concurrentPerform(iterations: range.count) { i in
        slots.set(i, body(range.lowerBound + i))
    }
    return slots.values()
}

/// Fixed slots that parallel workers fill.
///
/// The slots are one buffer allocated up front. (An `Array` must not be used here:
/// `withUnsafeMutableBufferPointer` swaps the array's storage out for the duration of the
/// call, so two workers writing at once could see an empty array and trap.)
///
/// `@unchecked Sendable` is safe here because every index is written exactly once, by the
/// one worker that owns it, into its own element of a buffer that never moves, and the values
/// are read only after `concurrentPerform` returns (which waits for every worker, a
/// happens-before edge for all writes).
final class Slots<T>: @unchecked Sendable {
    private let storage: UnsafeMutableBufferPointer<T?>

    init(count: Int) {
        storage = .allocate(capacity: count)
        storage.initialize(repeating: nil)
    }

    deinit {
        storage.deinitialize()
        storage.deallocate()
    }

    func set(_ i: Int, _ value: T) { storage[i] = value }

    func values() -> [T] { storage.compactMap { $0 } }
}
