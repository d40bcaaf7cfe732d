import BerthBase
import BerthNet
import Testing

@testable import BerthStore

/// What the command line does with the ledger's errors and results: one exit status per
/// error case (README: 1 for a refused request and for a store alike), and the
/// `--format json` shapes in BerthStore.
@Suite struct LedgerErrorAndJSONTests {
    @Test func everyCaseSaysItsExitStatus() {
        #expect(LedgerError.invalid("unknown pool 'x'").exitStatus == .failed)
        #expect(LedgerError.store("cannot open 'x.sqlite'").exitStatus == .failed)
        #expect(LedgerError.invalid("unknown pool 'x'").message == "unknown pool 'x'")
        let reported: any ExitStatusError = LedgerError.store("m")
        #expect(reported.exitStatus.rawValue == 1 && reported.message == "m")
    }

    @Test func allocationAndPoolJSON() throws {
        let a = Allocation(
            id: 7, pool: "pods", prefix: try IPPrefix("10.8.0.0/24"), owner: "team-a", note: nil, state: .allocated,
            requestID: "r1", createdAt: 0, expiresAt: 3600, endedAt: nil, quarantineUntil: nil)
        #expect(
            a.json.serialized(pretty: false)
                == #"{"id":7,"pool":"pods","cidr":"10.8.0.0/24","owner":"team-a","note":null,"state":"allocated","request_id":"r1","#
                + #""created_at":"1970-01-01T00:00:00Z","expires_at":"1970-01-01T01:00:00Z","ended_at":null,"quarantine_until":null}"#)
        let p = Pool(id: 1, name: "pods", prefix: try IPPrefix("10.8.0.0/16"), quarantine: 60, createdAt: 0)
        #expect(
            p.json.serialized(pretty: false)
                == #"{"name":"pods","cidr":"10.8.0.0/16","quarantine_seconds":60,"created_at":"1970-01-01T00:00:00Z"}"#)
        let free = AddressOwner(address: try IPAddress("10.8.1.1"), pool: p, holder: nil)
        #expect(free.json.serialized(pretty: false) == #"{"address":"10.8.1.1","pool":"pods","free":true,"allocation":null}"#)
    }
}
