import ArgumentParser
import BerthCore
import Foundation

/// `--fail-on` values (the audit severities).
enum FailOn: String, ExpressibleByArgument, CaseIterable {
    case low, medium, high, critical
    var severity: AuditSeverity { AuditSeverity(rawValue: rawValue) ?? .high }
}

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Run the security and compliance rules over the spec and the objects berth renders from it.",
        discussion: """
            Exit status: 0 when no finding is at or above --fail-on, 1 when one is (or the spec has errors), \
            2 on usage or I/O errors. Rules and compliance sets: README.md, section "berth audit".
            """)

    @OptionGroup var options: SpecOptions

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, sarif }

    @Option(help: "text, json or sarif (SARIF 2.1.0).")
    var format: Format = .text

    @Option(name: .customLong("fail-on"), help: "Lowest severity that fails the run: low, medium, high or critical.")
    var failOnOption: FailOn = .high

    var failOn: AuditSeverity { failOnOption.severity }

    func run() throws {
        // Plain credentials in env are BERTH-SEC-002 findings here, not check errors.
        let findings = Audit.run(try loadCheckedWithPlan(options, waiving: [.plainSecret]))
        switch format {
        case .text: writeOut(AuditOutput.text(findings, failOn: failOn))
        case .json: writeOut(AuditOutput.json(findings, failOn: failOn))
        case .sarif: writeOut(AuditOutput.sarif(findings))
        }
        if findings.contains(where: { $0.severity >= failOn }) { throw ExitCode(.failed) }
    }
}

struct CapacityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capacity",
        abstract:
            "Requested CPU and memory per environment and node pool against capacity, zone loss, bin packing and database connections.",
        discussion:
            "Exit status: 0 when everything fits, 1 when a pool cannot hold its replicas or a database its connections (or the spec has errors), 2 on usage or I/O errors."
    )

    @OptionGroup var options: SpecOptions

    @Option(help: "Report as text or JSON.")
    var format: OutputFormat = .text

    func run() throws {
        let checked = try loadCheckedWithPlan(options)
        let report = Capacity.report(checked.spec, plan: checked.plan)
        writeOut(format == .json ? report.json() : report.text())
        if !report.problems.isEmpty { throw ExitCode(.failed) }
    }
}

struct CostCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cost",
        abstract: "Monthly cost estimate per environment at minimum and maximum scale, with the spot saving.",
        discussion: "Exit status: 0 ok, 1 when the spec or the price file has errors (with file:line:col), 2 on usage or I/O errors.")

    @OptionGroup var options: SpecOptions

    @Option(help: "Price table (YAML), e.g. examples/prices/aws-eu-west-1.yaml.", completion: .file(extensions: ["yaml", "yml"]))
    var prices: String

    @Option(help: "Report as text or JSON.")
    var format: OutputFormat = .text

    func run() throws {
        let checked = try loadCheckedWithPlan(options)
        let loaded: (PriceTable?, [Diagnostic], [String: String]) = try reportingErrors { try PriceTable.load(path: prices) }
        let (table, diags, sources) = loaded
        let formatter = DiagnosticFormatter(sources: sources.mapValues { SecretValues.redactSource($0) }, color: useColor())
        guard let table, !diags.hasErrors else {
            writeErr(formatter.text(diags))
            throw ExitCode(.failed)
        }
        let (costs, errors) = Cost.estimate(checked.spec, prices: table, plan: checked.plan)
        if !errors.isEmpty {
            writeErr(DiagnosticFormatter(sources: [:], color: useColor()).text(errors))
            throw ExitCode(.failed)
        }
        writeOut(format == .json ? Cost.json(costs, prices: table) : Cost.text(costs, prices: table))
    }
}
