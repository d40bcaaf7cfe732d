/// The pipeline in one place: load -> check -> plan -> render.
///
/// ```swift
/// let result = try Pipeline.check(path: "examples/acme/platform.yaml")
/// if !result.diagnostics.hasErrors { let files = Pipeline.render(result.spec!, ipPlan: result.ipPlan) }
/// ```
public enum Pipeline {
    public static let version = "0.1.0"

    /// Loads the spec, runs every platform check and plans the address space (pinned by the
    /// lock file beside the spec when there is one). The spec is nil when it did not load.
    ///
    /// `waiving` drops diagnostics with those codes before planning: `berth audit` waives
    /// `plain-secret`, which it reports as the finding BERTH-SEC-002 instead.
    /// The sources are returned with secret values hidden (`SecretValues.redactSource`), so the
    /// source lines printed under diagnostics never show a credential.
    public static func check(path: String, versionsPath: String? = nil, lockPath: String? = nil,
                             waiving: Set<String> = []) throws -> LoadedSpec {
        let loaded = try Spec.load(path: path, versionsPath: versionsPath)
        let lock = try IPLock.read(at: lockPath ?? IPLock.defaultPath(specPath: path), required: lockPath != nil)
        return finish(loaded, lock: lock, waiving: waiving)
    }

    /// Checks text already in memory (tests, benchmarks).
    public static func check(text: String, file: String, versions: (file: String, text: String)? = nil, lock: IPLock = IPLock()) -> LoadedSpec {
        finish(Spec.load(text: text, file: file, versions: versions), lock: lock)
    }

    static func finish(_ loaded: LoadedSpec, lock: IPLock, waiving: Set<String> = []) -> LoadedSpec {
        var loaded = loaded
        if let spec = loaded.spec {
            loaded.diagnostics += PlatformChecks.run(spec).filter { !waiving.contains($0.code) }
            if !loaded.diagnostics.hasErrors {
                let (plan, diags) = IPPlanner.plan(spec, lock: lock)
                loaded.diagnostics += diags
                loaded.ipPlan = plan
            }
        }
        // Sources are only printed under diagnostics: without any, there is nothing to hide.
        if !loaded.diagnostics.isEmpty {
            let secrets = loaded.spec.map(SecretValues.values(in:)) ?? []
            loaded.sources = loaded.sources.mapValues { SecretValues.redactSource($0, values: secrets) }
        }
        loaded.diagnostics = loaded.diagnostics.sortedForDisplay()
        return loaded
    }

    /// Every artifact of a checked spec.
    public static func render(_ spec: Spec, ipPlan: IPPlan? = nil) -> [Artifact] {
        Renderer(plan: Plan(spec: spec, ipPlan: ipPlan), ipPlan: ipPlan).render()
    }

    /// A render whose objects reference something nothing in the render creates: a defect of
    /// berth, reported with every unresolved reference.
    public struct UnresolvedReferences: Error, Sendable, CustomStringConvertible {
        public var problems: [ReferenceCheck.Problem]
        public var description: String {
            "internal error: \(problems.count) unresolved reference\(problems.count == 1 ? "" : "s") in the render (a defect of berth; nothing was written):\n"
                + problems.map { "  \($0)" }.joined(separator: "\n")
        }
    }

    /// Every artifact of a checked spec, after the reference check (`ReferenceCheck`).
    public static func renderChecked(_ spec: Spec, ipPlan: IPPlan? = nil, dropping: String? = nil) throws(UnresolvedReferences) -> [Artifact] {
        let (artifacts, problems) = Renderer(plan: Plan(spec: spec, ipPlan: ipPlan), ipPlan: ipPlan).renderVerified(dropping: dropping)
        guard problems.isEmpty else { throw UnresolvedReferences(problems: problems) }
        return artifacts
    }
}
