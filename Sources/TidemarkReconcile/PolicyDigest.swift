import TidemarkPolicy

extension Plan.Source {
    /// A digest of the policy files' paths and bytes (FNV-1a 64): a change detector for saved plans, not a signature.
    public static func digest(of files: [PolicyFile]) -> String {
        var state: UInt64 = 0xCBF2_9CE4_8422_2325
        for file in files {
            for byte in Array(file.path.utf8) + [0] + file.contents + [0] {
                state ^= UInt64(byte)
                state = state &* 0x0000_0100_0000_01B3
            }
        }
        return String(state, radix: 16)
    }
}
