import BerthNet
import Foundation

/// The AKS clusters, node pools, workload identities, storage accounts and registry of the
/// Azure foundation (see `AzureFoundation`).
///
/// - Cluster: a control-plane managed identity `<platform>-<cluster>-control-plane` (Network
///   Contributor on the VNet, Key Vault Crypto User on the region's vault), the AKS cluster
///   (the spec's version, SKU tier Standard with `controlPlane.ha`, private with
///   `infrastructure.endpoint: private`, Azure CNI Overlay with the plan's pod and service
///   ranges and the DNS service at the service range's tenth address, Cilium network policy,
///   egress through the NAT gateway, OIDC issuer and workload identity, local accounts off,
///   disks encrypted with the region's disk encryption set, Kubernetes secrets with the
///   region's Key Vault key once its version is known), the first node pool as its system
///   (default) pool, and a Log Analytics workspace keeping the control plane's audit and
///   component logs as long as `security.audit.retention` (30 to 730 days).
/// - Node pools: one KubernetesClusterNodePool per further pool, named like the pool (the
///   `kubernetes.azure.com/agentpool` label nodeSelectors use), autoscaled between min and
///   max over the cluster's zones, taints as written, Spot priority for spot pools (AKS adds
///   the `kubernetes.azure.com/scalesetpriority=spot:NoSchedule` taint berth's tolerations expect).
/// - Identities: one user-assigned managed identity per client id the render writes (see
///   `Renderer.azureIdentityName`), a federated identity credential per ServiceAccount that
///   carries it (its cluster's issuer, subject `system:serviceaccount:<ns>:<sa>`), and role
///   assignments: Storage Blob Data Reader or Contributor on each container (`:read` reads
///   only), DNS Zone Contributor on the zones for external-dns and cert-manager, Key Vault
///   Secrets User on the secrets vault for External Secrets, and for Velero the custom roles
///   `<platform>-velero-disks` on each cluster's node resource group (`nodeResourceGroup`,
///   named by the foundation) and `<platform>-velero-snapshots` on the platform's group.
/// - Storage: per storage account of `buckets/`, the account with the settings of
///   `buckets/<environment>/<account>.storage-account.json`, a container per bucket, ONE
///   management policy with a rule per container, and the identities' role assignments on
///   those containers (here rather than with the identities: Azure assigns a role only on a
///   scope that exists, and the buckets' wave comes after the identities').
/// - Registry: the ACR registry of an `*.azurecr.io` host, with the retention of `registry/acr.json`.
extension AzureFoundation {
    static let aksAPI = "containerservice.azure.upbound.io/v1beta2"

    /// The control plane's managed identity of a cluster.
    func controlPlaneIdentity(_ c: Foundation.ClusterPlan) -> String { "\(spec.platform)-\(c.cluster.name)-control-plane" }

    /// The region's key (disk encryption set name) of a cluster, nil when it has none of the foundation.
    func keyName(_ c: Foundation.ClusterPlan) -> String? {
        AzureFoundation.diskEncryptionSet(c.key, subscription: subscription, resourceGroup: resourceGroup)
    }

    /// The tenth address of the service range: the cluster DNS service.
    static func dnsServiceIP(_ cidr: String) -> String {
        guard let head = cidr.split(separator: "/").first, let a = try? IPv4Address(String(head)) else { return "" }
        return IPv4Address(a.value &+ 10).description
    }

