import CLibPQ

#if canImport(Glibc)
    import Glibc
#endif

/// The server store: PostgreSQL through libpq, with prepared statements and pipelined batches so a
/// write costs two round trips. Writers serialize per pool on transaction-scoped advisory locks; the
/// overlap trigger (`Schema.postgresOneHolder`) takes the same lock and rejects overlapping holders whatever the code does.
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
        case "23P01", "23505": return .conflict(message)  // exclusion (the overlap trigger raises it too), unique
        default: return .failed(message)
        }
    }

    /// Server-side prepared statements of this connection, by SQL text: each is parsed and planned once.
    private var prepared: [String: String] = [:]

    /// The name of `sql` prepared on the server, preparing it on first use (not in pipeline mode).
    private func prepare(_ sql: String) throws(DBFailure) -> String {
        if let name = prepared[sql] { return name }
        let name = "berth_\(prepared.count)"
        let res = PQprepare(conn, name, sql, 0, nil)
        defer { PQclear(res) }
        guard let res, PQresultStatus(res) == PGRES_COMMAND_OK else { throw failure(res) }
        prepared[sql] = name
        return name
    }

    /// Sends `statement` (prepared as `name`) with its parameters as text.
    private func send(_ name: String, _ params: [SQLParam]) -> Bool {
        let texts = params.map(\.text)
        var cstrings: [UnsafeMutablePointer<CChar>?] = texts.map { $0.flatMap { strdup($0) } }
        defer { for p in cstrings { free(p) } }
        return cstrings.withUnsafeMutableBufferPointer { buf in
            buf.withMemoryRebound(to: UnsafePointer<CChar>?.self) { values in
                PQsendQueryPrepared(conn, name, Int32(texts.count), values.baseAddress, nil, nil, 0) == 1
            }
        }
    }

    private static func rows(_ res: OpaquePointer) -> [SQLRow] {
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

    func query(_ sql: String, _ params: [SQLParam]) throws(DBFailure) -> [SQLRow] {
        try batch([Statement(sql, params)])[0]
    }

    /// Runs `statements` in order in one round trip (libpq pipeline mode) and returns each one's rows.
    /// After a failing statement the server skips the rest; the first failure is thrown once every
    /// result has been read, so the connection is ready for the caller's ROLLBACK.
    func batch(_ statements: [Statement]) throws(DBFailure) -> [[SQLRow]] {
        var names: [String] = []
        for s in statements { names.append(try prepare(s.sql)) }
        guard PQenterPipelineMode(conn) == 1 else { throw failure(nil) }
        defer { PQexitPipelineMode(conn) }
        for (name, s) in zip(names, statements) {
            guard send(name, s.params) else { throw lost() }
        }
        guard PQpipelineSync(conn) == 1 else { throw lost() }
        var out: [[SQLRow]] = []
        var firstFailure: DBFailure?
        var nulls = 0
        while true {
            guard let res = PQgetResult(conn) else {
                // NULL ends each statement's results; two in a row mean the connection is gone.
                nulls += 1
                if nulls > 1 && PQstatus(conn) != CONNECTION_OK { throw lost() }
                if nulls > 2 { throw lost() }
                continue
            }
            nulls = 0
            defer { PQclear(res) }
            switch PQresultStatus(res) {
            case PGRES_PIPELINE_SYNC:
                if let firstFailure { throw firstFailure }
                guard out.count == statements.count else {
                    throw .failed("pipeline returned \(out.count) results for \(statements.count) statements")
                }
                return out
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK:
                out.append(Self.rows(res))
            case PGRES_PIPELINE_ABORTED:
                out.append([])
            default:
                let thisFailure = firstFailure ?? failure(res)
                firstFailure = thisFailure
                out.append([])
                if PQstatus(conn) != CONNECTION_OK { throw thisFailure }
            }
        }
    }

    private func lost() -> DBFailure {
        .failed(Self.trim(String(cString: PQerrorMessage(conn))))
    }

    func script(_ sql: String) throws(DBFailure) {
        let res = PQexec(conn, sql)
        defer { PQclear(res) }
        let status = res.map { PQresultStatus($0) } ?? PGRES_FATAL_ERROR
        guard status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK else { throw failure(res) }
    }

    func beginWrite(locks: [Int64], then reads: [Statement]) throws(DBFailure) -> [[SQLRow]] {
        let lead =
            [Statement("BEGIN ISOLATION LEVEL READ COMMITTED")]
            + locks.sorted().map { Statement("SELECT pg_advisory_xact_lock($1)", .int($0)) }
        return Array(try batch(lead + reads).dropFirst(lead.count))
    }

    func commit(after writes: [Statement]) throws(DBFailure) -> [[SQLRow]] {
        Array(try batch(writes + [Statement("COMMIT")]).dropLast())
    }

    func rollback() {
        if PQtransactionStatus(conn) != PQTRANS_IDLE {
            PQclear(PQexec(conn, "ROLLBACK"))
        }
    }

    func integrityProblems() throws(DBFailure) -> [String] { [] }
}
