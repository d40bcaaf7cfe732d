/// What berth writes for Google Cloud, in the shapes of Google's own APIs (the `compute/v1`,
/// `storage/v1` and `artifactregistry/v1` resources, so each file can be checked against
/// the API's discovery document and passed to the API or `gcloud` as is):
///
/// - `network/firewall/<cluster>.firewalls.json`: a JSON array of `compute#firewall`
///   resources, one per `network.firewall` rule and target (ingress, direction `INGRESS`,
///   logging on), on the cluster's VPC network `<platform>-<cluster>`. Targets are network
///   tags: `<platform>-<cluster>-bastion`, and `<platform>-<cluster>-nodes` for `nodes`,
///   `ingress` and `service/<name>` (GKE's passthrough load balancers deliver to the nodes).
/// - `network/cdn/<environment>.cloud-cdn.json` (`cdn.provider: cloud-cdn`): two
///   `compute#backendService` resources (the cached one with `enableCDN` and a `cdnPolicy`,
///   the dynamic one without) and the `compute#urlMap` that sends `network.ingress.cdn.paths`
///   of every public host to the cached one.
/// - `network/waf/<environment>.cloud-armor.json`: a `compute#securityPolicy` (Cloud Armor)
///   with the per-client rate limit of `network.ingress.rateLimit` (throttle, HTTP 429),
///   Adaptive Protection (layer 7 DDoS defence) and a default allow rule; both backend
///   services name it.
/// - `buckets/<env>/<bucket>.settings.json` (a `storage#bucket`: versioning, default KMS
///   key, uniform bucket-level access, public access prevention, location in the data
///   region) and `<bucket>.iam.json` (a `storage` IAM policy: `roles/storage.objectViewer`
///   for `:read` users, `roles/storage.objectUser` for the others, each a Workload Identity
///   service account), beside the lifecycle file.
/// - `registry/artifact-registry.json` when `delivery.registry.host` is an Artifact
///   Registry host (`<location>-docker.pkg.dev`): each repository the images come from as an
///   `artifactregistry` `Repository` (Docker format, immutable tags, cleanup policies).
extension Renderer {
    /// A Google service account id from `text`: 6-30 lower-case letters, digits and `-`,
    /// starting with a letter and not ending with `-` (longer ids end in a hash, as
    /// `bounded` does; shorter ones are padded with `-sa`).
    public static func gcpAccountId(_ text: String) -> String {
        var id = String(
            text.lowercased().map { c -> Character in
                (c >= "a" && c <= "z") || (c >= "0" && c <= "9") ? c : "-"
            })
        if let first = id.first, !(first >= "a" && first <= "z") { id = "sa-" + id }
        id = bounded(id, limit: 30)
        while id.hasSuffix("-") { id.removeLast() }
        while id.count < 6 { id += id.hasSuffix("-") ? "sa" : "-sa" }
        return id
    }

    /// The e-mail of the Google service account `id` in the project `provider.account`.
    func gcpServiceAccount(_ id: String) -> String { "\(Renderer.gcpAccountId(id))@\(spec.provider.account).iam.gserviceaccount.com" }

    /// The Google service account of a database's backups in an environment (CloudNativePG's
    /// pods take it through Workload Identity to write WAL and base backups).
    func gcpBackupAccount(database: String, environment: String) -> String {
        gcpServiceAccount("\(database)-\(environment)-backup")
    }

    /// Whether the managed Kubernetes runs the piece itself: the control plane's audit policy
    /// and the cluster autoscaler (node pool autoscaling) are Google's on GKE and Microsoft's
    /// on AKS, and neither takes a policy file or a self-run autoscaler.
    var providerManagesControlPlane: Bool { spec.provider.name == .gcp || spec.provider.name == .azure }

    /// A Secret Manager secret id for a secret store key: Secret Manager ids are 1-255
    /// letters, digits, `_` and `-`, so the `/` between the key's parts becomes `_` (names
    /// keep their `-`, so the parts stay readable and the id unambiguous).
    public static func gcpSecretId(_ key: String) -> String {
        String(key.map { c -> Character in c == "/" ? "_" : c })
    }

