/// The platform spec format, version 1, as one table.
///
/// Every key, its type, its default and its documentation live here. The loader, the JSON
/// Schema (`berth schema`) and the field reference in docs/spec.md are all derived from it.
public enum SpecSchema {
    static func s(_ v: String) -> SpecValue { .string(v) }
    static func i(_ v: Int) -> SpecValue { .int(v) }
    static func b(_ v: Bool) -> SpecValue { .bool(v) }
    static let noLoc = SourceLocation(file: "<default>", line: 1, column: 1)
    static func list(_ v: [String]) -> SpecValue { .list(v.map { SpecNode(.string($0), noLoc, explicit: false) }) }

    // MARK: provider

    /// `provider.hardware`: the on-premises servers (count, cores, memory, disk, racks, CSI driver).
    public static let hardware = ObjectSchema(
        "hardware", "On-premises hardware, used for capacity and docs when `provider.name` is `onprem`.",
        [
            Field("nodes", .int(min: 1, max: 100_000), "Number of physical servers.", required: true),
            Field("cpu", .int(min: 1, max: 1024), "CPU cores per server.", required: true),
            Field("memory", .quantity, "Memory per server, e.g. `256Gi`.", required: true),
            Field("disk", .quantity, "Local disk per server, e.g. `2Ti`.", required: true),
            Field("racks", .int(min: 1, max: 1000), "Racks the servers are spread over (failure domains).", default: i(1)),
            .emptyByDefault("network", .string, "Top-of-rack and uplink description, e.g. `2x25GbE per server, 2x100GbE uplinks`."),
            Field(
                "storage", .oneOf(["longhorn", "ceph-rbd"]), "The CSI driver that provides volumes on the hardware.", default: s("longhorn")
            ),
            Field(
                "cephMonitors", .list(.string),
                "With `storage: ceph-rbd`: the Ceph monitors as `host:port` (`[address]:port` for IPv6), e.g. `10.20.0.11:6789`. ceph-csi reaches the Ceph cluster through them; the client key comes from the secret store.",
                default: list([])),
        ])

    /// An entry of `provider.regions`: its zones and the key that encrypts data stored there.
    public static let region = ObjectSchema(
        "region", "A provider region and the zones berth may use in it.",
        [
            Field("zones", .list(.name), "Availability zones of the region that clusters may spread over.", required: true),
            .emptyByDefault(
                "kmsKey", .string,
                "The key (ARN, resource id or key name) that encrypts volumes, buckets and backups stored in this region. Keys are regional: a region that holds encrypted volumes needs its own; berth names it, never creates it."
            ),
        ])

    /// `provider`: the cloud or own hardware, regions, residency, account and resource group.
    public static let provider = ObjectSchema(
        "provider", "Where the platform runs.",
        [
            Field("name", .oneOf(["aws", "gcp", "azure", "onprem"]), "The cloud, or `onprem` for own hardware.", required: true),
            .emptyByDefault("rationale", .string, "Why this provider; copied into the generated docs."),
            Field("regions", .map(.object(region)), "Regions by name, each with its zones.", required: true),
            Field("hardware", .object(hardware), "On-premises hardware (only with `name: onprem`).", optionalObject: true),
            Field(
                "dataResidency", .list(.name),
                "Regions (keys of `provider.regions`) where databases, their replicas and backups may store data. Empty: anywhere. A database replica outside these regions is an error.",
                default: list([])),
            .emptyByDefault(
                "account", .string,
                "Where workload identities live, for services that use buckets: the AWS account id (IRSA role `arn:aws:iam::<account>:role/<platform>-<environment>-<service>`), the GCP project id (service account `<service>-<environment>@<project>.iam.gserviceaccount.com`), or on Azure the client id of the platform's user-assigned managed identity. Also names the roles in bucket policies and database backups. Empty: no identity annotations (required on aws when services use buckets)."
            ),
            .emptyByDefault("costNotes", .string, "Cost optimisation notes; copied into the generated docs."),
            .emptyByDefault(
                "projectNumber", .digits,
                "Google Cloud only: the project number of `account` (`gcloud projects describe <account> --format='value(projectNumber)'`). With `infrastructure`, `infra/` grants the Google-managed service agents whose e-mails carry it (GKE's `service-<number>@container-engine-robot`, Compute Engine's `compute-system`, Cloud Storage's `gs-project-accounts`) `roles/cloudkms.cryptoKeyEncrypterDecrypter` on the regions' keys they use. Empty: those grants are not rendered (`infra-project-number`)."
            ),
            Field(
                "resourceGroup", .name,
                "Azure only: the resource group of the platform's storage account (Velero's backup storage location and volume snapshots) and, unless `network.dns.resourceGroup` says otherwise, of its DNS zones.",
                defaultNote: "the platform name"),
            .emptyByDefault(
                "subscription", .string,
                "Azure only: the subscription id of the platform's storage accounts, for the scopes of the services' role assignments. Empty: the scopes start at the resource group."
            ),
            .assigned(
                "identities",
                "Azure only: the client id of each service's user-assigned managed identity (with `infrastructure`, `infra/` creates it as `<platform>-<key>`), by `<environment>-<service>` or, for every environment, `<service>` (`<database>-backup` for a database's backup pods); a service or database that is not listed falls back to `account`."
            ),
        ])

    // MARK: network

    /// `network.carve`: the prefix lengths of VPCs, per-zone subnets, pod and service CIDRs.
    public static let carve = ObjectSchema(
        "carve", "Prefix lengths of what the IP planner hands out.",
        [
            Field("vpc", .int(min: 8, max: 28), "Prefix length of each cluster's VPC.", default: i(16)),
            Field(
                "subnets",
                .object(
                    ObjectSchema(
                        "subnets", "Prefix lengths of the per-zone subnets.",
                        [
                            Field("public", .int(min: 16, max: 28), "Public (load balancer) subnet per zone.", default: i(24)),
                            Field("private", .int(min: 16, max: 28), "Private (node) subnet per zone.", default: i(20)),
                        ])), "Per-zone subnet sizes."),
            Field("pods", .int(min: 8, max: 28), "Prefix length of each cluster's pod CIDR.", default: i(17)),
            Field("services", .int(min: 12, max: 28), "Prefix length of each cluster's service CIDR.", default: i(22)),
        ])

