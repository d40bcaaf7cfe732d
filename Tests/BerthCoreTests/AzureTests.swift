import BerthCore
import Foundation
import Testing

/// Azure: the example checks clean, the Azure checks name Azure's limits verbatim at the
/// spec's `file:line:col`, and the Azure names berth derives stay within them.
@Suite("Azure")
struct AzureTests {
    static let example = Fixtures.repoRoot.appendingPathComponent("examples/azure/platform.yaml")

    static func malformed(_ name: String) -> [String] {
        let url = Fixtures.fixtures.appendingPathComponent("malformed/\(name)")
        return Fixtures.lines(Fixtures.check(Fixtures.text(url), file: name)).filter { $0.contains("error:") || $0.contains("warning:") }
    }

    @Test("examples/azure checks with no error")
    func exampleChecksClean() {
        let loaded = Fixtures.check(Fixtures.text(Self.example), file: "platform.yaml")
        #expect(loaded.spec != nil)
        #expect(Fixtures.lines(loaded).filter { $0.contains("error:") } == [])
    }

    @Test("regions Azure does not have (warnings: Azure adds regions) and zones it cannot have (errors), at the region's line")
    func regionsAndZones() {
        #expect(
            Self.malformed("azure-region-zones.yaml") == [
                "azure-region-zones.yaml:6:5: warning: region 'west-europe' is not an Azure region (Azure names regions like 'westeurope' or 'eastus2')",
                "azure-region-zones.yaml:7:5: error: zone 'northeurope-1' of region 'northeurope': Azure availability zones are '1', '2' and '3'",
                "azure-region-zones.yaml:8:5: warning: region 'ukwest' has no availability zones: leave its zones empty",
            ])
    }

    @Test("two environments whose storage accounts get one name")
    func storageAccountClash() {
        #expect(
            Self.malformed("azure-storage-account-clash.yaml") == [
                "azure-storage-account-clash.yaml:14:3: error: storage account 'shopproda' of environment 'proda' is also the one of 'prod-a' (storage account names keep only lower-case letters and digits of '<platform><environment>', at most 24)"
            ])
    }

    @Test("Key Vault secret names over 127 characters")
    func keyVaultNames() {
        #expect(
            Self.malformed("azure-key-vault-name.yaml").filter { $0.contains("Key Vault") } == [
                "azure-key-vault-name.yaml:15:3: error: secret 'payment-service-provider-api-signing-key' of service 'payment-service-connector': its Key Vault name 'a-platform-with-a-rather-long-name-for-its-key-vault-secrets-production-payment-service-connector-payment-service-provider-api-signing-key' is 138 characters; Key Vault allows 127"
            ])
    }

    @Test("Entra ID groups by object id (a warning: the team has no access, the render is still valid)")
    func teamGroups() {
        let url = Fixtures.fixtures.appendingPathComponent("azure-team-group-name.yaml")
        #expect(
            Fixtures.lines(Fixtures.check(Fixtures.text(url), file: "azure-team-group-name.yaml")).filter { $0.contains("team") } == [
                "azure-team-group-name.yaml:21:5: warning: team 'platform': group 'platform-admins' is not an Entra ID object id (AKS puts group object ids, not names, into the token)"
            ])
    }

    @Test("storage account names: letters and digits, 3-24, hashed when longer")
    func accountNames() {
        #expect(Plan.azureAccountName("contoso-production") == "contosoproduction")
        #expect(Plan.azureAccountName("ab") == "ab0")
        let long = Plan.azureAccountName("averylongplatformname-development")
        #expect(long.count == 24)
        #expect(long.hasPrefix("averylongplatformn"))
        #expect(long.allSatisfy { $0.isLowercase || $0.isNumber })
        #expect(long != Plan.azureAccountName("averylongplatformname-developmen2"))
    }
}
