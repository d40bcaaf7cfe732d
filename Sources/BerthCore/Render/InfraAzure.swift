import Foundation

/// The foundation on Azure, as managed resources of the upjet Azure provider family
/// (`*.azure.upbound.io`), one folder per Argo CD Application (see `Infra.swift`).
///
/// - Config: the ProviderConfig `default` (the subscription, credentials from a named Secret)
///   and the resource groups: `provider.resourceGroup` in the first region, and
///   `network.dns.resourceGroup` when the zones live in another one.
/// - Network per cluster: a VNet with the plan's range, and the plan's public and private
///   subnet of every zone, address for address. Azure subnets are regional, not zonal: the
///   zone of a subnet is its `berth.dev/zone` label. AKS places a node pool in one subnet
///   whatever its zones, so every node pool uses the private subnet of the cluster's first
///   zone; the other zones' private subnets exist with their planned ranges (and their NAT
///   gateway in production) for node pools moved there later. Public subnets hold internal
///   load balancers and gateways. NAT gateways are zonal: one per zone in production (each
///   zone's private subnet behind its own), one per cluster elsewhere, each with a zonal
///   Standard public IP. The network security group is the one of
///   `network/firewall/<cluster>.nsg.json` (`azureSecurityRules`), plus the ingress rule the
///   public gateway needs (HTTP and HTTPS from the internet: a subnet NSG denies internet
///   traffic otherwise), associated with every subnet.
/// - Keys: per region whose `kmsKey` is a disk encryption set of the foundation, a Key Vault
///   (RBAC, purge protection) named like the set, a Key and the DiskEncryptionSet itself,
///   whose id is the `kmsKey` the StorageClasses and the clusters name.
/// - DNS: one public zone per `network.dns.zones` entry.
///
/// Azure assigns a managed identity's client and principal ids, a cluster's OIDC issuer and
/// a key's version when it creates them, and the provider's fields that need them take no
/// references: the foundation is applied in two passes, the second with what the first made
/// written into the spec (`provider.identities`, `infrastructure.principals`, `issuers`,
/// `keyVersions`); what still lacks one is left out and `berth check` says so
/// (`infra-identity`). Stateful resources (vaults, keys, zones, storage accounts, the
/// registry) are orphaned on delete.
struct AzureFoundation: CloudFoundation {
    let inputs: FoundationInputs
    var resourceGroup: String { spec.provider.resourceGroup }
    var subscription: String { spec.provider.subscription }
    /// The first region: where the resource group, identities and registry live.
    var home: String { spec.provider.regions.first?.name ?? clusters.first?.region ?? "" }

    /// The provider packages' version (crossplane-contrib/provider-upjet-azure).
    static let providerVersion = "v2.7.0"
    /// The most node pools AKS allows per cluster.
    static let nodePoolLimit = 100
    /// Log Analytics retention bounds, in days.
    static let logRetention = 30...730

    func folders() -> [Renderer.InfraFolder] {
        let ids = identities()
        return infraFolders(
            provider: "azure", config: config(), keys: keyObjects(),
            identities: ids.map { ("infra/identities/\($0.name).yaml", identity($0)) }
                + (veleroRoleDefinitions().isEmpty ? [] : [("infra/identities/_velero-roles.yaml", veleroRoleDefinitions())]),
            registry: ("infra/registry/acr.yaml", "registry"),
            buckets: (
                "storage accounts",
                renderer.azureAccounts().map { ("infra/buckets/\($0.account).yaml", storageAccount($0, identities: ids)) }
            ))
    }

    // MARK: objects

    /// The resource group reference every resource of the platform's group carries.
    var group: (String, JSONValue) { ("resourceGroupNameRef", ref(resourceGroup)) }

    func tags(_ extra: [(String, JSONValue)] = []) -> JSONValue {
        .object([("berth.dev/platform", .string(spec.platform))] + extra)
    }