    /// An entry of `network.reserved`: a range the planner never hands out, and why.
    public static let reservedRange = ObjectSchema(
        "reserved range", "A range the planner never hands out.",
        [
            Field("cidr", .cidr(.any), "The range.", required: true),
            Field("purpose", .string, "Why it is reserved.", required: true),
        ])

    /// An entry of `network.static`: a named static address, its cluster, subnet, zone and role.
    public static let staticAddress = ObjectSchema(
        "static address", "A named static address allocated from the plan.",
        [
            Field("name", .name, "Name of the address.", required: true),
            Field("cluster", .name, "Cluster whose VPC holds it.", required: true),
            Field("subnet", .oneOf(["public", "private"]), "Which subnet kind.", default: s("public")),
            Field("zone", .name, "Zone of the subnet.", defaultNote: "the cluster's first zone"),
            .emptyByDefault("purpose", .string, "What it is for."),
            Field(
                "role", .oneOf(["ingress", "egress", "bastion", "other"]),
                "What uses it: `ingress` gives the address to the environment's Gateway (`spec.addresses`).", default: s("other")),
            Field(
                "environment", .name, "Environment whose Gateway gets an `ingress` address.",
                defaultNote: "the only environment on the cluster"),
        ])

    /// `network.dns`: the DNS zones, external-dns provider, TTL and DNS-01 solver settings.
    public static let dns = ObjectSchema(
        "dns", "Public DNS.",
        [
            Field("zones", .list(.hostname), "DNS zones berth may write records into (external-dns domain filter).", default: list([])),
            Field(
                "provider", .oneOf(["route53", "google", "azure", "cloudflare", "rfc2136", "pdns"]), "external-dns provider.",
                defaultNote: "route53 on aws, google on gcp, azure on azure, rfc2136 on onprem"),
            Field("ttl", .int(min: 30, max: 86_400), "Record TTL in seconds.", default: i(300)),
            Field(
                "project", .string, "google: the GCP project of the Cloud DNS zones, for cert-manager's DNS-01 solver.",
                defaultNote: "`provider.account`"),
            .emptyByDefault(
                "subscription", .string,
                "azure: the Azure subscription id of the DNS zones, for cert-manager's DNS-01 solver (required when a host is served by more than one cluster)."
            ),
            Field(
                "resourceGroup", .name, "azure: the resource group of the DNS zones, for cert-manager's DNS-01 solver.",
                defaultNote: "`provider.resourceGroup`"),
            .emptyByDefault(
                "server", .string,
                "rfc2136: the authoritative name server (`host:port`) that accepts TSIG-signed updates, for external-dns and cert-manager's DNS-01 solver; pdns: the PowerDNS API (`http://host:port`) for external-dns. Required with either provider when a service is public."
            ),
        ])

    /// `network.ingress.rateLimit`: per-client-IP requests per second, burst and connections.
    public static let rateLimit = ObjectSchema(
        "rateLimit", "Per-client-IP request limits at the edge (first line against DDoS).",
        [
            Field("rps", .int(min: 1, max: 1_000_000), "Requests per second per client IP.", required: true),
            Field("burst", .int(min: 1, max: 10_000_000), "Burst allowance.", defaultNote: "2 x rps"),
            Field("connections", .int(min: 1, max: 1_000_000), "Concurrent connections per client IP.", default: i(100)),
        ])

    /// `network.ingress.cdn`: the CDN product, cached paths and their TTL.
    public static let cdn = ObjectSchema(
        "cdn", "A CDN in front of the gateway.",
        [
            Field(
                "provider", .oneOf(["cloudfront", "cloud-cdn", "azure-front-door", "cloudflare", "fastly"]), "CDN product.", required: true),
            Field("paths", .list(.path), "Paths served through the CDN cache, e.g. `/static/*`.", default: list([])),
            Field("ttl", .int(min: 0, max: 31_536_000), "Cache TTL in seconds for those paths.", default: i(86_400)),
        ])

    /// `network.ingress`: Gateway API or Ingress, the class, namespace, rate limits and CDN.
    public static let ingress = ObjectSchema(
        "ingress", "How traffic enters the clusters.",
        [
            Field(
                "api", .oneOf(IngressAPI.allCases.map(\.rawValue)), "Gateway API (Gateway + HTTPRoute) or networking.k8s.io Ingress.",
                default: s("gateway")),
            Field("className", .string, "GatewayClass or IngressClass name.", default: s("nginx")),
            Field(
                "namespace", .name, "Namespace where the gateway or ingress controller's pods run; NetworkPolicies admit traffic from it.",
                defaultNote: "`nginx-gateway` for gateway, `ingress-nginx` for ingress"),
            Field("rateLimit", .object(rateLimit), "Per-client rate limits.", optionalObject: true),
            Field("cdn", .object(cdn), "CDN in front of public routes.", optionalObject: true),
        ])

    /// An entry of `network.firewall`: an edge rule from a range to ports of a target.
    public static let firewallRule = ObjectSchema(
        "firewall rule", "An edge rule outside Kubernetes (security group or nftables).",
        [
            Field("name", .name, "Rule name.", required: true),
            Field("from", .cidr(.any), "Source range.", required: true),
            Field("ports", .list(.port()), "Destination ports.", required: true),
            Field("protocol", .oneOf(["tcp", "udp"]), "Protocol.", default: s("tcp")),
            Field(
                "to", .string,
                "Target: `bastion`, `nodes`, `ingress`, a cluster name, or `service/<name>` for a service with `expose` (its port and protocol, a range its `expose.from` lists).",
                required: true),
        ])

    /// `network.ids`: runtime intrusion detection and its engine.
    public static let ids = ObjectSchema(
        "ids", "Intrusion detection.",
        [
            Field("enabled", .bool, "Deploy runtime intrusion detection.", default: b(false)),
            Field("engine", .oneOf(["falco"]), "Engine.", default: s("falco")),
        ])

