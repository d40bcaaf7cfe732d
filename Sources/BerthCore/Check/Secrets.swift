import BerthNet

/// What counts as a secret in the spec, in one place: the `plain-secret` check, the audit's
/// BERTH-SEC-002, the staging-parity notes and the diagnostics' source excerpts all use it.
///
/// A secret is an env value whose name looks like a credential (`DB_PASSWORD`, `API_TOKEN`,
/// `STRIPE_API_KEY`, ...) or any value holding a password (`postgres://app:pw@db/app`,
/// `...?password=pw`).
public enum SecretValues {
    /// What a hidden value is printed as.
    public static let mask = Redaction.mask

    /// Env var names that look like credentials.
    ///
    /// ```swift
    /// SecretValues.looksSecret("DB_PASSWORD")  // true
    /// SecretValues.looksSecret("LOG_LEVEL")    // false
    /// ```
    public static func looksSecret(_ name: String) -> Bool {
        let n = name.uppercased()
        for word in ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "CREDENTIAL", "PRIVATE_KEY", "API_KEY", "APIKEY", "ACCESS_KEY"]
        where n.contains(word) { return true }
        return n.hasSuffix("_KEY") || n.hasSuffix("_PWD") || n == "KEY" || n == "PWD"
    }

    /// A value that names where a secret is rather than being one: empty, a file path, or a
    /// reference such as `vault:...`, `arn:...`, `${VAR}`, an `https://` URL without a password.
    public static func isReference(_ v: String) -> Bool {
        if Redaction.containsPassword(v) { return false }
        return v.isEmpty || v.hasPrefix("/") || v.hasPrefix("${") || v.hasPrefix("arn:") || v.hasPrefix("vault:")
            || v.hasPrefix("secretsmanager:") || v.hasPrefix("projects/") || v.hasPrefix("https://")
    }

    /// True when the value holds a password (URL userinfo or a `password=` parameter).
    public static func hasPassword(_ value: String) -> Bool { Redaction.containsPassword(value) }

    /// Why `name: value` is a credential written as a plain value, or nil when it is not one.
    public static func plainSecretProblem(name: String, value: String) -> String? {
        if Redaction.containsPassword(value) { return "to a value with a password in it (URL userinfo or password=)" }
        if looksSecret(name) && !isReference(value) { return "to a literal value, and the name looks like a credential" }
        return nil
    }

    /// The value as it may be printed: `<redacted>` for a name that looks secret, passwords
    /// hidden otherwise.
    ///
    /// ```swift
    /// SecretValues.printable(name: "DB_PASSWORD", value: "hunter2")                 // "<redacted>"
    /// SecretValues.printable(name: "DATABASE_URL", value: "postgres://a:pw@db/app")  // "postgres://a:<redacted>@db/app"
    /// ```
    public static func printable(name: String, value: String) -> String {
        if looksSecret(name) && !value.isEmpty { return mask }
        return Redaction.redactPasswords(value)
    }

    /// Every env value of the spec that is secret (for scrubbing text that may quote it):
    /// values of secret-looking names, and the passwords inside other values.
    public static func values(in spec: Spec) -> [String] {
        var out: [String] = []
        for s in spec.services {
            for (k, v) in s.env + s.overrides.flatMap(\.env) {
                if looksSecret(k) && !v.isEmpty { out.append(v) }
                out += Redaction.passwords(in: v)
            }
        }
        return out
    }

    /// Source text safe to print in diagnostics: values of secret-looking upper-case keys
    /// (`DB_PASSWORD: x`, block or flow style, quoted or not, block scalars too), every password
    /// in a URL or `password=` parameter, and every one of `values` are replaced by `<redacted>`.
    /// Line numbers and the text before each value are kept, so carets still point right.
    public static func redactSource(_ text: String, values: [String] = []) -> String {
        let long = values.filter { $0.count >= 4 }
        var lines: [String] = []
        var blockIndent: Int? = nil  // inside a block scalar of a secret key deeper than this
        // "\r\n" is one Character: split on it too, or a CRLF file would read as one line.
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            var line = String(raw)
            let indent = line.prefix { $0 == " " }.count
            if let b = blockIndent {
                if line.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) {
                    lines.append(line)
                    continue
                }
                if indent > b {
                    lines.append(String(repeating: " ", count: indent) + mask)
                    continue
                }
                blockIndent = nil
            }
            // Secret keys are upper-case and URL passwords need '@': a line with neither (most
            // of a spec) is kept as it is without being taken apart.
            let bytes = raw.utf8
            if bytes.contains(where: { ($0 >= 0x41 && $0 <= 0x5A) || $0 == 0x40 }) {
                var startsBlock = false
                line = redactKeys(line, startsBlock: &startsBlock)
                if startsBlock { blockIndent = indent }
            }
            // Passwords in URLs or `password=` need '@' or '='.
            if !long.isEmpty || bytes.contains(where: { $0 == 0x40 || $0 == 0x3D }) { line = Redaction.scrub(line, secrets: long) }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// Line `n` (1-based) of a source as `redactSource` would print it, without redacting the
    /// rest: a diagnostic prints a few lines of a spec that may have thousands.
    ///
    /// A line is inside a secret block scalar (`DB_PASSWORD: |`) exactly when one of its
    /// ancestors (the lines above it with less indentation than every non-blank line between)
    /// starts one, so only that chain is read.
    public static func redactLine(_ n: Int, in index: LineIndex, values: [String] = []) -> String {
        guard let raw = index.line(n) else { return "" }
        func indent(_ s: Substring) -> Int { s.prefix { $0 == " " }.count }
        func isBlank(_ s: Substring) -> Bool { s.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\r" } }
        func hasKeyOrPassword(_ s: Substring) -> Bool { s.utf8.contains { ($0 >= 0x41 && $0 <= 0x5A) || $0 == 0x40 } }
        if !isBlank(raw) {
            var least = indent(raw)
            var k = n - 1
            while k >= 1, least > 0, let above = index.line(k) {
                k -= 1
                guard !isBlank(above) else { continue }
                let i = indent(above)
                guard i < least else { continue }
                least = i
                var startsBlock = false
                if hasKeyOrPassword(above) { _ = redactKeys(String(above), startsBlock: &startsBlock) }
                if startsBlock { return String(repeating: " ", count: indent(raw)) + mask }
            }
        }
        var line = String(raw)
        if hasKeyOrPassword(raw) {
            var startsBlock = false
            line = redactKeys(line, startsBlock: &startsBlock)
        }
        let long = values.filter { $0.count >= 4 }
        if !long.isEmpty || raw.utf8.contains(where: { $0 == 0x40 || $0 == 0x3D }) { line = Redaction.scrub(line, secrets: long) }
        return line
    }

    /// Hides the values of secret-looking upper-case keys on one line.
    static func redactKeys(_ line: String, startsBlock: inout Bool) -> String {
        let c = Array(line)
        var out: [Character] = []
        var i = 0
        var inFlow = false
        var quote: Character? = nil
        func isKeyChar(_ ch: Character) -> Bool { ch == "_" || ch.isASCII && (ch.isLetter || ch.isNumber) }
        while i < c.count {
            let ch = c[i]
            if let q = quote {
                out.append(ch)
                if ch == q { quote = nil }
                i += 1
                continue
            }
            if ch == "#" && (i == 0 || c[i - 1] == " ") {
                out += c[i...]
                break
            }
            if ch == "{" { inFlow = true }
            if ch == "\"" || ch == "'" {
                // a quoted key such as "DB_PASSWORD": value
                var j = i + 1
                while j < c.count, c[j] != ch { j += 1 }
                let key = String(c[min(i + 1, c.count)..<min(j, c.count)])
                if j < c.count, j + 1 < c.count, c[j + 1] == ":", isSecretKey(key) {
                    out += c[i...(j + 1)]
                    i = j + 2
                    i = maskValue(c, from: i, inFlow: inFlow, into: &out, startsBlock: &startsBlock)
                    continue
                }
                quote = ch
                out.append(ch)
                i += 1
                continue
            }
            if isKeyChar(ch), i == 0 || !isKeyChar(c[i - 1]) {
                var j = i
                while j < c.count, isKeyChar(c[j]) { j += 1 }
                let key = String(c[i..<j])
                if j < c.count, c[j] == ":", j + 1 == c.count || c[j + 1] == " ", isSecretKey(key) {
                    out += c[i...j]
                    i = maskValue(c, from: j + 1, inFlow: inFlow, into: &out, startsBlock: &startsBlock)
                    continue
                }
                out += c[i..<j]
                i = j
                continue
            }
            out.append(ch)
            i += 1
        }
        return String(out)
    }

    /// An env-style name (upper case, digits, `_`) that looks secret.
    static func isSecretKey(_ key: String) -> Bool {
        !key.isEmpty && key.allSatisfy { $0 == "_" || $0.isASCII && ($0.isUppercase || $0.isNumber) } && looksSecret(key)
    }

    /// Copies the spaces after a key's colon, then `<redacted>` in place of its value; returns
    /// where the rest of the line resumes.
    private static func maskValue(
        _ c: [Character], from start: Int, inFlow: Bool, into out: inout [Character],
        startsBlock: inout Bool
    ) -> Int {
        var i = start
        while i < c.count, c[i] == " " {
            out.append(" ")
            i += 1
        }
        guard i < c.count, c[i] != "#" else { return i }
        if c[i] == "|" || c[i] == ">" {
            startsBlock = true
            out += Array(mask)
            return c.count
        }
        var end = i
        if c[i] == "\"" || c[i] == "'" {
            let q = c[i]
            end = i + 1
            while end < c.count {
                if q == "\"", c[end] == "\\" {
                    end += 2
                    continue
                }
                if c[end] == q {
                    if q == "'", end + 1 < c.count, c[end + 1] == "'" {
                        end += 2
                        continue
                    }
                    end += 1
                    break
                }
                end += 1
            }
            end = min(end, c.count)
        } else {
            while end < c.count {
                if inFlow && (c[end] == "," || c[end] == "}") { break }
                if c[end] == "#", end > 0, c[end - 1] == " " { break }
                end += 1
            }
            while end > i, c[end - 1] == " " { end -= 1 }
        }
        out += Array(mask)
        return end
    }
}

