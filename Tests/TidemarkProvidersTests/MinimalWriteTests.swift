import Testing
import TidemarkJSON

@testable import TidemarkProviderModel
@testable import TidemarkProviders

/// The pieces of "apply sends exactly what the plan shows": pointers, differences, the minimal write, markers.
@Suite("minimal writes")
struct MinimalWriteTests {
    @Test func pointersEscapeAsRFC6901Says() {
        let pointer = JSONPointer(["meta", "tidemark.io/owner", "a~b"])
        #expect(pointer.description == "/meta/tidemark.io~1owner/a~0b")
        #expect(JSONPointer(parsing: pointer.description) == pointer)
        #expect(JSONPointer(parsing: "meta") == nil)
        let object: JSON = ["meta": ["tidemark.io/owner": ["a~b": 1]], "rules": [["q": 1], ["q": 2]]]
        #expect(object[pointer] == 1)
        #expect(object[JSONPointer(["rules", "1", "q"])] == 2)
        #expect(object.setting(JSONPointer(["rules", "1", "q"]), to: 3)["rules"] == [["q": 1], ["q": 3]])
        #expect(object.setting(JSONPointer(["meta"]), to: nil) == ["rules": [["q": 1], ["q": 2]]])
    }

    @Test func differencesAreLeavesAndALengthChangeIsOneLeaf() {
        let before: JSON = ["a": 1, "b": ["c": "x", "d": [1, 2]], "e": [1]]
        let after: JSON = ["a": 1, "b": ["c": "y", "d": [1, 3]], "e": [1, 2], "f": ["g": true]]
        #expect(
            JSONDifference.between(before, after) == [
                JSONDifference(pointer: JSONPointer(["b", "c"]), before: "x", after: "y"),
                JSONDifference(pointer: JSONPointer(["b", "d", "1"]), before: 2, after: 3),
                JSONDifference(pointer: JSONPointer(["e"]), before: [1], after: [1, 2]),
                JSONDifference(pointer: JSONPointer(["f", "g"]), before: nil, after: true),
            ])
        #expect(JSONDifference.between(before, before).isEmpty)
    }

    /// A reader that, like cloudsigma's, takes `""`, `"*"` and `[""]` to mean "any".
    static func means(_ wanted: String) -> (JSON) -> Bool {
        { object in
            let month = object["month"]?.stringValue ?? object["month"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ",") ?? ""
            return object["hour"] == .string(wanted) && ["", "*"].contains(month)
        }
    }

    @Test func onlyFieldsWhoseMeaningChangesAreReplaced() {
        let live: JSON = ["hour": "1", "month": [""], "uuid": "u", "grantees": []]
        let desired: JSON = ["hour": "2", "month": "*"]
        let written = MinimalWrite.object(live: live, desired: desired, means: Self.means("2"))
        #expect(
            written == ["hour": "2", "month": [""], "uuid": "u", "grantees": []], "the month keeps the API's spelling, unknown fields stay")
        #expect(
            MinimalWrite.object(live: live, desired: desired, means: Self.means("1")) == desired,
            "a desired object that does not mean it is sent as is")
        #expect(MinimalWrite.changedMembers(of: written, from: live) == ["hour": "2"])
    }

    @Test func descriptionMarkersNameTheTargetAndOldOnesAreStillRead() {
        let marker = OwnershipMarker(instance: "tidemark", target: "zrh", name: "nightly", protected: true)
        #expect(DescriptionMarker.text(marker) == "tidemark:tidemark/zrh/nightly (protected)")
        #expect(DescriptionMarker.parse(DescriptionMarker.text(marker)) == marker)
        #expect(
            DescriptionMarker.parse("tidemark:tidemark/nightly")
                == OwnershipMarker(instance: "tidemark", target: nil, name: "nightly", protected: false))
        #expect(DescriptionMarker.parse("tidemark:a/b/c/d") == nil)
        #expect(DescriptionMarker.parse("made by hand") == nil)
    }
}
