import BerthNet
import BerthStore
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import Prometheus

/// The server's Prometheus registry: request counts and latencies (kept as requests pass) and
/// per-pool space (read from the store at each scrape).
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let batchSize: ValueHistogram

    init() {
        batchSize = registry.makeValueHistogram(
            descriptor: Self.metric("berth_allocation_batch_size", "Allocations committed per transaction"),
            buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256])
    }

    /// The descriptor of the metric `name` (`<metric>_<unit>`, split at the last '_') with `help`.
    private static func metric(_ name: String, _ help: String) -> MetricNameDescriptor {
        let cut = name.lastIndex(of: "_") ?? name.endIndex
        return MetricNameDescriptor(
            metricName: String(name[..<cut]), unitName: cut == name.endIndex ? "" : String(name[name.index(after: cut)...]), helpText: help)
    }

    /// A request's labels: the route pattern (not the path: pool names stay bounded) and status.
    private struct RouteKey: Hashable {
        let method: String
        let route: String
        let status: Int
    }

    /// The counter and latency histogram of each `RouteKey` seen so far. The registry checks the
    /// metric's name, help text, label names and buckets at each `make` call and looks the series
    /// up under its lock; a request looks its two series up here once per key instead.
    private let series = NIOLockedValueBox<[RouteKey: (Counter, DurationHistogram)]>([:])

    /// Counts a finished request under its route pattern (not its path: pool names stay bounded).
    func request(method: String, route: String, status: Int, seconds: Double) {
        let key = RouteKey(method: method, route: route, status: status)
        let (counter, latency) = series.withLockedValue { known in
            if let found = known[key] { return found }
            let made = (
                registry.makeCounter(
                    descriptor: Self.metric("berth_http_requests_total", "HTTP requests answered"),
                    labels: [("method", method), ("route", route), ("status", String(status))]),
                registry.makeDurationHistogram(
                    descriptor: Self.metric("berth_http_request_duration_seconds", "HTTP request latency"),
                    labels: [("method", method), ("route", route)],
                    buckets: [
                        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
                        .milliseconds(20), .milliseconds(50), .milliseconds(100), .milliseconds(500), .seconds(1),
                    ])
            )
            known[key] = made
            return made
        }
        counter.increment()
        latency.recordNanoseconds(Int64(seconds * 1e9))
    }

    /// The Prometheus text exposition of every metric (`/metrics`).
    func exposition() -> [UInt8] { registry.emitToBuffer() }

    /// Sets the per-pool gauges from `usage`.
    func pools(_ usage: [PoolUsage]) {
        for u in usage {
            let l = [("pool", u.pool.name)]
            let capacity = u.pool.prefix.addressCount
            func d(_ c: AddressCount) -> Double { Double(c.description) ?? 0 }
            registry.makeGauge(descriptor: Self.metric("berth_pool_capacity_addresses", "Addresses in the pool"), labels: l).set(
                d(capacity))
            registry.makeGauge(
                descriptor: Self.metric("berth_pool_used_addresses", "Addresses held (allocated, reserved, quarantined)"), labels: l
            ).set(
                d(u.usedAddresses))
            registry.makeGauge(descriptor: Self.metric("berth_pool_free_addresses", "Addresses free"), labels: l).set(d(u.freeAddresses))
            registry.makeGauge(
                descriptor: Self.metric("berth_pool_largest_free_block_addresses", "Addresses in the largest free aligned block"), labels: l
            )
            .set(u.largestFree.map { d($0.addressCount) } ?? 0)
            registry.makeGauge(
                descriptor: Self.metric("berth_pool_largest_free_block_length", "Prefix length of the largest free block (-1: none)"),
                labels: l
            )
            .set(Double(u.largestFree?.length ?? -1))
            registry.makeGauge(
                descriptor: Self.metric("berth_pool_fragmentation_ratio", "1 - largest free block / free addresses"), labels: l
            ).set(
                u.fragmentation)
            registry.makeGauge(
                descriptor: Self.metric("berth_pool_allocations", "Live allocations by state"), labels: l + [("state", "allocated")]
            ).set(
                Double(u.allocated))
            registry.makeGauge(
                descriptor: Self.metric("berth_pool_allocations", "Live allocations by state"), labels: l + [("state", "reserved")]
            ).set(
                Double(u.reserved))
            registry.makeGauge(
                descriptor: Self.metric("berth_pool_allocations", "Live allocations by state"), labels: l + [("state", "quarantined")]
            )
            .set(Double(u.quarantined))
        }
    }
}

/// Logs each request (one structured line) and counts it.
struct MetricsAndLogMiddleware: RouterMiddleware {
    typealias Context = ServerContext
    let metrics: ServerMetrics

    func handle(_ request: Request, context: ServerContext, next: (Request, ServerContext) async throws -> Response) async throws
        -> Response
    {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let route = context.endpointPath ?? "unmatched"
        metrics.request(method: request.method.rawValue, route: route, status: Int(response.status.code), seconds: seconds)
        if request.uri.path != "/healthz" && request.uri.path != "/readyz" {
            context.logger.info(
                "request",
                metadata: [
                    "method": "\(request.method.rawValue)", "path": "\(request.uri.path)", "status": "\(response.status.code)",
                    "ms": "\(Int(seconds * 1000))",
                ])
        }
        return response
    }
}
