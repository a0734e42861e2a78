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
    /// Windowed SLOs (`over 1m`): every judged window; `observed` is then the worst window's value.
    public var window: SLOWindowOutcome?

    public init(expression: String, step: String?, observed: Double?, passed: Bool, observedText: String, window: SLOWindowOutcome? = nil) {
        self.expression = expression
        self.step = step
        self.observed = observed
        self.passed = passed
        self.observedText = observedText
        self.window = window
    }
}

/// Evaluates SLOs as a pure function of measured metrics.
public enum SLOEvaluator {
    public struct Inputs: Sendable {
        public var steps: [(name: String, metrics: StepMetrics)]
        public var overall: StepMetrics
        public var loadSeconds: Double
        public var dropped: Int64
        /// Windowed SLOs' outcomes by expression text (see `SLOMonitor`).
        public var windows: [String: SLOWindowOutcome]

        public init(steps: [(name: String, metrics: StepMetrics)], overall: StepMetrics, loadSeconds: Double, dropped: Int64,
                    windows: [String: SLOWindowOutcome] = [:]) {
            self.steps = steps
            self.overall = overall
            self.loadSeconds = loadSeconds
            self.dropped = dropped
            self.windows = windows
        }
    }

    public static func evaluate(_ slos: [SLOExpression], _ inputs: Inputs) -> [SLOResult] {
        slos.map { evaluate($0, inputs) }
    }

    public static func evaluate(_ slo: SLOExpression, _ inputs: Inputs) -> SLOResult {
        if slo.windowSeconds != nil {
            guard let outcome = inputs.windows[slo.text] else {
                return SLOResult(expression: slo.text, step: slo.step, observed: nil, passed: false, observedText: "no per-second data")
            }
            return outcome.result(for: slo)
        }
        let metrics: StepMetrics
        if let step = slo.step {
            guard let found = inputs.steps.first(where: { $0.name == step }) else {
                return SLOResult(expression: slo.text, step: step, observed: nil, passed: false, observedText: "no such step")
            }
            metrics = found.metrics
        } else {
            metrics = inputs.overall
        }

        let histogram: Histogram
        if case let .latency(phase, _) = slo.metric { histogram = metrics.histogram(for: phase) } else { histogram = metrics.latency }
        let (observed, text) = measure(slo.metric, histogram: histogram, requests: metrics.requests, failed: metrics.failed,
                                       seconds: inputs.loadSeconds, dropped: inputs.dropped)
        let passed = observed.map { slo.comparison.holds($0, slo.threshold) } ?? false
        return SLOResult(expression: slo.text, step: slo.step, observed: observed, passed: passed, observedText: text)
    }

    /// The value of `metric` over some data, in the expression's unit family, with its text (or
    /// why there is none). The one home of each metric's definition: whole runs, windows and the
    /// abort checks all measure through it. `histogram` is the phase's latency histogram.
    public static func measure(_ metric: SLOExpression.Metric, histogram: Histogram, requests: Int64, failed: Int64,
                               seconds: Double, dropped: Int64) -> (observed: Double?, text: String) {
        switch metric {
        case let .latency(_, statistic):
            let micros = histogram.micros(of: statistic)
            return (micros.map { $0 / 1e6 }, micros.map { DurationText.format(nanos: Int64($0 * 1_000)) } ?? "no samples")
        case .availability, .errorRate:
            if requests == 0 { return (nil, "no requests") }
            let failedPercent = Double(failed) / Double(requests) * 100
            let value = metric == .availability ? 100 - failedPercent : failedPercent
            return (value, formatPercent(value))
        case .rps:
            if seconds <= 0 { return (nil, "no duration") }
            let value = Double(requests) / seconds
            return (value, DurationText.trim(value) + "/s")
        case .dropped:
            return (Double(dropped), String(dropped))
        }
    }

    /// Text of an observed value in the metric's unit (for windows and abort reasons).
    static func format(_ value: Double, _ metric: SLOExpression.Metric) -> String {
        switch metric {
        case .latency: return DurationText.format(nanos: Int64(value * 1e9))
        case .availability, .errorRate: return formatPercent(value)
        case .rps: return DurationText.trim(value) + "/s"
        case .dropped: return JSONWriter.format(value)
        }
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
