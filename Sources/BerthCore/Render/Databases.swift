import BerthNet

/// PostgreSQL on CloudNativePG: Cluster, ScheduledBackup, Pooler and their NetworkPolicies.
extension Renderer {
    static let operatorNamespace = "cnpg-system"
    static let monitoringNamespace = "monitoring"

    /// The databases this target holds, with the role it plays for each.
    func databases(in t: Target) -> [(Database, Plan.DatabaseRole)] {
        spec.databases.compactMap { d in plan.role(of: d, in: t).map { (d, $0) } }
    }

    /// Services anywhere that use database `d` through this target's instance, with their namespace.
    func users(of d: Database, in t: Target) -> [(service: String, namespace: String)] {
        var out: [(String, String)] = []
        for other in plan.targets where other.cluster.name == t.cluster.name {
            let reaches = other.environment.name == t.environment.name
                || (plan.isShared(database: d, in: other.environment) && plan.sharedHome(database: d)?.name == t.environment.name)
            guard reaches else { continue }
            for p in other.placements where p.service.uses.contains(where: { $0.kind == .database && $0.name == d.name }) {
                out.append((p.service.name, other.namespace))
            }
        }
        return out.sorted { ($0.1, $0.0) < ($1.1, $1.0) }
    }

    /// Where backups of `d` go: the physical backup bucket of the environment, one folder per database.
    func backupDestination(_ d: Database, env: Environment) -> String? {
        guard let b = d.backup else { return nil }
        let bucket = plan.bucketName(b.bucket.value, env: env)
        switch spec.provider.name {
        case .aws, .onprem: return "s3://\(bucket)/\(d.name)"
        case .gcp: return "gs://\(bucket)/\(d.name)"
        case .azure: return "https://\(spec.platform).blob.core.windows.net/\(bucket)/\(d.name)"
        }
    }

    /// Object-store credentials: the workload identity of the cloud, or a referenced secret on-premises.
    func objectStore(_ d: Database, env: Environment) -> [(String, JSONValue)]? {
        guard let dest = backupDestination(d, env: env) else { return nil }
        var o: [(String, JSONValue)] = [("destinationPath", .string(dest))]
        switch spec.provider.name {
        case .aws: o.append(("s3Credentials", ["inheritFromIAMRole": true]))
        case .gcp: o.append(("googleCredentials", ["gkeEnvironment": true]))
        case .azure: o.append(("azureCredentials", ["inheritFromAzureAD": true]))
        case .onprem:
            o.append(("endpointURL", "http://minio.minio.svc.cluster.local:9000"))
            o.append(("s3Credentials", [
                "accessKeyId": ["name": .string("\(d.name)-backup-credentials"), "key": "ACCESS_KEY_ID"],
                "secretAccessKey": ["name": .string("\(d.name)-backup-credentials"), "key": "SECRET_ACCESS_KEY"],
            ]))
        }
        o.append(("wal", ["compression": "gzip"]))
        o.append(("data", ["compression": "gzip"]))
        return o
    }

    /// postgresql.conf values sized from the instance memory (the usual 25% / 75% rules).
    static func postgresParameters(_ d: Database) -> [(String, JSONValue)] {
        let mb = max(256, d.memory.units / (1 << 20))
        let shared = mb / 4
        let work = max(4, (mb - shared) / Int64(max(1, d.maxConnections) * 3))
        return [
            ("max_connections", .string(String(d.maxConnections))),
            ("shared_buffers", .string("\(shared)MB")),
            ("effective_cache_size", .string("\(mb * 3 / 4)MB")),
            ("maintenance_work_mem", .string("\(min(2048, max(64, mb / 16)))MB")),
            ("work_mem", .string("\(work)MB")),
            ("wal_compression", "on"),
            ("archive_timeout", "5min"),
        ]
    }

    /// CNPG durations are days, weeks or months.
    static func cnpgRetention(_ r: SpecDuration) -> String { "\(max(1, r.days))d" }

