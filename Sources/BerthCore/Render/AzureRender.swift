/// What berth writes for Azure beyond the Kubernetes objects, and the Azure names it uses.
///
/// - Object storage: one storage account per environment holding isolated buckets
///   (`Plan.azureStorageAccount`), one for shared buckets; each bucket is a blob container
///   named like the physical bucket. `buckets/<environment>/<account>.storage-account.json`
///   (`buckets/shared/` for shared buckets) holds the account's settings
///   (`StorageAccountCreateParameters`: StorageV2, HTTPS only, TLS 1.2, no public blob access,
///   no shared keys, encryption), its blob service properties (versioning, soft delete), the
///   ONE management policy of the account with a rule per container scoped by `prefixMatch`,
///   the containers (no public access) and the role assignments: each service's own
///   user-assigned identity gets Storage Blob Data Reader (`:read`) or Contributor on its
///   container only, each database's backup identity Contributor on the backup container.
/// - Registry: `registry/acr.json` for an `*.azurecr.io` host (ACR registry policies).
/// - Edge firewall: `network/firewall/<cluster>.nsg.json`, the network security group's
///   rules (`SecurityRule`, inbound, Allow, priorities from 100 in spec order) for
///   `network.firewall`.
/// - CDN and WAF: `network/cdn/<environment>.front-door.json` (the Front Door endpoint, an
///   origin per public host, a route caching `network.ingress.cdn.paths`) and
///   `network/cdn/<environment>.front-door-waf.json`, the Front Door WAF policy
///   (`WebApplicationFirewallPolicy`: prevention mode, Microsoft's default and bot rule
///   sets, a per-client-IP rate-limit rule from `network.ingress.rateLimit`).
///
/// AKS manages the API server's audit policy and the cluster autoscaler: neither file is
/// written on Azure (`providerManagesControlPlane`).
extension Renderer {
    /// A secret-store key from its parts: `a/b/c` in Vault and the cloud stores; in Azure
    /// Key Vault (names of 1-127 letters, digits and '-') the parts joined with '-', every
    /// other character replaced by '-'.
    func secretKey(_ parts: String...) -> String {
        guard spec.security.secrets?.store == "azure-key-vault" else { return parts.joined(separator: "/") }
        return Renderer.keyVaultName(parts.joined(separator: "-"))
    }

