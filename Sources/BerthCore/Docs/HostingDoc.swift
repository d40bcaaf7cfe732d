import BerthNet
import Foundation

/// Writes the platform's Hosting & Network document from the spec and its plans.
///
/// The structure is the template's (every heading and bullet, in order); every bullet is
/// answered from the spec, and where the spec is silent the answer names the default in
/// force and the field that changes it.
public struct HostingDoc: Sendable {
    /// The spec the document describes.
    public var spec: Spec
    /// The spec resolved per environment and cluster.
    public var plan: Plan
    /// The address plan, when there is one.
    public var ipPlan: IPPlan?
    var renderer: Renderer
    /// What the render contains: mechanisms are claimed only when they are in it.
    var facts: RenderedFacts

    /// The add-ons of the render, from the objects `facts` holds (no second render).
    var addons: [AddonInstance] {
        renderer.addons(indexes: ReferenceCheck.indexes(ReferenceCheck.objectsByCluster(facts.files.map { ($0.path, $0.objects) })))
    }

    /// The document of `spec`, resolving its plan here; `ipPlan` gives the address tables.
    public init(spec: Spec, ipPlan: IPPlan?) {
        self.init(Pipeline.Checked(plan: Plan(spec: spec, ipPlan: ipPlan)))
    }

    /// The document of a checked spec, from its one resolved plan.
    public init(_ checked: Pipeline.Checked) {
        self.spec = checked.spec
        self.plan = checked.plan
        self.ipPlan = checked.ipPlan
        self.renderer = Renderer(plan: plan, ipPlan: ipPlan)
        self.facts = RenderedFacts(renderer: renderer)
    }

    /// The files of the document: Markdown, HTML and one SVG per diagram.
    /// Where the ledger's team server runs, read from the render (`ipam.server`); empty when
    /// none is rendered.
    var teamServerText: String {
        guard let t = facts.teamServer else { return "" }
        let at =
            t.hosts.isEmpty ? "" : " at " + t.hosts.map { "https://\($0)" }.joined(separator: ", ") + " through the environment's gateway"
        let backup =
            t.ledgerBackedUp
            ? ", backed up to object storage like the environment's other databases"
            : ", not backed up (no database of the spec has a backup)"
        let scrape = t.scraped ? "; Prometheus scrapes its /metrics with a read-scope token" : ""
        return
            " The ledger's team server (`berth serve`, ipam.server) runs on cluster \(t.cluster) in namespace \(t.namespace): Deployment \(IPAMServer.serviceName) with \(t.replicas) replica\(t.replicas == 1 ? "" : "s")\(at), on its PostgreSQL ledger, the CloudNativePG cluster \(IPAMServer.ledgerName) (\(t.ledgerInstances) instance\(t.ledgerInstances == 1 ? "" : "s")\(backup))\(scrape). Pipelines and people allocate through its API with tokens (`berth ip token create`)."
    }

    /// The files of the document: `hosting-and-network.md`, its HTML and one SVG per diagram.
    public func artifacts() -> [Artifact] {
        let doc = build()
        var out = [
            Artifact(path: "hosting-and-network.md", contents: doc.markdown() + "\n", objects: 0),
            Artifact(path: "hosting-and-network.html", contents: doc.html(title: "Hosting & Network: \(spec.platform)"), objects: 0),
        ]
        for b in doc.blocks {
            if case .diagram(_, _, let file, let svg) = b { out.append(Artifact(path: file, contents: svg, objects: 0)) }
        }
        out += MonitoringDoc(renderer: renderer, addons: addons).artifacts()
        return out.sorted { $0.path < $1.path }
    }