    func databaseObjects(_ d: Database, role: Plan.DatabaseRole, in t: Target) -> [JSONValue] {
        let ns = t.namespace
        let labels: JSONValue = [
            "app.kubernetes.io/name": .string(d.name), "app.kubernetes.io/component": "database",
            "app.kubernetes.io/part-of": .string(spec.platform), "app.kubernetes.io/managed-by": "berth",
            "berth.dev/environment": .string(t.environment.name),
        ]
        let production = t.environment.tier == .production
        let instances = plan.databaseInstances(d, in: t)
        let storageClass = storageClassName(d.storageClass)
        var storage: [(String, JSONValue)] = [("size", .string(d.size.text))]
        var wal: [(String, JSONValue)] = [("size", .string(Quantity.bytesText(d.walSize.units)))]
        if let sc = storageClass {
            storage.append(("storageClass", .string(sc)))
            wal.append(("storageClass", .string(sc)))
        }
        var clusterSpec: [(String, JSONValue)] = [
            ("description", .string("\(d.name) for \(t.environment.name)")),
            ("instances", .int(instances)),
            ("imageName", .string("ghcr.io/cloudnative-pg/postgresql:\(d.version)")),
            ("primaryUpdateStrategy", "unsupervised"),
            ("postgresql", ["parameters": .object(Renderer.postgresParameters(d))]),
            ("resources", [
                "requests": ["cpu": .string(d.cpu.text), "memory": .string(d.memory.text)],
                "limits": ["cpu": .string(d.cpu.text), "memory": .string(d.memory.text)],
            ]),
            ("storage", .object(storage)),
            ("walStorage", .object(wal)),
            ("affinity", [
                "enablePodAntiAffinity": true,
                "topologyKey": "topology.kubernetes.io/zone",
                "podAntiAffinityType": .string(instances <= t.cluster.zones.count ? "required" : "preferred"),
            ]),
            ("topologySpreadConstraints", [[
                "maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
                "whenUnsatisfiable": .string(production ? "DoNotSchedule" : "ScheduleAnyway"),
                "labelSelector": ["matchLabels": ["cnpg.io/cluster": .string(d.name)]],
            ]]),
            ("monitoring", ["enablePodMonitor": true]),
        ]
        if spec.provider.name == .aws, !spec.provider.account.isEmpty, d.backup != nil {
            clusterSpec.append(("serviceAccountTemplate", ["metadata": ["annotations": [
                "eks.amazonaws.com/role-arn": .string("arn:aws:iam::\(spec.provider.account):role/\(spec.platform)-\(t.environment.name)-\(d.name)-backup"),
            ]]]))
        }
        switch role {
        case .primary:
            if let store = objectStore(d, env: t.environment), let b = d.backup {
                clusterSpec.append(("backup", [
                    "retentionPolicy": .string(Renderer.cnpgRetention(b.retention)),
                    "barmanObjectStore": .object(store),
                ]))
            }
        case let .replica(primaryCluster):
            // A replica cluster: bootstrapped from and following the primary's WAL archive.
            let source = "\(d.name)-\(primaryCluster)"
            if var store = objectStore(d, env: t.environment) {
                store.append(("serverName", .string(d.name)))
                clusterSpec.append(("bootstrap", ["recovery": ["source": .string(source)]]))
                clusterSpec.append(("replica", ["enabled": true, "source": .string(source)]))
                clusterSpec.append(("externalClusters", [["name": .string(source), "barmanObjectStore": .object(store)]]))
            }
        }
        var docs: [JSONValue] = [[
            "apiVersion": "postgresql.cnpg.io/v1", "kind": "Cluster",
            "metadata": meta(d.name, ns, labels: labels),
            "spec": .object(clusterSpec),
        ]]
        if case .primary = role, let b = d.backup {
            docs.append([
                "apiVersion": "postgresql.cnpg.io/v1", "kind": "ScheduledBackup",
                "metadata": meta("\(d.name)-backup", ns, labels: labels),
                "spec": [
                    // CloudNativePG schedules have a seconds field first.
                    "schedule": .string("0 " + b.schedule),
                    "cluster": ["name": .string(d.name)],
                    "backupOwnerReference": "self",
                    "method": "barmanObjectStore",
                    "immediate": true,
                ],
            ])
        }
        if let footprint = plan.databaseFootprint(d, in: t), footprint.poolerInstances > 0,
           let poolSize = footprint.poolSize, let pooler = d.pooler {
            let r = Plan.poolerResources
            docs.append([
                "apiVersion": "postgresql.cnpg.io/v1", "kind": "Pooler",
                "metadata": meta("\(d.name)-pooler-rw", ns, labels: labels),
                "spec": [
                    "cluster": ["name": .string(d.name)],
                    "instances": .int(footprint.poolerInstances),
                    "type": "rw",
                    "pgbouncer": [
                        "poolMode": .string(pooler.mode),
                        "parameters": ["max_client_conn": "1000", "default_pool_size": .string(String(poolSize))],
                    ],
                    // CloudNativePG sets no resources on PgBouncer; these are the figures
                    // `berth capacity` and `berth cost` count (Plan.poolerResources).
                    "template": ["spec": ["containers": [[
                        "name": "pgbouncer",
                        "resources": [
                            "requests": ["cpu": .string(r.cpuRequest.text), "memory": .string(r.memoryRequest.text)],
                            "limits": ["cpu": .string(r.cpuLimit.text), "memory": .string(r.memoryLimit.text)],
                        ],
                    ]]]],
                ],
            ])
        }
        if spec.provider.name == .onprem, d.backup != nil, let store = spec.security.secrets {
            docs.append([
                "apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret",
                "metadata": meta("\(d.name)-backup-credentials", ns, labels: labels),
                "spec": [
                    "refreshInterval": "1h",
                    "secretStoreRef": ["kind": "ClusterSecretStore", "name": .string(store.store)],
                    "target": ["name": .string("\(d.name)-backup-credentials"), "creationPolicy": "Owner"],
                    "dataFrom": [["extract": ["key": .string("\(spec.platform)/\(t.environment.name)/database/\(d.name)/backup")]]],
                ],
            ])
        }
        if spec.security.networkPolicy == "default-deny" {
            docs += databasePolicies(d, role: role, in: t, labels: labels)
        }
        return docs
    }

