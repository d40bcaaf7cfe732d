import Foundation

/// The result of loading a spec: the model when it decoded, every diagnostic, and the source
/// texts (for printing lines under diagnostics).
public struct LoadedSpec: Sendable {
    /// The typed spec; nil when it did not load.
    public var spec: Spec?
    /// Every diagnostic, sorted for display.
    public var diagnostics: [Diagnostic]
    /// The texts as read. Only `sources`, with secret values hidden, leaves this type.
    var rawSources: [String: String]
    /// Secret values to hide in `sources` besides the secret-looking keys
    /// (`SecretValues.values(in:)`), set by `Pipeline.check`.
    var secretValues: [String] = []
    /// The address plan, when the spec loaded and the plan succeeded.
    public var ipPlan: IPPlan?
    /// The spec resolved once, when it loaded without errors (`Pipeline.check`).
    public var checked: Pipeline.Checked?

    /// The source texts for printing lines under diagnostics, with every secret value hidden
    /// (`SecretValues.redactSource`). Redacted when asked for: a command that prints no source
    /// line (a render with notes only) does not pay for it.
    public var sources: [String: String] {
        let values = secretValues
        return rawSources.mapValues { SecretValues.redactSource($0, values: values) }
    }

    /// A formatter for these diagnostics that redacts only the source lines it prints.
    public func formatter(color: Bool) -> DiagnosticFormatter {
        DiagnosticFormatter(unredacted: rawSources, secretValues: secretValues, color: color)
    }

    /// A load result: the spec (if any), its diagnostics, the source texts as read and the address plan.
    public init(spec: Spec?, diagnostics: [Diagnostic], sources: [String: String], ipPlan: IPPlan? = nil) {
        self.spec = spec
        self.diagnostics = diagnostics
        self.rawSources = sources
        self.ipPlan = ipPlan
    }
}

extension Spec {
    /// Loads and checks the spec at `path`, plus `versions.yaml` beside it when present.
    ///
    /// Diagnostics carry `displayName` (the path as the user typed it) as their file.
    /// Throws `BerthError.io` only when a file cannot be read at all.
    public static func load(path: String, versionsPath: String? = nil) throws -> LoadedSpec {
        var diags: [Diagnostic] = []
        var sources: [String: String] = [:]
        guard let text = try SpecLoader.readText(path: path, displayName: path, diags: &diags) else {
            return LoadedSpec(spec: nil, diagnostics: diags, sources: sources)
        }
        sources[path] = text
        var versionsText: (String, String)?
        let vPath = versionsPath ?? (URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("versions.yaml").path)
        let vDisplay =
            versionsPath
            ?? ((path as NSString).deletingLastPathComponent.isEmpty
                ? "versions.yaml" : (path as NSString).deletingLastPathComponent + "/versions.yaml")
        if versionsPath != nil || FileManager.default.fileExists(atPath: vPath) {
            if let vt = try SpecLoader.readText(path: vPath, displayName: vDisplay, diags: &diags) {
                sources[vDisplay] = vt
                versionsText = (vDisplay, vt)
            }
        }
        var result = load(text: text, file: path, versions: versionsText, diags: &diags)
        result.rawSources = sources
        return result
    }

    /// Loads a spec from text (used by tests and by `load(path:)`).
    public static func load(text: String, file: String, versions: (file: String, text: String)? = nil) -> LoadedSpec {
        var diags: [Diagnostic] = []
        var r = load(text: text, file: file, versions: versions, diags: &diags)
        r.rawSources[file] = text
        if let v = versions { r.rawSources[v.file] = v.text }
        return r
    }

    static func load(text: String, file: String, versions: (file: String, text: String)?, diags: inout [Diagnostic]) -> LoadedSpec {
        let root = SpecLoader.load(text: text, file: file, schema: .object(SpecSchema.root), into: &diags)
        var versionNode: SpecNode?
        if let v = versions {
            versionNode = SpecLoader.load(text: v.text, file: v.file, schema: SpecSchema.versions, context: "versions", into: &diags)
        }
        guard let root, !diags.hasErrors else {
            return LoadedSpec(spec: nil, diagnostics: diags, sources: [:])
        }
        var d = Decoder(diags: [])
        var spec = StageTimer.measure("load: decode") {
            var spec = d.spec(root, file: file)
            d.monitoring(root, into: &spec)
            d.ipam(root, into: &spec)
            d.infrastructure(root, into: &spec)
            spec.buildIndexes()
            return spec
        }
        if let vn = versionNode {
            for e in vn.entries {
                var m: [String: Located<String>] = [:]
                for s in e.node.entries { m[s.key] = Located(s.node.string ?? "", s.node.location) }
                spec.versions[e.key] = m
            }
            spec.versionsFile = versions?.file
        }
        diags += d.diags
        return LoadedSpec(spec: spec, diagnostics: diags, sources: [:])
    }
}

