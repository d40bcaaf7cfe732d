import Foundation
import Testing

@testable import BerthCore

/// The rendered objects work together once applied: whatever one object names (a storage
/// location, a secret store, an Argo CD destination, a DNS record, a certificate solver)
/// is rendered too, on the same cluster.
@Suite("Render as a whole")
struct WholeRenderTests {
    /// Two production clusters in two regions and a test cluster; a public service with a
    /// secret, a versioned bucket, volume snapshots, TLS, a secret store and Argo CD.
    static let twoRegions = """
        berth: 1
        platform: shop
        provider:
          name: aws
          account: "123456789012"
          regions:
            eu-west-1: { zones: [eu-west-1a, eu-west-1b] }
            us-east-1: { zones: [us-east-1a, us-east-1b] }
        network:
          dns: { zones: [shop.example] }
        clusters:
          eu:
            region: eu-west-1
            nodePools: { general: { machine: m6i.large, cpu: 2, memory: 8Gi, min: 2, max: 4 } }
          us:
            region: us-east-1
            nodePools: { general: { machine: m6i.large, cpu: 2, memory: 8Gi, min: 2, max: 4 } }
          test:
            region: eu-west-1
            nodePools: { general: { machine: m6i.large, cpu: 2, memory: 8Gi, min: 2, max: 4 } }
        environments:
          staging: { clusters: [test], domain: staging.shop.example }
          production: { clusters: [eu, us], domain: shop.example }
        services:
          web:
            image: registry.shop.example/web:1.0.0
            port: 8080
            public: { host: www }
            replicas: { min: 2, max: 4 }
            secrets: [token]
        buckets:
          archive: { versioning: false }
          backups: { versioning: true }
        storage:
          classes: { ssd: { kind: ssd, default: true } }
          snapshots: { schedule: "0 3 * * *", keep: 7 }
        delivery:
          gitops: { repo: "https://git.shop.example/deploy.git" }
        security:
          tls: { email: ops@shop.example }
          secrets: { store: vault }

        """

    static func spec(_ text: String) throws -> Spec {
        let loaded = Fixtures.check(text)
        let errors = Fixtures.lines(loaded).filter { $0.contains("error:") }
        #expect(errors.isEmpty, "\(errors)")
        return try #require(loaded.spec)
    }

    /// Azure regions and zones in place of the fixture's AWS ones (Azure checks them).
    static let azureRegions: [(String, String)] = [
        ("eu-west-1a, eu-west-1b", "\"1\", \"2\""), ("us-east-1a, us-east-1b", "\"1\", \"2\""), ("eu-west-1", "westeurope"),
        ("us-east-1", "eastus"),
    ]

    static func variant(_ pairs: [(String, String)]) -> String {
        var text = twoRegions
        for (old, new) in pairs {
            precondition(text.contains(old), "anchor not found: \(old)")
            text = text.replacingOccurrences(of: old, with: new)
        }
        return text
    }

    /// The plain-render files of a spec, by path.
    static func files(_ spec: Spec) -> [String: [JSONValue]] {
        Dictionary(Renderer(plan: Plan(spec: spec)).renderedFiles().map { ($0.path, $0.objects) }, uniquingKeysWith: { a, _ in a })
    }

    static func objects(_ files: [String: [JSONValue]], cluster: String, kind: String) -> [JSONValue] {
        files.filter { $0.key.hasPrefix("\(cluster)/") }.sorted { $0.key < $1.key }.flatMap(\.value)
            .filter { $0["kind"]?.stringValue == kind }
    }

    static func name(_ d: JSONValue) -> String { d.at("metadata.name")?.stringValue ?? "" }
    static func strings(_ v: JSONValue?) -> [String] { (v?.arrayValue ?? []).compactMap(\.stringValue) }

    static func acme() throws -> Spec {
        try #require(try Pipeline.check(path: Fixtures.example.path).spec)
    }

    static let examples = [
        "examples/acme/platform.yaml", "examples/onprem/platform.yaml", "examples/onprem-mesh/platform.yaml", "examples/gcp/platform.yaml",
        "examples/azure/platform.yaml",
    ]

    // MARK: 1. Velero

