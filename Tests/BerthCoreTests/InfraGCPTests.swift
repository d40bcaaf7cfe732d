import BerthNet
import Foundation
import Testing

@testable import BerthCore

/// The cloud foundation on Google Cloud (`infrastructure` on a gcp spec): what `infra/`
/// holds for examples/gcp, its checks and its diff classes. Schema validity and the
/// cross-checks run in scripts/test.sh (scripts/check_infra.py, Tests/e2e/test_infra.py).
@Suite("Cloud foundation on Google Cloud")
struct InfraGCPTests {
    static let gcp = Fixtures.text(Fixtures.repoRoot.appendingPathComponent("examples/gcp/platform.yaml"))

    static func objects(_ files: [String: String], _ prefix: String) throws -> [JSONValue] {
        var out: [JSONValue] = []
        for (path, text) in files where path.hasPrefix(prefix) && path.hasSuffix(".yaml") {
            out += try PlatformDiff.parseYAML(text, path: path)
        }
        return out
    }

    @Test("every folder of infra/ has its Application; the providers and ProviderConfig name the project")
    func folders() throws {
        let files = try InfraTests.renderFolders(
            Self.gcp, ["buckets", "clusters", "config", "dns", "identities", "keys", "network", "nodepools", "providers", "registry"])
        let config = try #require(files["infra/config/gcp.yaml"])
        #expect(config.contains("projectID: harbour-prod\n") && config.contains("name: gcp-credentials\n"))
        #expect(files["infra/providers/gcp.yaml"]?.contains("xpkg.crossplane.io/crossplane-contrib/provider-gcp-container:v3.0.0") == true)
    }

