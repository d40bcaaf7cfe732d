import ArgumentParser
import BerthCore
import BerthNet
import BerthStore
import Foundation
import NIOSSL

/// The ledger subcommands of `berth ip` (pool, reserve, allocate, release, list, show, usage, history, check).
enum IPLedgerCommands {
    static let all: [any ParsableCommand.Type] = [
        IPPoolCommand.self, IPReserveCommand.self, IPAllocateCommand.self, IPReleaseCommand.self,
        IPListCommand.self, IPShowCommand.self, IPUsageCommand.self, IPHistoryCommand.self, IPCheckCommand.self,
        IPTokenCommand.self,
    ]
}

// MARK: - Shared

struct StoreOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "SQLite file or postgres:// URL (default: $BERTH_STORE, else berth-ip.sqlite in the current folder).",
            valueName: "path|url"), completion: .file())
    var store: String?

    /// Opens the ledger for `access`; only `.create` (pool add) makes a missing SQLite file or
    /// berth's tables. `BERTH_NOW` (RFC 3339) fixes the clock: a test hook.
    /// The store given, else `$BERTH_STORE`, else the default file.
    var target: String {
        store ?? ProcessInfo.processInfo.environment["BERTH_STORE"].flatMap { $0.isEmpty ? nil : $0 } ?? Ledger.defaultStore
    }

    func open(_ access: Ledger.Access) throws -> Ledger {
        let now: () -> Int64 = try fixedNow().map { t in { t } } ?? Ledger.wallClock
        return try reportingErrors { try Ledger(store: target, access: access, now: now) }
    }

    /// `BERTH_NOW` as seconds, nil when unset; a malformed value is a usage error (exit 2).
    func fixedNow() throws -> Int64? {
        guard let fixed = ProcessInfo.processInfo.environment["BERTH_NOW"], !fixed.isEmpty else { return nil }
        guard let t = LedgerTime.parse(fixed) else {
            throw BerthError(.usage, "BERTH_NOW '\(fixed)' is not an RFC 3339 time such as 2025-01-31T08:00:00Z")
        }
        return t
    }
}

/// `--store` or `--server`: where the ledger commands that work through the team server read and write.
struct LedgerOptions: ParsableArguments {
    @OptionGroup var storeOptions: StoreOptions
    @Option(
        help: ArgumentHelp(
            "Team server URL (http:// or https://), instead of --store; the token comes from $BERTH_TOKEN or --token-file.",
            valueName: "url"))
    var server: String?
    @Option(help: ArgumentHelp("File holding the --server token (default: $BERTH_TOKEN).", valueName: "path"), completion: .file())
    var tokenFile: String?
    @Option(
        help: ArgumentHelp(
            "PEM file of the CAs to trust for an https:// --server (default: $SSL_CERT_FILE, else the system's).",
            valueName: "path"), completion: .file())
    var caFile: String?
    @Option(help: ArgumentHelp("Seconds to wait for --server to connect and answer (default: 30).", valueName: "seconds"))
    var timeout: Int?

    func validate() throws {
        guard let server else {
            for (flag, given) in [("--token-file", tokenFile != nil), ("--ca-file", caFile != nil), ("--timeout", timeout != nil)]
            where given {
                throw ValidationError("\(flag) needs --server")
            }
            return
        }
        if storeOptions.store != nil { throw ValidationError("give either --store or --server, not both") }
        _ = try ServerEndpoint.parse(server)
        if let timeout, timeout < 1 || timeout > 3600 { throw ValidationError("--timeout must be 1 to 3600 seconds") }
        if let path = caFile ?? env("SSL_CERT_FILE") {
            let flag = caFile != nil ? "--ca-file" : "SSL_CERT_FILE"
            guard FileManager.default.isReadableFile(atPath: path) else { throw ValidationError("cannot read \(flag) '\(path)'") }
            guard let certs = try? NIOSSLCertificate.fromPEMFile(path), !certs.isEmpty else {
                throw ValidationError("\(flag) '\(path)' holds no PEM certificate")
            }
        }
        _ = try token()
    }

