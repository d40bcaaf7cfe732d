public import BerthNet
import Foundation

/// One planned range, named by a stable key such as `prod-eu/vpc` or `prod-eu/eu-west-1a/public`.
public struct IPPlanEntry: Sendable, Hashable {
    /// The stable key, e.g. `prod-eu/vpc` or `prod-eu/eu-west-1a/public`.
    public var key: String
    /// The range.
    public var prefix: IPPrefix
    /// What the range is for.
    public var kind: Kind
    /// A line about the range, for the output.
    public var purpose: String
    /// The cluster the range belongs to, if any.
    public var cluster: String?
    /// The zone the range belongs to, if any.
    public var zone: String?
    /// Addresses inside this range not handed out to a smaller planned range.
    public var free: AddressCount
    /// True when the range came from the lock file rather than from this planning run.
    public var pinned: Bool
}

extension IPPlanEntry {
    /// What a planned range is for.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The supernet, a reserved range, a cluster's VPC, pod CIDR or service CIDR.
        case supernet, reserved, vpc, pods, services
        /// A zone's public (load balancer) subnet.
        case publicSubnet = "public-subnet"
        /// A zone's private (node) subnet.
        case privateSubnet = "private-subnet"
        /// A named static address of `network.static`.
        case staticAddress = "static"
    }
}

/// A change between the lock file and a new plan.
public struct IPPlanChange: Sendable, Hashable {
    /// Whether a key appears only in the new plan or only in the lock file.
    public enum Kind: String, Sendable { case added, removed }
    /// Added or removed.
    public var kind: Kind
    /// The plan key.
    public var key: String
    /// The range, as text.
    public var prefix: String
}

/// The address plan of a platform: every range, deterministic for a spec and a lock file.
public struct IPPlan: Sendable {
    /// Every planned range.
    public var entries: [IPPlanEntry]
    /// Keys that differ between the lock file and this plan.
    public var changes: [IPPlanChange]

    /// The range planned under `key`, if any.
    public func entry(_ key: String) -> IPPlanEntry? { entries.first { $0.key == key } }

    /// The lock file text that pins every planned range (keys sorted; JSON).
    public var lockText: String {
        let ranges = entries.filter { $0.kind != .supernet && $0.kind != .reserved }
            .sorted { $0.key < $1.key }
            .map { ($0.key, JSONValue.string($0.prefix.description)) }
        let root: JSONValue = ["berthIPLock": 1, "ranges": .object(ranges)]
        return root.serialized(pretty: true) + "\n"
    }

}

/// The lock file: plan keys pinned to the ranges they were given.
public struct IPLock: Sendable {
    /// Plan key -> the range it is pinned to.
    public var pins: [String: IPPrefix]

    /// A lock with the given pins (none by default).
    public init(pins: [String: IPPrefix] = [:]) { self.pins = pins }

    /// `ip-plan.lock` beside the spec.
    public static func defaultPath(specPath: String) -> String {
        let dir = (specPath as NSString).deletingLastPathComponent
        return dir.isEmpty ? "ip-plan.lock" : dir + "/ip-plan.lock"
    }

    /// Reads a lock file; a missing file is an empty lock unless `required`.
    public static func read(at path: String, required: Bool) throws -> IPLock {
        guard FileManager.default.fileExists(atPath: path) else {
            if required { throw BerthError(.io, "\(path): no such lock file") }
            return IPLock()
        }
        let data = try InputFile.read(path, display: path, limit: SpecLoader.maxBytes, expected: "an IP lock file")
        guard let text = String(data: data, encoding: .utf8) else {
            throw BerthError(.io, "\(path): cannot be read as UTF-8 text")
        }
        return IPLock(pins: try parse(text, file: path))
    }

