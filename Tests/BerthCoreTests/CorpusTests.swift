import BerthCore
import Foundation
import Testing

/// The malformed-input corpus: every file must give errors (never a crash), and the exact
/// diagnostics are pinned in `malformed/EXPECTED.txt` (rewrite with BERTH_RECORD=1).
@Suite("Malformed input corpus")
struct CorpusTests {
    static let dir = Fixtures.fixtures.appendingPathComponent("malformed")
    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
            .filter { $0.hasSuffix(".yaml") }.sorted()
    }

    static func diagnostics(for name: String) throws -> [String] {
        let path = dir.appendingPathComponent(name).path
        let loaded = try Pipeline.check(path: path)
        return loaded.diagnostics.map { d in
            let loc = d.location.map { "\(URL(fileURLWithPath: $0.file).lastPathComponent):\($0.line):\($0.column): " } ?? ""
            return "\(loc)\(d.severity.rawValue): \(d.message)"
        }
    }

    @Test("at least 25 malformed specs are kept")
    func size() {
        #expect(Self.files.count >= 25)
    }

    @Test("every malformed spec gives the pinned errors")
    func corpus() throws {
        var record = ""
        var expected: [String: [String]] = [:]
        var current = ""
        for line in Fixtures.text(Self.dir.appendingPathComponent("EXPECTED.txt")).split(separator: "\n", omittingEmptySubsequences: false)
        {
            if line.hasPrefix("== ") {
                current = String(line.dropFirst(3))
                expected[current] = []
            } else if !line.isEmpty {
                expected[current, default: []].append(String(line))
            }
        }
        for name in Self.files {
            let got = try Self.diagnostics(for: name)
            #expect(got.contains { $0.contains(": error: ") }, "\(name) produced no error")
            record += "== \(name)\n" + got.map { $0 + "\n" }.joined()
            if !Fixtures.recording {
                #expect(got == (expected[name] ?? ["<not recorded>"]), "\(name)")
            }
        }
        if Fixtures.recording {
            try record.write(to: Self.dir.appendingPathComponent("EXPECTED.txt"), atomically: true, encoding: .utf8)
        }
    }

    @Test("a 50 MB file is refused before parsing")
    func hugeFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("berth-huge-\(getpid()).yaml")
        defer { try? FileManager.default.removeItem(at: path) }
        var chunk = "berth: 1\n"
        chunk += String(repeating: "# padding padding padding padding padding padding padding padding\n", count: 16_384)
        let data = Data(chunk.utf8)
        FileManager.default.createFile(atPath: path.path, contents: nil)
        let h = try FileHandle(forWritingTo: path)
        for _ in 0..<(50 * 1024 * 1024 / data.count + 1) { h.write(data) }
        try h.close()
        let loaded = try Pipeline.check(path: path.path)
        #expect(loaded.spec == nil)
        #expect(loaded.diagnostics.map(\.message) == ["file is larger than 8 MiB; a platform spec is a few thousand lines at most"])
    }

    @Test(
        "deep nesting is refused, never a stack overflow",
        arguments: [
            String(repeating: "[", count: 100_000),
            "berth: 1\nplatform: x\n" + (0..<2000).map { String(repeating: " ", count: $0) + "a:\n" }.joined(),
            "berth: 1\ndescription: " + String(repeating: "- ", count: 50_000) + "x\n",
            String(repeating: "{a: ", count: 20_000) + "1" + String(repeating: "}", count: 20_000),
        ])
    func deepNesting(text: String) {
        let loaded = Fixtures.check(text)
        #expect(loaded.spec == nil)
        #expect(loaded.diagnostics.first?.message.hasPrefix("structure is nested more than 64 levels deep") == true)
    }

    @Test("an alias bomb under a list field costs nothing")
    func aliasBomb() {
        // a9 stands for 9^10 strings when expanded; the loader must never expand it.
        var anchors = "a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        for n in 1...9 {
            anchors += "a\(n): &a\(n) [" + Array(repeating: "*a\(n - 1)", count: 9).joined(separator: ",") + "]\n"
        }
        let text = anchors + Fixtures.base.replacingOccurrences(of: "talksTo: [api]", with: "talksTo: *a9")
        let start = Date()
        let loaded = Fixtures.check(text)
        #expect(Date().timeIntervalSince(start) < 5)
        #expect(loaded.spec == nil)
        #expect(loaded.diagnostics.contains { $0.message.hasPrefix("unknown key 'a0'") })
        #expect(loaded.diagnostics.contains { $0.message == "'services.web.talksTo[0]' must be a name, found a list" })
    }

    @Test("invalid UTF-8 is refused with a message")
    func invalidUTF8() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("berth-latin1-\(getpid()).yaml")
        defer { try? FileManager.default.removeItem(at: path) }
        try Data([0x62, 0x65, 0x72, 0x74, 0x68, 0x3A, 0x20, 0xE9, 0x0A]).write(to: path)
        let loaded = try Pipeline.check(path: path.path)
        #expect(loaded.diagnostics.map(\.message) == ["file is not valid UTF-8; expected UTF-8 YAML text"])
    }

    @Test("a missing file is an I/O error, not a diagnostic")
    func missingFile() {
        #expect(throws: BerthError.self) { try Pipeline.check(path: "/nonexistent/platform.yaml") }
    }
}
