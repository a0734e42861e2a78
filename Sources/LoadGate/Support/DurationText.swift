import Foundation

/// Parses and formats human durations ("250ms", "1.5s", "1m30s", "2h") as integer nanoseconds.
/// Every duration in scenarios, SLOs and CLI flags goes through here, so units mean one thing.
public enum DurationText {
    public static let nanosPerSecond: Int64 = 1_000_000_000

    /// Units in the order they are tried; longest names first so "ms" is not read as "m".
    private static let units: [(suffix: String, nanos: Double)] = [
        ("ns", 1), ("us", 1_000), ("µs", 1_000), ("ms", 1_000_000), ("s", 1e9), ("m", 60e9), ("h", 3_600e9),
    ]

    /// Returns nil for anything that is not a sequence of number+unit parts, e.g. "250" (no unit).
    public static func parseNanos(_ text: String) -> Int64? {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        guard !rest.isEmpty else { return nil }
        var total = 0.0
        while !rest.isEmpty {
            let numberPart = rest.prefix { $0.isNumber || $0 == "." }
            guard !numberPart.isEmpty, let number = Double(numberPart) else { return nil }
            rest = rest.dropFirst(numberPart.count)
            let unitPart = rest.prefix { !$0.isNumber && $0 != "." }
            guard let unit = units.first(where: { $0.suffix == unitPart }) else { return nil }
            rest = rest.dropFirst(unitPart.count)
            total += number * unit.nanos
        }
        guard total.isFinite, total < 9.0e18 else { return nil }
        return Int64(total.rounded())
    }

    /// Formats nanoseconds for people: "850µs", "12.3ms", "1.52s", "2m05s".
    public static func format(nanos: Int64) -> String {
        let value = Double(nanos)
        if nanos < 1_000 { return "\(nanos)ns" }
        if nanos < 1_000_000 { return trim(value / 1e3) + "µs" }
        if nanos < nanosPerSecond { return trim(value / 1e6) + "ms" }
        if nanos < 60 * nanosPerSecond { return trim(value / 1e9) + "s" }
        let seconds = nanos / nanosPerSecond
        let minutes = seconds / 60
        let remainder = seconds % 60
        return "\(minutes)m" + (remainder < 10 ? "0" : "") + "\(remainder)s"
    }

    /// About three significant digits, no trailing zeros: 1.5, 12.3, 850.
    public static func trim(_ value: Double) -> String {
        let decimals = value >= 100 ? 0 : value >= 10 ? 1 : 2
        var text = String(format: "%.\(decimals)f", value)
        while text.contains("."), text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
