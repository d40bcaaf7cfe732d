/// Argo CD: sync waves on rendered objects, one AppProject per platform and ApplicationSets
/// that generate one Application per environment x cluster (plus one per cluster for its
/// cluster-scoped objects), all pointing at the kustomize overlays.
extension Renderer {
    static let syncWaveKey = "argocd.argoproj.io/sync-wave"
    /// Namespace the Argo CD objects live in (Argo CD's own).
    static let argoNamespace = "argocd"

    /// Kinds berth renders that are cluster-scoped (every object of these kinds is rendered
    /// without a namespace; every other object with one).
    static let clusterScopedKinds: Set<String> = [
        "Namespace", "ClusterIssuer", "ClusterSecretStore", "StorageClass", "VolumeSnapshotClass",
        "ClusterRole", "ClusterRoleBinding", "Bundle",
    ]

    /// The sync wave of a kind: namespaces and cluster-scoped config first, then namespaced
    /// config (accounts, access, policies, quotas, secrets, certificates, the gateway), then workloads.
    static func syncWave(_ kind: String) -> String {
        switch kind {
        case "Namespace", "ClusterIssuer", "ClusterSecretStore", "StorageClass", "VolumeSnapshotClass",
            "BackupStorageLocation", "VolumeSnapshotLocation":
            "-1"
        case "Deployment", "StatefulSet", "CronJob", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "HTTPRoute", "Ingress",
            "Cluster":
            "1"
        case "Pooler", "ScheduledBackup": "2"
        default: "0"
        }
    }

    /// Adds the sync-wave annotation to every object when the spec delivers through Argo CD,
    /// after naming secret store keys as the store accepts them (`storeKeysForProvider`).
    func waved(_ rendered: [JSONValue]) -> [JSONValue] {
        let docs = storeKeysForProvider(rendered)
        guard spec.delivery.gitops != nil else { return docs }
        return docs.map { doc in
            guard case .object(var meta)? = doc["metadata"] else { return doc }
            let wave = JSONValue.string(Renderer.syncWave(doc["kind"]?.stringValue ?? ""))
            if let i = meta.firstIndex(where: { $0.0 == "annotations" }), case .object(let a) = meta[i].1 {
                meta[i].1 = .object(a + [(Renderer.syncWaveKey, wave)])
            } else {
                meta.append(("annotations", .object([(Renderer.syncWaveKey, wave)])))
            }
            return doc.setting("metadata", .object(meta))
        }
    }

    var argoLabels: JSONValue {
        ["app.kubernetes.io/part-of": .string(spec.platform), "app.kubernetes.io/managed-by": "berth"]
    }

    func argoCDArtifacts(_ objects: (project: JSONValue, sets: [JSONValue])?) -> [Artifact] {
        guard let (project, sets) = objects else { return [] }
        return [
            file("argocd/project.yaml", [project]),
            file("argocd/applicationsets.yaml", sets),
        ]
    }

