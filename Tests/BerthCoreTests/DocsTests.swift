import BerthCore
import Foundation
import Testing

@Suite("Hosting & Network document")
struct DocsTests {
    static func exampleDoc() throws -> [Artifact] {
        let loaded = try Pipeline.check(path: Fixtures.example.path)
        return HostingDoc(spec: try #require(loaded.spec), ipPlan: loaded.ipPlan).artifacts()
    }

    static func markdown(_ files: [Artifact]) -> String { files.first { $0.path == "hosting-and-network.md" }?.contents ?? "" }

    static var templateLines: [String] {
        Fixtures.text(Fixtures.repoRoot.appendingPathComponent("Tests/data/template/hosting-and-network.md"))
            .split(separator: "\n").map(String.init)
    }

    @Test("every heading and bullet of the template is present, in order")
    func structure() throws {
        let md = Self.markdown(try Self.exampleDoc()).split(separator: "\n").map(String.init)
        var cursor = 0
        for line in Self.templateLines where line.hasPrefix("#") || line.hasPrefix("- ") {
            let want = line.hasPrefix("- ") ? line + ":" : line
            guard let found = md[cursor...].firstIndex(where: { line.hasPrefix("- ") ? $0.hasPrefix(want) : $0 == want }) else {
                Issue.record("missing or out of order: \(line)")
                return
            }
            cursor = found + 1
        }
        #expect(md.contains("For monitoring details, see [Monitoring & Logging](./monitoring.md)."))
    }

    @Test("no TODO, no unanswered bullet and no empty section remains")
    func complete() throws {
        let md = Self.markdown(try Self.exampleDoc())
        #expect(!md.contains("TODO"))
        #expect(!md.contains("Not covered"))
        let lines = md.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for (i, line) in lines.enumerated() where line.hasPrefix("#") {
            let next = lines[(i + 1)...].first { !$0.isEmpty }
            #expect(next != nil && !(next ?? "").hasPrefix("#"), "section '\(line)' is empty")
        }
        for line in lines where line.hasPrefix("- ") {
            let parts = line.split(separator: ":", maxSplits: 1)
            #expect(parts.count == 2 && parts[1].trimmingCharacters(in: .whitespaces).count > 10, "thin answer: \(line)")
        }
    }

    @Test("the example's document matches the golden files (BERTH_RECORD=1 rewrites them)")
    func golden() throws {
        let files = try Self.exampleDoc()
        let dir = Fixtures.golden.appendingPathComponent("docs")
        for f in files {
            let url = dir.appendingPathComponent(f.path)
            if Fixtures.recording {
                try f.contents.write(to: url, atomically: true, encoding: .utf8)
            } else {
                #expect(Fixtures.text(url) == f.contents, "\(f.path) differs from the golden file")
            }
        }
        #expect(files.map(\.path) == ["hosting-and-network.html", "hosting-and-network.md", "ip-plan.svg", "network-policy.svg", "topology.svg", "traffic.svg"])
    }

    @Test("a spec change appears in the document")
    func specChange() throws {
        let text = Fixtures.text(Fixtures.example)
        let changed = text.replacingOccurrences(of: "rateLimit: { rps: 50, burst: 100 }", with: "rateLimit: { rps: 75, burst: 150 }")
            .replacingOccurrences(of: "shop/search:0.9.4", with: "shop/search:0.9.4\n    public: { host: find }")
        let loaded = Fixtures.check(changed)
        let md = Self.markdown(HostingDoc(spec: try #require(loaded.spec), ipPlan: loaded.ipPlan).artifacts())
        #expect(md.contains("Each client IP is limited to 75 requests/s (burst 150)"))
        #expect(md.contains("| find.acme.example | production | prod-eu | search |"))
    }

    @Test("the HTML is self-contained: no scripts, stylesheets, images or fetches from elsewhere")
    func htmlSelfContained() throws {
        let html = try #require(try Self.exampleDoc().first { $0.path == "hosting-and-network.html" }?.contents)
        let local = html.replacingOccurrences(of: "url(#", with: "")  // in-document references (SVG markers)
        for bad in ["<script", "<link", "<img", "<iframe", "@import", "url(", "src=\"http", "href=\"http", "src=\"//", "href=\"//"] {
            #expect(!local.contains(bad), "HTML contains \(bad)")
        }
        #expect(html.components(separatedBy: "<svg ").count - 1 == 4)
        #expect(html.contains("<h3 id=\"ip-address-management\">IP Address Management</h3>"))
    }

    @Test("each diagram names every cluster or service it draws")
    func diagramsNameEverything() throws {
        let files = Dictionary(uniqueKeysWithValues: try Self.exampleDoc().map { ($0.path, $0.contents) })
        let spec = try #require(try Pipeline.check(path: Fixtures.example.path).spec)
        for c in spec.clusters { #expect(files["topology.svg"]?.contains(c.name) == true, "topology lacks \(c.name)") }
        for s in spec.services {
            #expect(files["traffic.svg"]?.contains(">\(s.name)<") == true, "traffic lacks \(s.name)")
            #expect(files["network-policy.svg"]?.contains(">\(s.name)<") == true, "policy graph lacks \(s.name)")
        }
        #expect(files["ip-plan.svg"]?.contains("10.0.0.0/8") == true)
    }
}
