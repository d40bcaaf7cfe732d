/// What the Azure foundation needs (`infrastructure` on azure): the subscription and tenant
/// it names, disk encryption sets it can create, AKS names and counts within Azure's limits,
/// and the values Azure assigns on creation that the second pass needs.
extension PlatformChecks {
    /// The most node pools AKS allows per cluster.
    public static let aksNodePoolLimit = 100

    // Long: one rule per thing the Azure foundation needs, each a few lines; apart they
    // would each repeat the guards on the spec.
    /// `infrastructure` on azure (see docs/checks.md).
    static func azureInfrastructure(_ spec: Spec, infra: Infrastructure) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let p = spec.provider
        if p.subscription.isEmpty {
            out.append(
                .error(
                    .infraEngine, "infrastructure on azure needs provider.subscription (the ProviderConfig and every resource id name it)",
                    at: p.location))
        }
        if infra.tenant.isEmpty {
            out.append(
                .error(
                    .infraEngine, "infrastructure on azure needs infrastructure.tenant (the Entra ID tenant the Key Vaults trust)",
                    at: infra.location))
        }
        for r in p.regions where !r.kmsKey.isEmpty && !p.subscription.isEmpty {
            let prefix =
                "/subscriptions/\(p.subscription)/resourceGroups/\(p.resourceGroup)/providers/Microsoft.Compute/diskEncryptionSets/"
            let name = AzureFoundation.diskEncryptionSet(r.kmsKey, subscription: p.subscription, resourceGroup: p.resourceGroup) ?? ""
            if !validVaultName(name) {
                out.append(
                    .error(
                        .infraKey,
                        "provider.regions.\(r.name).kmsKey must be the disk encryption set the foundation creates, \(prefix)<name> (its Key Vault takes the same name: 3-24 letters, digits and '-', starting with a letter), found '\(r.kmsKey)'",
                        at: r.location))
            }
        }
        for c in spec.clusters {
            if let d = nodePoolLimit(c, limit: aksNodePoolLimit, allows: "AKS allows \(aksNodePoolLimit) per cluster") { out.append(d) }
            let dnsPrefix = "\(spec.platform)-\(c.name)"
            if c.name.count > 63 || dnsPrefix.count > 54 {
                out.append(
                    .error(
                        .infraLimit,
                        "cluster '\(c.name)': AKS cluster names have at most 63 characters and the DNS prefix '\(dnsPrefix)' at most 54",
                        at: c.location))
            }
            if let first = c.nodePools.first, first.spot || !first.taints.isEmpty {
                out.append(
                    .error(
                        .infraLimit,
                        "node pool '\(first.name)' of cluster '\(c.name)': the first pool becomes the AKS system pool, which can be neither spot nor tainted; list an on-demand pool without taints first",
                        at: first.location))
            }
        }
        out += azureIdentityFindings(spec, infra: infra)
        return out
    }

    /// A Key Vault name: 3-24 letters, digits and '-', starting with a letter, ending with a
    /// letter or digit, no '--'.
    static func validVaultName(_ n: String) -> Bool {
        guard (3...24).contains(n.count), let first = n.first, let last = n.last else { return false }
        return first.isASCII && first.isLetter && last.isASCII && (last.isLetter || last.isNumber) && !n.contains("--")
            && n.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }

    // Long: each finding is a few lines of a different source (services, databases, the
    // values Azure assigns); apart they would repeat the walk over the environments.
    /// Identities the render needs without a client id of their own, and the values Azure
    /// assigns on creation (principal ids, OIDC issuers) that the second pass still lacks.
    static func azureIdentityFindings(_ spec: Spec, infra: Infrastructure) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var keys: Set<String> = []
        let owner =
            spec.provider.account.isEmpty
            ? "no identity at all (provider.account is empty)" : "the platform identity \(spec.platform)-platform (provider.account)"
        for s in spec.services where s.uses.contains(where: { $0.kind == .bucket }) {
            for e in spec.environments where s.runs(in: e.name) {
                if let k = spec.azureIdentityKey(s.name, scope: e.name), k != "platform" {
                    keys.insert(k)
                    continue
                }
                out.append(
                    .warning(
                        .infraIdentity,
                        "service '\(s.name)' uses buckets in '\(e.name)' but provider.identities has no client id for it ('\(e.name)-\(s.name)' or '\(s.name)'): it gets \(owner); apply infra/, read status.atProvider.clientId of the UserAssignedIdentity \(spec.platform)-\(s.name) and write it to provider.identities.\(s.name)",
                        at: s.location))
                break
            }
        }
        for d in spec.databases where d.backup != nil {
            for e in spec.environments {
                if let k = spec.azureIdentityKey("\(d.name)-backup", scope: e.name), k != "platform" {
                    keys.insert(k)
                    continue
                }
                out.append(
                    .warning(
                        .infraIdentity,
                        "database '\(d.name)' is backed up but provider.identities has no client id for '\(d.name)-backup': its backups get \(owner); apply infra/, read status.atProvider.clientId of the UserAssignedIdentity \(spec.platform)-\(d.name)-backup and write it to provider.identities.\(d.name)-backup",
                        at: d.location))
                break
            }
        }
        if !spec.provider.account.isEmpty { keys.insert("platform") }
        for c in spec.clusters { keys.insert("\(c.name)-control-plane") }
        if spec.acrRegistryName != nil {
            for c in spec.clusters { keys.insert(AzureFoundation.kubeletKey(c.name)) }
        }
        for r in spec.provider.regions {
            if let n = AzureFoundation.diskEncryptionSet(
                r.kmsKey, subscription: spec.provider.subscription, resourceGroup: spec.provider.resourceGroup), validVaultName(n)
            {
                keys.insert(n)
                if spec.buckets.contains(where: { $0.encryption == "kms" }) { keys.insert(AzureFoundation.storageIdentity(n)) }
            }
        }
        let principals = keys.filter { (infra.principals[$0] ?? "").isEmpty }.sorted()
        if !principals.isEmpty {
            out.append(
                .warning(
                    .infraPending,
                    "infrastructure.principals has no principal id for \(principals.joined(separator: ", ")): their role assignments are not rendered; apply infra/, then write each identity's status.atProvider.principalId (a disk encryption set's identity's, for its name; the storage accounts' identity's, for <set name>-storage; a cluster's kubelet identity's, status.atProvider.kubeletIdentity[0].objectId, for <cluster>-kubelet) there",
                    at: infra.location))
        }
        let issuers = spec.clusters.map(\.name).filter { (infra.issuers[$0] ?? "").isEmpty }
        if !issuers.isEmpty {
            out.append(
                .warning(
                    .infraPending,
                    "infrastructure.issuers has no OIDC issuer for \(issuers.joined(separator: ", ")): the federated identity credentials of their ServiceAccounts are not rendered; apply infra/, then write each KubernetesCluster's status.atProvider.oidcIssuerUrl there",
                    at: infra.location))
        }
        return out
    }
}
