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
///
/// Concurrent writers of one folder are serialised by an advisory lock (`flock`) on a lock
/// file beside the folder, `.<out>.berth-lock`, held from the first staging file to the swap;
/// a second writer waits for it (at most `lockTimeout` seconds). Staging folders are only
/// created by the lock holder, so any staging folder the lock holder finds is left by a run
/// that died, and only then removed.
///
/// Only regular files and folders are written; symbolic links are never followed or carried
/// over, and a symbolic link given as the output folder is refused. When the output folder is
/// a mount point (it cannot be renamed: EBUSY or EXDEV), its contents are replaced in place,
/// still under the lock: not atomic, but the marker file stays throughout.
public enum OutputWriter {
    /// Marker file that identifies a folder berth may replace.
    public static let marker = ".berth-output"

    /// Seconds a writer waits for another writer of the same folder: `BERTH_LOCK_TIMEOUT`
    /// when set to a number, else 300.
    public static var lockTimeout: Double {
        if let s = ProcessInfo.processInfo.environment["BERTH_LOCK_TIMEOUT"], let v = Double(s), v >= 0 { return v }
        return 300
    }

    /// Name of the lock file beside the output folder.
    public static func lockPath(for out: String) -> String {
        let u = URL(fileURLWithPath: out).standardizedFileURL
        return u.deletingLastPathComponent().path + "/.\(u.lastPathComponent).berth-lock"
    }

    /// Refuses an output folder that holds one of the inputs (the spec, the versions file,
    /// the lock file): replacing the folder would delete them. Inputs that do not exist are
    /// ignored. Nothing is touched.
    public static func refuseInputsInside(out: String, inputs: [(what: String, path: String)]) throws {
        guard let outReal = resolvedPath(out) else { return }
        for input in inputs {
            guard let real = realpathString(input.path) else { continue }
            if real == outReal || real.hasPrefix(outReal == "/" ? "/" : outReal + "/") {
                throw BerthError(
                    .usage,
                    "refusing to write to '\(out)': the \(input.what) '\(input.path)' lies inside it, and berth replaces that folder; choose an --out outside the folders of the inputs"
                )
            }
        }
    }

