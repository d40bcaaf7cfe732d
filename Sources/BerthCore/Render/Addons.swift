/// The cluster add-ons: the controllers and CRDs that serve the kinds berth renders, one Argo
/// CD Application per add-on and cluster under `addons/`.
///
/// Which add-ons a cluster gets is read from the plain render of that cluster (the kinds and
/// namespaces its objects use) and the spec (mesh, ingress API, cluster autoscaler, provider):
/// a platform without a mesh gets no mesh, a cluster without VerticalPodAutoscalers no VPA.
/// The same list drives the AppProject `<platform>-addons`, the namespaces the reference check
/// accepts (`ReferenceCheck`), the document's add-on table and `berth diff`.
///
/// Files: `addons/project.yaml` (the add-ons' AppProject), `addons/<cluster>/<addon>.yaml`
/// (one Application each), `addons/root.yaml` (with `delivery.gitops`: the root application
/// that syncs the add-ons and then the workload ApplicationSets, in sync waves) and
/// `addons/bootstrap/argocd-cm.yaml` (the health check Argo CD needs to wait for child
/// Applications).
public struct AddonInstance: Sendable {
    /// The add-on and its pinned (or overridden) release.
    public var release: AddonRelease
    /// The cluster it is installed on.
    public var cluster: String
    /// Sync wave of the Application in the root application: CRDs, then operators, then
    /// what needs other add-ons.
    public var wave: Int
    /// Why the cluster needs it.
    public var reason: String
    /// Helm values (nil for add-ons installed from a Git folder).
    public var values: JSONValue?
}

extension Renderer {
    static let addonWaveCRDs = -30
    static let addonWaveOperators = -20
    static let addonWaveDependents = -10
    /// Wave of the workload ApplicationSets in the root application (after every add-on).
    static let workloadWave = "10"
    /// Add-ons that need objects of the plain render: Linkerd's control plane reads the
    /// identity issuer Secret and trust roots ConfigMap that `_cluster.yaml` makes (through
    /// cert-manager and trust-manager), so it syncs after the workload ApplicationSets.
    static let addonWaveAfterWorkloads = 20

    var addonProject: String { "\(spec.platform)-addons" }

    /// The release of an add-on with `addons.<name>.version` of the spec applied.
    func addonRelease(_ name: String) -> AddonRelease? {
        guard var r = AddonVersions.release(name) else { return nil }
        if let v = spec.root["addons"]?[name]?["version"]?.string, !v.isEmpty { r.version = v }
        return r
    }

    /// The workload identity of an add-on's ServiceAccount on a cluster: (annotation, value),
    /// nil on-premises or without `provider.account`.
    func addonIdentity(_ addon: String, cluster: String) -> (String, String)? {
        // With Pod Identity, External Secrets needs a cloud identity only for a cloud store.
        if podIdentity, addon == "external-secrets", spec.security.secrets?.store != "aws-secrets-manager" { return nil }
        return cloudIdentity(of: addon, in: cluster)
    }

    /// The workload identity of the ServiceAccount of `name` (an add-on or a service) in `scope`
    /// (its cluster or environment): (annotation, value), nil on-premises or without
    /// `provider.account`. The AWS role is `<platform>-<scope>-<name>` (at most 64 characters),
    /// the GCP service account `<name>-<scope>` (6-30 characters, `gcpAccountId`).
    func cloudIdentity(of name: String, in scope: String) -> (String, String)? {
        let account = spec.provider.account
        guard !account.isEmpty else { return nil }
        switch spec.provider.name {
        case .aws:
            let role = awsRoleName(of: name, in: scope)
            if podIdentity { return (Renderer.cloudIdentityAnnotation, role) }
            return ("eks.amazonaws.com/role-arn", "arn:aws:iam::\(account):role/\(role)")
        case .gcp:
            return ("iam.gke.io/gcp-service-account", gcpServiceAccount("\(name)-\(scope)"))
        case .azure:
            return ("azure.workload.identity/client-id", azureClientID(name, environment: scope))
        case .onprem:
            return nil
        }
    }

    /// ServiceAccount annotations and pod labels for an add-on's identity.
    func identityValues(_ addon: String, cluster: String) -> (annotations: JSONValue, podLabels: JSONValue)? {
        guard let (k, v) = addonIdentity(addon, cluster: cluster) else { return nil }
        let labels: JSONValue = spec.provider.name == .azure ? ["azure.workload.identity/use": "true"] : .object([])
        return (.object([(k, .string(v))] + azureIdentityAnnotation(addon, scope: cluster)), labels)
    }

    /// The add-ons of every cluster, in cluster order, each cluster's in wave order then name.
    func addons(_ units: [Unit]) -> [AddonInstance] {
        addons(indexes: ReferenceCheck.indexes(ReferenceCheck.objectsByCluster(units.map { ($0.path, $0.docs) })))
    }

    /// The add-ons of the clusters whose objects the reference check indexed
    /// (`ReferenceCheck.indexes`, which records what the objects use in the same pass).
    func addons(indexes: [String: ReferenceCheck.Index]) -> [AddonInstance] {
        var out: [AddonInstance] = []
        for c in spec.clusters {
            if let ix = indexes[c.name] { out += addons(cluster: c, uses: ix.uses) }
        }
        return out
    }

