import Foundation

/// IANA timezone names, as the platform's time zone database knows them.
public enum Timezones {
    /// True when `name` is an IANA zone name (e.g. `Europe/Zurich`, `Etc/GMT+12`, `UTC`), not an
    /// offset spelling such as `GMT+5` that Foundation would also accept.
    public static func isIANA(_ name: String) -> Bool {
        guard let zone = TimeZone(identifier: name) else { return false }
        return zone.identifier == name || universalAliases.contains(name)
    }

    /// Known names, for suggestions.
    public static var known: [String] { TimeZone.knownTimeZoneIdentifiers + Array(universalAliases) }

    private static let universalAliases: Set<String> = [
        "UTC", "Etc/UTC", "Etc/UCT", "UCT", "Universal", "Zulu",
        "Etc/Universal", "Etc/Zulu", "GMT", "Etc/GMT",
    ]
}
