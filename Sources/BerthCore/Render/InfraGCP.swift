import Foundation

/// The foundation on Google Cloud, as managed resources of the upjet GCP provider family
/// (`*.gcp.upbound.io`), in the folders and waves of the AWS foundation (see `Infra.swift`).
///
/// - Network per cluster: a VPC network `<platform>-<cluster>` (custom subnet mode), one
///   subnetwork per planned subnet (each zone's public and private range of the IP plan,
///   address for address; Google Cloud subnetworks are regional, so the zone is in the name
///   only), the cluster's pod and service ranges as the secondary ranges `<cluster>-pods` and
///   `<cluster>-services` of the first zone's private subnetwork (the nodes' subnetwork,
///   GKE VPC-native), one Cloud Router and one Cloud NAT per cluster (Cloud NAT is a
///   regional, distributed service: there is no gateway per zone to multiply, in production
///   or elsewhere), a regional external address per `role: ingress` static address (the
///   Gateway's), and the VPC firewall rules of `network/firewall/` as Firewall resources.
/// - Cluster: the node service account with the node role and registry read access, the GKE
///   Standard cluster (regional with `controlPlane.ha`, else zonal in the first zone; the
///   spec's version as the minimum on the REGULAR channel; private nodes, private endpoint
///   with `endpoint: private`; the secondary ranges; Kubernetes secrets encrypted with the
///   region's key; Workload Identity `<project>.svc.id.goog`; system, API server, scheduler,
///   controller manager and workload logs; Dataplane V2 for NetworkPolicy; the default node
///   pool removed), and one node pool per `nodePools` entry (its name is the pool label
///   `cloud.google.com/gke-nodepool` that nodeSelectors use; taints as written; spot; the
///   network tag the firewall rules target; autoscaling between the pool's min and max
///   nodes in total across its zones).
/// - Keys: one key ring and crypto key per region whose path is `provider.regions.<r>.kmsKey`,
///   and on each, with `provider.projectNumber`, the encrypter role for the Google-managed
///   service agents that encrypt with it (GKE, Compute Engine, Cloud Storage), in the keys'
///   wave so that it precedes the clusters and buckets.
/// - DNS: one public Cloud DNS zone (DNSSEC on) per `network.dns.zones` entry.
/// - Identities: one Google service account per Workload Identity annotation the render
///   writes, `roles/iam.workloadIdentityUser` for exactly the ServiceAccounts that name it,
///   and its least privilege (bucket roles on its buckets, `roles/dns.admin` for
///   external-dns and cert-manager, Secret Manager access for External Secrets, disk
///   snapshots for Velero).
/// - Buckets: the bucket of `buckets/` (location, versioning, the region's key, uniform
///   access, public access prevention, lifecycle) and one IAM member per binding of its
///   `.iam.json`.
/// - Registry: with an Artifact Registry host, the repositories of
///   `registry/artifact-registry.json` (immutable tags, cleanup policies).
///
/// Stateful resources (keys, zones, buckets, repositories) are orphaned on delete: removing
/// them from the spec never deletes data.
struct GCPFoundation: CloudFoundation {
    let inputs: FoundationInputs
    var project: String { spec.provider.account }

    /// The annotation GKE reads on a ServiceAccount: the Google service account it acts as.
    static let annotation = "iam.gke.io/gcp-service-account"
    /// The provider packages' version (crossplane-contrib/provider-upjet-gcp, the release the
    /// schemas of Tests/data/schemas come from).
    static let providerVersion = "v3.0.0"
    static let computeAPI = "compute.gcp.upbound.io/v1beta2"
    static let containerAPI = "container.gcp.upbound.io/v1beta2"
    static let iamAPI = "cloudplatform.gcp.upbound.io"

    /// The Workload Identity pool of the project.
    var workloadPool: String { "\(project).svc.id.goog" }

