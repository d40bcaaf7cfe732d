/// Rules over the rendered objects: what would actually be applied to the clusters.
extension AuditContext {
    func object(_ o: JSONValue, file: RenderedFile) -> [Finding] {
        switch o["kind"]?.stringValue {
        case "Deployment", "StatefulSet", "DaemonSet", "CronJob":
            return workload(o, file: file)
        case "Namespace":
            return namespace(o, file: file)
        case "Role", "ClusterRole":
            return roleRules(o, file: file)
        case "NetworkPolicy":
            return networkPolicy(o, file: file)
        default:
            return []
        }
    }

    func serviceLocation(_ file: RenderedFile) -> SourceLocation? {
        file.service.flatMap { spec.service($0)?.location } ?? spec.root.location
    }

    static func isTrue(_ v: JSONValue?) -> Bool { v == .bool(true) }
    static func isFalse(_ v: JSONValue?) -> Bool { v == .bool(false) }

    /// Hardening of every container of a Deployment (or StatefulSet, DaemonSet, CronJob).
    func workload(_ o: JSONValue, file: RenderedFile) -> [Finding] {
        var out: [Finding] = []
        let kind = o["kind"]?.stringValue ?? "Deployment"
        let name = o.at("metadata.name")?.stringValue ?? "?"
        let pod = o.at(kind == "CronJob" ? "spec.jobTemplate.spec.template.spec" : "spec.template.spec")
        let podSC = pod?["securityContext"]
        let loc = serviceLocation(file)
        let what = "\(kind) '\(name)'"
        let objects = [file.path]
        for c in pod?["containers"]?.arrayValue ?? [] {
            let cname = c["name"]?.stringValue ?? "?"
            let sc = c["securityContext"]
            let subject = "\(what) container '\(cname)'"
            if !(Self.isTrue(sc?["runAsNonRoot"]) || (Self.isTrue(podSC?["runAsNonRoot"]) && sc?["runAsNonRoot"] == nil))
                || sc?["runAsUser"] == .int(0) || podSC?["runAsUser"] == .int(0)
            {
                out.append(
                    finding(
                        "BERTH-WKL-001", loc, "\(subject) may run as root (runAsNonRoot is not true)",
                        fix: "set runAsNonRoot: true and a non-zero runAsUser", objects: objects))
            }
            if !Self.isTrue(sc?["readOnlyRootFilesystem"]) {
                out.append(
                    finding(
                        "BERTH-WKL-002", loc, "\(subject) has a writable root filesystem",
                        fix: "set readOnlyRootFilesystem: true and mount an emptyDir where the process writes", objects: objects))
            }
            if !Self.isFalse(sc?["allowPrivilegeEscalation"]) || Self.isTrue(sc?["privileged"]) {
                out.append(
                    finding(
                        "BERTH-WKL-003", loc,
                        "\(subject) allows privilege escalation (allowPrivilegeEscalation is not false, or privileged is true)",
                        fix: "set allowPrivilegeEscalation: false and privileged: false", objects: objects))
            }
            let drops = sc?.at("capabilities.drop")?.arrayValue?.compactMap(\.stringValue) ?? []
            if !drops.contains("ALL") {
                out.append(
                    finding(
                        "BERTH-WKL-004", loc, "\(subject) does not drop ALL capabilities",
                        fix: "set capabilities.drop: [ALL]", objects: objects))
            }
            let profile = sc?.at("seccompProfile.type")?.stringValue ?? podSC?.at("seccompProfile.type")?.stringValue
            if profile != "RuntimeDefault", profile != "Localhost" {
                out.append(
                    finding(
                        "BERTH-WKL-005", loc, "\(subject) runs without a seccomp profile",
                        fix: "set seccompProfile.type: RuntimeDefault", objects: objects))
            }
            let limits = c.at("resources.limits")
            if limits?["cpu"] == nil || limits?["memory"] == nil {
                out.append(
                    finding(
                        "BERTH-WKL-006", loc, "\(subject) has no CPU or memory limit",
                        fix: "set resources.limits.cpu and resources.limits.memory", objects: objects))
            }
            if let image = c["image"]?.stringValue, ImageRef.parse(image)?.digest == nil, spec.delivery.registry?.immutable != true {
                let imageLoc = file.service.flatMap { spec.service($0)?.image.location } ?? loc
                out.append(
                    finding(
                        "BERTH-WKL-009", imageLoc,
                        "\(subject) runs '\(image)' by tag, without a digest, from a registry whose tags are not immutable",
                        fix: "pin a digest in the versions file (tag@sha256:...), or set delivery.registry with immutable: true",
                        objects: objects))
            }
            // A scheduled run is not served, so it has no probes to miss.
            if kind != "CronJob", c["livenessProbe"] == nil || c["readinessProbe"] == nil {
                let svc = file.service ?? name
                out.append(
                    finding(
                        "BERTH-WKL-007", loc, "\(subject) has no liveness or readiness probe",
                        fix: "give services.\(svc) a port with health.live and health.ready paths, or health.command", objects: objects))
            }
        }
        return out
    }