    private func env(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The token: the first line of --token-file, else $BERTH_TOKEN. Never printed.
    func token() throws(ValidationError) -> String {
        if let tokenFile {
            guard FileManager.default.isReadableFile(atPath: tokenFile),
                let data = FileManager.default.contents(atPath: tokenFile), let text = String(data: data, encoding: .utf8)
            else {
                throw ValidationError("cannot read --token-file '\(tokenFile)'")
            }
            let t = text.split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            guard !t.isEmpty else { throw ValidationError("--token-file '\(tokenFile)' is empty") }
            guard t.unicodeScalars.allSatisfy({ $0.value > 32 && $0.value < 127 }) else {
                throw ValidationError("--token-file '\(tokenFile)' does not hold a token (one line of printable ASCII)")
            }
            return t
        }
        guard let t = env("BERTH_TOKEN")?.trimmingCharacters(in: .whitespacesAndNewlines), !t.isEmpty else {
            throw ValidationError("--server needs a token: set BERTH_TOKEN or give --token-file PATH")
        }
        guard t.unicodeScalars.allSatisfy({ $0.value > 32 && $0.value < 127 }) else {
            throw ValidationError("BERTH_TOKEN does not hold a token (printable ASCII without spaces)")
        }
        return t
    }

    /// The store (opened for `access`) or the server.
    func open(_ access: Ledger.Access) throws -> any LedgerAccess {
        guard let server else { return try storeOptions.open(access) }
        let endpoint = try ServerEndpoint.parse(server)
        return RemoteLedger(
            client: HTTPClient(
                endpoint: endpoint, token: try token(), caFile: caFile ?? env("SSL_CERT_FILE"),
                timeout: timeout ?? 30))
    }
}

/// Bad input found before the store is touched: the ledger's refusal (`LedgerError.invalid`,
/// exit 1), reported like one.
func badInput(_ message: String) -> LedgerError {
    .invalid(message)
}

func parsePrefix(_ text: String) throws -> IPPrefix {
    do {
        return try IPPrefix(text)
    } catch {
        throw badInput(error.description)
    }
}

func parseAddress(_ text: String) throws -> IPAddress {
    do {
        return try IPAddress(text)
    } catch {
        throw badInput(error.description)
    }
}

func parseDuration(_ text: String, _ option: String) throws -> Int64 {
    do {
        return try DurationText.parse(text, rules: .ledger)
    } catch {
        throw badInput(
            "invalid duration '\(text)' for \(option): it \(error.description); "
                + "for example 90s, 1h30m, 7d, 1y or 0")
    }
}

func time(_ t: Int64?) -> String { t.map(LedgerTime.format) ?? "-" }

/// Left-aligned columns separated by two spaces.
func table(_ header: [String], _ rows: [[String]]) -> String {
    let all = [header] + rows
    var widths = Array(repeating: 0, count: header.count)
    for r in all { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
    return all.map { r in
        var line = ""
        for (i, c) in r.enumerated() {
            line += i == r.count - 1 ? c : c.padding(toLength: widths[i] + 2, withPad: " ", startingAt: 0)
        }
        return line
    }.joined(separator: "\n") + "\n"
}

// MARK: - pool

struct IPPoolCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pool", abstract: "Add and list address pools.", subcommands: [Add.self, List.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a pool of address space. Pools may not overlap; names are DNS-1123 labels.")

        @Option(help: "Pool name (lowercase letters, digits, '-').") var name: String
        @Argument(help: "The pool's range, e.g. 10.8.0.0/16 or 2001:db8::/48.") var cidr: String
        @Option(
            parsing: .unconditional,
            help: ArgumentHelp("Default quarantine of released blocks, e.g. 1h (default: none).", valueName: "duration"))
        var quarantine: String?
        @Flag(help: "Refuse a pool of another address family than the pools already in the store.")
        var familyCheck = false
        @OptionGroup var storeOptions: LedgerOptions

        /// The flags as the ledger takes them; a bad one is the ledger's refusal (exit 1).
        func parsed() throws -> (prefix: IPPrefix, quarantine: Int64) {
            let prefix = try parsePrefix(cidr)
            let q = try quarantine.map { try parseDuration($0, "--quarantine") } ?? 0
            do { try Validate.poolName(name) } catch { throw badInput(error.description) }
            return (prefix, q)
        }

        func validate() throws { _ = try reportingErrors(parsed) }

