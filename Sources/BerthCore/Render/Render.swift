import Foundation

/// One output file: a relative path (built only from validated names) and its contents.
public struct Artifact: Sendable, Hashable {
    /// The path relative to the output folder, e.g. `prod/shop-prod/web.yaml`.
    public var path: String
    /// The file's text.
    public var contents: String
    /// How many YAML documents (objects) the file holds.
    public var objects: Int

    /// A file at `path` with `contents`, holding `objects` documents.
    public init(path: String, contents: String, objects: Int = 1) {
        self.path = path
        self.contents = contents
        self.objects = objects
    }
}

/// The objects of one YAML file, and the service or database and environment they belong to
/// (nil for cluster- and namespace-wide files).
public struct RenderedFile: Sendable {
    /// The path relative to the output folder.
    public var path: String
    /// The objects, in the order written to the file.
    public var objects: [JSONValue]
    /// The service the objects belong to, nil for cluster- and namespace-wide files.
    public var service: String?
    /// The database the objects belong to, if any.
    public var database: String?
    /// The environment the objects belong to, if any.
    public var environment: String?
}

/// Turns a plan into Kubernetes objects and files.
///
/// Layout: `<cluster>/_cluster.yaml` holds cluster-scoped objects; `<cluster>/<namespace>/`
/// holds `_namespace.yaml` (namespace-wide objects) and one `<service>.yaml` per service with
/// every object that belongs to that service, so a change to one service touches its own file.
public struct Renderer: Sendable {
    /// Immutable: the traffic graph and the shared hosts are derived from it once.
    public let plan: Plan
    /// The address plan, when the spec planned one (static addresses, cross-cluster endpoints).
    public let ipPlan: IPPlan?
    /// The plan's traffic graph, by target and local end.
    let traffic: TrafficIndex
    var spec: Spec { plan.spec }
    /// Public hostnames served by more than one cluster, each with those clusters (plan order).
    /// DNS must split traffic between the clusters and certificates need DNS-01 for them.
    let sharedHosts: [String: [String]]

    /// A renderer of `plan`; `ipPlan` gives the planned addresses objects name.
    public init(plan: Plan, ipPlan: IPPlan? = nil) {
        var plan = plan
        if plan.ipPlan == nil { plan.ipPlan = ipPlan }
        self.plan = plan
        self.ipPlan = ipPlan ?? plan.ipPlan
        self.traffic = TrafficIndex(plan: plan)
        self.sharedHosts = Renderer.sharedHosts(plan)
    }

    /// Hostnames of public placements served by two or more clusters, with the clusters.
    static func sharedHosts(_ plan: Plan) -> [String: [String]] {
        var clusters: [String: [String]] = [:]
        for t in plan.targets {
            for p in t.placements {
                guard let host = p.hostname, p.publicRoute != nil, p.service.port != nil else { continue }
                if clusters[host]?.contains(t.cluster.name) != true { clusters[host, default: []].append(t.cluster.name) }
            }
        }
        return clusters.filter { $0.value.count > 1 }
    }

    /// One unit of rendering work: a file and what goes in it.
    enum Job: Sendable {
        case cluster(Cluster)
        case namespace(Int)
        case service(target: Int, placement: Int)
        case database(target: Int, database: Int, role: Plan.DatabaseRole?)
    }

    /// The objects of one plain-render file, with what they belong to.
    struct Unit: Sendable {
        enum Owner: Sendable, Hashable {
            /// Cluster-scoped objects of one cluster.
            case cluster(String)
            /// Namespace-wide objects of one target (an index into `plan.targets`).
            case namespace(Int)
            /// The objects of one service in one target.
            case service(target: Int, service: String)
            /// The objects of one database in one target (its primary or replica cluster).
            case database(target: Int, database: String)

            /// The kustomize group the unit belongs to across targets: a service's name, or
            /// `_database-<name>` ('_' cannot start a service name, so the two never collide).
            var group: String? {
                switch self {
                case .service(_, let s): s
                case .database(_, let d): "_database-\(d)"
                case .cluster, .namespace: nil
                }
            }
        }
        var owner: Owner
        var path: String
        var docs: [JSONValue]
    }

    /// Every artifact, sorted by path: the plain render, then (when the spec asks for them)
    /// the kustomize layout, Argo CD objects, Helm charts, registry policy and local cluster configs.
    /// Files are rendered in parallel; the result does not depend on scheduling.
    public func render() -> [Artifact] { render(units: renderUnits()) }

