extension Renderer {
    func localClusterArtifacts() -> [Artifact] { [] }
}
