import BerthNet

/// The built-in reference check: before anything is written, every reference between the
/// objects berth rendered must resolve inside the cluster they go to.
///
/// It reads the plain render (one folder per cluster) and indexes, per cluster, what exists:
/// rendered objects, and what controllers create from them (CloudNativePG's `-rw`/`-ro`/`-r`
/// Services, ServiceAccount and generated Secrets; a Pooler's Service; the Gateway's data
/// plane pods; Secrets written by Certificates and ExternalSecrets). Then it follows every
/// reference: ServiceAccounts, Secrets and ConfigMaps of pods, Service hosts in environment
/// variables, Service, PodDisruptionBudget and NetworkPolicy selectors, ServiceMonitor and
/// PodMonitor selectors and the ports they scrape, HPA and VPA targets,
/// StorageClasses, issuers, Gateway parents and listeners, certificate Secrets, secret stores,
/// Velero locations, CloudNativePG clusters, roles, namespaces and Argo CD destinations.
///
/// A reference that does not resolve is a defect of berth, not of the spec: `berth render`
/// reports it as an internal error naming both objects and exits 3 without writing.
public enum ReferenceCheck {
    /// One unresolved reference: where it is and what it names.
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        /// The cluster whose render holds the reference.
        public var cluster: String
        /// `Kind namespace/name` of the object holding the reference.
        public var object: String
        /// What it refers to, e.g. `Secret acme-production/main-owner`.
        public var target: String
        /// The field holding the reference, e.g. `spec.template.spec.serviceAccountName`.
        public var field: String

