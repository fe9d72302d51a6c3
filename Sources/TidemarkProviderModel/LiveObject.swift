import Foundation
import TidemarkJSON

/// A live object as the API returned it: its tree, or its JSON text as listed (read again on demand), with a digest
/// of its contents that does not depend on the order of its keys.
struct LiveObject: Sendable, Hashable {
    private enum Form: Sendable, Hashable {
        case tree(JSON)
        case text(Data)
    }

    private let form: Form
    let digest: UInt64

    init(_ json: JSON) {
        form = .tree(json)
        digest = StableHasher.digest(json)
    }

    /// `text` must be the JSON text `json` was read from; it is copied, so that a slice does not keep the whole
    /// response it came from.
    init(_ json: JSON, text: Data) {
        form = .text(text.withUnsafeBytes { Data($0) })
        digest = StableHasher.digest(json)
    }

    var json: JSON {
        switch form {
        case .tree(let json): return json
        case .text(let text):
            do {
                return try JSON.parse(text)
            } catch {
                preconditionFailure("a live object's own text, read once already, no longer reads: \(error)")
            }
        }
    }

    static func == (lhs: LiveObject, rhs: LiveObject) -> Bool {
        lhs.digest == rhs.digest && lhs.json == rhs.json
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(digest)
    }
}