    /// `network`: the address plan, DNS, ingress, mesh, firewall and intrusion detection.
    public static let network = ObjectSchema(
        "network", "Address plan, DNS, ingress and network security.",
        [
            Field("supernet", .cidr(.v4), "IPv4 range every planned range is carved from.", default: s("10.0.0.0/8")),
            .emptyByDefault("ipv6", .cidr(.v6), "IPv6 range for a dual-stack plan."),
            Field("carve", .object(carve), "Prefix lengths handed out."),
            Field("reserved", .list(.object(reservedRange)), "Ranges never handed out.", default: .list([])),
            Field("static", .list(.object(staticAddress)), "Named static addresses.", default: .list([])),
            Field("dns", .object(dns), "Public DNS."),
            Field("ingress", .object(ingress), "Ingress."),
            Field("mesh", .oneOf(Mesh.allCases.map(\.rawValue)), "Service mesh for mTLS in transit.", default: s("none")),
            Field(
                "loadBalancing", .oneOf(["round-robin", "least-request", "ring-hash"]), "Load-balancing strategy between pods.",
                default: s("round-robin")),
            Field("firewall", .list(.object(firewallRule)), "Edge firewall rules.", default: .list([])),
            Field("ids", .object(ids), "Intrusion detection."),
            Field("podsPerNode", .int(min: 8, max: 1024), "Maximum pods per node, used to size pod CIDRs.", default: i(110)),
        ])

    // MARK: clusters

    /// An entry of a cluster's `nodePools`: machine type, size, autoscaling bounds, spot, taints and disk.
    public static let nodePool = ObjectSchema(
        "node pool", "A group of identical nodes.",
        [
            Field("machine", .string, "Machine type, e.g. `m6i.xlarge`.", required: true),
            Field("cpu", .int(min: 1, max: 1024), "CPU cores per node.", required: true),
            Field("memory", .quantity, "Memory per node, e.g. `16Gi`.", required: true),
            Field("min", .int(min: 0, max: 10_000), "Minimum nodes (cluster autoscaler lower bound).", default: i(1)),
            Field(
                "max", .int(min: 1, max: 10_000), "Maximum nodes (cluster autoscaler upper bound).",
                defaultNote: "equal to min (at least 1)"),
            Field("spot", .bool, "Use spot / preemptible capacity.", default: b(false)),
            Field("taints", .list(.string), "Taints as `key=value:Effect`; pods that select the pool tolerate them.", default: list([])),
            Field("disk", .quantity, "Root disk per node.", default: s("100Gi")),
        ])

    /// An entry of `clusters`: region, zones, Kubernetes version, control plane and node pools.
    public static let cluster = ObjectSchema(
        "cluster", "A Kubernetes cluster.",
        [
            Field("region", .name, "Region (a key of `provider.regions`).", required: true),
            Field("zones", .list(.name), "Zones used by this cluster.", defaultNote: "every zone of its region"),
            Field("kubernetes", .version, "Kubernetes minor version.", default: s("1.31")),
            Field(
                "controlPlane",
                .object(
                    ObjectSchema(
                        "controlPlane", "Control plane.",
                        [
                            Field("ha", .bool, "Highly available control plane (3 or more members across zones).", default: b(true))
                        ])), "Control plane settings."),
            Field(
                "nodePools", .map(.object(nodePool)),
                "Node pools by name. The name is the cloud's node group or node pool and the pool label every nodeSelector uses, so `check` holds it to the provider's limit (`provider-name-limit`): EKS 1-63 letters, digits, '-' and '_'; GKE 1-40 lower-case letters, digits and '-'; AKS 1-12 lower-case letters and digits, starting with a letter.",
                required: true),
        ])

    // MARK: environments

    /// An entry of `environments`: clusters, domain, tier, access, data isolation and quota headroom.
    public static let environment = ObjectSchema(
        "environment", "A stage of delivery: development, staging, production, ...",
        [
            Field("clusters", .list(.name), "Clusters the environment runs on.", required: true),
            Field("domain", .hostname, "DNS domain; public hosts are `<host>.<domain>`.", required: true),
            Field(
                "tier", .oneOf(["development", "staging", "production"]),
                "What the environment is for; production gets the strictest checks.",
                defaultNote: "the environment's name when it is one of the tiers, else development"),
            Field(
                "access", .freeMap(key: .name, value: .oneOf(["admin", "edit", "view", "none"])),
                "Team roles here, overriding `security.teams`.", default: .map([])),
            Field(
                "data", .oneOf(["isolated", "shared"]), "`isolated` gives the environment its own databases and buckets.",
                default: s("isolated")),
            Field("loadTest", .bool, "The environment is used for load and performance tests.", default: b(false)),
            Field("productionLike", .bool, "Mirror production settings except where overridden.", defaultNote: "true for tier staging"),
            Field(
                "local", .oneOf(["none", "kind"]), "Local cluster config written for laptops: `kind` writes a kind cluster config.",
                defaultNote: "kind for tier development, none otherwise"),
            Field("headroom", .int(min: 0, max: 400), "Extra quota in percent above max replicas x requests.", default: i(20)),
        ])

    // MARK: services

    /// A service's `replicas`: minimum, maximum, HPA CPU target and the single-replica waiver.
    public static let replicas = ObjectSchema(
        "replicas", "Replica bounds and the autoscaling target.",
        [
            Field("min", .int(min: 0, max: 10_000), "Minimum replicas.", default: i(1)),
            Field(
                "max", .int(min: 1, max: 10_000), "Maximum replicas; above min an HPA scales between them.",
                defaultNote: "equal to min (at least 1)"),
            Field("cpu", .int(min: 1, max: 100), "HPA target CPU utilisation in percent.", default: i(80)),
            .emptyByDefault(
                "waiver", .string,
                "Why this service may run a single replica in production (with `min: 1`): `berth check` then reports a note instead of an error, and `berth audit` a finding (BERTH-HA-005). Empty: no waiver."
            ),
        ])

    /// A service's `resources`: CPU and memory requests (defaults `100m` and `128Mi`) and limits.
    public static let resources = resources(
        "resources", "CPU and memory requests, and optional limits.", cpu: "100m", memory: "128Mi")

