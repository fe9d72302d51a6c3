import TidemarkJSON

/// The smallest change to a live object that gives it the meaning wanted: what an update or adopt request carries.
public enum MinimalWrite {
    /// `live` with only those leaves of `desired` replaced that `means` needs. Starts from `desired` and puts back,
    /// one at a time, every leaf of `live` whose return keeps `means` true, so a field whose meaning does not change
    /// keeps the API's own spelling. When `desired` itself does not satisfy `means`, it is returned unchanged.
    public static func object(live: JSON, desired: JSON, means: (JSON) -> Bool) -> JSON {
        guard means(desired) else { return desired }
        var result = desired
        for difference in JSONDifference.between(live, desired) {
            let restored = result.setting(difference.pointer, to: difference.before)
            if means(restored) { result = restored }
        }
        return result
    }

    /// The top-level members of `object` that differ from `live`: the body of a partial update (PATCH, or a PUT that
    /// updates only the fields it is given).
    public static func changedMembers(of object: JSON, from live: JSON) -> JSON {
        let fields = object.objectValue ?? [:]
        return .object(fields.filter { live[$0.key] != $0.value })
    }
}
