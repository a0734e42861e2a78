/// One second of one step: what completed in that second. Workers record these beside their
/// run totals and hand them over once per second; merged across workers they are the data that
/// per-second charts, windowed SLOs, interval logs (`latency.hlog`) and live metrics read.
///
/// Invariant: summed over every second of a run, each field equals the step's run total in
/// `StepMetrics` (same histogram layout, so the merge is exact).
public struct StepInterval: Sendable, Equatable {
    public var requests: Int64 = 0
    public var failed: Int64 = 0
    /// Indexed by `FailureClass.rawValue`.
    public var failures = [Int64](repeating: 0, count: FailureClass.allCases.count)
    /// Status code -> count (0 = no response). A dictionary: a second sees only a few codes.
    public var statusCodes: [Int: Int64] = [:]
    /// A protocol step's HTTP exchanges and their statuses (see `StepMetrics` for the identity).
    public var exchanges: Int64 = 0
    public var exchangeStatusCodes: [Int: Int64] = [:]
    /// Same layout as `StepMetrics.latency` (1 µs .. 1 h, 3 digits), so intervals merge exactly
    /// into the run's totals.
    public var latency = Histogram.latencyMicros()

    public init() {}

    public var isEmpty: Bool { requests == 0 && exchanges == 0 && latency.isEmpty && statusCodes.isEmpty }

    public mutating func merge(_ other: StepInterval) {
        requests += other.requests
        failed += other.failed
        for index in failures.indices { failures[index] += other.failures[index] }
        for (code, count) in other.statusCodes { statusCodes[code, default: 0] += count }
        exchanges += other.exchanges
        for (code, count) in other.exchangeStatusCodes { exchangeStatusCodes[code, default: 0] += count }
        latency.merge(other.latency)
    }
}

/// One second of the run: per step (indexed like `RunPlan.metricNames`: scenario steps, then
/// protocol phases). From a worker it holds that worker's completions; after the runner merges
/// the workers, all of them. `spanNanos` is how much of the second the run covered (less than a
/// second only for the last one), so a partial second is never read as a full one.
public struct IntervalSnapshot: Sendable {
    public var second: Int
    public var spanNanos: Int64 = 1_000_000_000
    public var steps: [StepInterval]
    /// The generator's in-flight requests, lateness and dropped iterations in this second.
    public var generator = GeneratorInterval()

    public init(second: Int, stepCount: Int) {
        self.second = second
        self.steps = [StepInterval](repeating: StepInterval(), count: stepCount)
    }

    public var isEmpty: Bool { steps.allSatisfy(\.isEmpty) && generator.isEmpty }

    public mutating func merge(_ other: IntervalSnapshot) {
        generator.merge(other.generator)
        for index in steps.indices where index < other.steps.count { steps[index].merge(other.steps[index]) }
    }

    /// The scenario's steps (not the protocol phases) merged: the "overall" scope of this second.
    public func overall(stepCount: Int) -> StepInterval {
        var total = StepInterval()
        for step in steps.prefix(stepCount) { total.merge(step) }
        return total
    }
}

/// A point of a 1-second time series in the summary (the run's, or one step's).
public struct TimeSeriesPoint: Sendable, Equatable {
    /// Seconds since the run start (the interval [second, second + 1)).
    public var second: Int
    /// How much of the second the run covered: 1 s except for the last, partial second.
    public var spanNanos: Int64 = 1_000_000_000
    public var requests: Int64
    public var failures: Int64
    public var p50Micros: Int64?
    public var p95Micros: Int64?
    public var p99Micros: Int64?

    public init(second: Int, spanNanos: Int64 = 1_000_000_000, requests: Int64, failures: Int64,
                p50Micros: Int64? = nil, p95Micros: Int64? = nil, p99Micros: Int64? = nil) {
        self.second = second
        self.spanNanos = spanNanos
        self.requests = requests
        self.failures = failures
        self.p50Micros = p50Micros
        self.p95Micros = p95Micros
        self.p99Micros = p99Micros
    }

    init(second: Int, spanNanos: Int64, _ interval: StepInterval) {
        self.init(second: second, spanNanos: spanNanos, requests: interval.requests, failures: interval.failed,
                  p50Micros: interval.latency.value(atPercentile: 50), p95Micros: interval.latency.value(atPercentile: 95),
                  p99Micros: interval.latency.value(atPercentile: 99))
    }
}