    /// The namespaces that exist on each cluster without the plain render making them: those the
    /// add-ons create, and an external monitoring stack's (`monitoring.stack: external`).
    func providedNamespaces(_ addons: [AddonInstance], clusters: some Sequence<String>) -> [String: Set<String>] {
        var out: [String: Set<String>] = [:]
        for a in addons { out[a.cluster, default: []].insert(a.release.namespace) }
        if spec.monitoring.stack == .external {
            for c in clusters { out[c, default: []].insert(spec.monitoring.namespace) }
        }
        return out
    }

    /// The add-ons and every Argo CD object, built once for the reference check and the files.
    struct ArgoObjects {
        var addons: [AddonInstance]
        /// The `<platform>-addons` AppProject, nil without add-ons.
        var addonProject: JSONValue?
        /// One Application per add-on, in `addons` order.
        var addonApplications: [JSONValue]
        /// With `delivery.gitops`: the workload AppProject and ApplicationSets.
        var workload: (project: JSONValue, sets: [JSONValue])?

        var all: [JSONValue] {
            (addonProject.map { [$0] } ?? []) + addonApplications + (workload.map { [$0.project] + $0.sets } ?? [])
        }
    }

    func argoObjects(_ units: [Unit], addons installed: [AddonInstance]) -> ArgoObjects {
        ArgoObjects(
            addons: installed, addonProject: installed.isEmpty ? nil : addonProjectObject(installed),
            addonApplications: installed.map { addonApplication($0) }, workload: argoCDObjects(units))
    }

    func addons(cluster c: Cluster, uses: ReferenceCheck.Uses) -> [AddonInstance] {
        let usesGateway = uses.has(group: "gateway.networking.k8s.io")
        let wanted =
            crdAddons(uses) + meshAddons(c, usesGateway: usesGateway) + certificateAddons(c, uses: uses, usesGateway: usesGateway)
            + externalDNSAddons(c, uses: uses, usesGateway: usesGateway) + ingressAddons(c, uses: uses) + storageAddons(c, uses: uses)
            + operatorAddons(c, uses: uses) + veleroAddons(c, uses: uses) + workloadAddons(uses) + clusterAutoscalerAddons(c)
            + loadBalancerAddons(c, uses: uses)
            + monitoringAddons(uses)
        var out: [AddonInstance] = []
        for a in wanted {
            guard var r = addonRelease(a.name) else { continue }
            if let namespace = a.namespace { r.namespace = namespace }
            // Where the chart makes its own ServiceMonitor or PodMonitor, berth turns it on.
            let v = addonMonitoringValues(a.name).map { Renderer.mergeValues(a.values, $0) } ?? a.values
            out.append(AddonInstance(release: r, cluster: c.name, wave: a.wave, reason: a.reason, values: v))
        }
        return out.sorted { ($0.wave, $0.release.name) < ($1.wave, $1.release.name) }
    }

    /// An add-on a cluster needs, before its pinned release is looked up.
    private struct WantedAddon {
        var name: String
        var wave: Int
        var reason: String
        var values: JSONValue?
        var namespace: String? = nil

        init(_ name: String, _ wave: Int, _ reason: String, _ values: JSONValue?, namespace: String? = nil) {
            (self.name, self.wave, self.reason, self.values, self.namespace) = (name, wave, reason, values, namespace)
        }
    }

    /// The add-on's workload identity in its chart's values: the account's annotations where
    /// `account` puts them, then the pod labels when there are any.
    private func identityEntries(
        _ addon: String, cluster: String, account: (JSONValue) -> (String, JSONValue) = { ("serviceAccount", $0) }
    ) -> [(String, JSONValue)] {
        guard let id = identityValues(addon, cluster: cluster) else { return [] }
        // With Pod Identity the association names the ServiceAccount, so its name is set
        // here rather than left to the chart's naming.
        let serviceAccount: JSONValue =
            podIdentity
            ? ["name": .string(Renderer.addonServiceAccount[addon] ?? addon), "annotations": id.annotations]
            : ["annotations": id.annotations]
        var v = [account(serviceAccount)]
        if case .object(let l) = id.podLabels, !l.isEmpty { v.append(("podLabels", id.podLabels)) }
        return v
    }

    /// CRD-only add-ons: Gateway API and volume snapshots.
    private func crdAddons(_ uses: ReferenceCheck.Uses) -> [WantedAddon] {
        var out: [WantedAddon] = []
        if uses.has(group: "gateway.networking.k8s.io") {
            out.append(WantedAddon("gateway-api", Renderer.addonWaveCRDs, "Gateway and HTTPRoute CRDs for the public routes", nil))
        }
        if uses.has(kind: "VolumeSnapshotClass") {
            out.append(
                WantedAddon(
                    "external-snapshotter", Renderer.addonWaveCRDs,
                    "VolumeSnapshot CRDs and the snapshot controller behind the VolumeSnapshotClass", nil))
        }
        return out
    }

