import BerthNet
import BerthStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Prometheus

/// The routes of `/api/v1`, `/openapi.json`, `/metrics`, `/healthz` and `/readyz`.
struct API: Sendable {
    let writer: LedgerWorker
    let reader: LedgerWorker
    let metrics: ServerMetrics
    let failures: AuthFailures

    func register(_ router: Router<ServerContext>) {
        registerOperations(router)
        let v1 = router.group("api/v1")
        registerPools(v1)
        registerWrites(v1)
        registerQueries(v1)
    }

    /// `/healthz`, `/readyz`, `/openapi.json` and `/metrics`.
    func registerOperations(_ router: Router<ServerContext>) {
        router.get("healthz") { _, _ in Self.text("ok\n") }
        router.get("readyz") { _, _ in
            do {
                _ = try await reader.run { ledger throws(LedgerError) in try ledger.pools().count }
                return Self.text("ready\n")
            } catch {
                return Problem(
                    status: .serviceUnavailable, slug: "store-unavailable", title: "Store unavailable",
                    detail: "the store cannot be read"
                ).response
            }
        }
        router.get("openapi.json") { _, _ in
            guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
                let data = try? Data(contentsOf: url)
            else { throw HTTPError(.internalServerError) }
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.get("metrics") { request, context in
            let usage = try await authorized(request, context, .read, on: reader) { ledger, _ in try ledger.usage() }
            metrics.pools(usage)
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        }
    }

    /// Pools: list, create, show with usage.
    func registerPools(_ v1: RouterGroup<ServerContext>) {
        v1.get("pools") { request, context in
            let usage = try await authorized(request, context, .read, on: reader) { ledger, _ in try ledger.usage() }
            return try Self.json(PoolList(pools: usage.map { PoolJSON($0.pool, usage: $0) }))
        }
        v1.post("pools") { request, context in
            let body = await Self.attempt { try await Self.decode(CreatePoolBody.self, request, context) }
            let pool = try await authorized(request, context, .admin, on: writer) { ledger, _ in
                let body = try body.get()
                let prefix = try Self.prefix(body.prefix, "prefix")
                if let q = body.quarantineSeconds, q < 0 { throw Problem.badRequest("quarantineSeconds must not be negative") }
                return try ledger.addPool(
                    name: body.name, prefix: prefix, quarantine: body.quarantineSeconds ?? 0,
                    sameFamily: body.familyCheck ?? false)
            }
            return try Self.json(PoolJSON(pool, usage: nil), status: .created)
        }
        v1.get("pools/{pool}") { request, context in
            let name = try Self.pool(context)
            let usage = try await authorized(request, context, .read, on: reader) { ledger, _ in try ledger.usage(pool: name) }
            guard let u = usage.first else { throw Problem.notFound("unknown pool '\(name)'") }
            return try Self.json(PoolJSON(u.pool, usage: u))
        }
    }

    /// Allocations, reservations and releases: the routes that write.
    func registerWrites(_ v1: RouterGroup<ServerContext>) {
        v1.post("pools/{pool}/allocations") { request, context in
            let credential = try await credential(request, context, .allocate)
            let name = try Self.pool(context)
            let parsed = await Self.attempt { () async throws -> AllocationRequest in
                let body = try await Self.decode(AllocateBody.self, request, context)
                if let l = body.leaseSeconds, l <= 0 { throw Problem.badRequest("leaseSeconds must be positive") }
                // `prefix`: that exact block (then `size`, if given, must be its length); else best fit of `size`.
                let exact = try body.prefix.map { try Self.prefix($0, "prefix") }
                guard body.size != nil || exact != nil else { throw Problem.badRequest("give size or prefix") }
                if let exact, let size = body.size, exact.length != size {
                    throw Problem.badRequest("prefix \(exact) is a /\(exact.length) but size asks for /\(size)")
                }
                return AllocationRequest(
                    pool: name, length: exact == nil ? body.size : nil, exact: exact, owner: body.owner,
                    note: body.note, requestID: body.requestId, lease: body.leaseSeconds)
            }
            let a = try await refusing(context) { () async throws -> Allocation in
                // Best fit of a size joins the pool's batch; anything else (an exact block, a
                // body that did not parse) runs alone, its token checked first.
                if case .success(let r) = parsed, r.exact == nil { return try await writer.allocate(r, credential) }
                return try await writer.run(authorizing: credential) { ledger, _ in try ledger.allocate(try parsed.get()) }
            }
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .created, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: AllocationJSON(a).jsonBytes)))
        }
        v1.post("pools/{pool}/reservations") { request, context in
            let name = try Self.pool(context)
            let body = await Self.attempt { try await Self.decode(ReserveBody.self, request, context) }
            let a = try await authorized(request, context, .allocate, on: writer) { ledger, _ in
                let body = try body.get()
                let prefix = try Self.prefix(body.prefix, "prefix")
                return try ledger.reserve(pool: name, prefix: prefix, owner: body.owner, note: body.note)
            }
            return try Self.json(AllocationJSON(a), status: .created)
        }
        v1.post("pools/{pool}/releases") { request, context in
            let name = try Self.pool(context)
            return try await release(request, context) { _ in name }
        }
        // A release naming the block only (the pool is the one containing it), as `berth ip release` without --pool.
        v1.post("releases") { request, context in
            try await release(request, context) { $0.pool }
        }
    }

    /// Lists, search and history: the routes that only read.
    func registerQueries(_ v1: RouterGroup<ServerContext>) {
        v1.get("pools/{pool}/allocations") { request, context in
            let name = try Self.pool(context)
            let all = request.uri.queryParameters.get("includeReleased") == "true"
            let list = try await authorized(request, context, .read, on: reader) { ledger, _ in
                try ledger.list(pool: name, includeReleased: all)
            }
            return try Self.json(AllocationList(allocations: list.map(AllocationJSON.init)))
        }
        // Every pool's allocations (or one pool's with ?pool=), in the order of `berth ip list`.
        v1.get("allocations") { request, context in
            let name = request.uri.queryParameters.get("pool").map { String($0) }
            let all = request.uri.queryParameters.get("includeReleased") == "true"
            let list = try await authorized(request, context, .read, on: reader) { ledger, _ in
                try ledger.list(pool: name, includeReleased: all)
            }
            return try Self.json(AllocationList(allocations: list.map(AllocationJSON.init)))
        }
        v1.get("search") { request, context in
            let q = request.uri.queryParameters.get("q").map { String($0) } ?? ""
            let result = try await authorized(request, context, .read, on: reader) { ledger, _ -> SearchResult in
                guard !q.isEmpty else { throw Problem.badRequest("give the address or prefix to look for as ?q=") }
                let prefix: IPPrefix
                if q.contains("/") {
                    prefix = try Self.prefix(q, "q")
                } else {
                    do {
                        let a = try IPAddress(q)
                        prefix = try IPPrefix(address: a, length: a.family.bitWidth)
                    } catch { throw Problem.badRequest("q: \((error as? IPError)?.description ?? "malformed")") }
                }
                let owner = try ledger.show(prefix.first)
                let holder = owner.holder.flatMap { $0.prefix.contains(prefix) ? $0 : nil }
                let within =
                    q.contains("/")
                    ? try ledger.list(pool: owner.pool.name).filter { prefix.contains($0.prefix) } : []
                return SearchResult(
                    query: q, pool: owner.pool.name, poolPrefix: owner.pool.prefix.description,
                    holder: holder.map(AllocationJSON.init),
                    within: within.map(AllocationJSON.init))
            }
            return try Self.json(result)
        }
        v1.get("history") { request, context in
            let q = request.uri.queryParameters.get("address").map { String($0) } ?? ""
            let (address, events) = try await authorized(request, context, .read, on: reader) { ledger, _ in
                guard !q.isEmpty else { throw Problem.badRequest("give the address as ?address=") }
                let address: IPAddress
                do { address = try IPAddress(q) } catch {
                    throw Problem.badRequest("address: \((error as? IPError)?.description ?? "malformed")")
                }
                return (address, try ledger.history(address))
            }
            return try Self.json(HistoryList(address: address.description, events: events.map(HistoryJSON.init)))
        }
    }

    /// A release (`pools/{pool}/releases` or `releases`): the pool is the one `pool` names from the
    /// body, or, when that is nil, the one holding the block.
    func release(_ request: Request, _ context: ServerContext, pool: @escaping @Sendable (ReleaseBody) -> String?) async throws -> Response
    {
        let body = await Self.attempt { try await Self.decode(ReleaseBody.self, request, context) }
        let a = try await authorized(request, context, .allocate, on: writer) { ledger, _ in
            let body = try body.get()
            let prefix = try Self.prefix(body.prefix, "prefix")
            if let q = body.quarantineSeconds, q < 0 { throw Problem.badRequest("quarantineSeconds must not be negative") }
            return try ledger.release(prefix, pool: pool(body), quarantine: body.quarantineSeconds)
        }
        return try Self.json(AllocationJSON(a))
    }

    /// The `{pool}` path segment as the client meant it: the router hands it over still
    /// percent-encoded (`a%2Fb` for the name `a/b`). A segment that does not decode to UTF-8 is
    /// kept as sent; it names no pool, and the ledger answers so.
    static func pool(_ context: ServerContext) throws -> String {
        let raw = try context.parameters.require("pool")
        return raw.removingPercentEncoding ?? raw
    }

    /// The SHA-256 of the request's `Authorization: Bearer ...` token, or nil when it sends none.
    static func bearerHash(_ request: Request) -> String? {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { return nil }
        // The token with the blanks around it dropped (spaces and tabs, as HTTP allows).
        let bytes = header.utf8.dropFirst(7)
        let blank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        guard let start = bytes.firstIndex(where: { !blank($0) }), let end = bytes.lastIndex(where: { !blank($0) }) else {
            return ServerToken.hash("")
        }
        return ServerToken.hash(utf8: bytes[start...end])
    }

    /// The credential the request presents for `scope`; a request without a bearer token is
    /// refused here (401), before any work is queued.
    func credential(_ request: Request, _ context: ServerContext, _ scope: TokenScope) async throws -> Credential {
        guard let hash = Self.bearerHash(request) else {
            throw await refusal(.missing, context)
        }
        return Credential(hash: hash, scope: scope)
    }

    /// Runs `body` on `worker` once the request's token exists, is not revoked and has `scope`
    /// (checked by the worker in the same job). Refusals answer 401 or 403, and unknown or
    /// revoked tokens are slowed down per peer address.
    func authorized<T: Sendable>(
        _ request: Request, _ context: ServerContext, _ scope: TokenScope, on worker: LedgerWorker,
        _ body: @escaping @Sendable (Ledger, TokenRecord) throws -> T
    ) async throws -> T {
        let credential = try await credential(request, context, scope)
        return try await refusing(context) { try await worker.run(authorizing: credential, body) }
    }

    /// Runs `work`, turning an `AuthFailure` it throws into the 401 or 403 problem.
    func refusing<T>(_ context: ServerContext, _ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch let failure as AuthFailure {
            switch failure {
            case .unknown: throw await refusal(.unknown, context)
            case .revoked: throw await refusal(.revoked, context)
            case .scope(let token, let needed):
                throw Problem.forbidden("token '\(token.name)' has scope '\(token.scope.rawValue)'; this needs '\(needed.rawValue)'")
            }
        }
    }

    enum Refusal: String {
        case missing = "send a token as 'Authorization: Bearer <token>'"
        case unknown = "unknown token"
        case revoked = "token revoked"
    }

    /// The 401 for `why`, after the wait that repeated failures from the peer's address earn.
    func refusal(_ why: Refusal, _ context: ServerContext) async -> Problem {
        let peer = context.remoteAddress?.ipAddress ?? "unknown"
        let wait = await failures.record(peer)
        if wait > .zero { try? await Task.sleep(for: wait) }
        return Problem.unauthorized(why.rawValue)
    }

    /// The outcome of `body`, thrown error included: a request's body is read before its token is
    /// checked (both happen in one job on the worker), and its errors are answered after the check.
    static func attempt<T>(_ body: () async throws -> T) async -> Result<T, any Error> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }

    static func prefix(_ text: String, _ field: String) throws -> IPPrefix {
        do { return try IPPrefix(text) } catch { throw Problem.badRequest("\(field): \(error.description)") }
    }

    /// Decodes a JSON body of at most the context's upload limit (413 beyond).
    static func decode<T: Decodable>(_ type: T.Type, _ request: Request, _ context: ServerContext) async throws -> T {
        var request = request
        let tooLarge = Problem(
            status: .contentTooLarge, slug: "body-too-large", title: "Body too large",
            detail: "the request body is larger than \(context.maxUploadSize / 1024) KiB")
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > context.maxUploadSize { throw tooLarge }
        let buffer: ByteBuffer
        do { buffer = try await request.collectBody(upTo: context.maxUploadSize) } catch is NIOTooManyBytesError { throw tooLarge }
        do {
            return try Self.decoder.decode(T.self, from: Data(buffer.readableBytesView))
        } catch let DecodingError.keyNotFound(key, _) {
            throw Problem.badRequest("missing field '\(key.stringValue)'")
        } catch let DecodingError.typeMismatch(_, c), let DecodingError.valueNotFound(_, c) {
            throw Problem.badRequest("wrong type at '\(c.codingPath.map(\.stringValue).joined(separator: "."))'")
        } catch {
            throw Problem.badRequest("the body is not valid JSON for this request")
        }
    }

    /// One encoder for every answer (its settings never change after this; encoding is safe from
    /// many threads at once).
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
    static let decoder = JSONDecoder()

    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    static func text(_ s: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: s)))
    }
}