/// Turns a checked `SpecNode` tree into the typed model. Values are already validated, so
/// this only converts; anything that still does not fit is reported, never trapped.
struct Decoder {
    var diags: [Diagnostic]

    func str(_ n: SpecNode?, _ key: String) -> String { n?[key]?.string ?? "" }
    func int(_ n: SpecNode?, _ key: String) -> Int? { n?[key]?.int }
    func bool(_ n: SpecNode?, _ key: String) -> Bool { n?[key]?.bool ?? false }
    func located(_ n: SpecNode?, _ key: String) -> Located<String>? {
        guard let c = n?[key], let s = c.string, c.explicit || !s.isEmpty else { return nil }
        return Located(s, c.location)
    }
    func names(_ n: SpecNode?, _ key: String) -> [Located<String>] {
        (n?[key]?.list ?? []).compactMap { item in item.string.map { Located($0, item.location) } }
    }
    func quantity(_ n: SpecNode?, _ key: String) -> Quantity? {
        n?[key]?.string.flatMap(Quantity.parse)
    }
    func duration(_ n: SpecNode?, _ key: String) -> SpecDuration? {
        n?[key]?.string.flatMap(SpecDuration.parse)
    }

    mutating func spec(_ r: SpecNode, file: String) -> Spec {
        let providerNode = r["provider"]
        let provider = self.provider(providerNode, at: r.location, platform: str(r, "platform"))
        let clusters = (r["clusters"]?.entries ?? []).map { cluster($0, provider: provider) }
        return Spec(
            file: file,
            platform: str(r, "platform"),
            description: str(r, "description"),
            provider: provider,
            network: network(r["network"], provider: provider),
            clusters: clusters,
            environments: (r["environments"]?.entries ?? []).map(environment),
            services: (r["services"]?.entries ?? []).map(service),
            databases: (r["databases"]?.entries ?? []).map(database),
            buckets: (r["buckets"]?.entries ?? []).map(bucket),
            storage: storage(r["storage"]),
            delivery: delivery(r["delivery"]),
            scaling: Scaling(
                clusterAutoscaler: bool(r["scaling"], "clusterAutoscaler"),
                verticalPodAutoscaler: str(r["scaling"], "verticalPodAutoscaler"),
                connectionPooling: bool(r["scaling"], "connectionPooling")),
            security: security(r["security"], platform: str(r, "platform")),
            versions: [:],
            versionsFile: nil,
            root: r)
    }

    func provider(_ n: SpecNode?, at loc: SourceLocation, platform: String) -> Provider {
        let hw = n?["hardware"].map { h in
            Hardware(
                nodes: int(h, "nodes") ?? 1, cpu: int(h, "cpu") ?? 1,
                memory: quantity(h, "memory") ?? Quantity(milli: 0, text: "0"),
                disk: quantity(h, "disk") ?? Quantity(milli: 0, text: "0"),
                racks: int(h, "racks") ?? 1, network: str(h, "network"), storage: str(h, "storage"),
                cephMonitors: h["cephMonitors"]?.strings ?? [])
        }
        return Provider(
            name: Provider.Name(rawValue: str(n, "name")) ?? .aws,
            rationale: str(n, "rationale"),
            regions: (n?["regions"]?.entries ?? []).map { e in
                Region(name: e.key, zones: e.node["zones"]?.strings ?? [], kmsKey: str(e.node, "kmsKey"), location: e.keyLocation)
            },
            hardware: hw,
            dataResidency: names(n, "dataResidency"),
            account: str(n, "account"),
            costNotes: str(n, "costNotes"),
            resourceGroup: n?["resourceGroup"]?.string ?? platform,
            subscription: str(n, "subscription"),
            identities: Dictionary(
                (n?["identities"]?.entries ?? []).map { ($0.key, $0.node.string ?? "") }, uniquingKeysWith: { a, _ in a }),
            projectNumber: str(n, "projectNumber"),
            location: n?.location ?? loc)
    }

