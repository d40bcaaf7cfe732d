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

    @Test("berth diff: a CIDR, version or machine change is disruptive; trust, permissions and firewall are security-sensitive")
    func diff() throws {
        let version = try DiffTests.report(
            "    region: us-east-1\n    kubernetes: \"1.31\"", "    region: us-east-1\n    kubernetes: \"1.32\"")
        #expect(
            version.contains {
                $0.hasPrefix("disruptive: changed infra/Cluster/prod-us: spec.forProvider.version")
                    && $0.contains("the cluster's Kubernetes version changes")
            }, "\(version)")
        let machine = try DiffTests.report(
            "general: { machine: m6i.large, cpu: 2, memory: 8Gi, min: 2, max: 12 }",
            "general: { machine: m6i.xlarge, cpu: 4, memory: 16Gi, min: 2, max: 12 }")
        #expect(
            machine.contains {
                $0.hasPrefix("disruptive: changed infra/NodeGroup/nonprod-general: ") && $0.contains("machine type changes")
            },
            "\(machine)")
        let cidr = try DiffTests.report("vpc: 16", "vpc: 17")
        #expect(cidr.contains { $0.hasPrefix("disruptive: changed infra/VPC/") && $0.contains("a network's range changes") }, "\(cidr)")
        let firewall = try DiffTests.report("from: 203.0.113.0/24, ports: [22]", "from: 198.51.100.0/24, ports: [22]")
        #expect(
            firewall.contains {
                $0.hasPrefix("security-sensitive: changed infra/SecurityGroupIngressRule/") && $0.contains("an edge firewall rule changes")
            },
            "\(firewall)")
        let grant = try DiffTests.report("uses: [bucket/uploads:read]", "uses: [bucket/uploads]")
        #expect(
            grant.contains {
                $0.hasPrefix("security-sensitive: changed infra/Policy/acme-production-search: ")
                    && $0.contains("an identity's permissions change")
            }, "\(grant)")
        let role: (String) -> JSONValue = { trust in
            [
                "apiVersion": "iam.aws.upbound.io/v1beta1", "kind": "Role", "metadata": ["name": "r"],
                "spec": ["forProvider": ["assumeRolePolicy": .string(trust)]],
            ]
        }
        let (risks, reasons) = PlatformDiff.foundationChange(role("a"), role("b"))
        #expect(risks == [.securitySensitive] && reasons == ["a role's trust policy changes: other workloads may assume it"])
        // an IAM Role is not an RBAC Role: its addition is classified as the foundation's
        #expect(PlatformDiff.classifyAdded(role("a")).0 == [.safe])
    }
}
