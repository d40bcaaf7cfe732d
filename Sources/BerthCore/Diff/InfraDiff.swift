/// How a change to the cloud foundation (`infra/`, Crossplane managed resources) can hurt:
/// a change the cloud applies by replacing the resource (a network's or subnet's range, the
/// cluster's version or network settings, a node group's machines) or the loss of a
/// resource is disruptive; a change to who may do what (a role's trust or permissions, a
/// Pod Identity association, a firewall rule, a bucket policy or public access, the cluster's
/// public endpoint, a key's grants, a custom role's permissions) is security-sensitive. The kinds of both AWS (VPC, Subnet, NodeGroup,
/// Role, ...) and Google Cloud (Subnetwork, NodePool, the IAM members, Firewall, ...) are listed.
extension PlatformDiff {
    /// Whether `doc` is a managed resource or provider object of the foundation.
    static func isFoundation(_ doc: JSONValue) -> Bool {
        let api = doc["apiVersion"]?.stringValue ?? ""
        return api.contains(".upbound.io/") || api.hasPrefix("pkg.crossplane.io/")
    }

    /// Fields whose change replaces the resource or interrupts what runs on it, by kind.
    static let foundationDisruptive: [String: [(path: String, why: String)]] = [
        "VPC": [("spec.forProvider.cidrBlock", "a network's range changes: the VPC and everything in it is replaced")],
        "Subnet": [
            ("spec.forProvider.cidrBlock", "a subnet's range changes: the subnet is replaced and its nodes and load balancers with it"),
            ("spec.forProvider.availabilityZone", "a subnet moves zone: it is replaced"),
            ("spec.forProvider.ipv6CidrBlock", "a subnet's IPv6 range changes: its interfaces lose their IPv6 addresses"),
            (
                "spec.forProvider.addressPrefixes",
                "a subnet's range changes: the subnet is replaced and its nodes and load balancers with it"
            ),
        ],
        "VirtualNetwork": [("spec.forProvider.addressSpace", "a network's range changes: the VNet and everything in it is replaced")],
        "VPCIpv6CidrBlockAssociation": [
            ("spec.forProvider.ipv6CidrBlock", "a network's IPv6 range changes: the association and every subnet's IPv6 range are replaced")
        ],
        "VPCIpamPoolCidr": [("spec.forProvider.cidr", "an IPAM pool's range changes: what was allocated from it must move")],
        "KubernetesCluster": [
            (
                "spec.forProvider.kubernetesVersion",
                "the cluster's Kubernetes version changes: the control plane and then every node pool are upgraded"
            ),
            ("spec.forProvider.networkProfile", "the cluster's network (pod or service range, plugin) changes: the cluster is replaced"),
            ("spec.forProvider.diskEncryptionSetId", "the cluster's disk encryption set changes: the cluster is replaced"),
            ("spec.forProvider.defaultNodePool.vmSize", "the system pool's machine type changes: every node is replaced"),
            ("spec.forProvider.nodeResourceGroup", "the cluster's node resource group changes: the cluster is replaced"),
        ],
        "KubernetesClusterNodePool": [
            ("spec.forProvider.vmSize", "a node pool's machine type changes: every node is replaced"),
            ("spec.forProvider.priority", "a node pool moves between Spot and regular: it is replaced"),
            ("spec.forProvider.zones", "a node pool's zones change: it is replaced"),
            ("spec.forProvider.vnetSubnetIdRef", "a node pool's subnet changes: it is replaced"),
        ],
        "Cluster": [
            (
                "spec.forProvider.version",
                "the cluster's Kubernetes version changes: the control plane and then every node group are upgraded"
            ),
            ("spec.forProvider.kubernetesNetworkConfig", "the cluster's service range changes: the cluster is replaced"),
            ("spec.forProvider.encryptionConfig", "the cluster's secrets encryption changes"),
            (
                "spec.forProvider.minMasterVersion",
                "the cluster's Kubernetes version changes: the control plane and then every node pool are upgraded"
            ),
            ("spec.forProvider.ipAllocationPolicy", "the cluster's pod or service ranges change: the cluster is replaced"),
            ("spec.forProvider.location", "the cluster moves: it is replaced"),
            ("spec.forProvider.databaseEncryption", "the cluster's secrets encryption changes"),
        ],
        "Subnetwork": [
            (
                "spec.forProvider.ipCidrRange",
                "a subnetwork's range changes: the subnetwork is replaced and its nodes and load balancers with it"
            ),
            ("spec.forProvider.secondaryIpRange", "the pod or service range of a subnetwork changes: the cluster on it is replaced"),
            ("spec.forProvider.region", "a subnetwork moves region: it is replaced"),
        ],
        "NodePool": [
            ("spec.forProvider.nodeConfig.machineType", "a node pool's machine type changes: every node is replaced"),
            ("spec.forProvider.nodeConfig.spot", "a node pool moves between Spot and standard VMs: it is replaced"),
            ("spec.forProvider.nodeConfig.diskSizeGb", "a node pool's disk size changes: every node is replaced"),
            ("spec.forProvider.nodeLocations", "a node pool's zones change: its nodes are moved"),
        ],
        "NodeGroup": [
            ("spec.forProvider.instanceTypes", "a node pool's machine type changes: every node is replaced"),
            ("spec.forProvider.capacityType", "a node pool moves between spot and on-demand: it is replaced"),
            ("spec.forProvider.diskSize", "a node pool's disk size changes: every node is replaced"),
            ("spec.forProvider.subnetIdRefs", "a node pool's subnets change: it is replaced"),
        ],
    ]

