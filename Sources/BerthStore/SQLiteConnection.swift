import CSQLite

/// The embedded store: one SQLite file in WAL mode; writers serialize on `BEGIN IMMEDIATE`.
final class SQLiteConnection: SQLConnection {
    let dialect = Dialect.sqlite
    private let db: OpaquePointer
    private var statements: [String: OpaquePointer] = [:]
    let path: String

    /// Opens the database file at `path`: read-write (`create`: made when missing) or read-only.
    /// Nothing is written on open: `enableWAL` switches the journal once the file is known to be berth's.
    init(path: String, create: Bool, readOnly: Bool = false, synchronous: String = "FULL", busyTimeoutMS: Int32 = 30_000) throws(DBFailure)
    {
        self.path = path
        self.synchronous = synchronous
        var handle: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0)) | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_close_v2(handle)
            throw .failed(message)
        }
        sqlite3_busy_timeout(handle, busyTimeoutMS)
        sqlite3_extended_result_codes(handle, 1)
        // A WAL file read-only needs its -shm file, which a read-only folder cannot hold: then
        // read it as immutable (nothing can write it here anyway).
        let probe = readOnly ? sqlite3_exec(handle, "SELECT count(*) FROM sqlite_master", nil, nil, nil) & 0xff : SQLITE_OK
        if probe == SQLITE_CANTOPEN || probe == SQLITE_READONLY {
            sqlite3_close_v2(handle)
            var escaped = "file:"
            for ch in path.unicodeScalars {
                if ch.isASCII, ch.properties.isAlphabetic || ("0"..."9").contains(ch) || "/-_.~".unicodeScalars.contains(ch) {
                    escaped.unicodeScalars.append(ch)
                } else {
                    for b in String(ch).utf8 { escaped += "%" + String(b, radix: 16, uppercase: true).leftPadded(2) }
                }
            }
            var immutable: OpaquePointer?
            let rc2 = sqlite3_open_v2(
                escaped + "?immutable=1", &immutable, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nil)
            guard rc2 == SQLITE_OK, let immutable else {
                let message = immutable.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc2))
                sqlite3_close_v2(immutable)
                throw .failed(message)
            }
            sqlite3_extended_result_codes(immutable, 1)
            db = immutable
        } else {
            db = handle
        }
    }

    private let synchronous: String

    /// WAL mode, the `synchronous` setting and foreign keys. journal_mode needs the file's write
    /// lock once, when it changes; wait like any writer.
    func enableWAL() throws(DBFailure) {
        var attempts = 0
        while true {
            let failure: DBFailure
            do {
                try script("PRAGMA journal_mode = WAL; PRAGMA synchronous = \(synchronous); PRAGMA foreign_keys = ON;")
                return
            } catch {
                failure = error
            }
            attempts += 1
            if case .retry = failure, attempts <= 50 { continue }
            throw failure
        }
    }

    /// `PRAGMA quick_check`: the problems it reports, empty when the file is sound.
    /// A file too damaged to run the check at all is one problem: SQLite's message.
    func quickCheckProblems() -> [String] {
        do {
            let rows = try query("PRAGMA quick_check").map { $0.string(0) }
            if rows == ["ok"] { return [] }
            // One row may hold many lines; the header names the schema, not a problem.
            return rows.flatMap { $0.split(separator: "\n").map(String.init) }.filter { !$0.hasPrefix("*** in database") }
        } catch {
            return [error.message]
        }
    }

    deinit {
        for (_, stmt) in statements { sqlite3_finalize(stmt) }
        sqlite3_close_v2(db)
    }

    private func failure(_ rc: Int32) -> DBFailure {
        let message = String(cString: sqlite3_errmsg(db))
        switch rc & 0xff {
        case SQLITE_BUSY, SQLITE_LOCKED: return .retry(message)
        case SQLITE_CONSTRAINT: return .conflict(message)
        default: return .failed(message)
        }
    }

    /// `$n` placeholders become SQLite's `?n`.
    private static func translate(_ sql: String) -> String {
        var out = ""
        out.reserveCapacity(sql.utf8.count)
        var previousDollar = false
        for ch in sql {
            if previousDollar {
                out.append(ch.isNumber ? "?" : "$")
                previousDollar = false
            }
            if ch == "$" {
                previousDollar = true
                continue
            }
            out.append(ch)
        }
        if previousDollar { out.append("$") }
        return out
    }

    private func prepare(_ sql: String) throws(DBFailure) -> OpaquePointer {
        if let stmt = statements[sql] { return stmt }
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v2(db, Self.translate(sql), -1, &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw failure(rc) }
        statements[sql] = stmt
        return stmt
    }

    func query(_ sql: String, _ params: [SQLParam]) throws(DBFailure) -> [SQLRow] {
        let stmt = try prepare(sql)
        defer {
            sqlite3_reset(stmt)
            sqlite3_clear_bindings(stmt)
        }
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for (i, p) in params.enumerated() {
            let index = Int32(i + 1)
            switch p {
            case .text(let s): sqlite3_bind_text(stmt, index, s, -1, transient)
            case .int(let v): sqlite3_bind_int64(stmt, index, v)
            case .null: sqlite3_bind_null(stmt, index)
            }
        }
        var rows: [SQLRow] = []
        let n = sqlite3_column_count(stmt)
        while true {
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw failure(rc) }
            var cols: [String?] = []
            cols.reserveCapacity(Int(n))
            for c in 0..<n {
                if let text = sqlite3_column_text(stmt, c) {
                    cols.append(String(cString: text))
                } else {
                    cols.append(nil)
                }
            }
            rows.append(SQLRow(columns: cols))
        }
        return rows
    }

    func script(_ sql: String) throws(DBFailure) {
        let rc = sqlite3_exec(db, sql, nil, nil, nil)
        guard rc == SQLITE_OK else { throw failure(rc) }
    }

    func beginWrite(locks: [Int64], then reads: [Statement]) throws(DBFailure) -> [[SQLRow]] {
        try script("BEGIN IMMEDIATE")
        var out: [[SQLRow]] = []
        for r in reads { out.append(try query(r.sql, r.params)) }
        return out
    }

    func commit(after writes: [Statement]) throws(DBFailure) -> [[SQLRow]] {
        var out: [[SQLRow]] = []
        for w in writes { out.append(try query(w.sql, w.params)) }
        try script("COMMIT")
        return out
    }

    func rollback() {
        if sqlite3_get_autocommit(db) == 0 {
            _ = sqlite3_exec(db, "ROLLBACK", nil, nil, nil)
        }
    }

    func integrityProblems() throws(DBFailure) -> [String] {
        let lines: [String]
        do {
            lines = try query("PRAGMA integrity_check").flatMap { $0.string(0).split(separator: "\n").map(String.init) }
        } catch {
            // Too damaged for the full check (it stops at the first unreadable page); the quick
            // check still walks every b-tree and names the pages.
            let quick = quickCheckProblems().filter { $0 != error.message }
            return quick.isEmpty ? ["sqlite integrity_check: \(error.message)"] : quick.map { "sqlite quick_check: \($0)" }
        }
        return lines == ["ok"] ? [] : lines.filter { !$0.hasPrefix("*** in database") }.map { "sqlite integrity_check: \($0)" }
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
