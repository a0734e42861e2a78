import Foundation

/// A baseline and a new run side by side: for each scenario, per step and overall, every
/// `ComparedMetric` with its absolute and relative change and whether it is a regression under
/// the `RegressionPolicy`. Or, when the runs cannot be compared, why (different scenarios, steps
/// or load; an invalid run). A pure function of the two inputs' JSON.
public struct Comparison: Sendable {
    /// One metric of one step (nil: overall) in one scenario.
    public struct Delta: Sendable {
        public enum Status: String, Sendable {
            /// Worse beyond both the relative tolerance and the floor.
            case regression
            /// Better beyond both.
            case improvement
            /// Within the tolerance or under the floor.
            case unchanged
            /// Not judged (no value on one side, or too few samples for this percentile).
            case notJudged = "not-judged"
        }

        public var step: String?
        public var metric: ComparedMetric
        public var baseline: Double?
        public var new: Double?
        /// new − baseline, in the metric's unit.
        public var absolute: Double?
        /// (new − baseline) / `metric.relativeBase(baseline)`; nil when that base is 0.
        public var relative: Double?
        public var toleranceRelative: Double
        public var toleranceFloor: Double
        public var status: Status
        public var note: String?

        /// "live p95" or "overall p95".
        public var name: String { "\(step ?? "overall") \(metric.key)" }
    }

    /// One scenario found in both runs.
    public struct ScenarioComparison: Sendable {
        public var name: String
        public var deltas: [Delta]
        /// Facts that do not stop the comparison (the scenario file changed; an invalid run allowed).
        public var notes: [String]
        /// The baseline's latency percentile spectrum per step (percentile, seconds), for overlays.
        public var baselineSpectra: [(step: String, points: [(percentile: Double, seconds: Double)])]
        public var newSpectra: [(step: String, points: [(percentile: Double, seconds: Double)])]

        public var regressions: [Delta] { deltas.filter { $0.status == .regression } }
    }

    public var scenarios: [ScenarioComparison]
    /// Why the runs cannot be compared; non-empty means exit 2 and no verdict.
    public var incomparable: [String]

    public var regressions: [(scenario: String, delta: Delta)] {
        scenarios.flatMap { scenario in scenario.regressions.map { (scenario.name, $0) } }
    }

