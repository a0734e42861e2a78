/// Merges workers' per-second snapshots into the run's time series on the runner thread. A second
/// is final once every worker's watermark has passed it; seconds without completions become zero
/// points. Holds at most a few seconds of pending histograms, so memory does not grow with the run
/// (the series itself costs one small point per second).
public struct TimeSeriesAggregator: Sendable {
    public private(set) var points: [TimeSeriesPoint] = []
    private var pending: [Int: IntervalSnapshot] = [:]
    private var nextSecond = 0
    public private(set) var totalRequests: Int64 = 0
    public private(set) var totalFailures: Int64 = 0

    public init() {}

    public mutating func absorb(_ snapshot: IntervalSnapshot) {
        totalRequests += snapshot.requests
        totalFailures += snapshot.failures
        if snapshot.second < nextSecond {
            // A straggler for a second already finalized (cannot happen with correct watermarks);
            // fold its counts in so totals stay exact.
            if let index = points.firstIndex(where: { $0.second == snapshot.second }) {
                points[index].requests += snapshot.requests
                points[index].failures += snapshot.failures
            }
            return
        }
        if pending[snapshot.second] != nil {
            pending[snapshot.second]!.merge(snapshot)
        } else {
            pending[snapshot.second] = snapshot
        }
    }

    /// Finalizes every second below `watermark` (the minimum over workers), but never past
    /// `limitSecond` (exclusive) so that a final flush does not invent empty seconds.
    public mutating func finalize(below watermark: Int, limitSecond: Int) {
        let end = min(watermark, limitSecond)
        while nextSecond < end {
            let snapshot = pending.removeValue(forKey: nextSecond)
            points.append(TimeSeriesPoint(
                second: nextSecond,
                requests: snapshot?.requests ?? 0,
                failures: snapshot?.failures ?? 0,
                p50Micros: snapshot?.latency.value(atPercentile: 50),
                p95Micros: snapshot?.latency.value(atPercentile: 95),
                p99Micros: snapshot?.latency.value(atPercentile: 99)))
            nextSecond += 1
        }
    }
}