    /// The service mesh of `network.mesh`.
    private func meshAddons(_ c: Cluster, usesGateway: Bool) -> [WantedAddon] {
        switch spec.network.mesh {
        case .istio:
            return [
                WantedAddon("istio-base", Renderer.addonWaveCRDs, "Istio CRDs (network.mesh: istio)", ["defaultRevision": "default"]),
                WantedAddon(
                    "istiod", Renderer.addonWaveOperators, "Istio control plane: mTLS and the mesh policies (network.mesh: istio)",
                    [
                        "global": ["meshID": .string(spec.platform), "multiCluster": ["clusterName": .string(c.name)]],
                        "meshConfig": ["outboundTrafficPolicy": ["mode": "REGISTRY_ONLY"]],
                    ]),
            ]
        case .linkerd:
            return [
                WantedAddon(
                    "linkerd-crds", Renderer.addonWaveCRDs, "Linkerd CRDs (network.mesh: linkerd)",
                    ["installGatewayAPI": .bool(!usesGateway)]
                ),
                WantedAddon(
                    "linkerd-control-plane", Renderer.addonWaveAfterWorkloads,
                    "Linkerd control plane: mTLS and the mesh policies (network.mesh: linkerd); its issuer is linkerd/linkerd-identity-issuer",
                    [
                        "identity": ["externalCA": true, "issuer": ["scheme": "kubernetes.io/tls"]]
                    ]),
            ]
        default:
            return []
        }
    }

    /// cert-manager and trust-manager.
    private func certificateAddons(_ c: Cluster, uses: ReferenceCheck.Uses, usesGateway: Bool) -> [WantedAddon] {
        var out: [WantedAddon] = []
        if uses.has(group: "cert-manager.io") {
            var v: [(String, JSONValue)] = [
                ("crds", ["enabled": true, "keep": true]),
                (
                    "config",
                    [
                        "apiVersion": "controller.config.cert-manager.io/v1alpha1", "kind": "ControllerConfiguration",
                        "enableGatewayAPI": .bool(usesGateway),
                    ]
                ),
            ]
            let dns01 =
                ["route53", "google", "azure"].contains(spec.network.dns.provider)
                && !sharedHosts.filter { $0.value.contains(c.name) }.isEmpty
            if dns01 { v += identityEntries("cert-manager", cluster: c.name) }
            out.append(
                WantedAddon(
                    "cert-manager", Renderer.addonWaveOperators,
                    usesGateway
                        ? "Certificates and the ClusterIssuer; Gateway API support for HTTP-01 on the Gateway"
                        : "Certificates and the ClusterIssuer", .object(v)))
        }
        if uses.has(group: "trust.cert-manager.io") {
            // Its webhook's certificate comes from cert-manager (the chart's default).
            out.append(
                WantedAddon(
                    "trust-manager", Renderer.addonWaveDependents,
                    "the Bundle that publishes Linkerd's trust anchor as linkerd/linkerd-identity-trust-roots",
                    [
                        "crds": ["enabled": true, "keep": true],
                        "app": ["trust": ["namespace": .string(Renderer.certManagerNamespace)]],
                    ]))
        }
        return out
    }

    /// external-dns for the public routes' records.
    private func externalDNSAddons(_ c: Cluster, uses: ReferenceCheck.Uses, usesGateway: Bool) -> [WantedAddon] {
        guard uses.dnsAnnotated, !spec.network.dns.zones.isEmpty else { return [] }
        let provider: String =
            switch spec.network.dns.provider {
            case "route53": "aws"
            case "azure": "azure"
            default: spec.network.dns.provider
            }
        var v: [(String, JSONValue)] = [
            ("provider", ["name": .string(provider)]),
            ("sources", .array(usesGateway ? ["gateway-httproute"] : ["ingress"])),
            ("domainFilters", .array(spec.network.dns.zones.map { .string($0.value) })),
            ("txtOwnerId", .string("\(spec.platform)-\(c.name)")),
            ("policy", "upsert-only"),
            ("registry", "txt"),
        ]
        v += externalDNSProviderValues()
        v += identityEntries("external-dns", cluster: c.name)
        return [
            WantedAddon(
                "external-dns", Renderer.addonWaveDependents,
                "DNS records of the public routes in \(spec.network.dns.zones.map(\.value).joined(separator: ", "))", .object(v))
        ]
    }

