/// A service-level objective such as `p95 < 2s` or `health: availability >= 99.9%`, parsed once.
/// Grammar: `[step:] stat op value [over window]` where stat is `pNN`, `pNN.N`, `mean`, `min`, `max`
/// (optionally prefixed by a phase: `ttfb.`, `connect.`, `tls.`, `dns.`, `service.`), `availability`,
/// `error_rate`, `rps` or `dropped`; op is one of `< <= > >= ==`; values carry units. With
/// `over 1m` the SLO must hold in every window of that length (see `WindowedSLO`), not only over
/// the whole run.
public struct SLOExpression: Sendable, Equatable {
    public enum Phase: String, Sendable, CaseIterable {
        case latency, service, ttfb, connect, tls, dns
    }

    public enum Statistic: Sendable, Equatable {
        case percentile(Double)
        case mean, min, max
    }

    public enum Metric: Sendable, Equatable {
        case latency(Phase, Statistic)
        case availability
        case errorRate
        case rps
        case dropped
    }

    public enum Comparison: String, Sendable, CaseIterable {
        case lessOrEqual = "<=", greaterOrEqual = ">=", equal = "==", less = "<", greater = ">"

        public func holds(_ observed: Double, _ threshold: Double) -> Bool {
            switch self {
            case .less: return observed < threshold
            case .lessOrEqual: return observed <= threshold
            case .greater: return observed > threshold
            case .greaterOrEqual: return observed >= threshold
            case .equal: return observed == threshold
            }
        }
    }

    public let text: String
    public let step: String?
    public let metric: Metric
    public let comparison: Comparison
    /// Seconds for latency, percent (0...100) for availability and error_rate, requests per second
    /// for rps, a count for dropped.
    public let threshold: Double
    /// `over 1m`: the window length in whole seconds (windows are built from per-second data);
    /// nil judges the whole run.
    public let windowSeconds: Int?
    /// Stop the run as soon as this SLO fails on the data so far (see `AbortMonitor`).
    public var abortOnFail = false
    /// Grace period from the run start before `abortOnFail` is checked.
    public var abortAfterNanos: Int64 = 0

    /// The production-readiness targets of the platform, used when a scenario names none.
    public static let defaults = ["p95 < 2s", "availability >= 99.9%"]

    public struct ParseError: Error, Equatable, Sendable {
        /// 1-based character position in the expression.
        public let column: Int
        public let message: String
    }