    /// `s` as an Azure Key Vault secret name: letters, digits and '-', at most 127 characters.
    static func keyVaultName(_ s: String) -> String {
        String(String(s.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" }).prefix(127))
    }

    /// The client id of a service's user-assigned managed identity in an environment
    /// (`provider.identities`, key `<environment>-<service>`, else `<service>`), or the
    /// platform's (`provider.account`) when the spec lists none for it.
    func azureClientID(_ service: String, environment: String) -> String {
        for key in ["\(environment)-\(service)", service] {
            if let id = spec.provider.identities[key], !id.isEmpty { return id }
        }
        return spec.provider.account
    }

    /// The client id the database's backup pods use (`provider.identities["<database>-backup"]`,
    /// else `provider.account`); nil when neither is set.
    func azureDatabaseClientID(_ d: Database, environment: String) -> String? {
        let id = azureClientID("\(d.name)-backup", environment: environment)
        return id.isEmpty ? nil : id
    }

    /// The Gateway's `spec.infrastructure.annotations` on AKS: the load balancer Service the
    /// controller creates gets a public IP named `<platform>-<cluster>-<environment>-ingress`
    /// in `provider.resourceGroup` (not a VNet address from the IP plan).
    func azureGatewayAnnotations(_ t: Target) -> [(String, JSONValue)] {
        [
            ("service.beta.kubernetes.io/azure-load-balancer-internal", "false"),
            ("service.beta.kubernetes.io/azure-load-balancer-resource-group", .string(spec.provider.resourceGroup)),
            ("service.beta.kubernetes.io/azure-pip-name", .string("\(spec.platform)-\(t.cluster.name)-\(t.environment.name)-ingress")),
        ]
    }

    /// Every Azure artifact outside Kubernetes (empty on the other providers).
    func azureArtifacts() -> [Artifact] {
        guard spec.provider.name == .azure else { return [] }
        return azureStorageArtifacts() + azureFirewallArtifacts() + azureFrontDoorArtifacts()
    }

    // MARK: object storage

    /// The storage accounts with their buckets: (folder, account, environment, buckets with
    /// their container names), in spec order.
    func azureAccounts() -> [(folder: String, account: String, env: Environment, buckets: [(Bucket, String)])] {
        var out: [(folder: String, account: String, env: Environment, buckets: [(Bucket, String)])] = []
        for (b, env, name) in plan.physicalBuckets {
            let account = plan.azureStorageAccount(b.name, env: env)
            if let i = out.firstIndex(where: { $0.account == account }) {
                out[i].buckets.append((b, name))
            } else {
                let folder = plan.isShared(bucket: b, in: env) ? "buckets/shared" : "buckets/\(env.name)"
                out.append((folder, account, env, [(b, name)]))
            }
        }
        return out
    }

    func azureStorageArtifacts() -> [Artifact] {
        azureAccounts().map { a in
            let doc: JSONValue = [
                "storageAccount": .string(a.account),
                "resourceGroup": .string(spec.provider.resourceGroup),
                "StorageAccountCreateParameters": azureAccountParameters(a.buckets.map { $0.0 }, env: a.env),
                "BlobServiceProperties": azureBlobService(a.buckets.map { $0.0 }),
                "ManagementPolicy": [
                    "properties": ["policy": ["rules": .array(a.buckets.compactMap { azureLifecycleRule($0.0, container: $0.1) })]]
                ],
                "containers": .array(a.buckets.map { ["name": .string($0.1), "properties": ["publicAccess": "None"]] }),
                "roleAssignments": .array(
                    a.buckets.flatMap { azureRoleAssignments($0.0, container: $0.1, account: a.account, env: a.env) }),
            ]
            return Artifact(
                path: "\(a.folder)/\(a.account).storage-account.json", contents: doc.serialized(pretty: true) + "\n", objects: 0)
        }
    }

    /// The account's settings: zone-redundant StorageV2, HTTPS only with TLS 1.2, no public
    /// blob access, no shared keys (Entra ID only), infrastructure encryption; with
    /// `encryption: kms` the customer-managed key of its region (`azureStorageKey`), unwrapped by
    /// the region's storage identity.
    func azureAccountParameters(_ buckets: [Bucket], env: Environment) -> JSONValue {
        let location = plan.dataRegion(of: env) ?? spec.provider.regions.first?.name ?? ""
        var encryption: [(String, JSONValue)] = [
            ("services", ["blob": ["enabled": true, "keyType": "Account"]]), ("requireInfrastructureEncryption", true),
        ]
        var identity: [(String, JSONValue)] = []
        if let key = azureStorageKey(buckets, region: location) {
            encryption.append(("keySource", "Microsoft.Keyvault"))
            encryption.append(
                ("keyvaultproperties", ["keyname": .string(key.name), "keyvaulturi": .string("https://\(key.name).vault.azure.net")]))
            encryption.append(("identity", ["userAssignedIdentity": .string(key.identityID)]))
            identity = [("identity", ["type": "UserAssigned", "userAssignedIdentities": .object([(key.identityID, .object([]))])])]
        } else {
            encryption.append(("keySource", "Microsoft.Storage"))
        }
        return .object(
            [("sku", ["name": "Standard_ZRS"]), ("kind", "StorageV2"), ("location", .string(location))] + identity + [
                (
                    "properties",
                    [
                        "supportsHttpsTrafficOnly": true, "minimumTlsVersion": "TLS1_2",
                        "allowBlobPublicAccess": .bool(buckets.contains(where: \.isPublic)),
                        "allowSharedKeyAccess": false, "publicNetworkAccess": "Enabled", "encryption": .object(encryption),
                    ]
                )
            ])
    }

    /// The customer-managed key of storage accounts in `region` holding `buckets`, when one asks
    /// for `encryption: kms` and the region's `kmsKey` is a disk encryption set of the
    /// foundation's form: the Key Vault key of that set (vault and key share its name, as
    /// `infra/keys/` creates them) and the user-assigned identity `<name>-storage` the accounts
    /// unwrap it with (`infra/keys/` creates it and grants it the key).
    func azureStorageKey(_ buckets: [Bucket], region: String) -> (name: String, identity: String, identityID: String)? {
        guard buckets.contains(where: { $0.encryption == "kms" }), let r = spec.provider.regions.first(where: { $0.name == region }),
            let name = AzureFoundation.diskEncryptionSet(
                r.kmsKey, subscription: spec.provider.subscription, resourceGroup: spec.provider.resourceGroup)
        else { return nil }
        let identity = AzureFoundation.storageIdentity(name)
        return (name, identity, AzureFoundation.resourceID(spec, "Microsoft.ManagedIdentity/userAssignedIdentities", identity))
    }

    /// Blob service properties: versioning (per account on Azure: on when a bucket asks) and
    /// soft delete of blobs and containers.
    func azureBlobService(_ buckets: [Bucket]) -> JSONValue {
        [
            "properties": [
                "isVersioningEnabled": .bool(buckets.contains(where: \.versioning)),
                "deleteRetentionPolicy": ["enabled": true, "days": 7],
                "containerDeleteRetentionPolicy": ["enabled": true, "days": 7],
            ]
        ]
    }

    /// One rule of the account's management policy, limited to the container
    /// (`prefixMatch: ["<container>/"]`), so one bucket's expiry never touches another's blobs.
    func azureLifecycleRule(_ b: Bucket, container: String) -> JSONValue? {
        var baseBlob: [(String, JSONValue)] = []
        for r in b.lifecycle.sorted(by: { $0.after < $1.after }) {
            let days: JSONValue = ["daysAfterModificationGreaterThan": .int(r.after.days)]
            switch r.transition {
            case "infrequent-access"?: baseBlob.append(("tierToCool", days))
            case "archive"?: baseBlob.append(("tierToCold", days))
            case "deep-archive"?: baseBlob.append(("tierToArchive", days))
            default: break
            }
            if r.expire { baseBlob.append(("delete", days)) }
        }
        var actions: [(String, JSONValue)] = []
        if !baseBlob.isEmpty { actions.append(("baseBlob", .object(baseBlob))) }
        if b.versioning { actions.append(("version", ["delete": ["daysAfterCreationGreaterThan": .int(max(1, b.noncurrentAfter.days))]])) }
        guard !actions.isEmpty else { return nil }
        return [
            "enabled": true, "name": .string(String(container.filter { $0.isLetter || $0.isNumber })), "type": "Lifecycle",
            "definition": [
                "actions": .object(actions), "filters": ["blobTypes": ["blockBlob"], "prefixMatch": [.string("\(container)/")]],
            ],
        ]
    }

    /// Role assignments on one container: each principal from `bucketAccess` (a service's or a
    /// database backup's identity) with Storage Blob Data Reader when read-only, Contributor otherwise.
    func azureRoleAssignments(_ b: Bucket, container: String, account: String, env: Environment) -> [JSONValue] {
        let scope = azureContainerScope(account: account, container: container)
        return bucketAccess(b, env: env).map { principal, readOnly in
            [
                "identity": .string(principal),
                "role": .string(readOnly ? "Storage Blob Data Reader" : "Storage Blob Data Contributor"),
                "scope": .string(scope),
            ]
        }
    }

    /// The restore runbook's line for a versioned container: list and copy back a version with the `az` CLI.
    func azureRestoreText(_ b: Bucket, env: Environment, container: String) -> String {
        let account = plan.azureStorageAccount(b.name, env: env)
        return
            "list versions with `az storage blob list --auth-mode login --account-name \(account) --container-name \(container) --include v --prefix KEY`, then restore one with `az storage blob copy start --auth-mode login --account-name \(account) --destination-container \(container) --destination-blob KEY --source-uri 'https://\(account).blob.core.windows.net/\(container)/KEY?versionid=VERSION'`.\n"
    }

    // MARK: registry

    /// ACR: the registry's policies as `az acr update` / `az acr config` settings (tag
    /// immutability through locked manifests, retention of untagged manifests, Defender scan
    /// severity gate) and the repositories the services pull.
    func acrArtifacts(_ reg: Delivery.Registry, untaggedDays: Int) -> [Artifact] {
        let doc: JSONValue = [
            "registry": .string(spec.acrRegistryName ?? reg.host),
            "loginServer": .string(reg.host),
            "sku": "Premium",
            "policies": [
                "retentionPolicy": ["days": .int(untaggedDays), "status": "enabled"],
                "trustPolicy": ["type": "Notary", "status": "disabled"],
                "exportPolicy": ["status": "disabled"],
            ],
            "adminUserEnabled": false,
            "anonymousPullEnabled": false,
            "tagStrategy": .string(reg.tags),
            "immutableTags": .bool(reg.immutable),
            "keepLast": .int(reg.keepLast),
            "scan": [
                "onPush": .bool(reg.scanOnPush), "blockSeverity": .string(reg.blockSeverity.uppercased()),
                "note": .string(
                    "Microsoft Defender for Containers scans pushed images; it does not block pulls. The deploy gate refuses images with findings of severity \(reg.blockSeverity.uppercased()) or above."
                ),
            ],
            "repositories": .array(registryRepositories(reg).map { .string($0) }),
        ]
        return [Artifact(path: "registry/acr.json", contents: doc.serialized(pretty: true) + "\n", objects: 0)]
    }

    // MARK: edge

    /// One network security group per cluster with `network.firewall` rules.
    func azureFirewallArtifacts() -> [Artifact] {
        var out: [Artifact] = []
        for c in spec.clusters.sorted(by: { $0.name < $1.name }) {
            let rules = azureSecurityRules(for: c)
            guard !rules.isEmpty else { continue }
            let nsg: JSONValue = [
                "name": .string("\(spec.platform)-\(c.name)"), "location": .string(c.region.value),
                "properties": ["securityRules": .array(rules)],
            ]
            out.append(Artifact(path: "network/firewall/\(c.name).nsg.json", contents: nsg.serialized(pretty: true) + "\n", objects: 0))
        }
        return out
    }

    /// The network security group's rules of a cluster (`SecurityRule` as ARM writes them:
    /// inbound, Allow, priorities from 100 in spec order) for `network.firewall`; the same
    /// rules for `network/firewall/<cluster>.nsg.json` and the foundation's NSG.
    func azureSecurityRules(for c: Cluster) -> [JSONValue] {
        let vnet = plan.ipPlanCIDR("\(c.name)/vpc") ?? "VirtualNetwork"
        var rules: [JSONValue] = []
        for (target, fs) in firewallRules(for: c) {
            for f in fs {
                let n = rules.count
                rules.append([
                    "name": .string("\(target)-\(f.name)"),
                    "properties": [
                        "description": .string("\(f.name) to \(target)"),
                        "protocol": .string(f.proto == "udp" ? "Udp" : "Tcp"),
                        "sourcePortRange": "*",
                        "destinationPortRanges": .array(f.ports.map { .string(String($0)) }),
                        "sourceAddressPrefix": .string(f.from.value),
                        "destinationAddressPrefix": .string(vnet),
                        "access": "Allow", "priority": .int(100 + n), "direction": "Inbound",
                    ],
                ])
            }
        }
        return rules
    }

    /// Front Door (Standard/Premium) and its WAF policy per environment with public hosts.
    func azureFrontDoorArtifacts() -> [Artifact] {
        guard let cdn = spec.network.ingress.cdn, cdn.provider == "azure-front-door" else { return [] }
        var out: [Artifact] = []
        var seen: Set<String> = []
        for t in plan.targets where seen.insert(t.environment.name).inserted {
            let hosts = Array(
                Set(t.placements.compactMap { p in p.publicRoute?.tls == true && !p.service.isIPAMServer ? p.hostname : nil })
            ).sorted()
            guard !hosts.isEmpty else { continue }
            let policyName = String("\(spec.platform)\(t.environment.name)waf".filter { $0.isLetter || $0.isNumber }.prefix(128))
            let rate = spec.network.ingress.rateLimit
            var custom: [JSONValue] = []
            if let rate {
                custom.append([
                    "name": "perClientRateLimit", "priority": 1, "enabledState": "Enabled", "ruleType": "RateLimitRule",
                    "rateLimitDurationInMinutes": 1, "rateLimitThreshold": .int(rate.rps * 60),
                    "matchConditions": [
                        ["matchVariable": "RequestUri", "operator": "Any", "negateCondition": false, "matchValue": []]
                    ],
                    "action": "Block",
                ])
            }
            let waf: JSONValue = [
                "location": "Global", "sku": ["name": "Premium_AzureFrontDoor"],
                "properties": [
                    "policySettings": ["enabledState": "Enabled", "mode": "Prevention", "requestBodyCheck": "Enabled"],
                    "customRules": ["rules": .array(custom)],
                    "managedRules": [
                        "managedRuleSets": [
                            ["ruleSetType": "Microsoft_DefaultRuleSet", "ruleSetVersion": "2.1", "ruleSetAction": "Block"],
                            ["ruleSetType": "Microsoft_BotManagerRuleSet", "ruleSetVersion": "1.0"],
                        ]
                    ],
                ],
            ]
            let frontDoor: JSONValue = [
                "profile": .string("\(spec.platform)-\(t.environment.name)"), "sku": "Premium_AzureFrontDoor",
                "wafPolicy": .string(policyName),
                "origins": .array(
                    hosts.map {
                        [
                            "name": .string(String($0.map { c in c == "." ? "-" : c })), "hostName": .string($0), "httpsPort": 443,
                            "originHostHeader": .string($0),
                        ]
                    }),
                "routes": [
                    [
                        "name": "cached", "patternsToMatch": .array(cdn.paths.map { .string($0) }), "forwardingProtocol": "HttpsOnly",
                        "httpsRedirect": "Enabled",
                        "cacheConfiguration": ["queryStringCachingBehavior": "UseQueryString", "ttlSeconds": .int(cdn.ttl)],
                    ],
                    ["name": "dynamic", "patternsToMatch": ["/*"], "forwardingProtocol": "HttpsOnly", "httpsRedirect": "Enabled"],
                ],
                "minimumTlsVersion": "TLS12",
            ]
            out.append(
                Artifact(
                    path: "network/cdn/\(t.environment.name).front-door.json", contents: frontDoor.serialized(pretty: true) + "\n",
                    objects: 0))
            out.append(
                Artifact(
                    path: "network/cdn/\(t.environment.name).front-door-waf.json",
                    contents: JSONValue.object([("name", .string(policyName)), ("policy", waf)]).serialized(pretty: true) + "\n",
                    objects: 0))
        }
        return out
    }
}

extension Plan {
    /// The Azure storage account holding bucket `b` in `env`: the platform name and the
    /// environment (or `shared`), lower-case letters and digits only, at most 24 characters
    /// (longer names keep 18 characters and a 6-digit hash of the full name).
    public func azureStorageAccount(_ b: String, env: Environment) -> String {
        let shared = spec.bucket(b).map { isShared(bucket: $0, in: env) } ?? false
        return Plan.azureAccountName("\(spec.platform)\(shared ? "shared" : env.name)")
    }

    /// `s` reduced to an Azure storage account name (3-24 lower-case letters and digits).
    public static func azureAccountName(_ s: String) -> String {
        let clean = String(s.lowercased().filter { ($0.isLetter || $0.isNumber) && $0.isASCII })
        guard clean.count > 24 else { return clean.count >= 3 ? clean : clean + String(repeating: "0", count: 3 - clean.count) }
        var h: UInt32 = 2_166_136_261
        for u in clean.utf8 { h = (h ^ UInt32(u)) &* 16_777_619 }
        let digits = String(h % 1_000_000)
        return String(clean.prefix(18)) + String(repeating: "0", count: 6 - digits.count) + digits
    }
}
