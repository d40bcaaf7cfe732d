@testable import BerthCore
import Foundation
import Testing

@Suite("Monitoring")
struct MonitoringTests {
    static let withSLO = Fixtures.mutate("    replicas: { min: 2, max: 4 }\n", "    replicas: { min: 2, max: 4 }\n    metrics: { port: 9090 }\n    slos:\n      availability: { target: \"99.9\" }\n      latency: { target: \"99\", threshold: 250, window: 7d }\n")

    @Test("SLO targets parse as thousandths of a percent; budgets are exact decimals")
    func targets() {
        #expect(SLO.parseTarget("99.9") == 99_900)
        #expect(SLO.parseTarget("99.95") == 99_950)
        #expect(SLO.parseTarget("99.999") == 99_999)
        #expect(SLO.parseTarget("50") == 50_000)
        for bad in ["100", "49.9", "99.9999", "99.", ".9", "9x", "", "-99", "99,9"] {
            #expect(SLO.parseTarget(bad) == nil, "\(bad)")
        }
        let slo = SLO(kind: .availability, target: 99_900, targetText: "99.9", window: SpecDuration(seconds: 30 * 86_400, text: "30d"),
                      source: .metrics, thresholdMs: 250, location: SourceLocation(file: "s", line: 1, column: 1))
        #expect(slo.errorBudgetText == "0.001")
        #expect(slo.ratioText == "0.999")
        #expect(slo.budgetMinutes == 43)
        #expect(slo.thresholdSeconds == "0.25")
    }

    @Test("metrics and slos decode with their defaults")
    func decode() throws {
        let l = Fixtures.check(Self.withSLO)
        #expect(!l.diagnostics.hasErrors, "\(Fixtures.lines(l))")
        let spec = try #require(l.spec)
        let s = try #require(spec.services.first { $0.metrics != nil })
        #expect(s.metrics?.port == 9090)
        #expect(s.metrics?.path == "/metrics")
        #expect(s.slos.map(\.kind) == [.availability, .latency])
        #expect(s.slos.map(\.window.text) == ["30d", "7d"])
        #expect(s.slos[1].thresholdMs == 250)
        #expect(spec.monitoring.stack == .kubePrometheusStack)
        #expect(spec.monitoring.namespace == "monitoring")
        #expect(spec.monitoring.retention.text == "30d")
    }
}
