/// The stable code of every diagnostic berth reports, e.g. `unknown-key`.
///
/// The raw value is the code users see (`--format json`, `berth check --explain`, CI filters);
/// it never changes. A diagnostic takes one of these cases, so a code outside the catalogue
/// does not compile:
///
/// ```swift
/// Diagnostic.error(.unknownKey, "unknown key 'replica'; did you mean 'replicas'?", at: loc)
/// CheckCode.unknownKey.rule.title   // "unknown key"
/// ```
public enum CheckCode: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Error: unknown add-on under addons.
    case addonUnknown = "addon-unknown"
    /// Error: add-on version not exact, or older than berth needs.
    case addonVersion = "addon-version"
    /// Error: static ingress address on a cluster with several environments.
    case ambiguousStatic = "ambiguous-static"
    /// Error: backup bucket without lifecycle or encryption, or public.
    case backupBucket = "backup-bucket"
    /// Warning or error: backup retention shorter than required, or cut short by the bucket.
    case backupRetention = "backup-retention"
    /// Error: minimum above maximum, or limit below request.
    case bounds = "bounds"
    /// Error: Ceph RBD volumes without the monitors ceph-csi connects to, or a monitor not `host:port`.
    case cephMonitors = "ceph-monitors"
    /// Error: data stored outside provider.dataResidency.
    case dataResidency = "data-residency"
    /// Warning: database primary cannot run in the region it asks for.
    case databaseTopology = "database-topology"
    /// Error: service cannot reach a database it uses.
    case databaseUnreachable = "database-unreachable"
    /// Error: production image without a digest while pinDigests is on.
    case digestRequired = "digest-required"
    /// Warning: host served by several clusters without per-cluster DNS routing.
    case dnsMultiCluster = "dns-multi-cluster"
    /// Error: rfc2136 or pdns DNS provider without network.dns.server.
    case dnsServer = "dns-server"
    /// Warning: public host outside network.dns.zones.
    case dnsZone = "dns-zone"
    /// Error: shared host cannot get a DNS-01 certificate.
    case dns01 = "dns01"
    /// Error: duplicate key in a YAML mapping.
    case duplicateKey = "duplicate-key"
    /// Error: empty spec file.
    case empty = "empty"
    /// Error: expose together with a service mesh.
    case exposeMesh = "expose-mesh"
    /// Error: spec file larger than 8 MiB.
    case fileTooLarge = "file-too-large"
    /// Error: firewall rule does not match the exposed service.
    case firewallService = "firewall-service"
    /// Error: image from a registry other than delivery.registry.
    case foreignRegistry = "foreign-registry"
    /// Error: the foundation cannot be rendered for this spec.
    case infraEngine = "infra-engine"
    /// Warning: a workload identity the Azure foundation needs has no client id of its own.
    case infraIdentity = "infra-identity"
    /// Error: a region's key is not an alias the foundation can create.
    case infraKey = "infra-key"
    /// Error: a foundation name or count over the provider's limit.
    case infraLimit = "infra-limit"
    /// Note: no cloud foundation on premises.
    case infraOnPremises = "infra-on-premises"
    /// Warning: values Azure assigns on creation are not in the spec yet.
    case infraPending = "infra-pending"
    /// Warning: a gcp foundation without the project number its keys' service agents need.
    case infraProjectNumber = "infra-project-number"
    /// Error: the foundation would create a network in a zone the region does not have.
    case infraZone = "infra-zone"
    /// Error: invalid image reference.
    case invalidImage = "invalid-image"
    /// Error: invalid name.
    case invalidName = "invalid-name"
    /// Error: value not allowed.
    case invalidValue = "invalid-value"
    /// Error: version is neither a tag nor a digest.
    case invalidVersion = "invalid-version"
    /// Error: a range pinned in the lock file no longer fits.
    case ipPin = "ip-pin"
    /// Error: the address plan cannot be made.
    case ipPlan = "ip-plan"
    /// Error: pinned range overlaps a reserved range.
    case ipReservedOverlap = "ip-reserved-overlap"
    /// Error: ipam.server cluster is not one of its environment's.
    case ipamServerCluster = "ipam-server-cluster"
    /// Error: ipam.server hostname outside its environment's domain.
    case ipamServerHostname = "ipam-server-hostname"
    /// Warning: team server metrics token cannot be delivered.
    case ipamServerMetricsToken = "ipam-server-metrics-token"
    /// Error: required key missing or without a value.
    case missing = "missing"
    /// Error: region without its own KMS key.
    case missingKey = "missing-key"
    /// Error: metrics or SLO without what it reads.
    case missingValue = "missing-value"
    /// Error: service without a version for an environment.
    case missingVersion = "missing-version"
    /// Error: image uses a moving tag.
    case mutableTag = "mutable-tag"
    /// Error: database named like a service.
    case nameClash = "name-clash"
    /// Error: name reserved by ipam.server.
    case nameTaken = "name-taken"
    /// Error: derived object name longer than Kubernetes allows.
    case nameTooLong = "name-too-long"
    /// Error: AWS account not set.
    case noAccount = "no-account"
    /// Warning: database without backup on a platform with production.
    case noBackup = "no-backup"
    /// Error: environment without clusters.
    case noClusters = "no-clusters"
    /// Error: service without the port its traffic needs.
    case noPort = "no-port"
    /// Warning: service without health probes.
    case noProbe = "no-probe"
    /// Error: secrets needed but no secret store.
    case noSecretStore = "no-secret-store"
    /// Warning: volume without a storage class.
    case noStorageClass = "no-storage-class"
    /// Error: cluster without zones.
    case noZones = "no-zones"
    /// Error: file is not UTF-8 text.
    case notText = "not-text"
    /// Error: credential as a plain env value.
    case plainSecret = "plain-secret"
    /// Error: pod CIDR too small for the nodes the pools can grow to.
    case podCidr = "pod-cidr"
    /// Error: pod larger than one node of its pool.
    case podTooLarge = "pod-too-large"
    /// Error: price file for another provider.
    case priceProvider = "price-provider"
    /// Warning: production database without failover across zones.
    case productionDatabase = "production-database"
    /// Error: production service with fewer than 2 replicas.
    case productionReplicas = "production-replicas"
    /// Note: production service on one replica under a waiver.
    case productionReplicasWaiver = "production-replicas-waiver"
    /// Error: name over the provider's limit.
    case providerNameLimit = "provider-name-limit"
    /// Warning: machine type the provider does not offer.
    case providerMachine = "provider-machine"
    /// Warning: region or zone the provider does not have.
    case providerRegion = "provider-region"
    /// Error: zone written in a form the provider cannot have.
    case providerZoneName = "provider-zone-name"
    /// Error: production public route without HTTPS.
    case productionTls = "production-tls"
    /// Error: replica cluster without a backup to follow.
    case replicaWithoutArchive = "replica-without-archive"
    /// Error: two services claim the same host and path.
    case routeConflict = "route-conflict"
    /// Warning: database recovery point worse than its target.
    case rpo = "rpo"
    /// Error: scheduled service with a port, route or caller.
    case scheduledCallable = "scheduled-callable"
    /// Error: scheduled service with volumes.
    case scheduledVolumes = "scheduled-volumes"
    /// Error: secret-store key name over the store's limit.
    case secretKeyName = "secret-key-name"
    /// Warning: service lists itself in talksTo.
    case selfReference = "self-reference"
    /// Error: shared database used from another cluster.
    case sharedDatabase = "shared-database"
    /// Note: production-like environment differs from production.
    case stagingParity = "staging-parity"
    /// Error: two storage accounts with one name.
    case storageAccountName = "storage-account-name"
    /// Error: more than one default storage class.
    case storageDefault = "storage-default"
    /// Error: storage shrinks between two specs.
    case storageShrink = "storage-shrink"
    /// Error: supernet too small for every cluster's ranges.
    case supernetTooSmall = "supernet-too-small"
    /// Error: image tag does not follow delivery.registry.tags.
    case tagStrategy = "tag-strategy"
    /// Warning: Azure team group not an Entra ID object id.
    case teamGroupId = "team-group-id"
    /// Error: certificate issuer cannot issue.
    case tlsIssuer = "tls-issuer"
    /// Error: YAML nested too deep.
    case tooDeep = "too-deep"
    /// Error: YAML expands to too many values.
    case tooLarge = "too-large"
    /// Error: too many problems.
    case tooMany = "too-many"
    /// Error: value of the wrong type.
    case type = "type"
    /// Error: UDP service with a public route.
    case udpPublic = "udp-public"
    /// Error: unknown key.
    case unknownKey = "unknown-key"
    /// Error: machine type without a price.
    case unknownMachine = "unknown-machine"
    /// Error: reference to something that does not exist.
    case unknownReference = "unknown-reference"
    /// Warning: replicas.waiver on a service with 2 or more replicas.
    case unusedWaiver = "unused-waiver"
    /// Error: volume snapshots without a bucket for Velero.
    case veleroBucket = "velero-bucket"
    /// Error: YAML syntax error.
    case yaml = "yaml"
    /// Error: YAML tag on a value or key.
    case yamlTag = "yaml-tag"
    /// Warning: production service with fewer replicas than zones.
    case zoneSpread = "zone-spread"

    /// The code as users see it, e.g. `unknown-key`.
    public var description: String { rawValue }
}

