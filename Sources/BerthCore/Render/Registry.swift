extension Renderer {
    func registryArtifacts() -> [Artifact] { [] }
}
