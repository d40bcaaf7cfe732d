public import BerthNet

#if canImport(Glibc)
    import Glibc
#endif

/// The IP ledger: pools, allocations and their history in one store (SQLite file or PostgreSQL).
///
/// Every write is one transaction that holds the pool's write lock, reads the pool's live blocks,
/// computes the block with `PrefixSet`, writes the row and its history event, and commits; the
/// database refuses overlapping live blocks on its own. A `Ledger` is one connection: open one per
/// thread or process.
///
/// ```swift
/// let ledger = try Ledger(store: "berth-ip.sqlite")
/// _ = try ledger.addPool(name: "pods", prefix: try IPPrefix("10.8.0.0/16"))
/// let a = try ledger.allocate(AllocationRequest(pool: "pods", length: 24, owner: "team-a"))
/// a.prefix.description  // "10.8.0.0/24"
/// ```
public final class Ledger {
    /// The store used when none is given: `berth-ip.sqlite` in the current folder.
    public static let defaultStore = "berth-ip.sqlite"

    let db: any SQLConnection
    /// The current time in seconds (UTC); injectable for tests.
    let now: () -> Int64
    /// A description of the store for messages (password removed from URLs).
    public let storeName: String

    /// Per pool: the used blocks as of history event `seq`, so a write reads only newer events.
    private var cache: [Int64: (seq: Int64, set: PrefixSet)] = [:]
    private var poolsByName: [String: Pool] = [:]

    /// How a command uses the store.
    public enum Access: Sendable {
        /// `ip pool add`: the only use that may create a SQLite file and berth's tables.
        case create
        /// Writes to an existing berth store.
        case write
        /// Reads only (list, show, usage, history, pool list): a store the process cannot write
        /// is opened read-only, and lapsed leases are then shown as stored rather than reclaimed.
        case read
        /// `ip check`: a read that also opens a store failing `quick_check`, to report it.
        case inspect

        var reads: Bool { self == .read || self == .inspect }
    }

    /// Opens `store`: a `postgres://` / `postgresql://` URL, a libpq key=value string
    /// (`host=db dbname=ipam`), or a SQLite file path. Only `.create` makes a missing file or
    /// berth's tables; an existing store must be berth's (its schema and version present), so
    /// another application's database or an empty file is never adopted. Writes are refused to
    /// a SQLite file whose `PRAGMA quick_check` fails. Passwords never appear in messages.
    public convenience init(store: String, create: Bool = true, now: @escaping () -> Int64 = Ledger.wallClock) throws(LedgerError) {
        try self.init(store: store, access: create ? .create : .write, now: now)
    }

    /// Opens `store` for `mode`: a `postgres://` or `postgresql://` URL, a libpq key=value string, or a SQLite file path. `now` gives the
    /// time (Unix seconds) leases and history use.
    public init(store: String, access mode: Access, now: @escaping () -> Int64 = Ledger.wallClock) throws(LedgerError) {
        self.now = now
        let isPostgres = Self.isPostgres(store)
        storeName = Self.redact(store)
        secrets = Self.passwords(in: store)
        let create = mode == .create
        let exists = access(store, F_OK) == 0
        if !isPostgres && !create && !exists {
            throw .store("store \(storeName) does not exist; 'berth ip pool add' creates it (or give --store)")
        }
        // A read of a file this process cannot write (or whose folder it cannot write, for the
        // WAL's shared-memory file) opens it read-only.
        let folder = store.contains("/") ? String(store[..<(store.lastIndex(of: "/") ?? store.endIndex)]) : "."
        // A file without any write permission bit counts as read-only even for root.
        var st = stat()
        let noWriteBits = stat(store, &st) == 0 && st.st_mode & 0o222 == 0
        readOnly =
            !isPostgres && mode.reads
            && (noWriteBits || access(store, W_OK) != 0 || access(folder.isEmpty ? "/" : folder, W_OK) != 0)
        do {
            if isPostgres {
                db = try PostgresConnection(url: store)
            } else {
                db = try SQLiteConnection(path: store, create: create, readOnly: readOnly, synchronous: Self.sqliteSynchronous)
            }
        } catch {
            throw .store("cannot open store \(storeName): \(Redaction.scrub(error.message, secrets: secrets))")
        }
        try open(mode, newFile: !exists)
    }

    /// Passwords of the store's URL or connection string, to scrub from driver messages.
    private let secrets: [String]
    /// The schema version the store has (an older one opened read-only is read as it is).
    var schemaFound = Int64(Schema.version)
    /// Who the writes of this connection are for (the history's `actor`; nil: the command line).
    public var actor: String?
    /// Opened read-only: reads do not reclaim lapsed leases.
    public let readOnly: Bool

    /// A driver's message with the store's password (as written and percent-decoded) hidden.
    func scrub(_ message: String) -> String { Redaction.scrub(message, secrets: secrets) }

    /// `postgres://`, `postgresql://`, or a libpq key=value string starting with a known keyword.
    static func isPostgres(_ store: String) -> Bool {
        if store.hasPrefix("postgres://") || store.hasPrefix("postgresql://") { return true }
        for k in ["host=", "hostaddr=", "dbname=", "user=", "port=", "password=", "service=", "sslmode=", "connect_timeout="]
        where store.hasPrefix(k) { return true }
        return false
    }

    /// The passwords of a store URL or connection string: `password=` values, the userinfo
    /// password, and (for a URL libpq may not parse) everything between the first ':' after
    /// `://` and the last '@'.
    static func passwords(in store: String) -> [String] {
        var out = Redaction.passwords(in: store)
        let chars = Array(store)
        var afterScheme: Int? = nil
        var i = 0
        while i + 2 < chars.count {
            if chars[i] == ":", chars[i + 1] == "/", chars[i + 2] == "/" {
                afterScheme = i + 3
                break
            }
            i += 1
        }
        if let start = afterScheme, let at = chars.lastIndex(of: "@"), at > start {
            let userinfo = chars[start..<at]
            if let colon = userinfo.firstIndex(of: ":") {
                let pw = String(userinfo[userinfo.index(after: colon)...])
                if !pw.isEmpty {
                    out.append(pw)
                    out.append(Redaction.percentDecoded(pw))
                }
            }
        }
        return out.filter { !$0.isEmpty }
    }

    /// SQLite's `synchronous` setting: FULL (default: every commit is on disk before it returns)
    /// or NORMAL (`BERTH_SQLITE_SYNC=normal`: commits survive a killed process, the last ones may be
    /// lost on power failure; the file is never corrupted either way).
    static var sqliteSynchronous: String {
        guard let v = getenv("BERTH_SQLITE_SYNC") else { return "FULL" }
        return String(cString: v).lowercased() == "normal" ? "NORMAL" : "FULL"
    }

