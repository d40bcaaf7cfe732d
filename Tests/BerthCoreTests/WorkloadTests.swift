import BerthCore
import Foundation
import Testing

/// Workload kinds: scheduled services (CronJobs).
@Suite("Workload kinds")
struct WorkloadTests {
    /// `base.yaml` plus a nightly job that reads nothing and is called by nobody.
    static let nightly =
        Fixtures.base + """
              report:
                image: registry.shop.example/report:1.0.0
                schedule: "30 3 * * *"
                deadline: 2h
                restartPolicy: Never
                talksTo: [api]

            """

    static func spec(_ text: String) throws -> Spec {
        let loaded = Fixtures.check(text)
        #expect(!loaded.diagnostics.hasErrors, "\(Fixtures.lines(loaded))")
        return try #require(loaded.spec)
    }

    static func objects(_ spec: Spec, service: String) -> [JSONValue] {
        Renderer(plan: Plan(spec: spec)).renderedFiles().filter { $0.service == service }.flatMap(\.objects)
    }

    @Test("a scheduled service renders a CronJob with its account and policy, and no Service, HPA or PDB")
    func cronJob() throws {
        let spec = try Self.spec(Self.nightly)
        let docs = Self.objects(spec, service: "report")
        #expect(docs.compactMap { $0["kind"]?.stringValue } == ["ServiceAccount", "CronJob", "NetworkPolicy"])
        let job = try #require(docs.first { $0["kind"]?.stringValue == "CronJob" })
        #expect(job["apiVersion"]?.stringValue == "batch/v1")
        #expect(job.at("spec.schedule")?.stringValue == "30 3 * * *")
        #expect(job.at("spec.timeZone")?.stringValue == "Etc/UTC")
        #expect(job.at("spec.concurrencyPolicy")?.stringValue == "Forbid")
        #expect(job.at("spec.successfulJobsHistoryLimit")?.intValue == 3)
        #expect(job.at("spec.failedJobsHistoryLimit")?.intValue == 3)
        #expect(job.at("spec.jobTemplate.spec.activeDeadlineSeconds")?.intValue == 7200)
        let pod = try #require(job.at("spec.jobTemplate.spec.template.spec"))
        #expect(pod["restartPolicy"]?.stringValue == "Never")
        #expect(pod["serviceAccountName"]?.stringValue == "report")
        #expect(pod.at("securityContext.runAsNonRoot") == .bool(true))
        let container = try #require(pod["containers"]?.arrayValue?.first)
        #expect(container["livenessProbe"] == nil && container["readinessProbe"] == nil)
        #expect(container.at("securityContext.readOnlyRootFilesystem") == .bool(true))
        // It calls api; nothing calls it.
        let policy = try #require(docs.first { $0["kind"]?.stringValue == "NetworkPolicy" })
        #expect(policy.at("spec.ingress")?.arrayValue?.isEmpty == true)
        #expect(policy.at("spec.egress")?.arrayValue?.contains { $0.at("ports")?.arrayValue?.first?["port"]?.intValue == 9000 } == true)
    }

    @Test("the default deadline is one hour and the default restart policy OnFailure")
    func defaults() throws {
        let text = Self.nightly.replacingOccurrences(of: "    deadline: 2h\n    restartPolicy: Never\n", with: "")
        let job = try #require(Self.objects(try Self.spec(text), service: "report").first { $0["kind"]?.stringValue == "CronJob" })
        #expect(job.at("spec.jobTemplate.spec.activeDeadlineSeconds")?.intValue == 3600)
        #expect(job.at("spec.jobTemplate.spec.template.spec.restartPolicy")?.stringValue == "OnFailure")
    }

    @Test("production replica rules do not apply to a scheduled service")
    func noReplicaRules() throws {
        let spec = try Self.spec(Self.nightly)
        #expect(PlatformChecks.productionReplicas(spec).isEmpty)
        #expect(PlatformChecks.run(spec).filter { $0.severity != .note }.isEmpty)
    }

