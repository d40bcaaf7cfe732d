import BerthCore
import Foundation
import Testing

/// The cluster add-ons (`addons/`): every controller a rendered kind needs is installed, at a
/// version that serves the API berth writes, with values derived from the spec.
@Suite("Cluster add-ons")
struct AddonTests {
    static let examples = ["acme", "onprem", "onprem-mesh", "twin", "weak"]

    static func renderer(_ text: String, file: String = "platform.yaml") throws -> Renderer {
        let loaded = Fixtures.check(text, file: file)
        let spec = try #require(loaded.spec, "\(Fixtures.lines(loaded))")
        return Renderer(plan: Plan(spec: spec, ipPlan: loaded.ipPlan), ipPlan: loaded.ipPlan)
    }

    static func example(_ name: String) throws -> Renderer {
        let url = Fixtures.repoRoot.appendingPathComponent("examples/\(name)/platform.yaml")
        return try renderer(Fixtures.text(url), file: url.path)
    }

    static func names(_ list: [AddonInstance], _ cluster: String) -> [String] {
        list.filter { $0.cluster == cluster }.map(\.release.name).sorted()
    }

    static func values(_ list: [AddonInstance], _ cluster: String, _ addon: String) -> String {
        list.first { $0.cluster == cluster && $0.release.name == addon }?.values?.serialized() ?? ""
    }

    @Test("every kind of every example is served by an add-on installed on its cluster, at a version serving its API")
    func fullCoverage() throws {
        for name in Self.examples {
            #expect(try Self.example(name).unservedKinds() == [], "\(name)")
        }
    }

