/// A conservative upper bound of a YAML text's nesting depth, computed before parsing.
///
/// The YAML composer recurses once per level, so a file of a million `[` must be refused before
/// it is parsed. The bound counts open flow brackets (outside quotes and comments) plus, per line,
/// the indentation and the compact `- `/`? ` indicators that open a level on the same line.
enum NestingPrescan {
    /// The first line whose estimated depth exceeds `limit`, if any.
    static func firstLine(exceeding limit: Int, in bytes: some Collection<UInt8>) -> Int? {
        let space: UInt8 = 0x20
        let newline: UInt8 = 0x0A
        let tab: UInt8 = 0x09
        var line = 1
        var flowDepth = 0
        var atLineStart = true
        var indent = 0
        var compact = 0
        var quote: UInt8? = nil
        var inComment = false
        var previous = newline
        var pendingIndicator = false
        for byte in bytes {
            if pendingIndicator, byte == space || byte == newline || byte == tab { compact += 1 }
            pendingIndicator = false
            defer { previous = byte }
            if byte == newline {
                line += 1
                atLineStart = true
                indent = 0
                compact = 0
                inComment = false
                continue
            }
            if inComment { continue }
            if let open = quote {
                if byte == open { quote = nil }
                continue
            }
            if atLineStart {
                if byte == space {
                    indent += 1
                    continue
                }
                atLineStart = false
            }
            let afterSeparator = previous == space || previous == newline || previous == tab
            switch byte {
            case 0x23 where afterSeparator:
                inComment = true
            case 0x27 where afterSeparator || previous == 0x5B || previous == 0x7B || previous == 0x2C,
                0x22 where afterSeparator || previous == 0x5B || previous == 0x7B || previous == 0x2C:
                quote = byte
            case 0x5B, 0x7B:
                flowDepth += 1
            case 0x5D, 0x7D:
                flowDepth = max(0, flowDepth - 1)
            case 0x2D where afterSeparator, 0x3F where afterSeparator:
                pendingIndicator = true
            default:
                break
            }
            if indent + compact + flowDepth > limit { return line }
        }
        return nil
    }
}
