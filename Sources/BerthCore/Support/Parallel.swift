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

/// Releases `value` on a background thread.
///
/// Freeing a render's object trees (25,000 objects of nested arrays and strings) node by node
/// takes about a tenth of the render's time. The caller gives up its reference with `consume`,
/// so the closure holds the last one and the trees are freed on the global queue, while the
/// caller goes on (writing files, which mostly waits on the disk). A process that exits
/// first lets the operating system reclaim the memory at once.
func dropInBackground<T: Sendable>(_ value: consuming T) {
    let held = Held(value)
    DispatchQueue.global(qos: .utility).async { held.drop() }
}

/// One value, dropped on request. `@unchecked Sendable` is safe here because the value is
/// `Sendable` and the only mutation, `drop()`, runs once, on the one thread that owns `held`
/// after `dropInBackground` returns.
private final class Held<T: Sendable>: @unchecked Sendable {
    private var value: T?
    init(_ value: consuming T) { self.value = value }
    func drop() { value = nil }
}