    /// `/subscriptions/<subscription>/resourceGroups/<group>/providers/<type>/<name>`.
    func resourceID(_ type: String, _ name: String, group: String? = nil) -> String {
        AzureFoundation.resourceID(spec, type, name, group: group)
    }

    /// A resource id in `spec`'s subscription and (unless `group` names another) its resource group.
    static func resourceID(_ spec: Spec, _ type: String, _ name: String, group: String? = nil) -> String {
        "/subscriptions/\(spec.provider.subscription)/resourceGroups/\(group ?? spec.provider.resourceGroup)/providers/\(type)/\(name)"
    }

    /// The provider families the foundation uses, at one pinned version.
    func providers() -> [JSONValue] {
        var families = [
            "authorization", "compute", "containerservice", "insights", "keyvault", "managedidentity", "network", "operationalinsights",
        ]
        if !renderer.azureAccounts().isEmpty { families.append("storage") }
        if registryName() != nil { families.append("containerregistry") }
        return providerPackages("azure", families, version: AzureFoundation.providerVersion)
    }

    /// The ProviderConfig every managed resource names (the subscription, credentials from
    /// the Secret `infrastructure.credentials`, key `credentials`, never written by berth)
    /// and the resource groups.
    func config() -> [JSONValue] {
        var pc: [(String, JSONValue)] = [credentials(fallback: "azure-credentials"), ("subscriptionID", .string(subscription))]
        if let t = spec.infrastructure?.tenant, !t.isEmpty { pc.append(("tenantID", .string(t))) }
        var out = [providerConfig("azure", pc)]
        for g in resourceGroups() {
            out.append(
                managed(
                    "azure.upbound.io/v1beta1", "ResourceGroup", g, externalName: g,
                    forProvider: [("location", .string(home)), ("tags", tags())],
                    orphan: true))
        }
        return out
    }

    /// `provider.resourceGroup`, and the DNS zones' group when it is another.
    func resourceGroups() -> [String] {
        let dns = dnsGroup
        return dns == resourceGroup ? [resourceGroup] : [resourceGroup, dns]
    }

    var dnsGroup: String { spec.network.dns.resourceGroup.isEmpty ? resourceGroup : spec.network.dns.resourceGroup }

    // MARK: network

    func subnetName(_ c: Foundation.ClusterPlan, _ s: Foundation.Subnet) -> String {
        "\(c.cluster.name)-\(s.zone)-\(s.isPublic ? "public" : "private")"
    }

    /// The private subnet the cluster's node pools use: the first zone's.
    func nodeSubnet(_ c: Foundation.ClusterPlan) -> String {
        c.network.subnets.first { !$0.isPublic }.map { subnetName(c, $0) } ?? c.cluster.name
    }

