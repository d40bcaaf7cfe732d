import BerthCore
import Foundation
import Testing

@Suite("Render")
struct RenderTests {
    static func exampleArtifacts() throws -> [Artifact] {
        let loaded = try Pipeline.check(path: Fixtures.example.path)
        return Pipeline.render(try #require(loaded.spec), ipPlan: loaded.ipPlan)
    }

    @Test("the example renders exactly the golden files (BERTH_RECORD=1 rewrites them)")
    func golden() throws {
        let artifacts = try Self.exampleArtifacts()
        let root = Fixtures.golden.appendingPathComponent("acme")
        if Fixtures.recording {
            try? FileManager.default.removeItem(at: root)
            try OutputWriter.write(artifacts, to: root.path)
            return
        }
        let expectedFiles = try FileManager.default.subpathsOfDirectory(atPath: root.path)
            .filter { $0.contains(".") && !$0.hasSuffix(OutputWriter.marker) }.sorted()
        #expect(expectedFiles == artifacts.map(\.path))
        for a in artifacts {
            let want = Fixtures.text(root.appendingPathComponent(a.path))
            #expect(a.contents == want, "\(a.path) differs from the golden file")
        }
    }

    @Test("rendering is deterministic")
    func deterministic() throws {
        let a = try Self.exampleArtifacts()
        let b = try Self.exampleArtifacts()
        #expect(a == b)
    }

    @Test("a change to one service touches only that service's files")
    func isolation() throws {
        let text = Fixtures.text(Fixtures.example)
        let changed =
            text
            .replacingOccurrences(of: "shop/search:0.9.4", with: "shop/search:0.9.5")
            .replacingOccurrences(
                of: "    resources: { cpu: 500m, memory: 1Gi }\n    uses: [bucket/uploads:read]",
                with: "    resources: { cpu: 500m, memory: 1Gi }\n    env: { LOG_LEVEL: debug }\n    uses: [bucket/uploads:read]")
        #expect(changed != text)
        let versions = Fixtures.text(Fixtures.example.deletingLastPathComponent().appendingPathComponent("versions.yaml"))
        let b = Fixtures.check(text, versions: versions)
        let a = Fixtures.check(changed, versions: versions)
        let before = Pipeline.render(try #require(b.spec), ipPlan: b.ipPlan)
        let after = Pipeline.render(try #require(a.spec), ipPlan: a.ipPlan)
        let differing = zip(before, after).filter { $0.contents != $1.contents }.map(\.0.path)
        #expect(!differing.isEmpty)
        // only search's files: its plain render files, its kustomize base and overlay folders, its Helm chart
        #expect(
            differing.allSatisfy {
                $0.hasSuffix("/search.yaml") || $0.hasPrefix("kustomize/base/search/") || $0.hasPrefix("helm/search/")
                    || ($0.hasPrefix("kustomize/overlays/") && $0.contains("/search/"))
            }, "\(differing)")
        #expect(differing.contains("prod-eu/acme-production/search.yaml"))

        // promoting one service in one environment (versions.yaml) touches its files there only
        let promoted = versions.replacingOccurrences(of: "production:\n  web: 1.8.2", with: "production:\n  web: 1.8.3")
        #expect(promoted != versions)
        let p = Fixtures.check(text, versions: promoted)
        let afterPromotion = Pipeline.render(try #require(p.spec), ipPlan: p.ipPlan)
        let touched = zip(before, afterPromotion).filter { $0.contents != $1.contents }.map(\.0.path).sorted()
        #expect(
            touched == [
                "helm/web/Chart.yaml", "helm/web/values.yaml",  // the chart's appVersion and default tag follow production
                "kustomize/overlays/production/prod-eu/web/kustomization.yaml",
                "kustomize/overlays/production/prod-us/web/kustomization.yaml",
                "prod-eu/acme-production/web.yaml", "prod-us/acme-production/web.yaml",
            ], "\(touched)")
    }

    @Test("no secret value ever appears: secrets are ExternalSecret references")
    func noSecrets() throws {
        for a in try Self.exampleArtifacts() {
            for doc in a.contents.components(separatedBy: "\n---\n") {
                // The ConfigMaps berth renders hold Falco rules, autoscaler flags, Grafana
                // dashboards and Argo CD's Application health check (addons/bootstrap), not secrets.
                if doc.contains("\nkind: ConfigMap\n") {
                    #expect(
                        doc.contains("name: berth-falco-rules") || doc.contains("name: berth-cluster-autoscaler")
                            || doc.contains("name: berth-dashboard")
                            || doc.contains("name: berth-gateway-dashboard") || doc.contains("name: berth-capacity-dashboard")
                            || (a.path == "addons/bootstrap/argocd-cm.yaml"
                                && doc.contains("resource.customizations.health.argoproj.io_Application")),
                        "\(a.path) holds an unexpected ConfigMap")
                    continue
                }
                #expect(!doc.contains("\nkind: Secret\n"), "\(a.path) holds a Secret object")
                #expect(!doc.contains("stringData:"), "\(a.path)")
                #expect(!doc.contains("\ndata:"), "\(a.path)")
            }
        }
        let all = try Self.exampleArtifacts().map(\.contents).joined()
        #expect(all.contains("kind: ExternalSecret"))
        #expect(all.contains("key: acme/production/api/api-signing-key"))
    }

    @Test("every environment x cluster gets its namespace and services")
    func layout() throws {
        let paths = try Self.exampleArtifacts().map(\.path)
        for p in [
            "nonprod/acme-development/_namespace.yaml", "nonprod/acme-staging/web.yaml",
            "prod-eu/acme-production/api.yaml", "prod-us/acme-production/worker.yaml", "prod-eu/_cluster.yaml",
            "network/ip-plan.json",
        ] {
            #expect(paths.contains(p), "\(p)")
        }
    }
}

@Suite("Output folder")
struct OutputWriterTests {
    static func tempDir() -> URL {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("berth-out-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }

    @Test("a failed write leaves the previous output intact and no staging folder")
    func failedWriteKeepsOld() throws {
        let parent = Self.tempDir()
        defer { try? FileManager.default.removeItem(at: parent) }
        let out = parent.appendingPathComponent("out").path
        try OutputWriter.write([Artifact(path: "a/one.yaml", contents: "one\n")], to: out)
        #expect(throws: BerthError.self) {
            try OutputWriter.write(
                [Artifact(path: "a/two.yaml", contents: "two\n"), Artifact(path: "../escape.yaml", contents: "x")], to: out)
        }
        #expect(Fixtures.text(URL(fileURLWithPath: out + "/a/one.yaml")) == "one\n")
        #expect(!FileManager.default.fileExists(atPath: out + "/a/two.yaml"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path) == ["out"])
        // a successful run replaces the whole tree
        try OutputWriter.write([Artifact(path: "b.yaml", contents: "b\n")], to: out)
        #expect(!FileManager.default.fileExists(atPath: out + "/a/one.yaml"))
        #expect(Fixtures.text(URL(fileURLWithPath: out + "/b.yaml")) == "b\n")
    }

    @Test("a folder berth did not write is never replaced")
    func foreignFolder() throws {
        let parent = Self.tempDir()
        defer { try? FileManager.default.removeItem(at: parent) }
        let out = parent.appendingPathComponent("mine")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try "keep".write(to: out.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        #expect(throws: BerthError.self) { try OutputWriter.write([Artifact(path: "x.yaml", contents: "x")], to: out.path) }
        #expect(Fixtures.text(out.appendingPathComponent("notes.txt")) == "keep")
    }
}
