/// SplitMix64: a small, fast, seeded random number generator that gives the same sequence for
/// the same seed on every platform, for reproducible tests, fuzzers and benchmarks (its Python
/// twin is in `scripts/ipdiff/bench_netaddr.py`).
///
/// ```swift
/// var a = SplitMix64(state: 7)
/// var b = SplitMix64(state: 7)
/// assert(a.next() == b.next())
/// assert(a.below(10) < 10)
/// ```
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The generator's state; the seed before the first call.
    public var state: UInt64

    /// A generator seeded with `state`.
    public init(state: UInt64) { self.state = state }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<n` (0 when `n` is at most 1), by the remainder: the same on every
    /// platform, unlike `Int.random(in:using:)`, whose algorithm may change.
    public mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }
}
