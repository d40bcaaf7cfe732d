public import BerthBase
public import BerthNet

/// Why a ledger operation failed: bad input (exit 1) or a store that cannot be used (exit 2).
public enum LedgerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request is wrong: malformed address, unknown pool, exhausted pool, conflicting request id, ...
    case invalid(String)
    /// The store cannot be opened, read or written.
    case store(String)

    /// The message, as the command line prints it.
    public var description: String {
        switch self {
        case .invalid(let m), .store(let m): return m
        }
    }

    /// The exit status each case means: 1 for a refused request and for a store that cannot be
    /// used alike (README: scripts test one code; 2 is left to usage errors).
    public var exitStatus: ExitStatus {
        switch self {
        case .invalid, .store: .failed
        }
    }

    /// The user-facing message (`description`).
    public var message: String { description }
}

extension LedgerError: ExitStatusError {}

/// A pool of address space that allocations are carved from.
public struct Pool: Sendable, Hashable {
    /// The pool's row id in the store.
    public let id: Int64
    /// The pool's unique name, as commands name it.
    public let name: String
    /// The address space the pool hands out (IPv4 or IPv6).
    public let prefix: IPPrefix
    /// Seconds a released block stays unusable by default (0: reusable at once).
    public let quarantine: Int64
    /// When the pool was created (Unix seconds).
    public let createdAt: Int64

    /// Memberwise, public: the client of `berth ip ... --server` rebuilds these from the server's answers.
    public init(id: Int64, name: String, prefix: IPPrefix, quarantine: Int64, createdAt: Int64) {
        self.id = id
        self.name = name
        self.prefix = prefix
        self.quarantine = quarantine
        self.createdAt = createdAt
    }
}

/// Where an allocation is in its life.
public enum AllocationState: String, Sendable, Hashable, CaseIterable {
    /// Handed out by `allocate` (possibly with a lease).
    case allocated
    /// A static reservation (`reserve`).
    case reserved
    /// Released or expired, but not reusable until `quarantineUntil`.
    case quarantined
    /// Free again; the row stays as a record.
    case released

    /// Whether the block is held (not reusable).
    public var isLive: Bool { self != .released }
}

/// One allocation or reservation, live or past.
public struct Allocation: Sendable, Hashable {
    /// The allocation's row id in the store.
    public let id: Int64
    /// Name of the pool the block was carved from.
    public let pool: String
    /// The block itself.
    public let prefix: IPPrefix
    /// Who holds it (free text given at allocation), if given.
    public let owner: String?
    /// A free-text note, if given.
    public let note: String?
    /// Where the allocation is in its life.
    public let state: AllocationState
    /// The client's idempotency key: retries with the same id return this allocation.
    public let requestID: String?
    /// When it was allocated or reserved (Unix seconds).
    public let createdAt: Int64
    /// When its lease runs out (Unix seconds); nil for no lease.
    public let expiresAt: Int64?
    /// When it was released or its lease expired.
    public let endedAt: Int64?
    /// End of its quarantine (Unix seconds), while or after it is quarantined.
    public let quarantineUntil: Int64?

    /// Memberwise, public: the client of `berth ip ... --server` rebuilds these from the server's answers.
    public init(
        id: Int64, pool: String, prefix: IPPrefix, owner: String?, note: String?, state: AllocationState,
        requestID: String?, createdAt: Int64, expiresAt: Int64?, endedAt: Int64?, quarantineUntil: Int64?
    ) {
        self.id = id
        self.pool = pool
        self.prefix = prefix
        self.owner = owner
        self.note = note
        self.state = state
        self.requestID = requestID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.endedAt = endedAt
        self.quarantineUntil = quarantineUntil
    }
}

/// One row of the append-only history.
public struct HistoryEvent: Sendable, Hashable {
    /// What happened to a block.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Allocated, reserved, released, or its lease expired.
        case allocate, reserve, release, expire
        /// Its quarantine ended: the block is reusable.
        case quarantineEnd = "quarantine-end"

