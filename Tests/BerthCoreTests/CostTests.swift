import Foundation
import Testing

@testable import BerthCore

@Suite("Cost")
struct CostTests {
    static let prices = """
        berthPrices: 1
        provider: aws
        source: test
        date: "2024"
        machines:
          m6i.large: { onDemand: 0.1, spot: 0.04 }
        storage: { ssd: 0.1 }
        buckets: { standard: 0.02 }
        bucketSizes: { backups: 100Gi }

        """

    static func table(_ text: String = prices) throws -> PriceTable {
        let (t, d) = PriceTable.load(text: text, file: "prices.yaml")
        #expect(!d.hasErrors, "\(d)")
        return try #require(t)
    }

    @Test("a malformed price file: located errors, in the loader's words")
    func malformed() {
        let (t, d) = PriceTable.load(
            text:
                "berthPrices: 1\nsource: x\ndate: \"2024\"\nmachines:\n  m6i.large: { onDemand: -1 }\n  c6i.xlarge: { spot: 0.1 }\ncolour: red\nprovider: aws\n",
            file: "p.yaml")
        #expect(t == nil)
        #expect(
            d.sortedForDisplay().map { "\($0.location.map(\.description) ?? ""): \($0.message)" } == [
                "p.yaml:5:26: 'machines.m6i.large.onDemand' must be a price such as 0.192 (a non-negative decimal number), found '-1'",
                "p.yaml:6:15: 'machines.c6i.xlarge' is missing required key 'onDemand'",
                "p.yaml:7:1: unknown key 'colour'; expected one of: berthPrices, provider, currency, region, source, date, hoursPerMonth, machines, storage, buckets, bucketSizes",
            ])
    }

    @Test("node cost at min and max scale, spot saving, storage and buckets")
    func estimate() throws {
        // Clean fixture: one m6i.large pool (2-4 nodes), two environments; the services fit one node,
        // the 4 database instances (1 CPU each on 1930m nodes) need one each: 4 nodes.
        let spec = try AuditTests.spec(AuditTests.clean)
        let (costs, errors) = Cost.estimate(spec, prices: try Self.table())
        #expect(errors.isEmpty)
        let prod = try #require(costs.first { $0.environment == "production" })
        // 4 nodes x 0.1 x 730 h, half of the pool's CPU requests.
        #expect(abs(prod.nodesMin - 146.0) < 0.001 && abs(prod.nodesMax - 146.0) < 0.001)
        // database: (10Gi data + 2560Mi WAL) x 2 instances x 0.1 per GiB-month.
        #expect(abs(prod.storage - 2.5) < 0.001)
        #expect(abs(prod.buckets - 2.0) < 0.001)
        #expect(prod.spotSavingMax == 0)
        let spot = try AuditTests.spec(
            AuditTests.mutate([("min: 2, max: 4 }\nenvironments", "min: 2, max: 4, spot: true }\nenvironments")]))
        let spotProd = try #require(Cost.estimate(spot, prices: try Self.table()).costs.first { $0.environment == "production" })
        #expect(abs(spotProd.nodesMin - 58.4) < 0.001)
        #expect(abs(spotProd.spotSavingMin - 87.6) < 0.001)
    }

    @Test("the data and WAL volumes of the replica cluster count, and the database pods count in the nodes")
    func replicaClusterVolumes() throws {
        // production on two clusters: the primary in main and a replica cluster in second, 2 instances each.
        let spec = try AuditTests.spec(
            AuditTests.mutate([
                (
                    "environments:\n",
                    "  second:\n    region: eu-west-1\n    nodePools:\n      general: { machine: m6i.large, cpu: 2, memory: 8Gi, min: 1, max: 4 }\nenvironments:\n"
                ),
                ("production: { clusters: [main]", "production: { clusters: [main, second]"),
                ("    instances: 2\n", "    instances: 2\n    topology: { remoteClients: primary }\n"),
            ]))
        let (costs, errors) = Cost.estimate(spec, prices: try Self.table())
        #expect(errors.isEmpty)
        let prod = try #require(costs.first { $0.environment == "production" })
        // (10Gi data + 2560Mi WAL) x 2 instances x 2 clusters x 0.1 per GiB-month.
        #expect(abs(prod.storage - 5.0) < 0.001)
        #expect(
            prod.lines.filter { $0.hasPrefix("database") } == [
                "database main in main (primary): 25 GiB of volumes (2 instances x 10Gi data + 2560Mi WAL)",
                "database main in second (replica cluster): 25 GiB of volumes (2 instances x 10Gi data + 2560Mi WAL)",
            ])
        // second holds only the replica cluster's 2 instance pods (1 CPU each on 1930m nodes): 2 nodes, above the pool's min of 1.
        #expect(prod.lines.contains("cluster second pool general (m6i.large): 2-2 nodes at 0.100/h, share 100%-100%"))
    }

    @Test("a machine type without a price is an error at the node pool")
    func unknownMachine() throws {
        let spec = try AuditTests.spec(AuditTests.mutate([("machine: m6i.large", "machine: m7g.large")]))
        let (_, errors) = Cost.estimate(spec, prices: try Self.table())
        #expect(
            errors.map { "\($0.location.map(\.description) ?? ""): \($0.message)" } == [
                "spec.yaml:19:7: machine type 'm7g.large' of node pool 'general' (cluster 'main') has no price in prices.yaml"
            ])
    }

    @Test("the sample price file loads")
    func sample() throws {
        let (t, d, _) = try PriceTable.load(path: Fixtures.repoRoot.appendingPathComponent("examples/prices/aws-eu-west-1.yaml").path)
        #expect(!d.hasErrors)
        #expect(t?.machines["m6i.xlarge"]?.onDemand == 0.214)
        #expect(t?.provider == .aws)
    }

    @Test("the gcp and azure sample price files load, each for its provider, with a source and a date")
    func cloudSamples() throws {
        for (file, provider, machine, price) in [
            ("gcp-europe-west1", Provider.Name.gcp, "n2-standard-8", 0.42732),
            ("azure-westeurope", .azure, "Standard_D8s_v5", 0.444),
        ] {
            let (t, d, _) = try PriceTable.load(path: Fixtures.repoRoot.appendingPathComponent("examples/prices/\(file).yaml").path)
            #expect(!d.hasErrors, "\(d)")
            #expect(t?.provider == provider)
            #expect(t?.machines[machine]?.onDemand == price)
            #expect(t?.source.contains("list prices") == true && t?.date == "2024")
        }
    }

    @Test("a price file of another provider is refused at the spec's provider.name, naming the file's provider line")
    func providerMismatch() throws {
        let spec = try AuditTests.spec(AuditTests.clean)
        let gcp = try Self.table(Self.prices.replacingOccurrences(of: "provider: aws", with: "provider: gcp"))
        let (costs, errors) = Cost.estimate(spec, prices: gcp)
        #expect(costs.isEmpty)
        #expect(
            errors.map { "\($0.location.map { "\($0.line):\($0.column)" } ?? ""): \($0.message)" } == [
                "4:9: the spec runs on aws (provider.name), but prices.yaml has prices for gcp (prices.yaml:2:11); use a price file for aws"
            ])
    }
}