    @Test("every Velero Schedule names a BackupStorageLocation and VolumeSnapshotLocation rendered on its cluster")
    func veleroLocationsExist() throws {
        for path in Self.examples {
            let spec = try #require(try Pipeline.check(path: Fixtures.repoRoot.appendingPathComponent(path).path).spec)
            let files = Self.files(spec)
            for c in spec.clusters {
                let schedules = Self.objects(files, cluster: c.name, kind: "Schedule")
                let bsl = Set(Self.objects(files, cluster: c.name, kind: "BackupStorageLocation").map(Self.name))
                let vsl = Set(Self.objects(files, cluster: c.name, kind: "VolumeSnapshotLocation").map(Self.name))
                for s in schedules {
                    let location = try #require(s.at("spec.template.storageLocation")?.stringValue)
                    #expect(bsl.contains(location), "\(path) \(c.name): \(Self.name(s)) names missing location \(location)")
                    for v in Self.strings(s.at("spec.template.volumeSnapshotLocations")) {
                        #expect(vsl.contains(v), "\(path) \(c.name): \(Self.name(s)) names missing snapshot location \(v)")
                    }
                }
                if !schedules.isEmpty {
                    let classes = Self.objects(files, cluster: c.name, kind: "VolumeSnapshotClass")
                    #expect(!classes.isEmpty)
                    for vsc in classes {
                        #expect(
                            vsc.at("metadata.labels")?["velero.io/csi-volumesnapshot-class"]?.stringValue == "true", "\(path) \(c.name)")
                    }
                }
            }
        }
    }

    @Test("acme: one BackupStorageLocation per environment's backup bucket, prefix velero/<cluster>, the cluster's region")
    func veleroAcme() throws {
        let files = Self.files(try Self.acme())
        let eu = Self.objects(files, cluster: "prod-eu", kind: "BackupStorageLocation")
        #expect(eu.count == 1)
        #expect(eu.first?.at("metadata.namespace")?.stringValue == "velero")
        #expect(
            eu.first?["spec"] == [
                "provider": "velero.io/aws",
                "objectStorage": ["bucket": "acme-production-backups", "prefix": "velero/prod-eu"],
                "config": ["region": "eu-west-1"],
                "accessMode": "ReadWrite",
                "default": true,
            ])
        let us = Self.objects(files, cluster: "prod-us", kind: "VolumeSnapshotLocation")
        #expect(us.map(Self.name) == ["prod-us"])
        #expect(us.first?["spec"] == ["provider": "velero.io/aws", "config": ["region": "us-east-1"]])
        // nonprod holds two environments, each with its own (isolated) backup bucket
        let nonprod = Self.objects(files, cluster: "nonprod", kind: "BackupStorageLocation")
        #expect(nonprod.map(Self.name) == ["acme-development-backups", "acme-staging-backups"])
        #expect(nonprod.map { $0.at("spec.default") } == [true, false])
        let schedules = Self.objects(files, cluster: "nonprod", kind: "Schedule")
        #expect(
            schedules.map { $0.at("spec.template.storageLocation")?.stringValue ?? "" } == [
                "acme-development-backups", "acme-staging-backups",
            ])
        #expect(schedules.map { Self.strings($0.at("spec.template.volumeSnapshotLocations")) } == [["nonprod"], ["nonprod"]])
    }

    @Test("an SSD class provisions its IOPS and throughput in each provider's terms; a plain SSD class and an HDD class do not")
    func provisionedStorage() throws {
        let providers: [(String, [(String, String)])] = [
            ("aws", []),
            ("gcp", [("name: aws", "name: gcp")]),
            (
                "azure",
                [
                    ("name: aws", "name: azure\n  resourceGroup: shop-rg"),
                    ("zones: [shop.example] }", "zones: [shop.example], subscription: sub-1 }"),
                ]
            ),
        ]
        let classes = [
            ("fast", "{ kind: ssd, iops: 6000, throughput: 250, default: true }"),
            ("iopsOnly", "{ kind: ssd, iops: 6000, default: true }"),
            ("plain", "{ kind: ssd, default: true }"),
            ("hdd", "{ kind: hdd, iops: 6000, throughput: 250, default: true }"),
        ]
        var got: [String] = []
        for (provider, edits) in providers {
            for (name, spec) in classes {
                let text = Self.variant(edits + [("classes: { ssd: { kind: ssd, default: true } }", "classes: { ssd: \(spec) }")])
                let sc = try #require(Self.objects(Self.files(try Self.spec(text)), cluster: "eu", kind: "StorageClass").first)
                var parameters: [(String, JSONValue)] = []
                if case .object(let p)? = sc.at("parameters") { parameters = p }
                got.append("\(provider) \(name): " + parameters.map { "\($0.0)=\($0.1.stringValue ?? "?")" }.joined(separator: " "))
            }
        }
        #expect(
            got == [
                "aws fast: type=gp3 iops=6000 throughput=250 csi.storage.k8s.io/fstype=ext4 encrypted=true",
                "aws iopsOnly: type=gp3 iops=6000 csi.storage.k8s.io/fstype=ext4 encrypted=true",
                "aws plain: type=gp3 csi.storage.k8s.io/fstype=ext4 encrypted=true",
                "aws hdd: type=st1 csi.storage.k8s.io/fstype=ext4 encrypted=true",
                "gcp fast: type=hyperdisk-balanced provisioned-iops-on-create=6000 provisioned-throughput-on-create=250Mi csi.storage.k8s.io/fstype=ext4",
                "gcp iopsOnly: type=hyperdisk-balanced provisioned-iops-on-create=6000 csi.storage.k8s.io/fstype=ext4",
                "gcp plain: type=pd-ssd csi.storage.k8s.io/fstype=ext4",
                "gcp hdd: type=pd-standard csi.storage.k8s.io/fstype=ext4",
                "azure fast: skuName=PremiumV2_LRS DiskIOPSReadWrite=6000 DiskMBpsReadWrite=250 cachingMode=None",
                "azure iopsOnly: skuName=PremiumV2_LRS DiskIOPSReadWrite=6000 cachingMode=None",
                "azure plain: skuName=Premium_LRS",
                "azure hdd: skuName=Standard_LRS",
            ])
    }

    @Test("Velero per provider: plugin, config and (on-premises) a credential Secret named, never a value")
    func veleroProviders() throws {
        let gcp = Self.files(try Self.spec(Self.variant([("name: aws", "name: gcp")])))
        let gcpBSL = try #require(Self.objects(gcp, cluster: "eu", kind: "BackupStorageLocation").first)
        #expect(
            gcpBSL["spec"] == [
                "provider": "velero.io/gcp",
                "objectStorage": ["bucket": "shop-production-backups", "prefix": "velero/eu"],
                "accessMode": "ReadWrite", "default": true,
            ])
        #expect(
            Self.objects(gcp, cluster: "us", kind: "VolumeSnapshotLocation").first?["spec"]
                == ["provider": "velero.io/gcp", "config": ["snapshotLocation": "us-east-1"]])

        let azure = Self.files(
            try Self.spec(
                Self.variant(
                    [
                        ("name: aws", "name: azure\n  resourceGroup: shop-rg")
                    ] + Self.azureRegions + [
                        ("zones: [shop.example] }", "zones: [shop.example], subscription: sub-1 }")
                    ])))
        #expect(
            Self.objects(azure, cluster: "eu", kind: "BackupStorageLocation").first?.at("spec.config") == [
                "resourceGroup": "shop-rg", "storageAccount": "shopproduction", "useAAD": "true",
            ])
        #expect(Self.objects(azure, cluster: "eu", kind: "BackupStorageLocation").first?.at("spec.provider") == "velero.io/azure")

        let onprem = Self.files(
            try Self.spec(
                Self.variant([
                    ("name: aws", "name: onprem\n  hardware: { nodes: 6, cpu: 32, memory: 256Gi, disk: 2Ti }"),
                    ("    secrets: [token]\n", ""), ("zones: [shop.example] }", "zones: [shop.example], server: \"ns1.shop.example:53\" }"),
                ])))
        let bsl = try #require(Self.objects(onprem, cluster: "eu", kind: "BackupStorageLocation").first)
        #expect(
            bsl["spec"] == [
                "provider": "velero.io/aws",
                "objectStorage": ["bucket": "shop-production-backups", "prefix": "velero/eu"],
                "config": ["region": "eu-west-1", "s3ForcePathStyle": "true", "s3Url": "http://minio.minio.svc.cluster.local:9000"],
                "credential": ["name": "velero-credentials", "key": "cloud"],
                "accessMode": "ReadWrite", "default": true,
            ])
        // CSI snapshots only on-premises: no VolumeSnapshotLocation, and Schedules name none
        #expect(Self.objects(onprem, cluster: "eu", kind: "VolumeSnapshotLocation").isEmpty)
        #expect(Self.objects(onprem, cluster: "eu", kind: "Schedule").first?.at("spec.template.volumeSnapshotLocations") == nil)
        // the credential Secret comes from the store through an ExternalSecret in velero
        let es = Self.objects(onprem, cluster: "eu", kind: "ExternalSecret").filter { Self.name($0) == "velero-credentials" }
        #expect(es.count == 1)
        #expect(es.first?.at("metadata.namespace") == "velero")
        #expect(es.first?.at("spec.secretStoreRef") == ["kind": "ClusterSecretStore", "name": "vault"])
    }

    @Test("Velero's bucket: the database backup bucket, else the first versioned bucket, else a check error")
    func veleroBucketChoice() throws {
        #expect(Renderer.veleroBucket(try Self.spec(Self.twoRegions)) == "backups")
        let withDatabase = try Self.spec(
            Self.variant([
                (
                    "buckets:\n",
                    """
                    databases:
                      main:
                        storage: { size: 10Gi }
                        instances: 2
                        backup: { schedule: "0 2 * * *", retention: 30d, bucket: archive }
                    buckets:

                    """
                ), ("archive: { versioning: false }", "archive: { versioning: false, lifecycle: [ { after: 90d, transition: archive } ] }"),
            ]))
        #expect(Renderer.veleroBucket(withDatabase) == "archive")
        #expect(PlatformChecks.veleroBucket(withDatabase).isEmpty)
        let none = try #require(Fixtures.check(Self.variant([("  backups: { versioning: true }\n", "")])).spec)
        #expect(Renderer.veleroBucket(none) == nil)
        #expect(
            ChecksTests.messages(PlatformChecks.veleroBucket(none)) == [
                "error: storage.snapshots schedules Velero backups, but no bucket can hold them; set databases.<name>.backup.bucket or add a bucket with versioning: true"
            ])
    }

    // MARK: 2. ClusterSecretStore

    @Test("every ExternalSecret names a ClusterSecretStore rendered on its cluster")
    func secretStoreExists() throws {
        for path in Self.examples {
            let spec = try #require(try Pipeline.check(path: Fixtures.repoRoot.appendingPathComponent(path).path).spec)
            let files = Self.files(spec)
            for c in spec.clusters {
                let stores = Self.objects(files, cluster: c.name, kind: "ClusterSecretStore")
                #expect(stores.allSatisfy { $0.at("metadata.namespace") == nil })
                let names = Set(stores.map(Self.name))
                for es in Self.objects(files, cluster: c.name, kind: "ExternalSecret") {
                    #expect(es.at("spec.secretStoreRef.kind") == "ClusterSecretStore")
                    let store = es.at("spec.secretStoreRef.name")?.stringValue ?? ""
                    #expect(names.contains(store), "\(path) \(c.name): \(Self.name(es)) names missing store \(store)")
                }
            }
        }
    }

    @Test("the ClusterSecretStore's provider block for each store kind")
    func secretStoreProviders() throws {
        let account: JSONValue = ["name": "external-secrets", "namespace": "external-secrets"]
        func store(_ secrets: String, _ extra: [(String, String)] = []) throws -> JSONValue? {
            let files = Self.files(try Self.spec(Self.variant([("secrets: { store: vault }", secrets)] + extra)))
            let stores = Self.objects(files, cluster: "us", kind: "ClusterSecretStore")
            #expect(stores.count == 1)
            return stores.first
        }
        let vault = try store("secrets: { store: vault }")
        #expect(vault.map(Self.name) == "vault")
        #expect(
            vault?["spec"] == [
                "provider": [
                    "vault": [
                        "server": "https://vault.vault.svc:8200", "path": "secret", "version": "v2",
                        "auth": ["kubernetes": ["mountPath": "kubernetes-us", "role": "external-secrets", "serviceAccountRef": account]],
                    ]
                ]
            ])
        let vaultSet = try store("secrets: { store: vault, address: \"https://vault.shop.example\", role: shop-eso }")
        #expect(vaultSet?.at("spec.provider.vault.server") == "https://vault.shop.example")
        #expect(vaultSet?.at("spec.provider.vault.auth.kubernetes.role") == "shop-eso")

        let aws = try store("secrets: { store: aws-secrets-manager }")
        #expect(aws.map(Self.name) == "aws-secrets-manager")
        #expect(
            aws?["spec"] == [
                "provider": [
                    "aws": [
                        "service": "SecretsManager", "region": "us-east-1", "auth": ["jwt": ["serviceAccountRef": account]],
                    ]
                ]
            ])

        let gcp = try store("secrets: { store: gcp-secret-manager }", [("name: aws", "name: gcp"), ("\"123456789012\"", "shop-prod")])
        #expect(
            gcp?["spec"] == [
                "provider": [
                    "gcpsm": [
                        "projectID": "shop-prod",
                        "auth": ["workloadIdentity": ["clusterLocation": "us-east-1", "clusterName": "us", "serviceAccountRef": account]],
                    ]
                ]
            ])

        let azure = try store(
            "secrets: { store: azure-key-vault }",
            [
                ("name: aws", "name: azure"), ("zones: [shop.example] }", "zones: [shop.example], subscription: sub-1 }"),
            ] + Self.azureRegions + [])
        #expect(
            azure?["spec"] == [
                "provider": [
                    "azurekv": [
                        "vaultUrl": "https://shop.vault.azure.net", "authType": "WorkloadIdentity", "serviceAccountRef": account,
                    ]
                ]
            ])
    }

    // MARK: 3. Argo CD

    /// The plain-render objects an Argo CD application syncs: its overlay builds exactly the
    /// target's folder, the cluster application exactly `_cluster.yaml` (compare_kustomize.py
    /// checks both against the real kustomize).
    static func synced(_ units: [Renderer.Unit], path: String, cluster: String, namespace: String) -> [JSONValue] {
        if path.contains("kustomize/clusters/") {
            return units.filter { $0.path == "\(cluster)/_cluster.yaml" }.flatMap(\.docs)
        }
        return units.filter { $0.path.hasPrefix("\(cluster)/\(namespace)/") }.flatMap(\.docs)
    }

    /// Kubernetes kinds that are cluster-scoped, as the API servers and CRDs define them
    /// (independent of berth's own list).
    static let clusterScoped: Set<String> = [
        "Namespace", "ClusterRole", "ClusterRoleBinding", "StorageClass", "VolumeSnapshotClass", "ClusterIssuer",
        "ClusterSecretStore", "ClusterExternalSecret", "PriorityClass", "CustomResourceDefinition", "GatewayClass", "Bundle",
    ]

    @Test("every object each Application syncs lands in an allowed destination and has a whitelisted kind")
    func argoProjectCoversApplications() throws {
        var specs: [(String, Spec)] = []
        for path in Self.examples {
            specs.append((path, try #require(try Pipeline.check(path: Fixtures.repoRoot.appendingPathComponent(path).path).spec)))
        }
        specs.append(("two regions", try Self.spec(Self.twoRegions)))
        specs.append(
            (
                "cluster admin",
                try Self.spec(Self.variant([("security:\n", "security:\n  teams: { ops: { role: admin, clusterAdmin: true } }\n")]))
            ))
        var checked = 0
        for (name, spec) in specs {
            let renderer = Renderer(plan: Plan(spec: spec))
            let units = renderer.renderUnits()
            guard spec.delivery.gitops != nil else { continue }
            let (project, sets) = try #require(renderer.argoCDObjects(units), "\(name)")
            let destinations = Set(
                (project.at("spec.destinations")?.arrayValue ?? []).map {
                    [$0["name"]?.stringValue ?? "", $0["namespace"]?.stringValue ?? ""]
                })
            func kinds(_ key: String) -> Set<[String]> {
                Set((project.at(key)?.arrayValue ?? []).map { [$0["group"]?.stringValue ?? "", $0["kind"]?.stringValue ?? ""] })
            }
            let clusterKinds = kinds("spec.clusterResourceWhitelist")
            let namespacedKinds = kinds("spec.namespaceResourceWhitelist")
            var usedDestinations: Set<[String]> = []
            var usedKinds: Set<[String]> = []
            for set in sets {
                #expect(set["kind"] == "ApplicationSet")
                #expect(set.at("spec.template.spec.project")?.stringValue == spec.platform)
                let root = spec.delivery.gitops?.path ?? ""
                for element in set.at("spec.generators")?.arrayValue?.first?.at("list.elements")?.arrayValue ?? [] {
                    let cluster = element["cluster"]?.stringValue ?? ""
                    let namespace = element["namespace"]?.stringValue ?? ""
                    let path = element["path"]?.stringValue ?? ""
                    #expect(path.hasPrefix(root + "/kustomize/"), "\(name): \(path)")
                    #expect(destinations.contains([cluster, namespace]), "\(name): application destination \(cluster)/\(namespace)")
                    usedDestinations.insert([cluster, namespace])
                    let objects = Self.synced(units, path: path, cluster: cluster, namespace: namespace)
                    #expect(!objects.isEmpty, "\(name): \(path) syncs nothing")
                    for d in objects {
                        let api = d["apiVersion"]?.stringValue ?? ""
                        let group = api.contains("/") ? String(api.split(separator: "/")[0]) : ""
                        let kind = d["kind"]?.stringValue ?? ""
                        usedKinds.insert([group, kind])
                        checked += 1
                        if Self.clusterScoped.contains(kind) {
                            #expect(d.at("metadata.namespace") == nil, "\(name): \(kind) \(Self.name(d)) is cluster-scoped")
                            #expect(clusterKinds.contains([group, kind]), "\(name): \(group)/\(kind) not in clusterResourceWhitelist")
                            #expect(Renderer.clusterScopedKinds.contains(kind), "\(name): \(kind) missing from clusterScopedKinds")
                        } else {
                            let ns = d.at("metadata.namespace")?.stringValue ?? namespace
                            #expect(
                                destinations.contains([cluster, ns]),
                                "\(name): \(kind) \(Self.name(d)) in \(cluster)/\(ns) is no destination")
                            usedDestinations.insert([cluster, ns])
                            #expect(namespacedKinds.contains([group, kind]), "\(name): \(group)/\(kind) not in namespaceResourceWhitelist")
                            #expect(!Renderer.clusterScopedKinds.contains(kind), "\(name): \(kind) wrongly in clusterScopedKinds")
                        }
                    }
                }
            }
            // exactly: nothing allowed that no application syncs
            #expect(usedDestinations == destinations, "\(name): unused destinations \(destinations.subtracting(usedDestinations))")
            #expect(usedKinds == clusterKinds.union(namespacedKinds), "\(name)")
        }
        #expect(checked > 400)
    }

    // MARK: 4. external-dns

    @Test("external-dns reads hosts from the HTTPRoutes: no annotations on the Gateway, TTL and latency routing on the routes")
    func externalDNSOnRoutes() throws {
        let spec = try Self.acme()
        let files = Self.files(spec)
        for c in spec.clusters {
            for gw in Self.objects(files, cluster: c.name, kind: "Gateway") {
                let annotations = gw.at("metadata.annotations")?.objectKeys ?? []
                #expect(!annotations.contains { $0.hasPrefix("external-dns.") }, "\(c.name): \(annotations)")
            }
            let routes = Self.objects(files, cluster: c.name, kind: "HTTPRoute")
            #expect(!routes.isEmpty)
            for r in routes {
                let a = r.at("metadata.annotations")
                #expect(a?["external-dns.alpha.kubernetes.io/ttl"] == "300", "\(c.name) \(Self.name(r))")
                #expect(a?["external-dns.alpha.kubernetes.io/hostname"] == nil)
                // Latency routing only for hosts served by more than one cluster: not nonprod's,
                // not the team server's (prod-eu alone).
                let hosts = r.at("spec.hostnames")?.arrayValue ?? []
                let shared = hosts.contains { h in
                    spec.clusters.filter { o in
                        Self.objects(files, cluster: o.name, kind: "HTTPRoute").contains {
                            $0.at("spec.hostnames")?.arrayValue?.contains(h) == true
                        }
                    }.count > 1
                }
                if Self.name(r) == "berth-ipam" { #expect(!shared) }
                if c.name == "nonprod" || !shared {
                    #expect(a?["external-dns.alpha.kubernetes.io/set-identifier"] == nil)
                    #expect(a?["external-dns.alpha.kubernetes.io/aws-region"] == nil)
                } else {
                    #expect(a?["external-dns.alpha.kubernetes.io/set-identifier"]?.stringValue == c.name)
                    #expect(a?["external-dns.alpha.kubernetes.io/aws-region"]?.stringValue == c.region.value)
                }
            }
        }
    }

    @Test("Ingress keeps its hostname annotation and gets the same routing annotations")
    func externalDNSOnIngress() throws {
        let files = Self.files(
            try Self.spec(
                Self.variant([("  dns: { zones: [shop.example] }\n", "  dns: { zones: [shop.example] }\n  ingress: { api: ingress }\n")])))
        let eu = try #require(Self.objects(files, cluster: "eu", kind: "Ingress").first)
        let keys = eu.at("metadata.annotations")?.objectKeys ?? []
        #expect(
            Array(keys.prefix(4)) == [
                "external-dns.alpha.kubernetes.io/hostname", "external-dns.alpha.kubernetes.io/ttl",
                "external-dns.alpha.kubernetes.io/set-identifier", "external-dns.alpha.kubernetes.io/aws-region",
            ])
        #expect(eu.at("metadata.annotations")?["external-dns.alpha.kubernetes.io/hostname"] == "www.shop.example")
        #expect(eu.at("metadata.annotations")?["external-dns.alpha.kubernetes.io/set-identifier"] == "eu")
        #expect(eu.at("metadata.annotations")?["external-dns.alpha.kubernetes.io/aws-region"] == "eu-west-1")
        let test = try #require(Self.objects(files, cluster: "test", kind: "Ingress").first)
        #expect(test.at("metadata.annotations")?["external-dns.alpha.kubernetes.io/set-identifier"] == nil)
    }

    @Test("a host on two clusters with a DNS provider without per-cluster routing is a check warning")
    func multiClusterDNSWarning() throws {
        #expect(PlatformChecks.sharedHosts(try Self.spec(Self.twoRegions)).isEmpty)
        let cloudflare = try Self.spec(
            Self.variant([("dns: { zones: [shop.example] }", "dns: { zones: [shop.example], provider: cloudflare }")]))
        #expect(
            ChecksTests.messages(PlatformChecks.sharedHosts(cloudflare)) == [
                "warning: host www.shop.example is served by clusters eu, us, but external-dns has no per-cluster routing for the cloudflare DNS provider, so the clusters' records would conflict; use route53 (latency-based records) or serve the host from one cluster"
            ])
        // no routing annotations for providers that cannot use them
        let files = Self.files(cloudflare)
        let route = try #require(Self.objects(files, cluster: "eu", kind: "HTTPRoute").first { Self.name($0) == "web" })
        #expect(route.at("metadata.annotations") == ["external-dns.alpha.kubernetes.io/ttl": "300", "argocd.argoproj.io/sync-wave": "1"])
    }

    // MARK: 5. DNS-01 for hosts on two clusters

    @Test("acme: the production ClusterIssuers solve the shared hosts through Route 53, the rest through HTTP-01")
    func dns01Acme() throws {
        let files = Self.files(try Self.acme())
        for (cluster, region) in [("prod-eu", "eu-west-1"), ("prod-us", "us-east-1")] {
            let issuer = try #require(Self.objects(files, cluster: cluster, kind: "ClusterIssuer").first)
            let solvers = issuer.at("spec.acme.solvers")?.arrayValue ?? []
            #expect(solvers.count == 2)
            #expect(
                solvers.first == [
                    "dns01": ["route53": ["region": .string(region)]],
                    "selector": ["dnsNames": ["admin.acme.example", "api.acme.example", "www.acme.example"]],
                ])
            #expect(solvers.last?.at("http01.gatewayHTTPRoute") != nil)
            #expect(solvers.last?["selector"] == nil)
        }
        let nonprod = try #require(Self.objects(files, cluster: "nonprod", kind: "ClusterIssuer").first)
        #expect(nonprod.at("spec.acme.solvers")?.arrayValue?.count == 1)
        #expect(nonprod.at("spec.acme.solvers")?.arrayValue?.first?["dns01"] == nil)
    }

    @Test("the DNS-01 solver per DNS provider, and check errors where the spec lacks what it needs")
    func dns01Providers() throws {
        func solver(_ pairs: [(String, String)]) throws -> JSONValue? {
            let files = Self.files(try Self.spec(Self.variant(pairs)))
            return Self.objects(files, cluster: "us", kind: "ClusterIssuer").first?.at("spec.acme.solvers")?.arrayValue?.first
        }
        let selector: JSONValue = ["dnsNames": ["www.shop.example"]]
        #expect(
            try solver([("name: aws", "name: gcp"), ("\"123456789012\"", "shop-prod")])
                == ["dns01": ["cloudDNS": ["project": "shop-prod"]], "selector": selector])
        #expect(
            try solver([("name: aws", "name: gcp"), ("zones: [shop.example] }", "zones: [shop.example], project: dns-prod }")])?.at(
                "dns01.cloudDNS.project") == "dns-prod")
        #expect(
            try solver(
                [
                    ("name: aws", "name: azure\n  resourceGroup: shop-rg")
                ] + Self.azureRegions + [
                    ("zones: [shop.example] }", "zones: [shop.example], subscription: sub-1 }")
                ])
                == [
                    "dns01": [
                        "azureDNS": [
                            "subscriptionID": "sub-1", "resourceGroupName": "shop-rg", "environment": "AzurePublicCloud",
                            "managedIdentity": ["clientID": "123456789012"],
                        ]
                    ], "selector": selector,
                ])
        #expect(
            try solver([("zones: [shop.example] }", "zones: [shop.example], provider: cloudflare }")])?["dns01"]
                == ["cloudflare": ["apiTokenSecretRef": ["name": "cloudflare-api-token", "key": "api-token"]]])
        #expect(
            try solver([("zones: [shop.example] }", "zones: [shop.example], provider: rfc2136, server: \"ns1.shop.example:53\" }")])?[
                "dns01"]
                == [
                    "rfc2136": [
                        "nameserver": "ns1.shop.example:53", "tsigKeyName": "shop-cert-manager", "tsigAlgorithm": "HMACSHA256",
                        "tsigSecretSecretRef": ["name": "rfc2136-tsig", "key": "secret"],
                    ]
                ])

        func errors(_ pairs: [(String, String)]) throws -> [String] {
            let spec = try #require(Fixtures.check(Self.variant(pairs)).spec)
            return ChecksTests.messages(PlatformChecks.sharedHosts(spec)).filter { $0.hasPrefix("error:") }
        }
        #expect(
            try errors([("zones: [shop.example] }", "zones: [shop.example], provider: pdns }")]) == [
                "error: host www.shop.example is served by more than one cluster and needs DNS-01 certificate challenges, but cert-manager has no built-in DNS-01 solver for pdns; use another DNS provider or serve each host from one cluster"
            ])
        #expect(
            try errors([("name: aws", "name: azure")]) == [
                "error: host www.shop.example is served by more than one cluster and needs DNS-01 certificate challenges; set network.dns.subscription to the Azure subscription id of the DNS zones"
            ])
        #expect(
            try errors([("zones: [shop.example] }", "zones: [shop.example], provider: rfc2136 }")]) == [
                "error: host www.shop.example is served by more than one cluster and needs DNS-01 certificate challenges; set network.dns.server to the name server (host:port) that accepts TSIG-signed updates"
            ])
        #expect(
            try errors([("name: aws", "name: gcp"), ("  account: \"123456789012\"\n", "")]) == [
                "error: host www.shop.example is served by more than one cluster and needs DNS-01 certificate challenges; set network.dns.project (or provider.account) to the GCP project of the Cloud DNS zones"
            ])
        // self-signed certificates need no challenge
        #expect(
            try errors([
                ("name: aws", "name: azure"), ("tls: { email: ops@shop.example }", "tls: { email: ops@shop.example, issuer: selfsigned }"),
            ]).isEmpty)
    }

    @Test("node pool names within each provider's limit, at the pool's line")
    func nodePoolNamesPerProvider() throws {
        func found(_ pairs: [(String, String)]) throws -> [String] {
            let loaded = Fixtures.check(Self.variant(pairs))
            let spec = try #require(loaded.spec)
            return PlatformChecks.names(spec).filter { $0.code == .providerNameLimit }.map { "\($0.location?.line ?? 0): \($0.message)" }
        }
        let longName = [("nodePools: { general:", "nodePools: { general-purpose-amd64:")]
        #expect(try found(longName).isEmpty)  // aws: fine
        #expect(
            try found(longName + [("name: aws", "name: azure")]) == [
                "14: node pool 'general-purpose-amd64' of cluster 'eu': AKS agent pool names are 1-12 lower-case letters and digits, starting with a letter",
                "17: node pool 'general-purpose-amd64' of cluster 'us': AKS agent pool names are 1-12 lower-case letters and digits, starting with a letter",
                "20: node pool 'general-purpose-amd64' of cluster 'test': AKS agent pool names are 1-12 lower-case letters and digits, starting with a letter",
            ])
        #expect(try found(longName + [("name: aws", "name: gcp")]).isEmpty)  // 21 characters: within GKE's 40
        #expect(try found([("name: aws", "name: azure")]).isEmpty)  // general: a valid agent pool name
        #expect(PlatformChecks.nodePoolNameLimit("pool1", .azure) == nil)
        #expect(PlatformChecks.nodePoolNameLimit("1pool", .azure) != nil)
        #expect(PlatformChecks.nodePoolNameLimit("abcdefghijkl", .azure) == nil)
        #expect(PlatformChecks.nodePoolNameLimit("abcdefghijklm", .azure) != nil)
        #expect(PlatformChecks.nodePoolNameLimit(String(repeating: "a", count: 40), .gcp) == nil)
        #expect(PlatformChecks.nodePoolNameLimit(String(repeating: "a", count: 41), .gcp) != nil)
        #expect(PlatformChecks.nodePoolNameLimit("gpu-", .gcp) != nil)
        #expect(PlatformChecks.nodePoolNameLimit("Gpu_Nodes", .aws) == nil)
        #expect(PlatformChecks.nodePoolNameLimit("_gpu", .aws) != nil)
        #expect(PlatformChecks.nodePoolNameLimit("anything-at-all", .onprem) == nil)
    }
}

extension JSONValue {
    /// The keys of an object, in order.
    var objectKeys: [String]? {
        if case .object(let pairs) = self { return pairs.map(\.0) }
        return nil
    }

}
