/// The on-premises certificate issuers (`security.tls.issuer` `ca` and `vault`) and what
/// their ClusterIssuer needs in cert-manager's namespace, rendered in `<cluster>/_cluster.yaml`
/// next to it. No key material is ever written:
///
/// - `ca`: the ClusterIssuer `ca` signs with the CA in Secret `security.tls.ca.secret`; an
///   ExternalSecret of that name copies it (keys `tls.crt` and `tls.key`) from the secret
///   store entry `<platform>/cert-manager/<secret>`. `berth check` refuses `ca` without
///   `security.secrets`.
/// - `vault`: the ClusterIssuer `vault` signs through Vault's PKI engine at
///   `security.tls.vault.address` and `.path`, logging in with Vault's Kubernetes auth method
///   (mount `kubernetes-<cluster>`, the secret store's, one per cluster) as role
///   `security.tls.vault.role`, with a token cert-manager requests for the ServiceAccount
///   `vault-issuer` (`auth.kubernetes.serviceAccountRef`). As cert-manager documents for
///   `serviceAccountRef`, that ServiceAccount lives in cert-manager's namespace and a Role
///   and RoleBinding allow cert-manager's own ServiceAccount to `create` its
///   `serviceaccounts/token`. The token's audience is cert-manager's default for a
///   ClusterIssuer, `vault://vault`; the Vault role must bind the ServiceAccount and that audience.
extension Renderer {
    /// The ServiceAccount whose tokens cert-manager presents to Vault.
    static let vaultIssuerAccount = "vault-issuer"
    /// cert-manager's own ServiceAccount (the Helm chart's default), which requests the tokens.
    static let certManagerAccount = "cert-manager"

    func vaultIssuer(_ tls: Security.TLS, cluster c: Cluster) -> JSONValue {
        let vault = tls.vault ?? (address: "", path: "pki/sign/\(spec.platform)", role: "cert-manager")
        return [
            "server": .string(vault.address),
            "path": .string(vault.path),
            "auth": [
                "kubernetes": [
                    "role": .string(vault.role),
                    "mountPath": .string("/v1/auth/kubernetes-\(c.name)"),
                    "serviceAccountRef": ["name": .string(Renderer.vaultIssuerAccount)],
                ]
            ],
        ]
    }

    /// The objects the ClusterIssuer of `ca` or `vault` reads, in cert-manager's namespace.
    func issuerSupport(_ tls: Security.TLS) -> [JSONValue] {
        let labels: JSONValue = ["app.kubernetes.io/part-of": .string(spec.platform), "app.kubernetes.io/managed-by": "berth"]
        let ns = Renderer.certManagerNamespace
        switch tls.issuer {
        case "ca":
            guard let store = spec.security.secrets, !tls.caSecret.isEmpty else { return [] }
            return [
                [
                    "apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret",
                    "metadata": ["name": .string(tls.caSecret), "namespace": .string(ns), "labels": labels],
                    "spec": [
                        "refreshInterval": "1h",
                        "secretStoreRef": ["kind": "ClusterSecretStore", "name": .string(store.store)],
                        "target": ["name": .string(tls.caSecret), "creationPolicy": "Owner"],
                        "dataFrom": [["extract": ["key": .string(secretKey(spec.platform, "cert-manager", tls.caSecret))]]],
                    ],
                ]
            ]
        case "vault":
            let account = Renderer.vaultIssuerAccount
            return [
                [
                    "apiVersion": "v1", "kind": "ServiceAccount",
                    "metadata": ["name": .string(account), "namespace": .string(ns), "labels": labels],
                    "automountServiceAccountToken": false,
                ],
                [
                    "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                    "metadata": ["name": .string(account), "namespace": .string(ns), "labels": labels],
                    "rules": [
                        [
                            "apiGroups": [""], "resources": ["serviceaccounts/token"],
                            "resourceNames": [.string(account)], "verbs": ["create"],
                        ]
                    ],
                ],
                [
                    "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                    "metadata": ["name": .string(account), "namespace": .string(ns), "labels": labels],
                    "subjects": [["kind": "ServiceAccount", "name": .string(Renderer.certManagerAccount), "namespace": .string(ns)]],
                    "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": .string(account)],
                ],
            ]
        default:
            return []
        }
    }
}