/// One entry of the check catalogue: what a diagnostic code means, why it matters and how to
/// fix what it reports.
public struct CheckRule: Sendable, Hashable {
    /// The diagnostic code this entry explains.
    public var code: CheckCode
    /// The severity the code is reported with.
    public var severity: Severity
    /// Other severities some findings of the code carry (`backup-retention` is a warning, and
    /// an error when the bucket deletes backups early); empty for almost every code.
    public var otherSeverities: [Severity]
    /// One line, lower case, no final period.
    public var title: String
    /// Why the finding matters.
    public var why: String
    /// How to fix it.
    public var fix: String

    /// `error`, or `warning (error when ...)`-style text listing every severity the code uses.
    public var severityText: String {
        ([severity] + otherSeverities).map(\.rawValue).joined(separator: " or ")
    }
}

extension CheckRule {
    /// A catalogue entry; `also` lists the other severities some findings carry. (An extension,
    /// so that the memberwise initialiser stays available to build it.)
    init(_ code: CheckCode, _ severity: Severity, also: [Severity] = [], _ title: String, why: String, fix: String) {
        self.init(code: code, severity: severity, otherSeverities: also, title: title, why: why, fix: fix)
    }
}

extension CheckCode {
    // Long: a catalogue, one entry per code; the exhaustive switch is the table.
    /// The catalogue entry of this code. The switch is exhaustive: a new code does not compile
    /// until it has an entry.
    public var rule: CheckRule {
        switch self {
        case .addonUnknown:
            CheckRule(
                self, .error, "unknown add-on under addons",
                why:
                    "Keys under `addons` adjust the add-ons berth installs (cert-manager, external-dns, CloudNativePG, Velero, ...). A key that names no add-on berth installs would be ignored, so the setting you meant (usually a version pin) would never apply.",
                fix:
                    "Use one of the add-on names the message lists (it is most often a typo), or remove the entry: berth only installs the add-ons it knows."
            )
        case .addonVersion:
            CheckRule(
                self, .error, "add-on version not exact, or older than berth needs",
                why:
                    "`addons.<name>.version` pins the chart berth installs. It must be an exact dotted version so every render installs the same release, and it must not be older than the first release of that add-on that serves every API version berth writes for it; an older release would reject the objects berth renders.",
                fix:
                    "Write an exact version (dotted numbers, e.g. the default the message shows) that is at least the minimum the message names, or remove `version` to install the release berth is tested with."
            )
        case .ambiguousStatic:
            CheckRule(
                self, .error, "static ingress address on a cluster with several environments",
                why:
                    "A `network.static` entry with `role: ingress` gives a gateway a fixed address. When its cluster runs more than one environment, each environment has its own gateway, and berth cannot tell which one should get the address.",
                fix: "Add `environment: <name>` to the `network.static` entry, naming one of the environments the message lists.")
        case .backupBucket:
            CheckRule(
                self, .error, "backup bucket without lifecycle or encryption, or public",
                why:
                    "Database backups are full copies of the data. The bucket named by `databases.<name>.backup.bucket` needs a lifecycle rule (or old backups pile up without end), must be encrypted, and must not allow public reads, which would publish every backup.",
                fix:
                    "On the bucket the message names: add a lifecycle rule (e.g. move to archive after 90d), set `encryption: kms`, and remove public access. Keep backups in a bucket of their own if other data needs different settings."
            )
        case .backupRetention:
            CheckRule(
                self, .warning, also: [.error], "backup retention shorter than required, or cut short by the bucket",
                why:
                    "A warning when a database keeps backups for less than `security.backupRetention` or the longest minimum of the enabled compliance regimes (gdpr 30d, soc2 90d, pci-dss 365d, hipaa 6y), or has no backup while they require one; `berth audit` reports the same as BERTH-BAK-002. An error when the backup bucket's lifecycle expires objects before the backups reach their retention: the bucket would delete backups the database still counts on.",
                fix:
                    "Raise `databases.<name>.backup.retention` to at least the minimum named (or add a `backup` section), and make the bucket's expiring lifecycle rule start no earlier than that retention."
            )
        case .cephMonitors:
            CheckRule(
                self, .error, "Ceph RBD without its monitors",
                why:
                    "With `provider.hardware.storage: ceph-rbd` every StorageClass names the Ceph cluster by its `clusterID` (the platform's name), and ceph-csi finds that cluster's monitors in its configuration (the chart's `csiConfig`, which berth writes from `provider.hardware.cephMonitors`). Without monitors, or with one that is not `host:port`, ceph-csi cannot reach Ceph: no volume is provisioned or mounted, and every pod with a volume stays pending.",
                fix:
                    "List the Ceph monitors under `provider.hardware.cephMonitors` as `host:port` (`10.20.0.11:6789`, `mon1.lab.example:3300`, `[fd00::11]:6789`); `ceph mon dump` shows them."
            )
        case .bounds:
            CheckRule(
                self, .error, "minimum above maximum, or limit below request",
                why:
                    "A node pool's `min` above its `max`, a service's `replicas.min` above `replicas.max` (also per environment override), or a CPU or memory limit below its request describe objects the autoscalers and the Kubernetes API server refuse.",
                fix: "Correct the numbers the message shows: `min` at most `max`, and each limit at least its request.")
        case .dataResidency:
            CheckRule(
                self, .error, "data stored outside provider.dataResidency",
                why:
                    "`provider.dataResidency` lists the regions where data may be stored, often a legal or contractual requirement. A database instance (primary or replica) on a cluster in another region, or an environment whose buckets and backups land in another region (its first cluster's), would store data where it must not be.",
                fix:
                    "Move the cluster to an allowed region, set `topology.replicas: none` on the database so no replica follows it there, or, when that region is in fact allowed, add it to `provider.dataResidency`."
            )
        case .databaseTopology:
            CheckRule(
                self, .warning, "database primary cannot run in the region it asks for",
                why:
                    "`databases.<name>.topology.primary` names a region, but an environment that uses the database has no cluster in it, so the primary runs on the environment's first cluster instead. The latency and data location you planned for do not hold there.",
                fix: "Give the environment a cluster in that region, or change `topology.primary` to a region the environment runs in.")
        case .databaseUnreachable:
            CheckRule(
                self, .error, "service cannot reach a database it uses",
                why:
                    "A service lists `uses: database/<name>` in an environment and cluster where berth can give it no endpoint and credentials: the cluster holds no instance or no primary, the cross-cluster path is not declared, or the credentials would have to cross a namespace or cluster without a secret store. The service would start without a working database connection.",
                fix:
                    "Do what the message says: run the service where the primary is, set `databases.<name>.topology.remoteClients: primary` for the cross-cluster path, or set `security.secrets` so read-only and cross-namespace credentials can be delivered."
            )
        case .digestRequired:
            CheckRule(
                self, .error, "production image without a digest while pinDigests is on",
                why:
                    "`delivery.registry.pinDigests: true` asks that production runs images by `@sha256` digest, so a tag pushed again cannot change what runs. This service's production version has a tag only.",
                fix:
                    "Give the production version as a digest: `image: registry/repo@sha256:...` or a `sha256:` value for the environment in the versions file."
            )
        case .dnsMultiCluster:
            CheckRule(
                self, .warning, "host served by several clusters without per-cluster DNS routing",
                why:
                    "When an environment spans clusters, each cluster's external-dns publishes the same host name. Only the route53 provider can keep one record per cluster (latency-based records); with other providers the clusters overwrite each other's records and traffic flips between them.",
                fix: "Use `network.dns.provider: route53`, or serve the host from one cluster (an environment on one cluster).")
        case .dnsServer:
            CheckRule(
                self, .error, "rfc2136 or pdns DNS provider without network.dns.server",
                why:
                    "external-dns writes the public routes' records itself. The `rfc2136` and `pdns` providers have no fixed endpoint, so without `network.dns.server` external-dns has nowhere to send the updates and no record is published.",
                fix:
                    "Set `network.dns.server` to the name server (host:port) that accepts TSIG-signed updates for rfc2136, or to the PowerDNS API (http://host:port) for pdns."
            )
        case .dnsZone:
            CheckRule(
                self, .warning, "public host outside network.dns.zones",
                why:
                    "external-dns only manages the zones listed in `network.dns.zones`. A public host outside them gets no DNS record, so the route exists but nobody can resolve its name.",
                fix:
                    "Add the host's zone to `network.dns.zones`, or change the route's host (or the environment's domain) to one inside a listed zone."
            )
        case .dns01:
            CheckRule(
                self, .error, "shared host cannot get a DNS-01 certificate",
                why:
                    "A host served by more than one cluster cannot prove ownership over HTTP (HTTP-01), since any cluster may answer the challenge, so its certificate (from a `security.tls` issuer other than selfsigned) needs a DNS-01 challenge. cert-manager has no DNS-01 solver for pdns, and the google, azure and rfc2136 solvers need the project, subscription or name server; without it the certificate is never issued.",
                fix:
                    "Set the missing `network.dns.project`, `network.dns.subscription` or `network.dns.server` the message names; with pdns, use another DNS provider or serve each host from one cluster."
            )
        case .duplicateKey:
            CheckRule(
                self, .error, "duplicate key in a YAML mapping",
                why:
                    "A mapping names the same key twice. YAML readers disagree on what that means (the first wins, the last wins, or it is an error), so the value berth reads may not be the one you or another tool see.",
                fix: "Keep one of the keys and merge what the other held into it.")
        case .empty:
            CheckRule(
                self, .error, "empty spec file",
                why:
                    "The file holds only white space or comments, so there is no platform to check; it is usually the wrong path or a file truncated by an editor or a failed write.",
                fix: "Check the path, and start the spec with `berth: 1` (see docs/spec.md).")
        case .exposeMesh:
            CheckRule(
                self, .error, "expose together with a service mesh",
                why:
                    "`expose` lets partners outside the cluster connect straight to a service's port through a load balancer. With `network.mesh` istio or linkerd, the mesh's proxies require mutual TLS and would refuse the partners' plain connections, so berth does not render this combination.",
                fix: "Remove `expose` from the service (reach partners through a public route instead), or set `network.mesh: none`.")
        case .fileTooLarge:
            CheckRule(
                self, .error, "spec file larger than 8 MiB",
                why:
                    "berth refuses files over 8 MiB before parsing them: a platform spec is a few thousand lines at most, and a much larger input is either the wrong file or an attempt to exhaust memory.",
                fix: "Check that you passed the spec (or versions file) and not, say, a rendered folder's archive or a log.")
        case .firewallService:
            CheckRule(
                self, .error, "firewall rule does not match the exposed service",
                why:
                    "A `network.firewall` rule with `to: service/<name>` opens the edge for an exposed service. Its ports and protocol must be the service's, and its `from` must be one of `services.<name>.expose.from`: otherwise the firewall opens a port nothing serves, or admits traffic the service's load balancer and NetworkPolicy then drop.",
                fix:
                    "Set the rule's `ports` and `protocol` to what the message names, and add the rule's `from` range to the service's `expose.from` (or remove the rule)."
            )
        case .foreignRegistry:
            CheckRule(
                self, .error, "image from a registry other than delivery.registry",
                why:
                    "With `delivery.registry` set, berth renders the registry's policies (tag immutability, vulnerability scanning that blocks a deploy, lifecycle) for the repositories on that host only. An image pulled from another host escapes them.",
                fix:
                    "Push the image to `delivery.registry.host` and reference it there, or change `delivery.registry.host` if the registry moved."
            )
        case .invalidImage:
            CheckRule(
                self, .error, "invalid image reference",
                why:
                    "`services.<name>.image` cannot be read as `registry/repository[:tag][@sha256:digest]` in lower case, so no Deployment berth rendered would pull anything.",
                fix: "Write the full reference, registry host included, e.g. `registry.example.com/shop/web:1.4.2`.")
        case .invalidName:
            CheckRule(
                self, .error, "invalid name",
                why:
                    "Keys under maps such as `services`, `databases` or `env` become object names, label keys or variable names. They must be valid for that use (a DNS-1123 label: lower-case letters, digits and '-', at most 63 characters; or a valid environment variable or label key), and a plain all-digit key is read as a number by YAML readers.",
                fix: "Rename the key as the message explains, or quote an all-digit name (`\"42\"`) if you mean text.")
        case .invalidValue:
            CheckRule(
                self, .error, "value not allowed",
                why:
                    "A value has the right type but is not allowed: out of range, not one of the listed words, a malformed quantity, duration, cron schedule, CIDR, DNS name, path, URL, e-mail or version, too long, holding a control character, a leading-zero number or a YAML 1.1 boolean word. The same code covers values the checks refuse in context: a `uses` entry other than `database/<name>` or `bucket/<name>`, an AWS `provider.account` that is not 12 digits, a malformed node-pool taint, an SLO target or source that cannot work, `monitoring.retention` shorter than an SLO window, a `monitoring.namespace` kube-prometheus-stack cannot use, and a price in a `berth cost` price file that is not a non-negative decimal.",
                fix:
                    "The message names the field and what it accepts; change the value accordingly. docs/spec.md lists every field's type and allowed values."
            )
        case .invalidVersion:
            CheckRule(
                self, .error, "version is neither a tag nor a digest",
                why:
                    "The versions file gives this service and environment a version that is neither an image tag nor a `sha256:` digest, so the image berth renders would not resolve.",
                fix:
                    "Write a tag (e.g. `1.4.2`) or a digest (`sha256:` and 64 hex digits) for that environment and service in the versions file."
            )
        case .ipPin:
            CheckRule(
                self, .error, "a range pinned in the lock file no longer fits",
                why:
                    "`ip-plan.lock` pins ranges where they were first planned, so live networks never move. A pin now conflicts with the spec: the spec asks for another prefix length, the pinned range no longer fits in its parent (it overlaps another range or lies outside), or a pinned static address is not free in its subnet.",
                fix:
                    "Either change the spec back so the pin fits, or remove that line from the lock file to let berth plan the range again. Removing it moves the range: plan the change of any network already using it."
            )
        case .ipPlan:
            CheckRule(
                self, .error, "the address plan cannot be made",
                why:
                    "berth plans every cluster's VPC, subnets, pod and service ranges and static addresses inside `network.supernet`. This code reports why it cannot: the supernet or `network.ipv6` is not a prefix of its family, `carve.vpc` is not larger than the subnets it must hold, there is no room left for a range, or a static address names a subnet that is not planned or has no free address.",
                fix:
                    "Do what the message says: fix the prefix, choose `carve` lengths that nest, make the supernet larger or the carved ranges smaller, or move the static address to another zone or subnet."
            )
        case .ipReservedOverlap:
            CheckRule(
                self, .error, "pinned range overlaps a reserved range",
                why:
                    "A range pinned in `ip-plan.lock` overlaps a range listed in `network.reserved` (addresses used elsewhere, such as an office network or a peered VPC). Keeping both would route the same addresses to two places.",
                fix:
                    "Move or shrink the reservation if it is wrong, or remove the pin from the lock file so the range is planned around the reservation (which moves it)."
            )
        case .infraEngine:
            CheckRule(
                self, .error, "the foundation cannot be rendered for this spec",
                why:
                    "`infrastructure: { engine: crossplane }` renders the cloud foundation under `infra/` and Argo CD applications that apply it from the management cluster before the workloads. That needs the GitOps repository (`delivery.gitops`) the applications sync from, `provider.account` (roles, keys and policies name it), and a provider berth renders the foundation for (aws and gcp so far).",
                fix: "Add `delivery.gitops` and `provider.account`, or remove `infrastructure` and create the foundation another way."
            )
        case .infraIdentity:
            CheckRule(
                self, .warning, "a workload identity the Azure foundation needs has no client id of its own",
                why:
                    "With `infrastructure` on azure the foundation creates one managed identity per client id the render writes, named `<platform>-<key>` after the key of `provider.identities` that holds it. A service that uses buckets (or a database's backups) without a key of its own falls back to `provider.account`, the platform identity, which then holds the grants of every workload that shares it. The client id exists only once Azure has created the identity.",
                fix:
                    "Apply the foundation, read `status.atProvider.clientId` of the UserAssignedIdentity `<platform>-<service>` (or `<platform>-<database>-backup`), and write it to `provider.identities.<service>` (or `<environment>-<service>`, `<database>-backup`)."
            )
        case .infraPending:
            CheckRule(
                self, .warning, "values Azure assigns on creation are not in the spec yet",
                why:
                    "A role assignment needs its identity's principal id and a federated identity credential its cluster's OIDC issuer URL; Azure assigns both when it creates the identity or cluster, and the provider takes them as plain values, not references. Until the spec has them (`infrastructure.principals`, `infrastructure.issuers`), those objects are left out of `infra/`: the workloads cannot yet reach what they use.",
                fix:
                    "Apply the foundation, read `status.atProvider.principalId` of each identity (and of each disk encryption set) and `status.atProvider.oidcIssuerUrl` of each KubernetesCluster, write them under `infrastructure.principals` and `infrastructure.issuers`, and render again."
            )
        case .infraProjectNumber:
            CheckRule(
                self, .warning, "a gcp foundation without the project number its keys' service agents need",
                why:
                    "GKE encrypts Kubernetes secrets, Compute Engine the StorageClasses' persistent disks and Cloud Storage the buckets with the region's Cloud KMS key, each through its Google-managed service agent, whose e-mail carries the project *number* (`service-<number>@container-engine-robot.iam.gserviceaccount.com`, `compute-system`, `gs-project-accounts`). Without `roles/cloudkms.cryptoKeyEncrypterDecrypter` on the key, the cluster, the disks and the buckets fail to create. The spec names the project by its id (`provider.account`); without its number `infra/` cannot grant the agents the key.",
                fix:
                    "Add `provider.projectNumber` (`gcloud projects describe <account> --format='value(projectNumber)'`) and render again: `infra/keys/` then grants each agent that uses a region's key the role on it, before the clusters and buckets."
            )
        case .infraKey:
            CheckRule(
                self, .error, "a region's key is not an alias the foundation can create",
                why:
                    "The foundation creates one KMS key per region and the alias `provider.regions.<region>.kmsKey` names; the StorageClasses, bucket encryption and cluster secrets encryption all use that alias ARN. A key ARN (`key/<id>`), an alias in another region or account, or an AWS-managed alias (`alias/aws/...`) cannot be created, so nothing the render names would exist. On gcp the foundation creates the key ring and key of the path `kmsKey` names, which must be in the project `provider.account` and the entry's region; on azure the disk encryption set `kmsKey` names, in `provider.subscription` and `provider.resourceGroup`.",
                fix:
                    "Write `arn:aws:kms:<region>:<account>:alias/<name>` with the region of the entry and `provider.account` (aws), `projects/<account>/locations/<region>/keyRings/<ring>/cryptoKeys/<key>` (gcp), or `/subscriptions/<subscription>/resourceGroups/<group>/providers/Microsoft.Compute/diskEncryptionSets/<name>` with `provider.subscription` and `provider.resourceGroup` (azure)."
            )
        case .infraLimit:
            CheckRule(
                self, .error, "a foundation name or count over the provider's limit",
                why:
                    "The foundation creates the cloud's objects under the names the render uses: one managed node group per pool (EKS allows 30 per cluster) and one S3 bucket per physical bucket (`<platform>-<environment>-<bucket>`, 3-63 lower-case letters, digits, '-' and '.'). On gcp: GKE allows 15 node pools per cluster and 40-character cluster and node pool names, and a Google service account id (`<name>-<scope>`, the account Workload Identity annotations name) is 6-30 characters. A name or count over the limit fails to create.",
                fix: "Shorten the platform, environment, cluster or bucket name, or merge node pools."
            )
        case .infraOnPremises:
            CheckRule(
                self, .note, "no cloud foundation on premises",
                why:
                    "On premises there is no cloud API to create networks, clusters or keys: the foundation is the hardware of `provider.hardware`, the MetalLB address pools from the IP plan and the nftables edge firewall under `network/firewall/`, which the render already writes. `infrastructure` adds nothing there.",
                fix: "Nothing to fix; remove `infrastructure` to silence the note."
            )
        case .infraZone:
            CheckRule(
                self, .error, "the foundation would create a network in a zone the region does not have",
                why:
                    "With `infrastructure`, `infra/` creates a public and a private subnet, NAT gateways and node groups in every zone of `provider.regions`. A region the provider does not have, or a zone the region does not offer (AWS: `PlatformChecks.awsZones`), fails to create them and everything after them.",
                fix: "Use the provider's region name and zones that exist in it (the message lists them); the IP plan follows the zones."
            )
        case .ipamServerCluster:
            CheckRule(
                self, .error, "ipam.server cluster is not one of its environment's",
                why:
                    "The team server runs in one environment on one of that environment's clusters, whose namespace, gateway and database it uses. `ipam.server.cluster` names a cluster the environment does not run on, so it could not be rendered there.",
                fix:
                    "Set `ipam.server.cluster` to one of the clusters the message lists, or `ipam.server.environment` to an environment that runs on that cluster."
            )
        case .ipamServerHostname:
            CheckRule(
                self, .error, "ipam.server hostname outside its environment's domain",
                why:
                    "The team server is published through its environment's gateway, whose routes, DNS records and certificates cover the environment's domain only. A host name outside it would get no record and no certificate.",
                fix: "Use the environment's domain or a name under it, e.g. `ipam.<domain>`.")
        case .ipamServerMetricsToken:
            CheckRule(
                self, .warning, "team server metrics token cannot be delivered",
                why:
                    "With `monitoring` declared, Prometheus scrapes the team server's `/metrics`, which needs a read-scope token. berth delivers it from the secret store; without `security.secrets` there is no store, so the scrape fails until the Secret exists.",
                fix:
                    "Set `security.secrets`, or create the Secret the message names (key `token`) in the namespace it names from `berth ip token create --scope read`."
            )
        case .missing:
            CheckRule(
                self, .error, "required key missing or without a value",
                why:
                    "The spec leaves out a key that has no default, or writes it with no value (`key:`), so berth cannot build the part of the platform it describes.",
                fix: "Add the key with a value; docs/spec.md shows which keys are required and what they take.")
        case .missingKey:
            CheckRule(
                self, .error, "region without its own KMS key",
                why:
                    "With `security.encryption.atRest: kms` and at least one `provider.regions.<region>.kmsKey`, every region that has clusters must name its own key: KMS keys are regional, so volumes in a region without one, or with an AWS key ARN from another region, cannot be encrypted with it. (The code is about encryption keys, not YAML keys.)",
                fix: "Set `provider.regions.<region>.kmsKey` for each region the message names to a key created in that region.")
        case .missingValue:
            CheckRule(
                self, .error, "metrics or SLO without what it reads",
                why:
                    "`services.<name>.metrics` needs a port to scrape (its own `port` or the service's), and an SLO with `source: metrics` reads the service's own metrics, so the service must declare `metrics`. Otherwise the scrape target or the SLO's alert rules have nothing to read.",
                fix:
                    "Set `metrics.port` (or the service port), add `metrics: { port: ... }` to the service, or use `source: gateway` for a public service."
            )
        case .missingVersion:
            CheckRule(
                self, .error, "service without a version for an environment",
                why:
                    "The service's image has no tag or digest, and the versions file gives none for this environment, so berth does not know which build to run there.",
                fix:
                    "Add a tag to `services.<name>.image`, or set `<environment>.<service>` in the versions file (versions.yaml beside the spec, or `--versions`)."
            )
        case .mutableTag:
            CheckRule(
                self, .error, "image uses a moving tag",
                why:
                    "Tags such as `latest`, `main`, `master`, `stable`, `dev`, `develop`, `edge`, `nightly` or `head` name a different build every time something is pushed, so two renders of the same spec, or two pods of one Deployment, may run different code, and a rollback has nothing to return to.",
                fix: "Pin a version tag (e.g. `1.4.2`) or a digest, in the image or in the versions file.")
        case .nameClash:
            CheckRule(
                self, .error, "database named like a service",
                why:
                    "CloudNativePG names a database's ServiceAccount after the database. A database with the name of a service would take over the service's own ServiceAccount, and with it the service's permissions.",
                fix: "Rename the database or the service.")
        case .nameTaken:
            CheckRule(
                self, .error, "name reserved by ipam.server",
                why:
                    "With `ipam.server` set, berth renders a service `berth-ipam` and a database `berth-ipam-ledger` for the team server. A service or database of the spec with that name would collide with them.",
                fix: "Rename the service or database the message names.")
        case .nameTooLong:
            CheckRule(
                self, .error, "derived object name longer than Kubernetes allows",
                why:
                    "berth builds object names from the spec's names: the namespace `<platform>-<environment>`, secret objects `<service>-<secret>`, and names such as `<service>-allow-egress`. Kubernetes refuses names over 63 characters, so service names are kept to 47.",
                fix: "Shorten the platform, environment, service or secret name the message names.")
        case .noAccount:
            CheckRule(
                self, .error, "AWS account not set",
                why:
                    "On aws, bucket policies and the workload roles that reach buckets and backups name the AWS account id. Without `provider.account` those policies cannot be written.",
                fix: "Set `provider.account` to the 12-digit AWS account id.")
        case .noBackup:
            CheckRule(
                self, .warning, "database without backup on a platform with production",
                why:
                    "A database without a `backup` section can only fail over between its instances: a lost volume, a deleted cluster or a bad migration loses data up to the last write. `berth audit` reports it as BERTH-BAK-001.",
                fix: "Add `databases.<name>.backup` with a bucket, schedule and retention.")
        case .noClusters:
            CheckRule(
                self, .error, "environment without clusters",
                why: "An environment runs on the clusters it lists; with none, nothing of it can be rendered or deployed.",
                fix: "List at least one cluster under `environments.<name>.clusters`.")
        case .noPort:
            CheckRule(
                self, .error, "service without the port its traffic needs",
                why:
                    "A service with `expose` or a public route, or one that another service lists in `talksTo`, receives traffic, which needs a port to arrive at. Without one, berth cannot render the Service, route or NetworkPolicy for that traffic.",
                fix: "Give the service a `port`, or remove `expose`, `public` or the `talksTo` edge.")
        case .noProbe:
            CheckRule(
                self, .warning, "service without health probes",
                why:
                    "berth probes a service on its port, or runs `health.command`. A continuously running service with neither gets no liveness or readiness probe: a hung process is never restarted and receives traffic while it is not ready.",
                fix: "Give the service a port or a `health.command`.")
        case .noSecretStore:
            CheckRule(
                self, .error, "secrets needed but no secret store",
                why:
                    "Credentials reach pods as ExternalSecrets from `security.secrets.store`. A service that lists `secrets`, on-premises database backups and Velero volume backups (whose object-storage credentials come from the store), Longhorn's encryption passphrase and the Ceph client key ceph-csi provisions and mounts RBD volumes with have no source for them without it.",
                fix:
                    "Set `security.secrets.store` to the external secret store the credentials come from (or, for Longhorn, `security.encryption.atRest: none`)."
            )
        case .noStorageClass:
            CheckRule(
                self, .warning, "volume without a storage class",
                why:
                    "The service has a volume but `storage.classes` is empty, so the volume uses whatever class each cluster marks default, which may be slow, unencrypted or not snapshotted.",
                fix: "Declare the storage classes under `storage.classes`, one of them marked default.")
        case .noZones:
            CheckRule(
                self, .error, "cluster without zones",
                why:
                    "Node pools, subnets and the spread of replicas are planned per zone; a cluster with none can be neither planned nor rendered.",
                fix: "List the zones under `provider.regions.<region>.zones` (or on the cluster).")
        case .notText:
            CheckRule(
                self, .error, "file is not UTF-8 text",
                why:
                    "The file holds NUL bytes, is not valid UTF-8, or cannot be read as text: it is binary, or saved in another encoding, so berth cannot read it as YAML.",
                fix: "Check the path, and save the file as UTF-8.")
        case .plainSecret:
            CheckRule(
                self, .error, "credential as a plain env value",
                why:
                    "An env variable whose name looks like a credential (PASSWORD, TOKEN, SECRET, *_KEY, ...) has a literal value, or a value holds a password (URL userinfo or `password=`). The spec is stored in Git and the value would be rendered into manifests in clear text. berth never prints such a value. `berth audit` waives this error and reports the finding BERTH-SEC-002 instead.",
                fix:
                    "List the secret under `services.<name>.secrets` (rendered as an ExternalSecret from `security.secrets.store`) and remove the variable from `env`. Values that only point to a secret (`vault:`, `arn:`, `${VAR}`, a file path) pass."
            )
        case .podCidr:
            CheckRule(
                self, .error, "pod CIDR too small for the nodes the pools can grow to",
                why:
                    "Each node takes one range of the cluster's pod CIDR, sized by `network.podsPerNode`. When the node pools' maximums add up to more nodes than the pod CIDR has ranges, the nodes beyond it get no pod addresses and stay unusable.",
                fix: "Use the shorter `carve.pods` prefix the message suggests, or lower the node pools' `max` or `network.podsPerNode`.")
        case .podTooLarge:
            CheckRule(
                self, .error, "pod larger than one node of its pool",
                why:
                    "A pod must fit on one node. The service's CPU or memory request exceeds what one node of its pool can allocate after the system reservations, so its pods would stay Pending.",
                fix: "Lower the service's requests, or give the pool (or the service's `nodePool`) a larger machine type.")
        case .productionDatabase:
            CheckRule(
                self, .warning, "production database without failover across zones",
                why:
                    "In a production environment a database needs 2 or more instances spread over 2 or more zones; with one instance, or a cluster with one zone, losing a node or zone stops it. `berth audit` reports a single instance as BERTH-HA-003.",
                fix: "Set `instances` to 2 or more, and run the production clusters over 2 or more zones.")
        case .productionReplicas:
            CheckRule(
                self, .error, "production service with fewer than 2 replicas",
                why:
                    "In production a continuously running service needs `replicas.min` of 2 or more, so a node failure, a drain or a rollout does not stop it. One replica is allowed only with a written `replicas.waiver`; 0 never.",
                fix:
                    "Set `replicas.min` to 2 or more (in the service or its production override), or, if one is enough, keep 1 and write the reason in `replicas.waiver`."
            )
        case .productionReplicasWaiver:
            CheckRule(
                self, .note, "production service on one replica under a waiver",
                why:
                    "The service runs one replica in production with a written `replicas.waiver`, so `berth check` accepts it. The note keeps the decision visible: losing that replica's node or zone stops the service. `berth audit` reports it as BERTH-HA-005.",
                fix: "Nothing is required. Remove the waiver and raise `replicas.min` to 2 when the reason no longer holds.")
        case .priceProvider:
            CheckRule(
                self, .error, "price file for another provider",
                why:
                    "`berth cost` prices each machine type, disk and bucket of the spec with the price file's figures. A price file states its provider (`provider:`); prices of another provider's machine types and storage would give a figure with no meaning for this platform.",
                fix: "Pass a price file whose `provider` is the spec's `provider.name` (see examples/prices for aws, gcp and azure).")
        case .providerNameLimit:
            CheckRule(
                self, .error, "name over the provider's limit",
                why:
                    "Some names berth passes to the cloud have limits tighter than Kubernetes': a node pool's name is the node group (EKS: 1-63 letters, digits, '-' and '_', starting with a letter or digit), the GKE node pool (1-40 lower-case letters, digits and '-', starting with a letter and not ending with '-') or the AKS agent pool (1-12 lower-case letters and digits, starting with a letter), and it is the value of the pool label every `nodeSelector` uses. A name over the limit cannot be created, so the pods that select it never schedule. On Google Cloud the bucket names berth derives (`<platform>-<environment>-<bucket>`, or `<platform>-<bucket>` when shared) must be valid Cloud Storage names (3-63 lower-case letters, digits, '-', '_' and '.', no 'goog' prefix and no 'google'), and the Secret Manager ids of the secrets (`<platform>_<environment>_<service>_<secret>`) at most 255 characters.",
                fix:
                    "Rename the node pool within the provider's limit (on Azure, for example `general` or `gpu1`); the nodeSelectors follow the new name."
            )
        case .providerMachine:
            CheckRule(
                self, .warning, "machine type the provider does not offer",
                why:
                    "A node pool's `machine` is the provider's machine type. On Google Cloud it is a Compute Engine type: `<family>-<type>-<vCPUs>` of a family that offers that type (for example `n2-standard-4`, `c3-highmem-8`), a custom type `<family>-custom-<vCPUs>-<MiB>`, or a shared-core type (`e2-medium`). On AWS it is an EC2 instance type `<family>.<size>` (`m6i.large`, `c7g.2xlarge`, `r6id.metal`); on Azure a VM size `Standard_<family><vCPUs><features>_v<version>` (`Standard_D4s_v5`, `Standard_NC24ads_A100_v4`). Any other name is refused when the node pool is created, and `berth cost` cannot price it. Providers add families, so this is a warning: a new family berth does not know yet still renders.",
                fix: "Use a machine type of the provider's catalogue (the price file in examples/prices lists the common ones).")
        case .providerRegion:
            CheckRule(
                self, .warning, "region or zone the provider does not have",
                why:
                    "Each `provider.regions` key is a region of the provider and each of its `zones` a zone of that region. On Google Cloud berth knows every public region and its zone letters (for example `europe-west1` has `europe-west1-b`, `-c` and `-d`), on AWS every region and its zone letters (`PlatformChecks.awsZones`), on Azure every region and whether it has availability zones (`PlatformChecks.azureRegions`); a region or zone outside them cannot hold a cluster, a bucket or a key. Providers add regions, so this is a warning: a region newer than berth's table still renders. With `infrastructure` the foundation creates subnets and node groups in those zones, so there it is the error `infra-zone`.",
                fix:
                    "Correct the region or zone name (the message suggests the nearest region and lists the region's zones; on Azure: `az account list-locations`)."
            )
        case .providerZoneName:
            CheckRule(
                self, .error, "zone name the provider cannot have",
                why:
                    "Azure availability zones are named `1`, `2` and `3` in every region that has them; a zone written any other way (`westeurope-1`, `a`) is refused when the cluster or its node pools are created, after the rest of the render is in place.",
                fix: "Write the zones as `1`, `2` and `3`, or leave them empty in a region without availability zones.")
        case .secretKeyName:
            CheckRule(
                self, .error, "secret-store key name over the store's limit",
                why:
                    "Each ExternalSecret reads a key of the secret store named after the platform, environment, service and secret. Azure Key Vault secret names are 1-127 letters, digits and '-' (berth joins the parts with '-'); a longer name cannot be created, so the ExternalSecret never syncs and the pod never starts.",
                fix: "Shorten the secret's, service's or environment's name so the joined name stays within 127 characters.")
        case .teamGroupId:
            CheckRule(
                self, .warning, "Azure team group not an Entra ID object id",
                why:
                    "AKS with Entra ID integration puts the object ids of the user's groups into the token, not their names, so a RoleBinding subject naming a group by its display name (or the team name, the default) matches nobody and the team has no access.",
                fix: "Set `security.teams.<team>.group` to the group's object id (`az ad group show --group <name> --query id`).")
        case .storageAccountName:
            CheckRule(
                self, .error, "two storage accounts with one name",
                why:
                    "On Azure each environment's buckets are blob containers of one storage account named from the platform and the environment (the shared buckets': `<platform>shared`), with only lower-case letters and digits and at most 24 characters. Two environments whose names differ only in other characters get the same account, so their data would mix and their lifecycle rules and role assignments would apply to each other.",
                fix: "Rename one of the environments so the letters and digits of the names differ.")
        case .productionTls:
            CheckRule(
                self, .error, "production public route without HTTPS",
                why:
                    "A public route in production must serve HTTPS: one with `tls: false` sends credentials and sessions in clear text, and without `security.tls` no certificate can be issued for any route.",
                fix: "Remove `tls: false` from the route, and add `security.tls` with an issuer and e-mail address.")
        case .replicaWithoutArchive:
            CheckRule(
                self, .error, "replica cluster without a backup to follow",
                why:
                    "A read-only replica cluster on an environment's other clusters (`topology.replicas: read`, the default) follows the primary through its WAL archive, which the database's backup writes. Without a backup there is no archive and the replica never receives data.",
                fix: "Add `databases.<name>.backup`, or set `topology.replicas: none`.")
        case .routeConflict:
            CheckRule(
                self, .error, "two services claim the same host and path",
                why:
                    "In one environment, two services route the same host and path. The gateway would send the requests to one of them, which one depending on the gateway, not on the spec.",
                fix: "Give one of the services another host or path.")
        case .rpo:
            CheckRule(
                self, .warning, "database recovery point worse than its target",
                why:
                    "`databases.<name>.rpo` states how much data the database may lose. With a backup, berth archives WAL every 5 minutes, so the recovery point it computes is 5 minutes; a target below that cannot be met, and a restore would lose more than the target allows. (Without a backup there is no recovery point to compare; `no-backup` reports that.)",
                fix: "Set `rpo` to at least the recovery point the message names.")
        case .scheduledCallable:
            CheckRule(
                self, .error, "scheduled service with a port, route or caller",
                why:
                    "A service with `schedule` runs as a CronJob: it starts, works and exits, and takes no calls. A port, a public route (also in an override) or a `talksTo` edge pointing at it describes traffic that nothing would serve.",
                fix: "Remove `port`, `public` or the `talksTo` edge, or remove `schedule` to run the service continuously.")
        case .scheduledVolumes:
            CheckRule(
                self, .error, "scheduled service with volumes",
                why:
                    "Volumes make a StatefulSet, but a scheduled service runs as a CronJob, which keeps no volume from one run to the next.",
                fix: "Keep the job's data in a database or bucket, or remove `schedule`.")
        case .selfReference:
            CheckRule(
                self, .warning, "service lists itself in talksTo",
                why:
                    "Traffic between the pods of one service needs no rule, so the edge does nothing; it is usually a typo for another service.",
                fix: "Remove the service's own name from its `talksTo`, or name the service you meant.")
        case .sharedDatabase:
            CheckRule(
                self, .error, "shared database used from another cluster",
                why:
                    "A shared database (`shared: true` on the database, or used by an environment with `data: shared`) has one instance, on the cluster of the first environment that shares it. Another environment that uses it from a different cluster cannot reach it.",
                fix:
                    "Share the database only between environments on one cluster, or give the other environment its own instance (no `shared` on the database, and `data: isolated`)."
            )
        case .stagingParity:
            CheckRule(
                self, .note, "production-like environment differs from production",
                why:
                    "A production-like environment (`productionLike`, true by default for tier staging) is where changes are tried before production. Every difference from production (per service: enabled, replicas, resources, public exposure, env vars, image version; per environment: cluster count, zones, data isolation) is something staging does not test. Notes never fail a check, not even with `--strict`.",
                fix:
                    "Nothing is required. Align the setting with production where the difference is not intended, or set `productionLike: false` on an environment that is not meant to mirror production."
            )
        case .storageDefault:
            CheckRule(
                self, .error, "more than one default storage class",
                why:
                    "With several classes marked default, the class a volume without one gets depends on the cluster (Kubernetes takes the newest default), not on the spec.",
                fix: "Mark one class of `storage.classes` as default.")
        case .storageShrink:
            CheckRule(
                self, .error, "storage shrinks between two specs",
                why:
                    "Reported by `berth diff` between two specs: a database's storage or WAL storage, or a service volume, is smaller in the new spec. Volumes can grow but never shrink, so the change cannot be applied.",
                fix: "Keep the size at least what it was. To shrink, migrate the data to a new database or volume.")
        case .supernetTooSmall:
            CheckRule(
                self, .error, "supernet too small for every cluster's ranges",
                why:
                    "Each cluster takes a VPC, a pod and a service range of the `carve` sizes out of `network.supernet` (less the reserved ranges). The message says how many addresses are missing and which supernet would hold them.",
                fix: "Use the larger supernet the message suggests, or smaller `carve` ranges, or fewer clusters.")
        case .tagStrategy:
            CheckRule(
                self, .error, "image tag does not follow delivery.registry.tags",
                why:
                    "`delivery.registry.tags` sets how images are tagged (semver, git-sha or semver+sha), so a tag tells which build it is. A tag of another form is not a build of the pipeline the registry expects. Digests always pass.",
                fix: "Use a tag of the form the message shows, or a digest, in the image or the versions file.")
        case .tlsIssuer:
            CheckRule(
                self, .error, "certificate issuer cannot issue",
                why:
                    "cert-manager's ClusterIssuer needs what its kind needs: an ACME issuer (letsencrypt, letsencrypt-staging) an account e-mail; `ca` the Secret holding the CA's certificate and key, which berth fills from the secret store (so a secret store must be set); `vault` the Vault server's https:// address, to which cert-manager sends a ServiceAccount token. Settings of one issuer given with another are never read, which hides a mistake.",
                fix:
                    "Set what the chosen `security.tls.issuer` needs (`email`; `ca.secret` and `security.secrets`; `vault.address` with https://), and remove `security.tls.ca` or `security.tls.vault` when the issuer is another."
            )
        case .tooDeep:
            CheckRule(
                self, .error, "YAML nested too deep",
                why:
                    "berth refuses structures nested more than 64 levels before parsing them: no spec needs that, and very deep input could exhaust the parser's stack.",
                fix: "Check the file: deep nesting usually means broken indentation or a generated file passed by mistake.")
        case .tooLarge:
            CheckRule(
                self, .error, "YAML expands to too many values",
                why:
                    "YAML aliases can repeat a subtree many times (a billion laughs attack). berth stops reading after 2,000,000 values, far more than any spec holds.",
                fix: "Remove the aliases that expand, or write the values out.")
        case .tooMany:
            CheckRule(
                self, .error, "too many problems",
                why:
                    "After 200 problems in one file berth stops listing them: the file is most likely not a spec, or one mistake (such as broken indentation) repeats everywhere.",
                fix: "Fix the first problems listed and check again.")
        case .type:
            CheckRule(
                self, .error, "value of the wrong type",
                why:
                    "A value is not of the type its field takes: a mapping where a list belongs, text where a number or boolean belongs, or a key that is not a plain word. berth does not guess conversions, because other YAML readers would guess differently.",
                fix: "Write the value in the type the message names; docs/spec.md gives every field's type.")
        case .udpPublic:
            CheckRule(
                self, .error, "UDP service with a public route",
                why: "The gateway routes HTTP(S) only, so a UDP service behind a public route would receive nothing.",
                fix: "Reach the service's partners through `expose` (a load balancer for its port), and remove `public`.")
        case .unknownKey:
            CheckRule(
                self, .error, "unknown key",
                why:
                    "The spec has a key its schema does not know, usually a typo (`replica` for `replicas`). berth refuses it rather than ignoring it, because an ignored key is a setting that silently does not apply.",
                fix: "Use the key the message suggests, or one of those it lists; docs/spec.md lists every key.")
        case .unknownMachine:
            CheckRule(
                self, .error, "machine type without a price",
                why:
                    "Reported by `berth cost`: a node pool's machine type has no price in the price file, so the environment's cost cannot be computed.",
                fix: "Add the machine type to the price file's `machines`, or correct the pool's `machine`.")
        case .unknownReference:
            CheckRule(
                self, .error, "reference to something that does not exist",
                why:
                    "A name points to something the spec does not define: a region, zone, cluster, environment, service, database, bucket, node pool, team, storage class or firewall target, in the spec, in `ipam.server` or `monitoring`, or an environment or service named in the versions file. What refers to it would render incomplete.",
                fix: "Use the name the message suggests or one of those it lists, or define what is missing.")
        case .unusedWaiver:
            CheckRule(
                self, .warning, "replicas.waiver on a service with 2 or more replicas",
                why:
                    "`replicas.waiver` allows one replica in production. The service already runs 2 or more there, so the waiver has no effect and would silently allow a later drop to one replica.",
                fix: "Remove `replicas.waiver`.")
        case .veleroBucket:
            CheckRule(
                self, .error, "volume snapshots without a bucket for Velero",
                why:
                    "`storage.snapshots` schedules Velero backups, which need a bucket for their BackupStorageLocation. berth uses a database backup bucket, or else a bucket with versioning; the spec has neither, so the schedules would fail.",
                fix: "Set `databases.<name>.backup.bucket`, or add a bucket with `versioning: true`.")
        case .yaml:
            CheckRule(
                self, .error, "YAML syntax error",
                why:
                    "The file is not valid YAML, or uses YAML berth refuses: an alias as a mapping key, an alias to an undefined anchor, or a second document (`---`) in one spec.",
                fix:
                    "Fix the syntax at the position shown (often indentation, a missing colon or an unclosed quote or bracket); keep one document per file."
            )
        case .yamlTag:
            CheckRule(
                self, .error, "YAML tag on a value or key",
                why:
                    "A value or key carries an explicit YAML tag such as `!!str` or `!!int`. berth decides each value's type from the schema, and tags are read differently by other YAML readers.",
                fix: "Remove the tag; quote the value if you mean text.")
        case .zoneSpread:
            CheckRule(
                self, .warning, "production service with fewer replicas than zones",
                why:
                    "The service's `replicas.min` is below the number of zones its production clusters span, so at least one zone runs no replica and the service depends on the remaining zones more than the platform's layout suggests.",
                fix: "Raise `replicas.min` to at least the number of zones.")
        }
    }
}

