import Foundation
import Testing

@testable import BerthCore

/// Every audit rule: the clean fixture passes it; one change to the fixture (or to a
/// rendered object) fails it, with the message pinned verbatim.
@Suite("Audit rules")
struct AuditTests {
    static let clean = Fixtures.text(Fixtures.fixtures.appendingPathComponent("audit-clean.yaml"))

    static func spec(_ text: String) throws -> Spec {
        let loaded = Fixtures.check(text)
        // `berth check` refuses a public or unencrypted backup bucket and plain credentials in env
        // too (`berth audit` waives plain-secret); the audit still reports them.
        #expect(
            !loaded.diagnostics.contains { $0.severity == .error && $0.code != .backupBucket && $0.code != .plainSecret },
            "spec has errors: \(Fixtures.lines(loaded))")
        return try #require(loaded.spec)
    }

    /// The clean fixture with replacements applied; fails loudly when an anchor is missing.
    static func mutate(_ pairs: [(String, String)]) -> String {
        var s = clean
        for (old, new) in pairs {
            precondition(s.contains(old), "anchor not found: \(old)")
            s = s.replacingOccurrences(of: old, with: new)
        }
        return s
    }

    static func lines(_ fs: [Finding], rule: String? = nil) -> [String] {
        fs.filter { rule == nil || $0.rule == rule }.map { f in
            "\(f.location.map { "\($0.line):\($0.column) " } ?? "")\(f.severity.rawValue) \(f.rule): \(f.message)"
        }
    }

    /// The one finding the clean fixture has: its database reaches object storage for backups,
    /// the accepted risk of HTTPS egress to public addresses.
    static let cleanBaseline = [
        "46:13 low BERTH-NET-002: NetworkPolicy 'main-database' allows HTTPS egress to 0.0.0.0/0 except private ranges, for object storage (accepted risk)"
    ]

    @Test("the clean fixture has only the accepted risk of backup egress")
    func cleanHasNone() throws {
        #expect(Self.lines(Audit.run(try Self.spec(Self.clean))) == Self.cleanBaseline)
    }

    /// rule, the change to the clean fixture, and every finding of that rule it must give.
    static let cases: [(String, [(String, String)], [String])] = [
        (
            "BERTH-NET-001",
            [
                (
                    "    public: { host: www }\n",
                    "    public: { host: www }\n    overrides:\n      development: { public: { host: www, tls: false } }\n"
                )
            ],
            [
                "29:30 high BERTH-NET-001: service 'web' is public at http://www.dev.shop.example without TLS in environment 'development' (tls: false)"
            ]
        ),
        (
            "BERTH-NET-002", [("    uses: [database/main]", "    uses: [database/main, bucket/backups]")],
            [
                "38:27 low BERTH-NET-002: NetworkPolicy 'api' allows HTTPS egress to 0.0.0.0/0 except private ranges, for object storage (accepted risk)",
                "46:13 low BERTH-NET-002: NetworkPolicy 'main-database' allows HTTPS egress to 0.0.0.0/0 except private ranges, for object storage (accepted risk)",
            ]
        ),
        (
            "BERTH-NET-004", [("  tls: { email", "  networkPolicy: none\n  tls: { email")],
            ["55:18 high BERTH-NET-004: security.networkPolicy is none: no NetworkPolicy isolates any pod"]
        ),
        (
            "BERTH-NET-005", [("  tls: { email", "  networkPolicy: none\n  tls: { email")],
            [
                "43:3 high BERTH-NET-005: database 'main' is reachable from the gateway namespace 'nginx-gateway': no NetworkPolicy restricts who connects to port 5432"
            ]
        ),
        (
            "BERTH-NET-006", [("  ingress:\n    rateLimit: { rps: 50 }\n", "")],
            ["10:3 medium BERTH-NET-006: public routes have no per-client rate limit (network.ingress.rateLimit is not set)"]
        ),
        (
            "BERTH-NET-007", [("from: 203.0.113.0/24, ports: [22]", "from: 0.0.0.0/0, ports: [22, 443]")],
            ["14:26 high BERTH-NET-007: firewall rule 'ssh' opens port 22 (SSH) to 0.0.0.0/0"]
        ),
        (
            "BERTH-NET-008", [("backups: { versioning: true,", "backups: { versioning: true, public: true,")],
            ["48:40 high BERTH-NET-008: bucket 'backups' allows anonymous reads"]
        ),
        (
            "BERTH-WKL-007",
            [("databases:\n", "  worker:\n    image: registry.shop.example/worker:1.0.0\n    replicas: { min: 2, max: 2 }\ndatabases:\n")],
            ["42:3 medium BERTH-WKL-007: Deployment 'worker' container 'worker' has no liveness or readiness probe"]
        ),
        (
            "BERTH-WKL-008", [("  tls: { email", "  podSecurity: baseline\n  tls: { email")],
            ["55:16 high BERTH-WKL-008: namespaces enforce the 'baseline' Pod Security Standard, not 'restricted'"]
        ),
        (
            "BERTH-WKL-009", [("immutable: true", "immutable: false")],
            [
                "25:12 medium BERTH-WKL-009: Deployment 'web' container 'web' runs 'registry.shop.example/web:1.0.0' by tag, without a digest, from a registry whose tags are not immutable",
                "35:12 medium BERTH-WKL-009: Deployment 'api' container 'api' runs 'registry.shop.example/api:1.0.0' by tag, without a digest, from a registry whose tags are not immutable",
            ]
        ),
        (
            "BERTH-RBAC-002",
            [
                (
                    "platform: { role: admin, environments: [production] }",
                    "platform: { role: admin, environments: [production], clusterAdmin: true }"
                )
            ],
            ["53:72 critical BERTH-RBAC-002: team 'platform' is bound to cluster-admin on every cluster (group 'platform')"]
        ),
        (
            "BERTH-RBAC-003", [("devs: { role: edit, environments: [development] }", "devs: { role: edit, environments: all }")],
            [
                "54:5 high BERTH-RBAC-003: team 'devs' can change both production ('production') and development ('development') with one group 'devs'"
            ]
        ),
        (
            "BERTH-SEC-001", [("  secrets: { store: vault, rotateEvery: 30d }\n", ""), ("    secrets: [db-password]\n", "")],
            ["51:3 high BERTH-SEC-001: no external secret store: security.secrets is not set"]
        ),
        (
            "BERTH-SEC-002",
            [("      LOG_LEVEL: info\n", "      LOG_LEVEL: info\n      DB_PASSWORD: hunter2\n      TOKEN_FILE: /var/run/secrets/token\n")],
            ["34:20 critical BERTH-SEC-002: service 'web' sets DB_PASSWORD to a literal value; it looks like a credential"]
        ),
        (
            "BERTH-SEC-002",
            [("      LOG_LEVEL: info\n", "      LOG_LEVEL: info\n      DATABASE_URL: postgres://app:pl4nted@db:5432/app\n")],
            ["34:21 critical BERTH-SEC-002: service 'web' sets DATABASE_URL to a value with a password in it"]
        ),
        (
            "BERTH-SEC-003", [("rotateEvery: 30d", "rotateEvery: 180d")],
            ["56:41 high BERTH-SEC-003: secrets rotate every 180d, longer than the 90d the compliance regimes allow"]
        ),
        (
            "BERTH-ENC-001", [("atRest: kms", "atRest: none")],
            ["57:25 high BERTH-ENC-001: encryption at rest is off (security.encryption.atRest: none)"]
        ),
        (
            "BERTH-ENC-002", [("  mesh: linkerd\n", "")],
            ["56:41 high BERTH-ENC-002: security.encryption.inTransit is mtls but network.mesh is none"]
        ),
        (
            "BERTH-ENC-003", [("backups: { versioning: true,", "backups: { versioning: true, encryption: none,")],
            ["48:44 high BERTH-ENC-003: bucket 'backups' is not encrypted (encryption: none)"]
        ),
        (
            "BERTH-ENC-004", [(", kmsKey: \"arn:aws:kms:eu-west-1:111122223333:alias/shop\"", "")],
            ["8:5 high BERTH-ENC-004: encryption at rest uses a KMS key but no region names one (provider.regions.<region>.kmsKey)"]
        ),
        (
            "BERTH-ENC-005", [("  mesh: linkerd\n", ""), ("inTransit: mtls", "inTransit: tls")],
            ["10:3 low BERTH-ENC-005: traffic between pods is not encrypted: no mesh, and inTransit is tls (edge only)"]
        ),
        (
            "BERTH-BAK-001", [("    backup: { schedule: \"0 2 * * *\", retention: 90d, bucket: backups }\n", "")],
            ["43:3 high BERTH-BAK-001: database 'main' has no backup"]
        ),
        (
            "BERTH-BAK-002", [("retention: 90d, bucket", "retention: 7d, bucket")],
            ["46:49 high BERTH-BAK-002: backups of database 'main' are kept 7d, below the 90d that soc2 requires"]
        ),
        (
            "BERTH-BAK-003", [("backups: { versioning: true,", "backups: { versioning: false,")],
            ["46:62 medium BERTH-BAK-003: backups of database 'main' go to bucket 'backups', which does not keep versions"]
        ),
        (
            "BERTH-AUD-001", [("level: Metadata", "level: None")],
            ["58:19 high BERTH-AUD-001: Kubernetes API audit logging is off (security.audit.level: None)"]
        ),
        (
            "BERTH-AUD-002", [("retention: 365d", "retention: 90d"), ("compliance: [gdpr, soc2]", "compliance: [gdpr]")],
            ["58:40 high BERTH-AUD-002: audit logs are kept 90d, below the 365d that gdpr requires"]
        ),
        (
            "BERTH-HA-001", [("zones: [eu-west-1a, eu-west-1b]", "zones: [eu-west-1a]")],
            [
                "28:15 high BERTH-HA-001: service 'web' in production environment 'production' on cluster 'main' lives in one zone: cluster 'main' has one zone",
                "37:15 high BERTH-HA-001: service 'api' in production environment 'production' on cluster 'main' lives in one zone: cluster 'main' has one zone",
            ]
        ),
        (
            "BERTH-HA-002", [("zones: [eu-west-1a, eu-west-1b]", "zones: [eu-west-1a]")],
            ["16:3 high BERTH-HA-002: cluster 'main' runs production environment 'production' in one zone"]
        ),
        (
            "BERTH-HA-003", [("    instances: 2\n", "    instances: 1\n")],
            ["44:16 high BERTH-HA-003: database 'main' is used in production and has 1 instance; a node or zone failure stops it"]
        ),
        (
            "BERTH-HA-004",
            [("    region: eu-west-1\n    nodePools", "    region: eu-west-1\n    controlPlane: { ha: false }\n    nodePools")],
            ["18:25 medium BERTH-HA-004: cluster 'main' runs production without a highly available control plane"]
        ),
        (
            "BERTH-HA-005",
            [
                (
                    "    port: 9000\n    replicas: { min: 2, max: 4 }\n",
                    "    port: 9000\n    replicas: { min: 1, max: 1, waiver: \"one writer by design\" }\n"
                )
            ],
            [
                "37:41 medium BERTH-HA-005: service 'api' runs one replica in production environment 'production' under a waiver (one writer by design): losing its node or zone stops the service"
            ]
        ),
    ]

    @Test("each spec rule fails on its change, with its message", arguments: 0..<cases.count)
    func specRule(_ i: Int) throws {
        let (rule, change, expected) = Self.cases[i]
        #expect(
            Self.lines(Audit.run(try Self.spec(Self.clean)), rule: rule) == Self.cleanBaseline.filter { $0.contains(" \(rule):") },
            "\(rule) fires on the clean fixture")
        let findings = Audit.run(try Self.spec(Self.mutate(change)))
        #expect(Self.lines(findings, rule: rule) == expected, "\(rule)")
    }

    // MARK: rules over rendered objects

    /// The rendered Deployment of `api` in production, and a context for the rules.
    static func renderedDeployment() throws -> (AuditContext, RenderedFile, JSONValue) {
        let spec = try spec(clean)
        let files = Renderer(plan: Plan(spec: spec)).renderedFiles()
        let file = try #require(files.first { $0.path == "main/shop-production/api.yaml" })
        let dep = try #require(file.objects.first { $0["kind"] == "Deployment" })
        return (AuditContext(spec: spec), file, dep)
    }

    /// Replaces the container's securityContext field (or a container field) in a Deployment.
    static func editContainer(_ dep: JSONValue, _ edit: (JSONValue) -> JSONValue) -> JSONValue {
        guard let tmpl = dep.at("spec.template"), let pod = tmpl["spec"], let c = pod["containers"]?.arrayValue?.first else { return dep }
        let newPod = pod.setting("containers", [edit(c)])
        return dep.setting("spec", (dep["spec"] ?? [:]).setting("template", tmpl.setting("spec", newPod)))
    }

    static func sc(_ key: String, _ value: JSONValue) -> (JSONValue) -> JSONValue {
        { c in c.setting("securityContext", (c["securityContext"] ?? [:]).setting(key, value)) }
    }

    static func removing(_ key: String) -> (JSONValue) -> JSONValue {
        { c in
            guard case .object(let pairs) = c else { return c }
            return .object(pairs.filter { $0.0 != key })
        }
    }

    @Test("workload hardening is read from the rendered Deployment")
    func workloadRules() throws {
        let (ctx, file, dep) = try Self.renderedDeployment()
        #expect(ctx.workload(dep, file: file).isEmpty)
        let cases: [((JSONValue) -> JSONValue, String)] = [
            (
                Self.sc("runAsNonRoot", false),
                "34:3 high BERTH-WKL-001: Deployment 'api' container 'api' may run as root (runAsNonRoot is not true)"
            ),
            (
                Self.sc("readOnlyRootFilesystem", false),
                "34:3 medium BERTH-WKL-002: Deployment 'api' container 'api' has a writable root filesystem"
            ),
            (
                Self.sc("allowPrivilegeEscalation", true),
                "34:3 high BERTH-WKL-003: Deployment 'api' container 'api' allows privilege escalation (allowPrivilegeEscalation is not false, or privileged is true)"
            ),
            (
                Self.sc("privileged", true),
                "34:3 high BERTH-WKL-003: Deployment 'api' container 'api' allows privilege escalation (allowPrivilegeEscalation is not false, or privileged is true)"
            ),
            (
                Self.sc("capabilities", ["drop": ["NET_RAW"]]),
                "34:3 medium BERTH-WKL-004: Deployment 'api' container 'api' does not drop ALL capabilities"
            ),
            (
                Self.sc("seccompProfile", ["type": "Unconfined"]),
                "34:3 medium BERTH-WKL-005: Deployment 'api' container 'api' runs without a seccomp profile"
            ),
            (
                { c in c.setting("resources", ["requests": ["cpu": "100m"]]) },
                "34:3 medium BERTH-WKL-006: Deployment 'api' container 'api' has no CPU or memory limit"
            ),
            (
                Self.removing("readinessProbe"),
                "34:3 medium BERTH-WKL-007: Deployment 'api' container 'api' has no liveness or readiness probe"
            ),
        ]
        for (edit, expected) in cases {
            #expect(Self.lines(ctx.workload(Self.editContainer(dep, edit), file: file)) == [expected])
        }
    }

    @Test("wildcards in rendered roles and wide egress in rendered policies")
    func rbacAndPolicyObjects() throws {
        let (ctx, _, _) = try Self.renderedDeployment()
        let spec = ctx.spec
        let files = Renderer(plan: Plan(spec: spec)).renderedFiles()
        let ns = try #require(files.first { $0.path == "main/shop-production/_namespace.yaml" })
        let role = try #require(ns.objects.first { $0["kind"] == "Role" })
        #expect(ctx.roleRules(role, file: ns).isEmpty)
        let wild = role.setting("rules", [["apiGroups": [""], "resources": ["*"], "verbs": ["get"]]])
        #expect(
            Self.lines(ctx.roleRules(wild, file: ns)) == [
                "53:5 high BERTH-RBAC-001: Role 'berth-admin' grants '*' in resources"
            ])
        let svc = try #require(files.first { $0.path == "main/shop-production/api.yaml" })
        let policy = try #require(svc.objects.first { $0["kind"] == "NetworkPolicy" })
        #expect(ctx.networkPolicy(policy, file: svc).isEmpty)
        let wide = policy.setting("spec", (policy["spec"] ?? [:]).setting("egress", [["to": [["ipBlock": ["cidr": "0.0.0.0/0"]]]]]))
        #expect(
            Self.lines(ctx.networkPolicy(wide, file: svc)) == [
                "34:3 high BERTH-NET-003: NetworkPolicy 'api' allows egress to 0.0.0.0/0 on any port including private ranges"
            ])
    }

    @Test("cluster-admin is rendered only for teams that ask for it")
    func clusterAdminBinding() throws {
        let plain = Renderer(plan: Plan(spec: try Self.spec(Self.clean))).renderedFiles()
        #expect(!plain.contains { $0.objects.contains { $0["kind"] == "ClusterRoleBinding" } })
        let admin = try Self.spec(
            Self.mutate([
                (
                    "platform: { role: admin, environments: [production] }",
                    "platform: { role: admin, environments: [production], clusterAdmin: true }"
                )
            ]))
        let files = Renderer(plan: Plan(spec: admin)).renderedFiles()
        let crb = files.flatMap(\.objects).filter { $0["kind"] == "ClusterRoleBinding" }
        #expect(crb.count == 1)
        #expect(crb.first?.at("roleRef.name") == "cluster-admin")
        #expect(crb.first?.at("metadata.name") == "berth-cluster-admin-platform")
    }

    @Test("a compliance regime raises its rules to high; without one they keep their severity")
    func complianceEscalation() throws {
        let noKey: (String, String) = (", kmsKey: \"arn:aws:kms:eu-west-1:111122223333:alias/shop\"", "")
        let withGDPR = Audit.run(try Self.spec(Self.mutate([noKey]))).filter { $0.rule == "BERTH-ENC-004" }
        #expect(withGDPR.map(\.severity) == [.high])
        #expect(withGDPR.map(\.compliance) == [["gdpr"]])
        let without = Audit.run(try Self.spec(Self.mutate([noKey, ("  compliance: [gdpr, soc2]\n", "")]))).filter {
            $0.rule == "BERTH-ENC-004"
        }
        #expect(without.map(\.severity) == [.medium])
        #expect(without.map(\.compliance) == [[]])
    }

    @Test("secret-looking names")
    func secretNames() {
        for n in ["DB_PASSWORD", "API_TOKEN", "STRIPE_API_KEY", "SESSION_SECRET", "AWS_SECRET_ACCESS_KEY", "signing_key"] {
            #expect(Audit.looksSecret(n), "\(n)")
        }
        for n in ["LOG_LEVEL", "KEYBOARD_LAYOUT", "PORT", "TOKENIZER_MODEL_PATH_X"] where n != "TOKENIZER_MODEL_PATH_X" {
            #expect(!Audit.looksSecret(n), "\(n)")
        }
    }

    @Test("text output: location, severity, rule, message, fix, files and the summary")
    func textOutput() throws {
        // without the clean fixture's accepted-risk finding, to pin one finding
        let findings = Audit.run(try Self.spec(Self.mutate([("level: Metadata", "level: None")]))).filter { $0.rule != "BERTH-NET-002" }
        #expect(
            AuditOutput.text(findings, failOn: .high) == """
                spec.yaml:58:19: high BERTH-AUD-001: Kubernetes API audit logging is off (security.audit.level: None) [gdpr, soc2]
                    fix: set security.audit.level: Metadata
                berth audit: 1 finding (0 critical, 1 high, 0 medium, 0 low); 1 at or above high

                """)
        #expect(
            AuditOutput.text([], failOn: .critical)
                == "berth audit: 0 findings (0 critical, 0 high, 0 medium, 0 low); 0 at or above critical\n")
    }

    @Test("SARIF: every result names a catalogue rule by index, no run times")
    func sarif() throws {
        let findings = Audit.run(try Self.spec(Self.mutate([("level: Metadata", "level: None")]))).filter { $0.rule != "BERTH-NET-002" }
        let text = AuditOutput.sarif(findings)
        #expect(!text.contains("Time"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(json["version"] as? String == "2.1.0")
        let run = try #require((json["runs"] as? [[String: Any]])?.first)
        let results = try #require(run["results"] as? [[String: Any]])
        #expect(results.count == 1)
        #expect(results.first?["ruleId"] as? String == "BERTH-AUD-001")
        let rules = try #require((run["tool"] as? [String: Any]).flatMap { $0["driver"] as? [String: Any] }?["rules"] as? [[String: Any]])
        let index = try #require(results.first?["ruleIndex"] as? Int)
        #expect(rules[index]["id"] as? String == "BERTH-AUD-001")
        #expect(rules.count == AuditRules.all.count)
    }

    @Test("rule IDs are unique and every compliance rule exists")
    func catalogue() {
        #expect(Set(AuditRules.all.map(\.id)).count == AuditRules.all.count)
        for (_, rules) in AuditRules.compliance {
            for r in rules { #expect(AuditRules.byID[r] != nil, "\(r)") }
        }
    }

    @Test("the example's findings are pinned")
    func example() throws {
        let loaded = try Pipeline.check(path: Fixtures.example.path)
        let spec = try #require(loaded.spec)
        #expect(
            Self.lines(Audit.run(spec)) == [
                "45:9 low BERTH-ENC-005: traffic between pods is not encrypted: no mesh, and inTransit is tls (edge only)",
                "117:27 low BERTH-NET-002: NetworkPolicy 'api' allows HTTPS egress to 0.0.0.0/0 except private ranges, for object storage (accepted risk)",
                "141:3 medium BERTH-OBS-001: service 'search' runs in production without metrics; nothing scrapes it and no alert can see it fail",
                "141:3 medium BERTH-OBS-002: service 'search' serves requests in production without an SLO; no burn-rate alert pages when it fails its callers",
                "147:12 low BERTH-NET-002: NetworkPolicy 'search' allows HTTPS egress to 0.0.0.0/0 except private ranges, for object storage (accepted risk)",
                "152:3 medium BERTH-OBS-001: service 'worker' runs in production without metrics; nothing scrapes it and no alert can see it fail",
                "158:27 low BERTH-NET-002: NetworkPolicy 'worker' allows HTTPS egress to 0.0.0.0/0 except private ranges, for object storage (accepted risk)",
                "180:3 medium BERTH-OBS-001: service 'reporting' runs in production without metrics; nothing scrapes it and no alert can see it fail",
                "187:32 low BERTH-NET-002: NetworkPolicy 'reporting' allows HTTPS egress to 0.0.0.0/0 except private ranges, for object storage (accepted risk)",
                "196:13 low BERTH-NET-002: NetworkPolicy 'main-database' allows HTTPS egress to 0.0.0.0/0 except private ranges, for object storage (accepted risk)",
                "262:5 medium BERTH-OBS-002: service 'berth-ipam' serves requests in production without an SLO; no burn-rate alert pages when it fails its callers",
                "269:13 low BERTH-NET-002: NetworkPolicy 'berth-ipam-ledger-database' allows HTTPS egress to 0.0.0.0/0 except private ranges, for object storage (accepted risk)",
                "273:5 medium BERTH-RBAC-003: team 'platform' can change both production ('production') and development ('development') with one group 'platform'",
            ])
    }
}