    // Long: the cluster file is the control plane's identity and role assignments, the log
    // workspace, the AKS cluster with its system pool and its diagnostic setting, in the
    // order the references run.
    func cluster(_ c: Foundation.ClusterPlan) -> [JSONValue] {
        let n = c.cluster.name
        let location: (String, JSONValue) = ("location", .string(c.region))
        let identity = controlPlaneIdentity(c)
        var out: [JSONValue] = [
            managed(
                "managedidentity.azure.upbound.io/v1beta1", "UserAssignedIdentity", identity, externalName: identity,
                forProvider: [location, group, ("name", .string(identity)), ("tags", tags())])
        ]
        if let a = roleAssignment(
            "\(identity)-network", principalKey: "\(n)-control-plane", role: "Network Contributor",
            scope: resourceID("Microsoft.Network/virtualNetworks", "\(spec.platform)-\(n)"))
        {
            out.append(a)
        }
        let key = keyName(c)
        if let key,
            let a = roleAssignment(
                "\(identity)-key", principalKey: "\(n)-control-plane", role: "Key Vault Crypto User",
                scope: resourceID("Microsoft.KeyVault/vaults", key))
        {
            out.append(a)
        }
        let workspace = "\(spec.platform)-\(n)"
        let retention = min(
            max(spec.security.auditRetention.days, AzureFoundation.logRetention.lowerBound), AzureFoundation.logRetention.upperBound)
        out.append(
            managed(
                "operationalinsights.azure.upbound.io/v1beta2", "Workspace", workspace, externalName: workspace,
                forProvider: [location, group, ("sku", "PerGB2018"), ("retentionInDays", .int(retention)), ("tags", tags())]))
        var fp: [(String, JSONValue)] = [
            location, group, ("kubernetesVersion", .string(c.cluster.kubernetes)), ("dnsPrefix", .string("\(spec.platform)-\(n)")),
            ("nodeResourceGroup", .string(renderer.aksNodeResourceGroup(n))),
            ("skuTier", c.cluster.haControlPlane ? "Standard" : "Free"),
            ("privateClusterEnabled", .bool(spec.infrastructure?.endpoint == "private")),
            ("identity", ["type": "UserAssigned", "identityIdsRefs": [ref(identity)]]),
            (
                "networkProfile",
                [
                    "networkPlugin": "azure", "networkPluginMode": "overlay", "networkDataPlane": "cilium", "networkPolicy": "cilium",
                    "podCidr": .string(c.network.pods), "serviceCidr": .string(c.network.services),
                    "dnsServiceIp": .string(AzureFoundation.dnsServiceIP(c.network.services)), "loadBalancerSku": "standard",
                    "outboundType": "userAssignedNATGateway",
                ]
            ),
            ("oidcIssuerEnabled", true), ("workloadIdentityEnabled", true), ("localAccountDisabled", true),
            ("roleBasedAccessControlEnabled", true),
            (
                "azureActiveDirectoryRoleBasedAccessControl",
                .object(
                    [
                        ("azureRbacEnabled", false),
                        (
                            "adminGroupObjectIds",
                            .array(spec.security.teams.filter { $0.role == "admin" }.map { .string($0.group) })
                        ),
                    ] + (spec.infrastructure?.tenant.isEmpty == false ? [("tenantId", .string(spec.infrastructure?.tenant ?? ""))] : []))
            ),
        ]
        if !c.key.isEmpty { fp.append(("diskEncryptionSetId", .string(c.key))) }
        if let key, let v = spec.infrastructure?.keyVersions[c.region], !v.isEmpty {
            fp.append(
                ("keyManagementService", ["keyVaultKeyId": .string(keyID(key, region: c.region)), "keyVaultNetworkAccess": "Public"]))
        }
        if let first = c.cluster.nodePools.first {
            var pool: [(String, JSONValue)] = [("name", .string(first.name))]
            pool += poolSettings(c, first)
            pool.append(("onlyCriticalAddonsEnabled", false))
            pool.append(("temporaryNameForRotation", .string(String("tmp\(first.name)".prefix(12)))))
            fp.append(("defaultNodePool", .object(pool)))
        }
        fp.append(("tags", tags()))
        out.append(managed(AzureFoundation.aksAPI, "KubernetesCluster", n, externalName: n, forProvider: fp))
        out.append(
            managed(
                "insights.azure.upbound.io/v1beta2", "MonitorDiagnosticSetting", "\(n)-control-plane",
                forProvider: [
                    ("name", "control-plane-audit"),
                    ("targetResourceId", .string(resourceID("Microsoft.ContainerService/managedClusters", n))),
                    ("logAnalyticsWorkspaceId", .string(resourceID("Microsoft.OperationalInsights/workspaces", workspace))),
                    ("logAnalyticsDestinationType", "Dedicated"),
                    (
                        "enabledLog",
                        .array(
                            ["kube-audit-admin", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "guard"].map {
                                ["category": .string($0)]
                            })
                    ),
                ]))
        return out
    }