    /// The objects with every ExternalSecret key rewritten as a Secret Manager secret id,
    /// when the store is `gcp-secret-manager` (unchanged otherwise).
    func storeKeysForProvider(_ docs: [JSONValue]) -> [JSONValue] {
        guard spec.security.secrets?.store == "gcp-secret-manager" else { return docs }
        return docs.map { doc in
            guard doc["kind"]?.stringValue == "ExternalSecret", case .object(var spec)? = doc["spec"] else { return doc }
            for (i, (k, v)) in spec.enumerated() {
                switch (k, v) {
                case ("data", .array(let items)):
                    spec[i].1 = .array(items.map { Renderer.rewritingKey($0, in: "remoteRef") })
                case ("dataFrom", .array(let items)):
                    spec[i].1 = .array(items.map { Renderer.rewritingKey($0, in: "extract") })
                default: break
                }
            }
            return doc.setting("spec", .object(spec))
        }
    }

    private static func rewritingKey(_ item: JSONValue, in field: String) -> JSONValue {
        guard case .object(var ref)? = item[field], let i = ref.firstIndex(where: { $0.0 == "key" }),
            let key = ref[i].1.stringValue
        else { return item }
        ref[i].1 = .string(gcpSecretId(key))
        return item.setting(field, .object(ref))
    }

    // MARK: Cloud Storage

    /// Who may use a bucket in an environment, as IAM members: each service's and each backup's
    /// Google service account, read-only where every use is `:read`.
    func gcsBucketMembers(_ b: Bucket, env: Environment) -> [(principal: String, readOnly: Bool)] {
        bucketUsers(
            b, env: env, service: { "serviceAccount:" + gcpServiceAccount("\($0.name)-\($1.name)") },
            backup: { "serviceAccount:" + gcpBackupAccount(database: $0.name, environment: $1.name) })
    }

    /// The bucket's IAM policy (`storage.buckets.setIamPolicy`): one binding per role.
    func gcsBucketIAM(_ b: Bucket, env: Environment) -> JSONValue {
        let members = gcsBucketMembers(b, env: env)
        var bindings: [JSONValue] = []
        for (role, readOnly) in [("roles/storage.objectViewer", true), ("roles/storage.objectUser", false)] {
            let who = members.filter { $0.readOnly == readOnly }.map { JSONValue.string($0.principal) }
            if !who.isEmpty { bindings.append(["role": .string(role), "members": .array(who)]) }
        }
        if b.isPublic { bindings.append(["role": "roles/storage.objectViewer", "members": ["allUsers"]]) }
        return ["version": 1, "bindings": .array(bindings)]
    }

    /// The bucket resource (`storage.buckets.insert` / `patch`): location, versioning, the
    /// region's KMS key, uniform bucket-level access (no object ACLs) and public access
    /// prevention (`enforced` unless the bucket is public).
    func gcsBucketSettings(_ b: Bucket, env: Environment, name: String) -> JSONValue {
        let region = plan.dataRegion(of: env) ?? ""
        var o: [(String, JSONValue)] = [("name", .string(name))]
        if !region.isEmpty { o.append(("location", .string(region.uppercased()))) }
        o += [
            ("storageClass", "STANDARD"),
            ("versioning", ["enabled": .bool(b.versioning)]),
            (
                "iamConfiguration",
                [
                    "uniformBucketLevelAccess": ["enabled": true],
                    "publicAccessPrevention": .string(b.isPublic ? "inherited" : "enforced"),
                ]
            ),
        ]
        let key = plan.kmsKey(region: region)
        if b.encryption == "kms", !key.isEmpty { o.append(("encryption", ["defaultKmsKeyName": .string(key)])) }
        o.append(
            (
                "labels",
                [
                    "platform": .string(spec.platform), "environment": .string(plan.isShared(bucket: b, in: env) ? "shared" : env.name),
                    "managed-by": "berth",
                ]
            ))
        return .object(o)
    }

    // MARK: VPC firewall rules

    /// The `compute#firewall` resources of one cluster's targets.
    func gcpFirewalls(_ c: Cluster, _ targets: [(target: String, rules: [Network.FirewallRule])]) -> Artifact {
        Artifact(
            path: "network/firewall/\(c.name).firewalls.json",
            contents: JSONValue.array(gcpFirewallResources(c, targets)).serialized(pretty: true) + "\n", objects: 0)
    }

