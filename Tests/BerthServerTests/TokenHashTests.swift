import Testing

@testable import BerthServer

@Suite struct TokenHashTests {
    @Test func hashIsTheSHA256InLowercaseHex() {
        // FIPS 180-2's test vectors.
        #expect(ServerToken.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(ServerToken.hash("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(ServerToken.hash(utf8: Array("xabcx".utf8).dropFirst().dropLast()) == ServerToken.hash("abc"))
    }

    @Test func generatedTokensHaveTheDocumentedShape() {
        let t = ServerToken.generate()
        #expect(t.hasPrefix("berth_") && t.count == 70)
        #expect(t.dropFirst(6).allSatisfy { "0123456789abcdef".contains($0) })
        #expect(ServerToken.generate() != t)
    }
}
