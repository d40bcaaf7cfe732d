public import BerthStore
import BerthNet
import Foundation
import Hummingbird
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle
import UnixSignals

/// `berth serve`: the ledger's HTTP API (and metrics, health) over one store.
public struct ServerOptions: Sendable {
    public var store: String
    public var host: String
    public var port: Int

    public init(store: String, host: String, port: Int) {
        self.store = store
        self.host = host
        self.port = port
    }
}

public enum BerthServer {
    /// Opens the store (three connections: writes, reads, token checks), then serves until
    /// SIGTERM or SIGINT, finishing the requests in flight.
    public static func run(_ options: ServerOptions) async throws {
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label) }
        var logger = Logger(label: "berth.server")
        logger.logLevel = ProcessInfo.processInfo.environment["BERTH_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let startLog = logger
        let metrics = ServerMetrics()
        let writer = LedgerWorker(ledger: try Ledger(store: options.store, access: .write), name: "berth-writer",
                                  onBatch: { metrics.batchSize.record(Double($0)) })
        let reader = LedgerWorker(ledger: try Ledger(store: options.store, access: .write), name: "berth-reader")
        let auth = LedgerWorker(ledger: try Ledger(store: options.store, access: .write), name: "berth-auth")
        let api = API(writer: writer, reader: reader, auth: auth, metrics: metrics, failures: AuthFailures())
        let router = Router(context: ServerContext.self)
        router.add(middleware: MetricsAndLogMiddleware(metrics: metrics))
        router.add(middleware: ProblemMiddleware())
        api.register(router)
        Dashboard(api: api).register(router)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "berth"),
            onServerRunning: { channel in
                startLog.info("listening", metadata: ["address": "\(channel.localAddress?.description ?? "?")", "store": "\(writerStoreName(options.store))"])
            },
            logger: logger)
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        writer.stop()
        reader.stop()
        auth.stop()
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
        fields["time"] = ISO8601DateFormatter().string(from: Date())
        fields["level"] = event.level.rawValue
        fields["logger"] = label
        fields["message"] = "\(event.message)"
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        FileHandle.standardError.write(data + Data([10]))
    }
}
