/// The seed's own bulk-delete example has trailing commas (`{"uuid": "…",}`); the API evidently accepts them.
enum LenientJSON {
    static func removingTrailingCommas(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var inString = false
        var escaped = false
        var pendingComma: Int?
        for byte in bytes {
            if inString {
                output.append(byte)
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                pendingComma = nil
                inString = true
            case UInt8(ascii: ","):
                pendingComma = output.count
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if let comma = pendingComma { output.remove(at: comma) }
                pendingComma = nil
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                break
            default:
                pendingComma = nil
            }
            output.append(byte)
        }
        return output
    }
}
