import Foundation

extension PlatformDiff {
    /// One side of `berth diff`: the compared files of a folder written by `berth render`, or a
    /// spec checked and rendered in memory (with versions.yaml and ip-plan.lock beside it).
    public enum Input: Sendable {
        /// A folder written by `berth render`: its compared files by path.
        case folder([String: String])
        /// A spec, checked and rendered in memory: the spec and its compared files by path.
        case spec(Spec, [String: String])

        /// The compared files (`PlatformDiff.isCompared`) by path.
        public var files: [String: String] {
            switch self {
            case .folder(let f): f
            case .spec(_, let f): f
            }
        }

        /// Reads `path`: a folder's compared files, or a spec checked and rendered. Throws a
        /// `BerthError` (`.io`) when the path cannot be read, and `RefusedSpec` when it is a spec
        /// with errors (whose diagnostics the caller prints).
        public static func load(_ path: String) throws -> Input {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
                throw BerthError(.io, "cannot read '\(path)': no such file or folder")
            }
            if isDir.boolValue {
                guard let walker = FileManager.default.enumerator(atPath: path) else {
                    throw BerthError(.io, "cannot read folder '\(path)'")
                }
                var files: [String: String] = [:]
                while let rel = walker.nextObject() as? String {
                    guard PlatformDiff.isCompared(rel) else { continue }
                    guard let data = FileManager.default.contents(atPath: path + "/" + rel) else {
                        throw BerthError(.io, "cannot read '\(path)/\(rel)'")
                    }
                    files[rel] = String(decoding: data, as: UTF8.self)
                }
                return .folder(files)
            }
            let loaded = try Pipeline.check(path: path)
            guard let checked = loaded.checked, !loaded.diagnostics.hasErrors else { throw RefusedSpec(loaded: loaded) }
            var files: [String: String] = [:]
            for a in Pipeline.render(checked) where PlatformDiff.isCompared(a.path) { files[a.path] = a.contents }
            return .spec(checked.spec, files)
        }
    }

    /// A spec given to `berth diff` that has errors: nothing can be compared. The caller prints
    /// its diagnostics (`loaded.formatter(color:)`); the command exits 2.
    public struct RefusedSpec: Error, Sendable {
        /// The spec as loaded, with its diagnostics.
        public let loaded: LoadedSpec
    }

    /// What `berth diff OLD NEW` lists: the changes between the two inputs' files and, when both
    /// are specs, each volume that shrinks (a disruptive change of the spec itself). Loads `old`
    /// first, then `new` (`Input.load`, whose errors it throws).
    public static func changes(old: String, new: String) throws -> [Change] {
        let a = try Input.load(old)
        let b = try Input.load(new)
        var changes = try compare(old: a.files, new: b.files)
        if case .spec(let before, _) = a, case .spec(let after, _) = b {
            for d in PlatformChecks.storageShrink(old: before, new: after) {
                changes.append(Change(kind: .changed, key: "spec", risks: [.disruptive], paths: [], reasons: [d.message]))
            }
        }
        return changes
    }
}
