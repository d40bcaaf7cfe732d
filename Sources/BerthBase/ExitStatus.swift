/// The exit status of a `berth` command: the table "Exit status" in README.md, which a test
/// compares with these cases. Library errors say which one they mean (`ExitStatusError`), so the
/// command line maps every error through one place.
public enum ExitStatus: Int32, Sendable, Hashable, CaseIterable {
    /// Done: the spec has no errors, nothing drifted, nothing changed.
    case ok = 0
    /// The input was refused: the spec has errors (or warnings with `--strict`), a finding at or
    /// above `--fail-on`, documentation drift, a changed diff, or the ledger refused the request
    /// or its store.
    case failed = 1
    /// Usage or I/O error: an unknown, missing or conflicting flag, an unreadable input, an
    /// output folder that cannot be written. (A ledger flag with a bad value, such as a malformed
    /// CIDR, is the ledger's refusal: 1.)
    case usage = 2
    /// A defect of berth itself (the render's references do not resolve); nothing was written.
    case internalError = 3
    /// `--server`: the server cannot be reached (connection refused, timeout, TLS failure).
    case serverUnreachable = 4
    /// `--server`: the server refused the token (401) or its scope (403).
    case serverRefused = 5
    /// `--server`: the server failed (5xx) or sent an answer berth cannot read.
    case serverFailed = 6

    /// What the status means: the row of the table "Exit status" in README.md (a test compares them).
    public var summary: String {
        switch self {
        case .ok: "ok: no errors (warnings and notes allowed), no drift, no change, the ledger did what was asked"
        case .failed:
            "refused: the spec (or the price file) has errors (with `--strict` also warnings), an audit finding at or above `--fail-on`, "
                + "a capacity problem, documentation drift (`docs --check`), a change (`diff`), "
                + "or the ledger refused the request or its store"
        case .usage:
            "usage or I/O error: an unknown, missing or conflicting flag, a malformed `BERTH_NOW`, an unreadable input, "
                + "a spec `diff` cannot render, an output folder that cannot be written"
        case .internalError: "internal error: the render's references do not resolve (a defect of berth); nothing was written"
        case .serverUnreachable: "`--server`: the server cannot be reached (connection refused, timeout, TLS failure)"
        case .serverRefused: "`--server`: the server refused the token (401) or its scope (403)"
        case .serverFailed: "`--server`: the server failed (5xx) or sent an answer berth cannot read"
        }
    }
}

/// An error that carries the one line the command line prints (`berth: error: <message>`) and
/// the exit status it ends the command with.
public protocol ExitStatusError: Error {
    /// The exit status this error means.
    var exitStatus: ExitStatus { get }
    /// The user-facing message, without the `berth: error: ` prefix.
    var message: String { get }
}