    func folders() -> [Renderer.InfraFolder] {
        let keys = regionKeys()
        return infraFolders(
            provider: "gcp", config: [providerConfig()], keys: keys.isEmpty ? [] : keyObjects(keys),
            identities: identities().map { ("infra/identities/\(GCPFoundation.accountId(of: $0.name)).yaml", identity($0)) },
            registry: ("infra/registry/repositories.yaml", "registry repositories"),
            buckets: ("buckets", plan.foundationBuckets().map { ("infra/buckets/\($0.name).yaml", bucket($0)) }))
    }

    // MARK: objects

    /// Google Cloud labels: the platform and berth.
    var labels: JSONValue { ["platform": .string(spec.platform), "managed-by": "berth"] }

    /// The provider packages the foundation uses, at one pinned version.
    func providers() -> [JSONValue] {
        var families = ["cloudplatform", "compute", "container", "dns", "kms", "storage"]
        if registryLocation() != nil { families.append("artifact") }
        return providerPackages("gcp", families, version: GCPFoundation.providerVersion)
    }

    /// The ProviderConfig every managed resource names: the project `provider.account`,
    /// credentials from the Secret `infrastructure.credentials` (key `credentials`), never
    /// written by berth.
    func providerConfig() -> JSONValue {
        providerConfig("gcp", [("projectID", .string(project)), credentials(fallback: "gcp-credentials")])
    }

    // MARK: network

    /// The VPC network's name in the project: the one `network/firewall/` names.
    func networkName(_ c: Foundation.ClusterPlan) -> String { "\(spec.platform)-\(c.cluster.name)" }

    func subnetName(_ c: Foundation.ClusterPlan, _ s: Foundation.Subnet) -> String {
        "\(c.cluster.name)-\(s.zone)-\(s.isPublic ? "public" : "private")"
    }

    /// The subnetwork the cluster's nodes take their addresses from, which carries the pod and
    /// service ranges: the first zone's private subnet.
    func nodeSubnet(_ c: Foundation.ClusterPlan) -> Foundation.Subnet? { c.network.subnets.first { !$0.isPublic } }

    /// The names of the secondary ranges of the nodes' subnetwork.
    static func podRange(_ cluster: String) -> String { "\(cluster)-pods" }
    static func serviceRange(_ cluster: String) -> String { "\(cluster)-services" }

    // Long: one network is a fixed sequence of related resources (network, subnetworks,
    // router, NAT, addresses, firewall); splitting it would scatter the references.
    func network(_ c: Foundation.ClusterPlan) -> [JSONValue] {
        let n = c.cluster.name
        let region: (String, JSONValue) = ("region", .string(c.region))
        var out: [JSONValue] = [
            managed(
                "compute.gcp.upbound.io/v1beta1", "Network", n, externalName: networkName(c),
                forProvider: [
                    ("autoCreateSubnetworks", false), ("routingMode", "REGIONAL"),
                    ("description", .string("\(spec.platform): network of cluster \(n) (berth, IP plan)")),
                ])
        ]
        let nodes = nodeSubnet(c)
        for s in c.network.subnets {
            var fp: [(String, JSONValue)] = [
                region, ("networkRef", ref(n)), ("ipCidrRange", .string(s.cidr)), ("privateIpGoogleAccess", true),
                ("description", .string("\(s.zone) \(s.isPublic ? "public (load balancers)" : "private (nodes)") range of the IP plan")),
            ]
            if nodes?.zone == s.zone && nodes?.isPublic == s.isPublic {
                fp.append(
                    (
                        "secondaryIpRange",
                        [
                            ["rangeName": .string(GCPFoundation.podRange(n)), "ipCidrRange": .string(c.network.pods)],
                            ["rangeName": .string(GCPFoundation.serviceRange(n)), "ipCidrRange": .string(c.network.services)],
                        ]
                    ))
            }
            if !s.isPublic {
                fp.append(
                    ("logConfig", ["aggregationInterval": "INTERVAL_5_SEC", "flowSampling": 0.5, "metadata": "INCLUDE_ALL_METADATA"]))
            }
            out.append(
                managed(
                    GCPFoundation.computeAPI, "Subnetwork", subnetName(c, s), externalName: "\(spec.platform)-\(subnetName(c, s))",
                    forProvider: fp))
        }
        out.append(
            managed(
                GCPFoundation.computeAPI, "Router", n, externalName: networkName(c),
                forProvider: [region, ("networkRef", ref(n)), ("description", .string("\(spec.platform): Cloud NAT of cluster \(n)"))]))
        out.append(
            managed(
                GCPFoundation.computeAPI, "RouterNAT", n, externalName: "\(networkName(c))-nat",
                forProvider: [
                    region, ("routerRef", ref(n)), ("natIpAllocateOption", "AUTO_ONLY"),
                    ("sourceSubnetworkIpRangesToNat", "ALL_SUBNETWORKS_ALL_IP_RANGES"),
                    ("logConfig", ["enable": true, "filter": "ERRORS_ONLY"]),
                ]))
        for st in spec.network.statics where st.role == "ingress" && st.cluster.value == n {
            out.append(
                managed(
                    "compute.gcp.upbound.io/v1beta1", "Address", AWSFoundation.objectName("\(n)-\(st.name)"),
                    externalName: "\(spec.platform)-\(st.name)",
                    forProvider: [
                        region, ("addressType", "EXTERNAL"), ("networkTier", "PREMIUM"),
                        ("description", .string("\(spec.platform): \(st.purpose.isEmpty ? st.name : st.purpose) (the Gateway's address)")),
                        ("labels", labels),
                    ]))
        }
        out += firewall(c)
        return out
    }