    @Test("check refuses a scheduled service that is public, has a port or volumes, or is called")
    func refusals() throws {
        let text = Self.nightly.replacingOccurrences(
            of: "    restartPolicy: Never\n    talksTo: [api]\n",
            with: """
                    restartPolicy: Never
                    talksTo: [api]
                    port: 8080
                    public: { host: report }
                    volumes: { data: { size: 1Gi, path: /data } }

                """
        ).replacingOccurrences(of: "    talksTo: [api]\n  api:", with: "    talksTo: [api, report]\n  api:")
        let loaded = Fixtures.check(text)
        #expect(
            Fixtures.lines(loaded).filter { $0.contains("schedule") } == [
                "spec.yaml:19:20: error: service 'web' lists 'report' in talksTo, but 'report' runs on a schedule (a CronJob) and takes no calls; remove it from talksTo",
                "spec.yaml:30:11: error: service 'report' runs on a schedule (a CronJob) and takes no calls, so it cannot have a port; remove port or schedule",
                "spec.yaml:31:13: error: service 'report' runs on a schedule (a CronJob) and takes no calls, so it cannot have a public route; remove public or schedule",
                "spec.yaml:32:14: error: service 'report' runs on a schedule (a CronJob) and cannot have volumes (they make a StatefulSet); keep its data in a database or bucket, or remove schedule",
            ])
    }

    @Test("the audit reads a CronJob's pod and does not ask it for probes")
    func audit() throws {
        let rules = Audit.run(try Self.spec(Self.nightly)).filter { $0.message.hasPrefix("CronJob 'report'") }.map(\.rule)
        // The image is a tag from a registry without immutable tags: found in the job's pod.
        #expect(rules == ["BERTH-WKL-009"])
    }
}

/// A written waiver for a single production replica.
@Suite("Replica waiver")
struct ReplicaWaiverTests {
    static let waived = Fixtures.mutate(
        "    port: 9000\n    replicas: { min: 2, max: 4 }\n",
        "    port: 9000\n    replicas:\n      min: 1\n      max: 1\n      waiver: \"holds the partner's single SFTP session\"\n")

    @Test("check reports a waived single replica as a note, located at the waiver")
    func note() throws {
        let loaded = Fixtures.check(Self.waived)
        #expect(!loaded.diagnostics.hasErrors, "\(Fixtures.lines(loaded))")
        #expect(
            Fixtures.lines(loaded).filter { $0.contains("waiver") } == [
                "spec.yaml:26:15: note: service 'api' runs 1 replica minimum in production environment 'production' under a waiver (replicas.waiver): holds the partner's single SFTP session"
            ])
    }

    @Test("the audit reports the waived replica as a finding")
    func audit() throws {
        let spec = try #require(Fixtures.check(Self.waived).spec)
        let f = Audit.run(spec).filter { $0.rule.hasPrefix("BERTH-HA-") }
        #expect(
            f.map { "\($0.location.map { "\($0.line):\($0.column)" } ?? "-") \($0.severity.rawValue) \($0.message)" } == [
                "26:15 medium service 'api' runs one replica in production environment 'production' under a waiver (holds the partner's single SFTP session): losing its node or zone stops the service"
            ])
    }

    @Test("without a waiver, or with a blank one, one replica stays an error; zero is never waived")
    func stillErrors() throws {
        let blank = Fixtures.check(Self.waived.replacingOccurrences(of: "\"holds the partner's single SFTP session\"", with: "\"  \""))
        #expect(
            Fixtures.lines(blank).filter { $0.contains("error") } == [
                "spec.yaml:24:7: error: service 'api' runs 1 replica minimum in production environment 'production'; production needs replicas.min of 2 or more, or replicas.waiver with the reason one is enough"
            ])
        let zero = Fixtures.check(Self.waived.replacingOccurrences(of: "      min: 1\n", with: "      min: 0\n"))
        #expect(
            Fixtures.lines(zero).filter { $0.contains("error") } == [
                "spec.yaml:24:7: error: service 'api' runs 0 replicas minimum in production environment 'production'; production needs replicas.min of 2 or more (a replicas.waiver allows 1, never 0)"
            ])
    }

    @Test("a waiver on a service that runs two replicas is a warning")
    func unused() throws {
        let text = Self.waived.replacingOccurrences(of: "      min: 1\n      max: 1\n", with: "      min: 2\n      max: 2\n")
        #expect(
            Fixtures.lines(Fixtures.check(text)).filter { $0.contains("waiver") } == [
                "spec.yaml:26:15: warning: service 'api' has a replicas.waiver but runs 2 replicas minimum in production environment 'production'; remove the waiver"
            ])
    }
}

/// TCP and UDP exposure to partner ranges through a LoadBalancer Service.
@Suite("Partner exposure")
struct PartnerExposureTests {
    static let partner =
        Fixtures.base.replacingOccurrences(
            of: "clusters:\n",
            with: """
                network:
                  firewall:
                    - { name: partner-hl7, from: 198.51.100.0/24, ports: [2575], to: service/hl7 }
                    - { name: partner-syslog, from: 192.0.2.0/24, ports: [514], protocol: udp, to: service/syslog }
                clusters:

                """) + """
              hl7:
                image: registry.shop.example/hl7:1.0.0
                port: 2575
                protocol: tcp
                replicas: { min: 2, max: 2 }
                expose: { from: [198.51.100.0/24], scope: external }
              syslog:
                image: registry.shop.example/syslog:1.0.0
                port: 514
                protocol: udp
                replicas: { min: 2, max: 2 }
                health: { command: [/bin/true] }
                expose: { from: [192.0.2.0/24] }

            """

