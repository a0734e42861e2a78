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
    /// Native HTTP/1.1 or libcurl for this run, and why (`HTTPEngineChoice`).
    public let httpEngine: HTTPEngineChoice
    /// Names of everything recorded: the steps, then the protocol phases (`mcp.initialize`, ...).
    public let metricNames: [String]
    /// The A2A agent resolved from its card by the preflight (nil when no step speaks A2A or the
    /// card could not be used; then `a2aProblem` says why and A2A steps fail).
    public let a2aAgent: A2AAgent?
    public let a2aProblem: String?
    /// This process's place in a sharded run: how `${vu}`/`${iteration}` are numbered so that they
    /// stay unique across shards (`.single` for an ordinary run).
    public var shardNumbering = ShardNumbering.single

    /// - Parameter a2a: the agent found by `A2AAgentCard.preflight` (run by the command, once per
    ///   scenario); the plan itself does no I/O.
    public init(scenario: Scenario, workers requested: Int? = nil, warmupNanos: Int64 = 0,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                a2a: A2AAgentCard.Resolution? = nil) {
        self.scenario = scenario
        self.measureFromNanos = max(0, min(warmupNanos, scenario.load.durationNanos))
        var workers = Self.workerCount(for: scenario.load, requested: requested)
        // `mcp.sessions: N` means N sessions in all: each worker owns at least one, so no more
        // workers than sessions (a worker without a session of its own would open one more).
        if let sessions = scenario.mcp.sessions,
           scenario.steps.contains(where: { if case .mcp = $0.kind { return true } else { return false } }) {
            workers = max(1, min(workers, sessions))
        }
        workerCount = workers
        preparedSteps = scenario.steps.enumerated().map { PreparedStep(index: $0.offset, step: $0.element) }
        let proxyVariables = ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]
        noProxy = !proxyVariables.contains { !(environment[$0] ?? "").isEmpty }
        httpEngine = HTTPEngineChoice.choose(scenario: scenario, noProxy: noProxy)
        var names = scenario.steps.map(\.name)
        for phase in scenario.steps.flatMap(\.phaseNames) where !names.contains(phase) { names.append(phase) }
        metricNames = names
        switch a2a {
        case let .success(agent)?: a2aAgent = agent; a2aProblem = nil
        case let .failure(problem)?: a2aAgent = nil; a2aProblem = problem.message
        case nil:
            a2aAgent = nil
            let speaksA2A = scenario.steps.contains { if case .a2a = $0.kind { return true } else { return false } }
            a2aProblem = speaksA2A ? "a2a: the agent card was not read (no A2A preflight ran)" : nil
        }
    }

    /// The longest step timeout: how long in-flight requests may still take after issuing stops.
    /// Seconds of load that count for rates: the duration less the warm-up.
    public var measuredSeconds: Double { Double(scenario.load.durationNanos - measureFromNanos) / 1e9 }

    var longestTimeoutNanos: Int64 {
        scenario.steps.map { step -> Int64 in
            switch step.kind {
            case let .a2a(send): return max(step.timeoutNanos, send.timeoutNanos + step.timeoutNanos)
            case let .workflow(spec): return max(step.timeoutNanos, spec.timeoutNanos + step.timeoutNanos)
            default: return step.timeoutNanos
            }
        }.max() ?? 10 * DurationText.nanosPerSecond
    }

    /// Connections the load needs at its peak (one per VU, or the open model's `connections`).
    static func connections(for load: LoadModel) -> Int {
        switch load {
        case let .closed(load): return max(1, load.peakVUs)
        case let .open(load): return load.connections
        }
    }

    /// Worker threads: one per core unless asked, never more than connections, at most 64.
    static func workerCount(for load: LoadModel, requested: Int?) -> Int {
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        return max(1, min(requested ?? cores, connections(for: load), 64))
    }

    /// Share of `total` that worker `index` takes when work is split round-robin.
    static func share(of total: Int, worker index: Int, of count: Int) -> Int {
        total / count + (index < total % count ? 1 : 0)
    }
}