    /// Refuses an output path that is a symbolic link (berth would replace the link, not
    /// write where it points).
    public static func refuseSymlink(_ out: String) throws {
        var st = stat()
        let trimmed = out.count > 1 && out.hasSuffix("/") ? String(out.dropLast()) : out
        if lstat(trimmed, &st) == 0, (st.st_mode & S_IFMT) == S_IFLNK {
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: trimmed)) ?? "?"
            throw BerthError(
                .usage, "refusing to write to '\(out)': it is a symbolic link (to '\(target)'); give the folder itself as --out")
        }
    }

    /// Creates `path` and any missing parents (like `mkdir -p`); errors name the folder and
    /// the cause. An existing folder is fine; an existing file or symbolic link is refused.
    public static func ensureFolder(_ path: String) throws {
        var st = stat()
        if lstat(path, &st) == 0 {
            switch st.st_mode & S_IFMT {
            case S_IFDIR: return
            case S_IFLNK: try refuseSymlink(path)
            default: throw BerthError(.usage, "cannot write to '\(path)': it is a file, not a folder")
            }
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path { try ensureFolder(parent) }
        if mkdir(path, 0o755) != 0, errno != EEXIST {
            throw BerthError(.io, "cannot create the folder '\(path)': \(Sys.why())")
        }
    }

    /// `waiting` is called once when another writer holds the folder's lock.
    public static func write(_ artifacts: [Artifact], to out: String, waiting: (() -> Void)? = nil) throws {
        let (outPath, parent, base) = try outputLocation(out)
        let lock = try FolderLock.acquire(path: "\(parent)/.\(base).berth-lock", out: out, timeout: lockTimeout, waiting: waiting)
        defer { lock.release() }

        // Under the lock: nobody else is between staging and swap.
        try refuseSymlink(out)
        try cleanStale(parent: parent, base: base)
        let device = try existingOutputDevice(outPath, display: out)
        let exists = device != nil
        var parentStat = stat()
        if let device, stat(parent, &parentStat) == 0, parentStat.st_dev != device {
            try replaceInPlace(artifacts, out: outPath, display: out)
            return
        }

        let pid = ProcessInfo.processInfo.processIdentifier
        let staging = "\(parent)/.\(base).berth-new-\(pid)"
        let previous = exists && Sys.isRegular(outPath + "/" + marker) ? outPath : nil
        do {
            try writeTree(artifacts, into: staging, previous: previous)
            // One flush for the whole tree before it becomes visible.
            if berth_sync_filesystem(staging) != 0 {
                throw BerthError(.io, "cannot flush '\(staging)' to disk: \(Sys.why())")
            }
        } catch {
            try? Sys.removeTree(staging)
            throw error
        }
        guard exists else {
            if rename(staging, outPath) != 0 {
                let why = Sys.why()
                try? Sys.removeTree(staging)
                throw BerthError(.io, "cannot create '\(out)': renaming '\(staging)' to it failed: \(why)")
            }
            return
        }
        try swapIn(artifacts, staging: staging, out: outPath, display: out, old: "\(parent)/.\(base).berth-old-\(pid)")
    }

    /// The output folder's standardized path, its parent folder (which must exist) and its name;
    /// refuses the root, `.`, `..` and a symbolic link.
    private static func outputLocation(_ out: String) throws -> (path: String, parent: String, base: String) {
        let outURL = URL(fileURLWithPath: out).standardizedFileURL
        let outPath = outURL.path
        let parent = outURL.deletingLastPathComponent().path
        let base = outURL.lastPathComponent
        guard !base.isEmpty, base != "/", outPath != "/", base != ".", base != ".." else {
            throw BerthError(.usage, "refusing to write to '\(out)'")
        }
        try refuseSymlink(out)
        var st = stat()
        guard stat(parent, &st) == 0 else {
            throw BerthError(.io, "cannot write to '\(out)': the folder '\(parent)': \(Sys.why())")
        }
        guard (st.st_mode & S_IFMT) == S_IFDIR else {
            throw BerthError(.io, "cannot write to '\(out)': '\(parent)' is not a folder")
        }
        return (outPath, parent, base)
    }

    /// The device of the existing output folder, nil when there is none; refuses a file, a
    /// folder berth did not write, and one whose entries cannot be removed.
    private static func existingOutputDevice(_ outPath: String, display out: String) throws -> dev_t? {
        var st = stat()
        if lstat(outPath, &st) == 0 {
            guard (st.st_mode & S_IFMT) == S_IFDIR else {
                throw BerthError(.usage, "cannot write to '\(out)': it is a file, not a folder")
            }
            let contents = try Sys.entries(outPath)
            if !contents.isEmpty, !contents.contains(marker) {
                throw BerthError(
                    .usage,
                    "refusing to replace '\(out)': it is not empty and was not written by berth (no \(marker) file); choose another --out or empty it"
                )
            }
            try checkRemovable(outPath, display: out)
            return st.st_dev
        } else if errno != ENOENT {
            throw BerthError(.io, "cannot write to '\(out)': \(Sys.why())")
        }
        return nil
    }

    /// Puts the flushed `staging` tree in place of the existing output: an atomic exchange where
    /// the filesystem has one, else the old tree moved aside to `old` first; a mount point is
    /// replaced in place.
    private static func swapIn(_ artifacts: [Artifact], staging: String, out outPath: String, display out: String, old: String) throws {
        if berth_exchange_paths(staging, outPath) == 0 {
            // `staging` now holds the old tree.
            do {
                try Sys.removeTree(staging)
            } catch let e as BerthError {
                // Put the old tree back rather than leave it beside the output.
                if berth_exchange_paths(staging, outPath) == 0 { try? Sys.removeTree(staging) }
                throw BerthError(.io, "cannot replace '\(out)': the old output could not be removed: \(e.message)")
            }
            return
        }
        let exchangeErrno = errno
        if exchangeErrno == EBUSY || exchangeErrno == EXDEV {
            try? Sys.removeTree(staging)
            try replaceInPlace(artifacts, out: outPath, display: out)
            return
        }
        // Fallback for filesystems without an atomic exchange: move the old tree aside first.
        if rename(outPath, old) != 0 {
            let e = errno
            try? Sys.removeTree(staging)
            if e == EBUSY || e == EXDEV {
                try replaceInPlace(artifacts, out: outPath, display: out)
                return
            }
            throw BerthError(.io, "cannot replace '\(out)': moving it to '\(old)' failed: \(Sys.why(e))")
        }
        if rename(staging, outPath) != 0 {
            let why = Sys.why()
            _ = rename(old, outPath)
            try? Sys.removeTree(staging)
            throw BerthError(.io, "cannot replace '\(out)': renaming '\(staging)' to it failed: \(why)")
        }
        do {
            try Sys.removeTree(old)
        } catch let e as BerthError {
            throw BerthError(.io, "wrote '\(out)', but the old output could not be removed: \(e.message)")
        }
    }

    /// Replaces the contents of `out` in place (for a mount point, which cannot be renamed).
    /// The new tree is staged inside `out`, the old entries are removed (the marker last, so a
    /// crash never leaves a berth folder without it), and the new entries are renamed in.
    static func replaceInPlace(_ artifacts: [Artifact], out: String, display: String) throws {
        let pid = ProcessInfo.processInfo.processIdentifier
        let stagingName = ".berth-new-\(pid)"
        let staging = out + "/" + stagingName
        for name in try Sys.entries(out) where name.hasPrefix(".berth-new-") {
            try Sys.removeTree(out + "/" + name)
        }
        do {
            try writeTree(artifacts, into: staging, previous: Sys.isRegular(out + "/" + marker) ? out : nil)
            if berth_sync_filesystem(staging) != 0 {
                throw BerthError(.io, "cannot flush '\(staging)' to disk: \(Sys.why())")
            }
        } catch {
            try? Sys.removeTree(staging)
            throw error
        }
        for name in try Sys.entries(out) where name != stagingName && name != marker {
            try Sys.removeTree(out + "/" + name)
        }
        for name in try Sys.entries(staging) {
            if rename(staging + "/" + name, out + "/" + name) != 0 {
                throw BerthError(.io, "cannot replace the contents of '\(display)': renaming '\(staging)/\(name)' failed: \(Sys.why())")
            }
        }
        if rmdir(staging) != 0 {
            throw BerthError(.io, "cannot remove '\(staging)': \(Sys.why())")
        }
    }

    /// Removes staging folders left by runs that died, restoring an old tree if a fallback
    /// swap was interrupted between its two renames. Called with the folder's lock held: a
    /// staging folder is only ever created by the lock holder, so every one found here is
    /// owned by a run that is gone.
    static func cleanStale(parent: String, base: String) throws {
        let lockName = ".\(base).berth-lock"
        for n in try Sys.entries(parent) where n.hasPrefix(".\(base).berth-") && n != lockName {
            let path = "\(parent)/\(n)"
            var st = stat()
            if n.hasPrefix(".\(base).berth-old-"), lstat("\(parent)/\(base)", &st) != 0, errno == ENOENT {
                if rename(path, "\(parent)/\(base)") == 0 { continue }
            }
            try Sys.removeTree(path)
        }
    }

    /// Refuses before anything is written when the old tree could not be removed after the
    /// swap (a folder in it without write permission), so no half-removed tree is left.
    static func checkRemovable(_ root: String, display: String) throws {
        var stack = [root]
        while let dir = stack.popLast() {
            if access(dir, W_OK | X_OK) != 0 {
                throw BerthError(.io, "cannot replace '\(display)': the old output cannot be removed: '\(dir)': \(Sys.why())")
            }
            for (name, isDir) in try Sys.entriesWithKinds(dir) where isDir { stack.append(dir + "/" + name) }
        }
    }

    /// Writes every artifact under `root`. Files whose bytes equal the same path in `previous`
    /// (a regular file reached without any symbolic link) are hard-linked from it instead: no
    /// new inode, no data written, mtime kept.
    static func writeTree(_ artifacts: [Artifact], into root: String, previous: String? = nil) throws {
        try Sys.makeDirectory(root)
        try makeFolders(of: artifacts, under: root)
        // Files in parallel: creating inodes is most of the cost and the kernel spreads it.
        let errors = parallelMap(0..<artifacts.count) { i -> BerthError? in
            let a = artifacts[i]
            let target = root + "/" + a.path
            if let previous, linkIfSame(previous + "/" + a.path, a.contents, to: target) {
                return nil
            }
            do {
                try writeFile(target, a.contents)
                return nil
            } catch let e as BerthError {
                return e
            } catch {
                return BerthError(.io, "cannot write '\(target)': \(error)")
            }
        }
        if let first = errors.compactMap({ $0 }).first { throw first }
        try writeFile(root + "/" + marker, "This folder is written by berth render and replaced whole on every run.\n")
    }

    /// Creates every folder the artifacts' paths need under `root` (which exists), refusing an
    /// unsafe path before anything is made. The folders are made a level at a time, parents
    /// first; within a level the folders of different parents are made side by side, those of
    /// one parent by one worker (`mkdir` holds the parent folder's lock, and on ext4 each new
    /// folder also gets its first block, so thousands of service folders made one by one were
    /// a third of the write).
    static func makeFolders(of artifacts: [Artifact], under root: String) throws {
        var made: Set<String> = [root]
        // levels[depth - 1][parent]: the new folders at that depth, by parent, in path order.
        var levels: [[String: [String]]] = []
        for a in artifacts {
            let comps = a.path.split(separator: "/")
            guard !comps.isEmpty, !comps.contains(where: { $0 == ".." || $0 == "." || $0.isEmpty }), !a.path.hasPrefix("/") else {
                throw BerthError(.io, "internal: unsafe artifact path '\(a.path)'")
            }
            var dir = root
            for (depth, c) in comps.dropLast().enumerated() {
                let parent = dir
                dir += "/" + c
                guard made.insert(dir).inserted else { continue }
                if levels.count == depth { levels.append([:]) }
                levels[depth][parent, default: []].append(dir)
            }
        }
        for level in levels {
            let groups = level.keys.sorted().map { level[$0] ?? [] }
            let errors = parallelMap(0..<groups.count) { i -> BerthError? in
                for dir in groups[i] {
                    do { try Sys.makeDirectory(dir) } catch let e as BerthError { return e } catch { return BerthError(.io, "\(error)") }
                }
                return nil
            }
            if let first = errors.compactMap({ $0 }).first { throw first }
        }
    }

    /// Hard-links `old` to `target` when `old` is a regular file, reached through no symbolic
    /// link, holding exactly `contents`. The link is made from the open descriptor, so the file
    /// compared is the file linked even if `old` is replaced in between.
    static func linkIfSame(_ old: String, _ contents: String, to target: String) -> Bool {
        let fd = berth_open_no_symlinks(old)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        guard sameContents(fd: fd, contents) else { return false }
        return linkat(AT_FDCWD, "/proc/self/fd/\(fd)", AT_FDCWD, target, AT_SYMLINK_FOLLOW) == 0
    }

    /// True when the file at `path` is a regular file (not a symbolic link) holding exactly
    /// `contents`.
    static func sameContents(_ path: String, _ contents: String) -> Bool {
        let fd = berth_open_no_symlinks(path)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return sameContents(fd: fd, contents)
    }

    /// True when the open file is a regular file holding exactly `contents` (size first).
    static func sameContents(fd: Int32, _ contents: String) -> Bool {
        var st = stat()
        let expected = contents.utf8.count
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, Int(st.st_size) == expected else { return false }
        var buffer = [UInt8](repeating: 0, count: expected + 1)
        var got = 0
        while got <= expected {
            let n = buffer.withUnsafeMutableBytes { b -> Int in
                guard let p = b.baseAddress else { return 0 }
                return read(fd, p + got, expected + 1 - got)
            }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            got += n
        }
        guard got == expected else { return false }
        // memcmp over the string's own bytes: an element-by-element comparison of a
        // collection against a String view costs a call per byte.
        var text = contents
        return text.withUTF8 { utf8 in
            buffer.withUnsafeBytes { b in
                guard let p = b.baseAddress, let q = utf8.baseAddress else { return expected == 0 }
                return memcmp(p, q, expected) == 0
            }
        }
    }

    /// Creates a new regular file with plain POSIX calls (no per-file fsync; the tree is
    /// flushed once). `O_EXCL | O_NOFOLLOW`: never writes through an existing path.
    static func writeFile(_ path: String, _ contents: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw BerthError(.io, "cannot create '\(path)': \(Sys.why())") }
        var failed = Sys.writeAll(fd, contents)
        if close(fd) != 0, failed == 0 { failed = errno }
        if failed != 0 { throw BerthError(.io, "cannot write '\(path)': \(Sys.why(failed))") }
    }
}

