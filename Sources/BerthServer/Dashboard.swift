import BerthNet
import BerthStore
import Foundation
import Hummingbird
import HTTPTypes
import NIOCore

/// Signed-in browser sessions: a random id in an HttpOnly, SameSite=Strict cookie, mapped here to
/// the token's hash (re-checked on every page, so revoking the token ends the session) and to the
/// session's CSRF token. Sessions live in memory for 8 hours.
actor Sessions {
    struct Session {
        let tokenHash: String
        let csrf: String
        let expires: ContinuousClock.Instant
    }

    private var sessions: [String: Session] = [:]

    func create(tokenHash: String) -> (id: String, csrf: String) {
        let now = ContinuousClock.now
        sessions = sessions.filter { $0.value.expires > now }
        let id = ServerToken.generate(), csrf = ServerToken.generate()
        sessions[id] = Session(tokenHash: tokenHash, csrf: csrf, expires: now + .seconds(8 * 3600))
        return (id, csrf)
    }

    func get(_ id: String) -> Session? {
        guard let s = sessions[id], s.expires > ContinuousClock.now else { return nil }
        return s
    }

    func remove(_ id: String) { sessions[id] = nil }
}

/// The web dashboard at `/`: server-rendered HTML without scripts or external assets.
struct Dashboard: Sendable {
    let api: API
    let sessions = Sessions()

    static let sessionCookie = "berth_session"
    static let csrfCookie = "berth_signin_csrf"

    func register(_ router: Router<ServerContext>) {
        router.get("signin") { _, _ in
            let csrf = ServerToken.generate()
            return Self.page(title: "Sign in", body: Self.signinForm(csrf: csrf, error: nil),
                             cookies: [Self.cookie(Self.csrfCookie, csrf, maxAge: 600)])
        }
        router.post("signin") { request, context in
            let form = try await Self.form(request, context)
            let cookieCSRF = request.cookie(Self.csrfCookie)
            guard let sent = form["csrf"], let expected = cookieCSRF, !expected.isEmpty, sent == expected else {
                throw Problem.forbidden("the sign-in form is stale or was not sent by this site; reload it")
            }
            let hash = ServerToken.hash(form["token"]?.trimmingCharacters(in: .whitespaces) ?? "")
            let record = try await api.reader.run { ledger throws(LedgerError) in try ledger.token(hash: hash) }
            guard let record, record.revokedAt == nil else {
                let peer = context.remoteAddress?.ipAddress ?? "unknown"
                let wait = await api.failures.record(peer)
                if wait > .zero { try? await Task.sleep(for: wait) }
                let csrf = ServerToken.generate()
                return Self.page(title: "Sign in", body: Self.signinForm(csrf: csrf, error: "Unknown or revoked token."),
                                 status: .unauthorized, cookies: [Self.cookie(Self.csrfCookie, csrf, maxAge: 600)])
            }
            let session = await sessions.create(tokenHash: hash)
            _ = record
            return Self.redirect("/", cookies: [Self.cookie(Self.sessionCookie, session.id, maxAge: 8 * 3600),
                                                Self.cookie(Self.csrfCookie, "", maxAge: 0)])
        }
        router.post("signout") { request, context in
            let form = try await Self.form(request, context)
            guard let id = request.cookie(Self.sessionCookie), let s = await sessions.get(id), form["csrf"] == s.csrf else {
                throw Problem.forbidden("missing or wrong CSRF token")
            }
            await sessions.remove(id)
            return Self.redirect("/signin", cookies: [Self.cookie(Self.sessionCookie, "", maxAge: 0)])
        }
        router.get("/") { request, _ in
            let (record, s, away) = try await signedIn(request)
            guard let record, let s else { return away }
            let q = request.uri.queryParameters.get("q").map { String($0) } ?? ""
            let html = try await render(token: record, csrf: s.csrf, query: q)
            return Self.page(title: "berth IPAM", body: html)
        }
        router.get("history") { request, _ in
            let (record, s, away) = try await signedIn(request)
            guard let record, let s else { return away }
            let fields = HistoryFields(request.uri.queryParameters)
            let filter = try fields.filter()
            let events: [HistoryEvent]
            do {
                events = try await api.reader.run { ledger throws(LedgerError) in try ledger.historyEvents(filter, limit: Self.historyLimit) }
            } catch LedgerError.invalid(let m) {
                throw Problem.badRequest("pool: \(m)")
            }
            return Self.page(title: "berth IPAM: history", body: Self.historyPage(token: record, csrf: s.csrf, fields: fields, events: events))
        }
    }

