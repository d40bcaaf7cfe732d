import Foundation
import Testing

@testable import BerthCore

/// Credentials are never plain env values, and no diagnostic prints one.
@Suite("Secrets")
struct SecretsTests {
    static let staging = StagingParityTests.staging

    static func errors(_ text: String) -> [String] {
        Fixtures.lines(Fixtures.check(text)).filter { $0.contains(": error: ") }
    }

    @Test("the shared predicate: names that look secret, URL and password= passwords, references")
    func predicate() {
        for name in [
            "DB_PASSWORD", "db_passwd", "SESSION_SECRET", "GITHUB_TOKEN", "STRIPE_API_KEY", "SSH_PRIVATE_KEY", "SIGNING_KEY",
            "AWS_CREDENTIALS", "PG_PWD",
        ] {
            #expect(SecretValues.looksSecret(name), "\(name)")
        }
        for name in ["LOG_LEVEL", "KEYCLOAK_URL", "PORT", "MONKEY_MODE"] { #expect(!SecretValues.looksSecret(name), "\(name)") }
        #expect(SecretValues.plainSecretProblem(name: "DB_PASSWORD", value: "hunter2") != nil)
        #expect(SecretValues.plainSecretProblem(name: "DB_PASSWORD", value: "vault:kv/db#password") == nil)
        #expect(SecretValues.plainSecretProblem(name: "DB_PASSWORD", value: "") == nil)
        #expect(SecretValues.plainSecretProblem(name: "DATABASE_URL", value: "postgres://app:pw@db/app") != nil)
        #expect(SecretValues.plainSecretProblem(name: "DATABASE_URL", value: "postgres://app@db/app") == nil)
        #expect(SecretValues.plainSecretProblem(name: "DSN", value: "host=db password=pw") != nil)
        #expect(SecretValues.plainSecretProblem(name: "LINK", value: "https://x.example/?password=pw") != nil)
        #expect(SecretValues.plainSecretProblem(name: "TOKEN_URL", value: "https://u:pw@x.example/") != nil)
        #expect(SecretValues.printable(name: "DB_PASSWORD", value: "hunter2") == "<redacted>")
        #expect(SecretValues.printable(name: "DATABASE_URL", value: "postgres://app:pw@db/app") == "postgres://app:<redacted>@db/app")
        #expect(SecretValues.printable(name: "MODE", value: "live") == "live")
        #expect(Audit.looksSecret("API_TOKEN"))
    }

    @Test("check: a located error per credential in env, pointing to secrets:")
    func check() {
        let text = Self.staging.replacingOccurrences(
            of: "    replicas: { min: 2, max: 4 }\n    talksTo: [api]",
            with:
                "    replicas: { min: 2, max: 4 }\n    talksTo: [api]\n    env:\n      DB_PASSWORD: hunter2\n      DATABASE_URL: postgres://app:pw1@db/app\n      TOKEN_FILE: /run/token\n    overrides:\n      staging: { env: { API_TOKEN: tok-123 } }\n"
        )
        #expect(
            Self.errors(text) == [
                "spec.yaml:22:20: error: service 'web' sets env DB_PASSWORD to a literal value, and the name looks like a credential: list the secret under services.web.secrets (rendered as an ExternalSecret from security.secrets.store) and remove DB_PASSWORD from env",
                "spec.yaml:23:21: error: service 'web' sets env DATABASE_URL to a value with a password in it (URL userinfo or password=): list the secret under services.web.secrets (rendered as an ExternalSecret from security.secrets.store) and remove DATABASE_URL from env",
                "spec.yaml:26:36: error: service 'web' sets env API_TOKEN (override for 'staging') to a literal value, and the name looks like a credential: list the secret under services.web.secrets (rendered as an ExternalSecret from security.secrets.store) and remove API_TOKEN from env",
            ])
    }

    @Test("staging-parity notes print secret values as <redacted>, URL passwords hidden")
    func parity() {
        let text = Self.staging.replacingOccurrences(
            of: "    replicas: { min: 2, max: 4 }\n    talksTo: [api]",
            with:
                "    replicas: { min: 2, max: 4 }\n    talksTo: [api]\n    env: { DB_PASSWORD: prod-pw-1, DATABASE_URL: \"postgres://a:prodpw@db/a\", MODE: live }\n    overrides:\n      staging: { env: { DB_PASSWORD: stage-pw-2, DATABASE_URL: \"postgres://a:stagepw@db/a\", MODE: test } }\n"
        )
        let all = Fixtures.lines(Fixtures.check(text)).joined(separator: "\n")
        for planted in ["prod-pw-1", "stage-pw-2", "prodpw", "stagepw"] { #expect(!all.contains(planted), "\(planted)") }
        #expect(
            StagingParityTests.notes(text) == [
                "spec.yaml:23:7: note: staging differs from production for service 'web': env DATABASE_URL 'postgres://a:<redacted>@db/a' (production 'postgres://a:<redacted>@db/a')",
                "spec.yaml:23:7: note: staging differs from production for service 'web': env DB_PASSWORD '<redacted>' (production '<redacted>')",
                "spec.yaml:23:7: note: staging differs from production for service 'web': env MODE 'test' (production 'live')",
            ])
    }

