import BerthCore
import Foundation
import Testing

/// The Google Cloud example (examples/gcp) and what berth renders and checks for GKE.
@Suite("Google Cloud")
struct GCPTests {
    static let path = Fixtures.repoRoot.appendingPathComponent("examples/gcp/platform.yaml").path

    static func checked() throws -> LoadedSpec { try Pipeline.check(path: path) }

    static func artifacts() throws -> [Artifact] {
        let loaded = try checked()
        let spec = try #require(loaded.spec)
        return try Pipeline.renderChecked(spec, ipPlan: loaded.ipPlan)
    }

    static func json(_ artifacts: [Artifact], _ path: String) throws -> JSONValue {
        let a = try #require(artifacts.first { $0.path == path }, "\(path) not rendered")
        return value(try JSONSerialization.jsonObject(with: Data(a.contents.utf8), options: [.fragmentsAllowed]), text: a.contents)
    }

    /// Foundation's parse as a JSONValue; object keys keep the order they have in `text`.
    static func value(_ any: Any, text: String) -> JSONValue {
        switch any {
        case let b as Bool where type(of: any) == Bool.self: return .bool(b)
        case let n as NSNumber where String(cString: n.objCType) == "c": return .bool(n.boolValue)
        case let n as NSNumber: return n.doubleValue == n.doubleValue.rounded() ? .int(n.intValue) : .double(n.doubleValue)
        case let s as String: return .string(s)
        case let a as [Any]: return .array(a.map { value($0, text: text) })
        case let o as [String: Any]:
            let keys = o.keys.sorted {
                (text.range(of: "\"\($0)\"")?.lowerBound ?? text.endIndex) < (text.range(of: "\"\($1)\"")?.lowerBound ?? text.endIndex)
            }
            return .object(keys.map { ($0, value(o[$0] ?? NSNull(), text: text)) })
        default: return .null
        }
    }

    /// The objects of a rendered YAML file.
    static func objects(_ path: String) throws -> [JSONValue] {
        let loaded = try checked()
        let spec = try #require(loaded.spec)
        return try #require(Renderer(plan: Plan(spec: spec, ipPlan: loaded.ipPlan)).renderedFiles().first { $0.path == path }, "\(path)")
            .objects
    }

    /// Words that belong to AWS only: none may appear anywhere in a Google Cloud render.
    static let awsOnly = [
        "eks.amazonaws.com", "arn:aws", "amazonaws.com", "s3://", "route53", "VPC endpoint", "aws-load-balancer",
        "security-groups", "cloudfront", "CloudFront", "ecr-lifecycle", "velero.io/aws", "s3:GetObject", "STANDARD_IA",
        "asg:tag", "gp3", "ebs.csi",
    ]

    @Test("the example passes check with no error or warning")
    func exampleChecks() throws {
        let loaded = try Self.checked()
        #expect(Fixtures.lines(loaded).filter { $0.contains("error:") || $0.contains("warning:") } == [])
        #expect(loaded.spec?.provider.name == .gcp)
    }

