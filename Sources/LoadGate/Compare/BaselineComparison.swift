import Foundation

/// `gate --baseline`: the comparison as the `comparison` member of `report.json` (baseline run id
/// and manifest digest, the policy, every delta, the baseline's spectra for overlays), and its
/// effect on the gate's verdict: a regression fails a gate that otherwise passed, with the
/// scenario, step and metric named in the reasons. Every bundle format is rendered from this
/// member alone (`ComparisonSection`), so `loadgate report` reproduces them.
public enum BaselineComparison {
    /// The new side of a gate, read from the readiness document being built.
    public static func input(fromReport report: JSONValue, path: String) -> ComparisonInput {
        ComparisonInput.fromReport(report, path: path, manifestSHA256: nil, notes: [])
    }

    /// Compares the gate's scenarios with the baseline's. A scenario whose new run is invalid is
    /// not compared (the gate is already invalid; its numbers prove nothing) but listed.
    public static func compare(baseline: ComparisonInput, report: JSONValue, policy: (String) -> RegressionPolicy,
                               allowInvalidBaseline: Bool) -> (comparison: Comparison, notCompared: [String]) {
        var new = input(fromReport: report, path: "this gate")
        var notCompared: [String] = []
        new.scenarios = new.scenarios.filter { run in
            if run.summary == nil { notCompared.append("scenario \(run.name): not run, so not compared"); return false }
            if run.summary?.text("/verdict") == "invalid" {
                notCompared.append("scenario \(run.name): this run's verdict is invalid, so it is not compared with the baseline")
                return false
            }
            return true
        }
        let comparison = Comparison.compare(baseline: baseline, new: new, policy: policy, allowInvalid: allowInvalidBaseline,
                                            requireAllBaselineScenarios: false)
        return (comparison, notCompared)
    }

    /// `report` with the `comparison` member added, and its verdict and reasons updated: a
    /// regression, or a scenario that turned out not comparable, fails a gate that passed.
    public static func attach(_ comparison: Comparison, notCompared: [String], baseline: ComparisonInput, policy: RegressionPolicy,
                              to report: JSONValue) -> JSONValue {
        guard case var .object(members) = report else { return report }
        let regressions = comparison.regressions
        let value = JSONValue.object([
            ("baseline", .object([
                ("path", .string(baseline.path)),
                ("runId", .string(baseline.runID)),
                ("manifestSHA256", baseline.manifestSHA256.map(JSONValue.string) ?? .null),
                ("startedAt", baseline.startedAt.map(JSONValue.string) ?? .null),
            ])),
            ("policy", .object([("maxRegression", .number(policy.relative)), ("floorSeconds", .number(policy.latencyFloorSeconds))])),
            ("verdict", .string(regressions.isEmpty ? "no-regression" : "regression")),
            ("regressions", .number(Double(regressions.count))),
            ("incomparable", .array(comparison.incomparable.map(JSONValue.string))),
            ("notCompared", .array(notCompared.map(JSONValue.string))),
            ("scenarios", .array(comparison.scenarios.map(scenarioValue))),
        ])
        // What the renderers see now must be what they read back from report.json later
        // (`loadgate report`): numbers as written, not with more digits than the file keeps.
        members.append((key: "comparison", value: (try? JSONParser.parse(JSONWriter.serialize(value))) ?? value))
        var reasons = report.list("/reasons")
        for (scenario, delta) in regressions {
            reasons.append(.string("regression against baseline \(baseline.runID): \(ComparisonText.sentence(scenario: scenario, delta))"))
        }
        for reason in comparison.incomparable { reasons.append(.string("not comparable with baseline \(baseline.runID): \(reason)")) }
        let fails = !regressions.isEmpty || !comparison.incomparable.isEmpty
        for index in members.indices {
            if members[index].key == "reasons" { members[index].value = .array(reasons) }
            if members[index].key == "verdict", fails, report.text("/verdict") == "passed" { members[index].value = .string("failed") }
        }
        return .object(members)
    }

    static func scenarioValue(_ scenario: Comparison.ScenarioComparison) -> JSONValue {
        .object([
            ("name", .string(scenario.name)),
            ("notes", .array(scenario.notes.map(JSONValue.string))),
            ("deltas", .array(scenario.deltas.map(deltaValue))),
            ("baselineSpectra", .array(scenario.baselineSpectra.map { spectrum in
                .object([("step", .string(spectrum.step)),
                         ("points", .array(spectrum.points.map { .array([.number($0.percentile), .number($0.seconds)]) }))])
            })),
        ])
    }

    static func deltaValue(_ delta: Comparison.Delta) -> JSONValue {
        func number(_ value: Double?) -> JSONValue { value.flatMap { $0.isFinite ? JSONValue.number($0) : nil } ?? .null }
        return .object([
            ("step", delta.step.map(JSONValue.string) ?? .null),
            ("metric", .string(delta.metric.key)),
            ("label", .string(delta.metric.label)),
            ("unit", .string(delta.metric.unit.rawValue)),
            ("higherIsWorse", .bool(delta.metric.higherIsWorse)),
            ("baseline", number(delta.baseline)),
            ("new", number(delta.new)),
            ("absolute", number(delta.absolute)),
            ("relative", number(delta.relative)),
            ("tolerance", .object([("relative", .number(delta.toleranceRelative)), ("floor", .number(delta.toleranceFloor))])),
            ("status", .string(delta.status.rawValue)),
            ("note", delta.note.map(JSONValue.string) ?? .null),
        ])
    }

    /// A delta read back from `report.json` (for the renderers); the metric is looked up by key,
    /// or rebuilt from the stored unit and label when this version does not know it.
    static func delta(from value: JSONValue) -> Comparison.Delta? {
        guard let key = value.text("/metric"), let unit = ComparedMetric.Unit(rawValue: value.text("/unit") ?? "") else { return nil }
        let metric = ComparedMetric.all.first { $0.key == key } ?? ComparedMetric(
            key: key, label: value.text("/label") ?? key, unit: unit, higherIsWorse: value.flag("/higherIsWorse") ?? true,
            relativeBase: { $0 }, minimumTailSamples: nil, percentile: nil, extract: { _ in nil })
        return Comparison.Delta(step: value.text("/step"), metric: metric, baseline: value.number("/baseline"), new: value.number("/new"),
                                absolute: value.number("/absolute"), relative: value.number("/relative"),
                                toleranceRelative: value.number("/tolerance/relative") ?? 0, toleranceFloor: value.number("/tolerance/floor") ?? 0,
                                status: Comparison.Delta.Status(rawValue: value.text("/status") ?? "") ?? .notJudged, note: value.text("/note"))
    }
}
