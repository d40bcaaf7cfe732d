import BerthCore
import Foundation
import Testing

/// `ipam.server`: the ledger's team server rendered into one environment and cluster.
@Suite("IPAM team server render")
struct IPAMServerTests {
    /// Two environments on two clusters, a backed-up database, TLS, a secret store and
    /// `monitoring:`; the server runs in production on `main`.
    static let text = """
        berth: 1
        platform: shop
        provider:
          name: aws
          account: "111122223333"
          regions:
            eu-west-1: { zones: [eu-west-1a, eu-west-1b] }
        clusters:
          main:
            region: eu-west-1
            nodePools:
              general: { machine: m6i.xlarge, cpu: 4, memory: 16Gi, min: 2, max: 4 }
          lab:
            region: eu-west-1
            nodePools:
              general: { machine: m6i.xlarge, cpu: 4, memory: 16Gi, min: 2, max: 4 }
        environments:
          production: { clusters: [main], domain: shop.example }
          development: { clusters: [lab], domain: dev.shop.example }
        services:
          web:
            image: registry.shop.example/web:1.0.0
            port: 8080
            public: { host: www }
            replicas: { min: 2, max: 4 }
            uses: [database/orders]
        databases:
          orders:
            instances: 2
            storage: { size: 20Gi }
            backup: { schedule: "0 3 * * *", retention: 30d, bucket: backups }
        buckets:
          backups: { versioning: true, lifecycle: [ { after: 90d, transition: archive } ] }
        monitoring:
          stack: kube-prometheus-stack
        security:
          tls: { email: ops@shop.example }
          secrets: { store: vault }
        ipam:
          server:
            cluster: main
            environment: production
            replicas: 2
            image: registry.shop.example/platform/berth:0.1.0

        """

    static func loaded(_ text: String) throws -> (Spec, IPPlan?) {
        let l = Fixtures.check(text)
        #expect(!l.diagnostics.hasErrors, "\(Fixtures.lines(l))")
        return (try #require(l.spec), l.ipPlan)
    }

    static func files(_ text: String) throws -> [RenderedFile] {
        let (spec, ip) = try loaded(text)
        return Renderer(plan: Plan(spec: spec, ipPlan: ip), ipPlan: ip).renderedFiles()
    }

    static func object(_ files: [RenderedFile], _ kind: String, _ name: String) -> JSONValue? {
        files.flatMap(\.objects).first { $0["kind"]?.stringValue == kind && $0.at("metadata.name")?.stringValue == name }
    }

    @Test("the server and its ledger are rendered in the pinned environment and cluster only")
    func placement() throws {
        let files = try Self.files(Self.text)
        let paths = files.map(\.path).filter { $0.contains("berth-ipam") }
        #expect(paths == ["main/shop-production/_database-berth-ipam-ledger.yaml", "main/shop-production/berth-ipam.yaml"])
        let kinds = files.first { $0.path == "main/shop-production/berth-ipam.yaml" }?.objects.compactMap { $0["kind"]?.stringValue }
        #expect(
            kinds == [
                "ServiceAccount", "Deployment", "Service", "PodDisruptionBudget", "NetworkPolicy", "Certificate",
                "HTTPRoute", "ExternalSecret", "ServiceMonitor",
            ])
    }

