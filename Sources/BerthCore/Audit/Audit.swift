/// One audit finding: a rule, where in the spec it comes from, what is wrong and how to fix it.
public struct Finding: Sendable, Hashable {
    /// The rule's stable ID, e.g. `BERTH-NET-001`.
    public var rule: String
    /// How serious the finding is (raised to at least `high` when an enabled compliance regime includes the rule).
    public var severity: AuditSeverity
    /// Where in the spec the finding comes from, when it has a place.
    public var location: SourceLocation?
    /// What is wrong, in one line.
    public var message: String
    /// How to fix it.
    public var fix: String
    /// Rendered files (relative to the output folder) the finding was read from, if any.
    public var objects: [String]
    /// Enabled compliance regimes whose rule set includes the rule.
    public var compliance: [String]

    /// A finding of `rule` with its severity, place, message and fix, read from `objects`.
    public init(
        rule: String, severity: AuditSeverity, location: SourceLocation?, message: String, fix: String,
        objects: [String] = [], compliance: [String] = []
    ) {
        self.rule = rule
        self.severity = severity
        self.location = location
        self.message = message
        self.fix = fix
        self.objects = objects
        self.compliance = compliance
    }
}

/// `berth audit`: security and compliance rules over the spec and the objects berth renders
/// from it. Spec rules read the typed model; workload, RBAC and NetworkPolicy rules read the
/// rendered objects, so they check what would actually be applied.
public enum Audit {
    /// Every finding, merged (one finding per rule, place and message, listing the rendered
    /// files it was seen in) and sorted by place, then rule.
    public static func run(_ spec: Spec) -> [Finding] {
        run(Pipeline.Checked(plan: Plan(spec: spec)))
    }

    /// The audit of a checked spec: its rendered objects are the ones `berth render` writes
    /// (the same plan, with the address plan).
    public static func run(_ checked: Pipeline.Checked) -> [Finding] {
        let files = Renderer(plan: checked.plan, ipPlan: checked.ipPlan).renderedFiles()
        return run(checked.spec, plan: checked.plan, files: files)
    }

    /// The audit of `spec`, its plan and the rendered objects in `files`: every rule's findings, in a stable order.
    public static func run(_ spec: Spec, plan: Plan, files: [RenderedFile]) -> [Finding] {
        var raw: [Finding] = []
        let ctx = AuditContext(spec: spec)
        raw += ctx.network(plan: plan)
        raw += ctx.openAdminPorts()
        raw += ctx.secrets()
        raw += ctx.encryption()
        raw += ctx.buckets()
        raw += ctx.backup()
        raw += ctx.dataLocation(plan: plan)
        raw += ctx.auditLogging()
        raw += ctx.blastRadius(plan: plan)
        raw += ctx.access()
        raw += ctx.observability(plan: plan)
        for f in files {
            for o in f.objects { raw += ctx.object(o, file: f) }
        }
        return finish(raw, compliance: spec.security.compliance)
    }

    /// Merges duplicates, applies compliance escalation and sorts.
    static func finish(_ raw: [Finding], compliance: [String]) -> [Finding] {
        var order: [String] = []
        var merged: [String: Finding] = [:]
        for f in raw {
            let key = "\(f.rule)\u{0}\(f.location?.description ?? "")\u{0}\(f.message)"
            if var m = merged[key] {
                m.objects += f.objects
                merged[key] = m
            } else {
                order.append(key)
                merged[key] = f
            }
        }
        var out: [Finding] = []
        for key in order {
            guard var f = merged[key] else { continue }
            f.objects = Array(Set(f.objects)).sorted()
            f.compliance = AuditRules.regimes(of: f.rule, enabled: compliance)
            if !f.compliance.isEmpty, f.severity < .high { f.severity = .high }
            out.append(f)
        }
        return out.sorted { a, b in
            if let order = SourceLocation.precedes(a.location, b.location) { return order }
            if a.rule != b.rule { return a.rule < b.rule }
            return a.message < b.message
        }
    }

