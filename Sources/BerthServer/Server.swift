import BerthNet
import BerthStore
import Foundation
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
public import NIOSSL
import Prometheus
import ServiceLifecycle
import UnixSignals

/// `berth serve`: the ledger's HTTP API (and metrics, health) over one store. The store and the
/// address to listen on are required; the rest are settings with defaults, set on the value.
public struct ServerOptions: Sendable {
    public var store: String
    public var host: String
    public var port: Int
    /// Serve HTTPS with this configuration (from `ServerTLS.configuration`, which has checked the
    /// files); nil: plain HTTP.
    public var tls: TLSConfiguration? = nil
    /// A fixed clock (`BERTH_NOW`, a test hook as for the command line); nil: the wall clock.
    public var fixedNow: Int64? = nil

    public init(store: String, host: String, port: Int) {
        self.store = store
        self.host = host
        self.port = port
    }
}

/// Why the server did not start; `message` is one line for the command line.
public struct ServerStartError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// The TLS settings of `--tls-cert`/`--tls-key`, checked before anything listens.
public enum ServerTLS {
    /// Reads both PEM files and builds the server's TLS context once, so that an unreadable file,
    /// a file without a certificate or key, or a key that does not match the certificate is
    /// reported with the file's name before the port is opened.
    public static func configuration(certificate: String, key: String) throws(ServerStartError) -> TLSConfiguration {
        for (what, path) in [("certificate", certificate), ("key", key)] {
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw ServerStartError(message: "cannot read the TLS \(what) file '\(path)'")
            }
        }
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificate)
        } catch {
            throw ServerStartError(message: "'\(certificate)' is not a PEM certificate file")
        }
        guard !chain.isEmpty else { throw ServerStartError(message: "'\(certificate)' holds no PEM certificate") }
        let privateKey: NIOSSLPrivateKey
        do {
            privateKey = try NIOSSLPrivateKey(file: key, format: .pem)
        } catch {
            throw ServerStartError(message: "'\(key)' is not a PEM private key file (an unencrypted key is needed)")
        }
        let tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
        do {
            _ = try NIOSSLContext(configuration: tls)
        } catch {
            throw ServerStartError(message: "the TLS key '\(key)' does not match the certificate '\(certificate)'")
        }
        return tls
    }
}

public enum BerthServer {
    /// How long the writer waits for the allocations of the clients it just answered (group
    /// commit; see `LedgerWorker`): well under a commit's flush, so it costs a lone client nothing
    /// and lets concurrent clients share one flush.
    static let gather: TimeInterval = 0.001

    /// Opens the store (two connections, each on its own thread: one for writes, one for reads;
    /// each request's token is checked in the job that serves it), then serves until SIGTERM or
    /// SIGINT, finishing the requests in flight.
    public static func run(_ options: ServerOptions) async throws {
        // Read and parse once, before anything else starts: a broken template stops the start.
        let templates = try DashboardTemplates.load()
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label) }
        var logger = Logger(label: "berth.server")
        logger.logLevel = ProcessInfo.processInfo.environment["BERTH_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let startLog = logger
        let metrics = ServerMetrics()
        let tls = options.tls
        let now: () -> Int64 = options.fixedNow.map { t in { t } } ?? Ledger.wallClock
        let writer = LedgerWorker(
            ledger: try Ledger(store: options.store, access: .write, now: now), name: "berth-writer", gather: Self.gather,
            onBatch: { metrics.batchSize.record(Double($0)) })
        let reader = LedgerWorker(ledger: try Ledger(store: options.store, access: .write, now: now), name: "berth-reader")
        let api = API(writer: writer, reader: reader, metrics: metrics, failures: AuthFailures())
        let router = Router(context: ServerContext.self)
        router.add(middleware: MetricsAndLogMiddleware(metrics: metrics))
        router.add(middleware: ProblemMiddleware())
        api.register(router)
        Dashboard(api: api, templates: templates).register(router)
        let app = Application(
            router: router,
            server: try tls.map { try .tls(.http1(), tlsConfiguration: $0) } ?? .http1(),
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "berth"),
            onServerRunning: { channel in
                startLog.info(
                    "listening",
                    metadata: [
                        "address": "\(channel.localAddress?.description ?? "?")", "scheme": "\(tls == nil ? "http" : "https")",
                        "store": "\(writerStoreName(options.store))",
                    ])
            },
            logger: logger)
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        writer.stop()
        reader.stop()
        logger.info("stopped")
    }

    /// The store as logs show it (password removed).
    static func writerStoreName(_ store: String) -> String {
        Redaction.redactPasswords(store)
    }
}

/// One JSON object per line on standard error: time, level, label, message and metadata.
struct JSONLogHandler: LogHandler {
    let label: String
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields: [String: String] = [:]
        for (k, v) in metadata { fields[k] = "\(v)" }
        for (k, v) in event.metadata ?? [:] { fields[k] = "\(v)" }
        fields["time"] = Self.utcNow()
        fields["level"] = event.level.rawValue
        fields["logger"] = label
        fields["message"] = "\(event.message)"
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return
        }
        FileHandle.standardError.write(data + Data([10]))
    }

    /// The current time as `2026-11-30T03:58:58Z` (what ISO8601DateFormatter writes), without
    /// building a formatter per line: the log has one line per request.
    static func utcNow() -> String {
        var t = time(nil)
        var parts = tm()
        gmtime_r(&t, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return
            "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}
