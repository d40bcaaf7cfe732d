import Foundation

/// The GKE clusters, node pools, workload identities, buckets and registry of the Google
/// Cloud foundation (see `GCPFoundation`).
extension GCPFoundation {
    /// The e-mail of the Google service account `id` (an account id) in the project.
    func email(_ id: String) -> String { "\(id)@\(project).iam.gserviceaccount.com" }

    /// The account id of a Google service account e-mail (its part before '@').
    static func accountId(of email: String) -> String { String(email.prefix { $0 != "@" }) }

    /// The Google service account a cluster's nodes run as.
    func nodeAccount(_ c: Foundation.ClusterPlan) -> String { Renderer.gcpAccountId("gke-\(c.cluster.name)-nodes") }

    /// The cluster's location: its region (regional cluster, control plane replicated across
    /// zones) with `controlPlane.ha`, else its first zone (zonal cluster).
    func location(_ c: Foundation.ClusterPlan) -> String { c.cluster.haControlPlane ? c.region : c.zones.first ?? c.region }

    /// A project-level role for a member.
    func projectMember(_ name: String, role: String, member: String) -> JSONValue {
        managed(
            "\(GCPFoundation.iamAPI)/v1beta2", "ProjectIAMMember", AWSFoundation.objectName(name),
            forProvider: [("project", .string(project)), ("role", .string(role)), ("member", .string(member))])
    }

    /// A Google service account (`id` is its account id and object name).
    func serviceAccount(_ id: String, _ description: String) -> JSONValue {
        managed(
            "\(GCPFoundation.iamAPI)/v1beta1", "ServiceAccount", id, externalName: id,
            forProvider: [
                ("project", .string(project)), ("displayName", .string(id)), ("description", .string("\(spec.platform): \(description)")),
            ])
    }

    // MARK: cluster

    // Long: the cluster file is the node service account, its project roles and the GKE
    // cluster, whose settings are one list the provider takes as is.
    func cluster(_ c: Foundation.ClusterPlan) -> [JSONValue] {
        let n = c.cluster.name
        let nodes = nodeAccount(c)
        var out: [JSONValue] = [serviceAccount(nodes, "nodes of cluster \(n)")]
        for role in ["roles/container.defaultNodeServiceAccount", "roles/artifactregistry.reader"] {
            out.append(
                projectMember("\(nodes)-\(role.dropFirst(6))", role: role, member: "serviceAccount:\(email(nodes))"))
        }
        var fp: [(String, JSONValue)] = [
            ("location", .string(location(c))), ("project", .string(project)),
            ("description", .string("\(spec.platform): cluster \(n)")),
            ("networkRef", ref(n)),
        ]
        if let s = nodeSubnet(c) { fp.append(("subnetworkRef", ref(subnetName(c, s)))) }
        fp += [
            ("minMasterVersion", .string(c.cluster.kubernetes)), ("releaseChannel", ["channel": "REGULAR"]),
            ("removeDefaultNodePool", true), ("initialNodeCount", 1), ("networkingMode", "VPC_NATIVE"),
            (
                "ipAllocationPolicy",
                [
                    "clusterSecondaryRangeName": .string(GCPFoundation.podRange(n)),
                    "servicesSecondaryRangeName": .string(GCPFoundation.serviceRange(n)), "stackType": "IPV4",
                ]
            ),
            (
                "privateClusterConfig",
                [
                    "enablePrivateNodes": true, "enablePrivateEndpoint": .bool(spec.infrastructure?.endpoint == "private"),
                    "masterGlobalAccessConfig": ["enabled": true],
                ]
            ),
            ("workloadIdentityConfig", ["workloadPool": .string(workloadPool)]),
            (
                "loggingConfig",
                ["enableComponents": ["SYSTEM_COMPONENTS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER", "WORKLOADS"]]
            ),
            ("datapathProvider", "ADVANCED_DATAPATH"), ("enableShieldedNodes", true),
            ("deletionProtection", .bool(c.production)), ("resourceLabels", labels),
        ]
        if GCPFoundation.keyPath(c.key) != nil {
            fp.append(("databaseEncryption", ["state": "ENCRYPTED", "keyName": .string(c.key)]))
        }
        out.append(managed(GCPFoundation.containerAPI, "Cluster", n, externalName: n, forProvider: fp))
        return out
    }