    // Long: one network is a fixed sequence of related resources (VNet, subnets, NAT gateways
    // and their addresses, the NSG and its associations); apart they would scatter the
    // references between them.
    func network(_ c: Foundation.ClusterPlan) -> [JSONValue] {
        let n = c.cluster.name
        let location: (String, JSONValue) = ("location", .string(c.region))
        var out: [JSONValue] = [
            managed(
                "network.azure.upbound.io/v1beta2", "VirtualNetwork", n, externalName: "\(spec.platform)-\(n)",
                forProvider: [location, group, ("addressSpace", [.string(c.network.cidr)]), ("tags", tags())])
        ]
        for s in c.network.subnets {
            out.append(
                managed(
                    "network.azure.upbound.io/v1beta2", "Subnet", subnetName(c, s), externalName: subnetName(c, s),
                    labels: [("berth.dev/zone", .string(s.zone)), ("berth.dev/tier", .string(s.isPublic ? "public" : "private"))],
                    forProvider: [
                        group, ("virtualNetworkNameRef", ref(n)), ("addressPrefixes", [.string(s.cidr)]),
                        ("defaultOutboundAccessEnabled", false),
                    ]))
        }
        let natZones = c.network.natPerZone ? c.zones : Array(c.zones.prefix(1))
        for z in natZones {
            out.append(
                managed(
                    "network.azure.upbound.io/v1beta1", "PublicIP", "\(n)-nat-\(z)", externalName: "\(spec.platform)-\(n)-nat-\(z)",
                    forProvider: [
                        location, group, ("allocationMethod", "Static"), ("sku", "Standard"), ("zones", [.string(z)]), ("tags", tags()),
                    ]))
            out.append(
                managed(
                    "network.azure.upbound.io/v1beta1", "NATGateway", "\(n)-\(z)", externalName: "\(spec.platform)-\(n)-\(z)",
                    forProvider: [
                        location, group, ("skuName", "Standard"), ("zones", [.string(z)]), ("idleTimeoutInMinutes", 4), ("tags", tags()),
                    ]))
            out.append(
                managed(
                    "network.azure.upbound.io/v1beta1", "NATGatewayPublicIPAssociation", "\(n)-\(z)",
                    forProvider: [("natGatewayIdRef", ref("\(n)-\(z)")), ("publicIpAddressIdRef", ref("\(n)-nat-\(z)"))]))
        }
        for s in c.network.subnets where !s.isPublic {
            let nat = natZones.contains(s.zone) ? s.zone : natZones.first ?? s.zone
            out.append(
                managed(
                    "network.azure.upbound.io/v1beta1", "SubnetNATGatewayAssociation", subnetName(c, s),
                    forProvider: [("natGatewayIdRef", ref("\(n)-\(nat)")), ("subnetIdRef", ref(subnetName(c, s)))]))
        }
        let nsg = "\(spec.platform)-\(n)"
        out.append(
            managed(
                "network.azure.upbound.io/v1beta1", "SecurityGroup", nsg, externalName: nsg,
                forProvider: [location, group, ("tags", tags())]))
        for rule in securityRules(c) {
            let name = rule["name"]?.stringValue ?? ""
            let p = rule["properties"] ?? .object([])
            var fp: [(String, JSONValue)] = [group, ("networkSecurityGroupNameRef", ref(nsg))]
            for key in [
                "description", "protocol", "sourcePortRange", "destinationPortRanges", "sourceAddressPrefix", "destinationAddressPrefix",
                "access", "priority", "direction",
            ] {
                if let v = p[key] { fp.append((key, v)) }
            }
            out.append(
                managed(
                    "network.azure.upbound.io/v1beta1", "SecurityRule", AWSFoundation.objectName("\(nsg)-\(name)"), externalName: name,
                    forProvider: fp))
        }
        for s in c.network.subnets {
            out.append(
                managed(
                    "network.azure.upbound.io/v1beta1", "SubnetNetworkSecurityGroupAssociation", subnetName(c, s),
                    forProvider: [("networkSecurityGroupIdRef", ref(nsg)), ("subnetIdRef", ref(subnetName(c, s)))]))
        }
        return out
    }

    /// The rules of `network/firewall/<cluster>.nsg.json`, then the public gateway's: HTTP and
    /// HTTPS from the internet to the network, after every spec rule.
    func securityRules(_ c: Foundation.ClusterPlan) -> [JSONValue] {
        let rules = renderer.azureSecurityRules(for: c.cluster)
        let gateway: JSONValue = [
            "name": "ingress-gateway",
            "properties": [
                "description": "the public gateway's load balancer: HTTP and HTTPS from the internet", "protocol": "Tcp",
                "sourcePortRange": "*", "destinationPortRanges": ["80", "443"], "sourceAddressPrefix": "Internet",
                "destinationAddressPrefix": .string(c.network.cidr), "access": "Allow", "priority": .int(100 + rules.count),
                "direction": "Inbound",
            ],
        ]
        return rules + [gateway]
    }

    // MARK: keys and DNS

