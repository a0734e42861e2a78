import Foundation

/// The typed reading of a `capacity.json`, decoded once for `capacity.html` and the finding, so
/// the page never reads JSON pointers of its own (as `ReportView` does for `report.json`).
public struct CapacityView: Sendable {
    public struct Step: Sendable {
        public var offered: Double
        public var achieved: Double
        public var p50: Double?, p95: Double?, p99: Double?
        public var errorRatePercent: Double?
        public var latenessP99: Double?
        public var processCores: Double
        public var workers: Int
        public var machineIdlePercent: Double?
        public var dropped: Int
        public var outcome: String
        public var limitReason: String?
        public var reasons: [String]
        public var sloExpressions: [String]
    }

    public var scenarioName: String
    public var scenarioSHA256: String
    public var target: String?
    public var startedAt: String
    public var ending: String
    public var capacity: Double?
    public var from: Double, to: Double, precision: Double
    public var stepSeconds: Double, warmupSeconds: Double
    public var connections: Int
    /// In increasing offered rate.
    public var steps: [Step]

    public init(_ document: JSONValue) {
        func whole(_ value: Double?, _ fallback: Int) -> Int { value.flatMap { Int(exactly: $0.rounded()) } ?? fallback }
        scenarioName = document.text("/scenario/name") ?? ""
        scenarioSHA256 = document.text("/scenario/sha256") ?? ""
        target = document.text("/target")
        startedAt = document.text("/startedAt") ?? ""
        ending = document.text("/ending") ?? ""
        capacity = document.number("/capacity")
        from = document.number("/settings/from") ?? 0
        to = document.number("/settings/to") ?? 0
        precision = document.number("/settings/precision") ?? 0.05
        stepSeconds = document.number("/settings/stepDuration") ?? 0
        warmupSeconds = document.number("/settings/warmup") ?? 0
        connections = whole(document.number("/settings/connections"), 0)
        steps = document.list("/steps").map { step in
            Step(offered: step.number("/offered") ?? 0, achieved: step.number("/achieved") ?? 0,
                 p50: step.number("/latency/p50"), p95: step.number("/latency/p95"), p99: step.number("/latency/p99"),
                 errorRatePercent: step.number("/errorRatePercent"), latenessP99: step.number("/lateness/p99"),
                 processCores: step.number("/generator/processCores") ?? 0, workers: whole(step.number("/generator/workers"), 1),
                 machineIdlePercent: step.number("/generator/machineIdlePercent"), dropped: whole(step.number("/dropped"), 0),
                 outcome: step.text("/outcome") ?? "", limitReason: step.text("/limitReason"),
                 reasons: step.list("/reasons").compactMap { if case let .string(text) = $0 { return text } else { return nil } },
                 sloExpressions: step.list("/slos").compactMap { $0.text("/expression") })
        }.sorted { $0.offered < $1.offered }
    }

    public var finding: CapacityFinding {
        CapacityFinding(ending: ending, capacity: capacity, from: from, to: to, precision: precision, connections: connections,
                        steps: steps.map { CapacityFinding.Step(offered: $0.offered, outcome: $0.outcome, processCores: $0.processCores,
                                                                workers: $0.workers, machineIdlePercent: $0.machineIdlePercent, dropped: $0.dropped) })
    }
}
