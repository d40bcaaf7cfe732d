// ipdiff-driver: checks BerthNet against the case file written by gen.py,
// or (with --bench) times allocation and membership checks.
//
//   python3 scripts/ipdiff/gen.py --seed 1 --count 120000 > cases.jsonl
//   .build/debug/ipdiff-driver cases.jsonl      # "ipdiff: N cases, 0 mismatches", exit 0
//   .build/release/ipdiff-driver --bench        # alloc_next_24_median_us=… contains_overlap_1m_s=…
//   .build/release/ipdiff-driver --bench-typed  # IPv4Prefix / IPv6Prefix operations, seconds each
//
// Exit status: 0 when every case matches, 1 on any mismatch, 2 on bad usage or input.

import BerthNet

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a file line by line as bytes.
func readLines(_ path: String, _ body: (Int, [UInt8]) -> Void) -> Bool {
    guard let file = fopen(path, "r") else { return false }
    defer { fclose(file) }
    var buffer: UnsafeMutablePointer<CChar>?
    var capacity = 0
    var number = 0
    defer { free(buffer) }
    while true {
        let n = getline(&buffer, &capacity, file)
        if n < 0 { break }
        number += 1
        guard let buffer else { break }
        var count = Int(n)
        while count > 0, buffer[count - 1] == 0x0A || buffer[count - 1] == 0x0D { count -= 1 }
        if count == 0 { continue }
        let bytes = buffer.withMemoryRebound(to: UInt8.self, capacity: count) {
            Array(UnsafeBufferPointer(start: $0, count: count))
        }
        body(number, bytes)
    }
    return true
}

/// What BerthNet produced for one case, rendered like the expected JSON value.
func render(_ value: JSONValue) -> String {
    switch value {
    case .null: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .number(let n): return String(n)
    case .string(let s): return "\"\(s)\""
    case .array(let items): return "[" + items.map(render).joined(separator: ", ") + "]"
    case .object(let fields):
        return "{" + fields.keys.sorted().map { "\($0): \(render(fields[$0] ?? .null))" }.joined(separator: ", ") + "}"
    }
}

func strings(_ items: [String]) -> JSONValue { .array(items.map(JSONValue.string)) }

struct CaseFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

func need(_ value: JSONValue?, _ key: String) throws(CaseFailure) -> String {
    guard let s = value?.string else { throw CaseFailure(message: "case has no string field '\(key)'") }
    return s
}

func prefix(_ text: String) throws(CaseFailure) -> IPPrefix {
    do {
        return try IPPrefix(text)
    } catch {
        throw CaseFailure(message: "BerthNet rejected input prefix '\(text)': \(error)")
    }
}

func address(_ text: String) throws(CaseFailure) -> IPAddress {
    do {
        return try IPAddress(text)
    } catch {
        throw CaseFailure(message: "BerthNet rejected input address '\(text)': \(error)")
    }
}

