import BerthNet
import Testing

@testable import BerthStore

/// Block bounds are stored as 32 hex digits so that text order is address order.
@Suite struct HexTests {
    @Test func boundsAre32LowercaseDigits() throws {
        #expect(Hex.of(try IPAddress("10.0.0.1")) == "0000000000000000000000000a000001")
        #expect(Hex.of(try IPAddress("255.255.255.255")) == "000000000000000000000000ffffffff")
        #expect(Hex.of(try IPAddress("0.0.0.0")) == String(repeating: "0", count: 32))
        #expect(Hex.of(try IPAddress("2001:db8::ff")) == "20010db800000000" + "00000000000000ff")
        #expect(Hex.of(try IPAddress("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe")) == String(repeating: "f", count: 31) + "e")
        let p = try IPPrefix("192.168.4.0/22")
        #expect((p.startHex, p.endHex) == ("000000000000000000000000c0a80400", "000000000000000000000000c0a807ff"))
    }
}