    /// Requests with these defaults, and limits derived from them when absent: a service's
    /// `resources` and the team server's have the same shape.
    static func resources(_ name: String, _ description: String, cpu: String, memory: String) -> ObjectSchema {
        ObjectSchema(
            name, description,
            [
                Field("cpu", .quantity, "CPU request.", default: s(cpu)),
                Field("memory", .quantity, "Memory request.", default: s(memory)),
                Field(
                    "limits",
                    .object(
                        ObjectSchema(
                            "limits", "Limits; derived when absent.",
                            [
                                Field("cpu", .quantity, "CPU limit.", defaultNote: "2 x the CPU request"),
                                Field("memory", .quantity, "Memory limit.", defaultNote: "the memory request"),
                            ])), "Limits."),
            ])
    }

    /// A service's `public`: host, paths, TLS and apex of its route through the gateway.
    public static let publicRoute = ObjectSchema(
        "public", "Exposure on the internet through the gateway.",
        [
            Field(
                "host", .hostname,
                "Host label under the environment's domain (`www` gives `www.<domain>`); `@` is not allowed, use `apex: true`.",
                required: true),
            Field("paths", .list(.path), "Path prefixes routed to the service.", default: list(["/"])),
            Field("tls", .bool, "Serve HTTPS with a cert-manager certificate. Production requires it.", default: b(true)),
            Field("apex", .bool, "Serve the environment's domain itself instead of `<host>.<domain>`.", default: b(false)),
        ])

    /// A service's `health`: liveness and readiness paths, probe port and exec command.
    public static let health = ObjectSchema(
        "health", "Liveness and readiness probes.",
        [
            Field("live", .path, "HTTP liveness path on the service port.", default: s("/healthz")),
            Field("ready", .path, "HTTP readiness path on the service port.", default: s("/readyz")),
            Field("port", .port(), "Port for the probes.", defaultNote: "the service port"),
            Field("command", .list(.string), "Exec probe command for services without a port.", default: list([])),
        ])

    /// An entry of a service's `volumes`: size, storage class and mount path.
    public static let volume = ObjectSchema(
        "volume", "A persistent volume mounted into the service.",
        [
            Field("size", .quantity, "Size.", required: true),
            Field("class", .name, "Storage class (a key of `storage.classes`).", defaultNote: "the default class"),
            Field("path", .path, "Mount path.", required: true),
        ])

    /// A service's `expose`: its TCP or UDP port reachable from partner ranges through a LoadBalancer Service.
    public static let expose = ObjectSchema(
        "expose",
        "Exposure of the service's port to partner ranges through a LoadBalancer Service, over TCP or UDP as `protocol` says (an HL7 or SFTP endpoint, a syslog collector).",
        [
            Field(
                "from", .list(.cidr(.any)),
                "Source ranges allowed in: the Service's `loadBalancerSourceRanges` and the service's NetworkPolicy ingress.",
                required: true),
            Field(
                "scope", .oneOf(["internal", "external"]),
                "`internal`: a private load balancer address (partners over VPN or peering); `external`: a public address.",
                default: s("internal")),
        ])

    /// Fields a service may override per environment.
    public static let serviceOverride = ObjectSchema(
        "service override", "What an environment changes for one service.",
        [
            Field("replicas", .object(replicas), "Replica bounds here.", optionalObject: true),
            Field("resources", .object(resources), "Resources here.", optionalObject: true),
            Field("public", .object(publicRoute), "Exposure here.", optionalObject: true),
            Field(
                "env", .freeMap(key: .envVar, value: .string), "Extra environment variables here (merged over the service's).",
                optionalObject: true),
            Field("enabled", .bool, "Deploy the service in this environment.", default: b(true)),
        ])

    /// An entry of `services`: image, port, exposure, replicas, resources, probes, calls, data, secrets and schedule.
    public static let service = ObjectSchema(
        "service", "A workload: what it runs, who may call it, what it needs.",
        [
            Field(
                "image", .string,
                "Image reference `registry/repo:tag` or `@sha256:...`; a versions file may set the version per environment. Never `latest`.",
                required: true),
            Field("port", .port(), "Container port served by a Service; without it the service is not callable."),
            Field(
                "protocol", .oneOf(["http", "grpc", "tcp", "udp"]),
                "Application protocol of the port: `http` and `grpc` can be public through the gateway; `tcp` and `udp` reach partners through `expose`.",
                default: s("http")),
            Field(
                "expose", .object(expose), "TCP or UDP exposure of the port to partner ranges through a LoadBalancer Service.",
                optionalObject: true),
            Field("public", .object(publicRoute), "Internet exposure.", optionalObject: true),
            Field("replicas", .object(replicas), "Replicas and autoscaling."),
            Field("resources", .object(resources), "Requests and limits."),
            Field("health", .object(health), "Probes."),
            Field("talksTo", .list(.name), "Services this one calls (NetworkPolicy edges).", default: list([])),
            Field(
                "uses", .list(.string), "Data it uses: `database/<name>` or `bucket/<name>` with an optional `:read` suffix for read-only.",
                default: list([])),
            Field("secrets", .list(.name), "Secrets in the external store it needs (ExternalSecret references).", default: list([])),
            Field("env", .freeMap(key: .envVar, value: .string), "Plain (non-secret) environment variables.", default: .map([])),
            Field("nodePool", .name, "Node pool it runs on.", defaultNote: "the first pool without taints, by name"),
            Field("volumes", .map(.object(volume)), "Persistent volumes by name (the service becomes a StatefulSet).", default: .map([])),
            .emptyByDefault("team", .name, "Owning team (a key of `security.teams`)."),
            Field("overrides", .map(.object(serviceOverride)), "Per-environment changes, keyed by environment name.", default: .map([])),
            Field(
                "schedule", .cron,
                "Run the service as a scheduled job (a CronJob, schedule in UTC) instead of a Deployment. A scheduled service takes no calls: no `port`, `public`, `volumes`, and no other service may list it in `talksTo`; replica rules do not apply."
            ),
            Field(
                "deadline", .duration, "With `schedule`: how long one run may take before it is stopped (`activeDeadlineSeconds`).",
                default: s("1h")),
            Field(
                "restartPolicy", .oneOf(["OnFailure", "Never"]),
                "With `schedule`: restart a failed run's container in place (`OnFailure`, up to 2 retries) or start a new pod (`Never`, up to 2 retries).",
                default: s("OnFailure")),
            Field(
                "metrics", .object(metrics),
                "Prometheus metrics the service exports; a ServiceMonitor scrapes them and the NetworkPolicy admits the monitoring namespace to exactly that port.",
                optionalObject: true),
            Field(
                "slos", .object(slos), "Service level objectives; each gets recording rules, burn-rate alerts and an error budget.",
                optionalObject: true),
        ])