/// An advisory lock on a lock file beside an output folder (flock). The holder deletes the
/// file when it is done; a waiter that then gets the lock on the deleted file sees that the
/// path no longer names its file and starts again, so two writers never both hold it.
struct FolderLock {
    let fd: Int32
    let path: String

    static func acquire(path: String, out: String, timeout: Double, waiting: (() -> Void)?) throws -> FolderLock {
        let deadline = Date().addingTimeInterval(timeout)
        var told = false
        while true {
            let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw BerthError(.io, "cannot open the lock file '\(path)': \(Sys.why())") }
            var locked = false
            while true {
                if flock(fd, LOCK_EX | LOCK_NB) == 0 {
                    locked = true
                    break
                }
                let e = errno
                if e == EINTR { continue }
                guard e == EWOULDBLOCK else {
                    close(fd)
                    throw BerthError(.io, "cannot lock '\(path)': \(Sys.why(e))")
                }
                if Date() >= deadline { break }
                if !told {
                    told = true
                    waiting?()
                }
                usleep(20_000)
            }
            guard locked else {
                close(fd)
                throw BerthError(
                    .io,
                    "another berth is writing '\(out)' (it holds the lock file '\(path)'); gave up after \(Int(timeout)) s; set BERTH_LOCK_TIMEOUT to wait longer"
                )
            }
            // The previous holder may have deleted the file after we opened it.
            var mine = stat()
            var now = stat()
            if fstat(fd, &mine) == 0, lstat(path, &now) == 0, mine.st_ino == now.st_ino, mine.st_dev == now.st_dev {
                return FolderLock(fd: fd, path: path)
            }
            close(fd)
        }
    }

    func release() {
        unlink(path)
        close(fd)
    }
}