    func network(_ n: SpecNode?, provider: Provider) -> Network {
        let carve = n?["carve"]
        let dns = n?["dns"]
        let ing = n?["ingress"]
        let api = str(ing, "api")
        let defaultDNS: String =
            switch provider.name {
            case .aws: "route53"
            case .gcp: "google"
            case .azure: "azure"
            case .onprem: "rfc2136"
            }
        let rate = ing?["rateLimit"].map { rl in
            Network.RateLimit(
                rps: int(rl, "rps") ?? 1, burst: int(rl, "burst") ?? 2 * (int(rl, "rps") ?? 1),
                connections: int(rl, "connections") ?? 100)
        }
        let cdn = ing?["cdn"].map { c in
            Network.CDN(provider: str(c, "provider"), paths: c["paths"]?.strings ?? [], ttl: int(c, "ttl") ?? 86_400)
        }
        let ipv6 = located(n, "ipv6").flatMap { $0.value.isEmpty ? nil : $0 }
        return Network(
            supernet: located(n, "supernet") ?? Located("10.0.0.0/8", n?.location ?? SpecSchema.noLoc),
            ipv6: ipv6,
            carve: Network.Carve(
                vpc: int(carve, "vpc") ?? 16,
                publicSubnet: int(carve?["subnets"], "public") ?? 24,
                privateSubnet: int(carve?["subnets"], "private") ?? 20,
                pods: int(carve, "pods") ?? 17,
                services: int(carve, "services") ?? 22,
                location: carve?.location ?? SpecSchema.noLoc),
            reserved: (n?["reserved"]?.list ?? []).map { r in
                Network.Reserved(cidr: located(r, "cidr") ?? Located("", r.location), purpose: str(r, "purpose"))
            },
            statics: (n?["static"]?.list ?? []).map { s in
                Network.StaticAddress(
                    name: str(s, "name"), cluster: located(s, "cluster") ?? Located("", s.location),
                    subnet: str(s, "subnet"), zone: located(s, "zone"), purpose: str(s, "purpose"),
                    role: str(s, "role"), environment: located(s, "environment"), location: s.location)
            },
            dns: Network.DNS(
                zones: names(dns, "zones"),
                provider: dns?["provider"]?.string ?? defaultDNS,
                ttl: int(dns, "ttl") ?? 300,
                project: dns?["project"]?.string ?? provider.account,
                subscription: str(dns, "subscription"),
                resourceGroup: dns?["resourceGroup"]?.string ?? provider.resourceGroup,
                server: str(dns, "server")),
            ingress: Network.Ingress(
                api: IngressAPI(rawValue: api) ?? .gateway,
                className: str(ing, "className"),
                namespace: ing?["namespace"]?.string ?? (api == "ingress" ? "ingress-nginx" : "nginx-gateway"),
                rateLimit: rate, cdn: cdn),
            mesh: Mesh(rawValue: str(n, "mesh")) ?? .none,
            loadBalancing: str(n, "loadBalancing"),
            firewall: (n?["firewall"]?.list ?? []).map { f in
                Network.FirewallRule(
                    name: str(f, "name"), from: located(f, "from") ?? Located("", f.location),
                    ports: (f["ports"]?.list ?? []).compactMap(\.int), proto: str(f, "protocol"),
                    to: located(f, "to") ?? Located("", f.location))
            },
            ids: (bool(n?["ids"], "enabled"), str(n?["ids"], "engine")),
            podsPerNode: int(n, "podsPerNode") ?? 110)
    }

    mutating func cluster(_ e: SpecEntry, provider: Provider) -> Cluster {
        let n = e.node
        let region = located(n, "region") ?? Located("", e.keyLocation)
        var zones = names(n, "zones")
        let explicit = n["zones"] != nil
        if !explicit, let r = provider.region(region.value) {
            zones = r.zones.map { Located($0, region.location) }
        }
        let pools = (n["nodePools"]?.entries ?? []).map { p -> NodePool in
            let pn = p.node
            let minN = int(pn, "min") ?? 1
            var taints: [Taint] = []
            for t in pn["taints"]?.list ?? [] {
                if let taint = parseTaint(t.string ?? "") {
                    taints.append(taint)
                } else {
                    diags.append(
                        .error(
                            .invalidValue,
                            "taint '\(t.string ?? "")' must look like key=value:Effect with Effect NoSchedule, PreferNoSchedule or NoExecute",
                            at: t.location))
                }
            }
            return NodePool(
                name: p.key, machine: str(pn, "machine"), cpu: int(pn, "cpu") ?? 1,
                memory: quantity(pn, "memory") ?? Quantity(milli: 0, text: "0"),
                min: minN, max: int(pn, "max") ?? Swift.max(1, minN), spot: bool(pn, "spot"),
                taints: taints, disk: quantity(pn, "disk") ?? Quantity(milli: 100 << 30 * 1000, text: "100Gi"),
                location: p.keyLocation)
        }
        return Cluster(
            name: e.key, region: region, zones: zones, zonesExplicit: explicit,
            kubernetes: str(n, "kubernetes"),
            haControlPlane: bool(n["controlPlane"], "ha"),
            nodePools: pools, location: e.keyLocation)
    }

