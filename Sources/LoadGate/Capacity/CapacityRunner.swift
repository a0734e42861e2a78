import Foundation

/// One held rate of a capacity search and how it went.
public struct CapacityStep: Sendable {
    public var offered: Double
    /// Measured iterations completed per second, over the time they actually took (a saturated
    /// target finishes the step's work late, so this falls below the offered rate).
    public var achieved: Double
    public var summary: RunSummary
    public var outcome: CapacitySearch.Outcome
    /// Why the generator, not the target, was the limit (nil otherwise).
    public var limitReason: String?
    public var generator: GeneratorLoad

    public var latency: Histogram { summary.overall.latency }
    public var errorRatePercent: Double? {
        summary.overall.requests > 0 ? Double(summary.overall.failed) / Double(summary.overall.requests) * 100 : nil
    }
}

/// The answer to "how much can it take": the steps run, the highest passing offered rate, the knee,
/// and how the search ended.
public struct CapacityResult: Sendable {
    public enum Ending: String, Sendable {
        /// Bisection converged between a passing and a failing rate.
        case converged
        /// No breach up to --to: capacity is at least the ceiling.
        case ceiling
        /// The lowest rate tried already breached the SLOs.
        case belowFrom = "below-from"
        /// The generator could not offer the rate: only a lower bound is proven.
        case generatorLimited = "generator-limited"
        case interrupted
        /// The whole-search time bound ran out.
        case timeBound = "time-bound"
    }

    public var scenarioName: String
    public var scenarioSHA256: String
    public var target: String?
    public var steps: [CapacityStep]
    public var ending: Ending
    public var capacity: Double?
    public var achievedAtCapacity: Double?
    /// The lowest offered rate whose p95 rose clearly above the lowest rate's p95.
    public var knee: Double?
    public var startedAt: Date
    public var endedAt: Date
    public var settings: CapacityRunner.Settings

    /// Passed: a capacity was found · failed: no rate met the SLOs · invalid: generator-limited,
    /// interrupted or out of time.
    public var verdict: Verdict {
        switch ending {
        case .converged, .ceiling: return .passed
        case .belowFrom: return .failed
        case .generatorLimited, .interrupted, .timeBound: return .invalid
        }
    }

    public var conclusion: String {
        let rate = { (value: Double) in DurationText.trim(value) + "/s" }
        switch ending {
        case .converged:
            return "capacity: \(capacity.map(rate) ?? "-") offered met every SLO (next failing rate within \(JSONWriter.format(settings.precision * 100))%)"
        case .ceiling:
            return "capacity: at least \(capacity.map(rate) ?? "-"): no SLO breach up to --to; raise --to to search further"
        case .belowFrom:
            return "capacity: below \(rate(settings.from)): the first rate already breached the SLOs; lower --from"
        case .generatorLimited:
            let bound = capacity.map { "lower bound \(rate($0))" } ?? "no lower bound proven"
            return "the generator, not the target, was the limit: \(bound); run LoadGate on more cores or another machine"
        case .interrupted:
            return "interrupted: \(capacity.map { "lower bound \(rate($0))" } ?? "no lower bound proven") from the steps completed"
        case .timeBound:
            return "the search ran out of time (--max-time): \(capacity.map { "lower bound \(rate($0))" } ?? "no lower bound proven")"
        }
    }
}

/// Runs a capacity search: each proposed rate becomes an open-model run of the scenario's steps
/// held for `stepNanos` after a `warmupNanos` warm-up that is run but not measured.
public struct CapacityRunner {
    public struct Settings: Sendable {
        public var from: Double
        public var to: Double
        public var precision: Double
        public var stepNanos: Int64
        public var warmupNanos: Int64
        public var connections: Int
        public var workers: Int?
        public var maxTimeNanos: Int64

        public init(from: Double, to: Double, precision: Double = 0.05, stepNanos: Int64 = 5_000_000_000,
                    warmupNanos: Int64 = 1_000_000_000, connections: Int = 100, workers: Int? = nil,
                    maxTimeNanos: Int64 = 600_000_000_000) {
            self.from = from
            self.to = to
            self.precision = precision
            self.stepNanos = stepNanos
            self.warmupNanos = warmupNanos
            self.connections = connections
            self.workers = workers
            self.maxTimeNanos = maxTimeNanos
        }
    }

    public let scenario: Scenario
    public let settings: Settings

    public init(scenario: Scenario, settings: Settings) {
        self.scenario = scenario
        self.settings = settings
    }

