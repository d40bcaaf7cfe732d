import CBerthSys
import Foundation

#if canImport(Glibc)
import Glibc
#endif

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
        let previous = fm.fileExists(atPath: outPath + "/" + marker) ? outPath : nil
        do {
            try writeTree(artifacts, into: staging, previous: previous)
            // One flush for the whole tree before it becomes visible.
            _ = berth_sync_filesystem(staging)
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

    /// Writes every artifact under `root`. Files whose bytes equal the same path in `previous`
    /// are hard-linked from it instead: no new inode, no data written, mtime kept.
    static func writeTree(_ artifacts: [Artifact], into root: String, previous: String? = nil) throws {
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
        }
        // Files in parallel: creating inodes is most of the cost and the kernel spreads it.
        let errors = parallelMap(0..<artifacts.count) { i -> BerthError? in
            let a = artifacts[i]
            let target = root + "/" + a.path
            if let previous, sameContents(previous + "/" + a.path, a.contents), link(previous + "/" + a.path, target) == 0 {
                return nil
            }
            do {
                try writeFile(target, a.contents, display: a.path)
                return nil
            } catch let e as BerthError {
                return e
            } catch {
                return BerthError(.io, "cannot write \(a.path)")
            }
        }
        if let first = errors.compactMap({ $0 }).first { throw first }
        try writeFile(root + "/" + marker, "This folder is written by berth render and replaced whole on every run.\n", display: marker)
    }

    /// True when the file at `path` holds exactly `contents` (size first, then bytes).
    static func sameContents(_ path: String, _ contents: String) -> Bool {
        var st = stat()
        let expected = contents.utf8.count
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, Int(st.st_size) == expected else { return false }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: expected + 1)
        var got = 0
        while got <= expected {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + got, expected + 1 - got) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            got += n
        }
        guard got == expected else { return false }
        var text = contents
        return text.withUTF8 { new in buffer.withUnsafeBytes { old in memcmp(old.baseAddress!, new.baseAddress!, expected) == 0 } }
    }

    /// Creates a new file with plain POSIX calls (no per-file fsync; the tree is flushed once).
    static func writeFile(_ path: String, _ contents: String, display: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw BerthError(.io, "cannot create \(display): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var text = contents
        try text.withUTF8 { buf in
            var offset = 0
            while offset < buf.count {
                let n = Glibc.write(fd, buf.baseAddress! + offset, buf.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw BerthError(.io, "cannot write \(display): \(String(cString: strerror(errno)))")
                }
                offset += n
            }
        }
    }
}
