/// The ClusterSecretStore every ExternalSecret names (`security.secrets.store`), one per
/// cluster in `<cluster>/_cluster.yaml`. It authenticates as the external-secrets operator's
/// own ServiceAccount (`external-secrets` in namespace `external-secrets`, the Helm chart's
/// defaults), so no credential value and no credential Secret is involved:
///
/// - `vault`: `security.secrets.address`, KV version 2 under the mount `secret`, Vault's
///   Kubernetes auth method mounted at `kubernetes-<cluster>` (one mount per cluster, since
///   each cluster signs its own ServiceAccount tokens) with role `security.secrets.role`;
/// - `aws-secrets-manager`: AWS Secrets Manager in the cluster's region, through the
///   ServiceAccount's IAM role (IRSA, JWT auth);
/// - `gcp-secret-manager`: Secret Manager of `provider.account` (the project), through GKE
///   workload identity of the cluster (`clusterLocation` = its region);
/// - `azure-key-vault`: the Key Vault at `security.secrets.address`, through Azure workload
///   identity.
extension Renderer {
    static let externalSecretsNamespace = "external-secrets"
    static let externalSecretsAccount = "external-secrets"

    func clusterSecretStore(_ c: Cluster) -> [JSONValue] {
        guard let store = spec.security.secrets else { return [] }
        let labels: JSONValue = ["app.kubernetes.io/part-of": .string(spec.platform), "app.kubernetes.io/managed-by": "berth"]
        let account: JSONValue = [
            "name": .string(Renderer.externalSecretsAccount), "namespace": .string(Renderer.externalSecretsNamespace),
        ]
        let provider: JSONValue
        switch store.store {
        case "aws-secrets-manager":
            provider = [
                "aws": [
                    "service": "SecretsManager",
                    "region": .string(c.region.value),
                    "auth": ["jwt": ["serviceAccountRef": account]],
                ]
            ]
        case "gcp-secret-manager":
            var gcp: [(String, JSONValue)] = []
            if !spec.provider.account.isEmpty { gcp.append(("projectID", .string(spec.provider.account))) }
            gcp.append(
                (
                    "auth",
                    [
                        "workloadIdentity": [
                            "clusterLocation": .string(c.region.value),
                            "clusterName": .string(c.name),
                            "serviceAccountRef": account,
                        ]
                    ]
                ))
            provider = ["gcpsm": .object(gcp)]
        case "azure-key-vault":
            provider = [
                "azurekv": [
                    "vaultUrl": .string(store.address),
                    "authType": "WorkloadIdentity",
                    "serviceAccountRef": account,
                ]
            ]
        default:
            provider = [
                "vault": [
                    "server": .string(store.address),
                    "path": "secret",
                    "version": "v2",
                    "auth": [
                        "kubernetes": [
                            "mountPath": .string("kubernetes-\(c.name)"),
                            "role": .string(store.role),
                            "serviceAccountRef": account,
                        ]
                    ],
                ]
            ]
        }
        return [
            [
                "apiVersion": "external-secrets.io/v1", "kind": "ClusterSecretStore",
                "metadata": ["name": .string(store.store), "labels": labels],
                "spec": ["provider": provider],
            ]
        ]
    }
}
