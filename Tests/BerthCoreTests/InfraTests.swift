import Foundation
import Testing

@testable import BerthCore

/// The cloud foundation (`infrastructure`): its checks, and what `infra/` holds for acme.
/// Schema validity and the cross-checks against the rest of the render run in
/// scripts/test.sh (scripts/check_infra.py, Tests/e2e/test_infra.py).
@Suite("Cloud foundation")
struct InfraTests {
    static let acme = Fixtures.text(Fixtures.example)

    static func render(_ text: String) throws -> [String: String] {
        let l = Fixtures.check(text, file: "platform.yaml")
        #expect(!l.diagnostics.hasErrors, "\(Fixtures.lines(l))")
        var out: [String: String] = [:]
        for a in Pipeline.render(try #require(l.spec), ipPlan: l.ipPlan) { out[a.path] = a.contents }
        return out
    }

    static func errors(_ text: String) -> [String] {
        Fixtures.lines(Fixtures.check(text, file: "platform.yaml")).filter { $0.contains(": error: ") || $0.contains(": note: ") }
    }

    @Test("without infrastructure nothing is rendered under infra/ and identities stay IRSA annotations")
    func absent() throws {
        let files = try Self.render(DiffTests.withoutInfrastructure)
        #expect(!files.keys.contains { $0.hasPrefix("infra/") } && files["argocd/infra.yaml"] == nil)
        #expect(
            files["prod-eu/acme-production/api.yaml"]?.contains(
                "eks.amazonaws.com/role-arn: \"arn:aws:iam::111122223333:role/acme-production-api\"") == true)
    }

    @Test("every folder of infra/ has its Application, in waves before the add-ons")
    func applications() throws {
        let files = try Self.render(Self.acme)
        let apps = try #require(files["argocd/infra.yaml"])
        let folders = Set(files.keys.filter { $0.hasPrefix("infra/") }.map { $0.split(separator: "/")[1] })
        #expect(folders == ["buckets", "clusters", "config", "dns", "identities", "keys", "network", "nodepools", "providers"])
        for f in folders { #expect(apps.contains("path: rendered/infra/\(f)\n"), "\(f)") }
        #expect(apps.contains("chart: crossplane\n"))
        #expect(
            files["addons/bootstrap/argocd-cm.yaml"]?.contains(#"resource.customizations: "\"*.upbound.io/*\":\n  health.lua: |"#) == true)
    }

    @Test("a change to one service's buckets touches only its identity files and the buckets' policies")
    func isolation() throws {
        let before = try Self.render(Self.acme)
        let after = try Self.render(
            Self.acme.replacingOccurrences(of: "uses: [bucket/uploads:read]", with: "uses: [bucket/uploads]"))
        let changed = Set(before.keys).union(after.keys).filter { before[$0] != after[$0] && $0.hasPrefix("infra/") }
        #expect(
            changed.sorted() == [
                "infra/buckets/acme-development-uploads.yaml", "infra/buckets/acme-production-uploads.yaml",
                "infra/buckets/acme-staging-uploads.yaml", "infra/identities/acme-development-search.yaml",
                "infra/identities/acme-production-search.yaml",
                "infra/identities/acme-staging-search.yaml",
            ])
    }

    @Test("the same spec renders the same foundation")
    func deterministic() throws {
        let a = try Self.render(Self.acme).filter { $0.key.hasPrefix("infra/") }
        let b = try Self.render(Self.acme).filter { $0.key.hasPrefix("infra/") }
        #expect(a == b && a.count > 30)
    }

    @Test("a bucket name S3 refuses, too many node pools, and on premises")
    func checks() {
        let long = Self.acme.replacingOccurrences(
            of: "  uploads:\n    versioning", with: "  uploads-of-every-customer-document-we-ever-received:\n    versioning"
        )
        .replacingOccurrences(of: "bucket/uploads", with: "bucket/uploads-of-every-customer-document-we-ever-received")
        #expect(
            Self.errors(long).contains(
                "platform.yaml:204:3: error: bucket 'uploads-of-every-customer-document-we-ever-received' becomes the S3 bucket 'acme-development-uploads-of-every-customer-document-we-ever-received', which is not a valid bucket name (3-63 lower-case letters, digits, '-' and '.', starting and ending with a letter or digit)"
            ), "\(Self.errors(long))")
        var pools = ""
        for i in 1...31 { pools += "      p\(i): { machine: m6i.large, cpu: 2, memory: 8Gi, min: 0, max: 1 }\n" }
        let many = Self.acme.replacingOccurrences(
            of: "      general: { machine: m6i.large, cpu: 2, memory: 8Gi, min: 2, max: 12 }\n", with: pools)
        #expect(
            Self.errors(many).contains(
                "platform.yaml:67:3: error: cluster 'nonprod' has 32 node pools; EKS allows 30 managed node groups per cluster"),
            "\(Self.errors(many))")
        let onprem = Fixtures.text(Fixtures.repoRoot.appendingPathComponent("examples/onprem/platform.yaml"))
        let notes = Self.errors(onprem + "\ninfrastructure:\n  engine: crossplane\n").filter { $0.contains("infrastructure") }
        #expect(
            notes.count == 1
                && notes[0].hasSuffix(
                    "note: infrastructure: on premises there are no cloud resources to render; the foundation is the hardware, MetalLB address pools and the nftables edge firewall"
                ), "\(notes)")
    }
}