    /// Keys of a lock file: `ranges` maps a plan key to the CIDR it is pinned to.
    public static func parse(_ text: String, file: String) throws -> [String: IPPrefix] {
        guard let data = text.data(using: .utf8),
            let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            obj["berthIPLock"] as? Int == 1, let ranges = obj["ranges"] as? [String: Any]
        else {
            throw BerthError(.io, "\(file): not a berth IP lock file (expected {\"berthIPLock\": 1, \"ranges\": {...}})")
        }
        var out: [String: IPPrefix] = [:]
        for (k, v) in ranges {
            guard let s = v as? String else { throw BerthError(.io, "\(file): range '\(k)' must be a CIDR string") }
            do {
                out[k] = try IPPrefix(s)
            } catch {
                throw BerthError(.io, "\(file): range '\(k)': \(error)")
            }
        }
        return out
    }
}

/// Plans every range of `network` for the spec's clusters: best-fit, largest first, inside
/// the supernet, around reserved ranges and around ranges pinned by the lock file, so that
/// adding a cluster, a zone or a static address never moves what exists.
public enum IPPlanner {
    /// Per-node pod range length for `podsPerNode` (kube-controller-manager's node CIDR mask):
    /// the smallest block holding twice the pods, /24 for the default 110.
    public static func nodeMaskLength(podsPerNode: Int, family: IPFamily = .v4) -> Int {
        var len = family.bitWidth
        while len > 0, (1 << min(62, family.bitWidth - len)) < 2 * podsPerNode { len -= 1 }
        return len
    }

    /// Addresses cloud providers keep at the start of every subnet (network, router, DNS, future).
    static let reservedAtStart = 4

    struct Request {
        var key: String
        var length: Int
        var kind: IPPlanEntry.Kind
        var purpose: String
        var cluster: String?
        var zone: String?
        var parent: String?  // key of the containing range; nil = supernet
        var location: SourceLocation
    }

    /// `plan`: the spec's resolved plan when the caller has it (its cross-cluster database
    /// endpoints get static addresses).
    public static func plan(_ spec: Spec, lock: IPLock = IPLock(), plan given: Plan? = nil) -> (IPPlan?, [Diagnostic]) {
        let pins = lock.pins
        let net = spec.network
        guard let superPrefix = try? IPPrefix(net.supernet.value), superPrefix.family == .v4 else {
            return (nil, [.error(.ipPlan, "network.supernet '\(net.supernet.value)' is not an IPv4 prefix", at: net.supernet.location)])
        }
        var v6Super: IPPrefix?
        if let v6 = net.ipv6 {
            guard let p = try? IPPrefix(v6.value), p.family == .v6 else {
                return (nil, [.error(.ipPlan, "network.ipv6 '\(v6.value)' is not an IPv6 prefix", at: v6.location)])
            }
            v6Super = p
        }
        var state = Allocation(sets: ["": PrefixSet(pool: superPrefix)])

        // Reserved ranges first: the planner never hands them out.
        reserve(net.reserved, superPrefix: superPrefix, v6Super: v6Super, into: &state)

        // What each cluster needs.
        guard let requests = clusterRequests(spec, ipv6: v6Super != nil, diags: &state.diags), !state.diags.hasErrors else {
            return (nil, state.diags)
        }

        // Enough space at all? Sum what the supernet must hold, less what is reserved.
        if let short = supernetShortfall(spec, requests: requests, superPrefix: superPrefix, sets: state.sets) {
            state.diags.append(short)
            return (nil, state.diags)
        }

        // Pinned ranges first, exactly where the lock file says; then the rest.
        allocateRanges(requests, pins: pins, reserved: net.reserved, superPrefix: superPrefix, into: &state)
        guard !state.diags.hasErrors else { return (nil, state.diags) }

        // Static addresses: the first free address of their subnet after the provider's reserved
        // ones. The spec's own, then the internal load balancers of cross-cluster database paths.
        allocateStatics(staticRequests(spec, plan: given), pins: pins, into: &state)
        guard !state.diags.hasErrors else { return (nil, state.diags) }

        return (finished(state, superPrefix: superPrefix, v6Super: v6Super, pins: pins), state.diags)
    }

    /// What one planning run has handed out so far: entries, the free-space set of every pool
    /// (the supernets under "" and "v6", each VPC and subnet under its key), and the problems.
    private struct Allocation {
        var entries: [IPPlanEntry] = []
        var sets: [String: PrefixSet]
        var prefixes: [String: IPPrefix] = [:]
        var diags: [Diagnostic] = []
    }

