import BerthNet
import BerthStore
import Crypto
import Foundation

/// Server tokens: `berth_` and 64 random hex digits, shown once; the store keeps the SHA-256.
public enum ServerToken {
    /// A new random token (256 bits from the system's generator).
    public static func generate() -> String {
        var rng = SystemRandomNumberGenerator()
        return "berth_" + HexText.lowercase(words: (0..<4).map { _ in rng.next() as UInt64 })
    }

    /// The SHA-256 of `token`, 64 lowercase hex digits: what the store keeps.
    public static func hash(_ token: String) -> String {
        hash(utf8: token.utf8)
    }

    /// The SHA-256 of the bytes `utf8`, as `hash(_:)` (every request computes one).
    static func hash<Bytes: Collection<UInt8>>(utf8 bytes: Bytes) -> String {
        HexText.lowercase(Array(SHA256.hash(data: Array(bytes))))
    }
}

/// Slows down addresses that keep failing to authenticate: after 5 failures within a minute,
/// every further failure waits (100 ms doubling, at most 2 s) before it is answered.
actor AuthFailures {
    private var failures: [String: [ContinuousClock.Instant]] = [:]

    /// Records a failure from `address` and returns how long to wait before answering it.
    func record(_ address: String) -> Duration {
        let now = ContinuousClock.now
        var list = failures[address, default: []].filter { now - $0 < .seconds(60) }
        list.append(now)
        failures[address] = list
        if failures.count > 10_000 { failures = failures.filter { !$0.value.isEmpty && now - ($0.value.last ?? now) < .seconds(60) } }
        let excess = list.count - 5
        guard excess > 0 else { return .zero }
        return min(.milliseconds(100) * (1 << min(excess - 1, 5)), .seconds(2))
    }
}
