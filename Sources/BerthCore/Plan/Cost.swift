import Foundation

/// The price file `berth cost --prices FILE` reads, as one table in the style of
/// `SpecSchema`: the loader checks it and reports problems as `file:line:col`.
/// Prices are decimal numbers (written plain, e.g. `0.192`), in the file's currency.
public enum PriceSchema {
    /// An entry of `machines`: the on-demand and spot price per hour of one machine type.
    public static let machine = ObjectSchema(
        "machine price", "Hourly prices of one machine type.",
        [
            Field("onDemand", .string, "Price per hour on demand.", required: true),
            Field("spot", .string, "Typical price per hour as spot / preemptible capacity.", default: .string("")),
        ])

    /// `storage`: the price per GiB-month of SSD and HDD block storage.
    public static let storage = ObjectSchema(
        "storage prices", "Price per GiB-month of block storage, by storage class kind.",
        [
            Field("ssd", .string, "SSD volumes (e.g. gp3).", default: .string("0")),
            Field("hdd", .string, "HDD volumes (e.g. st1).", default: .string("0")),
            Field("balanced", .string, "Balanced SSD volumes (e.g. pd-balanced); absent: the ssd price.", default: .string("")),
        ])

    /// `buckets`: the price per GiB-month of object storage in each tier.
    public static let buckets = ObjectSchema(
        "bucket prices", "Price per GiB-month of object storage, by tier.",
        [
            Field("standard", .string, "Standard tier.", default: .string("0")),
            Field("infrequent-access", .string, "Infrequent-access tier.", default: .string("0")),
            Field("archive", .string, "Archive tier.", default: .string("0")),
            Field("deep-archive", .string, "Deep-archive tier.", default: .string("0")),
        ])

    /// The whole price file: version, provider, currency, source, date, machines, storage, buckets and bucket sizes.
    public static let root = ObjectSchema(
        "prices", "A price table for `berth cost`.",
        [
            Field("berthPrices", .int(min: 1, max: 1), "Price file format version; must be 1.", required: true),
            Field(
                "provider", .oneOf(Provider.Name.allCases.map(\.rawValue)),
                "Provider the prices are for; `berth cost` refuses a spec whose `provider.name` differs.", required: true),
            Field("currency", .string, "Currency of every price.", default: .string("USD")),
            Field("region", .string, "Region the prices are for.", default: .string("")),
            Field("source", .string, "Where the numbers come from.", required: true),
            Field("date", .string, "When they were read.", required: true),
            Field("hoursPerMonth", .int(min: 672, max: 744), "Hours in a billing month.", default: .int(730)),
            Field("machines", .freeMap(key: .labelKey, value: .object(machine)), "Machine type -> hourly prices.", required: true),
            Field("storage", .object(storage), "Block storage prices."),
            Field("buckets", .object(buckets), "Object storage prices."),
            Field(
                "bucketSizes", .freeMap(key: .labelKey, value: .quantity),
                "Expected size of each bucket (the spec has none), e.g. `uploads: 500Gi`; buckets not listed are not priced.",
                default: .map([])),
        ])
}

/// A checked price table.
public struct PriceTable: Sendable {
    /// Path of the price file.
    public var file: String
    /// `provider`: the provider the prices are for; a spec of another provider is refused.
    public var provider: Provider.Name
    /// Where the file names its provider, for the mismatch error.
    public var providerLocation: SourceLocation?
    /// `currency`: the currency of every price (default `USD`).
    public var currency: String
    /// `source`: where the numbers come from.
    public var source: String
    /// `date`: when they were read.
    public var date: String
    /// `hoursPerMonth`: hours in a billing month (default 730).
    public var hoursPerMonth: Int
    /// `machines`: machine type -> price per hour on demand and, when given, as spot capacity.
    public var machines: [String: (onDemand: Double, spot: Double?)]
    /// `storage`: storage class kind (`ssd`, `hdd`) -> price per GiB-month.
    public var storage: [String: Double]
    /// `buckets`: object storage tier -> price per GiB-month.
    public var buckets: [String: Double]
    /// `bucketSizes`: bucket name -> expected size in bytes; buckets not listed are not priced.
    public var bucketSizes: [String: Int64]

    /// Loads and checks a price file; diagnostics carry `file:line:col`.
    public static func load(path: String) throws -> (PriceTable?, [Diagnostic], [String: String]) {
        var diags: [Diagnostic] = []
        guard let text = try SpecLoader.readText(path: path, displayName: path, diags: &diags) else { return (nil, diags, [:]) }
        let (table, d) = load(text: text, file: path)
        return (table, diags + d, [path: text])
    }

