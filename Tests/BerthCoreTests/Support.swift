import BerthCore
import Foundation

/// Paths and helpers shared by the tests.
enum Fixtures {
    static let testsDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let repoRoot = testsDir.deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = testsDir.appendingPathComponent("Fixtures")
    static let golden = testsDir.appendingPathComponent("Golden")
    static let example = repoRoot.appendingPathComponent("examples/acme/platform.yaml")
    static var recording: Bool { ProcessInfo.processInfo.environment["BERTH_RECORD"] == "1" }

    static func text(_ url: URL) -> String { (try? String(contentsOf: url, encoding: .utf8)) ?? "" }

    static var base: String { text(fixtures.appendingPathComponent("base.yaml")) }

    /// Checks `text` as `file`, returning the diagnostics formatted without source lines.
    static func check(_ text: String, file: String = "spec.yaml", versions: String? = nil) -> LoadedSpec {
        Pipeline.check(text: text, file: file, versions: versions.map { ("versions.yaml", $0) })
    }

    static func lines(_ l: LoadedSpec) -> [String] {
        l.diagnostics.map { d in
            let loc = d.location.map { "\($0): " } ?? ""
            return "\(loc)\(d.severity.rawValue): \(d.message)"
        }
    }

    /// `base.yaml` with one substring replaced; fails loudly if the anchor is missing.
    static func mutate(_ old: String, _ new: String) -> String {
        precondition(base.contains(old), "fixture anchor not found: \(old)")
        return base.replacingOccurrences(of: old, with: new)
    }
}