    @Test("source lines under diagnostics: values of secret keys hidden in every YAML style")
    func sourceLines() {
        let source = """
            env:
              DB_PASSWORD: hunter2 # old
              "API_TOKEN": 'it''s'
              SIGNING_KEY: |
                line one
                line two
              LOG_LEVEL: debug
            flow: { SESSION_SECRET: "a,b", MODE: x, URL: postgres://u:pw@h/d }
            secrets: [session-key]
            dsn: host=db password=pw2 dbname=x
            """
        #expect(
            SecretValues.redactSource(source, values: ["planted-elsewhere"]) == """
                env:
                  DB_PASSWORD: <redacted> # old
                  "API_TOKEN": <redacted>
                  SIGNING_KEY: <redacted>
                    <redacted>
                    <redacted>
                  LOG_LEVEL: debug
                flow: { SESSION_SECRET: <redacted>, MODE: x, URL: postgres://u:<redacted>@h/d }
                secrets: [session-key]
                dsn: host=db password=<redacted> dbname=x
                """)
        #expect(SecretValues.redactSource("note: planted-elsewhere here", values: ["planted-elsewhere"]) == "note: <redacted> here")
    }

    /// Every line of every spec in the repository, and of specs built to trip the block-scalar
    /// rule, redacted on its own equals the same line of the whole-file redaction.
    @Test("one line redacted on its own equals that line of the whole-file redaction")
    func lineByLine() throws {
        var texts: [String] = [
            "env:\n  DB_PASSWORD: |\n    one\n\n      deeper\n    two\n  NEXT: x\n  API_TOKEN: >-\n    folded\nafter: 1\n",
            "doc: |\n  DB_PASSWORD: |\n    inner\n  plain\ntop: TOKEN_KEY\n",
            "a:\n  b:\n    SECRET_KEY: |\n      s1\n    c: d\n      e\n  f: g\n",
            "x:\r\n  DB_PASSWORD: hunter2\r\n  K: v\r\n  API_KEY: |\r\n    s\r\n  url: postgres://u:pw@h/d\r\n",
            "\t\nSIGNING_KEY: |\n\tnot-indented-by-spaces\n  spaced\n",
        ]
        let fm = FileManager.default
        for folder in ["examples", "Tests/BerthCoreTests/Fixtures"] {
            let root = Fixtures.repoRoot.appendingPathComponent(folder)
            for case let url as URL in fm.enumerator(at: root, includingPropertiesForKeys: nil) ?? FileManager.DirectoryEnumerator() {
                if url.pathExtension == "yaml", let text = try? String(contentsOf: url, encoding: .utf8) { texts.append(text) }
            }
        }
        #expect(texts.count > 20)
        let values = ["hunter2", "planted-elsewhere", "flowpw-77"]
        for text in texts {
            let whole = SecretValues.redactSource(text, values: values).split(separator: "\n", omittingEmptySubsequences: false)
            // A CRLF file is redacted line by line too (it once read as one line).
            if text.contains("\r\n") { #expect(whole.count == LineIndex(text).lineCount + 1) }
            let index = LineIndex(text)
            for n in 1...max(1, index.lineCount) {
                var expected = n <= whole.count ? String(whole[n - 1]) : ""
                if expected.hasSuffix("\r") { expected.removeLast() }
                #expect(SecretValues.redactLine(n, in: index, values: values) == expected, "line \(n) of:\n\(text.prefix(200))")
            }
        }
    }

    @Test("the diagnostics printed for a spec show no secret (the loaded sources are redacted)")
    func printedDiagnostics() {
        let text = Self.staging.replacingOccurrences(
            of: "    replicas: { min: 2, max: 4 }\n    talksTo: [api]",
            with:
                "    replicas: { min: 2, max: 4 }\n    talksTo: [api]\n    env: { DB_PASSWORD: flowpw-77, URL: \"mysql://u:urlpw-88@h/d\" }\n"
        )
        let loaded = Fixtures.check(text)
        let printed = DiagnosticFormatter(sources: loaded.sources, color: false).text(loaded.diagnostics)
        #expect(printed.contains("    env: { DB_PASSWORD: <redacted>, URL: \"mysql://u:<redacted>@h/d\" }\n"))
        #expect(!printed.contains("flowpw-77") && !printed.contains("urlpw-88"))
        // The CLI's formatter redacts only the lines it prints: the same text.
        #expect(loaded.formatter(color: false).text(loaded.diagnostics) == printed)
    }
}