    @Test("subnetworks take the plan's ranges; the nodes' subnetwork carries the pod and service ranges the cluster names")
    func network() throws {
        let l = Fixtures.check(Self.gcp, file: "platform.yaml")
        let plan = try #require(l.ipPlan)
        var byKey: [String: String] = [:]
        for e in plan.entries { byKey[e.key] = e.prefix.description }
        let files = try InfraTests.render(Self.gcp)
        let net = try Self.objects(files, "infra/network/prod-ew1.yaml")
        let subnets = net.filter { $0["kind"]?.stringValue == "Subnetwork" }
        #expect(subnets.count == 6)
        for s in subnets {
            let name = s.at("metadata.name")?.stringValue ?? ""
            let tier = name.hasSuffix("-public") ? "public" : "private"
            let zone = String(name.dropFirst("prod-ew1-".count).dropLast(tier.count + 1))
            #expect(s.at("spec.forProvider.ipCidrRange")?.stringValue == byKey["prod-ew1/\(zone)/\(tier)"], "\(name)")
        }
        let nodes = try #require(subnets.first { $0.at("spec.forProvider.secondaryIpRange") != nil })
        #expect(nodes.at("metadata.name")?.stringValue == "prod-ew1-europe-west1-b-private")
        let ranges = nodes.at("spec.forProvider.secondaryIpRange")?.arrayValue ?? []
        #expect(ranges.map { $0["ipCidrRange"]?.stringValue ?? "" } == [byKey["prod-ew1/pods"] ?? "-", byKey["prod-ew1/services"] ?? "-"])
        let cluster = try #require(try Self.objects(files, "infra/clusters/prod-ew1.yaml").first { $0["kind"]?.stringValue == "Cluster" })
        #expect(cluster.at("spec.forProvider.ipAllocationPolicy.clusterSecondaryRangeName")?.stringValue == "prod-ew1-pods")
        #expect(cluster.at("spec.forProvider.workloadIdentityConfig.workloadPool")?.stringValue == "harbour-prod.svc.id.goog")
        #expect(
            cluster.at("spec.forProvider.databaseEncryption.keyName")?.stringValue
                == "projects/harbour-prod/locations/europe-west1/keyRings/harbour/cryptoKeys/platform")
        // one Cloud NAT per cluster; the firewall rules of network/firewall/ target the nodes' tag
        #expect(net.filter { $0["kind"]?.stringValue == "RouterNAT" }.count == 1)
        let firewall = net.filter { $0["kind"]?.stringValue == "Firewall" }
        #expect(
            firewall.map { $0.at("metadata.name")?.stringValue ?? "" }.sorted() == [
                "harbour-prod-ew1-bastion-admin-ssh", "harbour-prod-ew1-service-edi-partner-edi",
            ])
        let pools = try Self.objects(files, "infra/nodepools/prod-ew1.yaml")
        let batch = try #require(pools.first { $0.at("metadata.name")?.stringValue == "prod-ew1-batch" })
        #expect(batch.at("spec.forProvider.nodeConfig.spot") == .bool(true))
        #expect(batch.at("spec.forProvider.nodeConfig.tags") == ["harbour-prod-ew1-nodes"])
        #expect(batch.at("spec.forProvider.nodeConfig.taint") == [["key": "workload", "value": "batch", "effect": "NO_SCHEDULE"]])
    }

    @Test("each Workload Identity annotation names a rendered service account bound to exactly that ServiceAccount")
    func identities() throws {
        let files = try InfraTests.render(Self.gcp)
        let sa = try #require(files["prod-ew1/harbour-production/bookings.yaml"])
        #expect(sa.contains("iam.gke.io/gcp-service-account: bookings-production@harbour-prod.iam.gserviceaccount.com\n"), "\(sa)")
        let id = try Self.objects(files, "infra/identities/bookings-production.yaml")
        #expect(id.first?["kind"]?.stringValue == "ServiceAccount")
        #expect(id.first?.at("metadata.annotations")?["crossplane.io/external-name"]?.stringValue == "bookings-production")
        let members = id.filter { $0["kind"]?.stringValue == "ServiceAccountIAMMember" }.map {
            $0.at("spec.forProvider.member")?.stringValue ?? ""
        }
        #expect(members == ["serviceAccount:harbour-prod.svc.id.goog[harbour-production/bookings]"])
        let dns = try Self.objects(files, "infra/identities/external-dns-prod-ew1.yaml")
        #expect(dns.contains { $0.at("spec.forProvider.role")?.stringValue == "roles/dns.admin" })
        // a read-only use stays read-only: search only views documents
        let bucket = try Self.objects(files, "infra/buckets/harbour-production-documents.yaml")
        let search = bucket.filter {
            $0.at("spec.forProvider.member")?.stringValue == "serviceAccount:search-production@harbour-prod.iam.gserviceaccount.com"
        }
        #expect(search.map { $0.at("spec.forProvider.role")?.stringValue ?? "" } == ["roles/storage.objectViewer"])
    }

    @Test("each region's key grants the service agents that use it, named by provider.projectNumber; without it a warning")
    func serviceAgents() throws {
        let files = try InfraTests.render(Self.gcp)
        let keys = try Self.objects(files, "infra/keys/keys.yaml")
        let grants = keys.filter { $0["kind"]?.stringValue == "CryptoKeyIAMMember" }
        #expect(
            grants.map { $0.at("metadata.name")?.stringValue ?? "" } == [
                "europe-west1-harbour-platform-gke-agent", "europe-west1-harbour-platform-compute-agent",
                "europe-west1-harbour-platform-storage-agent", "europe-west4-harbour-platform-gke-agent",
                "europe-west4-harbour-platform-compute-agent", "europe-west4-harbour-platform-storage-agent",
            ])
        let gke = try #require(grants.first)
        #expect(gke.at("spec.forProvider.cryptoKeyIdRef.name")?.stringValue == "europe-west1-harbour-platform")
        #expect(gke.at("spec.forProvider.role")?.stringValue == "roles/cloudkms.cryptoKeyEncrypterDecrypter")
        #expect(
            gke.at("spec.forProvider.member")?.stringValue
                == "serviceAccount:service-482915706314@container-engine-robot.iam.gserviceaccount.com")
        // without the number: no grants, and berth check says what to add
        let without = Self.gcp.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains("projectNumber:") }
            .joined(separator: "\n")
        #expect(without != Self.gcp)
        let lines = Fixtures.lines(Fixtures.check(without, file: "platform.yaml"))
        #expect(
            lines.contains {
                $0.contains(": warning: infrastructure on gcp: provider.projectNumber is not set")
                    && $0.contains("add provider.projectNumber: <the number of project harbour-prod>")
            }, "\(lines)")
        let plain = try InfraTests.render(without)
        #expect(plain["infra/keys/keys.yaml"]?.contains("CryptoKeyIAMMember") == false)
        // digits only
        let letters = Self.gcp.replacingOccurrences(of: "projectNumber: \"482915706314\"", with: "projectNumber: harbour-prod")
        #expect(
            InfraTests.errors(letters).contains {
                $0.contains("error: 'provider.projectNumber' must be digits only (at most 20), found 'harbour-prod'")
            },
            "\(InfraTests.errors(letters))")
    }

    @Test("the Hosting & Network document describes the GKE foundation from the rendered resources")
    func document() throws {
        let loaded = Fixtures.check(Self.gcp, file: "platform.yaml")
        let md = DocsTests.markdown(HostingDoc(spec: try #require(loaded.spec), ipPlan: loaded.ipPlan).artifacts())
        #expect(
            md.contains(
                "The cloud foundation is rendered under `infra/` as Crossplane managed resources: 2 VPC networks with 10 subnetworks, 2 Cloud Routers with Cloud NAT, 4 firewall rules, 2 GKE clusters with 4 node pools, 2 Cloud KMS keys, 1 Cloud DNS zone, 9 buckets and 29 Google service accounts (27 Workload Identity bindings); Argo CD applies it"
            ), "\(md)")
        #expect(md.contains("| subnetwork (infra/network/) | region | range | secondary ranges |"))
        #expect(
            md.contains(
                "the nodes take the first zone's private subnetwork, whose secondary ranges are the cluster's pod and service ranges"))
    }

    @Test("checks: a key the foundation cannot create, a zone the region lacks, too many node pools, a long service account id")
    func checks() {
        let key = Self.gcp.replacingOccurrences(
            of: "kmsKey: projects/harbour-prod/locations/europe-west4/", with: "kmsKey: projects/harbour-prod/locations/europe-west1/")
        #expect(
            InfraTests.errors(key).contains(
                "platform.yaml:19:5: error: provider.regions.europe-west4.kmsKey must be the key the foundation creates, projects/harbour-prod/locations/europe-west4/keyRings/<ring>/cryptoKeys/<key> (1-63 letters, digits, '_', '-'), found 'projects/harbour-prod/locations/europe-west1/keyRings/harbour/cryptoKeys/platform'"
            ), "\(InfraTests.errors(key))")
        let zone = Self.gcp.replacingOccurrences(
            of: "zones: [europe-west4-a, europe-west4-b]", with: "zones: [europe-west4-a, europe-west4-d]")
        #expect(
            InfraTests.errors(zone).contains(
                "platform.yaml:19:5: error: zone 'europe-west4-d' is not a zone of Google Cloud region 'europe-west4' (europe-west4-a, europe-west4-b, europe-west4-c)"
            ), "\(InfraTests.errors(zone))")
        var pools = ""
        for i in 1...15 { pools += "      p\(i): { machine: e2-standard-4, cpu: 4, memory: 16Gi, min: 0, max: 1 }\n" }
        let many = Self.gcp.replacingOccurrences(
            of: "      general: { machine: e2-standard-4, cpu: 4, memory: 16Gi, min: 2, max: 8 }\n", with: pools)
        #expect(
            InfraTests.errors(many).contains(
                "platform.yaml:64:3: error: cluster 'nonprod' has 16 node pools; GKE allows 15 node pools per cluster"),
            "\(InfraTests.errors(many))")
        let long = Self.gcp.replacingOccurrences(of: "  archiver:\n", with: "  archiver-of-tracking-history:\n")
        #expect(
            InfraTests.errors(long).contains(
                "platform.yaml:211:3: error: the Google service account of service 'archiver-of-tracking-history' in environment 'development' would be 'archiver-of-tracking-history-development' (40 characters); service account ids are 6-30 characters, so the annotation and the foundation would use the shortened '\(Renderer.gcpAccountId("archiver-of-tracking-history-development"))': shorten the names"
            ), "\(InfraTests.errors(long))")
        // without infrastructure the zone stays a warning
        let plain = zone.replacingOccurrences(of: "infrastructure:\n  engine: crossplane\n", with: "")
        #expect(!InfraTests.errors(plain).contains { $0.contains("europe-west4-d") })
    }

    @Test("berth diff on gcp: version, range and machine changes are disruptive; IAM and firewall changes security-sensitive")
    func diff() throws {
        try DiffTests.expectChange(
            "    region: europe-west4\n    kubernetes: \"1.31\"", "    region: europe-west4\n    kubernetes: \"1.32\"", in: Self.gcp,
            versions: nil,
            "disruptive: changed infra/Cluster/nonprod: spec.forProvider.minMasterVersion", "the cluster's Kubernetes version changes")
        try DiffTests.expectChange(
            "general: { machine: e2-standard-4, cpu: 4, memory: 16Gi, min: 2, max: 8 }",
            "general: { machine: e2-standard-8, cpu: 8, memory: 32Gi, min: 2, max: 8 }", in: Self.gcp, versions: nil,
            "disruptive: changed infra/NodePool/nonprod-general: ", "machine type changes")
        try DiffTests.expectChange(
            "pods: 17", "pods: 16", in: Self.gcp, versions: nil, "disruptive: changed infra/Subnetwork/", "the pod or service range")
        try DiffTests.expectChange(
            "from: 203.0.113.0/24, ports: [22]", "from: 198.51.100.0/24, ports: [22]", in: Self.gcp, versions: nil,
            "security-sensitive: changed infra/Firewall/", "an edge firewall rule changes")
        let grant = try DiffTests.report("uses: [bucket/documents:read]", "uses: [bucket/documents]", in: Self.gcp, versions: nil)
        #expect(
            grant.contains {
                $0.hasPrefix("security-sensitive: changed infra/BucketIAMMember/") && $0.contains("a bucket role grant changes")
            }
                || grant.contains { $0.hasPrefix("security-sensitive: added infra/BucketIAMMember/") }, "\(grant)")
        // another project number: every key grant names other service agents
        try DiffTests.expectChange(
            "projectNumber: \"482915706314\"", "projectNumber: \"482915706315\"", in: Self.gcp, versions: nil,
            "security-sensitive: changed infra/CryptoKeyIAMMember/", "a key's role grant changes")
        // a grant that appears (a project number set where there was none) gives access
        let unset = Self.gcp.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains("projectNumber:") }
            .joined(separator: "\n")
        let changes = try PlatformDiff.compare(old: DiffTests.files(unset, versions: nil), new: DiffTests.files(Self.gcp, versions: nil))
        let grants = PlatformDiff.text(changes).split(separator: "\n")
        #expect(
            grants.contains { $0.hasPrefix("security-sensitive: added infra/CryptoKeyIAMMember/") && $0.contains("grants access") },
            "\(grants)")
    }
}
