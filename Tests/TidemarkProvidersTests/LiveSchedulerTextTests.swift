import Foundation
import Testing
import TidemarkJSON
import TidemarkProviderModel

/// A listed scheduler keeps its JSON text instead of its tree: it must read back as the same object, and the live
/// state's digest must not depend on which form, or on the order of the keys in the text.
@Suite("Live scheduler kept as text")
struct LiveSchedulerTextTests {
    static let text = #"{"uuid": "s-1", "name": "nightly", "meta": {"b": "2", "a": "1"}, "rules": [{"period": "days", "quantity": 7}]}"#
    static let reordered =
        #"{"rules": [{"quantity": 7, "period": "days"}], "meta": {"a": "1", "b": "2"}, "name": "nightly", "uuid": "s-1"}"#

    static func scheduler(_ text: String?) throws -> LiveScheduler {
        let tree = try JSON.parse(Data((text ?? Self.text).utf8))
        return LiveScheduler(
            id: "s-1", marker: nil, state: nil, displayName: "nightly", raw: tree, text: text.map { Data($0.utf8) })
    }

    @Test func theTextReadsBackAsTheTree() throws {
        let fromText = try Self.scheduler(Self.text)
        #expect(fromText.raw == (try JSON.parse(Data(Self.text.utf8))))
        #expect(fromText == (try Self.scheduler(nil)))
    }

    @Test func theDigestIgnoresTheFormAndTheOrderOfKeys() throws {
        func version(_ scheduler: LiveScheduler) -> String {
            LiveState(schedulers: [scheduler], drives: [], nativeScheduling: true).version
        }
        let tree = try Self.scheduler(nil)
        #expect(version(try Self.scheduler(Self.text)) == version(tree))
        #expect(version(try Self.scheduler(Self.reordered)) == version(tree))
        var changed = tree
        changed.raw["name"] = "weekly"
        #expect(version(changed) != version(tree))
    }

    @Test func aSliceOfAListingReadsBack() throws {
        let listing = Data(("[" + Self.text + "]").utf8)
        let slice = listing[(listing.startIndex + 1)..<(listing.endIndex - 1)]
        let scheduler = LiveScheduler(
            id: "s-1", marker: nil, state: nil, displayName: "nightly", raw: try JSON.parse(slice), text: slice)
        #expect(scheduler.raw == (try JSON.parse(Data(Self.text.utf8))))
    }
}
