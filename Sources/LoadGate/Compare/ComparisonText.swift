import Foundation

/// The terminal rendering of a `Comparison`: a side-by-side table per scenario and one line per
/// regression naming scenario, step and metric. Also the value formatting every comparison
/// renderer shares (one home for "how a delta is written").
public enum ComparisonText {
    public static func render(_ comparison: Comparison, baseline: ComparisonInput, new: ComparisonInput) -> String {
        var out = "baseline: \(baseline.path) (\(baseline.kind.rawValue) \(baseline.runID))\n"
        out += "new:      \(new.path) (\(new.kind.rawValue) \(new.runID))\n"
        for scenario in comparison.scenarios {
            out += "\nscenario \(scenario.name)\n"
            for note in scenario.notes { out += "  note: \(note)\n" }
            var rows: [[String]] = [["step", "metric", "baseline", "new", "change", "relative", "tolerance", "result"]]
            for delta in scenario.deltas {
                rows.append([delta.step ?? "overall", delta.metric.key, value(delta.baseline, delta.metric.unit), value(delta.new, delta.metric.unit),
                             change(delta), relative(delta), tolerance(delta), result(delta)])
            }
            out += table(rows)
        }
        let regressions = comparison.regressions
        out += "\n"
        if regressions.isEmpty {
            out += "no regression\n"
        } else {
            for (scenario, delta) in regressions { out += "REGRESSION: \(sentence(scenario: scenario, delta))\n" }
            out += "\(regressions.count) regression\(regressions.count == 1 ? "" : "s")\n"
        }
        return out
    }

    /// "scenario health, step live: p95 latency 10.2ms → 30.4ms (+198%; tolerance 10% and 1ms)".
    public static func sentence(scenario: String, _ delta: Comparison.Delta) -> String {
        let step = delta.step.map { "step \($0)" } ?? "overall"
        return "scenario \(scenario), \(step): \(delta.metric.label) \(value(delta.baseline, delta.metric.unit)) → \(value(delta.new, delta.metric.unit)) (\(relative(delta)); tolerance \(tolerance(delta)))"
    }

    static func table(_ rows: [[String]]) -> String {
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            "  " + row.enumerated().map { index, cell in
                let pad = String(repeating: " ", count: widths[index] - cell.count)
                return (2...6).contains(index) ? pad + cell : cell + pad
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces) + "\n"
        }.joined()
    }

    public static func value(_ value: Double?, _ unit: ComparedMetric.Unit) -> String {
        guard let value else { return "-" }
        switch unit {
        case .seconds: return DurationText.format(nanos: SafeNumber.clampedNanos(seconds: value))
        case .share: return percent(value * 100) + "%"
        case .perSecond: return DurationText.trim(value) + "/s"
        }
    }

    public static func change(_ delta: Comparison.Delta) -> String {
        guard let absolute = delta.absolute else { return "-" }
        let sign = absolute < 0 ? "-" : "+"
        switch delta.metric.unit {
        case .seconds: return sign + DurationText.format(nanos: SafeNumber.clampedNanos(seconds: abs(absolute)))
        case .share: return sign + percent(abs(absolute) * 100) + " pp"
        case .perSecond: return sign + DurationText.trim(abs(absolute)) + "/s"
        }
    }

    /// The relative change; for availability it is the change of the failure share, said so.
    public static func relative(_ delta: Comparison.Delta) -> String {
        guard let absolute = delta.absolute else { return "-" }
        let share = delta.metric.unit == .share
        guard let relative = delta.relative ?? (absolute == 0 ? 0 : nil) else { return share ? "failures from 0" : "from 0" }
        let shown = share ? -relative : relative
        let text = (shown < 0 ? "-" : "+") + DurationText.trim(abs(shown * 100)) + "%"
        return share ? "failures \(text)" : text
    }

    public static func tolerance(_ delta: Comparison.Delta) -> String {
        let floor: String
        switch delta.metric.unit {
        case .seconds: floor = DurationText.format(nanos: SafeNumber.clampedNanos(seconds: delta.toleranceFloor))
        case .share: floor = percent(delta.toleranceFloor * 100) + " pp"
        case .perSecond: floor = DurationText.trim(delta.toleranceFloor) + "/s"
        }
        return "\(DurationText.trim(delta.toleranceRelative * 100))% and \(floor)"
    }

    public static func result(_ delta: Comparison.Delta) -> String {
        switch delta.status {
        case .regression: return "REGRESSION"
        case .improvement: return "better"
        case .unchanged: return "ok"
        case .notJudged: return "not judged: \(delta.note ?? "")"
        }
    }

    /// Percentages keep enough digits to show 99.95 and 0.05.
    static func percent(_ value: Double) -> String {
        var text = String(format: "%.3f", value)
        while text.contains("."), text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