    func parseTaint(_ s: String) -> Taint? {
        let kv = s.split(separator: ":", omittingEmptySubsequences: false)
        guard kv.count == 2, ["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(String(kv[1])) else { return nil }
        let pair = kv[0].split(separator: "=", omittingEmptySubsequences: false)
        guard pair.count <= 2, let key = pair.first, Names.labelKeyProblem(String(key)) == nil else { return nil }
        let value = pair.count == 2 ? String(pair[1]) : ""
        guard value.count <= 63, value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else { return nil }
        return Taint(key: String(key), value: value, effect: String(kv[1]))
    }

    func environment(_ e: SpecEntry) -> Environment {
        let n = e.node
        let tierText = n["tier"]?.string ?? (Environment.Tier(rawValue: e.key) != nil ? e.key : "development")
        let tier = Environment.Tier(rawValue: tierText) ?? .development
        return Environment(
            name: e.key,
            clusters: names(n, "clusters"),
            domain: str(n, "domain"),
            tier: tier,
            access: (n["access"]?.entries ?? []).map { (Located($0.key, $0.keyLocation), $0.node.string ?? "view") },
            dataIsolated: str(n, "data") != "shared",
            loadTest: bool(n, "loadTest"),
            productionLike: n["productionLike"]?.bool ?? (tier == .staging),
            local: n["local"]?.string ?? (tier == .development ? "kind" : "none"),
            headroom: int(n, "headroom") ?? 20,
            location: e.keyLocation)
    }

    func replicas(_ n: SpecNode?) -> Replicas {
        let minR = int(n, "min") ?? 1
        return Replicas(min: minR, max: int(n, "max") ?? Swift.max(1, minR), cpu: int(n, "cpu") ?? 80)
    }

    /// `replicas.waiver`, unless absent or blank.
    func waiver(_ n: SpecNode?) -> Located<String>? {
        guard let w = located(n, "waiver"), !w.value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
        return w
    }

    func resources(_ n: SpecNode?) -> Resources {
        let cpu = quantity(n, "cpu") ?? Quantity(milli: 100, text: "100m")
        let mem = quantity(n, "memory") ?? Quantity(milli: 128 << 20 * 1000, text: "128Mi")
        let lim = n?["limits"]
        let cpuLimit = quantity(lim, "cpu") ?? Quantity(milli: cpu.milli * 2, text: Quantity.cpuText(milli: cpu.milli * 2))
        let memLimit = quantity(lim, "memory") ?? mem
        return Resources(cpu: cpu, memory: mem, cpuLimit: cpuLimit, memoryLimit: memLimit)
    }

    func publicRoute(_ n: SpecNode?) -> PublicRoute? {
        guard let n else { return nil }
        return PublicRoute(
            host: str(n, "host"), paths: n["paths"]?.strings ?? ["/"], tls: n["tls"]?.bool ?? true,
            apex: bool(n, "apex"), location: n.location)
    }

    func envVars(_ n: SpecNode?) -> [(String, String)] {
        (n?.entries ?? []).map { ($0.key, $0.node.string ?? "") }
    }

    func service(_ e: SpecEntry) -> Service {
        let n = e.node
        var uses: [Use] = []
        var badUses: [Located<String>] = []
        for u in n["uses"]?.list ?? [] {
            let text = u.string ?? ""
            var body = Substring(text)
            var readOnly = false
            if body.hasSuffix(":read") {
                readOnly = true
                body = body.dropLast(5)
            } else if body.hasSuffix(":write") {
                body = body.dropLast(6)
            }
            let parts = body.split(separator: "/", omittingEmptySubsequences: false)
            if parts.count == 2, let kind = Use.Kind(rawValue: String(parts[0])), Names.labelProblem(String(parts[1])) == nil {
                uses.append(Use(kind: kind, name: String(parts[1]), readOnly: readOnly, location: u.location))
            } else {
                badUses.append(Located(text, u.location))
            }
        }
        let h = n["health"]
        let vols = (n["volumes"]?.entries ?? []).map { v in
            ServiceVolume(
                name: v.key, size: quantity(v.node, "size") ?? Quantity(milli: 0, text: "0"),
                storageClass: located(v.node, "class"), path: str(v.node, "path"))
        }
        let overrides = (n["overrides"]?.entries ?? []).map { o in
            ServiceOverride(
                environment: Located(o.key, o.keyLocation),
                replicas: o.node["replicas"].map { replicas($0) },
                resources: o.node["resources"].map { resources($0) },
                publicRoute: publicRoute(o.node["public"]),
                env: envVars(o.node["env"]),
                enabled: o.node["enabled"]?.bool ?? true,
                replicasWaiver: waiver(o.node["replicas"]))
        }
        return Service(
            name: e.key,
            image: located(n, "image") ?? Located("", e.keyLocation),
            port: int(n, "port"),
            proto: str(n, "protocol"),
            publicRoute: publicRoute(n["public"]),
            replicas: replicas(n["replicas"]),
            replicasLocation: n["replicas"]?.location ?? e.keyLocation,
            resources: resources(n["resources"]),
            health: Health(
                live: str(h, "live"), ready: str(h, "ready"), port: int(h, "port"),
                command: h?["command"]?.strings ?? []),
            talksTo: names(n, "talksTo"),
            uses: uses,
            badUses: badUses,
            secrets: n["secrets"]?.strings ?? [],
            env: envVars(n["env"]),
            nodePool: located(n, "nodePool"),
            volumes: vols,
            team: str(n, "team"),
            overrides: overrides,
            location: e.keyLocation,
            schedule: located(n, "schedule"),
            deadline: duration(n, "deadline") ?? SpecDuration(seconds: 3600, text: "1h"),
            restartPolicy: n["restartPolicy"]?.string ?? "OnFailure",
            replicasWaiver: waiver(n["replicas"]),
            exposure: n["expose"].map { x in
                Exposure(
                    from: (x["from"]?.list ?? []).map { Located($0.string ?? "", $0.location) },
                    scope: x["scope"]?.string ?? "internal", location: x.location)
            },
            portLocation: n["port"]?.location,
            volumesLocation: n["volumes"]?.location)
    }

    func database(_ e: SpecEntry) -> Database {
        let n = e.node
        let st = n["storage"]
        let size = quantity(st, "size") ?? Quantity(milli: 1000 << 30, text: "1Gi")
        let walDefault: Quantity = {
            let quarter = size.units / 4
            let b = Swift.max(Int64(1) << 30, quarter)
            return Quantity(milli: b * 1000, text: Quantity.bytesText(b))
        }()
        let backup = n["backup"].map { b in
            Database.Backup(
                schedule: str(b, "schedule"), retention: duration(b, "retention") ?? SpecDuration(seconds: 86_400, text: "1d"),
                bucket: located(b, "bucket") ?? Located("", b.location), location: b.location)
        }
        let pooler = n["pooler"].map { p in (mode: str(p, "mode"), instances: int(p, "instances") ?? 2) }
        return Database(
            name: e.key, version: str(n, "version"), instances: int(n, "instances") ?? 1,
            instancesLocation: n["instances"]?.location ?? e.keyLocation,
            size: size, storageClass: located(st, "class"), walSize: quantity(st, "walSize") ?? walDefault,
            memory: quantity(n, "memory") ?? Quantity(milli: 2000 << 30, text: "2Gi"),
            cpu: quantity(n, "cpu") ?? Quantity(milli: 1000, text: "1"),
            backup: backup, pooler: pooler, maxConnections: int(n, "maxConnections") ?? 200,
            shared: bool(n, "shared"),
            topology: Database.Topology(
                primary: located(n["topology"], "primary"),
                replicas: Database.Topology.Replicas(rawValue: str(n["topology"], "replicas")) ?? .read,
                remoteClients: Database.Topology.RemoteClients(rawValue: str(n["topology"], "remoteClients")) ?? .refuse,
                location: n["topology"]?.location ?? e.keyLocation),
            rpo: duration(n, "rpo"), location: e.keyLocation)
    }

    func bucket(_ e: SpecEntry) -> Bucket {
        let n = e.node
        return Bucket(
            name: e.key, versioning: bool(n, "versioning"), encryption: str(n, "encryption"),
            lifecycle: (n["lifecycle"]?.list ?? []).map { r in
                Bucket.LifecycleRule(
                    after: duration(r, "after") ?? SpecDuration(seconds: 86_400, text: "1d"),
                    transition: r["transition"]?.string, expire: bool(r, "expire"))
            },
            shared: bool(n, "shared"), isPublic: bool(n, "public"),
            noncurrentAfter: duration(n, "noncurrentAfter") ?? SpecDuration(seconds: 30 * 86_400, text: "30d"),
            abortUploadsAfter: duration(n, "abortUploadsAfter") ?? SpecDuration(seconds: 7 * 86_400, text: "7d"),
            location: e.keyLocation)
    }

    func storage(_ n: SpecNode?) -> Storage {
        Storage(
            classes: (n?["classes"]?.entries ?? []).map { c in
                StorageClassSpec(
                    name: c.key, kind: str(c.node, "kind"), iops: int(c.node, "iops"),
                    throughput: int(c.node, "throughput"), reclaim: str(c.node, "reclaim"),
                    isDefault: bool(c.node, "default"), location: c.keyLocation)
            },
            snapshots: n?["snapshots"].map { (schedule: str($0, "schedule"), keep: int($0, "keep") ?? 1) },
            snapshotsLocation: n?["snapshots"]?.location)
    }

    func delivery(_ n: SpecNode?) -> Delivery {
        let g = n?["gitops"].map { g in
            Delivery.GitOps(
                repo: str(g, "repo"), branch: str(g, "branch"), path: str(g, "path"),
                autoSync: names(g, "autoSync"), selfHeal: bool(g, "selfHeal"), prune: bool(g, "prune"))
        }
        let r = n?["registry"].map { r in
            Delivery.Registry(
                host: str(r, "host"), tags: str(r, "tags"), pinDigests: bool(r, "pinDigests"), immutable: bool(r, "immutable"),
                scanOnPush: bool(r["scan"], "onPush"), blockSeverity: str(r["scan"], "blockSeverity"),
                keepLast: int(r["retention"], "keepLast") ?? 30,
                untaggedAfter: duration(r["retention"], "untaggedAfter") ?? SpecDuration(seconds: 7 * 86_400, text: "7d"),
                location: r.location)
        }
        return Delivery(gitops: g, helm: bool(n, "helm"), registry: r)
    }

    func security(_ n: SpecNode?, platform: String) -> Security {
        let teams = (n?["teams"]?.entries ?? []).map { t -> Team in
            let envs: [Located<String>]?
            if case .all = t.node["environments"]?.value ?? .all { envs = nil } else { envs = names(t.node, "environments") }
            return Team(
                name: t.key, role: str(t.node, "role"), environments: envs,
                group: t.node["group"]?.string ?? t.key, clusterAdmin: bool(t.node, "clusterAdmin"),
                location: t.keyLocation)
        }
        let tls = n?["tls"].map { t in
            Security.TLS(
                issuer: str(t, "issuer"), email: str(t, "email"), minVersion: str(t, "minVersion"),
                caSecret: str(t["ca"], "secret"),
                vault: t["vault"].map { v in
                    (address: str(v, "address"), path: v["path"]?.string ?? "pki/sign/\(platform)", role: str(v, "role"))
                })
        }
        let secrets = n?["secrets"].map { s in
            (
                store: str(s, "store"), rotateEvery: duration(s, "rotateEvery") ?? SpecDuration(seconds: 90 * 86_400, text: "90d"),
                address: s["address"]?.string
                    ?? (str(s, "store") == "azure-key-vault" ? "https://\(platform).vault.azure.net" : "https://vault.vault.svc:8200"),
                role: str(s, "role")
            )
        }
        return Security(
            teams: teams, podSecurity: str(n, "podSecurity"),
            networkPolicy: NetworkPolicyMode(rawValue: str(n, "networkPolicy")) ?? .defaultDeny,
            tls: tls, secrets: secrets,
            encryptionAtRest: str(n?["encryption"], "atRest"), encryptionInTransit: str(n?["encryption"], "inTransit"),
            auditLevel: str(n?["audit"], "level"),
            auditRetention: duration(n?["audit"], "retention") ?? SpecDuration(seconds: 365 * 86_400, text: "365d"),
            compliance: n?["compliance"]?.strings ?? [],
            backupRetention: duration(n, "backupRetention"))
    }
}
