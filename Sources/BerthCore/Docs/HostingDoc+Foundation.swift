/// What the document says about the cloud foundation (`infra/`), read from the managed
/// resources the render writes: nothing is claimed that `infra/` does not hold.
extension HostingDoc {
    /// The rendered managed resources, in folder and file order.
    func foundationObjects(_ folders: [Renderer.InfraFolder]) -> [JSONValue] {
        folders.flatMap { $0.files.flatMap(\.docs) }
    }

    /// How many objects of `kind` the foundation holds.
    func count(_ kind: String, in objects: [JSONValue]) -> Int { objects.filter { $0["kind"]?.stringValue == kind }.count }

    /// One sentence for the Hosting Environment summary: what the foundation creates, or why
    /// there is none.
    func foundationSummary() -> String {
        if spec.provider.name == .onprem {
            return
                " There is no cloud foundation to create on premises: the foundation is the hardware below, the MetalLB address pools from the plan and the nftables edge firewall under `network/firewall/`."
        }
        guard let folders = foundationFolders else {
            return spec.infrastructure == nil
                ? " The cloud foundation (networks, clusters, keys, zones) is not rendered by berth (no `infrastructure` in the spec); it must exist with the names this document uses."
                : ""
        }
        let o = foundationObjects(folders)
        if spec.provider.name == .azure { return azureFoundationSummary(o, folders) }
        let waves =
            "Argo CD applies it from the management cluster in \(plural(Set(folders.map(\.wave)).count + 1, "sync wave")) (\(plural(folders.count + 1, "Application"))) before the add-ons and workloads."
        if spec.provider.name == .gcp {
            return
                " The cloud foundation is rendered under `infra/` as Crossplane managed resources: \(plural(count("Network", in: o), "VPC network")) with \(plural(count("Subnetwork", in: o), "subnetwork")), \(plural(count("Router", in: o), "Cloud Router")) with Cloud NAT, \(plural(count("Firewall", in: o), "firewall rule")), \(plural(count("Cluster", in: o), "GKE cluster")) with \(plural(count("NodePool", in: o), "node pool")), \(plural(count("CryptoKey", in: o), "Cloud KMS key")), \(plural(count("ManagedZone", in: o), "Cloud DNS zone")), \(plural(count("Bucket", in: o), "bucket")) and \(plural(count("ServiceAccount", in: o), "Google service account")) (\(plural(count("ServiceAccountIAMMember", in: o), "Workload Identity binding"))); \(waves)"
        }
        return
            " The cloud foundation is rendered under `infra/` as Crossplane managed resources: \(plural(count("VPC", in: o), "VPC")) with \(plural(count("Subnet", in: o), "subnet")), \(plural(count("Cluster", in: o), "EKS cluster")) with \(plural(count("NodeGroup", in: o), "node group")), \(plural(count("Key", in: o), "KMS key")), \(plural(count("Zone", in: o), "DNS zone")), \(plural(count("Bucket", in: o), "bucket")) and \(plural(count("PodIdentityAssociation", in: o), "Pod Identity association")) for \(plural(count("Role", in: o), "IAM role")); Argo CD applies it from the management cluster in \(plural(Set(folders.map(\.wave)).count + 1, "sync wave")) (\(plural(folders.count + 1, "Application"))) before the add-ons and workloads."
    }

    /// The table after "Cloud Provider": each folder of `infra/`, its wave and what it holds.
    func foundationBlocks() -> [DocBlock] {
        guard let folders = foundationFolders else { return [] }
        return [
            .table(
                header: ["infra/ folder", "sync wave", "managed resources"],
                rows: [["(Crossplane Helm chart \(Renderer.crossplaneChart.version))", "-60", "Crossplane in crossplane-system"]]
                    + folders.map { f in
                        var kinds: [String: Int] = [:]
                        for d in f.files.flatMap(\.docs) { kinds[d["kind"]?.stringValue ?? "", default: 0] += 1 }
                        return [
                            "\(f.name)/", String(f.wave), kinds.keys.sorted().map { "\(kinds[$0] ?? 0) \($0)" }.joined(separator: ", "),
                        ]
                    })
        ]
    }

    /// The sentence for "IP range planning": the networks of `infra/` use the plan's ranges.
    func foundationNetworkText() -> String {
        guard let folders = foundationFolders else { return "" }
        let o = foundationObjects(folders)
        if spec.provider.name == .azure { return azureFoundationNetworkText(o) }
        if spec.provider.name == .gcp {
            return
                " The VPC networks and subnetworks of `infra/network/` take these ranges address for address (\(plural(count("Network", in: o), "VPC network")), \(plural(count("Subnetwork", in: o), "subnetwork"))); Google Cloud subnetworks are regional, so each zone's planned range is a subnetwork of the cluster's region, and the nodes take the first zone's private subnetwork, whose secondary ranges are the cluster's pod and service ranges (GKE VPC-native)."
        }
        let v6 = count("VPCIpv6CidrBlockAssociation", in: o)
        let ipv6 =
            v6 == 0
            ? ""
            : " IPv6 too: \(plural(v6, "VPC")) take their planned IPv6 range from \(plural(count("VPCIpamPool", in: o) - 1, "pool")) of a VPC IPAM (one per cluster, carved from the pool of the plan's IPv6 supernet), and \(plural(o.filter { $0["kind"]?.stringValue == "Subnet" && $0.at("spec.forProvider.ipv6CidrBlock") != nil }.count, "subnet")) their planned /64; EKS clusters stay IPv4, so the IPv6 pod and service ranges stay reserved in the plan."
        return
            " The VPCs and subnets of `infra/network/` take these ranges address for address (\(plural(count("VPC", in: o), "VPC")), \(plural(count("Subnet", in: o), "subnet"))); on EKS pods take addresses of the private subnets (VPC CNI), so the pod ranges stay reserved in the plan."
            + ipv6
    }

    /// The table after "IP Address Management": each rendered subnet and its range.
    func foundationNetworkBlocks() -> [DocBlock] {
        guard let folders = foundationFolders else { return [] }
        let objects = foundationObjects(folders)
        let subnetworks = objects.filter { $0["kind"]?.stringValue == "Subnetwork" }
        if !subnetworks.isEmpty {
            return [
                .table(
                    header: ["subnetwork (infra/network/)", "region", "range", "secondary ranges"],
                    rows: subnetworks.map { s in
                        [
                            s.at("metadata.annotations")?["crossplane.io/external-name"]?.stringValue ?? "",
                            s.at("spec.forProvider.region")?.stringValue ?? "", s.at("spec.forProvider.ipCidrRange")?.stringValue ?? "",
                            (s.at("spec.forProvider.secondaryIpRange")?.arrayValue ?? []).map {
                                "\($0["rangeName"]?.stringValue ?? "") \($0["ipCidrRange"]?.stringValue ?? "")"
                            }.joined(separator: ", "),
                        ]
                    })
            ]
        }
        let subnets = objects.filter { $0["kind"]?.stringValue == "Subnet" }
        guard !subnets.isEmpty else { return [] }
        return [
            .table(
                header: ["subnet (infra/network/)", "zone", "range"],
                rows: subnets.map {
                    spec.provider.name == .azure
                        ? HostingDoc.azureSubnetRow($0)
                        : [
                            $0.at("metadata.name")?.stringValue ?? "", $0.at("spec.forProvider.availabilityZone")?.stringValue ?? "",
                            $0.at("spec.forProvider.cidrBlock")?.stringValue ?? "",
                        ]
                })
        ]
    }
}