    /// Env var names that look like credentials (the shared predicate, `SecretValues.looksSecret`).
    public static func looksSecret(_ name: String) -> Bool { SecretValues.looksSecret(name) }

    /// A value that names where a secret is rather than being one (`SecretValues.isReference`).
    static func isReference(_ v: String) -> Bool { SecretValues.isReference(v) }
}

/// The spec and lookups shared by the rules.
struct AuditContext {
    let spec: Spec

    func finding(_ id: String, _ loc: SourceLocation?, _ message: String, fix: String, objects: [String] = []) -> Finding {
        Finding(rule: id, severity: AuditRules.rule(id).severity, location: loc, message: message, fix: fix, objects: objects)
    }

    /// The location of a key path in the spec; for a key left at its default, the closest
    /// enclosing key that is written.
    func loc(_ path: String...) -> SourceLocation? { loc(path) }

    func loc(_ path: [String]) -> SourceLocation? {
        var node = spec.root
        var best = node.location
        for k in path {
            guard case .map(let entries) = node.value, let e = entries.first(where: { $0.key == k }) else { break }
            node = e.node
            if e.node.explicit { best = e.node.location } else { break }
        }
        return best
    }

    var productionEnvs: [Environment] { spec.environments.filter { $0.tier == .production } }

    // MARK: network

    func network(plan: Plan) -> [Finding] {
        var out: [Finding] = []
        var seen: Set<String> = []
        for t in plan.targets {
            for p in t.placements {
                guard let r = p.publicRoute, let host = p.hostname else { continue }
                guard !r.tls || spec.security.tls == nil else { continue }
                guard seen.insert("\(p.service.name)/\(t.environment.name)").inserted else { continue }
                let why = r.tls ? "security.tls is not set, so no certificate is issued" : "tls: false"
                out.append(
                    finding(
                        "BERTH-NET-001", r.location,
                        "service '\(p.service.name)' is public at http://\(host) without TLS in environment '\(t.environment.name)' (\(why))",
                        fix: r.tls
                            ? "add security.tls with an issuer and an e-mail address"
                            : "remove tls: false from the public route (and set security.tls)"))
            }
        }
        let hasPublic = plan.targets.contains { $0.placements.contains { $0.publicRoute != nil } }
        if spec.security.networkPolicy == .none {
            out.append(
                finding(
                    "BERTH-NET-004", loc("security", "networkPolicy"),
                    "security.networkPolicy is none: no NetworkPolicy isolates any pod",
                    fix: "set security.networkPolicy: default-deny; berth derives the allowed edges from talksTo, uses and public"))
            if hasPublic {
                for d in spec.databases {
                    out.append(
                        finding(
                            "BERTH-NET-005", d.location,
                            "database '\(d.name)' is reachable from the gateway namespace '\(spec.network.ingress.namespace)': no NetworkPolicy restricts who connects to port 5432",
                            fix: "set security.networkPolicy: default-deny so only services that list database/\(d.name) in uses reach it"))
                }
            }
        }
        if hasPublic, spec.network.ingress.rateLimit == nil {
            out.append(
                finding(
                    "BERTH-NET-006", loc("network", "ingress"),
                    "public routes have no per-client rate limit (network.ingress.rateLimit is not set)",
                    fix: "add network.ingress.rateLimit: { rps: 50 } (burst and connection limits follow)"))
        }
        return out
    }

    /// Firewall rules that open an administrative port to the whole internet (BERTH-NET-007).
    func openAdminPorts() -> [Finding] {
        let adminPorts: [Int: String] = [
            22: "SSH", 3389: "RDP", 6443: "the Kubernetes API", 5432: "PostgreSQL", 2379: "etcd", 10250: "the kubelet",
        ]
        return spec.network.firewall.enumerated().flatMap { i, f -> [Finding] in
            guard f.from.value == "0.0.0.0/0" || f.from.value == "::/0" else { return [] }
            return f.ports.sorted().compactMap { port in
                guard let what = adminPorts[port] else { return nil }
                return finding(
                    "BERTH-NET-007", f.from.location, "firewall rule '\(f.name)' opens port \(port) (\(what)) to \(f.from.value)",
                    fix: "limit network.firewall[\(i)].from to the office or VPN range, or reach \(what) through a bastion")
            }
        }
    }

