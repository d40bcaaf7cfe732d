import ArgumentParser
import BerthServer
import BerthStore
import Foundation

/// `berth serve` and `berth ip token`: the team server and its API tokens.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the IP ledger over HTTP (API under /api/v1, /openapi.json, /metrics, /healthz, /readyz).",
        discussion:
            "Clients send a token from 'berth ip token create' as 'Authorization: Bearer <token>'. SIGTERM or SIGINT stops the server after the requests in flight."
    )

    @Option(help: ArgumentHelp("Where to listen, HOST:PORT (default: 127.0.0.1:8080).", valueName: "host:port"))
    var listen = "127.0.0.1:8080"
    @Option(help: ArgumentHelp("Serve HTTPS with this PEM certificate (chain); needs --tls-key.", valueName: "file"), completion: .file())
    var tlsCert: String?
    @Option(help: ArgumentHelp("The PEM private key of --tls-cert (unencrypted).", valueName: "file"), completion: .file())
    var tlsKey: String?
    @OptionGroup var storeOptions: StoreOptions

    func validate() throws {
        switch (tlsCert, tlsKey) {
        case (.some, nil): throw ValidationError("--tls-cert needs --tls-key (give both to serve HTTPS, or neither)")
        case (nil, .some): throw ValidationError("--tls-key needs --tls-cert (give both to serve HTTPS, or neither)")
        default: break
        }
        _ = try reportingErrors(address)
    }

    /// `--listen` as host and port; a malformed one is refused with exit 1.
    func address() throws -> (host: String, port: Int) {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port)
        else {
            throw badInput("--listen '\(listen)' is not HOST:PORT, e.g. 127.0.0.1:8080")
        }
        var host = String(listen[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.isEmpty { host = "0.0.0.0" }
        return (host, port)
    }

    func run() throws {
        let (host, port) = try address()
        // Opening once here gives the command line's message (and exit 1) for a bad store.
        _ = try storeOptions.open(.write)
        var options = ServerOptions(store: storeOptions.target, host: host, port: port)
        if let tlsCert, let tlsKey {
            // Read and checked here, so that a bad file is reported before the store's worker threads start.
            do { options.tls = try ServerTLS.configuration(certificate: tlsCert, key: tlsKey) } catch { throw badInput(error.message) }
        }
        options.fixedNow = try storeOptions.fixedNow()
        let done = DispatchSemaphore(value: 0)
        let failure = FailureBox()
        Task.detached {
            do { try await BerthServer.run(options) } catch { failure.message = "\(error)" }
            done.signal()
        }
        done.wait()
        if let m = failure.message { throw badInput("server: \(m)") }
    }
}

final class FailureBox: @unchecked Sendable {
    var message: String?
}

struct IPTokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Create, list and revoke the team server's API tokens.",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token and print it once; the store keeps only its SHA-256.")
        @Option(help: "Token name (lowercase letters, digits, '-'); the history names it as the actor.") var name: String
        @Option(help: "read, allocate (read + allocate/reserve/release) or admin (everything).") var scope: String
        @OptionGroup var storeOptions: StoreOptions

        /// `--scope` as a scope; another word is refused with exit 1.
        func tokenScope() throws -> TokenScope {
            guard let s = TokenScope(rawValue: scope) else { throw badInput("--scope '\(scope)' is not read, allocate or admin") }
            return s
        }

        func validate() throws { _ = try reportingErrors(tokenScope) }

        func run() throws {
            let s = try tokenScope()
            let token = ServerToken.generate()
            // Like 'ip pool add', the first token may create the store.
            let ledger = try storeOptions.open(.create)
            _ = try reportingErrors { () throws(LedgerError) in try ledger.addToken(name: name, scope: s, hash: ServerToken.hash(token)) }
            writeOut("\(token)\n")
            writeErr("token '\(name)' (\(s.rawValue)) created; it is shown only now\n")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the tokens (names and scopes; never the tokens).")
        @OptionGroup var storeOptions: StoreOptions

        func run() throws {
            let ledger = try storeOptions.open(.read)
            let tokens = try reportingErrors { () throws(LedgerError) in try ledger.tokens() }
            writeOut(
                table(
                    ["NAME", "SCOPE", "CREATED", "REVOKED"],
                    tokens.map {
                        [$0.name, $0.scope.rawValue, time($0.createdAt), time($0.revokedAt)]
                    }))
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token: the server refuses it from then on.")
        @Option(help: "The token's name.") var name: String
        @OptionGroup var storeOptions: StoreOptions

        func run() throws {
            let ledger = try storeOptions.open(.write)
            let t = try reportingErrors { () throws(LedgerError) in try ledger.revokeToken(name: name) }
            writeOut("revoked \(t.name)\n")
        }
    }
}
