import BerthNet
import Foundation
import Testing

@Suite("Prefix parsing")
struct PrefixParsingTests {
    @Test func hostBitsMessageIsVerbatim() {
        #expect(
            errorText { _ = try IPv4Prefix("10.0.0.1/8") }
                == "10.0.0.1/8 has host bits set; did you mean 10.0.0.0/8?")
        #expect(
            errorText { _ = try IPPrefix("2001:DB8::1/32") }
                == "2001:db8::1/32 has host bits set; did you mean 2001:db8::/32?")
        #expect(
            errorText { _ = try IPv4Prefix(address: IPv4Address("192.168.1.77"), length: 24) }
                == "192.168.1.77/24 has host bits set; did you mean 192.168.1.0/24?")
    }

    @Test func hostBitsErrorCarriesSuggestion() throws {
        do {
            _ = try IPv4Prefix("10.1.2.3/16")
            Issue.record("expected an error")
        } catch {
            #expect(error == .hostBitsSet(text: "10.1.2.3/16", suggestion: try IPPrefix("10.1.0.0/16")))
        }
    }

    @Test func normalizeMasksHostBits() throws {
        #expect(try IPv4Prefix("10.0.0.1/8", normalize: true).description == "10.0.0.0/8")
        #expect(try IPv6Prefix("2001:db8::1/64", normalize: true).description == "2001:db8::/64")
        #expect(try IPPrefix("255.255.255.255/0", normalize: true).description == "0.0.0.0/0")
    }

    @Test func lengthOutOfRangeMessagesAreVerbatim() {
        #expect(
            errorText { _ = try IPv4Prefix("10.0.0.0/33") }
                == "prefix length 33 is out of range in '10.0.0.0/33' (allowed 0-32)")
        #expect(
            errorText { _ = try IPv6Prefix("::/129") }
                == "prefix length 129 is out of range in '::/129' (allowed 0-128)")
        #expect(
            errorText { _ = try IPv4Prefix("10.0.0.0/-1") }
                == "prefix length '-1' in '10.0.0.0/-1' is not a plain decimal number (allowed 0-32)")
        #expect(
            errorText { _ = try IPv4Prefix("10.0.0.0/") }
                == "missing prefix length in '10.0.0.0/' (allowed 0-32)")
        #expect(
            errorText { _ = try IPv4Prefix("10.0.0.0/08") }
                == "prefix length '08' in '10.0.0.0/08' is not a plain decimal number (allowed 0-32)")
        #expect(
            errorText { _ = try IPv4Prefix(address: IPv4Address(0), length: 40) }
                == "prefix length 40 is out of range in '0.0.0.0/40' (allowed 0-32)")
    }

    @Test(
        "rejects bad prefixes",
        arguments: [
            "10.0.0.0", "10.0.0.0/8/8", "10.0.0.0//8", "10.0.0.0/ 8", "10.0.0.0/8 ", "10.0.0.0/+8",
            "10.0.0.0/255.0.0.0", "01.0.0.0/8", "::/0128", "fe80::%eth0/64", "::/", "/8", "",
        ])
    func rejects(text: String) {
        #expect(throws: IPError.self) { try IPPrefix(text) }
    }

    @Test func missingLengthMessage() {
        #expect(
            errorText { _ = try IPv4Prefix("10.0.0.1") }
                == "malformed address '10.0.0.1': missing '/length' (write e.g. 10.0.0.1/32 for a single address)")
    }

    @Test func familyMismatch() {
        #expect(errorText { _ = try IPv4Prefix("::/0") } == "family mismatch: ::/0 is IPv6, expected IPv4")
        #expect(errorText { _ = try IPv6Prefix("10.0.0.0/8") } == "family mismatch: 10.0.0.0/8 is IPv4, expected IPv6")
    }

    @Test func codable() throws {
        let list = [try IPPrefix("10.0.0.0/8"), try IPPrefix("2001:db8::/32")]
        let data = try JSONEncoder().encode(list)
        #expect(String(decoding: data, as: UTF8.self) == #"["10.0.0.0\/8","2001:db8::\/32"]"#)
        #expect(try JSONDecoder().decode([IPPrefix].self, from: data) == list)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(IPv4Prefix.self, from: Data(#""10.0.0.1/8""#.utf8))
        }
    }
}