    /// A static address to place: in `subnet` ("public" / "private") of `zone` of `cluster`.
    private struct StaticRequest {
        var key: String
        var cluster: Cluster
        var zone: String
        var subnet: String
        var name: String
        var purpose: String
        var location: SourceLocation
    }

    private static func reserve(_ reserved: [Network.Reserved], superPrefix: IPPrefix, v6Super: IPPrefix?, into state: inout Allocation) {
        for (i, r) in reserved.enumerated() {
            guard let p = try? IPPrefix(r.cidr.value) else { continue }
            state.entries.append(
                IPPlanEntry(key: "reserved/\(i + 1)", prefix: p, kind: .reserved, purpose: r.purpose, free: .init(0), pinned: false))
            for (setKey, pool) in [("", superPrefix)] + (v6Super.map { [("v6", $0)] } ?? []) where pool.family == p.family {
                if pool.overlaps(p) {
                    let clipped = pool.contains(p) ? [p] : (p.contains(pool) ? [pool] : [])
                    for c in clipped { _ = try? state.sets[setKey, default: PrefixSet(pool: pool)].reserve(c) }
                }
            }
        }
        if let v6Super { state.sets["v6"] = state.sets["v6"] ?? PrefixSet(pool: v6Super) }
    }

    /// The ranges every cluster needs, in spec order; nil when the carve sizes cannot nest
    /// (planning stops there, with the error in `diags`).
    private static func clusterRequests(_ spec: Spec, ipv6: Bool, diags: inout [Diagnostic]) -> [Request]? {
        let net = spec.network
        var requests: [Request] = []
        for c in spec.clusters {
            requests += v4Requests(c, carve: net.carve, network: spec.provider.name.networkNoun)
            if ipv6 { requests += v6Requests(c, network: spec.provider.name.networkNoun) }
            if net.carve.vpc > net.carve.privateSubnet || net.carve.vpc > net.carve.publicSubnet {
                diags.append(
                    .error(
                        .ipPlan,
                        "carve.vpc /\(net.carve.vpc) cannot hold subnets of /\(net.carve.publicSubnet) and /\(net.carve.privateSubnet); a VPC must be larger than its subnets",
                        at: net.carve.location))
                return nil
            }
            if let d = podCIDRShortfall(c, net: net) { diags.append(d) }
        }
        return requests
    }

    private static func v4Requests(_ c: Cluster, carve: Network.Carve, network: String) -> [Request] {
        var requests = [
            Request(
                key: "\(c.name)/vpc", length: carve.vpc, kind: .vpc, purpose: "\(network) of cluster \(c.name)", cluster: c.name,
                location: c.location),
            Request(
                key: "\(c.name)/pods", length: carve.pods, kind: .pods, purpose: "pod CIDR of cluster \(c.name)", cluster: c.name,
                location: c.location),
            Request(
                key: "\(c.name)/services", length: carve.services, kind: .services, purpose: "service CIDR of cluster \(c.name)",
                cluster: c.name, location: c.location),
        ]
        for z in c.zones {
            requests.append(
                Request(
                    key: "\(c.name)/\(z.value)/public", length: carve.publicSubnet, kind: .publicSubnet,
                    purpose: "public subnet (load balancers) in \(z.value)", cluster: c.name, zone: z.value, parent: "\(c.name)/vpc",
                    location: z.location))
            requests.append(
                Request(
                    key: "\(c.name)/\(z.value)/private", length: carve.privateSubnet, kind: .privateSubnet,
                    purpose: "private subnet (nodes) in \(z.value)", cluster: c.name, zone: z.value, parent: "\(c.name)/vpc",
                    location: z.location))
        }
        return requests
    }

