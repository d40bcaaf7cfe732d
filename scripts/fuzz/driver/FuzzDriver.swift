// Fuzzes the spec loader (with the whole check pipeline behind it) and the CIDR, address and
// duration parsers with seeded mutations of a corpus. Thrown errors and diagnostics are the
// expected outcome of bad input; a crash (a trap or a signal) is a bug, and the driver prints
// the input that caused it before the process dies.
//
//   fuzz-driver SEED COUNT CORPUS_DIR [--max-seconds N] [--slow-ms MS]
//
// --slow-ms writes each input that takes longer than MS milliseconds to stderr (slow is not a
// crash; it points at inputs whose cost grows with a number in them).
//
// The corpus holds `spec-*.yaml` (spec texts), `cidr-*.txt`, `address-*.txt` and
// `duration-*.txt` (one value a line). Each input is a mutation of a corpus entry (bit flips,
// byte and token insertions, deletions, duplications, splices with another entry) and goes to
// the parsers of its kind; every tenth input of any kind also goes to the spec loader as a
// whole text. Same seed and count, same inputs. Exit 0 when every input ran, 2 on usage errors.
//
// Built with -D BERTH_LIBFUZZER (scripts/fuzz/libfuzzer.sh) the same `runOne` is the
// libFuzzer entry point instead.
import BerthCore
import BerthNet
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

enum Kind: String, CaseIterable { case spec, cidr, address, duration }

/// Feeds one input to the parsers of its kind; never throws.
func runOne(_ text: String, kind: Kind) {
    switch kind {
    case .spec:
        let loaded = Pipeline.check(text: text, file: "fuzz.yaml")
        _ = DiagnosticFormatter(sources: loaded.sources, color: false).text(loaded.diagnostics)
    case .cidr:
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).prefix(64) {
            let s = String(line)
            if let p = try? IPPrefix(s) {
                _ = p.description
                _ = try? IPPrefix(p.description)
                _ = p.addressCount
            }
            _ = try? IPPrefix(s, normalize: true)
        }
    case .address:
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).prefix(64) {
            if let a = try? IPAddress(String(line)) { _ = try? IPAddress(a.description) }
        }
    case .duration:
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).prefix(64) {
            let s = String(line)
            _ = try? DurationText.parse(s, rules: .ledger)
            _ = try? DurationText.parse(s, rules: .spec)
            _ = SpecDuration.parse(s)
        }
    }
}

#if BERTH_LIBFUZZER
    /// libFuzzer: the first byte picks the kind, the rest is the input.
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        guard let data, size > 0 else { return 0 }
        let kind = Kind.allCases[Int(data[0]) % Kind.allCases.count]
        runOne(String(decoding: UnsafeBufferPointer(start: data + 1, count: size - 1), as: UTF8.self), kind: kind)
        return 0
    }

    typealias FuzzCallback = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

    /// libFuzzer's driver (LLVM 11 and later), called from our own entry point: SwiftPM links an
    /// executable's `main` to the module's entry function, so libFuzzer's `main` is not used.
    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: FuzzCallback
    ) -> CInt

    @_cdecl("fuzz_driver_main")
    public func fuzzDriverMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        var count = argc
        var vector = argv
        return LLVMFuzzerRunDriver(&count, &vector, fuzzOne)
    }
