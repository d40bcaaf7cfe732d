import BerthNet
import Foundation
import Testing

/// Checks that the examples in the doc comments say what the code does.
@Suite("Doc comment examples")
struct DocExampleTests {
    @Test func examplesHold() throws {
        var set = PrefixSet(pool: try IPPrefix("10.0.0.0/16"))
        try set.insert(try IPPrefix("10.0.0.0/24"))
        let a = try set.allocate(length: 24)
        #expect(a.description == "10.0.1.0/24")
        try set.allocate(exact: try IPPrefix("10.0.8.0/22"))
        #expect(set.contains(try IPAddress("10.0.1.7")))
        #expect(set.contains(try IPPrefix("10.0.0.0/23")))
        #expect(!set.contains(try IPPrefix("10.0.0.0/22")))
        #expect(set.overlaps(try IPPrefix("10.0.0.0/22")))
        #expect(set.prefixes.map(\.description) == ["10.0.0.0/23", "10.0.8.0/22"])
        #expect(try set.freeBlocks(in: try IPPrefix("10.0.0.0/22")).map(\.description) == ["10.0.2.0/23"])
        #expect(try set.freeCountByLength() == [17: 1, 18: 1, 19: 1, 20: 1, 22: 2, 23: 1])
        #expect(try set.largestFreeBlock()?.description == "10.0.128.0/17")
        #expect(try set.usedAddressCount().uint64Value == 1536)
        #expect(try set.freeAddressCount().uint64Value == 64000)
        #expect(try set.utilization() == 0.0234375)
        #expect(abs(try set.fragmentation() - 0.488) < 1e-9)
        #expect(try set.bestFit(length: 24)?.description == "10.0.2.0/24")
        #expect(try !set.insert(try IPPrefix("10.0.0.0/24")))
        var s2 = set
        try s2.allocate(exact: try IPPrefix("10.0.12.0/22"))
        #expect(throws: IPError.self) { try s2.allocate(exact: try IPPrefix("10.0.8.0/21")) }
        #expect(try set.allocate(length: 24).description == "10.0.2.0/24")
        #expect(try set.remove(try IPPrefix("10.0.0.0/24")))
        #expect(PrefixSet(family: .v4).description == "PrefixSet(pool: 0.0.0.0/0, used: [])")
        #expect(try PrefixSet(pool: try IPPrefix("10.0.0.0/8")).freeAddressCount().uint64Value == 16777216)
        // HexText docs
        #expect(HexText.lowercase([0x0a, 0xff]) == "0aff")
        #expect(HexText.lowercase(words: [0x2001_0db8, 0xff]) == "0000000020010db800000000000000ff")
        #expect(HexText.lowercase([UInt8]()) == "")
        // Address / prefix docs
        #expect(try IPv6Address("2001:DB8:0:0:1::1").description == "2001:db8::1:0:0:1")
        #expect(try IPv6Prefix("2001:db8::/32").addressCount.description == "79228162514264337593543950336")
        #expect(try IPv6Prefix("::/0").addressCount.doubleValue == 3.402823669209385e+38)
        #expect(try IPv4Prefix("0.0.0.0/0").addressCount.uint64Value == 4294967296)
        #expect(try IPv6Prefix("2001:db8::/32").last.description == "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")
        #expect(try IPv6Prefix("2001:db8::/47").subnets(newLength: 48).map(\.description) == ["2001:db8::/48", "2001:db8:1::/48"])
        #expect(try IPv6Prefix("::/126").exclude(IPv6Prefix("::1/128")).map(\.description) == ["::2/127", "::/128"])
        #expect(
            try IPv6Prefix.summarize(first: IPv6Address("::1"), last: IPv6Address("::6")).map(\.description) == [
                "::1/128", "::2/127", "::4/127", "::6/128",
            ])
        #expect(try IPv4Prefix("10.0.0.0/30").exclude(IPv4Prefix("10.0.0.1/32")).map(\.description) == ["10.0.0.2/31", "10.0.0.0/32"])
        #expect(try IPPrefix("10.0.0.0/30").exclude(IPPrefix("10.0.0.0/31")).map(\.description) == ["10.0.0.2/31"])
        #expect(try IPPrefix.summarize(first: IPAddress("::"), last: IPAddress("::3")).map(\.description) == ["::/126"])
        #expect(try IPPrefix("::1/64", normalize: true).description == "::/64")
        #expect(try IPv4Address("192.0.2.1").value == 3221225985)
        #expect(try IPv6Address("::ffff:10.1.2.3").ipv4Mapped?.description == "10.1.2.3")
        #expect(try IPPrefix(address: IPAddress("10.9.8.7"), length: 8, normalize: true).description == "10.0.0.0/8")
        #expect(try IPPrefix("10.0.0.0/23").subnets(newLength: 24).map(\.description) == ["10.0.0.0/24", "10.0.1.0/24"])
        // Generic prefix and address protocol docs
        #expect(try Prefix<IPv4Address>("10.0.0.0/8").contains(try IPv4Address("10.1.2.3")))
        #expect(try IPv6Prefix("2001:db8::/32").length == 32)
        #expect(try IPv6Prefix("2001:db8::1/48", normalize: true).description == "2001:db8::/48")
        #expect(IPv4Prefix(try IPPrefix("10.0.0.0/8"))?.length == 8)
        #expect(IPv4Prefix(try IPPrefix("::/0")) == nil)
        #expect(IPv6Prefix(try IPPrefix("::/0"))?.length == 0)
        #expect(try IPv6Prefix("2001:db8::/127").first.description == "2001:db8::")
        #expect(try IPv4Prefix("10.0.0.0/24").addressCount.uint64Value == 256)
        #expect(try IPv6Prefix("2001:db8::/120").addressCount.uint64Value == 256)
        #expect(try IPv6Prefix("2001:db8::/32").contains(IPv6Address("2001:db8::1")))
        #expect(try IPv6Prefix("2001:db8:1::/48").supernet(newLength: 32).description == "2001:db8::/32")
        #expect(IPv6Prefix.collapse([try IPv6Prefix("::/1"), try IPv6Prefix("8000::/1")]).map(\.description) == ["::/0"])
        #expect(try IPv4Prefix.parseText("10.0.0.0/8").length == 8)
        func only<P: IPPrefixProtocol>(_ type: P.Type, in prefixes: [IPPrefix]) -> [P] {
            prefixes.compactMap(P.init)
        }
        #expect(only(IPv4Prefix.self, in: [try IPPrefix("10.0.0.0/8"), try IPPrefix("::/0")]).map(\.description) == ["10.0.0.0/8"])
        var subnets = try IPv4Prefix("10.0.0.0/23").subnets(newLength: 24)
        #expect(subnets.count.uint64Value == 2)
        #expect(subnets.next()?.description == "10.0.0.0/24")
        var subnets6 = try IPv6Prefix("::/127").subnets(newLength: 128)
        #expect(subnets6.next()?.description == "::/128")
        #expect(IPv6Address.family.bitWidth == 128)
        #expect(IPv4Address(0x0A00_0001).ipAddress.description == "10.0.0.1")
        #expect(IPv6Address(try IPAddress("::1"))?.description == "::1")
        #expect(IPv4Address(try IPAddress("::ffff:10.0.0.1")) == nil)
        #expect(IPv6Address(try IPAddress("10.0.0.1")) == nil)
        #expect(IPPrefix(try IPPrefix("::/0")).family == .v6)
        // DurationText and IPTextCodable docs
        let minutes = DurationText.Rules(units: ["h", "m"], compound: true, allowZero: false, maxSeconds: 86_400)
        #expect(try DurationText.parse("1h30m", rules: minutes) == 5400)
        #expect(DurationText.Problem.repeatedUnit("h").description == "repeats the unit 'h'; write each unit once")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(IPv4Prefix.self, from: Data(#""10.0.0.1/8""#.utf8)) }
        #expect(String(decoding: try JSONEncoder().encode(try IPv6Address("2001:DB8::1")), as: UTF8.self) == #""2001:db8::1""#)
        #expect(
            IPError.notContained(try IPPrefix("192.168.0.0/24"), container: try IPPrefix("10.0.0.0/8")).description
                == "192.168.0.0/24 is not contained in 10.0.0.0/8")
    }
}
