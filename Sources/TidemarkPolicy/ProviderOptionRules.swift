/// The `options` a Scheduler may carry on each provider, checked when the policies load, so `validate` finds in CI
/// what `plan` would otherwise find only against the live API.
enum ProviderOptionRules {
    /// One option: its key, whether it must be given, and what makes a value wrong (nil: the value is fine).
    struct Rule {
        var key: String
        var required = false
        var problem: (String) -> String? = { _ in nil }
    }

    static let freezerModes = ["fs", "mongo", "mysql", "sqlserver", "cinder", "glance", "cindernative", "nova"]
    static let freezerStorages = ["local", "swift", "ssh", "s3", "ftp", "ftps"]

    static func rules(for provider: ProviderKind) -> [Rule] {
        switch provider {
        case .cloudsigma:
            [Rule(key: "window") { TimeWindow(parsing: $0) == nil ? "is not a window such as 07:00-19:00" : nil }]
        case .scheduledBackup:
            []
        case .danube:
            [
                Rule(key: "node", required: true) { $0.isEmpty ? "is empty; name the backup node that stores the backups" : nil },
                Rule(key: "zpool") { $0.isEmpty ? "is empty; name the node's zpool, e.g. zones" : nil },
                Rule(key: "bwlimit") { Int($0).map { $0 >= 0 } == true ? nil : "must be a number of bytes per second (0 or more)" },
                Rule(key: "compression") {
                    Int($0).map((0...3).contains) == true ? nil : "must be 0 (none), 1 (gzip), 2 (bzip2) or 3 (xz)"
                },
                Rule(key: "fsfreeze") { ["true", "false"].contains($0) ? nil : "must be true or false" },
            ]
        case .freezer:
            [
                Rule(key: "clientId", required: true) { $0.isEmpty ? "is empty; name the client the freezer agent registered" : nil },
                Rule(key: "container", required: true) { $0.isEmpty ? "is empty; name the storage container" : nil },
                Rule(key: "backupName"),
                Rule(key: "pathToBackup"),
                Rule(key: "storage") { freezerStorages.contains($0) ? nil : "must be one of \(freezerStorages.joined(separator: ", "))" },
                Rule(key: "mode") { freezerModes.contains($0) ? nil : "must be one of \(freezerModes.joined(separator: ", "))" },
            ]
        }
    }

    /// Reports unknown, missing and malformed options of a scheduler on a target of `provider`.
    static func check(_ scheduler: PolicyDocument<SchedulerSpec>, target: String, provider: ProviderKind, log: DiagnosticLog) {
        let spec = scheduler.spec
        let rules = rules(for: provider)
        let known = rules.map(\.key)
        for key in spec.options.keys.sorted() where !known.contains(key) {
            log.error(
                spec.optionLocations[key] ?? scheduler.location,
                "unknown option '\(key)' for scheduler '\(scheduler.name)' on \(provider.rawValue) target '\(target)'",
                hint: Suggestion.didYouMean(key, in: known)
                    + (known.isEmpty ? "\(provider.rawValue) schedulers take no options" : "known: \(known.joined(separator: ", "))"))
        }
        for rule in rules {
            guard let value = spec.options[rule.key] else {
                if rule.required {
                    log.error(
                        spec.optionsLocation ?? scheduler.location,
                        "scheduler '\(scheduler.name)' on \(provider.rawValue) target '\(target)' needs options.\(rule.key)",
                        hint: "add \(rule.key): … under options")
                }
                continue
            }
            if let problem = rule.problem(value) {
                log.error(
                    spec.optionLocations[rule.key] ?? scheduler.location,
                    "options.\(rule.key) '\(value)' of scheduler '\(scheduler.name)' \(problem)")
            }
        }
    }
}