    /// Compares every scenario of `new` with the baseline's scenario of the same name.
    /// - Parameters:
    ///   - policy: the tolerances for a scenario (command-line defaults plus its overrides).
    ///   - allowInvalid: compare runs whose verdict was `invalid` (interrupted, load not generated).
    ///   - requireAllBaselineScenarios: a baseline scenario missing from `new` is incomparable
    ///     (true for `compare`; a gate may run a subset of its baseline's scenarios).
    public static func compare(baseline: ComparisonInput, new: ComparisonInput, policy: (String) -> RegressionPolicy,
                               allowInvalid: Bool, requireAllBaselineScenarios: Bool = true) -> Comparison {
        var incomparable: [String] = []
        var scenarios: [ScenarioComparison] = []
        if baseline.scenarios.count == 1, new.scenarios.count == 1, baseline.scenarios[0].name != new.scenarios[0].name {
            return Comparison(scenarios: [], incomparable: [
                "different scenarios: the baseline ran '\(baseline.scenarios[0].name)', the new run '\(new.scenarios[0].name)'"])
        }
        if requireAllBaselineScenarios {
            for missing in baseline.scenarios where !new.scenarios.contains(where: { $0.name == missing.name }) {
                incomparable.append("scenario '\(missing.name)' is in the baseline but not in the new run")
            }
        }
        for run in new.scenarios {
            guard let base = baseline.scenarios.first(where: { $0.name == run.name }) else {
                incomparable.append("scenario '\(run.name)' is in the new run but not in the baseline (\(baseline.path))")
                continue
            }
            guard let baseSummary = base.summary else {
                incomparable.append("scenario '\(run.name)' was not run in the baseline: \(base.skippedReason ?? "skipped")")
                continue
            }
            guard let newSummary = run.summary else {
                incomparable.append("scenario '\(run.name)' was not run in the new run: \(run.skippedReason ?? "skipped")")
                continue
            }
            var notes: [String] = []
            var refused = false
            for (role, summary) in [("baseline", baseSummary), ("new", newSummary)] where summary.text("/verdict") == "invalid" {
                let why = summary.list("/reasons").compactMap { if case let .string(text) = $0 { return text } else { return nil } }.first ?? "invalid"
                if allowInvalid {
                    notes.append("the \(role) run's verdict was invalid (\(why)); compared anyway (--allow-invalid)")
                } else {
                    incomparable.append("scenario '\(run.name)': the \(role) run's verdict was invalid (\(why)); its numbers do not describe the target. Compare anyway with --allow-invalid")
                    refused = true
                }
            }
            if refused { continue }
            let baseSteps = baseSummary.list("/steps").compactMap { $0.text("/name") }
            let newSteps = newSummary.list("/steps").compactMap { $0.text("/name") }
            if Set(baseSteps) != Set(newSteps) {
                let onlyBase = baseSteps.filter { !newSteps.contains($0) }, onlyNew = newSteps.filter { !baseSteps.contains($0) }
                var parts: [String] = []
                if !onlyBase.isEmpty { parts.append("only in the baseline: \(onlyBase.joined(separator: ", "))") }
                if !onlyNew.isEmpty { parts.append("only in the new run: \(onlyNew.joined(separator: ", "))") }
                incomparable.append("scenario '\(run.name)': the steps differ; \(parts.joined(separator: "; "))")
                continue
            }
            let baseLoad = loadText(baseSummary), newLoad = loadText(newSummary)
            if baseLoad != newLoad {
                incomparable.append("scenario '\(run.name)': the requested load differs (baseline \(baseLoad), new \(newLoad)); throughput and latency are only comparable under the same load")
                continue
            }
            // Generator lateness is the machine's scheduling delay measured from inside: say so
            // when it is of the order of the floor, rather than silently widening anything.
            let floor = policy(run.name).latencyFloorSeconds
            for (role, summary) in [("baseline", baseSummary), ("new", newSummary)] {
                if let late = summary.number("/lateness/p99"), late > floor / 2 {
                    notes.append("the generator started requests up to \(ComparisonText.value(late, .seconds)) late (p99) in the \(role) run: the machine was busy, so latency changes of that size may be its noise rather than the target's")
                }
            }
            if let a = baseSummary.text("/scenario/sha256"), let b = newSummary.text("/scenario/sha256"), a != b {
                notes.append("the scenario file changed since the baseline (sha256 \(a.prefix(12))… → \(b.prefix(12))…)")
            }
            scenarios.append(compareScenario(name: run.name, baseline: baseSummary, new: newSummary, policy: policy(run.name), notes: notes))
        }
        return Comparison(scenarios: scenarios, incomparable: incomparable)
    }

    /// The requested load as a comparable sentence: model and rate or VUs (not the duration: a
    /// longer run of the same load is still the same load).
    static func loadText(_ summary: JSONValue) -> String {
        let model = summary.text("/load/model") ?? "?"
        if model == "open" {
            let stages = summary.list("/load/requested/stages").map { "\(JSONWriter.format($0.number("/rate") ?? 0))/s" }
            return "open model at \(JSONWriter.format(summary.number("/load/requested/rate") ?? 0))/s" + (stages.isEmpty ? "" : " then \(stages.joined(separator: ", "))")
        }
        let stages = summary.list("/load/requested/stages").map { "\(SafeNumber.clampedInt($0.number("/vus") ?? 0)) VUs" }
        let iterations = summary.number("/load/requested/iterations").map { ", \(SafeNumber.clampedInt($0)) iterations" } ?? ""
        return "closed model with \(SafeNumber.clampedInt(summary.number("/load/requested/vus") ?? 0)) VUs\(iterations)" + (stages.isEmpty ? "" : " then \(stages.joined(separator: ", "))")
    }

    /// Seconds of measured load: requests divided by the recorded request rate.
    static func loadSeconds(_ summary: JSONValue) -> Double? {
        guard let requests = summary.number("/overall/requests"), let rate = summary.number("/load/achieved/requestRate"), rate > 0, requests > 0 else { return nil }
        return requests / rate
    }

