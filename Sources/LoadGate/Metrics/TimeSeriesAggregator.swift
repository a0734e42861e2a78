/// Merges workers' per-second snapshots on the runner thread. A second is final once every
/// worker's watermark has passed it; seconds without completions become zero points. Each final
/// second goes to the `onSecond` observer (charts, windowed SLOs, interval logs, live metrics read
/// it there) and becomes one point of the run's and of each step's time series.
///
/// Memory: at most a few seconds of pending snapshots (one histogram per step each, ≈190 KB), so
/// it does not grow with the run; the series themselves cost one small point per second per step.
public struct TimeSeriesAggregator {
    public private(set) var points: [TimeSeriesPoint] = []
    /// Indexed like the snapshot's steps (scenario steps, then protocol phases).
    public private(set) var stepPoints: [[TimeSeriesPoint]]
    public private(set) var totalRequests: Int64 = 0
    public private(set) var totalFailures: Int64 = 0
    /// The last finalized second (all workers merged), for live views.
    public private(set) var lastSecond: IntervalSnapshot?

    private let metricCount: Int
    /// How many of the metrics are scenario steps (the rest are protocol phases).
    private let stepCount: Int
    private var pending: [Int: IntervalSnapshot] = [:]
    private var nextSecond = 0

    public init(metricCount: Int, stepCount: Int) {
        self.metricCount = metricCount
        self.stepCount = stepCount
        self.stepPoints = [[TimeSeriesPoint]](repeating: [], count: metricCount)
    }

    public mutating func absorb(_ snapshot: IntervalSnapshot) {
        // Counts only: merging the steps' histograms here would cost a full merge per worker per second.
        let steps = snapshot.steps.prefix(stepCount)
        let requests = steps.reduce(0) { $0 + $1.requests }, failed = steps.reduce(0) { $0 + $1.failed }
        totalRequests += requests
        totalFailures += failed
        if snapshot.second < nextSecond {
            // A straggler for a second already finalized (cannot happen with correct watermarks);
            // fold its counts into the points so totals stay exact.
            if let index = points.firstIndex(where: { $0.second == snapshot.second }) {
                points[index].requests += requests
                points[index].failures += failed
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
    /// `runNanos`, when given, is the run's final length: the second it falls in is partial.
    public mutating func finalize(below watermark: Int, limitSecond: Int, runNanos: Int64? = nil,
                                  onSecond: (IntervalSnapshot) -> Void = { _ in }) {
        let end = min(watermark, limitSecond)
        while nextSecond < end {
            var snapshot = pending.removeValue(forKey: nextSecond) ?? IntervalSnapshot(second: nextSecond, stepCount: metricCount)
            if let runNanos {
                let covered = runNanos - Int64(nextSecond) * 1_000_000_000
                snapshot.spanNanos = max(1, min(1_000_000_000, covered))
            }
            let span = snapshot.spanNanos
            points.append(TimeSeriesPoint(second: nextSecond, spanNanos: span, snapshot.overall(stepCount: stepCount)))
            for index in 0..<metricCount {
                stepPoints[index].append(TimeSeriesPoint(second: nextSecond, spanNanos: span,
                                                         index < snapshot.steps.count ? snapshot.steps[index] : StepInterval()))
            }
            onSecond(snapshot)
            lastSecond = snapshot
            nextSecond += 1
        }
    }
}
