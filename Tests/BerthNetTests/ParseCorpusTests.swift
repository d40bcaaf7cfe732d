import BerthNet
import Testing

/// Address and prefix text the parsers refuse (and a few they accept), each with the exact
/// outcome: every branch of the IPv4 and IPv6 parsers, so their messages stay verbatim when the
/// parsers change shape.
let parseCorpus: [(kind: String, text: String, outcome: String)] = [
    ("v6", "", "err malformed address '': address is empty"),
    ("v6", "1:2:3:4:5:6:7:8:9:10", "err malformed address '1:2:3:4:5:6:7:8:9:10': at most 8 colons are permitted"),
    ("v6", "1:2:3:4:5:6:7:8:9", "err malformed address '1:2:3:4:5:6:7:8:9': exactly 8 groups are expected without '::', found 9"),
    ("v6", "1::2::3", "err malformed address '1::2::3': at most one '::' is permitted"),
    ("v6", ":::", "err malformed address ':::': at most one '::' is permitted"),
    ("v6", ":1:2:3:4:5:6:7", "err malformed address ':1:2:3:4:5:6:7': a leading ':' is only permitted as part of '::'"),
    ("v6", "1:2:3:4:5:6:7:", "err malformed address '1:2:3:4:5:6:7:': a trailing ':' is only permitted as part of '::'"),
    ("v6", ":1::2", "err malformed address ':1::2': a leading ':' is only permitted as part of '::'"),
    ("v6", "1::2:", "err malformed address '1::2:': a trailing ':' is only permitted as part of '::'"),
    ("v6", "1:2:3:4::5:6:7:8", "err malformed address '1:2:3:4::5:6:7:8': '::' must stand for at least one group (at most 7 other groups)"),
    ("v6", "1:2:3:4:5:6:7", "err malformed address '1:2:3:4:5:6:7': exactly 8 groups are expected without '::', found 7"),
    ("v6", "1:2", "err malformed address '1:2': at least 3 colon-separated parts are expected"),
    ("v6", "::", "ok ::"),
    ("v6", "1:2:3:4:5:6:7::", "ok 1:2:3:4:5:6:7:0"),
    ("v6", "::1:2:3:4:5:6:7", "ok 0:1:2:3:4:5:6:7"),
    ("v6", "1:2:3:4:5:6:7:g", "err malformed address '1:2:3:4:5:6:7:g': only hex digits are permitted in group 'g'"),
    ("v6", "1:2:3:4:5:6:7:12345", "err malformed address '1:2:3:4:5:6:7:12345': at most 4 hex digits are permitted in group '12345'"),
    ("v6", "::1.2.3", "err malformed address '::1.2.3': invalid embedded IPv4 address '1.2.3': expected 4 octets, found 3"),
    ("v6", "::1.2.3.4.5", "err malformed address '::1.2.3.4.5': invalid embedded IPv4 address '1.2.3.4.5': expected 4 octets, found more"),
    (
        "v6", "::01.2.3.4",
        "err malformed address '::01.2.3.4': invalid embedded IPv4 address '01.2.3.4': leading zeros are not permitted in octet '01'"
    ),
    ("v6", "::ffff:1.2.3.4", "ok ::ffff:1.2.3.4"),
    ("v6", "1.2.3.4::", "err malformed address '1.2.3.4::': only hex digits are permitted in group '1.2.3.4'"),
    ("v6", "::1 ", "err malformed address '::1 ': whitespace is not permitted"),
    ("v6", "fe80::1%eth0", "err malformed address 'fe80::1%eth0': zone identifiers ('%...') are not supported"),
    ("v6", "1:2:3:4:5:6:1.2.3.4", "ok 1:2:3:4:5:6:102:304"),
    ("v6", "1:2:3:4:5:6:7:1.2.3.4", "err malformed address '1:2:3:4:5:6:7:1.2.3.4': exactly 8 groups are expected without '::', found 9"),
    ("v6", "10.0.0.1", "err family mismatch: 10.0.0.1 is IPv4, expected IPv6"),
    ("v4", "", "err malformed address '': address is empty"),
    ("v4", "1.2.3.4.5", "err malformed address '1.2.3.4.5': expected 4 octets, found more"),
    ("v4", "1.2.3", "err malformed address '1.2.3': expected 4 octets, found 3"),
    ("v4", "1.2.3.a", "err malformed address '1.2.3.a': only decimal digits are permitted in octet 'a'"),
    ("v4", "1.2.3.1000", "err malformed address '1.2.3.1000': at most 3 digits are permitted in octet '1000'"),
    ("v4", "1.2.3.", "err malformed address '1.2.3.': empty octet"),
    ("v4", ".1.2.3", "err malformed address '.1.2.3': empty octet"),
    ("v4", "1.2.3.-1", "err malformed address '1.2.3.-1': only decimal digits are permitted in octet '-1'"),
    ("v4", "255.255.255.255", "ok 255.255.255.255"),
    ("v4", "::1", "err family mismatch: ::1 is IPv6, expected IPv4"),
    ("p4", "10.0.0.0/8", "ok 10.0.0.0/8"),
    ("p4", "10.0.0.0.0/8", "err malformed address '10.0.0.0.0/8': expected 4 octets, found more"),
    ("p4", "::/0", "err family mismatch: ::/0 is IPv6, expected IPv4"),
    ("p6", "10.0.0.0/8", "err family mismatch: 10.0.0.0/8 is IPv4, expected IPv6"),
    ("p6", "1::2::3/64", "err malformed address '1::2::3/64': at most one '::' is permitted"),
    ("ip", "1:2:3/64", "err malformed address '1:2:3/64': exactly 8 groups are expected without '::', found 3"),
    ("ip", "1.2.3/8", "err malformed address '1.2.3/8': expected 4 octets, found 3"),
]

/// "ok <text>" or "err <message>" for one corpus row.
func parseOutcome(kind: String, text: String) -> String {
    do {
        switch kind {
        case "v4": return "ok \(try IPv4Address(text))"
        case "v6": return "ok \(try IPv6Address(text))"
        case "p4": return "ok \(try IPv4Prefix(text))"
        case "p6": return "ok \(try IPv6Prefix(text))"
        default: return "ok \(try IPPrefix(text))"
        }
    } catch {
        return "err \(error.description)"
    }
}

@Suite("Parser corpus")
struct ParseCorpusTests {
    @Test(arguments: parseCorpus.indices)
    func outcomeIsVerbatim(_ index: Int) {
        let row = parseCorpus[index]
        #expect(parseOutcome(kind: row.kind, text: row.text) == row.outcome, "\(row.kind) '\(row.text)'")
    }
}
