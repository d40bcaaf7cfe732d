/// How serious an audit finding is. `--fail-on` compares against this order.
public enum AuditSeverity: String, Sendable, Hashable, Codable, Comparable, CaseIterable {
    /// From least to most serious.
    case low, medium, high, critical

    var rank: Int {
        switch self {
        case .low: 0
        case .medium: 1
        case .high: 2
        case .critical: 3
        }
    }

    /// Orders by seriousness: low < medium < high < critical.
    public static func < (a: AuditSeverity, b: AuditSeverity) -> Bool { a.rank < b.rank }

    /// SARIF `level`: critical and high are errors, medium a warning, low a note.
    public var sarifLevel: String {
        switch self {
        case .critical, .high: "error"
        case .medium: "warning"
        case .low: "note"
        }
    }

    /// GitHub code scanning's `security-severity` (0.0 to 10.0).
    public var securityScore: String {
        switch self {
        case .critical: "9.5"
        case .high: "8.0"
        case .medium: "5.5"
        case .low: "2.0"
        }
    }
}

/// One audit rule: a stable identifier, what it looks at and how to fix what it finds.
public struct AuditRule: Sendable, Hashable {
    /// The stable ID, e.g. `BERTH-NET-001`.
    public var id: String
    /// One line, lower case.
    public var title: String
    /// The severity the rule's findings get (before compliance raises them).
    public var severity: AuditSeverity
    /// Why the finding matters.
    public var description: String

    init(_ id: String, _ severity: AuditSeverity, _ title: String, _ description: String) {
        self.id = id
        self.title = title
        self.severity = severity
        self.description = description
    }
}

