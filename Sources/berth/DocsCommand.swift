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

    func validate() throws {
        if !check { try refuseUnsafeOutput(out, inputs: options.inputs) }
    }

    func run() throws {
        let files = HostingDoc(try loadCheckedWithPlan(options)).artifacts()
        if check {
            let drift = DocumentFolder.drift(files, in: out)
            if drift.isEmpty {
                writeErr("berth: \(files.count) document files in \(out) match the spec\n")
                return
            }
            writeErr("berth: the document no longer matches the spec; run `berth docs \(options.spec) --out \(out)`:\n")
            for d in drift { writeErr("  \(d)\n") }
            throw ExitCode(.failed)
        }
        try reportingErrors { try DocumentFolder.write(files, into: out) }
        writeErr("berth: wrote \(files.count) document files to \(out)\n")
    }
}