    /// The signed-in token and session, or the redirect to the sign-in page (session unknown,
    /// expired, or its token revoked).
    func signedIn(_ request: Request) async throws -> (TokenRecord?, Sessions.Session?, Response) {
        guard let id = request.cookie(Self.sessionCookie), let s = await sessions.get(id) else { return (nil, nil, Self.redirect("/signin")) }
        let record = try await api.reader.run { ledger throws(LedgerError) in try ledger.token(hash: s.tokenHash) }
        guard let record, record.revokedAt == nil else {
            await sessions.remove(id)
            return (nil, nil, Self.redirect("/signin", cookies: [Self.cookie(Self.sessionCookie, "", maxAge: 0)]))
        }
        return (record, s, Self.redirect("/"))
    }

    /// The history page shows at most this many events, newest first.
    static let historyLimit = 500

    /// The allocation history with its filter form (GET: pool, actor, action, from, to).
    static func historyPage(token: TokenRecord, csrf: String, fields: HistoryFields, events: [HistoryEvent]) -> String {
        var h = header(token: token, csrf: csrf)
        h += "<p><a href=\"/\">Pools</a></p>\n<section><h2>Allocation history</h2>\n"
        h += "<form method=\"get\" action=\"/history\" id=\"history-filter\">"
        h += "<label>Pool <input name=\"pool\" value=\"\(esc(fields.pool))\"></label> "
        h += "<label>Actor <input name=\"actor\" value=\"\(esc(fields.actor))\"></label> "
        h += "<label>Action <select name=\"action\"><option value=\"\">any</option>"
        for kind in HistoryEvent.Kind.allCases {
            h += "<option value=\"\(kind.rawValue)\"\(fields.action == kind.rawValue ? " selected" : "")>\(kind.rawValue)</option>"
        }
        h += "</select></label> "
        h += "<label>From <input name=\"from\" value=\"\(esc(fields.from))\" placeholder=\"2025-01-31 or 2025-01-31T08:00:00Z\"></label> "
        h += "<label>To <input name=\"to\" value=\"\(esc(fields.to))\" placeholder=\"2025-01-31 or 2025-01-31T18:00:00Z\"></label> "
        h += "<button type=\"submit\">Filter</button></form>\n"
        h += "<p id=\"history-count\">\(events.count) event\(events.count == 1 ? "" : "s")"
        h += events.count >= historyLimit ? " (the newest \(historyLimit); narrow the filter to see older ones)" : ""
        h += "</p>\n<table id=\"history\"><thead><tr><th>When</th><th>Pool</th><th>Event</th><th>Block</th><th>Owner</th><th>Actor</th></tr></thead><tbody>\n"
        for e in events {
            h += "<tr><td>\(LedgerTime.format(e.at))</td><td>\(esc(e.pool))</td><td>\(e.kind.rawValue)</td><td>\(e.prefix)</td>"
            h += "<td>\(esc(e.owner ?? "-"))</td><td>\(esc(e.actor ?? "-"))</td></tr>\n"
        }
        return h + "</tbody></table></section>\n"
    }

    static func header(token: TokenRecord, csrf: String) -> String {
        var h = "<header><h1>berth IPAM</h1><form method=\"post\" action=\"/signout\"><span>Signed in as "
        h += esc(token.name) + " (" + token.scope.rawValue + ")</span> "
        h += "<input type=\"hidden\" name=\"csrf\" value=\"\(esc(csrf))\"><button type=\"submit\">Sign out</button></form></header>\n"
        return h
    }

    /// The signed-in page: pools, maps, search and history.
    func render(token: TokenRecord, csrf: String, query: String) async throws -> String {
        let data = try await api.reader.run { ledger throws(LedgerError) -> ([PoolUsage], [String: [Allocation]]) in
            let usage = try ledger.usage()
            var byPool: [String: [Allocation]] = [:]
            for a in try ledger.list() { byPool[a.pool, default: []].append(a) }
            return (usage, byPool)
        }
        var h = Self.header(token: token, csrf: csrf)
        h += "<p><a href=\"/history\">Allocation history</a></p>\n"
        h += "<section><h2>Pools</h2><table id=\"pools\"><thead><tr><th>Pool</th><th>Prefix</th><th>Utilisation</th>"
        h += "<th>Fragmentation</th><th>Allocated</th><th>Reserved</th><th>Quarantined</th><th>Free addresses</th><th>Largest free</th></tr></thead><tbody>\n"
        for u in data.0 {
            h += "<tr><td>\(Self.esc(u.pool.name))</td><td>\(u.pool.prefix)</td><td>\(Self.pct(u.utilization))</td>"
            h += "<td>\(Self.pct(u.fragmentation))</td><td>\(u.allocated)</td><td>\(u.reserved)</td><td>\(u.quarantined)</td>"
            h += "<td>\(u.freeAddresses)</td><td>\(u.largestFree.map { "\($0)" } ?? "-")</td></tr>\n"
        }
        h += "</tbody></table></section>\n<section><h2>Prefix maps</h2>\n"
        for u in data.0 {
            h += "<h3>\(Self.esc(u.pool.name)) \(u.pool.prefix)</h3>\n" + Self.map(u.pool, data.1[u.pool.name] ?? [])
        }
        h += "<p class=\"legend\"><span class=\"allocated\">allocated</span> <span class=\"reserved\">reserved</span> "
        h += "<span class=\"quarantined\">quarantined</span> <span class=\"free\">free</span></p></section>\n"
        h += "<section><h2>Search and history</h2><form method=\"get\" action=\"/\"><label>Address or prefix "
        h += "<input name=\"q\" value=\"\(Self.esc(query))\"></label> <button type=\"submit\">Search</button></form>\n"
        if !query.isEmpty { h += try await searchResult(query) }
        h += "</section>\n"
        return h
    }

