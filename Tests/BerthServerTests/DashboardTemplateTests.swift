import BerthNet
import BerthStore
import Foundation
import Hummingbird
import Testing

@testable import BerthServer

/// The dashboard's Mustache templates: loaded from the resource bundle, every value escaped for
/// HTML, and a missing or broken template reported in one line.
@Suite struct DashboardTemplateTests {
    static let hostile = #"<script>alert("x")</script> & 'it'"#
    static let escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;it&#39;"

    static func templates() throws -> DashboardTemplates {
        try DashboardTemplates.load()
    }

    static func prefix(_ s: String) throws -> IPPrefix { try IPPrefix(s) }

    @Test func bundledTemplatesUseOnlyEscapingTags() throws {
        let directory = try DashboardTemplates.bundledDirectory()
        for name in DashboardTemplates.names {
            let text = try String(contentsOf: directory.appendingPathComponent(name + ".mustache"), encoding: .utf8)
            #expect(!text.contains("{{{") && !text.contains("{{&"), "\(name).mustache writes a value unescaped")
            #expect(!text.contains("<script"), "\(name).mustache has a script")
        }
    }

    @Test func signinPageEscapesTheErrorAndCSRF() throws {
        let html = try Self.templates().render(SigninPage(csrf: Self.hostile, error: Self.hostile))
        #expect(!html.contains("<script>"))
        #expect(html.contains(#"<p class="error">\#(Self.escaped)</p>"#))
        #expect(html.contains(#"<input type="hidden" name="csrf" value="\#(Self.escaped)">"#))
        #expect(html.hasPrefix("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign in</title><style>"))
        #expect(html.hasSuffix("</form>\n</body></html>\n"))
        let plain = try Self.templates().render(SigninPage(csrf: "c", error: nil))
        #expect(!plain.contains("class=\"error\""))
    }

