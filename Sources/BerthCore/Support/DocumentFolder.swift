import Foundation

/// A folder of files berth writes beside others it leaves alone (`berth docs --out`): the
/// drift check of `--check` and the writing, both here so the command line only reports.
public enum DocumentFolder {
    /// The files of `artifacts` whose copy in `folder` differs from what berth gives, in the
    /// artifacts' order: `folder/path`, or `folder/path (missing)` when there is none.
    public static func drift(_ artifacts: [Artifact], in folder: String) -> [String] {
        var drift: [String] = []
        for f in artifacts {
            let path = folder + "/" + f.path
            let current = FileManager.default.contents(atPath: path).flatMap { String(data: $0, encoding: .utf8) }
            if current != f.contents { drift.append(current == nil ? "\(path) (missing)" : path) }
        }
        return drift
    }

    /// Creates `folder` when missing and writes each artifact into it, each file atomically;
    /// other files there are left alone. Throws a `BerthError` naming the path that failed.
    public static func write(_ artifacts: [Artifact], into folder: String) throws {
        try OutputWriter.ensureFolder(folder)
        for f in artifacts { try AtomicFile.write(f.contents, to: folder + "/" + f.path) }
    }
}