    private static func v6Requests(_ c: Cluster, network: String) -> [Request] {
        var requests = [
            Request(
                key: "\(c.name)/vpc6", length: 56, kind: .vpc, purpose: "IPv6 \(network) of cluster \(c.name)", cluster: c.name,
                parent: "v6", location: c.location),
            Request(
                key: "\(c.name)/pods6", length: 56, kind: .pods, purpose: "IPv6 pod CIDR of cluster \(c.name)", cluster: c.name,
                parent: "v6", location: c.location),
            Request(
                key: "\(c.name)/services6", length: 108, kind: .services, purpose: "IPv6 service CIDR of cluster \(c.name)",
                cluster: c.name, parent: "v6", location: c.location),
        ]
        for z in c.zones {
            requests.append(
                Request(
                    key: "\(c.name)/\(z.value)/public6", length: 64, kind: .publicSubnet,
                    purpose: "IPv6 public subnet in \(z.value)", cluster: c.name, zone: z.value, parent: "\(c.name)/vpc6",
                    location: z.location))
            requests.append(
                Request(
                    key: "\(c.name)/\(z.value)/private6", length: 64, kind: .privateSubnet,
                    purpose: "IPv6 private subnet in \(z.value)", cluster: c.name, zone: z.value, parent: "\(c.name)/vpc6",
                    location: z.location))
        }
        return requests
    }

    /// Pod CIDR capacity: one node range per node.
    private static func podCIDRShortfall(_ c: Cluster, net: Network) -> Diagnostic? {
        let nodeMask = nodeMaskLength(podsPerNode: net.podsPerNode)
        let maxNodes = c.nodePools.reduce(0) { $0 + $1.max }
        let ranges = net.carve.pods <= nodeMask ? 1 << (nodeMask - net.carve.pods) : 0
        guard maxNodes > ranges else { return nil }
        var need = nodeMask
        while need > 0, (1 << (nodeMask - need)) < maxNodes { need -= 1 }
        return .error(
            .podCidr,
            "pod CIDR /\(net.carve.pods) of cluster '\(c.name)' has room for \(ranges) node ranges of /\(nodeMask) (\(net.podsPerNode) pods per node), but its node pools grow to \(maxNodes) nodes; use carve.pods /\(need) or shorter",
            at: net.carve.location)
    }

    private static func supernetShortfall(_ spec: Spec, requests: [Request], superPrefix: IPPrefix, sets: [String: PrefixSet])
        -> Diagnostic?
    {
        let net = spec.network
        let top = requests.filter { $0.parent == nil }
        let need = top.reduce(0.0) { $0 + pow(2, Double(32 - $1.length)) }
        let freeTop = (try? sets[""]?.freeAddressCount().doubleValue) ?? 0
        guard need > freeTop else { return nil }
        var len = superPrefix.length
        while len > 0, pow(2, Double(32 - len)) - (pow(2, Double(32 - superPrefix.length)) - freeTop) < need { len -= 1 }
        return .error(
            .supernetTooSmall,
            "supernet \(superPrefix) is too small: \(spec.clusters.count) cluster(s) need \(format(need)) addresses (VPC /\(net.carve.vpc), pods /\(net.carve.pods), services /\(net.carve.services) each) but \(format(freeTop)) are free, \(format(need - freeTop)) short; a /\(len) supernet would hold them",
            at: net.supernet.location)
    }

    /// VPCs, pod and service CIDRs (level 0), then subnets inside their VPC (level 1); at each
    /// level the pinned ranges first, then the rest largest first, best fit.
    private static func allocateRanges(
        _ requests: [Request], pins: [String: IPPrefix], reserved: [Network.Reserved], superPrefix: IPPrefix, into state: inout Allocation
    ) {
        let ordered = requests.sorted { a, b in
            let da = depth(a)
            let db = depth(b)
            return da != db ? da < db : false
        }
        for level in 0...1 {
            var unpinned: [Request] = []
            for r in ordered where depth(r) == level {
                guard let pin = pins[r.key] else {
                    unpinned.append(r)
                    continue
                }
                allocatePinned(r, pin: pin, reserved: reserved, into: &state)
            }
            // Largest first, then best fit; ties in spec order.
            let sorted = unpinned.enumerated().sorted { a, b in
                a.element.length != b.element.length ? a.element.length < b.element.length : a.offset < b.offset
            }.map(\.element)
            for r in sorted {
                let sk = setKey(for: r)
                guard var set = state.sets[sk] else { continue }
                do {
                    let p = try set.allocate(length: r.length)
                    state.sets[sk] = set
                    state.prefixes[r.key] = p
                    state.entries.append(entry(r, p, pinned: false))
                    if r.kind == .vpc { state.sets[r.key] = PrefixSet(pool: p) }
                } catch {
                    let within = r.parent.flatMap { state.prefixes[$0] }.map { "VPC \($0)" } ?? "supernet \(superPrefix)"
                    state.diags.append(.error(.ipPlan, "no room for \(r.key) (/\(r.length)) in \(within): \(error)", at: r.location))
                }
            }
        }
    }