/// The rule catalogue. IDs are stable: a rule that goes away leaves its ID unused.
public enum AuditRules {
    /// Every rule, by area.
    public static let all: [AuditRule] = [
        // network exposure
        AuditRule(
            "BERTH-NET-001", .high, "public route without TLS",
            "A public route served over plain HTTP exposes credentials and sessions on the internet."),
        AuditRule(
            "BERTH-NET-002", .low, "egress to 0.0.0.0/0 on HTTPS (accepted risk)",
            "Services that use a bucket may open HTTPS to any public address (RFC 1918 excluded), because object-storage endpoints have no stable addresses. Accepted risk, reported so it stays visible; a VPC endpoint or egress gateway removes it."
        ),
        AuditRule(
            "BERTH-NET-003", .high, "egress to 0.0.0.0/0 beyond the accepted HTTPS rule",
            "A NetworkPolicy allows egress to any address on other ports, or including private ranges."),
        AuditRule(
            "BERTH-NET-004", .high, "no NetworkPolicies",
            "With security.networkPolicy none every pod accepts traffic from every pod in the cluster and may call anything."),
        AuditRule(
            "BERTH-NET-005", .high, "database reachable from the gateway namespace",
            "Without NetworkPolicies that isolate the database pods, the gateway's namespace (internet-facing) can open connections to PostgreSQL."
        ),
        AuditRule(
            "BERTH-NET-006", .medium, "public routes without rate limits",
            "No network.ingress.rateLimit: the gateway applies no per-client request or connection limits, the first line against floods."),
        AuditRule(
            "BERTH-NET-007", .high, "administrative port open to the internet",
            "An edge firewall rule opens SSH, RDP, the Kubernetes API or a database port to 0.0.0.0/0 or ::/0."),
        AuditRule(
            "BERTH-NET-008", .high, "public bucket",
            "A bucket allows anonymous reads."),
        // observability
        AuditRule(
            "BERTH-OBS-001", .medium, "production service without metrics",
            "A service runs in production without services.<name>.metrics: nothing scrapes it, so no alert can see it fail."),
        AuditRule(
            "BERTH-OBS-002", .medium, "production service without an SLO",
            "A service with a port runs in production without services.<name>.slos: no burn-rate alert pages when it fails its callers."),
        AuditRule(
            "BERTH-OBS-003", .medium, "SLO stricter than the topology can deliver",
            "A public service's availability target is above what its smallest production footprint plausibly delivers: one replica 99.5%, one zone 99.9%, two zones 99.95%, three zones and three replicas 99.99%, 99.999% only on two or more clusters."
        ),
        // workload hardening (read from the rendered Deployments)
        AuditRule(
            "BERTH-WKL-001", .high, "container may run as root",
            "runAsNonRoot is not true for the pod or the container."),
        AuditRule(
            "BERTH-WKL-002", .medium, "writable root filesystem",
            "readOnlyRootFilesystem is not true."),
        AuditRule(
            "BERTH-WKL-003", .high, "privilege escalation allowed",
            "allowPrivilegeEscalation is not false, or the container is privileged."),
        AuditRule(
            "BERTH-WKL-004", .medium, "capabilities not dropped",
            "capabilities.drop does not contain ALL."),
        AuditRule(
            "BERTH-WKL-005", .medium, "no seccomp profile",
            "Neither the pod nor the container sets seccompProfile RuntimeDefault or Localhost."),
        AuditRule(
            "BERTH-WKL-006", .medium, "no resource limits",
            "A container has no CPU or memory limit."),
        AuditRule(
            "BERTH-WKL-007", .medium, "no probes",
            "A container has no liveness or no readiness probe; failures are not detected and traffic reaches pods that are not ready."),
        AuditRule(
            "BERTH-WKL-008", .high, "Pod Security Standard weaker than restricted",
            "The namespaces enforce the privileged or baseline Pod Security Standard, so the API server admits privileged or root pods that berth did not render."
        ),
        AuditRule(
            "BERTH-WKL-009", .medium, "image by tag without a digest in a mutable registry",
            "A container image has no @sha256 digest and delivery.registry.immutable is not true, so the same tag can name a different build tomorrow."
        ),
        // access
        AuditRule(
            "BERTH-RBAC-001", .high, "wildcard in RBAC rules",
            "A Role or ClusterRole grants '*' verbs, resources or API groups."),
        AuditRule(
            "BERTH-RBAC-002", .critical, "cluster-admin bound to a team",
            "security.teams.<team>.clusterAdmin binds cluster-admin: every verb on every resource in every namespace, Secrets included."),
        AuditRule(
            "BERTH-RBAC-003", .medium, "same team writes to production and development",
            "A team has edit or admin in a production environment and in a development environment; one compromised account reaches both (separation of duties)."
        ),
        // secrets
        AuditRule(
            "BERTH-SEC-001", .medium, "no secret store",
            "security.secrets is not set, so credentials can only reach services as plain values."),
        AuditRule(
            "BERTH-SEC-002", .critical, "secret as a plain environment value",
            "An environment variable whose name looks like a credential (*PASSWORD*, *TOKEN*, *_KEY, *SECRET*, ...) has a literal value in the spec, which is stored in Git and rendered into the manifests."
        ),
        AuditRule(
            "BERTH-SEC-003", .medium, "secret rotation slower than the compliance maximum",
            "security.secrets.rotateEvery is longer than the longest interval the enabled compliance regimes allow (90d)."),
        // encryption
        AuditRule(
            "BERTH-ENC-001", .high, "no encryption at rest",
            "security.encryption.atRest is none: volumes, snapshots and etcd are stored unencrypted."),
        AuditRule(
            "BERTH-ENC-002", .high, "mTLS required without a mesh",
            "security.encryption.inTransit is mtls but network.mesh is none; nothing provides mTLS between pods."),
        AuditRule(
            "BERTH-ENC-003", .high, "bucket without encryption",
            "A bucket has encryption none."),
        AuditRule(
            "BERTH-ENC-004", .medium, "KMS encryption without a key",
            "security.encryption.atRest is kms but no region names its key (provider.regions.<region>.kmsKey), so the provider's default keys are used."
        ),
        AuditRule(
            "BERTH-ENC-005", .low, "traffic inside the cluster is not encrypted",
            "security.encryption.inTransit is tls and there is no mesh: TLS ends at the gateway and pod-to-pod traffic is plain text."),
        // backup
        AuditRule(
            "BERTH-BAK-001", .high, "database without backup",
            "A database has no backup section: a lost volume or a bad migration loses data."),
        AuditRule(
            "BERTH-BAK-002", .high, "backup retention below the compliance minimum",
            "Backups are kept for less than security.backupRetention or the enabled regimes require (gdpr 30d, soc2 90d, pci-dss 365d, hipaa 6y)."
        ),
        AuditRule(
            "BERTH-BAK-003", .medium, "backup bucket without versioning",
            "The bucket holding backups does not keep object versions, so an overwrite or delete cannot be undone."),
        // data location
        AuditRule(
            "BERTH-DATA-001", .medium, "database copied across regions without a declared residency",
            "A database keeps instances (primary or replica clusters) in more than one region, and provider.dataResidency does not say where its data may be stored; personal data may leave the region its owners expect."
        ),
        // audit logging
        AuditRule(
            "BERTH-AUD-001", .high, "API audit logging off",
            "security.audit.level is None: no record of who changed what in the clusters."),
        AuditRule(
            "BERTH-AUD-002", .high, "audit log retention below the compliance minimum",
            "security.audit.retention is shorter than the enabled compliance regimes require (365d)."),
        // zone-failure blast radius
        AuditRule(
            "BERTH-HA-001", .high, "production service lives in one zone",
            "In production, all minimum replicas of a service fit in one zone (one replica, or a single-zone cluster): losing that zone stops the service."
        ),
        AuditRule(
            "BERTH-HA-002", .high, "production cluster in one zone",
            "A cluster that runs a production environment has one zone."),
        AuditRule(
            "BERTH-HA-003", .high, "production database with one instance",
            "A database used in production has fewer than 2 instances: no failover."),
        AuditRule(
            "BERTH-HA-004", .medium, "production control plane not highly available",
            "A cluster that runs production has controlPlane.ha false."),
        AuditRule(
            "BERTH-HA-005", .medium, "production service on one replica under a waiver",
            "A production service runs replicas.min 1 with a written replicas.waiver: berth check accepts it (a note), and the single replica remains a risk: losing its node or zone stops the service."
        ),
    ]

