/// One entry of a scenario's `slos` array, decoded: either the expression as a string
/// (`"p95 < 2s over 1m"`) or an object that adds early abort
/// (`{"slo": "availability >= 99%", "abortOnFail": true, "after": "30s"}`). The scenario loader
/// hands each entry here and reports the problems at `slos[i]` + `path`.
public enum SLODeclaration {
    /// A problem with one entry; `path` is relative to the entry (`""`, `.slo`, `.after`, ...).
    public struct Problem: Equatable, Sendable {
        public let path: String
        public let message: String
    }

    /// The decoded entry, or every problem it has.
    public enum Decoded: Sendable {
        case slo(SLOExpression)
        case problems([Problem])
    }

    static let objectKeys = ["slo", "abortOnFail", "after"]

    public static func decode(_ value: JSONValue) -> Decoded {
        switch value {
        case let .string(text):
            return parse(text, path: "")
        case let .object(members):
            var problems: [Problem] = []
            for (key, _) in members where !objectKeys.contains(key) {
                let hint = closestMatch(to: key, in: objectKeys).map { "; did you mean '\($0)'?" } ?? ""
                problems.append(Problem(path: "." + key, message: "unknown key\(hint) (an SLO object has slo, abortOnFail, after)"))
            }
            var abortOnFail = false
            switch value["abortOnFail"] {
            case nil: break
            case let .bool(flag)?: abortOnFail = flag
            case let other?: problems.append(Problem(path: ".abortOnFail", message: "expected true or false, found \(other.kindName)"))
            }
            var afterNanos: Int64 = 0
            switch value["after"] {
            case nil: break
            case let .string(text)?:
                if let nanos = DurationText.parseNanos(text), nanos >= 0 { afterNanos = nanos } else {
                    problems.append(Problem(path: ".after", message: "\"\(text)\" is not a duration; write e.g. \"30s\" (the grace period before abortOnFail is checked)"))
                }
            case let other?:
                problems.append(Problem(path: ".after", message: "expected a duration such as \"30s\", found \(other.kindName)"))
            }
            if value["after"] != nil, !abortOnFail, value["abortOnFail"] == nil || value["abortOnFail"] == .bool(false) {
                problems.append(Problem(path: ".after", message: "\"after\" is the grace period of abortOnFail; add \"abortOnFail\": true or remove it"))
            }
            var expression: SLOExpression?
            switch value["slo"] {
            case nil:
                problems.append(Problem(path: "", message: "missing \"slo\"; write e.g. {\"slo\": \"availability >= 99%\", \"abortOnFail\": true, \"after\": \"30s\"}"))
            case let .string(text)?:
                switch parse(text, path: ".slo") {
                case let .slo(parsed): expression = parsed
                case let .problems(found): problems += found
                }
            case let other?:
                problems.append(Problem(path: ".slo", message: "expected a string such as \"p95 < 2s\", found \(other.kindName)"))
            }
            if var expression, problems.isEmpty {
                if abortOnFail, let reason = SLOExpression.perSecondLimitation(expression.metric) {
                    return .problems([Problem(path: ".abortOnFail", message: "\"\(expression.text)\" cannot abort a run: abortOnFail is checked each second and \(reason)")])
                }
                expression.abortOnFail = abortOnFail
                expression.abortAfterNanos = afterNanos
                return .slo(expression)
            }
            return .problems(problems)
        default:
            return .problems([Problem(path: "", message: "expected a string such as \"p95 < 2s\" or an object such as {\"slo\": \"p95 < 2s\", \"abortOnFail\": true}, found \(value.kindName)")])
        }
    }

    /// Why a windowed SLO cannot be judged by a run of this load, or nil: a run shorter than half
    /// a window judges no window at all (runs bounded by `iterations` have no fixed length: not checked).
    public static func windowProblem(_ slo: SLOExpression, load: LoadModel) -> String? {
        guard let window = slo.windowSeconds else { return nil }
        if case let .closed(closed) = load, closed.iterations != nil { return nil }
        let windowNanos = Int64(window) * DurationText.nanosPerSecond
        guard load.durationNanos * 2 < windowNanos else { return nil }
        return "\"\(slo.text)\": a run of \(DurationText.format(nanos: load.durationNanos)) cannot judge a \(DurationText.format(nanos: windowNanos)) window "
            + "(a partial window counts only when at least half full); shorten the window or lengthen the run"
    }

    private static func parse(_ text: String, path: String) -> Decoded {
        switch SLOExpression.parse(text) {
        case let .success(slo): return .slo(slo)
        case let .failure(error): return .problems([Problem(path: path, message: "\"\(text)\" at character \(error.column): \(error.message)")])
        }
    }
}
