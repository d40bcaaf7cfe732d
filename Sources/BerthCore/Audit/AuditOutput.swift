/// Audit findings as text, JSON and SARIF 2.1.0. No timestamps or run times: the same spec
/// always gives the same bytes.
public enum AuditOutput {
    /// The number of findings of each severity.
    public static func counts(_ findings: [Finding]) -> [AuditSeverity: Int] {
        var c: [AuditSeverity: Int] = [:]
        for f in findings { c[f.severity, default: 0] += 1 }
        return c
    }

    /// The summary line: findings per severity, and how many are at or above `failOn`.
    public static func summary(_ findings: [Finding], failOn: AuditSeverity) -> String {
        let c = counts(findings)
        let failing = findings.filter { $0.severity >= failOn }.count
        let parts = AuditSeverity.allCases.reversed().map { "\(c[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
        return
            "berth audit: \(findings.count) finding\(findings.count == 1 ? "" : "s") (\(parts)); \(failing) at or above \(failOn.rawValue)\n"
    }

    /// `file:line:col: high BERTH-NET-001: message`, then the fix and the rendered files.
    public static func text(_ findings: [Finding], failOn: AuditSeverity) -> String {
        var out = ""
        for f in findings {
            let loc = f.location.map { "\($0): " } ?? ""
            let tags = f.compliance.isEmpty ? "" : " [\(f.compliance.joined(separator: ", "))]"
            out += "\(loc)\(f.severity.rawValue) \(f.rule): \(f.message)\(tags)\n"
            out += "    fix: \(f.fix)\n"
            if let first = f.objects.first {
                out += "    in: \(first)" + (f.objects.count > 1 ? " and \(f.objects.count - 1) more" : "") + "\n"
            }
        }
        return out + summary(findings, failOn: failOn)
    }

    static func locationJSON(_ l: SourceLocation?) -> JSONValue {
        guard let l else { return .null }
        return ["file": .string(l.file), "line": .int(l.line), "column": .int(l.column)]
    }

    /// The JSON report: every finding, the counts and the `failOn` threshold.
    public static func json(_ findings: [Finding], failOn: AuditSeverity) -> String {
        let c = counts(findings)
        let items: [JSONValue] = findings.map { f in
            [
                "rule": .string(f.rule),
                "title": .string(AuditRules.rule(f.rule).title),
                "severity": .string(f.severity.rawValue),
                "location": locationJSON(f.location),
                "message": .string(f.message),
                "fix": .string(f.fix),
                "compliance": .array(f.compliance.map { .string($0) }),
                "objects": .array(f.objects.map { .string($0) }),
            ]
        }
        let doc: JSONValue = [
            "findings": .array(items),
            "summary": .object(AuditSeverity.allCases.reversed().map { ($0.rawValue, .int(c[$0] ?? 0)) }),
            "failOn": .string(failOn.rawValue),
            "failing": .int(findings.filter { $0.severity >= failOn }.count),
        ]
        return doc.serialized(pretty: true) + "\n"
    }

    /// A SARIF 2.1.0 log with one run: every rule of the catalogue, and a result per finding.
    public static func sarif(_ findings: [Finding]) -> String {
        let rules = AuditRules.all
        let index = Dictionary(rules.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        let ruleObjects: [JSONValue] = rules.map { r in
            let tags = ["security"] + AuditRules.compliance.filter { $0.rules.contains(r.id) }.map(\.name)
            return [
                "id": .string(r.id),
                "name": .string(
                    r.title.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map { $0.prefix(1).uppercased() + $0.dropFirst() }
                        .joined()),
                "shortDescription": ["text": .string(r.title)],
                "fullDescription": ["text": .string(r.description)],
                "defaultConfiguration": ["level": .string(r.severity.sarifLevel)],
                "properties": [
                    "tags": .array(tags.map { .string($0) }),
                    "security-severity": .string(r.severity.securityScore),
                    "severity": .string(r.severity.rawValue),
                ],
            ]
        }
        let results: [JSONValue] = findings.map { f in
            var r: [(String, JSONValue)] = [
                ("ruleId", .string(f.rule))
            ]
            if let i = index[f.rule] { r.append(("ruleIndex", .int(i))) }
            r.append(("level", .string(f.severity.sarifLevel)))
            r.append(("message", ["text": .string("\(f.message). Fix: \(f.fix)")]))
            if let l = f.location {
                r.append(
                    (
                        "locations",
                        [
                            [
                                "physicalLocation": [
                                    "artifactLocation": ["uri": .string(l.file)],
                                    "region": ["startLine": .int(max(1, l.line)), "startColumn": .int(max(1, l.column))],
                                ]
                            ]
                        ]
                    ))
            }
            r.append(
                (
                    "properties",
                    [
                        "severity": .string(f.severity.rawValue),
                        "security-severity": .string(f.severity.securityScore),
                        "fix": .string(f.fix),
                        "compliance": .array(f.compliance.map { .string($0) }),
                        "objects": .array(f.objects.map { .string($0) }),
                    ]
                ))
            return .object(r)
        }
        return SARIF.log(rules: ruleObjects, results: results)
    }
}
