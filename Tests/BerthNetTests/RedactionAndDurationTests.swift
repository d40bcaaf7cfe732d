import BerthNet
import Testing

@Suite("Password redaction")
struct RedactionTests {
    @Test func urlsAndConnectionStrings() {
        let cases: [(String, String)] = [
            ("postgres://u:pw@host/db", "postgres://u:<redacted>@host/db"),
            ("postgres://u@host/db?password=pw", "postgres://u@host/db?password=<redacted>"),
            ("postgres://u@host/db?sslmode=require&PASSWORD=pw&x=1", "postgres://u@host/db?sslmode=require&PASSWORD=<redacted>&x=1"),
            ("host=db user=u password=pw dbname=x", "host=db user=u password=<redacted> dbname=x"),
            ("host=db password = 'p w\\'x' dbname=x", "host=db password = '<redacted>' dbname=x"),
            ("postgres://u:pa@ss@host/db", "postgres://u:<redacted>@host/db"),
            ("postgres://u:pass@[::1:1/db", "postgres://u:<redacted>@[::1:1/db"),
            ("jdbc:postgresql://u:pw@h/d and https://a:b@c/", "jdbc:postgresql://u:<redacted>@h/d and https://a:<redacted>@c/"),
            ("postgres://u:@host/db", "postgres://u:@host/db"),
            ("postgres://host/db", "postgres://host/db"),
            ("mypassword=x", "mypassword=x"),
        ]
        for (input, want) in cases { #expect(Redaction.redactPasswords(input) == want, "\(input)") }
        #expect(Redaction.passwords(in: "postgres://u:p%40ss@h/d") == ["p%40ss", "p@ss"])
        #expect(Redaction.scrub("could not connect: p@ss rejected", secrets: ["p@ss"]) == "could not connect: <redacted> rejected")
    }
}

@Suite("Durations (one parser for the spec and the ledger)")
struct DurationTextTests {
    @Test func ledgerRules() throws {
        #expect(try DurationText.parse("0", rules: .ledger) == 0)
        #expect(try DurationText.parse("90s", rules: .ledger) == 90)
        #expect(try DurationText.parse("1h30m", rules: .ledger) == 5400)
        #expect(try DurationText.parse("1y", rules: .ledger) == 31_536_000)
        #expect(try DurationText.parse("2w1d", rules: .ledger) == 15 * 86_400)
        let bad: [(String, DurationText.Problem)] = [
            ("", .empty), ("-1h", .negative), ("1", .missingUnit), ("h", .missingNumber(unit: "h")),
            ("5x", .unknownUnit("x", allowed: "s, m, h, d, w or y")), ("1h1h", .repeatedUnit("h")),
            ("30m1h", .unitOrder("h", after: "m")), ("1h30", .missingUnit), ("101y", .tooLong(max: "100y")),
            ("99999999999999999999h", .tooLong(max: "100y")),
        ]
        for (text, problem) in bad {
            #expect(throws: problem, "\(text)") { try DurationText.parse(text, rules: .ledger) }
        }
        #expect(DurationText.Problem.repeatedUnit("h").description == "repeats the unit 'h'; write each unit once")
    }

    @Test func specRules() throws {
        #expect(try DurationText.parse("30d", rules: .spec) == 2_592_000)
        #expect(try DurationText.parse("1y", rules: .spec) == 31_536_000)
        #expect(throws: DurationText.Problem.notCompound) { try DurationText.parse("1d2h", rules: .spec) }
        #expect(throws: DurationText.Problem.zero) { try DurationText.parse("0d", rules: .spec) }
        #expect(throws: DurationText.Problem.unknownUnit("s", allowed: "m, h, d, w or y")) { try DurationText.parse("5s", rules: .spec) }
    }
}
