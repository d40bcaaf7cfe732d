import Foundation
import Testing

@testable import BerthCore

@Suite("Loader diagnostics")
struct LoaderTests {
    @Test("the base fixture and the example load without findings (the example's staging notes aside)")
    func cleanSpecs() throws {
        #expect(Fixtures.lines(Fixtures.check(Fixtures.base)).isEmpty)
        let example = try Pipeline.check(path: Fixtures.example.path)
        #expect(example.spec != nil)
        #expect(example.diagnostics.allSatisfy { $0.severity == .note && $0.code == .stagingParity }, "\(example.diagnostics)")
        #expect(example.diagnostics.count == 14)
    }

    @Test("unknown key: location, hint and the source line with a caret, verbatim")
    func unknownKeyVerbatim() {
        let text = Fixtures.mutate("    replicas: { min: 2, max: 4 }\n    talksTo", "    replica: { min: 2, max: 4 }\n    talksTo")
        let loaded = Fixtures.check(text, file: "platform.yaml")
        let f = DiagnosticFormatter(sources: loaded.sources, color: false)
        #expect(
            f.text(loaded.diagnostics) == """
                platform.yaml:18:5: error: unknown key 'replica' in 'services.web'; did you mean 'replicas'?
                    replica: { min: 2, max: 4 }
                    ^
                1 error, 0 warnings

                """)
    }

    @Test("colour codes only when asked")
    func colour() {
        let loaded = Fixtures.check(Fixtures.mutate("port: 8080", "port: 80800"))
        let plain = DiagnosticFormatter(sources: loaded.sources, color: false).text(loaded.diagnostics)
        let coloured = DiagnosticFormatter(sources: loaded.sources, color: true).text(loaded.diagnostics)
        #expect(!plain.contains("\u{1B}["))
        #expect(coloured.contains("\u{1B}[1;31merror:\u{1B}[0m"))
    }

    @Test("every error of a run is reported, not only the first")
    func allErrors() {
        let text = Fixtures.mutate("port: 8080", "port: -5\n    replica: 3\n    talkTo: [api]")
        #expect(
            Fixtures.lines(Fixtures.check(text)) == [
                "spec.yaml:17:11: error: 'services.web.port' is -5, must be from 1 to 65535",
                "spec.yaml:18:5: error: unknown key 'replica' in 'services.web'; did you mean 'replicas'?",
                "spec.yaml:19:5: error: unknown key 'talkTo' in 'services.web'; did you mean 'talksTo'?",
            ])
    }

    @Test("JSON diagnostics carry the same facts")
    func json() throws {
        let loaded = Fixtures.check(Fixtures.mutate("talksTo: [api]", "talksTo: [apl]"))
        let data = Data(DiagnosticFormatter.json(loaded.diagnostics).utf8)
        let obj = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let diags = try #require(obj["diagnostics"] as? [[String: Any]])
        #expect(obj["errors"] as? Int == 1)
        #expect(diags.first?["line"] as? Int == 19)
        #expect(diags.first?["column"] as? Int == 15)
        #expect(diags.first?["code"] as? String == "unknown-reference")
        #expect(diags.first?["message"] as? String == "unknown service 'apl' in services.web.talksTo; did you mean 'api'?")
    }

    @Test(
        "defaults are applied and documented values decode",
        arguments: [
            ("scaling.clusterAutoscaler", "true"), ("security.podSecurity", "restricted"),
            ("network.carve.pods", "17"), ("network.ingress.api", "gateway"),
        ])
    func defaults(path: String, expected: String) throws {
        let spec = try #require(Fixtures.check(Fixtures.base).spec)
        var node: SpecNode? = spec.root
        for part in path.split(separator: ".") { node = node?[String(part)] }
        let value = try #require(node)
        switch value.value {
        case .bool(let b): #expect(String(b) == expected)
        case .int(let i): #expect(String(i) == expected)
        case .string(let s): #expect(s == expected)
        default: Issue.record("unexpected value at \(path)")
        }
        #expect(value.explicit == false)
    }

    @Test(
        "quantities parse exactly",
        arguments: [
            ("250m", 250), ("1", 1000), ("0.5", 500), ("2.5", 2500), ("1Ki", 1_024_000), ("512Mi", 536_870_912_000), ("1e3", 1_000_000),
            ("1k", 1_000_000),
        ] as [(String, Int64)])
    func quantities(text: String, milli: Int64) {
        #expect(Quantity.parse(text)?.milli == milli)
    }

    @Test("malformed quantities are refused", arguments: ["250x", "", "m", "1.2.3", "-1", "Gi", "1 Gi", "0x10", ".", "1e99"])
    func badQuantities(text: String) {
        #expect(Quantity.parse(text) == nil)
    }

    @Test(
        "strings that YAML could misread are quoted on output",
        arguments: ["on", "no", "Yes", "8080", "1e3", "0755", "2024-01-01", "", " x", "a: b", "-x", "null", "~", "*a", "#c", "1.10", ".5"])
    func yamlQuoting(s: String) {
        let out = JSONValue.object([("k", .string(s))]).yaml()
        #expect(out.hasPrefix("k: \""), "\(out)")
    }

    @Test(
        "plain strings stay plain",
        arguments: ["nginx", "/healthz", "registry.acme.example/shop/web:1.8.2", "app.kubernetes.io/name", "ClusterIP"])
    func yamlPlain(s: String) {
        #expect(JSONValue.object([("k", .string(s))]).yaml() == "k: \(s)\n")
    }

    @Test("a large map is walked in parallel chunks with the entries in order, and its errors are those of the sequential walk, in order")
    func largeMapsInChunks() throws {
        let names = (0..<300).map { "svc-\($0)" }
        let clean = names.enumerated().map { "\($1): \($0 % 100)" }.joined(separator: "\n") + "\n"
        var diags: [Diagnostic] = []
        let node = try #require(SpecLoader.load(text: clean, file: "m.yaml", schema: .map(.int(min: 0, max: 99)), into: &diags))
        #expect(diags.isEmpty)
        #expect(node.entries.map { (e: SpecEntry) in e.key } == names)
        #expect(node.entries.map { $0.node.int ?? -1 } == (0..<300).map { $0 % 100 })
        #expect(node.entries[299].node.location.line == 300)

        // Errors in two chunks far apart, and a key error between them.
        var lines = clean.split(separator: "\n").map(String.init)
        lines[40] = "svc-40: 500"
        lines[150] = "Svc-150: 1"
        lines[260] = "svc-260: many"
        var bad: [Diagnostic] = []
        _ = SpecLoader.load(text: lines.joined(separator: "\n") + "\n", file: "m.yaml", schema: .map(.int(min: 0, max: 99)), into: &bad)
        #expect(
            bad.map { "\($0.location?.line ?? 0):\($0.location?.column ?? 0) \($0.message)" } == [
                "41:9 '.svc-40' is 500, must be from 0 to 99",
                "151:1 invalid name 'Svc-150' in '': use lower-case letters, digits and '-' only (DNS-1123 label)",
                "261:10 '.svc-260' must be a whole number from 0 to 99, found a string",
            ])
    }

    @Test(
        "an alias bomb spread over a large map stops at the node budget: the chunks share it, so the whole walk costs at most twice the sequential one"
    )
    func aliasBombInLargeMap() throws {
        // k0 defines a5 (9^6 strings, six lists deep: each level is one defined list and eight
        // aliases of it); the other keys name it: tens of millions of strings, all well typed.
        func level(_ n: Int) -> String {
            n == 0
                ? "&a0 [" + Array(repeating: "x", count: 9).joined(separator: ",") + "]"
                : "&a\(n) [" + level(n - 1) + "," + Array(repeating: "*a\(n - 1)", count: 8).joined(separator: ",") + "]"
        }
        func bomb(_ keys: Int) -> String { "k0: \(level(5))\n" + (1..<keys).map { "k\($0): *a5" }.joined(separator: "\n") + "\n" }
        let nested: SchemaType = .map(.list(.list(.list(.list(.list(.list(.string)))))))
        // The nodes walked, counted rather than timed (a timing would depend on the machine's load).
        func walk(_ text: String) throws -> (messages: [String], work: Int) {
            var parseDiags: [Diagnostic] = []
            let node = try #require(SpecLoader.parse(text: text, file: "bomb.yaml", into: &parseDiags))
            var w = Walker(file: "bomb.yaml")
            _ = w.walk(node, type: nested, path: "")
            return (w.diags.map(\.message), w.visited + w.chunkWork)
        }
        let expected = ["the document expands to more than 2000000 values (an alias bomb?)"]
        // 63 keys: below the parallel size, walked in order; 100 keys: in chunks, which together
        // may spend only the budget the sequential walk has, before it walks again in order.
        let sequential = try walk(bomb(Walker.parallelMapSize - 1))
        let chunked = try walk(bomb(100))
        #expect(sequential.messages == expected)
        #expect(chunked.messages == expected)
        #expect(sequential.work > Walker.maxNodes && sequential.work < Walker.maxNodes + 1_000)
        #expect(chunked.work <= 2 * sequential.work + 1_000, "\(chunked.work) nodes against \(sequential.work) in order")
    }
}