    public static func parse(_ text: String) -> Result<SLOExpression, ParseError> {
        let characters = Array(text)
        var position = 0
        func skipSpaces() { while position < characters.count, characters[position] == " " { position += 1 } }
        func fail(_ message: String, at column: Int? = nil) -> Result<SLOExpression, ParseError> {
            .failure(ParseError(column: (column ?? position) + 1, message: message))
        }

        skipSpaces()
        var step: String?
        if let colon = characters.firstIndex(of: ":") {
            let name = String(characters[position..<colon]).trimmingCharacters(in: .whitespaces)
            if name.isEmpty { return fail("missing step name before ':'") }
            step = name
            position = colon + 1
            skipSpaces()
        }

        let statStart = position
        while position < characters.count, characters[position].isLetter || characters[position].isNumber
                || characters[position] == "_" || characters[position] == "." {
            position += 1
        }
        let statText = String(characters[statStart..<position])
        if statText.isEmpty { return fail("expected a statistic such as p95, mean, availability or rps") }
        guard let metric = parseMetric(statText) else {
            return fail("unknown statistic '\(statText)'; use pNN, pNN.N, mean, min, max (optionally with a ttfb., connect., tls., dns. or service. prefix), availability, error_rate, rps or dropped", at: statStart)
        }

        skipSpaces()
        let opStart = position
        var comparison: Comparison?
        for candidate in Comparison.allCases {
            let symbol = Array(candidate.rawValue)
            if position + symbol.count <= characters.count, Array(characters[position..<position + symbol.count]) == symbol {
                comparison = candidate
                position += symbol.count
                break
            }
        }
        guard let comparison else { return fail("expected a comparison (<, <=, >, >=, ==) after '\(statText)'", at: opStart) }

        skipSpaces()
        let valueStart = position
        var valueEnd = characters.count
        var windowSeconds: Int?
        if let over = overKeyword(in: characters, from: position) {
            valueEnd = over
            let windowStart = over + 6
            let windowText = String(characters[windowStart...]).trimmingCharacters(in: .whitespaces)
            var windowColumn = windowStart
            while windowColumn < characters.count, characters[windowColumn] == " " { windowColumn += 1 }
            guard let nanos = DurationText.parseNanos(windowText) else {
                return fail("window \"\(windowText)\" is not a duration; write e.g. over 30s, over 1m, over 5m", at: windowColumn)
            }
            guard nanos > 0, nanos % DurationText.nanosPerSecond == 0 else {
                return fail("a window must be a whole number of seconds, at least 1s (windows are built from per-second data); write e.g. over 2s", at: windowColumn)
            }
            windowSeconds = Int(nanos / DurationText.nanosPerSecond)
        }
        let valueText = String(characters[position..<valueEnd]).trimmingCharacters(in: .whitespaces)
        if valueText.isEmpty { return fail("missing value after '\(comparison.rawValue)'", at: valueStart) }

        let threshold: Double
        switch metric {
        case .latency:
            guard let nanos = DurationText.parseNanos(valueText) else {
                if Double(valueText) != nil {
                    return fail("\"\(valueText)\" has no unit; write \"\(valueText)ms\" or \"\(valueText)s\"", at: valueStart)
                }
                return fail("\"\(valueText)\" is not a duration; write e.g. 250ms, 2s, 1.5s", at: valueStart)
            }
            threshold = Double(nanos) / 1e9
        case .availability, .errorRate:
            guard valueText.hasSuffix("%"), let number = Double(valueText.dropLast().trimmingCharacters(in: .whitespaces)) else {
                if let number = Double(valueText) {
                    return fail("\"\(valueText)\" has no unit; write \"\(JSONWriter.format(number <= 1 ? number * 100 : number))%\"", at: valueStart)
                }
                return fail("\"\(valueText)\" is not a percentage; write e.g. 99.9%", at: valueStart)
            }
            guard (0...100).contains(number) else { return fail("a percentage must be between 0% and 100%", at: valueStart) }
            threshold = number
        case .rps:
            let stripped = valueText.hasSuffix("/s") ? String(valueText.dropLast(2)) : valueText
            guard let number = Double(stripped.trimmingCharacters(in: .whitespaces)), number >= 0 else {
                return fail("\"\(valueText)\" is not a rate; write e.g. 100 or 100/s", at: valueStart)
            }
            threshold = number
        case .dropped:
            guard let number = Double(valueText), number >= 0, number == number.rounded() else {
                return fail("\"\(valueText)\" is not a count; write e.g. 0", at: valueStart)
            }
            threshold = number
        }
        if metric == .dropped, step != nil {
            return fail("'dropped' counts whole iterations and cannot be scoped to a step", at: statStart)
        }
        if windowSeconds != nil, let reason = perSecondLimitation(metric) {
            return fail("'\(statText)' cannot be judged over a window: \(reason); drop the window", at: statStart)
        }
        return .success(SLOExpression(text: text.trimmingCharacters(in: .whitespaces), step: step, metric: metric,
                                      comparison: comparison, threshold: threshold, windowSeconds: windowSeconds))
    }

    /// Why a metric cannot be judged from per-second data, or nil when it can. Per-second data
    /// (`StepInterval`) carries requests, failures and the latency histogram only; windows and
    /// abort checks read nothing else.
    static func perSecondLimitation(_ metric: Metric) -> String? {
        switch metric {
        case let .latency(phase, _) where phase != .latency:
            return "per-second data records latency only, not \(phase.rawValue) (use \(phaseFreeHint(metric)))"
        case .dropped:
            return "dropped iterations are counted for the whole run only"
        default:
            return nil
        }
    }

    private static func phaseFreeHint(_ metric: Metric) -> String {
        guard case let .latency(_, statistic) = metric else { return "p95" }
        switch statistic {
        case let .percentile(p): return "p" + JSONWriter.format(p)
        case .mean: return "mean"
        case .min: return "min"
        case .max: return "max"
        }
    }

    /// The index of the last ` over ` (a word, with spaces around it) at or after `start`.
    private static func overKeyword(in characters: [Character], from start: Int) -> Int? {
        let keyword = Array(" over ")
        guard characters.count >= start + keyword.count else { return nil }
        var index = characters.count - keyword.count
        while index >= start {
            if Array(characters[index..<index + keyword.count]) == keyword { return index }
            index -= 1
        }
        return nil
    }

    private static func parseMetric(_ text: String) -> Metric? {
        switch text {
        case "availability": return .availability
        case "error_rate": return .errorRate
        case "rps": return .rps
        case "dropped": return .dropped
        default: break
        }
        var phase = Phase.latency
        var statText = Substring(text)
        if let dot = text.firstIndex(of: "."), let prefix = Phase(rawValue: String(text[..<dot])), prefix != .latency {
            phase = prefix
            statText = text[text.index(after: dot)...]
        }
        switch statText {
        case "mean", "avg": return .latency(phase, .mean)
        case "min": return .latency(phase, .min)
        case "max": return .latency(phase, .max)
        default:
            guard statText.first == "p", let number = Double(statText.dropFirst()), (0...100).contains(number),
                  !statText.dropFirst().hasPrefix(".") else { return nil }
            return .latency(phase, .percentile(number))
        }
    }
}
