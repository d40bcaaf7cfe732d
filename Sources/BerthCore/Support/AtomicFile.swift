import Foundation

/// Writes one file atomically: a temporary file beside it, then a rename over it.
public enum AtomicFile {
    public static func write(_ text: String, to path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        let tmp = (dir.isEmpty ? "." : dir) + "/.\((path as NSString).lastPathComponent).berth-tmp-\(ProcessInfo.processInfo.processIdentifier)"
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: tmp))
            if FileManager.default.fileExists(atPath: path) {
                _ = try FileManager.default.replaceItemAt(URL(fileURLWithPath: path), withItemAt: URL(fileURLWithPath: tmp))
            } else {
                try FileManager.default.moveItem(atPath: tmp, toPath: path)
            }
        } catch {
            try? FileManager.default.removeItem(atPath: tmp)
            throw BerthError(.io, "cannot write \(path): \(error.localizedDescription)")
        }
    }
}
