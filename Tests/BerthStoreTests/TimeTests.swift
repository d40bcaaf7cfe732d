import BerthStore
import Testing

@Suite struct LedgerTimeTests {
    @Test func formatAndParseRoundTrip() {
        #expect(LedgerTime.format(0) == "1970-01-01T00:00:00Z")
        #expect(LedgerTime.format(1_735_689_600) == "2025-01-01T00:00:00Z")
        #expect(LedgerTime.parse("2025-01-01T00:00:00Z") == 1_735_689_600)
        #expect(LedgerTime.parse("2025-01-01T02:00:00+02:00") == 1_735_689_600)
        #expect(LedgerTime.parse("2025-01-01T00:00:00.123Z") == 1_735_689_600)
        #expect(LedgerTime.parse("2024-02-29T12:34:56Z").map(LedgerTime.format) == "2024-02-29T12:34:56Z")
        for bad in ["", "2025-01-01", "2025-13-01T00:00:00Z", "2025-01-01T00:00:00", "2025-01-01T00:00:00+0200", "x"] {
            #expect(LedgerTime.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func durations() {
        #expect(LedgerTime.parseDuration("0") == 0)
        #expect(LedgerTime.parseDuration("90s") == 90)
        #expect(LedgerTime.parseDuration("1h30m") == 5400)
        #expect(LedgerTime.parseDuration("7d") == 604_800)
        for bad in ["", "1", "h", "1x", "-1h", "1h30", "99999999999999999999h"] {
            #expect(LedgerTime.parseDuration(bad) == nil, "\(bad)")
        }
        #expect(LedgerTime.formatDuration(5400) == "1h30m")
    }
}
