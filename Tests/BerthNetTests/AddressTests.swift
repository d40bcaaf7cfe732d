import BerthNet
import Foundation
import Testing

/// The message an `IPError` thrown by `body` carries, or nil when nothing is thrown.
func errorText(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch let error as IPError {
        return error.description
    } catch {
        return "unexpected non-IPError: \(error)"
    }
}

@Suite("IPv4 addresses")
struct IPv4AddressTests {
    @Test(
        "round-trips canonical dotted quads",
        arguments: [
            "0.0.0.0", "255.255.255.255", "10.0.0.1", "192.0.2.255", "1.2.3.4", "100.64.0.0",
        ])
    func roundTrip(text: String) throws {
        #expect(try IPv4Address(text).description == text)
    }

    @Test func integerValue() throws {
        #expect(try IPv4Address("1.2.3.4").value == 0x0102_0304)
        #expect(IPv4Address(0xFFFF_FFFF).description == "255.255.255.255")
        #expect(IPv4Address(0).description == "0.0.0.0")
    }

    @Test(
        "rejects malformed text",
        arguments: [
            "", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.04", "1.2.3.00", "256.0.0.0", "1.2.3.4 ", " 1.2.3.4",
            "1..2.3", ".1.2.3", "1.2.3.", "1.2.3.-4", "+1.2.3.4", "1.2.3.4/32", "1.2.3.0x4", "1234.1.1.1",
            "\u{661}.2.3.4", "1.2.3.4\n", "a.b.c.d",
        ])
    func rejects(text: String) {
        #expect(throws: IPError.self) { try IPv4Address(text) }
    }

    @Test func leadingZeroMessage() {
        #expect(
            errorText { _ = try IPv4Address("01.2.3.4") }
                == "malformed address '01.2.3.4': leading zeros are not permitted in octet '01'")
        #expect(
            errorText { _ = try IPv4Address("1.2.3.256") }
                == "malformed address '1.2.3.256': octet 256 is out of range 0-255")
        #expect(
            errorText { _ = try IPv4Address("1.2.3") }
                == "malformed address '1.2.3': expected 4 octets, found 3")
        #expect(
            errorText { _ = try IPv4Address("1.2.3.4 ") }
                == "malformed address '1.2.3.4 ': whitespace is not permitted")
        #expect(errorText { _ = try IPv4Address("1..3.4") } == "malformed address '1..3.4': empty octet")
    }

    @Test func familyMismatch() {
        #expect(errorText { _ = try IPv4Address("::1") } == "family mismatch: ::1 is IPv6, expected IPv4")
        #expect(errorText { _ = try IPv6Address("1.2.3.4") } == "family mismatch: 1.2.3.4 is IPv4, expected IPv6")
    }

    @Test func ordering() throws {
        #expect(try IPv4Address("9.255.255.255") < IPv4Address("10.0.0.0"))
        #expect(try IPAddress("255.255.255.255") < IPAddress("::"))
    }
}