#else

    typealias Random = SplitMix64

    /// Fragments that make parsers take their rarer paths.
    let tokens: [String] = [
        "{", "}", "[", "]", ":", ": ", "- ", ",", "\n", "\n  ", "\t", "#", "&a ", "*a", "<<: *a", "!!binary ", "!!str ", "|", ">-",
        "\"", "'", "\\", "~", "null", "true", "0x", "1e999", "-1", "0", "99999999999999999999", "/", "//", "::", ":::", "::ffff:",
        "%", ".", "..", "255.255.255.255", "/32", "/128", "/0", "/-1", "1h", "1h1h", "0s", "y", "w", "\u{0}", "\u{FEFF}", "é", "\u{202E}",
        "services:", "env:", "DB_PASSWORD: ", "postgres://u:p@h/d", "password=", "${X}", "---", "...", "? ", "%YAML 1.2\n",
    ]

    func mutate(_ base: [UInt8], other: [UInt8], rng: inout Random) -> [UInt8] {
        var b = base
        for _ in 0..<(1 + rng.below(4)) {
            switch rng.below(7) {
            case 0 where !b.isEmpty:  // flip a bit
                let i = rng.below(b.count)
                b[i] ^= UInt8(1 << rng.below(8))
            case 1:  // insert a token
                let t = Array(tokens[rng.below(tokens.count)].utf8)
                b.insert(contentsOf: t, at: rng.below(b.count + 1))
            case 2 where !b.isEmpty:  // delete a run
                let i = rng.below(b.count)
                b.removeSubrange(i..<min(b.count, i + 1 + rng.below(16)))
            case 3 where !b.isEmpty:  // duplicate a run
                let i = rng.below(b.count)
                let run = Array(b[i..<min(b.count, i + 1 + rng.below(32))])
                b.insert(contentsOf: run, at: rng.below(b.count + 1))
            case 4 where !other.isEmpty:  // splice in part of another entry
                let i = rng.below(other.count)
                let run = other[i..<min(other.count, i + 1 + rng.below(64))]
                b.insert(contentsOf: run, at: rng.below(b.count + 1))
            case 5 where !b.isEmpty:  // a random byte
                b[rng.below(b.count)] = UInt8(truncatingIfNeeded: rng.next())
            default:  // an interesting byte
                b.insert([0, 0x0A, 0x22, 0x27, 0x3A, 0x7F, 0x80, 0xFF][rng.below(8)], at: rng.below(b.count + 1))
            }
        }
        return b.count > 65_536 ? Array(b.prefix(65_536)) : b
    }

    /// The input being run, written to stderr when the process gets a fatal signal.
    nonisolated(unsafe) var current: [UInt8] = []
    nonisolated(unsafe) var currentLabel: [UInt8] = []

    func onCrash(_ sig: Int32) {
        let head = "fuzz-driver: CRASH (signal \(sig)) on input ".utf8
        _ = Array(head).withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        _ = currentLabel.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        _ = current.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        _ = "\n--- end of input\n".utf8CString.withUnsafeBytes { write(2, $0.baseAddress, $0.count - 1) }
        signal(sig, SIG_DFL)
        raise(sig)
    }

    func usage() -> Never {
        FileHandle.standardError.write(Data("usage: fuzz-driver SEED COUNT CORPUS_DIR [--max-seconds N] [--slow-ms MS]\n".utf8))
        exit(2)
    }

    @main
    struct FuzzDriver {
        static func main() {
            var args = Array(CommandLine.arguments.dropFirst())
            func option(_ name: String) -> Double? {
                guard let i = args.firstIndex(of: name) else { return nil }
                guard i + 1 < args.count, let v = Double(args[i + 1]) else { usage() }
                args.removeSubrange(i...(i + 1))
                return v
            }
            let maxSeconds = option("--max-seconds")
            let slowMS = option("--slow-ms")
            guard args.count == 3, let seed = UInt64(args[0]), let count = Int(args[1]), count >= 0 else { usage() }
            let dir = URL(fileURLWithPath: args[2])
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else {
                FileHandle.standardError.write(Data("fuzz-driver: cannot read corpus folder \(dir.path)\n".utf8))
                exit(2)
            }
            var corpus: [(Kind, [UInt8])] = []
            for name in names.sorted() {
                guard let kind = Kind.allCases.first(where: { name.hasPrefix($0.rawValue + "-") }),
                    let data = FileManager.default.contents(atPath: dir.appendingPathComponent(name).path)
                else { continue }
                corpus.append((kind, Array(data)))
            }
            guard !corpus.isEmpty else {
                FileHandle.standardError.write(Data("fuzz-driver: no spec-*, cidr-*, address-* or duration-* files in \(dir.path)\n".utf8))
                exit(2)
            }
            for sig in [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE] { signal(sig, onCrash) }
            var rng = Random(state: seed)
            let clock = ContinuousClock()
            let start = clock.now
            var ran = 0
            var perKind: [Kind: Int] = [:]
            for i in 0..<count {
                if let maxSeconds, i % 256 == 0, (clock.now - start) > .milliseconds(Int(maxSeconds * 1000)) { break }
                let (kind, base) = corpus[rng.below(corpus.count)]
                let other = corpus[rng.below(corpus.count)].1
                let input = mutate(base, other: other, rng: &rng)
                current = input
                let text = String(decoding: input, as: UTF8.self)
                currentLabel = Array("#\(i) (\(kind.rawValue), seed \(seed)):\n".utf8)
                let t0 = clock.now
                runOne(text, kind: kind)
                if let slowMS, clock.now - t0 > .milliseconds(Int(slowMS)) {
                    FileHandle.standardError.write(
                        Data("fuzz-driver: slow input #\(i) (\(kind.rawValue)) took \(clock.now - t0):\n\(text)\n--- end of input\n".utf8))
                }
                perKind[kind, default: 0] += 1
                if kind != .spec && i % 10 == 0 {
                    currentLabel = Array("#\(i) (spec from \(kind.rawValue), seed \(seed)):\n".utf8)
                    runOne(text, kind: .spec)
                    perKind[.spec, default: 0] += 1
                }
                ran += 1
            }
            let d = clock.now - start
            let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
            let kinds = Kind.allCases.map { "\($0.rawValue) \(perKind[$0] ?? 0)" }.joined(separator: ", ")
            print("fuzz-driver: seed \(seed): \(ran) inputs in \(String(format: "%.1f", seconds)) s (\(kinds) parser runs), 0 crashes")
        }
    }
#endif
