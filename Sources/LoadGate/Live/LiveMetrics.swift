import Foundation

/// What `/metrics` serves while a command runs: cumulative counters and a latency histogram per
/// scenario and step, fed once per second from the runner's finished seconds (`absorb`), plus
/// gauges from the progress callback and the load model. The generator's own series (in flight,
/// start lateness, dropped and connections-busy iterations) come with each second too, so they
/// are live rather than known only once the workers join. The runner thread writes, the listener's
/// threads read a `Snapshot` under one lock; nothing here touches the workers.
///
/// Counters only grow for the life of the process (a `gate` runs several scenarios: each keeps
/// its own series, labelled by scenario), as Prometheus expects of a counter.
public final class LiveMetrics: @unchecked Sendable {
    /// Upper bounds (seconds) of the classic latency buckets: 1 ms to 60 s in 1-2.5-5 steps, the
    /// range agent platforms answer in (fast probes to long tool calls); +Inf is implied.
    public static let latencyBucketsSeconds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

    /// Cumulative counts of one histogram in `latencyBucketsSeconds` (non-cumulative per bucket; the last is +Inf).
    public struct Buckets: Sendable, Equatable {
        public var counts = [UInt64](repeating: 0, count: LiveMetrics.latencyBucketsSeconds.count + 1)
        public var sumSeconds = 0.0
        public var count: UInt64 = 0

        /// Adds every recorded value of `histogram` (microseconds) to its bucket.
        public mutating func add(_ histogram: Histogram) {
            for bucket in histogram.recordedBuckets() {
                let seconds = Double(bucket.value) / 1e6
                let index = LiveMetrics.latencyBucketsSeconds.firstIndex { seconds <= $0 } ?? LiveMetrics.latencyBucketsSeconds.count
                counts[index] += bucket.count
            }
            sumSeconds += histogram.sum / 1e6
            count += histogram.totalCount
        }
    }

    /// One step's (or phase's) series.
    public struct StepSeries: Sendable, Equatable {
        public var name: String
        public var requestsByStatus: [Int: Int64] = [:]
        /// Indexed by `FailureClass.rawValue`.
        public var failuresByClass = [Int64](repeating: 0, count: FailureClass.allCases.count)
        public var latency = Buckets()
    }

    /// One scenario run so far.
    public struct ScenarioSeries: Sendable, Equatable {
        public var name: String
        public var model: String
        public var steps: [StepSeries]
        /// Scenario steps (not protocol phases), for the achieved rate.
        public var stepCount: Int
        public var running = true
        public var elapsedSeconds = 0.0
        public var plannedSeconds: Double
        /// Requests completed per second in the last finished second (scenario steps).
        public var achievedRequestRate: Double?
        /// Open model: the rate the schedule asks for now.
        public var requestedRate: Double?
        /// Closed model: virtual users the schedule has active now (an upper bound of requests in flight).
        public var activeVUs: Int?
        /// Requests in flight at the end of the last finished second (all workers).
        public var inFlight: Int64?
        /// Open model, cumulative from the finished seconds: iterations dropped for lateness,
        /// iterations refused because every connection was busy, and start lateness.
        public var dropped: Int64 = 0
        public var connectionsBusy: Int64 = 0
        public var lateness = LatenessBuckets()
        /// Open model: the largest start lateness in the last finished second.
        public var latenessMaxSeconds: Double?
    }

    /// Cumulative start lateness in `GeneratorInterval.latenessBoundsMicros` buckets
    /// (non-cumulative per bucket; the last is +Inf).
    public struct LatenessBuckets: Sendable, Equatable {
        public var counts = [UInt64](repeating: 0, count: GeneratorInterval.latenessBoundsMicros.count + 1)
        public var sumSeconds = 0.0
        public var count: UInt64 = 0

        public mutating func add(_ second: GeneratorInterval) {
            for index in counts.indices where index < second.latenessCounts.count { counts[index] += second.latenessCounts[index] }
            sumSeconds += Double(second.latenessSumMicros) / 1e6
            count += second.latenessCount
        }
    }

    /// Everything `/metrics` shows, copied out under the lock.
    public struct Snapshot: Sendable, Equatable {
        public var scenarios: [ScenarioSeries]
        public var generatorCPUSeconds: Double
    }

    private let lock = NSLock()
    private var scenarios: [ScenarioSeries] = []
    private var schedule: (open: OpenPacer?, closed: ClosedSchedule?) = (nil, nil)
    /// Secrets the scenarios took from the environment: never served, in any label.
    private var secrets: [String] = []

