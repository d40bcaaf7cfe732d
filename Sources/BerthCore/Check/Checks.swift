/// Checks across the whole platform: references between sections, capacity, production
/// rules and versions. Each rule is a pure function from the spec to findings.
public enum PlatformChecks {
    /// Every rule, in a stable order.
    public static func run(_ spec: Spec, plan given: Plan? = nil) -> [Diagnostic] {
        let plan = given ?? Plan(spec: spec)
        // The rules are independent pure functions: they run on all cores, and their findings
        // are joined in this stable order.
        let rules: [@Sendable () -> [Diagnostic]] = [
            { references(spec) },
            { names(spec) },
            { podsFitPools(spec, plan: plan) },
            { productionReplicas(spec) },
            { scheduled(spec) },
            { exposures(spec) },
            { versions(spec) },
            { tagStrategy(spec) },
            { productionTLS(spec) },
            { tlsIssuer(spec) },
            { talksToPorts(spec) },
            { routes(spec, plan: plan) },
            { sharedHosts(spec, plan: plan) },
            { dnsServer(spec, plan: plan) },
            { veleroBucket(spec) },
            { bounds(spec) },
            { data(spec, plan: plan) },
            { topology(spec, plan: plan) },
            { stagingParity(spec, plan: plan) },
            { plainSecrets(spec) },
            { addons(spec) },
            { monitoring(spec, plan: plan) },
            { ipamServer(spec) },
            { awsRegions(spec) },
            { infrastructure(spec, plan: plan) },
            { gcpLimits(spec, plan: plan) },
            { azure(spec) },
            { machineTypes(spec) },
        ]
        return parallelMap(0..<rules.count) { rules[$0]() }.flatMap { $0 }
    }

    // MARK: references

    /// Regions and zones named by clusters exist; every name that points elsewhere resolves.
    public static func references(_ spec: Spec) -> [Diagnostic] {
        clusterReferences(spec) + environmentReferences(spec) + serviceReferences(spec) + teamReferences(spec)
            + databaseReferences(spec) + gitopsReferences(spec) + staticReferences(spec) + firewallReferences(spec)
            + storageDefaults(spec)
    }

    /// `unknown <what> '<name>'<context>` with the closest known name, or the known names.
    private static func unknownReference(_ what: String, _ ref: Located<String>, _ known: [String], context: String = "") -> Diagnostic {
        var msg = "unknown \(what) '\(ref.value)'\(context)"
        if let hint = Suggest.closest(ref.value, among: known) {
            msg += "; did you mean '\(hint)'?"
        } else if known.isEmpty {
            msg += "; none is defined"
        } else {
            msg += "; known: " + known.sorted().joined(separator: ", ")
        }
        return .error(.unknownReference, msg, at: ref.location)
    }

