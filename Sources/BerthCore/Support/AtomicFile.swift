import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Writes one file atomically: a temporary file beside it, flushed, then renamed over it.
/// Readers see the old contents or the new, never a part; a failure leaves the old file.
public enum AtomicFile {
    /// Replaces the file at `path` with `text` atomically; throws when the file cannot be written.
    public static func write(_ text: String, to path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        let tmp =
            (dir.isEmpty ? "." : dir) + "/.\((path as NSString).lastPathComponent).berth-tmp-\(ProcessInfo.processInfo.processIdentifier)"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure(path, errno) }
        var failed = Sys.writeAll(fd, text)
        if failed == 0, fsync(fd) != 0 { failed = errno }
        close(fd)
        if failed == 0, rename(tmp, path) != 0 { failed = errno }
        if failed != 0 {
            unlink(tmp)
            throw failure(path, failed)
        }
    }

    /// `cannot write PATH: <strerror>`, with the system's error as the cause.
    static func failure(_ path: String, _ code: Int32) -> BerthError {
        BerthError(
            .io, "cannot write \(path): \(String(cString: strerror(code)))", cause: POSIXErrorCode(rawValue: code).map { POSIXError($0) })
    }
}
