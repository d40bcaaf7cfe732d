/// StorageClasses in each provider's own terms, the VolumeSnapshotClass, and Velero schedules.
extension Renderer {

    /// The IOPS and throughput (MiB/s) an SSD or balanced class provisions, under the
    /// provider's `iops` and `throughput` keys (the throughput written with `mebibytesSuffix`);
    /// nil for an HDD class and for one that provisions neither.
    private func provisionedPerformance(
        _ c: StorageClassSpec, iops: String, throughput: String, mebibytesSuffix: String = ""
    ) -> [(String, JSONValue)]? {
        guard c.kind != "hdd", c.iops != nil || c.throughput != nil else { return nil }
        return [c.iops.map { (iops, .string(String($0))) }, c.throughput.map { (throughput, .string("\($0)\(mebibytesSuffix)")) }]
            .compactMap { $0 }
    }

    /// Provider parameters of one class. Values are strings, as StorageClass requires.
    /// `cluster` chooses the key: keys are regional, so each cluster's classes name its region's.
    func storageParameters(_ c: StorageClassSpec, cluster: Cluster?) -> [(String, JSONValue)] {
        var p: [(String, JSONValue)] = []
        // Encryption at rest in the provider's terms (shared with the audit's expectations).
        let key = plan.kmsKey(region: cluster?.region.value)
        let encryption = Renderer.kmsParameters(provider: spec.provider.name, atRest: spec.security.encryptionAtRest, key: key)
            .map { ($0.0, JSONValue.string($0.1)) }
        let ssd = c.kind != "hdd"
        let balanced = c.kind == "balanced"
        switch spec.provider.name {
        case .aws:
            // gp3 for SSD (IOPS and throughput provisioned independently of size), st1 for HDD.
            p.append(("type", .string(ssd ? "gp3" : "st1")))  // gp3 is also the balanced kind
            p += provisionedPerformance(c, iops: "iops", throughput: "throughput") ?? []
            p.append(("csi.storage.k8s.io/fstype", "ext4"))
            p += encryption
        case .gcp:
            if let performance = provisionedPerformance(
                c, iops: "provisioned-iops-on-create", throughput: "provisioned-throughput-on-create", mebibytesSuffix: "Mi")
            {
                p += [("type", "hyperdisk-balanced")] + performance
            } else {
                p.append(("type", .string(balanced ? "pd-balanced" : (ssd ? "pd-ssd" : "pd-standard"))))
            }
            p.append(("csi.storage.k8s.io/fstype", "ext4"))
            p += encryption
        case .azure:
            if let performance = provisionedPerformance(c, iops: "DiskIOPSReadWrite", throughput: "DiskMBpsReadWrite") {
                p += [("skuName", "PremiumV2_LRS")] + performance + [("cachingMode", "None")]
            } else {
                p.append(("skuName", .string(balanced ? "StandardSSD_LRS" : (ssd ? "Premium_LRS" : "Standard_LRS"))))
            }
            p += encryption
        case .onprem:
            if plan.csiDriver == Renderer.cephDriver {
                p += [
                    ("clusterID", .string(spec.platform)),
                    ("pool", .string(ssd ? "rbd-ssd" : "rbd-hdd")),
                    ("imageFeatures", "layering"),
                    ("csi.storage.k8s.io/fstype", "ext4"),
                ]
                for use in ["provisioner", "controller-expand", "node-stage"] {
                    p.append(("csi.storage.k8s.io/\(use)-secret-name", .string(Renderer.cephSecret)))
                    p.append(("csi.storage.k8s.io/\(use)-secret-namespace", .string(Renderer.cephNamespace)))
                }
                if spec.security.encryptionAtRest != "none" { p.append(("encrypted", "true")) }
            } else {
                let racks = spec.provider.hardware?.racks ?? 1
                p += [
                    ("numberOfReplicas", .string(String(min(3, max(2, racks))))),
                    ("staleReplicaTimeout", "30"),
                    ("dataLocality", "best-effort"),
                    ("diskSelector", .string(ssd ? "ssd" : "hdd")),
                    ("fsType", "ext4"),
                ]
                p += encryption
            }
        }
        return p
    }

    func storageObjects(_ cluster: Cluster) -> [JSONValue] {
        let labels: JSONValue = ["app.kubernetes.io/part-of": .string(spec.platform), "app.kubernetes.io/managed-by": "berth"]
        let defaultName = spec.storage.defaultClass?.name
        var docs: [JSONValue] = spec.storage.classes.map { c in
            [
                "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                "metadata": [
                    "name": .string(c.name), "labels": labels,
                    "annotations": ["storageclass.kubernetes.io/is-default-class": .string(c.name == defaultName ? "true" : "false")],
                ],
                "provisioner": .string(plan.csiDriver),
                "parameters": .object(storageParameters(c, cluster: cluster)),
                "reclaimPolicy": .string(c.reclaim),
                "allowVolumeExpansion": true,
                "volumeBindingMode": "WaitForFirstConsumer",
            ]
        }
        guard !spec.storage.classes.isEmpty else { return docs }
        if let crypto = longhornCrypto(cluster) { docs.append(crypto) }
        if let ceph = cephCredentials(cluster) { docs.append(ceph) }
        docs.append([
            "apiVersion": "snapshot.storage.k8s.io/v1", "kind": "VolumeSnapshotClass",
            "metadata": [
                // Velero's CSI support takes the class carrying this label for the driver.
                "name": .string("\(spec.platform)-snapshots"),
                "labels": [
                    "app.kubernetes.io/part-of": .string(spec.platform), "app.kubernetes.io/managed-by": "berth",
                    "velero.io/csi-volumesnapshot-class": "true",
                ],
                "annotations": ["snapshot.storage.kubernetes.io/is-default-class": "true"],
            ],
            "driver": .string(plan.csiDriver),
            "deletionPolicy": "Retain",
        ])
        if let snap = spec.storage.snapshots {
            let hours = Cron.intervalHours(snap.schedule).map { Int($0.rounded(.up)) } ?? 24
            // Each Schedule names its environment's location (Velero.swift renders them).
            for t in plan.targets where t.cluster.name == cluster.name {
                var template: [(String, JSONValue)] = [
                    ("includedNamespaces", [.string(t.namespace)]),
                    ("snapshotVolumes", true),
                    ("storageLocation", .string(backupLocationName(t) ?? "default")),
                ]
                if let vsl = snapshotLocationName(cluster) { template.append(("volumeSnapshotLocations", [.string(vsl)])) }
                template.append(("ttl", .string("\(hours * snap.keep)h0m0s")))
                docs.append([
                    "apiVersion": "velero.io/v1", "kind": "Schedule",
                    "metadata": ["name": .string("\(t.namespace)-volumes"), "namespace": "velero", "labels": labels],
                    "spec": [
                        "schedule": .string(snap.schedule),
                        "useOwnerReferencesInBackup": false,
                        "template": .object(template),
                    ],
                ])
            }
            docs += veleroLocations(cluster)
        }
        return docs
    }

    /// The storage class a volume lands on: its own, else the default class, else the cluster default.
    func storageClassName(_ named: Located<String>?) -> String? {
        named?.value ?? spec.storage.defaultClass?.name
    }
}
