import Foundation
import Testing

@testable import BerthCore

@Suite("berth diff")
struct DiffTests {
    static let text = Fixtures.text(Fixtures.example)
    static let versions = Fixtures.text(Fixtures.example.deletingLastPathComponent().appendingPathComponent("versions.yaml"))

    static func files(_ spec: String, versions: String? = versions) throws -> [String: String] {
        let l = Fixtures.check(spec, versions: versions)
        #expect(!l.diagnostics.hasErrors, "\(Fixtures.lines(l))")
        var out: [String: String] = [:]
        for a in Pipeline.render(try #require(l.spec), ipPlan: l.ipPlan) where PlatformDiff.isCompared(a.path) { out[a.path] = a.contents }
        return out
    }

    /// The text report of the example against the example with one edit.
    /// acme without its cloud foundation: workload identities are IRSA annotations.
    static let withoutInfrastructure = text.replacingOccurrences(of: "infrastructure:\n  engine: crossplane\n", with: "")

    static func report(_ old: String, _ new: String, in base: String = text, versions: String? = versions) throws -> [String] {
        precondition(base.contains(old), "anchor not found: \(old)")
        let changes = try PlatformDiff.compare(
            old: files(base, versions: versions), new: files(base.replacingOccurrences(of: old, with: new), versions: versions))
        return PlatformDiff.text(changes).split(separator: "\n").map(String.init)
    }

    /// Expects the report of `base` against `base` with `old` replaced by `new` to hold a line
    /// that starts with `prefix` (the class, the change and its object) and contains `reason`.
    static func expectChange(
        _ old: String, _ new: String, in base: String = text, versions: String? = versions, _ prefix: String, _ reason: String,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws {
        let lines = try report(old, new, in: base, versions: versions)
        #expect(lines.contains { $0.hasPrefix(prefix) && $0.contains(reason) }, "\(lines)", sourceLocation: sourceLocation)
    }

    @Test("the same spec: no changes")
    func same() throws {
        #expect(try PlatformDiff.compare(old: Self.files(Self.text), new: Self.files(Self.text)).isEmpty)
    }

    @Test("safe: more replicas")
    func safe() throws {
        let r = try Self.report("    replicas: { min: 3, max: 20, cpu: 70 }", "    replicas: { min: 4, max: 20, cpu: 70 }")
        #expect(
            r == [
                "safe: changed prod-eu/acme-production/Deployment/web: spec.replicas",
                "safe: changed prod-eu/acme-production/HorizontalPodAutoscaler/web: spec.minReplicas",
                "safe: changed prod-us/acme-production/Deployment/web: spec.replicas",
                "safe: changed prod-us/acme-production/HorizontalPodAutoscaler/web: spec.minReplicas",
                "4 changes: 4 safe, 0 disruptive, 0 security-sensitive",
            ])
    }

    @Test("disruptive: a StatefulSet's claim template and a database's storage")
    func disruptive() throws {
        let r = try Self.report("volumes: { index: { size: 20Gi", "volumes: { index: { size: 30Gi")
        #expect(
            r.contains(
                "disruptive: changed prod-eu/acme-production/StatefulSet/search: spec.volumeClaimTemplates[0].spec.resources.requests.storage (StatefulSet volumeClaimTemplates are immutable)"
            ))
        let db = try Self.report("storage: { size: 100Gi, class: fast }", "storage: { size: 50Gi, class: fast }")
        #expect(
            db.contains(
                "disruptive: changed prod-eu/acme-production/Cluster/main: spec.storage.size, spec.walStorage.size (database storage shrinks from 100Gi to 50Gi; database WAL storage shrinks from 25Gi to 12800Mi)"
            ))
        // growing a database volume is allowed
        let grow = try Self.report("storage: { size: 100Gi, class: fast }", "storage: { size: 200Gi, class: fast }")
        #expect(grow.allSatisfy { !$0.hasPrefix("disruptive") }, "\(grow)")
    }

    @Test("security-sensitive: a new talksTo edge, Pod Security, RBAC, TLS, bucket policy")
    func security() throws {
        let edge = try Self.report("    talksTo: [api, search]", "    talksTo: [api, search, payments]")
        #expect(
            edge.contains(
                "security-sensitive: changed prod-eu/acme-production/NetworkPolicy/payments: spec.ingress[0].from (NetworkPolicy allows new ingress peers or ports)"
            ))
        #expect(
            edge.contains(
                "security-sensitive: changed prod-eu/acme-production/NetworkPolicy/web: spec.egress (NetworkPolicy allows new egress peers or ports)"
            ))
        let pss = try Self.report("podSecurity: restricted", "podSecurity: baseline")
        #expect(
            pss.contains {
                $0.hasPrefix(
                    "security-sensitive: changed prod-eu/Namespace/acme-production: metadata.labels.pod-security.kubernetes.io/enforce")
                    && $0.contains("(Pod Security enforce loosened from restricted to baseline;")
            })
        let rbac = try Self.report("    oncall:     { role: view, environments: all }", "    oncall:     { role: edit, environments: all }")
        #expect(rbac.contains("security-sensitive: added prod-eu/acme-production/Role/berth-edit (new Role with 96 permissions)"))
        #expect(
            rbac.contains(
                "security-sensitive: changed prod-eu/acme-production/RoleBinding/team-oncall: roleRef.name (binding points at another role)"
            ))
        let tls = try Self.report(
            "      staging: { replicas: { min: 2, max: 6 } }",
            "      staging: { replicas: { min: 2, max: 6 }, public: { host: api, paths: [\"/v1\"], tls: false } }")
        #expect(
            tls == [
                "security-sensitive: removed nonprod/acme-staging/Certificate/api-tls (TLS certificate removed)",
                "security-sensitive: changed nonprod/acme-staging/Gateway/acme: spec.listeners (TLS removed from listener for api.staging.acme.example)",
                "security-sensitive: changed nonprod/acme-staging/HTTPRoute/api: spec.parentRefs[0].sectionName (route no longer attached to an HTTPS listener)",
                "safe: changed nonprod/acme-staging/HTTPRoute/https-redirect: spec.hostnames",
                "safe: changed network/cdn/staging.cloudfront.json: CacheBehaviors.Items, CacheBehaviors.Quantity, Origins.Items, Origins.Quantity",
                "5 changes: 2 safe, 0 disruptive, 3 security-sensitive",
            ])
        let bucket = try Self.report("uses: [bucket/uploads:read]", "uses: [bucket/uploads]")
        #expect(
            bucket.contains(
                "security-sensitive: changed buckets/production/uploads.policy.json: Statement (bucket policy allows more (4 new grants))"))
    }

    @Test("security-sensitive: a read-only bucket user that may now write, on Google Cloud (bucket IAM) and Azure (role assignments)")
    func bucketGrants() throws {
        for (example, file, reason) in [
            (
                "gcp", "buckets/production/documents.iam.json",
                "bucket IAM grants more (roles/storage.objectUser to serviceAccount:search-production@harbour-prod.iam.gserviceaccount.com)"
            ),
            (
                "azure", "buckets/production/contosoproduction.storage-account.json",
                "storage account grants more (Storage Blob Data Contributor to contoso-production-search on contoso-production-documents)"
            ),
        ] {
            let base = Fixtures.text(Fixtures.repoRoot.appendingPathComponent("examples/\(example)/platform.yaml"))
            let lines = try Self.report("    uses: [bucket/documents:read]\n", "    uses: [bucket/documents]\n", in: base, versions: nil)
            let line = try #require(lines.first { $0.contains(" changed \(file):") }, "\(lines)")
            #expect(line.hasPrefix("security-sensitive: "), "\(line)")
            #expect(line.contains(reason), "\(line)")
        }
    }

    @Test("securityContext and Service rules on objects")
    func objects() {
        let before: JSONValue = [
            "kind": "Deployment",
            "spec": [
                "template": [
                    "spec": [
                        "securityContext": ["runAsNonRoot": true],
                        "containers": [
                            ["name": "c", "securityContext": ["allowPrivilegeEscalation": false, "capabilities": ["drop": ["ALL"]]]]
                        ],
                    ]
                ]
            ],
        ]
        let after: JSONValue = [
            "kind": "Deployment",
            "spec": [
                "template": [
                    "spec": [
                        "securityContext": ["runAsNonRoot": false],
                        "containers": [
                            ["name": "c", "securityContext": ["allowPrivilegeEscalation": true, "capabilities": ["drop": []]]]
                        ],
                    ]
                ]
            ],
        ]
        let (risks, reasons) = PlatformDiff.classifyChanged(before, after)
        #expect(risks == [.securitySensitive])
        #expect(
            reasons == [
                "pod securityContext.runAsNonRoot no longer true", "container c securityContext.allowPrivilegeEscalation no longer false",
                "container c no longer drops ALL",
            ])
        let svc: JSONValue = ["kind": "Service", "spec": ["type": "ClusterIP"]]
        #expect(
            PlatformDiff.classifyChanged(svc, ["kind": "Service", "spec": ["type": "LoadBalancer"]]).1 == ["Service spec.type changes"])
        let sc: JSONValue = ["kind": "StorageClass", "provisioner": "ebs.csi.aws.com", "parameters": ["type": "gp3"]]
        #expect(PlatformDiff.classifyChanged(sc, sc.setting("parameters", ["type": "io2"])).0 == [.disruptive])
        let sel: JSONValue = ["kind": "Deployment", "spec": ["selector": ["matchLabels": ["a": "b"]]]]
        #expect(
            PlatformDiff.classifyChanged(sel, ["kind": "Deployment", "spec": ["selector": ["matchLabels": ["a": "c"]]]]).1 == [
                "Deployment spec.selector is immutable"
            ])
    }
}
