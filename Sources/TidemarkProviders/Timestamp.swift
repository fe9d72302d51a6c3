import Foundation
import TidemarkProviderModel

/// ISO 8601 timestamps as the seed APIs write them: with or without fractional seconds, `Z` or an offset.
enum Timestamp {
    static func parse(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