    // MARK: secrets

    func secrets() -> [Finding] {
        var out: [Finding] = []
        if spec.security.secrets == nil {
            out.append(
                finding(
                    "BERTH-SEC-001", loc("security"),
                    "no external secret store: security.secrets is not set",
                    fix:
                        "add security.secrets: { store: vault } (or the provider's secret manager) and list secrets under services.<name>.secrets"
                ))
        }
        for s in spec.services {
            for (name, value, path, context) in SecretValues.envSettings(of: s) {
                guard SecretValues.plainSecretProblem(name: name, value: value) != nil else { continue }
                let what =
                    SecretValues.hasPassword(value)
                    ? "service '\(s.name)' sets \(name) to a value with a password in it\(context)"
                    : "service '\(s.name)' sets \(name) to a literal value\(context); it looks like a credential"
                out.append(
                    finding(
                        "BERTH-SEC-002", loc(path) ?? s.location, what,
                        fix: "remove \(name) from env, store the value in the secret store and list it under services.\(s.name).secrets"))
            }
        }
        if let store = spec.security.secrets, store.rotateEvery.days > AuditRules.rotationMaxDays,
            !AuditRules.regimes(of: "BERTH-SEC-003", enabled: spec.security.compliance).isEmpty
        {
            out.append(
                finding(
                    "BERTH-SEC-003", loc("security", "secrets", "rotateEvery"),
                    "secrets rotate every \(store.rotateEvery.text), longer than the \(AuditRules.rotationMaxDays)d the compliance regimes allow",
                    fix: "set security.secrets.rotateEvery: \(AuditRules.rotationMaxDays)d or shorter"))
        }
        return out
    }

    // MARK: encryption

    func encryption() -> [Finding] {
        var out: [Finding] = []
        if spec.security.encryptionAtRest == "none" {
            out.append(
                finding(
                    "BERTH-ENC-001", loc("security", "encryption", "atRest"),
                    "encryption at rest is off (security.encryption.atRest: none)",
                    fix:
                        "set security.encryption.atRest: kms and provider.regions.<region>.kmsKey, or provider for the provider's default key"
                ))
        }
        if spec.security.encryptionAtRest == "kms", !spec.provider.regions.contains(where: { !$0.kmsKey.isEmpty }) {
            out.append(
                finding(
                    "BERTH-ENC-004", loc("provider", "regions"),
                    "encryption at rest uses a KMS key but no region names one (provider.regions.<region>.kmsKey)",
                    fix: "set provider.regions.<region>.kmsKey to each region's key ARN or resource id"))
        }
        // Without a mesh nothing encrypts traffic between pods, whatever inTransit asks for.
        guard spec.network.mesh == .none else { return out }
        switch spec.security.encryptionInTransit {
        case "mtls":
            out.append(
                finding(
                    "BERTH-ENC-002", loc("security", "encryption", "inTransit"),
                    "security.encryption.inTransit is mtls but network.mesh is none",
                    fix: "set network.mesh: linkerd or istio"))
        case "tls":
            out.append(
                finding(
                    "BERTH-ENC-005", loc("network", "mesh"),
                    "traffic between pods is not encrypted: no mesh, and inTransit is tls (edge only)",
                    fix: "set network.mesh: linkerd and security.encryption.inTransit: mtls"))
        default: break
        }
        return out
    }

    // MARK: buckets