        /// `cluster: object field refers to target, which nothing in the render creates` (or the name clash).
        public var description: String {
            field == "metadata.name"
                ? "\(cluster): \(object) clashes: \(target) in one cluster (rendered, or made by a controller from a rendered object)"
                : "\(cluster): \(object) \(field) refers to \(target), which nothing in the render creates"
        }
    }

    /// Namespaces that exist without berth: Kubernetes' own and Argo CD's. Every other
    /// namespace an object uses must be created by the render: a platform namespace, or the
    /// namespace of an add-on installed on that cluster (`addons/`, `CreateNamespace=true`).
    public static let systemNamespaces: Set<String> = ["kube-system", "kube-public", "default", "argocd"]

    /// ClusterRoles every cluster has.
    static let builtinClusterRoles: Set<String> = ["cluster-admin", "admin", "edit", "view"]

    struct Key: Hashable {
        var kind: String
        var namespace: String
        var name: String
    }

    /// What exists in one cluster.
    struct Index {
        var objects: Set<Key> = []
        /// The address ranges of the cluster's MetalLB IPAddressPools.
        var pools: [IPPrefix] = []
        /// The ranges of the pools that hand out addresses on their own (`autoAssign` not false):
        /// an address an object requests must not lie in one, or another Service could get it first.
        var autoPools: [IPPrefix] = []
        /// Pod label sets per namespace, and per namespace and `key=value` the indices of the
        /// label sets that carry it, so a selector is matched against a few candidates, not
        /// every pod of the namespace.
        var pods: [String: [[String: String]]] = [:]
        var podsByLabel: [String: [Label: [Int]]] = [:]
        /// The rendered ServiceMonitors and PodMonitors.
        var monitors: [JSONValue] = []
        /// The rendered Services by `namespace/name`, read when a ServiceMonitor selects them.
        var services: [String: JSONValue] = [:]
        /// The monitors (`Kind namespace/name`) found to select what they scrape while indexing.
        var resolvedMonitors: Set<String> = []
        /// Per namespace, the pods controllers make (`controllerPods`) with their port names.
        var controllerTargets: [String: Targets] = [:]
        /// Per namespace, the rendered Services and workloads' pods with their port names, where
        /// a monitor needs them: built by `indexMonitorTargets`.
        var monitorServices: [String: Targets] = [:]
        var monitorPods: [String: Targets] = [:]

        /// Label sets with their port names (Services, or pods), and per `key=value` the ones
        /// that carry it.
        struct Targets {
            var items: [(labels: [String: String], ports: [String])] = []
            var byLabel: [Label: [Int]] = [:]

            mutating func add(_ labels: [String: String], ports: [String]) {
                for (k, v) in labels { byLabel[Label(key: k, value: v), default: []].append(items.count) }
                items.append((labels, ports))
            }

            /// Whether one carries every label of `selector` (an empty selector selects all) and
            /// has a port named `port` (any, when nil).
            func matches(_ selector: [String: String], port: String?) -> Bool {
                // The fewest candidates: those carrying the selector's rarest label.
                var smallest: [Int]?
                for (k, v) in selector {
                    let candidates = byLabel[Label(key: k, value: v)] ?? []
                    if candidates.count < smallest?.count ?? Int.max { smallest = candidates }
                }
                return (smallest ?? Array(items.indices)).contains { i in
                    selector.allSatisfy { items[i].labels[$0.key] == $0.value } && (port.map { items[i].ports.contains($0) } ?? true)
                }
            }
        }

        /// The port names a monitor's endpoints scrape (one nil for endpoints without a name, or none).
        static func endpointPorts(_ monitor: JSONValue) -> [String?] {
            let field = monitor["kind"]?.stringValue == "PodMonitor" ? "spec.podMetricsEndpoints" : "spec.endpoints"
            let endpoints = monitor.at(field)?.arrayValue ?? []
            return endpoints.isEmpty ? [nil] : endpoints.map { $0["port"]?.stringValue }
        }

        /// Whether a ServiceMonitor watches only its own namespace and selects the Service of its
        /// own name there, with every port it scrapes: how berth writes one, checked without an index.
        func selectsItsOwnService(_ m: JSONValue) -> Bool {
            guard m["kind"]?.stringValue == "ServiceMonitor", m.at("spec.namespaceSelector") == nil,
                let ns = m.at("metadata.namespace")?.stringValue, let name = m.at("metadata.name")?.stringValue,
                let service = services["\(ns)/\(name)"], case .object(let selector)? = m.at("spec.selector.matchLabels")
            else { return false }
            let labels = service.at("metadata.labels")
            let ports = (service.at("spec.ports")?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
            return selector.allSatisfy { k, v in labels?[k] == v }
                && Self.endpointPorts(m).allSatisfy { port in port.map { ports.contains($0) } ?? true }
        }

        /// The namespaces a monitor watches: `namespaceSelector.matchNames`, else its own.
        static func watched(_ monitor: JSONValue) -> [String] {
            let named = (monitor.at("spec.namespaceSelector.matchNames")?.arrayValue ?? []).compactMap(\.stringValue)
            return named.isEmpty ? [monitor.at("metadata.namespace")?.stringValue ?? ""] : named
        }

        /// Prepares the monitors' check: a ServiceMonitor that selects its own Service
        /// (`selectsItsOwnService`) is resolved here; for the others, the Services of the
        /// namespaces they watch are indexed, and the workloads' pods of `docs` where a
        /// PodMonitor selects no controller's pods. Add-on and system namespaces are left out.
        mutating func indexMonitorTargets(_ docs: [JSONValue]) {
            var serviceSpaces: Set<String> = []
            var podSpaces: Set<String> = []
            // Only the label keys the monitors select by matter: the rest are not indexed.
            var keys: Set<String> = []
            for m in monitors {
                if selectsItsOwnService(m) {
                    resolvedMonitors.insert(
                        "ServiceMonitor \(m.at("metadata.namespace")?.stringValue ?? "")/\(m.at("metadata.name")?.stringValue ?? "")")
                    continue
                }
                let selector = ReferenceCheck.labels(m.at("spec.selector.matchLabels"))
                keys.formUnion(selector.keys)
                let pods = m["kind"]?.stringValue == "PodMonitor"
                // Pods and Services of add-on and system namespaces are not rendered: not checked.
                for space in Self.watched(m) where namespaces.contains(space) && !external.contains(space) {
                    if !pods {
                        serviceSpaces.insert(space)
                    } else if !Self.endpointPorts(m).allSatisfy({ controllerTargets[space]?.matches(selector, port: $0) == true }) {
                        podSpaces.insert(space)
                    }
                }
            }
            guard !serviceSpaces.isEmpty || !podSpaces.isEmpty else { return }
            func selectable(_ labels: JSONValue?) -> [String: String] {
                var out: [String: String] = [:]
                for k in keys { if let v = labels?[k]?.stringValue { out[k] = v } }
                return out
            }
            func portNames(_ ports: [JSONValue]) -> [String] { ports.compactMap { $0["name"]?.stringValue } }
            for d in services.values {
                guard let space = d.at("metadata.namespace")?.stringValue, serviceSpaces.contains(space) else { continue }
                monitorServices[space, default: Targets()].add(
                    selectable(d.at("metadata.labels")), ports: portNames(d.at("spec.ports")?.arrayValue ?? []))
            }
            guard !podSpaces.isEmpty else { return }
            for d in docs {
                let kind = d["kind"]?.stringValue ?? ""
                guard ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"].contains(kind),
                    let ns = d.at("metadata.namespace")?.stringValue, podSpaces.contains(ns)
                else { continue }
                let template = kind == "CronJob" ? d.at("spec.jobTemplate.spec.template") : d.at("spec.template")
                let containers =
                    (template?.at("spec.containers")?.arrayValue ?? []) + (template?.at("spec.initContainers")?.arrayValue ?? [])
                monitorPods[ns, default: Targets()].add(
                    selectable(template?.at("metadata.labels")), ports: portNames(containers.flatMap { $0["ports"]?.arrayValue ?? [] }))
            }
        }

        /// One `key=value` of a label set (a pair, not a joined String: no allocation per lookup).
        struct Label: Hashable {
            var key: String
            var value: String
        }

        /// The pods a controller makes for object `d` (`controllerPods`), as pods of `ns` and as
        /// what a PodMonitor may select.
        mutating func addControllerPods(_ d: JSONValue, kind: String, ns: String, name: String) {
            for p in ReferenceCheck.controllerPods(d, kind: kind, name: name) {
                addPods(ns, p.labels)
                controllerTargets[ns, default: Targets()].add(p.labels, ports: p.ports.sorted())
            }
        }

        mutating func addPods(_ ns: String, _ labels: [String: String]) {
            let i = pods[ns, default: []].count
            pods[ns, default: []].append(labels)
            for (k, v) in labels { podsByLabel[ns, default: [:]][Label(key: k, value: v), default: []].append(i) }
        }

        /// Whether some pod of namespace `ns` carries every label of `selector`.
        func matches(_ selector: [String: String], in ns: String) -> Bool {
            guard let all = pods[ns], let index = podsByLabel[ns] else { return false }
            var smallest: [Int]?
            for (k, v) in selector {
                let candidates = index[Label(key: k, value: v)] ?? []
                if smallest == nil || candidates.count < smallest?.count ?? 0 { smallest = candidates }
            }
            return (smallest ?? []).contains { i in selector.allSatisfy { all[i][$0.key] == $0.value } }
        }
        var namespaces: Set<String> = ReferenceCheck.systemNamespaces
        /// Namespaces whose pods berth does not render (system and add-on namespaces).
        var external: Set<String> = ReferenceCheck.systemNamespaces
        /// Listener names of each Gateway (`namespace/name`).
        var listeners: [String: Set<String>] = [:]
        /// Ports of each Service (`namespace/name`); nil when the controller makes the Service.
        var servicePorts: [String: Set<Int>] = [:]
        /// Services with EndpointSlices of their own (`namespace/name`).
        var slices: Set<String> = []

        /// Keys of rendered objects seen more than once (same kind, namespace and name).
        var duplicates: [Key: Int] = [:]
        /// What the add-on selection reads, found in the same pass (`Renderer.addons`).
        var uses = Uses()

        /// Adds the namespaces the add-ons create on this cluster: they exist, and berth renders
        /// no pods in them.
        mutating func addAddonNamespaces(_ spaces: Set<String>) {
            namespaces.formUnion(spaces)
            external.formUnion(spaces)
        }

        mutating func add(_ kind: String, _ ns: String, _ name: String) { objects.insert(Key(kind: kind, namespace: ns, name: name)) }
        func has(_ kind: String, _ ns: String, _ name: String) -> Bool { objects.contains(Key(kind: kind, namespace: ns, name: name)) }
    }

    /// What a cluster's objects use, for choosing its add-ons: every `apiVersion kind`, the
    /// namespaces objects live in or name in NetworkPolicy peers, and a few marks.
    struct Uses {
        /// Distinct `apiVersion kind` pairs.
        var kinds: Set<APIKind> = []
        var namespaces: Set<String> = []
        var dnsAnnotated = false
        /// A Service asks for the AWS Load Balancer Controller (`aws-load-balancer-type: external`).
        var awsLoadBalancer = false
        var snippets = false
        var longhorn = false
        var ceph = false
        var podMonitors = false
        var falcoRules = false

        func has(group: String) -> Bool { kinds.contains { $0.apiVersion.hasPrefix(group + "/") } }
        func has(kind: String) -> Bool { kinds.contains { $0.kind == kind } }
    }

    /// An `apiVersion` and kind.
    struct APIKind: Hashable {
        var apiVersion: String
        var kind: String
        var text: String { "\(apiVersion) \(kind)" }
    }

    static func labels(_ v: JSONValue?) -> [String: String] {
        guard case .object(let pairs)? = v else { return [:] }
        var out: [String: String] = [:]
        for (k, v) in pairs { if let s = v.stringValue { out[k] = s } }
        return out
    }

    /// Builds the index of one cluster from its objects, and what they use (`Uses`) in the
    /// same pass.
    static func index(_ docs: [JSONValue], addonNamespaces: Set<String> = []) -> Index {
        var ix = Index()
        ix.addAddonNamespaces(addonNamespaces)
        // Objects come grouped by file: most repeat the previous one's kind and namespace.
        var lastKind = APIKind(apiVersion: "", kind: "")
        var lastNamespace = ""
        for d in docs {
            let kind = d["kind"]?.stringValue ?? ""
            let meta = d["metadata"]
            let ns = meta?["namespace"]?.stringValue ?? ""
            let name = meta?["name"]?.stringValue ?? ""
            if !ix.objects.insert(Key(kind: kind, namespace: ns, name: name)).inserted {
                ix.duplicates[Key(kind: kind, namespace: ns, name: name), default: 1] += 1
            }
            let api = d["apiVersion"]?.stringValue ?? ""
            if api != lastKind.apiVersion || kind != lastKind.kind {
                lastKind = APIKind(apiVersion: api, kind: kind)
                ix.uses.kinds.insert(lastKind)
            }
            if !ns.isEmpty, ns != lastNamespace {
                ix.uses.namespaces.insert(ns)
                lastNamespace = ns
            }
            if !ix.uses.dnsAnnotated, case .object(let a)? = meta?["annotations"],
                a.contains(where: { $0.0.hasPrefix("external-dns.alpha.kubernetes.io/") })
            {
                ix.uses.dnsAnnotated = true
            }
            if !ix.uses.awsLoadBalancer, kind == "Service", case .object(let a)? = meta?["annotations"],
                a.contains(where: { $0.0 == "service.beta.kubernetes.io/aws-load-balancer-type" && $0.1.stringValue == "external" })
            {
                ix.uses.awsLoadBalancer = true
            }
            indexObject(d, kind: kind, ns: ns, name: name, into: &ix)
        }
        return ix
    }

    /// The pods a controller makes for a rendered object, with their labels and container port
    /// names: CloudNativePG's primary instance and PgBouncer pods, NGINX Gateway Fabric's data
    /// plane (in the Gateway's namespace, a port `port-<n>` per listener port).
    static func controllerPods(_ d: JSONValue, kind: String, name: String) -> [(labels: [String: String], ports: Set<String>)] {
        switch kind {
        case "Cluster" where d["apiVersion"]?.stringValue?.hasPrefix("postgresql.cnpg.io/") == true:
            return [(["cnpg.io/cluster": name, "cnpg.io/instanceRole": "primary"], ["postgresql", "metrics", "status"])]
        case "Pooler":
            return [(["cnpg.io/poolerName": name], ["pgbouncer", "metrics"])]
        case "Gateway":
            let ports = (d.at("spec.listeners")?.arrayValue ?? []).compactMap { $0["port"]?.intValue }.map { "port-\($0)" }
            return [(["gateway.networking.k8s.io/gateway-name": name], Set(ports).union(["metrics"]))]
        default:
            return []
        }
    }

    /// What one object adds to the index by its kind: namespaces, pods, Services and their ports,
    /// listeners, pools, the objects controllers make for it, and what it uses.
    private static func indexObject(_ d: JSONValue, kind: String, ns: String, name: String, into ix: inout Index) {
        switch kind {
        case "Namespace":
            ix.namespaces.insert(name)
        case "SnippetsFilter":
            ix.uses.snippets = true
        case "StorageClass":
            let p = d["provisioner"]?.stringValue ?? ""
            if p == "driver.longhorn.io" { ix.uses.longhorn = true }
            if p == "rbd.csi.ceph.com" { ix.uses.ceph = true }
        case "PodMonitor", "ServiceMonitor", "PrometheusRule":
            ix.uses.podMonitors = true
            if kind != "PrometheusRule" { ix.monitors.append(d) }
        case "ConfigMap" where name == "berth-falco-rules":
            ix.uses.falcoRules = true
        case "NetworkPolicy":
            indexPolicyNamespaces(d, into: &ix)
        case "Deployment", "StatefulSet", "DaemonSet", "Job":
            ix.addPods(ns, labels(d.at("spec.template.metadata.labels")))
        case "CronJob":
            ix.addPods(ns, labels(d.at("spec.jobTemplate.spec.template.metadata.labels")))
        case "Service":
            let key = "\(ns)/\(name)"
            ix.services[key] = d
            ix.servicePorts[key] = Set((d.at("spec.ports")?.arrayValue ?? []).compactMap { $0["port"]?.intValue })
        case "EndpointSlice":
            if let s = d.at("metadata.labels")?["kubernetes.io/service-name"]?.stringValue { ix.slices.insert("\(ns)/\(s)") }
        case "Cluster" where d["apiVersion"]?.stringValue?.hasPrefix("postgresql.cnpg.io/") == true:
            indexCNPGCluster(d, ns: ns, name: name, into: &ix)
        case "Pooler":
            ix.addControllerPods(d, kind: kind, ns: ns, name: name)
            ix.add("Service", ns, name)
            ix.add("ServiceAccount", ns, name)
            ix.servicePorts["\(ns)/\(name)"] = [5432]
        case "Gateway":
            ix.addControllerPods(d, kind: kind, ns: ns, name: name)
            ix.listeners["\(ns)/\(name)"] = Set((d.at("spec.listeners")?.arrayValue ?? []).compactMap { $0["name"]?.stringValue })
        case "Certificate":
            if let s = d.at("spec.secretName")?.stringValue { ix.add("Secret", ns, s) }
        case "IPAddressPool":
            let auto = d.at("spec.autoAssign") != .bool(false)
            for a in d.at("spec.addresses")?.arrayValue ?? [] {
                guard let text = a.stringValue, let p = try? IPPrefix(text) else { continue }
                ix.pools.append(p)
                if auto { ix.autoPools.append(p) }
            }
        case "Bundle":
            // trust-manager writes the target ConfigMap into the namespaces it selects.
            if d.at("spec.target.configMap") != nil,
                let space = d.at("spec.target.namespaceSelector.matchLabels")?["kubernetes.io/metadata.name"]?.stringValue
            {
                ix.add("ConfigMap", space, name)
            }
        case "ExternalSecret":
            ix.add("Secret", ns, d.at("spec.target.name")?.stringValue ?? name)
        default:
            break
        }
    }

    /// The namespaces a NetworkPolicy's peers select.
    private static func indexPolicyNamespaces(_ d: JSONValue, into ix: inout Index) {
        for side in ["ingress", "egress"] {
            for r in d["spec"]?[side]?.arrayValue ?? [] {
                for p in (r["from"]?.arrayValue ?? []) + (r["to"]?.arrayValue ?? []) {
                    if let n = p.at("namespaceSelector.matchLabels")?["kubernetes.io/metadata.name"]?.stringValue {
                        ix.uses.namespaces.insert(n)
                    }
                }
            }
        }
    }

    /// What CloudNativePG makes for a Cluster.
    private static func indexCNPGCluster(_ d: JSONValue, ns: String, name: String, into ix: inout Index) {
        if d.at("spec.monitoring.enablePodMonitor") == .bool(true) { ix.uses.podMonitors = true }
        // CloudNativePG makes the instance pods, their ServiceAccount, three Services and
        // the generated Secrets.
        ix.addControllerPods(d, kind: "Cluster", ns: ns, name: name)
        ix.add("ServiceAccount", ns, name)
        for suffix in ["rw", "ro", "r"] {
            ix.add("Service", ns, "\(name)-\(suffix)")
            ix.servicePorts["\(ns)/\(name)-\(suffix)"] = [5432]
        }
        for suffix in ["ca", "server", "replication", "superuser"] { ix.add("Secret", ns, "\(name)-\(suffix)") }
        if d.at("spec.bootstrap.initdb.secret") == nil, d.at("spec.bootstrap.recovery") == nil {
            ix.add("Secret", ns, "\(name)-app")
        }
    }

    /// Every unresolved reference in the objects of one cluster.
    static func problems(cluster: String, docs: ArraySlice<JSONValue>, index ix: Index) -> [Problem] {
        let refs = ObjectReferences(cluster: cluster, ix: ix)
        // Objects come grouped by file, so most share the previous one's namespace.
        var knownNamespace = ""
        for d in docs {
            let meta = d["metadata"]
            refs.kind = d["kind"]?.stringValue ?? ""
            refs.ns = meta?["namespace"]?.stringValue ?? ""
            refs.name = meta?["name"]?.stringValue ?? ""
            let ns = refs.ns
            if !ns.isEmpty, ns != knownNamespace {
                let exists = ix.namespaces.contains(ns)
                refs.need(exists, "metadata.namespace", "Namespace \(ns)")
                if exists { knownNamespace = ns }
            }
            refs.check(d)
        }
        return Array(refs.out)
    }

    /// The references of one object after another, and the problems found so far (a class: the
    /// descriptions, built only for a reference that does not resolve, read the current object).
    private final class ObjectReferences {
        let cluster: String
        let ix: Index
        var out: Set<Problem> = []
        /// The object being checked.
        var kind = ""
        var ns = ""
        var name = ""

        init(cluster: String, ix: Index) {
            self.cluster = cluster
            self.ix = ix
        }

        // Descriptions are built only for a reference that does not resolve.
        func need(_ ok: Bool, _ field: @autoclosure () -> String, _ target: @autoclosure () -> String) {
            guard !ok else { return }
            let me = ns.isEmpty ? "\(kind) \(name)" : "\(kind) \(ns)/\(name)"
            out.insert(Problem(cluster: cluster, object: me, target: target(), field: field()))
        }

        func needObject(_ k: String, _ n: String, in space: String? = nil, _ field: String) {
            let s = space ?? ns
            need(ix.has(k, s, n), field, s.isEmpty ? "\(k) \(n)" : "\(k) \(s)/\(n)")
        }

        /// Whether the requested address `text` lies in a pool that gives it out only on request.
        func inPool(_ text: String) -> Bool {
            guard let a = try? IPAddress(text) else { return false }
            return ix.pools.contains { $0.contains(a) } && !ix.autoPools.contains { $0.contains(a) }
        }

        func needPods(_ selector: [String: String], in space: String? = nil, _ field: String) {
            let s = space ?? ns
            guard !selector.isEmpty, ix.namespaces.contains(s), !ix.external.contains(s) else { return }
            need(
                ix.matches(selector, in: s), field,
                "pods \(s)/{" + selector.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") + "}")
        }

        /// The references of object `d`, by kind.
        func check(_ d: JSONValue) {
            switch kind {
            case "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob":
                workloadReferences(d)
            case "Service":
                serviceReferences(d)
            case "EndpointSlice":
                if let s = d.at("metadata.labels")?["kubernetes.io/service-name"]?.stringValue {
                    needObject("Service", s, "kubernetes.io/service-name")
                }
            case "PodDisruptionBudget":
                needPods(ReferenceCheck.labels(d.at("spec.selector.matchLabels")), "spec.selector")
            case "HorizontalPodAutoscaler":
                if let k = d.at("spec.scaleTargetRef.kind")?.stringValue, let n = d.at("spec.scaleTargetRef.name")?.stringValue {
                    needObject(k, n, "spec.scaleTargetRef")
                }
            case "VerticalPodAutoscaler":
                if let k = d.at("spec.targetRef.kind")?.stringValue, let n = d.at("spec.targetRef.name")?.stringValue {
                    needObject(k, n, "spec.targetRef")
                }
            case "NetworkPolicy":
                networkPolicyReferences(d)
            case "Certificate":
                if let issuer = d.at("spec.issuerRef.name")?.stringValue {
                    let k = d.at("spec.issuerRef.kind")?.stringValue ?? "Issuer"
                    needObject(k, issuer, in: k == "ClusterIssuer" ? "" : ns, "spec.issuerRef")
                }
            case "Gateway":
                gatewayReferences(d)
            case "HTTPRoute":
                httpRouteReferences(d)
            case "Ingress":
                ingressReferences(d)
            case "ExternalSecret":
                if let k = d.at("spec.secretStoreRef.kind")?.stringValue, let n = d.at("spec.secretStoreRef.name")?.stringValue {
                    needObject(k, n, in: k == "ClusterSecretStore" ? "" : ns, "spec.secretStoreRef")
                }
            case "ScheduledBackup":
                if let c = d.at("spec.cluster.name")?.stringValue { needObject("Cluster", c, "spec.cluster") }
            case "Pooler":
                if let c = d.at("spec.cluster.name")?.stringValue { needObject("Cluster", c, "spec.cluster") }
            case "Cluster":
                cnpgClusterReferences(d)
            case "StorageClass":
                csiSecretReferences(d)
            case "Schedule":
                veleroScheduleReferences(d)
            case "RoleBinding":
                if d.at("roleRef.kind")?.stringValue == "Role", let r = d.at("roleRef.name")?.stringValue {
                    needObject("Role", r, "roleRef")
                }
            case "ClusterRoleBinding":
                if let r = d.at("roleRef.name")?.stringValue, !ReferenceCheck.builtinClusterRoles.contains(r) {
                    needObject("ClusterRole", r, in: "", "roleRef")
                }
            case "L2Advertisement", "BGPAdvertisement":
                for p in d.at("spec.ipAddressPools")?.arrayValue ?? [] {
                    if let n = p.stringValue { needObject("IPAddressPool", n, "spec.ipAddressPools") }
                }
            case "Bundle":
                bundleReferences(d)
            case "Server" where d["apiVersion"]?.stringValue?.hasPrefix("policy.linkerd.io/") == true:
                // The control plane (identity.externalCA) reads its issuer and trust roots from these.
                needObject("Secret", "linkerd-identity-issuer", in: Renderer.linkerdNamespace, "linkerd identity issuer")
                needObject("ConfigMap", "linkerd-identity-trust-roots", in: Renderer.linkerdNamespace, "linkerd identity trust roots")
            case "ClusterIssuer", "Issuer":
                issuerReferences(d)
            case "ServiceMonitor", "PodMonitor":
                monitorReferences(d)
            default:
                break
            }
        }

        /// A workload's pod: its account, volumes, env sources and the Services its `_HOST` variables name; its claims' storage classes.
        func workloadReferences(_ d: JSONValue) {
            let podPath = kind == "CronJob" ? "spec.jobTemplate.spec.template.spec" : "spec.template.spec"
            guard let pod = d.at(podPath) else { return }
            if let sa = pod["serviceAccountName"]?.stringValue { needObject("ServiceAccount", sa, "\(podPath).serviceAccountName") }
            for v in pod["volumes"]?.arrayValue ?? [] {
                if let s = v.at("secret.secretName")?.stringValue { needObject("Secret", s, "volume \(v["name"]?.stringValue ?? "")") }
                if let c = v.at("configMap.name")?.stringValue { needObject("ConfigMap", c, "volume \(v["name"]?.stringValue ?? "")") }
                if let c = v.at("persistentVolumeClaim.claimName")?.stringValue { needObject("PersistentVolumeClaim", c, "volume") }
            }
            for c in (pod["containers"]?.arrayValue ?? []) + (pod["initContainers"]?.arrayValue ?? []) {
                for e in c["env"]?.arrayValue ?? [] {
                    let envName = e["name"]?.stringValue ?? ""
                    if let from = e["valueFrom"] {
                        if let s = from.at("secretKeyRef.name")?.stringValue { needObject("Secret", s, "env \(envName)") }
                        if let s = from.at("configMapKeyRef.name")?.stringValue { needObject("ConfigMap", s, "env \(envName)") }
                    }
                    // A host that names a Service of this cluster must resolve to one.
                    if envName.hasSuffix("_HOST"), let host = e["value"]?.stringValue,
                        let (svc, space) = ReferenceCheck.serviceHost(host, namespace: ns)
                    {
                        needObject("Service", svc, in: space, "env \(envName)")
                    }
                }
            }
            for t in d.at("spec.volumeClaimTemplates")?.arrayValue ?? [] {
                if let sc = t.at("spec.storageClassName")?.stringValue {
                    needObject("StorageClass", sc, in: "", "volumeClaimTemplates")
                }
            }
        }

        /// A Service selects pods (or has an EndpointSlice); its load-balancer addresses lie in a pool.
        func serviceReferences(_ d: JSONValue) {
            let selector = ReferenceCheck.labels(d.at("spec.selector"))
            if selector.isEmpty, d.at("spec.type")?.stringValue != "ExternalName" {
                need(ix.slices.contains("\(ns)/\(name)"), "spec.selector", "an EndpointSlice for Service \(ns)/\(name)")
            } else {
                needPods(selector, "spec.selector")
            }
            if d.at("spec.type")?.stringValue == "LoadBalancer", !ix.pools.isEmpty {
                let requested =
                    (d.at("metadata.annotations")?["metallb.universe.tf/loadBalancerIPs"]?.stringValue ?? "")
                    .split(separator: ",").map { String($0.filter { $0 != " " }) }.filter { !$0.isEmpty }
                    + [d.at("spec.loadBalancerIP")?.stringValue].compactMap { $0 }
                for v in requested { need(inPool(v), "load-balancer address", "address \(v) in an IPAddressPool with autoAssign: false") }
            }
        }

        /// A NetworkPolicy selects pods, and its peers name namespaces and pods that exist.
        func networkPolicyReferences(_ d: JSONValue) {
            needPods(ReferenceCheck.labels(d.at("spec.podSelector.matchLabels")), "spec.podSelector")
            for (field, rules, side) in [("ingress", d.at("spec.ingress"), "from"), ("egress", d.at("spec.egress"), "to")] {
                for r in rules?.arrayValue ?? [] {
                    for p in r[side]?.arrayValue ?? [] {
                        let space = p.at("namespaceSelector.matchLabels")?["kubernetes.io/metadata.name"]?.stringValue
                        if let space { need(ix.namespaces.contains(space), "spec.\(field).\(side)", "Namespace \(space)") }
                        if p["podSelector"] != nil, p["namespaceSelector"] == nil || space != nil {
                            needPods(ReferenceCheck.labels(p.at("podSelector.matchLabels")), in: space ?? ns, "spec.\(field).\(side)")
                        }
                    }
                }
            }
        }

        /// A Gateway's addresses lie in a pool; its listeners' certificate Secrets exist.
        func gatewayReferences(_ d: JSONValue) {
            // On a cluster with MetalLB pools, a requested address must lie in one.
            for a in d.at("spec.addresses")?.arrayValue ?? [] where !ix.pools.isEmpty {
                if let v = a["value"]?.stringValue {
                    need(inPool(v), "spec.addresses", "address \(v) in an IPAddressPool with autoAssign: false")
                }
            }
            for l in d.at("spec.listeners")?.arrayValue ?? [] {
                for c in l.at("tls.certificateRefs")?.arrayValue ?? [] {
                    if let s = c["name"]?.stringValue {
                        needObject("Secret", s, "listener \(l["name"]?.stringValue ?? "") certificateRefs")
                    }
                }
            }
        }

        /// An HTTPRoute's parent Gateways and listeners, backend Services and ports, and filters exist.
        func httpRouteReferences(_ d: JSONValue) {
            for p in d.at("spec.parentRefs")?.arrayValue ?? [] {
                let gns = p["namespace"]?.stringValue ?? ns
                guard let g = p["name"]?.stringValue else { continue }
                needObject("Gateway", g, in: gns, "spec.parentRefs")
                if let section = p["sectionName"]?.stringValue, let ls = ix.listeners["\(gns)/\(g)"] {
                    need(ls.contains(section), "spec.parentRefs.sectionName", "listener \(section) of Gateway \(gns)/\(g)")
                }
            }
            for rule in d.at("spec.rules")?.arrayValue ?? [] {
                for b in rule["backendRefs"]?.arrayValue ?? [] {
                    guard let svc = b["name"]?.stringValue else { continue }
                    needObject("Service", svc, "spec.rules.backendRefs")
                    if let port = b["port"]?.intValue, let ports = ix.servicePorts["\(ns)/\(svc)"] {
                        need(ports.contains(port), "spec.rules.backendRefs.port", "port \(port) of Service \(ns)/\(svc)")
                    }
                }
                for f in rule["filters"]?.arrayValue ?? [] {
                    if let k = f.at("extensionRef.kind")?.stringValue, let n = f.at("extensionRef.name")?.stringValue {
                        needObject(k, n, "spec.rules.filters")
                    }
                }
            }
        }

        /// An Ingress's backend Services and TLS Secrets exist.
        func ingressReferences(_ d: JSONValue) {
            for r in d.at("spec.rules")?.arrayValue ?? [] {
                for p in r.at("http.paths")?.arrayValue ?? [] {
                    if let svc = p.at("backend.service.name")?.stringValue { needObject("Service", svc, "spec.rules.backend") }
                }
            }
            for t in d.at("spec.tls")?.arrayValue ?? [] {
                if let s = t["secretName"]?.stringValue { needObject("Secret", s, "spec.tls.secretName") }
            }
        }

        /// A CloudNativePG Cluster's Secrets, storage classes, replica and recovery sources and backup credentials exist.
        func cnpgClusterReferences(_ d: JSONValue) {
            if let s = d.at("spec.bootstrap.initdb.secret.name")?.stringValue {
                needObject("Secret", s, "spec.bootstrap.initdb.secret")
            }
            for r in d.at("spec.managed.roles")?.arrayValue ?? [] {
                if let s = r.at("passwordSecret.name")?.stringValue { needObject("Secret", s, "spec.managed.roles.passwordSecret") }
            }
            for path in ["spec.storage.storageClass", "spec.walStorage.storageClass"] {
                if let sc = d.at(path)?.stringValue { needObject("StorageClass", sc, in: "", path) }
            }
            let external = Set((d.at("spec.externalClusters")?.arrayValue ?? []).compactMap { $0["name"]?.stringValue })
            for path in ["spec.replica.source", "spec.bootstrap.recovery.source"] {
                if let s = d.at(path)?.stringValue { need(external.contains(s), path, "externalClusters entry \(s)") }
            }
            let stores =
                [d.at("spec.backup.barmanObjectStore")]
                + (d.at("spec.externalClusters")?.arrayValue ?? []).map { $0["barmanObjectStore"] }
            for store in stores.compactMap({ $0 }) {
                for key in ["accessKeyId", "secretAccessKey"] {
                    if let s = store.at("s3Credentials.\(key).name")?.stringValue {
                        needObject("Secret", s, "barmanObjectStore.s3Credentials")
                    }
                }
            }
        }

        /// The Secrets a StorageClass's CSI parameters name (`csi.storage.k8s.io/*-secret-name`
        /// in `*-secret-namespace`): Longhorn's passphrase, Ceph's client key.
        func csiSecretReferences(_ d: JSONValue) {
            if case .object(let params)? = d["parameters"] {
                let values = Dictionary(params.compactMap { k, v in v.stringValue.map { (k, $0) } }, uniquingKeysWith: { a, _ in a })
                for (k, v) in params.sorted(by: { $0.0 < $1.0 }) where k.hasPrefix("csi.storage.k8s.io/") && k.hasSuffix("-secret-name") {
                    guard let secret = v.stringValue else { continue }
                    let space = values[String(k.dropLast("-name".count)) + "-namespace"] ?? ""
                    needObject("Secret", secret, in: space, "parameters.\(k)")
                }
            }
        }

        /// A Velero Schedule's storage and snapshot locations exist.
        func veleroScheduleReferences(_ d: JSONValue) {
            if let l = d.at("spec.template.storageLocation")?.stringValue {
                needObject("BackupStorageLocation", l, "spec.template.storageLocation")
            }
            for l in d.at("spec.template.volumeSnapshotLocations")?.arrayValue ?? [] {
                if let n = l.stringValue { needObject("VolumeSnapshotLocation", n, "spec.template.volumeSnapshotLocations") }
            }
        }

        /// trust-manager reads Secret and ConfigMap sources from its trust namespace, and writes into the namespace it selects.
        func bundleReferences(_ d: JSONValue) {
            // trust-manager reads Secret and ConfigMap sources from its trust namespace.
            for src in d.at("spec.sources")?.arrayValue ?? [] {
                if let s = src.at("secret.name")?.stringValue {
                    needObject("Secret", s, in: Renderer.certManagerNamespace, "spec.sources.secret")
                }
                if let c = src.at("configMap.name")?.stringValue {
                    needObject("ConfigMap", c, in: Renderer.certManagerNamespace, "spec.sources.configMap")
                }
            }
            if let space = d.at("spec.target.namespaceSelector.matchLabels")?["kubernetes.io/metadata.name"]?.stringValue {
                need(ix.namespaces.contains(space), "spec.target.namespaceSelector", "Namespace \(space)")
            }
        }

        /// A ServiceMonitor (PodMonitor) selects, in the namespaces it watches, a Service (pods)
        /// with every port its endpoints name: otherwise Prometheus scrapes nothing, silently.
        /// Monitors of add-on namespaces select what the add-on's chart makes, which berth
        /// does not render.
        func monitorReferences(_ d: JSONValue) {
            guard d.at("spec.namespaceSelector.any") != .bool(true), !ix.resolvedMonitors.contains("\(kind) \(ns)/\(name)") else { return }
            let watched = Index.watched(d)
            if d.at("spec.namespaceSelector.matchNames") != nil {
                for s in watched { need(ix.namespaces.contains(s), "spec.namespaceSelector.matchNames", "Namespace \(s)") }
            }
            let rendered = watched.filter { ix.namespaces.contains($0) && !ix.external.contains($0) }
            guard !rendered.isEmpty else { return }
            let selector = ReferenceCheck.labels(d.at("spec.selector.matchLabels"))
            let pods = kind == "PodMonitor"
            let field = pods ? "spec.podMetricsEndpoints" : "spec.endpoints"
            for port in Index.endpointPorts(d) {
                let found = rendered.contains { space in
                    pods
                        ? ix.controllerTargets[space]?.matches(selector, port: port) == true
                            || ix.monitorPods[space]?.matches(selector, port: port) == true
                        : ix.monitorServices[space]?.matches(selector, port: port) == true
                }
                need(
                    found, port.map { "\(field) port \($0)" } ?? "spec.selector",
                    (pods ? "pods" : "a Service") + " of \(rendered.joined(separator: ", ")) labelled {"
                        + selector.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") + "}"
                        + (port.map { " with a port named \($0)" } ?? ""))
            }
        }

        /// An issuer's CA Secret, Vault account and HTTP-01 Gateways exist.
        func issuerReferences(_ d: JSONValue) {
            if let s = d.at("spec.ca.secretName")?.stringValue {
                // A ClusterIssuer's CA Secret lives in cert-manager's cluster resource namespace.
                needObject("Secret", s, in: kind == "ClusterIssuer" ? Renderer.certManagerNamespace : ns, "spec.ca.secretName")
            }
            if let sa = d.at("spec.vault.auth.kubernetes.serviceAccountRef.name")?.stringValue {
                // cert-manager requests the token in its cluster resource namespace for a ClusterIssuer.
                needObject(
                    "ServiceAccount", sa, in: kind == "ClusterIssuer" ? Renderer.certManagerNamespace : ns,
                    "spec.vault.auth.kubernetes.serviceAccountRef")
            }
            for s in d.at("spec.acme.solvers")?.arrayValue ?? [] {
                for p in s.at("http01.gatewayHTTPRoute.parentRefs")?.arrayValue ?? [] {
                    if let g = p["name"]?.stringValue {
                        needObject("Gateway", g, in: p["namespace"]?.stringValue ?? ns, "solvers.http01.gatewayHTTPRoute.parentRefs")
                    }
                }
            }
        }
    }

    /// The Service a host name denotes, when it is a cluster-local name: `svc`,
    /// `svc.ns`, `svc.ns.svc` or `svc.ns.svc.cluster.local`. Other names are outside.
    static func serviceHost(_ host: String, namespace: String) -> (String, String)? {
        let parts = host.split(separator: ".").map(String.init)
        switch parts.count {
        case 1: return (parts[0], namespace)
        case 2: return (parts[0], parts[1])
        case 3 where parts[2] == "svc": return (parts[0], parts[1])
        case 5 where parts[2...] == ["svc", "cluster", "local"]: return (parts[0], parts[1])
        default: return nil
        }
    }

    /// Checks the plain render: `files` are (path, objects) with the cluster as the first
    /// path component. Argo CD objects are checked against the project and the artifact paths.
    /// `addonNamespaces` are the namespaces the add-ons create on each cluster (`addons/`).
    public static func run(
        files: [(path: String, objects: [JSONValue])], argo: [JSONValue] = [], paths: Set<String> = [],
        addonNamespaces: [String: Set<String>] = [:]
    ) -> [Problem] {
        run(byCluster: objectsByCluster(files), argo: argo, paths: paths, addonNamespaces: addonNamespaces)
    }

    /// The objects of the plain render by cluster (the first component of each file's path):
    /// the grouping the check and the add-on selection share.
    public static func objectsByCluster(_ files: [(path: String, objects: [JSONValue])]) -> [String: [JSONValue]] {
        var byCluster: [String: [JSONValue]] = [:]
        for f in files {
            guard let cluster = f.path.split(separator: "/").first.map(String.init) else { continue }
            byCluster[cluster, default: []] += f.objects
        }
        return byCluster
    }

    /// The check over objects already grouped by cluster (`objectsByCluster`).
    public static func run(
        byCluster: [String: [JSONValue]], argo: [JSONValue] = [], paths: Set<String> = [],
        addonNamespaces: [String: Set<String>] = [:]
    ) -> [Problem] {
        var indexes = indexes(byCluster)
        for (c, spaces) in addonNamespaces { indexes[c]?.addAddonNamespaces(spaces) }
        return run(byCluster: byCluster, indexes: indexes, argo: argo, paths: paths)
    }

    /// One index per cluster, built side by side.
    static func indexes(_ byCluster: [String: [JSONValue]]) -> [String: Index] {
        let clusters = byCluster.keys.sorted()
        let built = parallelMap(0..<clusters.count) { index(byCluster[clusters[$0]] ?? []) }
        return Dictionary(uniqueKeysWithValues: zip(clusters, built))
    }

    /// The check with the indexes built already (`indexes`, with the add-on namespaces added).
    static func run(
        byCluster: [String: [JSONValue]], indexes byName: [String: Index], argo: [JSONValue] = [],
        paths: Set<String> = []
    ) -> [Problem] {
        clusterProblems(byCluster: byCluster, indexes: byName)
            + argoProblems(argo, clusters: Set(byCluster.keys), objects: byCluster, paths: paths)
    }

    /// The problems inside the clusters, sorted (the part of `run` before the Argo CD check,
    /// which needs the artifact paths; the render runs this part while it serialises).
    static func clusterProblems(byCluster: [String: [JSONValue]], indexes byName: [String: Index]) -> [Problem] {
        let clusters = byCluster.keys.sorted()
        let groups = clusters.map { byCluster[$0] ?? [] }
        // The objects are checked in chunks of every cluster at once: a platform's clusters
        // differ in size, so chunks keep both cores busy.
        let indexes = parallelMap(0..<clusters.count) { i in
            var ix = byName[clusters[i]] ?? index(byCluster[clusters[i]] ?? [])
            if !ix.monitors.isEmpty { ix.indexMonitorTargets(byCluster[clusters[i]] ?? []) }
            return ix
        }
        var chunks: [(cluster: Int, range: Range<Int>)] = []
        for (ci, docs) in groups.enumerated() {
            for start in stride(from: 0, to: docs.count, by: 256) { chunks.append((ci, start..<min(docs.count, start + 256))) }
        }
        let work = chunks
        var out = parallelMap(0..<work.count) { i in
            problems(cluster: clusters[work[i].cluster], docs: groups[work[i].cluster][work[i].range], index: indexes[work[i].cluster])
        }.flatMap { $0 }
        // The same kind and name twice in one cluster (counted while indexing).
        for (ci, ix) in indexes.enumerated() {
            for (key, count) in ix.duplicates {
                let obj = key.namespace.isEmpty ? "\(key.kind) \(key.name)" : "\(key.kind) \(key.namespace)/\(key.name)"
                out.append(
                    Problem(
                        cluster: clusters[ci], object: obj, target: "\(count) objects of the same kind and name", field: "metadata.name"))
            }
        }
        out.sort { ($0.cluster, $0.object, $0.field, $0.target) < ($1.cluster, $1.object, $1.field, $1.target) }
        return out
    }

    /// Argo CD: every Application names the project, every destination is one the project
    /// allows, every path it syncs exists, and every object synced there lies in an allowed
    /// namespace with a whitelisted kind. ApplicationSets (the workloads) are checked against
    /// their project's destinations and the artifact paths; add-on Applications (label
    /// `berth.dev/addon`) against theirs (`<platform>-addons`): the project exists, the
    /// destination cluster is rendered and the namespace allowed, the chart's repository is a
    /// source, and every cluster-scoped kind the add-on installs (its Namespace, cluster roles
    /// and `AddonVersions.clusterKinds`) is whitelisted.
    static func argoProblems(_ docs: [JSONValue], clusters: Set<String>, objects: [String: [JSONValue]], paths: Set<String>) -> [Problem] {
        var projects: [String: JSONValue] = [:]
        for d in docs where d["kind"]?.stringValue == "AppProject" { projects[d.at("metadata.name")?.stringValue ?? ""] = d }
        var out: [Problem] = []
        out += addonApplicationProblems(docs, projects: projects, clusters: clusters)
        // The workload project: the one no add-on Application names.
        let addonProjects = Set(
            docs.filter { $0["kind"]?.stringValue == "Application" && $0.at("metadata.labels")?["berth.dev/addon"] != nil }
                .compactMap { $0.at("spec.project")?.stringValue })
        guard
            let project = docs.first(where: {
                $0["kind"]?.stringValue == "AppProject" && !addonProjects.contains($0.at("metadata.name")?.stringValue ?? "")
            })
        else {
            // ApplicationSets without their project: each names one nothing creates.
            for d in docs where d["kind"]?.stringValue == "ApplicationSet" {
                let p = d.at("spec.template.spec.project")?.stringValue ?? "default"
                let name = "ApplicationSet \(d.at("metadata.namespace")?.stringValue ?? "")/\(d.at("metadata.name")?.stringValue ?? "")"
                out.append(Problem(cluster: "argocd", object: name, target: "AppProject \(p)", field: "spec.template.spec.project"))
            }
            return out
        }
        let projectName = project.at("metadata.name")?.stringValue ?? ""
        var allowed: Set<String> = []
        for d in project.at("spec.destinations")?.arrayValue ?? [] {
            allowed.insert("\(d["name"]?.stringValue ?? d["server"]?.stringValue ?? "")/\(d["namespace"]?.stringValue ?? "")")
        }
        let folders = Set(
            paths.flatMap { p -> [String] in
                var acc: [String] = []
                var cur = ""
                for part in p.split(separator: "/").dropLast() {
                    cur = cur.isEmpty ? String(part) : cur + "/" + part
                    acc.append(cur)
                }
                return acc
            })
        for d in docs where d["kind"]?.stringValue == "ApplicationSet" {
            let name = "ApplicationSet \(d.at("metadata.namespace")?.stringValue ?? "")/\(d.at("metadata.name")?.stringValue ?? "")"
            if let p = d.at("spec.template.spec.project")?.stringValue, p != projectName {
                out.append(Problem(cluster: "argocd", object: name, target: "AppProject \(p)", field: "spec.template.spec.project"))
            }
            for g in d.at("spec.generators")?.arrayValue ?? [] {
                for e in g.at("list.elements")?.arrayValue ?? [] {
                    let cluster = e["cluster"]?.stringValue ?? ""
                    if let ns = e["namespace"]?.stringValue, !allowed.contains("\(cluster)/\(ns)"), !allowed.contains("\(cluster)/*") {
                        out.append(
                            Problem(
                                cluster: "argocd", object: name, target: "destination \(cluster)/\(ns) in AppProject \(projectName)",
                                field: "generators.list.elements"))
                    }
                    if let path = e["path"]?.stringValue, !paths.isEmpty,
                        !folders.contains(where: { $0.hasSuffix(path) || path.hasSuffix($0) })
                    {
                        out.append(
                            Problem(cluster: "argocd", object: name, target: "folder \(path)", field: "generators.list.elements.path"))
                    }
                }
            }
        }
        return out
    }

    /// The add-on Applications against their AppProject (see `argoProblems`).
    static func addonApplicationProblems(_ docs: [JSONValue], projects: [String: JSONValue], clusters: Set<String>) -> [Problem] {
        var out: [Problem] = []
        for d in docs where d["kind"]?.stringValue == "Application" {
            guard let addon = d.at("metadata.labels")?["berth.dev/addon"]?.stringValue else { continue }
            let me = "Application \(d.at("metadata.namespace")?.stringValue ?? "")/\(d.at("metadata.name")?.stringValue ?? "")"
            let projectName = d.at("spec.project")?.stringValue ?? "default"
            guard let project = projects[projectName] else {
                out.append(Problem(cluster: "argocd", object: me, target: "AppProject \(projectName)", field: "spec.project"))
                continue
            }
            let cluster = d.at("spec.destination.name")?.stringValue ?? d.at("spec.destination.server")?.stringValue ?? ""
            let namespace = d.at("spec.destination.namespace")?.stringValue ?? ""
            if !clusters.isEmpty, !clusters.contains(cluster) {
                out.append(Problem(cluster: "argocd", object: me, target: "cluster \(cluster)", field: "spec.destination.name"))
            }
            let destinations = project.at("spec.destinations")?.arrayValue ?? []
            let destinationAllowed = destinations.contains { p in
                let c = p["name"]?.stringValue ?? p["server"]?.stringValue ?? ""
                let n = p["namespace"]?.stringValue ?? ""
                return (c == cluster || c == "*") && (n == namespace || n == "*")
            }
            if !destinationAllowed {
                out.append(
                    Problem(
                        cluster: "argocd", object: me, target: "destination \(cluster)/\(namespace) in AppProject \(projectName)",
                        field: "spec.destination"))
            }
            let repos = Set((project.at("spec.sourceRepos")?.arrayValue ?? []).compactMap(\.stringValue))
            let sources = [d.at("spec.source")].compactMap { $0 } + (d.at("spec.sources")?.arrayValue ?? [])
            for src in sources {
                if let repo = src["repoURL"]?.stringValue, !repos.contains(repo), !repos.contains("*") {
                    out.append(
                        Problem(
                            cluster: "argocd", object: me, target: "source repository \(repo) in AppProject \(projectName)",
                            field: "spec.source.repoURL"))
                }
            }
            let whitelist = Set(
                (project.at("spec.clusterResourceWhitelist")?.arrayValue ?? []).map {
                    [$0["group"]?.stringValue ?? "", $0["kind"]?.stringValue ?? ""]
                })
            let synced: [[String]] =
                [["", "Namespace"], ["rbac.authorization.k8s.io", "ClusterRole"], ["rbac.authorization.k8s.io", "ClusterRoleBinding"]]
                + (AddonVersions.clusterKinds[addon] ?? [])
            for k in synced where !whitelist.contains(k) && !whitelist.contains(["*", "*"]) && !whitelist.contains([k[0], "*"]) {
                out.append(
                    Problem(
                        cluster: "argocd", object: me,
                        target:
                            "cluster-scoped kind \(k[0].isEmpty ? "" : k[0] + "/")\(k[1]) in AppProject \(projectName) clusterResourceWhitelist",
                        field: "synced kinds"))
            }
        }
        return out
    }
}
