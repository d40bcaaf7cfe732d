/// The cluster add-ons berth can install, each pinned to one exact upstream release, and the
/// table of which add-on serves each API berth writes.
///
/// Versions are chart versions (or, for add-ons installed from a Git repository, the tag).
/// Where the chart publishes a `values.schema.json` or a `values.yaml`, the file berth's
/// values are tested against is copied under Tests/data/addon-schemas/<chart>/ from the same
/// release (see SOURCES.md there). `addons.<name>.version` in the spec overrides a pin.
public struct AddonRelease: Sendable, Hashable {
    /// The add-on's name in berth (and in `addons.<name>` of the spec).
    public var name: String
    /// Helm chart repository URL (or OCI registry without scheme), or the Git repository.
    public var repoURL: String
    /// The chart's name; nil when the add-on is a folder of a Git repository.
    public var chart: String?
    /// Folders of the Git repository to sync (Git add-ons only).
    public var paths: [String]
    /// The pinned version: an exact chart version or Git tag.
    public var version: String
    /// The namespace the add-on runs in.
    public var namespace: String
    /// Upstream project, for the document.
    public var project: String

    /// A Helm chart of `repoURL`, named as the add-on unless `chart` is given.
    static func helm(
        _ name: String, _ repoURL: String, _ version: String, _ namespace: String, _ project: String, chart: String? = nil
    ) -> AddonRelease {
        AddonRelease(
            name: name, repoURL: repoURL, chart: chart ?? name, paths: [], version: version, namespace: namespace, project: project)
    }

    /// The folders `paths` of the Git repository `repoURL` at the tag `version`.
    static func git(
        _ name: String, _ repoURL: String, _ version: String, _ namespace: String, _ project: String, paths: [String]
    ) -> AddonRelease {
        AddonRelease(name: name, repoURL: repoURL, chart: nil, paths: paths, version: version, namespace: namespace, project: project)
    }
}

/// The pinned release of every add-on berth installs, and which add-on serves each API berth writes.
public enum AddonVersions {
    /// Every add-on berth can install, each at its pinned release: name, repository, version,
    /// namespace and project, then the chart when it is not named as the add-on, or the
    /// folders of a Git repository. Git repositories first, then charts named as their add-on,
    /// then the rest; nothing reads the order.
    public static let releases: [AddonRelease] = [
        .git(
            "gateway-api", "https://github.com/kubernetes-sigs/gateway-api", "v1.3.0", "kube-system", "Gateway API CRDs",
            paths: ["config/crd/standard"]),
        .git(
            "external-snapshotter", "https://github.com/kubernetes-csi/external-snapshotter", "v8.2.0", "kube-system",
            "CSI snapshot CRDs and snapshot controller", paths: ["client/config/crd", "deploy/kubernetes/snapshot-controller"]),
        .helm("cert-manager", "https://charts.jetstack.io", "v1.21.1", "cert-manager", "cert-manager"),
        .helm("trust-manager", "https://charts.jetstack.io", "v0.24.0", "cert-manager", "trust-manager"),
        .helm("external-dns", "https://kubernetes-sigs.github.io/external-dns/", "1.21.1", "external-dns", "ExternalDNS"),
        .helm("nginx-gateway-fabric", "ghcr.io/nginx/charts", "2.6.7", "nginx-gateway", "NGINX Gateway Fabric"),
        .helm("ingress-nginx", "https://kubernetes.github.io/ingress-nginx", "4.13.3", "ingress-nginx", "ingress-nginx"),
        .helm("cloudnative-pg", "https://cloudnative-pg.github.io/charts", "0.29.0", "cnpg-system", "CloudNativePG operator"),
        .helm("external-secrets", "https://charts.external-secrets.io", "2.9.0", "external-secrets", "External Secrets Operator"),
        .helm("aws-load-balancer-controller", "https://aws.github.io/eks-charts", "3.5.0", "kube-system", "AWS Load Balancer Controller"),
        .helm("velero", "https://vmware-tanzu.github.io/helm-charts", "12.1.0", "velero", "Velero"),
        .helm("falco", "https://falcosecurity.github.io/charts", "9.1.0", "falco", "Falco"),
        .helm("cluster-autoscaler", "https://kubernetes.github.io/autoscaler", "9.50.1", "kube-system", "Cluster Autoscaler"),
        .helm("metrics-server", "https://kubernetes-sigs.github.io/metrics-server/", "3.13.1", "kube-system", "metrics-server"),
        .helm("istiod", "https://istio-release.storage.googleapis.com/charts", "1.27.1", "istio-system", "Istio control plane"),
        .helm("linkerd-crds", "https://helm.linkerd.io/edge", "2025.9.1", "linkerd", "Linkerd CRDs"),
        .helm("linkerd-control-plane", "https://helm.linkerd.io/edge", "2025.9.1", "linkerd", "Linkerd control plane"),
        .helm("metallb", "https://metallb.github.io/metallb", "0.16.1", "metallb-system", "MetalLB"),
        .helm("longhorn", "https://charts.longhorn.io", "1.9.1", "longhorn-system", "Longhorn"),
        .helm("ceph-csi-rbd", "https://ceph.github.io/csi-charts", "3.12.2", "ceph-csi-rbd", "Ceph CSI RBD driver"),
        .helm("minio", "https://charts.min.io/", "5.4.0", "minio", "MinIO"),
        .helm("vertical-pod-autoscaler", "https://charts.fairwinds.com/stable", "5.0.0", "vpa", "Vertical Pod Autoscaler", chart: "vpa"),
        .helm(
            "kube-prometheus-stack", "https://prometheus-community.github.io/helm-charts", "77.5.0", "monitoring",
            "Prometheus Operator and Prometheus"),
        .helm("istio-base", "https://istio-release.storage.googleapis.com/charts", "1.27.1", "istio-system", "Istio CRDs", chart: "base"),
    ]