    private static func setKey(for r: Request) -> String { r.parent ?? "" }

    private static func depth(_ r: Request) -> Int { r.parent == nil || r.parent == "v6" ? 0 : 1 }

    private static func allocatePinned(_ r: Request, pin: IPPrefix, reserved: [Network.Reserved], into state: inout Allocation) {
        let sk = setKey(for: r)
        guard var set = state.sets[sk] else { return }
        if pin.length != r.length {
            state.diags.append(
                .error(
                    .ipPin,
                    "\(r.key) is pinned to \(pin) in the lock file, but the spec now asks for a /\(r.length); remove the line from the lock file to re-plan it (the range will move)",
                    at: r.location))
            return
        }
        for rr in reserved {
            if let rp = try? IPPrefix(rr.cidr.value), rp.overlaps(pin) {
                state.diags.append(
                    .error(
                        .ipReservedOverlap,
                        "\(r.key) is pinned to \(pin), which overlaps reserved range \(rp) (\(rr.purpose)); move the reservation or remove the pin",
                        at: rr.cidr.location))
            }
        }
        do {
            try set.allocate(exact: pin)
            state.sets[sk] = set
            state.prefixes[r.key] = pin
            state.entries.append(entry(r, pin, pinned: true))
            if r.kind == .vpc { state.sets[r.key] = PrefixSet(pool: pin) }
        } catch {
            state.diags.append(
                .error(.ipPin, "\(r.key) is pinned to \(pin) in the lock file, which no longer fits: \(error)", at: r.location))
        }
    }

    /// The spec's static addresses, then the internal load balancers of cross-cluster database paths.
    private static func staticRequests(_ spec: Spec, plan given: Plan?) -> [StaticRequest] {
        var statics: [StaticRequest] = []
        for st in spec.network.statics {
            guard let c = spec.cluster(st.cluster.value) else { continue }
            statics.append(
                StaticRequest(
                    key: "static/\(st.name)", cluster: c, zone: st.zone?.value ?? c.zones.first?.value ?? "",
                    subnet: st.subnet, name: "static '\(st.name)'", purpose: st.purpose.isEmpty ? "static address" : st.purpose,
                    location: st.location))
        }
        for r in given?.remoteEndpoints ?? Plan.remoteEndpoints(spec: spec) {
            guard let c = spec.cluster(r.cluster), let d = spec.database(r.database) else { continue }
            for a in r.addresses {
                statics.append(
                    StaticRequest(
                        key: a.key, cluster: c, zone: a.zone, subnet: "private", name: "database '\(r.database)'",
                        purpose:
                            "internal load balancer of database \(r.database) (\(r.environment)) for clusters \(r.clientClusters.joined(separator: ", "))",
                        location: d.topology.location))
            }
        }
        return statics
    }

