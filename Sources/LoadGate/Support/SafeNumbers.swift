/// The one home for turning untrusted numbers (from a file, a command-line flag or a peer's reply)
/// into `Int`s and bounded `Double`s. Every conversion checks the range before converting, so
/// `1e300` becomes a located message or a classed failure, never a trap (`Int(1e300)` crashes).
public enum SafeNumber {
    /// Why a number was refused, as data; `message` renders it once.
    public enum Problem: Error, Equatable, Sendable {
        /// Not a number at all (a flag's text such as "fast").
        case notANumber(String)
        /// A fraction where a whole number is needed.
        case notWhole(String)
        /// Outside the allowed range (or beyond what the machine can represent).
        case outOfRange(String, lower: String, upper: String)

        public var message: String {
            switch self {
            case let .notANumber(text): return "\"\(text)\" is not a number"
            case let .notWhole(text): return "\(text) is not a whole number"
            case let .outOfRange(text, lower, upper): return "\(text) is out of range; it must be between \(lower) and \(upper)"
            }
        }
    }

    /// `text` written as a plain whole number (no fraction or exponent), judged against `range`
    /// exactly; nil when it is written otherwise and must go through `Double`.
    private static func plainInteger(_ text: String, in range: ClosedRange<Int>) -> Result<Int, Problem>? {
        guard let whole = Int(text) else { return nil }
        guard range.contains(whole) else {
            return .failure(.outOfRange(text, lower: String(range.lowerBound), upper: String(range.upperBound)))
        }
        return .success(whole)
    }

    /// A flag's (trimmed) text as a number; it must start with a digit, sign or point, so words
    /// such as "nan" or "infinity" are not numbers.
    private static func flagNumber(_ trimmed: String) -> Double? {
        guard let value = Double(trimmed), trimmed.first.map({ $0.isNumber || $0 == "-" || $0 == "+" || $0 == "." }) == true else {
            return nil
        }
        return value
    }

    /// A whole number in `range`, from a Double (a JSON number or a parsed flag).
    public static func integer(_ value: Double, in range: ClosedRange<Int>, text: String? = nil) -> Result<Int, Problem> {
        let shown = text ?? JSONWriter.format(value)
        guard value.isFinite else { return .failure(.outOfRange(shown, lower: String(range.lowerBound), upper: String(range.upperBound))) }
        guard value == value.rounded() else { return .failure(.notWhole(shown)) }
        guard let whole = Int(exactly: value), range.contains(whole) else {
            return .failure(.outOfRange(shown, lower: String(range.lowerBound), upper: String(range.upperBound)))
        }
        return .success(whole)
    }

    /// A whole number in `range`, from text (a flag): "1e3" is read as 1000, "2.5" is not whole.
    public static func integer(text: String, in range: ClosedRange<Int>) -> Result<Int, Problem> {
        let trimmed = text.trimmingSpaces
        if let written = plainInteger(trimmed, in: range) { return written }
        guard let value = flagNumber(trimmed) else { return .failure(.notANumber(text)) }
        return integer(value, in: range, text: trimmed)
    }

    /// A JSON number as a whole number in `range`; nil (with `.notANumber`) for other kinds.
    public static func integer(_ value: JSONValue, in range: ClosedRange<Int>) -> Result<Int, Problem> {
        switch value {
        case let .number(number): return integer(number, in: range)
        case let .numberText(text):
            if let written = plainInteger(text, in: range) { return written }
            return integer(Double(text) ?? .infinity, in: range, text: text)
        default: return .failure(.notANumber(value.kindName))
        }
    }

    /// A finite number in `range`, from a Double.
    public static func decimal(_ value: Double, in range: ClosedRange<Double>, text: String? = nil) -> Result<Double, Problem> {
        guard value.isFinite, range.contains(value) else {
            return .failure(.outOfRange(text ?? JSONWriter.format(value), lower: JSONWriter.format(range.lowerBound),
                                        upper: JSONWriter.format(range.upperBound)))
        }
        return .success(value)
    }

    /// A finite number in `range`, from text (a flag).
    public static func decimal(text: String, in range: ClosedRange<Double>) -> Result<Double, Problem> {
        let trimmed = text.trimmingSpaces
        guard let value = flagNumber(trimmed) else { return .failure(.notANumber(text)) }
        return decimal(value, in: range, text: trimmed)
    }

    /// A JSON number as a finite number in `range`.
    public static func decimal(_ value: JSONValue, in range: ClosedRange<Double>) -> Result<Double, Problem> {
        switch value {
        case let .number(number): return decimal(number, in: range)
        case let .numberText(text): return decimal(Double(text) ?? .infinity, in: range, text: text)
        default: return .failure(.notANumber(value.kindName))
        }
    }

    /// A number read from a file only to be shown or counted (a summary, a baseline, a shard):
    /// rounded, NaN and infinities as 0, clamped to ±9e15, so a hostile `1e300` cannot trap a
    /// renderer or the merge.
    public static func clamped(_ value: Double) -> Int64 {
        guard value.isFinite else { return 0 }
        return Int64(min(max(value.rounded(), -9e15), 9e15))
    }

    /// `clamped` as an `Int` (display counts, pixel sizes).
    public static func clampedInt(_ value: Double) -> Int { Int(clamped(value)) }

    /// Seconds read from a file as nanoseconds for `DurationText`, clamped like `clamped`.
    public static func clampedNanos(seconds: Double) -> Int64 { clamped(seconds.isFinite ? seconds * 1e9 : 0) }

    /// For a peer's reply: the JSON number as an `Int` when it is a whole number that fits, else
    /// nil (the caller classes the reply as a protocol failure).
    public static func int(_ value: JSONValue?) -> Int? {
        guard let value, case let .success(whole) = integer(value, in: Int.min...Int.max) else { return nil }
        return whole
    }
}

/// The allowed ranges of numbers LoadGate accepts from users, each written once.
public enum Limits {
    /// Iterations started per second (open model, `--rate`, capacity `--from`/`--to`).
    public static let ratePerSecond: ClosedRange<Double> = 0...10_000_000
    /// Connections in flight (open model, capacity `--connections`).
    public static let connections: ClosedRange<Int> = 1...1_000_000
    /// Virtual users (closed model, `--vus`).
    public static let virtualUsers: ClosedRange<Int> = 1...100_000
    /// Iterations of a closed-model run.
    public static let iterations: ClosedRange<Int> = 1...1_000_000_000_000
    /// Load-generating threads (`--workers`).
    public static let workers: ClosedRange<Int> = 1...64
    /// TCP and UDP ports.
    public static let port: ClosedRange<Int> = 1...65_535
    /// HTTP status codes as LoadGate records them (three digits).
    public static let httpStatus: ClosedRange<Int> = 100...999
    /// Shared MCP sessions.
    public static let mcpSessions: ClosedRange<Int> = 1...100_000
    /// The length of a run or of all its stages together: 30 days.
    public static let runNanos: ClosedRange<Int64> = 1...(30 * 24 * 3_600 * DurationText.nanosPerSecond)
    /// Any other duration (timeouts, intervals): up to one day.
    public static let timeoutNanos: ClosedRange<Int64> = 1...(24 * 3_600 * DurationText.nanosPerSecond)
    /// Percentages (`tolerance`, `--precision`).
    public static let percent: ClosedRange<Double> = 0...100
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}
