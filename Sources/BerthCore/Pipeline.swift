/// The pipeline in one place: load -> check -> plan -> render.
///
/// ```swift
/// let result = try Pipeline.check(path: "examples/acme/platform.yaml")
/// if !result.diagnostics.hasErrors { let files = Pipeline.render(result.spec!, ipPlan: result.ipPlan) }
/// ```
public enum Pipeline {
    /// berth's version; also the tag of the default team server image.
    public static let version = "0.1.0"

    /// Loads the spec, runs every platform check and plans the address space (pinned by the
    /// lock file beside the spec when there is one). The spec is nil when it did not load.
    ///
    /// `waiving` drops diagnostics with those codes before planning: `berth audit` waives
    /// `plain-secret`, which it reports as the finding BERTH-SEC-002 instead.
    /// `sources` of the result hides secret values (`SecretValues.redactSource`), so the source
    /// lines printed under diagnostics never show a credential.
    public static func check(
        path: String, versionsPath: String? = nil, lockPath: String? = nil,
        waiving: Set<CheckCode> = []
    ) throws -> LoadedSpec {
        let loaded = try Spec.load(path: path, versionsPath: versionsPath)
        let lock = try IPLock.read(at: lockPath ?? IPLock.defaultPath(specPath: path), required: lockPath != nil)
        return finish(loaded, lock: lock, waiving: waiving)
    }

    /// Checks text already in memory (tests, benchmarks).
    public static func check(text: String, file: String, versions: (file: String, text: String)? = nil, lock: IPLock = IPLock())
        -> LoadedSpec
    {
        finish(Spec.load(text: text, file: file, versions: versions), lock: lock)
    }

    static func finish(_ loaded: LoadedSpec, lock: IPLock, waiving: Set<CheckCode> = []) -> LoadedSpec {
        var loaded = loaded
        if let spec = loaded.spec {
            // The plan is resolved once: the checks, the address planner and every later stage
            // (through `Checked`) read this one.
            var plan = StageTimer.measure("plan") { Plan(spec: spec) }
            loaded.diagnostics += StageTimer.measure("checks") { PlatformChecks.run(spec, plan: plan) }.filter {
                !waiving.contains($0.code)
            }
            if !loaded.diagnostics.hasErrors {
                let (ipPlan, diags) = StageTimer.measure("ip plan") { IPPlanner.plan(spec, lock: lock, plan: plan) }
                loaded.diagnostics += diags
                loaded.ipPlan = ipPlan
                plan.ipPlan = ipPlan
                if !loaded.diagnostics.hasErrors { loaded.checked = Checked(plan: plan) }
            }
        }
        // `sources` hides these (and secret-looking keys) when the sources are printed.
        StageTimer.measure("diagnostics") {
            if !loaded.diagnostics.isEmpty { loaded.secretValues = loaded.spec.map(SecretValues.values(in:)) ?? [] }
            loaded.diagnostics = loaded.diagnostics.sortedForDisplay()
        }
        return loaded
    }

    /// A spec that passed `check`, resolved once: the value every later stage (render, docs,
    /// capacity, cost, audit, diff) reads instead of resolving the spec again.
    public struct Checked: Sendable {
        /// The spec resolved per environment and cluster, with the traffic graph's inputs and
        /// the address plan (`plan.ipPlan`).
        public var plan: Plan
        /// The spec itself.
        public var spec: Spec { plan.spec }
        /// The address plan, when the spec planned one.
        public var ipPlan: IPPlan? { plan.ipPlan }

        /// Wraps a plan made from a spec that passed every check.
        public init(plan: Plan) { self.plan = plan }
    }

    /// Every artifact of a checked spec.
    public static func render(_ checked: Checked) -> [Artifact] {
        Renderer(plan: checked.plan, ipPlan: checked.ipPlan).render()
    }

    /// Every artifact of a checked spec.
    public static func render(_ spec: Spec, ipPlan: IPPlan? = nil) -> [Artifact] {
        Renderer(plan: Plan(spec: spec, ipPlan: ipPlan), ipPlan: ipPlan).render()
    }

    /// A render whose objects reference something nothing in the render creates: a defect of
    /// berth, reported with every unresolved reference.
    public struct UnresolvedReferences: Error, Sendable, CustomStringConvertible {
        /// Every unresolved reference found.
        public var problems: [ReferenceCheck.Problem]
        /// An internal-error message listing every unresolved reference.
        public var description: String {
            "internal error: \(problems.count) unresolved reference\(problems.count == 1 ? "" : "s") in the render (a defect of berth; nothing was written):\n"
                + problems.map { "  \($0)" }.joined(separator: "\n")
        }
    }

    /// Every artifact of a checked spec, after the reference check (`ReferenceCheck`).
    public static func renderChecked(_ spec: Spec, ipPlan: IPPlan? = nil, dropping: String? = nil) throws(UnresolvedReferences)
        -> [Artifact]
    {
        try renderChecked(Checked(plan: Plan(spec: spec, ipPlan: ipPlan)), dropping: dropping)
    }

    /// Every artifact of a checked spec, after the reference check (`ReferenceCheck`).
    public static func renderChecked(_ checked: Checked, dropping: String? = nil) throws(UnresolvedReferences) -> [Artifact] {
        let (artifacts, problems) = Renderer(plan: checked.plan, ipPlan: checked.ipPlan).renderVerified(dropping: dropping)
        guard problems.isEmpty else { throw UnresolvedReferences(problems: problems) }
        return artifacts
    }
}
