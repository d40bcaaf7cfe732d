import ArgumentParser
import BerthCore
import BerthNet
import BerthServer
import BerthStore
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The ledger operations of `berth ip`: on a store (`Ledger`) or through a team server
/// (`RemoteLedger`). Both give the same values, so every command prints the same either way.
protocol LedgerAccess {
    func addPool(name: String, prefix: IPPrefix, quarantine: Int64, sameFamily: Bool) throws -> Pool
    func pools() throws -> [Pool]
    func reserve(pool: String, prefix: IPPrefix, owner: String, note: String?) throws -> Allocation
    func allocate(_ request: AllocationRequest) throws -> Allocation
    func release(_ prefix: IPPrefix, pool: String?, quarantine: Int64?) throws -> Allocation
    func list(pool: String?, includeReleased: Bool) throws -> [Allocation]
    func show(_ address: IPAddress) throws -> AddressOwner
    func usage(pool: String?) throws -> [PoolUsage]
    func history(_ address: IPAddress) throws -> [HistoryEvent]
}

extension Ledger: LedgerAccess {}

/// A failure to talk to the team server (not the ledger refusing a request, which is a
/// `LedgerError` as with `--store`): one line for `berth: error: ...` and its exit status.
/// Messages never carry the token.
struct RemoteError: ExitStatusError {
    let message: String
    let exitStatus: ExitStatus

    static func unreachable(_ m: String) -> RemoteError { RemoteError(message: m, exitStatus: .serverUnreachable) }
    static func refused(_ m: String) -> RemoteError { RemoteError(message: m, exitStatus: .serverRefused) }
    static func failed(_ m: String) -> RemoteError { RemoteError(message: m, exitStatus: .serverFailed) }
}

/// Where the team server is: `http[s]://host[:port][/base path]`.
struct ServerEndpoint: Sendable {
    let tls: Bool
    let host: String
    let port: Int
    /// Path in front of `/api/v1` (empty, or starting with `/` and not ending with it).
    let basePath: String

    /// `http://host:port` as messages name it (no path, no credentials).
    var display: String { "\(tls ? "https" : "http")://\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    /// Parses `--server`; the message says what is wrong (a usage error).
    static func parse(_ text: String) throws(ValidationError) -> ServerEndpoint {
        guard let c = URLComponents(string: text), let scheme = c.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw ValidationError("--server '\(text)' is not an http:// or https:// URL, e.g. https://ipam.example.com:8443")
        }
        guard c.user == nil, c.password == nil else {
            throw ValidationError("--server must not hold credentials; give the token with BERTH_TOKEN or --token-file")
        }
        guard var host = c.host, !host.isEmpty else { throw ValidationError("--server '\(text)' names no host") }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard c.query == nil, c.fragment == nil else { throw ValidationError("--server '\(text)' must not have a query or fragment") }
        var base = c.percentEncodedPath
        while base.hasSuffix("/") { base.removeLast() }
        return ServerEndpoint(tls: scheme == "https", host: host, port: c.port ?? (scheme == "https" ? 443 : 80), basePath: base)
    }
}

/// One HTTP answer.
struct HTTPReply: Sendable {
    var status: Int
    var contentType: String
    var body: [UInt8]
}

/// A small HTTP/1.1 client: one connection per request (`Connection: close`), TLS through NIOSSL.
///
/// Why this and not another client: swift-nio and swift-nio-ssl are already built for the server
/// (Hummingbird, and HummingbirdTLS for `--tls-cert`), so this costs no new dependency;
/// async-http-client would add swift-nio-http2, -extras and -transport-services to every build
/// for the few requests a command makes; and FoundationNetworking's URLSession (libcurl) cannot be
/// told on Linux to trust a CA file other than the system's (its `URLSessionCertificateAuthorityInfoFile`
/// is read on Android only), which `--ca-file` and a self-signed team server need.
struct HTTPClient {
    let endpoint: ServerEndpoint
    let token: String
    let caFile: String?
    let timeout: Int

