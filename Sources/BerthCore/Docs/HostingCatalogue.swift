/// The catalogue of the Hosting & Network document: per chapter of the template (its `##`
/// sections) the summary under the heading, and per subsection (`###`) one table mapping each
/// bullet, in the template's words, to the function that answers it from the spec. Adding a
/// bullet to the template is adding one row to its section's table; `gaps(template:)` names
/// any bullet without a row and any row without a bullet.
extension HostingDoc {
    /// One bullet of the template and its answer.
    struct Bullet: Sendable {
        var label: String
        var answer: @Sendable (HostingDoc) -> String

        init(_ label: String, _ answer: @escaping @Sendable (HostingDoc) -> String) {
            self.label = label
            self.answer = answer
        }
    }

    /// One `###` subsection: its bullets in the template's order, then the tables and diagrams
    /// that follow them.
    struct Section: Sendable {
        var title: String
        var bullets: [Bullet]
        var blocks: @Sendable (HostingDoc) -> [DocBlock]

        init(_ title: String, bullets: [Bullet], blocks: @escaping @Sendable (HostingDoc) -> [DocBlock] = { _ in [] }) {
            self.title = title
            self.bullets = bullets
            self.blocks = blocks
        }
    }

    /// One `##` chapter: the paragraph that replaces its `TODO` line, and its subsections.
    struct Chapter: Sendable {
        var title: String
        var summary: @Sendable (HostingDoc) -> String
        var sections: [Section]

        init(_ title: String, summary: @escaping @Sendable (HostingDoc) -> String, sections: [Section]) {
            self.title = title
            self.summary = summary
            self.sections = sections
        }

        func section(_ title: String) -> Section? { sections.first { $0.title == title } }
    }

    /// The template's chapters, in its order; each is defined beside the functions that answer it.
    static let chapters: [Chapter] = [
        hostingEnvironment, networkingConfiguration, storageInfrastructure, deploymentInfrastructure, environmentTopology,
        scalingAndPerformance, securityInfrastructure,
    ]

    static func chapter(_ title: String) -> Chapter? { chapters.first { $0.title == title } }

    /// What a bullet without a row says; the catalogue test keeps it out of the document.
    static let unanswered = "Not covered by the spec yet."

    func summary(_ h2: String) -> String { Self.chapter(h2)?.summary(self) ?? "" }

    func answer(_ h2: String, _ h3: String, _ bullet: String) -> String {
        Self.chapter(h2)?.section(h3)?.bullets.first { $0.label == bullet }?.answer(self) ?? Self.unanswered
    }

    func blocks(_ h2: String, _ h3: String) -> [DocBlock] { Self.chapter(h2)?.section(h3)?.blocks(self) ?? [] }

    /// Every row of the catalogue as `chapter / section / bullet`, in order.
    static var catalogueEntries: [String] {
        chapters.flatMap { c in c.sections.flatMap { s in s.bullets.map { "\(c.title) / \(s.title) / \($0.label)" } } }
    }

    /// The bullets of `template` that no row answers, and the rows that answer no bullet of it,
    /// each as `chapter / section / bullet`.
    static func gaps(template: String) -> (unanswered: [String], unused: [String]) {
        var asked: [String] = []
        var h2 = ""
        var h3 = ""
        for line in HostingTemplate.lines(template) {
            switch line {
            case .chapter(let title):
                h2 = title
                h3 = ""
            case .section(let title): h3 = title
            case .bullet(let label): asked.append("\(h2) / \(h3) / \(label)")
            default: break
            }
        }
        let rows = catalogueEntries
        return (asked.filter { !rows.contains($0) }, rows.filter { !asked.contains($0) })
    }
}
