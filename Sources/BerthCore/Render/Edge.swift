/// Artifacts outside Kubernetes: edge firewall, CDN. Filled in by the network-security renderer.
extension Renderer {
    func edgeArtifacts() -> [Artifact] { [] }
}
