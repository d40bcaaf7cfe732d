/// Access and data protection: workload identities, KMS parameters, TLS minimum version and
/// the Kubernetes API audit policy.
extension Renderer {
    /// A name of at most `limit` characters: `text` when it fits, else a prefix and an
    /// 8-hex-digit FNV-1a hash of the whole, so it stays unique and deterministic.
    static func bounded(_ text: String, limit: Int) -> String {
        guard text.count > limit else { return text }
        var h: UInt32 = 0x811C_9DC5
        for b in text.utf8 { h = (h ^ UInt32(b)) &* 0x0100_0193 }
        let hex = String(h, radix: 16)
        let suffix = String(repeating: "0", count: 8 - hex.count) + hex
        var prefix = String(text.prefix(limit - 9))
        while prefix.hasSuffix("-") { prefix.removeLast() }
        return prefix + "-" + suffix
    }

    /// The cloud identity a service's ServiceAccount is bound to, when the service uses a
    /// bucket and `provider.account` is set: (annotation key, value).
    public func workloadIdentity(service: String, environment: String) -> (String, String)? {
        guard let s = spec.service(service), s.uses.contains(where: { $0.kind == .bucket }) else { return nil }
        let account = spec.provider.account
        guard !account.isEmpty else { return nil }
        switch spec.provider.name {
        case .aws:
            let role = Renderer.bounded("\(spec.platform)-\(environment)-\(service)", limit: 64)
            return ("eks.amazonaws.com/role-arn", "arn:aws:iam::\(account):role/\(role)")
        case .gcp:
            let name = Renderer.bounded("\(service)-\(environment)", limit: 30)
            return ("iam.gke.io/gcp-service-account", "\(name)@\(account).iam.gserviceaccount.com")
        case .azure:
            return ("azure.workload.identity/client-id", account)
        case .onprem:
            return nil
        }
    }

    /// StorageClass `parameters` that encrypt volumes at rest with the spec's key, for each
    /// provider's CSI driver: aws EBS (`encrypted`, `kmsKeyId`), gcp PD
    /// (`disk-encryption-kms-key`), azure disk (`diskEncryptionSetID`, a disk encryption set
    /// wrapping the key), onprem Longhorn (`encrypted`; the key comes from the secret named
    /// by the CSI secret parameters). `atRest: provider` gives the provider's default key
    /// (aws: `encrypted` only; gcp and azure encrypt by default); `none` gives nothing.
    /// Buckets take the same key as their server-side encryption key.
    public static func kmsParameters(provider: Provider.Name, atRest: String, key: String) -> [(String, String)] {
        switch (atRest, provider) {
        case ("none", _): return []
        case ("provider", .aws), ("provider", .onprem): return [("encrypted", "true")]
        case ("provider", _): return []
        case (_, .aws): return [("encrypted", "true")] + (key.isEmpty ? [] : [("kmsKeyId", key)])
        case (_, .gcp): return key.isEmpty ? [] : [("disk-encryption-kms-key", key)]
        case (_, .azure): return key.isEmpty ? [] : [("diskEncryptionSetID", key)]
        case (_, .onprem):
            return [("encrypted", "true"),
                    ("csi.storage.k8s.io/provisioner-secret-name", "longhorn-crypto"),
                    ("csi.storage.k8s.io/provisioner-secret-namespace", "longhorn-system"),
                    ("csi.storage.k8s.io/node-publish-secret-name", "longhorn-crypto"),
                    ("csi.storage.k8s.io/node-publish-secret-namespace", "longhorn-system"),
                    ("csi.storage.k8s.io/node-stage-secret-name", "longhorn-crypto"),
                    ("csi.storage.k8s.io/node-stage-secret-namespace", "longhorn-system")]
        }
    }

    /// nginx's `ssl_protocols` for `security.tls.minVersion`.
    var sslProtocols: String { spec.security.tls?.minVersion == "1.3" ? "TLSv1.3" : "TLSv1.2 TLSv1.3" }

    /// The Kubernetes API audit policy (audit.k8s.io/v1) for a cluster at
    /// `security.audit.level`, written to `audit/<cluster>.audit-policy.yaml` for the API
    /// server's `--audit-policy-file`. Health and metrics endpoints and kube-proxy's
    /// watches are not logged; Secrets, ConfigMaps and token reviews are logged at most at
    /// Metadata so their contents never reach the log. The header states the retention.
    func auditPolicy(_ c: Cluster) -> Artifact {
        let level = spec.security.auditLevel
        var rules: [JSONValue] = []
        if level != "None" {
            rules.append(["level": "None", "users": ["system:kube-proxy"], "verbs": ["watch"],
                          "resources": [["group": "", "resources": ["endpoints", "services", "services/status"]]]])
            rules.append(["level": "None", "nonResourceURLs": ["/healthz*", "/readyz*", "/livez*", "/version", "/metrics"]])
            rules.append(["level": "Metadata", "resources": [
                ["group": "", "resources": ["secrets", "configmaps"]],
                ["group": "authentication.k8s.io", "resources": ["tokenreviews"]],
            ]])
        }
        rules.append(["level": .string(level)])
        let policy: JSONValue = [
            "apiVersion": "audit.k8s.io/v1", "kind": "Policy",
            "metadata": ["name": .string("\(spec.platform)-\(c.name)")],
            "omitStages": ["RequestReceived"],
            "rules": .array(rules),
        ]
        let days = spec.security.auditRetention.days
        let header = header + "# Kubernetes API audit policy for cluster \(c.name) (security.audit.level: \(level)).\n"
            + "# Retention: \(spec.security.auditRetention.text) (security.audit.retention). Keep the audit log backend's retention\n"
            + "# at least this long; for a log file: --audit-log-maxage=\(days).\n"
        return Artifact(path: "audit/\(c.name).audit-policy.yaml", contents: yamlStream([policy], header: header), objects: 0)
    }
}