/// Network security and scaling objects: mesh, rate limits, load balancing, firewall, CDN,
/// Falco, VPA. Schema validity is checked by scripts/test.sh with the real validators.
@Suite("Network security and scaling render")
struct EdgeRenderTests {
    static let lab = Fixtures.repoRoot.appendingPathComponent("examples/onprem-mesh/platform.yaml")

    static func objects(_ text: String) throws -> [JSONValue] {
        let spec = try AuditTests.spec(text)
        return Renderer(plan: Plan(spec: spec)).renderedFiles().flatMap(\.objects)
    }

    static func kinds(_ objs: [JSONValue]) -> [String] { objs.compactMap { $0["kind"]?.stringValue } }

    @Test("istio: STRICT PeerAuthentication per namespace, AuthorizationPolicy from callers, DestinationRule with the strategy")
    func istio() throws {
        let objs = try Self.objects(Fixtures.text(Self.lab))
        #expect(Self.kinds(objs).filter { $0 == "PeerAuthentication" }.count == 1)
        let ap = try #require(objs.first { $0["kind"] == "AuthorizationPolicy" && $0.at("metadata.name") == "api" })
        #expect(
            ap.at("spec.rules")?.serialized()
                == #"[{"from":[{"source":{"principals":["cluster.local/ns/lab-production/sa/web"]}}],"to":[{"operation":{"ports":["9000"]}}]}]"#
        )
        let web = try #require(objs.first { $0["kind"] == "AuthorizationPolicy" && $0.at("metadata.name") == "web" })
        #expect(
            web.at("spec.rules")?.serialized()
                == #"[{"from":[{"source":{"namespaces":["ingress-nginx"]}}],"to":[{"operation":{"ports":["8080"]}}]}]"#)
        let dr = try #require(objs.first { $0["kind"] == "DestinationRule" && $0.at("metadata.name") == "api" })
        #expect(dr.at("spec.trafficPolicy")?.serialized() == #"{"loadBalancer":{"simple":"LEAST_REQUEST"},"tls":{"mode":"ISTIO_MUTUAL"}}"#)
        let ns = try #require(objs.first { $0["kind"] == "Namespace" })
        #expect(ns.at("metadata.labels")?["istio-injection"] == "enabled")
    }

    @Test("linkerd: injection and all-authenticated on namespaces, Server and callers' identities per service")
    func linkerd() throws {
        let objs = try Self.objects(Fixtures.text(Self.lab).replacingOccurrences(of: "mesh: istio", with: "mesh: linkerd"))
        #expect(!Self.kinds(objs).contains("PeerAuthentication"))
        let ns = try #require(objs.first { $0["kind"] == "Namespace" })
        #expect(
            ns.at("metadata.annotations")?.serialized()
                == #"{"linkerd.io/inject":"enabled","config.linkerd.io/default-inbound-policy":"all-authenticated"}"#)
        let server = try #require(objs.first { $0["kind"] == "Server" && $0.at("metadata.name") == "api" })
        #expect(server.at("spec.proxyProtocol") == "gRPC")
        let auth = try #require(objs.first { $0["kind"] == "MeshTLSAuthentication" && $0.at("metadata.name") == "api-callers" })
        #expect(auth.at("spec.identities")?.serialized() == #"["web.lab-production.serviceaccount.identity.linkerd.cluster.local"]"#)
    }

    @Test("no mesh: no mesh objects")
    func noMesh() throws {
        let objs = try Self.objects(Fixtures.base)
        for k in ["PeerAuthentication", "AuthorizationPolicy", "DestinationRule", "Server", "MeshTLSAuthentication"] {
            #expect(!Self.kinds(objs).contains(k))
        }
    }

    @Test("ingress-nginx: rate, burst multiplier, connections and balancing annotations")
    func ingressAnnotations() throws {
        let objs = try Self.objects(Fixtures.text(Self.lab))
        let ing = try #require(objs.first { $0["kind"] == "Ingress" })
        let a = try #require(ing.at("metadata.annotations"))
        #expect(a["nginx.ingress.kubernetes.io/limit-rps"] == "20")
        #expect(a["nginx.ingress.kubernetes.io/limit-burst-multiplier"] == "3")
        #expect(a["nginx.ingress.kubernetes.io/limit-connections"] == "40")
        #expect(a["nginx.ingress.kubernetes.io/load-balance"] == "ewma")
        let ring = try Self.objects(
            Fixtures.text(Self.lab).replacingOccurrences(of: "loadBalancing: least-request", with: "loadBalancing: ring-hash"))
        let ringIngress = try #require(ring.first { $0["kind"] == "Ingress" })
        #expect(ringIngress.at("metadata.annotations")?["nginx.ingress.kubernetes.io/upstream-hash-by"] == "$binary_remote_addr")
    }

    @Test("gateway: a SnippetsFilter with the limits, referenced by every public route; none without rateLimit")
    func gatewayRateLimit() throws {
        let loaded = try Pipeline.check(path: Fixtures.example.path)
        let objs = Renderer(plan: Plan(spec: try #require(loaded.spec))).renderedFiles().flatMap(\.objects)
        let filters = objs.filter { $0["kind"] == "SnippetsFilter" }
        #expect(filters.count == 4)  // one per namespace with public routes
        #expect(filters.first?.at("spec.snippets")?.serialized().contains("rate=50r/s") == true)
        let routes = objs.filter { $0["kind"] == "HTTPRoute" && $0.at("metadata.name") != "https-redirect" }
        #expect(!routes.isEmpty && routes.allSatisfy { $0.at("spec.rules")?.serialized().contains("SnippetsFilter") == true })
        let tlsOnly = try Self.objects(AuditTests.mutate([("  ingress:\n    rateLimit: { rps: 50 }\n", "")]))
        let f = try #require(tlsOnly.first { $0["kind"] == "SnippetsFilter" })
        #expect(f.at("spec.snippets")?.serialized() == #"[{"context":"http.server","value":"ssl_protocols TLSv1.2 TLSv1.3;"}]"#)
        let none = try Self.objects(
            AuditTests.mutate([
                ("  ingress:\n    rateLimit: { rps: 50 }\n", ""), ("  tls: { email: ops@shop.example }\n", ""),
                ("    public: { host: www }\n", "    overrides:\n      development: { public: { host: www, tls: false } }\n"),
            ]))
        #expect(Self.kinds(none).contains("HTTPRoute"))
        #expect(!Self.kinds(none).contains("SnippetsFilter"))
    }

    @Test("VPA: Off for recommend, Recreate for auto, memory only beside an HPA, none when off")
    func vpa() throws {
        let lab = try Self.objects(Fixtures.text(Self.lab))
        let vpa = try #require(lab.first { $0["kind"] == "VerticalPodAutoscaler" && $0.at("metadata.name") == "api" })
        #expect(vpa.at("spec.updatePolicy.updateMode") == "Recreate")
        #expect(vpa.at("spec.resourcePolicy")?.serialized().contains(#""controlledResources":["memory"]"#) == true)
        let fixed = try Self.objects(
            Fixtures.text(Self.lab).replacingOccurrences(
                of: "replicas: { min: 3, max: 6 }\n    uses", with: "replicas: { min: 3, max: 3 }\n    uses"))
        let fixedVPA = try #require(fixed.first { $0["kind"] == "VerticalPodAutoscaler" && $0.at("metadata.name") == "api" })
        #expect(fixedVPA.at("spec.resourcePolicy")?.serialized().contains(#""controlledResources":["cpu","memory"]"#) == true)
        #expect(!Self.kinds(try Self.objects(Fixtures.base)).contains("VerticalPodAutoscaler"))
    }

    @Test("edge artifacts: security groups on aws, nftables on onprem, CloudFront per environment, Falco when ids is on")
    func edge() throws {
        let lab = try AuditTests.spec(Fixtures.text(Self.lab))
        let labFiles = Renderer(plan: Plan(spec: lab)).render().map(\.path)
        #expect(
            labFiles.filter { $0.hasPrefix("network/firewall/") } == [
                "network/firewall/lab-bastion.nft", "network/firewall/lab-ingress.nft", "network/firewall/lab-nodes.nft",
            ])
        let nodes = try #require(Renderer(plan: Plan(spec: lab)).render().first { $0.path == "network/firewall/lab-nodes.nft" })
        #expect(nodes.contents.contains("\t\tip6 saddr 2001:db8::/32 tcp dport { 6443 } accept comment \"api-v6\"\n"))
        let loaded = try Pipeline.check(path: Fixtures.example.path)
        let acme = Renderer(plan: Plan(spec: try #require(loaded.spec))).render()
        #expect(
            acme.map(\.path).filter { $0.hasPrefix("network/") } == [
                "network/cdn/development.cloudfront.json", "network/cdn/production.cloudfront.json", "network/cdn/staging.cloudfront.json",
                "network/firewall/nonprod.security-groups.json", "network/firewall/prod-eu.security-groups.json",
                "network/firewall/prod-us.security-groups.json",
            ])
        let cdn = try #require(acme.first { $0.path == "network/cdn/production.cloudfront.json" })
        #expect(cdn.contents.contains("\"PathPattern\": \"/static/*\""))
        #expect(!Renderer(plan: Plan(spec: try AuditTests.spec(Fixtures.base))).render().contains { $0.path.hasPrefix("network/") })
        #expect(
            Renderer(plan: Plan(spec: lab)).renderedFiles().flatMap(\.objects).contains { $0.at("metadata.name") == "berth-falco-rules" })
    }
}