    @Test("an add-on pinned below the version serving a rendered API is reported")
    func coverageFailsOnOldVersion() throws {
        let r = try Self.renderer(Fixtures.base + "\naddons:\n  metrics-server: { version: 2.11.0 }\n")
        #expect(r.unservedKinds() == ["main: autoscaling/v2 HorizontalPodAutoscaler needs metrics-server 3.0.0 or newer; 2.11.0 is pinned"])
        // the render refuses it too (a render is never written without its controllers)
        let problems = r.renderVerified().problems.map(\.description)
        #expect(!problems.isEmpty && problems.allSatisfy { $0.hasPrefix("main: HorizontalPodAutoscaler ") })
        #expect(
            problems.contains {
                $0.hasSuffix(
                    " apiVersion refers to an add-on serving autoscaling/v2 HorizontalPodAutoscaler (autoscaling/v2 HorizontalPodAutoscaler needs metrics-server 3.0.0 or newer; 2.11.0 is pinned), which nothing in the render creates"
                )
            }, "\(problems)")
        let loaded = Fixtures.check(
            Fixtures.base + "\naddons:\n  cert-manager: { version: v0.15.0 }\n  nosuch: { version: 1.0.0 }\n  velero: { version: latest }\n"
        )
        let lines = Fixtures.lines(loaded).filter { $0.contains("addons.") }
        #expect(
            lines.contains {
                $0.hasSuffix(
                    "error: addons.cert-manager.version v0.15.0 is older than v1.0.0, the first cert-manager version serving cert-manager.io/v1 Certificate, which berth writes"
                )
            })
        #expect(
            lines.contains {
                $0.contains(
                    "error: addons.nosuch is not an add-on berth installs; known: aws-load-balancer-controller, ceph-csi-rbd, cert-manager,"
                )
            })
        #expect(
            lines.contains { $0.hasSuffix("error: addons.velero.version latest is not an exact version (dotted numbers, e.g. 12.1.0)") })
    }

    @Test("addons.<name>.version overrides the pin in the Application")
    func versionOverride() throws {
        let r = try Self.renderer(Fixtures.base + "\naddons:\n  metrics-server: { version: 3.12.2 }\n")
        #expect(r.addonList().first { $0.release.name == "metrics-server" }?.release.version == "3.12.2")
        let app = r.render().first { $0.path == "addons/main/metrics-server.yaml" }
        #expect(app?.contents.contains("targetRevision: \"3.12.2\"") == true, "\(app?.contents ?? "")")
        #expect(r.unservedKinds() == [])
    }

    @Test("acme: only the add-ons its objects need, per cluster")
    func acmeSelection() throws {
        let list = try Self.example("acme").addonList()
        #expect(
            Self.names(list, "prod-eu") == [
                "aws-load-balancer-controller", "cert-manager", "cloudnative-pg", "cluster-autoscaler", "external-dns", "external-secrets",
                "external-snapshotter",
                "falco", "gateway-api", "kube-prometheus-stack", "metrics-server", "nginx-gateway-fabric", "velero",
                "vertical-pod-autoscaler",
            ])
        // prod-us holds no database instance: no operator, no PodMonitors, and no internal
        // network load balancer for a database path (its clients reach prod-eu's)
        #expect(!Self.names(list, "prod-us").contains("cloudnative-pg"))
        #expect(!Self.names(list, "prod-us").contains("aws-load-balancer-controller"))
        let lb = Self.values(list, "prod-eu", "aws-load-balancer-controller")
        #expect(lb.contains(#""clusterName":"prod-eu","region":"eu-west-1","vpcTags":{"Name":"acme-prod-eu"}"#), "\(lb)")
        // no mesh, no ingress-nginx (network.ingress.api: gateway), no on-premises storage
        #expect(
            !list.contains {
                ["istio-base", "istiod", "linkerd-crds", "linkerd-control-plane", "ingress-nginx", "longhorn", "minio", "metallb"].contains(
                    $0.release.name)
            })
        // CRDs before operators before what needs them
        let eu = list.filter { $0.cluster == "prod-eu" }
        let wave = { (n: String) in eu.first { $0.release.name == n }?.wave ?? 0 }
        #expect(wave("gateway-api") < wave("cert-manager") && wave("cert-manager") < wave("external-dns"))
    }

    @Test("values derived from the spec: external-dns, cert-manager, NGINX Gateway Fabric, Velero, Falco, cluster-autoscaler")
    func acmeValues() throws {
        let list = try Self.example("acme").addonList()
        let dnsEU = Self.values(list, "prod-eu", "external-dns")
        let dnsUS = Self.values(list, "prod-us", "external-dns")
        #expect(dnsEU.contains(#""sources":["gateway-httproute"]"#) && dnsEU.contains(#""domainFilters":["acme.example"]"#))
        #expect(dnsEU.contains(#""txtOwnerId":"acme-prod-eu""#) && dnsUS.contains(#""txtOwnerId":"acme-prod-us""#))
        #expect(dnsEU.contains(#""provider":{"name":"aws"}"#))
        // acme's foundation binds roles through EKS Pod Identity: the chart's ServiceAccount is
        // named and names its role; without a foundation (twin) it carries the IRSA role ARN.
        #expect(
            dnsEU.contains(
                #""serviceAccount":{"name":"external-dns","annotations":{"berth.dev/cloud-identity":"acme-prod-eu-external-dns"}}"#))
        let twin = try Self.example("twin").addonList()
        let twinDNS = Self.values(twin, twin.first { $0.release.name == "external-dns" }?.cluster ?? "", "external-dns")
        #expect(twinDNS.contains(#""serviceAccount":{"annotations":{"eks.amazonaws.com/role-arn":"arn:aws:iam::444455556666:role/"#))
        #expect(Self.values(list, "prod-eu", "cert-manager").contains(#""enableGatewayAPI":true"#))
        #expect(Self.values(list, "prod-eu", "nginx-gateway-fabric").contains(#""snippetsFilters":{"enable":true}"#))
        let velero = Self.values(list, "prod-eu", "velero")
        #expect(velero.contains(#""server":{"name":"velero-server","annotations":{"berth.dev/cloud-identity":"acme-prod-eu-velero"}}"#))
        #expect(velero.contains(#""configuration":{"backupStorageLocation":[],"volumeSnapshotLocation":[]}"#))
        #expect(velero.contains("velero/velero-plugin-for-aws:") && velero.contains("acme-prod-eu-velero"))
        // The rules ConfigMap syncs after the add-ons: an optional volume lets Falco start
        // (a required one would hold the root application at Falco's wave), and Falco reloads
        // when the rules arrive.
        #expect(Self.values(list, "prod-eu", "falco").contains(#""configMap":{"name":"berth-falco-rules","optional":true}"#))
        #expect(Self.values(list, "prod-eu", "falco").contains(#""watch_config_files":true"#))
        let ca = Self.values(list, "prod-eu", "cluster-autoscaler")
        // EKS names the node groups' Auto Scaling groups itself: the autoscaler finds them by tag.
        #expect(ca.contains(#""cloudProvider":"aws""#) && ca.contains(#""autoDiscovery":{"clusterName":"prod-eu"}"#))
        #expect(!ca.contains("autoscalingGroups"))
        #expect(Self.values(list, "prod-eu", "vertical-pod-autoscaler").contains(#""updater":{"enabled":false}"#))
    }

    @Test("on-premises: MetalLB, Longhorn, MinIO, ingress-nginx; a mesh only where network.mesh is set")
    func onpremSelection() throws {
        let lab = try Self.example("onprem").addonList()
        let names = Self.names(lab, "lab")
        #expect(["ingress-nginx", "longhorn", "metallb", "minio"].allSatisfy(names.contains))
        #expect(!names.contains("istiod") && !names.contains("cluster-autoscaler"))
        #expect(Self.values(lab, "lab", "velero").contains(#""existingSecret":"velero-credentials""#))
        let mesh = Self.names(try Self.example("onprem-mesh").addonList(), "lab")
        #expect(mesh.contains("istio-base") && mesh.contains("istiod"))
    }

    @Test("external-dns on rfc2136: the server, zones and TSIG key name; the key itself by Secret reference")
    func rfc2136() throws {
        let url = Fixtures.repoRoot.appendingPathComponent("examples/onprem/platform.yaml")
        let text = Fixtures.text(url).replacingOccurrences(
            of: "provider: rfc2136, server: \"ns1.lab.example:53\" }", with: "provider: rfc2136, server: \"ns1.lab.example:5353\" }")
        #expect(text.contains("ns1.lab.example:5353"))
        let v = Self.values(try Self.renderer(text, file: url.path).addonList(), "lab", "external-dns")
        #expect(
            v.contains(
                #""extraArgs":["--rfc2136-host=ns1.lab.example","--rfc2136-port=5353","--rfc2136-zone=lab.example","--rfc2136-tsig-keyname=lab-external-dns","--rfc2136-tsig-secret-alg=hmac-sha256","--rfc2136-tsig-axfr"]"#
            ), "\(v)")
        #expect(v.contains(#""secretKeyRef":{"name":"rfc2136-tsig","key":"secret"}"#))
    }

    @Test("the add-ons' AppProject allows exactly their namespaces on their clusters and their repositories")
    func project() throws {
        let r = try Self.example("acme")
        let list = r.addonList()
        let project = try #require(r.render().first { $0.path == "addons/project.yaml" })
        #expect(project.contents.contains("name: acme-addons"))
        var expected: Set<String> = []
        for a in list { expected.insert("- name: \(a.cluster)\n    namespace: \(a.release.namespace)") }
        for e in expected { #expect(project.contents.contains(e), "\(e)") }
        #expect(project.contents.components(separatedBy: "  - name: ").count - 1 == expected.count)
        for a in list { #expect(project.contents.contains("- \(a.release.repoURL)")) }
        // cluster-scoped kinds: exactly what the add-ons install, no wildcard
        #expect(
            !project.contents.contains("kind: \"*\"\n    group: \"*\"")
                && !project.contents.contains("group: \"*\"\n    kind: \"*\"\n  namespaceResourceWhitelist"))
        #expect(project.contents.contains("- group: apiextensions.k8s.io\n    kind: CustomResourceDefinition"))
        #expect(project.contents.contains("- group: gateway.networking.k8s.io\n    kind: GatewayClass"))
        // acme has no ingress-nginx; the AWS Load Balancer Controller brings the alb IngressClass
        #expect(project.contents.contains("- group: networking.k8s.io\n    kind: IngressClass"))
        #expect(project.contents.contains("- group: elbv2.k8s.aws\n    kind: IngressClassParams"))
        #expect(AddonVersions.releases.allSatisfy { AddonVersions.clusterKinds[$0.name] != nil })
        let apps = r.render().filter { $0.path.hasPrefix("addons/prod-eu/") }
        #expect(apps.allSatisfy { $0.contents.contains("project: acme-addons") && $0.contents.contains("CreateNamespace=true") })
    }

    @Test("ReferenceCheck: an object in a namespace no add-on creates is unresolved")
    func namespacesFromAddons() {
        let cm: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "rules", "namespace": "falco"]]
        let without = ReferenceCheck.run(files: [("c1/_cluster.yaml", [cm])]).map(\.description)
        #expect(without == ["c1: ConfigMap falco/rules metadata.namespace refers to Namespace falco, which nothing in the render creates"])
        #expect(ReferenceCheck.run(files: [("c1/_cluster.yaml", [cm])], addonNamespaces: ["c1": ["falco"]]).isEmpty)
        // another cluster's add-ons do not count
        #expect(ReferenceCheck.run(files: [("c1/_cluster.yaml", [cm])], addonNamespaces: ["c2": ["falco"]]).count == 1)
        #expect(ReferenceCheck.systemNamespaces == ["kube-system", "kube-public", "default", "argocd"])
    }

    @Test("ReferenceCheck: Gateway and LoadBalancer addresses must lie in a MetalLB pool of their cluster")
    func metallbPoolAddresses() {
        let pool: JSONValue = [
            "apiVersion": "metallb.io/v1beta1", "kind": "IPAddressPool",
            "metadata": ["name": "lab", "namespace": "metallb-system"],
            "spec": ["addresses": ["10.0.48.0/24", "10.0.0.4/32"], "autoAssign": false],
        ]
        // A pool that hands out its addresses on its own: a requested address in it could go to another Service first.
        let auto: JSONValue = [
            "apiVersion": "metallb.io/v1beta1", "kind": "IPAddressPool",
            "metadata": ["name": "lab-auto", "namespace": "metallb-system"],
            "spec": ["addresses": ["10.0.50.0/24"], "autoAssign": true],
        ]
        let l2: JSONValue = [
            "apiVersion": "metallb.io/v1beta1", "kind": "L2Advertisement",
            "metadata": ["name": "lab", "namespace": "metallb-system"], "spec": ["ipAddressPools": ["lab", "other"]],
        ]
        func gateway(_ ip: String) -> JSONValue {
            [
                "apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "metadata": ["name": "lab", "namespace": "web"],
                "spec": ["addresses": [["type": "IPAddress", "value": .string(ip)]], "listeners": []],
            ]
        }
        func service(_ ip: String) -> JSONValue {
            [
                "apiVersion": "v1", "kind": "Service",
                "metadata": [
                    "name": "db-cross-cluster", "namespace": "web", "annotations": ["metallb.universe.tf/loadBalancerIPs": .string(ip)],
                ],
                "spec": ["type": "LoadBalancer", "selector": ["app": "db"]],
            ]
        }
        let pod: JSONValue = [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "db", "namespace": "web"],
            "spec": ["template": ["metadata": ["labels": ["app": "db"]]]],
        ]
        let ns: JSONValue = ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "web"]]
        let spaces = ["lab": Set(["metallb-system"])]
        let inside = ReferenceCheck.run(
            files: [("lab/_cluster.yaml", [pool, l2, ns, pod, gateway("10.0.48.5"), service("10.0.0.4")])], addonNamespaces: spaces)
        #expect(
            inside.map(\.description) == [
                "lab: L2Advertisement metallb-system/lab spec.ipAddressPools refers to IPAddressPool metallb-system/other, which nothing in the render creates"
            ])
        let outside = ReferenceCheck.run(
            files: [("lab/_cluster.yaml", [pool, ns, pod, gateway("10.0.49.5"), service("10.0.0.5")])], addonNamespaces: spaces)
        #expect(
            outside.map(\.description) == [
                "lab: Gateway web/lab spec.addresses refers to address 10.0.49.5 in an IPAddressPool with autoAssign: false, which nothing in the render creates",
                "lab: Service web/db-cross-cluster load-balancer address refers to address 10.0.0.5 in an IPAddressPool with autoAssign: false, which nothing in the render creates",
            ])
        let automatic = ReferenceCheck.run(
            files: [("lab/_cluster.yaml", [pool, auto, ns, pod, gateway("10.0.50.5"), service("10.0.50.6")])], addonNamespaces: spaces)
        #expect(
            automatic.map(\.description) == [
                "lab: Gateway web/lab spec.addresses refers to address 10.0.50.5 in an IPAddressPool with autoAssign: false, which nothing in the render creates",
                "lab: Service web/db-cross-cluster load-balancer address refers to address 10.0.50.6 in an IPAddressPool with autoAssign: false, which nothing in the render creates",
            ])
        // Without pools (a cloud cluster) the addresses are the cloud's business.
        #expect(ReferenceCheck.run(files: [("lab/_cluster.yaml", [ns, pod, gateway("10.0.49.5")])]).isEmpty)
    }

    @Test(
        "ReferenceCheck: each add-on Application's project, destination, repository and cluster-scoped kinds are allowed by the add-ons' AppProject"
    )
    func addonApplicationsAgainstProject() {
        func project(destinations: [JSONValue], kinds: [[String]], repos: [String]) -> JSONValue {
            [
                "apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject", "metadata": ["name": "lab-addons", "namespace": "argocd"],
                "spec": [
                    "sourceRepos": .array(repos.map { .string($0) }), "destinations": .array(destinations),
                    "clusterResourceWhitelist": .array(kinds.map { ["group": .string($0[0]), "kind": .string($0[1])] }),
                    "namespaceResourceWhitelist": [["group": "*", "kind": "*"]],
                ],
            ]
        }
        let app: JSONValue = [
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": ["name": "lab-velero-c1", "namespace": "argocd", "labels": ["berth.dev/addon": "velero"]],
            "spec": [
                "project": "lab-addons",
                "source": ["repoURL": "https://vmware-tanzu.github.io/helm-charts", "chart": "velero", "targetRevision": "12.1.0"],
                "destination": ["name": "c1", "namespace": "velero"],
            ],
        ]
        let base = [
            ["", "Namespace"], ["rbac.authorization.k8s.io", "ClusterRole"], ["rbac.authorization.k8s.io", "ClusterRoleBinding"],
        ]
        let crd = ["apiextensions.k8s.io", "CustomResourceDefinition"]
        let good = project(
            destinations: [["name": "c1", "namespace": "velero"]], kinds: base + [crd],
            repos: ["https://vmware-tanzu.github.io/helm-charts"])
        #expect(ReferenceCheck.run(files: [], argo: [good, app]).isEmpty)
        let bad = project(destinations: [["name": "c1", "namespace": "falco"]], kinds: base, repos: ["https://charts.example"])
        #expect(
            ReferenceCheck.run(files: [], argo: [bad, app]).map(\.description) == [
                "argocd: Application argocd/lab-velero-c1 spec.destination refers to destination c1/velero in AppProject lab-addons, which nothing in the render creates",
                "argocd: Application argocd/lab-velero-c1 spec.source.repoURL refers to source repository https://vmware-tanzu.github.io/helm-charts in AppProject lab-addons, which nothing in the render creates",
                "argocd: Application argocd/lab-velero-c1 synced kinds refers to cluster-scoped kind apiextensions.k8s.io/CustomResourceDefinition in AppProject lab-addons clusterResourceWhitelist, which nothing in the render creates",
            ])
        #expect(
            ReferenceCheck.run(files: [], argo: [app]).map(\.description) == [
                "argocd: Application argocd/lab-velero-c1 spec.project refers to AppProject lab-addons, which nothing in the render creates"
            ])
    }

    @Test("every example's add-on Applications pass the check against the rendered add-ons' AppProject")
    func examplesAddonProjectsResolve() throws {
        for name in ["acme", "onprem", "onprem-mesh", "twin"] {
            let (_, problems) = try Self.example(name).renderVerified()
            #expect(problems.isEmpty, "\(name): \(problems)")
        }
    }

    @Test("versions compare numerically")
    func compare() {
        #expect(AddonVersions.compare("v1.21.1", "v1.9.0") == 1)
        #expect(AddonVersions.compare("0.29.0", "0.29") == 0)
        #expect(AddonVersions.compare("2025.9.1", "2024.2.1") == 1)
        #expect(AddonVersions.compare("latest", "1.0.0") == nil)
        // every pin serves what the table says it must
        for (api, s) in AddonVersions.served {
            let pinned = AddonVersions.release(s.addon)?.version ?? ""
            #expect((AddonVersions.compare(pinned, s.minimum) ?? -1) >= 0, "\(api): \(s.addon) \(pinned) < \(s.minimum)")
        }
    }

    @Test("berth diff: an add-on version change is disruptive; a wider identity, domain filter or snippets is security-sensitive")
    func diff() throws {
        let up = try DiffTests.report("security:\n", "addons:\n  external-secrets: { version: 2.9.1 }\nsecurity:\n")
        #expect(
            up.contains(
                "disruptive: changed addons/argocd/Application/acme-external-secrets-prod-eu: spec.source.targetRevision (add-on external-secrets version changes from 2.9.0 to 2.9.1: its controller and CRDs are replaced)"
            ), "\(up)")
        let zones = try DiffTests.report("zones: [acme.example]", "zones: [acme.example, acme.test]")
        #expect(
            zones.contains {
                $0.hasPrefix("security-sensitive: changed addons/argocd/Application/acme-external-dns-prod-eu: ")
                    && $0.contains("add-on external-dns may write DNS for more domainFilters: acme.test")
            }, "\(zones)")
        let account = try DiffTests.report(
            #"account: "111122223333""#, #"account: "444455556666""#, in: DiffTests.withoutInfrastructure)
        #expect(
            account.contains {
                $0.hasPrefix("security-sensitive: changed addons/argocd/Application/acme-velero-prod-eu: ")
                    && $0.contains(
                        "add-on velero runs with a new cloud identity (serviceAccount.server.annotations.eks.amazonaws.com/role-arn)")
            }, "\(account)")
        // snippets turned on (the render before had none)
        let new = try DiffTests.files(DiffTests.text)
        var old = new
        let path = "addons/prod-eu/nginx-gateway-fabric.yaml"
        old[path] = try #require(new[path]).replacingOccurrences(
            of: "snippetsFilters:\n            enable: true", with: "snippetsFilters:\n            enable: false")
        #expect(old[path] != new[path])
        let snippets = PlatformDiff.text(try PlatformDiff.compare(old: old, new: new))
        #expect(
            snippets.contains(
                "security-sensitive: changed addons/argocd/Application/acme-nginx-gateway-fabric-prod-eu: spec.source.helm.valuesObject.nginxGateway.snippetsFilters.enable (add-on nginx-gateway-fabric enables NGINX configuration snippets)"
            ), "\(snippets)")
    }
}