    /// Seconds since 1970 from the system clock.
    public static func wallClock() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec)
    }

    /// The store as messages show it: every password (URL userinfo, `password=` in a URL query
    /// or a key=value string) replaced by `<redacted>`.
    static func redact(_ store: String) -> String {
        var out = Redaction.redactPasswords(store)
        for pw in passwords(in: store) where out.contains(pw) { out = Redaction.scrub(out, secrets: [pw]) }
        return out
    }

    private func storeError(_ f: DBFailure) -> LedgerError {
        .store("store \(storeName): \(scrub(f.message))")
    }

    /// Checks that the store is berth's, then creates (only for `.create` on a store without
    /// tables), upgrades (writers only) or refuses it.
    private func open(_ mode: Access, newFile: Bool) throws(LedgerError) {
        do {
            switch db.dialect {
            case .sqlite:
                guard let sqlite = db as? SQLiteConnection else { return }
                try openSQLite(sqlite, mode, newFile: newFile)
            case .postgres:
                try openPostgres(mode)
            }
        } catch let e as LedgerError {
            throw e
        } catch let f as DBFailure {
            throw storeError(f)
        } catch {
            throw .store("store \(storeName): \(scrub("\(error)"))")
        }
    }

    /// `open` for a SQLite file: berth's tables or none (then only `.create` makes them), no
    /// newer schema, `quick_check` clean, WAL on, older schemas upgraded.
    private func openSQLite(_ sqlite: SQLiteConnection, _ mode: Access, newFile: Bool) throws {
        let (tables, found) = try probeSQLite()
        let isBerth =
            found >= 1 && tables.contains("berth_pools") && tables.contains("berth_allocations") && tables.contains("berth_history")
        if !isBerth {
            if !tables.isEmpty || found != 0 {
                let shown = tables.prefix(5).joined(separator: ", ") + (tables.count > 5 ? ", ..." : "")
                throw LedgerError.store(
                    "store \(storeName) is not a berth ledger: it holds other tables (\(tables.isEmpty ? "none" : shown)) "
                        + "and no berth schema version; berth does not write to it (give --store another file)")
            }
            guard mode == .create else {
                throw LedgerError.store(
                    "store \(storeName) is not a berth ledger: it is \(newFile ? "missing" : "an empty file or database"); "
                        + "'berth ip pool add' creates one")
            }
        }
        try refuseNewer(found)
        if mode != .inspect, isBerth {
            let problems = sqlite.quickCheckProblems()
            if !problems.isEmpty {
                throw LedgerError.store(
                    "store \(storeName) fails SQLite's quick_check (\(problems.prefix(2).joined(separator: "; "))"
                        + (problems.count > 2 ? " and \(problems.count - 2) more" : "") + "): "
                        + "berth neither reads nor writes a damaged store; 'berth ip check' lists the problems; restore the file from a backup"
                )
            }
        }
        schemaFound = isBerth ? found : Int64(Schema.version)
        if readOnly { return }
        try sqlite.enableWAL()
        if isBerth && found == Int64(Schema.version) { return }
        _ = try write(locks: []) { () throws in
            let v = try self.db.query("PRAGMA user_version").first?.int(0) ?? 0
            let hasActor =
                try self.db.query(
                    "SELECT COUNT(*) FROM pragma_table_info('berth_history') WHERE name = 'actor'"
                ).first?.int(0) == 1
            // Version 4 changed only PostgreSQL: a version-3 file just records the new version.
            if v == 0 {
                try self.db.script(Schema.sqlite)
            } else if v == 1 {
                try self.db.script(
                    Schema.upgradeFrom1 + Schema.upgradeFrom2(hasActor: hasActor) + "PRAGMA user_version = \(Schema.version);")
            } else if v == 2 {
                try self.db.script(Schema.upgradeFrom2(hasActor: hasActor) + "PRAGMA user_version = \(Schema.version);")
            } else if v == 3 {
                try self.db.script("PRAGMA user_version = \(Schema.version);")
            }
        }
        schemaFound = Int64(Schema.version)
    }

    /// `open` for PostgreSQL: `berth_meta` and berth's tables, or none (then only `.create`
    /// makes them), no newer schema, older schemas upgraded under the schema lock.
    private func openPostgres(_ mode: Access) throws {
        let hasMeta = try db.query("SELECT to_regclass('berth_meta') IS NOT NULL").first?[0] == "t"
        let hasTables =
            try db.query(
                "SELECT to_regclass('berth_pools') IS NOT NULL AND to_regclass('berth_allocations') IS NOT NULL AND to_regclass('berth_history') IS NOT NULL"
            ).first?[0] == "t"
        if hasMeta {
            guard let found = try db.query("SELECT version FROM berth_meta").first?.int(0), hasTables else {
                throw LedgerError.store(
                    "store \(storeName) is damaged: berth_meta has no schema version or berth's tables are missing; "
                        + "berth does not write to it")
            }
            schemaFound = found
            if found == Int64(Schema.version) { return }
            try refuseNewer(found)
            if mode.reads { return }  // an older schema reads the same; writers upgrade it
        } else {
            guard mode == .create else {
                throw LedgerError.store(
                    "store \(storeName) is not a berth ledger: no berth_meta table with a schema version; "
                        + "'berth ip pool add' creates one")
            }
        }
        _ = try write(locks: [Self.schemaLock]) { () throws in
            if try self.db.query("SELECT to_regclass('berth_meta') IS NOT NULL").first?[0] != "t" {
                try self.db.script(Schema.postgres)
            } else {
                let v = try self.db.query("SELECT version FROM berth_meta").first?.int(0)
                let hasActor =
                    try self.db.query(
                        "SELECT COUNT(*) FROM information_schema.columns WHERE table_name = 'berth_history' AND column_name = 'actor'"
                    ).first?.int(0) == 1
                let done = "\(Schema.postgresUpgradeFrom3)\nUPDATE berth_meta SET version = \(Schema.version);"
                if v == 1 {
                    try self.db.script(Schema.upgradeFrom1 + Schema.upgradeFrom2(hasActor: hasActor) + done)
                } else if v == 2 {
                    try self.db.script(Schema.upgradeFrom2(hasActor: hasActor) + done)
                } else if v == 3 {
                    try self.db.script(done)
                }
            }
        }
        schemaFound = Int64(Schema.version)
    }

    /// The tables and `user_version` of a SQLite file; a file that is not a SQLite database
    /// (text, encrypted, truncated) is refused.
    private func probeSQLite() throws(LedgerError) -> (tables: [String], version: Int64) {
        do {
            let tables = try db.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").map { $0.string(0) }
            let found = try db.query("PRAGMA user_version").first?.int(0) ?? 0
            return (tables, found)
        } catch {
            throw .store("store \(storeName) is not a readable berth ledger: SQLite: \(scrub(error.message))")
        }
    }

    /// A store written by a newer berth is left alone.
    private func refuseNewer(_ found: Int64) throws(LedgerError) {
        if found > Int64(Schema.version) {
            throw .store("store \(storeName) has schema version \(found); this berth knows versions up to \(Schema.version): upgrade berth")
        }
    }

    // MARK: - Transactions

    static let schemaLock: Int64 = 0x6265_7274_6800_0000
    static let poolsLock: Int64 = 0x6265_7274_6800_0001
    /// The first of the pools' advisory lock keys: a pool's key is this plus its id. PostgreSQL's
    /// overlap trigger (`Schema.postgresOneHolder`) takes the same key.
    static let poolLockBase: Int64 = 0x6265_7274_6900_0000
    static func lock(_ pool: Pool) -> Int64 { poolLockBase + pool.id }

    /// The second half of a write: statements to run just before COMMIT (in the same round trip on
    /// PostgreSQL) and how their rows become the result.
    struct WriteStep<T> {
        var writes: [Statement] = []
        var finish: ([[SQLRow]]) throws -> T
    }

    /// Runs a write transaction holding `locks`: `reads` run right after BEGIN (one round trip with
    /// it on PostgreSQL), `body` decides from their rows, and its writes run with the COMMIT.
    /// Retries on lock timeouts, serialization failures and constraint conflicts (after dropping
    /// cached state); rolls back on errors.
    func write<T>(locks: [Int64], reads: () -> [Statement], _ body: ([[SQLRow]]) throws -> WriteStep<T>) throws(LedgerError) -> T {
        var attempt = 0
        while true {
            do {
                let rows = try db.beginWrite(locks: locks, then: reads())
                let step = try body(rows)
                return try step.finish(try db.commit(after: step.writes))
            } catch let f as DBFailure {
                db.rollback()
                cache.removeAll()
                poolsByName.removeAll()
                switch f {
                case .retry, .conflict:
                    attempt += 1
                    if attempt <= 30 {
                        usleep(UInt32(1000 * min(attempt, 10)) + UInt32.random(in: 0..<1000))
                        continue
                    }
                    throw storeError(f)
                case .failed:
                    throw storeError(f)
                }
            } catch let e as LedgerError {
                db.rollback()
                throw e
            } catch let e as IPError {
                db.rollback()
                throw .invalid(e.description)
            } catch {
                db.rollback()
                throw .store("store \(storeName): \(scrub("\(error)"))")
            }
        }
    }

    /// A write transaction holding `locks` that runs `body` and commits.
    func write<T>(locks: [Int64], _ body: () throws -> T) throws(LedgerError) -> T {
        let noReads: () -> [Statement] = { [] }
        return try write(locks: locks, reads: noReads) { _ in
            let value = try body()
            return WriteStep { _ in value }
        }
    }

    /// Runs a read; store failures become `LedgerError.store`.
    func read<T>(_ body: () throws -> T) throws(LedgerError) -> T {
        do {
            return try body()
        } catch let f as DBFailure {
            throw storeError(f)
        } catch let e as LedgerError {
            throw e
        } catch let e as IPError {
            throw .invalid(e.description)
        } catch {
            throw .store("store \(storeName): \(scrub("\(error)"))")
        }
    }

    // MARK: - Pools

    private static let poolColumns = "id, name, cidr, quarantine_seconds, created_at"

    private func pool(from row: SQLRow) throws -> Pool {
        guard let id = row.int(0), let created = row.int(4), let q = row.int(3) else {
            throw DBFailure.failed("malformed pool row")
        }
        return Pool(id: id, name: row.string(1), prefix: try IPPrefix(row.string(2)), quarantine: q, createdAt: created)
    }

    /// Every pool, by name.
    public func pools() throws(LedgerError) -> [Pool] {
        try read {
            try db.query("SELECT \(Self.poolColumns) FROM berth_pools ORDER BY name").map(pool(from:))
        }
    }

    /// The pool called `name`; `.invalid` naming the known pools when there is none.
    public func pool(named name: String) throws(LedgerError) -> Pool {
        if let p = poolsByName[name] { return p }
        let found = try read {
            try db.query("SELECT \(Self.poolColumns) FROM berth_pools WHERE name = $1", .text(name)).first.map(pool(from:))
        }
        guard let found else {
            let names = try pools().map(\.name)
            let known =
                names.isEmpty ? "there are no pools yet (add one with 'berth ip pool add')" : "pools: \(names.joined(separator: ", "))"
            throw .invalid("unknown pool '\(name)'; \(known)")
        }
        poolsByName[name] = found
        return found
    }

    /// The pool containing `prefix`; `.invalid` when none does.
    func pool(containing prefix: IPPrefix) throws(LedgerError) -> Pool {
        let all = try pools()
        guard let p = all.first(where: { $0.prefix.contains(prefix) }) else {
            throw .invalid("\(prefix) is not in any pool")
        }
        return p
    }

    /// Adds a pool. Names are DNS-1123 labels; pools may not overlap. With `sameFamily`, refuses a
    /// pool of another address family than the pools already in the store.
    public func addPool(name: String, prefix: IPPrefix, quarantine: Int64 = 0, sameFamily: Bool = false) throws(LedgerError) -> Pool {
        try Validate.poolName(name)
        try Validate.notIPv4Mapped(prefix)
        let t = now()
        return try write(locks: [Self.poolsLock]) { () throws -> Pool in
            let existing = try self.db.query("SELECT \(Self.poolColumns) FROM berth_pools ORDER BY name").map(self.pool(from:))
            if existing.contains(where: { $0.name == name }) {
                throw LedgerError.invalid("pool '\(name)' already exists")
            }
            if let other = existing.first(where: { $0.prefix.overlaps(prefix) }) {
                throw LedgerError.invalid("pool \(prefix) overlaps pool '\(other.name)' (\(other.prefix))")
            }
            if sameFamily, let other = existing.first(where: { $0.prefix.family != prefix.family }) {
                throw LedgerError.invalid(
                    "family check: \(prefix) is \(prefix.family) but pool '\(other.name)' (\(other.prefix)) is \(other.prefix.family)")
            }
            let rows = try self.db.query(
                """
                INSERT INTO berth_pools (name, cidr, family, start_hex, end_hex, quarantine_seconds, created_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id
                """,
                .text(name), .text(prefix.description), .int(prefix.familyNumber), .text(prefix.startHex),
                .text(prefix.endHex), .int(quarantine), .int(t))
            guard let id = rows.first?.int(0) else { throw DBFailure.failed("insert returned no id") }
            return Pool(id: id, name: name, prefix: prefix, quarantine: quarantine, createdAt: t)
        }
    }

    // MARK: - Allocations

    static let allocationColumns = """
        a.id, p.name, a.cidr, a.owner, a.note, a.state, a.request_id, a.created_at, a.expires_at, \
        a.ended_at, a.quarantine_until, a.request_params
        """

    func allocation(from row: SQLRow) throws -> Allocation {
        guard let id = row.int(0), let created = row.int(7), let state = AllocationState(rawValue: row.string(5)) else {
            throw DBFailure.failed("malformed allocation row")
        }
        return Allocation(
            id: id, pool: row.string(1), prefix: try IPPrefix(row.string(2)), owner: row[3], note: row[4], state: state,
            requestID: row[6], createdAt: created, expiresAt: row.int(8), endedAt: row.int(9), quarantineUntil: row.int(10))
    }

    private func insertHistory(
        _ a: (id: Int64, poolID: Int64, prefix: IPPrefix, owner: String?), _ kind: HistoryEvent.Kind,
        at: Int64, quarantineUntil: Int64? = nil
    ) throws -> Int64 {
        let rows = try db.query(
            """
            INSERT INTO berth_history (allocation_id, pool_id, cidr, start_hex, end_hex, event, owner, at, quarantine_until, actor)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING seq
            """,
            .int(a.id), .int(a.poolID), .text(a.prefix.description), .text(a.prefix.startHex), .text(a.prefix.endHex),
            .text(kind.rawValue), .opt(a.owner), .int(at), .opt(quarantineUntil),
            .opt(kind == .allocate || kind == .reserve || kind == .release ? actor : nil))
        guard let seq = rows.first?.int(0) else { throw DBFailure.failed("insert returned no sequence number") }
        return seq
    }

    /// Ends lapsed leases and quarantines in `pool` (inside a write transaction), recording each in history.
    private func reclaim(_ pool: Pool, at t: Int64) throws {
        let expired = try db.query(
            """
            SELECT id, cidr, owner, expires_at FROM berth_allocations
            WHERE pool_id = $1 AND state = 'allocated' AND expires_at IS NOT NULL AND expires_at <= $2 ORDER BY id
            """, .int(pool.id), .int(t))
        for row in expired {
            guard let id = row.int(0), let end = row.int(3) else { throw DBFailure.failed("malformed allocation row") }
            let prefix = try IPPrefix(row.string(1))
            let q: Int64? = pool.quarantine > 0 ? end + pool.quarantine : nil
            try db.query(
                "UPDATE berth_allocations SET state = $2, ended_at = $3, quarantine_until = $4 WHERE id = $1",
                .int(id), .text(q == nil ? "released" : "quarantined"), .int(end), .opt(q))
            _ = try insertHistory((id, pool.id, prefix, row[2]), .expire, at: end, quarantineUntil: q)
        }
        let lapsed = try db.query(
            """
            SELECT id, cidr, owner, quarantine_until FROM berth_allocations
            WHERE pool_id = $1 AND state = 'quarantined' AND quarantine_until <= $2 ORDER BY id
            """, .int(pool.id), .int(t))
        for row in lapsed {
            guard let id = row.int(0), let until = row.int(3) else { throw DBFailure.failed("malformed allocation row") }
            try db.query("UPDATE berth_allocations SET state = 'released' WHERE id = $1", .int(id))
            _ = try insertHistory((id, pool.id, try IPPrefix(row.string(1)), row[2]), .quarantineEnd, at: until)
        }
    }

    /// The reads that bring `pool`'s used blocks up to date: the history events since the cached
    /// state, or (nothing cached) the last event and every live block.
    private func usedSetReads(_ pool: Pool) -> [Statement] {
        if let cached = cache[pool.id] {
            return [
                Statement(
                    "SELECT seq, event, cidr, quarantine_until FROM berth_history WHERE pool_id = $1 AND seq > $2 ORDER BY seq",
                    .int(pool.id), .int(cached.seq))
            ]
        }
        return [
            Statement("SELECT COALESCE(MAX(seq), 0) FROM berth_history WHERE pool_id = $1", .int(pool.id)),
            Statement("SELECT cidr FROM berth_allocations WHERE pool_id = $1 AND state <> 'released'", .int(pool.id)),
        ]
    }

    /// The used blocks of `pool` and the last history event they include, from the rows of
    /// `usedSetReads` (inside the same write transaction). Takes the cached state out of the cache.
    private func usedSet(_ pool: Pool, _ rows: ArraySlice<[SQLRow]>) throws -> (seq: Int64, set: PrefixSet) {
        if var cached = cache.removeValue(forKey: pool.id) {
            for row in rows[rows.startIndex] {
                guard let seq = row.int(0), let kind = HistoryEvent.Kind(rawValue: row.string(1)) else {
                    throw DBFailure.failed("malformed history row")
                }
                let prefix = try IPPrefix(row.string(2))
                if kind.frees(quarantined: row[3] != nil) {
                    try cached.set.remove(prefix)
                } else if kind == .allocate || kind == .reserve {
                    try cached.set.insert(prefix)
                }
                cached.seq = seq
            }
            return cached
        }
        let seq = rows[rows.startIndex].first?.int(0) ?? 0
        var set = PrefixSet(pool: pool.prefix)
        for row in rows[rows.startIndex + 1] {
            try set.insert(try IPPrefix(row.string(0)))
        }
        return (seq, set)
    }

    /// Whether `pool` has a lapsed lease or quarantine to reclaim; one row, 1 or 0. The lease
    /// test repeats its partial index's condition (`expires_at IS NOT NULL`), so that PostgreSQL's
    /// generic plan of the prepared statement uses that index instead of scanning every allocation.
    static func reclaimDueRead(_ pool: Pool, at t: Int64) -> Statement {
        Statement(
            """
            SELECT CASE WHEN EXISTS (SELECT 1 FROM berth_allocations WHERE pool_id = $1 AND state = 'allocated' AND expires_at IS NOT NULL
                AND expires_at <= $2)
                OR EXISTS (SELECT 1 FROM berth_allocations WHERE pool_id = $1 AND state = 'quarantined' AND quarantine_until <= $2)
            THEN 1 ELSE 0 END
            """, .int(pool.id), .int(t))
    }

    /// Allocates the best-fitting free block of `request.length` (or exactly `request.exact`).
    /// With a request id, a retry returns the allocation the first call made.
    public func allocate(_ request: AllocationRequest) throws(LedgerError) -> Allocation {
        try Self.checkTexts(request)
        let pool = try pool(named: request.pool)
        if let exact = request.exact {
            guard exact.family == pool.prefix.family else {
                throw .invalid(
                    IPError.familyMismatch(value: exact.description, found: exact.family, expected: pool.prefix.family).description)
            }
            guard pool.prefix.contains(exact) else { throw .invalid("\(exact) is not in pool '\(pool.name)' (\(pool.prefix))") }
        } else if let length = request.length {
            try Self.checkLength(length, in: pool)
        } else {
            throw .invalid("give a prefix length (--size) or an address (--address)")
        }
        return try place(request, in: pool, state: .allocated)
    }

    /// Reserves exactly `prefix` in `pool` for `owner` (a static reservation).
    public func reserve(pool name: String, prefix: IPPrefix, owner: String, note: String? = nil) throws(LedgerError) -> Allocation {
        try Validate.text(owner, "owner")
        guard !owner.isEmpty else { throw .invalid("owner must not be empty") }
        try Validate.text(note, "note", max: 1024)
        let pool = try pool(named: name)
        guard prefix.family == pool.prefix.family else {
            throw .invalid(
                IPError.familyMismatch(value: prefix.description, found: prefix.family, expected: pool.prefix.family).description)
        }
        guard pool.prefix.contains(prefix) else { throw .invalid("\(prefix) is not in pool '\(pool.name)' (\(pool.prefix))") }
        return try place(AllocationRequest(pool: name, exact: prefix, owner: owner, note: note), in: pool, state: .reserved)
    }

    /// Writes one allocation or reservation: two round trips on PostgreSQL. The first takes the
    /// pool's lock and reads the request id, whether anything lapsed, and the history since the
    /// cached state; the second inserts the row and its history event and commits.
    private func place(_ request: AllocationRequest, in pool: Pool, state: AllocationState) throws(LedgerError) -> Allocation {
        let t = now()
        var updated: (seq: Int64, set: PrefixSet)?
        // Built per attempt: a retry starts from an empty cache.
        func reads() -> [Statement] {
            var reads = [Self.reclaimDueRead(pool, at: t)] + usedSetReads(pool)
            if let rid = request.requestID {
                reads.append(
                    Statement(
                        "SELECT \(Self.allocationColumns) FROM berth_allocations a JOIN berth_pools p ON p.id = a.pool_id WHERE a.request_id = $1",
                        .text(rid)))
            }
            return reads
        }
        let lastAllocationID = db.dialect == .sqlite ? "last_insert_rowid()" : "currval(pg_get_serial_sequence('berth_allocations', 'id'))"
        let result = try write(locks: [Self.lock(pool)], reads: reads) { rows throws -> WriteStep<Allocation> in
            updated = nil
            let setRows = rows[1..<(rows.count - (request.requestID == nil ? 0 : 1))]
            var (seq, set) = try self.usedSet(pool, setRows)
            if let rid = request.requestID, let row = rows[rows.count - 1].first {
                let before = row.string(11)
                guard before == request.fingerprint else { throw Self.reused(rid, before: before, now: request.fingerprint) }
                let existing = try self.allocation(from: row)
                updated = (seq, set)
                return WriteStep(finish: { _ in existing })
            }
            if rows[0].first?.int(0) == 1 {
                // Rare: a lease or quarantine lapsed. Reclaim it, then catch up with the events that wrote.
                self.cache[pool.id] = (seq, set)
                try self.reclaim(pool, at: t)
                (seq, set) = try self.usedSet(pool, try self.usedSetReads(pool).map { try self.db.query($0.sql, $0.params) }[...])
            }
            let prefix: IPPrefix
            if let exact = request.exact {
                try set.allocate(exact: exact)
                prefix = exact
            } else {
                prefix = try set.allocate(length: request.length ?? pool.prefix.length)
            }
            let expires = request.lease.map { t + $0 }
            let event = state == .reserved ? HistoryEvent.Kind.reserve : .allocate
            let writes = [
                Statement(
                    """
                    INSERT INTO berth_allocations (pool_id, cidr, length, start_hex, end_hex, state, owner, note, request_id,
                        request_params, created_at, expires_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                    """,
                    .int(pool.id), .text(prefix.description), .int(Int64(prefix.length)), .text(prefix.startHex),
                    .text(prefix.endHex), .text(state.rawValue), .opt(request.owner), .opt(request.note), .opt(request.requestID),
                    .text(request.fingerprint), .int(t), .opt(expires)),
                Statement(
                    """
                    INSERT INTO berth_history (allocation_id, pool_id, cidr, start_hex, end_hex, event, owner, at, actor)
                    VALUES (\(lastAllocationID), $1, $2, $3, $4, $5, $6, $7, $8) RETURNING allocation_id, seq
                    """,
                    .int(pool.id), .text(prefix.description), .text(prefix.startHex), .text(prefix.endHex),
                    .text(event.rawValue), .opt(request.owner), .int(t), .opt(request.actor ?? self.actor)),
            ]
            return WriteStep(writes: writes) { written in
                guard let row = written[1].first, let id = row.int(0), let seq = row.int(1) else {
                    throw DBFailure.failed("insert returned no id")
                }
                updated = (seq, set)
                return Allocation(
                    id: id, pool: pool.name, prefix: prefix, owner: request.owner, note: request.note, state: state,
                    requestID: request.requestID, createdAt: t, expiresAt: expires, endedAt: nil, quarantineUntil: nil)
            }
        }
        if let updated { cache[pool.id] = updated }
        return result
    }

    /// Allocates every request of `requests` (all for pool `name`, best-fit by length) in one
    /// transaction: `allocateBatch(_:)` with one pool. An unknown pool throws.
    public func allocateBatch(pool name: String, _ requests: [AllocationRequest]) throws(LedgerError) -> [Result<Allocation, LedgerError>] {
        _ = try pool(named: name)
        return try allocateBatch([(pool: name, requests: requests)]).first ?? []
    }

    /// Allocates the requests of several pools (each group's requests are for its `pool`, best-fit
    /// by length) in ONE transaction: one commit for the lot, so the flush that bounds single
    /// writes is shared across pools. The pools' locks are taken in a fixed order (by pool id), so
    /// two processes batching the same pools never deadlock. Each request gets its own result, in
    /// the shape of `byPool`: a request id seen before (in the store or earlier in the batch)
    /// answers its allocation, an unknown or exhausted pool or bad input fails those requests only.
    /// A store failure fails them all (nothing was written).
    public func allocateBatch(_ byPool: [(pool: String, requests: [AllocationRequest])]) throws(LedgerError)
        -> [[Result<Allocation, LedgerError>]]
    {
        var results = byPool.map { group in group.requests.map { _ -> Result<Allocation, LedgerError>? in nil } }
        let (shares, positions) = checkBatch(byPool, into: &results)
        if !shares.isEmpty {
            for (k, result) in try writeBatch(shares) {
                let (g, i) = positions[k]
                results[g][i] = result
            }
        }
        return results.map { group in group.map { $0 ?? .failure(.invalid("not allocated")) } }
    }

    /// One pool's part of a batch: its checked requests, numbered across the whole batch.
    struct PoolShare {
        let pool: Pool
        var requests: [(Int, AllocationRequest)] = []
    }

    /// Checks each request of `byPool` (its pool exists, it asks for a length the pool can give,
    /// its texts are fine), failing the others in `results`. Returns the pools' shares sorted by
    /// lock key, and for each batch number the (group, index) of its request.
    private func checkBatch(
        _ byPool: [(pool: String, requests: [AllocationRequest])], into results: inout [[Result<Allocation, LedgerError>?]]
    ) -> (shares: [PoolShare], positions: [(Int, Int)]) {
        var shares: [Int64: PoolShare] = [:]
        var positions: [(Int, Int)] = []
        for (g, group) in byPool.enumerated() {
            let pool: Pool
            do throws(LedgerError) {
                pool = try self.pool(named: group.pool)
            } catch {
                for i in group.requests.indices { results[g][i] = .failure(error) }
                continue
            }
            for (i, request) in group.requests.enumerated() {
                do throws(LedgerError) {
                    try Self.checkTexts(request)
                    guard request.pool == group.pool, request.exact == nil, let length = request.length else {
                        throw .invalid("give a prefix length (--size) or an address (--address)")
                    }
                    try Self.checkLength(length, in: pool)
                    shares[pool.id, default: PoolShare(pool: pool)].requests.append((positions.count, request))
                    positions.append((g, i))
                } catch {
                    results[g][i] = .failure(error)
                }
            }
        }
        return (shares.values.sorted { Self.lock($0.pool) < Self.lock($1.pool) }, positions)
    }

    /// The transaction of a batch: every share's pool locked, caught up and planned, then every
    /// new block written with the one COMMIT. Answers by batch number; keeps the pools' new state.
    private func writeBatch(_ shares: [PoolShare]) throws(LedgerError) -> [Int: Result<Allocation, LedgerError>] {
        var seen = Set<String>()
        let ids = shares.flatMap { $0.requests.compactMap(\.1.requestID) }.filter { seen.insert($0).inserted }
        let t = now()
        var updated: [Int64: (seq: Int64, set: PrefixSet)] = [:]
        // PostgreSQL looks the request ids up in one statement; SQLite, in process, one by one.
        let pg = db.dialect == .postgres
        let idReads = ids.isEmpty ? 0 : (pg ? 1 : ids.count)
        // Per share, the rows of its reads: whether a reclaim is due, then its used blocks.
        var layout: [Range<Int>] = []
        func reads() -> [Statement] {
            var reads: [Statement] = []
            layout = shares.map { share in
                let start = reads.count
                reads.append(Self.reclaimDueRead(share.pool, at: t))
                reads += usedSetReads(share.pool)
                return start..<reads.count
            }
            let select = "SELECT \(Self.allocationColumns) FROM berth_allocations a JOIN berth_pools p ON p.id = a.pool_id"
            if pg, !ids.isEmpty {
                reads.append(Statement(select + " WHERE a.request_id = ANY($1::text[])", Self.postgresArray(ids)))
            } else {
                for rid in ids { reads.append(Statement(select + " WHERE a.request_id = $1", .text(rid))) }
            }
            return reads
        }
        let answered = try write(locks: shares.map { Self.lock($0.pool) }, reads: reads) {
            rows throws -> WriteStep<[Int: Result<Allocation, LedgerError>]> in
            updated = [:]
            var stored: [String: SQLRow] = [:]
            for row in rows[(rows.count - idReads)...].joined() {
                if let rid = row[6] { stored[rid] = row }
            }
            var inBatch: [String: (index: Int, fingerprint: String)] = [:]
            var plans: [(share: PoolShare, plan: BatchPlan, seq: Int64, set: PrefixSet, writes: Range<Int>)] = []
            var writes: [Statement] = []
            for (share, range) in zip(shares, layout) {
                var (seq, set) = try self.catchUp(share.pool, rows[range], at: t)
                let plan = try self.planBatch(share.requests, stored: stored, inBatch: &inBatch, set: &set, pool: share.pool, at: t)
                let start = writes.count
                if !plan.placed.isEmpty { writes += self.insertAllocations(plan.placed.map(\.row), pool: share.pool, at: t) }
                plans.append((share, plan, seq, set, start..<writes.count))
            }
            return WriteStep(writes: writes) { written in
                var out: [Int: Result<Allocation, LedgerError>] = [:]
                for p in plans {
                    let seq = try self.answer(p.plan, p.share.pool, Array(written[p.writes]), at: t, into: &out)
                    updated[p.share.pool.id] = (max(seq, p.seq), p.set)
                }
                for p in plans { for (i, first) in p.plan.sameAs { out[i] = out[first] } }
                return out
            }
        }
        for (id, state) in updated { cache[id] = state }
        return answered
    }

    /// `pool`'s used blocks inside a write transaction, from the rows of its reads (whether a
    /// reclaim is due, then `usedSetReads`); a due lease or quarantine is reclaimed first.
    private func catchUp(_ pool: Pool, _ rows: ArraySlice<[SQLRow]>, at t: Int64) throws -> (seq: Int64, set: PrefixSet) {
        var (seq, set) = try usedSet(pool, rows.dropFirst())
        if rows[rows.startIndex].first?.int(0) == 1 {
            // Rare: a lease or quarantine lapsed. Reclaim it, then catch up with the events that wrote.
            cache[pool.id] = (seq, set)
            try reclaim(pool, at: t)
            (seq, set) = try usedSet(pool, try usedSetReads(pool).map { try db.query($0.sql, $0.params) }[...])
        }
        return (seq, set)
    }

    /// Answers `plan`'s new blocks in `out` from the rows their inserts returned (`written`), and
    /// its other requests as planned. Returns the last history event written.
    private func answer(
        _ plan: BatchPlan, _ pool: Pool, _ written: [[SQLRow]], at t: Int64, into out: inout [Int: Result<Allocation, LedgerError>]
    ) throws -> Int64 {
        out.merge(plan.out) { _, new in new }
        var lastSeq: Int64 = 0
        let inserted = try insertedIDs(written, count: plan.placed.count)
        for p in plan.placed {
            guard let (id, s) = inserted[p.row.prefix.startHex] else { throw DBFailure.failed("insert returned no id") }
            lastSeq = max(lastSeq, s)
            let r = p.row
            out[p.index] = .success(
                Allocation(
                    id: id, pool: pool.name, prefix: r.prefix, owner: r.owner, note: r.note, state: .allocated,
                    requestID: r.requestID, createdAt: t, expiresAt: r.expires, endedAt: nil, quarantineUntil: nil))
        }
        return lastSeq
    }

    /// What a batch does with each of its checked requests, decided inside its transaction.
    struct BatchPlan {
        /// Requests answered without a new block: stored before, reused ids, exhausted pool.
        var out: [Int: Result<Allocation, LedgerError>] = [:]
        /// The new blocks, by request index, in the order of the writes.
        var placed: [(index: Int, row: NewAllocation)] = []
        /// Requests that repeat an earlier request id of the same batch: index -> that request's index.
        var sameAs: [Int: Int] = [:]
    }

    /// Places `requests` (index, request) best-fit in `set`, in order: a request id already in
    /// the store (`stored`) answers its allocation, one seen earlier in the batch (`inBatch`, kept
    /// across the pools of one transaction) answers that request's block.
    func planBatch(
        _ requests: [(Int, AllocationRequest)], stored: [String: SQLRow], inBatch: inout [String: (index: Int, fingerprint: String)],
        set: inout PrefixSet, pool: Pool, at t: Int64
    ) throws -> BatchPlan {
        var plan = BatchPlan()
        for (i, request) in requests {
            if let rid = request.requestID {
                if let row = stored[rid] {
                    let before = row.string(11)
                    plan.out[i] =
                        before == request.fingerprint
                        ? .success(try allocation(from: row)) : .failure(Self.reused(rid, before: before, now: request.fingerprint))
                    continue
                }
                if let first = inBatch[rid] {
                    if first.fingerprint == request.fingerprint {
                        plan.sameAs[i] = first.index
                    } else {
                        plan.out[i] = .failure(Self.reused(rid, before: first.fingerprint, now: request.fingerprint))
                    }
                    continue
                }
            }
            let prefix: IPPrefix
            do throws(IPError) {
                prefix = try set.allocate(length: request.length ?? pool.prefix.length)
            } catch {
                plan.out[i] = .failure(.invalid(error.description))
                continue
            }
            if let rid = request.requestID { inBatch[rid] = (i, request.fingerprint) }
            plan.placed.append(
                (
                    i,
                    NewAllocation(
                        prefix: prefix, owner: request.owner, note: request.note, requestID: request.requestID,
                        fingerprint: request.fingerprint, expires: request.lease.map { t + $0 }, actor: request.actor ?? actor)
                ))
        }
        return plan
    }

    /// A request id used again with other parameters.
    static func reused(_ rid: String, before: String, now: String) -> LedgerError {
        .invalid("request id '\(rid)' was already used with different parameters (\(before)); this call has (\(now))")
    }

    /// The free texts of `request` (owner, note, request id) are printable and not too long.
    static func checkTexts(_ request: AllocationRequest) throws(LedgerError) {
        try Validate.text(request.owner, "owner")
        try Validate.text(request.note, "note", max: 1024)
        try Validate.text(request.requestID, "request id")
    }

    /// `length` is a prefix length `pool` can hand out.
    static func checkLength(_ length: Int, in pool: Pool) throws(LedgerError) {
        let width = pool.prefix.family.bitWidth
        guard length >= pool.prefix.length && length <= width else {
            throw .invalid(
                IPError.prefixLengthOutOfRange(
                    length: String(length), allowed: pool.prefix.length...width, context: "pool '\(pool.name)' (\(pool.prefix))"
                ).description)
        }
    }

    /// One new allocation of a batch, as `insertAllocations` writes it.
    struct NewAllocation {
        var prefix: IPPrefix
        var owner: String?
        var note: String?
        var requestID: String?
        var fingerprint: String
        var expires: Int64?
        var actor: String?
    }

    /// The statements that insert `rows` into `pool` with their `allocate` history events, each
    /// returning `(allocation_id, seq, start_hex)`. PostgreSQL gets one statement for the lot (the
    /// rows travel as arrays, and the history rows join the new allocations on their start), so the
    /// server runs one statement per batch instead of two per allocation; SQLite, in process, gets
    /// two small statements per allocation.
    func insertAllocations(_ rows: [NewAllocation], pool: Pool, at t: Int64) -> [Statement] {
        if db.dialect == .postgres {
            return [
                Statement(
                    """
                    WITH u AS (
                        SELECT * FROM unnest($3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                            $10::text[], $11::bigint[], $12::text[])
                            WITH ORDINALITY AS u(cidr, length, start_hex, end_hex, owner, note, request_id, params, expires, actor, ord)
                    ), a AS (
                        INSERT INTO berth_allocations (pool_id, cidr, length, start_hex, end_hex, state, owner, note, request_id,
                            request_params, created_at, expires_at)
                        SELECT $1::bigint, u.cidr::cidr, u.length, u.start_hex, u.end_hex, 'allocated', u.owner, u.note, u.request_id,
                            u.params, $2::bigint, u.expires
                        FROM u ORDER BY u.ord
                        RETURNING id, start_hex
                    ), h AS (
                        INSERT INTO berth_history (allocation_id, pool_id, cidr, start_hex, end_hex, event, owner, at, actor)
                        SELECT a.id, $1::bigint, u.cidr::cidr, u.start_hex, u.end_hex, 'allocate', u.owner, $2::bigint, u.actor
                        FROM u JOIN a ON a.start_hex = u.start_hex ORDER BY u.ord
                        RETURNING allocation_id, seq, start_hex
                    )
                    SELECT allocation_id, seq, start_hex FROM h
                    """,
                    .int(pool.id), .int(t), Self.postgresArray(rows.map(\.prefix.description)),
                    Self.postgresArray(rows.map { String($0.prefix.length) }), Self.postgresArray(rows.map(\.prefix.startHex)),
                    Self.postgresArray(rows.map(\.prefix.endHex)), Self.postgresArray(rows.map(\.owner)),
                    Self.postgresArray(rows.map(\.note)), Self.postgresArray(rows.map(\.requestID)),
                    Self.postgresArray(rows.map(\.fingerprint)), Self.postgresArray(rows.map { $0.expires.map { String($0) } }),
                    Self.postgresArray(rows.map(\.actor)))
            ]
        }
        var writes: [Statement] = []
        writes.reserveCapacity(2 * rows.count)
        for r in rows {
            writes.append(
                Statement(
                    """
                    INSERT INTO berth_allocations (pool_id, cidr, length, start_hex, end_hex, state, owner, note, request_id,
                        request_params, created_at, expires_at)
                    VALUES ($1, $2, $3, $4, $5, 'allocated', $6, $7, $8, $9, $10, $11)
                    """,
                    .int(pool.id), .text(r.prefix.description), .int(Int64(r.prefix.length)), .text(r.prefix.startHex),
                    .text(r.prefix.endHex), .opt(r.owner), .opt(r.note), .opt(r.requestID), .text(r.fingerprint), .int(t),
                    .opt(r.expires)))
            writes.append(
                Statement(
                    """
                    INSERT INTO berth_history (allocation_id, pool_id, cidr, start_hex, end_hex, event, owner, at, actor)
                    VALUES (last_insert_rowid(), $1, $2, $3, $4, 'allocate', $5, $6, $7) RETURNING allocation_id, seq, start_hex
                    """,
                    .int(pool.id), .text(r.prefix.description), .text(r.prefix.startHex), .text(r.prefix.endHex), .opt(r.owner),
                    .int(t), .opt(r.actor)))
        }
        return writes
    }

    /// The `(allocation id, history seq)` of each allocation `insertAllocations` wrote, by its start.
    func insertedIDs(_ written: [[SQLRow]], count: Int) throws -> [String: (Int64, Int64)] {
        var out: [String: (Int64, Int64)] = [:]
        out.reserveCapacity(count)
        for row in written.joined() {
            guard let id = row.int(0), let seq = row.int(1) else { throw DBFailure.failed("insert returned no id") }
            out[row.string(2)] = (id, seq)
        }
        guard out.count == count else { throw DBFailure.failed("insert returned \(out.count) ids for \(count) allocations") }
        return out
    }

    /// `values` as a PostgreSQL array literal (`{"a","b",NULL}`): each element quoted, with `"` and
    /// `\` escaped, so any text travels unchanged.
    static func postgresArray(_ values: [String?]) -> SQLParam {
        var s = "{"
        for (i, v) in values.enumerated() {
            if i > 0 { s.append(",") }
            guard let v else {
                s.append("NULL")
                continue
            }
            s.append("\"")
            for c in v.unicodeScalars {
                if c == "\"" || c == "\\" { s.append("\\") }
                s.unicodeScalars.append(c)
            }
            s.append("\"")
        }
        s.append("}")
        return .text(s)
    }

    /// Releases the live allocation or reservation of exactly `prefix`. With a quarantine (this call's, else the
    /// pool's default), the block stays unusable until it ends.
    public func release(_ prefix: IPPrefix, pool name: String? = nil, quarantine: Int64? = nil) throws(LedgerError) -> Allocation {
        let pool: Pool
        if let name { pool = try self.pool(named: name) } else { pool = try self.pool(containing: prefix) }
        guard pool.prefix.contains(prefix) else { throw .invalid("\(prefix) is not in pool '\(pool.name)' (\(pool.prefix))") }
        let t = now()
        let q = quarantine ?? pool.quarantine
        return try write(locks: [Self.lock(pool)]) { () throws -> Allocation in
            try self.reclaim(pool, at: t)
            let rows = try self.db.query(
                """
                SELECT \(Self.allocationColumns) FROM berth_allocations a JOIN berth_pools p ON p.id = a.pool_id
                WHERE a.pool_id = $1 AND a.start_hex = $2 AND a.length = $3 AND a.state <> 'released'
                """, .int(pool.id), .text(prefix.startHex), .int(Int64(prefix.length)))
            guard let row = rows.first else {
                let holder = try self.db.query(
                    """
                    SELECT cidr FROM berth_allocations WHERE pool_id = $1 AND state <> 'released'
                    AND start_hex <= $3 AND end_hex >= $2 ORDER BY start_hex LIMIT 1
                    """, .int(pool.id), .text(prefix.startHex), .text(prefix.endHex)
                ).first?.string(0)
                let hint = holder.map { "; \($0) is allocated there" } ?? ""
                throw LedgerError.invalid("\(prefix) is not allocated in pool '\(pool.name)'\(hint)")
            }
            let a = try self.allocation(from: row)
            if a.state == .quarantined {
                let until = a.quarantineUntil.map(LedgerTime.format) ?? "?"
                throw LedgerError.invalid("\(prefix) is already released (quarantined until \(until))")
            }
            let until: Int64? = q > 0 ? t + q : nil
            try self.db.query(
                "UPDATE berth_allocations SET state = $2, ended_at = $3, quarantine_until = $4 WHERE id = $1",
                .int(a.id), .text(until == nil ? "released" : "quarantined"), .int(t), .opt(until))
            _ = try self.insertHistory((a.id, pool.id, prefix, a.owner), .release, at: t, quarantineUntil: until)
            return Allocation(
                id: a.id, pool: a.pool, prefix: a.prefix, owner: a.owner, note: a.note,
                state: until == nil ? .released : .quarantined, requestID: a.requestID, createdAt: a.createdAt,
                expiresAt: a.expiresAt, endedAt: t, quarantineUntil: until)
        }
    }

    /// Reclaims lapsed leases and quarantines everywhere, when there are any (reads call this first so
    /// they never show an expired lease as held).
    public func reclaimDue() throws(LedgerError) {
        if readOnly { return }
        let t = now()
        let due = try read {
            try db.query(
                """
                SELECT DISTINCT pool_id FROM berth_allocations WHERE (state = 'allocated' AND expires_at IS NOT NULL AND expires_at <= $1)
                OR (state = 'quarantined' AND quarantine_until <= $1)
                """, .int(t)
            ).compactMap { $0.int(0) }
        }
        guard !due.isEmpty else { return }
        for p in try pools() where due.contains(p.id) {
            try write(locks: [Self.lock(p)]) { () throws in try self.reclaim(p, at: t) }
        }
    }

    // MARK: - Reads

    /// Allocations (live ones unless `includeReleased`), by pool and address.
    public func list(pool name: String? = nil, includeReleased: Bool = false) throws(LedgerError) -> [Allocation] {
        try reclaimDue()
        var pool: Pool? = nil
        if let name { pool = try self.pool(named: name) }
        return try read {
            var sql = "SELECT \(Self.allocationColumns) FROM berth_allocations a JOIN berth_pools p ON p.id = a.pool_id WHERE 1 = 1"
            var params: [SQLParam] = []
            if let pool {
                params.append(.int(pool.id))
                sql += " AND a.pool_id = $1"
            }
            if !includeReleased { sql += " AND a.state <> 'released'" }
            sql += " ORDER BY p.name, a.start_hex, a.id"
            return try db.query(sql, params).map(allocation(from:))
        }
    }

    /// Which live allocation holds `address` (nil holder: free); `.invalid` when no pool contains it.
    public func show(_ address: IPAddress) throws(LedgerError) -> AddressOwner {
        try reclaimDue()
        let host = try read { try IPPrefix(address: address, length: address.family.bitWidth) }
        let pool = try pool(containing: host)
        let hex = Hex.of(address)
        let holder = try read {
            try db.query(
                """
                SELECT \(Self.allocationColumns) FROM berth_allocations a JOIN berth_pools p ON p.id = a.pool_id
                WHERE a.pool_id = $1 AND a.state <> 'released' AND a.start_hex <= $2 AND a.end_hex >= $2
                """, .int(pool.id), .text(hex)
            ).first.map(allocation(from:))
        }
        return AddressOwner(address: address, pool: pool, holder: holder)
    }

    /// Every history event of blocks that covered `address`, oldest first.
    public func history(_ address: IPAddress) throws(LedgerError) -> [HistoryEvent] {
        try reclaimDue()
        let host = try read { try IPPrefix(address: address, length: address.family.bitWidth) }
        let pool = try pool(containing: host)
        let hex = Hex.of(address)
        return try read {
            try db.query(
                """
                SELECT seq, allocation_id, cidr, event, owner, at, quarantine_until, \(schemaFound >= 3 ? "actor" : "NULL") FROM berth_history
                WHERE pool_id = $1 AND start_hex <= $2 AND end_hex >= $2 ORDER BY seq
                """, .int(pool.id), .text(hex)
            ).map { row in
                guard let seq = row.int(0), let aid = row.int(1), let kind = HistoryEvent.Kind(rawValue: row.string(3)),
                    let at = row.int(5)
                else { throw DBFailure.failed("malformed history row") }
                return HistoryEvent(
                    seq: seq, allocationID: aid, pool: pool.name, prefix: try IPPrefix(row.string(2)),
                    kind: kind, owner: row[4], at: at, quarantineUntil: row.int(6), actor: row[7])
            }
        }
    }

    /// History events of every pool matching `filter`, newest first, at most `limit`.
    public func historyEvents(_ filter: HistoryFilter, limit: Int = 500) throws(LedgerError) -> [HistoryEvent] {
        try reclaimDue()
        var pool: Pool? = nil
        if let name = filter.pool { pool = try self.pool(named: name) }
        // A store from before the actor column has no actors: nothing matches an actor filter.
        if filter.actor != nil && schemaFound < 3 { return [] }
        var clauses: [String] = []
        var params: [SQLParam] = []
        func add(_ condition: String, _ param: SQLParam) {
            params.append(param)
            clauses.append("\(condition) $\(params.count)")
        }
        if let pool { add("h.pool_id =", .int(pool.id)) }
        if let actor = filter.actor { add("h.actor =", .text(actor)) }
        if let kind = filter.kind { add("h.event =", .text(kind.rawValue)) }
        if let from = filter.from { add("h.at >=", .int(from)) }
        if let to = filter.to { add("h.at <=", .int(to)) }
        let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let sql = """
            SELECT h.seq, h.allocation_id, h.cidr, h.event, h.owner, h.at, h.quarantine_until, \(schemaFound >= 3 ? "h.actor" : "NULL"), p.name
            FROM berth_history h JOIN berth_pools p ON p.id = h.pool_id \(whereSQL) ORDER BY h.seq DESC LIMIT \(max(0, limit))
            """
        return try read {
            try db.query(sql, params).map { row in
                guard let seq = row.int(0), let aid = row.int(1), let kind = HistoryEvent.Kind(rawValue: row.string(3)),
                    let at = row.int(5)
                else { throw DBFailure.failed("malformed history row") }
                return HistoryEvent(
                    seq: seq, allocationID: aid, pool: row.string(8), prefix: try IPPrefix(row.string(2)),
                    kind: kind, owner: row[4], at: at, quarantineUntil: row.int(6), actor: row[7])
            }
        }
    }

    /// Holders of `address` over time, built from its history.
    public static func tenancies(_ events: [HistoryEvent]) -> [Tenancy] {
        var order: [Int64] = []
        var start: [Int64: HistoryEvent] = [:]
        var end: [Int64: HistoryEvent] = [:]
        var quarantine: [Int64: Int64] = [:]
        for e in events {
            switch e.kind {
            case .allocate, .reserve:
                order.append(e.allocationID)
                start[e.allocationID] = e
            case .release, .expire:
                end[e.allocationID] = e
                if let q = e.quarantineUntil { quarantine[e.allocationID] = q }
            case .quarantineEnd:
                break
            }
        }
        return order.compactMap { id in
            guard let s = start[id] else { return nil }
            return Tenancy(
                allocationID: id, pool: s.pool, prefix: s.prefix, owner: s.owner, kind: s.kind, from: s.at,
                to: end[id]?.at, endedBy: end[id]?.kind, quarantineUntil: quarantine[id])
        }
    }

    /// Space, free blocks and fragmentation per pool (all pools, or the one named).
    public func usage(pool name: String? = nil) throws(LedgerError) -> [PoolUsage] {
        try reclaimDue()
        let selected: [Pool]
        if let name { selected = [try self.pool(named: name)] } else { selected = try pools() }
        return try read {
            try selected.map { pool in
                var set = PrefixSet(pool: pool.prefix)
                var counts: [AllocationState: Int] = [:]
                for row in try db.query(
                    "SELECT cidr, state FROM berth_allocations WHERE pool_id = $1 AND state <> 'released'", .int(pool.id))
                {
                    try set.insert(try IPPrefix(row.string(0)))
                    if let s = AllocationState(rawValue: row.string(1)) { counts[s, default: 0] += 1 }
                }
                let byLength = try set.freeCountByLength().sorted { $0.key < $1.key }.map { (length: $0.key, count: $0.value) }
                return PoolUsage(
                    pool: pool, allocated: counts[.allocated] ?? 0, reserved: counts[.reserved] ?? 0,
                    quarantined: counts[.quarantined] ?? 0, usedAddresses: try set.usedAddressCount(),
                    freeAddresses: try set.freeAddressCount(), utilization: try set.utilization(),
                    freeBlocksByLength: byLength, fragmentation: try set.fragmentation(), largestFree: try set.largestFreeBlock())
            }
        }
    }
}

