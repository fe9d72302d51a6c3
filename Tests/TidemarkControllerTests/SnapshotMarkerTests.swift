import Foundation
import TestSupport
import Testing
import TidemarkController

@Suite("Snapshot marker: slot texts as Foundation's ISO 8601 writes and reads them")
struct SnapshotMarkerTests {
    static func foundationText(_ slot: Date) -> String {
        slot.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .omitted))
    }

    @Test func slotTextsMatchFoundationAndReadBack() {
        var random = SplitMix64(seed: 15)
        // 1500–2500 crosses the fast path's lower bound (1600) and Foundation's Julian calendar before 1582.
        let earliest = Int64(-14_831_769_600)
        let latest = Int64(16_725_225_600)
        var instants: [Date] = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 951_782_400), Date(timeIntervalSince1970: 1.5)]
        for _ in 0..<20_000 {
            instants.append(Date(timeIntervalSince1970: TimeInterval(earliest + Int64(random.next() % UInt64(latest - earliest)))))
        }
        for slot in instants {
            let text = SnapshotMarker.slotText(slot)
            #expect(text == Self.foundationText(slot), "\(slot.timeIntervalSince1970)")
            #expect(SnapshotMarker.slot(from: text) == (try? Date(text, strategy: .iso8601)), "\(text)")
        }
    }

    @Test func textsOutOfRangeOrInOtherFormsAreReadByFoundationOrRefused() {
        #expect(SnapshotMarker.slot(from: "2026-02-29T00:00:00Z") == (try? Date("2026-02-29T00:00:00Z", strategy: .iso8601)))
        #expect(SnapshotMarker.slot(from: "2024-02-29T23:59:59Z") == Date(timeIntervalSince1970: 1_709_251_199))
        #expect(SnapshotMarker.slot(from: "2026-13-01T00:00:00Z") == nil)
        #expect(SnapshotMarker.slot(from: "2026-01-31T03:00:00+01:00") == Date(timeIntervalSince1970: 1_769_824_800))
        #expect(SnapshotMarker.slot(from: "nightly") == nil)
    }
}
