import BerthNet
import BerthStore
import Foundation
import Hummingbird
import NIOCore
import Prometheus
import HTTPTypes

/// The routes of `/api/v1`, `/openapi.json`, `/metrics`, `/healthz` and `/readyz`.
struct API: Sendable {
    let writer: LedgerWorker
    let reader: LedgerWorker
    let auth: LedgerWorker
    let metrics: ServerMetrics
    let failures: AuthFailures

    func register(_ router: Router<ServerContext>) {
        router.get("healthz") { _, _ in Self.text("ok\n") }
        router.get("readyz") { _, _ in
            do {
                _ = try await reader.run { ledger throws(LedgerError) in try ledger.pools().count }
                return Self.text("ready\n")
            } catch {
                return Problem(status: .serviceUnavailable, slug: "store-unavailable", title: "Store unavailable",
                               detail: "the store cannot be read").response
            }
        }
        router.get("openapi.json") { _, _ in
            guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
                  let data = try? Data(contentsOf: url) else { throw HTTPError(.internalServerError) }
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.get("metrics") { request, context in
            _ = try await authorize(request, context, .read)
            let usage = try await reader.run { ledger throws(LedgerError) in try ledger.usage() }
            metrics.pools(usage)
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: metrics.registry.emitToBuffer())))
        }

        let v1 = router.group("api/v1")
        v1.get("pools") { request, context in
            _ = try await authorize(request, context, .read)
            let usage = try await reader.run { ledger throws(LedgerError) in try ledger.usage() }
            return try Self.json(PoolList(pools: usage.map { PoolJSON($0.pool, usage: $0) }))
        }
        v1.post("pools") { request, context in
            let token = try await authorize(request, context, .admin)
            let body = try await Self.decode(CreatePoolBody.self, request, context)
            let prefix = try Self.prefix(body.prefix, "prefix")
            if let q = body.quarantineSeconds, q < 0 { throw Problem.badRequest("quarantineSeconds must not be negative") }
            let pool = try await writer.run(as: token.name) { ledger throws(LedgerError) in
                return try ledger.addPool(name: body.name, prefix: prefix, quarantine: body.quarantineSeconds ?? 0,
                                          sameFamily: body.familyCheck ?? false)
            }
            return try Self.json(PoolJSON(pool, usage: nil), status: .created)
        }
        v1.get("pools/{pool}") { request, context in
            _ = try await authorize(request, context, .read)
            let name = try context.parameters.require("pool")
            let usage = try await reader.run { ledger throws(LedgerError) in try ledger.usage(pool: name) }
            guard let u = usage.first else { throw Problem.notFound("unknown pool '\(name)'") }
            return try Self.json(PoolJSON(u.pool, usage: u))
        }
        v1.get("pools/{pool}/allocations") { request, context in
            _ = try await authorize(request, context, .read)
            let name = try context.parameters.require("pool")
            let all = request.uri.queryParameters.get("includeReleased") == "true"
            let list = try await reader.run { ledger throws(LedgerError) in try ledger.list(pool: name, includeReleased: all) }
            return try Self.json(AllocationList(allocations: list.map(AllocationJSON.init)))
        }
        // Every pool's allocations (or one pool's with ?pool=), in the order of `berth ip list`.
        v1.get("allocations") { request, context in
            _ = try await authorize(request, context, .read)
            let name = request.uri.queryParameters.get("pool").map { String($0) }
            let all = request.uri.queryParameters.get("includeReleased") == "true"
            let list = try await reader.run { ledger throws(LedgerError) in try ledger.list(pool: name, includeReleased: all) }
            return try Self.json(AllocationList(allocations: list.map(AllocationJSON.init)))
        }
        v1.post("pools/{pool}/allocations") { request, context in
            let token = try await authorize(request, context, .allocate)
            let name = try context.parameters.require("pool")
            let body = try await Self.decode(AllocateBody.self, request, context)
            if let l = body.leaseSeconds, l <= 0 { throw Problem.badRequest("leaseSeconds must be positive") }
            // `prefix`: that exact block (then `size`, if given, must be its length); else best fit of `size`.
            let exact = try body.prefix.map { try Self.prefix($0, "prefix") }
            guard body.size != nil || exact != nil else { throw Problem.badRequest("give size or prefix") }
            if let exact, let size = body.size, exact.length != size {
                throw Problem.badRequest("prefix \(exact) is a /\(exact.length) but size asks for /\(size)")
            }
            var r = AllocationRequest(pool: name, length: exact == nil ? body.size : nil, exact: exact, owner: body.owner,
                                      note: body.note, requestID: body.requestId, lease: body.leaseSeconds)
            r.actor = token.name
            let request = r
            let a = exact == nil
                ? try await writer.allocate(request)
                : try await writer.run { ledger throws(LedgerError) in try ledger.allocate(request) }
            return try Self.json(AllocationJSON(a), status: .created)
        }
        v1.post("pools/{pool}/reservations") { request, context in
            let token = try await authorize(request, context, .allocate)
            let name = try context.parameters.require("pool")
            let body = try await Self.decode(ReserveBody.self, request, context)
            let prefix = try Self.prefix(body.prefix, "prefix")
            let a = try await writer.run(as: token.name) { ledger throws(LedgerError) in
                return try ledger.reserve(pool: name, prefix: prefix, owner: body.owner, note: body.note)
            }
            return try Self.json(AllocationJSON(a), status: .created)
        }
        v1.post("pools/{pool}/releases") { request, context in
            let token = try await authorize(request, context, .allocate)
            let name = try context.parameters.require("pool")
            let body = try await Self.decode(ReleaseBody.self, request, context)
            let prefix = try Self.prefix(body.prefix, "prefix")
            if let q = body.quarantineSeconds, q < 0 { throw Problem.badRequest("quarantineSeconds must not be negative") }
            let a = try await writer.run(as: token.name) { ledger throws(LedgerError) in
                return try ledger.release(prefix, pool: name, quarantine: body.quarantineSeconds)
            }
            return try Self.json(AllocationJSON(a))
        }
        // A release naming the block only (the pool is the one containing it), as `berth ip release` without --pool.
        v1.post("releases") { request, context in
            let token = try await authorize(request, context, .allocate)
            let body = try await Self.decode(ReleaseBody.self, request, context)
            let prefix = try Self.prefix(body.prefix, "prefix")
            if let q = body.quarantineSeconds, q < 0 { throw Problem.badRequest("quarantineSeconds must not be negative") }
            let a = try await writer.run(as: token.name) { ledger throws(LedgerError) in
                return try ledger.release(prefix, pool: body.pool, quarantine: body.quarantineSeconds)
            }
            return try Self.json(AllocationJSON(a))
        }
        v1.get("search") { request, context in
            _ = try await authorize(request, context, .read)
            guard let q = request.uri.queryParameters.get("q"), !q.isEmpty else {
                throw Problem.badRequest("give the address or prefix to look for as ?q=")
            }
            let prefix: IPPrefix
            if q.contains("/") {
                prefix = try Self.prefix(q, "q")
            } else {
                do {
                    let a = try IPAddress(q)
                    prefix = try IPPrefix(address: a, length: a.family.bitWidth)
                } catch { throw Problem.badRequest("q: \((error as? IPError)?.description ?? "malformed")") }
            }
            let result = try await reader.run { ledger throws(LedgerError) -> SearchResult in
                let owner = try ledger.show(prefix.first)
                let holder = owner.holder.flatMap { $0.prefix.contains(prefix) ? $0 : nil }
                let within = q.contains("/")
                    ? try ledger.list(pool: owner.pool.name).filter { prefix.contains($0.prefix) } : []
                return SearchResult(query: q, pool: owner.pool.name, poolPrefix: owner.pool.prefix.description,
                                    holder: holder.map(AllocationJSON.init),
                                    within: within.map(AllocationJSON.init))
            }
            return try Self.json(result)
        }
        v1.get("history") { request, context in
            _ = try await authorize(request, context, .read)
            guard let q = request.uri.queryParameters.get("address"), !q.isEmpty else {
                throw Problem.badRequest("give the address as ?address=")
            }
            let address: IPAddress
            do { address = try IPAddress(q) } catch { throw Problem.badRequest("address: \((error as? IPError)?.description ?? "malformed")") }
            let events = try await reader.run { ledger throws(LedgerError) in try ledger.history(address) }
            return try Self.json(HistoryList(address: address.description, events: events.map(HistoryJSON.init)))
        }
    }

    /// The token of `Authorization: Bearer ...`, if it exists, is not revoked and has `scope`.
    /// Failures are slowed down per peer address.
    func authorize(_ request: Request, _ context: ServerContext, _ scope: TokenScope) async throws -> TokenRecord {
        let header = request.headers[.authorization] ?? ""
        var found: TokenRecord? = nil
        var why = "send a token as 'Authorization: Bearer <token>'"
        if header.hasPrefix("Bearer ") {
            let hash = ServerToken.hash(String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces))
            found = try await auth.run { ledger throws(LedgerError) in try ledger.token(hash: hash) }
            why = "unknown token"
            if let t = found, t.revokedAt != nil {
                found = nil
                why = "token revoked"
            }
        }
        guard let token = found else {
            let peer = context.remoteAddress?.ipAddress ?? "unknown"
            let wait = await failures.record(peer)
            if wait > .zero { try? await Task.sleep(for: wait) }
            throw Problem.unauthorized(why)
        }
        guard token.scope >= scope else {
            throw Problem.forbidden("token '\(token.name)' has scope '\(token.scope.rawValue)'; this needs '\(scope.rawValue)'")
        }
        return token
    }

    static func prefix(_ text: String, _ field: String) throws -> IPPrefix {
        do { return try IPPrefix(text) } catch { throw Problem.badRequest("\(field): \(error.description)") }
    }

    /// Decodes a JSON body of at most the context's upload limit (413 beyond).
    static func decode<T: Decodable>(_ type: T.Type, _ request: Request, _ context: ServerContext) async throws -> T {
        var request = request
        let tooLarge = Problem(status: .contentTooLarge, slug: "body-too-large", title: "Body too large",
                               detail: "the request body is larger than \(context.maxUploadSize / 1024) KiB")
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > context.maxUploadSize { throw tooLarge }
        let buffer: ByteBuffer
        do { buffer = try await request.collectBody(upTo: context.maxUploadSize) } catch is NIOTooManyBytesError { throw tooLarge }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let DecodingError.keyNotFound(key, _) {
            throw Problem.badRequest("missing field '\(key.stringValue)'")
        } catch let DecodingError.typeMismatch(_, c), let DecodingError.valueNotFound(_, c) {
            throw Problem.badRequest("wrong type at '\(c.codingPath.map(\.stringValue).joined(separator: "."))'")
        } catch {
            throw Problem.badRequest("the body is not valid JSON for this request")
        }
    }

    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
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