    private static func clusterReferences(_ spec: Spec) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let regions = spec.provider.regions.map(\.name)
        for c in spec.clusters {
            guard let region = spec.provider.region(c.region.value) else {
                out.append(
                    unknownReference("region", c.region, regions, context: " in cluster '\(c.name)' (regions come from provider.regions)"))
                continue
            }
            if c.zonesExplicit {
                for z in c.zones where !region.zones.contains(z.value) {
                    out.append(unknownReference("zone", z, region.zones, context: " for region '\(region.name)'"))
                }
            }
            if c.zones.isEmpty {
                out.append(
                    .error(
                        .noZones, "cluster '\(c.name)' has no zones; list them under provider.regions.\(region.name).zones", at: c.location)
                )
            }
        }
        return out
    }

    private static func environmentReferences(_ spec: Spec) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let clusterNames = spec.clusters.map(\.name)
        let teamNames = spec.security.teams.map(\.name)
        for e in spec.environments {
            if e.clusters.isEmpty {
                out.append(
                    .error(.noClusters, "environment '\(e.name)' runs on no cluster; list at least one under clusters", at: e.location))
            }
            for c in e.clusters where spec.cluster(c.value) == nil {
                out.append(unknownReference("cluster", c, clusterNames, context: " in environment '\(e.name)'"))
            }
            for (team, _) in e.access where spec.security.team(team.value) == nil {
                out.append(
                    unknownReference("team", team, teamNames, context: " in environments.\(e.name).access (teams come from security.teams)")
                )
            }
        }
        return out
    }

    private static func serviceReferences(_ spec: Spec) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let envNames = spec.environments.map(\.name)
        let serviceNames = spec.services.map(\.name)
        let dbNames = spec.databases.map(\.name)
        let bucketNames = spec.buckets.map(\.name)
        let teamNames = spec.security.teams.map(\.name)
        let classNames = spec.storage.classes.map(\.name)
        for s in spec.services {
            for t in s.talksTo {
                if !spec.hasService(t.value) {
                    out.append(unknownReference("service", t, serviceNames, context: " in services.\(s.name).talksTo"))
                } else if t.value == s.name {
                    out.append(
                        .warning(
                            .selfReference, "service '\(s.name)' lists itself in talksTo; traffic inside a service needs no rule",
                            at: t.location))
                }
            }
            for u in s.uses {
                switch u.kind {
                case .database where spec.database(u.name) == nil:
                    out.append(unknownReference("database", Located(u.name, u.location), dbNames, context: " in services.\(s.name).uses"))
                case .bucket where spec.bucket(u.name) == nil:
                    out.append(unknownReference("bucket", Located(u.name, u.location), bucketNames, context: " in services.\(s.name).uses"))
                default: break
                }
            }
            for bad in s.badUses {
                out.append(
                    .error(
                        .invalidValue,
                        "'\(bad.value)' in services.\(s.name).uses must be database/<name> or bucket/<name>, optionally with :read",
                        at: bad.location))
            }
            for o in s.overrides where spec.environment(o.environment.value) == nil {
                out.append(unknownReference("environment", o.environment, envNames, context: " in services.\(s.name).overrides"))
            }
            out += nodePoolReferences(s, spec: spec)
            if !s.secrets.isEmpty, spec.security.secrets == nil {
                out.append(
                    .error(
                        .noSecretStore,
                        "service '\(s.name)' needs secrets but security.secrets.store is not set; name the external store the secrets come from",
                        at: s.location))
            }
            if !s.team.isEmpty, spec.security.team(s.team) == nil {
                out.append(unknownReference("team", Located(s.team, s.location), teamNames, context: " owning service '\(s.name)'"))
            }
            for v in s.volumes {
                if let c = v.storageClass, spec.storage.storageClass(c.value) == nil {
                    out.append(unknownReference("storage class", c, classNames, context: " in services.\(s.name).volumes.\(v.name)"))
                }
            }
        }
        return out
    }

    /// The service's node pool exists on every cluster it runs on.
    private static func nodePoolReferences(_ s: Service, spec: Spec) -> [Diagnostic] {
        guard let pool = s.nodePool else { return [] }
        var out: [Diagnostic] = []
        for env in spec.environments where s.runs(in: env.name) {
            for cref in env.clusters {
                guard let c = spec.cluster(cref.value), c.pool(pool.value) == nil else { continue }
                out.append(
                    unknownReference(
                        "node pool", pool, c.nodePools.map(\.name),
                        context: " for service '\(s.name)' on cluster '\(c.name)' (environment '\(env.name)')"))
            }
        }
        return out
    }

    private static func teamReferences(_ spec: Spec) -> [Diagnostic] {
        let envNames = spec.environments.map(\.name)
        var out: [Diagnostic] = []
        for t in spec.security.teams {
            for e in t.environments ?? [] where spec.environment(e.value) == nil {
                out.append(unknownReference("environment", e, envNames, context: " in security.teams.\(t.name).environments"))
            }
        }
        return out
    }

    private static func databaseReferences(_ spec: Spec) -> [Diagnostic] {
        let bucketNames = spec.buckets.map(\.name)
        let classNames = spec.storage.classes.map(\.name)
        var out: [Diagnostic] = []
        for d in spec.databases {
            if let c = d.storageClass, spec.storage.storageClass(c.value) == nil {
                out.append(unknownReference("storage class", c, classNames, context: " in databases.\(d.name).storage"))
            }
            if let b = d.backup, spec.bucket(b.bucket.value) == nil {
                out.append(unknownReference("bucket", b.bucket, bucketNames, context: " in databases.\(d.name).backup"))
            }
        }
        return out
    }

    private static func gitopsReferences(_ spec: Spec) -> [Diagnostic] {
        guard let g = spec.delivery.gitops else { return [] }
        let envNames = spec.environments.map(\.name)
        return g.autoSync.filter { spec.environment($0.value) == nil }.map {
            unknownReference("environment", $0, envNames, context: " in delivery.gitops.autoSync")
        }
    }

    private static func staticReferences(_ spec: Spec) -> [Diagnostic] {
        let clusterNames = spec.clusters.map(\.name)
        var out: [Diagnostic] = []
        for st in spec.network.statics {
            guard let c = spec.cluster(st.cluster.value) else {
                out.append(unknownReference("cluster", st.cluster, clusterNames, context: " in network.static '\(st.name)'"))
                continue
            }
            if let z = st.zone, !c.zones.contains(where: { $0.value == z.value }) {
                out.append(
                    unknownReference("zone", z, c.zones.map(\.value), context: " of cluster '\(c.name)' in network.static '\(st.name)'"))
            }
            let envsHere = spec.environments.filter { $0.clusters.contains { $0.value == c.name } }.map(\.name)
            if let e = st.environment {
                if !envsHere.contains(e.value) {
                    out.append(
                        unknownReference("environment", e, envsHere, context: " on cluster '\(c.name)' in network.static '\(st.name)'"))
                }
            } else if st.role == "ingress", envsHere.count > 1 {
                out.append(
                    .error(
                        .ambiguousStatic,
                        "static ingress address '\(st.name)' is on cluster '\(c.name)', which runs \(envsHere.count) environments (\(envsHere.joined(separator: ", "))); name one with environment:",
                        at: st.location))
            }
        }
        return out
    }

    private static func firewallReferences(_ spec: Spec) -> [Diagnostic] {
        let clusterNames = spec.clusters.map(\.name)
        var out: [Diagnostic] = []
        for f in spec.network.firewall {
            let targets =
                ["bastion", "nodes", "ingress"] + clusterNames + spec.services.filter { $0.exposure != nil }.map { "service/\($0.name)" }
            if !targets.contains(f.to.value) {
                out.append(unknownReference("firewall target", f.to, targets, context: " in network.firewall '\(f.name)'"))
            }
        }
        return out
    }

    private static func storageDefaults(_ spec: Spec) -> [Diagnostic] {
        let defaults = spec.storage.classes.filter(\.isDefault)
        guard defaults.count > 1 else { return [] }
        return [
            .error(
                .storageDefault, "more than one storage class is marked default: " + defaults.map(\.name).joined(separator: ", "),
                at: defaults[1].location)
        ]
    }

    /// Names that become object names must fit Kubernetes' limits once combined.
    public static func names(_ spec: Spec) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for e in spec.environments {
            let ns = Plan.namespace(spec: spec, environment: e.name)
            if ns.count > 63 {
                out.append(
                    .error(
                        .nameTooLong,
                        "namespace '\(ns)' (platform-environment) is longer than 63 characters; shorten the platform or environment name",
                        at: e.location))
            }
        }
        for s in spec.services {
            for secret in s.secrets where "\(s.name)-\(secret)".count > 63 {
                out.append(.error(.nameTooLong, "secret object '\(s.name)-\(secret)' is longer than 63 characters", at: s.location))
            }
            if s.name.count > 47 {
                out.append(
                    .error(
                        .nameTooLong,
                        "service name '\(s.name)' is longer than 47 characters; derived names (e.g. '<name>-allow-egress') must stay within 63",
                        at: s.location))
            }
        }
        for c in spec.clusters {
            for p in c.nodePools {
                if let limit = nodePoolNameLimit(p.name, spec.provider.name) {
                    out.append(.error(.providerNameLimit, "node pool '\(p.name)' of cluster '\(c.name)': \(limit)", at: p.location))
                }
            }
        }
        return out
    }

    /// What is wrong with `name` as a node pool name on `provider` (nil: nothing): EKS node
    /// groups, GKE node pools and AKS agent pools each have their own limits.
    static func nodePoolNameLimit(_ name: String, _ provider: Provider.Name) -> String? {
        let bytes = Array(name.utf8)
        func lowerOrDigit(_ b: UInt8) -> Bool { (0x61...0x7a).contains(b) || (0x30...0x39).contains(b) }
        func letter(_ b: UInt8?) -> Bool { b.map { (0x61...0x7a).contains($0) } ?? false }
        switch provider {
        case .azure:
            guard bytes.count <= 12, letter(bytes.first), bytes.allSatisfy(lowerOrDigit) else {
                return "AKS agent pool names are 1-12 lower-case letters and digits, starting with a letter"
            }
        case .gcp:
            guard bytes.count <= 40, letter(bytes.first), bytes.last != UInt8(ascii: "-"),
                bytes.allSatisfy({ lowerOrDigit($0) || $0 == UInt8(ascii: "-") })
            else {
                return "GKE node pool names are 1-40 lower-case letters, digits and '-', starting with a letter and not ending with '-'"
            }
        case .aws:
            let allowed = bytes.allSatisfy {
                lowerOrDigit($0) || (0x41...0x5a).contains($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_")
            }
            guard bytes.count <= 63, allowed, let first = bytes.first, first != UInt8(ascii: "-"), first != UInt8(ascii: "_") else {
                return "EKS node group names are 1-63 letters, digits, '-' and '_', starting with a letter or digit"
            }
        case .onprem:
            break
        }
        return nil
    }

    // MARK: capacity

    /// A pod's requests must fit one node of its pool (after system reservations).
    public static func podsFitPools(_ spec: Spec, plan: Plan? = nil) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var seen: Set<String> = []
        for t in (plan ?? Plan(spec: spec)).targets {
            for p in t.placements {
                guard let pool = p.pool else { continue }
                let key = "\(p.service.name)/\(t.environment.name)/\(t.cluster.name)"
                guard seen.insert(key).inserted else { continue }
                let cpu = p.resources.cpu.milli
                let mem = p.resources.memory.units
                var problems: [String] = []
                if cpu > pool.allocatableCPUMilli {
                    problems.append(
                        "CPU request \(p.resources.cpu) exceeds the \(Quantity.cpuText(milli: pool.allocatableCPUMilli)) allocatable on one \(pool.machine) node (\(pool.cpu) cores)"
                    )
                }
                if mem > pool.allocatableMemoryBytes {
                    problems.append(
                        "memory request \(p.resources.memory) exceeds the \(Quantity.bytesText(pool.allocatableMemoryBytes)) allocatable on one \(pool.machine) node (\(pool.memory))"
                    )
                }
                if !problems.isEmpty {
                    out.append(
                        .error(
                            .podTooLarge,
                            "service '\(p.service.name)' in environment '\(t.environment.name)' does not fit node pool '\(pool.name)' of cluster '\(t.cluster.name)': "
                                + problems.joined(separator: "; "), at: p.service.location))
                }
            }
        }
        return out
    }

    /// Production runs at least two replicas, ideally one per zone.
    public static func productionReplicas(_ spec: Spec) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for env in spec.environments where env.tier == .production {
            // Replica rules are for services that run continuously, not scheduled runs.
            for s in spec.services where s.runs(in: env.name) && !s.isScheduled {
                let r = s.override(for: env.name)?.replicas ?? s.replicas
                let loc =
                    s.override(for: env.name)?.replicas != nil
                    ? (s.override(for: env.name)?.environment.location ?? s.replicasLocation) : s.replicasLocation
                let waiver = s.replicasWaiver(in: env.name)
                if r.min == 1, let w = waiver {
                    out.append(
                        Diagnostic(
                            .note, .productionReplicasWaiver,
                            "service '\(s.name)' runs 1 replica minimum in production environment '\(env.name)' under a waiver (replicas.waiver): \(w.value)",
                            at: w.location))
                    continue
                }
                if r.min < 2 {
                    let fix =
                        r.min == 1
                        ? "production needs replicas.min of 2 or more, or replicas.waiver with the reason one is enough"
                        : "production needs replicas.min of 2 or more (a replicas.waiver allows 1, never 0)"
                    out.append(
                        .error(
                            .productionReplicas,
                            "service '\(s.name)' runs \(r.min) replica\(r.min == 1 ? "" : "s") minimum in production environment '\(env.name)'; \(fix)",
                            at: loc))
                    continue
                }
                if let w = waiver {
                    out.append(
                        .warning(
                            .unusedWaiver,
                            "service '\(s.name)' has a replicas.waiver but runs \(r.min) replicas minimum in production environment '\(env.name)'; remove the waiver",
                            at: w.location))
                }
                let zones =
                    env.clusters.filter { c in s.pinned.map { $0.cluster == c.value } ?? true }
                    .compactMap { spec.cluster($0.value)?.zones.count }.max() ?? 0
                if r.min < zones {
                    out.append(
                        .warning(
                            .zoneSpread,
                            "service '\(s.name)' runs \(r.min) replicas minimum in '\(env.name)' but its clusters span \(zones) zones; one zone will have no replica",
                            at: loc))
                }
            }
        }
        return out
    }

    /// A scheduled service (a CronJob) takes no calls: it has no port, route or volumes,
    /// and no service lists it in talksTo.
    public static func scheduled(_ spec: Spec) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for s in spec.services where s.isScheduled {
            let what = "service '\(s.name)' runs on a schedule (a CronJob) and takes no calls"
            if let loc = s.portLocation {
                out.append(.error(.scheduledCallable, "\(what), so it cannot have a port; remove port or schedule", at: loc))
            }
            if let r = s.publicRoute {
                out.append(
                    .error(.scheduledCallable, "\(what), so it cannot have a public route; remove public or schedule", at: r.location))
            }
            for o in s.overrides {
                if let r = o.publicRoute {
                    out.append(
                        .error(
                            .scheduledCallable,
                            "\(what), so it cannot have a public route in environment '\(o.environment.value)'; remove public or schedule",
                            at: r.location))
                }
            }
            if let loc = s.volumesLocation, !s.volumes.isEmpty {
                out.append(
                    .error(
                        .scheduledVolumes,
                        "service '\(s.name)' runs on a schedule (a CronJob) and cannot have volumes (they make a StatefulSet); keep its data in a database or bucket, or remove schedule",
                        at: loc))
            }
        }
        return out + callsToScheduled(spec)
    }

    /// No service lists a scheduled service in `talksTo`: a CronJob takes no calls.
    static func callsToScheduled(_ spec: Spec) -> [Diagnostic] {
        spec.services.flatMap { s in
            s.talksTo.compactMap { t -> Diagnostic? in
                guard let callee = spec.service(t.value), callee.isScheduled else { return nil }
                return .error(
                    .scheduledCallable,
                    "service '\(s.name)' lists '\(callee.name)' in talksTo, but '\(callee.name)' runs on a schedule (a CronJob) and takes no calls; remove it from talksTo",
                    at: t.location)
            }
        }
    }

    /// `expose` needs a port, and no mesh (whose proxies would refuse the partners' plain
    /// connections); UDP cannot be public through the gateway; a firewall rule that targets a
    /// service admits what the service's load balancer and NetworkPolicy admit.
    public static func exposures(_ spec: Spec) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for s in spec.services {
            if s.proto == "udp", let r = s.publicRoute {
                out.append(
                    .error(
                        .udpPublic,
                        "service '\(s.name)' uses protocol udp, which the gateway cannot route; reach partners through expose instead of public",
                        at: r.location))
            }
            guard let x = s.exposure else { continue }
            if s.port == nil, !s.isScheduled {
                out.append(.error(.noPort, "service '\(s.name)' has expose but no port to expose; give it a port", at: x.location))
            }
            if spec.network.mesh != .none {
                out.append(
                    .error(
                        .exposeMesh,
                        "service '\(s.name)' has expose, which berth does not render with network.mesh \(spec.network.mesh.rawValue) (the mesh would refuse the partners' plain connections); remove expose or the mesh",
                        at: x.location))
            }
        }
        for f in spec.network.firewall where f.to.value.hasPrefix("service/") {
            guard let s = spec.service(String(f.to.value.dropFirst(8))), let x = s.exposure, let port = s.port else { continue }
            let proto = s.proto == "udp" ? "udp" : "tcp"
            if f.ports != [port] || f.proto != proto {
                out.append(
                    .error(
                        .firewallService,
                        "network.firewall '\(f.name)' opens \(f.ports.map(String.init).joined(separator: ", "))/\(f.proto) to service '\(s.name)', which serves \(port)/\(proto); set ports: [\(port)] and protocol: \(proto)",
                        at: f.to.location))
            }
            if !x.from.contains(where: { $0.value == f.from.value }) {
                out.append(
                    .error(
                        .firewallService,
                        "network.firewall '\(f.name)' admits \(f.from.value) to service '\(s.name)', but services.\(s.name).expose.from does not list it, so the load balancer and NetworkPolicy would drop that traffic; add it to expose.from",
                        at: f.from.location))
            }
        }
        return out
    }

    // MARK: versions

    /// Every service has a version in every environment, and none is `latest` or another moving tag.
    public static func versions(_ spec: Spec) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for s in spec.services {
            guard let ref = ImageRef.parse(s.image.value) else {
                out.append(
                    .error(
                        .invalidImage,
                        "service '\(s.name)' has an invalid image reference '\(s.image.value)'; expected registry/repository[:tag][@sha256:digest] in lower case",
                        at: s.image.location))
                continue
            }
            if let tag = ref.tag, ImageRef.mutableTags.contains(tag.lowercased()) {
                out.append(
                    .error(
                        .mutableTag, "service '\(s.name)' uses the moving tag '\(tag)'; pin a version (e.g. 1.4.2) or a digest",
                        at: s.image.location))
            }
            if let reg = spec.delivery.registry, ref.host != reg.host {
                out.append(
                    .error(
                        .foreignRegistry, "service '\(s.name)' pulls from '\(ref.host)', but delivery.registry.host is '\(reg.host)'",
                        at: s.image.location))
            }
            for env in spec.environments where s.runs(in: env.name) {
                let (image, loc) = Plan.resolvedImage(s, env: env.name, spec: spec)
                guard let image, let r = ImageRef.parse(image) else {
                    if spec.versions[env.name]?[s.name] != nil {
                        out.append(
                            .error(
                                .invalidVersion,
                                "version '\(spec.versions[env.name]?[s.name]?.value ?? "")' of service '\(s.name)' in environment '\(env.name)' is neither a tag nor a sha256 digest",
                                at: loc))
                    } else {
                        out.append(
                            .error(
                                .missingVersion,
                                "service '\(s.name)' has no version for environment '\(env.name)'; add a tag to its image or set \(env.name).\(s.name) in the versions file",
                                at: s.image.location))
                    }
                    continue
                }
                if spec.versions[env.name]?[s.name] != nil, let tag = r.tag, ImageRef.mutableTags.contains(tag.lowercased()) {
                    out.append(
                        .error(
                            .mutableTag,
                            "service '\(s.name)' uses the moving tag '\(tag)' in environment '\(env.name)'; pin a version or a digest",
                            at: loc))
                }
                if env.tier == .production, spec.delivery.registry?.pinDigests == true, r.digest == nil {
                    out.append(
                        .error(
                            .digestRequired,
                            "service '\(s.name)' has no digest in production environment '\(env.name)', and delivery.registry.pinDigests is true",
                            at: loc))
                }
            }
        }
        for (env, services) in spec.versions.sorted(by: { $0.key < $1.key }) {
            let first = services.values.map(\.location).min { ($0.line, $0.column) < ($1.line, $1.column) }
            if spec.environment(env) == nil, let loc = first {
                out.append(
                    .error(
                        .unknownReference, "versions file names unknown environment '\(env)'",
                        at: SourceLocation(file: loc.file, line: max(1, loc.line - 1), column: 1)))
            }
            for (svc, v) in services.sorted(by: { $0.key < $1.key }) where spec.service(svc) == nil {
                out.append(
                    .error(.unknownReference, "versions file names unknown service '\(svc)' in environment '\(env)'", at: v.location))
            }
        }
        return out
    }

    // MARK: exposure

    /// Every public route in production serves TLS.
    public static func productionTLS(_ spec: Spec) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for env in spec.environments where env.tier == .production {
            // A scheduled service's route is refused by `scheduled`, with the reason.
            for s in spec.services where s.runs(in: env.name) && !s.isScheduled {
                guard let r = s.override(for: env.name)?.publicRoute ?? s.publicRoute else { continue }
                if !r.tls {
                    out.append(
                        .error(
                            .productionTls,
                            "public route of service '\(s.name)' has tls: false in production environment '\(env.name)'; production routes must serve HTTPS",
                            at: r.location))
                } else if spec.security.tls == nil {
                    out.append(
                        .error(
                            .productionTls,
                            "service '\(s.name)' is public in production environment '\(env.name)' but security.tls is not set, so no certificate can be issued; add security.tls with an issuer and email",
                            at: r.location))
                }
            }
        }
        return out
    }

    /// `security.tls`: what each issuer needs, and no field of one issuer with another: an
    /// ACME issuer has an account e-mail; `ca` names its CA Secret (`tls.ca.secret`), which
    /// berth fills from the secret store, so the store is set; `vault` names its server
    /// (`tls.vault.address`), over https since cert-manager sends a ServiceAccount token to it.
    public static func tlsIssuer(_ spec: Spec) -> [Diagnostic] {
        guard let tls = spec.security.tls, let node = spec.root["security"]?["tls"] else { return [] }
        var out: [Diagnostic] = []
        let issuerAt = node["issuer"]?.location ?? node.location
        func keyAt(_ key: String) -> SourceLocation { node.entries.first { $0.key == key }?.keyLocation ?? node.location }
        if tls.isACME, tls.email.isEmpty {
            out.append(
                .error(
                    .tlsIssuer,
                    "security.tls.issuer \(tls.issuer) is an ACME server, which needs an account e-mail; set security.tls.email",
                    at: issuerAt))
        }
        for field in ["ca", "vault"] where node[field] != nil && tls.issuer != field {
            out.append(
                .error(
                    .tlsIssuer,
                    "security.tls.\(field) is read only with issuer \(field), but security.tls.issuer is \(tls.issuer); remove security.tls.\(field) or set issuer: \(field)",
                    at: keyAt(field)))
        }
        switch tls.issuer {
        case "ca":
            if node["ca"] == nil {
                out.append(
                    .error(
                        .tlsIssuer,
                        "issuer ca needs the Secret holding the CA's certificate and key; set security.tls.ca.secret (an ExternalSecret fills it from the secret store)",
                        at: issuerAt))
            } else if spec.security.secrets == nil {
                out.append(
                    .error(
                        .tlsIssuer,
                        "issuer ca reads the CA from Secret '\(tls.caSecret)', which berth fills from the secret store (it never writes key material), but security.secrets is not set; set security.secrets.store",
                        at: keyAt("ca")))
            }
        case "vault":
            if let vault = tls.vault {
                if !vault.address.hasPrefix("https://") {
                    out.append(
                        .error(
                            .tlsIssuer,
                            "security.tls.vault.address must be an https:// URL (cert-manager sends a ServiceAccount token to Vault), found '\(vault.address)'",
                            at: node["vault"]?["address"]?.location ?? keyAt("vault")))
                }
            } else {
                out.append(
                    .error(.tlsIssuer, "issuer vault needs the Vault server; set security.tls.vault.address (https://)", at: issuerAt))
            }
        default:
            break
        }
        return out
    }

    /// A `talksTo` edge must end at a service with a port.
    public static func talksToPorts(_ spec: Spec) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for s in spec.services {
            for t in s.talksTo {
                // A scheduled target is refused by `scheduled`, with the reason.
                guard let target = spec.service(t.value), target.port == nil, !target.isScheduled else { continue }
                out.append(
                    .error(
                        .noPort,
                        "service '\(s.name)' talks to '\(target.name)', which has no port; give '\(target.name)' a port or remove the edge",
                        at: t.location))
            }
            if s.publicRoute != nil, s.port == nil, !s.isScheduled {
                out.append(
                    .error(.noPort, "service '\(s.name)' is public but has no port to route to", at: s.publicRoute?.location ?? s.location))
            }
        }
        return out
    }

    /// Two services must not claim the same host and path in one environment.
    public static func routes(_ spec: Spec, plan: Plan? = nil) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let plan = plan ?? Plan(spec: spec)
        var seenEnv: Set<String> = []
        for t in plan.targets where seenEnv.insert(t.environment.name).inserted {
            var claimed: [String: String] = [:]
            for p in t.placements {
                guard let host = p.hostname, let r = p.publicRoute else { continue }
                for path in r.paths {
                    let key = host + path
                    if let other = claimed[key], other != p.service.name {
                        out.append(
                            .error(
                                .routeConflict,
                                "services '\(other)' and '\(p.service.name)' both route \(host)\(path) in environment '\(t.environment.name)'",
                                at: r.location))
                    }
                    claimed[key] = p.service.name
                }
                if !spec.network.dns.zones.isEmpty,
                    !spec.network.dns.zones.contains(where: { host == $0.value || host.hasSuffix("." + $0.value) })
                {
                    out.append(
                        .warning(
                            .dnsZone,
                            "host \(host) of service '\(p.service.name)' is outside network.dns.zones, so external-dns will not publish it",
                            at: r.location))
                }
            }
        }
        return out
    }

    /// Hosts served by more than one cluster: external-dns can split them between the
    /// clusters only on route53 (latency records); elsewhere the clusters' records conflict.
    /// Their certificates need DNS-01, so the DNS provider's solver must have what it needs.
    public static func sharedHosts(_ spec: Spec, plan: Plan? = nil) -> [Diagnostic] {
        let plan = plan ?? Plan(spec: spec)
        let shared = Renderer.sharedHosts(plan)
        guard !shared.isEmpty else { return [] }
        var out: [Diagnostic] = []
        let dns = spec.network.dns
        var routeOf: [String: SourceLocation] = [:]
        for t in plan.targets {
            for p in t.placements {
                if let h = p.hostname, routeOf[h] == nil { routeOf[h] = p.publicRoute?.location }
            }
        }
        let hosts = shared.keys.sorted()
        if dns.provider != "route53" {
            for h in hosts {
                out.append(
                    .warning(
                        .dnsMultiCluster,
                        "host \(h) is served by clusters \(shared[h, default: []].joined(separator: ", ")), but external-dns has no per-cluster routing for the \(dns.provider) DNS provider, so the clusters' records would conflict; use route53 (latency-based records) or serve the host from one cluster",
                        at: routeOf[h]))
            }
        }
        // Only an ACME issuer challenges hosts; the others sign whatever cert-manager asks.
        guard let tls = spec.security.tls, tls.isACME else { return out }
        let dnsLocation = spec.root["network"]?["dns"]?.location ?? routeOf[hosts[0]]
        let what =
            "host\(hosts.count == 1 ? "" : "s") \(hosts.joined(separator: ", ")) \(hosts.count == 1 ? "is" : "are") served by more than one cluster and need\(hosts.count == 1 ? "s" : "") DNS-01 certificate challenges"
        switch dns.provider {
        case "pdns":
            out.append(
                .error(
                    .dns01,
                    "\(what), but cert-manager has no built-in DNS-01 solver for pdns; use another DNS provider or serve each host from one cluster",
                    at: dnsLocation))
        case "google" where dns.project.isEmpty:
            out.append(
                .error(
                    .dns01, "\(what); set network.dns.project (or provider.account) to the GCP project of the Cloud DNS zones",
                    at: dnsLocation))
        case "azure" where dns.subscription.isEmpty:
            out.append(
                .error(.dns01, "\(what); set network.dns.subscription to the Azure subscription id of the DNS zones", at: dnsLocation))
        case "rfc2136" where dns.server.isEmpty:
            out.append(
                .error(
                    .dns01, "\(what); set network.dns.server to the name server (host:port) that accepts TSIG-signed updates",
                    at: dnsLocation))
        default:
            break
        }
        return out
    }

    /// external-dns writes the public routes' records into `network.dns.zones`; the rfc2136
    /// and pdns providers have no endpoint of their own, so `network.dns.server` must name it:
    /// the name server taking TSIG-signed updates (rfc2136, `host:port`) or the PowerDNS API
    /// (pdns, `http://host:port`). Reported at `network.dns.provider` (or `network.dns`).
    public static func dnsServer(_ spec: Spec, plan: Plan? = nil) -> [Diagnostic] {
        let dns = spec.network.dns
        guard ["rfc2136", "pdns"].contains(dns.provider), dns.server.isEmpty, !dns.zones.isEmpty else { return [] }
        let plan = plan ?? Plan(spec: spec)
        guard plan.targets.contains(where: { $0.placements.contains { $0.publicRoute != nil && $0.hostname != nil } }) else { return [] }
        let node = spec.root["network"]?["dns"]
        let at = node?["provider"]?.location ?? node?.location
        let what =
            dns.provider == "rfc2136"
            ? "the name server (host:port) that accepts TSIG-signed updates for \(dns.zones.map(\.value).joined(separator: ", "))"
            : "the PowerDNS API (http://host:port) serving \(dns.zones.map(\.value).joined(separator: ", "))"
        return [
            .error(
                .dnsServer,
                "external-dns writes the public routes' records through the \(dns.provider) DNS provider, which needs network.dns.server: set it to \(what)",
                at: at)
        ]
    }

    /// Velero Schedules need a BackupStorageLocation, which needs a bucket.
    public static func veleroBucket(_ spec: Spec) -> [Diagnostic] {
        guard spec.storage.snapshots != nil, !spec.storage.classes.isEmpty, Renderer.veleroBucket(spec) == nil else { return [] }
        return [
            .error(
                .veleroBucket,
                "storage.snapshots schedules Velero backups, but no bucket can hold them; set databases.<name>.backup.bucket or add a bucket with versioning: true",
                at: spec.root["storage"]?["snapshots"]?.location)
        ]
    }

    /// min never exceeds max, for replicas and node pools; limits are not below requests.
    public static func bounds(_ spec: Spec) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for c in spec.clusters {
            for p in c.nodePools where p.min > p.max {
                out.append(
                    .error(.bounds, "node pool '\(p.name)' of cluster '\(c.name)' has min \(p.min) above max \(p.max)", at: p.location))
            }
        }
        for s in spec.services {
            var all: [(String, Replicas, Resources, SourceLocation)] = [("", s.replicas, s.resources, s.replicasLocation)]
            for o in s.overrides {
                all.append(
                    (
                        " in environment '\(o.environment.value)'", o.replicas ?? s.replicas, o.resources ?? s.resources,
                        o.environment.location
                    ))
            }
            for (ctx, r, res, loc) in all {
                if r.min > r.max {
                    out.append(.error(.bounds, "service '\(s.name)' has replicas.min \(r.min) above replicas.max \(r.max)\(ctx)", at: loc))
                }
                if res.cpuLimit < res.cpu {
                    out.append(
                        .error(.bounds, "service '\(s.name)' has a CPU limit \(res.cpuLimit) below its request \(res.cpu)\(ctx)", at: loc))
                }
                if res.memoryLimit < res.memory {
                    out.append(
                        .error(
                            .bounds, "service '\(s.name)' has a memory limit \(res.memoryLimit) below its request \(res.memory)\(ctx)",
                            at: loc))
                }
            }
            // A scheduled run is not served and gets no probes.
            if s.port == nil, s.health.command.isEmpty, !s.isScheduled {
                out.append(
                    .warning(
                        .noProbe, "service '\(s.name)' has no port and no health.command, so it gets no liveness or readiness probe",
                        at: s.location))
            }
        }
        return out
    }

    // MARK: registry tag strategy

    /// True when `tag` follows the strategy: `semver` X.Y.Z with an optional pre-release,
    /// `git-sha` 7 to 40 hex digits, `semver+sha` X.Y.Z-<sha> or X.Y.Z+<sha>.
    public static func tagFollows(_ tag: String, strategy: String) -> Bool {
        func isHex(_ s: Substring) -> Bool {
            (7...40).contains(s.count) && s.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
        }
        /// X.Y.Z (no leading zeros) and what follows it.
        func core(_ s: Substring) -> (ok: Bool, rest: Substring) {
            var rest = s
            for i in 0..<3 {
                let digits = rest.prefix { $0.isASCII && $0.isNumber }
                guard !digits.isEmpty, digits.count == 1 || digits.first != "0" else { return (false, rest) }
                rest = rest.dropFirst(digits.count)
                if i < 2 {
                    guard rest.first == "." else { return (false, rest) }
                    rest = rest.dropFirst()
                }
            }
            return (true, rest)
        }
        let t = Substring(tag)
        switch strategy {
        case "git-sha":
            return isHex(t)
        case "semver+sha":
            let (ok, rest) = core(t)
            guard ok, let sep = rest.first, sep == "-" || sep == "+" else { return false }
            return isHex(rest.dropFirst())
        default:
            let (ok, rest) = core(t)
            guard ok else { return false }
            if rest.isEmpty { return true }
            guard rest.first == "-" else { return false }
            let ids = rest.dropFirst().split(separator: ".", omittingEmptySubsequences: false)
            return !ids.isEmpty
                && ids.allSatisfy { id in
                    !id.isEmpty && id.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" }
                }
        }
    }

    static func expectedForm(_ strategy: String) -> String {
        switch strategy {
        case "git-sha": "a git commit hash of 7 to 40 lower-case hex digits (e.g. 3f9c2ab)"
        case "semver+sha": "X.Y.Z-<sha> or X.Y.Z+<sha> with a 7 to 40 hex digit commit hash (e.g. 1.4.2-3f9c2ab)"
        default: "X.Y.Z with an optional pre-release (e.g. 1.4.2 or 1.5.0-rc.1)"
        }
    }

    /// Image tags follow `delivery.registry.tags` in every environment; digests are always allowed.
    public static func tagStrategy(_ spec: Spec) -> [Diagnostic] {
        guard let reg = spec.delivery.registry else { return [] }
        var out: [Diagnostic] = []
        for s in spec.services {
            for env in spec.environments where s.runs(in: env.name) {
                let (image, loc) = Plan.resolvedImage(s, env: env.name, spec: spec)
                guard let image, let r = ImageRef.parse(image), r.digest == nil, let tag = r.tag,
                    !ImageRef.mutableTags.contains(tag.lowercased()),
                    !tagFollows(tag, strategy: reg.tags)
                else { continue }
                out.append(
                    .error(
                        .tagStrategy,
                        "service '\(s.name)' uses tag '\(tag)' in environment '\(env.name)', which does not follow delivery.registry.tags '\(reg.tags)'; expected \(expectedForm(reg.tags)), or a digest",
                        at: loc))
            }
        }
        return out
    }
}