    /// Every artifact and the references among the rendered objects that do not resolve (see
    /// `ReferenceCheck`). `dropping` (`<cluster>/<Kind>/<namespace>/<name>`, namespace empty for
    /// cluster-scoped objects) removes one object before the check: a test hook that proves a
    /// broken reference is caught.
    public func renderVerified(dropping: String? = nil) -> (artifacts: [Artifact], problems: [ReferenceCheck.Problem]) {
        var units = StageTimer.measure("render: objects") { renderUnits() }
        if let drop = dropping {
            units = units.map { u in
                var u = u
                let cluster = u.path.split(separator: "/").first.map(String.init) ?? ""
                u.docs.removeAll { d in
                    "\(cluster)/\(d["kind"]?.stringValue ?? "")/\(d.at("metadata.namespace")?.stringValue ?? "")/\(d.at("metadata.name")?.stringValue ?? "")"
                        == drop
                }
                return u
            }
        }
        // The plain files and the kustomize layout need the objects alone: they are serialised
        // on other threads while the objects are grouped, indexed and the Argo CD objects built.
        let renderer = self
        let final = units
        let fromUnits = Background { renderer.unitArtifacts(final) }
        // One grouping of the objects by cluster serves the add-on selection and the check.
        let byCluster = StageTimer.measure("render: group by cluster") { ReferenceCheck.objectsByCluster(units.map { ($0.path, $0.docs) }) }
        // One pass per cluster indexes the objects for the check and records what they use
        // for the add-on selection.
        var indexes = StageTimer.measure("render: index") { ReferenceCheck.indexes(byCluster) }
        let installed = StageTimer.measure("render: add-ons") { addons(indexes: indexes) }
        for (c, spaces) in providedNamespaces(installed, clusters: Array(indexes.keys)) { indexes[c]?.addAddonNamespaces(spaces) }
        // The Argo CD objects: the add-ons' Applications (`addons/`) and, with GitOps, the
        // workload AppProject and ApplicationSets (`argocd/`), each checked against its project
        // and the folders the render writes. `dropping` may name one of them as
        // `argocd/<Kind>/<namespace>/<name>`.
        let argo = StageTimer.measure("render: argo") { argoObjects(units, addons: installed) }
        var checked = argo.all
        if let drop = dropping {
            checked.removeAll { d in
                "argocd/\(d["kind"]?.stringValue ?? "")/\(d.at("metadata.namespace")?.stringValue ?? "")/\(d.at("metadata.name")?.stringValue ?? "")"
                    == drop
            }
        }
        // The check inside the clusters runs on another thread while the artifacts are
        // serialised (both cores stay busy through the serial parts of either); the Argo CD
        // check needs the artifact paths, so it follows.
        let objects = byCluster
        let built = indexes
        let inside = Background {
            StageTimer.measure("render: reference check (clusters, beside serialise)") {
                ReferenceCheck.clusterProblems(byCluster: objects, indexes: built)
            }
        }
        let artifacts = StageTimer.measure("render: serialise") { render(units: units, argo: argo, fromUnits: fromUnits) }
        var problems = StageTimer.measure("render: reference check") {
            inside.value()
                + ReferenceCheck.argoProblems(
                    checked, clusters: Set(byCluster.keys), objects: byCluster,
                    paths: argo.workload == nil ? [] : Set(artifacts.map(\.path)))
        }
        // Every kind needs the add-on serving its API on the object's cluster (addons/).
        problems += StageTimer.measure("render: served kinds") { unserved(byCluster, indexes, installed) }.map {
            ReferenceCheck.Problem(
                cluster: $0.cluster, object: $0.object, target: "an add-on serving \($0.api) (\($0.api) \($0.why))", field: "apiVersion")
        }
        // The object trees are freed on another thread, while the caller writes the files.
        dropInBackground((consume units, consume byCluster, consume indexes))
        return (artifacts, problems)
    }

    /// The artifacts made from the units alone: the plain files and, with GitOps, the kustomize layout.
    func unitArtifacts(_ units: [Unit]) -> [Artifact] {
        let renderer = self
        var artifacts = StageTimer.measure("serialise: plain files") {
            parallelMap(0..<units.count) { renderer.file(units[$0].path, units[$0].docs) }
        }
        if spec.delivery.gitops != nil { artifacts += StageTimer.measure("serialise: kustomize") { kustomizeArtifacts(units) } }
        return artifacts
    }

    /// `argo`: the add-ons and Argo CD objects of these units when the caller has them already;
    /// `fromUnits`: their `unitArtifacts`, when the caller started them already.
    func render(units: [Unit], argo given: ArgoObjects? = nil, fromUnits: Background<[Artifact]>? = nil) -> [Artifact] {
        let argo = given ?? argoObjects(units, addons: addons(units))
        let renderer = self
        // The foundation is built on another thread while the rest is serialised: it reads
        // the objects but no other artifact, and much of it runs on one core.
        let addons = argo.addons
        let infra = Background {
            StageTimer.measure("serialise: infra (beside the rest)") { renderer.infraArtifacts(units: units, addons: addons) }
        }
        var artifacts = StageTimer.measure("serialise: plain files and kustomize, waiting") { fromUnits?.value() ?? unitArtifacts(units) }
        StageTimer.measure("serialise: argo, add-ons, helm") {
            artifacts += argoCDArtifacts(argo.workload)
            artifacts += addonArtifacts(argo)
            artifacts += helmArtifacts(units)
        }
        StageTimer.measure("serialise: registry .. alertmanager") {
            artifacts += registryArtifacts()
            artifacts += localClusterArtifacts()
            artifacts += bucketArtifacts()
            artifacts += azureArtifacts()
            if let book = runbook() { artifacts.append(book) }
            if let ipPlan {
                artifacts.append(
                    Artifact(path: "network/ip-plan.json", contents: ipPlan.json().serialized(pretty: true) + "\n", objects: 0))
            }
            artifacts += edgeArtifacts()
            artifacts += alertmanagerArtifacts()
        }
        artifacts += StageTimer.measure("serialise: infra, waiting") { infra.value() }
        if !providerManagesControlPlane { artifacts += spec.clusters.map { auditPolicy($0) } }
        return artifacts.sorted { $0.path < $1.path }
    }

    /// The Kubernetes objects of every plain-render YAML file, before serialisation, in path
    /// order. `berth audit` reads these instead of parsing the YAML back.
    public func renderedFiles() -> [RenderedFile] {
        renderUnits().map { u in
            switch u.owner {
            case .service(let ti, let name):
                return RenderedFile(path: u.path, objects: u.docs, service: name, environment: plan.targets[ti].environment.name)
            case .database(let ti, let name):
                return RenderedFile(path: u.path, objects: u.docs, database: name, environment: plan.targets[ti].environment.name)
            case .cluster, .namespace:
                return RenderedFile(path: u.path, objects: u.docs)
            }
        }
    }

