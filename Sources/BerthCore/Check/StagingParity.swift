/// Staging is production-like: every way a production-like environment (`productionLike`,
/// true by default for tier staging) differs from production, as notes. Notes never fail a check.
extension PlatformChecks {
    /// Notes for every way a production-like environment differs from production; none without a production environment.
    public static func stagingParity(_ spec: Spec, plan: Plan? = nil) -> [Diagnostic] {
        guard let prod = spec.environments.first(where: { $0.tier == .production }) else { return [] }
        let plan = plan ?? Plan(spec: spec)
        /// One placement per environment (the first cluster's; overrides are per environment),
        /// indexed by service once per environment so the lookup is constant time.
        var byEnvironment: [String: [String: Placement]] = [:]
        for t in plan.targets where byEnvironment[t.environment.name] == nil {
            byEnvironment[t.environment.name] = Dictionary(t.placements.map { ($0.service.name, $0) }, uniquingKeysWith: { a, _ in a })
        }
        func placement(_ s: Service, _ env: Environment) -> Placement? { byEnvironment[env.name]?[s.name] }
        func zones(_ env: Environment) -> [String] {
            var out: [String] = []
            for c in env.clusters { for z in spec.cluster(c.value)?.zones ?? [] where !out.contains(z.value) { out.append(z.value) } }
            return out
        }
        var out: [Diagnostic] = []
        for env in spec.environments where env.productionLike && env.tier != .production {
            let lead = "\(env.name) differs from \(prod.name)"
            func note(_ text: String, _ loc: SourceLocation) {
                out.append(Diagnostic(.note, .stagingParity, "\(lead)\(text)", at: loc))
            }
            if env.clusters.count != prod.clusters.count {
                note(
                    ": \(env.clusters.count) cluster\(env.clusters.count == 1 ? "" : "s") (\(prod.name) \(prod.clusters.count))",
                    env.location)
            }
            let za = zones(env)
            let zb = zones(prod)
            if za.count != zb.count {
                note(": \(za.count) zones (\(prod.name) \(zb.count))", env.location)
            }
            if env.dataIsolated != prod.dataIsolated {
                note(
                    ": data \(env.dataIsolated ? "isolated" : "shared") (\(prod.name) \(prod.dataIsolated ? "isolated" : "shared"))",
                    env.location)
            }
            // A pinned service (the team server) runs in one environment by design.
            for s in spec.services where s.pinned == nil {
                let loc = s.override(for: env.name)?.environment.location ?? s.location
                let a = placement(s, env)
                let b = placement(s, prod)
                let svc = " for service '\(s.name)'"
                guard let a, let b else {
                    if (a == nil) != (b == nil) {
                        note("\(svc): enabled \(a != nil) (\(prod.name) \(b != nil))", loc)
                    }
                    continue
                }
                for (text, at) in placementDifferences(s, a, b, env: env, prod: prod, at: loc, spec: spec) { note(svc + text, at) }
            }
        }
        return out
    }

    /// How a service's placement in a production-like environment differs from production, as
    /// note texts (after the service) and where each points.
    private static func placementDifferences(
        _ s: Service, _ a: Placement, _ b: Placement, env: Environment, prod: Environment, at loc: SourceLocation, spec: Spec
    ) -> [(String, SourceLocation)] {
        var notes: [(String, SourceLocation)] = []
        for (field, x, y) in [
            ("replicas.min", a.replicas.min, b.replicas.min), ("replicas.max", a.replicas.max, b.replicas.max),
            ("replicas.cpu", a.replicas.cpu, b.replicas.cpu),
        ] where x != y {
            notes.append((": \(field) \(x) (\(prod.name) \(y))", loc))
        }
        for (field, x, y) in [
            ("resources.cpu", a.resources.cpu, b.resources.cpu), ("resources.memory", a.resources.memory, b.resources.memory),
            ("resources.cpuLimit", a.resources.cpuLimit, b.resources.cpuLimit),
            ("resources.memoryLimit", a.resources.memoryLimit, b.resources.memoryLimit),
        ] where x != y {
            notes.append((": \(field) \(x.text) (\(prod.name) \(y.text))", loc))
        }
        func exposure(_ p: Placement) -> String {
            guard let r = p.publicRoute else { return "not public" }
            return "public at \(r.apex ? "the apex" : r.host) \(r.paths.joined(separator: ","))\(r.tls ? "" : " without TLS")"
        }
        if exposure(a) != exposure(b) {
            notes.append((": \(exposure(a)) (\(prod.name) \(exposure(b)))", loc))
        }
        let envA = Dictionary(a.env, uniquingKeysWith: { _, last in last })
        let envB = Dictionary(b.env, uniquingKeysWith: { _, last in last })
        for k in Set(envA.keys).union(envB.keys).sorted() where envA[k] != envB[k] {
            // Values are printed through SecretValues.printable: a secret never reaches a note.
            let shown = { (v: String?) in v.map { "'\(SecretValues.printable(name: k, value: $0))'" } ?? "unset" }
            notes.append((": env \(k) \(shown(envA[k])) (\(prod.name) \(shown(envB[k])))", loc))
        }
        if a.image != b.image {
            let (_, vloc) = Plan.resolvedImage(s, env: env.name, spec: spec)
            notes.append((": image \(a.image) (\(prod.name) \(b.image))", vloc))
        }
        return notes
    }
}
