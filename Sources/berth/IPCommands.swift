import ArgumentParser
import BerthCore
import Foundation

/// `berth ip ...`: the address plan from the spec, and the ledger of allocations.
struct IP: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ip",
        abstract: "Plan and manage IP address space.",
        subcommands: [IPPlanCommand.self] + IPLedgerCommands.all)
}

struct IPPlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print the IP plan of a spec: every range, its size, what is free.",
        discussion: """
            Ranges are pinned by name in a lock file (default: ip-plan.lock beside the spec), so
            adding a cluster, a zone or a static address never moves an existing range. Without
            --write the lock file is only read; the changes against it are listed.
            """)

    @OptionGroup var options: SpecOptions

    @Option(help: "table or json.")
    var format: PlanFormat = .table

    @Flag(help: "Write the lock file so every range in this plan stays where it is.")
    var write = false

    enum PlanFormat: String, ExpressibleByArgument, CaseIterable { case table, json }

    func run() throws {
        let planned = try loadCheckedWithPlan(options).ipPlan
        let lockPath = options.lock ?? IPLock.defaultPath(specPath: options.spec)
        guard let plan = planned else { throw ExitCode(.failed) }
        switch format {
        case .table: writeOut(plan.table())
        case .json: writeOut(plan.json().serialized(pretty: true) + "\n")
        }
        if write {
            try reportingErrors { try AtomicFile.write(plan.lockText, to: lockPath) }
            writeErr("berth: pinned \(plan.entries.count) ranges in \(lockPath)\n")
        }
    }
}