    /// The objects of the plain render, one unit per file, sorted by path.
    func renderUnits() -> [Unit] {
        var jobs: [Job] = []
        var clustersSeen: Set<String> = []
        for (ti, t) in plan.targets.enumerated() {
            if clustersSeen.insert(t.cluster.name).inserted { jobs.append(.cluster(t.cluster)) }
            jobs.append(.namespace(ti))
            for pi in t.placements.indices { jobs.append(.service(target: ti, placement: pi)) }
            for (di, d) in spec.databases.enumerated() {
                let role = plan.role(of: d, in: t)
                let used = t.placements.contains { $0.service.uses.contains { $0.kind == .database && $0.name == d.name } }
                if role != nil || used { jobs.append(.database(target: ti, database: di, role: role)) }
            }
        }
        let renderer = self
        let work = jobs
        let units = parallelMap(0..<work.count) { i -> Unit? in
            switch work[i] {
            case .cluster(let c):
                let docs = renderer.clusterObjects(c)
                return docs.isEmpty ? nil : Unit(owner: .cluster(c.name), path: "\(c.name)/_cluster.yaml", docs: renderer.waved(docs))
            case .namespace(let ti):
                let t = renderer.plan.targets[ti]
                return Unit(
                    owner: .namespace(ti), path: "\(t.cluster.name)/\(t.namespace)/_namespace.yaml",
                    docs: renderer.waved(renderer.namespaceObjects(t)))
            case .service(let ti, let pi):
                let t = renderer.plan.targets[ti]
                let p = t.placements[pi]
                return Unit(
                    owner: .service(target: ti, service: p.service.name),
                    path: "\(t.cluster.name)/\(t.namespace)/\(p.service.name).yaml",
                    docs: renderer.waved(renderer.serviceObjects(p, in: t)))
            case .database(let ti, let di, let role):
                let t = renderer.plan.targets[ti]
                let d = renderer.spec.databases[di]
                // '_' cannot start a service name, so database files never collide with service files.
                return Unit(
                    owner: .database(target: ti, database: d.name),
                    path: "\(t.cluster.name)/\(t.namespace)/_database-\(d.name).yaml",
                    docs: renderer.waved(renderer.databaseObjects(d, role: role, in: t)))
            }
        }
        return units.compactMap { $0 }.sorted { $0.path < $1.path }
    }

    func file(_ path: String, _ docs: [JSONValue]) -> Artifact {
        Artifact(path: path, contents: yamlStream(docs, header: header), objects: docs.count)
    }

    let header = "# Generated by berth from the platform spec. Do not edit; change the spec and render again.\n"

    // MARK: labels

    func labels(_ p: Placement, _ t: Target, withVersion: Bool = true) -> JSONValue {
        var l: [(String, JSONValue)] = [
            ("app.kubernetes.io/name", .string(p.service.name)),
            ("app.kubernetes.io/instance", .string("\(p.service.name)-\(t.environment.name)")),
        ]
        if withVersion, let v = p.version { l.append(("app.kubernetes.io/version", .string(v))) }
        l += [
            ("app.kubernetes.io/part-of", .string(spec.platform)),
            ("app.kubernetes.io/managed-by", "berth"),
            ("berth.dev/environment", .string(t.environment.name)),
        ]
        return .object(l)
    }

    /// Pod template labels: the object labels, plus Azure workload identity's opt-in label
    /// when the ServiceAccount carries a client id.
    func podLabels(_ p: Placement, _ t: Target) -> JSONValue {
        let l = labels(p, t)
        guard spec.provider.name == .azure, workloadIdentity(service: p.service.name, environment: t.environment.name) != nil,
            case .object(let pairs) = l
        else { return l }
        return .object(pairs + [("azure.workload.identity/use", "true")])
    }

    func selector(_ p: Placement, _ t: Target) -> JSONValue {
        [
            "app.kubernetes.io/name": .string(p.service.name),
            "app.kubernetes.io/instance": .string("\(p.service.name)-\(t.environment.name)"),
        ]
    }

    func namespaceLabels(_ t: Target) -> JSONValue {
        [
            "app.kubernetes.io/part-of": .string(spec.platform), "app.kubernetes.io/managed-by": "berth",
            "berth.dev/environment": .string(t.environment.name),
        ]
    }

    /// A name as it appears in an environment variable's name: upper case, '-' as '_'
    /// (`orders-db` -> `ORDERS_DB`). Names are ASCII (DNS labels).
    static func envWord(_ name: String) -> String {
        String(decoding: name.utf8.map { c in c == 0x2D ? 0x5F : (c >= 0x61 && c <= 0x7A ? c - 0x20 : c) }, as: UTF8.self)
    }

    func versionLabel(_ image: String) -> String? { Placement.version(of: image) }

    func meta(_ name: String, _ ns: String?, labels: JSONValue, annotations: JSONValue? = nil) -> JSONValue {
        var m: [(String, JSONValue)] = [("name", .string(name))]
        if let ns { m.append(("namespace", .string(ns))) }
        m.append(("labels", labels))
        if let a = annotations { m.append(("annotations", a)) }
        return .object(m)
    }

    // MARK: cluster-scoped

    func clusterObjects(_ c: Cluster) -> [JSONValue] {
        var docs: [JSONValue] = storageObjects(c)
        if let tls = spec.security.tls {
            docs.append(clusterIssuer(tls, cluster: c))
            docs += issuerSupport(tls)
        }
        docs += clusterSecretStore(c)
        docs += linkerdIdentityObjects()
        docs += metallbObjects(c)
        docs += clusterAdminBindings()
        docs += falcoRules(c)
        docs += clusterAutoscalerSettings(c)
        docs += clusterMonitoring(c)
        return docs
    }

    var issuerName: String { spec.security.tls?.issuer ?? "letsencrypt" }

