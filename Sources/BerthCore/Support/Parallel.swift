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
/// `@unchecked Sendable` is safe here because every index is written exactly once, by the
/// one worker that owns it, and the values are read only after `concurrentPerform` returns
/// (which waits for every worker, a happens-before edge for all writes).
final class Slots<T>: @unchecked Sendable {
    private var storage: [T?]

    init(count: Int) { storage = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ value: T) {
        storage.withUnsafeMutableBufferPointer { $0[i] = value }
    }

    func values() -> [T] { storage.map { $0! } }
}
