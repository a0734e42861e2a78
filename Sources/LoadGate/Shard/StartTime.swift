import Foundation

/// RFC 3339 times for `--start-at` (and for reading run folders' timestamps back): shards on
/// different machines wait for the same instant, so they load the target together.
public enum StartTime {
    /// A start more than this far in the past is refused: the shard would run out of step.
    public static let pastToleranceSeconds = 5.0

    /// Parses `2026-11-26T10:00:00Z`, with optional fractional seconds and a `+hh:mm` offset.
    public static func parse(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }

    /// Why `start` cannot be used at `now`, or nil when it can.
    public static func problem(with start: Date, now: Date = Date()) -> String? {
        let late = now.timeIntervalSince(start)
        if late > pastToleranceSeconds {
            return "\(Timestamp.iso8601(start)) is \(Int(late)) s in the past (more than \(Int(pastToleranceSeconds)) s); shards would not start together — give a later time"
        }
        return nil
    }
}
