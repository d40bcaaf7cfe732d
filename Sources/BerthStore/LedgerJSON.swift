public import BerthBase
public import BerthNet

// The `--format json` shapes of the `berth ip` ledger commands, in one place, so the command
// line only prints them. Times are RFC 3339 (`LedgerTime.format`); absent values are null.

func jsonTime(_ t: Int64?) -> JSONValue { t.map { .string(LedgerTime.format($0)) } ?? .null }

func jsonText(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }

extension Allocation {
    /// `id, pool, cidr, owner, note, state, request_id, created_at, expires_at, ended_at,
    /// quarantine_until` (README): `allocate`, `reserve`, `release`, `list` and `show`.
    public var json: JSONValue {
        .object([
            ("id", .int(Int(id))), ("pool", .string(pool)), ("cidr", .string(prefix.description)),
            ("owner", jsonText(owner)), ("note", jsonText(note)), ("state", .string(state.rawValue)),
            ("request_id", jsonText(requestID)), ("created_at", jsonTime(createdAt)), ("expires_at", jsonTime(expiresAt)),
            ("ended_at", jsonTime(endedAt)), ("quarantine_until", jsonTime(quarantineUntil)),
        ])
    }
}

extension Pool {
    /// `name, cidr, quarantine_seconds, created_at`: one entry of `pool list`.
    public var json: JSONValue {
        .object([
            ("name", .string(name)), ("cidr", .string(prefix.description)),
            ("quarantine_seconds", .int(Int(quarantine))), ("created_at", jsonTime(createdAt)),
        ])
    }
}

extension AddressOwner {
    /// `address, pool, free, allocation` (the holder's record, or null): `show`.
    public var json: JSONValue {
        .object([
            ("address", .string(address.description)), ("pool", .string(pool.name)),
            ("free", .bool(holder == nil)), ("allocation", holder?.json ?? .null),
        ])
    }
}

extension PoolUsage {
    /// One pool of `usage`: utilization in percent (2 places), used and free addresses as
    /// decimal strings (an IPv6 pool overflows a JSON number), held counts, free blocks by prefix
    /// length, fragmentation (4 places) and the largest free block.
    public var json: JSONValue {
        let round = { (x: Double, places: Double) in (x * places).rounded() / places }
        return .object([
            ("pool", .string(pool.name)), ("cidr", .string(pool.prefix.description)),
            ("utilization_percent", .double(round(utilization * 100, 100))),
            ("used_addresses", .string(usedAddresses.description)),
            ("free_addresses", .string(freeAddresses.description)),
            ("allocated", .int(allocated)), ("reserved", .int(reserved)), ("quarantined", .int(quarantined)),
            ("free_blocks_by_length", .object(freeBlocksByLength.map { ("/\($0.length)", JSONValue.int($0.count)) })),
            ("fragmentation", .double(round(fragmentation, 10_000))),
            ("largest_free_block", largestFree.map { .string($0.description) } ?? .null),
        ])
    }
}

extension Tenancy {
    /// One holder of an address in `history`.
    public var json: JSONValue {
        .object([
            ("allocation_id", .int(Int(allocationID))), ("pool", .string(pool)),
            ("cidr", .string(prefix.description)),
            ("owner", jsonText(owner)), ("kind", .string(kind == .reserve ? "reservation" : "allocation")),
            ("from", jsonTime(from)), ("to", jsonTime(to)), ("ended_by", jsonText(endedBy?.rawValue)),
            ("quarantine_until", jsonTime(quarantineUntil)),
        ])
    }
}

extension HistoryEvent {
    /// One event of `history`.
    public var json: JSONValue {
        .object([
            ("seq", .int(Int(seq))), ("at", jsonTime(at)), ("event", .string(kind.rawValue)),
            ("allocation_id", .int(Int(allocationID))), ("cidr", .string(prefix.description)),
            ("owner", jsonText(owner)), ("quarantine_until", jsonTime(quarantineUntil)),
        ])
    }
}

extension Ledger {
    /// `history ADDRESS --format json`: the address, its holders (`tenancies(events)`) and the events.
    public static func historyJSON(_ address: IPAddress, events: [HistoryEvent]) -> JSONValue {
        .object([
            ("address", .string(address.description)),
            ("holders", .array(tenancies(events).map(\.json))),
            ("events", .array(events.map(\.json))),
        ])
    }
}