    /// The add-on named `name`, if berth knows it.
    public static func release(_ name: String) -> AddonRelease? { releases.first { $0.name == name } }

    /// Cluster-scoped kinds each add-on installs (group, kind), beyond what every add-on has:
    /// its Namespace (`CreateNamespace=true`), ClusterRoles and ClusterRoleBindings. The
    /// add-ons' AppProject whitelists exactly the union for the add-ons it holds.
    public static let clusterKinds: [String: [[String]]] = {
        let crd = ["apiextensions.k8s.io", "CustomResourceDefinition"]
        let vwc = ["admissionregistration.k8s.io", "ValidatingWebhookConfiguration"]
        let mwc = ["admissionregistration.k8s.io", "MutatingWebhookConfiguration"]
        return [
            "gateway-api": [
                crd, vwc, ["admissionregistration.k8s.io", "ValidatingAdmissionPolicy"],
                ["admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"],
            ],
            "external-snapshotter": [crd],
            "cert-manager": [crd, vwc, mwc],
            "trust-manager": [crd, vwc, ["trust.cert-manager.io", "Bundle"]],
            "external-dns": [],
            "nginx-gateway-fabric": [crd, ["gateway.networking.k8s.io", "GatewayClass"]],
            "ingress-nginx": [vwc, ["networking.k8s.io", "IngressClass"]],
            "cloudnative-pg": [crd, vwc, mwc],
            "external-secrets": [crd, vwc],
            "velero": [crd],
            "aws-load-balancer-controller": [
                crd, vwc, mwc, ["networking.k8s.io", "IngressClass"], ["elbv2.k8s.aws", "IngressClassParams"],
            ],
            "falco": [],
            "vertical-pod-autoscaler": [crd, mwc],
            "cluster-autoscaler": [],
            "metrics-server": [["apiregistration.k8s.io", "APIService"]],
            "kube-prometheus-stack": [crd, vwc, mwc],
            "istio-base": [crd, vwc],
            "istiod": [vwc, mwc],
            "linkerd-crds": [crd],
            "linkerd-control-plane": [vwc, mwc],
            "metallb": [crd, vwc],
            "longhorn": [
                crd, vwc, mwc, ["storage.k8s.io", "CSIDriver"], ["storage.k8s.io", "StorageClass"], ["scheduling.k8s.io", "PriorityClass"],
            ],
            "ceph-csi-rbd": [["storage.k8s.io", "CSIDriver"]],
            "minio": [],
        ]
    }()

