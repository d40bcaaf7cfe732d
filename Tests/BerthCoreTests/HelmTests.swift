import Foundation
import Testing

@testable import BerthCore

@Suite("Helm charts")
struct HelmTests {
    static func charts(_ text: String, versions: String? = nil) throws -> [String: String] {
        let loaded = Fixtures.check(text, versions: versions)
        let files = Pipeline.render(try #require(loaded.spec), ipPlan: loaded.ipPlan)
        return Dictionary(uniqueKeysWithValues: files.filter { $0.path.hasPrefix("helm/") }.map { ($0.path, $0.contents) })
    }

    static let twoEnvironments =
        Fixtures.mutate(
            "  production: { clusters: [main], domain: shop.example }",
            "  development: { clusters: [main], domain: dev.shop.example, tier: development }\n  production: { clusters: [main], domain: shop.example }"
        )
        + "delivery:\n  helm: true\n"

    @Test("no charts without delivery.helm")
    func off() throws {
        #expect(try Self.charts(Fixtures.base).isEmpty)
    }

    @Test("one chart per service: Chart.yaml, values, schema, helpers, a template per object, notes")
    func layout() throws {
        let c = try Self.charts(Self.twoEnvironments)
        #expect(
            c.keys.filter { $0.hasPrefix("helm/web/") }.sorted() == [
                "helm/web/Chart.yaml", "helm/web/templates/NOTES.txt", "helm/web/templates/_helpers.tpl",
                "helm/web/templates/deployment.yaml", "helm/web/templates/horizontalPodAutoscaler.yaml",
                "helm/web/templates/networkPolicy.yaml",
                "helm/web/templates/podDisruptionBudget.yaml", "helm/web/templates/service.yaml",
                "helm/web/templates/serviceAccount.yaml",
                "helm/web/values-development-main.yaml", "helm/web/values-production-main.yaml",
                "helm/web/values.schema.json", "helm/web/values.yaml",
            ])
        let chart = try #require(c["helm/web/Chart.yaml"])
        #expect(chart.contains("apiVersion: v2\nname: web\n"))
        #expect(chart.contains("version: \"0.1.0\"\nappVersion: \"1.0.0\"\n"))
        // the namespace is the release's; labels come from the helpers
        let deployment = try #require(c["helm/web/templates/deployment.yaml"])
        #expect(deployment.contains("  namespace: {{ .Release.Namespace | toJson }}\n"))
        #expect(deployment.contains("{{- include \"web.labels\" . | nindent 4 }}\n"))
        #expect(deployment.contains("whenUnsatisfiable: {{ index $v \"topologySpreadConstraints.0.whenUnsatisfiable\" | toJson }}\n"))
    }

    @Test("values: defaults are the common value, each file only what differs")
    func values() throws {
        let text = Self.twoEnvironments.replacingOccurrences(
            of: "    replicas: { min: 2, max: 4 }\n    talksTo: [api]",
            with:
                "    replicas: { min: 2, max: 4 }\n    talksTo: [api]\n    overrides:\n      development: { replicas: { min: 1, max: 1 } }")
        let c = try Self.charts(text)
        let dev = try #require(c["helm/web/values-development-main.yaml"])
        #expect(
            dev.hasSuffix(
                "environment: development\ndeployment:\n  replicas: 1\n  topologySpreadConstraints.0.whenUnsatisfiable: ScheduleAnyway\nhorizontalPodAutoscaler:\n  enabled: false\n"
            ), "\(dev)")
        let schema = try #require(c["helm/web/values.schema.json"])
        #expect(schema.contains("\"enabled\": {\n          \"type\": \"boolean\""))
    }

    @Test("lowerCamel and Helm's merge")
    func helpers() {
        #expect(Renderer.lowerCamel("HTTPRoute") == "httpRoute")
        #expect(Renderer.lowerCamel("Deployment") == "deployment")
        #expect(Renderer.lowerCamel("PodDisruptionBudget") == "podDisruptionBudget")
        let a: JSONValue = ["x": 1, "y": ["k": "v"]]
        #expect(Renderer.helmMerge(a, ["y": ["j": "w"]]) == ["x": 1, "y": ["k": "v", "j": "w"]])
        // a map default the variant's smaller map cannot replace is not made a default
        let d = Renderer.helmDefaults([[("s", ["m": ["a": 1, "b": 2]])], [("s", ["m": ["a": 1, "b": 2]])], [("s", ["m": ["a": 1]])]])
        #expect(d.isEmpty)
    }
}