    /// What every pool sets: the machine, autoscaling between min and max over the cluster's
    /// zones in the node subnet.
    func poolSettings(_ c: Foundation.ClusterPlan, _ p: NodePool) -> [(String, JSONValue)] {
        var out: [(String, JSONValue)] = [
            ("vmSize", .string(p.machine)), ("autoScalingEnabled", true), ("minCount", .int(p.min)), ("maxCount", .int(p.max)),
            ("vnetSubnetIdRef", ref(nodeSubnet(c))), ("osDiskType", "Managed"),
            ("upgradeSettings", ["maxSurge": "33%"]),
        ]
        if !c.zones.isEmpty { out.append(("zones", .array(c.zones.map { .string($0) }))) }
        return out
    }

    /// One node pool per pool after the first (the cluster's system pool).
    func nodePools(_ c: Foundation.ClusterPlan) -> [JSONValue] {
        c.cluster.nodePools.dropFirst().map { p in
            var fp: [(String, JSONValue)] = [("kubernetesClusterIdRef", ref(c.cluster.name)), ("mode", "User")]
            fp += poolSettings(c, p)
            if !p.taints.isEmpty { fp.append(("nodeTaints", .array(p.taints.map { .string("\($0.key)=\($0.value):\($0.effect)") }))) }
            if p.spot { fp += [("priority", "Spot"), ("evictionPolicy", "Delete"), ("spotMaxPrice", -1)] }
            fp.append(("tags", tags()))
            return managed(
                AzureFoundation.aksAPI, "KubernetesClusterNodePool", "\(c.cluster.name)-\(p.name)", externalName: p.name, forProvider: fp)
        }
    }

    // MARK: identities

    /// One grant of an identity: the role, its scope, and a name for the assignment.
    struct Grant: Hashable, Comparable {
        var name: String
        var role: String
        var scope: String
        /// The storage account of a grant on a container: its assignment lives with the
        /// account (`infra/buckets/`, after the identities' wave), since Azure assigns roles
        /// only on scopes that exist.
        var account: String? = nil
        /// The RoleDefinition of `infra/` a custom role is, referenced by the assignment.
        var definition: String? = nil
        static func < (a: Grant, b: Grant) -> Bool { (a.name, a.role) < (b.name, b.role) }
    }

    /// An identity of the foundation: its key of `provider.identities`, name, bindings and grants.
    struct Identity {
        var key: String
        var name: String
        var bindings: [Foundation.Binding]
        var grants: [Grant]
    }