    /// The network tag of a firewall target's instances: the bastion's, or the nodes' for
    /// `nodes`, `ingress` and `service/<name>` (GKE's passthrough load balancers deliver to
    /// the nodes), which the node pools of `infra/` carry.
    func gcpFirewallTag(_ c: Cluster, target: String) -> String {
        Renderer.bounded("\(spec.platform)-\(c.name)-\(target == "bastion" ? "bastion" : "nodes")", limit: 63)
    }

    /// The `compute#firewall` resources of one cluster's targets, as a list (the file of
    /// `network/firewall/` and the Firewall managed resources of `infra/network/`).
    func gcpFirewallResources(_ c: Cluster, _ targets: [(target: String, rules: [Network.FirewallRule])]) -> [JSONValue] {
        let network = "\(spec.platform)-\(c.name)"
        var rules: [JSONValue] = []
        for (target, list) in targets {
            let tag = gcpFirewallTag(c, target: target)
            for f in list {
                let name = Renderer.bounded(
                    String("\(spec.platform)-\(c.name)-\(target)-\(f.name)".lowercased().map { $0 == "_" || $0 == "." ? "-" : $0 }),
                    limit: 63)
                rules.append([
                    "name": .string(name),
                    "description": .string("\(f.name): \(f.from.value) to \(target) of cluster \(c.name) (berth, network.firewall)"),
                    "network": .string("projects/\(spec.provider.account)/global/networks/\(network)"),
                    "direction": "INGRESS",
                    "priority": 1000,
                    "sourceRanges": [.string(f.from.value)],
                    "allowed": [["IPProtocol": .string(f.proto), "ports": .array(f.ports.map { .string(String($0)) })]],
                    "targetTags": [.string(tag)],
                    "logConfig": ["enable": true],
                ])
            }
        }
        return rules
    }

    // MARK: Cloud CDN and Cloud Armor

    /// The Cloud Armor policy name of an environment.
    func cloudArmorPolicy(_ env: String) -> String { Renderer.bounded("\(spec.platform)-\(env)-edge", limit: 63) }

    /// Cloud CDN backend services and URL map, and the Cloud Armor policy, per environment with
    /// public hosts (the team server's API stays off the CDN: it carries tokens).
    func gcpEdgeArtifacts() -> [Artifact] {
        guard spec.provider.name == .gcp else { return [] }
        let cdn = spec.network.ingress.cdn.flatMap { $0.provider == "cloud-cdn" && !$0.paths.isEmpty ? $0 : nil }
        var out: [Artifact] = []
        for (t, hosts) in cdnHostsByEnvironment() {
            let env = t.environment.name
            let policy = cloudArmorPolicy(env)
            out.append(
                Artifact(
                    path: "network/waf/\(env).cloud-armor.json", contents: cloudArmor(env, name: policy).serialized(pretty: true) + "\n",
                    objects: 0))
            guard let cdn else { continue }
            let cached = Renderer.bounded("\(spec.platform)-\(env)-cdn", limit: 63)
            let dynamic = Renderer.bounded("\(spec.platform)-\(env)-gateway", limit: 63)
            func backend(_ name: String, cdnOn: Bool) -> JSONValue {
                var b: [(String, JSONValue)] = [
                    ("name", .string(name)),
                    (
                        "description",
                        .string("\(spec.platform) \(env): the Gateway's network endpoint group\(cdnOn ? ", cached paths" : "")")
                    ),
                    ("protocol", "HTTPS"), ("loadBalancingScheme", "EXTERNAL_MANAGED"), ("timeoutSec", 30),
                    ("securityPolicy", .string("projects/\(spec.provider.account)/global/securityPolicies/\(policy)")),
                    ("logConfig", ["enable": true, "sampleRate": 1.0]),
                    ("enableCDN", .bool(cdnOn)),
                ]
                if cdnOn {
                    b.append(
                        (
                            "cdnPolicy",
                            [
                                "cacheMode": "FORCE_CACHE_ALL", "defaultTtl": .int(cdn.ttl), "maxTtl": .int(cdn.ttl),
                                "clientTtl": .int(cdn.ttl), "negativeCaching": false, "requestCoalescing": true,
                                "cacheKeyPolicy": ["includeHost": true, "includeProtocol": true, "includeQueryString": false],
                            ]
                        ))
                }
                return .object(b)
            }
            let service = { (n: String) -> JSONValue in .string("projects/\(spec.provider.account)/global/backendServices/\(n)") }
            let urlMap: JSONValue = [
                "name": .string(Renderer.bounded("\(spec.platform)-\(env)", limit: 63)),
                "description": .string("\(spec.platform) \(env): cached paths \(cdn.paths.joined(separator: " ")) through Cloud CDN"),
                "defaultService": service(dynamic),
                "hostRules": [["hosts": .array(hosts.map { .string($0) }), "pathMatcher": "public"]],
                "pathMatchers": [
                    [
                        "name": "public", "defaultService": service(dynamic),
                        "pathRules": [["paths": .array(cdn.paths.map { .string($0) }), "service": service(cached)]],
                    ]
                ],
            ]
            let doc: JSONValue = ["backendServices": [backend(cached, cdnOn: true), backend(dynamic, cdnOn: false)], "urlMap": urlMap]
            out.append(Artifact(path: "network/cdn/\(env).cloud-cdn.json", contents: doc.serialized(pretty: true) + "\n", objects: 0))
        }
        return out
    }

