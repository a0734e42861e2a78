import Testing
@testable import LoadGate

@Suite("SLO expressions")
struct SLOTests {
    @Test("expressions parse into step, metric, comparison and threshold in base units", arguments: [
        ("p95 < 2s", nil, SLOExpression.Metric.latency(.latency, .percentile(95)), SLOExpression.Comparison.less, 2.0),
        ("availability >= 99.9%", nil, .availability, .greaterOrEqual, 99.9),
        ("health: p99 < 500ms", "health", .latency(.latency, .percentile(99)), .less, 0.5),
        ("p99.9 <= 1.5s", nil, .latency(.latency, .percentile(99.9)), .lessOrEqual, 1.5),
        ("ttfb.p95 < 250us", nil, .latency(.ttfb, .percentile(95)), .less, 0.00025),
        ("login step: connect.max < 1s", "login step", .latency(.connect, .max), .less, 1.0),
        ("mean<100ms", nil, .latency(.latency, .mean), .less, 0.1),
        ("error_rate < 0.1%", nil, .errorRate, .less, 0.1),
        ("rps > 100/s", nil, .rps, .greater, 100),
        ("dropped == 0", nil, .dropped, .equal, 0),
    ] as [(String, String?, SLOExpression.Metric, SLOExpression.Comparison, Double)])
    func parses(text: String, step: String?, metric: SLOExpression.Metric, comparison: SLOExpression.Comparison, threshold: Double) throws {
        let slo = try SLOExpression.parse(text).get()
        #expect(slo.step == step)
        #expect(slo.metric == metric)
        #expect(slo.comparison == comparison)
        #expect(abs(slo.threshold - threshold) < 1e-12)
    }

    @Test("bad expressions report the character position and a fix", arguments: [
        ("p95 < 250", 7, "\"250\" has no unit; write \"250ms\" or \"250s\""),
        ("p95 ~ 2s", 5, "expected a comparison (<, <=, >, >=, ==) after 'p95'"),
        ("latency < 2s", 1, "unknown statistic 'latency'; use pNN, pNN.N, mean, min, max (optionally with a ttfb., connect., tls., dns. or service. prefix), availability, error_rate, rps or dropped"),
        ("availability >= 0.999", 17, "\"0.999\" has no unit; write \"99.9%\""),
        ("p95 <", 6, "missing value after '<'"),
        ("availability > 101%", 16, "a percentage must be between 0% and 100%"),
        ("step: dropped == 0", 7, "'dropped' counts whole iterations and cannot be scoped to a step"),
    ])
    func rejects(text: String, column: Int, message: String) {
        #expect(SLOExpression.parse(text) == .failure(SLOExpression.ParseError(column: column, message: message)))
    }

    static func metrics(latencies: [Int64], failed: Int64) -> StepMetrics {
        var metrics = StepMetrics()
        for value in latencies { metrics.latency.record(value) }
        metrics.requests = Int64(latencies.count)
        metrics.failed = failed
        return metrics
    }

    @Test("evaluation reports the observed value and whether it held")
    func evaluates() throws {
        let step = Self.metrics(latencies: Array(1...1000).map { Int64($0) * 1000 }, failed: 1)
        let inputs = SLOEvaluator.Inputs(steps: [("health", step)], overall: step, loadSeconds: 10, dropped: 0)
        let results = SLOEvaluator.evaluate(
            ["p95 < 2s", "health: p99 < 500ms", "availability >= 99.9%", "availability >= 99.95%", "rps >= 100", "error_rate <= 0.1%", "dropped == 0"]
                .map { try! SLOExpression.parse($0).get() }, inputs)
        #expect(results.map(\.passed) == [true, false, true, false, true, true, true])
        // HDR reports the highest value equivalent to the 950th sample: within 0.1% of 0.95 s.
        #expect(abs(results[0].observed! - 0.95) / 0.95 < 0.001)
        #expect(results[0].observedText == "950ms")
        #expect(results[1].observedText == "990ms")
        #expect(results[2].observed == 99.9)
        #expect(results[2].observedText == "99.9%")
        #expect(results[4].observed == 100)
    }

    @Test("no samples fails every latency and availability SLO instead of passing on nothing")
    func noSamples() {
        let empty = StepMetrics()
        let inputs = SLOEvaluator.Inputs(steps: [("health", empty)], overall: empty, loadSeconds: 0, dropped: 0)
        for text in ["p95 < 2s", "availability >= 99.9%", "error_rate < 1%", "health: max < 1s", "rps >= 0"] {
            let result = SLOEvaluator.evaluate(try! SLOExpression.parse(text).get(), inputs)
            #expect(result.passed == false, "\(text)")
            #expect(result.observed == nil)
        }
        let tls = SLOEvaluator.evaluate(try! SLOExpression.parse("tls.p95 < 1s").get(), inputs)
        #expect(tls.observedText == "no samples")
    }
}
