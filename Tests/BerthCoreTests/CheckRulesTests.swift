import Foundation
import Testing

@testable import BerthCore

/// The check catalogue: one entry per diagnostic code, every code berth emits is in it (the
/// compiler sees to that: `Diagnostic` takes a `CheckCode`), no entry goes unused, each
/// emission's severity is the catalogue's, and docs/checks.md is what the catalogue generates.
@Suite("Check catalogue")
struct CheckRulesTests {
    /// Every Swift source of the project's targets, by path relative to the repository.
    static let sources: [(path: String, text: String)] = {
        let root = Fixtures.repoRoot
        var out: [(String, String)] = []
        for dir in ["Sources", "scripts"] {
            let base = root.appendingPathComponent(dir)
            guard let walker = FileManager.default.enumerator(atPath: base.path) else { continue }
            while let rel = walker.nextObject() as? String {
                guard rel.hasSuffix(".swift") else { continue }
                out.append(("\(dir)/\(rel)", Fixtures.text(base.appendingPathComponent(rel))))
            }
        }
        return out.sorted { $0.0 < $1.0 }
    }()

    /// One diagnostic construction found in the sources: `.error(.code, ...)`,
    /// `.warning(.code, ...)` or `Diagnostic(.severity, .code, ...)`.
    struct Emission: CustomStringConvertible {
        var path: String
        var severity: String
        var code: String
        var description: String { "\(path): \(severity) \(code)" }
    }

    static let emissions: [Emission] = {
        var out: [Emission] = []
        let patterns = [
            #"(?<![A-Za-z0-9_])\.(error|warning)\(\s*\.([A-Za-z0-9]+)\s*,"#,
            #"Diagnostic(?:\.init)?\(\s*\.(error|warning|note)\s*,\s*\.([A-Za-z0-9]+)\s*,"#,
            #"Diagnostic\.(error|warning)\(\s*\.([A-Za-z0-9]+)\s*,"#,
        ]
        for (path, text) in sources where path.hasPrefix("Sources/") {
            let ns = text as NSString
            var seen: Set<Int> = []
            for p in patterns {
                guard let re = try? NSRegularExpression(pattern: p) else { continue }
                for m in re.matches(in: text, range: NSRange(location: 0, length: ns.length))
                where seen.insert(m.range(at: 2).location).inserted {
                    out.append(Emission(path: path, severity: ns.substring(with: m.range(at: 1)), code: ns.substring(with: m.range(at: 2))))
                }
            }
        }
        return out
    }()

    /// The Swift case name of each code.
    static let caseNames: [String: CheckCode] = Dictionary(uniqueKeysWithValues: CheckCode.allCases.map { (caseName($0), $0) })

    static func caseName(_ c: CheckCode) -> String {
        let parts = c.rawValue.split(separator: "-")
        return parts.enumerated().map { i, p in i == 0 ? String(p) : p.prefix(1).uppercased() + p.dropFirst() }.joined()
    }

    @Test("one entry per code, with a kebab-case code, a one-line title and both paragraphs")
    func entries() {
        #expect(CheckRules.all.count == CheckCode.allCases.count)
        #expect(Set(CheckRules.all.map(\.code)).count == CheckCode.allCases.count)
        #expect(CheckRules.all.map(\.code.rawValue) == CheckRules.all.map(\.code.rawValue).sorted())
        for r in CheckRules.all {
            #expect(r.code.rule == r)
            #expect(r.code.rawValue.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "-" }, "\(r.code)")
            #expect(!r.title.isEmpty && !r.title.hasSuffix(".") && !r.title.contains("\n") && r.title.count <= 80, "\(r.code): \(r.title)")
            #expect(r.why.count >= 60 && (r.why.hasSuffix(".") || r.why.hasSuffix(".)")), "\(r.code): why")
            #expect(r.fix.count >= 15 && r.fix.hasSuffix("."), "\(r.code): fix")
            #expect(!r.otherSeverities.contains(r.severity), "\(r.code)")
            #expect(CheckRules.rule(r.code.rawValue) == r)
        }
    }