    /// Provider settings the chart does not derive: the GCP project; the rfc2136 server,
    /// zones and TSIG key (the key's Secret `rfc2136-tsig`, key `secret`, named and never
    /// written, as for cert-manager); Cloudflare's API token Secret.
    private func externalDNSProviderValues() -> [(String, JSONValue)] {
        let dns = spec.network.dns
        switch dns.provider {
        case "google" where !dns.project.isEmpty:
            return [("extraArgs", .array([.string("--google-project=\(dns.project)"), "--google-zone-visibility=public"]))]
        case "rfc2136" where !dns.server.isEmpty:
            let parts = dns.server.split(separator: ":", maxSplits: 1).map(String.init)
            var args: [JSONValue] = [
                .string("--rfc2136-host=\(parts[0])"), .string("--rfc2136-port=\(parts.count > 1 ? parts[1] : "53")"),
            ]
            args += dns.zones.map { .string("--rfc2136-zone=\($0.value)") }
            args += [
                .string("--rfc2136-tsig-keyname=\(spec.platform)-external-dns"), "--rfc2136-tsig-secret-alg=hmac-sha256",
                "--rfc2136-tsig-axfr",
            ]
            return [
                ("extraArgs", .array(args)),
                (
                    "env",
                    [
                        [
                            "name": "EXTERNAL_DNS_RFC2136_TSIG_SECRET",
                            "valueFrom": ["secretKeyRef": ["name": "rfc2136-tsig", "key": "secret"]],
                        ]
                    ]
                ),
            ]
        case "pdns" where !dns.server.isEmpty:
            // The API key: Secret `pdns-api-key`, key `api-key`, named and never written.
            return [
                ("extraArgs", .array([.string("--pdns-server=\(dns.server)")])),
                (
                    "env",
                    [["name": "EXTERNAL_DNS_PDNS_API_KEY", "valueFrom": ["secretKeyRef": ["name": "pdns-api-key", "key": "api-key"]]]]
                ),
            ]
        case "cloudflare":
            return [
                (
                    "env",
                    [["name": "CF_API_TOKEN", "valueFrom": ["secretKeyRef": ["name": "cloudflare-api-token", "key": "api-token"]]]]
                )
            ]
        default:
            return []
        }
    }

    /// The Gateway or Ingress controller, and MetalLB for LoadBalancer addresses on own hardware.
    private func ingressAddons(_ c: Cluster, uses: ReferenceCheck.Uses) -> [WantedAddon] {
        let onprem = spec.provider.name == .onprem
        let ingressNS = spec.network.ingress.namespace
        var out: [WantedAddon] = []
        if uses.has(kind: "Gateway") {
            out.append(
                WantedAddon(
                    "nginx-gateway-fabric", Renderer.addonWaveOperators,
                    uses.snippets ? "the Gateway's controller; SnippetsFilters carry the rate limits" : "the Gateway's controller",
                    [
                        "nginxGateway": [
                            "gatewayClassName": .string(spec.network.ingress.className),
                            "snippetsFilters": ["enable": .bool(uses.snippets)],
                        ]
                    ],
                    namespace: ingressNS))
        }
        if uses.has(kind: "Ingress"), spec.network.ingress.api == .ingress {
            out.append(
                WantedAddon(
                    "ingress-nginx", Renderer.addonWaveOperators, "the Ingress controller (network.ingress.api: ingress)",
                    [
                        "controller": [
                            "ingressClass": .string(spec.network.ingress.className),
                            "ingressClassResource": ["name": .string(spec.network.ingress.className), "default": false],
                        ]
                    ], namespace: ingressNS))
        }
        if onprem, uses.has(kind: "Ingress") || uses.has(kind: "Gateway") || uses.has(group: "metallb.io") {
            // The pools `metallbObjects` renders on this cluster.
            let requested =
                loadBalancerPools(c).requested.isEmpty ? "" : " and, for the addresses objects request, \(spec.platform)-requested"
            out.append(
                WantedAddon(
                    "metallb", Renderer.addonWaveOperators,
                    "LoadBalancer addresses from the IP plan's load-balancer ranges (the IPAddressPool \(spec.platform)\(requested)) on own hardware",
                    ["crds": ["enabled": true]]))
        }
        return out
    }

    /// CSI drivers behind the StorageClasses, and MinIO for object storage on own hardware.
    private func storageAddons(_ c: Cluster, uses: ReferenceCheck.Uses) -> [WantedAddon] {
        var out: [WantedAddon] = []
        if uses.longhorn {
            out.append(
                WantedAddon(
                    "longhorn", Renderer.addonWaveOperators, "the Longhorn CSI driver behind the StorageClasses",
                    [
                        "persistence": ["defaultClass": false],
                        "defaultSettings": ["defaultReplicaCount": .int(min(3, max(1, c.zones.count)))],
                    ]))
        }
        if uses.ceph {
            out.append(
                WantedAddon(
                    "ceph-csi-rbd", Renderer.addonWaveOperators, "the Ceph RBD CSI driver behind the StorageClasses",
                    [
                        // The StorageClasses' clusterID (the platform) mapped to the monitors.
                        "csiConfig": [
                            [
                                "clusterID": .string(spec.platform),
                                "monitors": .array((spec.provider.hardware?.cephMonitors ?? []).map { .string($0) }),
                            ]
                        ],
                        "storageClass": ["create": false],
                    ]))
        }
        if spec.provider.name == .onprem, !spec.buckets.isEmpty || uses.has(group: "velero.io") {
            var names: [String] = []
            for t in plan.targets where t.cluster.name == c.name {
                for b in spec.buckets {
                    let n = plan.bucketName(b.name, env: t.environment)
                    if !names.contains(n) { names.append(n) }
                }
            }
            out.append(
                WantedAddon(
                    "minio", Renderer.addonWaveOperators,
                    "S3-compatible object storage for buckets, database and volume backups on own hardware",
                    [
                        "mode": "distributed",
                        "buckets": .array(names.map { ["name": .string($0), "policy": "none", "purge": false, "versioning": true] }),
                    ]))
        }
        return out
    }

