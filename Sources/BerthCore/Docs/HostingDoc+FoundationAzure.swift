/// The document's foundation sentences for Azure (VNets, AKS), read from the rendered
/// managed resources like the AWS ones (`HostingDoc+Foundation.swift`).
extension HostingDoc {
    /// The Hosting Environment sentence for the Azure foundation.
    func azureFoundationSummary(_ o: [JSONValue], _ folders: [Renderer.InfraFolder]) -> String {
        let aks = count("KubernetesCluster", in: o)
        let ids = count("UserAssignedIdentity", in: o)
        return
            " The cloud foundation is rendered under `infra/` as Crossplane managed resources: \(plural(count("VirtualNetwork", in: o), "VNet")) with \(plural(count("Subnet", in: o), "subnet")) and \(plural(count("NATGateway", in: o), "NAT gateway")), \(plural(aks, "AKS cluster")) with \(plural(aks + count("KubernetesClusterNodePool", in: o), "node pool")) (the system pool included), \(plural(count("Key", in: o), "Key Vault key")) behind \(plural(count("DiskEncryptionSet", in: o), "disk encryption set")), \(plural(count("DNSZone", in: o), "DNS zone")), \(plural(count("Account", in: o), "storage account")) with \(plural(count("Container", in: o), "container")) and \(ids) managed identit\(ids == 1 ? "y" : "ies") with \(plural(count("FederatedIdentityCredential", in: o), "federated credential")) and \(plural(count("RoleAssignment", in: o), "role assignment")); Argo CD applies it from the management cluster in \(plural(Set(folders.map(\.wave)).count + 1, "sync wave")) (\(plural(folders.count + 1, "Application"))) before the add-ons and workloads."
    }

    /// The "IP range planning" sentence for the Azure foundation.
    func azureFoundationNetworkText(_ o: [JSONValue]) -> String {
        " The VNets and subnets of `infra/network/` take these ranges address for address (\(plural(count("VirtualNetwork", in: o), "VNet")), \(plural(count("Subnet", in: o), "subnet")); Azure subnets are regional, so a subnet's zone is its label); AKS with Azure CNI Overlay takes each cluster's pod and service ranges as its pod CIDR and service CIDR, so pods take no VNet addresses."
    }

    /// The rows of the subnet table for the Azure foundation: name, zone label, range.
    static func azureSubnetRow(_ s: JSONValue) -> [String] {
        [
            s.at("metadata.name")?.stringValue ?? "", s.at("metadata.labels")?["berth.dev/zone"]?.stringValue ?? "",
            s.at("spec.forProvider.addressPrefixes")?.arrayValue?.first?.stringValue ?? "",
        ]
    }
}