/// Runs one case; returns (expected, actual) when they differ.
func check(_ c: JSONValue) throws(CaseFailure) -> (expected: JSONValue, actual: JSONValue)? {
    guard let op = c["op"]?.string else { throw CaseFailure(message: "case has no op") }
    let expected = c["out"] ?? .null
    var actual: JSONValue
    switch op {
    case "addr":
        let text = try need(c["in"], "in")
        if let a = try? IPAddress(text) {
            actual = .string(a.description)
            if case .v6(let v6) = a, let wantMapped = c["mapped"] {
                let got: JSONValue = v6.ipv4Mapped.map { .string($0.description) } ?? .null
                if got != wantMapped {
                    return (.object(["out": expected, "mapped": wantMapped]), .object(["out": actual, "mapped": got]))
                }
            }
        } else {
            actual = .null
        }
    case "net":
        let text = try need(c["in"], "in")
        let strict = c["strict"]?.bool ?? true
        if let p = try? IPPrefix(text, normalize: !strict) {
            actual = .string(p.description)
            if actual == expected {
                let last = JSONValue.string(p.last.description)
                let count = JSONValue.string(p.addressCount.description)
                if last != c["last"] || count != c["count"] {
                    return (
                        .object(["last": c["last"] ?? .null, "count": c["count"] ?? .null]),
                        .object(["last": last, "count": count])
                    )
                }
            }
        } else {
            actual = .null
        }
    case "contains":
        actual = .bool(try prefix(try need(c["a"], "a")).contains(try address(try need(c["b"], "b"))))
    case "subnet_of":
        let a = try prefix(try need(c["a"], "a"))
        let b = try prefix(try need(c["b"], "b"))
        actual = .bool(b.contains(a))
    case "overlaps":
        let a = try prefix(try need(c["a"], "a"))
        let b = try prefix(try need(c["b"], "b"))
        actual = .bool(a.overlaps(b))
    case "supernet":
        let a = try prefix(try need(c["a"], "a"))
        let n = c["n"]?.int ?? 0
        actual = (try? a.supernet(newLength: n)).map { .string($0.description) } ?? .null
    case "subnets":
        let a = try prefix(try need(c["a"], "a"))
        let n = c["n"]?.int ?? 0
        if let seq = try? a.subnets(newLength: n) {
            actual = strings(seq.prefix(3).map { $0.description })
            if actual == expected, c["count"] != .string(seq.count.description) {
                return (.object(["count": c["count"] ?? .null]), .object(["count": .string(seq.count.description)]))
            }
        } else {
            actual = .null
        }
    case "collapse":
        guard let inputs = c["in"]?.strings else { throw CaseFailure(message: "collapse without inputs") }
        var prefixes: [IPPrefix] = []
        for text in inputs { prefixes.append(try prefix(text)) }
        actual = strings(IPPrefix.collapse(prefixes).map { $0.description })
    case "exclude":
        let a = try prefix(try need(c["a"], "a"))
        let b = try prefix(try need(c["b"], "b"))
        actual = (try? a.exclude(b)).map { strings($0.map { $0.description }) } ?? .null
    case "summarize":
        let a = try address(try need(c["a"], "a"))
        let b = try address(try need(c["b"], "b"))
        actual = (try? IPPrefix.summarize(first: a, last: b)).map { strings($0.map { $0.description }) } ?? .null
    case "sort":
        guard let inputs = c["in"]?.strings else { throw CaseFailure(message: "sort without inputs") }
        var prefixes: [IPPrefix] = []
        for text in inputs { prefixes.append(try prefix(text)) }
        actual = strings(prefixes.sorted().map { $0.description })
    default:
        throw CaseFailure(message: "unknown op '\(op)'")
    }
    return actual == expected ? nil : (expected, actual)
}

func runCases(_ path: String) -> Int32 {
    var total = 0
    var mismatches = 0
    var parseErrors = 0
    let clock = ContinuousClock()
    let started = clock.now
    let ok = readLines(path) { number, bytes in
        total += 1
        let line = String(decoding: bytes, as: UTF8.self)
        let value: JSONValue
        do {
            value = try JSONReader.parse(bytes)
        } catch {
            parseErrors += 1
            mismatches += 1
            if mismatches <= 20 { print("line \(number): unreadable case (\(error)): \(line)") }
            return
        }
        do {
            if let (expected, actual) = try check(value) {
                mismatches += 1
                if mismatches <= 20 {
                    print("MISMATCH line \(number): \(line)\n  python:   \(render(expected))\n  berthnet: \(render(actual))")
                }
            }
        } catch {
            mismatches += 1
            if mismatches <= 20 { print("MISMATCH line \(number): \(line)\n  \(error)") }
        }
    }
    guard ok else {
        print("ipdiff: cannot open \(path)")
        return 2
    }
    let elapsed = clock.now - started
    if mismatches > 20 { print("… \(mismatches - 20) more mismatches not shown") }
    print("ipdiff: \(total) cases, \(mismatches) mismatches (\(elapsed.formattedSeconds) s)")
    if total == 0 {
        print("ipdiff: no cases read; failing")
        return 1
    }
    return mismatches == 0 ? 0 : 1
}

extension Duration {
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) * 1e-18
    }

    var formattedSeconds: String {
        let ms = Int((seconds * 1000).rounded())
        let frac = ms % 1000
        return "\(ms / 1000)." + String(repeating: "0", count: frac < 10 ? 2 : frac < 100 ? 1 : 0) + String(frac)
    }
}

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments == ["--bench"] {
    exit(runBenchmarks())
} else if arguments.first == "--bench-typed", arguments.count <= 2 {
    exit(runTypedBenchmarks(rounds: arguments.count == 2 ? max(1, Int(arguments[1]) ?? 1) : 5))
} else if arguments.count == 1, !arguments[0].hasPrefix("-") {
    exit(runCases(arguments[0]))
} else {
    print("usage: ipdiff-driver CASES.jsonl | ipdiff-driver --bench | ipdiff-driver --bench-typed [ROUNDS]")
    exit(2)
}
