import BerthNet
import BerthStore
import Hummingbird
import Logging
import Prometheus

/// The server's Prometheus registry: request counts and latencies (kept as requests pass) and
/// per-pool space (read from the store at each scrape).
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let batchSize: ValueHistogram

    init() {
        batchSize = registry.makeValueHistogram(
            name: "berth_allocation_batch_size", buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
            help: "Allocations committed per transaction")
    }

    /// Counts a finished request under its route pattern (not its path: pool names stay bounded).
    func request(method: String, route: String, status: Int, seconds: Double) {
        let labels = [("method", method), ("route", route), ("status", String(status))]
        registry.makeCounter(name: "berth_http_requests_total", labels: labels, help: "HTTP requests answered").increment()
        registry.makeDurationHistogram(
            name: "berth_http_request_duration_seconds", labels: [("method", method), ("route", route)],
            buckets: [
                .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
                .milliseconds(20), .milliseconds(50), .milliseconds(100), .milliseconds(500), .seconds(1),
            ],
            help: "HTTP request latency"
        ).recordNanoseconds(Int64(seconds * 1e9))
    }

    /// Sets the per-pool gauges from `usage`.
    func pools(_ usage: [PoolUsage]) {
        for u in usage {
            let l = [("pool", u.pool.name)]
            let capacity = u.pool.prefix.addressCount
            func d(_ c: AddressCount) -> Double { Double(c.description) ?? 0 }
            registry.makeGauge(name: "berth_pool_capacity_addresses", labels: l, help: "Addresses in the pool").set(d(capacity))
            registry.makeGauge(name: "berth_pool_used_addresses", labels: l, help: "Addresses held (allocated, reserved, quarantined)").set(
                d(u.usedAddresses))
            registry.makeGauge(name: "berth_pool_free_addresses", labels: l, help: "Addresses free").set(d(u.freeAddresses))
            registry.makeGauge(
                name: "berth_pool_largest_free_block_addresses", labels: l, help: "Addresses in the largest free aligned block"
            )
            .set(u.largestFree.map { d($0.addressCount) } ?? 0)
            registry.makeGauge(
                name: "berth_pool_largest_free_block_length", labels: l, help: "Prefix length of the largest free block (-1: none)"
            )
            .set(Double(u.largestFree?.length ?? -1))
            registry.makeGauge(name: "berth_pool_fragmentation_ratio", labels: l, help: "1 - largest free block / free addresses").set(
                u.fragmentation)
            registry.makeGauge(name: "berth_pool_allocations", labels: l + [("state", "allocated")], help: "Live allocations by state").set(
                Double(u.allocated))
            registry.makeGauge(name: "berth_pool_allocations", labels: l + [("state", "reserved")], help: "Live allocations by state").set(
                Double(u.reserved))
            registry.makeGauge(name: "berth_pool_allocations", labels: l + [("state", "quarantined")], help: "Live allocations by state")
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
