import Foundation
import Testing

@testable import BerthCore

@Suite("BerthError and the command line's inputs")
struct ErrorTests {
    @Test("each code means the exit status README documents")
    func codes() {
        #expect(BerthError.Code.allCases.map(\.exitStatus) == [.failed, .usage, .usage])
        #expect(BerthError(.spec, "m").exitStatus == .failed)
        #expect(BerthError(.io, "m").exitStatus == .usage)
        #expect(BerthError(.usage, "m").exitStatus == .usage)
    }

    @Test("the message stays what is printed; location and cause are carried beside it")
    func carries() throws {
        struct Cause: Error, Sendable, CustomStringConvertible { var description: String { "EACCES" } }
        let at = SourceLocation(file: "ip-plan.lock", line: 3, column: 7)
        let e = BerthError(.io, "ip-plan.lock: cannot be read", at: at, cause: Cause())
        #expect(e.message == "ip-plan.lock: cannot be read")
        #expect("\(e)" == e.message)
        #expect((e as any Error).localizedDescription == e.message)
        #expect(e.location == at)
        #expect(try #require(e.cause) is Cause)
        #expect(String(reflecting: e) == "BerthError(io, at: ip-plan.lock:3:7): ip-plan.lock: cannot be read (cause: EACCES)")
        let plain = BerthError(.usage, "refusing to write to 'out'")
        #expect(plain.location == nil && plain.cause == nil)
        #expect(String(reflecting: plain) == "BerthError(usage): refusing to write to 'out'")
        // The command line reports every library error through ExitStatusError.
        let reported: any ExitStatusError = e
        #expect(reported.exitStatus == .usage && reported.message == e.message)
    }

    static func temporaryFolder() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("berth-error-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test("diff input: a missing path is an I/O error naming it")
    func diffMissing() throws {
        let dir = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try PlatformDiff.Input.load(dir).files.isEmpty)
        do {
            _ = try PlatformDiff.Input.load(dir + "/nope")
            Issue.record("a missing path loaded")
        } catch let e as BerthError {
            #expect(e.message == "cannot read '\(dir)/nope': no such file or folder")
            #expect(e.exitStatus == .usage)
        }
    }

    @Test("diff input: a folder gives its compared files; a spec with errors is refused with its diagnostics")
    func diffInputs() throws {
        let dir = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/render/prod", withIntermediateDirectories: true)
        let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: n\n"
        try yaml.write(toFile: dir + "/render/prod/a.yaml", atomically: true, encoding: .utf8)
        let input = try PlatformDiff.Input.load(dir + "/render")
        #expect(input.files == ["prod/a.yaml": yaml])
        guard case .folder = input else {
            Issue.record("a folder loaded as a spec")
            return
        }
        try "services: [\n".write(toFile: dir + "/bad.yaml", atomically: true, encoding: .utf8)
        do {
            _ = try PlatformDiff.Input.load(dir + "/bad.yaml")
            Issue.record("a spec with errors loaded")
        } catch let refused as PlatformDiff.RefusedSpec {
            #expect(refused.loaded.diagnostics.hasErrors)
        }
        // Both sides the same folder: nothing changed.
        #expect(try PlatformDiff.changes(old: dir + "/render", new: dir + "/render").isEmpty)
    }

    @Test("docs folder: drift names changed and missing files; write creates the folder")
    func documentFolder() throws {
        let dir = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = dir + "/doc"
        let files = [Artifact(path: "a.md", contents: "A\n"), Artifact(path: "b.svg", contents: "<svg/>\n")]
        #expect(DocumentFolder.drift(files, in: out) == ["\(out)/a.md (missing)", "\(out)/b.svg (missing)"])
        try DocumentFolder.write(files, into: out)
        #expect(DocumentFolder.drift(files, in: out).isEmpty)
        try "changed\n".write(toFile: out + "/b.svg", atomically: true, encoding: .utf8)
        try "left alone\n".write(toFile: out + "/other.txt", atomically: true, encoding: .utf8)
        #expect(DocumentFolder.drift(files, in: out) == ["\(out)/b.svg"])
        try DocumentFolder.write(files, into: out)
        #expect(DocumentFolder.drift(files, in: out).isEmpty)
        #expect(try String(contentsOfFile: out + "/other.txt", encoding: .utf8) == "left alone\n")
        // A file where the folder should be: a usage error (exit 2) naming it.
        do {
            try DocumentFolder.write(files, into: out + "/other.txt")
            Issue.record("wrote into a file")
        } catch let e as BerthError {
            #expect(e.exitStatus == .usage)
            #expect(e.message.contains("other.txt"))
        }
    }
}

@Suite("AtomicFile errors")
struct AtomicFileErrorTests {
    @Test("a write that fails names the path and carries the system's error")
    func cause() throws {
        let path = "/nonexistent-berth-folder/x.txt"
        do {
            try AtomicFile.write("x", to: path)
            Issue.record("wrote into a missing folder")
        } catch let e as BerthError {
            #expect(e.message == "cannot write \(path): No such file or directory")
            #expect((e.cause as? POSIXError)?.code == .ENOENT)
        }
    }
}
