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

    /// The render of `text`, after expecting exactly `folders` under `infra/`, each synced
    /// by its Application in `argocd/infra.yaml`.
    static func renderFolders(
        _ text: String, _ folders: Set<Substring>, sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws -> [String: String] {
        let files = try render(text)
        let found = Set(files.keys.filter { $0.hasPrefix("infra/") }.map { $0.split(separator: "/")[1] })
        #expect(found == folders, sourceLocation: sourceLocation)
        let apps = try #require(files["argocd/infra.yaml"], sourceLocation: sourceLocation)
        for f in found { #expect(apps.contains("path: rendered/infra/\(f)\n"), "\(f)", sourceLocation: sourceLocation) }
        return files
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
        let files = try Self.renderFolders(
            Self.acme, ["buckets", "clusters", "config", "dns", "identities", "keys", "network", "nodepools", "providers"])
        #expect(files["argocd/infra.yaml"]?.contains("chart: crossplane\n") == true)
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
        try DiffTests.expectChange(
            "    region: us-east-1\n    kubernetes: \"1.31\"", "    region: us-east-1\n    kubernetes: \"1.32\"",
            "disruptive: changed infra/Cluster/prod-us: spec.forProvider.version", "the cluster's Kubernetes version changes")
        try DiffTests.expectChange(
            "general: { machine: m6i.large, cpu: 2, memory: 8Gi, min: 2, max: 12 }",
            "general: { machine: m6i.xlarge, cpu: 4, memory: 16Gi, min: 2, max: 12 }",
            "disruptive: changed infra/NodeGroup/nonprod-general: ", "machine type changes")
        try DiffTests.expectChange("vpc: 16", "vpc: 17", "disruptive: changed infra/VPC/", "a network's range changes")
        try DiffTests.expectChange(
            "from: 203.0.113.0/24, ports: [22]", "from: 198.51.100.0/24, ports: [22]",
            "security-sensitive: changed infra/SecurityGroupIngressRule/", "an edge firewall rule changes")
        try DiffTests.expectChange(
            "uses: [bucket/uploads:read]", "uses: [bucket/uploads]", "security-sensitive: changed infra/Policy/acme-production-search: ",
            "an identity's permissions change")
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
        // another IPv6 range moves every VPC's IPv6 block
        try DiffTests.expectChange(
            "ipv6: fd12:3456:789a::/48", "ipv6: fd12:3456:789b::/48",
            "disruptive: changed infra/VPCIpv6CidrBlockAssociation/prod-eu-ipv6: ", "a network's IPv6 range changes")
    }

    @Test("IPv6 of the dual-stack plan: an IPAM pool per cluster region holding the VPC's planned range, the subnets' /64s")
    func ipv6() throws {
        let files = try Self.render(Self.acme)
        let ipam = try PlatformDiff.parseYAML(try #require(files["infra/network/_ipam.yaml"]), path: "infra/network/_ipam.yaml")
        let kinds = ipam.map { "\($0["kind"]?.stringValue ?? "")/\($0.at("metadata.name")?.stringValue ?? "")" }
        #expect(
            kinds == [
                "VPCIpam/acme", "VPCIpamScope/acme-private", "VPCIpamPool/acme-ipv6", "VPCIpamPoolCidr/acme-ipv6",
                "VPCIpamPool/prod-eu-ipv6",
                "VPCIpamPoolCidr/prod-eu-ipv6", "VPCIpamPool/prod-us-ipv6", "VPCIpamPoolCidr/prod-us-ipv6", "VPCIpamPool/nonprod-ipv6",
                "VPCIpamPoolCidr/nonprod-ipv6",
            ])
        #expect(ipam[0].at("spec.forProvider.operatingRegions") == [["regionName": "eu-west-1"], ["regionName": "us-east-1"]])
        #expect(ipam[3].at("spec.forProvider.cidr") == "fd12:3456:789a::/48")
        #expect(ipam[6].at("spec.forProvider.locale") == "us-east-1" && ipam[6].at("spec.forProvider.region") == "eu-west-1")
        #expect(ipam[7].at("spec.forProvider.cidr") == "fd12:3456:789a:200::/56")
        let us = try PlatformDiff.parseYAML(try #require(files["infra/network/prod-us.yaml"]), path: "infra/network/prod-us.yaml")
        let assoc = try #require(us.first { $0["kind"]?.stringValue == "VPCIpv6CidrBlockAssociation" })
        #expect(assoc.at("spec.forProvider.ipv6CidrBlock") == "fd12:3456:789a:200::/56")
        #expect(assoc.at("spec.forProvider.ipv6IpamPoolIdRef.name") == "prod-us-ipv6")
        let subnet = try #require(us.first { $0.at("metadata.name")?.stringValue == "prod-us-us-east-1b-private" })
        #expect(subnet.at("spec.forProvider.ipv6CidrBlock") == "fd12:3456:789a:203::/64")
        // without network.ipv6 there is no IPAM and no IPv6 on the VPCs
        let v4 = try Self.render(Self.acme.replacingOccurrences(of: "  ipv6: fd12:3456:789a::/48\n", with: ""))
        #expect(v4["infra/network/_ipam.yaml"] == nil)
        #expect(!(v4["infra/network/prod-us.yaml"] ?? "").contains("ipv6"))
    }
}