    /// - Parameters:
    ///   - wait: as for `Runner.run`; true stops the search (the current step is kept as partial).
    ///   - onStep: called after each step, for live output.
    ///   - live: fed every step's seconds for `--metrics-listen` (one series across the steps).
    public func run(wait: (Int) -> Bool, onStep: (CapacityStep) -> Void = { _ in }, live: LiveMetrics? = nil) -> CapacityResult {
        var search = CapacitySearch(from: settings.from, to: settings.to, precision: settings.precision)
        var steps: [CapacityStep] = []
        let startedAt = Date()
        let startNanos = MonotonicClock.nowNanos()
        var ending: CapacityResult.Ending?
        var interrupted = false
        let stepTotalNanos = settings.warmupNanos + settings.stepNanos
        let a2a = A2AAgentCard.preflight(scenario)  // read once, reused by every step

        while let rate = search.nextRate() {
            if MonotonicClock.nowNanos() - startNanos + stepTotalNanos > settings.maxTimeNanos {
                ending = .timeBound
                break
            }
            var stepScenario = scenario
            // Iterations may start late while the target is saturated; they are never dropped
            // within a step, so lateness shows as latency rather than as missing samples.
            stepScenario.load = .open(OpenLoad(rate: rate, durationNanos: stepTotalNanos, stages: [], connections: settings.connections,
                                               maxLatenessNanos: stepTotalNanos, tolerancePercent: OpenLoad.defaultTolerancePercent))
            let plan = RunPlan(scenario: stepScenario, workers: settings.workers, warmupNanos: settings.warmupNanos, a2a: a2a)
            let before = GeneratorLoad.Sample.now()
            live?.begin(plan: plan)
            let result = Runner(plan: plan).run(wait: { milliseconds in
                if wait(milliseconds) { interrupted = true }
                return interrupted
            }, progress: { live?.progress($0) }, onSecond: { live?.absorb($0, metricNames: plan.metricNames) })
            live?.finish(result)
            let generator = GeneratorLoad.between(before, .now())
            let summary = RunSummary.make(scenario: stepScenario, scenarioFile: "", result: result)
            if result.interrupted {
                ending = .interrupted
                break
            }
            let (outcome, reason) = classify(summary, generator: generator, workers: plan.workerCount)
            let measuredSeconds = Double(result.elapsedNanos - result.measureFromNanos) / 1e9
            let achieved = measuredSeconds > 0 ? Double(result.iterationsCompleted) / measuredSeconds : 0
            let step = CapacityStep(offered: rate, achieved: achieved, summary: summary, outcome: outcome,
                                    limitReason: reason, generator: generator)
            steps.append(step)
            onStep(step)
            search.record(rate: rate, outcome: outcome)
        }

        if ending == nil {
            if search.generatorLimitedAt != nil {
                ending = .generatorLimited
            } else if search.highestPassing == nil {
                ending = .belowFrom
            } else if search.lowestFailing == nil {
                ending = .ceiling
            } else {
                ending = .converged
            }
        }
        let capacity = search.highestPassing
        let atCapacity = steps.first { $0.offered == capacity }
        return CapacityResult(scenarioName: scenario.name, scenarioSHA256: scenario.sha256, target: scenario.target.map(Redaction.url),
                              steps: steps, ending: ending!, capacity: capacity, achievedAtCapacity: atCapacity?.achieved,
                              knee: Self.knee(steps), startedAt: startedAt, endedAt: Date(), settings: settings)
    }

    /// Passed when every SLO held. A failing step is the generator's fault when the machine's CPU
    /// was saturated, when iterations were dropped, or when the same SLOs judged on service time
    /// (from the actual send) would have passed: the target answered in time, the requests left late.
    func classify(_ summary: RunSummary, generator: GeneratorLoad, workers: Int) -> (CapacitySearch.Outcome, String?) {
        if summary.verdict == .passed { return (.passed, nil) }
        if let idle = generator.machineIdlePercent, idle < 10 {
            return (.generatorLimited, "the machine running LoadGate was CPU-saturated (\(DurationText.trim(idle))% idle)")
        }
        if generator.processCores >= 0.9 * Double(workers) {
            return (.generatorLimited, "LoadGate used \(DurationText.trim(generator.processCores)) of its \(workers) worker cores")
        }
        if summary.result.dropped > 0 {
            return (.generatorLimited, "\(summary.result.dropped) iterations were dropped for lateness")
        }
        let serviceView = summary.steps.map { ($0.name, Self.judgedOnServiceTime($0.metrics)) }
        let inputs = SLOEvaluator.Inputs(steps: serviceView, overall: Self.judgedOnServiceTime(summary.overall),
                                         loadSeconds: summary.loadSeconds, dropped: summary.result.dropped)
        let failing = summary.slos.filter { !$0.passed }.map(\.expression)
        let slos = scenario.slos.filter { failing.contains($0.text) }
        if !slos.isEmpty, SLOEvaluator.evaluate(slos, inputs).allSatisfy(\.passed) {
            return (.generatorLimited, "requests started late (all \(settings.connections) connections busy or the event loop behind) while the target answered within the SLOs; raise --connections or --workers")
        }
        return (.failed, nil)
    }

    private static func judgedOnServiceTime(_ metrics: StepMetrics) -> StepMetrics {
        var copy = metrics
        copy.latency = metrics.serviceTime
        return copy
    }

    /// The knee: the lowest offered rate whose p95 exceeds 1.5× (and 1 ms more than) the p95 at the
    /// lowest offered rate.
    static func knee(_ steps: [CapacityStep]) -> Double? {
        let ordered = steps.sorted { $0.offered < $1.offered }
        guard let baseline = ordered.first?.latency.value(atPercentile: 95) else { return nil }
        return ordered.first { step in
            guard let p95 = step.latency.value(atPercentile: 95) else { return false }
            return Double(p95) > 1.5 * Double(baseline) && p95 - baseline > 1_000
        }?.offered
    }
}
