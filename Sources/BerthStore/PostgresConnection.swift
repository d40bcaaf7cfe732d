import CLibPQ

#if canImport(Glibc)
import Glibc
#endif

/// The server store: PostgreSQL through libpq. Writers serialize per pool on transaction-scoped
/// advisory locks; `EXCLUDE` constraints reject overlapping holders whatever the code does.
final class PostgresConnection: SQLConnection {
    let dialect = Dialect.postgres
    private let conn: OpaquePointer

    /// Connects to `url` (`postgres://user@host:port/db?...`).
    init(url: String) throws(DBFailure) {
        guard let c = PQconnectdb(url) else { throw .failed("out of memory") }
        guard PQstatus(c) == CONNECTION_OK else {
            let message = Self.trim(String(cString: PQerrorMessage(c)))
            PQfinish(c)
            throw .failed(message)
        }
        conn = c
        // Quiet the NOTICEs of CREATE ... IF NOT EXISTS. On failure deinit closes the connection.
        try script("SET client_min_messages = warning; SET TIME ZONE 'UTC'")
    }

    deinit { PQfinish(conn) }

    private static func trim(_ s: String) -> String {
        var s = Substring(s)
        while let last = s.last, last == "\n" || last == " " { s = s.dropLast() }
        return String(s)
    }

    /// Maps a failed result to what the ledger should do; frees nothing (caller clears `res`).
    private func failure(_ res: OpaquePointer?) -> DBFailure {
        let message: String
        if let res, let m = PQresultErrorMessage(res), m.pointee != 0 {
            message = Self.trim(String(cString: m))
        } else {
            message = Self.trim(String(cString: PQerrorMessage(conn)))
        }
        if PQstatus(conn) != CONNECTION_OK { return .failed(message) }
        // PG_DIAG_SQLSTATE is 'C'.
        let state = res.flatMap { PQresultErrorField($0, Int32(UInt8(ascii: "C"))) }.map { String(cString: $0) } ?? ""
        switch state {
        case "40001", "40P01", "55P03": return .retry(message)  // serialization, deadlock, lock not available
        case "23P01", "23505": return .conflict(message)  // exclusion, unique
        default: return .failed(message)
        }
    }

    func query(_ sql: String, _ params: [SQLParam]) throws(DBFailure) -> [SQLRow] {
        let texts = params.map(\.text)
        var cstrings: [UnsafeMutablePointer<CChar>?] = texts.map { $0.flatMap { strdup($0) } }
        defer { for p in cstrings { free(p) } }
        let res: OpaquePointer? = cstrings.withUnsafeMutableBufferPointer { buf in
            buf.withMemoryRebound(to: UnsafePointer<CChar>?.self) { values in
                PQexecParams(conn, sql, Int32(texts.count), nil, values.baseAddress, nil, nil, 0)
            }
        }
        defer { PQclear(res) }
        let status = res.map { PQresultStatus($0) } ?? PGRES_FATAL_ERROR
        guard status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK, let res else {
            throw failure(res)
        }
        let nrows = PQntuples(res)
        let ncols = PQnfields(res)
        var rows: [SQLRow] = []
        rows.reserveCapacity(Int(nrows))
        for r in 0..<nrows {
            var cols: [String?] = []
            cols.reserveCapacity(Int(ncols))
            for c in 0..<ncols {
                if PQgetisnull(res, r, c) == 1 {
                    cols.append(nil)
                } else {
                    cols.append(String(cString: PQgetvalue(res, r, c)))
                }
            }
            rows.append(SQLRow(columns: cols))
        }
        return rows
    }

    func script(_ sql: String) throws(DBFailure) {
        let res = PQexec(conn, sql)
        defer { PQclear(res) }
        let status = res.map { PQresultStatus($0) } ?? PGRES_FATAL_ERROR
        guard status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK else { throw failure(res) }
    }

    func beginWrite(locks: [Int64]) throws(DBFailure) {
        try script("BEGIN ISOLATION LEVEL READ COMMITTED")
        for key in locks.sorted() {
            try query("SELECT pg_advisory_xact_lock($1)", .int(key))
        }
    }

    func commit() throws(DBFailure) {
        try script("COMMIT")
    }

    func rollback() {
        if PQtransactionStatus(conn) != PQTRANS_IDLE {
            PQclear(PQexec(conn, "ROLLBACK"))
        }
    }

    func integrityProblems() throws(DBFailure) -> [String] { [] }
}
