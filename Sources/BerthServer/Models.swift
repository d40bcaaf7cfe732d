public import BerthNet
public import BerthStore

/// JSON shapes of the API (see openapi.json). Times are RFC 3339 UTC; address counts are decimal
/// strings (an IPv6 pool holds more than a JSON number can carry). The server encodes them and
/// `berth ip ... --server` decodes them: one definition for both sides.
public struct PoolJSON: Codable, Sendable {
    public var name: String
    public var prefix: String
    public var family: Int
    public var quarantineSeconds: Int64
    public var createdAt: String
    public var usage: UsageJSON?

    init(_ p: Pool, usage u: PoolUsage?) {
        name = p.name
        prefix = p.prefix.description
        family = p.prefix.family == .v4 ? 4 : 6
        quarantineSeconds = p.quarantine
        createdAt = LedgerTime.format(p.createdAt)
        usage = u.map(UsageJSON.init)
    }
}

public struct FreeBlocksJSON: Codable, Sendable {
    public var length: Int
    public var count: Int
}

public struct UsageJSON: Codable, Sendable {
    public var allocated: Int
    public var reserved: Int
    public var quarantined: Int
    public var capacity: String
    public var usedAddresses: String
    public var freeAddresses: String
    public var utilization: Double
    public var fragmentation: Double
    public var largestFree: String?
    public var freeBlocks: [FreeBlocksJSON]

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

/// An allocation, its fields declared and filled in the order `API.encoder` writes the keys
/// (sorted), which is the order `jsonBytes` writes them in.
public struct AllocationJSON: Codable, Sendable {
    public var createdAt: String
    public var endedAt: String?
    public var expiresAt: String?
    public var id: Int64
    public var note: String?
    public var owner: String?
    public var pool: String
    public var prefix: String
    public var quarantineUntil: String?
    public var requestId: String?
    public var state: String

    init(_ a: Allocation) {
        createdAt = LedgerTime.format(a.createdAt)
        endedAt = a.endedAt.map(LedgerTime.format)
        expiresAt = a.expiresAt.map(LedgerTime.format)
        id = a.id
        note = a.note
        owner = a.owner
        pool = a.pool
        prefix = a.prefix.description
        quarantineUntil = a.quarantineUntil.map(LedgerTime.format)
        requestId = a.requestID
        state = a.state.rawValue
    }
}

extension AllocationJSON {
    /// The bytes `API.encoder` writes for this value (keys sorted, `nil` fields left out, slashes
    /// not escaped), written directly: an allocation's answer is the server's hottest path, and
    /// `JSONEncoder` goes through a generic container per field. A test holds the two equal.
    var jsonBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(320)
        var first = true
        func key(_ k: StaticString) {
            out.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
            first = false
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: UnsafeBufferPointer(start: k.utf8Start, count: k.utf8CodeUnitCount))
            out.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        }
        func string(_ k: StaticString, _ v: String?) {
            guard let v else { return }
            key(k)
            JSONText.append(v, to: &out)
        }
        string("createdAt", createdAt)
        string("endedAt", endedAt)
        string("expiresAt", expiresAt)
        key("id")
        out.append(contentsOf: String(id).utf8)
        string("note", note)
        string("owner", owner)
        string("pool", pool)
        string("prefix", prefix)
        string("quarantineUntil", quarantineUntil)
        string("requestId", requestId)
        string("state", state)
        out.append(UInt8(ascii: "}"))
        return out
    }
}

/// JSON string literals as `JSONEncoder` writes them: `"` and `\\` escaped, control characters as
/// `\b \t \n \f \r` or `\u00xx`, everything else (slashes, non-ASCII) as its UTF-8 bytes.
enum JSONText {
    static func append(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), b])
            case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [
                    UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(b >> 4)], hex[Int(b & 15)],
                ])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// A history event, its fields declared and filled in the order `API.encoder` writes the keys (sorted).
public struct HistoryJSON: Codable, Sendable {
    public var actor: String?
    public var allocationId: Int64
    public var at: String
    public var event: String
    public var owner: String?
    public var pool: String
    public var prefix: String
    public var quarantineUntil: String?
    public var seq: Int64

    init(_ e: HistoryEvent) {
        actor = e.actor
        allocationId = e.allocationID
        at = LedgerTime.format(e.at)
        event = e.kind.rawValue
        owner = e.owner
        pool = e.pool
        prefix = e.prefix.description
        quarantineUntil = e.quarantineUntil.map(LedgerTime.format)
        seq = e.seq
    }
}

public struct PoolList: Codable, Sendable { public var pools: [PoolJSON] }
public struct AllocationList: Codable, Sendable { public var allocations: [AllocationJSON] }
public struct HistoryList: Codable, Sendable {
    public var address: String
    public var events: [HistoryJSON]
}
public struct SearchResult: Codable, Sendable {
    public var query: String
    public var pool: String
    public var poolPrefix: String
    public var holder: AllocationJSON?
    /// For a prefix query: the live allocations inside it.
    public var within: [AllocationJSON]
}

public struct CreatePoolBody: Codable, Sendable {
    public var name: String
    public var prefix: String
    public var quarantineSeconds: Int64?
    /// Refuse a pool of another address family than the pools already there.
    public var familyCheck: Bool?
}

public struct AllocateBody: Codable, Sendable {
    public var size: Int?
    /// That exact block instead of the best fit of `size`.
    public var prefix: String?
    public var requestId: String?
    public var owner: String?
    public var note: String?
    public var leaseSeconds: Int64?
}

public struct ReserveBody: Codable, Sendable {
    public var prefix: String
    public var owner: String
    public var note: String?
}

public struct ReleaseBody: Codable, Sendable {
    public var prefix: String
    /// Only for POST /releases: the pool (default: the one containing the block).
    public var pool: String?
    public var quarantineSeconds: Int64?
}

// The client side of the request bodies (`berth ip ... --server`): each built from the
// arguments of the ledger call it stands for.

extension CreatePoolBody {
    /// The body of `Ledger.addPool(name:prefix:quarantine:sameFamily:)`, from its arguments.
    public init(name: String, prefix: IPPrefix, quarantine: Int64, sameFamily: Bool) {
        self.name = name
        self.prefix = prefix.description
        quarantineSeconds = quarantine
        familyCheck = sameFamily
    }
}

extension AllocateBody {
    /// The body that asks for `request` (its pool is in the path): the inverse of what the server
    /// reads from it.
    public init(_ request: AllocationRequest) {
        size = request.length
        prefix = request.exact?.description
        requestId = request.requestID
        owner = request.owner
        note = request.note
        leaseSeconds = request.lease
    }
}

extension ReserveBody {
    /// The body of `Ledger.reserve(pool:prefix:owner:note:)` (the pool is in the path).
    public init(prefix: IPPrefix, owner: String, note: String?) {
        self.prefix = prefix.description
        self.owner = owner
        self.note = note
    }
}

extension ReleaseBody {
    /// The body of `Ledger.release(_:pool:quarantine:)`.
    public init(_ prefix: IPPrefix, pool: String?, quarantine: Int64?) {
        self.prefix = prefix.description
        self.pool = pool
        quarantineSeconds = quarantine
    }
}