    /// A disk encryption set id of the platform's resource group: its name, nil otherwise.
    static func diskEncryptionSet(_ id: String, subscription: String, resourceGroup: String) -> String? {
        let prefix = "/subscriptions/\(subscription)/resourceGroups/\(resourceGroup)/providers/Microsoft.Compute/diskEncryptionSets/"
        guard id.hasPrefix(prefix) else { return nil }
        let name = String(id.dropFirst(prefix.count))
        return name.isEmpty || name.contains("/") ? nil : name
    }

    /// The user-assigned identity that storage accounts of the region whose key is `keyName`
    /// unwrap their customer-managed key with (`Renderer.azureStorageKey`).
    static func storageIdentity(_ keyName: String) -> String { "\(keyName)-storage" }

    /// The regions whose key is a disk encryption set of the foundation: (region, set name).
    func regionKeys() -> [(region: String, name: String)] {
        spec.provider.regions.compactMap { r in
            AzureFoundation.diskEncryptionSet(r.kmsKey, subscription: subscription, resourceGroup: resourceGroup).map { (r.name, $0) }
        }
    }

    /// The Key Vault key id of a region's key, versioned when `infrastructure.keyVersions` has it.
    func keyID(_ name: String, region: String) -> String {
        let base = "https://\(name).vault.azure.net/keys/\(name)"
        guard let v = spec.infrastructure?.keyVersions[region], !v.isEmpty else { return base }
        return "\(base)/\(v)"
    }

    func keyObjects() -> [JSONValue] {
        regionKeys().flatMap { k -> [JSONValue] in
            let location: (String, JSONValue) = ("location", .string(k.region))
            var out: [JSONValue] = [
                managed(
                    "keyvault.azure.upbound.io/v1beta2", "Vault", k.name, externalName: k.name,
                    forProvider: [
                        location, group, ("skuName", "premium"), ("tenantId", .string(spec.infrastructure?.tenant ?? "")),
                        ("rbacAuthorizationEnabled", true), ("purgeProtectionEnabled", true), ("softDeleteRetentionDays", 90),
                        ("enabledForDiskEncryption", true), ("tags", tags()),
                    ], orphan: true),
                managed(
                    "keyvault.azure.upbound.io/v1beta2", "Key", k.name, externalName: k.name,
                    forProvider: [
                        ("name", .string(k.name)), ("keyVaultIdRef", ref(k.name)), ("keyType", "RSA-HSM"), ("keySize", 3072),
                        ("keyOpts", ["decrypt", "encrypt", "sign", "unwrapKey", "verify", "wrapKey"]),
                        (
                            "rotationPolicy",
                            ["automatic": ["timeBeforeExpiry": "P30D"], "expireAfter": "P1Y", "notifyBeforeExpiry": "P29D"]
                        ),
                        ("tags", tags()),
                    ], orphan: true),
                managed(
                    "compute.azure.upbound.io/v1beta2", "DiskEncryptionSet", k.name, externalName: k.name,
                    forProvider: [
                        location, group, ("keyVaultKeyIdRef", ref(k.name)), ("autoKeyRotationEnabled", true),
                        ("encryptionType", "EncryptionAtRestWithCustomerKey"), ("identity", ["type": "SystemAssigned"]), ("tags", tags()),
                    ], orphan: true),
            ]
            // The set's own identity unwraps the key.
            if let a = roleAssignment(
                "\(k.name)-disk-encryption-set", principalKey: k.name, role: "Key Vault Crypto Service Encryption User",
                scope: resourceID("Microsoft.KeyVault/vaults", k.name))
            {
                out.append(a)
            }
            // The storage accounts' identity unwraps it too, when a bucket asks for the key.
            if spec.buckets.contains(where: { $0.encryption == "kms" }) {
                let id = AzureFoundation.storageIdentity(k.name)
                out.append(
                    managed(
                        "managedidentity.azure.upbound.io/v1beta1", "UserAssignedIdentity", id, externalName: id,
                        forProvider: [location, group, ("name", .string(id)), ("tags", tags())]))
                if let a = roleAssignment(
                    id, principalKey: id, role: "Key Vault Crypto Service Encryption User",
                    scope: resourceID("Microsoft.KeyVault/vaults", k.name))
                {
                    out.append(a)
                }
            }
            return out
        }
    }

