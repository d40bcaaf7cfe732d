/// A value bound to a `$1`, `$2`, ... placeholder.
enum SQLParam: Sendable, Hashable {
    case text(String)
    case int(Int64)
    case null

    static func opt(_ s: String?) -> SQLParam { s.map(SQLParam.text) ?? .null }
    static func opt(_ i: Int64?) -> SQLParam { i.map(SQLParam.int) ?? .null }

    var text: String? {
        switch self {
        case .text(let s): return s
        case .int(let i): return String(i)
        case .null: return nil
        }
    }
}

/// One result row, every column as text (NULL as nil); both databases return text for all our types.
struct SQLRow {
    let columns: [String?]

    subscript(_ i: Int) -> String? { columns[i] }

    func string(_ i: Int) -> String { columns[i] ?? "" }

    func int(_ i: Int) -> Int64? { columns[i].flatMap { Int64($0) } }
}

/// What went wrong in the database, classified by what the ledger does about it.
enum DBFailure: Error, Sendable {
    /// Lock wait timed out, serialization failure or deadlock: roll back and retry.
    case retry(String)
    /// A constraint (non-overlap, uniqueness) rejected a write: roll back, reload, retry.
    case conflict(String)
    /// Anything else (I/O, corrupt file, lost connection, SQL error): give up.
    case failed(String)

    var message: String {
        switch self {
        case .retry(let m), .conflict(let m), .failed(let m): return m
        }
    }
}

enum Dialect: Sendable { case sqlite, postgres }

/// One statement and its parameters, for the batched parts of a write.
struct Statement {
    let sql: String
    let params: [SQLParam]

    init(_ sql: String, _ params: SQLParam...) {
        self.sql = sql
        self.params = params
    }

    init(_ sql: String, _ params: [SQLParam]) {
        self.sql = sql
        self.params = params
    }
}

/// A connection to one store. Not shared between threads: each client opens its own.
protocol SQLConnection: AnyObject {
    var dialect: Dialect { get }
    /// Runs one statement with `$n` placeholders and returns its rows.
    @discardableResult
    func query(_ sql: String, _ params: [SQLParam]) throws(DBFailure) -> [SQLRow]
    /// Runs several statements without parameters.
    func script(_ sql: String) throws(DBFailure)
    /// Starts a write transaction holding `locks` (pool lock keys; SQLite takes its one write lock
    /// instead), then runs `reads` in it and returns their rows. PostgreSQL sends all of it in one
    /// round trip.
    func beginWrite(locks: [Int64], then reads: [Statement]) throws(DBFailure) -> [[SQLRow]]
    /// Runs `writes`, then commits, and returns the writes' rows. PostgreSQL sends all of it in one
    /// round trip; when a write fails, nothing after it runs and the transaction is left to roll back.
    func commit(after writes: [Statement]) throws(DBFailure) -> [[SQLRow]]
    func rollback()
    /// The database's own consistency check (SQLite `PRAGMA integrity_check`); empty when fine.
    func integrityProblems() throws(DBFailure) -> [String]
}

extension SQLConnection {
    @discardableResult
    func query(_ sql: String, _ params: SQLParam...) throws(DBFailure) -> [SQLRow] {
        try query(sql, params)
    }
}