    // Long: one pass over what uses identities (services' buckets, databases' backups, the
    // add-ons), each a few lines of grants.
    func identities() -> [Identity] {
        var grants: [String: Set<Grant>] = [:]
        var keys: [String: String] = [:]
        func add(_ name: String, _ scope: String, _ g: [Grant]) {
            guard let key = renderer.azureIdentityKey(name, scope: scope) else { return }
            let id = renderer.azureIdentityName(key: key)
            keys[id] = key
            grants[id, default: []].formUnion(g)
        }
        func container(_ bucket: String, _ env: Environment, readOnly: Bool) -> Grant {
            let account = plan.azureStorageAccount(bucket, env: env)
            let name = plan.bucketName(bucket, env: env)
            return Grant(
                name: "\(name)-\(readOnly ? "reader" : "contributor")",
                role: readOnly ? "Storage Blob Data Reader" : "Storage Blob Data Contributor",
                scope: renderer.azureContainerScope(account: account, container: name), account: account)
        }
        for e in spec.environments {
            for s in spec.services where s.runs(in: e.name) {
                let uses = s.uses.filter { $0.kind == .bucket }
                guard !uses.isEmpty else { continue }
                add(s.name, e.name, uses.map { container($0.name, e, readOnly: $0.readOnly) })
            }
            for d in spec.databases {
                guard let b = d.backup else { continue }
                add("\(d.name)-backup", e.name, [container(b.bucket.value, e, readOnly: false)])
            }
        }
        for c in spec.clusters {
            for addon in Renderer.addonServiceAccount.keys.sorted() {
                var g: [Grant] = []
                switch addon {
                case "external-dns", "cert-manager":
                    g = spec.network.dns.zones.map { Grant(name: "\($0.value)-dns", role: "DNS Zone Contributor", scope: zoneID($0.value)) }
                case "external-secrets":
                    if let vault = secretsVault() {
                        g = [
                            Grant(
                                name: "\(vault)-secrets", role: "Key Vault Secrets User",
                                scope: resourceID("Microsoft.KeyVault/vaults", vault))
                        ]
                    }
                case "velero":
                    if let b = Renderer.veleroBucket(spec) {
                        g = plan.targets.filter { $0.cluster.name == c.name }.map { container(b, $0.environment, readOnly: false) }
                        if renderer.rendersVelero && clusters.contains(where: { $0.cluster.name == c.name }) {
                            // Volume snapshots: the disks in the cluster's node resource group, the
                            // snapshots in the platform's group (the VolumeSnapshotLocation's).
                            let disks = veleroRole("velero-disks")
                            let snapshots = veleroRole("velero-snapshots")
                            g.append(
                                Grant(
                                    name: "\(c.name)-velero-disks", role: disks, scope: groupID(renderer.aksNodeResourceGroup(c.name)),
                                    definition: disks))
                            g.append(Grant(name: "velero-snapshots", role: snapshots, scope: groupID(resourceGroup), definition: snapshots))
                        }
                    }
                default: break
                }
                add(addon, c.name, g)
            }
        }
        return bindings.keys.sorted().compactMap { name in
            guard let key = keys[name] else { return nil }
            // Role assignments are per (scope, role): a reader grant gives way to a contributor one.
            var byScope: [String: Grant] = [:]
            for g in (grants[name] ?? []).sorted() {
                if let old = byScope[g.scope], old.role.hasSuffix("Contributor") { continue }
                byScope[g.scope] = g
            }
            return Identity(key: key, name: name, bindings: bindings[name] ?? [], grants: byScope.values.sorted())
        }
    }

    /// The Key Vault of `security.secrets` (`https://<name>.vault.azure.net`), nil for another store.
    func secretsVault() -> String? {
        guard let s = spec.security.secrets, s.store == "azure-key-vault", let host = URL(string: s.address)?.host,
            host.hasSuffix(".vault.azure.net")
        else { return nil }
        return String(host.dropLast(".vault.azure.net".count))
    }

    /// The identity, a federated credential per ServiceAccount on a cluster whose issuer is
    /// known, and its role assignments once its principal id is known.
    func identity(_ id: Identity) -> [JSONValue] {
        var out: [JSONValue] = [
            managed(
                "managedidentity.azure.upbound.io/v1beta1", "UserAssignedIdentity", id.name, externalName: id.name,
                forProvider: [("location", .string(home)), group, ("name", .string(id.name)), ("tags", tags())])
        ]
        for b in id.bindings {
            guard let issuer = spec.infrastructure?.issuers[b.cluster], !issuer.isEmpty else { continue }
            let name = AWSFoundation.objectName("\(id.name)-\(b.cluster)-\(b.namespace)-\(b.serviceAccount)")
            out.append(
                managed(
                    "managedidentity.azure.upbound.io/v1beta1", "FederatedIdentityCredential", name,
                    labels: [("berth.dev/cluster", .string(b.cluster))],
                    forProvider: [
                        group, ("parentIdRef", ref(id.name)), ("audience", ["api://AzureADTokenExchange"]), ("issuer", .string(issuer)),
                        ("subject", .string("system:serviceaccount:\(b.namespace):\(b.serviceAccount)")),
                    ]))
        }
        for g in id.grants where g.account == nil {
            if let a = roleAssignment("\(id.name)-\(g.name)", principalKey: id.key, role: g.role, scope: g.scope, definition: g.definition)
            {
                out.append(a)
            }
        }
        return out
    }

