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
    var addons: [AddonInstance]
    /// The foundation's folders as the render writes them, nil without `infrastructure`
    /// (or on premises and where berth does not render one); built once for the answers
    /// that read it.
    var foundationFolders: [Renderer.InfraFolder]?

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
        let files = facts.files.map { ($0.path, $0.objects) }
        self.addons = renderer.addons(indexes: ReferenceCheck.indexes(ReferenceCheck.objectsByCluster(files)))
        self.foundationFolders = renderer.infraFolders(files: files, addons: addons)
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

    /// Walks the template: headings kept, TODO lines become summaries, bullets get answers from
    /// the catalogue (`catalogue`), and each section ends with its tables and diagrams (also from the catalogue).
    public func build() -> Doc {
        var doc = Doc()
        var h2 = ""
        var h3 = ""
        var pendingBlocks: [DocBlock] = []
        func flush() {
            doc.blocks += pendingBlocks
            pendingBlocks = []
        }
        for line in HostingTemplate.lines(HostingTemplate.text) {
            switch line {
            case .section(let title):
                flush()
                h3 = title
                doc.add(.heading(3, h3))
                pendingBlocks = blocks(h2, h3)
            case .chapter(let title):
                flush()
                h2 = title
                h3 = ""
                doc.add(.heading(2, h2))
            case .title(let title):
                doc.add(.heading(1, title))
            case .todo:
                doc.add(.paragraph(summary(h2)))
            case .bullet(let label):
                doc.add(.item(label, answer(h2, h3, label)))
            case .closing(let text):
                flush()
                doc.add(.paragraph(text))
            case .text(let text):
                doc.add(
                    .paragraph(
                        text.replacingOccurrences(
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
    /// The regions with their own encryption key (`provider.regions.<region>.kmsKey`).
    var keyedRegions: [Region] { spec.provider.regions.filter { !$0.kmsKey.isEmpty } }
    func envs(_ tier: Environment.Tier) -> [Environment] { spec.environments.filter { $0.tier == tier } }
    func cpu(_ milli: Int64) -> String { Quantity.cpuText(milli: milli) }
    func mem(_ bytes: Int64) -> String { Quantity.bytesText(bytes) }

    // MARK: shared by the answers

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
        return groups.filter { !$0.view.services.isEmpty }.flatMap { g in
            let title = "\(g.envs.count == 1 ? "Environment" : "Environments") \(list(g.envs))"
            return g.view.services.count > 30
                ? policyRows(g.view, title: title, gateway: gateway) : policyMatrix(g.view, title: title, gateway: gateway)
        }
    }

    /// One row per service: its port, who reaches it, whom it may call and its data access.
    func policyRows(_ view: RenderedFacts.PolicyView, title: String, gateway: String) -> [DocBlock] {
        let names = view.services
        let ports = view.portsByCaller()
        // Callers listed in the order of `[gateway] + names`, callees in the order of `names`.
        var position: [String: Int] = [gateway: -1]
        for (i, n) in names.enumerated() where position[n] == nil { position[n] = i }
        var callersOf: [String: [String]] = [:]
        for (caller, callees) in ports where position[caller] != nil {
            for callee in callees.keys { callersOf[callee, default: []].append(caller) }
        }
        let byPosition = { (a: String, b: String) in position[a, default: 0] < position[b, default: 0] }
        let rows: [[String]] = names.map { svc in
            let callers = (callersOf[svc] ?? []).sorted(by: byPosition)
            let inPorts = Set(view.edges.lazy.filter { $0.to == svc }.map(\.port)).sorted().joined(separator: ", ")
            let calls = (ports[svc] ?? [:]).filter { position[$0.key] != nil && $0.key != gateway }.sorted { byPosition($0.key, $1.key) }
                .map { "\($0.key) (\($0.value))" }
            return [
                svc, inPorts.isEmpty ? "—" : inPorts, callers.joined(separator: ", "), calls.joined(separator: ", "),
                (view.data[svc] ?? []).joined(separator: ", "),
            ]
        }
        return [
            .paragraph("\(title): allowed connections per service, from the rendered NetworkPolicies (everything else is denied):"),
            .table(header: ["service", "port", "reached from", "may call (port)", "data"], rows: rows),
        ]
    }

    /// The matrix: row calls column on the port in the cell, then the row's data access.
    func policyMatrix(_ view: RenderedFacts.PolicyView, title: String, gateway: String) -> [DocBlock] {
        let names = view.services
        let ports = view.portsByCaller()
        let rows: [[String]] = ([gateway] + names).map { caller in
            [caller]
                + names.map { callee in ports[caller]?[callee] ?? "·" } + [(view.data[caller] ?? []).joined(separator: ", ")]
        }
        return [
            .paragraph(
                "\(title): who may open a connection to whom, from the rendered NetworkPolicies (row calls column on the port shown; everything not marked is denied):"
            ),
            .table(header: ["from \\ to"] + names + ["data"], rows: rows),
        ]
    }

    /// The first target of environment `e` (its first cluster).
    func target(of e: Environment) -> Target? { plan.targets.first { $0.environment.name == e.name } }

    /// One clause per item (skipping those `clause` has nothing for) as a list ended by `end`,
    /// or `none` when there are no items.
    func clauses<T>(_ items: [T], none: String, end: @autoclosure () -> String = ".", _ clause: (T) -> String?) -> String {
        items.isEmpty ? none : list(items.compactMap(clause)) + end()
    }

    /// One clause per environment of a tier, or that the tier has none.
    func perEnvironment(_ es: [Environment], _ clause: (Environment) -> String?) -> String {
        clauses(es, none: "No environment of this tier.", clause)
    }

    func envDescription(_ es: [Environment]) -> String {
        perEnvironment(es) { e in
            "\(e.name) runs on \(list(e.clusters.map(\.value))) at \(code(e.domain)) with \(plural(target(of: e)?.placements.count ?? 0, "service"))"
        }
    }

    func quotaText(_ es: [Environment]) -> String {
        perEnvironment(es) { e in
            guard let t = target(of: e) else { return nil }
            let cpuSum = t.placements.reduce(Int64(0)) { $0 + Int64($1.replicas.max) * $1.resources.cpu.milli }
            let memSum = t.placements.reduce(Int64(0)) { $0 + Int64($1.replicas.max) * $1.resources.memory.units }
            return "\(e.name): \(cpu(cpuSum)) CPU and \(mem(memSum)) requested at maximum scale, quota +\(e.headroom)%"
        }
    }

    func accessText(_ es: [Environment]) -> String {
        perEnvironment(es) { e in
            let roles = spec.security.teams.compactMap { t in Renderer.role(of: t, in: e).map { "\(t.name) \($0)" } }
            return "\(e.name): \(list(roles, empty: "no team"))"
        }
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
        let a = target(of: e)
        let b = target(of: prod)
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
}