    /// A role assignment for the identity whose principal id `infrastructure.principals`
    /// holds under `principalKey`; nil while it has none. `definition` names a RoleDefinition
    /// of `infra/` (a custom role, referenced) instead of the built-in role `role`.
    func roleAssignment(_ name: String, principalKey: String, role: String, scope: String, definition: String? = nil) -> JSONValue? {
        guard let principal = spec.infrastructure?.principals[principalKey], !principal.isEmpty else { return nil }
        let roleField: (String, JSONValue) = definition.map { ("roleDefinitionIdRef", ref($0)) } ?? ("roleDefinitionName", .string(role))
        return managed(
            "authorization.azure.upbound.io/v1beta1", "RoleAssignment", AWSFoundation.objectName(name),
            forProvider: [
                ("principalId", .string(principal)), ("principalType", "ServicePrincipal"), roleField,
                ("scope", .string(scope)), ("skipServicePrincipalAadCheck", true),
            ])
    }

    /// The id of a resource group of the subscription.
    func groupID(_ name: String) -> String { "/subscriptions/\(subscription)/resourceGroups/\(name)" }

    /// The custom roles Velero's Azure plugin needs for volume snapshots (least privilege, the
    /// actions of the plugin's documentation, split by scope): on each cluster's node resource
    /// group, reading the managed disks and creating them on restore; on the platform's
    /// resource group (the VolumeSnapshotLocation's `resourceGroup`), the snapshots, and
    /// reading the disk encryption sets that encrypt them.
    static let veleroRoles: [(suffix: String, what: String, actions: [String])] = [
        (
            "velero-disks", "Velero: read managed disks and create them from snapshots (the clusters' node resource groups)",
            [
                "Microsoft.Compute/disks/read", "Microsoft.Compute/disks/write", "Microsoft.Compute/disks/beginGetAccess/action",
                "Microsoft.Compute/disks/endGetAccess/action",
            ]
        ),
        (
            "velero-snapshots", "Velero: manage volume snapshots (the platform's resource group)",
            [
                "Microsoft.Compute/snapshots/read", "Microsoft.Compute/snapshots/write", "Microsoft.Compute/snapshots/delete",
                "Microsoft.Compute/diskEncryptionSets/read",
            ]
        ),
    ]

    /// The RoleDefinition object (and role name) of one of `veleroRoles`.
    func veleroRole(_ suffix: String) -> String { "\(spec.platform)-\(suffix)" }

    /// Velero's two custom roles, created at the subscription and assignable on the node
    /// resource groups and the platform's group; empty without Velero Schedules.
    func veleroRoleDefinitions() -> [JSONValue] {
        guard renderer.rendersVelero, Renderer.veleroBucket(spec) != nil else { return [] }
        return AzureFoundation.veleroRoles.map { r in
            let scopes =
                r.suffix == "velero-disks"
                ? clusters.map { groupID(renderer.aksNodeResourceGroup($0.cluster.name)) } : [groupID(resourceGroup)]
            return managed(
                "authorization.azure.upbound.io/v1beta1", "RoleDefinition", veleroRole(r.suffix),
                forProvider: [
                    ("name", .string(veleroRole(r.suffix))), ("scope", .string("/subscriptions/\(subscription)")),
                    ("description", .string("\(spec.platform): \(r.what)")),
                    ("permissions", [["actions": .array(r.actions.map { .string($0) })]]),
                    ("assignableScopes", .array(scopes.map { .string($0) })),
                ])
        }
    }