    @Test("the whole render of the example holds no AWS-only annotation, ARN, URL or word")
    func noAWSStrings() throws {
        let artifacts = try Self.artifacts()
        #expect(artifacts.count > 50)
        var hits: [String] = []
        for a in artifacts {
            for word in Self.awsOnly where a.contents.contains(word) || a.path.contains(word) { hits.append("\(a.path): \(word)") }
        }
        #expect(hits == [])
        // The check is real: the same words are in the AWS example's render.
        let loaded = try Pipeline.check(path: Fixtures.example.path)
        let aws = Pipeline.render(try #require(loaded.spec), ipPlan: loaded.ipPlan).map(\.contents).joined()
        #expect(["eks.amazonaws.com", "arn:aws", "s3://", "route53", "aws-load-balancer"].allSatisfy { aws.contains($0) })
    }

    @Test("storage classes: pd-balanced default, pd-ssd, pd-standard, hyperdisk-balanced with IOPS; the PD CSI driver")
    func storageClasses() throws {
        let docs = try Self.objects("prod-ew1/_cluster.yaml")
        let classes = docs.filter { $0["kind"]?.stringValue == "StorageClass" }
        let types = Dictionary(
            uniqueKeysWithValues: classes.map { ($0.at("metadata.name")?.stringValue ?? "", $0.at("parameters.type")?.stringValue ?? "") })
        #expect(types == ["fast": "hyperdisk-balanced", "standard": "pd-balanced", "premium": "pd-ssd", "bulk": "pd-standard"])
        #expect(classes.allSatisfy { $0["provisioner"]?.stringValue == "pd.csi.storage.gke.io" })
        let standard = try #require(classes.first { $0.at("metadata.name")?.stringValue == "standard" })
        #expect(standard.at("metadata.annotations")?["storageclass.kubernetes.io/is-default-class"]?.stringValue == "true")
        #expect(
            standard.at("parameters")?["disk-encryption-kms-key"]?.stringValue
                == "projects/harbour-prod/locations/europe-west1/keyRings/harbour/cryptoKeys/platform")
        let snap = try #require(docs.first { $0["kind"]?.stringValue == "VolumeSnapshotClass" })
        #expect(snap["driver"]?.stringValue == "pd.csi.storage.gke.io")
        // GKE runs the cluster autoscaler and the audit policy itself: berth writes neither.
        #expect(!docs.contains { $0.at("metadata.name")?.stringValue == "berth-cluster-autoscaler" })
        #expect(try !Self.artifacts().contains { $0.path.hasPrefix("audit/") })
    }

