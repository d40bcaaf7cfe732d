/// What a cloud's foundation (`AWSFoundation`, `GCPFoundation`, `AzureFoundation`) gives the
/// layout of `infra/` that the three share: each cluster's network, cluster and node pool
/// objects, the DNS zones, the provider packages and the registry. The per-cluster files,
/// their paths and the managed-resource shape are written here once; each cloud adds what is
/// its own (shared network files, keys, identities, buckets).
protocol CloudFoundation {
    /// What the foundation is built from.
    var inputs: FoundationInputs { get }
    /// The provider packages the foundation uses, at one pinned version.
    func providers() -> [JSONValue]
    /// A cluster's network: `infra/network/<cluster>.yaml`.
    func network(_ c: Foundation.ClusterPlan) -> [JSONValue]
    /// The cluster and what it needs to run: `infra/clusters/<cluster>.yaml`.
    func cluster(_ c: Foundation.ClusterPlan) -> [JSONValue]
    /// A cluster's node pools: `infra/nodepools/<cluster>.yaml`.
    func nodePools(_ c: Foundation.ClusterPlan) -> [JSONValue]
    /// One public DNS zone per `network.dns.zones` entry.
    func zones() -> [JSONValue]
    /// The registry's objects, when the spec's registry is the cloud's.
    func registry() -> [JSONValue]?
}

/// What every cloud's foundation is built from: the renderer (with the spec and plan), the
/// clusters it creates, and who uses each cloud identity (by identity name).
struct FoundationInputs {
    let renderer: Renderer
    let clusters: [Foundation.ClusterPlan]
    let bindings: [String: [Foundation.Binding]]
}

extension CloudFoundation {
    var renderer: Renderer { inputs.renderer }
    var clusters: [Foundation.ClusterPlan] { inputs.clusters }
    var bindings: [String: [Foundation.Binding]] { inputs.bindings }
    var spec: Spec { renderer.spec }
    var plan: Plan { renderer.plan }

    /// A reference to the managed resource named `name`.
    func ref(_ name: String) -> JSONValue { ["name": .string(name)] }

    /// A managed resource: `name` is its object name; `externalName` the cloud's name when the
    /// provider takes it from the `crossplane.io/external-name` annotation.
    func managed(
        _ apiVersion: String, _ kind: String, _ name: String, externalName: String? = nil, labels: [(String, JSONValue)] = [],
        forProvider: [(String, JSONValue)], initProvider: [(String, JSONValue)] = [], orphan: Bool = false
    ) -> JSONValue {
        renderer.managedResource(
            apiVersion, kind, name, externalName: externalName, labels: labels, forProvider: forProvider, initProvider: initProvider,
            orphan: orphan)
    }

    /// The provider packages of `families` (sorted), `provider-<cloud>-<family>` of
    /// crossplane-contrib at one pinned `version`.
    func providerPackages(_ cloud: String, _ families: [String], version: String) -> [JSONValue] {
        families.sorted().map { f in
            [
                "apiVersion": "pkg.crossplane.io/v1", "kind": "Provider",
                "metadata": ["name": .string("provider-\(cloud)-\(f)"), "labels": renderer.argoLabels],
                "spec": ["package": .string("xpkg.crossplane.io/crossplane-contrib/provider-\(cloud)-\(f):\(version)")],
            ]
        }
    }

    /// The ProviderConfig `default` every managed resource names, with `fields` as its spec
    /// (`<cloud>.upbound.io`).
    func providerConfig(_ cloud: String, _ fields: [(String, JSONValue)]) -> JSONValue {
        [
            "apiVersion": .string("\(cloud).upbound.io/v1beta1"), "kind": "ProviderConfig",
            "metadata": ["name": "default", "labels": renderer.argoLabels], "spec": .object(fields),
        ]
    }

    /// A ProviderConfig's credentials: the Secret `infrastructure.credentials` names (`fallback`
    /// when it names none) in Crossplane's namespace, key `credentials`; berth never writes it.
    func credentials(fallback: String) -> (String, JSONValue) {
        (
            "credentials",
            [
                "source": "Secret",
                "secretRef": [
                    "namespace": .string(Renderer.crossplaneNamespace),
                    "name": .string(spec.infrastructure?.credentials ?? fallback), "key": "credentials",
                ],
            ]
        )
    }

    /// The folders of `infra/`: the provider's file name (`aws`, `gcp`, `azure`) and
    /// configuration, network files beside the clusters' (`sharedNetwork`), keys, identity
    /// files, the registry's file and folder description, and the buckets' folder.
    func infraFolders(
        provider: String, config: [JSONValue], sharedNetwork: [(path: String, docs: [JSONValue])] = [], keys: [JSONValue],
        identities: [(path: String, docs: [JSONValue])], registry registryFile: (path: String, what: String),
        buckets: (what: String, files: [(path: String, docs: [JSONValue])])
    ) -> [Renderer.InfraFolder] {
        func perCluster(_ folder: String, _ docs: (Foundation.ClusterPlan) -> [JSONValue]) -> [(path: String, docs: [JSONValue])] {
            clusters.map { ("infra/\(folder)/\($0.cluster.name).yaml", docs($0)) }
        }
        return Renderer.InfraParts(
            provider: provider, packages: providers(), config: config, network: perCluster("network", network) + sharedNetwork,
            keys: keys, zones: spec.network.dns.zones.isEmpty ? nil : zones(), clusters: perCluster("clusters", cluster),
            nodePools: perCluster("nodepools", nodePools), identities: identities,
            registry: registry().map { (registryFile.path, registryFile.what, $0) }, buckets: buckets
        ).folders()
    }
}