    /// One node pool per `nodePools` entry.
    func nodePools(_ c: Foundation.ClusterPlan) -> [JSONValue] {
        let n = c.cluster.name
        let zones = max(1, c.zones.count)
        return c.cluster.nodePools.map { pool in
            var config: [(String, JSONValue)] = [
                ("machineType", .string(pool.machine)), ("diskSizeGb", .int(Int(max(10, pool.disk.units >> 30)))),
                ("diskType", "pd-balanced"), ("imageType", "COS_CONTAINERD"), ("spot", .bool(pool.spot)),
                ("serviceAccountRef", ref(nodeAccount(c))), ("oauthScopes", ["https://www.googleapis.com/auth/cloud-platform"]),
                ("workloadMetadataConfig", ["mode": "GKE_METADATA"]),
                ("shieldedInstanceConfig", ["enableSecureBoot": true, "enableIntegrityMonitoring": true]),
                ("tags", [.string(renderer.gcpFirewallTag(c.cluster, target: "nodes"))]),
                ("resourceLabels", labels),
            ]
            if !pool.taints.isEmpty { config.append(("taint", AWSFoundation.taints(pool.taints))) }
            // The autoscaler owns the node count once the pool exists; the spec's min and
            // max are totals across the pool's zones.
            return managed(
                GCPFoundation.containerAPI, "NodePool", "\(n)-\(pool.name)", externalName: pool.name,
                forProvider: [
                    ("location", .string(location(c))), ("project", .string(project)), ("clusterRef", ref(n)),
                    ("nodeLocations", .array(c.zones.map { .string($0) })), ("nodeConfig", .object(config)),
                    (
                        "autoscaling",
                        ["totalMinNodeCount": .int(pool.min), "totalMaxNodeCount": .int(pool.max), "locationPolicy": "BALANCED"]
                    ),
                    ("management", ["autoRepair": true, "autoUpgrade": true]),
                    ("upgradeSettings", ["strategy": "SURGE", "maxSurge": 1, "maxUnavailable": 0]),
                ],
                initProvider: [("initialNodeCount", .int((pool.min + zones - 1) / zones))])
        }
    }

    // MARK: identities

    /// Every Google service account some rendered ServiceAccount names, with what it is for.
    func identities() -> [Foundation.Identity] {
        var known: [String: Foundation.Purpose] = [:]
        for e in spec.environments {
            for s in spec.services where s.runs(in: e.name) { known[renderer.gcpServiceAccount("\(s.name)-\(e.name)")] = .service(s.name) }
            for d in spec.databases where d.backup != nil {
                known[renderer.gcpBackupAccount(database: d.name, environment: e.name)] = .backup(d.name)
            }
        }
        for c in spec.clusters {
            for addon in Renderer.addonServiceAccount.keys { known[renderer.gcpServiceAccount("\(addon)-\(c.name)")] = .addon(addon) }
        }
        var grants: [String: [String: Bool]] = [:]
        for (b, env, name) in plan.physicalBuckets {
            for m in renderer.gcsBucketMembers(b, env: env) where m.principal.hasPrefix("serviceAccount:") {
                let sa = String(m.principal.dropFirst(15))
                grants[sa, default: [:]][name] = (grants[sa]?[name] ?? true) && m.readOnly
            }
        }
        return bindings.keys.sorted().compactMap { name in
            guard let purpose = known[name] else { return nil }
            let g = grants[name] ?? [:]
            var clusters: [String] = []
            if case .addon = purpose { clusters = Array(Set((bindings[name] ?? []).map(\.cluster))).sorted() }
            return Foundation.Identity(
                name: name, purpose: purpose, bindings: bindings[name] ?? [],
                buckets: g.keys.sorted().map { (name: $0, readOnly: g[$0] ?? true) }, keys: [], clusters: clusters)
        }
    }

    /// The Google service account, one `roles/iam.workloadIdentityUser` member per bound
    /// ServiceAccount, and its project roles (its bucket roles are in the buckets' files).
    func identity(_ id: Foundation.Identity) -> [JSONValue] {
        let account = GCPFoundation.accountId(of: id.name)
        let what: String
        switch id.purpose {
        case .service(let s): what = "workload identity of service \(s)"
        case .backup(let d): what = "backups of database \(d)"
        case .addon(let a): what = "workload identity of \(a)"
        }
        var out: [JSONValue] = [serviceAccount(account, what)]
        for b in id.bindings {
            out.append(
                managed(
                    "\(GCPFoundation.iamAPI)/v1beta2", "ServiceAccountIAMMember",
                    AWSFoundation.objectName("\(account)-\(b.cluster)-\(b.namespace)-\(b.serviceAccount)"),
                    forProvider: [
                        ("serviceAccountIdRef", ref(account)), ("role", "roles/iam.workloadIdentityUser"),
                        ("member", .string("serviceAccount:\(workloadPool)[\(b.namespace)/\(b.serviceAccount)]")),
                    ]))
        }
        for role in projectRoles(id) {
            out.append(projectMember("\(account)-\(role.dropFirst(6))", role: role, member: "serviceAccount:\(id.name)"))
        }
        if case .addon("velero") = id.purpose, let b = Renderer.veleroBucket(spec) {
            var names: Set<String> = []
            for t in plan.targets where id.clusters.contains(t.cluster.name) { names.insert(plan.bucketName(b, env: t.environment)) }
            for name in names.sorted() {
                out.append(
                    managed(
                        "storage.gcp.upbound.io/v1beta2", "BucketIAMMember", AWSFoundation.objectName("\(name)-\(account)-objectadmin"),
                        forProvider: [
                            ("bucketRef", ref(name)), ("role", "roles/storage.objectAdmin"),
                            ("member", .string("serviceAccount:\(id.name)")),
                        ]))
            }
        }
        return out
    }