    func send(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil) throws(RemoteError) -> HTTPReply {
        let sslContext: NIOSSLContext?
        if endpoint.tls {
            var tls = TLSConfiguration.makeClientConfiguration()
            if let caFile { tls.trustRoots = .file(caFile) }
            do { sslContext = try NIOSSLContext(configuration: tls) } catch {
                throw .unreachable("cannot use the CA file '\(caFile ?? "(system)")': it holds no PEM certificate")
            }
        } else {
            sslContext = nil
        }
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: endpoint.port == (endpoint.tls ? 443 : 80) ? endpoint.host : "\(endpoint.host):\(endpoint.port)")
        headers.add(name: "User-Agent", value: "berth")
        headers.add(name: "Accept", value: "application/json")
        headers.add(name: "Authorization", value: "Bearer \(token)")
        headers.add(name: "Connection", value: "close")
        if let body {
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Content-Length", value: String(body.count))
        }
        let head = HTTPRequestHead(version: .http1_1, method: method, uri: endpoint.basePath + path, headers: headers)
        let group = MultiThreadedEventLoopGroup.singleton
        let promise = group.next().makePromise(of: HTTPReply.self)
        let host = endpoint.host
        let sni: String? = (try? SocketAddress(ipAddress: host, port: 0)) == nil ? host : nil
        let limit = TimeAmount.seconds(Int64(timeout))
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(limit)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if let sslContext { try sync.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: sni)) }
                    try sync.addHTTPClientHandlers()
                    try sync.addHandler(ExchangeHandler(head: head, body: body, promise: promise, timeout: limit))
                }
            }
        do {
            _ = try bootstrap.connect(host: host, port: endpoint.port).wait()
        } catch {
            promise.fail(error)
            throw describe(error)
        }
        do {
            return try promise.futureResult.wait()
        } catch {
            throw describe(error)
        }
    }

    /// One line for a transport failure.
    private func describe(_ error: any Error) -> RemoteError {
        let at = endpoint.display
        switch error {
        case ExchangeFailure.timedOut:
            return .unreachable("the server at \(at) did not answer within \(timeout)s")
        case is ChannelError where "\(error)".contains("connectTimeout"):
            return .unreachable("the server at \(at) did not answer within \(timeout)s")
        case ExchangeFailure.closedEarly:
            return .unreachable(
                "the server at \(at) closed the connection without an answer"
                    + (endpoint.tls ? "" : " (is it an https:// server?)"))
        case is HTTPParserError:
            return .unreachable("the server at \(at) did not answer in HTTP" + (endpoint.tls ? "" : " (is it an https:// server?)"))
        case let e as NIOSSLExtraError where "\(e)".contains("failedToValidateHostname"):
            return .unreachable("TLS: the server certificate of \(at) is not valid for '\(endpoint.host)'")
        case is NIOSSLError, is BoringSSLError, is NIOSSLExtraError:
            let text = "\(error)"
            if text.contains("CERTIFICATE_VERIFY_FAILED") {
                return .unreachable("TLS: the server certificate of \(at) is not trusted (give its CA with --ca-file)")
            }
            if text.contains("WRONG_VERSION_NUMBER") || text.contains("PACKET_LENGTH_TOO_LONG") || text.contains("HTTP_REQUEST") {
                return .unreachable("TLS handshake with \(at) failed: it does not speak TLS (is it an http:// server?)")
            }
            if text.contains("uncleanShutdown") || text.contains("closedDuringHandshake") {
                return .unreachable("TLS handshake with \(at) failed: the server closed the connection")
            }
            return .unreachable("TLS handshake with \(at) failed")
        case let e as NIOConnectionError:
            return describeConnect(e.connectionErrors.first?.error ?? e.dnsAAAAError ?? e.dnsAError ?? error)
        default:
            return describeConnect(error)
        }
    }

    private func describeConnect(_ error: any Error) -> RemoteError {
        let at = endpoint.display
        if let io = error as? IOError {
            switch io.errnoCode {
            case ECONNREFUSED: return .unreachable("cannot connect to the server at \(at): connection refused")
            case ETIMEDOUT: return .unreachable("the server at \(at) did not answer within \(timeout)s")
            case ENETUNREACH, EHOSTUNREACH: return .unreachable("cannot connect to the server at \(at): no route to the host")
            default: return .unreachable("cannot connect to the server at \(at): \(String(cString: strerror(io.errnoCode)))")
            }
        }
        if "\(error)".contains("connectTimeout") { return .unreachable("the server at \(at) did not answer within \(timeout)s") }
        if error is SocketAddressError || "\(error)".lowercased().contains("dns") || "\(error)".contains("resolution") {
            return .unreachable("cannot connect to the server at \(at): the host name does not resolve")
        }
        return .unreachable("cannot connect to the server at \(at)")
    }
}

enum ExchangeFailure: Error {
    case timedOut
    case closedEarly
}

