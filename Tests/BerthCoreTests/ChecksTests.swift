import BerthCore
import Foundation
import Testing

/// Each platform rule: one spec that passes it, one that fails it, with the message pinned.
@Suite("Platform checks")
struct ChecksTests {
    static func spec(_ text: String, versions: String? = nil) throws -> Spec {
        let loaded = Fixtures.check(text, versions: versions)
        let spec = loaded.spec
        #expect(spec != nil, "spec did not load: \(Fixtures.lines(loaded))")
        return try #require(spec)
    }

    static func messages(_ ds: [Diagnostic]) -> [String] { ds.map { "\($0.severity.rawValue): \($0.message)" } }

    @Test("regions and zones named by clusters exist under provider")
    func regionsAndZones() throws {
        #expect(PlatformChecks.references(try Self.spec(Fixtures.base)).isEmpty)
        let badRegion = try Self.spec(Fixtures.mutate("region: eu-west-1", "region: eu-west-2"))
        #expect(
            Self.messages(PlatformChecks.references(badRegion)) == [
                "error: unknown region 'eu-west-2' in cluster 'main' (regions come from provider.regions); did you mean 'eu-west-1'?"
            ])
        let badZone = try Self.spec(Fixtures.mutate("region: eu-west-1\n", "region: eu-west-1\n    zones: [eu-west-1b, us-east-1a]\n"))
        #expect(
            Self.messages(PlatformChecks.references(badZone)) == [
                "error: unknown zone 'us-east-1a' for region 'eu-west-1'; known: eu-west-1a, eu-west-1b"
            ])
    }

    @Test("a pod's requests must fit one node of its pool")
    func podFits() throws {
        let fits = try Self.spec(Fixtures.mutate("    port: 9000\n", "    port: 9000\n    resources: { cpu: 1500m, memory: 4Gi }\n"))
        #expect(PlatformChecks.podsFitPools(fits).isEmpty)
        let tooBig = try Self.spec(Fixtures.mutate("    port: 9000\n", "    port: 9000\n    resources: { cpu: 500m, memory: 7Gi }\n"))
        #expect(
            Self.messages(PlatformChecks.podsFitPools(tooBig)) == [
                "error: service 'api' in environment 'production' does not fit node pool 'general' of cluster 'main': memory request 7Gi exceeds the 6249Mi allocatable on one m6i.large node (8Gi)"
            ])
    }

    @Test("production needs two replicas, and a warning below the zone count")
    func productionReplicas() throws {
        #expect(PlatformChecks.productionReplicas(try Self.spec(Fixtures.base)).isEmpty)
        let one = try Self.spec(Fixtures.mutate("replicas: { min: 2, max: 4 }\n    talksTo", "replicas: { min: 1, max: 4 }\n    talksTo"))
        #expect(
            Self.messages(PlatformChecks.productionReplicas(one)) == [
                "error: service 'web' runs 1 replica minimum in production environment 'production'; production needs replicas.min of 2 or more, or replicas.waiver with the reason one is enough"
            ])
        let threeZones = try Self.spec(Fixtures.mutate("zones: [eu-west-1a, eu-west-1b]", "zones: [eu-west-1a, eu-west-1b, eu-west-1c]"))
        #expect(
            Self.messages(PlatformChecks.productionReplicas(threeZones)) == [
                "warning: service 'web' runs 2 replicas minimum in 'production' but its clusters span 3 zones; one zone will have no replica",
                "warning: service 'api' runs 2 replicas minimum in 'production' but its clusters span 3 zones; one zone will have no replica",
            ])
    }

    @Test("every service has a version in every environment, never latest")
    func versions() throws {
        #expect(PlatformChecks.versions(try Self.spec(Fixtures.base)).isEmpty)
        let untagged = Fixtures.mutate("web:1.0.0", "web")
        #expect(
            Self.messages(PlatformChecks.versions(try Self.spec(untagged))) == [
                "error: service 'web' has no version for environment 'production'; add a tag to its image or set production.web in the versions file"
            ])
        // the versions file supplies it
        #expect(PlatformChecks.versions(try Self.spec(untagged, versions: "production:\n  web: 1.2.3\n")).isEmpty)
        #expect(
            Self.messages(PlatformChecks.versions(try Self.spec(untagged, versions: "production:\n  web: latest\n"))) == [
                "error: service 'web' uses the moving tag 'latest' in environment 'production'; pin a version or a digest"
            ])
        #expect(
            Self.messages(PlatformChecks.versions(try Self.spec(Fixtures.mutate("web:1.0.0", "web:latest")))) == [
                "error: service 'web' uses the moving tag 'latest'; pin a version (e.g. 1.4.2) or a digest"
            ])
        let digest = "sha256:" + String(repeating: "ab", count: 32)
        #expect(PlatformChecks.versions(try Self.spec(untagged, versions: "production:\n  web: \"\(digest)\"\n")).isEmpty)
        #expect(
            Self.messages(PlatformChecks.versions(try Self.spec(Fixtures.base, versions: "production:\n  wbe: 1.0.0\n"))) == [
                "error: versions file names unknown service 'wbe' in environment 'production'"
            ])
    }

    @Test("every public route in production has TLS")
    func productionTLS() throws {
        let tlsOK =
            Fixtures.mutate("talksTo: [api]", "talksTo: [api]\n    public: { host: www }")
            + "security:\n  tls: { email: ops@shop.example }\n"
        #expect(PlatformChecks.productionTLS(try Self.spec(tlsOK)).isEmpty)
        let noIssuer = Fixtures.mutate("talksTo: [api]", "talksTo: [api]\n    public: { host: www }")
        #expect(
            Self.messages(PlatformChecks.productionTLS(try Self.spec(noIssuer))) == [
                "error: service 'web' is public in production environment 'production' but security.tls is not set, so no certificate can be issued; add security.tls with an issuer and email"
            ])
        let tlsOff =
            Fixtures.mutate("talksTo: [api]", "talksTo: [api]\n    public: { host: www, tls: false }")
            + "security:\n  tls: { email: ops@shop.example }\n"
        #expect(
            Self.messages(PlatformChecks.productionTLS(try Self.spec(tlsOff))) == [
                "error: public route of service 'web' has tls: false in production environment 'production'; production routes must serve HTTPS"
            ])
    }

    @Test("a talksTo edge to a service without a port is an error")
    func talksToPort() throws {
        #expect(PlatformChecks.talksToPorts(try Self.spec(Fixtures.base)).isEmpty)
        let noPort = try Self.spec(Fixtures.mutate("    port: 9000\n", ""))
        #expect(
            Self.messages(PlatformChecks.talksToPorts(noPort)) == [
                "error: service 'web' talks to 'api', which has no port; give 'api' a port or remove the edge"
            ])
    }

    @Test(
        "dangling references name what exists",
        arguments: [
            ("talksTo: [api]", "talksTo: [apl]", "error: unknown service 'apl' in services.web.talksTo; did you mean 'api'?"),
            (
                "talksTo: [api]", "talksTo: [api]\n    uses: [bucket/logs]",
                "error: unknown bucket 'logs' in services.web.uses; none is defined"
            ),
            ("clusters: [main]", "clusters: [mian]", "error: unknown cluster 'mian' in environment 'production'; did you mean 'main'?"),
            (
                "talksTo: [api]", "talksTo: [api]\n    nodePool: batch",
                "error: unknown node pool 'batch' for service 'web' on cluster 'main' (environment 'production'); known: general"
            ),
            (
                "talksTo: [api]", "talksTo: [api]\n    overrides: { prod: { replicas: { min: 3 } } }",
                "error: unknown environment 'prod' in services.web.overrides; known: production"
            ),
            (
                "talksTo: [api]", "talksTo: [api]\n    secrets: [token]",
                "error: service 'web' needs secrets but security.secrets.store is not set; name the external store the secrets come from"
            ),
        ])
    func dangling(old: String, new: String, message: String) throws {
        #expect(Self.messages(PlatformChecks.references(try Self.spec(Fixtures.mutate(old, new)))) == [message])
    }

    @Test("two services cannot claim one host and path")
    func routeConflict() throws {
        let text = Fixtures.mutate("talksTo: [api]", "talksTo: [api]\n    public: { host: www }")
            .replacingOccurrences(of: "    port: 9000\n", with: "    port: 9000\n    public: { host: www }\n")
        #expect(
            Self.messages(PlatformChecks.routes(try Self.spec(text))) == [
                "error: services 'web' and 'api' both route www.shop.example/ in environment 'production'"
            ])
    }

    @Test("image tags follow delivery.registry.tags; digests always pass")
    func tagStrategy() throws {
        let registry = "delivery:\n  registry: { host: registry.shop.example, tags: semver }\n"
        #expect(PlatformChecks.tagStrategy(try Self.spec(Fixtures.base + registry)).isEmpty)
        let pre = try Self.spec(Fixtures.base + registry, versions: "production:\n  web: 1.1.0-rc.1\n")
        #expect(PlatformChecks.tagStrategy(pre).isEmpty)
        let sha = try Self.spec(Fixtures.base + registry, versions: "production:\n  web: 3f9c2ab\n")
        #expect(
            Self.messages(PlatformChecks.tagStrategy(sha)) == [
                "error: service 'web' uses tag '3f9c2ab' in environment 'production', which does not follow delivery.registry.tags 'semver'; expected X.Y.Z with an optional pre-release (e.g. 1.4.2 or 1.5.0-rc.1), or a digest"
            ])
        let digest = "sha256:" + String(repeating: "ab", count: 32)
        #expect(
            PlatformChecks.tagStrategy(try Self.spec(Fixtures.base + registry, versions: "production:\n  web: \"\(digest)\"\n")).isEmpty)
        let gitSha = Fixtures.base + "delivery:\n  registry: { host: registry.shop.example, tags: git-sha }\n"
        #expect(PlatformChecks.tagStrategy(try Self.spec(gitSha, versions: "production:\n  web: 3f9c2ab\n  api: 3f9c2ab41d\n")).isEmpty)
        #expect(
            Self.messages(PlatformChecks.tagStrategy(try Self.spec(gitSha, versions: "production:\n  api: 3f9c2ab41d\n"))) == [
                "error: service 'web' uses tag '1.0.0' in environment 'production', which does not follow delivery.registry.tags 'git-sha'; expected a git commit hash of 7 to 40 lower-case hex digits (e.g. 3f9c2ab), or a digest"
            ])
        let both = Fixtures.base + "delivery:\n  registry: { host: registry.shop.example, tags: semver+sha }\n"
        #expect(
            PlatformChecks.tagStrategy(try Self.spec(both, versions: "production:\n  web: 1.0.0-3f9c2ab\n  api: 2.1.0-3f9c2ab41d\n"))
                .isEmpty)
        #expect(
            Self.messages(
                PlatformChecks.tagStrategy(try Self.spec(both, versions: "production:\n  web: 1.0.0-rc.1\n  api: 2.1.0-3f9c2ab41d\n"))) == [
                    "error: service 'web' uses tag '1.0.0-rc.1' in environment 'production', which does not follow delivery.registry.tags 'semver+sha'; expected X.Y.Z-<sha> or X.Y.Z+<sha> with a 7 to 40 hex digit commit hash (e.g. 1.4.2-3f9c2ab), or a digest"
                ])
        for (tag, ok) in [("1.2.3", true), ("01.2.3", false), ("1.2", false), ("1.2.3-", false), ("1.2.3-rc..1", false), ("v1.2.3", false)]
        {
            #expect(PlatformChecks.tagFollows(tag, strategy: "semver") == ok, "\(tag)")
        }
    }
}