/// The check catalogue: every diagnostic code with its meaning, for `berth check --explain`,
/// docs/checks.md and machine-readable output.
public enum CheckRules {
    /// Every entry, in code order.
    public static let all: [CheckRule] = CheckCode.allCases.map(\.rule).sorted { $0.code.rawValue < $1.code.rawValue }

    /// The entry of `code`, or nil when no check has that code.
    public static func rule(_ code: String) -> CheckRule? {
        CheckCode(rawValue: code).map(\.rule)
    }

    /// The known codes nearest to `code` (at most `limit`), closest first: those within a few
    /// edits, then those that contain it or that it contains.
    public static func nearest(_ code: String, limit: Int = 3) -> [String] {
        let word = code.lowercased()
        let w = Array(word)
        guard !w.isEmpty else { return [] }
        var scored: [(String, Int)] = []
        for c in CheckCode.allCases.map(\.rawValue) {
            let d = Suggest.distance(w, Array(c))
            if d <= max(2, min(4, c.count / 3)) {
                scored.append((c, d))
            } else if word.count >= 3, c.contains(word) || word.contains(c) {
                scored.append((c, 10 + abs(c.count - word.count)))
            }
        }
        return scored.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }.prefix(limit).map(\.0)
    }

    /// The one-line error for an unknown code, with the nearest known codes.
    public static func unknownCodeMessage(_ code: String) -> String {
        let near = nearest(code)
        let base = "unknown check code '\(code)'"
        switch near.count {
        case 0: return base + "; 'berth check --explain all' lists every code"
        case 1: return base + "; did you mean '\(near[0])'?"
        default:
            let quoted = near.map { "'\($0)'" }
            return base + "; did you mean " + quoted.dropLast().joined(separator: ", ") + " or " + quoted[quoted.count - 1] + "?"
        }
    }

    /// One entry as text for a terminal: code, severity, title, then why and how to fix it.
    public static func text(_ r: CheckRule) -> String {
        """
        \(r.code.rawValue) (\(r.severityText)): \(r.title)

        Why it matters:
        \(wrap(r.why, width: 88, indent: "  "))

        How to fix it:
        \(wrap(r.fix, width: 88, indent: "  "))

        """
    }

    /// The catalogue as a list: one line per code with its severity and title.
    public static func listText() -> String {
        let width = all.map(\.code.rawValue.count).max() ?? 0
        let sevWidth = all.map(\.severityText.count).max() ?? 0
        return all.map { r in
            let code = r.code.rawValue + String(repeating: " ", count: width - r.code.rawValue.count)
            let sev = r.severityText + String(repeating: " ", count: sevWidth - r.severityText.count)
            return "\(code)  \(sev)  \(r.title)\n"
        }.joined()
    }

    /// Entries as JSON: `{"checks": [{"code", "severity", "severities", "title", "why", "fix"}]}`.
    public static func json(_ rules: [CheckRule]) -> String {
        let items: [JSONValue] = rules.map { r in
            .object([
                ("code", .string(r.code.rawValue)),
                ("severity", .string(r.severity.rawValue)),
                ("severities", .array(([r.severity] + r.otherSeverities).map { .string($0.rawValue) })),
                ("title", .string(r.title)),
                ("why", .string(r.why)),
                ("fix", .string(r.fix)),
            ])
        }
        return JSONValue.object([("checks", .array(items))]).serialized(pretty: true) + "\n"
    }

    /// docs/checks.md: a summary table, then one section per code.
    public static func markdown() -> String {
        var out = """
            # berth check: the catalogue of diagnostics

            Generated by `berth check --explain all --format markdown`; do not edit by hand, run `scripts/update-docs.sh`.

            Every diagnostic berth prints carries one of these codes (the `code` field of
            `berth check --format json`). Codes are stable: tests, scripts and CI filters may rely on
            them. Errors fail `berth check` (exit 1); warnings fail it only with `--strict`; notes never
            do. `berth check --explain CODE` prints one entry.

            | code | severity | title |
            |---|---|---|

            """
        for r in all {
            out += "| [`\(r.code.rawValue)`](#\(r.code.rawValue)) | \(r.severityText) | \(r.title) |\n"
        }
        for r in all { out += "\n" + markdownSection(r) }
        return out
    }

    /// One entry as a Markdown section.
    public static func markdownSection(_ r: CheckRule) -> String {
        """
        ## \(r.code.rawValue)

        **\(r.title)**. Severity: \(r.severityText).

        \(r.why)

        **How to fix it.** \(r.fix)

        """
    }

    /// `text` broken into lines of at most `width` characters (longer words stay whole), each
    /// starting with `indent`.
    static func wrap(_ text: String, width: Int, indent: String) -> String {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            if !line.isEmpty, indent.count + line.count + 1 + word.count > width {
                lines.append(indent + line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { lines.append(indent + line) }
        return lines.joined(separator: "\n")
    }
}
