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

    /// Whether workload identities are bound by the EKS Pod Identity associations `infra/`
    /// renders (aws with `infrastructure`): ServiceAccounts then name their role with
    /// `berth.dev/cloud-identity` instead of the IRSA annotation, which would make the AWS SDKs
    /// try a web identity the role does not trust.
    var podIdentity: Bool { spec.provider.name == .aws && spec.infrastructure != nil }

    /// The IAM role of `name` (a service, an add-on, or `<database>-backup`) in `scope` (its
    /// environment or cluster): `<platform>-<scope>-<name>`, at most 64 characters (aws).
    func awsRoleName(of name: String, in scope: String) -> String {
        Renderer.bounded("\(spec.platform)-\(scope)-\(name)", limit: 64)
    }

    /// The IAM role a database's backups use in an environment (aws).
    func backupRoleName(_ database: String, environment: String) -> String {
        awsRoleName(of: "\(database)-backup", in: environment)
    }

    /// The identity `infra/` renders for an add-on on a cluster, when its chart's values name one.
    func addonIdentityName(_ addon: String, cluster: String) -> String? {
        if azureFoundation {
            guard addonIdentity(addon, cluster: cluster) != nil, let key = azureIdentityKey(addon, scope: cluster) else { return nil }
            return azureIdentityName(key: key)
        }
        guard podIdentity, let (key, value) = addonIdentity(addon, cluster: cluster), key == Renderer.cloudIdentityAnnotation
        else { return nil }
        return value
    }

    /// The cloud identity a service's ServiceAccount is bound to, when the service uses a
    /// bucket and `provider.account` is set: (annotation key, value).
    public func workloadIdentity(service: String, environment: String) -> (String, String)? {
        guard let s = spec.service(service), s.uses.contains(where: { $0.kind == .bucket }) else { return nil }
        return cloudIdentity(of: service, in: environment)
    }

    /// StorageClass `parameters` that encrypt volumes at rest with the spec's key, for each
    /// provider's CSI driver: aws EBS (`encrypted`, `kmsKeyId`), gcp PD
    /// (`disk-encryption-kms-key`), azure disk (`diskEncryptionSetID`, a disk encryption set
    /// wrapping the key), onprem Longhorn (`encrypted` and the CSI secret parameters naming
    /// the Secret `longhorn-system/longhorn-crypto` that holds the passphrase, for provisioning,
    /// staging, publishing and expanding a volume; the Secret comes from the secret store,
    /// `longhornCrypto`). `atRest: provider` gives the provider's default key (aws: `encrypted`
    /// only; gcp and azure encrypt by default; Longhorn has no default key, so the same
    /// passphrase Secret); `none` gives nothing.
    /// Buckets take the same key as their server-side encryption key.
    public static func kmsParameters(provider: Provider.Name, atRest: String, key: String) -> [(String, String)] {
        switch (atRest, provider) {
        case ("none", _): return []
        case ("provider", .aws): return [("encrypted", "true")]
        case ("provider", .gcp), ("provider", .azure): return []
        case (_, .aws): return [("encrypted", "true")] + (key.isEmpty ? [] : [("kmsKeyId", key)])
        case (_, .gcp): return key.isEmpty ? [] : [("disk-encryption-kms-key", key)]
        case (_, .azure): return key.isEmpty ? [] : [("diskEncryptionSetID", key)]
        case (_, .onprem):
            return [("encrypted", "true")]
                + ["provisioner", "node-stage", "node-publish", "node-expand"].flatMap { step in
                    [
                        ("csi.storage.k8s.io/\(step)-secret-name", longhornCryptoSecret),
                        ("csi.storage.k8s.io/\(step)-secret-namespace", longhornNamespace),
                    ]
                }
        }
    }

    /// The Secret holding the passphrase of Longhorn's encrypted volumes, and its namespace.
    public static let longhornCryptoSecret = "longhorn-crypto"
    /// The namespace Longhorn runs in, where that Secret lives.
    public static let longhornNamespace = "longhorn-system"
    /// The Ceph RBD CSI driver's name, the Secret its StorageClasses name, and the driver's namespace.
    public static let cephDriver = "rbd.csi.ceph.com"
    /// The Secret holding the Ceph client key (`cephCredentials`).
    public static let cephSecret = "csi-rbd-secret"
    /// The namespace of the ceph-csi-rbd add-on, where that Secret lives.
    public static let cephNamespace = "ceph-csi-rbd"

    /// The ExternalSecret that fills `longhorn-system/longhorn-crypto` from the secret store
    /// for Longhorn's encrypted volumes: the store entry `<platform>/longhorn/<cluster>` holds
    /// only the passphrase (property `passphrase`); the template adds Longhorn's fixed
    /// settings (LUKS2 with aes-xts-plain64, a 256-bit key, sha256, argon2i). nil without a
    /// store (`berth check` refuses encrypted Longhorn volumes without one) or unencrypted volumes.
    func longhornCrypto(_ c: Cluster) -> JSONValue? {
        guard plan.csiDriver == "driver.longhorn.io", !spec.storage.classes.isEmpty,
            spec.security.encryptionAtRest != "none", let store = spec.security.secrets
        else { return nil }
        let labels: JSONValue = ["app.kubernetes.io/part-of": .string(spec.platform), "app.kubernetes.io/managed-by": "berth"]
        let name = Renderer.longhornCryptoSecret
        return [
            "apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret",
            "metadata": ["name": .string(name), "namespace": .string(Renderer.longhornNamespace), "labels": labels],
            "spec": [
                "refreshInterval": "1h",
                "secretStoreRef": ["kind": "ClusterSecretStore", "name": .string(store.store)],
                "target": [
                    "name": .string(name), "creationPolicy": "Owner",
                    "template": [
                        "engineVersion": "v2",
                        "data": [
                            "CRYPTO_KEY_VALUE": "{{ .passphrase }}",
                            "CRYPTO_KEY_PROVIDER": "secret",
                            "CRYPTO_KEY_CIPHER": "aes-xts-plain64",
                            "CRYPTO_KEY_HASH": "sha256",
                            "CRYPTO_KEY_SIZE": "256",
                            "CRYPTO_PBKDF": "argon2i",
                        ],
                    ],
                ],
                "data": [
                    [
                        "secretKey": "passphrase",
                        "remoteRef": ["key": .string("\(spec.platform)/longhorn/\(c.name)"), "property": "passphrase"],
                    ]
                ],
            ],
        ]
    }

    /// The Secret ceph-csi mounts and provisions RBD volumes with (`csi-rbd-secret` in the
    /// driver's namespace): the Ceph client's `userID` and `userKey` and, when volumes are
    /// encrypted, the `encryptionPassphrase` of ceph-csi's default (secrets) KMS, all from the
    /// store entry `<platform>/ceph-rbd/<cluster>`. The chart creates no Secret (`secret.create`
    /// is false). nil without Ceph StorageClasses or a secret store (`berth check` refuses that).
    func cephCredentials(_ c: Cluster) -> JSONValue? {
        guard plan.csiDriver == Renderer.cephDriver, !spec.storage.classes.isEmpty, let store = spec.security.secrets else { return nil }
        let labels: JSONValue = ["app.kubernetes.io/part-of": .string(spec.platform), "app.kubernetes.io/managed-by": "berth"]
        var properties = ["userID", "userKey"]
        if spec.security.encryptionAtRest != "none" { properties.append("encryptionPassphrase") }
        let key = "\(spec.platform)/ceph-rbd/\(c.name)"
        return [
            "apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret",
            "metadata": ["name": .string(Renderer.cephSecret), "namespace": .string(Renderer.cephNamespace), "labels": labels],
            "spec": [
                "refreshInterval": "1h",
                "secretStoreRef": ["kind": "ClusterSecretStore", "name": .string(store.store)],
                "target": ["name": .string(Renderer.cephSecret), "creationPolicy": "Owner"],
                "data": .array(
                    properties.map { ["secretKey": .string($0), "remoteRef": ["key": .string(key), "property": .string($0)]] }),
            ],
        ]
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
            rules.append([
                "level": "None", "users": ["system:kube-proxy"], "verbs": ["watch"],
                "resources": [["group": "", "resources": ["endpoints", "services", "services/status"]]],
            ])
            rules.append(["level": "None", "nonResourceURLs": ["/healthz*", "/readyz*", "/livez*", "/version", "/metrics"]])
            rules.append([
                "level": "Metadata",
                "resources": [
                    ["group": "", "resources": ["secrets", "configmaps"]],
                    ["group": "authentication.k8s.io", "resources": ["tokenreviews"]],
                ],
            ])
        }
        rules.append(["level": .string(level)])
        let policy: JSONValue = [
            "apiVersion": "audit.k8s.io/v1", "kind": "Policy",
            "metadata": ["name": .string("\(spec.platform)-\(c.name)")],
            "omitStages": ["RequestReceived"],
            "rules": .array(rules),
        ]
        let days = spec.security.auditRetention.days
        let header =
            header + "# Kubernetes API audit policy for cluster \(c.name) (security.audit.level: \(level)).\n"
            + "# Retention: \(spec.security.auditRetention.text) (security.audit.retention). Keep the audit log backend's retention\n"
            + "# at least this long; for a log file: --audit-log-maxage=\(days).\n"
        return Artifact(path: "audit/\(c.name).audit-policy.yaml", contents: yamlStream([policy], header: header), objects: 0)
    }
}
