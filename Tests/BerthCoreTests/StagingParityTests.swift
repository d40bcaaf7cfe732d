import BerthCore
import Foundation
import Testing

@Suite("Staging is production-like")
struct StagingParityTests {
    static let staging = Fixtures.mutate(
        "  production: { clusters: [main], domain: shop.example }",
        "  staging: { clusters: [main], domain: staging.shop.example, tier: staging }\n  production: { clusters: [main], domain: shop.example }"
    )

    static func notes(_ text: String) -> [String] {
        Fixtures.lines(Fixtures.check(text)).filter { $0.contains(": note: ") }
    }

    @Test("the same settings: no notes")
    func same() {
        #expect(Self.notes(Self.staging).isEmpty)
    }

    @Test("every difference of a service, verbatim, with the override's location")
    func service() {
        let text =
            Self.staging.replacingOccurrences(
                of: "    replicas: { min: 2, max: 4 }\n    talksTo: [api]",
                with:
                    "    replicas: { min: 2, max: 4 }\n    talksTo: [api]\n    env: { MODE: live }\n    public: { host: www, paths: [\"/\"] }\n    overrides:\n      staging: { replicas: { min: 1, max: 4 }, resources: { cpu: 200m, memory: 256Mi }, env: { MODE: test }, public: { host: www, paths: [\"/\"], tls: false } }\n"
            )
            .replacingOccurrences(of: "  api:\n", with: "  api:\n    overrides: { staging: { enabled: false } }\n")
            + "security:\n  tls: { email: ops@shop.example }\n"
        let l = Fixtures.check(text)
        #expect(!l.diagnostics.hasErrors, "\(Fixtures.lines(l))")
        #expect(
            Self.notes(text) == [
                "spec.yaml:24:7: note: staging differs from production for service 'web': env MODE 'test' (production 'live')",
                "spec.yaml:24:7: note: staging differs from production for service 'web': public at www / without TLS (production public at www /)",
                "spec.yaml:24:7: note: staging differs from production for service 'web': replicas.min 1 (production 2)",
                "spec.yaml:24:7: note: staging differs from production for service 'web': resources.cpu 200m (production 100m)",
                "spec.yaml:24:7: note: staging differs from production for service 'web': resources.cpuLimit 400m (production 200m)",
                "spec.yaml:24:7: note: staging differs from production for service 'web': resources.memory 256Mi (production 128Mi)",
                "spec.yaml:24:7: note: staging differs from production for service 'web': resources.memoryLimit 256Mi (production 128Mi)",
                "spec.yaml:27:18: note: staging differs from production for service 'api': enabled false (production true)",
            ])
    }

    @Test("environment-wide differences; productionLike: false turns the notes off")
    func environment() {
        let text = Self.staging.replacingOccurrences(of: "tier: staging }", with: "tier: staging, data: shared }")
        #expect(Self.notes(text) == ["spec.yaml:13:3: note: staging differs from production: data shared (production isolated)"])
        let off = Self.staging.replacingOccurrences(of: "tier: staging }", with: "tier: staging, data: shared, productionLike: false }")
        #expect(Self.notes(off).isEmpty)
    }
}
