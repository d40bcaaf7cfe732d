/// `infra/`: the cloud foundation as managed resources of Crossplane's upjet providers, with
/// `infrastructure: { engine: crossplane }` in the spec (see `Foundation` for what it holds).
///
/// Layout, one Argo CD Application per folder, all on the management cluster (where Argo CD
/// runs), ordered by sync wave before every add-on and workload:
///
/// | folder | wave | what |
/// |---|---|---|
/// | (chart) | -60 | Crossplane itself, from its Helm chart, in `crossplane-system` |
/// | `infra/providers/` | -55 | the provider packages (`pkg.crossplane.io` Provider) |
/// | `infra/config/` | -50 | the ProviderConfig `default`, naming the credentials Secret |
/// | `infra/network/` | -45 | per cluster: network, subnets, gateways, routes, firewall |
/// | `infra/keys/` | -45 | one key and alias per region that encrypts data |
/// | `infra/dns/` | -45 | the public DNS zones |
/// | `infra/clusters/` | -40 | per cluster: its roles, the cluster and its managed add-ons |
/// | `infra/nodepools/` | -35 | per cluster: the node pools |
/// | `infra/identities/` | -35 | one file per workload identity: role, policy, bindings |
/// | `infra/registry/` | -35 | registry repositories and their lifecycle |
/// | `infra/buckets/` | -33 | one file per bucket: bucket, settings, lifecycle, policy |
///
/// The Applications and their AppProject `<platform>-infra` are `argocd/infra.yaml`, which the
/// root application syncs; `addons/bootstrap/argocd-cm.yaml` gains the health check that makes
/// Argo CD wait for managed resources to be Ready, so each wave waits for the one before.
extension Renderer {
    /// Where Crossplane and its providers run on the management cluster.
    static let crossplaneNamespace = "crossplane-system"
    /// The Crossplane Helm chart berth installs, pinned.
    static let crossplaneChart = (repo: "https://charts.crossplane.io/stable", chart: "crossplane", version: "2.3.4")
    /// The annotation berth writes on a ServiceAccount (or a chart's ServiceAccount values)
    /// whose pods use a cloud identity of `infra/` through a binding rather than an annotation
    /// the cloud reads (EKS Pod Identity): it names the identity, for people and for checks.
    public static let cloudIdentityAnnotation = "berth.dev/cloud-identity"

    /// One folder of `infra/`: its Argo CD Application's wave and what it holds.
    struct InfraFolder: Sendable {
        var name: String
        var wave: Int
        var what: String
        var files: [(path: String, docs: [JSONValue])]
    }

    /// What one provider's foundation holds, folder by folder of the layout above; `folders`
    /// puts each part in its folder and wave, the same for every provider.
    struct InfraParts {
        /// The provider's file name under `providers/` and `config/` (`aws`, `gcp`, `azure`).
        var provider: String
        var packages: [JSONValue]
        var config: [JSONValue]
        /// Per cluster (and the provider's shared network files), path and objects.
        var network: [(path: String, docs: [JSONValue])]
        var keys: [JSONValue]
        /// The DNS zones; nil without `network.dns.zones`.
        var zones: [JSONValue]?
        var clusters: [(path: String, docs: [JSONValue])]
        var nodePools: [(path: String, docs: [JSONValue])]
        var identities: [(path: String, docs: [JSONValue])]
        /// The registry's file, its folder's description and objects, when there is one.
        var registry: (path: String, what: String, docs: [JSONValue])?
        /// The buckets' folder description and files.
        var buckets: (what: String, files: [(path: String, docs: [JSONValue])])

