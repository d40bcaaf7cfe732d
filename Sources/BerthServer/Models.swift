import BerthNet
import BerthStore

/// JSON shapes of the API (see openapi.json). Times are RFC 3339 UTC; address counts are decimal
/// strings (an IPv6 pool holds more than a JSON number can carry).
struct PoolJSON: Codable, Sendable {
    var name: String
    var prefix: String
    var family: Int
    var quarantineSeconds: Int64
    var createdAt: String
    var usage: UsageJSON?

    init(_ p: Pool, usage u: PoolUsage?) {
        name = p.name
        prefix = p.prefix.description
        family = p.prefix.family == .v4 ? 4 : 6
        quarantineSeconds = p.quarantine
        createdAt = LedgerTime.format(p.createdAt)
        usage = u.map(UsageJSON.init)
    }
}

struct FreeBlocksJSON: Codable, Sendable {
    var length: Int
    var count: Int
}

struct UsageJSON: Codable, Sendable {
    var allocated: Int
    var reserved: Int
    var quarantined: Int
    var capacity: String
    var usedAddresses: String
    var freeAddresses: String
    var utilization: Double
    var fragmentation: Double
    var largestFree: String?
    var freeBlocks: [FreeBlocksJSON]

    init(_ u: PoolUsage) {
        allocated = u.allocated
        reserved = u.reserved
        quarantined = u.quarantined
        capacity = u.pool.prefix.addressCount.description
        usedAddresses = u.usedAddresses.description
        freeAddresses = u.freeAddresses.description
        utilization = u.utilization
        fragmentation = u.fragmentation
        largestFree = u.largestFree?.description
        freeBlocks = u.freeBlocksByLength.map { FreeBlocksJSON(length: $0.length, count: $0.count) }
    }
}

struct AllocationJSON: Codable, Sendable {
    var id: Int64
    var pool: String
    var prefix: String
    var state: String
    var owner: String?
    var note: String?
    var requestId: String?
    var createdAt: String
    var expiresAt: String?
    var endedAt: String?
    var quarantineUntil: String?

    init(_ a: Allocation) {
        id = a.id
        pool = a.pool
        prefix = a.prefix.description
        state = a.state.rawValue
        owner = a.owner
        note = a.note
        requestId = a.requestID
        createdAt = LedgerTime.format(a.createdAt)
        expiresAt = a.expiresAt.map(LedgerTime.format)
        endedAt = a.endedAt.map(LedgerTime.format)
        quarantineUntil = a.quarantineUntil.map(LedgerTime.format)
    }
}

struct HistoryJSON: Codable, Sendable {
    var seq: Int64
    var allocationId: Int64
    var pool: String
    var prefix: String
    var event: String
    var owner: String?
    var actor: String?
    var at: String
    var quarantineUntil: String?

    init(_ e: HistoryEvent) {
        seq = e.seq
        allocationId = e.allocationID
        pool = e.pool
        prefix = e.prefix.description
        event = e.kind.rawValue
        owner = e.owner
        actor = e.actor
        at = LedgerTime.format(e.at)
        quarantineUntil = e.quarantineUntil.map(LedgerTime.format)
    }
}

struct PoolList: Codable, Sendable { var pools: [PoolJSON] }
struct AllocationList: Codable, Sendable { var allocations: [AllocationJSON] }
struct HistoryList: Codable, Sendable { var address: String; var events: [HistoryJSON] }
struct SearchResult: Codable, Sendable {
    var query: String
    var pool: String
    var poolPrefix: String
    var holder: AllocationJSON?
    /// For a prefix query: the live allocations inside it.
    var within: [AllocationJSON]
}

struct CreatePoolBody: Codable, Sendable {
    var name: String
    var prefix: String
    var quarantineSeconds: Int64?
    /// Refuse a pool of another address family than the pools already there.
    var familyCheck: Bool?
}

struct AllocateBody: Codable, Sendable {
    var size: Int?
    /// That exact block instead of the best fit of `size`.
    var prefix: String?
    var requestId: String?
    var owner: String?
    var note: String?
    var leaseSeconds: Int64?
}

struct ReserveBody: Codable, Sendable {
    var prefix: String
    var owner: String
    var note: String?
}

struct ReleaseBody: Codable, Sendable {
    var prefix: String
    /// Only for POST /releases: the pool (default: the one containing the block).
    var pool: String?
    var quarantineSeconds: Int64?
}
