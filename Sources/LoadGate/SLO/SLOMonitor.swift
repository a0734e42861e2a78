/// Follows a run second by second for the SLOs that need per-second data: windowed SLOs
/// (`WindowedSLO`) and `abortOnFail` (`AbortMonitor`). The runner's one hook: it feeds every
/// finished second here, stops the run when `abort` is set, and stores `finish()` in the result.
/// Does nothing (and allocates nothing) for a scenario with neither.
public struct SLOMonitor: Sendable {
    public private(set) var abort: RunAbort?
    private var windowed: [WindowedSLO]
    private var aborts: AbortMonitor

    /// - Parameters:
    ///   - metricNames: the run's metrics (scenario steps, then protocol phases), as in `RunPlan`.
    ///   - stepCount: how many of them are scenario steps (the "overall" scope).
    ///   - measureFromNanos: a warm-up excluded from the statistics; windows start after it.
    public init(slos: [SLOExpression], metricNames: [String], stepCount: Int, measureFromNanos: Int64 = 0) {
        let origin = Int((measureFromNanos + DurationText.nanosPerSecond - 1) / DurationText.nanosPerSecond)
        func scope(_ slo: SLOExpression) -> [Int] {
            guard let step = slo.step else { return Array(0..<stepCount) }
            return metricNames.firstIndex(of: step).map { [$0] } ?? []
        }
        var windowed: [WindowedSLO] = []
        var windowedAborts: [(slo: SLOExpression, windowedIndex: Int)] = []
        var wholeRunAborts: [(SLOExpression, [Int])] = []
        for slo in slos {
            if slo.windowSeconds != nil {
                if windowed.contains(where: { $0.slo.text == slo.text }) {
                    // The same expression twice (once with abortOnFail): judged once.
                    if slo.abortOnFail, let index = windowed.firstIndex(where: { $0.slo.text == slo.text }) { windowedAborts.append((slo, index)) }
                    continue
                }
                if slo.abortOnFail { windowedAborts.append((slo, windowed.count)) }
                windowed.append(WindowedSLO(slo: slo, scope: scope(slo), originSecond: origin))
            } else if slo.abortOnFail {
                wholeRunAborts.append((slo, scope(slo)))
            }
        }
        self.windowed = windowed
        self.aborts = AbortMonitor(wholeRun: wholeRunAborts, windowed: windowedAborts, originSecond: origin)
    }

    /// Nothing to follow: the runner may skip calling `absorb`.
    public var isIdle: Bool { windowed.isEmpty && aborts.isIdle }

    /// One finished second, in order. Sets `abort` (once) when an abortOnFail SLO fails.
    public mutating func absorb(_ snapshot: IntervalSnapshot) {
        for index in windowed.indices { windowed[index].absorb(snapshot) }
        if abort == nil, !aborts.isIdle { abort = aborts.absorb(snapshot, windows: windowed) }
    }

    /// Closes the last (partial) windows; the outcomes by expression text, for `SLOEvaluator.Inputs.windows`.
    public mutating func finish() -> [String: SLOWindowOutcome] {
        var outcomes: [String: SLOWindowOutcome] = [:]
        for index in windowed.indices {
            windowed[index].finish()
            outcomes[windowed[index].slo.text] = windowed[index].outcome
        }
        return outcomes
    }
}