    /// The Cloud Armor security policy of an environment: per-client-IP throttling at
    /// `rateLimit.rps` (per minute, so a burst is absorbed), Adaptive Protection, default allow.
    func cloudArmor(_ env: String, name: String) -> JSONValue {
        var rules: [JSONValue] = []
        if let rl = spec.network.ingress.rateLimit {
            rules.append([
                "priority": 1000,
                "description": .string("network.ingress.rateLimit: \(rl.rps) requests per second per client IP"),
                "match": ["versionedExpr": "SRC_IPS_V1", "config": ["srcIpRanges": ["*"]]],
                "action": "throttle",
                "rateLimitOptions": [
                    "conformAction": "allow", "exceedAction": "deny(429)", "enforceOnKey": "IP",
                    "rateLimitThreshold": ["count": .int(rl.rps * 60), "intervalSec": 60],
                ],
            ])
        }
        rules.append([
            "priority": 2_147_483_647, "description": "default: allow",
            "match": ["versionedExpr": "SRC_IPS_V1", "config": ["srcIpRanges": ["*"]]], "action": "allow",
        ])
        return [
            "name": .string(name),
            "description": .string("\(spec.platform) \(env): edge protection in front of the Gateway"),
            "type": "CLOUD_ARMOR",
            "adaptiveProtectionConfig": ["layer7DdosDefenseConfig": ["enable": true, "ruleVisibility": "STANDARD"]],
            "rules": .array(rules),
        ]
    }

    // MARK: Artifact Registry

    /// The Artifact Registry location of a registry host (`europe-docker.pkg.dev` →
    /// `europe`), nil for other hosts.
    public static func artifactRegistryLocation(_ host: String) -> String? {
        let suffix = "-docker.pkg.dev"
        guard host.hasSuffix(suffix), host.count > suffix.count else { return nil }
        return String(host.dropLast(suffix.count))
    }

    /// `registry/artifact-registry.json`: each repository (`<project>/<repository>` of the
    /// images) as a Docker-format `Repository` with immutable tags and cleanup policies
    /// (delete untagged after `untaggedAfter`, keep the newest `keepLast` versions).
    func artifactRegistryArtifacts(_ reg: Delivery.Registry, untaggedDays: Int) -> [Artifact]? {
        guard let items = artifactRegistryRepositories(reg, untaggedDays: untaggedDays) else { return nil }
        let doc = registryDocument(
            reg,
            scanNote:
                "Artifact Analysis scans images on push when the Container Scanning API is on; it reports and does not block pulls. The deploy gate (Binary Authorization or the pipeline) refuses images with findings of severity \(reg.blockSeverity.uppercased()) or above.",
            repositories: items)
        return [Artifact(path: "registry/artifact-registry.json", contents: doc.serialized(pretty: true) + "\n", objects: 0)]
    }

