import Foundation
import Testing

@testable import BerthCore

/// The Azure foundation (`infrastructure` on azure): what `infra/` holds for examples/azure,
/// the identity annotations that bind it, its checks, diff classes and document sentences.
/// Schema validity and the cross-checks run in scripts/test.sh (scripts/check_infra.py,
/// Tests/e2e/test_infra.py).
@Suite("Azure foundation")
struct InfraAzureTests {
    static let azure = Fixtures.text(AzureTests.example)

    /// The managed resources of `infra/` for a spec, in folder and file order.
    static func infra(_ text: String) throws -> [JSONValue] {
        let l = Fixtures.check(text, file: "platform.yaml")
        let spec = try #require(l.spec)
        let r = Renderer(plan: Plan(spec: spec, ipPlan: l.ipPlan), ipPlan: l.ipPlan)
        let units = r.renderUnits()
        let folders = r.infraFolders(files: units.map { ($0.path, $0.docs) }, addons: r.addons(units)) ?? []
        return folders.flatMap { $0.files.flatMap(\.docs) }
    }

    static func objects(_ all: [JSONValue], _ kind: String) -> [JSONValue] { all.filter { $0["kind"]?.stringValue == kind } }

    static func names(_ objects: [JSONValue]) -> [String] { objects.compactMap { $0.at("metadata.name")?.stringValue }.sorted() }

    static func findings(_ text: String) -> [String] {
        Fixtures.lines(Fixtures.check(text, file: "platform.yaml")).filter { $0.contains("infra-") || $0.contains("infrastructure") }
    }

    @Test("examples/azure renders every folder of infra/ with its Application")
    func folders() throws {
        let files = try InfraTests.render(Self.azure)
        let folders = Set(files.keys.filter { $0.hasPrefix("infra/") }.map { $0.split(separator: "/")[1] })
        #expect(
            folders == ["buckets", "clusters", "config", "dns", "identities", "keys", "network", "nodepools", "providers", "registry"])
        let apps = try #require(files["argocd/infra.yaml"])
        for f in folders { #expect(apps.contains("path: rendered/infra/\(f)\n"), "\(f)") }
    }

    @Test("network from the IP plan: subnets per zone, NAT per zone in production, the NSG's rules from network/firewall")
    func network() throws {
        let files = try InfraTests.render(Self.azure)
        let o = try Self.infra(Self.azure)
        #expect(Self.names(Self.objects(o, "VirtualNetwork")) == ["nonprod", "prod-weu"])
        #expect(Self.objects(o, "Subnet").count == 12)
        #expect(Self.names(Self.objects(o, "NATGateway")) == ["nonprod-1", "prod-weu-1", "prod-weu-2", "prod-weu-3"])
        let rules = Self.objects(o, "SecurityRule").filter { $0.at("metadata.name")?.stringValue?.hasPrefix("contoso-prod-weu-") == true }
        let nsg = try #require(files["network/firewall/prod-weu.nsg.json"])
        for r in rules where r.at("metadata.annotations")?["crossplane.io/external-name"]?.stringValue != "ingress-gateway" {
            let name = try #require(r.at("metadata.annotations")?["crossplane.io/external-name"]?.stringValue)
            #expect(nsg.contains("\"name\" : \"\(name)\"") || nsg.contains("\"name\": \"\(name)\""), "\(name)")
        }
        let cluster = try #require(Self.objects(o, "KubernetesCluster").first { $0.at("metadata.name")?.stringValue == "prod-weu" })
        let net = try #require(cluster.at("spec.forProvider.networkProfile"))
        let plan = try #require(files["network/ip-plan.json"])
        let pods = try #require(net["podCidr"]?.stringValue)
        #expect(plan.contains("\"\(pods)\""))
        #expect(net["networkPluginMode"]?.stringValue == "overlay")
    }

    @Test("node pools: the first is the system pool, the others named like the pool with taints and Spot")
    func nodePools() throws {
        let o = try Self.infra(Self.azure)
        let pools = Self.objects(o, "KubernetesClusterNodePool")
        #expect(Self.names(pools) == ["nonprod-batch", "prod-weu-batch"])
        let batch = try #require(pools.first { $0.at("metadata.name")?.stringValue == "prod-weu-batch" })
        #expect(batch.at("spec.forProvider.priority")?.stringValue == "Spot")
        #expect(batch.at("spec.forProvider.nodeTaints") == ["workload=batch:NoSchedule"])
        #expect(batch.at("metadata.annotations")?["crossplane.io/external-name"]?.stringValue == "batch")
        let cluster = try #require(Self.objects(o, "KubernetesCluster").first)
        #expect(cluster.at("spec.forProvider.defaultNodePool.name")?.stringValue == "general")
    }

    @Test("identities: one per client id, named on the ServiceAccount, a federated credential per ServiceAccount")
    func identities() throws {
        let files = try InfraTests.render(Self.azure)
        let o = try Self.infra(Self.azure)
        let sa = try #require(files["prod-weu/contoso-production/api.yaml"])
        #expect(sa.contains("azure.workload.identity/client-id: 0a1b2c3d-0000-4000-8000-000000000001"))
        #expect(sa.contains("berth.dev/cloud-identity: contoso-api"))
        let ids = Self.names(Self.objects(o, "UserAssignedIdentity"))
        #expect(ids.contains("contoso-api") && ids.contains("contoso-bookings-backup") && ids.contains("contoso-platform"))
        let fics = Self.objects(o, "FederatedIdentityCredential").filter {
            $0.at("spec.forProvider.parentIdRef.name")?.stringValue == "contoso-api"
        }
        #expect(
            Set(fics.compactMap { $0.at("spec.forProvider.subject")?.stringValue }) == [
                "system:serviceaccount:contoso-development:api", "system:serviceaccount:contoso-staging:api",
                "system:serviceaccount:contoso-production:api",
            ])
        let search = Self.objects(o, "RoleAssignment").filter {
            $0.at("spec.forProvider.principalId")?.stringValue == "1b0e0000-0000-4000-8000-000000000102"
        }
        #expect(
            !search.isEmpty && search.allSatisfy { $0.at("spec.forProvider.roleDefinitionName")?.stringValue == "Storage Blob Data Reader" }
        )
    }

    @Test("without the values Azure assigns: no role assignments or federated credentials, and warnings saying what to fill in")
    func firstPass() throws {
        var text = Self.azure
        let start = try #require(text.range(of: "  principals:\n"))
        text = String(text[..<start.lowerBound])
        let o = try Self.infra(text)
        #expect(Self.objects(o, "RoleAssignment").isEmpty && Self.objects(o, "FederatedIdentityCredential").isEmpty)
        #expect(!Self.objects(o, "UserAssignedIdentity").isEmpty)
        let w = Self.findings(text)
        #expect(
            w.contains { $0.contains("warning: infrastructure.principals has no principal id for api, backoffice, bookings-backup") },
            "\(w)")
        #expect(w.contains { $0.contains("warning: infrastructure.issuers has no OIDC issuer for prod-weu, nonprod") }, "\(w)")
    }

    @Test("without infrastructure the Azure render is unchanged: no infra/, no cloud-identity annotation")
    func absent() throws {
        let text = try #require(Self.azure.components(separatedBy: "\n# The cloud foundation under infra/").first)
        let files = try InfraTests.render(text)
        #expect(!files.keys.contains { $0.hasPrefix("infra/") })
        #expect(!files.values.contains { $0.contains(Renderer.cloudIdentityAnnotation) })
    }
}