    func namespace(_ o: JSONValue, file: RenderedFile) -> [Finding] {
        let level = o.at("metadata.labels")?["pod-security.kubernetes.io/enforce"]?.stringValue ?? "privileged"
        guard level != "restricted" else { return [] }
        return [
            finding(
                "BERTH-WKL-008", loc("security", "podSecurity"),
                "namespaces enforce the '\(level)' Pod Security Standard, not 'restricted'",
                fix: "set security.podSecurity: restricted", objects: [file.path])
        ]
    }

    func roleRules(_ o: JSONValue, file: RenderedFile) -> [Finding] {
        var out: [Finding] = []
        let name = o.at("metadata.name")?.stringValue ?? "?"
        let kind = o["kind"]?.stringValue ?? "Role"
        for rule in o["rules"]?.arrayValue ?? [] {
            for field in ["verbs", "resources", "apiGroups"] {
                guard rule[field]?.arrayValue?.contains(.string("*")) == true else { continue }
                out.append(
                    finding(
                        "BERTH-RBAC-001", loc("security", "teams"),
                        "\(kind) '\(name)' grants '*' in \(field)",
                        fix: "list the verbs, resources and API groups the role needs", objects: [file.path]))
            }
        }
        return out
    }

    /// Egress to any address: the rule for bucket access is an accepted risk when it is
    /// HTTPS only and excludes the private ranges; anything wider is a finding.
    func networkPolicy(_ o: JSONValue, file: RenderedFile) -> [Finding] {
        var out: [Finding] = []
        let name = o.at("metadata.name")?.stringValue ?? "?"
        for rule in o.at("spec.egress")?.arrayValue ?? [] {
            for peer in rule["to"]?.arrayValue ?? [] {
                guard let cidr = peer.at("ipBlock.cidr")?.stringValue, cidr == "0.0.0.0/0" || cidr == "::/0" else { continue }
                let except = Set(peer.at("ipBlock.except")?.arrayValue?.compactMap(\.stringValue) ?? [])
                let ports = rule["ports"]?.arrayValue ?? []
                let httpsOnly = !ports.isEmpty && ports.allSatisfy { $0["port"] == .int(443) && ($0["protocol"] ?? "TCP") == "TCP" }
                let excludesPrivate = Plan.privateRanges.allSatisfy { except.contains($0) }
                let svc = file.service.flatMap { spec.service($0) }
                // Database files reach object storage for their backups.
                let db = file.database.flatMap { spec.database($0) }
                let useLoc =
                    svc?.uses.first { $0.kind == .bucket }?.location ?? db?.backup?.location ?? db?.location ?? serviceLocation(file)
                if httpsOnly, excludesPrivate {
                    out.append(
                        finding(
                            "BERTH-NET-002", useLoc,
                            "NetworkPolicy '\(name)' allows HTTPS egress to \(cidr) except private ranges, for object storage (accepted risk)",
                            fix:
                                "reach object storage through \(spec.provider.name.privateEndpointWord) or an egress gateway, then this rule can name its addresses",
                            objects: [file.path]))
                } else {
                    out.append(
                        finding(
                            "BERTH-NET-003", useLoc,
                            "NetworkPolicy '\(name)' allows egress to \(cidr)\(httpsOnly ? "" : " on any port")\(excludesPrivate ? "" : " including private ranges")",
                            fix: "restrict egress to the declared edges", objects: [file.path]))
                }
            }
        }
        return out
    }
}
