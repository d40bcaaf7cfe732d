import Foundation

/// Per-stage wall and CPU time of one run, printed by `berth render` when `BERTH_TIMINGS=1`.
///
/// The CPU column is the whole process's CPU time (all threads, user and system) spent during
/// the stage, so it stays meaningful on a loaded machine where wall time does not, and a
/// stage's CPU over its wall time shows how well it used the cores.
///
/// ```swift
/// let items = StageTimer.measure("index") { ReferenceCheck.indexes(byCluster) }
/// ```
public enum StageTimer {
    /// One measured stage.
    public struct Stage: Sendable {
        /// The stage's name, e.g. `plan`.
        public var name: String
        /// Wall time, in milliseconds.
        public var wallMs: Double
        /// Process CPU time (all threads) during the stage, in milliseconds.
        public var cpuMs: Double
    }

    /// Off unless `BERTH_TIMINGS=1`: measuring costs two clock reads per stage.
    public static let enabled = ProcessInfo.processInfo.environment["BERTH_TIMINGS"] == "1"
    /// The stages, behind a lock: stages may end on worker threads.
    private static let stages = Locked([Stage]())

    /// Runs `body` and records its wall and CPU time under `name` when timings are on.
    @inline(__always)
    public static func measure<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        guard enabled else { return try body() }
        let (w0, c0) = (now(CLOCK_MONOTONIC), now(CLOCK_PROCESS_CPUTIME_ID))
        let result = try body()
        let stage = Stage(name: name, wallMs: now(CLOCK_MONOTONIC) - w0, cpuMs: now(CLOCK_PROCESS_CPUTIME_ID) - c0)
        stages.withLock { $0.append(stage) }
        return result
    }

    /// The stages recorded so far, in the order they ended, as one line each.
    public static func report() -> String {
        stages.withLock { all in
            all.map { s in
                "timings: \(s.name) \(String(format: "%.1f", s.wallMs)) ms wall, \(String(format: "%.1f", s.cpuMs)) ms cpu\n"
            }.joined()
        }
    }

    private static func now(_ clock: clockid_t) -> Double {
        var t = timespec()
        clock_gettime(clock, &t)
        return Double(t.tv_sec) * 1000 + Double(t.tv_nsec) / 1e6
    }
}