@Suite("IPv6 addresses")
struct IPv6AddressTests {
    /// Input text and Python 3.11's str() of it.
    @Test(
        "canonical text matches Python",
        arguments: [
            ("::", "::"),
            ("::1", "::1"),
            ("1::", "1::"),
            ("0:0:0:0:0:0:0:0", "::"),
            ("0:0:0:0:0:0:0:1", "::1"),
            ("1:0:0:0:0:0:0:0", "1::"),
            ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
            ("FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
            ("1:0:0:1:0:0:0:1", "1:0:0:1::1"),
            ("1:0:0:0:1:0:0:1", "1::1:0:0:1"),
            ("1:0:0:1::1", "1:0:0:1::1"),
            ("1::1:0:0:1", "1::1:0:0:1"),
            ("1:0:1:0:1:0:1:0", "1:0:1:0:1:0:1:0"),
            ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
            ("2001:0db8:0000:0000:0000:ff00:0042:8329", "2001:db8::ff00:42:8329"),
            ("0001:0002:0003:0004:0005:0006:0007:0008", "1:2:3:4:5:6:7:8"),
            ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"),
            ("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"),
            ("::ffff:1.2.3.4", "::ffff:1.2.3.4"),
            ("::ffff:0.0.0.0", "::ffff:0.0.0.0"),
            ("::ffff:ffff:ffff", "::ffff:255.255.255.255"),
            ("::fffe:102:304", "::fffe:102:304"),
            ("::1:ffff:102:304", "::1:ffff:102:304"),
            ("::102:304", "::102:304"),
            ("::1.2.3.4", "::102:304"),
            ("::ffff:0:1.2.3.4", "::ffff:0:102:304"),
            ("64:ff9b::192.0.2.33", "64:ff9b::c000:221"),
            ("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"),
            ("0:0:0:0:0:ffff:0102:0304", "::ffff:1.2.3.4"),
            ("0:0:1:0:0:1:0:0", "::1:0:0:1:0:0"),
            ("1:0:0:2:0:0:3:4", "1::2:0:0:3:4"),
        ])
    func canonical(input: String, expected: String) throws {
        #expect(try IPv6Address(input).description == expected)
        #expect(try IPAddress(input).description == expected)
    }

    @Test(
        "rejects malformed text",
        arguments: [
            "", ":", ":::", "1:::2", "1::2::3", ":1::", "::1:", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7",
            "12345::", "g::", "fe80::1%eth0", "fe80::1%", "::1 ", " ::1", "1:2:3:4:5:6:7:1.2.3.4",
            "::1.2.3", "::1.2.3.04", "::256.0.0.0", "1.2.3.4::", "::1.2.3.4:5", "1:2:3:4:5:6:7:8::",
            "::1:2:3:4:5:6:7:8", "[::1]", "::-1", "0x1::",
        ])
    func rejects(text: String) {
        #expect(throws: IPError.self) { try IPv6Address(text) }
        #expect(throws: IPError.self) { try IPAddress(text) }
    }

    @Test func zoneIdMessage() {
        #expect(
            errorText { _ = try IPv6Address("fe80::1%eth0") }
                == "malformed address 'fe80::1%eth0': zone identifiers ('%...') are not supported")
    }

    @Test func mapped() throws {
        #expect(try IPv6Address("::ffff:1.2.3.4").ipv4Mapped == IPv4Address("1.2.3.4"))
        #expect(try IPv6Address("::ffff:102:304").ipv4Mapped?.description == "1.2.3.4")
        #expect(try IPv6Address("::1.2.3.4").ipv4Mapped == nil)
        #expect(try IPv6Address("1::ffff:1.2.3.4").ipv4Mapped == nil)
        #expect(IPv6Address(ipv4Mapped: try IPv4Address("10.0.0.1")).description == "::ffff:10.0.0.1")
    }

    @Test func halves() throws {
        let a = try IPv6Address("2001:db8::1")
        #expect(a.high == 0x2001_0DB8_0000_0000)
        #expect(a.low == 1)
        #expect(IPv6Address(high: .max, low: .max).description == "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")
    }

    @Test func codableRoundTrip() throws {
        let values = [try IPAddress("10.1.2.3"), try IPAddress("2001:db8::1")]
        let data = try JSONEncoder().encode(values)
        #expect(String(decoding: data, as: UTF8.self) == #"["10.1.2.3","2001:db8::1"]"#)
        #expect(try JSONDecoder().decode([IPAddress].self, from: data) == values)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([IPAddress].self, from: Data(#"["01.2.3.4"]"#.utf8))
        }
    }
}

@Suite("Address counts from decimal text")
struct AddressCountDecimalTests {
    @Test func roundTripsWhatDescriptionWrites() throws {
        for text in [
            "0", "1", "256", "18446744073709551615", "18446744073709551616", "79228162514264337593543950336",
            "340282366920938463463374607431768211455", "340282366920938463463374607431768211456",
        ] {
            #expect(AddressCount(decimal: text)?.description == text)
        }
        #expect(AddressCount(decimal: "256") == AddressCount(256))
        #expect(try AddressCount(decimal: "79228162514264337593543950336") == IPv6Prefix("2001:db8::/32").addressCount)
    }

    @Test func refusesAnythingElse() {
        for text in [
            "", "-1", "+1", " 1", "1 ", "01", "1e3", "0x10", "١", "340282366920938463463374607431768211457",
            "999999999999999999999999999999999999999", "3402823669209384634633746074317682114560",
        ] {
            #expect(AddressCount(decimal: text) == nil, "\(text)")
        }
    }
}