/// Input rules shared by the ledger and the command line.
public enum Validate {
    /// IPv4-mapped IPv6 space (`::ffff:0:0/96`) names IPv4 addresses: a pool there would hold the
    /// same addresses as an IPv4 pool without overlapping it, so it is refused with the IPv4
    /// prefix to use instead.
    public static func notIPv4Mapped(_ prefix: IPPrefix) throws(LedgerError) {
        guard case .v6(let p) = prefix else { return }
        if p.length >= 96, let v4 = p.address.ipv4Mapped {
            let instead = (try? IPv4Prefix(address: v4, length: p.length - 96)).map { "\($0)" } ?? "\(v4)/\(p.length - 96)"
            throw .invalid(
                "pool \(prefix) is IPv4-mapped IPv6 (::ffff:0:0/96) and names the IPv4 addresses \(instead): "
                    + "add the IPv4 pool \(instead) instead")
        }
        if p.length < 96, let mapped = try? IPPrefix("::ffff:0:0/96"), prefix.overlaps(mapped) {
            throw .invalid(
                "pool \(prefix) contains the IPv4-mapped range ::ffff:0:0/96, which names IPv4 addresses: "
                    + "use IPv4 pools for IPv4 space and an IPv6 range outside ::ffff:0:0/96")
        }
    }

    /// DNS-1123 label: 1-63 of a-z, 0-9 and '-', starting and ending with a letter or digit.
    public static func poolName(_ name: String) throws(LedgerError) {
        let b = Array(name.utf8)
        let ok =
            !b.isEmpty && b.count <= 63
            && b.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
            && b.first != 45 && b.last != 45
        guard ok else {
            throw .invalid(
                "invalid pool name '\(name)': use 1-63 lowercase letters, digits and '-', starting and ending with a letter or digit")
        }
    }

    /// Free text without control characters, at most `max` bytes.
    static func text(_ value: String?, _ what: String, max: Int = 253) throws(LedgerError) {
        guard let value else { return }
        guard value.utf8.count <= max else { throw .invalid("\(what) is longer than \(max) bytes") }
        guard !value.unicodeScalars.contains(where: { $0.value < 32 || $0.value == 127 }) else {
            throw .invalid("\(what) contains control characters")
        }
    }
}