    // MARK: storage and registry

    /// The registry name of an `*.azurecr.io` host, nil for another registry.
    func registryName() -> String? { spec.acrRegistryName }

    /// The ACR registry with the policies of `registry/acr.json`, and AcrPull on it for the
    /// kubelet identity of every cluster, so that nodes pull the images without an admin user
    /// or a pull secret. AKS creates that identity with the cluster, so its principal id comes
    /// with the second pass (`infrastructure.principals.<cluster>-kubelet`).
    func registry() -> [JSONValue]? {
        guard let reg = spec.delivery.registry, let name = registryName() else { return nil }
        let pulls = clusters.compactMap { c in
            roleAssignment(
                "\(spec.platform)-\(c.cluster.name)-kubelet-acr-pull", principalKey: Self.kubeletKey(c.cluster.name), role: "AcrPull",
                scope: resourceID("Microsoft.ContainerRegistry/registries", name))
        }
        return [
            managed(
                "containerregistry.azure.upbound.io/v1beta2", "Registry", name, externalName: name,
                forProvider: [
                    ("location", .string(home)), group, ("sku", "Premium"), ("adminEnabled", false), ("anonymousPullEnabled", false),
                    ("retentionPolicyInDays", .int(max(1, reg.untaggedAfter.days))), ("trustPolicyEnabled", false),
                    ("zoneRedundancyEnabled", true), ("tags", tags()),
                ], orphan: true)
        ] + pulls
    }

    /// The key of `infrastructure.principals` for the kubelet identity AKS creates with `cluster`.
    static func kubeletKey(_ cluster: String) -> String { "\(cluster)-kubelet" }

    // Long: the account's settings translated field by field from `buckets/`'s request body,
    // then its containers, its one management policy and the identities' role assignments.
    func storageAccount(
        _ a: (folder: String, account: String, env: Environment, buckets: [(Bucket, String)]), identities: [Identity]
    ) -> [JSONValue] {
        let params = renderer.azureAccountParameters(a.buckets.map { $0.0 }, env: a.env)
        let props = params["properties"] ?? .object([])
        let blob = renderer.azureBlobService(a.buckets.map { $0.0 })["properties"] ?? .object([])
        let sku = params.at("sku.name")?.stringValue ?? "Standard_ZRS"
        var blobProperties: [(String, JSONValue)] = [("versioningEnabled", blob["isVersioningEnabled"] ?? false)]
        if let d = blob.at("deleteRetentionPolicy.days") { blobProperties.append(("deleteRetentionPolicy", ["days": d])) }
        if let d = blob.at("containerDeleteRetentionPolicy.days") { blobProperties.append(("containerDeleteRetentionPolicy", ["days": d])) }
        var out: [JSONValue] = [
            managed(
                "storage.azure.upbound.io/v1beta2", "Account", a.account, externalName: a.account,
                forProvider: [
                    ("location", params["location"] ?? .string(home)), group, ("accountKind", params["kind"] ?? "StorageV2"),
                    ("accountTier", .string(String(sku.split(separator: "_").first ?? "Standard"))),
                    ("accountReplicationType", .string(String(sku.split(separator: "_").last ?? "ZRS"))),
                    ("httpsTrafficOnlyEnabled", props["supportsHttpsTrafficOnly"] ?? true),
                    ("minTlsVersion", props["minimumTlsVersion"] ?? "TLS1_2"),
                    ("allowNestedItemsToBePublic", props["allowBlobPublicAccess"] ?? false),
                    ("sharedAccessKeyEnabled", props["allowSharedKeyAccess"] ?? false), ("defaultToOauthAuthentication", true),
                    ("publicNetworkAccessEnabled", .bool(props["publicNetworkAccess"]?.stringValue != "Disabled")),
                    ("infrastructureEncryptionEnabled", props.at("encryption.requireInfrastructureEncryption") ?? true),
                    ("blobProperties", .object(blobProperties)), ("tags", tags([("berth.dev/environment", .string(a.env.name))])),
                ] + customerKey(a.buckets.map { $0.0 }, region: params["location"]?.stringValue ?? home), orphan: true)
        ]
        for (_, container) in a.buckets {
            out.append(
                managed(
                    "storage.azure.upbound.io/v1beta1", "Container", AWSFoundation.objectName("\(a.account)-\(container)"),
                    externalName: container,
                    forProvider: [("storageAccountIdRef", ref(a.account)), ("containerAccessType", "private")], orphan: true))
        }
        let rules = a.buckets.compactMap { renderer.azureLifecycleRule($0.0, container: $0.1) }.map(AzureFoundation.managementRule)
        if !rules.isEmpty {
            out.append(
                managed(
                    "storage.azure.upbound.io/v1beta2", "ManagementPolicy", a.account,
                    forProvider: [("storageAccountIdRef", ref(a.account)), ("rule", .array(rules))]))
        }
        // The identities' role assignments on these containers.
        for id in identities {
            for g in id.grants where g.account == a.account {
                if let ra = roleAssignment("\(id.name)-\(g.name)", principalKey: id.key, role: g.role, scope: g.scope) { out.append(ra) }
            }
        }
        return out
    }