    static func compareScenario(name: String, baseline: JSONValue, new: JSONValue, policy: RegressionPolicy, notes: [String]) -> ScenarioComparison {
        var deltas: [Delta] = []
        let baseSeconds = loadSeconds(baseline), newSeconds = loadSeconds(new)
        var targets: [(step: String?, base: JSONValue, new: JSONValue)] = []
        // Paired by name (a reordered scenario is still the same steps), in the baseline's order.
        let newSteps = new.list("/steps")
        for step in baseline.list("/steps") {
            guard let name = step.text("/name"), let match = newSteps.first(where: { $0.text("/name") == name }) else { continue }
            targets.append((name, step, match))
        }
        targets.append((nil, baseline.resolve(pointer: "/overall") ?? .null, new.resolve(pointer: "/overall") ?? .null))
        for target in targets {
            for metric in ComparedMetric.all {
                let baseSource = ComparedMetric.Source(metrics: target.base, summary: baseline, loadSeconds: baseSeconds)
                let newSource = ComparedMetric.Source(metrics: target.new, summary: new, loadSeconds: newSeconds)
                let tolerance = policy.tolerance(for: metric, step: target.step)
                deltas.append(delta(metric: metric, step: target.step, baseline: baseSource, new: newSource,
                                    relativeTolerance: tolerance.relative, floor: tolerance.floor))
            }
        }
        // A windowed SLO both runs judged: its worst window, like any other metric.
        for slo in ComparedMetric.windowedSLOs(baseline: baseline, new: new) {
            let tolerance = policy.tolerance(for: slo.metric, step: slo.step)
            deltas.append(delta(metric: slo.metric, step: slo.step,
                                baseline: ComparedMetric.Source(metrics: slo.base, summary: baseline, loadSeconds: baseSeconds),
                                new: ComparedMetric.Source(metrics: slo.new, summary: new, loadSeconds: newSeconds),
                                relativeTolerance: tolerance.relative, floor: tolerance.floor))
        }
        func spectra(_ summary: JSONValue) -> [(step: String, points: [(percentile: Double, seconds: Double)])] {
            summary.list("/steps").compactMap { step in
                guard let name = step.text("/name") else { return nil }
                let points = step.list("/spectrum").compactMap { point -> (percentile: Double, seconds: Double)? in
                    guard case let .array(pair) = point, pair.count == 2, case let .number(p) = pair[0], case let .number(s) = pair[1] else { return nil }
                    return (p, s)
                }
                return points.isEmpty ? nil : (name, points)
            }
        }
        return ScenarioComparison(name: name, deltas: deltas, notes: notes, baselineSpectra: spectra(baseline), newSpectra: spectra(new))
    }

    /// The regression rule for one metric: worse by more than the relative tolerance AND the floor.
    public static func delta(metric: ComparedMetric, step: String?, baseline: ComparedMetric.Source, new: ComparedMetric.Source,
                             relativeTolerance: Double, floor: Double) -> Delta {
        var delta = Delta(step: step, metric: metric, baseline: metric.extract(baseline), new: metric.extract(new),
                          toleranceRelative: relativeTolerance, toleranceFloor: floor, status: .notJudged)
        guard let before = delta.baseline, let after = delta.new else {
            delta.note = delta.baseline == nil && delta.new == nil ? "no samples" : delta.baseline == nil ? "no baseline value" : "no new value"
            return delta
        }
        delta.absolute = after - before
        let base = metric.relativeBase(before)
        delta.relative = base != 0 ? (after - before) / base : nil
        if let needed = metric.minimumSamples, let count = metric.samples {
            let fewest = min(count(baseline) ?? 0, count(new) ?? 0)
            if fewest < Double(needed) {
                delta.note = "too few samples to judge \(metric.key) (needs \(needed), has \(SafeNumber.clampedInt(fewest)))"
                return delta
            }
        }
        let worse = metric.higherIsWorse ? after - before : before - after
        let worseRelative = base != 0 ? worse / abs(base) : (worse > 0 ? Double.infinity : worse < 0 ? -Double.infinity : 0)
        if worse > floor && worseRelative > relativeTolerance {
            delta.status = .regression
        } else if -worse > floor && -worseRelative > relativeTolerance {
            delta.status = .improvement
        } else {
            delta.status = .unchanged
        }
        return delta
    }
}