        /// The folders of `infra/` in layout order, each in its wave; empty parts have none.
        func folders() -> [InfraFolder] {
            var out = [
                InfraFolder(
                    name: "providers", wave: -55, what: "provider packages", files: [("infra/providers/\(provider).yaml", packages)]),
                InfraFolder(name: "config", wave: -50, what: "provider configuration", files: [("infra/config/\(provider).yaml", config)]),
                InfraFolder(name: "network", wave: -45, what: "networks", files: network),
            ]
            if !keys.isEmpty { out.append(InfraFolder(name: "keys", wave: -45, what: "keys", files: [("infra/keys/keys.yaml", keys)])) }
            if let zones { out.append(InfraFolder(name: "dns", wave: -45, what: "DNS zones", files: [("infra/dns/zones.yaml", zones)])) }
            out.append(InfraFolder(name: "clusters", wave: -40, what: "clusters", files: clusters))
            out.append(InfraFolder(name: "nodepools", wave: -35, what: "node pools", files: nodePools))
            if !identities.isEmpty {
                out.append(InfraFolder(name: "identities", wave: -35, what: "workload identities", files: identities))
            }
            if let registry {
                out.append(InfraFolder(name: "registry", wave: -35, what: registry.what, files: [(registry.path, registry.docs)]))
            }
            if !buckets.files.isEmpty { out.append(InfraFolder(name: "buckets", wave: -33, what: buckets.what, files: buckets.files)) }
            return out
        }
    }

    /// A Crossplane managed resource of the foundation: `name` is its object name,
    /// `externalName` the cloud's name when the provider takes it from the
    /// `crossplane.io/external-name` annotation; `labels` follow the platform's two.
    func managedResource(
        _ apiVersion: String, _ kind: String, _ name: String, externalName: String?, labels: [(String, JSONValue)],
        forProvider: [(String, JSONValue)], initProvider: [(String, JSONValue)], orphan: Bool
    ) -> JSONValue {
        var meta: [(String, JSONValue)] = [
            ("name", .string(name)),
            (
                "labels",
                .object([("app.kubernetes.io/part-of", .string(spec.platform)), ("app.kubernetes.io/managed-by", "berth")] + labels)
            ),
        ]
        if let e = externalName { meta.append(("annotations", .object([("crossplane.io/external-name", .string(e))]))) }
        var s: [(String, JSONValue)] = [("forProvider", .object(forProvider))]
        if !initProvider.isEmpty { s.append(("initProvider", .object(initProvider))) }
        if orphan { s.append(("deletionPolicy", "Orphan")) }
        s.append(("providerConfigRef", ["name": "default"]))
        return ["apiVersion": .string(apiVersion), "kind": .string(kind), "metadata": .object(meta), "spec": .object(s)]
    }

    /// Every file of `infra/` and `argocd/infra.yaml`; empty without `infrastructure` or on
    /// premises. `argo` gives the add-ons, whose identities the foundation creates.
    func infraArtifacts(units: [Unit], addons: [AddonInstance]) -> [Artifact] {
        guard let folders = infraFolders(files: units.map { ($0.path, $0.docs) }, addons: addons) else { return [] }
        var out: [Artifact] = []
        for f in folders {
            for file in f.files { out.append(self.file(file.path, file.docs)) }
        }
        if let apps = infraApplications(folders) { out.append(file("argocd/infra.yaml", apps)) }
        return out
    }

    /// The folders of `infra/` for the spec's provider; nil when the spec asks for none.
    func infraFolders(files: [(path: String, docs: [JSONValue])], addons: [AddonInstance]) -> [InfraFolder]? {
        guard spec.infrastructure != nil, let clusters = plan.foundationClusters() else { return nil }
        switch spec.provider.name {
        case .aws:
            return AWSFoundation(inputs: .init(renderer: self, clusters: clusters, bindings: cloudBindings(files: files, addons: addons)))
                .folders()
        case .gcp:
            let bindings = cloudBindings(files: files, addons: addons, annotation: GCPFoundation.annotation)
            return GCPFoundation(inputs: .init(renderer: self, clusters: clusters, bindings: bindings)).folders()
        case .azure:
            return AzureFoundation(inputs: .init(renderer: self, clusters: clusters, bindings: cloudBindings(files: files, addons: addons)))
                .folders()
        case .onprem: return nil
        }
    }