    @Test("Workload Identity for every pod that calls a Google API: bucket users and database backups")
    func workloadIdentity() throws {
        let artifacts = try Self.artifacts()
        let search = try Self.objects("prod-ew1/harbour-production/search.yaml")
        let sa = try #require(search.first { $0["kind"]?.stringValue == "ServiceAccount" })
        #expect(
            sa.at("metadata.annotations")?["iam.gke.io/gcp-service-account"]?.stringValue
                == "search-production@harbour-prod.iam.gserviceaccount.com")
        let db = try Self.objects("prod-ew1/harbour-production/_database-ledger.yaml")
        let cluster = try #require(db.first { $0["kind"]?.stringValue == "Cluster" })
        #expect(
            cluster.at("spec.serviceAccountTemplate.metadata.annotations")?["iam.gke.io/gcp-service-account"]?.stringValue
                == "ledger-production-backup@harbour-prod.iam.gserviceaccount.com")
        #expect(cluster.at("spec.backup.barmanObjectStore.destinationPath")?.stringValue == "gs://harbour-production-backups/ledger")
    }

    @Test("service account ids are 6-30 characters, start with a letter and do not end with '-'")
    func accountIds() {
        #expect(Renderer.gcpAccountId("search-production") == "search-production")
        #expect(Renderer.gcpAccountId("api-dev") == "api-dev")
        #expect(Renderer.gcpAccountId("web") == "web-sa")
        #expect(Renderer.gcpAccountId("9lives-staging") == "sa-9lives-staging")
        let long = Renderer.gcpAccountId("reconciliation-worker-production-backup")
        #expect(long.count == 30 && long.hasPrefix("reconciliation-worker") && !long.hasSuffix("-"))
    }

    @Test("buckets: IAM per service account, read-only for ':read'; versioning, KMS key, uniform access, public access prevented")
    func buckets() throws {
        let artifacts = try Self.artifacts()
        let iam = try Self.json(artifacts, "buckets/production/documents.iam.json")
        #expect(
            iam == [
                "version": 1,
                "bindings": [
                    [
                        "role": "roles/storage.objectViewer",
                        "members": ["serviceAccount:search-production@harbour-prod.iam.gserviceaccount.com"],
                    ],
                    [
                        "role": "roles/storage.objectUser",
                        "members": [
                            "serviceAccount:bookings-production@harbour-prod.iam.gserviceaccount.com",
                            "serviceAccount:invoicing-production@harbour-prod.iam.gserviceaccount.com",
                            "serviceAccount:worker-production@harbour-prod.iam.gserviceaccount.com",
                        ],
                    ],
                ],
            ])
        let backups = try Self.json(artifacts, "buckets/production/backups.iam.json")
        #expect(
            backups.at("bindings")?.arrayValue?.first?["members"] == [
                "serviceAccount:ledger-production-backup@harbour-prod.iam.gserviceaccount.com",
                "serviceAccount:positions-production-backup@harbour-prod.iam.gserviceaccount.com",
            ])
        let settings = try Self.json(artifacts, "buckets/production/documents.settings.json")
        #expect(settings["name"] == "harbour-production-documents")
        #expect(settings["location"] == "EUROPE-WEST1")
        #expect(settings.at("versioning.enabled") == true)
        #expect(settings.at("iamConfiguration.uniformBucketLevelAccess.enabled") == true)
        #expect(settings.at("iamConfiguration.publicAccessPrevention") == "enforced")
        #expect(
            settings.at("encryption.defaultKmsKeyName")
                == "projects/harbour-prod/locations/europe-west1/keyRings/harbour/cryptoKeys/platform")
        // Each bucket has its own lifecycle file: one bucket's expiry never reaches another.
        let archive = try Self.json(artifacts, "buckets/production/archive.lifecycle.json")
        #expect(archive.at("rule")?.arrayValue?.contains { $0.at("condition.age") == 2555 } == true)
        let documents = try Self.json(artifacts, "buckets/production/documents.lifecycle.json")
        #expect(documents.at("rule")?.arrayValue?.contains { $0.at("condition.age") == 2555 } == false)
    }

    @Test("Secret Manager: ExternalSecret keys are valid secret ids ('/' becomes '_')")
    func secretIds() throws {
        let artifacts = try Self.artifacts()
        let portal = try Self.objects("prod-ew1/harbour-production/portal.yaml")
        let es = try #require(portal.first { $0["kind"]?.stringValue == "ExternalSecret" })
        #expect(es.at("spec.dataFrom")?.arrayValue?.first?.at("extract.key") == "harbour_production_portal_session-key")
        var keys: [String] = []
        let spec = try #require(try Self.checked().spec)
        for file in Renderer(plan: Plan(spec: spec)).renderedFiles() {
            for d in file.objects where d["kind"]?.stringValue == "ExternalSecret" {
                keys += (d.at("spec.data")?.arrayValue ?? []).compactMap { $0.at("remoteRef.key")?.stringValue }
                keys += (d.at("spec.dataFrom")?.arrayValue ?? []).compactMap { $0.at("extract.key")?.stringValue }
            }
        }
        #expect(keys.count > 10)
        #expect(keys.filter { !$0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" } || $0.count > 255 } == [])
    }

    @Test("registry: an Artifact Registry repository per image path, not a Harbor project")
    func registry() throws {
        let artifacts = try Self.artifacts()
        #expect(!artifacts.contains { $0.path == "registry/harbor.json" })
        let ar = try Self.json(artifacts, "registry/artifact-registry.json")
        let repo = try #require(ar.at("repositories")?.arrayValue?.first)
        #expect(repo["parent"] == "projects/harbour-prod/locations/europe")
        #expect(repo["repositoryId"] == "apps")
        #expect(repo.at("repository.format") == "DOCKER")
        #expect(repo.at("repository.dockerConfig.immutableTags") == true)
        #expect(repo.at("repository.cleanupPolicies")?["delete-untagged"]?.at("condition.olderThan") == "604800s")
        #expect(Renderer.artifactRegistryLocation("europe-docker.pkg.dev") == "europe")
        #expect(Renderer.artifactRegistryLocation("registry.harbour.example") == nil)
    }

    @Test("VPC firewall rules: the partner range to the EDI port on the nodes, SSH to the bastion, on the cluster's network")
    func firewalls() throws {
        let artifacts = try Self.artifacts()
        let rules = try #require(try Self.json(artifacts, "network/firewall/prod-ew1.firewalls.json").arrayValue)
        let edi = try #require(rules.first { $0["name"] == "harbour-prod-ew1-service-edi-partner-edi" })
        #expect(edi["network"] == "projects/harbour-prod/global/networks/harbour-prod-ew1")
        #expect(edi["sourceRanges"] == ["198.51.100.0/24"])
        #expect(edi["allowed"] == [["IPProtocol": "tcp", "ports": ["2575"]]])
        #expect(edi["targetTags"] == ["harbour-prod-ew1-nodes"])
        #expect(edi["direction"] == "INGRESS")
        let ssh = try #require(rules.first { $0["name"] == "harbour-prod-ew1-bastion-admin-ssh" })
        #expect(ssh["targetTags"] == ["harbour-prod-ew1-bastion"])
        // The partner Service: an internal passthrough load balancer limited to the partner range.
        let edisvc = try Self.objects("prod-ew1/harbour-production/edi.yaml")
        let lb = try #require(edisvc.first { $0.at("metadata.name")?.stringValue == "edi-partner" })
        #expect(lb.at("metadata.annotations")?["networking.gke.io/load-balancer-type"] == "Internal")
        #expect(lb.at("spec.loadBalancerSourceRanges") == ["198.51.100.0/24"])
    }

    @Test("Cloud CDN for the cached paths and Cloud Armor with the rate limit, per environment")
    func edge() throws {
        let artifacts = try Self.artifacts()
        let armor = try Self.json(artifacts, "network/waf/production.cloud-armor.json")
        #expect(armor["name"] == "harbour-production-edge")
        let throttle = try #require(armor["rules"]?.arrayValue?.first)
        #expect(throttle["action"] == "throttle")
        #expect(throttle.at("rateLimitOptions.rateLimitThreshold") == ["count": 3000, "intervalSec": 60])
        #expect(armor.at("adaptiveProtectionConfig.layer7DdosDefenseConfig.enable") == true)
        let cdn = try Self.json(artifacts, "network/cdn/production.cloud-cdn.json")
        let services = try #require(cdn["backendServices"]?.arrayValue)
        #expect(services.map { $0["enableCDN"] } == [true, false])
        #expect(services.allSatisfy { $0["securityPolicy"] == "projects/harbour-prod/global/securityPolicies/harbour-production-edge" })
        #expect(
            cdn.at("urlMap.pathMatchers")?.arrayValue?.first?["pathRules"] == [
                ["paths": ["/static/*", "/assets/*"], "service": "projects/harbour-prod/global/backendServices/harbour-production-cdn"]
            ])
        #expect(
            cdn.at("urlMap.hostRules")?.arrayValue?.first?["hosts"] == [
                "admin.harbour.example", "api.harbour.example", "www.harbour.example",
            ])
    }

    @Test("the Gateway takes the reserved external address by name, not a private address of the plan")
    func gatewayAddress() throws {
        let artifacts = try Self.artifacts()
        let ns = try Self.objects("prod-ew1/harbour-production/_namespace.yaml")
        let gw = try #require(ns.first { $0["kind"]?.stringValue == "Gateway" })
        #expect(gw.at("spec.addresses") == nil)
        #expect(
            gw.at("spec.infrastructure.annotations") == [
                "cloud.google.com/l4-rbs": "enabled", "networking.gke.io/load-balancer-ip-addresses": "harbour-ingress-ew1",
            ])
    }

    @Test("the document and the audit say 'VPC network' and Private Google Access, never 'VPC endpoint'")
    func wording() throws {
        let loaded = try Self.checked()
        let spec = try #require(loaded.spec)
        #expect(Provider.Name.gcp.networkNoun == "VPC network")
        #expect(Provider.Name.aws.networkNoun == "VPC")
        #expect(Provider.Name.gcp.privateStorageRoute.hasPrefix("Private Google Access"))
        let doc = HostingDoc(spec: spec, ipPlan: loaded.ipPlan).artifacts().first { $0.path == "hosting-and-network.md" }?.contents ?? ""
        #expect(doc.contains("VPC network"))
        #expect(!doc.contains("VPC endpoint"))
        #expect(!doc.contains("audit-policy.yaml"))
    }

    // MARK: checks

    static func gcpSpec(_ pairs: [(String, String)]) -> String {
        var text = Fixtures.text(URL(fileURLWithPath: path))
        for (old, new) in pairs {
            precondition(text.contains(old), "anchor not found: \(old)")
            text = text.replacingOccurrences(of: old, with: new)
        }
        return text
    }

    /// The example's `infrastructure`: without it a zone or region Google Cloud lacks is a
    /// warning (`provider-region`); with it the error `infra-zone` (InfraGCPTests).
    static let infrastructure = "infrastructure:\n  engine: crossplane\n"

    static func findings(_ pairs: [(String, String)], _ codes: Set<CheckCode>) -> [String] {
        let loaded = Fixtures.check(gcpSpec(pairs), file: "gcp.yaml")
        return loaded.diagnostics.filter { codes.contains($0.code) }.map { d in
            "\(d.location.map { "\($0): " } ?? "")\(d.severity.rawValue): \(d.message)"
        }
    }

    @Test("provider-region: an unknown region and a zone the region does not have, at the region's line")
    func regions() {
        #expect(
            Self.findings(
                [
                    ("    europe-west4:\n", "    europe-west5:\n"), ("europe-west4-a, europe-west4-b", "europe-west5-a"),
                    (Self.infrastructure, ""),
                ], [.providerRegion]
            )
            .first == "gcp.yaml:19:5: warning: unknown Google Cloud region 'europe-west5'; did you mean 'europe-west1'?")
        #expect(
            Self.findings(
                [("europe-west1-b, europe-west1-c, europe-west1-d", "europe-west1-a, europe-west1-b"), (Self.infrastructure, "")],
                [.providerRegion]) == [
                    "gcp.yaml:16:5: warning: zone 'europe-west1-a' is not a zone of Google Cloud region 'europe-west1' (europe-west1-b, europe-west1-c, europe-west1-d)"
                ])
    }

    @Test("provider-machine: a machine type outside Compute Engine's families, at the pool's line")
    func machines() {
        #expect(
            Self.findings(
                [
                    (
                        "general: { machine: n2-standard-4, cpu: 4, memory: 16Gi, min: 3",
                        "general: { machine: m6i.xlarge, cpu: 4, memory: 16Gi, min: 3"
                    )
                ], [.providerMachine]) == [
                    "gcp.yaml:61:7: warning: machine type 'm6i.xlarge' of node pool 'general' (cluster 'prod-ew1'): not a Compute Engine machine type (<family>-<type>-<vCPUs>, families a2, a3, c2, c2d, c3, c3d, c4, c4a, e2, g2, h3, m1, m2, m3, n1, n2, n2d, n4, t2a, t2d, z3)"
                ])
        #expect(PlatformChecks.gcpMachineProblem("n2-standard-4") == nil)
        #expect(PlatformChecks.gcpMachineProblem("e2-medium") == nil)
        #expect(PlatformChecks.gcpMachineProblem("n2-custom-6-24576") == nil)
        #expect(PlatformChecks.gcpMachineProblem("c3-standard-8-lssd") == nil)
        #expect(PlatformChecks.gcpMachineProblem("t2d-highmem-4") == "not a type of the t2d family (t2d-standard-<vCPUs>)")
        #expect(PlatformChecks.gcpMachineProblem("n2-standard-x") != nil)
    }

    @Test("provider-name-limit: bucket names Cloud Storage refuses, at the bucket's line")
    func bucketNames() {
        #expect(
            Self.findings(
                [
                    ("  archive:\n    versioning: false", "  google-archive:\n    versioning: false"),
                    ("bucket/archive]", "bucket/google-archive]"),
                ], [.providerNameLimit]) == [
                    "gcp.yaml:243:3: error: bucket 'google-archive' is created as 'harbour-development-google-archive': Cloud Storage bucket names may not start with 'goog' or contain 'google'",
                    "gcp.yaml:243:3: error: bucket 'google-archive' is created as 'harbour-production-google-archive': Cloud Storage bucket names may not start with 'goog' or contain 'google'",
                    "gcp.yaml:243:3: error: bucket 'google-archive' is created as 'harbour-staging-google-archive': Cloud Storage bucket names may not start with 'goog' or contain 'google'",
                ])
        #expect(PlatformChecks.gcsBucketNameProblem("harbour-production-documents") == nil)
        #expect(PlatformChecks.gcsBucketNameProblem("ab") != nil)
        #expect(PlatformChecks.gcsBucketNameProblem(String(repeating: "a", count: 64)) != nil)
        #expect(PlatformChecks.gcsBucketNameProblem("goog-x") != nil)
        #expect(Renderer.gcpSecretId("harbour/production/portal/session-key") == "harbour_production_portal_session-key")
    }
}