@Suite("Prefix arithmetic")
struct PrefixArithmeticTests {
    @Test func slash31And32() throws {
        let p31 = try IPv4Prefix("10.0.0.0/31")
        #expect(p31.first.description == "10.0.0.0")
        #expect(p31.last.description == "10.0.0.1")
        #expect(p31.addressCount.uint64Value == 2)
        let p32 = try IPv4Prefix("10.0.0.7/32")
        #expect(p32.first == p32.last)
        #expect(p32.addressCount.uint64Value == 1)
        #expect(p32.contains(try IPv4Address("10.0.0.7")))
        #expect(!p32.contains(try IPv4Address("10.0.0.6")))
        #expect(try p31.subnets(newLength: 32).map(\.description) == ["10.0.0.0/32", "10.0.0.1/32"])
        #expect(try p32.subnets(newLength: 32).map(\.description) == ["10.0.0.7/32"])
    }

    @Test func slash127And128() throws {
        let p127 = try IPv6Prefix("2001:db8::/127")
        #expect(p127.last.description == "2001:db8::1")
        #expect(p127.addressCount.uint64Value == 2)
        let p128 = try IPv6Prefix("::1/128")
        #expect(p128.first == p128.last)
        #expect(p128.addressCount.description == "1")
        #expect(try IPv6Prefix("::/128").description == "::/128")
    }

    @Test func wholeSpaces() throws {
        let all4 = try IPv4Prefix("0.0.0.0/0")
        #expect(all4.last.description == "255.255.255.255")
        #expect(all4.addressCount.uint64Value == 4_294_967_296)
        let all6 = try IPv6Prefix("::/0")
        #expect(all6.last.description == "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")
        #expect(all6.addressCount.description == "340282366920938463463374607431768211456")
        #expect(all6.addressCount.uint64Value == nil)
        #expect(try IPv6Prefix("::/1").addressCount.description == "170141183460469231731687303715884105728")
        #expect(try IPv6Prefix("::/64").addressCount.description == "18446744073709551616")
        #expect(try IPv6Prefix("::/65").addressCount.uint64Value == 9_223_372_036_854_775_808)
        #expect(try IPv6Prefix("::/1").addressCount < all6.addressCount)
        #expect(all6.contains(try IPv6Address("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")))
        #expect(try all6.subnets(newLength: 128).count == all6.addressCount)
        #expect(try all6.subnets(newLength: 1).map(\.description) == ["::/1", "8000::/1"])
    }

    @Test func containsAndOverlaps() throws {
        let a = try IPPrefix("10.0.0.0/8")
        let b = try IPPrefix("10.1.0.0/16")
        let c = try IPPrefix("11.0.0.0/8")
        #expect(a.contains(b) && !b.contains(a) && a.contains(a))
        #expect(a.overlaps(b) && b.overlaps(a) && !a.overlaps(c))
        #expect(!a.overlaps(try IPPrefix("::/0")))
        #expect(!a.contains(try IPAddress("::ffff:10.0.0.1")))
        #expect(a.contains(try IPAddress("10.255.255.255")))
    }

