import Foundation

/// Everything a run measured, merged across workers after they joined. Input to the summary and
/// the SLO evaluation; carries no per-request samples.
public struct RunResult: Sendable {
    public var steps: [StepMetrics]
    public var lateness: Histogram
    /// Open model: the lateness of iterations that found a connection free when due, i.e. the
    /// part of `lateness` the generator caused itself.
    public var generatorLateness = Histogram.latencyMicros()
    /// Open model: iterations dropped for lateness while a connection was free (the generator's
    /// shortfall).
    public var dropped: Int64
    /// Open model: iterations that could not start within `maxLateness` because every connection
    /// was busy waiting on the target; each is a failed request (`connections-busy`).
    public var connectionsBusy: Int64 = 0
    public var iterationsStarted: Int64
    public var iterationsCompleted: Int64
    /// Steps still running when the run was cut (interrupt or safety deadline); each is also
    /// counted as a failed request of its step with class `incomplete`.
    public var aborted: Int64
    /// Open model: iterations the schedule planned; closed model: nil.
    public var plannedIterations: Int64?
    /// The run's 1-second series (scenario steps merged).
    public var timeSeries: [TimeSeriesPoint]
    /// One 1-second series per metric, indexed like `metricNames`.
    public var stepTimeSeries: [[TimeSeriesPoint]] = []
    public var startedAt: Date
    public var endedAt: Date
    public var elapsedNanos: Int64
    public var interrupted: Bool
    public var workers: Int
    /// Warm-up excluded from the statistics (0 for plain runs).
    public var measureFromNanos: Int64 = 0
    /// `steps` holds the scenario's steps first, then protocol phases (`mcp.initialize`, ...).
    public var stepCount = 0
    public var metricNames: [String] = []
    public var mcpSessionsCreated: Int64 = 0
    public var mcpSessionsDeleted: Int64 = 0
    /// Sessions opened on a server that issued no session id (nothing to delete at the end).
    public var mcpSessionsWithoutID: Int64 = 0
    /// Per metric (indexed like `metricNames`): the first few distinct failures of each class.
    public var errorSamples: [ErrorSampleSet] = []
    /// This process's CPU and the machine's idle share over the run (nil if not measured).
    public var generatorLoad: GeneratorLoad?
    /// RLIMIT_NOFILE in force and the most descriptors open at once (sampled every 200 ms).
    public var openFilesLimit = 0
    public var openFilesPeak = 0
    /// Problems found before load started (e.g. an unreadable agent card).
    public var problems: [String] = []
    /// Windowed SLOs' outcomes by expression text, judged from the per-second data (`SLOMonitor`).
    public var sloWindows: [String: SLOWindowOutcome] = [:]
    /// Set when an abortOnFail SLO stopped the run early (a gate failure, not an interrupt).
    public var abort: RunAbort?
    /// Which HTTP engine carried the requests, and why (nil: not recorded, e.g. an old summary).
    public var httpEngine: HTTPEngineChoice?

    /// All steps merged: the "overall" scope of SLOs.
    public var overall: StepMetrics {
        var total = StepMetrics()
        for step in steps.prefix(stepCount == 0 ? steps.count : stepCount) { total.merge(step) }
        return total
    }
}

/// A live view for progress displays, produced about every 200 ms.
public struct RunProgress: Sendable {
    public var elapsedNanos: Int64
    public var plannedNanos: Int64
    public var requests: Int64
    public var failures: Int64
    /// From the last complete second.
    public var lastSecond: TimeSeriesPoint?
}
