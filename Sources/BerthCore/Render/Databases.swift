import BerthNet

/// PostgreSQL on CloudNativePG: Cluster, ScheduledBackup, Pooler and their NetworkPolicies.
extension Renderer {

    /// The databases this target holds, with the role it plays for each.
    func databases(in t: Target) -> [(Database, Plan.DatabaseRole)] {
        spec.databases.compactMap { d in plan.role(of: d, in: t).map { (d, $0) } }
    }

    /// Object-store credentials: the workload identity of the cloud, or a referenced secret on-premises.
    func objectStore(_ d: Database, env: Environment) -> [(String, JSONValue)]? {
        guard let dest = plan.backupDestination(d, env: env) else { return nil }
        var o: [(String, JSONValue)] = [("destinationPath", .string(dest))]
        switch spec.provider.name {
        case .aws: o.append(("s3Credentials", ["inheritFromIAMRole": true]))
        case .gcp: o.append(("googleCredentials", ["gkeEnvironment": true]))
        case .azure: o.append(("azureCredentials", ["inheritFromAzureAD": true]))
        case .onprem:
            o.append(("endpointURL", .string(Renderer.onpremS3Endpoint)))
            o.append(
                (
                    "s3Credentials",
                    [
                        "accessKeyId": ["name": .string("\(d.name)-backup-credentials"), "key": "ACCESS_KEY_ID"],
                        "secretAccessKey": ["name": .string("\(d.name)-backup-credentials"), "key": "SECRET_ACCESS_KEY"],
                    ]
                ))
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

    /// Everything of database `d` in target `t`: its instances when the target holds the primary
    /// or a replica (`role`), the credentials its clients here mount, the cross-cluster path
    /// (the load balancer next to the primary, or the Service and EndpointSlice clients in
    /// another cluster use), and the NetworkPolicies of its pods.
    func databaseObjects(_ d: Database, role: Plan.DatabaseRole?, in t: Target) -> [JSONValue] {
        let labels: JSONValue = [
            "app.kubernetes.io/name": .string(d.name), "app.kubernetes.io/component": "database",
            "app.kubernetes.io/part-of": .string(spec.platform), "app.kubernetes.io/managed-by": "berth",
            "berth.dev/environment": .string(t.environment.name),
        ]
        var docs: [JSONValue] = []
        if let role { docs += instanceObjects(d, role: role, in: t, labels: labels) }
        docs += credentialObjects(d, role: role, in: t, labels: labels)
        docs += crossClusterObjects(d, role: role, in: t, labels: labels)
        docs += poolerMonitor(d, role: role, in: t, labels: labels)
        if spec.security.networkPolicy == .defaultDeny, let role {
            docs.append(networkPolicy(.databaseInstances(d.name), name: "\(d.name)-database", labels: labels, in: t))
            if case .primary = role, d.pooler != nil {
                docs.append(networkPolicy(.pooler(d.name), name: "\(d.name)-pooler", labels: labels, in: t))
            }
        }
        return docs
    }

    /// Clients of `d` in target `t`: (uses readers, uses writers, uses the cross-cluster path).
    func clients(of d: Database, in t: Target) -> (readers: Bool, writers: Bool, remote: Bool) {
        var r = (readers: false, writers: false, remote: false)
        for p in t.placements {
            for u in p.service.uses where u.kind == .database && u.name == d.name {
                if u.readOnly { r.readers = true } else { r.writers = true }
                if plan.endpoint(d, readOnly: u.readOnly, from: t)?.remote == true { r.remote = true }
            }
        }
        return r
    }

    /// Whether any service of the environments served by this home reads `d`.
    func hasReaders(_ d: Database, home: Environment) -> Bool {
        // By index: copying each Placement (a service with all its settings) to test it
        // showed in profiles of large platforms.
        plan.targets.indices.contains { ti in
            plan.homeEnvironment(of: d, for: plan.targets[ti].environment)?.name == home.name
                && plan.targets[ti].placements.indices.contains { pi in
                    plan.targets[ti].placements[pi].service.uses.contains { $0.kind == .database && $0.name == d.name && $0.readOnly }
                }
        }
    }

    /// The credentials clients mount, from the secret store: `<db>-owner` (the owner the
    /// primary is bootstrapped with; writers) and `<db>-reader` (a role with pg_read_all_data).
    func credentialObjects(_ d: Database, role: Plan.DatabaseRole?, in t: Target, labels: JSONValue) -> [JSONValue] {
        guard let store = spec.security.secrets, let home = plan.homeEnvironment(of: d, for: t.environment) else { return [] }
        let here = clients(of: d, in: t)
        var isPrimary = false
        if case .primary? = role { isPrimary = true }
        let refresh = store.rotateEvery.seconds <= 3600 ? "5m" : "1h"
        func secret(_ name: String, user: String, key: String) -> JSONValue {
            [
                "apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret",
                "metadata": meta(
                    name, t.namespace, labels: labels, annotations: ["berth.dev/rotate-every": .string(store.rotateEvery.text)]),
                "spec": [
                    "refreshInterval": .string(refresh),
                    "secretStoreRef": ["kind": "ClusterSecretStore", "name": .string(store.store)],
                    "target": [
                        "name": .string(name), "creationPolicy": "Owner",
                        // CloudNativePG takes basic-auth secrets; the user name is fixed by berth.
                        "template": [
                            "type": "kubernetes.io/basic-auth", "data": ["username": .string(user), "password": "{{ .password }}"],
                        ],
                    ],
                    "data": [["secretKey": "password", "remoteRef": ["key": .string(key), "property": "password"]]],
                ],
            ]
        }
        let base = "\(spec.platform)/\(home.name)/database/\(d.name)"
        var docs: [JSONValue] = []
        if isPrimary || here.writers { docs.append(secret("\(d.name)-owner", user: "app", key: secretKey(base, "owner"))) }
        if here.readers || (isPrimary && hasReaders(d, home: home)) {
            docs.append(secret("\(d.name)-reader", user: Plan.readerRole(d), key: secretKey(base, "reader")))
        }
        return docs
    }

    /// The cross-cluster path: next to the primary, an internal load balancer on the planned
    /// addresses admitting only the client clusters; in a client's namespace, a Service of
    /// the same name everywhere (`<db>-remote`) whose EndpointSlice lists those addresses.
    func crossClusterObjects(_ d: Database, role: Plan.DatabaseRole?, in t: Target, labels: JSONValue) -> [JSONValue] {
        guard let home = plan.homeEnvironment(of: d, for: t.environment), let r = plan.remoteEndpoint(of: d, for: home) else { return [] }
        let ips = plan.remoteAddresses(of: d, for: t.environment).map { $0.split(separator: "/").first.map(String.init) ?? $0 }
        guard !ips.isEmpty else { return [] }
        let port: JSONValue = [["name": "postgres", "port": 5432, "targetPort": 5432, "protocol": "TCP"]]
        var docs: [JSONValue] = []
        if case .primary? = role, r.cluster == t.cluster.name {
            let sources = r.clientClusters.flatMap { c in ["\(c)/vpc", "\(c)/pods"].compactMap { plan.ipPlanCIDR($0) } }
            let selector: JSONValue =
                spec.scaling.connectionPooling && d.pooler != nil
                ? ["cnpg.io/poolerName": .string("\(d.name)-pooler-rw")]
                : ["cnpg.io/cluster": .string(d.name), "cnpg.io/instanceRole": "primary"]
            var annotations: [(String, JSONValue)] = []
            var extra: [(String, JSONValue)] = []
            switch spec.provider.name {
            case .aws:
                // AWS Load Balancer Controller: an internal NLB with one planned address per zone's subnet.
                annotations = [
                    ("service.beta.kubernetes.io/aws-load-balancer-type", "external"),
                    ("service.beta.kubernetes.io/aws-load-balancer-scheme", "internal"),
                    ("service.beta.kubernetes.io/aws-load-balancer-nlb-target-type", "ip"),
                    ("service.beta.kubernetes.io/aws-load-balancer-private-ipv4-addresses", .string(ips.joined(separator: ", "))),
                ]
            case .gcp:
                annotations = [
                    ("networking.gke.io/load-balancer-type", "Internal"),
                    ("networking.gke.io/internal-load-balancer-allow-global-access", "true"),
                ]
                extra = [("loadBalancerIP", .string(ips[0]))]
            case .azure:
                annotations = [
                    ("service.beta.kubernetes.io/azure-load-balancer-internal", "true"),
                    ("service.beta.kubernetes.io/azure-load-balancer-ipv4", .string(ips[0])),
                ]
            case .onprem:
                annotations = [("metallb.universe.tf/loadBalancerIPs", .string(ips[0]))]
            }
            docs.append([
                "apiVersion": "v1", "kind": "Service",
                "metadata": meta("\(d.name)-cross-cluster", t.namespace, labels: labels, annotations: .object(annotations)),
                "spec": .object(
                    [
                        ("type", "LoadBalancer"),
                        ("selector", selector),
                        ("ports", port),
                    ] + extra + [("loadBalancerSourceRanges", .array(sources.map { .string($0) }))]),
            ])
        }
        if clients(of: d, in: t).remote {
            var sliceLabels: [(String, JSONValue)] = [("kubernetes.io/service-name", .string("\(d.name)-remote"))]
            if case .object(let l) = labels { sliceLabels += l }
            sliceLabels.append(("endpointslice.kubernetes.io/managed-by", "berth.dev"))
            docs.append([
                "apiVersion": "v1", "kind": "Service",
                "metadata": meta(
                    "\(d.name)-remote", t.namespace, labels: labels,
                    annotations: ["berth.dev/primary": .string("\(r.cluster)/\(r.namespace)/\(d.name)-cross-cluster")]),
                "spec": ["type": "ClusterIP", "ports": port],
            ])
            docs.append([
                "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                "metadata": ["name": .string("\(d.name)-remote-1"), "namespace": .string(t.namespace), "labels": .object(sliceLabels)],
                "addressType": "IPv4",
                "endpoints": .array(ips.map { ["addresses": [.string($0)], "conditions": ["ready": true]] }),
                "ports": [["name": "postgres", "port": 5432, "protocol": "TCP"]],
            ])
        }
        return docs
    }

    func instanceObjects(_ d: Database, role: Plan.DatabaseRole, in t: Target, labels: JSONValue) -> [JSONValue] {
        let ns = t.namespace
        let clusterSpec = cnpgClusterBase(d, in: t) + cnpgRoleSpec(d, role: role, in: t)
        var docs: [JSONValue] = [
            [
                "apiVersion": "postgresql.cnpg.io/v1", "kind": "Cluster",
                "metadata": meta(d.name, ns, labels: labels),
                "spec": .object(clusterSpec),
            ]
        ]
        if let b = d.backup {
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
        if let pooler = poolerObject(d, in: t, labels: labels) { docs.append(pooler) }
        if spec.provider.name == .onprem, d.backup != nil, let store = spec.security.secrets {
            docs.append([
                "apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret",
                "metadata": meta("\(d.name)-backup-credentials", ns, labels: labels),
                "spec": [
                    "refreshInterval": "1h",
                    "secretStoreRef": ["kind": "ClusterSecretStore", "name": .string(store.store)],
                    "target": ["name": .string("\(d.name)-backup-credentials"), "creationPolicy": "Owner"],
                    "dataFrom": [["extract": ["key": .string(secretKey(spec.platform, t.environment.name, "database", d.name, "backup"))]]],
                ],
            ])
        }
        return docs
    }

    /// The CloudNativePG Cluster's spec for any role: image, parameters, resources, storage,
    /// zone spread, monitoring and (on AWS with backups) the backup role of its account.
    private func cnpgClusterBase(_ d: Database, in t: Target) -> [(String, JSONValue)] {
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
            (
                "resources",
                [
                    "requests": ["cpu": .string(d.cpu.text), "memory": .string(d.memory.text)],
                    "limits": ["cpu": .string(d.cpu.text), "memory": .string(d.memory.text)],
                ]
            ),
            ("storage", .object(storage)),
            ("walStorage", .object(wal)),
            (
                "affinity",
                [
                    "enablePodAntiAffinity": true,
                    "topologyKey": "topology.kubernetes.io/zone",
                    "podAntiAffinityType": .string(instances <= t.cluster.zones.count ? "required" : "preferred"),
                ]
            ),
            (
                "topologySpreadConstraints",
                [
                    [
                        "maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
                        "whenUnsatisfiable": .string(production ? "DoNotSchedule" : "ScheduleAnyway"),
                        "labelSelector": ["matchLabels": ["cnpg.io/cluster": .string(d.name)]],
                    ]
                ]
            ),
            ("monitoring", ["enablePodMonitor": true]),
        ]
        if d.backup != nil, let metadata = backupServiceAccountMetadata(d, env: t.environment) {
            // Workload identity: the instances write WAL and base backups as the backup identity.
            clusterSpec.append(("serviceAccountTemplate", ["metadata": metadata]))
        }
        return clusterSpec
    }

    /// The metadata of the ServiceAccount CloudNativePG makes for a database's instances, naming
    /// the cloud identity its backups use in an environment: the AWS role, the Google service
    /// account, or the Azure managed identity (with the pod label Azure Workload Identity
    /// needs); nil on premises or without the provider's account.
    func backupServiceAccountMetadata(_ d: Database, env: Environment) -> JSONValue? {
        switch spec.provider.name {
        case .aws where !spec.provider.account.isEmpty:
            return ["annotations": backupIdentity(d, env: env)]
        case .gcp where !spec.provider.account.isEmpty:
            return ["annotations": ["iam.gke.io/gcp-service-account": .string(gcpBackupAccount(database: d.name, environment: env.name))]]
        case .azure:
            guard let client = azureDatabaseClientID(d, environment: env.name) else { return nil }
            return [
                "annotations": .object(
                    [("azure.workload.identity/client-id", .string(client))] + azureIdentityAnnotation("\(d.name)-backup", scope: env.name)),
                "labels": ["azure.workload.identity/use": "true"],
            ]
        case .aws, .gcp, .onprem:
            return nil
        }
    }

    /// The annotations naming the AWS role a database's backups use in an environment: the
    /// IRSA role ARN, or with Pod Identity (`infra/`) the role's name.
    func backupIdentity(_ d: Database, env: Environment) -> JSONValue {
        let role = backupRoleName(d.name, environment: env.name)
        if podIdentity { return .object([(Renderer.cloudIdentityAnnotation, .string(role))]) }
        return .object([("eks.amazonaws.com/role-arn", .string("arn:aws:iam::\(spec.provider.account):role/\(role)"))])
    }

    /// What the role adds to the Cluster's spec: a primary's bootstrap and managed reader role,
    /// a replica's recovery source; either one's backup.
    private func cnpgRoleSpec(_ d: Database, role: Plan.DatabaseRole, in t: Target) -> [(String, JSONValue)] {
        var clusterSpec: [(String, JSONValue)] = []
        let backup: JSONValue? = d.backup.flatMap { b in
            objectStore(d, env: t.environment).map { store in
                // A replica cluster archives under its own server name, so once promoted it
                // keeps backing up without writing over the primary's archive.
                var own = store
                if case .replica = role { own.append(("serverName", .string("\(d.name)-\(t.cluster.name)"))) }
                return ["retentionPolicy": .string(Renderer.cnpgRetention(b.retention)), "barmanObjectStore": .object(own)]
            }
        }
        switch role {
        case .primary:
            if plan.databaseCredentialsFromStore, let home = plan.homeEnvironment(of: d, for: t.environment) {
                clusterSpec.append(
                    ("bootstrap", ["initdb": ["database": "app", "owner": "app", "secret": ["name": .string("\(d.name)-owner")]]]))
                if hasReaders(d, home: home) {
                    clusterSpec.append(
                        (
                            "managed",
                            [
                                "roles": [
                                    [
                                        "name": .string(Plan.readerRole(d)), "ensure": "present", "login": true,
                                        "inRoles": ["pg_read_all_data"], "passwordSecret": ["name": .string("\(d.name)-reader")],
                                    ]
                                ]
                            ]
                        ))
                }
            }
            if let backup { clusterSpec.append(("backup", backup)) }
        case .replica(let primaryCluster):
            // A replica cluster: bootstrapped from and following the primary's WAL archive.
            let source = "\(d.name)-\(primaryCluster)"
            if var store = objectStore(d, env: t.environment) {
                store.append(("serverName", .string(d.name)))
                clusterSpec.append(("bootstrap", ["recovery": ["source": .string(source)]]))
                clusterSpec.append(("replica", ["enabled": true, "source": .string(source)]))
                clusterSpec.append(("externalClusters", [["name": .string(source), "barmanObjectStore": .object(store)]]))
            }
            if let backup { clusterSpec.append(("backup", backup)) }
        }
        return clusterSpec
    }

    /// The read-write PgBouncer Pooler, when the database's footprint has one here.
    private func poolerObject(_ d: Database, in t: Target, labels: JSONValue) -> JSONValue? {
        guard let footprint = plan.databaseFootprint(d, in: t), footprint.poolerInstances > 0,
            let poolSize = footprint.poolSize, let pooler = d.pooler
        else { return nil }
        let r = Plan.poolerResources
        return [
            "apiVersion": "postgresql.cnpg.io/v1", "kind": "Pooler",
            "metadata": meta("\(d.name)-pooler-rw", t.namespace, labels: labels),
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
                "template": [
                    "spec": [
                        "containers": [
                            [
                                "name": "pgbouncer",
                                "resources": [
                                    "requests": ["cpu": .string(r.cpuRequest.text), "memory": .string(r.memoryRequest.text)],
                                    "limits": ["cpu": .string(r.cpuLimit.text), "memory": .string(r.memoryLimit.text)],
                                ],
                            ]
                        ]
                    ]
                ],
            ],
        ]
    }
}