    func peer(_ service: String, namespace: String, from t: Target) -> JSONValue {
        let pod: JSONValue = ["matchLabels": ["app.kubernetes.io/name": .string(service)]]
        if namespace == t.namespace { return ["podSelector": pod] }
        return ["namespaceSelector": ["matchLabels": ["kubernetes.io/metadata.name": .string(namespace)]], "podSelector": pod]
    }

    /// The Kubernetes API as seen from pods: the cluster's VPC on 443 (managed control planes
    /// expose their endpoints there), or anywhere on 443/6443 when no plan is known.
    func apiServerEgress(_ t: Target) -> JSONValue {
        if let vpc = ipPlan?.entry("\(t.cluster.name)/vpc") {
            return ["to": [["ipBlock": ["cidr": .string(vpc.prefix.description)]]],
                    "ports": [["protocol": "TCP", "port": 443], ["protocol": "TCP", "port": 6443]]]
        }
        return ["ports": [["protocol": "TCP", "port": 443], ["protocol": "TCP", "port": 6443]]]
    }

    func databasePolicies(_ d: Database, role: Plan.DatabaseRole, in t: Target, labels: JSONValue) -> [JSONValue] {
        let instances: JSONValue = ["podSelector": ["matchLabels": ["cnpg.io/cluster": .string(d.name)]]]
        let poolerPods: JSONValue = ["podSelector": ["matchLabels": ["cnpg.io/poolerName": .string("\(d.name)-pooler-rw")]]]
        let pg: JSONValue = [["protocol": "TCP", "port": 5432]]
        let clients = users(of: d, in: t).map { peer($0.service, namespace: $0.namespace, from: t) }
        var ingress: [JSONValue] = [
            ["from": [instances], "ports": [["protocol": "TCP", "port": 5432], ["protocol": "TCP", "port": 8000]]],
            ["from": [["namespaceSelector": ["matchLabels": ["kubernetes.io/metadata.name": .string(Renderer.operatorNamespace)]]]],
             "ports": [["protocol": "TCP", "port": 8000], ["protocol": "TCP", "port": 5432]]],
            ["from": [["namespaceSelector": ["matchLabels": ["kubernetes.io/metadata.name": .string(Renderer.monitoringNamespace)]]]],
             "ports": [["protocol": "TCP", "port": 9187]]],
        ]
        var hasPooler = false
        if case .primary = role, d.pooler != nil { hasPooler = true }
        if hasPooler { ingress.append(["from": [poolerPods], "ports": pg]) }
        if !clients.isEmpty { ingress.append(["from": .array(clients), "ports": pg]) }
        var egress: [JSONValue] = [["to": [instances], "ports": pg], apiServerEgress(t)]
        if d.backup != nil {
            egress.append(["to": [["ipBlock": ["cidr": "0.0.0.0/0", "except": .array(Renderer.privateRanges)]]],
                           "ports": [["protocol": "TCP", "port": 443]]])
        }
        var docs: [JSONValue] = [[
            "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": meta("\(d.name)-database", t.namespace, labels: labels),
            "spec": ["podSelector": ["matchLabels": ["cnpg.io/cluster": .string(d.name)]], "policyTypes": ["Ingress", "Egress"],
                     "ingress": .array(ingress), "egress": .array(egress)],
        ]]
        if hasPooler {
            var poolIn: [JSONValue] = [
                ["from": [["namespaceSelector": ["matchLabels": ["kubernetes.io/metadata.name": .string(Renderer.operatorNamespace)]]]],
                 "ports": [["protocol": "TCP", "port": 5432], ["protocol": "TCP", "port": 9127]]],
            ]
            if !clients.isEmpty { poolIn.insert(["from": .array(clients), "ports": pg], at: 0) }
            docs.append([
                "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                "metadata": meta("\(d.name)-pooler", t.namespace, labels: labels),
                "spec": ["podSelector": ["matchLabels": ["cnpg.io/poolerName": .string("\(d.name)-pooler-rw")]], "policyTypes": ["Ingress", "Egress"],
                         "ingress": .array(poolIn), "egress": [["to": [instances], "ports": pg], apiServerEgress(t)]],
            ])
        }
        return docs
    }
}