    /// Buckets anyone may read (BERTH-NET-008) and buckets stored unencrypted (BERTH-ENC-003).
    func buckets() -> [Finding] {
        var out: [Finding] = []
        for b in spec.buckets {
            if b.isPublic {
                out.append(
                    finding(
                        "BERTH-NET-008", loc("buckets", b.name, "public") ?? b.location, "bucket '\(b.name)' allows anonymous reads",
                        fix: "set buckets.\(b.name).public: false and serve public files through the CDN"))
            }
            if b.encryption == "none" {
                out.append(
                    finding(
                        "BERTH-ENC-003", loc("buckets", b.name, "encryption") ?? b.location,
                        "bucket '\(b.name)' is not encrypted (encryption: none)", fix: "set buckets.\(b.name).encryption: kms"))
            }
        }
        return out
    }

    // MARK: backup

    /// Databases whose instances span regions with no residency declared (with one declared,
    /// `berth check` already refuses a copy outside it).
    func dataLocation(plan: Plan) -> [Finding] {
        guard spec.provider.dataResidency.isEmpty else { return [] }
        var out: [Finding] = []
        for d in spec.databases {
            let regions = Set(
                plan.targets.filter { plan.role(of: d, in: $0) != nil }.compactMap { plan.region(ofCluster: $0.cluster.name) })
            guard regions.count > 1 else { continue }
            out.append(
                finding(
                    "BERTH-DATA-001", d.location,
                    "database '\(d.name)' keeps copies in regions \(regions.sorted().joined(separator: ", ")) and provider.dataResidency is not set",
                    fix:
                        "declare provider.dataResidency (berth check then refuses copies outside it), or set databases.\(d.name).topology.replicas: none"
                ))
        }
        return out
    }

    func backup() -> [Finding] {
        var out: [Finding] = []
        for d in spec.databases {
            guard let b = d.backup else {
                out.append(
                    finding(
                        "BERTH-BAK-001", d.location, "database '\(d.name)' has no backup",
                        fix: "add databases.\(d.name).backup: { schedule: \"0 2 * * *\", retention: 30d, bucket: <bucket> }"))
                continue
            }
            // The same minimum `berth check` warns about: the stated one, else the longest of the regimes.
            if let (minimum, source) = spec.security.requiredBackupRetention, b.retention < minimum {
                out.append(
                    finding(
                        "BERTH-BAK-002", loc("databases", d.name, "backup", "retention"),
                        "backups of database '\(d.name)' are kept \(b.retention.text), below the \(minimum.text) that \(source) requires",
                        fix: "set databases.\(d.name).backup.retention: \(minimum.text) or longer"))
            }
            if let bucket = spec.bucket(b.bucket.value), !bucket.versioning {
                out.append(
                    finding(
                        "BERTH-BAK-003", b.bucket.location,
                        "backups of database '\(d.name)' go to bucket '\(bucket.name)', which does not keep versions",
                        fix: "set buckets.\(bucket.name).versioning: true"))
            }
        }
        return out
    }

    // MARK: audit logging

    func auditLogging() -> [Finding] {
        var out: [Finding] = []
        let regimes = AuditRules.regimes(of: "BERTH-AUD-002", enabled: spec.security.compliance)
        if spec.security.auditLevel == "None" {
            out.append(
                finding(
                    "BERTH-AUD-001", loc("security", "audit", "level"), "Kubernetes API audit logging is off (security.audit.level: None)",
                    fix: "set security.audit.level: Metadata"))
        }
        if !regimes.isEmpty, spec.security.auditRetention.days < AuditRules.auditRetentionDays {
            out.append(
                finding(
                    "BERTH-AUD-002", loc("security", "audit", "retention"),
                    "audit logs are kept \(spec.security.auditRetention.text), below the \(AuditRules.auditRetentionDays)d that \(regimes.joined(separator: " and ")) require\(regimes.count == 1 ? "s" : "")",
                    fix: "set security.audit.retention: \(AuditRules.auditRetentionDays)d"))
        }
        return out
    }

    // MARK: blast radius

