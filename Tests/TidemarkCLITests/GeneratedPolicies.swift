import Foundation

/// Generated Scheduler documents on target `local` for tests at scale.
enum GeneratedPolicies {
    /// `count` schedulers `generated-N`, each bound by a DriveBinding to `drivesEach` of the emulator's seeded drives
    /// (`drive-00001` …, in order) when `drivesEach` is above 0.
    static func schedulers(_ count: Int, drivesEach: Int = 0) -> String {
        (0..<count).map { index in
            var text = """
                ---
                apiVersion: tidemark.io/v1
                kind: Scheduler
                metadata: {name: generated-\(index)}
                spec:
                  target: local
                  schedule: {timezone: Etc/UTC, at: ["\(String(format: "%02d:%02d", index % 24, index % 60))"]}
                  retention: {period: days, quantity: 7}

                """
            if drivesEach > 0 {
                let drives = (1...drivesEach).map { String(format: "drive-%05d", index * drivesEach + $0) }.joined(separator: ", ")
                text += """
                    ---
                    apiVersion: tidemark.io/v1
                    kind: DriveBinding
                    metadata: {name: generated-\(index)}
                    spec: {target: local, scheduler: generated-\(index), drives: {names: [\(drives)]}}

                    """
            }
            return text
        }.joined()
    }
}