    /// Fields whose change widens or moves access, by kind. An edge firewall rule (AWS's
    /// SecurityGroupIngressRule, Google Cloud's Firewall, Azure's SecurityRule) counts whole.
    static let foundationSecurity: [String: [(path: String, why: String)]] = {
        // A change anywhere in the object counts.
        func whole(_ why: String) -> [(path: String, why: String)] { [(path: "spec.forProvider", why: why)] }
        let firewallRule = whole("an edge firewall rule changes")
        return [
            "Role": [("spec.forProvider.assumeRolePolicy", "a role's trust policy changes: other workloads may assume it")],
            "Policy": [("spec.forProvider.policy", "an identity's permissions change")],
            "PodIdentityAssociation": whole("a role is bound to another ServiceAccount"),
            "SecurityGroupIngressRule": firewallRule,
            "BucketPolicy": [("spec.forProvider.policy", "a bucket policy changes")],
            "BucketPublicAccessBlock": whole("a bucket's public access block changes"),
            "Cluster": [
                ("spec.forProvider.vpcConfig", "the cluster's API endpoint access changes"),
                ("spec.forProvider.privateClusterConfig", "the cluster's API endpoint or node access changes"),
                ("spec.forProvider.masterAuthorizedNetworksConfig", "the networks that reach the cluster's API change"),
                ("spec.forProvider.workloadIdentityConfig", "the cluster's Workload Identity pool changes"),
            ],
            "ServiceAccountIAMMember": whole("a Google service account is bound to another ServiceAccount"),
            "ProjectIAMMember": whole("a project role grant changes"),
            "BucketIAMMember": whole("a bucket role grant changes"),
            "Firewall": firewallRule,
            "Bucket": [("spec.forProvider.publicAccessPrevention", "a bucket's public access prevention changes")],
            "RoleAssignment": whole("a role assignment changes: an identity gains or loses access"),
            "RoleDefinition": whole("a custom role's permissions or scopes change"),
            "CryptoKeyIAMMember": whole("a key's role grant changes: another identity may encrypt or decrypt with it"),
            "FederatedIdentityCredential": whole("an identity trusts another issuer or ServiceAccount"),
            "SecurityRule": firewallRule,
            "SecurityGroup": whole("a network security group changes"),
            "KubernetesCluster": [
                ("spec.forProvider.privateClusterEnabled", "the cluster's API endpoint access changes"),
                ("spec.forProvider.azureActiveDirectoryRoleBasedAccessControl", "the cluster's Entra ID admin groups change"),
            ],
            "Account": [
                ("spec.forProvider.allowNestedItemsToBePublic", "a storage account's public access changes"),
                ("spec.forProvider.publicNetworkAccessEnabled", "a storage account's network access changes"),
                ("spec.forProvider.sharedAccessKeyEnabled", "a storage account's shared keys are enabled or disabled"),
            ],
        ]
    }()

    /// Kinds whose removal loses a running cluster, its nodes, a network or data.
    static let foundationLost: Set<String> = [
        "VPC", "Subnet", "Cluster", "NodeGroup", "Bucket", "Key", "Alias", "Zone", "Repository", "Network", "Subnetwork", "NodePool",
        "KeyRing", "CryptoKey", "ManagedZone", "RegistryRepository", "VirtualNetwork", "KubernetesCluster", "KubernetesClusterNodePool",
        "Vault", "DiskEncryptionSet", "DNSZone", "Account", "Container", "Registry", "VPCIpv6CidrBlockAssociation", "VPCIpamPool",
        "VPCIpamPoolCidr",
    ]
    /// Kinds whose addition grants access.
    static let foundationGrants: Set<String> = [
        "Policy", "RolePolicyAttachment", "PodIdentityAssociation", "SecurityGroupIngressRule", "BucketPolicy",
        "ServiceAccountIAMMember", "ProjectIAMMember", "BucketIAMMember", "Firewall", "RoleAssignment", "FederatedIdentityCredential",
        "SecurityRule", "CryptoKeyIAMMember",
    ]

    /// The risks of a change to a managed resource (`o` nil: added, `n` nil: removed).
    static func foundationChange(_ o: JSONValue?, _ n: JSONValue?) -> ([Risk], [String]) {
        let kind = (n ?? o)?["kind"]?.stringValue ?? ""
        guard let o, let n else {
            if n != nil, foundationGrants.contains(kind) { return ([.securitySensitive], ["new \(kind) grants access"]) }
            if n == nil, foundationLost.contains(kind) {
                return ([.disruptive], ["removing the \(kind) deletes it from the cloud (stateful ones are orphaned, not deleted)"])
            }
            return ([.safe], [])
        }
        let disruptive = (foundationDisruptive[kind] ?? []).filter { o.at($0.path) != n.at($0.path) }.map(\.why)
        let security = (foundationSecurity[kind] ?? []).filter { o.at($0.path) != n.at($0.path) }.map(\.why)
        var risks: [Risk] = []
        if !disruptive.isEmpty { risks.append(.disruptive) }
        if !security.isEmpty { risks.append(.securitySensitive) }
        return (risks.isEmpty ? [.safe] : risks, disruptive + security)
    }
}