    /// One API berth writes and what serves it: the add-on, and the first add-on version
    /// (chart version or tag, as pinned) that serves that group/version and kind.
    public struct Served: Sendable, Hashable {
        /// The add-on's name.
        public var addon: String
        /// The first version of the add-on that serves the API.
        public var minimum: String
    }

    /// `apiVersion kind` -> the add-on serving it. Kinds of Kubernetes itself are absent
    /// (except Ingress and HorizontalPodAutoscaler, which need a controller or metrics);
    /// `argoproj.io` kinds are served by Argo CD, which the bootstrap installs (README).
    public static let served: [String: Served] = [
        "cert-manager.io/v1 Certificate": Served(addon: "cert-manager", minimum: "v1.0.0"),
        "cert-manager.io/v1 ClusterIssuer": Served(addon: "cert-manager", minimum: "v1.0.0"),
        "cert-manager.io/v1 Issuer": Served(addon: "cert-manager", minimum: "v1.0.0"),
        // The Bundle CRD (v1alpha1, with target.namespaceSelector) first ships in chart v0.3.0
        // (deploy/charts/trust-manager/templates/ of cert-manager/trust-manager).
        "trust.cert-manager.io/v1alpha1 Bundle": Served(addon: "trust-manager", minimum: "v0.3.0"),
        // external-secrets.io/v1 was first served by 0.16.0 (chart and app share versions;
        // deploy/crds/bundle.yaml at helm-chart-0.15.1 serves v1alpha1/v1beta1, at 0.16.0 v1).
        "external-secrets.io/v1 ExternalSecret": Served(addon: "external-secrets", minimum: "0.16.0"),
        "external-secrets.io/v1 ClusterSecretStore": Served(addon: "external-secrets", minimum: "0.16.0"),
        "external-secrets.io/v1 SecretStore": Served(addon: "external-secrets", minimum: "0.16.0"),
        // Gateway and HTTPRoute reached v1 in Gateway API v1.0.0 (v0.8.1 serves v1beta1 only).
        "gateway.networking.k8s.io/v1 Gateway": Served(addon: "gateway-api", minimum: "v1.0.0"),
        "gateway.networking.k8s.io/v1 HTTPRoute": Served(addon: "gateway-api", minimum: "v1.0.0"),
        "gateway.networking.k8s.io/v1 GatewayClass": Served(addon: "gateway-api", minimum: "v1.0.0"),
        // SnippetsFilter first shipped with NGINX Gateway Fabric 1.5.0.
        "gateway.nginx.org/v1alpha1 SnippetsFilter": Served(addon: "nginx-gateway-fabric", minimum: "1.5.0"),
        // Pooler (operator 1.12) is the newest of the three; chart 0.13.0 ships operator 1.15.
        "postgresql.cnpg.io/v1 Cluster": Served(addon: "cloudnative-pg", minimum: "0.13.0"),
        "postgresql.cnpg.io/v1 Pooler": Served(addon: "cloudnative-pg", minimum: "0.13.0"),
        "postgresql.cnpg.io/v1 ScheduledBackup": Served(addon: "cloudnative-pg", minimum: "0.13.0"),
        // velero.io/v1 through every Velero 1.x; chart 2.0.0 was the first Velero 1.x chart.
        "velero.io/v1 BackupStorageLocation": Served(addon: "velero", minimum: "2.0.0"),
        "velero.io/v1 VolumeSnapshotLocation": Served(addon: "velero", minimum: "2.0.0"),
        "velero.io/v1 Schedule": Served(addon: "velero", minimum: "2.0.0"),
        // snapshot.storage.k8s.io/v1 went GA in external-snapshotter v4.0.0 (v3.0.3: v1beta1).
        "snapshot.storage.k8s.io/v1 VolumeSnapshotClass": Served(addon: "external-snapshotter", minimum: "v4.0.0"),
        "autoscaling.k8s.io/v1 VerticalPodAutoscaler": Served(addon: "vertical-pod-autoscaler", minimum: "1.0.0"),
        // Istio promoted these APIs to v1 in 1.22 (1.21.0's crd-all.gen.yaml serves
        // DestinationRule and PeerAuthentication at v1alpha3/v1beta1 only; 1.22.0 adds v1).
        "networking.istio.io/v1 DestinationRule": Served(addon: "istio-base", minimum: "1.22.0"),
        "security.istio.io/v1 PeerAuthentication": Served(addon: "istio-base", minimum: "1.22.0"),
        "security.istio.io/v1 AuthorizationPolicy": Served(addon: "istio-base", minimum: "1.22.0"),
        // policy.linkerd.io/v1beta3 Server first shipped in edge-24.7.4 (chart 2024.7.4:
        // charts/linkerd-crds/templates/policy/server.yaml of linkerd/linkerd2; edge-24.7.3
        // serves v1beta1 and v1beta2 only). The two v1alpha1 kinds are served by 2024.2.1 and
        // earlier (the same chart's meshtls-authentication.yaml and authorization-policy.yaml).
        "policy.linkerd.io/v1beta3 Server": Served(addon: "linkerd-crds", minimum: "2024.7.4"),
        "policy.linkerd.io/v1alpha1 MeshTLSAuthentication": Served(addon: "linkerd-crds", minimum: "2024.2.1"),
        "policy.linkerd.io/v1alpha1 AuthorizationPolicy": Served(addon: "linkerd-crds", minimum: "2024.2.1"),
        // metallb.io/v1beta1 (CRDs instead of the ConfigMap) first shipped in MetalLB v0.13.0
        // (config/crd/bases/metallb.io_ipaddresspools.yaml and _l2advertisements.yaml; chart 0.13.0).
        "metallb.io/v1beta1 IPAddressPool": Served(addon: "metallb", minimum: "0.13.0"),
        "metallb.io/v1beta1 L2Advertisement": Served(addon: "metallb", minimum: "0.13.0"),
        "monitoring.coreos.com/v1 PodMonitor": Served(addon: "kube-prometheus-stack", minimum: "10.0.0"),
        "monitoring.coreos.com/v1 ServiceMonitor": Served(addon: "kube-prometheus-stack", minimum: "10.0.0"),
        "monitoring.coreos.com/v1 PrometheusRule": Served(addon: "kube-prometheus-stack", minimum: "10.0.0"),
        // The chart first ships the DNSEndpoint CRD in 1.14.4 (charts/external-dns/crds/ of
        // kubernetes-sigs/external-dns at external-dns-helm-chart-1.14.4; 1.14.0 has none).
        "externaldns.k8s.io/v1alpha1 DNSEndpoint": Served(addon: "external-dns", minimum: "1.14.4"),
        // Kinds of Kubernetes itself that do nothing without a controller berth installs.
        "networking.k8s.io/v1 Ingress": Served(addon: "ingress-nginx", minimum: "4.0.0"),
        "autoscaling/v2 HorizontalPodAutoscaler": Served(addon: "metrics-server", minimum: "3.0.0"),
    ]

