import BerthNet
import BerthStore
import Foundation
import HTTPTypes
import Hummingbird
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
        let id = ServerToken.generate()
        let csrf = ServerToken.generate()
        sessions[id] = Session(tokenHash: tokenHash, csrf: csrf, expires: now + .seconds(8 * 3600))
        return (id, csrf)
    }

    func get(_ id: String) -> Session? {
        guard let s = sessions[id], s.expires > ContinuousClock.now else { return nil }
        return s
    }

    func remove(_ id: String) { sessions[id] = nil }
}

/// The web dashboard at `/`: server-rendered HTML without scripts or external assets, from the
/// Mustache templates of `DashboardTemplates` (the values of each page: DashboardPages.swift).
struct Dashboard: Sendable {
    let api: API
    let templates: DashboardTemplates
    let sessions = Sessions()

    static let sessionCookie = "berth_session"
    static let csrfCookie = "berth_signin_csrf"

    func register(_ router: Router<ServerContext>) {
        router.get("signin") { _, _ in
            let csrf = ServerToken.generate()
            return Self.page(
                templates.render(SigninPage(csrf: csrf, error: nil)),
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
                return Self.page(
                    templates.render(SigninPage(csrf: csrf, error: "Unknown or revoked token.")),
                    status: .unauthorized, cookies: [Self.cookie(Self.csrfCookie, csrf, maxAge: 600)])
            }
            let session = await sessions.create(tokenHash: hash)
            _ = record
            return Self.redirect(
                "/",
                cookies: [
                    Self.cookie(Self.sessionCookie, session.id, maxAge: 8 * 3600),
                    Self.cookie(Self.csrfCookie, "", maxAge: 0),
                ])
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
            return Self.page(templates.render(try await poolsPage(token: record, csrf: s.csrf, query: q)))
        }
        router.get("history") { request, _ in
            let (record, s, away) = try await signedIn(request)
            guard let record, let s else { return away }
            let fields = HistoryFields(request.uri.queryParameters)
            let filter = try fields.filter()
            let events: [HistoryEvent]
            do {
                events = try await api.reader.run { ledger throws(LedgerError) in try ledger.historyEvents(filter, limit: Self.historyLimit)
                }
            } catch LedgerError.invalid(let m) {
                throw Problem.badRequest("pool: \(m)")
            }
            return Self.page(
                templates.render(
                    HistoryPage(
                        header: PageHeader(user: SignedInUser(record), csrf: s.csrf), fields: fields, events: events,
                        limit: Self.historyLimit)))
        }
    }

    /// The signed-in token and session, or the redirect to the sign-in page (session unknown,
    /// expired, or its token revoked).
    func signedIn(_ request: Request) async throws -> (TokenRecord?, Sessions.Session?, Response) {
        guard let id = request.cookie(Self.sessionCookie), let s = await sessions.get(id) else {
            return (nil, nil, Self.redirect("/signin"))
        }
        let record = try await api.reader.run { ledger throws(LedgerError) in try ledger.token(hash: s.tokenHash) }
        guard let record, record.revokedAt == nil else {
            await sessions.remove(id)
            return (nil, nil, Self.redirect("/signin", cookies: [Self.cookie(Self.sessionCookie, "", maxAge: 0)]))
        }
        return (record, s, Self.redirect("/"))
    }

    /// The history page shows at most this many events, newest first.
    static let historyLimit = 500

    /// The signed-in page: pools, maps, search and history.
    func poolsPage(token: TokenRecord, csrf: String, query: String) async throws -> PoolsPage {
        let data = try await api.reader.run { ledger throws(LedgerError) -> ([PoolUsage], [String: [Allocation]]) in
            let usage = try ledger.usage()
            var byPool: [String: [Allocation]] = [:]
            for a in try ledger.list() { byPool[a.pool, default: []].append(a) }
            return (usage, byPool)
        }
        var search: PoolsPage.SearchResult?
        if !query.isEmpty { search = try await searchResult(query) }
        return PoolsPage(
            header: PageHeader(user: SignedInUser(token), csrf: csrf),
            pools: data.0.map { PoolsPage.PoolRow($0, data.1[$0.pool.name] ?? []) },
            query: query, search: search)
    }

    private func searchResult(_ q: String) async throws -> PoolsPage.SearchResult {
        let address: IPAddress
        do {
            address = q.contains("/") ? try IPPrefix(q).first : try IPAddress(q)
        } catch {
            return PoolsPage.SearchResult(error: error.description, found: nil)
        }
        do {
            let (owner, events) = try await api.reader.run { ledger throws(LedgerError) in
                (try ledger.show(address), try ledger.history(address))
            }
            let holder = owner.holder.map {
                PoolsPage.SearchResult.Holder(prefix: "\($0.prefix)", state: $0.state.rawValue, owner: $0.owner ?? "-")
            }
            return PoolsPage.SearchResult(
                error: nil,
                found: .init(
                    query: q, pool: owner.pool.name, holder: holder,
                    events: events.map { EventRow($0, showPool: false) }))
        } catch {
            return PoolsPage.SearchResult(error: error.description, found: nil)
        }
    }

    // MARK: - Responses

    /// A rendered page as `text/html`, with the dashboard's security headers.
    static func page(_ html: String, status: HTTPResponse.Status = .ok, cookies: [String] = []) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.contentSecurityPolicy] =
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'"
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
            throw Problem(
                status: .contentTooLarge, slug: "body-too-large", title: "Body too large", detail: "the form is larger than 8 KiB")
        }
        var out: [String: String] = [:]
        for pair in String(buffer: buffer).split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
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
        if let a = f.from, let b = f.to, a > b {
            throw Problem.badRequest("from \(LedgerTime.format(a)) is after to \(LedgerTime.format(b))")
        }
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
            throw Problem.badRequest(
                "\(field): '\(text.prefix(64))' is not a time such as 2025-01-31T08:00:00Z or a day such as 2025-01-31")
        }
        return t
    }
}
