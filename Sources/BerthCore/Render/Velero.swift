/// Velero's storage locations: where the volume Schedules (Storage.swift) write their backups
/// and snapshots. Rendered per cluster, into `<cluster>/_cluster.yaml`, namespace `velero`.
///
/// - One BackupStorageLocation per physical backup bucket of the environments on the cluster
///   (`Plan.bucketName` of `veleroBucket` in each environment; environments sharing a bucket
///   share one location), named after the bucket, prefix `velero/<cluster>`. The provider
///   plugin is the cloud's (`velero.io/aws`, `velero.io/gcp`, `velero.io/azure`); on-premises
///   it is `velero.io/aws` against the in-cluster MinIO endpoint, with path-style addressing
///   and a credential Secret referenced by name (filled from the secret store by an
///   ExternalSecret when `security.secrets` is set). Clouds use the Velero ServiceAccount's
///   workload identity, so no credential is named.
/// - One VolumeSnapshotLocation `<cluster>` in the cluster's region (clouds only: on-premises
///   volumes are snapshotted through the CSI VolumeSnapshotClass alone).
extension Renderer {
    static let veleroNamespace = "velero"
    /// The Secret holding the object-store credentials on-premises (key `cloud`, in the AWS
    /// credentials-file format Velero's AWS plugin reads).
    static let veleroCredentials = "velero-credentials"
    /// The S3-compatible endpoint on-premises (the same MinIO the database backups use).
    static let onpremS3Endpoint = "http://minio.minio.svc.cluster.local:9000"

    /// Whether Velero Schedules are rendered: snapshots are scheduled and volumes have classes.
    var rendersVelero: Bool { spec.storage.snapshots != nil && !spec.storage.classes.isEmpty }

    /// The logical bucket (a key of `buckets`) Velero writes to: the backup bucket of the
    /// first database with backups, else the first bucket with versioning, else none (then
    /// `berth check` reports an error, since the Schedules would have nowhere to write).
    public static func veleroBucket(_ spec: Spec) -> String? {
        if let b = spec.databases.lazy.compactMap({ $0.backup?.bucket.value }).first(where: { spec.bucket($0) != nil }) { return b }
        return spec.buckets.first(where: \.versioning)?.name
    }

    /// The BackupStorageLocation Velero uses for an environment's namespace on a cluster.
    func backupLocationName(_ t: Target) -> String? {
        Renderer.veleroBucket(spec).map { plan.bucketName($0, env: t.environment) }
    }

    /// The VolumeSnapshotLocation of a cluster (nil on-premises: CSI snapshots only).
    func snapshotLocationName(_ c: Cluster) -> String? {
        spec.provider.name == .onprem ? nil : c.name
    }

    func veleroLocations(_ c: Cluster) -> [JSONValue] {
        guard rendersVelero, let bucket = Renderer.veleroBucket(spec) else { return [] }
        let labels: JSONValue = ["app.kubernetes.io/part-of": .string(spec.platform), "app.kubernetes.io/managed-by": "berth"]
        let region = c.region.value
        var physical: [String] = []
        var accounts: [String: String] = [:]
        for t in plan.targets where t.cluster.name == c.name {
            let name = plan.bucketName(bucket, env: t.environment)
            if !physical.contains(name) { physical.append(name) }
            accounts[name] = plan.azureStorageAccount(bucket, env: t.environment)
        }
        let plugin: String =
            switch spec.provider.name {
            case .aws, .onprem: "velero.io/aws"
            case .gcp: "velero.io/gcp"
            case .azure: "velero.io/azure"
            }
        var config: [(String, JSONValue)] = []
        switch spec.provider.name {
        case .aws: config = [("region", .string(region))]
        case .gcp: config = []
        case .azure:
            // The storage account is per location (Plan.azureStorageAccount), set below.
            config = [("resourceGroup", .string(spec.provider.resourceGroup)), ("useAAD", "true")]
        case .onprem:
            config = [("region", .string(region)), ("s3ForcePathStyle", "true"), ("s3Url", .string(Renderer.onpremS3Endpoint))]
        }
        var docs: [JSONValue] = physical.enumerated().map { i, name in
            var s: [(String, JSONValue)] = [
                ("provider", .string(plugin)),
                ("objectStorage", ["bucket": .string(name), "prefix": .string("velero/\(c.name)")]),
            ]
            if spec.provider.name == .azure {
                s.append(
                    ("config", .object(Array(config.prefix(1)) + [("storageAccount", .string(accounts[name] ?? ""))] + config.dropFirst())))
            } else if !config.isEmpty {
                s.append(("config", .object(config)))
            }
            if spec.provider.name == .onprem {
                s.append(("credential", ["name": .string(Renderer.veleroCredentials), "key": "cloud"]))
            }
            s.append(("accessMode", "ReadWrite"))
            s.append(("default", .bool(i == 0)))
            return [
                "apiVersion": "velero.io/v1", "kind": "BackupStorageLocation",
                "metadata": ["name": .string(name), "namespace": .string(Renderer.veleroNamespace), "labels": labels],
                "spec": .object(s),
            ]
        }
        if let vsl = snapshotLocationName(c) {
            let snapConfig: JSONValue =
                switch spec.provider.name {
                case .aws: ["region": .string(region)]
                case .gcp: ["snapshotLocation": .string(region)]
                default: ["resourceGroup": .string(spec.provider.resourceGroup)]
                }
            docs.append([
                "apiVersion": "velero.io/v1", "kind": "VolumeSnapshotLocation",
                "metadata": ["name": .string(vsl), "namespace": .string(Renderer.veleroNamespace), "labels": labels],
                "spec": ["provider": .string(plugin), "config": snapConfig],
            ])
        }
        if spec.provider.name == .onprem, let store = spec.security.secrets {
            docs.append([
                "apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret",
                "metadata": [
                    "name": .string(Renderer.veleroCredentials), "namespace": .string(Renderer.veleroNamespace), "labels": labels,
                ],
                "spec": [
                    "refreshInterval": "1h",
                    "secretStoreRef": ["kind": "ClusterSecretStore", "name": .string(store.store)],
                    "target": ["name": .string(Renderer.veleroCredentials), "creationPolicy": "Owner"],
                    "dataFrom": [["extract": ["key": .string(secretKey(spec.platform, "velero", c.name))]]],
                ],
            ])
        }
        return docs
    }
}