    @Test(
        "the Deployment runs berth serve on the ledger, the password from its Secret, probes on /healthz and /readyz, hardened like every service"
    )
    func deployment() throws {
        let files = try Self.files(Self.text)
        let d = try #require(Self.object(files, "Deployment", "berth-ipam"))
        #expect(d.at("spec.replicas") == 2)
        let c = try #require(d.at("spec.template.spec.containers")?.arrayValue?.first)
        #expect(c["image"] == "registry.shop.example/platform/berth:0.1.0")
        #expect(c["command"] == ["berth"])
        #expect(
            c["args"] == ["serve", "--store", "postgres://app@berth-ipam-ledger-rw:5432/app?sslmode=require", "--listen", "0.0.0.0:8080"])
        let env = c["env"]?.arrayValue ?? []
        #expect(
            env.first == ["name": "PGPASSWORD", "valueFrom": ["secretKeyRef": ["name": "berth-ipam-ledger-owner", "key": "password"]]])
        #expect(c.at("livenessProbe.httpGet.path") == "/healthz")
        #expect(c.at("readinessProbe.httpGet.path") == "/readyz")
        #expect(c.at("securityContext.readOnlyRootFilesystem") == true)
        #expect(c.at("securityContext.runAsNonRoot") == true)
        #expect(c.at("securityContext.allowPrivilegeEscalation") == false)
        #expect(c.at("resources.requests.cpu") == "250m")
        #expect(c.at("resources.limits.memory") == "256Mi")
        #expect(d.at("spec.template.spec.serviceAccountName") == "berth-ipam")
        #expect(d.at("spec.template.spec.securityContext.runAsNonRoot") == true)
        #expect(Self.object(files, "PodDisruptionBudget", "berth-ipam")?.at("spec.maxUnavailable") == 1)
        // The owner Secret the password comes from is rendered next to it, from the store.
        let owner = try #require(Self.object(files, "ExternalSecret", "berth-ipam-ledger-owner"))
        #expect(owner.at("spec.target.name") == "berth-ipam-ledger-owner")
    }

    @Test("without a secret store the password comes from CloudNativePG's app secret, and no value is ever written")
    func operatorSecret() throws {
        let text = Self.text.replacingOccurrences(of: "  secrets: { store: vault }\n", with: "")
        let l = Fixtures.check(text)
        #expect(
            Fixtures.lines(l).contains(
                "spec.yaml:40:5: warning: the team server's /metrics needs a read-scope token, and without security.secrets berth cannot deliver it; create the Secret 'berth-ipam-metrics-token' (key 'token') in namespace 'shop-production' from `berth ip token create --scope read`"
            ))
        let files = try Self.files(text)
        let c = try #require(Self.object(files, "Deployment", "berth-ipam")?.at("spec.template.spec.containers")?.arrayValue?.first)
        #expect(c["env"]?.arrayValue?.first?.at("valueFrom.secretKeyRef.name") == "berth-ipam-ledger-app")
        #expect(Self.object(files, "ExternalSecret", "berth-ipam-metrics-token") == nil)
        let (spec, ip) = try Self.loaded(text)
        for a in Pipeline.render(spec, ipPlan: ip) {
            #expect(!a.contents.contains("postgres://app:"), "\(a.path)")
        }
    }

    @Test("the ledger is a CloudNativePG cluster backed up like the environment's other databases")
    func ledger() throws {
        let files = try Self.files(Self.text)
        let cluster = try #require(Self.object(files, "Cluster", "berth-ipam-ledger"))
        let orders = try #require(Self.object(files.filter { $0.path.hasPrefix("main/") }, "Cluster", "orders"))
        #expect(cluster.at("spec.instances") == 2)
        #expect(cluster.at("spec.storage.size") == "10Gi")
        #expect(cluster.at("spec.bootstrap.initdb.secret.name") == "berth-ipam-ledger-owner")
        #expect(cluster.at("spec.backup.retentionPolicy") == orders.at("spec.backup.retentionPolicy"))
        #expect(cluster.at("spec.backup.barmanObjectStore.destinationPath") == "s3://shop-production-backups/berth-ipam-ledger")
        let backup = try #require(Self.object(files, "ScheduledBackup", "berth-ipam-ledger-backup"))
        #expect(backup.at("spec.schedule") == "0 0 3 * * *")
        // No database with a backup: none for the ledger either.
        let bare = Self.text.replacingOccurrences(
            of: "    backup: { schedule: \"0 3 * * *\", retention: 30d, bucket: backups }\n", with: "")
        let plain = try #require(Self.object(try Self.files(bare), "Cluster", "berth-ipam-ledger"))
        #expect(plain.at("spec.backup") == nil)
    }

    @Test("NetworkPolicies come from the traffic graph: the gateway and monitoring in, the ledger out, nothing else")
    func policies() throws {
        let files = try Self.files(Self.text)
        let p = try #require(Self.object(files, "NetworkPolicy", "berth-ipam"))
        #expect(
            p.at("spec.ingress") == [
                [
                    "from": [["podSelector": ["matchLabels": ["gateway.networking.k8s.io/gateway-name": "shop"]]]],
                    "ports": [["protocol": "TCP", "port": 8080]],
                ],
                [
                    "from": [["namespaceSelector": ["matchLabels": ["kubernetes.io/metadata.name": "monitoring"]]]],
                    "ports": [["protocol": "TCP", "port": 8080]],
                ],
            ])
        #expect(
            p.at("spec.egress") == [
                [
                    "to": [["podSelector": ["matchLabels": ["cnpg.io/cluster": "berth-ipam-ledger"]]]],
                    "ports": [["protocol": "TCP", "port": 5432]],
                ]
            ])
        // The ledger admits the server.
        let db = try #require(Self.object(files, "NetworkPolicy", "berth-ipam-ledger-database"))
        #expect(db.serialized().contains("\"app.kubernetes.io/name\":\"berth-ipam\""))
        // Without monitoring: no scrape edge and no ServiceMonitor.
        let quiet = Self.text.replacingOccurrences(of: "monitoring:\n  stack: kube-prometheus-stack\n", with: "")
        let qfiles = try Self.files(quiet)
        let q = try #require(Self.object(qfiles, "NetworkPolicy", "berth-ipam"))
        #expect(q.at("spec.ingress")?.arrayValue?.count == 1)
        #expect(Self.object(qfiles, "ServiceMonitor", "berth-ipam") == nil)
        #expect(Self.object(qfiles, "ExternalSecret", "berth-ipam-metrics-token") == nil)
    }

    @Test("the route takes the gateway's HTTPS listener and certificate, and Prometheus scrapes /metrics with a token")
    func routeAndMonitor() throws {
        let files = try Self.files(Self.text)
        let route = try #require(Self.object(files, "HTTPRoute", "berth-ipam"))
        #expect(route.at("spec.hostnames") == ["ipam.shop.example"])
        #expect(route.at("spec.parentRefs") == [["name": "shop", "sectionName": "berth-ipam-https"]])
        let gateway = try #require(Self.object(files.filter { $0.path.hasPrefix("main/") }, "Gateway", "shop"))
        #expect(
            gateway.at("spec.listeners")?.arrayValue?.contains {
                $0["hostname"] == "ipam.shop.example" && $0.at("tls.certificateRefs") == [["kind": "Secret", "name": "berth-ipam-tls"]]
            } == true)
        #expect(Self.object(files, "Certificate", "berth-ipam-tls")?.at("spec.dnsNames") == ["ipam.shop.example"])
        let monitor = try #require(Self.object(files, "ServiceMonitor", "berth-ipam"))
        #expect(
            monitor.at("spec.endpoints") == [
                [
                    "port": "http", "path": "/metrics", "interval": "30s",
                    "authorization": ["type": "Bearer", "credentials": ["name": "berth-ipam-metrics-token", "key": "token"]],
                ]
            ])
        let token = try #require(Self.object(files, "ExternalSecret", "berth-ipam-metrics-token"))
        #expect(
            token.at("spec.data") == [
                ["secretKey": "token", "remoteRef": ["key": "shop/production/berth-ipam/metrics-token", "property": "token"]]
            ])
    }

    @Test("every reference of the render resolves, and Argo CD syncs the server with production's other workloads")
    func references() throws {
        let (spec, ip) = try Self.loaded(Self.text)
        let (artifacts, problems) = Renderer(plan: Plan(spec: spec, ipPlan: ip), ipPlan: ip).renderVerified()
        #expect(problems.map(\.description) == [])
        #expect(problems.isEmpty)
        _ = artifacts
        let dropped = Renderer(plan: Plan(spec: spec, ipPlan: ip), ipPlan: ip)
            .renderVerified(dropping: "main/ExternalSecret/shop-production/berth-ipam-ledger-owner").problems.map(\.description)
        #expect(
            dropped.contains(
                "main: Deployment shop-production/berth-ipam env PGPASSWORD refers to Secret shop-production/berth-ipam-ledger-owner, which nothing in the render creates"
            ))
    }

    @Test("the host name defaults to ipam.<domain>, and the apex is allowed")
    func hostname() throws {
        let plain = Self.text.replacingOccurrences(of: "    replicas: 2\n    image:", with: "    image:")
        #expect(try Self.object(Self.files(plain), "HTTPRoute", "berth-ipam")?.at("spec.hostnames") == ["ipam.shop.example"])
        let apex = Self.text.replacingOccurrences(of: "    replicas: 2\n", with: "    replicas: 2\n    hostname: shop.example\n")
        #expect(try Self.object(Self.files(apex), "HTTPRoute", "berth-ipam")?.at("spec.hostnames") == ["shop.example"])
        let deep = Self.text.replacingOccurrences(of: "    replicas: 2\n", with: "    replicas: 2\n    hostname: ipam.net.shop.example\n")
        #expect(try Self.object(Self.files(deep), "HTTPRoute", "berth-ipam")?.at("spec.hostnames") == ["ipam.net.shop.example"])
    }

    @Test("the Hosting & Network document says where the server runs, from the render")
    func document() throws {
        let (spec, ip) = try Self.loaded(Self.text)
        let doc = HostingDoc(spec: spec, ipPlan: ip).artifacts().first { $0.path.hasSuffix(".md") }
        #expect(
            doc?.contents.contains(
                "The ledger's team server (`berth serve`, ipam.server) runs on cluster main in namespace shop-production: Deployment berth-ipam with 2 replicas at https://ipam.shop.example through the environment's gateway, on its PostgreSQL ledger, the CloudNativePG cluster berth-ipam-ledger (2 instances, backed up to object storage like the environment's other databases); Prometheus scrapes its /metrics with a read-scope token. Pipelines and people allocate through its API with tokens (`berth ip token create`)."
            ) == true)
    }
}
