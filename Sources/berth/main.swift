import ArgumentParser
import BerthCore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension ExitCode {
    /// The exit code of an `ExitStatus` (the table "Exit status" in README.md).
    init(_ status: ExitStatus) { self.init(status.rawValue) }
}

/// Runs `body`; a library error (`BerthError`, `LedgerError`, or a `--server` transport
/// failure) is printed as `berth: error: <message>` and ends the command with the exit status
/// the error carries. Every command reports library errors through this one place.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let e as any ExitStatusError {
        throw report(e)
    }
}

/// Prints `berth: error: <message>` and returns the exit code the error means, to throw.
func report(_ e: any ExitStatusError) -> ExitCode {
    writeErr("berth: error: \(e.message)\n")
    return ExitCode(e.exitStatus)
}

func writeErr(_ s: String) {
    FileHandle.standardError.write(Data(s.utf8))
}

func writeOut(_ s: String) {
    FileHandle.standardOutput.write(Data(s.utf8))
}

/// Colour only on a terminal, never with NO_COLOR set (https://no-color.org) or TERM=dumb.
func useColor() -> Bool {
    let env = ProcessInfo.processInfo.environment
    if let nc = env["NO_COLOR"], !nc.isEmpty { return false }
    if env["TERM"] == "dumb" { return false }
    return isatty(2) == 1
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// The files read beside a spec: the versions file and the IP plan lock.
struct SpecFileOptions: ParsableArguments {
    @Option(
        name: .long, help: "Versions file (environment -> service -> tag or digest). Default: versions.yaml beside the spec, when present.",
        completion: .file(extensions: ["yaml", "yml"]))
    var versions: String?

    @Option(name: .long, help: "IP plan lock file (default: ip-plan.lock beside the spec, when present).", completion: .file())
    var lock: String?
}

struct SpecOptions: ParsableArguments {
    @Argument(help: "The platform spec (YAML).", completion: .file(extensions: ["yaml", "yml"]))
    var spec: String

    @OptionGroup var files: SpecFileOptions

    var versions: String? { files.versions }
    var lock: String? { files.lock }
}

extension SpecOptions {
    /// The input files a command reads, for refusing an output folder that holds one.
    var inputs: [(what: String, path: String)] {
        let dir = (spec as NSString).deletingLastPathComponent
        return [
            ("spec", spec),
            ("versions file", versions ?? (dir.isEmpty ? "versions.yaml" : dir + "/versions.yaml")),
            ("lock file", lock ?? IPLock.defaultPath(specPath: spec)),
        ]
    }
}

/// Loads and checks; prints diagnostics; throws ExitCode(1) on errors.
func loadChecked(_ o: SpecOptions, format: OutputFormat = .text, notes: Bool = false, waiving: Set<CheckCode> = []) throws -> Spec {
    try loadCheckedWithPlan(o, format: format, notes: notes, waiving: waiving).spec
}

/// What commands other than `berth check` print of the diagnostics: errors and warnings in
/// full, and the notes only as a count (`berth check` lists them).
func diagnosticsText(_ ds: [Diagnostic], formatter: @autoclosure () -> DiagnosticFormatter, notes: Bool) -> String {
    if notes { return formatter().text(ds) }
    let n = ds.filter { $0.severity == .note }.count
    let shown = ds.filter { $0.severity != .note }
    // The sources are redacted only when a source line is printed.
    var out = shown.isEmpty ? "" : formatter().text(shown)
    if n > 0 { out += "\(n) note\(n == 1 ? "" : "s"); run 'berth check' to see \(n == 1 ? "it" : "them")\n" }
    return out
}

/// Like `loadChecked`, and also returns the address plan. `notes`: list every note (only
/// `berth check` does); otherwise one line counts them. `waiving`: check codes that do not stop
/// this command (audit reports plain secrets as findings).
func loadCheckedWithPlan(_ o: SpecOptions, format: OutputFormat = .text, notes: Bool = false, waiving: Set<CheckCode> = []) throws
    -> Pipeline.Checked
{
    let loaded = try loadReported(o, format: format, notes: notes, waiving: waiving)
    guard let checked = loaded.checked, !loaded.diagnostics.hasErrors else { throw ExitCode(.failed) }
    return checked
}

/// Loads and checks the spec and prints its diagnostics; the caller decides what they mean
/// (`berth check --strict` also fails on warnings, from this one run).
func loadReported(_ o: SpecOptions, format: OutputFormat = .text, notes: Bool = false, waiving: Set<CheckCode> = []) throws -> LoadedSpec {
    try loadReported(spec: o.spec, versions: o.versions, lock: o.lock, format: format, notes: notes, waiving: waiving)
}

/// `loadReported` for a spec path and optional versions and lock files (`berth check`, whose
/// spec argument is optional with `--explain`).
func loadReported(
    spec: String, versions: String?, lock: String?, format: OutputFormat = .text, notes: Bool = false,
    waiving: Set<CheckCode> = []
) throws -> LoadedSpec {
    let loaded: LoadedSpec = try reportingErrors {
        try Pipeline.check(path: spec, versionsPath: versions, lockPath: lock, waiving: waiving)
    }
    switch format {
    case .json:
        writeOut(DiagnosticFormatter.json(loaded.diagnostics))
    case .text:
        let clock = ContinuousClock()
        let t0 = clock.now
        writeErr(diagnosticsText(loaded.diagnostics, formatter: loaded.formatter(color: useColor()), notes: notes))
        if ProcessInfo.processInfo.environment["BERTH_TIMINGS"] == "1" {
            let d = clock.now - t0
            let ms = Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
            writeErr("timings: print \(loaded.diagnostics.count) diagnostics \(String(format: "%.1f", ms)) ms\n")
        }
    }
    return loaded
}

/// Refuses an output folder that is a symlink or holds one of the inputs (exit 2), before
/// anything is read or written: the guard `render` and `docs --out` share.
func refuseUnsafeOutput(_ out: String, inputs: [(what: String, path: String)]) throws {
    try reportingErrors {
        try OutputWriter.refuseSymlink(out)
        try OutputWriter.refuseInputsInside(out: out, inputs: inputs)
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a platform spec across the whole platform.",
        discussion: """
            Exit status: 0 when there are no errors (warnings allowed), 1 when the spec has errors, 2 on usage or I/O errors.
            --explain CODE prints what a diagnostic code means, why it matters and how to fix it (docs/checks.md lists them all); it reads no spec.
            """)

    // The options of `SpecOptions`, with the spec optional: `--explain` reads none.
    @Argument(help: "The platform spec (YAML).", completion: .file(extensions: ["yaml", "yml"]))
    var spec: String?

    @OptionGroup var files: SpecFileOptions

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, sarif, markdown }

    @Option(help: "Diagnostics as text (stderr), JSON or SARIF 2.1.0 (stdout); with --explain: text, json or markdown (stdout).")
    var format: Format = .text

    @Flag(help: "Treat warnings as errors.")
    var strict = false

    @Option(help: ArgumentHelp("Explain a diagnostic code ('all': every code) and exit; needs no spec.", valueName: "code"))
    var explain: String?

    func validate() throws {
        if explain != nil {
            if spec != nil { throw ValidationError("--explain reads no spec; drop '\(spec ?? "")' or --explain") }
            if strict { throw ValidationError("--strict judges a spec; --explain reads none") }
            if format == .sarif { throw ValidationError("--format sarif is for diagnostics; --explain prints text, json or markdown") }
            if let code = explain, code != "all", CheckRules.rule(code) == nil {
                // An unknown code: a usage error naming the nearest known codes.
                throw report(BerthError(.usage, CheckRules.unknownCodeMessage(code)))
            }
        } else {
            if spec == nil { throw ValidationError("Missing expected argument '<spec>'") }
            if format == .markdown { throw ValidationError("--format markdown is for --explain; diagnostics are text or json") }
        }
    }

    func run() throws {
        if let code = explain {
            try explainCodes(code)
            return
        }
        guard let spec else { throw ExitCode(.usage) }
        // One run: --strict judges the warnings this run printed (with the same --versions
        // and --lock), instead of checking the spec a second time.
        let loaded: LoadedSpec
        if format == .sarif {
            loaded = try reportingErrors { try Pipeline.check(path: spec, versionsPath: files.versions, lockPath: files.lock) }
            writeOut(CheckRules.sarif(loaded.diagnostics, specFile: spec))
        } else {
            loaded = try loadReported(
                spec: spec, versions: files.versions, lock: files.lock, format: format == .json ? .json : .text, notes: true)
        }
        if loaded.checked == nil || loaded.diagnostics.hasErrors { throw ExitCode(.failed) }
        if strict, loaded.diagnostics.contains(where: { $0.severity == .warning }) { throw ExitCode(.failed) }
    }

    /// `--explain CODE` (or `all`): the catalogue entry on stdout, exit 0; an unknown code is a
    /// usage error (exit 2) naming the nearest known codes.
    func explainCodes(_ code: String) throws {
        let rules: [CheckRule]
        if code == "all" {
            rules = CheckRules.all
        } else if let r = CheckRules.rule(code) {
            rules = [r]
        } else {
            throw BerthError(.usage, CheckRules.unknownCodeMessage(code))  // refused by validate()
        }
        switch format {
        case .text: writeOut(code == "all" ? CheckRules.listText() : CheckRules.text(rules[0]))
        case .json: writeOut(CheckRules.json(rules))
        case .markdown: writeOut(code == "all" ? CheckRules.markdown() : CheckRules.markdownSection(rules[0]))
        case .sarif: throw ExitCode(.usage)  // refused by validate()
        }
    }
}

struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render Kubernetes manifests for every environment and cluster.",
        discussion: "The output folder is replaced atomically; on any error nothing is written.")

    @OptionGroup var options: SpecOptions

    @Option(name: .long, help: "Output folder (replaced whole).", completion: .directory)
    var out: String

    func validate() throws { try refuseUnsafeOutput(out, inputs: options.inputs) }

    func run() throws {
        // The process exits after writing: the render's object trees are left to the system.
        TreeRelease.current = .atExit
        let clock = ContinuousClock()
        let t0 = clock.now
        let checked = try loadCheckedWithPlan(options)
        let t1 = clock.now
        let artifacts: [Artifact]
        do {
            // BERTH_TEST_DROP_OBJECT removes one rendered object before the reference check: the
            // end-to-end tests use it to prove that a broken reference stops the render.
            artifacts = try Pipeline.renderChecked(checked, dropping: ProcessInfo.processInfo.environment["BERTH_TEST_DROP_OBJECT"])
        } catch {
            writeErr("berth: \(error)\n")
            throw ExitCode(.internalError)
        }
        let t2 = clock.now
        try reportingErrors {
            try StageTimer.measure("write") {
                try OutputWriter.write(artifacts, to: out) {
                    writeErr("berth: waiting for another berth writing '\(out)' (at most \(Int(OutputWriter.lockTimeout)) s)\n")
                }
            }
        }
        if ProcessInfo.processInfo.environment["BERTH_TIMINGS"] == "1" {
            let ms = { (d: Duration) in
                String(format: "%.1f", Double(d.components.attoseconds) / 1e15 + Double(d.components.seconds) * 1000)
            }
            writeErr("timings: load+check \(ms(t1 - t0)) ms, render \(ms(t2 - t1)) ms, write \(ms(clock.now - t2)) ms\n")
            writeErr(StageTimer.report())
        }
        let objects = artifacts.reduce(0) { $0 + $1.objects }
        writeErr("berth: wrote \(objects) objects in \(artifacts.count) files to \(out)\n")
    }
}

struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List what changes between two specs or two render folders, and how risky each change is.",
        discussion: """
            OLD and NEW are each a spec (rendered in memory, with versions.yaml and ip-plan.lock beside it) \
            or a folder written by berth render. Kubernetes objects of the plain render are keyed by \
            cluster/namespace/kind/name, JSON artifacts by path. Each change is safe, disruptive (an \
            immutable field or a storage shrink) or security-sensitive (more network, RBAC, TLS, Pod \
            Security, securityContext or bucket access).
            Exit status: 0 when nothing changed, 1 when something did, 2 on errors (unreadable input, a spec with errors).
            """)

    @Argument(help: "The old spec or render folder.", completion: .file())
    var old: String

    @Argument(help: "The new spec or render folder.", completion: .file())
    var new: String

    @Option(help: "Changes as text or JSON (stdout).")
    var format: OutputFormat = .text

    func run() throws {
        let changes: [PlatformDiff.Change]
        do {
            changes = try reportingErrors { try PlatformDiff.changes(old: old, new: new) }
        } catch let refused as PlatformDiff.RefusedSpec {
            // A spec with errors cannot be compared: its diagnostics, then exit 2.
            writeErr(refused.loaded.formatter(color: useColor()).text(refused.loaded.diagnostics))
            throw ExitCode(.usage)
        }
        switch format {
        case .text: writeOut(changes.isEmpty ? "no changes\n" : PlatformDiff.text(changes))
        case .json: writeOut(PlatformDiff.json(changes).serialized(pretty: true) + "\n")
        }
        if !changes.isEmpty { throw ExitCode(.failed) }
    }
}

struct Schema: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the JSON Schema of the spec format (for editors), or its Markdown reference.")

    @Option(help: "json (JSON Schema) or markdown (field reference).")
    var format: SchemaFormat = .json

    enum SchemaFormat: String, ExpressibleByArgument, CaseIterable { case json, markdown }

    func run() throws {
        switch format {
        case .json: writeOut(SchemaExport.jsonSchema().serialized(pretty: true) + "\n")
        case .markdown: writeOut(SchemaExport.markdown())
        }
    }
}

struct Berth: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "berth",
        abstract: "One checked spec for a whole hosting and network platform.",
        discussion: "Shell completion: berth --generate-completion-script bash|zsh|fish",
        version: Pipeline.version,
        subcommands: [
            Check.self, Render.self, Docs.self, Diff.self, IP.self, Schema.self, AuditCommand.self, CapacityCommand.self, CostCommand.self,
            ServeCommand.self,
        ])

    /// Parses and runs, mapping every failure to the documented exit codes.
    static func runMain() -> Never {
        do {
            var command = try parseAsRoot()
            try command.run()
            Glibc.exit(ExitStatus.ok.rawValue)
        } catch let code as ExitCode {
            Glibc.exit(code.rawValue)
        } catch let e as any ExitStatusError {
            Glibc.exit(report(e).rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                // --help, --version, completion scripts
                exit(withError: error)
            }
            let message = fullMessage(for: error)
            if message.isEmpty {
                // An ExitCode thrown by validate() after it reported the error itself.
                Glibc.exit(code.rawValue)
            }
            writeErr(message + "\n")
            Glibc.exit(ExitStatus.usage.rawValue)
        }
    }
}

Berth.runMain()