        func run() throws {
            let (prefix, q) = try parsed()
            let ledger = try storeOptions.open(.create)
            let pool = try reportingErrors {
                try ledger.addPool(name: name, prefix: prefix, quarantine: q, sameFamily: familyCheck)
            }
            writeOut("\(pool.name) \(pool.prefix)\n")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the pools.")
        @Option(help: "text or json.") var format: OutputFormat = .text
        @OptionGroup var storeOptions: LedgerOptions

        func run() throws {
            let ledger = try storeOptions.open(.read)
            let pools = try reportingErrors { try ledger.pools() }
            switch format {
            case .json:
                writeOut(JSONValue.array(pools.map(\.json)).serialized(pretty: true) + "\n")
            case .text:
                writeOut(
                    table(
                        ["NAME", "CIDR", "QUARANTINE", "CREATED"],
                        pools.map {
                            [$0.name, $0.prefix.description, LedgerTime.formatDuration($0.quarantine), time($0.createdAt)]
                        }))
            }
        }
    }
}

// MARK: - reserve, allocate, release

struct IPReserveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reserve", abstract: "Reserve an exact block (a static reservation).")

    @Option(help: "Pool name.") var pool: String
    @Argument(help: "The block, e.g. 10.8.0.0/28.") var cidr: String
    @Option(help: "Who holds it.") var owner: String
    @Option(help: "Free text.") var note: String?
    @Option(help: "text or json.") var format: OutputFormat = .text
    @OptionGroup var storeOptions: LedgerOptions

    func validate() throws { _ = try reportingErrors { try parsePrefix(cidr) } }

    func run() throws {
        let prefix = try parsePrefix(cidr)
        let ledger = try storeOptions.open(.write)
        let a = try reportingErrors { try ledger.reserve(pool: pool, prefix: prefix, owner: owner, note: note) }
        writeOut(format == .json ? a.json.serialized(pretty: true) + "\n" : "\(a.prefix)\n")
    }
}

struct IPAllocateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "allocate",
        abstract: "Allocate the best-fitting free block of a size (or an exact block) and print it.",
        discussion: """
            With --request-id, a retried call returns the allocation the first call made (the same id with other
            parameters is an error). With --lease, the block is reclaimed by the first write after it expires.
            """)

    @Option(help: "Pool name.") var pool: String
    // .unconditional: a value such as -1 is the size (then refused as a length), not a flag.
    @Option(parsing: .unconditional, help: ArgumentHelp("Prefix length to allocate, e.g. 24.", valueName: "length")) var size: String?
    @Option(help: ArgumentHelp("That exact block (CIDR), or an address (a host block, or of --size).", valueName: "cidr|address"))
    var address: String?
    @Option(help: "Who holds it.") var owner: String?
    @Option(help: "Free text.") var note: String?
    @Option(help: "Idempotency key: retries with it return the same allocation.") var requestId: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("Lease, e.g. 1h; the block is reclaimed after it.", valueName: "duration"))
    var lease: String?
    @Option(help: "text (the CIDR) or json (the whole record).") var format: OutputFormat = .text
    @OptionGroup var storeOptions: LedgerOptions

    func validate() throws { _ = try reportingErrors(request) }

    func run() throws {
        let wanted = try request()
        let ledger = try storeOptions.open(.write)
        let a = try reportingErrors { try ledger.allocate(wanted) }
        writeOut(format == .json ? a.json.serialized(pretty: true) + "\n" : "\(a.prefix)\n")
    }

    /// The request the flags make; a bad flag is the ledger's refusal (exit 1).
    func request() throws -> AllocationRequest {
        var length: Int?
        if let size {
            let digits = size.hasPrefix("/") ? String(size.dropFirst()) : size
            guard let n = Int(digits), digits.allSatisfy(\.isASCII), String(n) == digits, n >= 0, n <= 128 else {
                if size.hasPrefix("-") {
                    throw badInput(
                        "invalid --size '\(size)': a prefix length is not negative; give 0 to 128 (32 at most for IPv4), e.g. --size 24")
                }
                throw badInput(IPError.prefixLengthOutOfRange(length: size, allowed: 0...128, context: "--size").description)
            }
            length = n
        }
        var exact: IPPrefix?
        if let address {
            if address.contains("/") {
                exact = try parsePrefix(address)
            } else {
                let a = try parseAddress(address)
                do {
                    exact = try IPPrefix(address: a, length: length ?? a.family.bitWidth)
                } catch {
                    throw badInput(error.description)
                }
            }
            if let exact, let length, exact.length != length {
                throw badInput("--address \(exact) is a /\(exact.length) but --size asks for /\(length)")
            }
        }
        guard length != nil || exact != nil else { throw badInput("give --size LENGTH or --address CIDR") }
        let leaseSeconds = try lease.map { try parseDuration($0, "--lease") }
        if leaseSeconds == 0 { throw badInput("--lease must be longer than 0s") }
        return AllocationRequest(
            pool: pool, length: exact == nil ? length : nil, exact: exact, owner: owner, note: note,
            requestID: requestId, lease: leaseSeconds)
    }
}