    /// API groups of Kubernetes itself (no add-on needed to serve them).
    public static let builtinGroups: Set<String> = [
        "", "apps", "batch", "autoscaling", "policy", "networking.k8s.io", "rbac.authorization.k8s.io",
        "storage.k8s.io", "discovery.k8s.io", "admissionregistration.k8s.io", "coordination.k8s.io",
        "scheduling.k8s.io", "node.k8s.io",
    ]

    /// Compares two versions numerically, part by part (`v1.21.1`, `2025.9.1`); nil when
    /// either is not dotted numbers.
    public static func compare(_ a: String, _ b: String) -> Int? {
        func parts(_ s: String) -> [Int]? {
            let t = s.hasPrefix("v") ? String(s.dropFirst()) : s
            let core = t.split(separator: "-", maxSplits: 1).first.map(String.init) ?? t
            let p = core.split(separator: ".").map { Int($0) }
            guard !p.isEmpty, p.allSatisfy({ $0 != nil }) else { return nil }
            return p.compactMap { $0 }
        }
        guard let x = parts(a), let y = parts(b) else { return nil }
        for i in 0..<max(x.count, y.count) {
            let l = i < x.count ? x[i] : 0
            let r = i < y.count ? y[i] : 0
            if l != r { return l < r ? -1 : 1 }
        }
        return 0
    }
}