    /// The AppProject and the ApplicationSets. The project allows exactly what the
    /// applications sync: every (cluster, namespace) an object of a synced file lands in or
    /// an application points at, and every kind rendered, by scope.
    func argoCDObjects(_ units: [Unit]) -> (project: JSONValue, sets: [JSONValue])? {
        guard let g = spec.delivery.gitops else { return nil }
        let kinds = renderedKinds(units)
        // the first namespace of each cluster: where its cluster-scoped Application points
        var clusterNamespace: [String: String] = [:]
        var clusterOrder: [String] = []
        for t in plan.targets where clusterNamespace[t.cluster.name] == nil {
            clusterNamespace[t.cluster.name] = t.namespace
            clusterOrder.append(t.cluster.name)
        }
        func kindList(_ s: Set<[String]>) -> JSONValue {
            .array(s.sorted { ($0[0], $0[1]) < ($1[0], $1[1]) }.map { ["group": .string($0[0]), "kind": .string($0[1])] })
        }
        let project: JSONValue = [
            "apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject",
            "metadata": [
                "name": .string(spec.platform), "namespace": .string(Renderer.argoNamespace), "labels": argoLabels,
                "annotations": .object([(Renderer.syncWaveKey, .string(Renderer.workloadWave))]),
            ],
            "spec": [
                "description": .string(spec.description.isEmpty ? "Platform \(spec.platform), rendered by berth" : spec.description),
                "sourceRepos": [.string(g.repo)],
                "destinations": .array(projectDestinations(units, clusterOrder: clusterOrder)),
                "clusterResourceWhitelist": kindList(kinds.cluster),
                "namespaceResourceWhitelist": kindList(kinds.namespaced),
            ],
        ]
        var sets = environmentApplicationSets(g, hpaDeployments: kinds.hpaDeployments)
        if !clusterOrder.isEmpty, units.contains(where: { if case .cluster = $0.owner { true } else { false } }) {
            let withObjects = Set(units.compactMap { u -> String? in if case .cluster(let c) = u.owner { c } else { nil } })
            let elements: [JSONValue] = clusterOrder.filter(withObjects.contains).map { c in
                [
                    "cluster": .string(c), "namespace": .string(clusterNamespace[c] ?? ""),
                    "path": .string(gitopsRepoPath(g, "kustomize/clusters/\(c)")),
                ]
            }
            let appSpec: JSONValue = [
                "project": .string(spec.platform),
                "source": argoSource(g, "{{path}}"),
                "destination": ["name": "{{cluster}}", "namespace": "{{namespace}}"],
                "syncPolicy": argoSyncPolicy(g, auto: false, ignoring: false),
            ]
            sets.append(
                applicationSet(
                    name: "\(spec.platform)-clusters", elements: elements,
                    appName: "\(spec.platform)-cluster-{{cluster}}", labels: [], spec: appSpec))
        }
        return (project, sets)
    }

    /// Kinds rendered, by scope ([group, kind]); per target, [kind, name] of the workloads
    /// whose replicas an HPA owns.
    private func renderedKinds(
        _ units: [Unit]
    ) -> (cluster: Set<[String]>, namespaced: Set<[String]>, hpaDeployments: [Int: Set<[String]>]) {
        var clusterKinds: Set<[String]> = []
        var namespacedKinds: Set<[String]> = []
        var hpaDeployments: [Int: Set<[String]>] = [:]
        for u in units {
            for d in u.docs {
                let api = d["apiVersion"]?.stringValue ?? ""
                let group = api.contains("/") ? String(api.split(separator: "/")[0]) : ""
                let kind = d["kind"]?.stringValue ?? ""
                if Renderer.clusterScopedKinds.contains(kind) {
                    clusterKinds.insert([group, kind])
                } else {
                    namespacedKinds.insert([group, kind])
                }
                if kind == "HorizontalPodAutoscaler", case .service(let ti, _) = u.owner,
                    let targetKind = d.at("spec.scaleTargetRef.kind")?.stringValue,
                    let name = d.at("spec.scaleTargetRef.name")?.stringValue
                {
                    hpaDeployments[ti, default: []].insert([targetKind, name])
                }
            }
        }
        return (clusterKinds, namespacedKinds, hpaDeployments)
    }

    /// Destinations: each application's own (the targets' namespaces), then every other
    /// namespace an object of a synced file names (falco, kube-system, velero, ...) per
    /// cluster, in cluster order and by name.
    private func projectDestinations(_ units: [Unit], clusterOrder: [String]) -> [JSONValue] {
        var allowed: Set<[String]> = []
        var destinations: [JSONValue] = []
        for t in plan.targets where allowed.insert([t.cluster.name, t.namespace]).inserted {
            destinations.append(["name": .string(t.cluster.name), "namespace": .string(t.namespace)])
        }
        var extra: [String: Set<String>] = [:]
        for u in units {
            guard let cluster = u.path.split(separator: "/").first.map(String.init) else { continue }
            for d in u.docs {
                guard let ns = d.at("metadata.namespace")?.stringValue, !allowed.contains([cluster, ns]) else { continue }
                extra[cluster, default: []].insert(ns)
            }
        }
        for c in clusterOrder {
            for ns in (extra[c] ?? []).sorted() where allowed.insert([c, ns]).inserted {
                destinations.append(["name": .string(c), "namespace": .string(ns)])
            }
        }
        return destinations
    }