    /// Each Artifact Registry repository the images come from, as a `CreateRepository`
    /// request (`parent`, `repositoryId`, `repository`); nil when the host is not Artifact
    /// Registry.
    func artifactRegistryRepositories(_ reg: Delivery.Registry, untaggedDays: Int) -> [JSONValue]? {
        guard let location = Renderer.artifactRegistryLocation(reg.host) else { return nil }
        var repos: [String: Set<String>] = [:]
        for path in registryRepositories(reg) {
            let parts = path.split(separator: "/").map(String.init)
            guard parts.count >= 2 else { continue }
            repos["\(parts[0])/\(parts[1])", default: []].insert(parts.dropFirst(2).joined(separator: "/"))
        }
        let items: [JSONValue] = repos.keys.sorted().map { key in
            let parts = key.split(separator: "/").map(String.init)
            let parent = "projects/\(parts[0])/locations/\(location)"
            let repository: JSONValue = [
                "name": .string("\(parent)/repositories/\(parts[1])"),
                "format": "DOCKER",
                "mode": "STANDARD_REPOSITORY",
                "description": .string("\(spec.platform) images (berth, delivery.registry)"),
                "dockerConfig": ["immutableTags": .bool(reg.immutable)],
                "cleanupPolicyDryRun": false,
                "cleanupPolicies": [
                    "delete-untagged": [
                        "id": "delete-untagged", "action": "DELETE",
                        "condition": ["tagState": "UNTAGGED", "olderThan": .string("\(untaggedDays * 86400)s")],
                    ],
                    "keep-recent": [
                        "id": "keep-recent", "action": "KEEP", "mostRecentVersions": ["keepCount": .int(reg.keepLast)],
                    ],
                ],
                "labels": ["platform": .string(spec.platform), "managed-by": "berth"],
            ]
            return ["parent": .string(parent), "repositoryId": .string(parts[1]), "repository": repository]
        }
        return items
    }
}

extension Provider.Name {
    /// What the provider calls a cluster's private network: a "VPC network" on Google Cloud,
    /// a "VNet" on Azure, a "VPC" on AWS (and on premises, where the address plan has the
    /// same shape).
    public var networkNoun: String {
        switch self {
        case .aws, .onprem: "VPC"
        case .gcp: "VPC network"
        case .azure: "VNet"
        }
    }

    /// The private path from a cluster to the provider's object storage, for the audit's
    /// advice: Private Google Access on Google Cloud, a private endpoint on Azure, a VPC
    /// endpoint elsewhere.
    public var privateStorageRoute: String {
        switch self {
        case .aws, .onprem: "a VPC endpoint"
        case .gcp: "Private Google Access (private.googleapis.com, 199.36.153.8/30)"
        case .azure: "a private endpoint"
        }
    }
}

extension Renderer {
    /// GKE's annotations of a LoadBalancer Service: an internal passthrough load balancer
    /// (a private address of the VPC network) or an external one on backend services
    /// (`cloud.google.com/l4-rbs`, a public address).
    func gkeLoadBalancerAnnotations(isInternal: Bool) -> [(String, JSONValue)] {
        isInternal ? [("networking.gke.io/load-balancer-type", "Internal")] : [("cloud.google.com/l4-rbs", "enabled")]
    }

    /// The Gateway's `infrastructure` on GKE: the public load balancer in front of the Gateway
    /// takes the reserved regional external address `<platform>-<name>` of each `role: ingress`
    /// static address (a planned private address cannot be public on Google Cloud), through
    /// `networking.gke.io/load-balancer-ip-addresses`; without one GKE assigns an ephemeral address.
    func gkeGatewayInfrastructure(_ t: Target) -> [(String, JSONValue)] {
        let envsHere = spec.environments.filter { $0.clusters.contains { $0.value == t.cluster.name } }
        let names = spec.network.statics.filter { st in
            st.role == "ingress" && st.cluster.value == t.cluster.name
                && (st.environment?.value ?? (envsHere.count == 1 ? envsHere[0].name : "")) == t.environment.name
        }.map { "\(spec.platform)-\($0.name)" }
        var annotations = gkeLoadBalancerAnnotations(isInternal: false)
        if !names.isEmpty { annotations.append(("networking.gke.io/load-balancer-ip-addresses", .string(names.joined(separator: ",")))) }
        return [("infrastructure", ["annotations": .object(annotations)])]
    }
}
