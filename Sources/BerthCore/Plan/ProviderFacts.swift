/// What each provider calls things: the facts the renderer, the document and the checks
/// share, worked out here once instead of in each of them.
extension Plan {
    /// The CSI driver that provisions volumes (and takes snapshots) for the provider.
    public var csiDriver: String {
        switch spec.provider.name {
        case .aws: "ebs.csi.aws.com"
        case .gcp: "pd.csi.storage.gke.io"
        case .azure: "disk.csi.azure.com"
        case .onprem: spec.provider.hardware?.storage == "ceph-rbd" ? "rbd.csi.ceph.com" : "driver.longhorn.io"
        }
    }

    /// Where a node pool's nodes are labelled with their pool name, per provider.
    public var poolLabel: String {
        switch spec.provider.name {
        case .aws: "eks.amazonaws.com/nodegroup"
        case .gcp: "cloud.google.com/gke-nodepool"
        case .azure: "kubernetes.azure.com/agentpool"
        case .onprem: "node.berth.dev/pool"
        }
    }

    /// Where backups of `d` go: the physical backup bucket of the environment, one folder per database.
    public func backupDestination(_ d: Database, env: Environment) -> String? {
        guard let b = d.backup else { return nil }
        let bucket = bucketName(b.bucket.value, env: env)
        switch spec.provider.name {
        case .aws, .onprem: return "s3://\(bucket)/\(d.name)"
        case .gcp: return "gs://\(bucket)/\(d.name)"
        case .azure: return "https://\(azureStorageAccount(b.bucket.value, env: env)).blob.core.windows.net/\(bucket)/\(d.name)"
        }
    }
}