    /// The rules by ID.
    public static let byID: [String: AuditRule] = Dictionary(all.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })

    /// The rule with `id`; an unknown ID gives a `high` rule named after it with no description.
    public static func rule(_ id: String) -> AuditRule {
        byID[id] ?? AuditRule(id, .high, id, "")
    }

    /// Compliance regimes and the rules each includes. A finding of a rule in an enabled
    /// regime is raised to at least `high`; some rules run only when a regime asks for them.
    public static let compliance: [(name: String, rules: [String])] = [
        (
            "gdpr",
            [
                "BERTH-NET-001", "BERTH-NET-008", "BERTH-SEC-002", "BERTH-ENC-001", "BERTH-ENC-003", "BERTH-ENC-004",
                "BERTH-BAK-001", "BERTH-BAK-002", "BERTH-AUD-001", "BERTH-AUD-002", "BERTH-DATA-001",
            ]
        ),
        (
            "soc2",
            [
                "BERTH-NET-004", "BERTH-RBAC-001", "BERTH-RBAC-002", "BERTH-RBAC-003", "BERTH-SEC-001", "BERTH-SEC-002",
                "BERTH-SEC-003", "BERTH-ENC-001", "BERTH-BAK-001", "BERTH-BAK-002", "BERTH-AUD-001", "BERTH-AUD-002",
                "BERTH-HA-003",
            ]
        ),
    ]

    /// Minimums the regimes set: audit retention 365 days, secret rotation at most 90 days
    /// (backup retention minimums are `Security.requiredBackupRetention`, shared with `berth check`).
    public static let auditRetentionDays = 365
    /// Longest secret rotation interval the regimes accept, in days.
    public static let rotationMaxDays = 90

    /// The enabled regimes (of `enabled`) whose rule set includes `ruleID`.
    public static func regimes(of ruleID: String, enabled: [String]) -> [String] {
        compliance.filter { enabled.contains($0.name) && $0.rules.contains(ruleID) }.map(\.name)
    }
}
