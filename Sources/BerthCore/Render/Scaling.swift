/// Vertical Pod Autoscaler objects and cluster-autoscaler settings.
extension Renderer {
    /// A VerticalPodAutoscaler (autoscaling.k8s.io/v1) per service when
    /// `scaling.verticalPodAutoscaler` is `recommend` (updateMode Off: recommendations only)
    /// or `auto` (updateMode Recreate). A service that also has an HPA scales out on CPU,
    /// so its VPA controls memory only; recommendations never exceed what one node of the
    /// service's pool can hold.
    func verticalPodAutoscaler(_ p: Placement, _ t: Target) -> [JSONValue] {
        let mode = spec.scaling.verticalPodAutoscaler
        guard mode != "off", p.replicas.max > 0 else { return [] }
        var policy: [(String, JSONValue)] = [("containerName", .string(p.service.name))]
        let hasHPA = p.replicas.max > p.replicas.min
        policy.append(("controlledResources", hasHPA ? ["memory"] : ["cpu", "memory"]))
        policy.append(("minAllowed", ["cpu": "10m", "memory": "32Mi"]))
        if let pool = p.pool {
            policy.append(("maxAllowed", [
                "cpu": .string(Quantity.cpuText(milli: pool.allocatableCPUMilli)),
                "memory": .string(Quantity.bytesText(pool.allocatableMemoryBytes / (1 << 20) * (1 << 20))),
            ]))
        }
        return [[
            "apiVersion": "autoscaling.k8s.io/v1", "kind": "VerticalPodAutoscaler",
            "metadata": meta(p.service.name, t.namespace, labels: labels(p, t, withVersion: false)),
            "spec": [
                "targetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": .string(p.service.name)],
                "updatePolicy": ["updateMode": .string(mode == "auto" ? "Recreate" : "Off")],
                "resourcePolicy": ["containerPolicies": [.object(policy)]],
            ],
        ]]
    }
}
