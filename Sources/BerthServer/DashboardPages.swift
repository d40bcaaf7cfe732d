import BerthNet
import BerthStore
import Foundation
import Mustache

/// The dashboard's Mustache templates (templates/*.mustache in this target's resource bundle),
/// read and parsed once when the server starts. Every value reaches the HTML through `{{name}}`,
/// which escapes `& < > " '`; no template uses the unescaped `{{{name}}}` or `{{&name}}`.
struct DashboardTemplates: Sendable {
    /// Every template, by name (file name without `.mustache`); the pages and the partials they use.
    static let names = ["layout", "header", "signin", "pools", "map", "search", "events", "history"]

    let library: MustacheLibrary

    /// The templates of the resource bundle beside the binary.
    static func load() throws(ServerStartError) -> DashboardTemplates {
        try load(from: bundledDirectory())
    }

    /// The templates of `directory`: each of `names` must be there and parse.
    static func load(from directory: URL) throws(ServerStartError) -> DashboardTemplates {
        var library = MustacheLibrary()
        for name in names {
            let file = directory.appendingPathComponent(name + ".mustache")
            guard let data = FileManager.default.contents(atPath: file.path), let text = String(data: data, encoding: .utf8) else {
                throw ServerStartError(message: "cannot read the dashboard template '\(file.path)'")
            }
            do {
                library.register(try MustacheTemplate(string: text), named: name)
            } catch let error as MustacheTemplate.ParserError {
                throw ServerStartError(
                    message: "the dashboard template '\(file.path)' does not parse: "
                        + "line \(error.context.lineNumber), column \(error.context.columnNumber): \(reason(error.error))")
            } catch {
                throw ServerStartError(message: "the dashboard template '\(file.path)' does not parse: \(error)")
            }
        }
        return DashboardTemplates(library: library)
    }

    /// `templates` in the resource bundle that the build puts beside the binary. Looked for by hand
    /// first on Linux: `Bundle.module` stops the process (fatalError) when the bundle is missing.
    static func bundledDirectory() throws(ServerStartError) -> URL {
        #if os(Linux)
            let beside = Bundle.main.bundleURL.appendingPathComponent("berth_BerthServer.resources")
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: beside.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ServerStartError(
                    message:
                        "the dashboard templates are missing: no berth_BerthServer.resources beside the binary in '\(Bundle.main.bundleURL.path)'"
                )
            }
        #endif
        guard let url = Bundle.module.url(forResource: "templates", withExtension: nil) else {
            throw ServerStartError(
                message: "the dashboard templates are missing from the resource bundle '\(Bundle.module.bundleURL.path)'")
        }
        return url
    }

    /// The parser's error in words (its own name for the rarer ones).
    static func reason(_ error: any Error) -> String {
        guard let error = error as? MustacheTemplate.Error else { return "\(error)" }
        switch error {
        case .sectionCloseNameIncorrect: return "a section is closed with another name than it was opened with"
        case .unfinishedName: return "a tag is not closed"
        case .expectedSectionEnd: return "a section is not closed"
        case .textInsideInheritSection: return "text inside an inheritance section"
        case .illegalTokenInsideInheritSection: return "a tag that is not a block inside an inheritance section"
        default: return "\(error)"
        }
    }

    /// The page rendered with its template (`load` made sure every one of `names` is there, so
    /// the library never answers nil here).
    func render(_ page: some DashboardPage) -> String {
        library.render(page, withTemplate: type(of: page).template) ?? ""
    }
}

/// The values of one page; `template` names its Mustache template.
protocol DashboardPage {
    static var template: String { get }
}

/// The signed-in token, shown in every page's header.
struct SignedInUser {
    let name: String
    let scope: String
}

extension SignedInUser {
    init(_ token: TokenRecord) {
        self.init(name: token.name, scope: token.scope.rawValue)
    }
}

/// The header of every signed-in page (templates/header.mustache): who is signed in, and the
/// session's CSRF token for its sign-out form.
struct PageHeader {
    let user: SignedInUser
    let csrf: String
}

/// One history event as a row of templates/events.mustache (`showPool`: the history page's pool column).
struct EventRow {
    let at: String
    let showPool: Bool
    let pool: String
    let kind: String
    let prefix: String
    let owner: String
    let actor: String

