import BerthNet
import Foundation

/// Diagrams drawn by berth itself: deterministic SVG (no fonts, scripts or external references)
/// and the same picture as Mermaid for forges that render it.
struct SVG {
    var width: Double
    var height: Double
    var body = ""

    static func esc(_ s: String) -> String { Doc.escape(s) }
    static func n(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(format: "%.1f", v) }

    mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, stroke: String = "#57606a", rx: Double = 4) {
        body +=
            "<rect x=\"\(SVG.n(x))\" y=\"\(SVG.n(y))\" width=\"\(SVG.n(w))\" height=\"\(SVG.n(h))\" rx=\"\(SVG.n(rx))\" fill=\"\(fill)\" stroke=\"\(stroke)\"/>\n"
    }

    mutating func text(_ x: Double, _ y: Double, _ s: String, size: Double = 12, anchor: String = "start", weight: String = "normal") {
        body +=
            "<text x=\"\(SVG.n(x))\" y=\"\(SVG.n(y))\" font-size=\"\(SVG.n(size))\" text-anchor=\"\(anchor)\" font-weight=\"\(weight)\" font-family=\"sans-serif\" fill=\"#1d2433\">\(SVG.esc(s))</text>\n"
    }

    mutating func arrow(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, color: String = "#57606a") {
        body +=
            "<line x1=\"\(SVG.n(x1))\" y1=\"\(SVG.n(y1))\" x2=\"\(SVG.n(x2))\" y2=\"\(SVG.n(y2))\" stroke=\"\(color)\" stroke-width=\"1.2\" marker-end=\"url(#arrow)\"/>\n"
    }

    func render(title: String) -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(SVG.n(width))" height="\(SVG.n(height))" viewBox="0 0 \(SVG.n(width)) \(SVG.n(height))" role="img" aria-label="\(SVG.esc(title))">
        <title>\(SVG.esc(title))</title>
        <defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#57606a"/></marker></defs>
        <rect x="0" y="0" width="\(SVG.n(width))" height="\(SVG.n(height))" fill="#ffffff"/>
        \(body)</svg>

        """
    }
}

/// Mermaid node ids: letters, digits and '_' only.
func mid(_ s: String) -> String { String(s.map { $0.isLetter || $0.isNumber ? $0 : "_" }) }

enum Diagrams {
    // MARK: topology

    static func topology(_ spec: Spec) -> (mermaid: String, svg: String) {
        var m = "flowchart TB\n"
        m += "  provider[\"\(spec.provider.name.rawValue)\"]\n"
        for r in spec.provider.regions {
            m += "  subgraph region_\(mid(r.name))[\"region \(r.name)\"]\n"
            for c in spec.clusters where c.region.value == r.name {
                m += "    subgraph cluster_\(mid(c.name))[\"cluster \(c.name) (Kubernetes \(c.kubernetes))\"]\n"
                m += "      zones_\(mid(c.name))[\"zones: \(c.zones.map(\.value).joined(separator: ", "))\"]\n"
                for p in c.nodePools {
                    m +=
                        "      pool_\(mid(c.name))_\(mid(p.name))[\"pool \(p.name): \(p.machine), \(p.min)-\(p.max) nodes\(p.spot ? ", spot" : "")\"]\n"
                }
                m += "    end\n"
            }
            m += "  end\n"
            m += "  provider --> region_\(mid(r.name))\n"
        }
        // SVG: one column per region, clusters stacked inside.
        let colW = 330.0
        let pad = 16.0
        let poolH = 22.0
        var regionHeights: [Double] = []
        for r in spec.provider.regions {
            var h = 40.0
            for c in spec.clusters where c.region.value == r.name { h += 58 + Double(c.nodePools.count) * (poolH + 4) + pad }
            regionHeights.append(max(h, 80))
        }
        var svg = SVG(width: max(400, Double(spec.provider.regions.count) * (colW + pad) + pad), height: (regionHeights.max() ?? 80) + 70)
        svg.text(pad, 24, "\(spec.platform) on \(spec.provider.name.rawValue)", size: 15, weight: "bold")
        for (i, r) in spec.provider.regions.enumerated() {
            let x = pad + Double(i) * (colW + pad)
            svg.rect(x, 40, colW, regionHeights[i], fill: "#f3f5f7")
            svg.text(x + 10, 58, "region \(r.name)", size: 13, weight: "bold")
            var y = 70.0
            for c in spec.clusters where c.region.value == r.name {
                let h = 48 + Double(c.nodePools.count) * (poolH + 4)
                svg.rect(x + 10, y, colW - 20, h, fill: "#ddf4ff", stroke: "#0969da")
                svg.text(
                    x + 20, y + 18, "cluster \(c.name) · Kubernetes \(c.kubernetes)\(c.haControlPlane ? " · HA" : "")", size: 12,
                    weight: "bold")
                svg.text(x + 20, y + 34, "zones: " + c.zones.map(\.value).joined(separator: ", "), size: 11)
                var py = y + 42
                for p in c.nodePools {
                    svg.rect(x + 20, py, colW - 40, poolH, fill: p.spot ? "#fff8c5" : "#ffffff", stroke: "#8c959f", rx: 3)
                    svg.text(
                        x + 28, py + 15, "\(p.name): \(p.machine) (\(p.cpu) CPU, \(p.memory)) × \(p.min)–\(p.max)\(p.spot ? " spot" : "")",
                        size: 11)
                    py += poolH + 4
                }
                y += h + pad
            }
        }
        return (m, svg.render(title: "Topology of \(spec.platform)"))
    }

    // MARK: traffic and policy graphs

    /// Nodes in columns (left to right) with edges between them.
    static func layered(title: String, columns: [(String, [String])], edges: [(String, String)], fills: [String: String]) -> String {
        let colW = 190.0
        let boxW = 160.0
        let boxH = 30.0
        let gap = 14.0
        let top = 56.0
        let rows = columns.map(\.1.count).max() ?? 1
        var svg = SVG(width: max(420, Double(columns.count) * colW + 20), height: top + Double(rows) * (boxH + gap) + 20)
        svg.text(10, 22, title, size: 15, weight: "bold")
        var pos: [String: (Double, Double)] = [:]
        for (ci, col) in columns.enumerated() {
            let x = 10 + Double(ci) * colW
            svg.text(x + boxW / 2, 44, col.0, size: 11, anchor: "middle", weight: "bold")
            for (ri, node) in col.1.enumerated() {
                let y = top + Double(ri) * (boxH + gap)
                pos[node] = (x, y)
            }
        }
        for (a, b) in edges {
            guard let p = pos[a], let q = pos[b] else { continue }
            if p.0 < q.0 {
                svg.arrow(p.0 + boxW, p.1 + boxH / 2, q.0, q.1 + boxH / 2)
            } else if p.0 > q.0 {
                svg.arrow(p.0, p.1 + boxH / 2, q.0 + boxW, q.1 + boxH / 2)
            } else {
                svg.arrow(p.0 + boxW * 0.75, p.1 + (q.1 > p.1 ? boxH : 0), q.0 + boxW * 0.75, q.1 + (q.1 > p.1 ? 0 : boxH))
            }
        }
        for col in columns {
            for node in col.1 {
                guard let p = pos[node] else { continue }
                let label = node.split(separator: ":", maxSplits: 1).last.map(String.init) ?? node
                svg.rect(p.0, p.1, boxW, boxH, fill: fills[node] ?? "#ffffff")
                svg.text(p.0 + boxW / 2, p.1 + 19, label, size: 12, anchor: "middle")
            }
        }
        return svg.render(title: title)
    }

    /// Internet to gateway (through the CDN only when rendered DNS routes traffic through it)
    /// to services to databases and buckets.
    static func traffic(_ spec: Spec, cdnInPath: Bool) -> (mermaid: String, svg: String) {
        let cdn = cdnInPath ? spec.network.ingress.cdn : nil
        let publicServices = spec.services.filter { $0.publicRoute != nil }.map { "svc:\($0.name)" }
        let internalServices = spec.services.filter { $0.publicRoute == nil }.map { "svc:\($0.name)" }
        var columns: [(String, [String])] = [("internet", ["edge:internet"])]
        if let cdn { columns.append(("CDN", ["edge:\(cdn.provider)"])) }
        columns.append(
            ("gateway", ["edge:\(spec.network.ingress.api == .gateway ? "Gateway" : "Ingress") (\(spec.network.ingress.className))"]))
        columns.append(("public services", publicServices))
        if !internalServices.isEmpty { columns.append(("internal services", internalServices)) }
        let data = spec.databases.map { "db:\($0.name)" } + spec.buckets.map { "bucket:\($0.name)" }
        if !data.isEmpty { columns.append(("data", data)) }
        var edges: [(String, String)] = []
        let gateway = columns.first { $0.0 == "gateway" }?.1.first ?? ""
        var previous = "edge:internet"
        if let cdn {
            edges.append((previous, "edge:\(cdn.provider)"))
            previous = "edge:\(cdn.provider)"
        }
        edges.append((previous, gateway))
        for p in publicServices { edges.append((gateway, p)) }
        for s in spec.services {
            for t in s.talksTo { edges.append(("svc:\(s.name)", "svc:\(t.value)")) }
            for u in s.uses { edges.append(("svc:\(s.name)", "\(u.kind == .database ? "db" : "bucket"):\(u.name)")) }
        }
        var fills: [String: String] = [:]
        for n in data { fills[n] = "#fff8c5" }
        for n in publicServices { fills[n] = "#ddf4ff" }
        var m = "flowchart LR\n"
        for col in columns {
            for node in col.1 {
                let label = node.split(separator: ":", maxSplits: 1).last.map(String.init) ?? node
                let shape = node.hasPrefix("db:") ? "[(\"\(label)\")]" : (node.hasPrefix("bucket:") ? "[/\"\(label)\"/]" : "[\"\(label)\"]")
                m += "  \(mid(node))\(shape)\n"
            }
        }
        for (a, b) in edges { m += "  \(mid(a)) --> \(mid(b))\n" }
        return (m, layered(title: "Traffic of \(spec.platform)", columns: columns, edges: edges, fills: fills))
    }

    /// Who may talk to whom: the edges of the plan's traffic graph between the gateway,
    /// services and databases, over every environment and cluster.
    static func policyGraph(_ plan: Plan) -> (mermaid: String, svg: String) {
        let spec = plan.spec
        let gateway = plan.usesGateway ? "gw:Gateway data plane" : "gw:\(plan.ingressNamespace)"
        var edges: [(String, String)] = []
        var seen: Set<String> = []
        var services: [String] = []
        for t in plan.targets {
            for e in plan.traffic(t) {
                let from: String? =
                    switch e.from {
                    case .service(let n): "svc:\(n)"
                    case .gateway: gateway
                    case .namespace(let n) where n == plan.ingressNamespace && e.purpose == .publicRoute: gateway
                    default: nil
                    }
                let to: String? =
                    switch (e.to, e.database) {
                    case (.service(let n), _): "svc:\(n)"
                    case (_, let d?): "db:\(d)"
                    default: nil
                    }
                guard let from, let to, seen.insert("\(from)>\(to)").inserted else { continue }
                edges.append((from, to))
                for n in [from, to] where n.hasPrefix("svc:") && !services.contains(n) { services.append(n) }
            }
        }
        // Columns by depth from the gateway: callers before callees.
        var depth: [String: Int] = [:]
        for (a, b) in edges where a == gateway { depth[b] = 0 }
        var changed = true
        var rounds = 0
        while changed && rounds < services.count + 1 {
            changed = false
            rounds += 1
            for (a, b) in edges where a.hasPrefix("svc:") && b.hasPrefix("svc:") {
                let d = depth[a] ?? 0
                if (depth[b] ?? -1) < d + 1 {
                    depth[b] = d + 1
                    changed = true
                }
            }
        }
        let ordered = spec.services.map { "svc:\($0.name)" }.filter(services.contains)
        let maxDepth = depth.values.max() ?? 0
        var columns: [(String, [String])] = [("ingress", [gateway])]
        for d in 0...maxDepth {
            let names = ordered.filter { (depth[$0] ?? 0) == d }
            if !names.isEmpty { columns.append((d == 0 ? "entry points" : "tier \(d + 1)", names)) }
        }
        let dbs = spec.databases.map { "db:\($0.name)" }.filter { db in edges.contains { $0.1 == db } }
        if !dbs.isEmpty { columns.append(("databases", dbs)) }
        var m = "flowchart LR\n"
        for col in columns { for n in col.1 { m += "  \(mid(n))[\"\(n.split(separator: ":", maxSplits: 1).last ?? "")\"]\n" } }
        for (a, b) in edges { m += "  \(mid(a)) -->|allowed| \(mid(b))\n" }
        var fills: [String: String] = [:]
        for d in dbs { fills[d] = "#fff8c5" }
        return (
            m,
            layered(title: "Network policy: allowed connections (everything else is denied)", columns: columns, edges: edges, fills: fills)
        )
    }

    // MARK: IP plan

    static let kindColors: [IPPlanEntry.Kind: String] = [
        .vpc: "#54aeff", .pods: "#4ac26b", .services: "#d4a72c", .reserved: "#ff8182",
        .publicSubnet: "#80ccff", .privateSubnet: "#0969da", .staticAddress: "#8250df",
    ]

    /// One bar per supernet; carved top-level ranges drawn at their place and to scale.
    static func ipPlan(_ plan: IPPlan) -> (mermaid: String, svg: String) {
        let supernets = plan.entries.filter { $0.kind == .supernet }
        let barW = 900.0
        let barH = 28.0
        let left = 10.0
        var m = "flowchart LR\n"
        var rowsPerBar: [[IPPlanEntry]] = []
        for s in supernets {
            let carved = plan.entries.filter { [.vpc, .pods, .services, .reserved].contains($0.kind) && s.prefix.contains($0.prefix) }
            rowsPerBar.append(carved)
        }
        let legendRows = rowsPerBar.map(\.count).reduce(0, +)
        var svg = SVG(width: barW + 2 * left, height: 40 + Double(supernets.count) * (2 * barH + 70) + Double(legendRows) * 16 + 20)
        svg.text(left, 22, "IP plan", size: 15, weight: "bold")
        var y = 36.0
        for (si, s) in supernets.enumerated() {
            svg.text(
                left, y + 12,
                "\(s.prefix) (\(s.purpose)), \(IPPlan.countText(s.free)) of \(IPPlan.countText(s.prefix.addressCount)) addresses free",
                size: 12, weight: "bold")
            y += 18
            svg.rect(left, y, barW, barH, fill: "#f6f8fa", rx: 2)
            let total = s.prefix.addressCount.doubleValue
            let start = s.prefix.first
            m += "  \(mid(s.key))[\"\(s.prefix)\"]"
            for e in rowsPerBar[si].sorted(by: { $0.prefix < $1.prefix }) {
                let offset = offsetWithin(e.prefix, from: start)
                let x = left + barW * offset / total
                let w = max(2, barW * e.prefix.addressCount.doubleValue / total)
                svg.rect(x, y, w, barH, fill: kindColors[e.kind] ?? "#8c959f", stroke: "#ffffff", rx: 0)
                m += " --> \(mid(e.key))[\"\(e.prefix) \(e.key)\"]"
            }
            m += "\n"
            y += barH + 8
            // Zoom: the smallest prefix holding every carved range, drawn to scale again.
            if let zoom = covering(rowsPerBar[si].map(\.prefix)), zoom.length > s.prefix.length {
                svg.text(left, y + 12, "zoom: \(zoom)", size: 11)
                y += 16
                svg.rect(left, y, barW, barH, fill: "#f6f8fa", rx: 2)
                let ztotal = zoom.addressCount.doubleValue
                for e in rowsPerBar[si] where zoom.contains(e.prefix) {
                    let x = left + barW * offsetWithin(e.prefix, from: zoom.first) / ztotal
                    let w = max(2, barW * e.prefix.addressCount.doubleValue / ztotal)
                    svg.rect(x, y, w, barH, fill: kindColors[e.kind] ?? "#8c959f", stroke: "#ffffff", rx: 0)
                    if w > 90 { svg.text(x + 4, y + 18, e.key, size: 10) }
                }
                y += barH + 16
            } else {
                y += 8
            }
            for e in rowsPerBar[si].sorted(by: { $0.prefix < $1.prefix }) {
                svg.rect(left, y - 9, 10, 10, fill: kindColors[e.kind] ?? "#8c959f", rx: 0)
                svg.text(left + 16, y, "\(e.prefix)  \(e.key)  (\(e.purpose))", size: 11)
                y += 16
            }
            y += 12
        }
        return (m, svg.render(title: "IP plan"))
    }

    /// The smallest prefix that contains every one of `prefixes` (same family), if any.
    static func covering(_ prefixes: [IPPrefix]) -> IPPrefix? {
        guard let first = prefixes.min(), let last = prefixes.max() else { return nil }
        var length = first.length
        while length > 0 {
            if let p = try? first.supernet(newLength: length), p.contains(last), prefixes.allSatisfy({ p.contains($0) }) { return p }
            length -= 1
        }
        return try? first.supernet(newLength: 0)
    }

    /// How far `p` starts past `start`, in addresses (as a Double; exact enough for drawing).
    static func offsetWithin(_ p: IPPrefix, from start: IPAddress) -> Double {
        switch (p.first, start) {
        case (.v4(let a), .v4(let b)): return Double(a.value &- b.value)
        case (.v6(let a), .v6(let b)):
            // Subtract in integers first: the halves are too large for a Double to tell apart.
            let borrow: UInt64 = a.low < b.low ? 1 : 0
            let hi = Double(a.high &- b.high &- borrow)
            let lo = Double(a.low &- b.low)
            return hi * 18_446_744_073_709_551_616.0 + lo
        default: return 0
        }
    }
}
