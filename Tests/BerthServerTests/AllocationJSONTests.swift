import BerthNet
import BerthStore
import Foundation
import Testing

@testable import BerthServer

/// The allocation route writes its answer without `JSONEncoder`; the bytes must be the encoder's.
@Suite struct AllocationJSONTests {
    func allocation(_ text: String?, expires: Int64? = nil, ended: Int64? = nil) throws -> Allocation {
        Allocation(
            id: 42, pool: text ?? "p", prefix: try IPPrefix("2001:db8::/64"), owner: text, note: text, state: .allocated,
            requestID: text, createdAt: 1_700_000_000, expiresAt: expires, endedAt: ended, quarantineUntil: ended)
    }

    @Test func directBytesEqualTheEncoders() throws {
        var every = ""
        for i in 0..<0x80 { every.unicodeScalars.append(Unicode.Scalar(UInt8(i))) }
        let texts: [String?] = [nil, "", "team/a", every, "é€😀\u{2028}", #"\"quoted\" \\ back"#]
        for text in texts {
            for (expires, ended) in [(nil, nil), (Int64(1_700_000_100), Int64(1_700_000_200))] as [(Int64?, Int64?)] {
                let value = AllocationJSON(try allocation(text, expires: expires, ended: ended))
                #expect(value.jsonBytes == Array(try API.encoder.encode(value)), "text \(String(describing: text))")
            }
        }
    }
}
