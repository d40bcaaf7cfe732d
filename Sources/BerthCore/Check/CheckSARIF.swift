extension CheckRules {
    /// The SARIF `name` of a rule: its code in PascalCase (`unknown-key` -> `UnknownKey`).
    static func sarifName(_ code: CheckCode) -> String {
        code.rawValue.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// `berth check --format sarif`: a SARIF 2.1.0 log with one run whose driver lists every
    /// entry of the catalogue (id, name, short and full description, help, default level), and
    /// a result per diagnostic. A diagnostic without a place points at `specFile`. No
    /// timestamps: the same spec gives the same log.
    public static func sarif(_ diagnostics: [Diagnostic], specFile: String) -> String {
        let rules = all
        let index = Dictionary(rules.enumerated().map { ($1.code, $0) }, uniquingKeysWith: { a, _ in a })
        let ruleObjects: [JSONValue] = rules.map { r in
            [
                "id": .string(r.code.rawValue),
                "name": .string(sarifName(r.code)),
                "shortDescription": ["text": .string(r.title)],
                "fullDescription": ["text": .string(r.why)],
                "help": [
                    "text": .string(r.fix),
                    "markdown": .string("**How to fix it.** \(r.fix)\n\nSee `berth check --explain \(r.code.rawValue)` or docs/checks.md."),
                ],
                "defaultConfiguration": ["level": .string(r.severity.rawValue)],
                "properties": [
                    "tags": ["berth-check"],
                    "severities": .array(([r.severity] + r.otherSeverities).map { .string($0.rawValue) }),
                ],
            ]
        }
        let results: [JSONValue] = diagnostics.map { d in
            var r: [(String, JSONValue)] = [("ruleId", .string(d.code.rawValue))]
            if let i = index[d.code] { r.append(("ruleIndex", .int(i))) }
            r.append(("level", .string(d.severity.rawValue)))
            r.append(("message", ["text": .string(d.message)]))
            var physical: [(String, JSONValue)] = [("artifactLocation", ["uri": .string(d.location?.file ?? specFile)])]
            if let l = d.location {
                physical.append(("region", ["startLine": .int(max(1, l.line)), "startColumn": .int(max(1, l.column))]))
            }
            r.append(("locations", [["physicalLocation": .object(physical)]]))
            return .object(r)
        }
        return SARIF.log(rules: ruleObjects, results: results)
    }
}