    private func searchResult(_ q: String) async throws -> String {
        let address: IPAddress
        do {
            address = q.contains("/") ? try IPPrefix(q).first : try IPAddress(q)
        } catch {
            return "<p class=\"error\">\(Self.esc(error.description))</p>"
        }
        do {
            let (owner, events) = try await api.reader.run { ledger throws(LedgerError) in
                (try ledger.show(address), try ledger.history(address))
            }
            var h = "<p id=\"holder\">\(Self.esc(q)) is in pool <b>\(Self.esc(owner.pool.name))</b>; "
            h += owner.holder.map { "held by \($0.prefix) (\($0.state.rawValue), owner \(Self.esc($0.owner ?? "-")))" } ?? "free"
            h += ".</p>\n<table id=\"history\"><thead><tr><th>When</th><th>Event</th><th>Block</th><th>Owner</th><th>Actor</th></tr></thead><tbody>\n"
            for e in events {
                h += "<tr><td>\(LedgerTime.format(e.at))</td><td>\(e.kind.rawValue)</td><td>\(e.prefix)</td>"
                h += "<td>\(Self.esc(e.owner ?? "-"))</td><td>\(Self.esc(e.actor ?? "-"))</td></tr>\n"
            }
            return h + "</tbody></table>\n"
        } catch {
            return "<p class=\"error\">\(Self.esc(error.description))</p>"
        }
    }

    /// One pool's blocks as an SVG bar: each live block at its offset in the pool, coloured by
    /// state, on a free background. Blocks too small to see are drawn one pixel wide.
    static func map(_ pool: Pool, _ blocks: [Allocation]) -> String {
        let width = 960.0, height = 28.0
        let total = Double(pool.prefix.addressCount.description) ?? 1
        func value(_ a: IPAddress) -> Double {
            switch a {
            case .v4(let v): return Double(v.value)
            case .v6(let v): return Double(v.high) * 18_446_744_073_709_551_616 + Double(v.low)
            }
        }
        func offset(_ p: IPPrefix) -> Double { (value(p.first) - value(pool.prefix.first)) / total }
        var s = "<svg class=\"map\" role=\"img\" aria-label=\"prefix map of \(esc(pool.name))\" xmlns=\"http://www.w3.org/2000/svg\" "
        s += "width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\">"
        s += "<rect class=\"free\" x=\"0\" y=\"0\" width=\"\(Int(width))\" height=\"\(Int(height))\"><title>free</title></rect>"
        for b in blocks where b.state.isLive {
            let x = offset(b.prefix) * width
            let w = max(1, (Double(b.prefix.addressCount.description) ?? 0) / total * width)
            s += "<rect class=\"\(b.state.rawValue)\" x=\"\(String(format: "%.2f", x))\" y=\"0\" width=\"\(String(format: "%.2f", w))\" height=\"\(Int(height))\">"
            s += "<title>\(b.prefix) \(b.state.rawValue) \(esc(b.owner ?? ""))</title></rect>"
        }
        return s + "</svg>\n"
    }

    // MARK: - HTML helpers