    func clusterIssuer(_ tls: Security.TLS, cluster c: Cluster) -> JSONValue {
        let labels: JSONValue = ["app.kubernetes.io/part-of": .string(spec.platform), "app.kubernetes.io/managed-by": "berth"]
        let body: JSONValue
        switch tls.issuer {
        case "selfsigned":
            body = ["selfSigned": [:]]
        case "ca":
            body = ["ca": ["secretName": .string(tls.caSecret)]]
        case "vault":
            body = ["vault": vaultIssuer(tls, cluster: c)]
        default:
            let server =
                tls.issuer == "letsencrypt-staging"
                ? "https://acme-staging-v02.api.letsencrypt.org/directory"
                : "https://acme-v02.api.letsencrypt.org/directory"
            let solver: JSONValue
            if spec.network.ingress.api == .gateway {
                let refs: [JSONValue] = plan.targets.filter {
                    $0.cluster.name == c.name && $0.placements.contains { $0.publicRoute != nil }
                }
                .map { ["name": .string(spec.platform), "namespace": .string($0.namespace), "kind": "Gateway", "sectionName": "http"] }
                solver = ["http01": ["gatewayHTTPRoute": ["parentRefs": .array(refs)]]]
            } else {
                solver = ["http01": ["ingress": ["ingressClassName": .string(spec.network.ingress.className)]]]
            }
            // Hosts served by more than one cluster: only the cluster DNS points at could pass
            // HTTP-01, so they are solved through DNS (the most specific selector wins).
            var solvers: [JSONValue] = []
            let shared = sharedHosts.filter { $0.value.contains(c.name) }.keys.sorted()
            if !shared.isEmpty, let dns01 = dns01Solver(cluster: c) {
                solvers.append(["dns01": dns01, "selector": ["dnsNames": .array(shared.map { .string($0) })]])
            }
            solvers.append(solver)
            body = [
                "acme": [
                    "email": .string(tls.email),
                    "server": .string(server),
                    "privateKeySecretRef": ["name": .string("\(tls.issuer)-account-key")],
                    "solvers": .array(solvers),
                ]
            ]
        }
        return [
            "apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer",
            "metadata": ["name": .string(tls.issuer), "labels": labels], "spec": body,
        ]
    }

    /// cert-manager's DNS-01 solver for `network.dns.provider`, using cert-manager's own
    /// identity where the cloud has one (route53: ambient credentials of its ServiceAccount's
    /// IAM role; google: GKE workload identity; azure: the managed identity `provider.account`)
    /// and Secrets named here, never their values, elsewhere (cloudflare: `cloudflare-api-token`
    /// key `api-token`; rfc2136: `rfc2136-tsig` key `secret`, TSIG key `<platform>-cert-manager`),
    /// in cert-manager's cluster resource namespace. nil for pdns, which has no built-in
    /// solver (`berth check` reports it).
    func dns01Solver(cluster c: Cluster) -> JSONValue? {
        let dns = spec.network.dns
        switch dns.provider {
        case "route53":
            return ["route53": ["region": .string(c.region.value)]]
        case "google":
            return ["cloudDNS": ["project": .string(dns.project)]]
        case "azure":
            var azure: [(String, JSONValue)] = [
                ("subscriptionID", .string(dns.subscription)),
                ("resourceGroupName", .string(dns.resourceGroup)),
                ("environment", "AzurePublicCloud"),
            ]
            if !spec.provider.account.isEmpty { azure.append(("managedIdentity", ["clientID": .string(spec.provider.account)])) }
            return ["azureDNS": .object(azure)]
        case "cloudflare":
            return ["cloudflare": ["apiTokenSecretRef": ["name": "cloudflare-api-token", "key": "api-token"]]]
        case "rfc2136":
            return [
                "rfc2136": [
                    "nameserver": .string(dns.server),
                    "tsigKeyName": .string("\(spec.platform)-cert-manager"),
                    "tsigAlgorithm": "HMACSHA256",
                    "tsigSecretSecretRef": ["name": "rfc2136-tsig", "key": "secret"],
                ]
            ]
        default:
            return nil
        }
    }

    // MARK: namespace-wide

    func namespaceObjects(_ t: Target) -> [JSONValue] {
        let ns = t.namespace
        let k8sMinor = t.cluster.kubernetes
        var nsLabels: [(String, JSONValue)] = [
            ("pod-security.kubernetes.io/enforce", .string(spec.security.podSecurity)),
            ("pod-security.kubernetes.io/enforce-version", .string("v\(k8sMinor)")),
            ("pod-security.kubernetes.io/audit", .string(spec.security.podSecurity)),
            ("pod-security.kubernetes.io/warn", .string(spec.security.podSecurity)),
        ]
        if case .object(let base) = namespaceLabels(t) { nsLabels += base }
        nsLabels += meshNamespaceLabels()
        var nsMeta: [(String, JSONValue)] = [("name", .string(ns)), ("labels", .object(nsLabels))]
        let nsAnnotations = meshNamespaceAnnotations()
        if !nsAnnotations.isEmpty { nsMeta.append(("annotations", .object(nsAnnotations))) }
        var docs: [JSONValue] = [
            ["apiVersion": "v1", "kind": "Namespace", "metadata": .object(nsMeta)]
        ]
        docs += meshNamespaceObjects(t)
        docs += quota(t)
        if spec.security.networkPolicy == .defaultDeny {
            docs += baselinePolicies(t)
        }
        docs += rbac(t)
        docs += gateway(t)
        docs += gatewayMonitor(t)
        docs += rateLimitFilter(t)
        docs += platformRules(t)
        docs += dashboardConfigMap(t)
        docs += gatewayDashboard(t)
        return docs
    }

