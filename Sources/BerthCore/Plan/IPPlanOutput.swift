import BerthNet
import Foundation

extension IPPlan {
    /// The plan as a table: key, range, size, free, purpose; then the changes against the lock file.
    public func table() -> String {
        var rows: [[String]] = [["KEY", "RANGE", "SIZE", "FREE", "PURPOSE"]]
        for e in entries {
            rows.append([e.key, e.prefix.description, e.prefix.addressCount.description, e.free.description,
                         e.purpose + (e.pinned ? " (pinned)" : "")])
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
        if !changes.isEmpty {
            out += "\nchanges against the lock file:\n"
            for c in changes { out += "  \(c.kind == .added ? "+" : "-") \(c.key) \(c.prefix)\n" }
        }
        return out
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
