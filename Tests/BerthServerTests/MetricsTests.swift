import Foundation
import Testing

@testable import BerthServer

/// The request metrics: each (method, route, status) keeps its own series, counted through the
/// per-key cache exactly as the registry counts them.
@Suite struct MetricsTests {
    @Test func requestsAreCountedPerRouteAndStatus() {
        let metrics = ServerMetrics()
        for _ in 0..<3 { metrics.request(method: "POST", route: "/api/v1/pools/{pool}/allocations", status: 201, seconds: 0.0007) }
        metrics.request(method: "POST", route: "/api/v1/pools/{pool}/allocations", status: 409, seconds: 0.003)
        metrics.request(method: "GET", route: "/api/v1/pools", status: 200, seconds: 0.2)
        let text = String(decoding: metrics.exposition(), as: UTF8.self)
        let lines = Set(text.split(separator: "\n").map(String.init))
        let allocations = #"method="POST",route="/api/v1/pools/{pool}/allocations""#
        #expect(lines.contains(#"berth_http_requests_total{"# + allocations + #",status="201"} 3"#))
        #expect(lines.contains(#"berth_http_requests_total{"# + allocations + #",status="409"} 1"#))
        #expect(lines.contains(#"berth_http_requests_total{method="GET",route="/api/v1/pools",status="200"} 1"#))
        #expect(lines.contains(#"berth_http_request_duration_seconds_count{"# + allocations + "} 4"))
        #expect(lines.contains(#"berth_http_request_duration_seconds_bucket{"# + allocations + #",le="0.001"} 3"#))
        #expect(lines.contains(#"berth_http_request_duration_seconds_bucket{"# + allocations + #",le="0.005"} 4"#))
        #expect(lines.contains(#"berth_http_request_duration_seconds_count{method="GET",route="/api/v1/pools"} 1"#))
    }
}