    /// Who uses each cloud identity: every ServiceAccount (and CloudNativePG cluster's
    /// ServiceAccount template, and add-on chart's ServiceAccount values) whose annotations
    /// name one with `annotation` (`berth.dev/cloud-identity`, or GKE's
    /// `iam.gke.io/gcp-service-account`), by identity name.
    func cloudBindings(
        files: [(path: String, docs: [JSONValue])], addons: [AddonInstance], annotation: String = Renderer.cloudIdentityAnnotation
    ) -> [String: [Foundation.Binding]] {
        var out: [String: Set<Foundation.Binding>] = [:]
        for u in files {
            let cluster = u.path.split(separator: "/").first.map(String.init) ?? ""
            for d in u.docs {
                let kind = d["kind"]?.stringValue ?? ""
                let ns = d.at("metadata.namespace")?.stringValue ?? ""
                let name = d.at("metadata.name")?.stringValue ?? ""
                if kind == "ServiceAccount", let id = d.at("metadata.annotations")?[annotation]?.stringValue {
                    out[id, default: []].insert(Foundation.Binding(cluster: cluster, namespace: ns, serviceAccount: name))
                }
                if kind == "Cluster",
                    let id = d.at("spec.serviceAccountTemplate.metadata.annotations")?[annotation]?.stringValue
                {
                    // CloudNativePG names the ServiceAccount of a cluster after the cluster.
                    out[id, default: []].insert(Foundation.Binding(cluster: cluster, namespace: ns, serviceAccount: name))
                }
            }
        }
        for a in addons {
            let named =
                annotation == Renderer.cloudIdentityAnnotation
                ? addonIdentityName(a.release.name, cluster: a.cluster)
                : addonIdentity(a.release.name, cluster: a.cluster).flatMap { $0.0 == annotation ? $0.1 : nil }
            guard let id = named,
                let account = Renderer.addonServiceAccount[a.release.name],
                a.values.map({ Renderer.mentions($0, id) }) == true
            else { continue }
            out[id, default: []].insert(Foundation.Binding(cluster: a.cluster, namespace: a.release.namespace, serviceAccount: account))
        }
        return out.mapValues { $0.sorted() }
    }

    /// Whether `value` holds the string `text` anywhere.
    static func mentions(_ value: JSONValue, _ text: String) -> Bool {
        switch value {
        case .string(let s): return s == text
        case .array(let a): return a.contains { mentions($0, text) }
        case .object(let o): return o.contains { mentions($0.1, text) }
        default: return false
        }
    }

    /// The ServiceAccount each add-on's chart runs its cloud-facing pods under, as berth sets
    /// it in the chart's values.
    static let addonServiceAccount: [String: String] = [
        "cert-manager": "cert-manager", "external-dns": "external-dns", "velero": "velero-server",
        "cluster-autoscaler": "cluster-autoscaler", "external-secrets": "external-secrets",
        "aws-load-balancer-controller": "aws-load-balancer-controller",
    ]

    /// The Argo CD objects of the foundation: the AppProject `<platform>-infra` and one
    /// Application per folder plus Crossplane's chart, each on the management cluster.
    func infraApplications(_ folders: [InfraFolder]) -> [JSONValue]? {
        guard let g = spec.delivery.gitops else { return nil }
        let root = g.path.hasSuffix("/") ? String(g.path.dropLast()) : g.path
        func repoPath(_ p: String) -> String { root.isEmpty || root == "." ? p : "\(root)/\(p)" }
        let project = "\(spec.platform)-infra"
        var apps: [JSONValue] = [
            infraApplication(
                "crossplane", wave: -60, project: project,
                source: [
                    "repoURL": .string(Renderer.crossplaneChart.repo), "chart": .string(Renderer.crossplaneChart.chart),
                    "targetRevision": .string(Renderer.crossplaneChart.version), "helm": ["releaseName": "crossplane"],
                ])
        ]
        for f in folders {
            apps.append(
                infraApplication(
                    f.name, wave: f.wave, project: project,
                    source: [
                        "repoURL": .string(g.repo), "targetRevision": .string(g.branch), "path": .string(repoPath("infra/\(f.name)")),
                    ]))
        }
        var kinds: Set<[String]> = [
            ["", "Namespace"], ["apiextensions.k8s.io", "CustomResourceDefinition"], ["rbac.authorization.k8s.io", "ClusterRole"],
            ["rbac.authorization.k8s.io", "ClusterRoleBinding"], ["admissionregistration.k8s.io", "ValidatingWebhookConfiguration"],
            ["admissionregistration.k8s.io", "MutatingWebhookConfiguration"],
        ]
        for f in folders {
            for file in f.files {
                for d in file.docs {
                    let api = d["apiVersion"]?.stringValue ?? ""
                    let group = api.contains("/") ? String(api.split(separator: "/")[0]) : ""
                    kinds.insert([group, d["kind"]?.stringValue ?? ""])
                }
            }
        }
        let projectObject: JSONValue = [
            "apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject",
            "metadata": ["name": .string(project), "namespace": .string(Renderer.argoNamespace), "labels": argoLabels],
            "spec": [
                "description": .string("The cloud foundation of \(spec.platform): Crossplane, its providers and managed resources"),
                "sourceRepos": [.string(g.repo), .string(Renderer.crossplaneChart.repo)],
                "destinations": [
                    ["server": "https://kubernetes.default.svc", "namespace": .string(Renderer.crossplaneNamespace)]
                ],
                "clusterResourceWhitelist": .array(
                    kinds.sorted { ($0[0], $0[1]) < ($1[0], $1[1]) }.map { ["group": .string($0[0]), "kind": .string($0[1])] }),
                "namespaceResourceWhitelist": [["group": "*", "kind": "*"]],
            ],
        ]
        return [projectObject] + apps
    }

