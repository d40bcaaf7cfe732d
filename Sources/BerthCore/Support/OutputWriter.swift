import CBerthSys
import Foundation

/// Writes a set of artifacts as a folder that replaces the previous one atomically.
///
/// The new tree is written into a sibling staging folder, then swapped into place with one
/// `renameat2(RENAME_EXCHANGE)` call, so readers see either the old tree or the new one,
/// never a mix. A run that fails or is killed leaves the previous output intact; its
/// staging folder is removed by the next run.
public enum OutputWriter {
    /// Marker file that identifies a folder berth may replace.
    public static let marker = ".berth-output"

    public static func write(_ artifacts: [Artifact], to out: String) throws {
        let fm = FileManager.default
        let outURL = URL(fileURLWithPath: out).standardizedFileURL
        let outPath = outURL.path
        let parent = outURL.deletingLastPathComponent().path
        let base = outURL.lastPathComponent
        guard !base.isEmpty, base != "/", outPath != "/" else { throw BerthError(.usage, "refusing to write to '\(out)'") }

        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: parent, isDirectory: &isDir), isDir.boolValue else {
            throw BerthError(.io, "cannot write to '\(out)': the folder '\(parent)' does not exist")
        }
        cleanStale(parent: parent, base: base)
        if fm.fileExists(atPath: outPath, isDirectory: &isDir) {
            guard isDir.boolValue else { throw BerthError(.io, "cannot write to '\(out)': it is a file, not a folder") }
            let contents = (try? fm.contentsOfDirectory(atPath: outPath)) ?? []
            if !contents.isEmpty, !fm.fileExists(atPath: outPath + "/" + marker) {
                throw BerthError(.io, "refusing to replace '\(out)': it is not empty and was not written by berth (no \(marker) file); choose another --out or empty it")
            }
        }

        let pid = ProcessInfo.processInfo.processIdentifier
        let staging = "\(parent)/.\(base).berth-new-\(pid)"
        try? fm.removeItem(atPath: staging)
        do {
            try writeTree(artifacts, into: staging)
        } catch {
            try? fm.removeItem(atPath: staging)
            throw BerthError(.io, "cannot write output: \(error.localizedDescription)")
        }
        if fm.fileExists(atPath: outPath) {
            if berth_exchange_paths(staging, outPath) == 0 {
                try? fm.removeItem(atPath: staging)  // now holds the old tree
                return
            }
            // Fallback for filesystems without an atomic exchange: move the old tree aside first.
            let old = "\(parent)/.\(base).berth-old-\(pid)"
            do {
                try fm.moveItem(atPath: outPath, toPath: old)
                try fm.moveItem(atPath: staging, toPath: outPath)
                try? fm.removeItem(atPath: old)
            } catch {
                if !fm.fileExists(atPath: outPath), fm.fileExists(atPath: old) { try? fm.moveItem(atPath: old, toPath: outPath) }
                try? fm.removeItem(atPath: staging)
                throw BerthError(.io, "cannot replace '\(out)': \(error.localizedDescription)")
            }
        } else {
            do {
                try fm.moveItem(atPath: staging, toPath: outPath)
            } catch {
                try? fm.removeItem(atPath: staging)
                throw BerthError(.io, "cannot create '\(out)': \(error.localizedDescription)")
            }
        }
    }

    /// Removes staging folders left by runs that were killed, restoring an old tree if a
    /// fallback swap was interrupted between its two renames.
    static func cleanStale(parent: String, base: String) {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: parent) else { return }
        for n in names where n.hasPrefix(".\(base).berth-") {
            let path = "\(parent)/\(n)"
            if n.hasPrefix(".\(base).berth-old-"), !fm.fileExists(atPath: "\(parent)/\(base)") {
                try? fm.moveItem(atPath: path, toPath: "\(parent)/\(base)")
            } else {
                try? fm.removeItem(atPath: path)
            }
        }
    }

    static func writeTree(_ artifacts: [Artifact], into root: String) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: root, withIntermediateDirectories: false)
        var made: Set<String> = [root]
        for a in artifacts {
            let comps = a.path.split(separator: "/")
            guard !comps.isEmpty, !comps.contains(where: { $0 == ".." || $0 == "." || $0.isEmpty }), !a.path.hasPrefix("/") else {
                throw BerthError(.io, "internal: unsafe artifact path '\(a.path)'")
            }
            var dir = root
            for c in comps.dropLast() {
                dir += "/" + c
                if made.insert(dir).inserted, !fm.fileExists(atPath: dir) {
                    try fm.createDirectory(atPath: dir, withIntermediateDirectories: false)
                }
            }
            let path = root + "/" + a.path
            guard fm.createFile(atPath: path, contents: Data(a.contents.utf8)) else {
                throw BerthError(.io, "cannot write \(a.path)")
            }
        }
        guard fm.createFile(atPath: root + "/" + marker, contents: Data("This folder is written by berth render and replaced whole on every run.\n".utf8)) else {
            throw BerthError(.io, "cannot write \(marker)")
        }
    }
}