    init(_ e: HistoryEvent, showPool: Bool) {
        at = LedgerTime.format(e.at)
        self.showPool = showPool
        pool = e.pool
        kind = e.kind.rawValue
        prefix = "\(e.prefix)"
        owner = e.owner ?? "-"
        actor = e.actor ?? "-"
    }
}

struct SigninPage: DashboardPage {
    static let template = "signin"
    let title = "Sign in"
    let csrf: String
    let error: String?
}

struct PoolsPage: DashboardPage {
    static let template = "pools"
    let title = "berth IPAM"
    let header: PageHeader
    let pools: [PoolRow]
    let query: String
    let search: SearchResult?

    struct PoolRow {
        let name: String
        let prefix: String
        let utilisation: String
        let fragmentation: String
        let allocated: String
        let reserved: String
        let quarantined: String
        let free: String
        let largestFree: String
        let map: PrefixMap

        init(_ u: PoolUsage, _ blocks: [Allocation]) {
            name = u.pool.name
            prefix = "\(u.pool.prefix)"
            utilisation = Self.pct(u.utilization)
            fragmentation = Self.pct(u.fragmentation)
            allocated = "\(u.allocated)"
            reserved = "\(u.reserved)"
            quarantined = "\(u.quarantined)"
            free = "\(u.freeAddresses)"
            largestFree = u.largestFree.map { "\($0)" } ?? "-"
            map = PrefixMap(u.pool, blocks)
        }

        static func pct(_ v: Double) -> String { String(format: "%.1f %%", v * 100) }
    }

    /// A search by address or prefix: the message of a bad query or store error, or what was found.
    struct SearchResult {
        let error: String?
        let found: Found?

        struct Found {
            let query: String
            let pool: String
            let holder: Holder?
            let events: [EventRow]
        }

        struct Holder {
            let prefix: String
            let state: String
            let owner: String
        }
    }
}

/// One pool's blocks as an SVG bar: each live block at its offset in the pool, coloured by
/// state, on a free background. Blocks too small to see are drawn one pixel wide.
struct PrefixMap {
    let pool: String
    let width = 960
    let height = 28
    let blocks: [Block]

    struct Block {
        let state: String
        /// Offset and width in pixels, two decimals.
        let x: String
        let width: String
        let prefix: String
        let owner: String

        /// The block of `allocation`, drawn `x` pixels from the left and `width` pixels wide.
        init(_ allocation: Allocation, x: Double, width: Double) {
            state = allocation.state.rawValue
            self.x = String(format: "%.2f", x)
            self.width = String(format: "%.2f", width)
            prefix = "\(allocation.prefix)"
            owner = allocation.owner ?? ""
        }
    }

    init(_ pool: Pool, _ allocations: [Allocation]) {
        self.pool = pool.name
        let width = Double(self.width)
        let total = Double(pool.prefix.addressCount.description) ?? 1
        func value(_ a: IPAddress) -> Double {
            switch a {
            case .v4(let v): return Double(v.value)
            case .v6(let v): return Double(v.high) * 18_446_744_073_709_551_616 + Double(v.low)
            }
        }
        func offset(_ p: IPPrefix) -> Double { (value(p.first) - value(pool.prefix.first)) / total }
        blocks = allocations.filter(\.state.isLive).map { b in
            let x = offset(b.prefix) * width
            let w = max(1, (Double(b.prefix.addressCount.description) ?? 0) / total * width)
            return Block(b, x: x, width: w)
        }
    }
}

struct HistoryPage: DashboardPage {
    static let template = "history"
    let title = "berth IPAM: history"
    let header: PageHeader
    let filter: Filter
    let count: String
    let truncated: Bool
    let limit: Int
    let events: [EventRow]

    /// The filter form: the fields as given, and the choice of actions with the given one selected.
    struct Filter {
        let fields: HistoryFields
        let actions: [Action]

        struct Action {
            let name: String
            let selected: Bool
        }

        init(_ fields: HistoryFields) {
            self.fields = fields
            actions = HistoryEvent.Kind.allCases.map { Action(name: $0.rawValue, selected: fields.action == $0.rawValue) }
        }
    }

    init(header: PageHeader, fields: HistoryFields, events: [HistoryEvent], limit: Int) {
        self.header = header
        filter = Filter(fields)
        count = "\(events.count) event\(events.count == 1 ? "" : "s")"
        truncated = events.count >= limit
        self.limit = limit
        self.events = events.map { EventRow($0, showPool: true) }
    }
}