    /// The VPC firewall rules of `network/firewall/<cluster>.firewalls.json`, as managed
    /// resources on the cluster's network.
    func firewall(_ c: Foundation.ClusterPlan) -> [JSONValue] {
        renderer.gcpFirewallResources(c.cluster, renderer.firewallRules(for: c.cluster)).map { r in
            let name = r["name"]?.stringValue ?? ""
            let allow: [JSONValue] = (r["allowed"]?.arrayValue ?? []).map {
                ["protocol": $0["IPProtocol"] ?? "tcp", "ports": $0["ports"] ?? []]
            }
            return managed(
                GCPFoundation.computeAPI, "Firewall", name, externalName: name,
                forProvider: [
                    ("networkRef", ref(c.cluster.name)), ("description", r["description"] ?? ""),
                    ("direction", r["direction"] ?? "INGRESS"),
                    ("priority", r["priority"] ?? 1000), ("sourceRanges", r["sourceRanges"] ?? []), ("allow", .array(allow)),
                    ("targetTags", r["targetTags"] ?? []), ("logConfig", ["metadata": "INCLUDE_ALL_METADATA"]),
                ])
        }
    }

    // MARK: keys and DNS

    /// The parts of a Cloud KMS key path
    /// (`projects/<project>/locations/<location>/keyRings/<ring>/cryptoKeys/<key>`), nil otherwise.
    static func keyPath(_ path: String) -> (project: String, location: String, ring: String, key: String)? {
        let p = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard p.count == 8, p[0] == "projects", p[2] == "locations", p[4] == "keyRings", p[6] == "cryptoKeys",
            [p[1], p[3], p[5], p[7]].allSatisfy({ !$0.isEmpty })
        else { return nil }
        return (p[1], p[3], p[5], p[7])
    }

    /// The regions whose `kmsKey` is a key path, with its ring and key.
    func regionKeys() -> [(region: String, ring: String, key: String)] {
        spec.provider.regions.compactMap { r in
            guard let k = GCPFoundation.keyPath(r.kmsKey) else { return nil }
            return (r.name, k.ring, k.key)
        }
    }