    /// Checks the price file text `text` (named `file` in diagnostics): the table, or nil with the errors.
    public static func load(text: String, file: String) -> (PriceTable?, [Diagnostic]) {
        var diags: [Diagnostic] = []
        guard let root = SpecLoader.load(text: text, file: file, schema: .object(PriceSchema.root), into: &diags) else {
            return (nil, diags)
        }
        func price(_ n: SpecNode?, _ path: String, optional: Bool = false) -> Double? {
            guard let n, let s = n.string else { return nil }
            if optional, s.isEmpty { return nil }
            guard let v = Double(s), v >= 0, v.isFinite, s.allSatisfy({ $0.isASCIIDigit || $0 == "." }) else {
                diags.append(
                    .error(
                        .invalidValue, "'\(path)' must be a price such as 0.192 (a non-negative decimal number), found '\(s)'",
                        at: n.location))
                return nil
            }
            return v
        }
        var machines: [String: (Double, Double?)] = [:]
        for e in root["machines"]?.entries ?? [] {
            let od = price(e.node["onDemand"], "machines.\(e.key).onDemand") ?? 0
            machines[e.key] = (od, price(e.node["spot"], "machines.\(e.key).spot", optional: true))
        }
        var storage: [String: Double] = [:]
        for k in ["ssd", "hdd"] { storage[k] = price(root["storage"]?[k], "storage.\(k)") ?? 0 }
        storage["balanced"] = price(root["storage"]?["balanced"], "storage.balanced", optional: true) ?? storage["ssd"]
        var buckets: [String: Double] = [:]
        for k in ["standard", "infrequent-access", "archive", "deep-archive"] {
            buckets[k] = price(root["buckets"]?[k], "buckets.\(k)") ?? 0
        }
        var sizes: [String: Int64] = [:]
        for e in root["bucketSizes"]?.entries ?? [] { sizes[e.key] = e.node.string.flatMap(Quantity.parse)?.units ?? 0 }
        guard !diags.hasErrors else { return (nil, diags) }
        guard let provider = root["provider"]?.string.flatMap(Provider.Name.init(rawValue:)) else { return (nil, diags) }
        return (
            PriceTable(
                file: file, provider: provider, providerLocation: root["provider"]?.location, currency: root["currency"]?.string ?? "USD",
                source: root["source"]?.string ?? "",
                date: root["date"]?.string ?? "", hoursPerMonth: root["hoursPerMonth"]?.int ?? 730,
                machines: machines, storage: storage, buckets: buckets, bucketSizes: sizes), diags
        )
    }
}

/// Monthly cost of one environment at minimum and maximum scale.
public struct EnvironmentCost: Sendable {
    /// The environment's name.
    public var environment: String
    /// Monthly node cost at minimum and maximum scale.
    public var nodesMin: Double, nodesMax: Double
    /// Monthly block storage cost (database and service volumes).
    public var storage: Double
    /// Monthly object storage cost of the environment's buckets.
    public var buckets: Double
    /// What spot capacity saves against on-demand prices for the same nodes.
    public var spotSavingMin: Double, spotSavingMax: Double
    /// One line per priced item (node pool, volume, bucket), for the text output.
    public var lines: [String]
    /// Monthly total at minimum scale.
    public var totalMin: Double { nodesMin + storage + buckets }
    /// Monthly total at maximum scale.
    public var totalMax: Double { nodesMax + storage + buckets }
}