    /// ResourceQuota and LimitRange sized from what runs in the namespace: the services at max
    /// replicas x requests, the database instance and PgBouncer pods (from the plan's database
    /// footprints, as rendered), plus headroom.
    func quota(_ t: Target) -> [JSONValue] {
        var cpu: Int64 = 0
        var mem: Int64 = 0
        var cpuLim: Int64 = 0
        var memLim: Int64 = 0
        var pods = 0
        for p in t.placements {
            let n = Int64(p.replicas.max)
            cpu += n * p.resources.cpu.milli
            mem += n * p.resources.memory.units
            cpuLim += n * p.resources.cpuLimit.milli
            memLim += n * p.resources.memoryLimit.units
            pods += p.replicas.max
        }
        for f in plan.databaseFootprints(in: t) {
            let i = Int64(f.instances)
            let b = Int64(f.poolerInstances)
            cpu += i * f.instanceCPUMilli + b * Plan.poolerResources.cpuRequest.milli
            mem += i * f.instanceMemoryBytes + b * Plan.poolerResources.memoryRequest.units
            cpuLim += i * f.instanceCPUMilli + b * Plan.poolerResources.cpuLimit.milli
            memLim += i * f.instanceMemoryBytes + b * Plan.poolerResources.memoryLimit.units
            pods += f.instances + f.poolerInstances
        }
        let h = Int64(100 + t.environment.headroom)
        func up(_ v: Int64, _ unit: Int64) -> Int64 { (v * h / 100 + unit - 1) / unit * unit }
        let mi: Int64 = 1 << 20
        let podsQuota = (pods * Int(h) + 99) / 100 + 5
        let quota: JSONValue = [
            "apiVersion": "v1", "kind": "ResourceQuota",
            "metadata": meta("compute", t.namespace, labels: namespaceLabels(t)),
            "spec": [
                "hard": [
                    "requests.cpu": .string(Quantity.cpuText(milli: up(max(cpu, 100), 100))),
                    "requests.memory": .string(Quantity.bytesText(up(max(mem, 128 * mi), 64 * mi))),
                    "limits.cpu": .string(Quantity.cpuText(milli: up(max(cpuLim, 100), 100))),
                    "limits.memory": .string(Quantity.bytesText(up(max(memLim, 128 * mi), 64 * mi))),
                    "pods": .string(String(podsQuota)),
                ]
            ],
        ]
        let largest = t.cluster.nodePools.max { $0.allocatableMemoryBytes < $1.allocatableMemoryBytes }
        var limitItem: [(String, JSONValue)] = [
            ("type", "Container"),
            ("default", ["cpu": "200m", "memory": "256Mi"]),
            ("defaultRequest", ["cpu": "100m", "memory": "128Mi"]),
        ]
        if let pool = t.cluster.nodePools.max(by: { $0.allocatableCPUMilli < $1.allocatableCPUMilli }), let largest {
            limitItem.append(
                (
                    "max",
                    [
                        "cpu": .string(Quantity.cpuText(milli: pool.allocatableCPUMilli)),
                        "memory": .string(Quantity.bytesText(largest.allocatableMemoryBytes / mi * mi)),
                    ]
                ))
        }
        let limits: JSONValue = [
            "apiVersion": "v1", "kind": "LimitRange",
            "metadata": meta("defaults", t.namespace, labels: namespaceLabels(t)),
            "spec": ["limits": [.object(limitItem)]],
        ]
        return [quota, limits]
    }

    // MARK: per service

    func serviceObjects(_ p: Placement, in t: Target) -> [JSONValue] {
        var docs: [JSONValue] = []
        let ns = t.namespace
        let name = p.service.name
        let identity = workloadIdentity(service: name, environment: t.environment.name)
        docs.append([
            "apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": meta(
                name, ns, labels: labels(p, t, withVersion: false),
                annotations: identity.map { .object([($0.0, .string($0.1))] + azureIdentityAnnotation(name, scope: t.environment.name)) }),
            "automountServiceAccountToken": false,
        ])
        docs += externalSecrets(p, t)
        docs.append(deployment(p, t))
        if p.service.isScheduled {
            // A scheduled run calls what it uses and nothing calls it: no Service, route,
            // autoscaler or disruption budget, only its NetworkPolicy.
            if spec.security.networkPolicy == .defaultDeny {
                docs.append(networkPolicy(.service(name), name: name, labels: labels(p, t, withVersion: false), in: t))
            }
            return docs
        }
        if let port = p.service.port {
            docs.append(clusterIPService(p, t, port: port))
        }
        if let x = p.service.exposure, let port = p.service.port {
            docs.append(partnerLoadBalancer(p, t, x, port: port))
        }
        if !p.service.volumes.isEmpty {
            docs.append(headlessService(p, t))
        }
        if p.replicas.max > p.replicas.min {
            docs.append(horizontalPodAutoscaler(p, t))
        }
        if p.replicas.max > 0 {
            docs.append([
                "apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
                "metadata": meta(name, ns, labels: labels(p, t, withVersion: false)),
                "spec": ["maxUnavailable": 1, "selector": ["matchLabels": selector(p, t)]],
            ])
        }
        if spec.security.networkPolicy == .defaultDeny {
            docs.append(networkPolicy(.service(name), name: name, labels: labels(p, t, withVersion: false), in: t))
        }
        docs += exposure(p, t)
        docs += meshServiceObjects(p, t, callers: callers(of: p, in: t))
        docs += verticalPodAutoscaler(p, t)
        docs += serviceMonitoring(p, in: t)
        return docs
    }

    /// One entry of a Service's `ports`: the service's named port.
    private func servicePort(_ p: Placement, _ port: Int) -> JSONValue {
        [
            "name": .string(portName(p)), "port": .int(port), "targetPort": .string(portName(p)),
            "protocol": .string(transport(p)),
        ]
    }