    /// The account's identity and customer-managed key (the region's key, versionless so that
    /// its rotation applies), as `buckets/` describes them. The key is set once the storage
    /// identity's principal id is known (the second pass), when its role assignment on the
    /// vault is rendered too: before, the account keeps Microsoft-managed keys.
    func customerKey(_ buckets: [Bucket], region: String) -> [(String, JSONValue)] {
        guard let key = renderer.azureStorageKey(buckets, region: region) else { return [] }
        var out: [(String, JSONValue)] = [("identity", ["type": "UserAssigned", "identityIds": [.string(key.identityID)]])]
        if let p = spec.infrastructure?.principals[key.identity], !p.isEmpty {
            out.append(
                (
                    "customerManagedKey",
                    [
                        "keyVaultKeyId": .string("https://\(key.name).vault.azure.net/keys/\(key.name)"),
                        "userAssignedIdentityId": .string(key.identityID),
                    ]
                ))
        }
        return out
    }

    /// A management policy rule of `buckets/` (ARM's shape) in the provider's shape.
    static func managementRule(_ r: JSONValue) -> JSONValue {
        let names = [
            "tierToCool": "tierToCoolAfterDaysSinceModificationGreaterThan",
            "tierToCold": "tierToColdAfterDaysSinceModificationGreaterThan",
            "tierToArchive": "tierToArchiveAfterDaysSinceModificationGreaterThan",
            "delete": "deleteAfterDaysSinceModificationGreaterThan",
        ]
        var actions: [(String, JSONValue)] = []
        if case .object(let base)? = r.at("definition.actions.baseBlob") {
            actions.append(
                (
                    "baseBlob",
                    .object(base.compactMap { k, v in names[k].map { ($0, v["daysAfterModificationGreaterThan"] ?? 0) } })
                ))
        }
        if let d = r.at("definition.actions.version.delete.daysAfterCreationGreaterThan") {
            actions.append(("version", ["deleteAfterDaysSinceCreation": d]))
        }
        return [
            "name": r["name"] ?? "", "enabled": r["enabled"] ?? true, "actions": .object(actions),
            "filters": [
                "blobTypes": r.at("definition.filters.blobTypes") ?? ["blockBlob"],
                "prefixMatch": r.at("definition.filters.prefixMatch") ?? [],
            ],
        ]
    }
}
