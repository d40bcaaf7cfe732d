import BerthNet
import Foundation

extension IPPlan {
    /// The plan as a table: key, range, size, free, purpose; then the changes against the lock file.
    public func table() -> String {
        var rows: [[String]] = [["KEY", "RANGE", "SIZE", "FREE", "PURPOSE"]]
        for e in entries {
            rows.append([
                e.key, e.prefix.description, IPPlan.countText(e.prefix.addressCount), IPPlan.countText(e.free),
                e.purpose + (e.pinned ? " (pinned)" : ""),
            ])
        }
        var widths = [Int](repeating: 0, count: 5)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        var out = ""
        for r in rows {
            var line = ""
            for (i, c) in r.enumerated() {
                line += i == r.count - 1 ? c : c.padding(toLength: widths[i] + 2, withPad: " ", startingAt: 0)
            }
            out += line + "\n"
        }
        if changes.allSatisfy({ $0.kind == .added }) && !entries.contains(where: \.pinned) && !changes.isEmpty {
            out += "\nno lock file yet: `berth ip plan SPEC --write` pins these ranges so later plans never move them\n"
        } else if !changes.isEmpty {
            out += "\nchanges against the lock file:\n"
            for c in changes { out += "  \(c.kind == .added ? "+" : "-") \(c.key) \(c.prefix)\n" }
        }
        return out
    }

    /// Counts up to 2^24 in full; larger ones as powers of two (`2^64`, `2^61.9`), as IPv6 sizes read best.
    static func countText(_ c: AddressCount) -> String {
        if let v = c.uint64Value, v <= 1 << 24 { return String(v) }
        let l = log2(c.doubleValue)
        return l == l.rounded() ? "2^\(Int(l))" : "2^" + String(format: "%.1f", l)
    }

    /// The plan as JSON: every entry and the changes.
    public func json() -> JSONValue {
        let items: [JSONValue] = entries.map { e in
            var o: [(String, JSONValue)] = [
                ("key", .string(e.key)), ("cidr", .string(e.prefix.description)), ("kind", .string(e.kind.rawValue)),
                ("size", .string(e.prefix.addressCount.description)), ("free", .string(e.free.description)),
                ("purpose", .string(e.purpose)), ("pinned", .bool(e.pinned)),
            ]
            if let c = e.cluster { o.append(("cluster", .string(c))) }
            if let z = e.zone { o.append(("zone", .string(z))) }
            return .object(o)
        }
        let ch: [JSONValue] = changes.map { ["change": .string($0.kind.rawValue), "key": .string($0.key), "cidr": .string($0.prefix)] }
        return ["ranges": .array(items), "changes": .array(ch)]
    }
}