    func zones() -> [JSONValue] {
        spec.network.dns.zones.map { z in
            managed(
                "network.azure.upbound.io/v1beta2", "DNSZone", z.value, externalName: z.value,
                forProvider: [("resourceGroupNameRef", ref(dnsGroup)), ("tags", tags())], orphan: true)
        }
    }

    /// The id of a public DNS zone (the scope external-dns and cert-manager write in).
    func zoneID(_ zone: String) -> String {
        let sub = spec.network.dns.subscription.isEmpty ? subscription : spec.network.dns.subscription
        return "/subscriptions/\(sub)/resourceGroups/\(dnsGroup)/providers/Microsoft.Network/dnszones/\(zone)"
    }
}

extension Spec {
    /// The ACR registry name of `delivery.registry` when its host is `<name>.azurecr.io`; nil otherwise.
    var acrRegistryName: String? {
        guard let host = delivery.registry?.host, host.hasSuffix(".azurecr.io") else { return nil }
        return String(host.dropLast(".azurecr.io".count))
    }

    /// The key of `provider.identities` whose client id the ServiceAccount of `name` in
    /// `scope` carries: `<scope>-<name>`, `<name>`, or `platform` for `provider.account`; nil without any.
    func azureIdentityKey(_ name: String, scope: String) -> String? {
        for key in ["\(scope)-\(name)", name] {
            if let id = provider.identities[key], !id.isEmpty { return key }
        }
        return provider.account.isEmpty ? nil : "platform"
    }
}

extension Renderer {
    /// The taint AKS puts on every node of a Spot pool.
    static let aksSpotTaint = Taint(key: "kubernetes.azure.com/scalesetpriority", value: "spot", effect: "NoSchedule")

    /// Whether the Azure foundation is rendered (azure with `infrastructure`).
    var azureFoundation: Bool { spec.provider.name == .azure && spec.infrastructure != nil }

    /// The resource group AKS creates for a cluster's nodes and disks, named by the
    /// foundation (`<platform>-<cluster>-nodes`) so that Velero's snapshot rights and its
    /// plugin's `AZURE_RESOURCE_GROUP` name it at render time.
    func aksNodeResourceGroup(_ cluster: String) -> String { Renderer.bounded("\(spec.platform)-\(cluster)-nodes", limit: 80) }

    /// The key of `provider.identities` whose client id the ServiceAccount of `name` (a
    /// service, an add-on, or `<database>-backup`) in `scope` (its environment or cluster)
    /// carries: `<scope>-<name>`, `<name>`, or `platform` for `provider.account`; nil without any.
    func azureIdentityKey(_ name: String, scope: String) -> String? { spec.azureIdentityKey(name, scope: scope) }

    /// The managed identity the foundation creates for a key of `provider.identities`:
    /// `<platform>-<key>`, one identity per client id, so that the client id on a
    /// ServiceAccount always belongs to the identity it names.
    func azureIdentityName(key: String) -> String { Renderer.bounded("\(spec.platform)-\(key)", limit: 128) }

    /// `berth.dev/cloud-identity` for the ServiceAccount of `name` in `scope` with the Azure
    /// foundation, naming the managed identity whose client id it carries.
    func azureIdentityAnnotation(_ name: String, scope: String) -> [(String, JSONValue)] {
        guard azureFoundation, let key = azureIdentityKey(name, scope: scope) else { return [] }
        return [(Renderer.cloudIdentityAnnotation, .string(azureIdentityName(key: key)))]
    }

    /// The id of a blob container (the scope of its role assignments).
    func azureContainerScope(account: String, container: String) -> String {
        let sub = spec.provider.subscription.isEmpty ? "" : "/subscriptions/\(spec.provider.subscription)"
        return
            "\(sub)/resourceGroups/\(spec.provider.resourceGroup)/providers/Microsoft.Storage/storageAccounts/\(account)/blobServices/default/containers/\(container)"
    }
}
