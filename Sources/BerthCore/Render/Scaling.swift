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
            policy.append(
                (
                    "maxAllowed",
                    [
                        "cpu": .string(Quantity.cpuText(milli: pool.allocatableCPUMilli)),
                        "memory": .string(Quantity.bytesText(pool.allocatableMemoryBytes / (1 << 20) * (1 << 20))),
                    ]
                ))
        }
        return [
            [
                "apiVersion": "autoscaling.k8s.io/v1", "kind": "VerticalPodAutoscaler",
                "metadata": meta(p.service.name, t.namespace, labels: labels(p, t, withVersion: false)),
                "spec": [
                    "targetRef": ["apiVersion": "apps/v1", "kind": .string(workloadKind(p.service)), "name": .string(p.service.name)],
                    "updatePolicy": ["updateMode": .string(mode == "auto" ? "Recreate" : "Off")],
                    "resourcePolicy": ["containerPolicies": [.object(policy)]],
                ],
            ]
        ]
    }
}

extension Renderer {
    /// The node groups' bounds for the cluster autoscaler, as a ConfigMap
    /// `berth-cluster-autoscaler` in kube-system: `nodes` holds one `--nodes=min:max:group`
    /// flag per pool (group `<cluster>-<pool>`), `node-group-auto-discovery` the provider's
    /// discovery flag (aws: the `k8s.io/cluster-autoscaler/enabled` and
    /// `k8s.io/cluster-autoscaler/<cluster>` ASG tags), and `flags` the settings berth
    /// recommends: balance similar node groups across zones, least-waste expander, and no
    /// scale-down of nodes that run pods with local storage set to false (berth's pods use
    /// only emptyDir scratch space).
    func clusterAutoscalerSettings(_ c: Cluster) -> [JSONValue] {
        guard spec.scaling.clusterAutoscaler, spec.provider.name != .onprem, !providerManagesControlPlaneFiles else { return [] }
        let nodes = c.nodePools.sorted { $0.name < $1.name }.map { "--nodes=\($0.min):\($0.max):\(c.name)-\($0.name)" }
        let discovery: String =
            switch spec.provider.name {
            case .aws: "--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/\(c.name)"
            case .gcp: "--node-group-auto-discovery=mig:namePrefix=gke-\(c.name)-,min=0,max=1000"
            default: ""
            }
        var data: [(String, JSONValue)] = [("nodes", .string(nodes.joined(separator: "\n") + "\n"))]
        if !discovery.isEmpty { data.append(("node-group-auto-discovery", .string(discovery))) }
        data.append(
            (
                "flags",
                "--balance-similar-node-groups=true\n--emit-per-nodegroup-metrics=true\n--expander=least-waste\n--skip-nodes-with-local-storage=false\n"
            ))
        return [
            [
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": [
                    "name": "berth-cluster-autoscaler", "namespace": "kube-system",
                    "labels": ["app.kubernetes.io/part-of": .string(spec.platform), "app.kubernetes.io/managed-by": "berth"],
                ],
                "data": .object(data),
            ]
        ]
    }
}
