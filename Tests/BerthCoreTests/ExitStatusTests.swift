import BerthCore
import Foundation
import Testing

/// The table "Exit status" in README.md is the one the code uses: one row per `ExitStatus`, in
/// order, with its code and its `summary` word for word.
@Suite("Exit status")
struct ExitStatusTests {
    static let readme = Fixtures.repoRoot.appendingPathComponent("README.md")

    /// The rows of the table under `### Exit status`.
    static func readmeRows() throws -> [String] {
        let text = try String(contentsOf: readme, encoding: .utf8)
        let section = try #require(text.range(of: "### Exit status\n"), "README.md has no section 'Exit status'")
        var rows: [String] = []
        var inTable = false
        for line in text[section.upperBound...].split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("|") {
                inTable = true
                rows.append(String(line))
            } else if inTable {
                break
            }
        }
        return rows
    }

    @Test("README's table lists every exit status with its meaning, and nothing else")
    func readmeTable() throws {
        let want = ["| Exit | Meaning |", "|---|---|"] + ExitStatus.allCases.map { "| \($0.rawValue) | \($0.summary) |" }
        #expect(try Self.readmeRows() == want)
    }

    @Test("the codes are 0 to 6, each once")
    func codes() {
        #expect(ExitStatus.allCases.map(\.rawValue) == Array(0...6))
    }
}