    /// The service's ClusterIP Service: its port, and the extra metrics port when it has one.
    private func clusterIPService(_ p: Placement, _ t: Target, port: Int) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Service",
            "metadata": meta(p.service.name, t.namespace, labels: labels(p, t, withVersion: false)),
            "spec": .object(
                [
                    ("type", "ClusterIP"),
                    ("selector", selector(p, t)),
                ] + ipFamilies + [
                    (
                        "ports",
                        .array(
                            [servicePort(p, port)]
                                + (extraMetricsPort(p).map {
                                    [["name": "metrics", "port": .int($0), "targetPort": "metrics", "protocol": "TCP"]]
                                } ?? []))
                    )
                ]),
        ]
    }

    /// The headless `<name>-pods` Service a StatefulSet names its pods under.
    private func headlessService(_ p: Placement, _ t: Target) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Service",
            "metadata": meta("\(p.service.name)-pods", t.namespace, labels: labels(p, t, withVersion: false)),
            "spec": .object(
                [
                    ("clusterIP", "None"),
                    ("publishNotReadyAddresses", true),
                    ("selector", selector(p, t)),
                ]
                    + (p.service.port.map { port in
                        [("ports", JSONValue.array([servicePort(p, port)]))]
                    } ?? [])),
        ]
    }

    private func horizontalPodAutoscaler(_ p: Placement, _ t: Target) -> JSONValue {
        [
            "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": meta(p.service.name, t.namespace, labels: labels(p, t, withVersion: false)),
            "spec": [
                "scaleTargetRef": ["apiVersion": "apps/v1", "kind": .string(workloadKind(p.service)), "name": .string(p.service.name)],
                "minReplicas": .int(max(1, p.replicas.min)),
                "maxReplicas": .int(p.replicas.max),
                "metrics": [
                    [
                        "type": "Resource",
                        "resource": [
                            "name": "cpu", "target": ["type": "Utilization", "averageUtilization": .int(p.replicas.cpu)],
                        ],
                    ]
                ],
                "behavior": ["scaleDown": ["stabilizationWindowSeconds": 300]],
            ],
        ]
    }

    /// Services are dual-stack when the plan has IPv6 (`network.ipv6`): both families where the
    /// cluster has them, IPv4 alone where it does not (PreferDualStack).
    var ipFamilies: [(String, JSONValue)] {
        spec.network.ipv6 == nil ? [] : [("ipFamilyPolicy", "PreferDualStack"), ("ipFamilies", ["IPv4", "IPv6"])]
    }

    func portName(_ p: Placement) -> String {
        switch p.service.proto {
        case "grpc": "grpc"
        case "tcp": "tcp"
        case "udp": "udp"
        default: "http"
        }
    }

    /// The Kubernetes port protocol: `UDP` for `protocol: udp`, `TCP` otherwise.
    func transport(_ p: Placement) -> String { p.service.proto == "udp" ? "UDP" : "TCP" }

    /// `expose`: a LoadBalancer Service admitting only the partner ranges. The client's
    /// address is kept (`externalTrafficPolicy: Local`, and on AWS the NLB's client IP
    /// preservation) so the service's NetworkPolicy can admit the same ranges.
    func partnerLoadBalancer(_ p: Placement, _ t: Target, _ x: Exposure, port: Int) -> JSONValue {
        let isInternal = x.scope == "internal"
        var annotations: [(String, JSONValue)] = []
        switch spec.provider.name {
        case .aws:
            annotations = [
                ("service.beta.kubernetes.io/aws-load-balancer-type", "external"),
                ("service.beta.kubernetes.io/aws-load-balancer-scheme", isInternal ? "internal" : "internet-facing"),
                ("service.beta.kubernetes.io/aws-load-balancer-nlb-target-type", "ip"),
                ("service.beta.kubernetes.io/aws-load-balancer-target-group-attributes", "preserve_client_ip.enabled=true"),
            ]
            // The security group berth writes for `network.firewall` rules that target the service.
            if spec.network.firewall.contains(where: { $0.to.value == "service/\(p.service.name)" }) {
                annotations.append(
                    (
                        "service.beta.kubernetes.io/aws-load-balancer-security-groups",
                        .string("\(spec.platform)-\(t.cluster.name)-service-\(p.service.name)")
                    ))
                annotations.append(("service.beta.kubernetes.io/aws-load-balancer-manage-backend-security-group-rules", "true"))
            }
        case .gcp:
            annotations = gkeLoadBalancerAnnotations(isInternal: isInternal)
        case .azure:
            if isInternal { annotations = [("service.beta.kubernetes.io/azure-load-balancer-internal", "true")] }
        case .onprem:
            break
        }
        return [
            "apiVersion": "v1", "kind": "Service",
            "metadata": meta(
                "\(p.service.name)-partner", t.namespace, labels: labels(p, t, withVersion: false),
                annotations: annotations.isEmpty ? nil : .object(annotations)),
            "spec": .object([
                ("type", "LoadBalancer"),
                ("externalTrafficPolicy", "Local"),
                ("selector", selector(p, t)),
                ("ports", [servicePort(p, port)]),
                ("loadBalancerSourceRanges", .array(x.from.map { .string($0.value) })),
            ]),
        ]
    }

    func deployment(_ p: Placement, _ t: Target) -> JSONValue {
        let s = p.service
        let process = ipamServerProcess(p, t)
        let wiring = serviceWiring(p, t, process: process)
        let container = serviceContainer(p, process: process, env: wiring.env, mounts: wiring.mounts)
        let podSpec = servicePodSpec(p, t, container: container, volumes: wiring.volumes)
        let annotations = checkovSkips(p, process: process)
        let template: JSONValue = ["metadata": ["labels": podLabels(p, t)], "spec": .object(podSpec)]
        if let schedule = s.schedule {
            return cronJob(p, t, schedule: schedule.value, template: template, annotations: annotations)
        }
        if s.volumes.isEmpty {
            return workloadObject(
                "Deployment", p, t, annotations: annotations,
                spec: [
                    "replicas": .int(p.replicas.min),
                    "revisionHistoryLimit": 5,
                    "selector": ["matchLabels": selector(p, t)],
                    "strategy": ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": "25%", "maxUnavailable": 0]],
                    "template": template,
                ])
        }
        // Volumes make the service a StatefulSet: one claim per replica, kept across restarts.
        return workloadObject(
            "StatefulSet", p, t, annotations: annotations,
            spec: [
                "replicas": .int(p.replicas.min),
                "revisionHistoryLimit": 5,
                "serviceName": .string("\(s.name)-pods"),
                "podManagementPolicy": "Parallel",
                "selector": ["matchLabels": selector(p, t)],
                "updateStrategy": ["type": "RollingUpdate"],
                "persistentVolumeClaimRetentionPolicy": ["whenDeleted": "Retain", "whenScaled": "Retain"],
                "template": template,
                "volumeClaimTemplates": .array(volumeClaimTemplates(p, t)),
            ])
    }

    /// The apps/v1 envelope of a Deployment or StatefulSet.
    private func workloadObject(_ kind: String, _ p: Placement, _ t: Target, annotations: JSONValue?, spec: JSONValue) -> JSONValue {
        [
            "apiVersion": "apps/v1", "kind": .string(kind),
            "metadata": meta(p.service.name, t.namespace, labels: labels(p, t), annotations: annotations),
            "spec": spec,
        ]
    }

    /// A StatefulSet's claims: one per volume, in the volume's storage class.
    private func volumeClaimTemplates(_ p: Placement, _ t: Target) -> [JSONValue] {
        p.service.volumes.map { v in
            var claimSpec: [(String, JSONValue)] = [
                ("accessModes", ["ReadWriteOnce"]),
                ("resources", ["requests": ["storage": .string(v.size.text)]]),
            ]
            if let sc = storageClassName(v.storageClass) { claimSpec.append(("storageClassName", .string(sc))) }
            return ["metadata": ["name": .string(v.name), "labels": selector(p, t)], "spec": .object(claimSpec)]
        }
    }

    /// The container's environment, mounts and the pod's volumes: the spec's env, the team
    /// server's, each database and bucket the service uses, its volumes and secrets.
    private func serviceWiring(
        _ p: Placement, _ t: Target, process: (command: JSONValue, args: JSONValue, env: [JSONValue])?
    ) -> (env: [JSONValue], mounts: [JSONValue], volumes: [JSONValue]) {
        let s = p.service
        var env: [JSONValue] = []
        for (k, v) in p.env { env.append(["name": .string(k), "value": .string(v)]) }
        env += process?.env ?? []
        var mounts: [JSONValue] = [["name": "tmp", "mountPath": "/tmp"]]
        var volumes: [JSONValue] = [["name": "tmp", "emptyDir": ["sizeLimit": "256Mi"]]]
        for u in s.uses {
            let upper = Renderer.envWord(u.name)
            switch u.kind {
            case .database:
                // The checks refuse a use without an endpoint; the fallback keeps the render total.
                let ep = spec.database(u.name).flatMap { plan.endpoint($0, readOnly: u.readOnly, from: t) }
                env.append(["name": .string("DATABASE_\(upper)_HOST"), "value": .string(ep?.host ?? "\(u.name)-rw")])
                env.append(["name": .string("DATABASE_\(upper)_PORT"), "value": "5432"])
                env.append(["name": .string("DATABASE_\(upper)_ACCESS"), "value": .string(u.readOnly ? "read" : "read-write")])
                env.append([
                    "name": .string("DATABASE_\(upper)_CREDENTIALS"), "value": .string("/var/run/secrets/berth/database-\(u.name)"),
                ])
                mounts.append([
                    "name": .string("database-\(u.name)"), "mountPath": .string("/var/run/secrets/berth/database-\(u.name)"),
                    "readOnly": true,
                ])
                volumes.append([
                    "name": .string("database-\(u.name)"), "secret": ["secretName": .string(ep?.credentials ?? "\(u.name)-app")],
                ])
            case .bucket:
                env.append(["name": .string("BUCKET_\(upper)_NAME"), "value": .string(bucketName(u.name, env: t.environment))])
                env.append(["name": .string("BUCKET_\(upper)_ACCESS"), "value": .string(u.readOnly ? "read" : "read-write")])
            }
        }
        for v in s.volumes {
            mounts.append(["name": .string(v.name), "mountPath": .string(v.path)])
        }
        for secret in s.secrets {
            mounts.append(["name": .string("secret-\(secret)"), "mountPath": .string("/var/run/secrets/berth/\(secret)"), "readOnly": true])
            volumes.append(["name": .string("secret-\(secret)"), "secret": ["secretName": .string("\(s.name)-\(secret)")]])
        }
        return (env, mounts, volumes)
    }

    /// The service's one container: image, command, ports, environment, resources, probes
    /// and a locked-down security context.
    private func serviceContainer(
        _ p: Placement, process: (command: JSONValue, args: JSONValue, env: [JSONValue])?, env: [JSONValue], mounts: [JSONValue]
    ) -> [(String, JSONValue)] {
        let s = p.service
        var container: [(String, JSONValue)] = [
            ("name", .string(s.name)),
            ("image", .string(p.image)),
            ("imagePullPolicy", "Always"),
        ]
        if let process {
            container.append(("command", process.command))
            container.append(("args", process.args))
        }
        if let port = s.port {
            container.append(
                (
                    "ports",
                    .array(
                        [["name": .string(portName(p)), "containerPort": .int(port), "protocol": .string(transport(p))]]
                            + (extraMetricsPort(p).map { [["name": "metrics", "containerPort": .int($0), "protocol": "TCP"]] } ?? []))
                ))
        } else if let m = extraMetricsPort(p) {
            container.append(("ports", [["name": "metrics", "containerPort": .int(m), "protocol": "TCP"]]))
        }
        if !env.isEmpty { container.append(("env", .array(env))) }
        container.append(
            (
                "resources",
                [
                    "requests": ["cpu": .string(p.resources.cpu.text), "memory": .string(p.resources.memory.text)],
                    "limits": ["cpu": .string(p.resources.cpuLimit.text), "memory": .string(p.resources.memoryLimit.text)],
                ]
            ))
        // A scheduled run is not served: it has no probes, it ends.
        if !s.isScheduled, let probes = probes(p) {
            container.append(("livenessProbe", probes.0))
            container.append(("readinessProbe", probes.1))
        }
        container.append(
            (
                "securityContext",
                [
                    "allowPrivilegeEscalation": false,
                    "readOnlyRootFilesystem": true,
                    "runAsNonRoot": true,
                    "privileged": false,
                    "capabilities": ["drop": ["ALL"]],
                    "seccompProfile": ["type": "RuntimeDefault"],
                ]
            ))
        container.append(("volumeMounts", .array(mounts)))
        return container
    }

    /// The pod's spec: its account, node pool and tolerations, zone and host spread, the container and volumes.
    private func servicePodSpec(_ p: Placement, _ t: Target, container: [(String, JSONValue)], volumes: [JSONValue]) -> [(
        String, JSONValue
    )] {
        let s = p.service
        var podSpec: [(String, JSONValue)] = [
            ("serviceAccountName", .string(s.name)),
            ("automountServiceAccountToken", false),
            (
                "securityContext",
                [
                    "runAsNonRoot": true, "runAsUser": 10001, "runAsGroup": 10001, "fsGroup": 10001,
                    "seccompProfile": ["type": "RuntimeDefault"],
                ]
            ),
        ]
        if let pool = p.pool {
            podSpec.append(("nodeSelector", .object([(plan.poolLabel, .string(pool.name))])))
            // AKS taints every Spot node itself; pods of a spot pool tolerate that taint too.
            let taints = pool.taints + (spec.provider.name == .azure && pool.spot ? [Renderer.aksSpotTaint] : [])
            if !taints.isEmpty {
                podSpec.append(("tolerations", .array(taints.map(toleration))))
            }
        }
        let production = t.environment.tier == .production
        podSpec.append(
            (
                "topologySpreadConstraints",
                [
                    [
                        "maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
                        "whenUnsatisfiable": .string(production ? "DoNotSchedule" : "ScheduleAnyway"),
                        "labelSelector": ["matchLabels": selector(p, t)],
                    ],
                    [
                        "maxSkew": 1, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "ScheduleAnyway",
                        "labelSelector": ["matchLabels": selector(p, t)],
                    ],
                ]
            ))
        if s.isScheduled { podSpec.append(("restartPolicy", .string(s.restartPolicy))) }
        podSpec.append(("containers", [.object(container)]))
        podSpec.append(("volumes", .array(volumes)))
        return podSpec
    }

    private func toleration(_ taint: Taint) -> JSONValue {
        var o: [(String, JSONValue)] = [("key", .string(taint.key))]
        if taint.value.isEmpty {
            o.append(("operator", "Exists"))
        } else {
            o.append(("operator", "Equal"))
            o.append(("value", .string(taint.value)))
        }
        o.append(("effect", .string(taint.effect)))
        return .object(o)
    }

    /// The workload's checkov skip annotations, nil when it needs none.
    private func checkovSkips(_ p: Placement, process: (command: JSONValue, args: JSONValue, env: [JSONValue])?) -> JSONValue? {
        // A tag in an immutable registry names one build, as a digest does; say so where
        // checkov's digest rule would otherwise fail. Without immutable tags there is no skip.
        var skips: [(String, JSONValue)] = []
        if ImageRef.parse(p.image)?.digest == nil, spec.delivery.registry?.immutable == true {
            skips.append(
                (
                    "checkov.io/skip1",
                    "CKV_K8S_43=tags are immutable in the registry (delivery.registry.immutable), so a tag names one build"
                ))
        }
        // libpq takes the team server's ledger password from PGPASSWORD (secretKeyRef); say so
        // where checkov's secrets-as-files rule would otherwise fail.
        if process != nil {
            skips.append(
                (
                    "checkov.io/skip2",
                    "CKV_K8S_35=libpq reads the ledger password from PGPASSWORD; the value stays in the Secret and is never written"
                ))
        }
        return skips.isEmpty ? nil : .object(skips)
    }

    /// History kept of a scheduled service's runs, and how often a failed run is retried.
    static let successfulJobsHistoryLimit = 3
    static let failedJobsHistoryLimit = 3
    static let jobBackoffLimit = 2
    /// How late a missed run may still start (the controller was down, or the previous run
    /// was still going under `concurrencyPolicy: Forbid`).
    static let startingDeadlineSeconds = 600

    /// A scheduled service: one run at a time (`Forbid`), a bounded run time and history,
    /// schedules in UTC, the same pod as a Deployment's.
    func cronJob(_ p: Placement, _ t: Target, schedule: String, template: JSONValue, annotations: JSONValue?) -> JSONValue {
        let s = p.service
        return [
            "apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": meta(s.name, t.namespace, labels: labels(p, t), annotations: annotations),
            "spec": [
                "schedule": .string(schedule),
                "timeZone": "Etc/UTC",
                "concurrencyPolicy": "Forbid",
                "startingDeadlineSeconds": .int(Self.startingDeadlineSeconds),
                "successfulJobsHistoryLimit": .int(Self.successfulJobsHistoryLimit),
                "failedJobsHistoryLimit": .int(Self.failedJobsHistoryLimit),
                "jobTemplate": [
                    "metadata": ["labels": labels(p, t)],
                    "spec": [
                        "activeDeadlineSeconds": .int(s.deadline.seconds),
                        "backoffLimit": .int(Self.jobBackoffLimit),
                        "template": template,
                    ],
                ],
            ],
        ]
    }

    /// The workload kind a service renders as.
    func workloadKind(_ s: Service) -> String { s.isScheduled ? "CronJob" : s.volumes.isEmpty ? "Deployment" : "StatefulSet" }

    func probes(_ p: Placement) -> (JSONValue, JSONValue)? {
        let h = p.service.health
        if !h.command.isEmpty {
            let exec: JSONValue = ["command": .array(h.command.map { .string($0) })]
            return (
                ["exec": exec, "periodSeconds": 20, "timeoutSeconds": 5, "failureThreshold": 3],
                ["exec": exec, "periodSeconds": 10, "timeoutSeconds": 5, "failureThreshold": 3]
            )
        }
        guard let port = h.port ?? p.service.port else { return nil }
        let portValue: JSONValue = h.port == nil ? .string(portName(p)) : .int(port)
        // UDP has no probe a kubelet can run: only health.command (above).
        if p.service.proto == "udp" { return nil }
        if p.service.proto == "tcp" {
            return (
                ["tcpSocket": ["port": portValue], "periodSeconds": 20, "failureThreshold": 3],
                ["tcpSocket": ["port": portValue], "periodSeconds": 10, "failureThreshold": 3]
            )
        }
        return (
            ["httpGet": ["path": .string(h.live), "port": portValue], "periodSeconds": 20, "timeoutSeconds": 5, "failureThreshold": 3],
            ["httpGet": ["path": .string(h.ready), "port": portValue], "periodSeconds": 10, "timeoutSeconds": 5, "failureThreshold": 3]
        )
    }

    /// The physical bucket name in an environment: per environment unless the bucket or environment is shared.
    public func bucketName(_ bucket: String, env: Environment) -> String { plan.bucketName(bucket, env: env) }
}
