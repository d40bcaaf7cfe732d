/// Azure's own limits on what berth names and places there: regions and their availability
/// zones, storage account names, Key Vault secret names and per-service identities.
extension PlatformChecks {
    /// Azure regions berth knows, with whether they have availability zones (`1`, `2`, `3`).
    /// Public Azure regions as listed by `az account list-locations` (physical regions).
    static let azureRegions: [String: Bool] = [
        "australiacentral": false, "australiaeast": true, "australiasoutheast": false, "austriaeast": true,
        "belgiumcentral": true, "brazilsouth": true, "canadacentral": true, "canadaeast": false, "centralindia": true,
        "centralus": true, "chilecentral": true, "eastasia": true, "eastus": true, "eastus2": true, "francecentral": true,
        "francesouth": false, "germanynorth": false, "germanywestcentral": true, "indonesiacentral": true,
        "israelcentral": true, "italynorth": true, "japaneast": true, "japanwest": true, "koreacentral": true,
        "koreasouth": false, "malaysiawest": true, "mexicocentral": true, "newzealandnorth": true, "northcentralus": false,
        "northeurope": true, "norwayeast": true, "norwaywest": false, "polandcentral": true, "qatarcentral": true,
        "southafricanorth": true, "southafricawest": false, "southcentralus": true, "southeastasia": true,
        "southindia": false, "spaincentral": true, "swedencentral": true, "switzerlandnorth": true,
        "switzerlandwest": false, "uaecentral": false, "uaenorth": true, "uksouth": true, "ukwest": false,
        "westcentralus": false, "westeurope": true, "westindia": false, "westus": false, "westus2": true, "westus3": true,
    ]

    /// Azure only: regions and zones that exist, storage account names that stay distinct,
    /// Key Vault secret names within 127 characters, and services that use a bucket without an
    /// identity of their own.
    public static func azure(_ spec: Spec) -> [Diagnostic] {
        guard spec.provider.name == .azure else { return [] }
        return azureRegionZones(spec) + azureStorageAccounts(spec) + azureSecretNames(spec) + azureTeamGroups(spec)
    }

    /// Each region is an Azure region, and its zones are Azure's (none where it has none).
    static func azureRegionZones(_ spec: Spec) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for r in spec.provider.regions {
            guard let zoned = azureRegions[r.name] else {
                out.append(
                    .warning(
                        .providerRegion, "region '\(r.name)' is not an Azure region (Azure names regions like 'westeurope' or 'eastus2')",
                        at: r.location))
                continue
            }
            let bad = r.zones.filter { !["1", "2", "3"].contains($0) }
            if !bad.isEmpty {
                out.append(
                    .error(
                        .providerZoneName,
                        "zone '\(bad[0])' of region '\(r.name)': Azure availability zones are '1', '2' and '3'", at: r.location))
            } else if !zoned, !r.zones.isEmpty {
                out.append(.warning(.providerRegion, "region '\(r.name)' has no availability zones: leave its zones empty", at: r.location))
            }
        }
        return out
    }

    /// Teams name their Entra ID group by object id: AKS puts group object ids into the token.
    static func azureTeamGroups(_ spec: Spec) -> [Diagnostic] {
        spec.security.teams.filter { !isObjectID($0.group) }.map { t in
            .warning(
                .teamGroupId,
                "team '\(t.name)': group '\(t.group)' is not an Entra ID object id (AKS puts group object ids, not names, into the token)",
                at: t.location)
        }
    }

    /// A GUID in its usual form (8-4-4-4-12 hexadecimal digits), as Entra ID object ids are written.
    static func isObjectID(_ s: String) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        return parts.map(\.count) == [8, 4, 4, 4, 12] && parts.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }

    /// Two environments (or an environment and the shared buckets) whose storage accounts
    /// get the same name: Azure storage account names are global, letters and digits only.
    static func azureStorageAccounts(_ spec: Spec) -> [Diagnostic] {
        guard !spec.buckets.isEmpty else { return [] }
        var owner: [String: String] = [:]
        var out: [Diagnostic] = []
        let owners: [(String, Environment?)] = [("shared", spec.environments.first)] + spec.environments.map { ($0.name, $0) }
        for (name, env) in owners {
            let account = Plan.azureAccountName("\(spec.platform)\(name)")
            if let other = owner[account], other != name {
                out.append(
                    .error(
                        .storageAccountName,
                        "storage account '\(account)' of environment '\(name)' is also the one of '\(other)' (storage account names keep only lower-case letters and digits of '<platform><environment>', at most 24)",
                        at: env?.location ?? spec.provider.location))
            } else {
                owner[account] = name
            }
        }
        return out
    }

    /// Key Vault secret names (`<platform>-<environment>-<service>-<secret>`) over 127 characters.
    static func azureSecretNames(_ spec: Spec) -> [Diagnostic] {
        guard spec.security.secrets?.store == "azure-key-vault" else { return [] }
        var out: [Diagnostic] = []
        for s in spec.services {
            for secret in s.secrets {
                let longest = spec.environments.filter { s.runs(in: $0.name) }.map(\.name).max { $0.count < $1.count } ?? ""
                let key = "\(spec.platform)-\(longest)-\(s.name)-\(secret)"
                if key.count > 127 {
                    out.append(
                        .error(
                            .secretKeyName,
                            "secret '\(secret)' of service '\(s.name)': its Key Vault name '\(key)' is \(key.count) characters; Key Vault allows 127",
                            at: s.location))
                }
            }
        }
        return out
    }
}
