/// The SARIF 2.1.0 envelope that `berth check --format sarif` and `berth audit --format sarif`
/// share: one run of the tool `berth` with its rules and results.
enum SARIF {
    /// The log as pretty-printed JSON with a final newline.
    static func log(rules: [JSONValue], results: [JSONValue]) -> String {
        let log: JSONValue = [
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [
                [
                    "tool": [
                        "driver": [
                            "name": "berth",
                            "version": .string(Pipeline.version),
                            "semanticVersion": .string(Pipeline.version),
                            "rules": .array(rules),
                        ]
                    ],
                    "columnKind": "unicodeCodePoints",
                    "results": .array(results),
                ]
            ],
        ]
        return log.serialized(pretty: true) + "\n"
    }
}
