import ArgumentParser
import BerthCore
import Foundation

struct Docs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the platform's Hosting & Network document (Markdown, HTML, SVG diagrams).",
        discussion: """
            Writes hosting-and-network.md, hosting-and-network.html and the diagrams (topology.svg,
            traffic.svg, network-policy.svg, ip-plan.svg) into --out; other files there are left alone.
            With --check nothing is written: exit 1 when the files in --out differ from what the spec
            gives (documentation drift), 0 when they match.
            """)

    @OptionGroup var options: SpecOptions

    @Option(name: .long, help: "Folder for the document (created if missing).", completion: .directory)
    var out: String

    @Flag(help: "Compare instead of writing; exit 1 on any difference.")
    var check = false

    func run() throws {
        if !check {
            try refuseUnsafeOutput(out, inputs: options.inputs)
        }
        let files = HostingDoc(try loadCheckedWithPlan(options)).artifacts()
        if check {
            var drift: [String] = []
            for f in files {
                let path = out + "/" + f.path
                let current = FileManager.default.contents(atPath: path).flatMap { String(data: $0, encoding: .utf8) }
                if current != f.contents { drift.append(current == nil ? "\(path) (missing)" : path) }
            }
            if drift.isEmpty {
                writeErr("berth: \(files.count) document files in \(out) match the spec\n")
                return
            }
            writeErr("berth: the document no longer matches the spec; run `berth docs \(options.spec) --out \(out)`:\n")
            for d in drift { writeErr("  \(d)\n") }
            throw ExitCode(Exit.specErrors)
        }
        try reportingErrors {
            try OutputWriter.ensureFolder(out)
            for f in files { try AtomicFile.write(f.contents, to: out + "/" + f.path) }
        }
        writeErr("berth: wrote \(files.count) document files to \(out)\n")
    }
}