/// `berth cost`: node pools are priced per node-hour and shared by the environments on a
/// cluster in proportion to the CPU they request (a pool nobody requests from is split
/// evenly). Nodes at minimum scale: what bin packing needs for minimum replicas, at least the
/// pool's `min`; at maximum scale: what maximum replicas need, at most the pool's `max`
/// (see `berth capacity`, which includes the database instance and PgBouncer pods). Storage:
/// database data and WAL volumes per rendered instance in every cluster that runs one (the
/// primary and the replica clusters, `Plan.databaseFootprint`) and service volumes per
/// maximum replica, at their class's kind price; shared databases count once, under the
/// environment holding them. Buckets: the price file's `bucketSizes` at
/// the standard tier, per environment unless shared.
public enum Cost {
    /// Monthly cost of each environment of `spec` at `prices`, and errors for machines or classes the table does not price.
    public static func estimate(_ spec: Spec, prices: PriceTable, plan given: Plan? = nil) -> (
        costs: [EnvironmentCost], errors: [Diagnostic]
    ) {
        let plan = given ?? Plan(spec: spec)
        let report = Capacity.report(spec, plan: plan)
        var errors: [Diagnostic] = []
        var costs: [String: EnvironmentCost] = [:]
        for e in spec.environments {
            costs[e.name] = EnvironmentCost(
                environment: e.name, nodesMin: 0, nodesMax: 0, storage: 0, buckets: 0, spotSavingMin: 0, spotSavingMax: 0, lines: [])
        }
        // Prices of another provider's machine types would be silently wrong (or missing).
        guard prices.provider == spec.provider.name else {
            let at = spec.root["provider"]?["name"]?.location ?? spec.provider.location
            let fileAt = prices.providerLocation.map { "\($0)" } ?? prices.file
            return (
                [],
                [
                    .error(
                        .priceProvider,
                        "the spec runs on \(spec.provider.name.rawValue) (provider.name), but \(prices.file) has prices for \(prices.provider.rawValue) (\(fileAt)); use a price file for \(spec.provider.name.rawValue)",
                        at: at)
                ]
            )
        }
        errors += nodeCosts(spec, prices: prices, plan: plan, report: report, into: &costs)
        storageCosts(spec, prices: prices, plan: plan, into: &costs)
        bucketCosts(spec, prices: prices, plan: plan, into: &costs)
        return (spec.environments.compactMap { costs[$0.name] }, errors)
    }

    /// Each node pool's price at minimum and maximum scale, shared by the environments on its
    /// cluster by requested CPU; errors for machine types without a price.
    private static func nodeCosts(
        _ spec: Spec, prices: PriceTable, plan: Plan, report: CapacityReport, into costs: inout [String: EnvironmentCost]
    ) -> [Diagnostic] {
        var errors: [Diagnostic] = []
        let hours = Double(prices.hoursPerMonth)
        for c in spec.clusters {
            let envs = plan.targets.filter { $0.cluster.name == c.name }.map(\.environment.name)
            for pool in c.nodePools {
                guard let price = prices.machines[pool.machine] else {
                    errors.append(
                        .error(
                            .unknownMachine,
                            "machine type '\(pool.machine)' of node pool '\(pool.name)' (cluster '\(c.name)') has no price in \(prices.file)",
                            at: pool.location))
                    continue
                }
                guard let cap = report.pools.first(where: { $0.cluster == c.name && $0.pool == pool.name }), !envs.isEmpty else { continue }
                let nMin = Double(min(pool.max, max(pool.min, cap.nodesAtMin)))
                let nMax = Double(min(pool.max, max(pool.min, cap.nodesAtMax)))
                let hourly = pool.spot ? (price.spot ?? price.onDemand) : price.onDemand
                for env in envs {
                    let d = cap.demand.first { $0.environment == env }
                    let shareMin = cap.cpuMin > 0 ? Double(d?.cpuMin ?? 0) / Double(cap.cpuMin) : 1 / Double(envs.count)
                    let shareMax = cap.cpuMax > 0 ? Double(d?.cpuMax ?? 0) / Double(cap.cpuMax) : 1 / Double(envs.count)
                    guard var ec = costs[env] else { continue }
                    ec.nodesMin += nMin * hourly * hours * shareMin
                    ec.nodesMax += nMax * hourly * hours * shareMax
                    if pool.spot, price.spot != nil {
                        ec.spotSavingMin += nMin * (price.onDemand - hourly) * hours * shareMin
                        ec.spotSavingMax += nMax * (price.onDemand - hourly) * hours * shareMax
                    }
                    ec.lines.append(
                        "cluster \(c.name) pool \(pool.name) (\(pool.machine)\(pool.spot ? ", spot" : "")): \(Int(nMin))-\(Int(nMax)) nodes at \(String(format: "%.3f", hourly))/h, share \(Int((shareMin * 100).rounded()))%-\(Int((shareMax * 100).rounded()))%"
                    )
                    costs[env] = ec
                }
            }
        }
        return errors
    }