    private static func allocateStatics(_ statics: [StaticRequest], pins: [String: IPPrefix], into state: inout Allocation) {
        for st in statics {
            let c = st.cluster
            let zone = st.zone
            let subnetKey = "\(c.name)/\(zone)/\(st.subnet)"
            let key = st.key
            guard let subnet = state.prefixes[subnetKey], case .v4(let sub4) = subnet else {
                state.diags.append(.error(.ipPlan, "\(st.name) names subnet \(subnetKey), which is not planned", at: st.location))
                continue
            }
            var set = state.sets[subnetKey] ?? PrefixSet(pool: subnet)
            var chosen: IPPrefix?
            if let pin = pins[key] {
                if (try? set.allocate(exact: pin)) != nil, subnet.contains(pin) {
                    chosen = pin
                } else {
                    state.diags.append(
                        .error(
                            .ipPin,
                            "\(key) is pinned to \(pin), which is not free inside \(subnetKey) \(subnet); remove the pin to re-plan it",
                            at: st.location))
                    continue
                }
            } else {
                chosen = firstFreeAddress(in: sub4, set: &set)
            }
            guard let p = chosen else {
                state.diags.append(.error(.ipPlan, "subnet \(subnetKey) \(subnet) has no free address for \(st.name)", at: st.location))
                continue
            }
            state.sets[subnetKey] = set
            state.entries.append(
                IPPlanEntry(
                    key: key, prefix: p, kind: .staticAddress, purpose: st.purpose,
                    cluster: c.name, zone: zone, free: .init(0), pinned: pins[key] != nil))
        }
    }

    /// The first address of `subnet` after the provider's reserved ones that `set` still has, taken from it.
    private static func firstFreeAddress(in sub4: IPv4Prefix, set: inout PrefixSet) -> IPPrefix? {
        let base = sub4.address.value
        let count = Int(sub4.addressCount.uint64Value ?? 0)
        for offset in reservedAtStart..<max(reservedAtStart, count - 1) {
            guard let p = try? IPPrefix(address: .v4(IPv4Address(base &+ UInt32(offset))), length: 32) else { continue }
            if (try? set.allocate(exact: p)) != nil { return p }
        }
        return nil
    }

    /// The plan: free space per range (what its own set has not handed out), the supernets,
    /// every range in address order, and the changes against the lock file.
    private static func finished(_ state: Allocation, superPrefix: IPPrefix, v6Super: IPPrefix?, pins: [String: IPPrefix]) -> IPPlan {
        let sets = state.sets
        let entries = state.entries.map { e in
            var e = e
            if let s = sets[e.key] { e.free = (try? s.freeAddressCount()) ?? e.free }
            return e
        }
        var all = [
            IPPlanEntry(
                key: "supernet", prefix: superPrefix, kind: .supernet, purpose: "IPv4 supernet",
                free: (try? sets[""]?.freeAddressCount()) ?? .init(0), pinned: false)
        ]
        if let v6Super, let s6 = sets["v6"] {
            all.append(
                IPPlanEntry(
                    key: "supernet6", prefix: v6Super, kind: .supernet, purpose: "IPv6 supernet",
                    free: (try? s6.freeAddressCount()) ?? .init(0), pinned: false))
        }
        all += entries.sorted { a, b in a.prefix < b.prefix }
        var changes: [IPPlanChange] = []
        let planned = Set(all.filter { $0.kind != .supernet && $0.kind != .reserved }.map(\.key))
        for e in all where e.kind != .supernet && e.kind != .reserved && pins[e.key] == nil {
            changes.append(IPPlanChange(kind: .added, key: e.key, prefix: e.prefix.description))
        }
        for (k, p) in pins.sorted(by: { $0.key < $1.key }) where !planned.contains(k) {
            changes.append(IPPlanChange(kind: .removed, key: k, prefix: p.description))
        }
        return IPPlan(entries: all, changes: changes.sorted { $0.key < $1.key })
    }

    static func entry(_ r: Request, _ p: IPPrefix, pinned: Bool) -> IPPlanEntry {
        IPPlanEntry(
            key: r.key, prefix: p, kind: r.kind, purpose: r.purpose, cluster: r.cluster, zone: r.zone, free: p.addressCount, pinned: pinned)
    }

    static func format(_ d: Double) -> String {
        let n = Int(d)
        var s = String(n)
        var i = s.count - 3
        while i > 0 {
            s.insert(",", at: s.index(s.startIndex, offsetBy: i))
            i -= 3
        }
        return s
    }
}