    // MARK: data

    /// An entry of `databases`: a CloudNativePG cluster's version, instances, storage, backup, pooler and topology.
    public static let database = ObjectSchema(
        "database", "A PostgreSQL cluster run by CloudNativePG.",
        [
            Field("engine", .oneOf(["postgres"]), "Database engine.", default: s("postgres")),
            Field("version", .version, "Major version.", default: s("16")),
            Field("instances", .int(min: 1, max: 9), "Instances (one primary, the rest replicas), spread across zones.", default: i(1)),
            Field(
                "storage",
                .object(
                    ObjectSchema(
                        "database storage", "Volumes.",
                        [
                            Field("size", .quantity, "Data volume size.", required: true),
                            Field("class", .name, "Storage class.", defaultNote: "the default class"),
                            Field("walSize", .quantity, "Separate WAL volume size.", defaultNote: "a quarter of size, at least 1Gi"),
                        ])), "Storage.", required: true),
            Field("memory", .quantity, "Memory per instance; postgresql parameters are sized from it.", default: s("2Gi")),
            Field("cpu", .quantity, "CPU per instance.", default: s("1")),
            Field(
                "backup",
                .object(
                    ObjectSchema(
                        "database backup", "Backups to object storage.",
                        [
                            Field("schedule", .cron, "Base backup schedule (cron).", required: true),
                            Field("retention", .duration, "How long backups are kept.", required: true),
                            Field("bucket", .name, "Bucket (a key of `buckets`) holding backups and WAL archives.", required: true),
                        ])), "Backups.", optionalObject: true),
            Field(
                "pooler",
                .object(
                    ObjectSchema(
                        "pooler", "PgBouncer in front of the database.",
                        [
                            Field("mode", .oneOf(["session", "transaction"]), "Pooling mode.", default: s("transaction")),
                            Field("instances", .int(min: 1, max: 20), "PgBouncer pods.", default: i(2)),
                        ])), "Connection pooler.", optionalObject: true),
            Field("maxConnections", .int(min: 10, max: 10_000), "postgresql max_connections.", default: i(200)),
            Field("shared", .bool, "One database for all environments (otherwise one per environment).", default: b(false)),
            Field(
                "topology", .object(topology), "Where the primary runs and what an environment's other clusters get.", optionalObject: true),
            .emptyByDefault("rpo", .duration, "Recovery point objective target; a worse computed RPO is a warning."),
        ])

    /// A database's `topology`: the primary's region, replicas in other clusters and remote clients.
    public static let topology = ObjectSchema(
        "topology", "A database across the clusters of one environment.",
        [
            Field(
                "primary", .name,
                "Region (a key of `provider.regions`) whose cluster holds the primary in every environment that has a cluster there.",
                defaultNote: "the region of each environment's first cluster"),
            Field(
                "replicas", .oneOf(Database.Topology.Replicas.allCases.map(\.rawValue)),
                "What the environment's other clusters get: `read`, a read-only replica cluster fed from the primary's WAL archive (services there read locally and it can be promoted); `none`, no copy of the data.",
                default: s("read")),
            Field(
                "remoteClients", .oneOf(Database.Topology.RemoteClients.allCases.map(\.rawValue)),
                "Services in a cluster without the primary that write (and readers where there is no replica): `refuse` makes that a check error; `primary` renders the cross-cluster path: an internal load balancer in front of the primary on planned addresses, a Service and EndpointSlice of the same name in the client's cluster, NetworkPolicies and firewall rules.",
                default: s("refuse")),
        ])

    /// An entry of a bucket's `lifecycle`: the age, the tier to move to, and expiry.
    public static let lifecycleRule = ObjectSchema(
        "lifecycle rule", "One lifecycle step of a bucket.",
        [
            Field("after", .duration, "Age of objects the rule applies to.", required: true),
            Field("transition", .oneOf(["infrequent-access", "archive", "deep-archive"]), "Storage tier to move to."),
            Field("expire", .bool, "Delete objects at this age.", default: b(false)),
        ])

    /// An entry of `buckets`: versioning, encryption, lifecycle, sharing and public reads.
    public static let bucket = ObjectSchema(
        "bucket", "An S3-compatible bucket.",
        [
            Field("versioning", .bool, "Keep object versions.", default: b(false)),
            Field("encryption", .oneOf(["kms", "s3", "none"]), "Server-side encryption.", default: s("kms")),
            Field("lifecycle", .list(.object(lifecycleRule)), "Lifecycle steps.", default: .list([])),
            Field("shared", .bool, "One bucket for all environments (otherwise one per environment).", default: b(false)),
            Field("public", .bool, "Allow anonymous reads (never for backups).", default: b(false)),
            Field("noncurrentAfter", .duration, "With versioning: delete non-current versions after this long.", default: s("30d")),
            Field("abortUploadsAfter", .duration, "Abort incomplete multipart uploads after this long.", default: s("7d")),
        ])

    /// An entry of `storage.classes`: media, IOPS, throughput, reclaim policy and default flag.
    public static let storageClass = ObjectSchema(
        "storage class",
        "A class of persistent volumes. Encrypted at rest as `security.encryption.atRest` says; on premises with Longhorn (`kms` or `provider`) the StorageClass has `encrypted: \"true\"` and the CSI secret parameters (provisioner, node-stage, node-publish, node-expand) naming Secret `longhorn-system/longhorn-crypto`, which an ExternalSecret fills from the secret store entry `<platform>/longhorn/<cluster>` (property `passphrase`); berth never writes the passphrase.",
        [
            Field(
                "kind", .oneOf(["ssd", "hdd", "balanced"]),
                "Media: `ssd` (gcp pd-ssd), `hdd`, or `balanced`, SSD-backed at a lower price (gcp pd-balanced, GKE's default; aws gp3; azure StandardSSD_LRS; onprem as ssd).",
                default: s("ssd")),
            Field("iops", .int(min: 100, max: 256_000), "Provisioned IOPS where the provider supports it."),
            Field("throughput", .int(min: 1, max: 10_000), "Provisioned throughput in MiB/s where supported."),
            Field("reclaim", .oneOf(["Retain", "Delete"]), "Reclaim policy.", default: s("Delete")),
            Field("default", .bool, "The cluster default class.", default: b(false)),
        ])

