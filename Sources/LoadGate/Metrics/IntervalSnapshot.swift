/// One second of one worker's completions, handed from the worker to the aggregating thread once
/// per second (the only cross-thread traffic during a run besides the stop flag).
public struct IntervalSnapshot: Sendable {
    public var second: Int
    public var requests: Int64 = 0
    public var failures: Int64 = 0
    /// 2 significant digits (≈25 KB) is plenty for a per-second p50/p95/p99.
    public var latency = Histogram.latencyMicros(significantDigits: 2)

    public init(second: Int) { self.second = second }

    public mutating func merge(_ other: IntervalSnapshot) {
        requests += other.requests
        failures += other.failures
        latency.merge(other.latency)
    }
}

/// A point of the 1-second time series in the summary.
public struct TimeSeriesPoint: Sendable, Equatable {
    /// Seconds since the run start (the interval [second, second + 1)).
    public var second: Int
    public var requests: Int64
    public var failures: Int64
    public var p50Micros: Int64?
    public var p95Micros: Int64?
    public var p99Micros: Int64?
}
