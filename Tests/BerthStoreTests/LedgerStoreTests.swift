import BerthNet
import Foundation
import Testing

@testable import BerthStore

/// Which stores the ledger opens, and what its messages show of them.
@Suite struct LedgerStoreTests {
    func tempStore() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("ledger-\(UUID().uuidString).sqlite").path
    }

    @Test func onlyPoolAddCreatesAndOnlyBerthStoresOpen() throws {
        let store = tempStore()
        #expect(throws: LedgerError.store("store \(store) does not exist; 'berth ip pool add' creates it (or give --store)")) {
            try Ledger(store: store, access: .read)
        }
        FileManager.default.createFile(atPath: store, contents: Data())
        for access in [Ledger.Access.read, .write, .inspect] {
            #expect(
                throws: LedgerError.store(
                    "store \(store) is not a berth ledger: it is an empty file or database; 'berth ip pool add' creates one")
            ) {
                try Ledger(store: store, access: access)
            }
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: store)).isEmpty)
        _ = try Ledger(store: store, access: .create).addPool(name: "p", prefix: try IPPrefix("10.0.0.0/24"))
        #expect(try Ledger(store: store, access: .read).list().isEmpty)

        let other = tempStore()
        do {
            let raw = try SQLiteConnection(path: other, create: true)
            try raw.script("CREATE TABLE invoices (id INTEGER); CREATE TABLE customers (id INTEGER);")
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: other))
        for access in [Ledger.Access.read, .write, .inspect, .create] {
            #expect(
                throws: LedgerError.store(
                    "store \(other) is not a berth ledger: it holds other tables (customers, invoices) and no berth schema version; "
                        + "berth does not write to it (give --store another file)")
            ) {
                try Ledger(store: other, access: access)
            }
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: other)) == before)
    }

    @Test func storePasswordsAreHidden() {
        #expect(Ledger.redact("postgres://u:pw@h/db") == "postgres://u:<redacted>@h/db")
        #expect(Ledger.redact("postgres://u@h/db?password=pw") == "postgres://u@h/db?password=<redacted>")
        #expect(Ledger.redact("host=h password=pw dbname=x") == "host=h password=<redacted> dbname=x")
        #expect(Ledger.redact("postgres://u:p/w@h/db") == "postgres://u:<redacted>@h/db")
        #expect(Ledger.isPostgres("host=h dbname=x") && Ledger.isPostgres("postgresql://h/x") && !Ledger.isPostgres("ledger.sqlite"))
        do {
            _ = try Ledger(store: "postgres://u:pl4nted@[::1:1/db", access: .read)
            Issue.record("opened a malformed URL")
        } catch {
            #expect(!error.description.contains("pl4nted"))
            #expect(error.description.hasPrefix("cannot open store postgres://u:<redacted>@[::1:1/db: "))
        }
    }

    @Test func ipv4MappedPoolsAreRefused() throws {
        let ledger = try Ledger(store: tempStore())
        _ = try ledger.addPool(name: "v4", prefix: try IPPrefix("10.8.0.0/16"))
        #expect(
            throws: LedgerError.invalid(
                "pool ::ffff:10.8.0.0/112 is IPv4-mapped IPv6 (::ffff:0:0/96) and names the IPv4 addresses 10.8.0.0/16: add the IPv4 pool 10.8.0.0/16 instead"
            )
        ) {
            try ledger.addPool(name: "mapped", prefix: try IPPrefix("::ffff:10.8.0.0/112"))
        }
        _ = try ledger.addPool(name: "v6", prefix: try IPPrefix("2001:db8::/48"))
        #expect(try ledger.pools().map(\.name) == ["v4", "v6"])
    }
}