    public init() {}

    /// Starts the series of a scenario run (a new one, or a later run of the same scenario name,
    /// which keeps counting into its series).
    public func begin(plan: RunPlan) {
        let scenario = plan.scenario
        let planned = Double(scenario.load.durationNanos) / 1e9
        let model: String
        switch scenario.load {
        case let .open(load): model = "open"; schedule = (OpenPacer(load), nil)
        case let .closed(load): model = "closed"; schedule = (nil, ClosedSchedule(load))
        }
        lock.withLock {
            secrets += scenario.secretValues
            if let index = scenarios.firstIndex(where: { $0.name == scenario.name }) {
                scenarios[index].running = true
                scenarios[index].elapsedSeconds = 0
                scenarios[index].plannedSeconds = planned
                let known = scenarios[index].steps.map(\.name)
                for name in plan.metricNames where !known.contains(name) { scenarios[index].steps.append(StepSeries(name: name)) }
                scenarios.append(scenarios.remove(at: index))
            } else {
                scenarios.append(ScenarioSeries(name: scenario.name, model: model, steps: plan.metricNames.map { StepSeries(name: $0) },
                                                stepCount: plan.preparedSteps.count, plannedSeconds: planned))
            }
        }
    }

    /// One finished second of the current scenario, all workers merged (`Runner.run(onSecond:)`).
    public func absorb(_ second: IntervalSnapshot, metricNames: [String]) {
        lock.withLock {
            guard var scenario = scenarios.last else { return }
            for (index, interval) in second.steps.enumerated() where index < metricNames.count {
                guard let position = scenario.steps.firstIndex(where: { $0.name == metricNames[index] }) else { continue }
                for (code, count) in interval.statusCodes { scenario.steps[position].requestsByStatus[code, default: 0] += count }
                for failure in FailureClass.allCases { scenario.steps[position].failuresByClass[failure.rawValue] += interval.failures[failure.rawValue] }
                scenario.steps[position].latency.add(interval.latency)
            }
            let overall = second.overall(stepCount: scenario.stepCount)
            if second.spanNanos > 0 { scenario.achievedRequestRate = Double(overall.requests) / (Double(second.spanNanos) / 1e9) }
            scenario.inFlight = second.generator.inFlight
            if scenario.model == "open" {
                scenario.dropped += second.generator.dropped
                scenario.connectionsBusy += second.generator.connectionsBusy
                scenario.lateness.add(second.generator)
                scenario.latenessMaxSeconds = Double(second.generator.latenessMaxMicros) / 1e6
            }
            scenarios[scenarios.count - 1] = scenario
        }
    }

    /// The runner's progress view (every 200 ms): elapsed time and what the schedule asks for now.
    public func progress(_ progress: RunProgress) {
        let requested = schedule.open.map { $0.rate(atNanos: progress.elapsedNanos) }
        let vus = schedule.closed.map { $0.activeVUs(atNanos: progress.elapsedNanos) }
        lock.withLock {
            guard !scenarios.isEmpty else { return }
            scenarios[scenarios.count - 1].elapsedSeconds = Double(progress.elapsedNanos) / 1e9
            scenarios[scenarios.count - 1].requestedRate = requested
            scenarios[scenarios.count - 1].activeVUs = vus
        }
    }

    /// The run has ended (its last second was absorbed): nothing is in flight any more.
    public func finish(_ result: RunResult) {
        lock.withLock {
            guard !scenarios.isEmpty else { return }
            scenarios[scenarios.count - 1].running = false
            scenarios[scenarios.count - 1].elapsedSeconds = Double(result.elapsedNanos) / 1e9
            scenarios[scenarios.count - 1].requestedRate = nil
            scenarios[scenarios.count - 1].activeVUs = nil
            scenarios[scenarios.count - 1].inFlight = 0
        }
    }

    public func snapshot() -> Snapshot {
        let cpu = GeneratorLoad.Sample.now().processCPUSeconds
        return lock.withLock { Snapshot(scenarios: scenarios, generatorCPUSeconds: cpu) }
    }

    /// The exposition in the format the scraper asked for, secrets removed.
    public func render(openMetrics: Bool) -> String {
        let text = PrometheusExposition.render(snapshot(), openMetrics: openMetrics)
        return Redaction.text(text, secrets: lock.withLock { secrets })
    }
}
