/// What the checks of the three clouds share: the regions and zones a provider offers, the
/// machine type of each node pool, the node pools a cluster may have, and `infrastructure`'s
/// need of Argo CD. Each provider gives its table and its words; the rule is written once.
extension PlatformChecks {
    /// Findings on `spec.provider.regions` against a provider's table (region name to its zone
    /// letters): a region not in the table (`unknown(region)` says so; the closest known name
    /// is offered), and a zone that is not one of its region's (`zone(region, letter)` spells
    /// one; `badZone(zone, region, zones)` says so). A warning, as the table may fall behind
    /// the cloud; an error with `infrastructure`, which creates networks there.
    static func regionFindings(
        _ spec: Spec, zoneLetters: [String: String], unknown: (String) -> String,
        zone: (String, Character) -> String, badZone: (String, String, [String]) -> String
    ) -> [Diagnostic] {
        var out: [Diagnostic] = []
        func finding(_ message: String, at location: SourceLocation) -> Diagnostic {
            spec.infrastructure == nil ? .warning(.providerRegion, message, at: location) : .error(.infraZone, message, at: location)
        }
        for r in spec.provider.regions {
            guard let letters = zoneLetters[r.name] else {
                var msg = unknown(r.name)
                if let hint = Suggest.closest(r.name, among: zoneLetters.keys.sorted()) { msg += "; did you mean '\(hint)'?" }
                out.append(finding(msg, at: r.location))
                continue
            }
            let zones = letters.map { zone(r.name, $0) }
            for z in r.zones where !zones.contains(z) {
                out.append(finding(badZone(z, r.name, zones), at: r.location))
            }
        }
        return out
    }

    /// `provider-machine` warnings, at each node pool whose machine type `problem` finds fault with.
    static func machineFindings(_ spec: Spec, problem: (String) -> String?) -> [Diagnostic] {
        spec.clusters.flatMap { c in
            c.nodePools.compactMap { p in
                problem(p.machine).map {
                    .warning(
                        .providerMachine, "machine type '\(p.machine)' of node pool '\(p.name)' (cluster '\(c.name)'): \($0)",
                        at: p.location)
                }
            }
        }
    }

    /// The error at a cluster with more node pools than its provider allows (`allows` ends the
    /// message: what the provider allows).
    static func nodePoolLimit(_ c: Cluster, limit: Int, allows: String) -> Diagnostic? {
        guard c.nodePools.count > limit else { return nil }
        return .error(.infraLimit, "cluster '\(c.name)' has \(c.nodePools.count) node pools; \(allows)", at: c.location)
    }

    /// The error when `infrastructure` is set without `delivery.gitops`, on every cloud.
    static func infraNeedsGitOps(_ spec: Spec, infra: Infrastructure) -> [Diagnostic] {
        guard spec.delivery.gitops == nil else { return [] }
        return [
            .error(
                .infraEngine,
                "infrastructure needs delivery.gitops: Argo CD applies the foundation from the repository before the workloads",
                at: infra.location)
        ]
    }
}