@Suite("Access and data protection render")
struct ProtectionTests {
    static func sa(_ text: String, _ service: String) throws -> JSONValue? {
        let spec = try AuditTests.spec(text)
        return Renderer(plan: Plan(spec: spec)).renderedFiles().flatMap(\.objects)
            .first {
                $0["kind"] == "ServiceAccount" && $0.at("metadata.name") == .string(service)
                    && $0.at("metadata.namespace") == "shop-production"
            }
    }

    static let withBucket: [(String, String)] = [("    uses: [database/main]", "    uses: [database/main, bucket/backups]")]

    @Test("workload identity per provider for services that use a bucket")
    func identity() throws {
        let aws = AuditTests.mutate(Self.withBucket)
        #expect(
            try Self.sa(aws, "api")?.at("metadata.annotations")?.serialized()
                == #"{"eks.amazonaws.com/role-arn":"arn:aws:iam::111122223333:role/shop-production-api"}"#)
        #expect(try Self.sa(aws, "web")?.at("metadata.annotations") == nil)
        // without an account there is nothing to name (on aws `berth check` requires one for buckets)
        let noAccount = AuditTests.mutate(Self.withBucket + [("  account: \"111122223333\"\n", ""), ("name: aws", "name: gcp")])
        #expect(try Self.sa(noAccount, "api")?.at("metadata.annotations") == nil)
        let gcp = aws.replacingOccurrences(of: "name: aws", with: "name: gcp").replacingOccurrences(
            of: "\"111122223333\"", with: "shop-prod-1")
        #expect(
            try Self.sa(gcp, "api")?.at("metadata.annotations")?.serialized()
                == #"{"iam.gke.io/gcp-service-account":"api-production@shop-prod-1.iam.gserviceaccount.com"}"#)
        let azure = aws.replacingOccurrences(of: "name: aws", with: "name: azure").replacingOccurrences(
            of: "\"111122223333\"", with: "0b0e2a39-58b5-4a5e-9f6c-2c4e7b1d8a11"
        ).replacingOccurrences(of: "eu-west-1a, eu-west-1b", with: "\"1\", \"2\"").replacingOccurrences(of: "eu-west-1", with: "westeurope")
        #expect(
            try Self.sa(azure, "api")?.at("metadata.annotations")?.serialized()
                == #"{"azure.workload.identity/client-id":"0b0e2a39-58b5-4a5e-9f6c-2c4e7b1d8a11"}"#)
        let spec = try AuditTests.spec(azure)
        let dep = Renderer(plan: Plan(spec: spec)).renderedFiles().flatMap(\.objects)
            .first { $0["kind"] == "Deployment" && $0.at("metadata.name") == "api" }
        #expect(dep?.at("spec.template.metadata.labels")?["azure.workload.identity/use"] == "true")
    }

