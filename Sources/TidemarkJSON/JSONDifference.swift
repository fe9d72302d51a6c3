/// One leaf in which two JSON values differ: where, and the value on each side (nil: absent).
public struct JSONDifference: Sendable, Hashable {
    public var pointer: JSONPointer
    public var before: JSON?
    public var after: JSON?

    public init(pointer: JSONPointer, before: JSON?, after: JSON?) {
        self.pointer = pointer
        self.before = before
        self.after = after
    }

    /// The leaves in which `before` and `after` differ, sorted by pointer. Objects are compared key by key (an object
    /// that appears or disappears, field by field) and arrays of equal length element by element; an array whose length
    /// changes is one leaf.
    public static func between(_ before: JSON?, _ after: JSON?) -> [JSONDifference] {
        var found: [JSONDifference] = []
        collect(before, after, at: JSONPointer(), into: &found)
        return found.sorted { $0.pointer < $1.pointer }
    }

    private static func collect(_ before: JSON?, _ after: JSON?, at pointer: JSONPointer, into found: inout [JSONDifference]) {
        guard before != after else { return }
        switch (before, after) {
        case (.object(let old)?, .object(let new)?):
            for key in Set(old.keys).union(new.keys) { collect(old[key], new[key], at: pointer.appending(key), into: &found) }
        case (nil, .object(let new)?) where !new.isEmpty:
            for key in new.keys { collect(nil, new[key], at: pointer.appending(key), into: &found) }
        case (.object(let old)?, nil) where !old.isEmpty:
            for key in old.keys { collect(old[key], nil, at: pointer.appending(key), into: &found) }
        case (.array(let old)?, .array(let new)?) where old.count == new.count:
            for index in old.indices { collect(old[index], new[index], at: pointer.appending(String(index)), into: &found) }
        default:
            found.append(JSONDifference(pointer: pointer, before: before, after: after))
        }
    }
}
