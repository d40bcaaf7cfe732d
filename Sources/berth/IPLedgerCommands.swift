import ArgumentParser

/// The ledger subcommands of `berth ip` (pool, reserve, allocate, release, list, show, usage, history).
enum IPLedgerCommands {
    static let all: [any ParsableCommand.Type] = []
}