    @Test func subnetsAreLazy() throws {
        let huge = try IPv6Prefix("::/0").subnets(newLength: 128)
        #expect(Array(huge.prefix(2)).map(\.description) == ["::/128", "::1/128"])
        #expect(try IPv4Prefix("10.0.0.0/8").subnets(newLength: 24).count.uint64Value == 65536)
        #expect(throws: IPError.self) { try IPv4Prefix("10.0.0.0/8").subnets(newLength: 7) }
        #expect(throws: IPError.self) { try IPv4Prefix("10.0.0.0/8").subnets(newLength: 33) }
        #expect(
            errorText { _ = try IPv4Prefix("10.0.0.0/8").subnets(newLength: 7) }
                == "prefix length 7 is out of range in subnets of 10.0.0.0/8 (allowed 8-32)")
    }

    @Test func supernet() throws {
        #expect(try IPv4Prefix("10.1.2.0/24").supernet(newLength: 8).description == "10.0.0.0/8")
        #expect(try IPv4Prefix("10.1.2.0/24").supernet(newLength: 24).description == "10.1.2.0/24")
        #expect(try IPv6Prefix("2001:db8:1::/48").supernet(newLength: 0).description == "::/0")
        #expect(throws: IPError.self) { try IPv4Prefix("10.1.2.0/24").supernet(newLength: 25) }
        #expect(throws: IPError.self) { try IPv4Prefix("10.1.2.0/24").supernet(newLength: -1) }
    }

    @Test func excludeMatchesPythonOrder() throws {
        // Python: list(ip_network('10.0.0.0/8').address_exclude(ip_network('10.1.2.0/24')))
        let expected = [
            "10.128.0.0/9", "10.64.0.0/10", "10.32.0.0/11", "10.16.0.0/12", "10.8.0.0/13", "10.4.0.0/14",
            "10.2.0.0/15", "10.0.0.0/16", "10.1.128.0/17", "10.1.64.0/18", "10.1.32.0/19", "10.1.16.0/20",
            "10.1.8.0/21", "10.1.4.0/22", "10.1.0.0/23", "10.1.3.0/24",
        ]
        let got = try IPv4Prefix("10.0.0.0/8").exclude(IPv4Prefix("10.1.2.0/24")).map(\.description)
        #expect(got == expected)
        #expect(try IPv4Prefix("10.0.0.0/8").exclude(IPv4Prefix("10.0.0.0/8")).isEmpty)
        #expect(
            errorText { _ = try IPv4Prefix("10.0.0.0/8").exclude(IPv4Prefix("11.0.0.0/24")) }
                == "11.0.0.0/24 is not contained in 10.0.0.0/8")
        #expect(
            errorText { _ = try IPPrefix("10.0.0.0/8").exclude(IPPrefix("::/0")) }
                == "family mismatch: ::/0 is IPv6, expected IPv4")
        #expect(try IPv6Prefix("::/0").exclude(IPv6Prefix("::1/128")).count == 128)
    }

    @Test func summarize() throws {
        let got = try IPv4Prefix.summarize(first: IPv4Address("10.0.0.1"), last: IPv4Address("10.0.0.6"))
        #expect(got.map(\.description) == ["10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32"])
        #expect(
            try IPv4Prefix.summarize(first: IPv4Address(0), last: IPv4Address(.max)).map(\.description)
                == ["0.0.0.0/0"])
        let all6 = try IPv6Prefix.summarize(
            first: IPv6Address(high: 0, low: 0), last: IPv6Address(high: .max, low: .max))
        #expect(all6.map(\.description) == ["::/0"])
        #expect(
            try IPv6Prefix.summarize(first: IPv6Address("::1"), last: IPv6Address("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")).count == 128)
        #expect(
            errorText { _ = try IPv4Prefix.summarize(first: IPv4Address("10.0.0.9"), last: IPv4Address("10.0.0.1")) }
                == "invalid range 10.0.0.9-10.0.0.1: last address is lower than first")
        #expect(throws: IPError.self) { try IPPrefix.summarize(first: IPAddress("::"), last: IPAddress("1.2.3.4")) }
    }

    @Test func collapse() throws {
        let input = try ["10.0.0.0/25", "10.0.0.128/25", "10.0.1.0/24", "10.0.2.0/24", "10.0.0.64/26", "9.0.0.0/32"]
            .map { try IPv4Prefix($0) }
        #expect(IPv4Prefix.collapse(input).map(\.description) == ["9.0.0.0/32", "10.0.0.0/23", "10.0.2.0/24"])
        #expect(IPv4Prefix.collapse([]).isEmpty)
        let mixed = try ["8000::/1", "10.0.0.0/8", "::/1", "10.0.0.0/8"].map { try IPPrefix($0) }
        #expect(IPPrefix.collapse(mixed).map(\.description) == ["10.0.0.0/8", "::/0"])
        let top = try ["255.255.255.254/31", "255.255.255.255/32", "255.255.255.252/31"].map { try IPv4Prefix($0) }
        #expect(IPv4Prefix.collapse(top).map(\.description) == ["255.255.255.252/30"])
    }

    @Test func orderingIsAddressThenLength() throws {
        let list = try ["10.0.0.0/16", "9.0.0.0/32", "10.0.0.0/8", "::/0", "10.0.0.1/32"].map { try IPPrefix($0) }
        #expect(list.sorted().map(\.description) == ["9.0.0.0/32", "10.0.0.0/8", "10.0.0.0/16", "10.0.0.1/32", "::/0"])
    }
}

/// One generic prefix over the address family protocol: IPv4Prefix and IPv6Prefix are its
/// specialisations, and generic code over `IPAddressProtocol` works for both families.
@Suite("Generic prefix")
struct GenericPrefixTests {
    /// Width, first and last address, and the count's text, written once for both families.
    func summary<A: IPAddressProtocol>(_ prefix: Prefix<A>) -> String {
        "\(A.family) \(A.family.bitWidth - prefix.length) host bits: \(prefix.first)-\(prefix.last) (\(prefix.addressCount))"
    }