    /// CloudNativePG and External Secrets.
    private func operatorAddons(_ c: Cluster, uses: ReferenceCheck.Uses) -> [WantedAddon] {
        var out: [WantedAddon] = []
        if uses.has(group: "postgresql.cnpg.io") {
            out.append(
                WantedAddon(
                    "cloudnative-pg", Renderer.addonWaveOperators, "the PostgreSQL clusters, poolers and scheduled backups",
                    ["crds": ["create": true], "config": ["clusterWide": true]]))
        }
        if uses.has(group: "external-secrets.io") {
            var v: [(String, JSONValue)] = [
                ("installCRDs", true),
                (
                    "serviceAccount",
                    identityValues("external-secrets", cluster: c.name).map {
                        ["name": .string(Renderer.externalSecretsAccount), "annotations": $0.annotations]
                    } ?? ["name": .string(Renderer.externalSecretsAccount)]
                ),
            ]
            if let id = identityValues("external-secrets", cluster: c.name), case .object(let l) = id.podLabels, !l.isEmpty {
                v.append(("podLabels", id.podLabels))
            }
            out.append(
                WantedAddon(
                    "external-secrets", Renderer.addonWaveOperators,
                    "ExternalSecrets and the ClusterSecretStore \(spec.security.secrets?.store ?? "")", .object(v)))
        }
        return out
    }

    /// Velero with the provider's object-store plugin.
    private func veleroAddons(_ c: Cluster, uses: ReferenceCheck.Uses) -> [WantedAddon] {
        guard uses.has(group: "velero.io") else { return [] }
        let onprem = spec.provider.name == .onprem
        let plugin: (String, String) =
            switch spec.provider.name {
            case .aws, .onprem: ("velero-plugin-for-aws", "velero/velero-plugin-for-aws:v1.13.1")  // as in the chart's values.yaml
            case .gcp: ("velero-plugin-for-gcp", "velero/velero-plugin-for-gcp:v1.13.0")
            case .azure: ("velero-plugin-for-microsoft-azure", "velero/velero-plugin-for-microsoft-azure:v1.13.0")
            }
        var v: [(String, JSONValue)] = [
            (
                "initContainers",
                [
                    [
                        "name": .string(plugin.0), "image": .string(plugin.1), "imagePullPolicy": "IfNotPresent",
                        "volumeMounts": [["mountPath": "/target", "name": "plugins"]],
                    ]
                ]
            ),
            ("configuration", ["backupStorageLocation": [], "volumeSnapshotLocation": []]),
            ("snapshotsEnabled", .bool(!onprem)),
        ]
        if onprem {
            v.append(("credentials", ["useSecret": true, "existingSecret": .string(Renderer.veleroCredentials)]))
        } else if spec.provider.name == .azure {
            // The Azure plugin's volume snapshotter reads the subscription and the disks'
            // resource group from a credentials file, and does not start without it; it
            // authenticates with the workload identity, so the file holds no secret. The disks'
            // group is the node resource group: the one the foundation names, else the one AKS
            // names by default for a cluster of this name in `provider.resourceGroup`.
            let nodes =
                azureFoundation
                ? aksNodeResourceGroup(c.name) : "MC_\(spec.provider.resourceGroup)_\(c.name)_\(c.region.value)"
            let file =
                "AZURE_SUBSCRIPTION_ID=\(spec.provider.subscription)\nAZURE_RESOURCE_GROUP=\(nodes)\nAZURE_CLOUD_NAME=AzurePublicCloud\n"
            v.append(("credentials", ["useSecret": true, "secretContents": ["cloud": .string(file)]]))
            v += identityEntries("velero", cluster: c.name) { ("serviceAccount", ["server": $0]) }
        } else {
            v.append(("credentials", ["useSecret": false]))
            v += identityEntries("velero", cluster: c.name) { ("serviceAccount", ["server": $0]) }
        }
        return [WantedAddon("velero", Renderer.addonWaveOperators, "volume backups: the Schedules and their storage locations", .object(v))]
    }