    @Test("expose renders a LoadBalancer Service with the source ranges and the matching NetworkPolicy ingress")
    func loadBalancer() throws {
        let loaded = Fixtures.check(Self.partner)
        #expect(!loaded.diagnostics.hasErrors, "\(Fixtures.lines(loaded))")
        let spec = try #require(loaded.spec)
        let files = Renderer(plan: Plan(spec: spec)).renderedFiles()
        func objects(_ s: String) -> [JSONValue] { files.filter { $0.service == s }.flatMap(\.objects) }
        let lb = try #require(objects("syslog").first { $0.at("spec.type")?.stringValue == "LoadBalancer" })
        #expect(lb.at("metadata.name")?.stringValue == "syslog-partner")
        #expect(lb.at("spec.loadBalancerSourceRanges") == ["192.0.2.0/24"])
        #expect(lb.at("spec.externalTrafficPolicy")?.stringValue == "Local")
        #expect(lb.at("spec.ports")?.arrayValue?.first?["protocol"]?.stringValue == "UDP")
        #expect(lb.at("metadata.annotations")?["service.beta.kubernetes.io/aws-load-balancer-scheme"]?.stringValue == "internal")
        #expect(
            lb.at("metadata.annotations")?["service.beta.kubernetes.io/aws-load-balancer-security-groups"]?.stringValue
                == "shop-main-service-syslog")
        let hl7 = try #require(objects("hl7").first { $0.at("spec.type")?.stringValue == "LoadBalancer" })
        #expect(hl7.at("metadata.annotations")?["service.beta.kubernetes.io/aws-load-balancer-scheme"]?.stringValue == "internet-facing")
        let policy = try #require(objects("syslog").first { $0["kind"]?.stringValue == "NetworkPolicy" })
        #expect(
            policy.at("spec.ingress") == [["from": [["ipBlock": ["cidr": "192.0.2.0/24"]]], "ports": [["protocol": "UDP", "port": 514]]]])
        let container = try #require(
            objects("syslog").first { $0["kind"]?.stringValue == "Deployment" }?.at("spec.template.spec.containers")?.arrayValue?.first)
        #expect(container["ports"] == [["name": "udp", "containerPort": 514, "protocol": "UDP"]])
    }

    @Test("network.firewall can target a service: one security group per service and cluster")
    func firewall() throws {
        let spec = try #require(Fixtures.check(Self.partner).spec)
        let sg = try #require(Renderer(plan: Plan(spec: spec)).render().first { $0.path == "network/firewall/main.security-groups.json" })
        #expect(sg.contents.contains("\"GroupName\": \"shop-main-service-hl7\""))
        #expect(sg.contents.contains("\"GroupName\": \"shop-main-service-syslog\""))
        #expect(sg.contents.contains("\"IpProtocol\": \"udp\""))
    }

    @Test("check refuses a firewall rule the service would drop, and UDP behind the gateway")
    func refusals() throws {
        let bad = Self.partner
            .replacingOccurrences(of: "from: 198.51.100.0/24, ports: [2575]", with: "from: 198.51.101.0/24, ports: [2575]")
            .replacingOccurrences(of: "ports: [514], protocol: udp, to", with: "ports: [515], to")
            .replacingOccurrences(of: "    protocol: udp\n", with: "    protocol: udp\n    public: { host: syslog }\n")
        let lines = Fixtures.lines(Fixtures.check(bad)).filter { $0.contains("firewall") || $0.contains("udp") }
        #expect(
            lines == [
                "spec.yaml:9:34: error: network.firewall 'partner-hl7' admits 198.51.101.0/24 to service 'hl7', but services.hl7.expose.from does not list it, so the load balancer and NetworkPolicy would drop that traffic; add it to expose.from",
                "spec.yaml:10:69: error: network.firewall 'partner-syslog' opens 515/tcp to service 'syslog', which serves 514/udp; set ports: [514] and protocol: udp",
                "spec.yaml:38:13: error: service 'syslog' uses protocol udp, which the gateway cannot route; reach partners through expose instead of public",
            ])
        let unknown = Fixtures.lines(Fixtures.check(Self.partner.replacingOccurrences(of: "to: service/hl7", with: "to: service/web")))
        #expect(unknown.contains { $0.hasPrefix("spec.yaml:9:70: error: unknown firewall target 'service/web'") })
    }
}