extension SecretValues {
    /// Every env value a service sets: its name, value, path in the spec and, for an override,
    /// which environment it is for (as text after the name).
    static func envSettings(of s: Service) -> [(String, String, [String], String)] {
        var vars: [(String, String, [String], String)] = s.env.map { ($0.0, $0.1, ["services", s.name, "env", $0.0], "") }
        for o in s.overrides {
            vars += o.env.map {
                (
                    $0.0, $0.1, ["services", s.name, "overrides", o.environment.value, "env", $0.0],
                    " (override for '\(o.environment.value)')"
                )
            }
        }
        return vars
    }
}

extension PlatformChecks {
    /// No credential is a plain env value: a secret-looking name with a literal value, or a
    /// value holding a password, is an error that points to `services.<name>.secrets`.
    public static func plainSecrets(_ spec: Spec) -> [Diagnostic] {
        let ctx = AuditContext(spec: spec)
        var out: [Diagnostic] = []
        for s in spec.services {
            for (name, value, path, context) in SecretValues.envSettings(of: s) {
                guard let problem = SecretValues.plainSecretProblem(name: name, value: value) else { continue }
                out.append(
                    Diagnostic(
                        .error, .plainSecret,
                        "service '\(s.name)' sets env \(name)\(context) \(problem): "
                            + "list the secret under services.\(s.name).secrets (rendered as an ExternalSecret from security.secrets.store) "
                            + "and remove \(name) from env",
                        at: ctx.loc(path) ?? s.location))
            }
        }
        return out
    }
}
