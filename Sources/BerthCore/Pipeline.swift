/// The pipeline in one place: load -> check -> plan -> render.
///
/// ```swift
/// let result = try Pipeline.check(path: "examples/acme/platform.yaml")
/// if !result.diagnostics.hasErrors { let files = Pipeline.render(result.spec!) }
/// ```
public enum Pipeline {
    public static let version = "0.1.0"

    /// Loads the spec and runs every platform check; the spec is nil when it did not load.
    public static func check(path: String, versionsPath: String? = nil) throws -> LoadedSpec {
        var loaded = try Spec.load(path: path, versionsPath: versionsPath)
        if let spec = loaded.spec {
            loaded.diagnostics += PlatformChecks.run(spec)
        }
        loaded.diagnostics = loaded.diagnostics.sortedForDisplay()
        return loaded
    }

    /// Checks text already in memory (tests, benchmarks).
    public static func check(text: String, file: String, versions: (file: String, text: String)? = nil) -> LoadedSpec {
        var loaded = Spec.load(text: text, file: file, versions: versions)
        if let spec = loaded.spec {
            loaded.diagnostics += PlatformChecks.run(spec)
        }
        loaded.diagnostics = loaded.diagnostics.sortedForDisplay()
        return loaded
    }

    /// Every artifact of a checked spec.
    public static func render(_ spec: Spec) -> [Artifact] {
        Renderer(plan: Plan(spec: spec)).render()
    }
}