    /// `storage`: the storage classes and the volume snapshot schedule.
    public static let storage = ObjectSchema(
        "storage", "Persistent storage.",
        [
            Field("classes", .map(.object(storageClass)), "Storage classes by name.", default: .map([])),
            Field(
                "snapshots",
                .object(
                    ObjectSchema(
                        "snapshots", "Volume snapshot schedule.",
                        [
                            Field("schedule", .cron, "When snapshots are taken.", required: true),
                            Field("keep", .int(min: 1, max: 10_000), "Snapshots kept.", required: true),
                        ])), "Volume snapshots.", optionalObject: true),
        ])

    // MARK: delivery

    /// `delivery.gitops`: the Argo CD repository, branch, path and sync policy.
    public static let gitops = ObjectSchema(
        "gitops", "The Argo CD repository berth renders into.",
        [
            Field("repo", .url, "Repository URL.", required: true),
            Field("branch", .string, "Branch.", default: s("main")),
            Field("path", .repoPath, "Folder in the repository holding the rendered output (relative, no '..').", default: s("rendered")),
            Field("autoSync", .list(.name), "Environments Argo CD syncs automatically; the rest sync by hand.", default: list([])),
            Field("selfHeal", .bool, "Revert drift in auto-synced environments.", default: b(true)),
            Field("prune", .bool, "Delete objects removed from the spec in auto-synced environments.", default: b(true)),
        ])

    /// `delivery.registry.scan`: scanning on push and the severity that blocks a deploy.
    public static let registryScan = ObjectSchema(
        "scan", "Vulnerability scanning.",
        [
            Field("onPush", .bool, "Scan every pushed image.", default: b(true)),
            Field(
                "blockSeverity", .oneOf(["low", "medium", "high", "critical"]), "Lowest severity that blocks a deploy.",
                default: s("critical")),
        ])

    /// `delivery.registry.retention`: tagged images kept and untagged images' expiry.
    public static let registryRetention = ObjectSchema(
        "retention", "Image retention.",
        [
            Field("keepLast", .int(min: 1, max: 10_000), "Tagged images kept per repository.", default: i(30)),
            Field("untaggedAfter", .duration, "Untagged images expire after.", default: s("7d")),
        ])

    /// `delivery.registry`: the registry host, tag strategy, digests, immutability, scanning and retention.
    public static let registry = ObjectSchema(
        "registry", "Container registry policy.",
        [
            Field("host", .hostname, "Registry host; every image must come from it.", required: true),
            Field("tags", .oneOf(["semver", "git-sha", "semver+sha"]), "Tagging strategy.", default: s("semver")),
            Field("pinDigests", .bool, "Require `@sha256:` digests in production.", default: b(false)),
            Field("immutable", .bool, "Tags cannot be overwritten.", default: b(true)),
            Field("scan", .object(registryScan), "Scanning."),
            Field("retention", .object(registryRetention), "Retention."),
        ])

    /// `delivery`: Argo CD, Helm charts and the registry policy.
    public static let delivery = ObjectSchema(
        "delivery", "GitOps, Helm and the registry.",
        [
            Field("gitops", .object(gitops), "Argo CD.", optionalObject: true),
            Field("helm", .bool, "Also emit a Helm chart per service.", default: b(false)),
            Field("registry", .object(registry), "Registry policy.", optionalObject: true),
        ])

    // MARK: scaling, security

    /// `scaling`: the cluster autoscaler, vertical pod autoscaler and connection pooling.
    public static let scaling = ObjectSchema(
        "scaling", "Autoscaling.",
        [
            Field("clusterAutoscaler", .bool, "Node pools scale between min and max.", default: b(true)),
            Field("verticalPodAutoscaler", .oneOf(["off", "recommend", "auto"]), "VPA mode per workload.", default: s("off")),
            Field("connectionPooling", .bool, "Services reach databases through the pooler when one exists.", default: b(true)),
        ])

    /// An entry of `security.teams`: role, environments, identity-provider group and cluster-admin.
    public static let team = ObjectSchema(
        "team", "A team and its access.",
        [
            Field("role", .oneOf(["admin", "edit", "view"]), "Role in its environments.", required: true),
            Field("environments", .allOr(.name), "`all` or a list of environments.", default: .all),
            Field("group", .string, "Identity-provider group bound to the role.", defaultNote: "the team name"),
            Field("clusterAdmin", .bool, "Also bind cluster-admin (discouraged; flagged by audit).", default: b(false)),
        ])