    @Test func typedPrefixesAreTheGeneric() throws {
        #expect(IPv4Prefix.self == Prefix<IPv4Address>.self)
        #expect(IPv6Prefix.self == Prefix<IPv6Address>.self)
        #expect(IPv4Prefix.Subnets.self == PrefixSubnets<IPv4Prefix>.self)
        #expect(IPPrefix.Subnets.self == PrefixSubnets<IPPrefix>.self)
        #expect(try summary(IPv4Prefix("10.0.0.0/30")) == "IPv4 2 host bits: 10.0.0.0-10.0.0.3 (4)")
        #expect(try summary(IPv6Prefix("2001:db8::/126")) == "IPv6 2 host bits: 2001:db8::-2001:db8::3 (4)")
        #expect(try Prefix<IPv6Address>("::/0") == IPv6Prefix("::/0"))
    }

    @Test func addressProtocolConversions() throws {
        #expect(IPv4Address.family == .v4)
        #expect(IPv6Address.family == .v6)
        #expect(IPv4Address(0x0A00_0001).ipAddress == .v4(IPv4Address(0x0A00_0001)))
        #expect(try IPv6Address("::1").ipAddress == .v6(try IPv6Address("::1")))
        #expect(IPv4Address(try IPAddress("10.0.0.1")) == IPv4Address(0x0A00_0001))
        #expect(IPv4Address(try IPAddress("::ffff:10.0.0.1")) == nil)
        #expect(IPv6Address(try IPAddress("::1"))?.description == "::1")
        #expect(IPv6Address(try IPAddress("10.0.0.1")) == nil)
    }

    @Test func prefixConversions() throws {
        #expect(IPv4Prefix(try IPPrefix("10.0.0.0/8")) == (try IPv4Prefix("10.0.0.0/8")))
        #expect(IPv4Prefix(try IPPrefix("::/0")) == nil)
        #expect(IPv6Prefix(try IPPrefix("::/0"))?.length == 0)
        #expect(IPv6Prefix(try IPPrefix("10.0.0.0/8")) == nil)
        #expect(IPPrefix(try IPPrefix("::/0")) == (try IPPrefix("::/0")))
        let mixed = [try IPPrefix("10.0.0.0/8"), try IPPrefix("2001:db8::/32"), try IPPrefix("192.168.0.0/16")]
        #expect(mixed.compactMap(IPv4Prefix.init).map(\.description) == ["10.0.0.0/8", "192.168.0.0/16"])
        #expect(mixed.compactMap(IPv6Prefix.init).map(\.description) == ["2001:db8::/32"])
    }

    @Test func subnetsShareOneSequence() throws {
        var v4 = try IPv4Prefix("10.0.0.0/23").subnets(newLength: 24)
        #expect(v4.count.uint64Value == 2)
        #expect(v4.next()?.description == "10.0.0.0/24")
        #expect(v4.next()?.description == "10.0.1.0/24")
        #expect(v4.next() == nil)
        #expect(v4.count.uint64Value == 2)
        var v6 = try IPv6Prefix("::/127").subnets(newLength: 128)
        #expect(v6.next()?.description == "::/128")
        #expect(Array(try IPPrefix("::/127").subnets(newLength: 128)).map(\.description) == ["::/128", "::1/128"])
        // Hashable: two walks from the same place are equal until one moves on.
        var a = try IPv4Prefix("10.0.0.0/8").subnets(newLength: 9)
        let b = try IPv4Prefix("10.0.0.0/8").subnets(newLength: 9)
        #expect(a == b)
        _ = a.next()
        #expect(a != b)
    }

    @Test func codableAndHashableAsBefore() throws {
        let prefixes = [try IPv4Prefix("10.0.0.0/8"), try IPv4Prefix("10.0.0.0/16")]
        let data = try JSONEncoder().encode(prefixes)
        #expect(String(decoding: data, as: UTF8.self) == #"["10.0.0.0\/8","10.0.0.0\/16"]"#)
        #expect(try JSONDecoder().decode([IPv4Prefix].self, from: data) == prefixes)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([IPv6Prefix].self, from: data) }
        #expect(Set(prefixes + prefixes).count == 2)
        #expect(try IPv4Prefix.parseText("10.0.0.0/8").length == 8)
    }
}