    @Test("the case names follow the codes (unknown-key is .unknownKey)")
    func caseNamesFollowCodes() {
        // The source scan below reads case names; they must map one to one onto the codes.
        #expect(Self.caseNames.count == CheckCode.allCases.count)
        #expect(Self.caseNames["unknownKey"] == .unknownKey)
        #expect(Self.caseNames["dns01"] == .dns01)
        #expect(Self.caseNames["productionReplicasWaiver"] == .productionReplicasWaiver)
    }

    @Test("every diagnostic in Sources/ takes a catalogue code, with a severity the catalogue lists; no entry is unused")
    func emissionsMatchTheCatalogue() throws {
        let emissions = Self.emissions
        // The scan finds the constructions (149 when the catalogue was made).
        #expect(emissions.count >= 140, "\(emissions.count) emissions found")
        var used: Set<CheckCode> = []
        for e in emissions {
            let code = try #require(Self.caseNames[e.code], "\(e): not a CheckCode case")
            used.insert(code)
            let rule = code.rule
            #expect(
                ([rule.severity] + rule.otherSeverities).map(\.rawValue).contains(e.severity),
                "\(e): the catalogue says \(rule.severityText)")
        }
        let unused = CheckCode.allCases.filter { !used.contains($0) }.map(\.rawValue)
        #expect(unused.isEmpty, "catalogue entries no source emits: \(unused)")
    }

    @Test("no diagnostic is built from a string literal code")
    func noStringCodes() throws {
        // `Diagnostic` takes a CheckCode, so this cannot compile today; the scan keeps a future
        // string-taking initializer from slipping in.
        let re = try NSRegularExpression(
            pattern: #"(\.(error|warning)|Diagnostic(\.init)?\(\s*\.(error|warning|note)\s*,)\(?\s*"[a-z0-9-]+"\s*,"#)
        var hits: [String] = []
        for (path, text) in Self.sources where path.hasPrefix("Sources/") {
            let ns = text as NSString
            for m in re.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
                hits.append("\(path): \(ns.substring(with: m.range))")
            }
        }
        #expect(hits.isEmpty, "\(hits)")
    }

    @Test("docs/checks.md is what the catalogue generates (scripts/update-docs.sh rewrites it)")
    func docsMatch() {
        let committed = Fixtures.text(Fixtures.repoRoot.appendingPathComponent("docs/checks.md"))
        #expect(committed == CheckRules.markdown(), "docs/checks.md is out of date: run scripts/update-docs.sh")
        for r in CheckRules.all {
            #expect(committed.contains("\n## \(r.code.rawValue)\n"), "\(r.code)")
        }
    }

    @Test("the nearest known codes to a mistyped one")
    func nearest() {
        #expect(CheckRules.nearest("unknwn-key") == ["unknown-key"])
        #expect(CheckRules.nearest("UNKNOWN-KEY").first == "unknown-key")
        #expect(CheckRules.nearest("dns") == ["dns01", "dns-zone", "dns-server"])
        #expect(CheckRules.nearest("frobnicate").isEmpty)
        #expect(CheckRules.nearest("").isEmpty)
        #expect(CheckRules.unknownCodeMessage("unknwn-key") == "unknown check code 'unknwn-key'; did you mean 'unknown-key'?")
        #expect(CheckRules.unknownCodeMessage("dns") == "unknown check code 'dns'; did you mean 'dns01', 'dns-zone' or 'dns-server'?")
        #expect(
            CheckRules.unknownCodeMessage("frobnicate") == "unknown check code 'frobnicate'; 'berth check --explain all' lists every code")
    }

    @Test("an entry as text: code, severity and title, then why and how to fix, wrapped")
    func text() {
        let t = CheckRules.text(CheckCode.selfReference.rule)
        #expect(
            t == """
                self-reference (warning): service lists itself in talksTo

                Why it matters:
                  Traffic between the pods of one service needs no rule, so the edge does nothing; it is
                  usually a typo for another service.

                How to fix it:
                  Remove the service's own name from its `talksTo`, or name the service you meant.

                """)
        #expect(CheckRules.text(CheckCode.backupRetention.rule).hasPrefix("backup-retention (warning or error): "))
        for r in CheckRules.all {
            // The paragraphs (indented) are wrapped; the first line is code, severity and title.
            for line in CheckRules.text(r).split(separator: "\n") where line.hasPrefix("  ") {
                #expect(line.count <= 88 || !line.dropFirst(2).contains(" "), "\(r.code): \(line)")
            }
        }
    }

    @Test("the JSON form lists every entry with its fields")
    func json() throws {
        let data = Data(CheckRules.json(CheckRules.all).utf8)
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let checks = try #require(root["checks"] as? [[String: Any]])
        #expect(checks.count == CheckCode.allCases.count)
        let first = try #require(checks.first)
        #expect(Set(first.keys) == ["code", "severity", "severities", "title", "why", "fix"])
        #expect(first["code"] as? String == CheckRules.all[0].code.rawValue)
    }

    @Test("diagnostics still print the code's string in JSON")
    func diagnosticJSON() {
        let d = Diagnostic.error(.unknownKey, "m", at: nil)
        #expect(
            DiagnosticFormatter.json([d]).contains(#""code" : "unknown-key""#)
                || DiagnosticFormatter.json([d]).contains(#""code": "unknown-key""#))
    }

    @Test("SARIF: the driver lists every catalogue entry; a result per diagnostic, at its place or the spec")
    func sarif() throws {
        let ds = [
            Diagnostic.error(.unknownKey, "unknown key 'replica'", at: SourceLocation(file: "p.yaml", line: 3, column: 5)),
            Diagnostic.warning(.veleroBucket, "no bucket", at: nil),
            Diagnostic(.note, .stagingParity, "staging differs", at: SourceLocation(file: "p.yaml", line: 9, column: 1)),
        ]
        let text = CheckRules.sarif(ds, specFile: "p.yaml")
        #expect(text == CheckRules.sarif(ds, specFile: "p.yaml"))
        let log = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(log["version"] as? String == "2.1.0")
        let run = try #require((log["runs"] as? [[String: Any]])?.first)
        let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        let rules = try #require(driver["rules"] as? [[String: Any]])
        #expect(rules.map { $0["id"] as? String } == CheckRules.all.map(\.code.rawValue))
        let unknownKey = try #require(rules.first { $0["id"] as? String == "unknown-key" })
        #expect(unknownKey["name"] as? String == "UnknownKey")
        #expect((unknownKey["shortDescription"] as? [String: Any])?["text"] as? String == "unknown key")
        #expect((unknownKey["fullDescription"] as? [String: Any])?["text"] as? String == CheckCode.unknownKey.rule.why)
        #expect((unknownKey["help"] as? [String: Any])?["text"] as? String == CheckCode.unknownKey.rule.fix)
        #expect((unknownKey["defaultConfiguration"] as? [String: Any])?["level"] as? String == "error")
        let results = try #require(run["results"] as? [[String: Any]])
        #expect(results.map { $0["ruleId"] as? String } == ["unknown-key", "velero-bucket", "staging-parity"])
        #expect(results.map { $0["level"] as? String } == ["error", "warning", "note"])
        for r in results {
            let index = try #require(r["ruleIndex"] as? Int)
            #expect(rules[index]["id"] as? String == r["ruleId"] as? String)
        }
        func physical(_ r: [String: Any]) -> [String: Any]? {
            ((r["locations"] as? [[String: Any]])?.first?["physicalLocation"]) as? [String: Any]
        }
        let first = try #require(physical(results[0]))
        #expect((first["artifactLocation"] as? [String: Any])?["uri"] as? String == "p.yaml")
        #expect((first["region"] as? [String: Any])?["startLine"] as? Int == 3)
        #expect((first["region"] as? [String: Any])?["startColumn"] as? Int == 5)
        // A diagnostic without a place points at the spec, without a region.
        let second = try #require(physical(results[1]))
        #expect((second["artifactLocation"] as? [String: Any])?["uri"] as? String == "p.yaml")
        #expect(second["region"] == nil)
    }
}