        /// Whether the block is free after this event (a quarantined release still holds it).
        func frees(quarantined: Bool) -> Bool {
            switch self {
            case .allocate, .reserve: return false
            case .release, .expire: return !quarantined
            case .quarantineEnd: return true
            }
        }
    }

    /// The event's position in the history (increasing).
    public let seq: Int64
    /// The allocation the event is about.
    public let allocationID: Int64
    /// Name of the pool.
    public let pool: String
    /// The block.
    public let prefix: IPPrefix
    /// What happened.
    public let kind: Kind
    /// The holder at the time, if known.
    public let owner: String?
    /// When it happened (Unix seconds).
    public let at: Int64
    /// For a quarantined release or expiry: when the quarantine ends (Unix seconds).
    public let quarantineUntil: Int64?
    /// Who asked for it: the server token's name; nil for the command line and for expiries.
    public var actor: String? = nil

    /// Memberwise, public: the client of `berth ip ... --server` rebuilds these from the server's answers.
    public init(
        seq: Int64, allocationID: Int64, pool: String, prefix: IPPrefix, kind: Kind, owner: String?, at: Int64,
        quarantineUntil: Int64?, actor: String? = nil
    ) {
        self.seq = seq
        self.allocationID = allocationID
        self.pool = pool
        self.prefix = prefix
        self.kind = kind
        self.owner = owner
        self.at = at
        self.quarantineUntil = quarantineUntil
        self.actor = actor
    }
}

/// Which history events `Ledger.historyEvents` returns: every field given must match.
public struct HistoryFilter: Sendable {
    /// Only events of this pool.
    public var pool: String?
    /// The server token's name that made the event.
    public var actor: String?
    /// Only events of this kind.
    public var kind: HistoryEvent.Kind?
    /// Events at or after this time (Unix seconds).
    public var from: Int64?
    /// Events at or before this time.
    public var to: Int64?

    /// A filter that matches every event; set fields to narrow it.
    public init() {}
}

/// Who held a block, from when to when (built from history).
public struct Tenancy: Sendable, Hashable {
    /// The allocation whose holding this is.
    public let allocationID: Int64
    /// Name of the pool.
    public let pool: String
    /// The block held.
    public let prefix: IPPrefix
    /// The holder, if known.
    public let owner: String?
    /// How the holding began: `allocate` or `reserve`.
    public let kind: HistoryEvent.Kind
    /// When it began (Unix seconds).
    public let from: Int64
    /// When the holder let go (release or expiry); nil while held.
    public let to: Int64?
    /// How it ended (`release` or `expire`); nil while held.
    public let endedBy: HistoryEvent.Kind?
    /// End of the quarantine that followed, if any.
    public let quarantineUntil: Int64?
}

/// Space and fragmentation of one pool.
public struct PoolUsage: Sendable, Hashable {
    /// The pool itself.
    public let pool: Pool
    /// Live allocations (`allocated`) in the pool.
    public let allocated: Int
    /// Live reservations in the pool.
    public let reserved: Int
    /// Blocks in quarantine.
    public let quarantined: Int
    /// Addresses held by live allocations, reservations and quarantined blocks.
    public let usedAddresses: AddressCount
    /// Addresses not held.
    public let freeAddresses: AddressCount
    /// Used addresses / all addresses, 0...1.
    public let utilization: Double
    /// Free aligned blocks per prefix length, shortest length first.
    public let freeBlocksByLength: [(length: Int, count: Int)]
    /// `1 - largest free block / total free`, 0...1.
    public let fragmentation: Double
    /// The largest free aligned block; nil when the pool is full.
    public let largestFree: IPPrefix?

    /// Memberwise, public: the client of `berth ip ... --server` rebuilds these from the server's answers.
    public init(
        pool: Pool, allocated: Int, reserved: Int, quarantined: Int, usedAddresses: AddressCount,
        freeAddresses: AddressCount, utilization: Double, freeBlocksByLength: [(length: Int, count: Int)],
        fragmentation: Double, largestFree: IPPrefix?
    ) {
        self.pool = pool
        self.allocated = allocated
        self.reserved = reserved
        self.quarantined = quarantined
        self.usedAddresses = usedAddresses
        self.freeAddresses = freeAddresses
        self.utilization = utilization
        self.freeBlocksByLength = freeBlocksByLength
        self.fragmentation = fragmentation
        self.largestFree = largestFree
    }