    /// One Application of the foundation: synced on the management cluster into
    /// `crossplane-system`; managed resources whose kinds an earlier wave installs skip the
    /// dry run that would fail before their CRDs exist.
    private func infraApplication(_ name: String, wave: Int, project: String, source: JSONValue) -> JSONValue {
        var labels: [(String, JSONValue)] = []
        if case .object(let base) = argoLabels { labels = base }
        labels.append(("berth.dev/infra", .string(name)))
        return [
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": [
                "name": .string("\(spec.platform)-infra-\(name)"), "namespace": .string(Renderer.argoNamespace),
                "labels": .object(labels), "annotations": .object([(Renderer.syncWaveKey, .string(String(wave)))]),
                "finalizers": ["resources-finalizer.argocd.argoproj.io"],
            ],
            "spec": [
                "project": .string(project), "source": source,
                "destination": ["server": "https://kubernetes.default.svc", "namespace": .string(Renderer.crossplaneNamespace)],
                "syncPolicy": [
                    "automated": ["prune": false, "selfHeal": true],
                    "syncOptions": ["CreateNamespace=true", "ServerSideApply=true", "SkipDryRunOnMissingResource=true"],
                    "retry": ["limit": 10, "backoff": ["duration": "30s", "factor": 2, "maxDuration": "10m"]],
                ],
            ],
        ]
    }

    /// Argo CD's health check for Crossplane's packages and managed resources: Healthy once
    /// `Ready` (and, for packages, `Healthy`) is True, Degraded when `Synced` is False.
    static let crossplaneHealthLua = """
        health_status = { status = "Progressing", message = "Waiting for the resource to be Ready" }
        if obj.status == nil or obj.status.conditions == nil then
          return health_status
        end
        local ready = false
        local healthy = true
        for _, c in ipairs(obj.status.conditions) do
          if c.type == "Synced" and c.status == "False" then
            health_status.status = "Degraded"
            health_status.message = c.message or c.reason or ""
            return health_status
          end
          if c.type == "Ready" and c.status == "True" then ready = true end
          if c.type == "Healthy" and c.status ~= "True" then healthy = false end
        end
        if ready and healthy then
          health_status.status = "Healthy"
          health_status.message = "Ready"
        end
        return health_status

        """

    /// The `resource.customizations` entry of `argocd-cm` that applies the check to every
    /// upjet managed resource and provider package (wildcards are not allowed in the split keys).
    var crossplaneHealthCustomizations: String {
        let indented = Renderer.crossplaneHealthLua.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.isEmpty ? "" : "    " + $0 }.joined(separator: "\n")
        return ["\"*.upbound.io/*\"", "\"pkg.crossplane.io/*\""].map { "\($0):\n  health.lua: |\n\(indented)" }.joined(separator: "\n")
    }
}
