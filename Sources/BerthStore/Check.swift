import BerthNet

extension Ledger {
    /// Checks the whole store: the database's own check (SQLite `integrity_check`), every row's
    /// range against its text, allocations inside their pools, no two live holders of an address,
    /// and every allocation's state equal to the replay of its history (no half-written allocation).
    public func check() throws(LedgerError) -> IntegrityReport {
        let damage = try read { () throws -> [String] in try db.integrityProblems() }
        do {
            return try tableCheck(damage)
        } catch {
            // A damaged file may not even read: report the database's own findings.
            guard !damage.isEmpty else { throw error }
            var report = IntegrityReport()
            report.problems = damage + ["the ledger's tables cannot be read: \(error.description)"]
            return report
        }
    }

    /// One allocation row as the check reads it.
    private struct CheckedRow {
        let id: Int64
        let pool: Int64
        let prefix: IPPrefix
        let state: AllocationState
        let owner: String?
    }

    /// The tables, phase by phase: pools, allocations, overlaps of live blocks, the history replay.
    private func tableCheck(_ damage: [String]) throws(LedgerError) -> IntegrityReport {
        try read { () throws -> IntegrityReport in
            var report = IntegrityReport()
            report.problems += damage
            let pools = try checkPools(&report)
            let (rows, live) = try checkAllocations(pools, &report)
            for (poolID, prefixes) in live {
                let sorted = prefixes.sorted { $0.first < $1.first }
                for (a, b) in zip(sorted, sorted.dropFirst()) where a.overlaps(b) {
                    report.problems.append("pool '\(pools[poolID]?.name ?? "?")': live allocations \(a) and \(b) overlap")
                }
            }
            try checkHistory(rows, &report)
            return report
        }
    }

    /// Each pool's stored range against its text, and no two pools overlapping; the pools by id.
    private func checkPools(_ report: inout IntegrityReport) throws -> [Int64: (name: String, prefix: IPPrefix)] {
        let pools = try db.query("SELECT id, name, cidr, start_hex, end_hex FROM berth_pools ORDER BY id")
        report.pools = pools.count
        var poolPrefix: [Int64: (name: String, prefix: IPPrefix)] = [:]
        for row in pools {
            guard let id = row.int(0) else {
                report.problems.append("pool row without id")
                continue
            }
            guard let p = try? IPPrefix(row.string(2)) else {
                report.problems.append("pool '\(row.string(1))': malformed cidr '\(row.string(2))'")
                continue
            }
            if p.startHex != row.string(3) || p.endHex != row.string(4) {
                report.problems.append("pool '\(row.string(1))': stored range does not match \(p)")
            }
            for (_, other) in poolPrefix where other.prefix.overlaps(p) {
                report.problems.append("pool '\(row.string(1))' (\(p)) overlaps pool '\(other.name)' (\(other.prefix))")
            }
            poolPrefix[id] = (row.string(1), p)
        }
        return poolPrefix
    }

    /// Each allocation's range, pool, state and end times; the rows by id and the live blocks per pool.
    private func checkAllocations(
        _ pools: [Int64: (name: String, prefix: IPPrefix)], _ report: inout IntegrityReport
    ) throws -> (rows: [Int64: CheckedRow], live: [Int64: [IPPrefix]]) {
        var rows: [Int64: CheckedRow] = [:]
        var live: [Int64: [IPPrefix]] = [:]
        for row in try db.query(
            "SELECT id, pool_id, cidr, start_hex, end_hex, state, owner, length, quarantine_until, ended_at FROM berth_allocations ORDER BY id"
        ) {
            report.allocations += 1
            guard let id = row.int(0), let poolID = row.int(1), let pool = pools[poolID] else {
                report.problems.append("allocation \(row.string(0)): unknown pool \(row.string(1))")
                continue
            }
            guard let p = try? IPPrefix(row.string(2)) else {
                report.problems.append("allocation \(id): malformed cidr '\(row.string(2))'")
                continue
            }
            guard let state = AllocationState(rawValue: row.string(5)) else {
                report.problems.append("allocation \(id): unknown state '\(row.string(5))'")
                continue
            }
            if p.startHex != row.string(3) || p.endHex != row.string(4) || row.int(7) != Int64(p.length) {
                report.problems.append("allocation \(id): stored range does not match \(p)")
            }
            if !pool.prefix.contains(p) {
                report.problems.append("allocation \(id) (\(p)) is outside pool '\(pool.name)' (\(pool.prefix))")
            }
            if state == .quarantined && row[8] == nil {
                report.problems.append("allocation \(id) is quarantined without an end")
            }
            if (state == .quarantined || state == .released) && row[9] == nil {
                report.problems.append("allocation \(id) is \(state.rawValue) without an end time")
            }
            if state.isLive {
                report.liveAllocations += 1
                live[poolID, default: []].append(p)
            }
            rows[id] = CheckedRow(id: id, pool: poolID, prefix: p, state: state, owner: row[6])
        }
        return (rows, live)
    }

    /// Replays the history per allocation (allocate/reserve first, then release/expire, then
    /// quarantine-end) and compares the result with each allocation's state.
    private func checkHistory(_ rows: [Int64: CheckedRow], _ report: inout IntegrityReport) throws {
        var replayed: [Int64: AllocationState] = [:]
        for row in try db.query("SELECT seq, allocation_id, pool_id, cidr, event, owner, quarantine_until FROM berth_history ORDER BY seq")
        {
            report.historyEvents += 1
            let seq = row.string(0)
            guard let aid = row.int(1), let a = rows[aid] else {
                report.problems.append("history \(seq): unknown allocation \(row.string(1))")
                continue
            }
            guard let kind = HistoryEvent.Kind(rawValue: row.string(4)) else {
                report.problems.append("history \(seq): unknown event '\(row.string(4))'")
                continue
            }
            if row.int(2) != a.pool || (try? IPPrefix(row.string(3))) != a.prefix || row[5] != a.owner {
                report.problems.append("history \(seq): does not match allocation \(aid) (\(a.prefix))")
            }
            let before = replayed[aid]
            switch (kind, before) {
            case (.allocate, nil): replayed[aid] = .allocated
            case (.reserve, nil): replayed[aid] = .reserved
            case (.release, .allocated?), (.release, .reserved?), (.expire, .allocated?):
                replayed[aid] = row[6] == nil ? .released : .quarantined
            case (.quarantineEnd, .quarantined?): replayed[aid] = .released
            default:
                report.problems.append("history \(seq): '\(kind.rawValue)' of allocation \(aid) after \(before?.rawValue ?? "nothing")")
            }
        }
        for a in rows.values.sorted(by: { $0.id < $1.id }) {
            let r = replayed[a.id]
            if r != a.state {
                report.problems.append(
                    "allocation \(a.id) (\(a.prefix)) is \(a.state.rawValue) but its history says \(r?.rawValue ?? "nothing")")
            }
        }
    }
}
