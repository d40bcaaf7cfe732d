import BerthCore
import Foundation
import Testing

@Suite("Diagnostic printing")
struct DiagnosticFormatterTests {
    @Test("the line index finds every line, with LF or CRLF breaks, and nothing past the end")
    func lineIndex() {
        let i = LineIndex("one\ntwo\r\n\nfour")
        #expect(i.lineCount == 4)
        #expect(i.starts == [0, 4, 9, 10])
        #expect((1...4).map { i.line($0).map(String.init) } == ["one", "two", "", "four"])
        #expect(i.line(0) == nil && i.line(5) == nil)
        let ended = LineIndex("a\r\nb\r\n")
        #expect(ended.lineCount == 2)
        #expect(ended.line(2) == "b" && ended.line(3) == nil)
        #expect(LineIndex("").lineCount == 0 && LineIndex("").line(1) == nil)
        #expect(LineIndex("é\nü").line(2) == "ü")
    }

    @Test("one line index per file, built when the formatter is made, never per diagnostic")
    func indexBuiltOnce() {
        let lines = 20_000
        let text = (1...lines).map { "key\($0): value" }.joined(separator: "\n") + "\n"
        var f = DiagnosticFormatter(sources: ["big.yaml": text, "small.yaml": "a: 1\n"], color: false)
        #expect(f.lineIndexes.count == 2)
        #expect(f.lineIndexes["big.yaml"]?.starts.count == lines + 1)
        #expect(f.lineIndexes["big.yaml"]?.lineCount == lines)
        // Every line of the file under a diagnostic: the output is what a per-line scan gives.
        let ds = (1...lines).map { Diagnostic.warning(.unknownKey, "w\($0)", at: SourceLocation(file: "big.yaml", line: $0, column: 4)) }
        let out = f.text(ds)
        let printed = out.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(printed.count == lines * 3 + 2)
        #expect(printed[0] == "big.yaml:1:4: warning: w1" && printed[1] == "key1: value" && printed[2] == "   ^")
        #expect(printed[3 * (lines - 1) + 1] == "key\(lines): value")
        #expect(printed[lines * 3] == "0 errors, \(lines) warnings")
        // Changing the sources rebuilds the index for the new text.
        f.sources = ["big.yaml": "changed\n"]
        #expect(f.lineIndexes.count == 1 && f.lineIndexes["big.yaml"]?.line(1) == "changed")
        #expect(
            f.text(Diagnostic.warning(.unknownKey, "x", at: SourceLocation(file: "big.yaml", line: 1, column: 1)))
                == "big.yaml:1:1: warning: x\nchanged\n^\n")
    }

    @Test("a location past the end of the file prints no source line")
    func pastTheEnd() {
        let f = DiagnosticFormatter(sources: ["a.yaml": "x: 1\n"], color: false)
        #expect(
            f.text(Diagnostic.error(.unknownKey, "m", at: SourceLocation(file: "a.yaml", line: 9, column: 1))) == "a.yaml:9:1: error: m\n")
        #expect(
            f.text(Diagnostic.error(.unknownKey, "m", at: SourceLocation(file: "other.yaml", line: 1, column: 1)))
                == "other.yaml:1:1: error: m\n")
    }

    @Test("an I/O error's localizedDescription is its message")
    func berthErrorDescription() {
        let e: any Error = BerthError(.io, "cannot create '/x': Permission denied")
        #expect(e.localizedDescription == "cannot create '/x': Permission denied")
    }
}