    static func esc(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    static func pct(_ v: Double) -> String { String(format: "%.1f %%", v * 100) }

    static func signinForm(csrf: String, error: String?) -> String {
        var h = "<h1>berth IPAM</h1><form method=\"post\" action=\"/signin\" id=\"signin\">"
        if let error { h += "<p class=\"error\">\(esc(error))</p>" }
        h += "<label>Token <input type=\"password\" name=\"token\" autocomplete=\"off\" required></label>"
        h += "<input type=\"hidden\" name=\"csrf\" value=\"\(esc(csrf))\"> <button type=\"submit\">Sign in</button></form>"
        return h
    }

    static let style = """
        body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}
        header{display:flex;justify-content:space-between;align-items:center}.error{color:#b00}
        .map{border:1px solid #888;display:block}.free{fill:#e8f5e9;background:#e8f5e9}.allocated{fill:#1565c0;background:#1565c0;color:#fff}
        .reserved{fill:#6a1b9a;background:#6a1b9a;color:#fff}.quarantined{fill:#ef6c00;background:#ef6c00;color:#fff}.legend span{padding:2px 6px}
        """

    static func page(title: String, body: String, status: HTTPResponse.Status = .ok, cookies: [String] = []) -> Response {
        let html = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>\(esc(title))</title><style>\(style)</style></head><body>\n"
            + body + "\n</body></html>\n"
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'"
        headers[.cacheControl] = "no-store"
        for c in cookies { headers.append(HTTPField(name: .setCookie, value: c)) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func redirect(_ to: String, cookies: [String] = []) -> Response {
        var headers = HTTPFields()
        headers[.location] = to
        for c in cookies { headers.append(HTTPField(name: .setCookie, value: c)) }
        return Response(status: .seeOther, headers: headers)
    }

    static func cookie(_ name: String, _ value: String, maxAge: Int) -> String {
        "\(name)=\(value); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict"
    }

    /// An `application/x-www-form-urlencoded` body.
    static func form(_ request: Request, _ context: ServerContext) async throws -> [String: String] {
        var request = request
        let buffer: ByteBuffer
        do { buffer = try await request.collectBody(upTo: 8 * 1024) } catch is NIOTooManyBytesError {
            throw Problem(status: .contentTooLarge, slug: "body-too-large", title: "Body too large", detail: "the form is larger than 8 KiB")
        }
        var out: [String: String] = [:]
        for pair in String(buffer: buffer).split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            if let k = kv.first { out[k] = kv.count > 1 ? kv[1] : "" }
        }
        return out
    }
}

extension Request {
    /// The value of cookie `name`, if sent.
    func cookie(_ name: String) -> String? {
        for header in headers[values: .cookie] {
            for part in header.split(separator: ";") {
                let kv = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if kv.count == 2, kv[0] == name { return String(kv[1]) }
            }
        }
        return nil
    }
}

/// The history page's filter fields as sent (GET query); `filter()` checks them.
struct HistoryFields: Sendable {
    var pool = ""
    var actor = ""
    var action = ""
    var from = ""
    var to = ""

    init(_ query: Parameters) {
        func field(_ name: String) -> String { query.get(name).map { String($0).trimmingCharacters(in: .whitespaces) } ?? "" }
        pool = field("pool")
        actor = field("actor")
        action = field("action")
        from = field("from")
        to = field("to")
    }

    /// The filter, or a 400 problem naming the field that is wrong.
    func filter() throws(Problem) -> HistoryFilter {
        var f = HistoryFilter()
        if !pool.isEmpty {
            do { try Validate.poolName(pool) } catch { throw Problem.badRequest("pool: \(error.description)") }
            f.pool = pool
        }
        if !actor.isEmpty {
            guard actor.count <= 64, actor.unicodeScalars.allSatisfy({ $0.value >= 32 && $0.value != 127 }) else {
                throw Problem.badRequest("actor: a token name of at most 64 printable characters")
            }
            f.actor = actor
        }
        if !action.isEmpty {
            guard let kind = HistoryEvent.Kind(rawValue: action) else {
                let kinds = HistoryEvent.Kind.allCases.map(\.rawValue).joined(separator: ", ")
                throw Problem.badRequest("action: '\(action.prefix(64))' is not one of \(kinds)")
            }
            f.kind = kind
        }
        f.from = try Self.time(from, "from", endOfDay: false)
        f.to = try Self.time(to, "to", endOfDay: true)
        if let a = f.from, let b = f.to, a > b { throw Problem.badRequest("from \(LedgerTime.format(a)) is after to \(LedgerTime.format(b))") }
        return f
    }

    /// RFC 3339 (`2025-01-31T08:00:00Z`), a browser's `datetime-local` (`2025-01-31T08:00`, UTC) or a
    /// day (`2025-01-31`: its first second for `from`, its last for `to`).
    static func time(_ text: String, _ field: String, endOfDay: Bool) throws(Problem) -> Int64? {
        if text.isEmpty { return nil }
        let b = Array(text.utf8)
        let candidate: String
        if b.count == 10 {
            candidate = text + (endOfDay ? "T23:59:59Z" : "T00:00:00Z")
        } else if b.count == 16 {
            candidate = text + ":00Z"
        } else {
            candidate = text
        }
        guard let t = LedgerTime.parse(candidate) else {
            throw Problem.badRequest("\(field): '\(text.prefix(64))' is not a time such as 2025-01-31T08:00:00Z or a day such as 2025-01-31")
        }
        return t
    }
}