struct IPReleaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Release an allocation or reservation.",
        discussion: "With a quarantine (--quarantine, else the pool's default) the block is not reused until it ends.")

    @Argument(help: "The allocated block, e.g. 10.8.3.0/24.") var cidr: String
    @Option(help: "Pool name (default: the pool containing the block).") var pool: String?
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Keep the block unusable this long, e.g. 1h; 0 for none (default: the pool's).", valueName: "duration"))
    var quarantine: String?
    @Option(help: "text or json.") var format: OutputFormat = .text
    @OptionGroup var storeOptions: LedgerOptions

    func validate() throws {
        try reportingErrors {
            _ = try parsePrefix(cidr)
            _ = try quarantine.map { try parseDuration($0, "--quarantine") }
        }
    }

    func run() throws {
        let prefix = try parsePrefix(cidr)
        let q = try quarantine.map { try parseDuration($0, "--quarantine") }
        let ledger = try storeOptions.open(.write)
        let a = try reportingErrors { try ledger.release(prefix, pool: pool, quarantine: q) }
        switch format {
        case .json: writeOut(a.json.serialized(pretty: true) + "\n")
        case .text:
            if let until = a.quarantineUntil {
                writeOut("\(a.prefix) released, quarantined until \(LedgerTime.format(until))\n")
            } else {
                writeOut("\(a.prefix) released\n")
            }
        }
    }
}

// MARK: - list, show, usage, history, check

struct IPListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List allocations and reservations.")

    @Option(help: "Only this pool.") var pool: String?
    @Flag(help: "Include released allocations.") var all = false
    @Option(help: "text or json.") var format: OutputFormat = .text
    @OptionGroup var storeOptions: LedgerOptions

    func run() throws {
        let ledger = try storeOptions.open(.read)
        let items = try reportingErrors { try ledger.list(pool: pool, includeReleased: all) }
        switch format {
        case .json: writeOut(JSONValue.array(items.map(\.json)).serialized(pretty: true) + "\n")
        case .text:
            writeOut(
                table(
                    ["POOL", "CIDR", "STATE", "OWNER", "SINCE", "EXPIRES", "REQUEST", "NOTE"],
                    items.map {
                        [
                            $0.pool, $0.prefix.description, $0.state.rawValue, $0.owner ?? "-", time($0.createdAt),
                            time($0.state == .quarantined ? $0.quarantineUntil : $0.expiresAt), $0.requestID ?? "-", $0.note ?? "-",
                        ]
                    }))
        }
    }
}

/// What `show` and `history` ask: one address, the output format and the store.
struct AddressQuery: ParsableArguments {
    @Argument(help: "An address, e.g. 10.8.3.7.") var address: String
    @Option(help: "text or json.") var format: OutputFormat = .text
    @OptionGroup var storeOptions: LedgerOptions

    func validate() throws { _ = try reportingErrors { try parseAddress(address) } }

    /// The address and the store opened for reading.
    func open() throws -> (IPAddress, any LedgerAccess) { (try parseAddress(address), try storeOptions.open(.read)) }
}

