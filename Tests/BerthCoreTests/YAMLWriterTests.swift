import Testing

@testable import BerthCore

@Suite("YAML writer")
struct YAMLWriterTests {
    @Test("the plain-byte masks hold exactly letters, digits and -._/:=@+")
    func plainBytes() {
        let extra: Set<UInt8> = Set("-._/:=@+".utf8)
        for c in UInt8.min...UInt8.max {
            let expected = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || extra.contains(c)
            #expect(YAMLBytes.isPlainByte(c) == expected, "byte \(c)")
        }
    }

    @Test("the boolean and null words are quoted in any case; longer or shorter words are not")
    func reservedWords() {
        for word in YAMLBytes.reserved.map({ String(decoding: $0, as: UTF8.self) }) {
            for variant in [word, word.uppercased(), word.prefix(1).uppercased() + word.dropFirst()] {
                #expect(!JSONValue.isPlainSafe(variant), "\(variant)")
                #expect(yamlStream([.object([("k", .string(variant))])]) == "k: \"\(variant)\"\n")
            }
            #expect(JSONValue.isPlainSafe(word + "x"), "\(word)x")
        }
        for plain in ["ye", "nul", "offf", "truee", "fals", "o", "api", "spec"] {
            #expect(JSONValue.isPlainSafe(plain), "\(plain)")
        }
        #expect(!JSONValue.isPlainSafe("a::b"))
        #expect(!JSONValue.isPlainSafe("key:"))
        #expect(!JSONValue.isPlainSafe("1abc"))
        #expect(!JSONValue.isPlainSafe("a b"))
        #expect(!JSONValue.isPlainSafe("caf\u{E9}"))
        #expect(JSONValue.isPlainSafe("registry.example.com/team/app:1.2@sha256=x+y"))
    }
}