    func blastRadius(plan: Plan) -> [Finding] {
        var out: [Finding] = []
        var seen: Set<String> = []
        for t in plan.targets where t.environment.tier == .production {
            let zones = t.cluster.zones.count
            if zones < 2, seen.insert("cluster/\(t.cluster.name)").inserted {
                out.append(
                    finding(
                        "BERTH-HA-002", t.cluster.zonesExplicit ? loc("clusters", t.cluster.name, "zones") : t.cluster.location,
                        "cluster '\(t.cluster.name)' runs production environment '\(t.environment.name)' in one zone",
                        fix: "list two or more zones for cluster '\(t.cluster.name)' (or under its region)"))
            }
            if !t.cluster.haControlPlane, seen.insert("cp/\(t.cluster.name)").inserted {
                out.append(
                    finding(
                        "BERTH-HA-004", loc("clusters", t.cluster.name, "controlPlane", "ha"),
                        "cluster '\(t.cluster.name)' runs production without a highly available control plane",
                        fix: "set clusters.\(t.cluster.name).controlPlane.ha: true"))
            }
            // berth check requires 2 or more replicas in production unless replicas.waiver
            // says why one is enough: the waiver is accepted there and reported here.
            for p in t.placements where !p.service.isScheduled && p.replicas.min == 1 {
                guard let w = p.service.replicasWaiver(in: t.environment.name),
                    seen.insert("waiver/\(p.service.name)/\(t.environment.name)").inserted
                else { continue }
                out.append(
                    finding(
                        "BERTH-HA-005", w.location,
                        "service '\(p.service.name)' runs one replica in production environment '\(t.environment.name)' under a waiver (\(w.value)): losing its node or zone stops the service",
                        fix: "set replicas.min: 2 or more for service '\(p.service.name)' and remove replicas.waiver"))
            }
            // Otherwise the rendered spread puts the replicas in different zones; one zone is
            // the remaining way.
            for p in t.placements where p.replicas.max > 0 && zones < 2 {
                guard seen.insert("svc/\(p.service.name)/\(t.environment.name)/\(t.cluster.name)").inserted else { continue }
                out.append(
                    finding(
                        "BERTH-HA-001", p.service.replicasLocation,
                        "service '\(p.service.name)' in production environment '\(t.environment.name)' on cluster '\(t.cluster.name)' lives in one zone: cluster '\(t.cluster.name)' has one zone",
                        fix: "spread cluster '\(t.cluster.name)' over two or more zones"))
            }
        }
        var usedInProduction: Set<String> = []
        for t in plan.targets where t.environment.tier == .production {
            for p in t.placements { for u in p.service.uses where u.kind == .database { usedInProduction.insert(u.name) } }
        }
        for d in spec.databases where usedInProduction.contains(d.name) && d.instances < 2 {
            out.append(
                finding(
                    "BERTH-HA-003", d.instancesLocation,
                    "database '\(d.name)' is used in production and has \(d.instances) instance; a node or zone failure stops it",
                    fix: "set databases.\(d.name).instances: 2 or more (3 across zones)"))
        }
        return out
    }

    // MARK: access (spec side)

    func access() -> [Finding] {
        var out: [Finding] = []
        for team in spec.security.teams {
            if team.clusterAdmin {
                out.append(
                    finding(
                        "BERTH-RBAC-002", loc("security", "teams", team.name, "clusterAdmin") ?? team.location,
                        "team '\(team.name)' is bound to cluster-admin on every cluster (group '\(team.group)')",
                        fix: "remove clusterAdmin: true; give the team admin in the environments it runs"))
            }
            let writes = { (e: Environment) -> Bool in
                let r = Renderer.role(of: team, in: e)
                return r == "edit" || r == "admin"
            }
            let prod = spec.environments.filter { $0.tier == .production && writes($0) }
            let dev = spec.environments.filter { $0.tier == .development && writes($0) }
            if let p = prod.first, let d = dev.first {
                out.append(
                    finding(
                        "BERTH-RBAC-003", team.location,
                        "team '\(team.name)' can change both production ('\(p.name)') and development ('\(d.name)') with one group '\(team.group)'",
                        fix: "give '\(team.name)' view in production, or use a separate group for production access"))
            }
        }
        return out
    }
}
