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
        Fixtures.lines(Fixtures.check(text, file: "platform.yaml")).filter { $0.contains(": error: ") || $0.contains(": warning: ") }
    }

    @Test("examples/azure renders every folder of infra/ with its Application")
    func folders() throws {
        _ = try InfraTests.renderFolders(
            Self.azure, ["buckets", "clusters", "config", "dns", "identities", "keys", "network", "nodepools", "providers", "registry"])
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
        #expect(sa.contains("azure.workload.identity/client-id: \"0a1b2c3d-0000-4000-8000-000000000001\""))
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
        // role assignments on containers come with the storage accounts (the wave after the
        // identities): Azure assigns roles only on scopes that exist
        #expect(files["infra/buckets/contosoproduction.yaml"]?.contains("roleDefinitionName: \"Storage Blob Data Reader\"") == true)
        #expect(files["infra/identities/contoso-search.yaml"]?.contains("kind: RoleAssignment") == false)
    }

    @Test("Velero's snapshot rights: custom roles on the node resource group (disks) and the platform's group (snapshots)")
    func veleroSnapshots() throws {
        let files = try InfraTests.render(Self.azure)
        let o = try Self.infra(Self.azure)
        let cluster = try #require(Self.objects(o, "KubernetesCluster").first { $0.at("metadata.name")?.stringValue == "prod-weu" })
        #expect(cluster.at("spec.forProvider.nodeResourceGroup")?.stringValue == "contoso-prod-weu-nodes")
        let roles = Self.objects(o, "RoleDefinition")
        #expect(Self.names(roles) == ["contoso-velero-disks", "contoso-velero-snapshots"])
        let disks = try #require(roles.first { $0.at("metadata.name")?.stringValue == "contoso-velero-disks" })
        #expect(
            disks.at("spec.forProvider.assignableScopes") == [
                "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/contoso-prod-weu-nodes",
                "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/contoso-nonprod-nodes",
            ])
        let assignment = try #require(
            Self.objects(o, "RoleAssignment").first { $0.at("metadata.name")?.stringValue == "contoso-platform-prod-weu-velero-disks" })
        #expect(assignment.at("spec.forProvider.roleDefinitionIdRef.name")?.stringValue == "contoso-velero-disks")
        #expect(
            assignment.at("spec.forProvider.scope")?.stringValue
                == "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/contoso-prod-weu-nodes")
        // the plugin's volume snapshotter reads the disks' group from its credentials file
        let velero = try #require(files["addons/prod-weu/velero.yaml"])
        #expect(velero.contains("AZURE_RESOURCE_GROUP=contoso-prod-weu-nodes"), "\(velero)")
    }

    @Test("storage accounts: the region's key with the storage identity, as buckets/ says; the key once the identity is granted it")
    func storageKey() throws {
        let id =
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/contoso-platform/providers/Microsoft.ManagedIdentity/userAssignedIdentities/contoso-weu-storage"
        let o = try Self.infra(Self.azure)
        let accounts = Self.objects(o, "Account")
        #expect(Self.names(accounts) == ["contosodevelopment", "contosoproduction", "contosostaging"])
        for a in accounts {
            #expect(a.at("spec.forProvider.identity") == ["type": "UserAssigned", "identityIds": [.string(id)]])
            #expect(
                a.at("spec.forProvider.customerManagedKey")
                    == ["keyVaultKeyId": "https://contoso-weu.vault.azure.net/keys/contoso-weu", "userAssignedIdentityId": .string(id)])
        }
        let grant = try #require(Self.objects(o, "RoleAssignment").first { $0.at("metadata.name")?.stringValue == "contoso-weu-storage" })
        #expect(grant.at("spec.forProvider.roleDefinitionName")?.stringValue == "Key Vault Crypto Service Encryption User")
        #expect(grant.at("spec.forProvider.scope")?.stringValue?.hasSuffix("/providers/Microsoft.KeyVault/vaults/contoso-weu") == true)
        // buckets/ describes the same key and identity
        let files = try InfraTests.render(Self.azure)
        let body = try #require(files["buckets/production/contosoproduction.storage-account.json"])
        #expect(body.contains("\"keyvaulturi\": \"https://contoso-weu.vault.azure.net\""), "\(body)")
        #expect(body.contains("\"userAssignedIdentity\": \"\(id)\""), "\(body)")
        // first pass: the identity is there, the key waits for its grant (and a warning says so)
        let first = Self.azure.replacingOccurrences(of: "    contoso-weu-storage: 1b0e0000-0000-4000-8000-00000000010d\n", with: "")
        #expect(first != Self.azure)
        let before = try Self.infra(first)
        #expect(
            Self.objects(before, "Account").allSatisfy {
                $0.at("spec.forProvider.customerManagedKey") == nil && $0.at("spec.forProvider.identity") != nil
            })
        #expect(Self.findings(first).contains { $0.contains("infrastructure.principals has no principal id for contoso-weu-storage:") })
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
        // Velero's snapshotter still gets its credentials file, with the node resource group AKS names by default
        let velero = try #require(files["addons/prod-weu/velero.yaml"])
        #expect(velero.contains("AZURE_RESOURCE_GROUP=MC_contoso-platform_prod-weu_westeurope"), "\(velero)")
    }

    @Test(
        "checks: the subscription and tenant, a disk encryption set of the platform's group, the system pool, a service without a client id"
    )
    func checks() {
        let bad = Self.azure.replacingOccurrences(of: "diskEncryptionSets/contoso-weu", with: "diskEncryptionSets/x")
            .replacingOccurrences(of: "  tenant: 72f988bf-0000-4000-8000-00000000c0de\n", with: "")
            .replacingOccurrences(of: "\n  subscription: 00000000-0000-0000-0000-000000000000\n", with: "\n")
            .replacingOccurrences(
                of: "general: { machine: Standard_D4s_v5, cpu: 4, memory: 16Gi, min: 3, max: 12 }",
                with: "general: { machine: Standard_D4s_v5, cpu: 4, memory: 16Gi, min: 3, max: 12, spot: true }"
            )
            .replacingOccurrences(of: "    search: 0a1b2c3d-0000-4000-8000-000000000002\n", with: "")
        let f = Self.findings(bad)
        #expect(
            f.contains(
                "platform.yaml:9:3: error: infrastructure on azure needs provider.subscription (the ProviderConfig and every resource id name it)"
            ), "\(f)")
        #expect(
            f.contains {
                $0.hasSuffix("error: infrastructure on azure needs infrastructure.tenant (the Entra ID tenant the Key Vaults trust)")
            }, "\(f)")
        #expect(
            f.contains(
                "platform.yaml:68:7: error: node pool 'general' of cluster 'prod-weu': the first pool becomes the AKS system pool, which can be neither spot nor tainted; list an on-demand pool without taints first"
            ), "\(f)")
        #expect(
            f.contains {
                $0.hasSuffix(
                    "warning: service 'search' uses buckets in 'development' but provider.identities has no client id for it ('development-search' or 'search'): it gets the platform identity contoso-platform (provider.account); apply infra/, read status.atProvider.clientId of the UserAssignedIdentity contoso-search and write it to provider.identities.search"
                )
            }, "\(f)")
        let key = Self.azure.replacingOccurrences(of: "diskEncryptionSets/contoso-weu", with: "diskEncryptionSets/x")
        #expect(
            Self.findings(key).contains(
                "platform.yaml:14:5: error: provider.regions.westeurope.kmsKey must be the disk encryption set the foundation creates, /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/contoso-platform/providers/Microsoft.Compute/diskEncryptionSets/<name> (its Key Vault takes the same name: 3-24 letters, digits and '-', starting with a letter), found '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/contoso-platform/providers/Microsoft.Compute/diskEncryptionSets/x'"
            ), "\(Self.findings(key))")
        var pools = ""
        for i in 1...100 { pools += "      p\(i): { machine: Standard_D2s_v5, cpu: 2, memory: 8Gi, min: 0, max: 1 }\n" }
        let many = Self.azure.replacingOccurrences(
            of: "      general: { machine: Standard_D2s_v5, cpu: 2, memory: 8Gi, min: 2, max: 12 }\n",
            with: "      general: { machine: Standard_D2s_v5, cpu: 2, memory: 8Gi, min: 2, max: 12 }\n" + pools)
        #expect(
            Self.findings(many).contains { $0.hasSuffix("error: cluster 'nonprod' has 102 node pools; AKS allows 100 per cluster") },
            "\(Self.findings(many))")
    }

    @Test(
        "berth diff on Azure: version, range and machine changes are disruptive; role assignments, trust and NSG rules security-sensitive")
    func diff() throws {
        try DiffTests.expectChange(
            "    region: westeurope\n    kubernetes: \"1.31\"\n    controlPlane",
            "    region: westeurope\n    kubernetes: \"1.32\"\n    controlPlane", in: Self.azure,
            "disruptive: changed infra/KubernetesCluster/prod-weu: ", "the cluster's Kubernetes version changes")
        try DiffTests.expectChange(
            "batch:   { machine: Standard_D8s_v5", "batch:   { machine: Standard_D16s_v5", in: Self.azure,
            "disruptive: changed infra/KubernetesClusterNodePool/prod-weu-batch: ", "machine type changes")
        try DiffTests.expectChange(
            "vpc: 16", "vpc: 17", in: Self.azure, "disruptive: changed infra/VirtualNetwork/", "a network's range changes")
        try DiffTests.expectChange(
            "from: 203.0.113.0/24, ports: [22]", "from: 198.51.100.0/24, ports: [22]", in: Self.azure,
            "security-sensitive: changed infra/SecurityRule/", "an edge firewall rule changes")
        let grant = try DiffTests.report("uses: [bucket/documents:read]", "uses: [bucket/documents]", in: Self.azure)
        // the read-only assignment gives way to a contributor one: a new grant
        #expect(
            grant.contains(
                "security-sensitive: added infra/RoleAssignment/contoso-search-contoso-production-documents-contributor (new RoleAssignment grants access)"
            ), "\(grant)")
        let fic: (String) -> JSONValue = { subject in
            [
                "apiVersion": "managedidentity.azure.upbound.io/v1beta1", "kind": "FederatedIdentityCredential", "metadata": ["name": "f"],
                "spec": ["forProvider": ["subject": .string(subject)]],
            ]
        }
        let (risks, reasons) = PlatformDiff.foundationChange(fic("system:serviceaccount:a:b"), fic("system:serviceaccount:a:c"))
        #expect(risks == [.securitySensitive] && reasons == ["an identity trusts another issuer or ServiceAccount"])
        // Velero's custom roles: more actions is more access
        let role: ([String]) -> JSONValue = { actions in
            [
                "apiVersion": "authorization.azure.upbound.io/v1beta1", "kind": "RoleDefinition", "metadata": ["name": "r"],
                "spec": ["forProvider": ["permissions": [["actions": .array(actions.map { .string($0) })]]]],
            ]
        }
        let widened = PlatformDiff.foundationChange(
            role(["Microsoft.Compute/disks/read"]), role(["Microsoft.Compute/disks/read", "Microsoft.Compute/disks/delete"]))
        #expect(widened.0 == [.securitySensitive] && widened.1 == ["a custom role's permissions or scopes change"])
        // the node resource group is fixed at creation: moving it replaces the cluster
        let cluster: (String) -> JSONValue = { group in
            [
                "apiVersion": "containerservice.azure.upbound.io/v1beta2", "kind": "KubernetesCluster", "metadata": ["name": "c"],
                "spec": ["forProvider": ["nodeResourceGroup": .string(group)]],
            ]
        }
        let moved = PlatformDiff.foundationChange(cluster("contoso-prod-weu-nodes"), cluster("contoso-weu-nodes"))
        #expect(moved.0 == [.disruptive] && moved.1 == ["the cluster's node resource group changes: the cluster is replaced"])
    }

    @Test("the document describes the Azure foundation from the rendered resources")
    func document() throws {
        let l = Fixtures.check(Self.azure, file: "platform.yaml")
        let doc =
            HostingDoc(spec: try #require(l.spec), ipPlan: l.ipPlan).artifacts().first { $0.path == "hosting-and-network.md" }?.contents
            ?? ""
        #expect(
            doc.contains(
                "The cloud foundation is rendered under `infra/` as Crossplane managed resources: 2 VNets with 12 subnets and 4 NAT gateways, 2 AKS clusters with 4 node pools (the system pool included)"
            ), "\(doc.prefix(300))")
        #expect(doc.contains("AKS with Azure CNI Overlay takes each cluster's pod and service ranges as its pod CIDR and service CIDR"))
    }
}