    /// Usages are equal when their pool, counts and free blocks per length are.
    public static func == (a: PoolUsage, b: PoolUsage) -> Bool {
        a.pool == b.pool && a.usedAddresses == b.usedAddresses && a.allocated == b.allocated
            && a.reserved == b.reserved && a.quarantined == b.quarantined
            && a.freeBlocksByLength.map(\.length) == b.freeBlocksByLength.map(\.length)
            && a.freeBlocksByLength.map(\.count) == b.freeBlocksByLength.map(\.count)
    }

    /// Hashes the pool and its used addresses (consistent with `==`).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(pool)
        hasher.combine(usedAddresses)
    }
}

/// What `show` found for one address.
public struct AddressOwner: Sendable, Hashable {
    /// The address asked about.
    public let address: IPAddress
    /// The pool whose prefix contains it.
    public let pool: Pool
    /// The live allocation holding the address, or nil when it is free.
    public let holder: Allocation?

    /// Memberwise, public: the client of `berth ip ... --server` rebuilds these from the server's answers.
    public init(address: IPAddress, pool: Pool, holder: Allocation?) {
        self.address = address
        self.pool = pool
        self.holder = holder
    }
}

/// What to allocate.
public struct AllocationRequest: Sendable, Hashable {
    /// Name of the pool to allocate from.
    public var pool: String
    /// Prefix length for a best-fit allocation.
    public var length: Int?
    /// That exact block instead.
    public var exact: IPPrefix?
    /// Who will hold it (free text), if given.
    public var owner: String?
    /// A free-text note, if given.
    public var note: String?
    /// Retries with the same id return the same allocation.
    public var requestID: String?
    /// Lease in seconds; the block is reclaimed after it.
    public var lease: Int64?
    /// Who asks (the history's actor); not part of what a retry must repeat.
    public var actor: String?

    /// A request from the given pool; give `length` (best fit) or `exact`.
    public init(
        pool: String, length: Int? = nil, exact: IPPrefix? = nil, owner: String? = nil,
        note: String? = nil, requestID: String? = nil, lease: Int64? = nil
    ) {
        self.pool = pool
        self.length = length
        self.exact = exact
        self.owner = owner
        self.note = note
        self.requestID = requestID
        self.lease = lease
    }

    /// What a retry must repeat exactly.
    var fingerprint: String {
        var parts = ["pool=\(pool)"]
        if let exact { parts.append("address=\(exact)") }
        if let length { parts.append("size=\(length)") }
        if let owner { parts.append("owner=\(owner)") }
        if let note { parts.append("note=\(note)") }
        if let lease { parts.append("lease=\(LedgerTime.formatDuration(lease))") }
        return parts.joined(separator: " ")
    }
}

/// Result of `check`: what was looked at and what is wrong.
public struct IntegrityReport: Sendable, Hashable {
    /// Pools checked.
    public var pools = 0
    /// Allocations and reservations that hold a block (not released).
    public var liveAllocations = 0
    /// Every allocation row, live or past.
    public var allocations = 0
    /// History events checked.
    public var historyEvents = 0
    /// Each inconsistency found, as one line; empty when the ledger is sound.
    public var problems: [String] = []
}

/// Address helpers shared by the store: 32-digit hex for range comparisons in SQL.
enum Hex {
    /// The address as 32 lowercase hex digits (an IPv4 address as the low 32 bits of 128): the
    /// store's sortable form of block bounds.
    static func of(_ address: IPAddress) -> String {
        switch address {
        case .v4(let a): HexText.lowercase(words: [0, UInt64(a.value)])
        case .v6(let a): HexText.lowercase(words: [a.high, a.low])
        }
    }
}

extension IPPrefix {
    var startHex: String { Hex.of(first) }
    var endHex: String { Hex.of(last) }
    var familyNumber: Int64 { family == .v4 ? 4 : 6 }
}
