/// The outcome of one SLO: what was observed and whether it held. A metric with no samples
/// (no requests, or no new connections for `connect.p95`) fails: a gate must not pass on nothing.
public struct SLOResult: Sendable, Equatable {
    public var expression: String
    public var step: String?
    /// In the expression's unit family: seconds, percent, requests per second or a count.
    public var observed: Double?
    public var passed: Bool
    /// Human text of the observed value ("1.2ms", "99.95%"), or why there is none.
    public var observedText: String
}

/// Evaluates SLOs as a pure function of measured metrics.
public enum SLOEvaluator {
    public struct Inputs: Sendable {
        public var steps: [(name: String, metrics: StepMetrics)]
        public var overall: StepMetrics
        public var loadSeconds: Double
        public var dropped: Int64

        public init(steps: [(name: String, metrics: StepMetrics)], overall: StepMetrics, loadSeconds: Double, dropped: Int64) {
            self.steps = steps
            self.overall = overall
            self.loadSeconds = loadSeconds
            self.dropped = dropped
        }
    }

    public static func evaluate(_ slos: [SLOExpression], _ inputs: Inputs) -> [SLOResult] {
        slos.map { evaluate($0, inputs) }
    }

    public static func evaluate(_ slo: SLOExpression, _ inputs: Inputs) -> SLOResult {
        let metrics: StepMetrics
        if let step = slo.step {
            guard let found = inputs.steps.first(where: { $0.name == step }) else {
                return SLOResult(expression: slo.text, step: step, observed: nil, passed: false, observedText: "no such step")
            }
            metrics = found.metrics
        } else {
            metrics = inputs.overall
        }

        let observed: Double?
        let text: String
        switch slo.metric {
        case let .latency(phase, statistic):
            let micros = metrics.histogram(for: phase).micros(of: statistic)
            observed = micros.map { $0 / 1e6 }
            text = micros.map { DurationText.format(nanos: Int64($0 * 1_000)) } ?? "no samples"
        case .availability, .errorRate:
            if metrics.requests == 0 {
                observed = nil
                text = "no requests"
            } else {
                let failedPercent = Double(metrics.failed) / Double(metrics.requests) * 100
                let value = slo.metric == .availability ? 100 - failedPercent : failedPercent
                observed = value
                text = formatPercent(value)
            }
        case .rps:
            if inputs.loadSeconds <= 0 {
                observed = nil
                text = "no duration"
            } else {
                let value = Double(metrics.requests) / inputs.loadSeconds
                observed = value
                text = DurationText.trim(value) + "/s"
            }
        case .dropped:
            observed = Double(inputs.dropped)
            text = String(inputs.dropped)
        }
        let passed = observed.map { slo.comparison.holds($0, slo.threshold) } ?? false
        return SLOResult(expression: slo.text, step: slo.step, observed: observed, passed: passed, observedText: text)
    }

    /// Percentages keep enough digits to tell 99.9% from 99.95%: "100%", "99.95%", "0.013%".
    public static func formatPercent(_ value: Double) -> String {
        if value == 100 || value == 0 { return JSONWriter.format(value) + "%" }
        var text = String(format: "%.3f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text + "%"
    }
}