    /// The project roles of an identity: Cloud DNS for external-dns and cert-manager (the
    /// zones are the project's), Secret Manager reads for External Secrets, disk snapshots
    /// for Velero; none for services and backups, whose buckets grant them access.
    func projectRoles(_ id: Foundation.Identity) -> [String] {
        guard case .addon(let a) = id.purpose else { return [] }
        switch a {
        case "external-dns", "cert-manager": return ["roles/dns.admin"]
        case "external-secrets": return ["roles/secretmanager.secretAccessor"]
        case "velero": return ["roles/compute.storageAdmin"]
        default: return []
        }
    }

    // MARK: buckets and registry

    /// The bucket of `buckets/<env>/<bucket>.settings.json` with its lifecycle, and one IAM
    /// member per binding of its `.iam.json`.
    func bucket(_ b: Foundation.CloudBucket) -> [JSONValue] {
        guard let env = spec.environment(plan.physicalBuckets.first { $0.name == b.name }?.env.name ?? "") else { return [] }
        var fp: [(String, JSONValue)] = [
            ("location", .string(b.region.uppercased())), ("project", .string(project)), ("storageClass", "STANDARD"),
            ("versioning", ["enabled": .bool(b.bucket.versioning)]), ("uniformBucketLevelAccess", true),
            ("publicAccessPrevention", .string(b.bucket.isPublic ? "inherited" : "enforced")),
        ]
        if GCPFoundation.keyPath(b.key) != nil { fp.append(("encryption", ["defaultKmsKeyName": .string(b.key)])) }
        fp.append(("lifecycleRule", renderer.gcsLifecycle(b.bucket)["rule"] ?? []))
        fp.append(("labels", renderer.gcsBucketSettings(b.bucket, env: env, name: b.name)["labels"] ?? labels))
        var out: [JSONValue] = [
            managed("storage.gcp.upbound.io/v1beta2", "Bucket", b.name, externalName: b.name, forProvider: fp, orphan: true)
        ]
        for binding in renderer.gcsBucketIAM(b.bucket, env: env)["bindings"]?.arrayValue ?? [] {
            let role = binding["role"]?.stringValue ?? ""
            for m in binding["members"]?.arrayValue ?? [] {
                let member = m.stringValue ?? ""
                out.append(
                    managed(
                        "storage.gcp.upbound.io/v1beta2", "BucketIAMMember",
                        AWSFoundation.objectName(
                            "\(b.name)-\(GCPFoundation.accountId(of: member.split(separator: ":").last.map(String.init) ?? member))-\(role.split(separator: ".").last ?? "")"
                        ),
                        forProvider: [("bucketRef", ref(b.name)), ("role", .string(role)), ("member", .string(member))]))
            }
        }
        return out
    }

    /// The Artifact Registry location of the registry host, nil for another registry.
    func registryLocation() -> String? { spec.delivery.registry.flatMap { Renderer.artifactRegistryLocation($0.host) } }

    /// The repositories of `registry/artifact-registry.json`; nil without an Artifact Registry host.
    func registry() -> [JSONValue]? {
        guard let reg = spec.delivery.registry,
            let items = renderer.artifactRegistryRepositories(reg, untaggedDays: max(1, reg.untaggedAfter.days))
        else { return nil }
        return items.map { item in
            let r = item["repository"] ?? [:]
            let parent = (item["parent"]?.stringValue ?? "").split(separator: "/").map(String.init)
            let id = item["repositoryId"]?.stringValue ?? ""
            var policies: [JSONValue] = []
            if case .object(let ps)? = r["cleanupPolicies"] {
                for (_, p) in ps.sorted(by: { $0.0 < $1.0 }) { policies.append(p) }
            }
            return managed(
                "artifact.gcp.upbound.io/v1beta2", "RegistryRepository",
                AWSFoundation.objectName("\(parent.count > 1 ? parent[1] : "")-\(id)"),
                externalName: id,
                forProvider: [
                    ("project", .string(parent.count > 1 ? parent[1] : project)), ("location", .string(parent.count > 3 ? parent[3] : "")),
                    ("format", "DOCKER"), ("mode", "STANDARD_REPOSITORY"), ("description", r["description"] ?? ""),
                    ("dockerConfig", r["dockerConfig"] ?? [:]), ("cleanupPolicyDryRun", false), ("cleanupPolicies", .array(policies)),
                    ("vulnerabilityScanningConfig", ["enablementConfig": .string(reg.scanOnPush ? "INHERITED" : "DISABLED")]),
                    ("labels", labels),
                ], orphan: true)
        }
    }
}
