/// What every berth library shares, `JSONValue` (the form every rendered object takes) and
/// `ExitStatus`, lives in BerthBase, so that the ledger's modules need not depend on the
/// renderer; BerthCore's users see both as part of BerthCore.
@_exported public import BerthBase
