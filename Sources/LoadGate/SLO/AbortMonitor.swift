/// What stopped a run early: an `abortOnFail` SLO that failed on the data so far. The run is
/// complete for what ran (this is a gate failure, exit 1), unlike an interrupt (exit 3).
public struct RunAbort: Sendable, Equatable {
    public var expression: String
    /// The end of the second (since the run start) whose data decided it.
    public var atSeconds: Double
    /// The value that failed ("0%", "81ms in 15s-20s").
    public var observedText: String

    /// One sentence for reports and the terminal.
    public var reason: String {
        "stopped early at \(DurationText.trim(atSeconds))s: abortOnFail SLO \(expression) failed (observed \(observedText))"
    }
}

/// Checks `abortOnFail` SLOs once per finished second, after each one's grace period (`after`),
/// on the data so far: a whole-run SLO on everything recorded since the run start, a windowed
/// SLO as soon as one of its windows has failed (it can no longer pass). k6's `abortOnFail` with
/// `delayAbortEval`, judged on the same per-second data as windows.
///
/// Memory: one latency histogram (≈ 188 KB) per whole-run abortOnFail SLO; nothing else grows.
public struct AbortMonitor: Sendable {
    /// One whole-run abortOnFail SLO and its cumulative data.
    struct Cumulative: Sendable {
        let slo: SLOExpression
        let scope: [Int]
        var requests: Int64 = 0
        var failed: Int64 = 0
        var latency = Histogram.latencyMicros()
        var coveredNanos: Int64 = 0
    }

    private var cumulative: [Cumulative]
    /// Windowed abortOnFail SLOs, by their index in `SLOMonitor`'s windowed list.
    private let windowedSLOs: [(slo: SLOExpression, windowedIndex: Int)]
    private let originSecond: Int
    /// Iterations dropped since the origin (for an abortOnFail SLO on `dropped`).
    private var droppedSoFar: Int64 = 0

    /// - Parameters:
    ///   - wholeRun: abortOnFail SLOs without a window, with the metric indices of their scope.
    ///   - windowed: abortOnFail SLOs with a window, with their index in the windowed list given to `absorb`.
    init(wholeRun: [(SLOExpression, [Int])], windowed: [(slo: SLOExpression, windowedIndex: Int)], originSecond: Int) {
        cumulative = wholeRun.map { Cumulative(slo: $0.0, scope: $0.1) }
        windowedSLOs = windowed
        self.originSecond = originSecond
    }

    var isIdle: Bool { cumulative.isEmpty && windowedSLOs.isEmpty }

    /// Adds one finished second and judges every abortOnFail SLO whose grace period is over.
    /// `windows` must already include this second. Returns the first SLO that failed, if any.
    mutating func absorb(_ snapshot: IntervalSnapshot, windows: [WindowedSLO]) -> RunAbort? {
        let endNanos = Int64(snapshot.second) * DurationText.nanosPerSecond + snapshot.spanNanos
        let atSeconds = Double(endNanos) / 1e9
        var abort: RunAbort?
        if snapshot.second >= originSecond { droppedSoFar += snapshot.generator.dropped }
        for index in cumulative.indices {
            if snapshot.second >= originSecond {
                for metric in cumulative[index].scope where metric < snapshot.steps.count {
                    let step = snapshot.steps[metric]
                    cumulative[index].requests += step.requests
                    cumulative[index].failed += step.failed
                    cumulative[index].latency.merge(step.latency)
                }
                cumulative[index].coveredNanos += snapshot.spanNanos
            }
            let data = cumulative[index]
            guard abort == nil, endNanos >= data.slo.abortAfterNanos, data.coveredNanos > 0 else { continue }
            let (observed, text) = SLOEvaluator.measure(data.slo.metric, histogram: data.latency, requests: data.requests, failed: data.failed,
                                                        seconds: Double(data.coveredNanos) / 1e9, dropped: droppedSoFar)
            if !(observed.map { data.slo.comparison.holds($0, data.slo.threshold) } ?? false) {
                abort = RunAbort(expression: data.slo.text, atSeconds: atSeconds, observedText: text)
            }
        }
        if abort != nil { return abort }
        for (slo, windowedIndex) in windowedSLOs where endNanos >= slo.abortAfterNanos {
            let outcome = windows[windowedIndex].outcome
            if let failed = outcome.windows.first(where: { !$0.passed }) {
                return RunAbort(expression: slo.text, atSeconds: atSeconds, observedText: "\(outcome.valueText(failed)) in \(SLOWindowOutcome.span(failed))")
            }
        }
        return nil
    }
}
