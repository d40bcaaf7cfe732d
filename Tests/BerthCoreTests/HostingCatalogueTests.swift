import Foundation
import Testing

@testable import BerthCore

@Suite("Hosting & Network catalogue: one table per template section")
struct HostingCatalogueTests {
    /// The template as kept beside the tests (the copy of the issue's template).
    static var template: String {
        Fixtures.text(Fixtures.repoRoot.appendingPathComponent("Tests/data/template/hosting-and-network.md"))
    }

    @Test("the template berth walks is the template of the issue")
    func templateIsTheIssues() {
        #expect(HostingTemplate.text + "\n" == Self.template || HostingTemplate.text == Self.template)
    }

    @Test("every bullet of the template has a row in its section's table, and every row answers a bullet")
    func everyBulletHasARow() {
        let gaps = HostingDoc.gaps(template: Self.template)
        #expect(gaps.unanswered == [], "bullets without a row")
        #expect(gaps.unused == [], "rows without a bullet")
        let rows = HostingDoc.catalogueEntries
        #expect(Set(rows).count == rows.count, "a bullet has two rows")
        #expect(rows.count == Self.template.split(separator: "\n").filter { $0.hasPrefix("- ") }.count)
    }

    @Test("chapters and sections are the template's, in its order")
    func chaptersInOrder() {
        var chapters: [String] = []
        var sections: [String] = []
        for line in HostingTemplate.lines(Self.template) {
            if case .chapter(let t) = line { chapters.append(t) }
            if case .section(let t) = line { sections.append(t) }
        }
        #expect(HostingDoc.chapters.map(\.title) == chapters)
        #expect(HostingDoc.chapters.flatMap(\.sections).map(\.title) == sections)
    }

    @Test("a bullet added to the template without a row is caught, and so is a row whose bullet was removed")
    func unknownBulletCaught() {
        let changed = Self.template
            .replacingOccurrences(of: "- DDoS protection\n", with: "- DDoS protection\n- Quantum key distribution\n")
            .replacingOccurrences(of: "- Archive storage\n", with: "")
        let gaps = HostingDoc.gaps(template: changed)
        #expect(gaps.unanswered == ["Networking Configuration / Network Security / Quantum key distribution"])
        #expect(gaps.unused == ["Storage Infrastructure / Database Storage / Archive storage"])
        // The same bullet under another section has no row there.
        let moved = Self.template.replacingOccurrences(of: "- Firewall rules\n", with: "").replacingOccurrences(
            of: "- Ingress controller configuration\n", with: "- Ingress controller configuration\n- Firewall rules\n")
        #expect(HostingDoc.gaps(template: moved).unanswered == ["Networking Configuration / External Access / Firewall rules"])
    }

    @Test("every row's answer is written for the example, none is the fallback")
    func everyRowAnswers() throws {
        let loaded = try Pipeline.check(path: Fixtures.example.path)
        let doc = HostingDoc(spec: try #require(loaded.spec), ipPlan: loaded.ipPlan)
        for chapter in HostingDoc.chapters {
            #expect(!doc.summary(chapter.title).isEmpty, "\(chapter.title) has no summary")
            for section in chapter.sections {
                for bullet in section.bullets {
                    let answer = doc.answer(chapter.title, section.title, bullet.label)
                    #expect(answer != HostingDoc.unanswered && answer.count > 10, "\(section.title) / \(bullet.label)")
                }
            }
        }
        #expect(doc.answer("Networking Configuration", "Network Security", "Quantum key distribution") == HostingDoc.unanswered)
    }
}