    @Test func poolsPageEscapesPoolNameOwnerTokenNameAndQuery() throws {
        let prefix = try Self.prefix("10.0.0.0/24")
        let pool = Pool(id: 1, name: Self.hostile, prefix: prefix, quarantine: 0, createdAt: 0)
        let block = Allocation(
            id: 1, pool: pool.name, prefix: try Self.prefix("10.0.0.64/26"), owner: Self.hostile, note: Self.hostile,
            state: .allocated, requestID: nil, createdAt: 0, expiresAt: nil, endedAt: nil, quarantineUntil: nil)
        let usage = PoolUsage(
            pool: pool, allocated: 1, reserved: 0, quarantined: 0, usedAddresses: block.prefix.addressCount,
            freeAddresses: block.prefix.addressCount, utilization: 0.25, freeBlocksByLength: [],
            fragmentation: 0.5, largestFree: try Self.prefix("10.0.0.128/25"))
        let event = HistoryEvent(
            seq: 1, allocationID: 1, pool: pool.name, prefix: block.prefix, kind: .allocate, owner: Self.hostile,
            at: 0, quarantineUntil: nil, actor: Self.hostile)
        let search = PoolsPage.SearchResult(
            error: nil,
            found: .init(
                query: Self.hostile, pool: Self.hostile,
                holder: .init(prefix: "10.0.0.64/26", state: "allocated", owner: Self.hostile), events: [EventRow(event, showPool: false)]))
        let page = PoolsPage(
            header: PageHeader(user: SignedInUser(name: Self.hostile, scope: "read"), csrf: "token"),
            pools: [PoolsPage.PoolRow(usage, [block])],
            query: Self.hostile, search: search)
        let html = try Self.templates().render(page)
        #expect(!html.contains("<script>") && !html.contains(#"alert("x")"#) && !html.contains("'it'"))
        let e = Self.escaped
        #expect(html.contains("Signed in as \(e) (read)"))
        #expect(
            html.contains(
                "<tr><td>\(e)</td><td>10.0.0.0/24</td><td>25.0 %</td><td>50.0 %</td><td>1</td><td>0</td><td>0</td><td>64</td><td>10.0.0.128/25</td></tr>\n"
            ))
        #expect(html.contains("<h3>\(e) 10.0.0.0/24</h3>\n<svg class=\"map\" role=\"img\" aria-label=\"prefix map of \(e)\""))
        #expect(
            html.contains(
                #"<rect class="allocated" x="240.00" y="0" width="240.00" height="28"><title>10.0.0.64/26 allocated \#(e)</title></rect></svg>"#
            ))
        #expect(html.contains(#"<input name="q" value="\#(e)">"#))
        #expect(html.contains("<p id=\"holder\">\(e) is in pool <b>\(e)</b>; held by 10.0.0.64/26 (allocated, owner \(e)).</p>"))
        #expect(html.contains("<tr><td>1970-01-01T00:00:00Z</td><td>allocate</td><td>10.0.0.64/26</td><td>\(e)</td><td>\(e)</td></tr>\n"))
        // The note is not shown on the dashboard.
        #expect(html.components(separatedBy: e).count - 1 == 11)
    }

    @Test func searchErrorAndFreeAddress() throws {
        let t = try Self.templates()
        func page(_ search: PoolsPage.SearchResult?) -> String {
            t.render(
                PoolsPage(
                    header: PageHeader(user: SignedInUser(name: "viewer", scope: "read"), csrf: "c"), pools: [], query: "q", search: search)
            )
        }
        let bad = page(PoolsPage.SearchResult(error: Self.hostile, found: nil))
        #expect(bad.contains("<button type=\"submit\">Search</button></form>\n<p class=\"error\">\(Self.escaped)</p></section>\n"))
        let free = page(PoolsPage.SearchResult(error: nil, found: .init(query: "10.0.0.1", pool: "pods", holder: nil, events: [])))
        #expect(free.contains("<p id=\"holder\">10.0.0.1 is in pool <b>pods</b>; free.</p>\n<table id=\"history\">"))
        let none = page(nil)
        #expect(none.contains("<button type=\"submit\">Search</button></form>\n</section>\n\n</body></html>\n"))
        #expect(!none.contains("holder") && !none.contains("class=\"error\""))
    }

    @Test func historyPageEscapesFilterFieldsAndRows() throws {
        let fields = HistoryFields(["pool": "pods", "actor": Substring(Self.hostile), "action": "release", "from": "\"'", "to": "&"])
        let event = HistoryEvent(
            seq: 1, allocationID: 1, pool: "pods", prefix: try Self.prefix("10.0.0.0/24"), kind: .release,
            owner: Self.hostile, at: 86_400, quarantineUntil: nil, actor: nil)
        let html = try Self.templates().render(
            HistoryPage(
                header: PageHeader(user: SignedInUser(name: "netops", scope: "admin"), csrf: "c"), fields: fields,
                events: [event], limit: 1))
        #expect(!html.contains("<script>"))
        #expect(html.contains(#"<input name="actor" value="\#(Self.escaped)">"#))
        #expect(
            html.contains(#"<input name="from" value="&quot;&#39;" placeholder"#)
                && html.contains(#"<input name="to" value="&amp;" placeholder"#))
        #expect(
            html.contains(#"<option value="release" selected>release</option>"#)
                && html.contains(#"<option value="allocate">allocate</option>"#))
        #expect(html.contains("<p id=\"history-count\">1 event (the newest 1; narrow the filter to see older ones)</p>"))
        #expect(
            html.contains(
                "<tr><td>1970-01-02T00:00:00Z</td><td>pods</td><td>release</td><td>10.0.0.0/24</td><td>\(Self.escaped)</td><td>-</td></tr>\n"
            ))
    }

    /// A copy of the bundled templates in a fresh folder, for breaking one.
    static func copyOfTemplates() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("berth-templates-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: try DashboardTemplates.bundledDirectory(), to: dir)
        return dir
    }

    @Test func aBrokenTemplateIsReportedInOneLine() throws {
        let dir = try Self.copyOfTemplates()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try DashboardTemplates.load(from: dir)
        let file = dir.appendingPathComponent("pools.mustache")
        try "<p>\n{{#pools}}<td>{{name}}</td>{{/pool}}\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: ServerStartError.self) { try DashboardTemplates.load(from: dir) }
        do {
            _ = try DashboardTemplates.load(from: dir)
        } catch {
            #expect(
                error.message
                    == "the dashboard template '\(file.path)' does not parse: line 2, column 31: a section is closed with another name than it was opened with"
            )
        }
        try "{{#pools}}<td>{{name}}</td>\n".write(to: file, atomically: true, encoding: .utf8)
        do {
            _ = try DashboardTemplates.load(from: dir)
            Issue.record("an unclosed section loaded")
        } catch {
            #expect(
                error.message.hasPrefix("the dashboard template '\(file.path)' does not parse: line ")
                    && error.message.hasSuffix(": a section is not closed"))
            #expect(!error.message.contains("\n"))
        }
        try FileManager.default.removeItem(at: file)
        do {
            _ = try DashboardTemplates.load(from: dir)
            Issue.record("a missing template loaded")
        } catch {
            #expect(error.message == "cannot read the dashboard template '\(file.path)'")
        }
    }
}
