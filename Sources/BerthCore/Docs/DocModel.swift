import Foundation

/// A document as blocks, rendered to Markdown and to self-contained HTML from the same data.
public indirect enum DocBlock: Sendable {
    /// A heading of a level (1 for the title) and its text.
    case heading(Int, String)
    /// A paragraph of text.
    case paragraph(String)
    /// A bullet: the template's label, then the answer.
    case item(String, String)
    /// A table: its header row and body rows.
    case table(header: [String], rows: [[String]])
    /// A diagram: Mermaid source for Markdown, an SVG file name and its contents.
    case diagram(title: String, mermaid: String, svgFile: String, svg: String)
}

/// A document: its blocks in order, written as Markdown or HTML.
public struct Doc: Sendable {
    /// The blocks, in order.
    public var blocks: [DocBlock] = []

    mutating func add(_ b: DocBlock) { blocks.append(b) }

    // MARK: Markdown

    /// The document as Markdown (diagrams as Mermaid code blocks).
    public func markdown() -> String {
        var out = ""
        var lastWasItem = false
        for b in blocks {
            if case .item = b {} else if lastWasItem { out += "\n" }
            switch b {
            case .heading(let level, let text):
                out += String(repeating: "#", count: level) + " " + text + "\n\n"
            case .paragraph(let text):
                out += text + "\n\n"
            case .item(let label, let answer):
                out += "- \(label): \(answer)\n"
            case .table(let header, let rows):
                out += "| " + header.map(Doc.cell).joined(separator: " | ") + " |\n"
                out += "|" + header.map { _ in "---|" }.joined() + "\n"
                for r in rows { out += "| " + r.map(Doc.cell).joined(separator: " | ") + " |\n" }
                out += "\n"
            case .diagram(let title, let mermaid, let svgFile, _):
                out += "```mermaid\n" + mermaid + "```\n\n"
                out += "![\(title)](\(svgFile))\n\n"
            }
            if case .item = b { lastWasItem = true } else { lastWasItem = false }
        }
        if lastWasItem { out += "\n" }
        while out.hasSuffix("\n\n") { out.removeLast() }
        return out
    }

    static func cell(_ s: String) -> String {
        // Most cells have neither: no Foundation search for them.
        guard s.utf8.contains(where: { $0 == UInt8(ascii: "|") || $0 == UInt8(ascii: "\n") }) else { return s }
        return s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }

    // MARK: HTML

    /// One self-contained HTML page: inline CSS, inline SVG, no external references.
    public func html(title: String) -> String {
        var out = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(Doc.escape(title))</title>
            <style>
            body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1d2433}
            h1,h2,h3{line-height:1.2}h2{border-bottom:1px solid #d0d7de;padding-bottom:.2em;margin-top:2em}
            table{border-collapse:collapse;margin:1em 0;font-size:.9em;display:block;overflow-x:auto}
            th,td{border:1px solid #d0d7de;padding:.3em .6em;text-align:left;vertical-align:top}th{background:#f3f5f7}
            code{background:#f3f5f7;padding:.1em .3em;border-radius:3px;font-size:.9em}
            figure{margin:1em 0;overflow-x:auto}figcaption{font-size:.85em;color:#57606a}
            li{margin:.3em 0}
            </style>
            </head>
            <body>

            """
        var inList = false
        for b in blocks {
            if case .item = b {
                if !inList {
                    out += "<ul>\n"
                    inList = true
                }
            } else if inList {
                out += "</ul>\n"
                inList = false
            }
            switch b {
            case .heading(let level, let text):
                out += "<h\(level) id=\"\(Doc.anchor(text))\">\(Doc.inline(text))</h\(level)>\n"
            case .paragraph(let text):
                out += "<p>\(Doc.inline(text))</p>\n"
            case .item(let label, let answer):
                out += "<li><strong>\(Doc.inline(label))</strong>: \(Doc.inline(answer))</li>\n"
            case .table(let header, let rows):
                out += "<table><thead><tr>" + header.map { "<th>\(Doc.inline($0))</th>" }.joined() + "</tr></thead><tbody>\n"
                for r in rows { out += "<tr>" + r.map { "<td>\(Doc.inline($0))</td>" }.joined() + "</tr>\n" }
                out += "</tbody></table>\n"
            case .diagram(let title, _, _, let svg):
                out += "<figure>\(svg)<figcaption>\(Doc.escape(title))</figcaption></figure>\n"
            }
        }
        if inList { out += "</ul>\n" }
        out += "</body>\n</html>\n"
        return out
    }

    static func escape(_ s: String) -> String {
        var o: [UInt8] = []
        o.reserveCapacity(s.utf8.count)
        escape(s.utf8, into: &o)
        return String(decoding: o, as: UTF8.self)
    }

    /// Appends `bytes` with `&`, `<`, `>` and `"` escaped (ASCII: never part of another character's UTF-8).
    static func escape<Bytes: Sequence<UInt8>>(_ bytes: Bytes, into o: inout [UInt8]) {
        for b in bytes {
            switch b {
            case UInt8(ascii: "&"): o.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): o.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): o.append(contentsOf: "&gt;".utf8)
            case UInt8(ascii: "\""): o.append(contentsOf: "&quot;".utf8)
            default: o.append(b)
            }
        }
    }

    static func anchor(_ s: String) -> String {
        String(s.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" })
    }

    /// The little Markdown used inline: `code`, **bold** and [text](link) (relative links only).
    static func inline(_ s: String) -> String {
        // Over UTF-8 bytes: the markers are ASCII, which never occurs inside another
        // character's encoding, so every slice below falls on character boundaries.
        let u = Array(s.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(u.count + 16)
        func first(_ byte: UInt8, from: Int) -> Int? { u[from...].firstIndex(of: byte) }
        func append(_ text: StaticString) {
            out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        }
        func escaped(_ r: Range<Int>) { escape(u[r], into: &out) }
        let tick = UInt8(ascii: "`")
        let star = UInt8(ascii: "*")
        var i = 0
        while i < u.count {
            let c = u[i]
            if c == tick, let end = first(tick, from: i + 1) {
                append("<code>")
                escaped(i + 1..<end)
                append("</code>")
                i = end + 1
            } else if c == star, i + 1 < u.count, u[i + 1] == star,
                let end = (i + 2..<max(i + 2, u.count - 1)).first(where: { u[$0] == star && u[$0 + 1] == star })
            {
                append("<strong>")
                escaped(i + 2..<end)
                append("</strong>")
                i = end + 2
            } else if c == UInt8(ascii: "["), let close = first(UInt8(ascii: "]"), from: i), close + 1 < u.count,
                u[close + 1] == UInt8(ascii: "("), let paren = first(UInt8(ascii: ")"), from: close)
            {
                append("<a href=\"")
                escaped(close + 2..<paren)
                append("\">")
                escaped(i + 1..<close)
                append("</a>")
                i = paren + 1
            } else {
                escape(CollectionOfOne(c), into: &out)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
