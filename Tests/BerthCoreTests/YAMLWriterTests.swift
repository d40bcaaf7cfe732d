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

    @Test("quoted text written as bytes is the text of writeQuoted, for every escape and multi-byte scalar")
    func quotedBytes() {
        var samples = [
            "", "plain", "a b", "say \"hi\"", "back\\slash", "line\nbreak", "cr\rtab\t", "caf\u{E9}", "\u{1F600} emoji",
            "nul\u{0}", "bell\u{7}", "esc\u{1B}[0m", "del\u{7F}", "c1\u{80}\u{85}\u{9F}", "nbsp\u{A0}", "ls\u{2028}ps\u{2029}",
            "bom\u{FEFF}", "e\u{301} combining", "\u{2027}\u{202A}\u{FEFE}\u{FFFF}", "8080", "on", "key: value",
        ]
        for c in 0..<0x100 { samples.append("x\(Character(Unicode.Scalar(UInt8(c))))y") }
        for sample in samples {
            var expected = ""
            JSONValue.writeQuoted(sample, into: &expected)
            var out = YAMLBytes()
            var s = sample
            s.withUTF8 { out.quoted($0) }
            #expect(out.string == expected, "\(Array(sample.unicodeScalars))")
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
