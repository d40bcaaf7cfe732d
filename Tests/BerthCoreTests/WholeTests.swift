import BerthCore
import BerthNet
import Foundation
import Testing

/// The rendered platform works as a whole: regions, keys, databases across clusters, the
/// gateway's data plane, the mesh control plane, and the reference check.
@Suite("Works as a whole")
struct WholeTests {
    static let twin = Fixtures.repoRoot.appendingPathComponent("examples/twin/platform.yaml")
    static var acmeText: String { Fixtures.text(Fixtures.example) }
    static var twinText: String { Fixtures.text(twin) }

    static func objects(_ text: String, file: String = "platform.yaml") throws -> [String: [[String: Any]]] {
        let loaded = Fixtures.check(text, file: file)
        let spec = try #require(loaded.spec, "\(Fixtures.lines(loaded))")
        #expect(!loaded.diagnostics.hasErrors, "\(Fixtures.lines(loaded).filter { $0.contains("error") })")
        var out: [String: [[String: Any]]] = [:]
        for f in Renderer(plan: Plan(spec: spec, ipPlan: loaded.ipPlan), ipPlan: loaded.ipPlan).renderedFiles() {
            out[f.path] = f.objects.compactMap { try? JSONSerialization.jsonObject(with: Data($0.serialized().utf8)) as? [String: Any] }
        }
        return out
    }

    /// `Pipeline.check` resolves the plan once, with the address plan in it, and the audit reads
    /// the objects render writes: with the cross-cluster database path's ipBlocks (planned
    /// addresses), which a plan without the address plan leaves out.
    @Test func oneResolvedPlanForEveryStage() throws {
        let loaded = Fixtures.check(Self.twinText, file: "platform.yaml")
        let checked = try #require(loaded.checked, "\(Fixtures.lines(loaded))")
        #expect(checked.ipPlan != nil)
        #expect(checked.plan.ipPlan?.json() == loaded.ipPlan?.json())
        func ipBlocks(_ files: [RenderedFile]) -> Int {
            files.flatMap(\.objects).filter { $0["kind"]?.stringValue == "NetworkPolicy" }.map { $0.serialized() }
                .reduce(0) { $0 + $1.components(separatedBy: "\"ipBlock\"").count - 1 }
        }
        let rendered = Renderer(plan: checked.plan, ipPlan: checked.ipPlan).renderedFiles()
        let withoutAddresses = Renderer(plan: Plan(spec: checked.spec)).renderedFiles()
        #expect(ipBlocks(rendered) > ipBlocks(withoutAddresses))
        let docs = HostingDoc(checked)
        #expect(docs.plan.ipPlan != nil)
        // The audit of the checked spec sees the rendered policies (BERTH-NET rules pass on them).
        #expect(Audit.run(checked).map(\.rule) == Audit.run(checked.spec, plan: checked.plan, files: rendered).map(\.rule))
    }

    static func find(_ files: [String: [[String: Any]]], _ path: String, _ kind: String, _ name: String) -> [String: Any]? {
        files[path]?.first { $0["kind"] as? String == kind && ($0["metadata"] as? [String: Any])?["name"] as? String == name }
    }

    static func env(_ workload: [String: Any]?, _ name: String) -> String? {
        let spec = workload?["spec"] as? [String: Any]
        let pod = (spec?["template"] as? [String: Any])?["spec"] as? [String: Any]
        let c = (pod?["containers"] as? [[String: Any]])?.first
        return (c?["env"] as? [[String: Any]])?.first { $0["name"] as? String == name }?["value"] as? String
    }

    /// Compact JSON with sorted keys and unescaped slashes, for substring checks.
    static func json(_ o: Any) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: o, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    static func errors(_ text: String) -> [String] {
        Fixtures.lines(Fixtures.check(text, file: "platform.yaml")).filter { $0.contains(": error: ") }
    }

