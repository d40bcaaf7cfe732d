import BerthStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// An RFC 9457 problem: what the API answers for every error, as `application/problem+json`.
/// `type` is stable per kind of error (clients branch on it); `detail` is for people.
struct Problem: Error, Sendable {
    let status: HTTPResponse.Status
    let slug: String
    let title: String
    let detail: String

    static let typePrefix = "urn:berth:problem:"

    static func unauthorized(_ detail: String) -> Problem {
        Problem(status: .unauthorized, slug: "unauthorized", title: "Missing or invalid token", detail: detail)
    }
    static func forbidden(_ detail: String) -> Problem {
        Problem(status: .forbidden, slug: "forbidden", title: "Token scope too narrow", detail: detail)
    }
    static func badRequest(_ detail: String) -> Problem {
        Problem(status: .badRequest, slug: "invalid-request", title: "Malformed request", detail: detail)
    }
    static func notFound(_ detail: String) -> Problem {
        Problem(status: .notFound, slug: "not-found", title: "Not found", detail: detail)
    }

    /// A ledger error as a problem: the ledger's message is the detail.
    static func from(_ e: LedgerError) -> Problem {
        switch e {
        case .store(let m):
            return Problem(status: .serviceUnavailable, slug: "store-unavailable", title: "Store unavailable", detail: m)
        case .invalid(let m):
            if m.hasPrefix("unknown pool '") {
                return Problem(status: .notFound, slug: "pool-not-found", title: "Unknown pool", detail: m)
            }
            if m.hasPrefix("no free /") {
                return Problem(status: .conflict, slug: "pool-exhausted", title: "No free block of that size", detail: m)
            }
            if m.contains("was already used with different parameters") {
                return Problem(status: .conflict, slug: "request-id-conflict", title: "Request id reused with other parameters", detail: m)
            }
            if m.hasPrefix("pool '"), m.hasSuffix("' already exists") {
                return Problem(status: .conflict, slug: "pool-exists", title: "Pool exists", detail: m)
            }
            if m.contains(" overlaps pool '") {
                return Problem(status: .conflict, slug: "pool-overlap", title: "Pool overlaps another pool", detail: m)
            }
            if m.contains(" is not free: ") {
                return Problem(status: .conflict, slug: "prefix-in-use", title: "Prefix in use", detail: m)
            }
            if m.contains(" is not allocated in pool '") || m.hasSuffix(" is not in any pool") {
                return Problem(status: .notFound, slug: "allocation-not-found", title: "No such allocation", detail: m)
            }
            if m.contains(" is already released ") {
                return Problem(status: .conflict, slug: "already-released", title: "Already released", detail: m)
            }
            return Problem(status: .unprocessableContent, slug: "invalid", title: "Invalid request", detail: m)
        }
    }

    var response: Response {
        let body: [String: Any] = [
            "type": Self.typePrefix + slug, "title": title, "status": Int(status.code), "detail": detail,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        var headers = HTTPFields()
        headers[.contentType] = "application/problem+json"
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"berth\"" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Turns every error (ours, the router's 404/405, a body over the limit) into a problem response.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let p as Problem {
            return p.response
        } catch let e as LedgerError {
            return Problem.from(e).response
        } catch let e as HTTPError {
            let slug: String
            switch e.status {
            case .notFound: slug = "not-found"
            case .methodNotAllowed: slug = "method-not-allowed"
            case .contentTooLarge: slug = "body-too-large"
            case .badRequest: slug = "invalid-request"
            default: slug = "http-\(e.status.code)"
            }
            let detail =
                e.body ?? (e.status == .contentTooLarge ? "the request body is larger than the server accepts" : e.status.reasonPhrase)
            return Problem(status: e.status, slug: slug, title: e.status.reasonPhrase, detail: detail).response
        } catch {
            context.logger.error("internal error", metadata: ["error": "\(String(describing: type(of: error)))"])
            return Problem(
                status: .internalServerError, slug: "internal", title: "Internal error", detail: "the server failed; see its log"
            ).response
        }
    }
}