    /// Falco, the Vertical Pod Autoscaler and metrics-server.
    private func workloadAddons(_ uses: ReferenceCheck.Uses) -> [WantedAddon] {
        var out: [WantedAddon] = []
        if uses.falcoRules {
            // berth's rules ConfigMap is a cluster object and syncs in the workload wave, after
            // the add-ons: the volume is optional so Falco starts (and its Application turns
            // healthy, which the root application waits for) before the ConfigMap exists, and
            // `watch_config_files` reloads Falco when the rules arrive.
            out.append(
                WantedAddon(
                    "falco", Renderer.addonWaveOperators, "runtime intrusion detection with berth's rules (network.ids)",
                    [
                        "driver": ["kind": "modern_ebpf"],
                        "mounts": [
                            "volumes": [["name": "berth-rules", "configMap": ["name": "berth-falco-rules", "optional": true]]],
                            "volumeMounts": [["name": "berth-rules", "mountPath": "/etc/falco/rules.d/berth"]],
                        ],
                        "falco": ["rules_files": ["/etc/falco/falco_rules.yaml", "/etc/falco/rules.d"], "watch_config_files": true],
                    ]))
        }
        if uses.has(kind: "VerticalPodAutoscaler") {
            let auto = spec.scaling.verticalPodAutoscaler == "auto"
            out.append(
                WantedAddon(
                    "vertical-pod-autoscaler", Renderer.addonWaveOperators,
                    "the VerticalPodAutoscalers (scaling.verticalPodAutoscaler: \(spec.scaling.verticalPodAutoscaler))",
                    [
                        "recommender": ["enabled": true],
                        "updater": ["enabled": .bool(auto)],
                        "admissionController": ["enabled": .bool(auto)],
                    ]))
        }
        if uses.has(kind: "HorizontalPodAutoscaler") {
            var v: [(String, JSONValue)] = [("replicas", 2)]
            if spec.provider.name == .onprem { v.append(("args", ["--kubelet-preferred-address-types=InternalIP"])) }
            out.append(
                WantedAddon("metrics-server", Renderer.addonWaveOperators, "resource metrics for the HorizontalPodAutoscalers", .object(v)))
        }
        return out
    }

    /// The Cluster Autoscaler: the same groups, bounds and flags as the berth-cluster-autoscaler ConfigMap.
    private func clusterAutoscalerAddons(_ c: Cluster) -> [WantedAddon] {
        guard spec.scaling.clusterAutoscaler, spec.provider.name != .onprem, !providerManagesControlPlane else { return [] }
        let cloud: String =
            switch spec.provider.name {
            case .aws: "aws"
            case .gcp: "gce"
            default: "azure"
            }
        // EKS managed node groups tag their Auto Scaling groups for discovery
        // (`k8s.io/cluster-autoscaler/<cluster>`); the groups' own names are generated by EKS.
        let groups: (String, JSONValue) =
            spec.provider.name == .aws
            ? ("autoDiscovery", ["clusterName": .string(c.name)])
            : (
                "autoscalingGroups",
                .array(
                    c.nodePools.sorted { $0.name < $1.name }.map {
                        ["name": .string("\(c.name)-\($0.name)"), "minSize": .int($0.min), "maxSize": .int($0.max)]
                    })
            )
        var v: [(String, JSONValue)] = [
            ("cloudProvider", .string(cloud)),
            groups,
            // Per-node-group metrics (target, min, max) feed NodePoolAtMaximum and the capacity dashboard.
            (
                "extraArgs",
                [
                    "balance-similar-node-groups": true, "emit-per-nodegroup-metrics": true, "expander": "least-waste",
                    "skip-nodes-with-local-storage": false,
                ]
            ),
        ]
        if spec.provider.name == .aws { v.append(("awsRegion", .string(c.region.value))) }
        v += identityEntries("cluster-autoscaler", cluster: c.name) { ("rbac", ["serviceAccount": $0]) }
        return [
            WantedAddon(
                "cluster-autoscaler", Renderer.addonWaveOperators, "node pools scale between their bounds (scaling.clusterAutoscaler)",
                .object(v))
        ]
    }

    /// The AWS Load Balancer Controller, on an aws cluster whose Services ask for it
    /// (`service.beta.kubernetes.io/aws-load-balancer-type: external`: the cross-cluster
    /// database paths' internal network load balancers): the in-tree controller leaves such
    /// Services alone, so without it they never get a load balancer. With the foundation the
    /// controller finds its VPC by the Name tag `infra/` gives it.
    private func loadBalancerAddons(_ c: Cluster, uses: ReferenceCheck.Uses) -> [WantedAddon] {
        guard spec.provider.name == .aws, uses.awsLoadBalancer else { return [] }
        var v: [(String, JSONValue)] = [("clusterName", .string(c.name)), ("region", .string(c.region.value))]
        if spec.infrastructure != nil { v.append(("vpcTags", ["Name": .string("\(spec.platform)-\(c.name)")])) }
        v += identityEntries("aws-load-balancer-controller", cluster: c.name)
        return [
            WantedAddon(
                "aws-load-balancer-controller", Renderer.addonWaveOperators,
                "network load balancers for the Services annotated aws-load-balancer-type: external", .object(v))
        ]
    }

    /// With `monitoring.stack: external` the platform's own Prometheus Operator serves the
    /// monitoring kinds and scrapes from its namespace: berth installs no second one.
    private func monitoringAddons(_ uses: ReferenceCheck.Uses) -> [WantedAddon] {
        guard spec.monitoring.stack == .kubePrometheusStack, uses.podMonitors || uses.namespaces.contains(Plan.monitoringNamespace)
        else { return [] }
        return [
            WantedAddon(
                "kube-prometheus-stack", Renderer.addonWaveCRDs,
                "the PodMonitors of the databases and the monitoring namespace the policies admit",
                [
                    "prometheus": [
                        "prometheusSpec": ["podMonitorSelectorNilUsesHelmValues": false, "serviceMonitorSelectorNilUsesHelmValues": false]
                    ]
                ])
        ]
    }

