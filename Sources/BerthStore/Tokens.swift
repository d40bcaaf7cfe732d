/// What a server token may do; each scope includes the ones before it.
public enum TokenScope: String, Sendable, Hashable, CaseIterable, Comparable {
    /// Reads: pools, usage, allocations, search, history.
    case read
    /// Reads, and allocates, reserves and releases.
    case allocate
    /// Everything, pools included.
    case admin

    private var rank: Int {
        switch self {
        case .read: return 0
        case .allocate: return 1
        case .admin: return 2
        }
    }

    /// Orders scopes by what they allow: `read` < `allocate` < `admin`.
    public static func < (a: TokenScope, b: TokenScope) -> Bool { a.rank < b.rank }
}

/// One server token as stored: its name (the actor in history), scope and the SHA-256 of the
/// token (lowercase hex). The token itself is never stored.
public struct TokenRecord: Sendable, Hashable {
    /// The token's unique name; history records it as the actor.
    public let name: String
    /// What the token may do.
    public let scope: TokenScope
    /// SHA-256 of the token, lowercase hex.
    public let hash: String
    /// When the token was created (Unix seconds).
    public let createdAt: Int64
    /// When the token was revoked (Unix seconds); nil while it is valid.
    public let revokedAt: Int64?
}

extension Ledger {
    private static let tokenColumns = "name, scope, hash, created_at, revoked_at"

    private func token(from row: SQLRow) throws -> TokenRecord {
        guard let scope = TokenScope(rawValue: row.string(1)), let created = row.int(3) else {
            throw DBFailure.failed("malformed token row")
        }
        return TokenRecord(name: row.string(0), scope: scope, hash: row.string(2), createdAt: created, revokedAt: row.int(4))
    }

    /// Records a token by its hash (64 lowercase hex digits). Names are DNS-1123 labels, unique
    /// even after revocation (history keeps naming them).
    public func addToken(name: String, scope: TokenScope, hash: String) throws(LedgerError) -> TokenRecord {
        do throws(LedgerError) {
            try Validate.poolName(name)
        } catch {
            throw .invalid(
                "invalid token name '\(name)': use 1-63 lowercase letters, digits and '-', starting and ending with a letter or digit")
        }
        guard hash.utf8.count == 64, hash.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else {
            throw .invalid("a token hash is 64 lowercase hex digits")
        }
        let t = now()
        return try write(locks: [Self.poolsLock]) { () throws -> TokenRecord in
            if try !self.db.query("SELECT name FROM berth_tokens WHERE name = $1", .text(name)).isEmpty {
                throw LedgerError.invalid("token '\(name)' already exists")
            }
            try self.db.query(
                "INSERT INTO berth_tokens (name, scope, hash, created_at) VALUES ($1, $2, $3, $4)",
                .text(name), .text(scope.rawValue), .text(hash), .int(t))
            return TokenRecord(name: name, scope: scope, hash: hash, createdAt: t, revokedAt: nil)
        }
    }

    /// Every token, revoked ones included, by name.
    public func tokens() throws(LedgerError) -> [TokenRecord] {
        guard schemaFound >= 3 else { return [] }
        return try read { try db.query("SELECT \(Self.tokenColumns) FROM berth_tokens ORDER BY name").map(token(from:)) }
    }

    /// The token with this hash, revoked or not; nil when there is none.
    public func token(hash: String) throws(LedgerError) -> TokenRecord? {
        guard schemaFound >= 3 else { return nil }
        return try read {
            try db.query("SELECT \(Self.tokenColumns) FROM berth_tokens WHERE hash = $1", .text(hash)).first.map(token(from:))
        }
    }

    /// Revokes the token called `name`: it is refused from then on.
    public func revokeToken(name: String) throws(LedgerError) -> TokenRecord {
        let t = now()
        return try write(locks: [Self.poolsLock]) { () throws -> TokenRecord in
            guard let row = try self.db.query("SELECT \(Self.tokenColumns) FROM berth_tokens WHERE name = $1", .text(name)).first else {
                throw LedgerError.invalid("unknown token '\(name)'")
            }
            let before = try self.token(from: row)
            if let at = before.revokedAt {
                throw LedgerError.invalid("token '\(name)' was already revoked at \(LedgerTime.format(at))")
            }
            try self.db.query("UPDATE berth_tokens SET revoked_at = $2 WHERE name = $1", .text(name), .int(t))
            return TokenRecord(name: name, scope: before.scope, hash: before.hash, createdAt: before.createdAt, revokedAt: t)
        }
    }
}