    /// Walks the template: headings kept, TODO lines become summaries, bullets get answers.
    public func build() -> Doc {
        var doc = Doc()
        var h2 = ""
        var h3 = ""
        var pendingExtras: [DocBlock] = []
        func flush() {
            doc.blocks += pendingExtras
            pendingExtras = []
        }
        for raw in HostingTemplate.text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            if line.hasPrefix("### ") {
                flush()
                h3 = String(line.dropFirst(4))
                doc.add(.heading(3, h3))
                pendingExtras = extras(h3)
            } else if line.hasPrefix("## ") {
                flush()
                h2 = String(line.dropFirst(3))
                h3 = ""
                doc.add(.heading(2, h2))
            } else if line.hasPrefix("# ") {
                doc.add(.heading(1, String(line.dropFirst(2))))
            } else if line.hasPrefix("TODO") {
                doc.add(.paragraph(summary(h2)))
            } else if line.hasPrefix("- ") {
                let label = String(line.dropFirst(2))
                doc.add(.item(label, answer(h3, label)))
            } else if line.hasPrefix("For monitoring details") {
                flush()
                doc.add(.paragraph(line))
            } else if !line.trimmingCharacters(in: .whitespaces).isEmpty {
                doc.add(
                    .paragraph(
                        line.replacingOccurrences(
                            of: "This document describes",
                            with:
                                "This document, generated by berth from the platform spec `\((spec.file as NSString).lastPathComponent)`, describes"
                        )))
            }
        }
        flush()
        return doc
    }

    // MARK: helpers

    func list(_ items: [String], empty: String = "none") -> String {
        switch items.count {
        case 0: return empty
        case 1: return items[0]
        case 2: return "\(items[0]) and \(items[1])"
        default: return items.dropLast().joined(separator: ", ") + " and " + (items.last ?? "")
        }
    }

    func code(_ s: String) -> String { "`\(s)`" }
    func plural(_ n: Int, _ word: String) -> String {
        n == 1 ? "1 \(word)" : "\(n) \(word.hasSuffix("s") ? word + "es" : word + "s")"
    }
    var production: [Environment] { spec.environments.filter { $0.tier == .production } }
    func envs(_ tier: Environment.Tier) -> [Environment] { spec.environments.filter { $0.tier == tier } }
    func cpu(_ milli: Int64) -> String { Quantity.cpuText(milli: milli) }
    func mem(_ bytes: Int64) -> String { Quantity.bytesText(bytes) }

    // MARK: summaries

    func summary(_ h2: String) -> String {
        let s = spec
        switch h2 {
        case "Hosting Environment":
            return
                "\(s.platform) runs on \(s.provider.name.rawValue) in \(plural(s.provider.regions.count, "region")) with \(plural(s.clusters.count, "Kubernetes cluster")) and \(plural(s.environments.count, "environment")) (\(list(s.environments.map { $0.name == $0.tier.rawValue ? $0.name : "\($0.name) (\($0.tier.rawValue))" }))). \(s.description.isEmpty ? "" : s.description + ".")"
        case "Networking Configuration":
            return
                "Every range comes from the \(s.network.supernet.value) supernet\(s.network.ipv6.map { " and the \($0.value) IPv6 range" } ?? ""); traffic enters through \(s.network.ingress.api == .gateway ? "a Gateway API Gateway" : "an Ingress") of class \(code(s.network.ingress.className)) and, inside the clusters, \(s.security.networkPolicy == .defaultDeny ? "all traffic is denied except the declared edges" : "NetworkPolicies are not enforced (security.networkPolicy: none)")."
        case "Storage Infrastructure":
            return
                "\(plural(s.storage.classes.count, "storage class")), \(plural(s.databases.count, "PostgreSQL database")) run by CloudNativePG and \(plural(s.buckets.count, "bucket")), each kept per environment unless marked shared. Recovery points and times are computed from the schedules, retention and replication below."
        case "Deployment Infrastructure":
            if let g = s.delivery.gitops {
                return
                    "Argo CD syncs the rendered output from \(code(g.repo)) (branch \(code(g.branch)), folder \(code(g.path))); \(g.autoSync.isEmpty ? "every environment syncs by hand" : list(g.autoSync.map(\.value)) + " sync automatically, the rest by hand")."
            }
            return
                "No GitOps repository is configured (delivery.gitops): the rendered manifests are applied by whatever deploys the output folder."
        case "Environment Topology":
            return list(s.environments.map { e in "\(e.name) runs on \(list(e.clusters.map(\.value))) at \(code(e.domain))" }) + "."
        case "Scaling and Performance":
            return
                "Services scale horizontally between their replica bounds on CPU; node pools scale between their min and max\(s.scaling.clusterAutoscaler ? " with the cluster autoscaler" : " (cluster autoscaler off)"); vertical pod autoscaling is \(s.scaling.verticalPodAutoscaler)."
        case "Security Infrastructure":
            return
                "Pods run under the \(code(s.security.podSecurity)) Pod Security Standard, teams get namespace roles, secrets come from \(s.security.secrets.map { code($0.store) } ?? "no external store (security.secrets is not set)"), and data is encrypted at rest with \(s.security.encryptionAtRest) and in transit with \(s.security.encryptionInTransit)."
        default:
            return ""
        }
    }

    // MARK: answers

    func answer(_ h3: String, _ bullet: String) -> String {
        let s = spec
        let net = s.network
        switch (h3, bullet) {
        // Kubernetes Cluster
        case ("Kubernetes Cluster", "Cluster architecture and topology"):
            return list(
                s.clusters.map { c in
                    "\(code(c.name)) in \(c.region.value) across \(plural(c.zones.count, "zone")) (Kubernetes \(c.kubernetes)\(c.haControlPlane ? ", highly available control plane" : ""))"
                }) + ". Each environment gets one namespace per cluster it runs on, named `<platform>-<environment>`."
        case ("Kubernetes Cluster", "Node pool configuration"):
            let pools = s.clusters.flatMap { c in
                c.nodePools.map { p in
                    "\(c.name)/\(p.name): \(p.machine) (\(p.cpu) CPU, \(p.memory)), \(p.min)–\(p.max) nodes\(p.spot ? ", spot" : "")\(p.taints.isEmpty ? "" : ", tainted " + p.taints.map { "\($0.key)=\($0.value):\($0.effect)" }.joined(separator: ", "))"
                }
            }
            return list(pools)
                + ". Services pick a pool with `nodePool` (default: the first untainted pool by name) and tolerate its taints; nodes are selected by the provider's pool label."
        case ("Kubernetes Cluster", "Resource allocation and limits"):
            return
                "Every container has requests and limits; limits default to twice the CPU request and equal the memory request (services.<name>.resources.limits changes them). Each namespace has a ResourceQuota of maximum replicas × requests plus `headroom` (default 20%) and a LimitRange with defaults of 100m/128Mi requested and 200m/256Mi limits, capped at the largest node's allocatable capacity."
        case ("Kubernetes Cluster", "High availability setup"):
            let cp = s.clusters.filter(\.haControlPlane).map(\.name)
            return
                "Control planes are highly available on \(list(cp, empty: "no cluster")). Pods spread across zones (topologySpreadConstraints, `DoNotSchedule` in production) and hosts, every service has a PodDisruptionBudget of one unavailable pod, and production services run at least 2 replicas (checked)."
        // Cloud Provider
        case ("Cloud Provider", "Provider selection rationale"):
            return s.provider.rationale.isEmpty
                ? "\(s.provider.name.rawValue); no rationale is recorded (set provider.rationale)."
                : s.provider.rationale.trimmingCharacters(in: .whitespacesAndNewlines)
        case ("Cloud Provider", "Region and zone distribution"):
            return list(s.provider.regions.map { "\($0.name) (\(list($0.zones)))" }) + "."
        case ("Cloud Provider", "Service integration"):
            var parts = ["volumes through \(code(plan.csiDriver))", "DNS through external-dns (\(code(net.dns.provider)))"]
            let keys = s.provider.regions.filter { !$0.kmsKey.isEmpty }
            if !keys.isEmpty { parts.append("encryption keys per region (" + list(keys.map { "\($0.name): \(code($0.kmsKey))" }) + ")") }
            if let st = s.security.secrets { parts.append("secrets from \(code(st.store)) through External Secrets") }
            if let r = s.delivery.registry { parts.append("images from \(code(r.host))") }
            if !s.buckets.isEmpty { parts.append("object storage for \(plural(s.buckets.count, "bucket"))") }
            return list(parts) + "."
        case ("Cloud Provider", "Cost optimization strategies"):
            let spot = s.clusters.flatMap { c in c.nodePools.filter(\.spot).map { "\(c.name)/\($0.name)" } }
            var t = spot.isEmpty ? "No node pool uses spot capacity (nodePools.<name>.spot)." : "Spot capacity for \(list(spot))."
            t +=
                s.scaling.clusterAutoscaler
                ? " Node pools scale down to their minimum when idle."
                : " The cluster autoscaler is off (scaling.clusterAutoscaler), so pools stay at their size."
            if s.buckets.contains(where: { !$0.lifecycle.isEmpty }) { t += " Bucket lifecycles move old objects to cheaper tiers." }
            if !s.provider.costNotes.isEmpty { t += " " + s.provider.costNotes }
            return t + " `berth cost SPEC --prices FILE` estimates the monthly cost per environment at minimum and maximum scale."
        // On-Premises
        case ("On-Premises Considerations", "Hardware requirements"):
            if let h = s.provider.hardware {
                return
                    "\(h.nodes) servers with \(h.cpu) cores, \(h.memory) memory and \(h.disk) disk each, in \(plural(h.racks, "rack")): \(h.nodes * h.cpu) cores in all."
            }
            return
                "Not applicable: the platform runs on \(s.provider.name.rawValue). For own hardware set provider.name: onprem and describe provider.hardware."
        case ("On-Premises Considerations", "Network infrastructure"):
            if let h = s.provider.hardware, !h.network.isEmpty { return h.network + "; the address plan below applies unchanged." }
            return s.provider.name == .onprem
                ? "Not described (provider.hardware.network); the address plan below applies."
                : "Not applicable on \(s.provider.name.rawValue): networks are VPCs carved from the address plan below."
        case ("On-Premises Considerations", "Storage systems"):
            if s.provider.name == .onprem {
                return plan.csiDriver == "driver.longhorn.io"
                    ? "Longhorn replicates each volume on up to 3 nodes in different racks (provider.hardware.storage: longhorn; ceph-rbd is the alternative)."
                    : "Ceph RBD through ceph-csi, pools rbd-ssd and rbd-hdd (provider.hardware.storage: ceph-rbd)."
            }
            return "Not applicable: volumes are the provider's block storage through \(code(plan.csiDriver))."
        case ("On-Premises Considerations", "Backup and disaster recovery"):
            return
                "Databases archive WAL to object storage and take base backups on schedule; volumes are snapshotted by Velero\(s.storage.snapshots.map { " on `\($0.schedule)`, \($0.keep) kept" } ?? " (not scheduled: storage.snapshots)"). Recovery points and times are in the table under Database Storage; the restore runbook (restore/RUNBOOK.md in the rendered output) lists every command with real names."
        // Service Communication
        case ("Service Communication", "Internal service discovery"):
            return
                "Cluster DNS: a service is `<service>.<platform>-<environment>.svc.cluster.local` (or just `<service>` inside its namespace); services reach only what they declare in `talksTo` and `uses`."
        case ("Service Communication", "DNS configuration"):
            return
                "external-dns (\(code(net.dns.provider))) publishes public hosts\(net.dns.zones.isEmpty ? "" : " into \(list(net.dns.zones.map { code($0.value) }))") with TTL \(net.dns.ttl) s, from \(net.ingress.api == .gateway ? "the hostnames of the HTTPRoutes (gateway-httproute source; TTL and routing annotations on each route)" : "the hostname annotations on the Ingresses")."
        case ("Service Communication", "Service mesh (if applicable)"):
            switch net.mesh {
            case .istio:
                return
                    "Istio: namespaces are labelled for sidecar injection, PeerAuthentication requires mTLS (STRICT), and each service has an AuthorizationPolicy that admits exactly its NetworkPolicy callers' identities and the gateway, plus a DestinationRule with ISTIO_MUTUAL."
            case .linkerd:
                return
                    "Linkerd: namespaces are injected with an all-authenticated default inbound policy; each service has a Server, a MeshTLSAuthentication listing its callers' identities and an AuthorizationPolicy requiring it."
            default:
                return
                    "None (network.mesh: none); traffic inside the cluster is plain, guarded by NetworkPolicies. Set network.mesh to linkerd or istio for mTLS."
            }
        case ("Service Communication", "Load balancing strategies"):
            let impl: String
            switch (net.mesh, net.ingress.api) {
            case (.istio, _):
                impl =
                    "an Istio DestinationRule (\(net.loadBalancing == "least-request" ? "LEAST_REQUEST" : net.loadBalancing == "ring-hash" ? "consistent hash on the source IP" : "ROUND_ROBIN"))"
            case (.linkerd, _): impl = "Linkerd's EWMA latency balancing, whatever the setting"
            case (_, .ingress): impl = "ingress-nginx annotations"
            default: impl = "the gateway's default round robin (NGINX Gateway Fabric has no balancing setting)"
            }
            return
                "\(net.loadBalancing) between the pods of a service (network.loadBalancing), through \(impl); replicas spread over zones so each zone serves traffic."
        // External Access
        case ("External Access", "Ingress controller configuration"):
            var t =
                net.ingress.api == .gateway
                ? "Gateway API: one Gateway per environment namespace with class \(code(net.ingress.className)), an HTTP listener that redirects to HTTPS and one HTTPS listener per public host; routes are HTTPRoutes."
                : "Ingress objects of class \(code(net.ingress.className))."
            t += " The controller runs in namespace \(code(net.ingress.namespace))."
            if let rl = net.ingress.rateLimit {
                t += " Each client IP is limited to \(rl.rps) requests/s (burst \(rl.burst)) and \(rl.connections) connections."
            }
            return t
        case ("External Access", "TLS certificate management"):
            if let tls = s.security.tls {
                let how: String
                switch tls.issuer {
                case "selfsigned":
                    how = "self-signed, trusted by no client"
                case "ca":
                    how =
                        "signed by the on-premises CA in Secret \(code("\(Renderer.certManagerNamespace)/\(tls.caSecret)")), which an ExternalSecret copies from the secret store entry \(code("\(s.platform)/cert-manager/\(tls.caSecret)")); berth never writes the key"
                case "vault":
                    let v = tls.vault ?? (address: "", path: "", role: "")
                    how =
                        "signed by Vault's PKI engine at \(code(v.address)), path \(code(v.path)); cert-manager logs in through Vault's Kubernetes auth method (mount `kubernetes-<cluster>`, role \(code(v.role))) with tokens of the ServiceAccount \(code("\(Renderer.certManagerNamespace)/\(Renderer.vaultIssuerAccount)")), which a Role lets it request"
                default:
                    how = "ACME HTTP-01"
                }
                return
                    "cert-manager issues one certificate per public host from the \(code(tls.issuer)) ClusterIssuer (\(how)), ECDSA P-256 keys rotated on renewal, 90-day certificates renewed 30 days early; minimum TLS \(tls.minVersion)."
            }
            return "No issuer is configured (security.tls), so no certificates are issued; production routes are refused without TLS."
        case ("External Access", "Domain name setup"):
            return list(s.environments.map { "\($0.name) at \(code($0.domain))" })
                + "; a public service answers at `<host>.<domain>` (or the domain itself with `apex: true`)."
        case ("External Access", "CDN integration (if applicable)"):
            guard let cdn = net.ingress.cdn else { return "None (network.ingress.cdn is not set)." }
            if facts.cdnConfigs.isEmpty {
                return
                    "\(cdn.provider) is declared (network.ingress.cdn) but berth renders nothing for it (only cloudfront with `paths` is rendered), so no CDN is in the path."
            }
            let routed =
                facts.cdnInPath
                ? "DNS points the public hosts at the distribution."
                : "berth does not create the distribution or point DNS at it: until that is done outside berth, traffic goes straight to the \(net.ingress.api == .gateway ? "Gateway" : "Ingress")."
            return
                "berth writes a CloudFront DistributionConfig per environment with public TLS hosts (\(list(facts.cdnConfigs.map { code($0) }))), an input for the cloud that is not applied by berth: origins are the public hosts over HTTPS, \(list(cdn.paths.map { code($0) })) cached for \(cdn.ttl) s, everything else passed through uncached. \(routed)"
        // Network Security
        case ("Network Security", "Firewall rules"):
            if net.firewall.isEmpty {
                return "No edge rules are declared (network.firewall); only the load balancers are reachable from outside."
            }
            let form =
                s.provider.name == .aws
                ? " Rendered as EC2 security-group rules (network/firewall/<cluster>.security-groups.json)."
                : (s.provider.name == .onprem
                    ? " Rendered as nftables rulesets with a default drop policy (network/firewall/<cluster>-<target>.nft)."
                    : " Not rendered for \(s.provider.name.rawValue) yet.")
            return list(
                net.firewall.map {
                    "\($0.name): \($0.from.value) to \($0.to.value) on \($0.proto) \($0.ports.map(String.init).joined(separator: ","))"
                }) + "." + form
        case ("Network Security", "Network policies"):
            return facts.hasNetworkPolicies
                ? "Each namespace denies all ingress and egress, allows DNS, then each service allows exactly its declared edges: callers from `talksTo`, the ingress controller to public services, databases and their poolers on 5432 for services that use them, and HTTPS to object storage. The tables below are read from the rendered NetworkPolicies of each environment."
                : "None are rendered (security.networkPolicy: none): every pod can reach every pod, in every namespace, and anything outside the cluster."
        case ("Network Security", "DDoS protection"):
            if let rl = net.ingress.rateLimit {
                let how =
                    net.ingress.api == .ingress
                    ? "ingress-nginx limit annotations on each Ingress"
                    : "an NGINX Gateway Fabric SnippetsFilter that every public route references"
                return
                    "Per-client limits at the edge: \(rl.rps) requests/s, burst \(rl.burst), \(rl.connections) connections (network.ingress.rateLimit), through \(how)\(facts.cdnInPath ? "; the CDN absorbs cached traffic" : "")."
            }
            return "No rate limits are set (network.ingress.rateLimit); the provider's load balancer is the only line."
        case ("Network Security", "Intrusion detection systems"):
            return net.ids.enabled
                ? "\(net.ids.engine) watches system calls on every node (network.ids); berth ships rules for a shell in a platform container, unexpected outbound connections and writes outside the writable paths (ConfigMap berth-falco-rules in namespace falco)."
                : "None (network.ids.enabled: false)."
        // IP Address Management
        case ("IP Address Management", "Static IP allocation"):
            guard let ip = ipPlan else { return "No plan." }
            let statics = ip.entries.filter { $0.kind == .staticAddress }
            return statics.isEmpty
                ? "No static addresses are declared (network.static)."
                : list(
                    statics.map {
                        "\($0.key.replacingOccurrences(of: "static/", with: "")) = \($0.prefix.address) (\($0.purpose), \($0.cluster ?? "")/\($0.zone ?? ""))"
                    }) + ", pinned in ip-plan.lock. Addresses for anything else come from the ledger: `berth ip reserve`."
        case ("IP Address Management", "Dynamic IP assignment"):
            return
                "Pods get addresses from each cluster's pod CIDR (/\(net.carve.pods)), one /\(IPPlanner.nodeMaskLength(podsPerNode: net.podsPerNode)) per node for up to \(net.podsPerNode) pods; services from the service CIDR (/\(net.carve.services)); everything else is allocated from the ledger (`berth ip allocate`), best fit, idempotent with request ids and optionally leased."
                + teamServerText
        case ("IP Address Management", "IP range planning"):
            return
                "Per cluster a /\(net.carve.vpc) VPC with a /\(net.carve.publicSubnet) public and a /\(net.carve.privateSubnet) private subnet per zone, a /\(net.carve.pods) pod CIDR and a /\(net.carve.services) service CIDR, all from \(net.supernet.value)\(ipv6Text). The planner packs best-fit, largest first, and never moves a range pinned in ip-plan.lock."
        case ("IP Address Management", "Address conservation"):
            guard let ip = ipPlan, let sup = ip.entries.first(where: { $0.kind == .supernet }) else { return "No plan." }
            let used = sup.prefix.addressCount.doubleValue - sup.free.doubleValue
            return String(format: "%.1f%%", 100 * used / max(1, sup.prefix.addressCount.doubleValue))
                + " of \(sup.prefix) is planned; best fit keeps the large free blocks whole. Reserved ranges: \(list(net.reserved.map { "\($0.cidr.value) (\($0.purpose))" }))."
        // Persistent Storage
        case ("Persistent Storage", "Volume provisioning"):
            let stateful = s.services.filter { !$0.volumes.isEmpty }.map(\.name)
            return
                "Volumes are provisioned on demand by \(code(plan.csiDriver)) when a pod is scheduled (WaitForFirstConsumer). Services with volumes run as StatefulSets with one claim per replica: \(list(stateful, empty: "none")); databases get data and WAL volumes from CloudNativePG."
        case ("Persistent Storage", "Storage class configuration"):
            return s.storage.classes.isEmpty
                ? "No classes are declared (storage.classes); the cluster's default class applies."
                : list(s.storage.classes.map { "\($0.name) (\($0.kind)\($0.isDefault ? ", default" : ""), reclaim \($0.reclaim))" })
                    + "; all allow volume expansion."
        case ("Persistent Storage", "Backup and snapshot policies"):
            if let snap = s.storage.snapshots {
                return
                    "Velero snapshots every namespace's volumes on `\(snap.schedule)` and keeps \(snap.keep); snapshots are retained when their object is deleted."
            }
            return "No volume snapshots are scheduled (storage.snapshots)."
        case ("Persistent Storage", "Performance tuning"):
            let tuned = s.storage.classes.filter { $0.iops != nil || $0.throughput != nil }
            return tuned.isEmpty
                ? "Provider defaults; set storage.classes.<name>.iops and throughput to provision more."
                : list(
                    tuned.map {
                        "\($0.name): \($0.iops.map { "\($0) IOPS" } ?? "default IOPS"), \($0.throughput.map { "\($0) MiB/s" } ?? "default throughput")"
                    }) + "."
        // File Storage
        case ("File Storage", "S3-compatible storage"):
            return s.buckets.isEmpty
                ? "No buckets are declared (buckets)."
                : "\(plural(plan.physicalBuckets.count, "physical bucket")): " + list(plan.physicalBuckets.map { code($0.name) }) + "."
        case ("File Storage", "Access patterns and permissions"):
            var lines: [String] = []
            for b in s.buckets {
                let readers = s.services.filter { $0.uses.contains { $0.kind == .bucket && $0.name == b.name && $0.readOnly } }.map(\.name)
                let writers = s.services.filter { $0.uses.contains { $0.kind == .bucket && $0.name == b.name && !$0.readOnly } }.map(\.name)
                let dbs = s.databases.filter { $0.backup?.bucket.value == b.name }.map { "\($0.name) backups" }
                lines.append("\(b.name): read-write by \(list(writers + dbs)), read-only by \(list(readers))")
            }
            return lines.isEmpty
                ? "No buckets."
                : list(lines)
                    + ". Policies name each service's own role and explicit actions; no wildcard principal or action, and TLS is required."
        case ("File Storage", "Lifecycle management"):
            return s.buckets.isEmpty
                ? "No buckets."
                : list(
                    s.buckets.map { b in
                        "\(b.name): "
                            + (b.lifecycle.isEmpty
                                ? "kept forever"
                                : b.lifecycle.map { r in r.expire ? "deleted after \(r.after)" : "\(r.transition ?? "") after \(r.after)" }
                                    .joined(separator: ", "))
                            + (b.versioning ? ", old versions deleted after \(b.noncurrentAfter)" : "")
                    }) + "; unfinished multipart uploads are aborted."
        case ("File Storage", "Cost optimization"):
            return
                "Lifecycle transitions move cold objects to cheaper tiers, expiry and non-current version limits cap growth, and aborted multipart uploads stop paying for fragments."
        // Database Storage
        case ("Database Storage", "PostgreSQL storage configuration"):
            return s.databases.isEmpty
                ? "No databases (databases)."
                : list(
                    s.databases.map { d in
                        "\(d.name): PostgreSQL \(d.version), \(d.instances) instances, \(d.size) data and \(Quantity.bytesText(d.walSize.units)) WAL on \(renderer.storageClassName(d.storageClass) ?? "the default class"), \(d.memory) memory"
                    }) + "; " + antiAffinityText + "."
        case ("Database Storage", "Backup storage locations"):
            let locs = s.databases.compactMap { d -> String? in
                guard let env = production.first ?? s.environments.first, let dest = plan.backupDestination(d, env: env) else { return nil }
                return "\(d.name) to \(code(dest)) (in \(env.name); each environment its own bucket)"
            }
            return locs.isEmpty ? "No database backups are configured (databases.<name>.backup)." : list(locs) + "."
        case ("Database Storage", "Archive storage"):
            return
                "WAL is archived continuously (at least every 5 minutes) with the base backups, gzip-compressed; bucket lifecycle rules move older backups to archive tiers."
        case ("Database Storage", "Replication storage"):
            return s.databases.isEmpty
                ? "No databases."
                : list(
                    s.databases.map { d in
                        let replicated = production.contains { $0.clusters.count > 1 }
                        return
                            "\(d.name): \(max(0, d.instances - 1)) streaming replica(s) in the cluster\(replicated ? ", plus a replica cluster in each further production cluster fed from the WAL archive" : "")"
                    }) + "."
        // GitOps
        case ("GitOps Workflow", "ArgoCD configuration"):
            guard s.delivery.gitops != nil else { return "Not configured (delivery.gitops)." }
            return
                "One AppProject \(code(s.platform)) limited to the platform's repository, clusters and namespaces, and one ApplicationSet per environment that generates an Application per cluster. The cluster add-ons (table below) are Applications of their own AppProject \(code("\(s.platform)-addons")), limited to the charts' repositories and the add-ons' namespaces; the root application `addons/root.yaml` syncs the add-ons first, then the workload ApplicationSets."
        case ("GitOps Workflow", "Application manifests"):
            return
                "Each Application points at the environment × cluster kustomize overlay under the rendered folder; overlays hold one folder per service that patches its base (so a change to a service touches only its own files), and `kubectl kustomize` of an overlay gives exactly the plain render."
        case ("GitOps Workflow", "Sync policies"):
            guard let g = s.delivery.gitops else { return "Not configured (delivery.gitops)." }
            let auto = g.autoSync.map(\.value)
            let manual = s.environments.map(\.name).filter { !auto.contains($0) }
            return
                "Automatic for \(list(auto, empty: "no environment"))\(g.prune ? " with prune" : "")\(g.selfHeal ? " and self-heal" : ""); by hand for \(list(manual, empty: "no environment")). Sync waves apply namespaces and cluster config first, then config, then workloads; retries back off from 5 s to 3 min."
        case ("GitOps Workflow", "Health checks"):
            return
                "Argo CD's built-in health for Deployments, StatefulSets, Services, HPAs and PVCs, cert-manager Certificates and ExternalSecrets; replica counts owned by HPAs are ignored in diffs. `addons/bootstrap/argocd-cm.yaml` adds the health check for Applications, so each sync wave of add-ons is healthy before the next starts."
        // Helm
        case ("Helm Charts", "Chart structure and organization"):
            return s.delivery.helm
                ? "One chart per service under helm/<service>/ (delivery.helm: true): Chart.yaml, values.yaml, a values file per environment x cluster, values.schema.json, templates with _helpers.tpl, NOTES.txt; `helm template` of each gives exactly the plain render."
                : "Not rendered (delivery.helm: false); the kustomize layout is the packaging."
        case ("Helm Charts", "Values management"):
            return s.delivery.helm
                ? "values.yaml holds the value most environments share; values-<environment>-<cluster>.yaml holds only what differs there (replicas, resources, image, hosts, env vars), checked by values.schema.json."
                : "Not applicable: per-environment differences are kustomize patches generated from `overrides`."
        case ("Helm Charts", "Template customization"):
            return
                "The spec is the only input; charts and overlays are regenerated, never edited, so customization happens in the spec (services.<name>.overrides per environment)."
        case ("Helm Charts", "Release management"):
            return
                "A release is a commit of the rendered output; image versions per environment come from the versions file beside the spec (\(s.versionsFile.map { code(($0 as NSString).lastPathComponent) } ?? "none yet")) and are promoted by editing it. `berth diff` classes every change as safe, disruptive or security-sensitive before it ships."
        // Registry
        case ("Container Registry", "Image storage and organization"):
            if let r = s.delivery.registry { return "Every image comes from \(code(r.host)) (checked), one repository per service." }
            return "No registry policy (delivery.registry); images: "
                + list(Array(Set(s.services.compactMap { ImageRef.parse($0.image.value)?.host })).sorted()) + "."
        case ("Container Registry", "Tagging strategy"):
            return
                "\(s.delivery.registry?.tags ?? "semver") tags\(s.delivery.registry?.pinDigests == true ? ", digests pinned in production" : ""); `latest` and other moving tags are refused, and every service has a version in every environment."
        case ("Container Registry", "Security scanning"):
            guard let r = s.delivery.registry else { return "Not configured (delivery.registry.scan)." }
            return "\(r.scanOnPush ? "Every push is scanned" : "Scanning on push is off"); \(gateText(r))"
        case ("Container Registry", "Retention policies"):
            guard let r = s.delivery.registry else { return "Not configured (delivery.registry.retention)." }
            return
                "The last \(r.keepLast) tagged images per repository are kept; untagged images expire after \(r.untaggedAfter)\(r.immutable ? "; tags are immutable" : "")."
        // Environments
        case ("Development Environment", "Local development setup"):
            let local = envs(.development).filter { $0.local != "none" }
            return local.isEmpty
                ? "No local cluster config (environments.<name>.local)."
                : list(local.map { "\($0.name): a \($0.local) cluster config (local/\($0.name)-kind.yaml) mirroring the node pools" }) + "."
        case ("Development Environment", "Development cluster"):
            return envDescription(envs(.development))
        case ("Development Environment", "Resource allocation"):
            return quotaText(envs(.development))
        case ("Development Environment", "Access controls"):
            return accessText(envs(.development))
        case ("Staging Environment", "Pre-production testing"):
            return envDescription(envs(.staging))
        case ("Staging Environment", "Production-like configuration"):
            let st = envs(.staging)
            guard !st.isEmpty else { return "No staging environment." }
            let diffs = differences(st[0])
            return
                "\(list(st.map(\.name))) \(st.allSatisfy(\.productionLike) ? "mirrors" : "does not mirror") production; it differs in \(diffs.isEmpty ? "nothing" : list(diffs.prefix(6).map { "\($0[0]) \($0[1]) (production \($0[2]))" })) (full list in the table under Production Environment)."
        case ("Staging Environment", "Data isolation"):
            let st = envs(.staging)
            return st.isEmpty
                ? "No staging environment."
                : list(
                    st.map {
                        $0.dataIsolated
                            ? "\($0.name) has its own databases and buckets" : "\($0.name) shares data with the platform-wide instances"
                    }) + "."
        case ("Staging Environment", "Performance testing"):
            let lt = s.environments.filter(\.loadTest).map(\.name)
            return lt.isEmpty
                ? "No environment is marked for load tests (environments.<name>.loadTest)."
                : "Load and performance tests run in \(list(lt))."
        case ("Production Environment", "High availability configuration"):
            let dbs = plan.targets.filter { $0.environment.tier == .production }.flatMap { t in
                plan.databaseFootprints(in: t).map { "\($0.database.name) \(plural($0.instances, "instance")) in \(t.cluster.name)" }
            }
            return list(
                production.map { e in
                    "\(e.name) on \(list(e.clusters.compactMap { s.cluster($0.value) }.map { "\($0.name) (\(plural($0.zones.count, "zone")))" }))"
                }) + "; at least 2 replicas per service (checked); databases: \(list(dbs, empty: "none"))."
        case ("Production Environment", "Load distribution"):
            let multi = production.filter { $0.clusters.count > 1 }
            guard !multi.isEmpty else { return "One cluster; load spreads across zones and pods." }
            let split = facts.dnsSplitEnvironments
            return list(
                multi.map { e in
                    split.contains(e.name)
                        ? "\(e.name): traffic is split between \(list(e.clusters.map(\.value))) by DNS (external-dns records per cluster, set-identifier annotations on the routes)"
                        : "\(e.name): nothing rendered splits traffic between \(list(e.clusters.map(\.value))) (no per-cluster DNS routing on the routes: both clusters' external-dns publish the same hosts)"
                }) + "; inside each cluster, across zones and pods."
        case ("Production Environment", "Monitoring and alerting"):
            return
                "Services with `metrics` are scraped through ServiceMonitors, databases through CloudNativePG PodMonitors and poolers through PodMonitors; SLOs, the alert catalogue and alert routing are described in monitoring.md (linked below)."
        case ("Production Environment", "Disaster recovery"):
            return "Database RPO/RTO: "
                + list(
                    s.databases.map { d in
                        let o = Recovery.database(d, spec: s)
                        return "\(d.name) \(Recovery.text(seconds: o.rpoSeconds))/\(Recovery.text(seconds: o.rtoSeconds))"
                    }, empty: "no databases") + "; restore steps in restore/RUNBOOK.md."
        // Scaling
        case ("Horizontal Scaling", "Auto-scaling policies"):
            let hpas = s.services.filter { $0.replicas.max > $0.replicas.min }
            return
                "\(plural(hpas.count, "service")) scale on CPU with a HorizontalPodAutoscaler (targets in the matrix below), scaling down after 5 minutes of low load."
        case ("Horizontal Scaling", "Resource quotas"):
            return quotaText(s.environments)
        case ("Horizontal Scaling", "Node pool management"):
            return s.scaling.clusterAutoscaler
                ? "The cluster autoscaler keeps each pool between its min and max nodes (ConfigMap berth-cluster-autoscaler in kube-system per cluster: node-group bounds, balance-similar-node-groups, least-waste expander)."
                : "Fixed sizes: the cluster autoscaler is off (scaling.clusterAutoscaler)."
        case ("Horizontal Scaling", "Load distribution"):
            return "Replicas spread evenly across zones (max skew 1) and hosts; requests are balanced \(net.loadBalancing)."
        case ("Vertical Scaling", "Resource limit adjustments"):
            return s.scaling.verticalPodAutoscaler == "off"
                ? "Requests and limits come from the spec only (scaling.verticalPodAutoscaler: off)."
                : "A VerticalPodAutoscaler per service in \(code(s.scaling.verticalPodAutoscaler)) mode (\(s.scaling.verticalPodAutoscaler == "recommend" ? "update mode Off: recommendations only" : "Recreate")); beside an HPA it controls memory only, and it never asks for more than one node's allocatable."
        case ("Vertical Scaling", "Performance tuning"):
            return s.databases.isEmpty
                ? "Per-service resources and probes."
                : "PostgreSQL is sized from instance memory (shared_buffers 25%, effective_cache_size 75%, work_mem from max_connections)."
        case ("Vertical Scaling", "Capacity planning"):
            let report = Capacity.report(s, plan: plan)
            let problems = report.problems
            return capacityText(report) + " Per pool at maximum scale (`berth capacity`): "
                + list(
                    report.pools.map {
                        "\($0.cluster)/\($0.pool) \($0.nodesAtMax) of \($0.nodesMax) nodes\($0.holdsMaxAfterZoneLoss ? "" : ", short after losing a zone")"
                    }) + "." + (problems.isEmpty ? "" : " Problems: " + list(problems) + ".")
        case ("Vertical Scaling", "Bottleneck identification"):
            let largest = s.services.max { $0.resources.memory < $1.resources.memory }
            return
                "The largest pod is \(largest.map { "\($0.name) (\($0.resources.cpu) CPU, \($0.resources.memory))" } ?? "none"); `berth check` refuses any pod that cannot fit its node pool."
        case ("Network Scaling", "Bandwidth management"):
            return net.ingress.rateLimit.map { "Per-client limits at the edge (\($0.rps) requests/s)." }
                ?? "No per-client limits (network.ingress.rateLimit)."
        case ("Network Scaling", "Connection pooling"):
            let pooled = s.databases.filter { $0.pooler != nil }
            return pooled.isEmpty
                ? "No poolers (databases.<name>.pooler)."
                : list(
                    pooled.map {
                        "\($0.name): PgBouncer, \($0.pooler?.mode ?? "") mode, \($0.pooler?.instances ?? 0) instances of \(plan.poolerPoolSize($0) ?? 0) server connections each (default_pool_size) in front of max_connections \($0.maxConnections), beside the primary only"
                    }) + (s.scaling.connectionPooling ? "; services connect through it." : ".")
        case ("Network Scaling", "Latency optimization"):
            let split = facts.dnsSplitEnvironments
            let remote = plan.remoteEndpoints.map { r in
                "\(list(r.clientClusters)) reach\(r.clientClusters.count == 1 ? "es" : "") database \(r.database)'s primary on \(r.cluster) (\(r.environment)) across regions, one round trip per query"
            }
            let placement =
                remote.isEmpty
                ? "Services and their databases run in the same cluster and region"
                : "Readers use an instance in their own cluster; " + remote.joined(separator: "; ")
            return placement
                + (production.contains { $0.clusters.count > 1 && split.contains($0.name) }
                    ? "; DNS sends users to a cluster per record set (external-dns set-identifier)."
                    : "; nothing rendered steers users to their nearest region.")
        case ("Network Scaling", "Throughput optimization"):
            return
                "Horizontal scaling on CPU\(facts.cdnInPath ? ", CDN caching of static paths" : "") and connection pooling to the databases."
        // Security
        case ("Access Controls", "Role-based access control"):
            return
                "Namespace Roles berth-admin, berth-edit and berth-view with explicit verbs and resources (secrets readable by admin only), bound per team and environment as in the matrix below."
        case ("Access Controls", "Service account management"):
            let identity: String
            switch s.provider.name {
            case .aws: identity = "IRSA role `arn:aws:iam::<account>:role/<platform>-<environment>-<service>`"
            case .gcp: identity = "a GKE Workload Identity service account"
            case .azure: identity = "the platform's Azure workload identity"
            case .onprem: identity = "no cloud identity (on premises, bucket credentials come from the secret store)"
            }
            return
                "One ServiceAccount per service per namespace, with token automount off; services that use a bucket get \(identity)\(s.provider.account.isEmpty && s.provider.name != .onprem ? " once provider.account is set" : "")."
        case ("Access Controls", "API key management"):
            return s.security.secrets.map {
                "Keys live in \(code($0.store)); ExternalSecrets copy them into the namespace, refreshed hourly, rotated every \($0.rotateEvery)."
            } ?? "No secret store (security.secrets)."
        case ("Access Controls", "Certificate management"):
            return s.security.tls.map { "cert-manager with \(code($0.issuer)), renewed 30 days before expiry." }
                ?? "No certificates (security.tls)."
        case ("Data Protection", "Encryption at rest"):
            let keyed = s.provider.regions.contains { !$0.kmsKey.isEmpty }
            let longhorn =
                s.provider.name == .onprem && plan.csiDriver == "driver.longhorn.io" && s.security.encryptionAtRest != "none"
                    && !s.storage.classes.isEmpty
                ? " (Longhorn: LUKS-encrypted volumes whose passphrase Secret `\(Renderer.longhornNamespace)/\(Renderer.longhornCryptoSecret)` an ExternalSecret fills from the secret store entry `\(s.platform)/longhorn/<cluster>`)"
                : ""
            return
                "\(s.security.encryptionAtRest) (security.encryption.atRest) for volumes\(keyed ? " with each region's own key" : "")\(longhorn) and buckets ("
                + list(s.buckets.map { "\($0.name): \($0.encryption)" }) + ")."
        case ("Data Protection", "Encryption in transit"):
            return
                "TLS \(s.security.tls?.minVersion ?? "1.2")+ at the edge; \(s.security.encryptionInTransit == "mtls" ? "mTLS between pods through the mesh" : "plain inside the cluster behind NetworkPolicies (security.encryption.inTransit: mtls with a mesh changes that)"); bucket access requires TLS."
        case ("Data Protection", "Key management"):
            let keys = s.provider.regions.filter { !$0.kmsKey.isEmpty }
            return keys.isEmpty
                ? "Provider-managed keys (no provider.regions.<region>.kmsKey is set)."
                : "One customer key per region, since keys are regional: " + list(keys.map { "\($0.name) \(code($0.kmsKey))" })
                    + ". Each cluster's storage classes use its region's key; buckets and backups use the key of the region that stores them."
        case ("Data Protection", "Data loss prevention"):
            return
                "Backups with retention, versioned buckets (\(list(s.buckets.filter { $0.versioning && facts.versionedBuckets.contains($0.name) }.map(\.name)))), volumes retained on delete for \(list(s.storage.classes.filter { $0.reclaim == "Retain" }.map(\.name))), and secrets never in the spec or the output."
        case ("Compliance", "Regulatory requirements"):
            return s.security.compliance.isEmpty
                ? "None declared (security.compliance)."
                : list(s.security.compliance)
                    + (s.security.requiredBackupRetention.map { "; backups kept at least \($0.0) (\($0.1))" } ?? "") + "."
        case ("Compliance", "Audit logging"):
            return
                "Kubernetes API audit at level \(s.security.auditLevel), kept \(s.security.auditRetention) (audit/<cluster>.audit-policy.yaml for the API server's --audit-policy-file; secrets and config maps are never logged above Metadata)."
        case ("Compliance", "Security scanning"):
            return
                "Images scanned in the registry\(s.delivery.registry?.scanOnPush == true ? " on push" : ""); `berth audit` checks the platform and its rendered objects (network exposure, workload hardening, RBAC breadth, secrets, encryption, backup, zone blast radius) with \(Audit.run(s).count) finding(s) now, and exits 1 on a finding at or above `--fail-on` (high by default)."
        case ("Compliance", "Vulnerability management"):
            let gates = facts.admissionGates
            return
                (gates.isEmpty
                ? "Nothing rendered refuses a deployment (no admission policy): the gate is `berth audit`, which exits 1 on a finding at or above `--fail-on`, and CI should run it before the render is applied. "
                : "Admission objects rendered: \(list(gates)). ")
                + (s.delivery.registry.map { gateText($0) + " " } ?? "")
                + "Base images are updated by bumping versions in the versions file."
        default:
            return "Not covered by the spec yet."
        }
    }

    /// How the rendered CloudNativePG Clusters keep instances apart, per cluster: `required`
    /// zone anti-affinity where there are no more instances than zones, `preferred` elsewhere.
    var antiAffinityText: String {
        var byType: [String: [String]] = [:]
        for f in facts.files {
            for o in f.objects where o.at("kind") == "Cluster" && o.at("apiVersion") == "postgresql.cnpg.io/v1" {
                let type = o.at("spec.affinity.podAntiAffinityType")?.stringValue ?? "preferred"
                let place =
                    "\(o.at("metadata.name")?.stringValue ?? "") in \(f.path.split(separator: "/").first.map(String.init) ?? "")/\(f.environment ?? "")"
                byType[type, default: []].append(place)
            }
        }
        if byType.isEmpty { return "no database instances are rendered" }
        if byType.keys.count == 1, let type = byType.keys.first {
            return "instances spread across zones with \(type) anti-affinity"
        }
        return
            "instances spread across zones with required anti-affinity in \(list(byType["required"] ?? [])), preferred (more instances than zones) in \(list(byType["preferred"] ?? []))"
    }

    /// IPv6 in the plan, and dual-stack only when Services are rendered with more than one family.
    var ipv6Text: String {
        guard let v6 = spec.network.ipv6 else { return "" }
        return facts.dualStackServices
            ? ", dual-stack (IPv6 from \(v6.value))"
            : "; IPv6 ranges are planned from \(v6.value), but Services are rendered single-stack (no ipFamilyPolicy)"
    }

    /// What the registry policy really does with the scan severity.
    func gateText(_ r: Delivery.Registry) -> String {
        switch spec.provider.name {
        case .aws:
            return
                "ECR reports findings but refuses nothing: registry/ecr.json records \(r.blockSeverity) as the severity for a deploy gate, and berth renders no gate that reads it."
        default:
            return
                "registry/harbor.json sets Harbor's prevent-vulnerable-images at \(r.blockSeverity): once applied to the project, Harbor refuses to pull images with findings at that severity or worse."
        }
    }

    /// The network-policy tables: per group of environments with the same rendered policies,
    /// who may open a connection to whom and on which port. Up to 30 services a matrix (row
    /// calls column, the cell is the port); above, one row per service with its callers and
    /// ports.
    func policyBlocks() -> [DocBlock] {
        let ingress = spec.network.ingress.namespace
        var groups: [(envs: [String], view: RenderedFacts.PolicyView)] = []
        for e in spec.environments {
            let v = facts.policyView(environment: e.name, ingressNamespace: ingress)
            if let i = groups.firstIndex(where: { $0.view == v }) { groups[i].envs.append(e.name) } else { groups.append(([e.name], v)) }
        }
        // Public traffic comes from the Gateway's data plane (in each environment's namespace)
        // or from the ingress controller's namespace.
        let gateway = plan.usesGateway ? RenderedFacts.gatewayPeer : RenderedFacts.ingressPeer(ingress)
        var blocks: [DocBlock] = []
        for g in groups where !g.view.services.isEmpty {
            let names = g.view.services
            func ports(_ from: String, _ to: String) -> String {
                g.view.edges.filter { $0.from == from && $0.to == to }.map(\.port).sorted().joined(separator: ", ")
            }
            let title = "\(g.envs.count == 1 ? "Environment" : "Environments") \(list(g.envs))"
            if names.count > 30 {
                let rows: [[String]] = names.map { svc in
                    let callers = ([gateway] + names).compactMap { c -> String? in
                        let p = ports(c, svc)
                        return p.isEmpty ? nil : c
                    }
                    let inPorts = Set(g.view.edges.filter { $0.to == svc }.map(\.port)).sorted().joined(separator: ", ")
                    let calls = names.compactMap { c -> String? in
                        let p = ports(svc, c)
                        return p.isEmpty ? nil : "\(c) (\(p))"
                    }
                    return [
                        svc, inPorts.isEmpty ? "—" : inPorts, callers.joined(separator: ", "), calls.joined(separator: ", "),
                        (g.view.data[svc] ?? []).joined(separator: ", "),
                    ]
                }
                blocks.append(
                    .paragraph("\(title): allowed connections per service, from the rendered NetworkPolicies (everything else is denied):"))
                blocks.append(.table(header: ["service", "port", "reached from", "may call (port)", "data"], rows: rows))
            } else {
                let rows: [[String]] = ([gateway] + names).map { caller in
                    [caller]
                        + names.map { callee in
                            let p = ports(caller, callee)
                            return p.isEmpty ? "·" : p
                        } + [(g.view.data[caller] ?? []).joined(separator: ", ")]
                }
                blocks.append(
                    .paragraph(
                        "\(title): who may open a connection to whom, from the rendered NetworkPolicies (row calls column on the port shown; everything not marked is denied):"
                    ))
                blocks.append(.table(header: ["from \\ to"] + names + ["data"], rows: rows))
            }
        }
        return blocks
    }

    func envDescription(_ es: [Environment]) -> String {
        es.isEmpty
            ? "No environment of this tier."
            : list(
                es.map { e in
                    "\(e.name) runs on \(list(e.clusters.map(\.value))) at \(code(e.domain)) with \(plural(plan.targets.first { $0.environment.name == e.name }?.placements.count ?? 0, "service"))"
                }) + "."
    }

    func quotaText(_ es: [Environment]) -> String {
        guard !es.isEmpty else { return "No environment of this tier." }
        return list(
            es.compactMap { e -> String? in
                guard let t = plan.targets.first(where: { $0.environment.name == e.name }) else { return nil }
                let cpuSum = t.placements.reduce(Int64(0)) { $0 + Int64($1.replicas.max) * $1.resources.cpu.milli }
                let memSum = t.placements.reduce(Int64(0)) { $0 + Int64($1.replicas.max) * $1.resources.memory.units }
                return "\(e.name): \(cpu(cpuSum)) CPU and \(mem(memSum)) requested at maximum scale, quota +\(e.headroom)%"
            }) + "."
    }

    func accessText(_ es: [Environment]) -> String {
        es.isEmpty
            ? "No environment of this tier."
            : list(
                es.map { e in
                    let roles = spec.security.teams.compactMap { t in Renderer.role(of: t, in: e).map { "\(t.name) \($0)" } }
                    return "\(e.name): \(list(roles, empty: "no team"))"
                }) + "."
    }

    func capacityText(_ report: CapacityReport) -> String {
        var parts: [String] = []
        for c in spec.clusters {
            let alloc = c.nodePools.reduce(Int64(0)) { $0 + Int64($1.max) * $1.allocatableCPUMilli }
            // Services and database pods, as `berth capacity` counts them.
            let need = report.pools.filter { $0.cluster == c.name }.reduce(Int64(0)) { $0 + $1.cpuMax }
            parts.append(
                "\(c.name) needs \(cpu(need)) CPU at maximum scale of \(cpu(alloc)) allocatable at maximum nodes (\(alloc > 0 ? Int(100 * need / alloc) : 0)%)"
            )
        }
        return list(parts) + "."
    }

    /// What, per service and environment setting, differs from production.
    func differences(_ e: Environment) -> [[String]] {
        guard let prod = production.first else { return [] }
        var rows: [[String]] = []
        let a = plan.targets.first { $0.environment.name == e.name }
        let b = plan.targets.first { $0.environment.name == prod.name }
        if e.clusters.count != prod.clusters.count { rows.append(["clusters", "\(e.clusters.count)", "\(prod.clusters.count)"]) }
        if e.dataIsolated != prod.dataIsolated {
            rows.append(["data", e.dataIsolated ? "isolated" : "shared", prod.dataIsolated ? "isolated" : "shared"])
        }
        guard let a, let b else { return rows }
        for p in b.placements {
            guard let q = a.placements.first(where: { $0.service.name == p.service.name }) else {
                rows.append(["\(p.service.name)", "not deployed", "deployed"])
                continue
            }
            if q.replicas != p.replicas {
                rows.append(["\(p.service.name) replicas", "\(q.replicas.min)–\(q.replicas.max)", "\(p.replicas.min)–\(p.replicas.max)"])
            }
            if q.resources != p.resources {
                rows.append([
                    "\(p.service.name) resources", "\(q.resources.cpu)/\(q.resources.memory)", "\(p.resources.cpu)/\(p.resources.memory)",
                ])
            }
            if q.image != p.image {
                rows.append(["\(p.service.name) image", ImageRef.parse(q.image)?.tag ?? q.image, ImageRef.parse(p.image)?.tag ?? p.image])
            }
        }
        return rows
    }

    // MARK: tables and diagrams after each subsection

    func extras(_ h3: String) -> [DocBlock] {
        let s = spec
        switch h3 {
        case "Kubernetes Cluster":
            let topo = Diagrams.topology(s)
            var rows: [[String]] = []
            for c in s.clusters {
                for p in c.nodePools {
                    rows.append([
                        c.name, c.region.value, c.zones.map(\.value).joined(separator: ", "), p.name, p.machine,
                        "\(p.cpu) / \(p.memory)",
                        "\(cpu(p.allocatableCPUMilli)) / \(mem(p.allocatableMemoryBytes / (1 << 20) * (1 << 20)))",
                        "\(p.min)–\(p.max)", p.spot ? "yes" : "no",
                    ])
                }
            }
            return [
                .table(
                    header: [
                        "cluster", "region", "zones", "pool", "machine", "CPU / memory per node", "allocatable per node",
                        "nodes (autoscaling)", "spot",
                    ], rows: rows),
                .diagram(
                    title: "Topology: provider, regions, zones, clusters, node pools", mermaid: topo.mermaid, svgFile: "topology.svg",
                    svg: topo.svg),
            ]
        case "Cloud Provider":
            return [
                .table(
                    header: ["region", "zones", "clusters"],
                    rows: s.provider.regions.map { r in
                        [
                            r.name, r.zones.joined(separator: ", "),
                            s.clusters.filter { $0.region.value == r.name }.map(\.name).joined(separator: ", "),
                        ]
                    })
            ]
        case "Service Communication":
            var rows: [[String]] = []
            for t in plan.targets {
                for p in t.placements where p.hostname != nil {
                    rows.append([
                        p.hostname ?? "", t.environment.name, t.cluster.name, p.service.name,
                        p.publicRoute?.tls == true && s.security.tls != nil
                            ? "\(s.security.tls?.issuer ?? "") (\(p.service.name)-tls)" : "none",
                    ])
                }
            }
            return rows.isEmpty
                ? [] : [.table(header: ["DNS name", "environment", "cluster", "service", "certificate (issuer, secret)"], rows: rows)]
        case "External Access":
            let traffic = Diagrams.traffic(s, cdnInPath: facts.cdnInPath)
            return [
                .diagram(
                    title: "Traffic: internet, \(facts.cdnInPath ? "CDN, " : "")gateway, services, databases and buckets",
                    mermaid: traffic.mermaid, svgFile: "traffic.svg", svg: traffic.svg)
            ]
        case "Network Security":
            var blocks: [DocBlock] = []
            if !s.network.firewall.isEmpty {
                blocks.append(
                    .table(
                        header: ["edge rule", "from", "to", "protocol", "ports"],
                        rows: s.network.firewall.map {
                            [$0.name, $0.from.value, $0.to.value, $0.proto, $0.ports.map(String.init).joined(separator: ", ")]
                        }))
            }
            guard facts.hasNetworkPolicies else {
                blocks.append(.paragraph("No NetworkPolicy is rendered (security.networkPolicy: none): every pod can reach every pod."))
                return blocks
            }
            let graph = Diagrams.policyGraph(plan)
            blocks += policyBlocks()
            blocks.append(.diagram(title: "Network policy graph", mermaid: graph.mermaid, svgFile: "network-policy.svg", svg: graph.svg))
            return blocks
        case "IP Address Management":
            guard let ip = ipPlan else { return [] }
            let diagram = Diagrams.ipPlan(ip)
            return [
                .table(
                    header: ["range", "purpose", "size", "free"],
                    rows: ip.entries.map {
                        [
                            $0.prefix.description, $0.key == "supernet" || $0.key == "supernet6" ? $0.purpose : "\($0.key): \($0.purpose)",
                            IPPlan.countText($0.prefix.addressCount), IPPlan.countText($0.free),
                        ]
                    }),
                .diagram(
                    title: "IP plan: each supernet and its carved ranges", mermaid: diagram.mermaid, svgFile: "ip-plan.svg",
                    svg: diagram.svg),
            ]
        case "Persistent Storage":
            guard !s.storage.classes.isEmpty else { return [] }
            return [
                .table(
                    header: ["class", "media", "provisioner", "parameters", "reclaim", "default"],
                    rows: s.storage.classes.map { c in
                        [
                            c.name, c.kind, plan.csiDriver,
                            renderer.storageParameters(c, cluster: s.clusters.first).map { "\($0.0)=\($0.1.stringValue ?? "")" }.joined(
                                separator: ", "), c.reclaim, c.isDefault ? "yes" : "",
                        ]
                    })
            ]
        case "File Storage":
            guard !s.buckets.isEmpty else { return [] }
            return [
                .table(
                    header: ["bucket", "physical names", "versioning", "encryption", "lifecycle"],
                    rows: s.buckets.map { b in
                        [
                            b.name, plan.physicalBuckets.filter { $0.bucket.name == b.name }.map(\.name).joined(separator: ", "),
                            b.versioning ? (facts.versionedBuckets.contains(b.name) ? "yes" : "declared, not rendered") : "no",
                            b.encryption,
                            b.lifecycle.map { $0.expire ? "delete \($0.after)" : "\($0.transition ?? "") \($0.after)" }.joined(
                                separator: ", "),
                        ]
                    })
            ]
        case "Database Storage":
            var rows: [[String]] = []
            for d in s.databases {
                let o = Recovery.database(d, spec: s)
                rows.append([
                    "database \(d.name)", d.backup.map { "`\($0.schedule)`" } ?? "none", d.backup.map { $0.retention.text } ?? "—",
                    Recovery.text(seconds: o.rpoSeconds), Recovery.text(seconds: o.rtoSeconds), d.rpo.map(\.text) ?? "—", o.basis,
                ])
            }
            for b in s.buckets {
                // Continuous only when the render turns versioning on (aws settings); declared
                // versioning that nothing renders protects nothing.
                var rendered = b
                rendered.versioning = b.versioning && facts.versionedBuckets.contains(b.name)
                let o = Recovery.bucket(rendered)
                let basis =
                    b.versioning && !rendered.versioning
                    ? "versioning is declared, but berth renders no versioning setting for \(s.provider.name.rawValue): turn it on in the object store; until then an overwritten or deleted object cannot be recovered"
                    : o.basis
                rows.append([
                    "bucket \(b.name)", rendered.versioning ? "continuous (versioning)" : "none (no versioning)",
                    rendered.versioning ? b.noncurrentAfter.text : "—",
                    Recovery.text(seconds: o.rpoSeconds), Recovery.text(seconds: o.rtoSeconds), "—", basis,
                ])
            }
            if let v = Recovery.volumes(s), let snap = s.storage.snapshots {
                rows.append([
                    "volumes", "`\(snap.schedule)`", "\(snap.keep) snapshots", Recovery.text(seconds: v.rpoSeconds),
                    Recovery.text(seconds: v.rtoSeconds), "—", v.basis,
                ])
            }
            return rows.isEmpty
                ? [] : [.table(header: ["what", "backup schedule", "retention", "RPO", "RTO", "RPO target", "basis"], rows: rows)]
        case "GitOps Workflow":
            // The add-ons the render installs (addons/), from the same list.
            var order: [String] = []
            var byName: [String: [AddonInstance]] = [:]
            for a in addons {
                if byName[a.release.name] == nil { order.append(a.release.name) }
                byName[a.release.name, default: []].append(a)
            }
            guard !order.isEmpty else { return [] }
            let rows: [[String]] = order.compactMap { name in
                guard let list = byName[name], let first = list.first else { return nil }
                return [
                    first.release.project, "\(first.release.chart ?? first.release.repoURL) \(first.release.version)",
                    first.release.namespace,
                    list.map(\.cluster).joined(separator: ", "), String(first.wave), first.reason,
                ]
            }
            return [
                .table(
                    header: ["add-on", "chart / source and pinned version", "namespace", "clusters", "sync wave", "why it is there"],
                    rows: rows)
            ]
        case "Container Registry":
            var rows: [[String]] = []
            if let r = s.delivery.registry {
                rows += [
                    ["registry", r.host], ["tags", r.tags + (r.pinDigests ? ", digests in production" : "")],
                    ["immutable tags", r.immutable ? "yes" : "no"],
                    ["scan on push", r.scanOnPush ? "yes" : "no"],
                    [
                        s.provider.name == .aws
                            ? "deploy-gate severity (recorded in ecr.json, not enforced)" : "Harbor prevents pulls at severity",
                        r.blockSeverity,
                    ], ["keep last", "\(r.keepLast)"], ["untagged expire after", r.untaggedAfter.text],
                ]
            }
            if let g = s.delivery.gitops {
                rows += [
                    ["GitOps repository", g.repo], ["branch / folder", "\(g.branch) / \(g.path)"],
                    ["automatic sync", g.autoSync.map(\.value).joined(separator: ", ")],
                    ["prune / self-heal", "\(g.prune ? "yes" : "no") / \(g.selfHeal ? "yes" : "no")"],
                ]
            }
            return rows.isEmpty ? [] : [.table(header: ["registry and GitOps policy", "value"], rows: rows)]
        case "Production Environment":
            var matrix: [[String]] = []
            for svc in s.services {
                var row = [svc.name]
                for e in s.environments {
                    guard
                        let p = plan.targets.first(where: { $0.environment.name == e.name })?.placements.first(where: {
                            $0.service.name == svc.name
                        })
                    else {
                        row.append("not deployed")
                        continue
                    }
                    if let cron = p.service.schedule?.value {
                        row.append("scheduled `\(cron)` × \(p.resources.cpu)/\(p.resources.memory)")
                    } else {
                        row.append(
                            "\(p.replicas.min)–\(p.replicas.max) × \(p.resources.cpu)/\(p.resources.memory)\(p.hostname.map { ", \($0)" } ?? ", internal")"
                        )
                    }
                }
                matrix.append(row)
            }
            var diffRows: [[String]] = []
            for e in s.environments where e.tier != .production {
                for d in differences(e) { diffRows.append([e.name] + d) }
            }
            return [
                .paragraph("Services × environments (replicas min–max × CPU/memory request, exposure):"),
                .table(header: ["service"] + s.environments.map(\.name), rows: matrix),
                .paragraph("How each environment differs from production:"),
                .table(
                    header: ["environment", "what", "here", "production"], rows: diffRows.isEmpty ? [["—", "nothing", "", ""]] : diffRows),
            ]
        case "Horizontal Scaling":
            return [
                .table(
                    header: ["service", "environment", "min", "max", "CPU target", "autoscaler"],
                    rows: plan.targets.reduce(into: [[String]]()) { rows, t in
                        guard !rows.contains(where: { $0[1] == t.environment.name }) else { return }
                        for p in t.placements {
                            if let cron = p.service.schedule?.value {
                                // A CronJob: one run at a time on its schedule, no replicas to scale.
                                rows.append([
                                    p.service.name, t.environment.name, "—", "—", "—", "none: CronJob `\(cron)`, one run at a time",
                                ])
                            } else {
                                rows.append([
                                    p.service.name, t.environment.name, "\(p.replicas.min)", "\(p.replicas.max)", "\(p.replicas.cpu)%",
                                    p.replicas.max > p.replicas.min ? "HPA" : "fixed",
                                ])
                            }
                        }
                    })
            ]
        case "Access Controls":
            return [
                .table(
                    header: ["team", "group"] + s.environments.map(\.name),
                    rows: s.security.teams.map { t in
                        [t.name, t.group] + s.environments.map { Renderer.role(of: t, in: $0) ?? "—" }
                    })
            ]
        default:
            return []
        }
    }
}