    /// The add-ons of every cluster the plain render uses.
    public func addonList() -> [AddonInstance] { addons(renderUnits()) }

    /// Every rendered kind no installed add-on serves: its API is neither Kubernetes' own nor
    /// Argo CD's (the bootstrap installs Argo CD), and no add-on on the object's cluster serves
    /// it at its pinned version (`AddonVersions.served`). Empty when every controller is there.
    public func unservedKinds() -> [String] {
        let byCluster = ReferenceCheck.objectsByCluster(renderUnits().map { ($0.path, $0.docs) })
        let indexes = ReferenceCheck.indexes(byCluster)
        return Array(Set(unserved(byCluster, indexes, addons(indexes: indexes)).map { "\($0.cluster): \($0.api) \($0.why)" })).sorted()
    }

    /// The objects whose API no installed add-on serves: (cluster, object, `apiVersion kind`, why).
    /// Each cluster's distinct kinds (`ReferenceCheck.Uses.kinds`) are judged once; the objects
    /// are named only for a kind that fails.
    func unserved(
        _ byCluster: [String: [JSONValue]], _ indexes: [String: ReferenceCheck.Index],
        _ installed: [AddonInstance]
    ) -> [(cluster: String, object: String, api: String, why: String)] {
        var out: [(cluster: String, object: String, api: String, why: String)] = []
        for cluster in indexes.keys.sorted() {
            for k in (indexes[cluster]?.uses.kinds ?? []).sorted(by: { $0.text < $1.text }) {
                guard let why = unservedReason(k, cluster: cluster, installed) else { continue }
                for d in byCluster[cluster] ?? [] where d["kind"]?.stringValue == k.kind && d["apiVersion"]?.stringValue == k.apiVersion {
                    let ns = d.at("metadata.namespace")?.stringValue ?? ""
                    let name = d.at("metadata.name")?.stringValue ?? ""
                    out.append((cluster, ns.isEmpty ? "\(k.kind) \(name)" : "\(k.kind) \(ns)/\(name)", k.text, why))
                }
            }
        }
        return out
    }

    /// Why no add-on serves `kind` on `cluster`, or nil when one does (or Kubernetes or Argo CD
    /// serve it).
    func unservedReason(_ k: ReferenceCheck.APIKind, cluster: String, _ installed: [AddonInstance]) -> String? {
        let group = k.apiVersion.contains("/") ? String(k.apiVersion.split(separator: "/")[0]) : ""
        if group == "monitoring.coreos.com", spec.monitoring.stack == .external { return nil }
        guard let served = AddonVersions.served[k.text] else {
            return AddonVersions.builtinGroups.contains(group) || group == "argoproj.io" ? nil : "is served by no add-on berth knows"
        }
        guard let a = installed.first(where: { $0.cluster == cluster && $0.release.name == served.addon }) else {
            return "needs \(served.addon), which the render does not install there"
        }
        if (AddonVersions.compare(a.release.version, served.minimum) ?? -1) < 0 {
            return "needs \(served.addon) \(served.minimum) or newer; \(a.release.version) is pinned"
        }
        return nil
    }

    // MARK: artifacts

    func addonArtifacts(_ argo: ArgoObjects) -> [Artifact] {
        guard let project = argo.addonProject else { return [] }
        var out: [Artifact] = [file("addons/project.yaml", [project])]
        for (a, app) in zip(argo.addons, argo.addonApplications) {
            out.append(file("addons/\(a.cluster)/\(a.release.name).yaml", [app]))
        }
        out.append(file("addons/bootstrap/argocd-cm.yaml", [argoHealthConfig]))
        if let root = rootApplication() { out.append(file("addons/root.yaml", [root])) }
        return out
    }