    @Test("the second region reaches the primary over the cross-cluster path, not a pooler it lacks")
    func crossCluster() throws {
        let files = try Self.objects(Self.acmeText)
        let api = Self.find(files, "prod-us/acme-production/api.yaml", "Deployment", "api")
        #expect(Self.env(api, "DATABASE_MAIN_HOST") == "main-remote")
        #expect(Self.find(files, "prod-us/acme-production/_database-main.yaml", "Pooler", "main-pooler-rw") == nil)
        #expect(Self.find(files, "prod-us/acme-production/_database-main.yaml", "Cluster", "main") == nil)
        let slice = try #require(Self.find(files, "prod-us/acme-production/_database-main.yaml", "EndpointSlice", "main-remote-1"))
        let addresses = (slice["endpoints"] as? [[String: Any]] ?? []).flatMap { $0["addresses"] as? [String] ?? [] }
        let lb = try #require(Self.find(files, "prod-eu/acme-production/_database-main.yaml", "Service", "main-cross-cluster"))
        let annotations = (lb["metadata"] as? [String: Any])?["annotations"] as? [String: String] ?? [:]
        #expect(annotations["service.beta.kubernetes.io/aws-load-balancer-private-ipv4-addresses"] == addresses.joined(separator: ", "))
        #expect(annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"] == "internal")
        #expect(addresses.count == 3)
        let loaded = Fixtures.check(Self.acmeText)
        for a in addresses {
            #expect(
                loaded.ipPlan?.entries.contains {
                    $0.prefix.description == "\(a)/32" && $0.cluster == "prod-eu" && $0.key.hasPrefix("database/main/production/")
                } == true)
        }
        let ranges = (lb["spec"] as? [String: Any])?["loadBalancerSourceRanges"] as? [String]
        #expect(
            ranges
                == [loaded.ipPlan?.entry("prod-us/vpc")?.prefix.description, loaded.ipPlan?.entry("prod-us/pods")?.prefix.description]
                .compactMap { $0 })
    }

    @Test("a replica outside the declared residency is refused; without a residency audit reports the copy")
    func residency() throws {
        let replicas = Self.acmeText.replacingOccurrences(
            of: "replicas: none, remoteClients: primary", with: "replicas: read, remoteClients: primary")
        #expect(
            Self.errors(replicas) == [
                "platform.yaml:200:15: error: database 'main' keeps a replica on cluster 'prod-us' in region 'us-east-1', outside provider.dataResidency (eu-west-1); set topology.replicas: none or move the cluster"
            ])
        let undeclared = replicas.replacingOccurrences(of: "  dataResidency: [eu-west-1]\n", with: "")
        let spec = try #require(Fixtures.check(undeclared, file: "platform.yaml").spec)
        let findings = Audit.run(spec).filter { $0.rule == "BERTH-DATA-001" }
        #expect(
            findings.map { "\($0.severity) \($0.message) \($0.compliance)" } == [
                "high database 'main' keeps copies in regions eu-west-1, us-east-1 and provider.dataResidency is not set [\"gdpr\"]"
            ])
    }

    @Test("keys are regional: each cluster's storage classes name its region's key; a missing or foreign key is an error")
    func keys() throws {
        let files = try Self.objects(Self.acmeText)
        for (cluster, region) in [("prod-eu", "eu-west-1"), ("prod-us", "us-east-1"), ("nonprod", "eu-west-1")] {
            let classes = files["\(cluster)/_cluster.yaml"]?.filter { $0["kind"] as? String == "StorageClass" } ?? []
            #expect(!classes.isEmpty)
            for c in classes {
                #expect((c["parameters"] as? [String: String])?["kmsKeyId"] == "arn:aws:kms:\(region):111122223333:alias/acme-platform")
            }
        }
        let missing = Self.acmeText.replacingOccurrences(
            of: "      kmsKey: arn:aws:kms:us-east-1:111122223333:alias/acme-platform\n", with: "")
        #expect(
            Self.errors(missing) == [
                "platform.yaml:15:5: error: security.encryption.atRest is kms, but region 'us-east-1' has clusters and no key; set provider.regions.us-east-1.kmsKey (keys are regional: each region needs its own)"
            ])
        let foreign = Self.acmeText.replacingOccurrences(of: "kms:us-east-1:", with: "kms:eu-west-1:")
        #expect(
            Self.errors(foreign) == [
                "platform.yaml:15:5: error: region 'us-east-1' names key 'arn:aws:kms:eu-west-1:111122223333:alias/acme-platform' from region 'eu-west-1'; KMS keys are regional, so volumes in 'us-east-1' cannot use it"
            ])
    }

    @Test("readers get read-only credentials and a local read endpoint; writers elsewhere use the remote path")
    func readers() throws {
        let files = try Self.objects(Self.twinText)
        let dubCatalog = Self.find(files, "dub/twin-production/catalog.yaml", "Deployment", "catalog")
        let fraCatalog = Self.find(files, "fra/twin-production/catalog.yaml", "Deployment", "catalog")
        #expect(Self.env(dubCatalog, "DATABASE_ORDERS_HOST") == "orders-r")
        #expect(Self.env(fraCatalog, "DATABASE_ORDERS_HOST") == "orders-ro")
        #expect(Self.env(fraCatalog, "DATABASE_ORDERS_ACCESS") == "read")
        #expect(
            Self.env(Self.find(files, "dub/twin-production/checkout.yaml", "Deployment", "checkout"), "DATABASE_ORDERS_HOST")
                == "orders-remote")
        #expect(
            Self.env(Self.find(files, "fra/twin-production/checkout.yaml", "Deployment", "checkout"), "DATABASE_ORDERS_HOST")
                == "orders-pooler-rw")
        let volumes = { (w: [String: Any]?) -> [String] in
            let pod = ((w?["spec"] as? [String: Any])?["template"] as? [String: Any])?["spec"] as? [String: Any]
            return (pod?["volumes"] as? [[String: Any]] ?? []).compactMap { ($0["secret"] as? [String: Any])?["secretName"] as? String }
        }
        #expect(volumes(dubCatalog) == ["orders-reader"])
        let primary = try #require(Self.find(files, "fra/twin-production/_database-orders.yaml", "Cluster", "orders"))
        let clusterSpec = primary["spec"] as? [String: Any] ?? [:]
        let roles = (clusterSpec["managed"] as? [String: Any])?["roles"] as? [[String: Any]]
        #expect(roles?.first?["name"] as? String == "orders_reader")
        #expect(roles?.first?["inRoles"] as? [String] == ["pg_read_all_data"])
        #expect(
            ((clusterSpec["bootstrap"] as? [String: Any])?["initdb"] as? [String: Any])?["secret"] as? [String: String] == [
                "name": "orders-owner"
            ])
    }

    @Test("a replica cluster backs up under its own server name, so a promoted replica keeps backing up")
    func replicaBackup() throws {
        let files = try Self.objects(Self.twinText)
        let replica = try #require(Self.find(files, "dub/twin-production/_database-orders.yaml", "Cluster", "orders"))
        let backup = (replica["spec"] as? [String: Any])?["backup"] as? [String: Any]
        #expect((backup?["barmanObjectStore"] as? [String: Any])?["serverName"] as? String == "orders-dub")
        #expect(Self.find(files, "dub/twin-production/_database-orders.yaml", "ScheduledBackup", "orders-backup") != nil)
    }

    @Test("writers in a cluster without the primary are refused unless the cross-cluster path is declared")
    func refuse() {
        let refused = Self.twinText.replacingOccurrences(of: "remoteClients: primary", with: "remoteClients: refuse")
        #expect(
            Self.errors(refused) == [
                "platform.yaml:89:12: error: service 'checkout' uses database 'orders' in environment 'production' on cluster 'dub', but cluster 'dub' holds no primary (it runs on 'fra'); set databases.orders.topology.remoteClients: primary to render the cross-cluster path to the primary, or run this service only where the primary is"
            ])
        let noStore = Self.twinText.replacingOccurrences(of: "  secrets: { store: vault, rotateEvery: 30d }\n", with: "")
            .replacingOccurrences(of: "    secrets: [psp-api-key]\n", with: "")
        #expect(
            Self.errors(noStore).contains(
                "platform.yaml:80:12: error: service 'catalog' uses database 'orders' (read-only) in environment 'production' on cluster 'dub', but read-only access needs read-only credentials, which berth delivers through the secret store; set security.secrets"
            ))
    }

    @Test("a replica needs the primary's archive")
    func replicaNeedsBackup() {
        let noBackup = Self.twinText.replacingOccurrences(
            of: "    backup: { schedule: \"30 1 * * *\", retention: 30d, bucket: backups }\n", with: "")
        #expect(
            Self.errors(noBackup).contains(
                "platform.yaml:102:15: error: database 'orders' gets a replica cluster on 'dub' (environment 'production'), which follows the primary's WAL archive, but it has no backup; add databases.orders.backup or set topology.replicas: none"
            ))
    }

    @Test("the gateway's data plane runs in the environment's namespace and is admitted there")
    func gatewayDataPlane() throws {
        let files = try Self.objects(Self.acmeText)
        let ns = files["prod-eu/acme-production/_namespace.yaml"] ?? []
        let plane = try #require(ns.first { ($0["metadata"] as? [String: Any])?["name"] as? String == "gateway-data-plane" })
        let text = Self.json(plane)
        #expect(text.contains("\"gateway.networking.k8s.io/gateway-name\":\"acme\""))
        #expect(text.contains("\"cidr\":\"0.0.0.0/0\""))
        let web = try #require(Self.find(files, "prod-eu/acme-production/web.yaml", "NetworkPolicy", "web"))
        let webText = Self.json(web)
        #expect(
            webText.contains(
                "{\"from\":[{\"podSelector\":{\"matchLabels\":{\"gateway.networking.k8s.io/gateway-name\":\"acme\"}}}],\"ports\":[{\"port\":8080,\"protocol\":\"TCP\"}]}"
            ))
        #expect(!webText.contains("nginx-gateway"))
    }

    @Test("with a mesh, every pod may reach the mesh control plane")
    func meshControlPlane() throws {
        let onprem = Fixtures.text(Fixtures.repoRoot.appendingPathComponent("examples/onprem-mesh/platform.yaml"))
        let files = try Self.objects(onprem)
        let ns = files.filter { $0.key.hasSuffix("/_namespace.yaml") }.values.flatMap { $0 }
        let allow = try #require(ns.first { ($0["metadata"] as? [String: Any])?["name"] as? String == "allow-mesh-control-plane" })
        let text = Self.json(allow)
        #expect(text.contains("\"kubernetes.io/metadata.name\":\"istio-system\"") && text.contains("\"port\":15012"))
        let linkerd = onprem.replacingOccurrences(of: "mesh: istio", with: "mesh: linkerd")
        let lfiles = try Self.objects(linkerd)
        let lns = lfiles.filter { $0.key.hasSuffix("/_namespace.yaml") }.values.flatMap { $0 }
        let lallow = try #require(lns.first { ($0["metadata"] as? [String: Any])?["name"] as? String == "allow-mesh-control-plane" })
        let ltext = Self.json(lallow)
        #expect(ltext.contains("\"kubernetes.io/metadata.name\":\"linkerd\"") && ltext.contains("\"port\":8086"))
    }

    @Test("Services are dual-stack when the plan is; the VPA of a StatefulSet targets the StatefulSet")
    func dualStackAndVPA() throws {
        let files = try Self.objects(Self.acmeText)
        let svc = try #require(Self.find(files, "prod-eu/acme-production/web.yaml", "Service", "web"))
        #expect((svc["spec"] as? [String: Any])?["ipFamilyPolicy"] as? String == "PreferDualStack")
        let vpa = try #require(Self.find(files, "prod-eu/acme-production/search.yaml", "VerticalPodAutoscaler", "search"))
        #expect(((vpa["spec"] as? [String: Any])?["targetRef"] as? [String: Any])?["kind"] as? String == "StatefulSet")
        let twin = try Self.objects(Self.twinText)
        let plain = try #require(Self.find(twin, "fra/twin-production/shop.yaml", "Service", "shop"))
        #expect((plain["spec"] as? [String: Any])?["ipFamilyPolicy"] == nil)
    }

    @Test("the namespace quota leaves room for the database and PgBouncer pods it holds")
    func quotaCountsDatabases() throws {
        let files = try Self.objects(Self.acmeText)
        func hard(_ cluster: String) -> [String: String] {
            let q = files["\(cluster)/acme-production/_namespace.yaml"]?.first { $0["kind"] as? String == "ResourceQuota" }
            return ((q?["spec"] as? [String: Any])?["hard"] as? [String: String]) ?? [:]
        }
        // 89 service pods at max replicas (the reporting job runs one); prod-eu adds 3 instances
        // and 2 PgBouncer pods of main, the team server's 3 pods (ipam.server.replicas) and its
        // ledger's 2 instances: 99. +20% headroom, rounded up, +5.
        #expect(hard("prod-eu")["pods"] == "124")
        #expect(hard("prod-us")["pods"] == "112")
        // 3 x 1 CPU instances and 2 x 100m PgBouncer requests of main, 3 x 250m team server pods
        // and 2 x 500m ledger instances, +20%: 3.84 + 2.1 CPU more than prod-us (rounded up to 100m).
        #expect(hard("prod-eu")["requests.cpu"] == "54600m" && hard("prod-us")["requests.cpu"] == "48600m")
    }

    @Test("with a mesh and Gateway API, public services admit the Gateway's data plane in their own namespace")
    func meshGatewayPrincipal() throws {
        let text = Self.acmeText.replacingOccurrences(of: "  mesh: none\n", with: "  mesh: istio\n")
            .replacingOccurrences(of: "inTransit: tls", with: "inTransit: mtls")
        let files = try Self.objects(text)
        let policy = try #require(
            files["prod-eu/acme-production/web.yaml"]?.first {
                $0["kind"] as? String == "AuthorizationPolicy" && ($0["metadata"] as? [String: Any])?["name"] as? String == "web"
            })
        let json = Self.json(policy)
        #expect(json.contains("{\"source\":{\"namespaces\":[\"acme-production\"]}}"))
        #expect(!json.contains("nginx-gateway"))
    }

    @Test("on premises, Velero's and the databases' object-store credentials need the secret store")
    func onpremCredentialsNeedStore() {
        let onprem = Fixtures.text(Fixtures.repoRoot.appendingPathComponent("examples/onprem/platform.yaml"))
        let noStore = onprem.replacingOccurrences(of: "  secrets: { store: vault }\n", with: "")
            .replacingOccurrences(of: "    secrets: [oidc-client]\n", with: "")
        let errors = Self.errors(noStore)
        #expect(
            errors.contains {
                $0.hasSuffix(
                    "error: Velero writes volume backups to on-premises object storage with credentials from the secret store, but security.secrets is not set; set security.secrets.store"
                )
            })
        #expect(
            errors.contains {
                $0.hasSuffix(
                    "backs up to on-premises object storage with credentials from the secret store, but security.secrets is not set; set security.secrets.store"
                )
            })
    }

    @Test("a database named like a service is refused: their ServiceAccounts would clash")
    func databaseServiceNameClash() {
        let clash = Self.twinText.replacingOccurrences(of: "database/orders", with: "database/catalog")
            .replacingOccurrences(of: "\n  orders:\n    engine: postgres", with: "\n  catalog:\n    engine: postgres")
        #expect(
            Self.errors(clash).contains {
                $0.hasSuffix(
                    "error: database 'catalog' has the name of a service: CloudNativePG names the database's ServiceAccount after it, which would take over the service's own; rename the database or the service"
                )
            })
    }

    @Test("every example renders with no unresolved reference")
    func examplesResolve() throws {
        for name in ["acme", "twin", "onprem", "onprem-mesh", "weak"] {
            let loaded = try Pipeline.check(path: Fixtures.repoRoot.appendingPathComponent("examples/\(name)/platform.yaml").path)
            let spec = try #require(loaded.spec)
            let problems = Renderer(plan: Plan(spec: spec, ipPlan: loaded.ipPlan), ipPlan: loaded.ipPlan).renderVerified().problems
            #expect(problems.map(\.description) == [], "\(name)")
        }
    }

    @Test("a broken reference is caught, naming both objects")
    func brokenReference() throws {
        let loaded = try Pipeline.check(path: Fixtures.example.path)
        let spec = try #require(loaded.spec)
        let r = Renderer(plan: Plan(spec: spec, ipPlan: loaded.ipPlan), ipPlan: loaded.ipPlan)
        let problems = r.renderVerified(dropping: "prod-eu/ServiceAccount/acme-production/api").problems.map(\.description)
        #expect(
            problems == [
                "prod-eu: Deployment acme-production/api spec.template.spec.serviceAccountName refers to ServiceAccount acme-production/api, which nothing in the render creates"
            ])
        let pooler = r.renderVerified(dropping: "prod-eu/Pooler/acme-production/main-pooler-rw").problems.map(\.description)
        #expect(
            pooler.contains(
                "prod-eu: Deployment acme-production/api env DATABASE_MAIN_HOST refers to Service acme-production/main-pooler-rw, which nothing in the render creates"
            ))
        #expect(
            pooler.contains {
                $0.hasPrefix(
                    "prod-eu: NetworkPolicy acme-production/main-pooler spec.podSelector refers to pods acme-production/{cnpg.io/poolerName=main-pooler-rw}"
                )
            })
        #expect(throws: Pipeline.UnresolvedReferences.self) {
            try Pipeline.renderChecked(spec, ipPlan: loaded.ipPlan, dropping: "prod-us/EndpointSlice/acme-production/main-remote-1")
        }
    }
}