    func keyObjects(_ keys: [(region: String, ring: String, key: String)]) -> [JSONValue] {
        keys.flatMap { k -> [JSONValue] in
            let ring = AWSFoundation.objectName("\(k.region)-\(k.ring)")
            let cryptoKey = AWSFoundation.objectName("\(ring)-\(k.key)")
            return [
                // Key rings cannot be deleted in Google Cloud.
                managed(
                    "kms.gcp.upbound.io/v1beta1", "KeyRing", ring, externalName: k.ring,
                    forProvider: [("location", .string(k.region)), ("project", .string(project))], orphan: true),
                managed(
                    "kms.gcp.upbound.io/v1beta2", "CryptoKey", cryptoKey, externalName: k.key,
                    forProvider: [
                        ("keyRingRef", ref(ring)), ("purpose", "ENCRYPT_DECRYPT"), ("rotationPeriod", "7776000s"),
                        ("destroyScheduledDuration", "2592000s"), ("labels", labels),
                    ], orphan: true),
            ]
                + serviceAgents(using: k.region).map { agent in
                    managed(
                        "kms.gcp.upbound.io/v1beta2", "CryptoKeyIAMMember", AWSFoundation.objectName("\(cryptoKey)-\(agent.name)"),
                        forProvider: [
                            ("cryptoKeyIdRef", ref(cryptoKey)), ("role", "roles/cloudkms.cryptoKeyEncrypterDecrypter"),
                            (
                                "member",
                                .string("serviceAccount:\(GCPFoundation.serviceAgent(agent.domain, number: spec.provider.projectNumber))")
                            ),
                        ])
                }
        }
    }

    /// The Google-managed service agents that encrypt with a region's key: GKE (Kubernetes
    /// secrets), Compute Engine (persistent disks of the StorageClasses), Cloud Storage
    /// (buckets), by the name their grant's object ends with and the domain of their e-mail.
    static let serviceAgents: [(name: String, domain: String)] = [
        ("gke-agent", "container-engine-robot"), ("compute-agent", "compute-system"), ("storage-agent", "gs-project-accounts"),
    ]

    /// A service agent's e-mail: `service-<project number>@<domain>.iam.gserviceaccount.com`.
    static func serviceAgent(_ domain: String, number: String) -> String { "service-\(number)@\(domain).iam.gserviceaccount.com" }

    /// The service agents that use `region`'s key: GKE when a cluster there encrypts its
    /// secrets with it, Compute Engine when its StorageClasses encrypt disks with it, Cloud
    /// Storage when a bucket there does; none without `provider.projectNumber`.
    func serviceAgents(using region: String) -> [(name: String, domain: String)] {
        guard !spec.provider.projectNumber.isEmpty else { return [] }
        let inRegion = clusters.filter { $0.region == region && GCPFoundation.keyPath($0.key) != nil }
        let disks = inRegion.contains {
            !Renderer.kmsParameters(provider: .gcp, atRest: spec.security.encryptionAtRest, key: $0.key).isEmpty
        }
        let buckets = plan.foundationBuckets().contains { $0.region == region && GCPFoundation.keyPath($0.key) != nil }
        let uses = [!inRegion.isEmpty, disks, buckets]
        return zip(GCPFoundation.serviceAgents, uses).filter(\.1).map(\.0)
    }

    /// The Cloud DNS name of a zone: its domain with '.' as '-'.
    static func zoneName(_ domain: String) -> String {
        AWSFoundation.objectName(domain.replacingOccurrences(of: ".", with: "-"))
    }

    func zones() -> [JSONValue] {
        spec.network.dns.zones.map { z in
            managed(
                "dns.gcp.upbound.io/v1beta2", "ManagedZone", GCPFoundation.zoneName(z.value), externalName: GCPFoundation.zoneName(z.value),
                forProvider: [
                    ("dnsName", .string(z.value + ".")), ("visibility", "public"),
                    ("description", .string("\(spec.platform): public zone (external-dns, cert-manager)")),
                    ("dnssecConfig", ["state": "on"]), ("labels", labels),
                ], orphan: true)
        }
    }
}
