import Foundation

/// The judged outcome of one scenario run: what `summary.json` holds and the table on stdout
/// shows. A plain value (no I/O), built by `RunSummary.make` and rendered by reporters.
public struct RunSummary: Sendable {
    public struct StepSummary: Sendable {
        public var name: String
        public var metrics: StepMetrics
        /// A protocol phase (`mcp.initialize`, `<step>.submit`) rather than a scenario step.
        public var isPhase = false
    }

    public var scenarioName: String
    public var scenarioSHA256: String
    public var scenarioFile: String
    public var target: String?
    public var load: LoadModel
    public var result: RunResult
    public var steps: [StepSummary]
    public var overall: StepMetrics
    public var slos: [SLOResult]
    public var verdict: Verdict
    /// Why the verdict is what it is, one sentence each (failed SLOs, generator shortfall, ...).
    public var reasons: [String]
    public var loadSeconds: Double
    public var achievedRate: Double?
    public var requestedRate: Double?
    /// The generator's own state over the run (lateness, CPU, descriptors, saturation).
    public var generator: GeneratorHealth

    public static func make(scenario: Scenario, scenarioFile: String, result: RunResult) -> RunSummary {
        let names = result.metricNames.isEmpty ? scenario.steps.map(\.name) : result.metricNames
        let steps = zip(names, result.steps).enumerated().map {
            StepSummary(name: $0.element.0, metrics: $0.element.1, isPhase: $0.offset >= scenario.steps.count)
        }
        let overall = result.overall
        let loadSeconds = Double(min(result.elapsedNanos, scenario.load.durationNanos) - result.measureFromNanos) / 1e9
        var slos = SLOEvaluator.evaluate(scenario.slos, SLOEvaluator.Inputs(
            steps: steps.map { ($0.name, $0.metrics) }, overall: overall, loadSeconds: loadSeconds, dropped: result.dropped,
            windows: result.sloWindows))
        if let abort = result.abort {
            // The SLO that stopped the run failed on the data it saw, whatever the last moments added.
            for index in slos.indices where slos[index].expression == abort.expression && slos[index].passed {
                slos[index].passed = false
                slos[index].observedText = "\(abort.observedText) at \(DurationText.trim(abort.atSeconds))s"
            }
        }

        var reasons: [String] = result.problems
        var invalid = false
        var requestedRate: Double?
        var achievedRate: Double?
        if result.interrupted {
            invalid = true
            reasons.append("the run was interrupted before it finished; results are incomplete")
        }
        if let abort = result.abort { reasons.append(abort.reason) }
        if case let .open(load) = scenario.load, let planned = result.plannedIterations {
            let seconds = Double(load.durationNanos - result.measureFromNanos) / 1e9
            requestedRate = Double(planned) / seconds
            achievedRate = Double(result.iterationsStarted) / (result.abort == nil ? seconds : max(loadSeconds, 1e-9))
            // A run stopped early by abortOnFail started fewer iterations by design: no shortfall.
            if !result.interrupted && result.abort == nil {
                // Iterations the target kept from starting (all connections busy on it) are its
                // failures, accounted for: not a shortfall of the generator.
                let accounted = result.iterationsStarted + result.connectionsBusy
                let shortfall = planned > 0 ? (1 - Double(accounted + result.dropped) / Double(planned)) * 100 : 0
                let startedShortfall = planned > 0 ? (1 - Double(accounted) / Double(planned)) * 100 : 0
                if result.dropped > 0 {
                    invalid = true
                    reasons.append("the load generator fell short, not the target: \(result.dropped) iteration(s) started more than \(DurationText.format(nanos: load.maxLatenessNanos)) late were dropped (add connections or workers, or lower the rate)")
                } else if startedShortfall > load.tolerancePercent || shortfall > load.tolerancePercent {
                    invalid = true
                    reasons.append("the load generator fell short, not the target: it started \(result.iterationsStarted) of \(planned) planned iterations (\(DurationText.trim(startedShortfall))% short, tolerance \(DurationText.trim(load.tolerancePercent))%)")
                }
            }
        } else {
            achievedRate = loadSeconds > 0 ? Double(result.iterationsStarted) / loadSeconds : nil
        }
        let fileLimitErrors = overall.failures[FailureClass.generatorFileLimit.rawValue]
        if fileLimitErrors > 0 {
            invalid = true
            reasons.append("the load generator ran out of file descriptors (EMFILE) \(fileLimitErrors) time(s), not the target: raise ulimit -n or lower the connections/VUs")
        }
        var targetFailed = false
        if case let .open(load) = scenario.load, result.connectionsBusy > 0 {
            targetFailed = true
            reasons.append("the target kept \(result.connectionsBusy) iteration(s) from starting: every connection was busy waiting on it for more than \(DurationText.format(nanos: load.maxLatenessNanos)) (counted as failed requests: connections-busy)")
        }
        let failedSLOs = slos.filter { !$0.passed }
        for slo in failedSLOs { reasons.append("SLO failed: \(slo.expression) (observed \(slo.observedText))") }
        let generator = GeneratorHealth(result: result)
        let holdsOnServiceTime = { (slo: SLOExpression) -> Bool in
            guard case let .latency(_, statistic) = slo.metric else { return false }
            let metrics = slo.step.flatMap { name in steps.first { $0.name == name }?.metrics } ?? overall
            return metrics.serviceTime.micros(of: statistic).map { slo.comparison.holds($0 / 1e6, slo.threshold) } ?? false
        }
        if !result.interrupted,
           let distortion = generator.distortionReason(slos, expressions: scenario.slos, holdsOnServiceTime: holdsOnServiceTime) {
            invalid = true
            reasons.append(distortion)
        } else if generator.saturated {
            reasons.append("the load generator was saturated: " + generator.findings.joined(separator: "; "))
        }
        let verdict: Verdict = invalid ? .invalid : (failedSLOs.isEmpty && !targetFailed && result.abort == nil ? .passed : .failed)
        return RunSummary(scenarioName: scenario.name, scenarioSHA256: scenario.sha256, scenarioFile: scenarioFile,
                          target: scenario.target.map(Redaction.url), load: scenario.load, result: result, steps: steps,
                          overall: overall, slos: slos, verdict: verdict, reasons: reasons, loadSeconds: loadSeconds,
                          achievedRate: achievedRate, requestedRate: requestedRate, generator: generator)
    }
}