struct IPShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show which allocation holds an address, its owner and since when.")

    @OptionGroup var query: AddressQuery

    func run() throws {
        let (addr, ledger) = try query.open()
        let found = try reportingErrors { try ledger.show(addr) }
        switch query.format {
        case .json:
            writeOut(found.json.serialized(pretty: true) + "\n")
        case .text:
            var lines = ["address: \(found.address)", "pool: \(found.pool.name) (\(found.pool.prefix))"]
            if let h = found.holder {
                lines += [
                    "held by: \(h.prefix) (\(h.state.rawValue), id \(h.id))", "owner: \(h.owner ?? "-")", "since: \(time(h.createdAt))",
                ]
                if let e = h.expiresAt, h.state == .allocated { lines.append("expires: \(time(e))") }
                if let q = h.quarantineUntil { lines.append("quarantined until: \(time(q))") }
                if let r = h.requestID { lines.append("request id: \(r)") }
                if let n = h.note { lines.append("note: \(n)") }
            } else {
                lines.append("free")
            }
            writeOut(lines.joined(separator: "\n") + "\n")
        }
    }
}

struct IPUsageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usage",
        abstract: "Per pool: utilization, free blocks by prefix length, fragmentation and the largest free block.",
        discussion: "Fragmentation is 1 - largest free block / total free addresses: 0 when the free space is one block.")

    @Option(help: "Only this pool.") var pool: String?
    @Option(help: "text or json.") var format: OutputFormat = .text
    @OptionGroup var storeOptions: LedgerOptions

    func run() throws {
        let ledger = try storeOptions.open(.read)
        let usage = try reportingErrors { try ledger.usage(pool: pool) }
        switch format {
        case .json:
            writeOut(JSONValue.array(usage.map(\.json)).serialized(pretty: true) + "\n")
        case .text:
            var out = ""
            for u in usage {
                let blocks = u.freeBlocksByLength.map { "/\($0.length) x\($0.count)" }.joined(separator: ", ")
                out += """
                    pool \(u.pool.name) \(u.pool.prefix)
                      utilization: \(String(format: "%.2f", u.utilization * 100))% (\(u.usedAddresses) used, \(u.freeAddresses) free)
                      held: \(u.allocated) allocated, \(u.reserved) reserved, \(u.quarantined) quarantined
                      largest free block: \(u.largestFree?.description ?? "none")
                      fragmentation: \(String(format: "%.4f", u.fragmentation))
                      free blocks: \(blocks.isEmpty ? "none" : blocks)

                    """
            }
            writeOut(out)
        }
    }
}

struct IPHistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Every allocation, release and expiry that covered an address: who held it from when to when.")

    @OptionGroup var query: AddressQuery

    func run() throws {
        let (addr, ledger) = try query.open()
        let events = try reportingErrors { try ledger.history(addr) }
        let tenancies = Ledger.tenancies(events)
        switch query.format {
        case .json:
            writeOut(Ledger.historyJSON(addr, events: events).serialized(pretty: true) + "\n")
        case .text:
            if events.isEmpty {
                writeOut("\(addr): never allocated\n")
                return
            }
            writeOut(
                table(
                    ["CIDR", "OWNER", "FROM", "TO", "ENDED BY"],
                    tenancies.map {
                        [
                            $0.prefix.description, $0.owner ?? "-", time($0.from), $0.to.map(LedgerTime.format) ?? "(held)",
                            $0.endedBy?.rawValue ?? "-",
                        ]
                    }))
            writeOut(
                "\n"
                    + table(
                        ["AT", "EVENT", "CIDR", "OWNER", "ALLOCATION"],
                        events.map {
                            [
                                time($0.at),
                                $0.kind.rawValue + ($0.quarantineUntil.map { " (quarantine until \(LedgerTime.format($0)))" } ?? ""),
                                $0.prefix.description, $0.owner ?? "-", String($0.allocationID),
                            ]
                        }))
        }
    }
}

struct IPCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the ledger's integrity: database check, no overlapping holders, history consistent with every allocation.",
        discussion: "Exit status 1 when a problem is found.")

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        let ledger = try storeOptions.open(.inspect)
        let report = try reportingErrors { try ledger.check() }
        for p in report.problems { writeErr("berth: error: \(p)\n") }
        guard report.problems.isEmpty else { throw ExitCode(.failed) }
        writeOut(
            "ok: \(report.pools) pools, \(report.allocations) allocations (\(report.liveAllocations) live), \(report.historyEvents) history events\n"
        )
    }
}