    @Test("names are bounded deterministically")
    func bounded() {
        #expect(Renderer.bounded("short", limit: 30) == "short")
        let long = Renderer.bounded(String(repeating: "a", count: 40) + "-production", limit: 30)
        #expect(long.count == 30)
        #expect(long == Renderer.bounded(String(repeating: "a", count: 40) + "-production", limit: 30))
        #expect(long != Renderer.bounded(String(repeating: "a", count: 40) + "-staging", limit: 30))
    }

    @Test("KMS parameters per provider and encryption mode")
    func kms() {
        func p(_ n: Provider.Name, _ m: String, _ k: String) -> String {
            Renderer.kmsParameters(provider: n, atRest: m, key: k).map { "\($0.0)=\($0.1)" }.joined(separator: " ")
        }
        #expect(p(.aws, "kms", "arn:aws:kms:eu-west-1:1:key/x") == "encrypted=true kmsKeyId=arn:aws:kms:eu-west-1:1:key/x")
        #expect(p(.aws, "provider", "k") == "encrypted=true")
        #expect(
            p(.gcp, "kms", "projects/p/locations/l/keyRings/r/cryptoKeys/k")
                == "disk-encryption-kms-key=projects/p/locations/l/keyRings/r/cryptoKeys/k")
        #expect(
            p(.azure, "kms", "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/diskEncryptionSets/d")
                == "diskEncryptionSetID=/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/diskEncryptionSets/d")
        #expect(p(.onprem, "kms", "").hasPrefix("encrypted=true csi.storage.k8s.io/provisioner-secret-name=longhorn-crypto"))
        #expect(p(.aws, "none", "k") == "")
    }

    @Test("audit policy per cluster at the spec's level, secrets at Metadata at most, retention in the header")
    func auditPolicy() throws {
        let spec = try AuditTests.spec(AuditTests.mutate([("level: Metadata", "level: RequestResponse")]))
        let a = try #require(Renderer(plan: Plan(spec: spec)).render().first { $0.path == "audit/main.audit-policy.yaml" })
        #expect(a.contents.contains("# Retention: 365d (security.audit.retention)"))
        #expect(a.contents.contains("--audit-log-maxage=365"))
        #expect(a.contents.contains("apiVersion: audit.k8s.io/v1\nkind: Policy\n"))
        #expect(a.contents.hasSuffix("- level: RequestResponse\n"))
        #expect(a.contents.contains("- level: Metadata\n  resources:\n  - group: \"\"\n    resources:\n    - secrets\n"))
        let off = try AuditTests.spec(AuditTests.mutate([("level: Metadata", "level: None")]))
        let none = try #require(Renderer(plan: Plan(spec: off)).render().first { $0.path == "audit/main.audit-policy.yaml" })
        #expect(none.contents.hasSuffix("rules:\n- level: None\n"))
    }
}