/// Sends one request when the connection is up and collects the answer; fails on a timeout,
/// an error, or a connection closed before the answer ended.
final class ExchangeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let head: HTTPRequestHead
    private let body: [UInt8]?
    private let promise: EventLoopPromise<HTTPReply>
    private let timeout: TimeAmount
    private var reply = HTTPReply(status: 0, contentType: "", body: [])
    /// Only an active connection completes the promise (a failed connect is reported by `connect`).
    private var active = false
    private var done = false
    private var timer: Scheduled<Void>?

    init(head: HTTPRequestHead, body: [UInt8]?, promise: EventLoopPromise<HTTPReply>, timeout: TimeAmount) {
        self.head = head
        self.body = body
        self.promise = promise
        self.timeout = timeout
    }

    func channelActive(context: ChannelHandlerContext) {
        active = true
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            finish(context, .failure(ExchangeFailure.timedOut))
        }
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let body { context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            reply.status = Int(h.status.code)
            reply.contentType = h.headers.first(name: "Content-Type") ?? ""
        case .body(let b):
            reply.body += Array(b.readableBytesView)
        case .end:
            finish(context, .success(reply))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(context, .failure(error))
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(context, .failure(ExchangeFailure.closedEarly))
        context.fireChannelInactive()
    }

    private func finish(_ context: ChannelHandlerContext, _ result: Result<HTTPReply, any Error>) {
        guard active, !done else { return }
        done = true
        timer?.cancel()
        promise.completeWith(result)
        context.close(promise: nil)
    }
}

// MARK: - The ledger through the server's API

/// `berth ip ...` with `--server`: each call is a request to `/api/v1`; the answers become the
/// same values `Ledger` returns. An RFC 9457 problem about the request (the ledger's refusal:
/// unknown pool, exhausted pool, conflicting request id, ...) becomes `LedgerError.invalid` with
/// the ledger's own message, so it prints and exits as with `--store`.
struct RemoteLedger: LedgerAccess {
    let client: HTTPClient

    func addPool(name: String, prefix: IPPrefix, quarantine: Int64, sameFamily: Bool) throws -> Pool {
        let doc: PoolJSON = try call(
            .POST, "/api/v1/pools",
            CreatePoolBody(name: name, prefix: prefix, quarantine: quarantine, sameFamily: sameFamily))
        return try doc.pool()
    }

    func pools() throws -> [Pool] {
        let doc: PoolList = try call(.GET, "/api/v1/pools")
        return try doc.pools.map { try $0.pool() }
    }

    func reserve(pool: String, prefix: IPPrefix, owner: String, note: String?) throws -> Allocation {
        let doc: AllocationJSON = try call(
            .POST, "/api/v1/pools/\(segment(pool))/reservations",
            ReserveBody(prefix: prefix, owner: owner, note: note))
        return try doc.allocation()
    }

    func allocate(_ r: AllocationRequest) throws -> Allocation {
        let doc: AllocationJSON = try call(
            .POST, "/api/v1/pools/\(segment(r.pool))/allocations",
            AllocateBody(r))
        return try doc.allocation()
    }

    func release(_ prefix: IPPrefix, pool: String?, quarantine: Int64?) throws -> Allocation {
        let doc: AllocationJSON = try call(
            .POST, "/api/v1/releases", ReleaseBody(prefix, pool: pool, quarantine: quarantine))
        return try doc.allocation()
    }

    func list(pool: String?, includeReleased: Bool) throws -> [Allocation] {
        var query: [String] = []
        if let pool { query.append("pool=" + segment(pool)) }
        if includeReleased { query.append("includeReleased=true") }
        let doc: AllocationList = try call(.GET, "/api/v1/allocations" + (query.isEmpty ? "" : "?" + query.joined(separator: "&")))
        return try doc.allocations.map { try $0.allocation() }
    }

    func show(_ address: IPAddress) throws -> AddressOwner {
        let doc: SearchResult = try call(.GET, "/api/v1/search?q=" + segment(address.description))
        // Only the pool's name and range are shown; its other fields are not in the answer.
        let pool = Pool(id: 0, name: doc.pool, prefix: try parse(doc.poolPrefix), quarantine: 0, createdAt: 0)
        return AddressOwner(address: address, pool: pool, holder: try doc.holder?.allocation())
    }

    func usage(pool: String?) throws -> [PoolUsage] {
        let docs: [PoolJSON]
        if let pool {
            docs = [try call(.GET, "/api/v1/pools/\(segment(pool))") as PoolJSON]
        } else {
            docs = (try call(.GET, "/api/v1/pools") as PoolList).pools
        }
        return try docs.map { d in
            guard let u = d.usage else {
                throw RemoteError.failed("the server at \(client.endpoint.display) sent a pool without its usage")
            }
            return try u.usage(of: d.pool())
        }
    }

    func history(_ address: IPAddress) throws -> [HistoryEvent] {
        let doc: HistoryList = try call(.GET, "/api/v1/history?address=" + segment(address.description))
        return try doc.events.map { try $0.historyEvent() }
    }

    // MARK: Requests and answers