/// Small POSIX helpers whose errors name the path and the cause.
enum Sys {
    /// Writes all of `text` to `fd`, through interrupted and short writes: 0, or the errno of the
    /// write that failed.
    static func writeAll(_ fd: Int32, _ text: String) -> Int32 {
        var text = text
        return text.withUTF8 { buf in
            guard let base = buf.baseAddress else { return 0 }  // nothing to write
            var offset = 0
            while offset < buf.count {
                let n = Glibc.write(fd, base + offset, buf.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += n
            }
            return 0
        }
    }

    static func why(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

    static func isRegular(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    static func makeDirectory(_ path: String) throws {
        if mkdir(path, 0o755) != 0 { throw BerthError(.io, "cannot create the folder '\(path)': \(why())") }
    }

    /// Names in a folder, without `.` and `..`.
    static func entries(_ path: String) throws -> [String] {
        try entriesWithKinds(path).map(\.0)
    }

    /// Names in a folder with whether each is a folder (never following a symbolic link).
    static func entriesWithKinds(_ path: String) throws -> [(String, Bool)] {
        guard let dir = opendir(path) else { throw BerthError(.io, "cannot read the folder '\(path)': \(why())") }
        defer { closedir(dir) }
        var out: [(String, Bool)] = []
        while true {
            errno = 0
            guard let ent = readdir(dir) else {
                if errno != 0 { throw BerthError(.io, "cannot read the folder '\(path)': \(why())") }
                break
            }
            let name = withUnsafeBytes(of: ent.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            var isDir = ent.pointee.d_type == UInt8(DT_DIR)
            if ent.pointee.d_type == UInt8(DT_UNKNOWN) {
                var st = stat()
                isDir = lstat(path + "/" + name, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
            }
            out.append((name, isDir))
        }
        return out
    }

    /// Removes a file, a symbolic link (not what it points to) or a folder with everything in it.
    static func removeTree(_ path: String) throws {
        var st = stat()
        guard lstat(path, &st) == 0 else {
            if errno == ENOENT { return }
            throw BerthError(.io, "cannot remove '\(path)': \(why())")
        }
        guard (st.st_mode & S_IFMT) == S_IFDIR else {
            if unlink(path) != 0, errno != ENOENT { throw BerthError(.io, "cannot remove '\(path)': \(why())") }
            return
        }
        for (name, isDir) in try entriesWithKinds(path) {
            let child = path + "/" + name
            if isDir {
                try removeTree(child)
            } else if unlink(child) != 0, errno != ENOENT {
                throw BerthError(.io, "cannot remove '\(child)': \(why())")
            }
        }
        if rmdir(path) != 0, errno != ENOENT { throw BerthError(.io, "cannot remove '\(path)': \(why())") }
    }
}

/// Reads whole regular files without ever blocking on a FIFO or a device.
enum InputFile {
    /// Returns at most `limit` bytes of `path` (pass a limit above the largest accepted size
    /// to detect oversized input). Throws a `BerthError` naming `display` and the cause when
    /// the path is missing, a folder, not a regular file, or unreadable.
    static func read(_ path: String, display: String, limit: Int, expected: String) throws -> Data {
        var st = stat()
        guard stat(path, &st) == 0 else {
            if errno == ENOENT { throw BerthError(.io, "\(display): no such file") }
            throw BerthError(.io, "\(display): cannot be read: \(Sys.why())")
        }
        try requireRegular(st, display: display, expected: expected)
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw BerthError(.io, "\(display): cannot be read: \(Sys.why())") }
        defer { close(fd) }
        // The path may have changed between stat and open.
        guard fstat(fd, &st) == 0 else { throw BerthError(.io, "\(display): cannot be read: \(Sys.why())") }
        try requireRegular(st, display: display, expected: expected)
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while data.count < limit {
            let want = min(buffer.count, limit - data.count)
            let n = buffer.withUnsafeMutableBytes { b -> Int in
                guard let p = b.baseAddress else { return 0 }
                return Glibc.read(fd, p, want)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw BerthError(.io, "\(display): cannot be read: \(Sys.why())")
            }
            if n == 0 { break }
            data.append(contentsOf: buffer[0..<n])
        }
        return data
    }

    static func requireRegular(_ st: stat, display: String, expected: String) throws {
        let kind = st.st_mode & S_IFMT
        if kind == S_IFREG { return }
        let what =
            switch kind {
            case S_IFDIR: "is a directory"
            case S_IFIFO: "is a FIFO (named pipe)"
            case S_IFSOCK: "is a socket"
            case S_IFCHR, S_IFBLK: "is a device"
            default: "is not a regular file"
            }
        throw BerthError(.usage, "\(display): \(what), expected \(expected)")
    }
}

/// Paths resolved through symbolic links, for comparing where files really are.
func realpathString(_ path: String) -> String? {
    guard let p = realpath(path, nil) else { return nil }
    defer { free(p) }
    return String(cString: p)
}

/// The real path of `path`, also when it does not exist yet (its parent resolved).
func resolvedPath(_ path: String) -> String? {
    if let r = realpathString(path) { return r }
    let u = URL(fileURLWithPath: path).standardizedFileURL
    guard let parent = realpathString(u.deletingLastPathComponent().path) else { return nil }
    return (parent == "/" ? "" : parent) + "/" + u.lastPathComponent
}