    /// Database volumes per rendered instance and service volumes per maximum replica, at their class's price.
    private static func storageCosts(_ spec: Spec, prices: PriceTable, plan: Plan, into costs: inout [String: EnvironmentCost]) {
        let gi = Double(1 << 30)
        func classPrice(_ name: String?) -> Double {
            let cls = name.flatMap { spec.storage.storageClass($0) } ?? spec.storage.defaultClass
            return prices.storage[cls?.kind ?? "ssd"] ?? 0
        }
        // Every cluster that runs an instance of a database (its primary and its replica
        // clusters), as rendered: a shared database counts once, under the environment holding it.
        for t in plan.targets {
            for f in plan.databaseFootprints(in: t) {
                let gib = Double(f.volumeBytes) / gi
                costs[t.environment.name]?.storage += gib * classPrice(f.database.storageClass?.value)
                let role: String
                switch f.role {
                case .primary: role = "primary"
                case .replica: role = "replica cluster"
                }
                costs[t.environment.name]?.lines.append(
                    "database \(f.database.name) in \(t.cluster.name) (\(role)): \(Int(gib)) GiB of volumes (\(f.instances) instance\(f.instances == 1 ? "" : "s") x \(Quantity.bytesText(f.dataBytes)) data + \(Quantity.bytesText(f.walBytes)) WAL)"
                )
            }
        }
        for t in plan.targets {
            for p in t.placements {
                for v in p.service.volumes {
                    costs[t.environment.name]?.storage +=
                        Double(v.size.units) / gi * Double(p.replicas.max) * classPrice(v.storageClass?.value)
                }
            }
        }
    }

    /// Buckets at the price file's sizes, per environment unless shared.
    private static func bucketCosts(_ spec: Spec, prices: PriceTable, plan: Plan, into costs: inout [String: EnvironmentCost]) {
        let gi = Double(1 << 30)
        var sharedBuckets: Set<String> = []
        for b in spec.buckets {
            guard let size = prices.bucketSizes[b.name] else { continue }
            let usedBy = spec.environments.filter { e in
                plan.targets.contains {
                    $0.environment.name == e.name
                        && $0.placements.contains { $0.service.uses.contains { $0.kind == .bucket && $0.name == b.name } }
                }
                    || spec.databases.contains { $0.backup?.bucket.value == b.name && !$0.shared }
            }
            for e in usedBy {
                if b.shared || !e.dataIsolated, !sharedBuckets.insert(b.name).inserted { continue }
                costs[e.name]?.buckets += Double(size) / gi * (prices.buckets["standard"] ?? 0)
            }
        }
    }

    static func money(_ v: Double) -> String { String(format: "%.2f", v) }

    /// The text report: one line per environment with its items, then the total range.
    public static func text(_ costs: [EnvironmentCost], prices: PriceTable) -> String {
        var s = "prices: \(prices.file) (\(prices.currency), \(prices.hoursPerMonth) h/month; \(prices.source); \(prices.date))\n"
        for c in costs {
            // On a cluster shared with environments that grow more, an environment's share of
            // the nodes shrinks: it can cost less at maximum scale than at minimum. Its range
            // is still written lowest first, and says which end is which.
            let (lo, hi) = (min(c.totalMin, c.totalMax), max(c.totalMin, c.totalMax))
            let shrinks =
                (c.totalMin * 100).rounded() > (c.totalMax * 100).rounded()
                ? "\(money(c.totalMin)) at minimum scale: its share of shared node pools shrinks as the other environments grow; " : ""
            s +=
                "\(c.environment): \(money(lo)) to \(money(hi)) \(prices.currency)/month (\(shrinks)nodes \(money(min(c.nodesMin, c.nodesMax))) to \(money(max(c.nodesMin, c.nodesMax))), storage \(money(c.storage)), buckets \(money(c.buckets)))"
            if c.spotSavingMax > 0 { s += "; spot saves \(money(c.spotSavingMin)) to \(money(c.spotSavingMax))" }
            s += "\n"
            for l in c.lines { s += "  \(l)\n" }
        }
        let lo = costs.reduce(0) { $0 + $1.totalMin }
        let hi = costs.reduce(0) { $0 + $1.totalMax }
        s += "berth cost: \(money(lo)) to \(money(hi)) \(prices.currency)/month in total\n"
        return s
    }

    /// The JSON report: currency, source, date, and each environment's costs rounded to cents.
    public static func json(_ costs: [EnvironmentCost], prices: PriceTable) -> String {
        func num(_ v: Double) -> JSONValue { .double((v * 100).rounded() / 100) }
        let doc: JSONValue = [
            "currency": .string(prices.currency), "source": .string(prices.source), "date": .string(prices.date),
            "environments": .array(
                costs.map { c in
                    [
                        "environment": .string(c.environment),
                        "min": num(c.totalMin), "max": num(c.totalMax),
                        "nodes": ["min": num(c.nodesMin), "max": num(c.nodesMax)],
                        "storage": num(c.storage), "buckets": num(c.buckets),
                        "spotSaving": ["min": num(c.spotSavingMin), "max": num(c.spotSavingMax)],
                    ]
                }),
        ]
        return doc.serialized(pretty: true) + "\n"
    }
}