    /// `security`: teams, pod security, network policy, TLS, secrets, encryption, audit and compliance.
    public static let security = ObjectSchema(
        "security", "Access, secrets, encryption, audit and compliance.",
        [
            Field("teams", .map(.object(team)), "Teams by name.", default: .map([])),
            Field(
                "podSecurity", .oneOf(["privileged", "baseline", "restricted"]), "Pod Security Standard enforced per namespace.",
                default: s("restricted")),
            Field(
                "networkPolicy", .oneOf(NetworkPolicyMode.allCases.map(\.rawValue)),
                "`default-deny` denies all traffic not declared by talksTo, uses and public.", default: s("default-deny")),
            Field(
                "tls",
                .object(
                    ObjectSchema(
                        "tls", "Certificates for public routes.",
                        [
                            Field(
                                "issuer", .oneOf(Security.TLS.issuers),
                                "cert-manager issuer: ACME (Let's Encrypt), self-signed, an on-premises CA whose key is in the secret store (`ca`), or a Vault PKI engine (`vault`).",
                                default: s("letsencrypt")),
                            Field(
                                "email", .email, "ACME account e-mail.",
                                defaultNote: "**required** with `letsencrypt` and `letsencrypt-staging`; unused by the other issuers"),
                            Field("minVersion", .oneOf(["1.2", "1.3"]), "Minimum TLS version.", default: s("1.2")),
                            Field(
                                "ca",
                                .object(
                                    ObjectSchema(
                                        "tls ca",
                                        "The CA of `issuer: ca`. berth never writes its key: an ExternalSecret copies the store entry `<platform>/cert-manager/<secret>` (keys `tls.crt` and `tls.key`) into a Secret of cert-manager's namespace, which the ClusterIssuer `ca` names.",
                                        [
                                            Field(
                                                "secret", .name,
                                                "Name of the Secret (in cert-manager's namespace) holding the CA certificate and key.",
                                                required: true)
                                        ])), "`issuer: ca` only (and required with it): the CA's Secret.", optionalObject: true),
                            Field(
                                "vault",
                                .object(
                                    ObjectSchema(
                                        "tls vault",
                                        "The Vault PKI engine of `issuer: vault`. cert-manager logs in with Vault's Kubernetes auth method (mount `kubernetes-<cluster>`, as for the secret store) using a token it requests for the ServiceAccount `cert-manager/vault-issuer`; berth renders that ServiceAccount and the Role and RoleBinding that let cert-manager request its token.",
                                        [
                                            Field("address", .url, "Vault server URL; must be https://.", required: true),
                                            Field(
                                                "path", .string,
                                                "Path of the PKI engine's sign endpoint, e.g. `pki_int/sign/example-dot-com`.",
                                                defaultNote: "`pki/sign/<platform>`"),
                                            Field(
                                                "role", .name,
                                                "Role of Vault's Kubernetes auth method cert-manager logs in with (bound to ServiceAccount `vault-issuer` in cert-manager's namespace, audience `vault://vault`).",
                                                default: s("cert-manager")),
                                        ])), "`issuer: vault` only (and required with it): the Vault PKI engine.", optionalObject: true),
                        ])), "TLS; without it no route has a certificate.", optionalObject: true),
            Field(
                "secrets",
                .object(
                    ObjectSchema(
                        "secrets", "The external secret store.",
                        [
                            Field(
                                "store", .oneOf(["vault", "aws-secrets-manager", "gcp-secret-manager", "azure-key-vault"]),
                                "Store (the ClusterSecretStore is named after it).", required: true),
                            Field(
                                "rotateEvery", .duration, "Rotation interval; ExternalSecrets refresh at least this often.",
                                default: s("90d")),
                            Field(
                                "address", .url,
                                "`vault`: the Vault server URL; `azure-key-vault`: the Key Vault URL. Unused by the other stores.",
                                defaultNote:
                                    "`https://vault.vault.svc:8200` for vault, `https://<platform>.vault.azure.net` for azure-key-vault"),
                            Field(
                                "role", .name,
                                "`vault`: the role of Vault's Kubernetes auth method that the external-secrets ServiceAccount logs in with (auth mount `kubernetes-<cluster>`, one per cluster).",
                                default: s("external-secrets")),
                        ])), "Secret store.", optionalObject: true),
            Field(
                "encryption",
                .object(
                    ObjectSchema(
                        "encryption", "Encryption.",
                        [
                            Field(
                                "atRest", .oneOf(["kms", "provider", "none"]),
                                "At rest: a customer KMS key, the provider's default key, or none. On premises with Longhorn, `kms` and `provider` both encrypt volumes with a passphrase from the secret store (which must be set).",
                                default: s("kms")),
                            Field(
                                "inTransit", .oneOf(["tls", "mtls"]), "In transit: TLS at the edge, or mTLS everywhere (needs a mesh).",
                                default: s("tls")),
                        ])), "Encryption."),
            Field(
                "audit",
                .object(
                    ObjectSchema(
                        "audit", "Kubernetes API audit logging.",
                        [
                            Field(
                                "level", .oneOf(["None", "Metadata", "Request", "RequestResponse"]), "Audit level.", default: s("Metadata")),
                            Field("retention", .duration, "How long audit logs are kept.", default: s("365d")),
                        ])), "Audit."),
            Field("compliance", .list(.oneOf(["gdpr", "soc2", "hipaa", "pci-dss"])), "Regimes whose rule sets apply.", default: list([])),
            Field(
                "backupRetention", .duration, "Stated minimum backup retention; every database backup must keep at least this long.",
                defaultNote: "the longest minimum of the compliance regimes (gdpr 30d, soc2 90d, pci-dss 365d, hipaa 6y), else none"),
        ])

    // MARK: add-ons

    /// An entry of `addons`: the chart version to install instead of berth's pin.
    public static let addon = ObjectSchema(
        "addon", "One cluster add-on (see `addons/` in the README).",
        [
            Field(
                "version", .string,
                "The exact chart version (or Git tag) to install instead of berth's pin. It must still serve every API version berth writes for the add-on (`berth render` refuses an older one); a change is reported by `berth diff` as disruptive.",
                defaultNote: "berth's pin (AddonVersions.swift)")
        ])

    // MARK: ipam

    /// `ipam.server.resources`: CPU and memory of each team server pod (defaults `250m` and `256Mi`).
    public static let ipamServerResources = resources(
        "ipam server resources", "CPU and memory of each team server pod.", cpu: "250m", memory: "256Mi")

    /// `ipam.server.ledger`: the team server's CloudNativePG ledger (instances, size, class, memory, CPU).
    public static let ipamLedger = ObjectSchema(
        "ipam ledger", "The team server's PostgreSQL ledger, a CloudNativePG cluster `berth-ipam-ledger` next to it.",
        [
            Field("instances", .int(min: 1, max: 9), "Instances (one primary, the rest replicas), spread across zones.", default: i(2)),
            Field("size", .quantity, "Data volume size (the WAL volume is a quarter of it, at least 1Gi).", default: s("10Gi")),
            Field("class", .name, "Storage class (a key of `storage.classes`).", defaultNote: "the default class"),
            Field("memory", .quantity, "Memory per instance.", default: s("1Gi")),
            Field("cpu", .quantity, "CPU per instance.", default: s("500m")),
        ])

