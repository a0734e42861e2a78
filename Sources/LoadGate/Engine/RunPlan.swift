import Foundation

/// What a run will do, fixed before workers start: the scenario, prepared steps and how work is
/// split across worker threads. Immutable and shared by all workers.
public struct RunPlan: Sendable {
    public let scenario: Scenario
    public let workerCount: Int
    /// Warm-up: iterations intended to start before this offset are run but not measured.
    public let measureFromNanos: Int64
    let preparedSteps: [PreparedStep]
    /// True when no proxy is configured in the environment: libcurl then skips per-request getenv.
    let noProxy: Bool

    public init(scenario: Scenario, workers requested: Int? = nil, warmupNanos: Int64 = 0,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.scenario = scenario
        self.measureFromNanos = max(0, min(warmupNanos, scenario.load.durationNanos))
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let parallelism: Int
        switch scenario.load {
        case let .closed(load): parallelism = max(1, load.peakVUs)
        case let .open(load): parallelism = load.connections
        }
        workerCount = max(1, min(requested ?? cores, parallelism, 64))
        preparedSteps = scenario.steps.enumerated().map { PreparedStep(index: $0.offset, step: $0.element) }
        let proxyVariables = ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]
        noProxy = !proxyVariables.contains { !(environment[$0] ?? "").isEmpty }
    }

    /// The longest step timeout: how long in-flight requests may still take after issuing stops.
    /// Seconds of load that count for rates: the duration less the warm-up.
    public var measuredSeconds: Double { Double(scenario.load.durationNanos - measureFromNanos) / 1e9 }

    var longestTimeoutNanos: Int64 { scenario.steps.map(\.timeoutNanos).max() ?? 10 * DurationText.nanosPerSecond }

    /// Share of `total` that worker `index` takes when work is split round-robin.
    static func share(of total: Int, worker index: Int, of count: Int) -> Int {
        total / count + (index < total % count ? 1 : 0)
    }
}