    private func argoSyncPolicy(_ g: Delivery.GitOps, auto: Bool, ignoring: Bool) -> JSONValue {
        let retry: JSONValue = ["limit": 5, "backoff": ["duration": "5s", "factor": 2, "maxDuration": "3m"]]
        var p: [(String, JSONValue)] = []
        if auto { p.append(("automated", ["prune": .bool(g.prune), "selfHeal": .bool(g.selfHeal)])) }
        var options: [JSONValue] = ["CreateNamespace=false", "ServerSideApply=true"]
        if ignoring { options.append("RespectIgnoreDifferences=true") }
        p.append(("syncOptions", .array(options)))
        p.append(("retry", retry))
        return .object(p)
    }

    private func argoSource(_ g: Delivery.GitOps, _ path: String) -> JSONValue {
        ["repoURL": .string(g.repo), "targetRevision": .string(g.branch), "path": .string(path)]
    }

    /// `p` under the repository's `delivery.gitops.path`.
    private func gitopsRepoPath(_ g: Delivery.GitOps, _ p: String) -> String {
        let root = g.path.hasSuffix("/") ? String(g.path.dropLast()) : g.path
        return root.isEmpty || root == "." ? p : "\(root)/\(p)"
    }

    /// One ApplicationSet per environment: an Application per target, ignoring the replicas an HPA owns.
    private func environmentApplicationSets(_ g: Delivery.GitOps, hpaDeployments: [Int: Set<[String]>]) -> [JSONValue] {
        let autoSync = Set(g.autoSync.map(\.value))
        var sets: [JSONValue] = []
        for env in spec.environments {
            let targets = plan.targets.enumerated().filter { $0.element.environment.name == env.name }
            guard !targets.isEmpty else { continue }
            let elements: [JSONValue] = targets.map { _, t in
                [
                    "cluster": .string(t.cluster.name), "namespace": .string(t.namespace),
                    "path": .string(gitopsRepoPath(g, Renderer.overlayPath(t))),
                ]
            }
            var hpa: Set<[String]> = []
            for (ti, _) in targets { hpa.formUnion(hpaDeployments[ti] ?? []) }
            var appSpec: [(String, JSONValue)] = [
                ("project", .string(spec.platform)),
                ("source", argoSource(g, "{{path}}")),
                ("destination", ["name": "{{cluster}}", "namespace": "{{namespace}}"]),
                ("syncPolicy", argoSyncPolicy(g, auto: autoSync.contains(env.name), ignoring: !hpa.isEmpty)),
            ]
            if !hpa.isEmpty {
                appSpec.append(
                    (
                        "ignoreDifferences",
                        .array(
                            hpa.sorted { ($0[1], $0[0]) < ($1[1], $1[0]) }.map {
                                ["group": "apps", "kind": .string($0[0]), "name": .string($0[1]), "jsonPointers": ["/spec/replicas"]]
                            })
                    ))
            }
            sets.append(
                applicationSet(
                    name: "\(spec.platform)-\(env.name)", elements: elements,
                    appName: "\(spec.platform)-\(env.name)-{{cluster}}",
                    labels: [("berth.dev/environment", .string(env.name))], spec: .object(appSpec)))
        }
        return sets
    }

    func applicationSet(name: String, elements: [JSONValue], appName: String, labels: [(String, JSONValue)], spec appSpec: JSONValue)
        -> JSONValue
    {
        var appLabels: [(String, JSONValue)] = []
        if case .object(let base) = argoLabels { appLabels = base }
        appLabels += labels
        return [
            "apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet",
            // In the root application (addons/root.yaml): after every add-on.
            "metadata": [
                "name": .string(name), "namespace": .string(Renderer.argoNamespace), "labels": .object(appLabels),
                "annotations": .object([(Renderer.syncWaveKey, .string(Renderer.workloadWave))]),
            ],
            "spec": [
                "generators": [["list": ["elements": .array(elements)]]],
                "template": [
                    "metadata": ["name": .string(appName), "labels": .object(appLabels)],
                    "spec": appSpec,
                ],
            ],
        ]
    }
}
