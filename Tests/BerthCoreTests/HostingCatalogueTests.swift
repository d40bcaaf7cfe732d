import Foundation
import Testing

@testable import BerthCore

@Suite("Hosting & Network catalogue: the template is the outline, one table fills it")
struct HostingCatalogueTests {
    /// The template as kept beside the tests (the copy of the issue's template).
    static var template: String {
        Fixtures.text(Fixtures.repoRoot.appendingPathComponent("Tests/data/template/hosting-and-network.md"))
    }

    @Test("the template berth walks is the template of the issue")
    func templateIsTheIssues() {
        #expect(HostingTemplate.text + "\n" == Self.template || HostingTemplate.text == Self.template)
    }

    @Test("every chapter and bullet of the template has exactly one text row, and every row names a place of the template")
    func everyBulletHasARow() {
        let gaps = HostingDoc.gaps(template: Self.template)
        #expect(gaps.unanswered == [], "places without a row")
        #expect(gaps.unused == [], "rows without a place")
        #expect(HostingDoc.duplicatePlaces() == [], "a place with two rows")
        let places = HostingDoc.places(template: Self.template)
        #expect(places.bullets.count == Self.template.split(separator: "\n").filter { $0.hasPrefix("- ") }.count)
        #expect(places.bullets.filter { $0.hasSuffix(" / Load distribution") }.count == 2)
        let texts = HostingDoc.catalogue.filter { if case .text = $0.fill { true } else { false } }.map(\.place)
        #expect(texts.count == places.chapters.count + places.bullets.count)
        #expect(Set(texts) == Set(places.chapters + places.bullets))
    }

    @Test("the catalogue is in the template's order, and blocks end sections of it")
    func chaptersInOrder() {
        let places = HostingDoc.places(template: Self.template)
        #expect(places.chapters.count == 7 && places.sections.count == 22)
        let rows = HostingDoc.catalogue.map(\.place)
        let all = places.chapters + places.sections + places.bullets
        // Template order: a chapter, then per section its blocks row (if any) and its bullets.
        let templateOrder = HostingTemplate.lines(Self.template).reduce(into: (h2: "", h3: "", out: [String]())) { acc, line in
            switch line {
            case .chapter(let t): (acc.h2, acc.h3, acc.out) = (t, "", acc.out + [t])
            case .section(let t): (acc.h3, acc.out) = (t, acc.out + [HostingDoc.place(acc.h2, t)])
            case .bullet(let t): acc.out.append(HostingDoc.place(acc.h2, acc.h3, t))
            default: break
            }
        }.out
        #expect(rows == templateOrder.filter { rows.contains($0) })
        #expect(rows.allSatisfy { all.contains($0) })
        let blocks = HostingDoc.catalogue.filter { if case .blocks = $0.fill { true } else { false } }.map(\.place)
        #expect(blocks.count == 14 && blocks.allSatisfy { places.sections.contains($0) })
    }

    @Test("a row whose place is misspelt, a row of the wrong kind, or a second row for one place, is caught")
    func typoCaught() {
        let typo = HostingDoc.catalogue.map { row in
            row.place == "Storage Infrastructure / File Storage / Cost optimization"
                ? (place: "Storage Infrastructure / File Storage / Cost optimisation", fill: row.fill) : row
        }
        let gaps = HostingDoc.gaps(template: Self.template, catalogue: typo)
        #expect(gaps.unanswered == ["Storage Infrastructure / File Storage / Cost optimization"])
        #expect(gaps.unused == ["Storage Infrastructure / File Storage / Cost optimisation"])
        let misspelt: HostingDoc.Row = (place: "Security Infrastructure / Complaince", fill: .blocks { @Sendable _ in [] })
        #expect(HostingDoc.gaps(template: Self.template, catalogue: HostingDoc.catalogue + [misspelt]).unused == [misspelt.place])
        // Blocks for a bullet, or text for a section, fill nothing.
        let wrongKind: [HostingDoc.Row] = [
            (place: "Security Infrastructure / Compliance / Audit logging", fill: .blocks { @Sendable _ in [] }),
            (place: "Security Infrastructure / Compliance", fill: .text { @Sendable _ in "" }),
        ]
        #expect(HostingDoc.gaps(template: Self.template, catalogue: HostingDoc.catalogue + wrongKind).unused == wrongKind.map(\.place))
        let noSummary = HostingDoc.catalogue.filter { $0.place != "Environment Topology" }
        #expect(HostingDoc.gaps(template: Self.template, catalogue: noSummary).unanswered == ["Environment Topology"])
        let twice = HostingDoc.catalogue + HostingDoc.catalogue.filter { $0.place.hasSuffix("/ Load distribution") }
        #expect(
            HostingDoc.duplicatePlaces(twice) == [
                "Environment Topology / Production Environment / Load distribution",
                "Scaling and Performance / Horizontal Scaling / Load distribution",
            ])
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
        var h2 = ""
        var h3 = ""
        var answered = 0
        for line in HostingTemplate.lines(Self.template) {
            switch line {
            case .chapter(let title):
                h2 = title
                #expect(!doc.summary(h2).isEmpty, "\(h2) has no summary")
            case .section(let title): h3 = title
            case .bullet(let label):
                let answer = doc.answer(h2, h3, label)
                #expect(answer != HostingDoc.unanswered && answer.count > 10, "\(h3) / \(label)")
                answered += 1
            default: break
            }
        }
        #expect(answered == HostingDoc.places(template: Self.template).bullets.count)
        // The same words in two sections, two answers.
        #expect(
            doc.answer("Scaling and Performance", "Horizontal Scaling", "Load distribution")
                != doc.answer("Environment Topology", "Production Environment", "Load distribution"))
        #expect(doc.answer("Networking Configuration", "Network Security", "Quantum key distribution") == HostingDoc.unanswered)
    }
}
