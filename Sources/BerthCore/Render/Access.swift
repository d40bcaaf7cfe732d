/// Roles, bindings and secret references.
extension Renderer {
    /// The role a team has in an environment: `environments.<env>.access` first, then `security.teams`.
    public static func role(of team: Team, in env: Environment) -> String? {
        if let a = env.access.first(where: { $0.team.value == team.name }) {
            return a.role == "none" ? nil : a.role
        }
        if let envs = team.environments, !envs.contains(where: { $0.value == env.name }) { return nil }
        return team.role
    }

    /// Resources a role covers, by API group. Secrets are readable only by admin.
    static let viewable: [(String, [String])] = [
        ("", ["pods", "pods/log", "services", "endpoints", "configmaps", "events", "persistentvolumeclaims", "serviceaccounts"]),
        ("apps", ["deployments", "replicasets", "statefulsets"]),
        ("autoscaling", ["horizontalpodautoscalers"]),
        ("batch", ["jobs", "cronjobs"]),
        ("policy", ["poddisruptionbudgets"]),
        ("networking.k8s.io", ["networkpolicies", "ingresses"]),
        ("gateway.networking.k8s.io", ["gateways", "httproutes"]),
        ("cert-manager.io", ["certificates"]),
        ("external-secrets.io", ["externalsecrets"]),
    ]

    static let editable: [(String, [String])] = [
        ("", ["pods", "configmaps"]),
        ("apps", ["deployments", "deployments/scale", "statefulsets", "statefulsets/scale"]),
        ("batch", ["jobs", "cronjobs"]),
    ]

    static let readVerbs: JSONValue = ["get", "list", "watch"]
    static let writeVerbs: JSONValue = ["create", "update", "patch", "delete"]
    static let allVerbs: JSONValue = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"]

    static func rules(_ groups: [(String, [String])], verbs: JSONValue) -> [JSONValue] {
        groups.map { g in ["apiGroups": [.string(g.0)], "resources": .array(g.1.map { .string($0) }), "verbs": verbs] }
    }

    func roleRules(_ role: String) -> [JSONValue] {
        switch role {
        case "admin":
            var groups = Renderer.viewable
            groups[0].1 += ["secrets"]
            groups.append(("rbac.authorization.k8s.io", ["roles", "rolebindings"]))
            return Renderer.rules(groups, verbs: Renderer.allVerbs)
        case "edit":
            return Renderer.rules(Renderer.viewable, verbs: Renderer.readVerbs)
                + Renderer.rules(Renderer.editable, verbs: Renderer.writeVerbs)
                + [["apiGroups": [""], "resources": ["pods/portforward"], "verbs": ["create"]]]
        default:
            return Renderer.rules(Renderer.viewable, verbs: Renderer.readVerbs)
        }
    }

    /// Roles for the roles in use here and one RoleBinding per team with access.
    func rbac(_ t: Target) -> [JSONValue] {
        var bindings: [(team: Team, role: String)] = []
        for team in spec.security.teams {
            if let r = Renderer.role(of: team, in: t.environment) { bindings.append((team, r)) }
        }
        var docs: [JSONValue] = []
        for role in ["admin", "edit", "view"] where bindings.contains(where: { $0.role == role }) {
            docs.append([
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                "metadata": meta("berth-\(role)", t.namespace, labels: namespaceLabels(t)),
                "rules": .array(roleRules(role)),
            ])
        }
        for b in bindings {
            docs.append([
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                "metadata": meta("team-\(b.team.name)", t.namespace, labels: namespaceLabels(t)),
                "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": .string("berth-\(b.role)")],
                "subjects": [["apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": .string(b.team.group)]],
            ])
        }
        return docs
    }

    /// A ClusterRoleBinding to cluster-admin for each team with `clusterAdmin: true` (and
    /// only those; `berth audit` flags each as BERTH-RBAC-002).
    func clusterAdminBindings() -> [JSONValue] {
        let labels: JSONValue = ["app.kubernetes.io/part-of": .string(spec.platform), "app.kubernetes.io/managed-by": "berth"]
        return spec.security.teams.filter(\.clusterAdmin).map { team in
            [
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                "metadata": ["name": .string("berth-cluster-admin-\(team.name)"), "labels": labels],
                "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"],
                "subjects": [["apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": .string(team.group)]],
            ]
        }
    }

    /// One ExternalSecret per named secret: a reference into the store, never a value.
    func externalSecrets(_ p: Placement, _ t: Target) -> [JSONValue] {
        guard let store = spec.security.secrets else { return [] }
        let refresh = store.rotateEvery.seconds <= 3600 ? "5m" : "1h"
        return p.service.secrets.map { secret in
            [
                "apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret",
                "metadata": meta(
                    "\(p.service.name)-\(secret)", t.namespace, labels: labels(p, t, withVersion: false),
                    annotations: ["berth.dev/rotate-every": .string(store.rotateEvery.text)]),
                "spec": [
                    "refreshInterval": .string(refresh),
                    "secretStoreRef": ["kind": "ClusterSecretStore", "name": .string(store.store)],
                    "target": ["name": .string("\(p.service.name)-\(secret)"), "creationPolicy": "Owner"],
                    "dataFrom": [["extract": ["key": .string(secretKey(spec.platform, t.environment.name, p.service.name, secret))]]],
                ],
            ]
        }
    }
}