    private func segment(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    private func call<T: Decodable>(_ method: HTTPMethod, _ path: String) throws -> T {
        try decode(client.send(method, path))
    }

    private func call<T: Decodable, B: Encodable>(_ method: HTTPMethod, _ path: String, _ body: B) throws -> T {
        let data: Data
        do { data = try JSONEncoder().encode(body) } catch { throw RemoteError.failed("cannot encode the request") }
        return try decode(client.send(method, path, body: Array(data)))
    }

    private func decode<T: Decodable>(_ reply: HTTPReply) throws -> T {
        let at = client.endpoint.display
        guard (200..<300).contains(reply.status) else {
            let problem =
                reply.contentType.hasPrefix("application/problem+json")
                ? try? JSONDecoder().decode(ProblemDoc.self, from: Data(reply.body)) : nil
            let detail = problem?.detail.map { ": " + $0 } ?? ""
            switch reply.status {
            case 401: throw RemoteError.refused("the server at \(at) refused the token (HTTP 401\(detail))")
            case 403: throw RemoteError.refused("the token may not do this on the server at \(at) (HTTP 403\(detail))")
            case 500...:
                throw RemoteError.failed("the server at \(at) failed (HTTP \(reply.status)\(detail))")
            default:
                // The ledger refused the request: its message, as with --store.
                guard let problem, let d = problem.detail else {
                    throw RemoteError.failed("the server at \(at) answered HTTP \(reply.status) without a problem report")
                }
                throw LedgerError.invalid(d)
            }
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(reply.body))
        } catch {
            throw RemoteError.failed("the server at \(at) sent an answer berth cannot read (HTTP \(reply.status))")
        }
    }

    fileprivate func parse(_ text: String) throws -> IPPrefix {
        do { return try IPPrefix(text) } catch {
            throw RemoteError.failed("the server at \(client.endpoint.display) sent an invalid prefix '\(text)'")
        }
    }
}

private func badAnswer(_ what: String) -> RemoteError {
    RemoteError.failed("the server sent an answer berth cannot read (\(what))")
}

private func prefix(_ text: String) throws -> IPPrefix {
    do { return try IPPrefix(text) } catch { throw badAnswer("prefix '\(text)'") }
}

private func instant(_ text: String) throws -> Int64 {
    guard let t = LedgerTime.parse(text) else { throw badAnswer("time '\(text)'") }
    return t
}

private func instant(_ text: String?) throws -> Int64? {
    try text.map { t throws in try instant(t) }
}

private struct ProblemDoc: Decodable {
    var type: String?
    var detail: String?
}

// The answers are decoded into the server's own JSON types (BerthServer's Models.swift), and
// turned back into the ledger's values here.

extension UsageJSON {
    func usage(of pool: Pool) throws -> PoolUsage {
        guard let used = AddressCount(decimal: usedAddresses), let free = AddressCount(decimal: freeAddresses) else {
            throw badAnswer("address count")
        }
        return PoolUsage(
            pool: pool, allocated: allocated, reserved: reserved, quarantined: quarantined, usedAddresses: used,
            freeAddresses: free, utilization: utilization, freeBlocksByLength: freeBlocks.map { ($0.length, $0.count) },
            fragmentation: fragmentation, largestFree: try largestFree.map { try BerthCLIPrefix.parse($0) })
    }
}

extension PoolJSON {
    func pool() throws -> Pool {
        // The API does not carry the pool's row id; no output shows it.
        Pool(id: 0, name: name, prefix: try BerthCLIPrefix.parse(prefix), quarantine: quarantineSeconds, createdAt: try instant(createdAt))
    }
}

/// `prefix(_:)` under another name where a member shadows it.
private enum BerthCLIPrefix {
    static func parse(_ text: String) throws -> IPPrefix { try prefix(text) }
}

extension AllocationJSON {
    func allocation() throws -> Allocation {
        guard let s = AllocationState(rawValue: state) else { throw badAnswer("state '\(state)'") }
        return Allocation(
            id: id, pool: pool, prefix: try BerthCLIPrefix.parse(prefix), owner: owner, note: note, state: s,
            requestID: requestId, createdAt: try instant(createdAt), expiresAt: try instant(expiresAt),
            endedAt: try instant(endedAt), quarantineUntil: try instant(quarantineUntil))
    }
}

extension HistoryJSON {
    func historyEvent() throws -> HistoryEvent {
        guard let kind = HistoryEvent.Kind(rawValue: event) else { throw badAnswer("event '\(event)'") }
        return HistoryEvent(
            seq: seq, allocationID: allocationId, pool: pool, prefix: try BerthCLIPrefix.parse(prefix), kind: kind,
            owner: owner, at: try instant(at), quarantineUntil: try instant(quarantineUntil), actor: actor)
    }
}
