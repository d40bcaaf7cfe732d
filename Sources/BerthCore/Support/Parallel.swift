import Dispatch
import Foundation

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

/// A value computed on another thread while the caller goes on; `value()` waits for it.
///
/// ```swift
/// let problems = Background { ReferenceCheck.clusterProblems(byCluster: objects, indexes: indexes) }
/// let files = serialise()   // meanwhile
/// let found = problems.value()
/// ```
///
/// `@unchecked Sendable` is safe here because `result` is written once, by the one job that
/// computes it, before `done` is signalled, and read only after `value()` has waited for that
/// signal (a happens-before edge).
final class Background<T: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: T?

    init(_ body: @escaping @Sendable () -> T) {
        DispatchQueue.global(qos: .userInitiated).async {
            self.result = body()
            self.done.signal()
        }
    }

    /// The value, once the job has computed it (waits until then; call it once).
    func value() -> T {
        done.wait()
        guard let result else { preconditionFailure("the job signalled without a result") }
        return result
    }
}

/// Releases `value` on a background thread, or never when `TreeRelease.current` is `atExit`.
///
/// Freeing a render's object trees (25,000 objects of nested arrays and strings) node by node
/// takes about a tenth of the render's time. The caller gives up its reference with `consume`,
/// so the closure holds the last one and the trees are freed on the global queue, while the
/// caller goes on (writing files, which mostly waits on the disk). A process that exits
/// first lets the operating system reclaim the memory at once; `berth render`, which always
/// does, keeps the trees (`atExit`) so that no core spends time freeing them.
func dropInBackground<T: Sendable>(_ value: consuming T) {
    let held = Held(value)
    if TreeRelease.current == .atExit {
        TreeRelease.keep(held)
        return
    }
    DispatchQueue.global(qos: .utility).async { held.drop() }
}

/// What a render does with the object trees it leaves behind (`dropInBackground`).
public enum TreeRelease: Sendable {
    /// Freed on a background thread: the default, for a library caller or a server that goes on.
    case background
    /// Kept until the process exits: a command that exits right after writing its output
    /// leaves that memory to the operating system, as compilers do, instead of spending CPU
    /// (beside the file writes) freeing tens of thousands of objects node by node.
    case atExit

    /// The policy, and the values kept under `atExit`.
    private static let state = Locked((policy: TreeRelease.background, kept: [AnyObject]()))

    /// The policy of this process (`background` unless a command set it).
    public static var current: TreeRelease {
        get { state.withLock { $0.policy } }
        set { state.withLock { $0.policy = newValue } }
    }

    fileprivate static func keep(_ value: AnyObject) { state.withLock { $0.kept.append(value) } }
}

/// A value behind a lock, for state that threads share (the stage timings, the tree-release policy).
///
/// `@unchecked Sendable` is safe because `value` is only read or changed inside `withLock`,
/// while `lock` is held.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    /// Runs `body` on the value with the lock held.
    func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

/// One value, dropped on request. `@unchecked Sendable` is safe here because the value is
/// `Sendable` and the only mutation, `drop()`, runs once, on the one thread that owns `held`
/// after `dropInBackground` returns.
private final class Held<T: Sendable>: @unchecked Sendable {
    private var value: T?
    init(_ value: consuming T) { self.value = value }
    func drop() { value = nil }
}