    func addonApplication(_ a: AddonInstance) -> JSONValue {
        let r = a.release
        var source: [(String, JSONValue)] = [("repoURL", .string(r.repoURL))]
        var spec: [(String, JSONValue)] = [("project", .string(addonProject))]
        if let chart = r.chart {
            source.append(("chart", .string(chart)))
            source.append(("targetRevision", .string(r.version)))
            var helm: [(String, JSONValue)] = [("releaseName", .string(r.name))]
            if let v = a.values { helm.append(("valuesObject", v)) }
            source.append(("helm", .object(helm)))
            spec.append(("source", .object(source)))
        } else {
            spec.append(
                (
                    "sources",
                    .array(r.paths.map { ["repoURL": .string(r.repoURL), "targetRevision": .string(r.version), "path": .string($0)] })
                ))
        }
        spec.append(("destination", ["name": .string(a.cluster), "namespace": .string(r.namespace)]))
        spec.append(
            (
                "syncPolicy",
                [
                    "automated": ["prune": false, "selfHeal": true],
                    "syncOptions": ["CreateNamespace=true", "ServerSideApply=true"],
                    "retry": ["limit": 5, "backoff": ["duration": "10s", "factor": 2, "maxDuration": "5m"]],
                ]
            ))
        var labels: [(String, JSONValue)] = []
        if case .object(let base) = argoLabels { labels = base }
        labels += [("berth.dev/addon", .string(r.name)), ("berth.dev/cluster", .string(a.cluster))]
        return [
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": [
                "name": .string("\(self.spec.platform)-\(r.name)-\(a.cluster)"), "namespace": .string(Renderer.argoNamespace),
                "labels": .object(labels),
                "annotations": .object([(Renderer.syncWaveKey, .string(String(a.wave)))]),
                "finalizers": ["resources-finalizer.argocd.argoproj.io"],
            ],
            "spec": .object(spec),
        ]
    }

    /// The add-ons' AppProject: destinations are exactly the add-ons' namespaces on their
    /// clusters, sources the charts' repositories, and the cluster-scoped kinds exactly those
    /// the add-ons install (`AddonVersions.clusterKinds`); namespaced kinds are limited by the
    /// destinations.
    func addonProjectObject(_ list: [AddonInstance]) -> JSONValue {
        var dest: [JSONValue] = []
        var seen: Set<[String]> = []
        for a in list where seen.insert([a.cluster, a.release.namespace]).inserted {
            dest.append(["name": .string(a.cluster), "namespace": .string(a.release.namespace)])
        }
        var repos: [String] = []
        for a in list where !repos.contains(a.release.repoURL) { repos.append(a.release.repoURL) }
        var kinds: Set<[String]> = [
            ["", "Namespace"], ["rbac.authorization.k8s.io", "ClusterRole"], ["rbac.authorization.k8s.io", "ClusterRoleBinding"],
        ]
        for a in list { kinds.formUnion(AddonVersions.clusterKinds[a.release.name] ?? []) }
        let clusterKinds: [JSONValue] = kinds.sorted { ($0[0], $0[1]) < ($1[0], $1[1]) }.map {
            ["group": .string($0[0]), "kind": .string($0[1])]
        }
        return [
            "apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject",
            "metadata": [
                "name": .string(addonProject), "namespace": .string(Renderer.argoNamespace), "labels": argoLabels,
                "annotations": .object([(Renderer.syncWaveKey, .string("-40"))]),
            ],
            "spec": [
                "description": .string("Cluster add-ons of platform \(spec.platform), rendered by berth"),
                "sourceRepos": .array(repos.sorted().map { .string($0) }),
                "destinations": .array(dest),
                "clusterResourceWhitelist": .array(clusterKinds),
                "namespaceResourceWhitelist": [["group": "*", "kind": "*"]],
            ],
        ]
    }

    /// The root application: syncs `addons/` (the project and every add-on Application, in
    /// their waves) and `argocd/` (the workload project and ApplicationSets, after them).
    func rootApplication() -> JSONValue? {
        guard let g = spec.delivery.gitops else { return nil }
        let root = g.path.hasSuffix("/") ? String(g.path.dropLast()) : g.path
        func repoPath(_ p: String) -> String { root.isEmpty || root == "." ? p : "\(root)/\(p)" }
        return [
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": ["name": .string("\(spec.platform)-root"), "namespace": .string(Renderer.argoNamespace), "labels": argoLabels],
            "spec": [
                "project": "default",
                "sources": [
                    [
                        "repoURL": .string(g.repo), "targetRevision": .string(g.branch), "path": .string(repoPath("addons")),
                        "directory": ["recurse": true, "exclude": "{root.yaml,bootstrap/*}"],
                    ],
                    ["repoURL": .string(g.repo), "targetRevision": .string(g.branch), "path": .string(repoPath("argocd"))],
                ],
                "destination": ["server": "https://kubernetes.default.svc", "namespace": .string(Renderer.argoNamespace)],
                "syncPolicy": [
                    "automated": ["prune": false, "selfHeal": true],
                    "syncOptions": ["ServerSideApply=true"],
                ],
            ],
        ]
    }

    /// Argo CD's health check for Applications (removed from Argo CD's defaults in 1.8):
    /// without it the root application does not wait for one wave's add-ons to be healthy
    /// before the next. Applied once with `kubectl apply --server-side`, which sets these keys
    /// of `argocd-cm` and leaves the rest alone.
    var argoHealthConfig: JSONValue {
        let lua = """
            hs = {}
            hs.status = "Progressing"
            hs.message = ""
            if obj.status ~= nil and obj.status.health ~= nil then
              hs.status = obj.status.health.status
              if obj.status.health.message ~= nil then
                hs.message = obj.status.health.message
              end
            end
            return hs

            """
        return [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": [
                "name": "argocd-cm", "namespace": .string(Renderer.argoNamespace),
                "labels": ["app.kubernetes.io/name": "argocd-cm", "app.kubernetes.io/part-of": "argocd"],
            ],
            "data": .object(
                [("resource.customizations.health.argoproj.io_Application", .string(lua))]
                    + (spec.infrastructure == nil || spec.provider.name == .onprem
                        ? [] : [("resource.customizations", .string(crossplaneHealthCustomizations))])),
        ]
    }
}