    /// `ipam.server`: the IP ledger's team server rendered into one cluster of one environment.
    public static let ipamServer = ObjectSchema(
        "ipam server",
        "The IP ledger's team server (`berth serve`, see the README's \"Team server\") rendered into one cluster of one environment: a Deployment `berth-ipam` on a CloudNativePG ledger, its Service, HTTPRoute with TLS, NetworkPolicies and, with `monitoring:`, a ServiceMonitor.",
        [
            Field("cluster", .name, "Cluster it runs on (a key of `clusters`, one of the environment's clusters).", required: true),
            Field("environment", .name, "Environment (a key of `environments`) whose namespace it runs in.", required: true),
            Field("replicas", .int(min: 1, max: 20), "Server pods (production needs 2 or more); the pods share the ledger.", default: i(2)),
            Field(
                "hostname", .hostname,
                "Host name of its HTTPS route through the environment's gateway: the environment's domain or a name under it.",
                defaultNote: "`ipam.<environment domain>`"),
            Field(
                "image", .string,
                "The berth image with its version pinned (a tag or `@sha256:` digest, never `latest`); its entrypoint is `berth`. With `delivery.registry` it must come from that registry.",
                default: s("ghcr.io/berth-dev/berth:\(Pipeline.version)")),
            Field(
                "port", .port(from: 1024),
                "Port the server listens on (`--listen 0.0.0.0:<port>`) and serves `/metrics` on; the pods run as non-root, so 1024 or above.",
                default: i(8080)),
            Field("resources", .object(ipamServerResources), "Requests and limits of each server pod."),
            Field("ledger", .object(ipamLedger), "Its PostgreSQL ledger (backed up like the environment's other databases)."),
        ])

    /// `ipam`: IP address management beyond the plan (the team server).
    public static let ipam = ObjectSchema(
        "ipam", "IP address management beyond the plan.",
        [
            Field("server", .object(ipamServer), "Render the ledger's team server into the platform.", optionalObject: true)
        ])

    // MARK: infrastructure

    /// `infrastructure`: the cloud foundation rendered under `infra/`.
    public static let infrastructure = ObjectSchema(
        "infrastructure",
        "The cloud foundation berth renders under `infra/` (see the README's \"Cloud foundation\"): the networks of the IP plan, the clusters and node pools, the keys, DNS zones, buckets, registry repositories and one identity per workload that uses a cloud API, as managed resources the engine applies from a management cluster before the workloads.",
        [
            Field(
                "engine", .oneOf(["crossplane"]), "What applies the foundation: Crossplane with the upjet providers of the cloud.",
                required: true),
            Field(
                "endpoint", .oneOf(["public", "private"]),
                "The clusters' API endpoint: `public` (from the internet and the network) or `private` (from the network only; the management cluster must reach it).",
                default: s("public")),
            Field(
                "credentials", .name,
                "The Secret in `crossplane-system` that holds the provider's credentials under the key `credentials`; berth names it and never writes it (see the README's bootstrap).",
                defaultNote: "`<provider>-credentials`"),
            .emptyByDefault(
                "tenant", .string,
                "Azure: the Entra ID tenant id the foundation's Key Vaults trust (required on azure)."),
            .assigned(
                "principals",
                "Azure: the object (principal) id of each managed identity the foundation creates, by the key of `provider.identities` (`platform` for the identity of `provider.account`); also `<cluster>-control-plane`, a disk encryption set's name, and `<cluster>-kubelet` for the kubelet identity AKS creates (`status.atProvider.kubeletIdentity[0].objectId` of the KubernetesCluster, which gets AcrPull on an ACR registry). Azure assigns it on creation (`status.atProvider.principalId`). Role assignments of an identity without one are not rendered."
            ),
            .assigned(
                "issuers",
                "Azure: each AKS cluster's OIDC issuer URL by cluster name; Azure assigns it on creation (`status.atProvider.oidcIssuerUrl`). Federated identity credentials on a cluster without one are not rendered."
            ),
            .assigned(
                "keyVersions",
                "Azure: the version of each region's Key Vault key by region name; Azure assigns it on creation. AKS encrypts Kubernetes secrets (KMS) with the versioned key; without one the cluster's secrets use the platform-managed key."
            ),
        ])

    // MARK: root

    /// The whole spec: every top-level key, from `berth` (the format version) to `addons`.
    public static let root = ObjectSchema(
        "spec", "A whole platform.",
        [
            Field("berth", .int(min: 1, max: 1), "Spec format version; must be 1.", required: true),
            Field("platform", .name, "Platform name; prefixes namespaces.", required: true),
            .emptyByDefault("description", .string, "One line about the platform."),
            Field("provider", .object(provider), "Where it runs.", required: true),
            Field("network", .object(network), "Network."),
            Field("clusters", .map(.object(cluster)), "Clusters by name.", required: true),
            Field("environments", .map(.object(environment)), "Environments by name.", required: true),
            Field("services", .map(.object(service)), "Services by name.", default: .map([])),
            Field("databases", .map(.object(database)), "Databases by name.", default: .map([])),
            Field("buckets", .map(.object(bucket)), "Buckets by name.", default: .map([])),
            Field("storage", .object(storage), "Storage."),
            Field("delivery", .object(delivery), "Delivery."),
            Field("scaling", .object(scaling), "Scaling."),
            Field("security", .object(security), "Security."),
            Field("monitoring", .object(monitoring), "Metrics, alerts and where they go."),
            Field("ipam", .object(ipam), "IP address management: the ledger's team server."),
            Field(
                "infrastructure", .object(infrastructure),
                "The cloud foundation (networks, clusters, keys, zones, buckets, identities) rendered under `infra/`; absent: none.",
                optionalObject: true),
            Field(
                "addons", .map(.object(addon)),
                "Overrides for the cluster add-ons by name (`cert-manager`, `external-dns`, `velero`, ...).", default: .map([])),
        ])

    /// The versions file beside the spec: environment -> service -> tag or digest.
    public static let versions: SchemaType = .map(.map(.string))
}
