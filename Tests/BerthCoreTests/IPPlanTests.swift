import BerthCore
import BerthNet
import Foundation
import Testing

@Suite("IP plan")
struct IPPlanTests {
    static func spec(_ text: String) throws -> Spec {
        // The spec must load; plan errors (what these tests look at) are allowed here.
        let loaded = Fixtures.check(text)
        #expect(
            !loaded.diagnostics.contains {
                $0.severity == .error && ![CheckCode.supernetTooSmall, .podCidr, .ipPin, .ipReservedOverlap, .ipPlan].contains($0.code)
            },
            "\(Fixtures.lines(loaded))")
        return try #require(loaded.spec)
    }

    static func example() throws -> Spec {
        let loaded = try Pipeline.check(path: Fixtures.example.path)
        return try #require(loaded.spec)
    }

    static let twoClusters = Fixtures.base.replacingOccurrences(
        of: "environments:",
        with: """
              second:
                region: eu-west-1
                nodePools:
                  general: { machine: m6i.large, cpu: 2, memory: 8Gi, min: 2, max: 4 }
            environments:
            """)

    @Test("the example's plan is consistent: inside the supernet, nested, disjoint, clear of reserved ranges")
    func consistent() throws {
        let spec = try Self.example()
        let (plan, diags) = IPPlanner.plan(spec)
        #expect(diags.isEmpty)
        let p = try #require(plan)
        let supernet = try IPPrefix("10.0.0.0/8")
        let reserved = try IPPrefix("10.255.0.0/16")
        let planned = p.entries.filter { $0.kind != .supernet && $0.kind != .reserved }
        for e in planned where e.prefix.family == .v4 {
            #expect(supernet.contains(e.prefix), "\(e.key)")
            #expect(!reserved.overlaps(e.prefix), "\(e.key) overlaps the reserved range")
        }
        // siblings never overlap: top-level ranges among themselves, subnets within one VPC
        let top = planned.filter { [.vpc, .pods, .services].contains($0.kind) }
        for (i, a) in top.enumerated() { for b in top[(i + 1)...] { #expect(!a.prefix.overlaps(b.prefix), "\(a.key) vs \(b.key)") } }
        for c in spec.clusters {
            let vpc = try #require(p.entry("\(c.name)/vpc")).prefix
            let subnets = planned.filter {
                $0.cluster == c.name && [.publicSubnet, .privateSubnet].contains($0.kind) && $0.prefix.family == .v4
            }
            #expect(subnets.count == 2 * c.zones.count)
            for s in subnets { #expect(vpc.contains(s.prefix), "\(s.key) not in its VPC") }
            for (i, a) in subnets.enumerated() { for b in subnets[(i + 1)...] { #expect(!a.prefix.overlaps(b.prefix)) } }
        }
        let ingress = try #require(p.entry("static/ingress-eu"))
        #expect(ingress.prefix.length == 32)
        #expect(try #require(p.entry("prod-eu/eu-west-1a/public")).prefix.contains(ingress.prefix))
        #expect(p.entries.contains { $0.key == "prod-eu/vpc6" && $0.prefix.length == 56 })
    }

    @Test("planning is deterministic")
    func deterministic() throws {
        let spec = try Self.example()
        #expect(IPPlanner.plan(spec).0?.lockText == IPPlanner.plan(spec).0?.lockText)
    }

    @Test("adding a cluster never moves a pinned range; the change is listed")
    func stableWithLock() throws {
        let before = try #require(IPPlanner.plan(try Self.spec(Fixtures.base)).0)
        let lock = IPLock(pins: try IPLock.parse(before.lockText, file: "ip-plan.lock"))
        let after = try #require(IPPlanner.plan(try Self.spec(Self.twoClusters), lock: lock).0)
        for e in before.entries where e.kind != .supernet {
            #expect(after.entry(e.key)?.prefix == e.prefix, "\(e.key) moved")
            #expect(after.entry(e.key)?.pinned == true || e.kind == .reserved)
        }
        #expect(
            after.changes.map(\.key) == [
                "second/eu-west-1a/private", "second/eu-west-1a/public", "second/eu-west-1b/private",
                "second/eu-west-1b/public", "second/pods", "second/services", "second/vpc",
            ])
        #expect(after.changes.allSatisfy { $0.kind == .added })
    }

    @Test("best fit: a small range goes into the smallest hole that holds it")
    func bestFit() throws {
        // 10.0.0.0/22 reserved except 10.0.1.0/24: the /22 service CIDR cannot fit there,
        // but nothing smaller than a /22 is asked; the VPC and pods take the large blocks.
        let text =
            Fixtures.base + """
                network:
                  supernet: 10.0.0.0/12
                  reserved:
                    - { cidr: 10.0.0.0/24, purpose: a }
                    - { cidr: 10.0.2.0/23, purpose: b }
                  carve: { services: 24 }

                """
        let plan = try #require(IPPlanner.plan(try Self.spec(text)).0)
        #expect(plan.entry("main/services")?.prefix.description == "10.0.1.0/24")
    }

    @Test("supernet too small says by how much")
    func supernetTooSmall() throws {
        let text = Fixtures.base + "network:\n  supernet: 10.0.0.0/16\n"
        let (plan, diags) = IPPlanner.plan(try Self.spec(text))
        #expect(plan == nil)
        #expect(
            diags.map(\.message) == [
                "supernet 10.0.0.0/16 is too small: 1 cluster(s) need 99,328 addresses (VPC /16, pods /17, services /22 each) but 65,536 are free, 33,792 short; a /15 supernet would hold them"
            ])
    }

    @Test("a pod CIDR too small for max nodes x pods per node")
    func podCIDR() throws {
        let text =
            Fixtures.base.replacingOccurrences(of: "min: 2, max: 4 }", with: "min: 2, max: 200 }")
            + "network:\n  carve: { pods: 18 }\n"
        let (_, diags) = IPPlanner.plan(try Self.spec(text))
        #expect(
            diags.map(\.message) == [
                "pod CIDR /18 of cluster 'main' has room for 64 node ranges of /24 (110 pods per node), but its node pools grow to 200 nodes; use carve.pods /16 or shorter"
            ])
    }

    @Test("a pinned range that now overlaps a reserved range is an error")
    func pinOverlapsReserved() throws {
        let before = try #require(IPPlanner.plan(try Self.spec(Fixtures.base)).0)
        let lock = IPLock(pins: try IPLock.parse(before.lockText, file: "ip-plan.lock"))
        let vpc = try #require(before.entry("main/vpc")).prefix
        let text = Fixtures.base + "network:\n  reserved:\n    - { cidr: \(vpc), purpose: datacenter link }\n"
        let (plan, diags) = IPPlanner.plan(try Self.spec(text), lock: lock)
        #expect(plan == nil)
        #expect(
            diags.map(\.message).contains(
                "main/vpc is pinned to \(vpc), which overlaps reserved range \(vpc) (datacenter link); move the reservation or remove the pin"
            ))
    }

    @Test("a lock file that is not one is refused")
    func badLock() {
        #expect(throws: BerthError.self) { try IPLock.parse("{\"ranges\": {}}", file: "x.lock") }
        #expect(throws: BerthError.self) { try IPLock.parse("{\"berthIPLock\": 1, \"ranges\": {\"a\": \"10.0.0.1/8\"}}", file: "x.lock") }
    }
}
