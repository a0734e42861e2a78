import Foundation
import Testing
@testable import LoadGate

/// Synthetic `summary.json` documents for the pure comparison logic (the integration tests use real runs).
enum SummaryFixture {
    /// One step per entry: (name, p50, p95, p99 in seconds, requests, failed).
    static func summary(name: String = "api", verdict: String = "passed", rate: Double = 50, sha: String = "aaaa",
                        steps: [(String, Double, Double, Double, Double, Double)]) -> JSONValue {
        func step(_ entry: (String, Double, Double, Double, Double, Double), named: Bool) -> JSONValue {
            var members: [(key: String, value: JSONValue)] = named ? [("name", .string(entry.0))] : []
            members += [("requests", .number(entry.4)), ("failed", .number(entry.5)),
                        ("latency", .object([("count", .number(entry.4)), ("p50", .number(entry.1)), ("p95", .number(entry.2)), ("p99", .number(entry.3))]))]
            return .object(members)
        }
        let requests = steps.map(\.4).reduce(0, +)
        let failed = steps.map(\.5).reduce(0, +)
        let worst = steps.max { $0.2 < $1.2 } ?? ("", 0, 0, 0, 0, 0)
        return .object([
            ("scenario", .object([("name", .string(name)), ("sha256", .string(sha)), ("file", .string("/nonexistent/\(name).json"))])),
            ("verdict", .string(verdict)),
            ("reasons", .array(verdict == "invalid" ? [.string("the run was interrupted before it finished; results are incomplete")] : [])),
            ("load", .object([("model", .string("open")), ("requested", .object([("rate", .number(rate)), ("stages", .array([]))])),
                              ("achieved", .object([("requestRate", .number(requests / 10))]))])),
            ("overall", step(("", worst.1, worst.2, worst.3, requests, failed), named: false)),
            ("steps", .array(steps.map { step($0, named: true) })),
        ])
    }

    static func input(_ summary: JSONValue, path: String = "run") -> ComparisonInput {
        ComparisonInput(path: path, kind: .runFolder, runID: path, manifestSHA256: nil, startedAt: nil,
                        scenarios: [.init(name: summary.text("/scenario/name") ?? "", file: nil, summary: summary, skippedReason: nil)])
    }

    static func compare(_ baseline: JSONValue, _ new: JSONValue, policy: RegressionPolicy = RegressionPolicy(), allowInvalid: Bool = false) -> Comparison {
        Comparison.compare(baseline: input(baseline, path: "base"), new: input(new, path: "new"), policy: { _ in policy }, allowInvalid: allowInvalid)
    }
}

@Suite("Comparison of a baseline and a new run")
struct ComparisonTests {
    /// The delta of `metric` for the single step "live", from its (p50, p95, p99, requests, failed)
    /// in the baseline to those in the new run.
    func liveDelta(_ base: (Double, Double, Double, Double, Double), _ new: (Double, Double, Double, Double, Double), _ metric: String,
                   policy: RegressionPolicy = RegressionPolicy()) -> Comparison.Delta? {
        let baseline = SummaryFixture.summary(steps: [("live", base.0, base.1, base.2, base.3, base.4)])
        let newRun = SummaryFixture.summary(steps: [("live", new.0, new.1, new.2, new.3, new.4)])
        return delta(SummaryFixture.compare(baseline, newRun, policy: policy), "live", metric)
    }

    func delta(_ comparison: Comparison, _ step: String?, _ metric: String) -> Comparison.Delta? {
        comparison.scenarios.first?.deltas.first { $0.step == step && $0.metric.key == metric }
    }

    @Test("tripled latency is a regression of the step's p95; the same numbers are not")
    func tripledLatency() {
        let base = SummaryFixture.summary(steps: [("live", 0.010, 0.011, 0.012, 1000, 0)])
        let slow = SummaryFixture.summary(steps: [("live", 0.030, 0.031, 0.033, 1000, 0)])
        let comparison = SummaryFixture.compare(base, slow)
        #expect(comparison.incomparable.isEmpty)
        #expect(delta(comparison, "live", "p95")?.status == .regression)
        #expect(comparison.regressions.contains { $0.delta.step == "live" && $0.delta.metric.key == "p95" })
        #expect(SummaryFixture.compare(base, base).regressions.isEmpty)
    }

    @Test("microsecond jitter is under the noise floor even when it is a large relative change")
    func microsecondJitter() {
        let base = SummaryFixture.summary(steps: [("live", 0.000100, 0.000200, 0.000300, 1000, 0)])
        let jitter = SummaryFixture.summary(steps: [("live", 0.000400, 0.000900, 0.001200, 1000, 0)])  // +350%, +700µs
        let comparison = SummaryFixture.compare(base, jitter)
        #expect(delta(comparison, "live", "p95")?.status == .unchanged)
        #expect(comparison.regressions.isEmpty)
        // Negative twin: with the floor lowered to 100µs the same change is a regression.
        let strict = SummaryFixture.compare(base, jitter, policy: RegressionPolicy(latencyFloorSeconds: 0.0001))
        #expect(delta(strict, "live", "p95")?.status == .regression)
    }

    @Test("the default floor absorbs a busy machine's measured tail jitter on a 10 ms endpoint, not a 20 ms slowdown")
    func defaultFloorMatchesMeasuredNoise() {
        // Measured: identical reruns at fixed:10ms, load average 8 on 2 cores, p95 11.4ms -> 16.4ms.
        let base = SummaryFixture.summary(steps: [("live", 0.0105, 0.0114, 0.0139, 1000, 0)])
        let noisy = SummaryFixture.summary(steps: [("live", 0.0108, 0.0164, 0.0221, 1000, 0)])
        #expect(SummaryFixture.compare(base, noisy).regressions.isEmpty)
        let slower = SummaryFixture.summary(steps: [("live", 0.0305, 0.0314, 0.0339, 1000, 0)])
        #expect(SummaryFixture.compare(base, slower).regressions.map(\.delta.metric.key) == ["p50", "p95", "p99", "p50", "p95", "p99"])
        // With the floor at 1 ms the machine's noise would be called a regression.
        #expect(!SummaryFixture.compare(base, noisy, policy: RegressionPolicy(latencyFloorSeconds: 0.001)).regressions.isEmpty)
    }

    @Test("reordered steps are the same steps: compared by name")
    func reorderedSteps() {
        let base = SummaryFixture.summary(steps: [("live", 0.010, 0.011, 0.012, 1000, 0), ("ready", 0.010, 0.011, 0.012, 1000, 0)])
        let reordered = SummaryFixture.summary(steps: [("ready", 0.030, 0.031, 0.033, 1000, 0), ("live", 0.010, 0.011, 0.012, 1000, 0)])
        let comparison = SummaryFixture.compare(base, reordered)
        #expect(comparison.incomparable.isEmpty)
        #expect(delta(comparison, "ready", "p95")?.status == .regression)
        #expect(delta(comparison, "live", "p95")?.status == .unchanged)
    }

    @Test("a busy generator (late starts of the order of the floor) is said out loud, without changing the verdict")
    func busyGeneratorNote() {
        let base = SummaryFixture.summary(steps: [("live", 0.010, 0.011, 0.012, 1000, 0)])
        guard case var .object(members) = SummaryFixture.summary(steps: [("live", 0.030, 0.031, 0.033, 1000, 0)]) else {
            Issue.record("the fixture is not an object")
            return
        }
        members.append(("lateness", .object([("p99", .number(0.0076))])))
        let comparison = SummaryFixture.compare(base, .object(members))
        #expect(comparison.scenarios.first?.notes == ["the generator started requests up to 7.6ms late (p99) in the new run: the machine was busy, so latency changes of that size may be its noise rather than the target's"])
        #expect(!comparison.regressions.isEmpty)
        #expect(SummaryFixture.compare(base, base).scenarios.first?.notes == [])
    }

    @Test("a change above the floor but within the relative tolerance is not a regression")
    func withinTolerance() {
        let base = (0.100, 0.200, 0.300, 1000.0, 0.0), slower = (0.100, 0.215, 0.300, 1000.0, 0.0)  // p95 +15ms, +7.5%
        #expect(liveDelta(base, slower, "p95")?.status == .unchanged)
        #expect(liveDelta(base, slower, "p95", policy: RegressionPolicy(relative: 0.05))?.status == .regression)
    }

    @Test("availability compares failure shares: 99.9% to 99.5% is a regression, 100% to 99.95% is under the floor")
    func availability() {
        let availability = liveDelta((0.01, 0.01, 0.01, 10000, 10), (0.01, 0.01, 0.01, 10000, 50), "availability")
        #expect(availability?.status == .regression)
        #expect(availability.map(ComparisonText.relative) == "failures +400%")
        #expect(liveDelta((0.01, 0.01, 0.01, 10000, 0), (0.01, 0.01, 0.01, 10000, 5), "availability")?.status == .unchanged)
    }

    @Test("a p99 from too few samples is shown but not judged")
    func fewSamples() {
        let p99 = liveDelta((0.010, 0.011, 0.012, 150, 0), (0.010, 0.011, 0.090, 150, 0), "p99")
        #expect(p99?.status == .notJudged)
        #expect(p99?.note == "too few samples to judge p99 (needs 500, has 150)")
    }

    @Test("different scenarios, steps, load or an invalid run are incomparable, each said")
    func incomparable() {
        let base = SummaryFixture.summary(steps: [("live", 0.01, 0.01, 0.01, 1000, 0), ("ready", 0.01, 0.01, 0.01, 1000, 0)])
        #expect(SummaryFixture.compare(base, SummaryFixture.summary(name: "other", steps: [("live", 0.01, 0.01, 0.01, 1000, 0)])).incomparable
                == ["different scenarios: the baseline ran 'api', the new run 'other'"])
        #expect(SummaryFixture.compare(base, SummaryFixture.summary(steps: [("live", 0.01, 0.01, 0.01, 1000, 0), ("health", 0.01, 0.01, 0.01, 1000, 0)])).incomparable
                == ["scenario 'api': the steps differ; only in the baseline: ready; only in the new run: health"])
        #expect(SummaryFixture.compare(base, SummaryFixture.summary(rate: 100, steps: [("live", 0.01, 0.01, 0.01, 1000, 0), ("ready", 0.01, 0.01, 0.01, 1000, 0)])).incomparable
                == ["scenario 'api': the requested load differs (baseline open model at 50/s, new open model at 100/s); throughput and latency are only comparable under the same load"])
        let invalid = SummaryFixture.summary(verdict: "invalid", steps: [("live", 0.01, 0.01, 0.01, 1000, 0), ("ready", 0.01, 0.01, 0.01, 1000, 0)])
        let refused = SummaryFixture.compare(invalid, base)
        #expect(refused.incomparable.first?.contains("the baseline run's verdict was invalid (the run was interrupted before it finished; results are incomplete)") == true)
        #expect(refused.incomparable.first?.hasSuffix("Compare anyway with --allow-invalid") == true)
        let allowed = SummaryFixture.compare(invalid, base, allowInvalid: true)
        #expect(allowed.incomparable.isEmpty)
        #expect(allowed.scenarios.first?.notes.first?.contains("compared anyway (--allow-invalid)") == true)
    }

    @Test("scenario overrides: step-specific beats metric beats scenario-wide beats the command line")
    func overridePrecedence() throws {
        let document = """
        {"name": "api", "target": "http://127.0.0.1:9", "load": {"rate": 5, "duration": "1s"},
         "steps": [{"name": "live", "request": {"path": "/"}}, {"name": "ready", "request": {"path": "/"}}],
         "regression": {"max": "30%", "floor": "2ms", "p95": "15%", "live: p95": {"max": "50%", "floor": "20ms"}, "availability": {"floor": "1%"}}}
        """
        let scenario = try ScenarioLoader(environment: [:]).load(bytes: Array(document.utf8), file: "s.json")
        let policy = RegressionPolicy(relative: 0.10, latencyFloorSeconds: 0.001, overrides: scenario.regressionOverrides)
        let metric = { (key: String) in ComparedMetric.all.first { $0.key == key }! }
        #expect(policy.tolerance(for: metric("p95"), step: "live") == (0.50, 0.020))
        #expect(policy.tolerance(for: metric("p95"), step: "ready") == (0.15, 0.002))
        #expect(policy.tolerance(for: metric("p50"), step: "ready") == (0.30, 0.002))
        #expect(policy.tolerance(for: metric("availability"), step: nil) == (0.30, 0.01))
        #expect(policy.tolerance(for: metric("throughput"), step: nil) == (0.30, 1))
        #expect(RegressionPolicy().tolerance(for: metric("p95"), step: "live") == (0.10, 0.010))
    }

    @Test("a bad regression object is reported located, with a suggestion", arguments: [
        (#"{"p955": "15%"}"#, "s.json: regression.p955: 'p955' is not a compared metric; did you mean 'p95'?"),
        (#"{"p95": "fast"}"#, "s.json: regression.p95: \"fast\" is not a share; write e.g. \"15%\""),
        (#"{"liev: p95": "15%"}"#, "s.json: regression.liev: p95: names step 'liev', which the scenario does not have; did you mean 'live'?"),
        (#"{"availability": {"floor": "2ms"}}"#, "s.json: regression.availability.floor: \"2ms\" is not a floor for availability; write e.g. \"0.5%\""),
        (#""15%""#, "s.json: regression: expected an object such as {\"p95\": \"15%\"}, found a string"),
    ])
    func badOverrides(regression: String, message: String) {
        let document = """
        {"name": "api", "target": "http://127.0.0.1:9", "load": {"rate": 5, "duration": "1s"},
         "steps": [{"name": "live", "request": {"path": "/"}}], "regression": \(regression)}
        """
        #expect(throws: ValidationFailure.self) { try ScenarioLoader(environment: [:]).load(bytes: Array(document.utf8), file: "s.json") }
        do {
            _ = try ScenarioLoader(environment: [:]).load(bytes: Array(document.utf8), file: "s.json")
        } catch {
            #expect(error.diagnostics.map(\.description) == [message])
        }
    }

    @Test("the comparison survives report.json: every delta reads back and renders the same")
    func roundTrip() {
        let base = SummaryFixture.summary(steps: [("live", 0.010, 0.011, 0.012, 1000, 0)])
        let slow = SummaryFixture.summary(steps: [("live", 0.030, 0.031, 0.033, 1000, 0)])
        let comparison = SummaryFixture.compare(base, slow)
        #expect(!comparison.scenarios[0].deltas.isEmpty)
        for delta in comparison.scenarios[0].deltas {
            let back = BaselineComparison.delta(from: BaselineComparison.deltaValue(delta))
            #expect(back.map { ComparisonText.sentence(scenario: "api", $0) } == ComparisonText.sentence(scenario: "api", delta))
            #expect(back?.status == delta.status)
        }
    }

    @Test("a baseline holding 1e300, infinity or NaN renders (text, tolerance, sentences) without trapping; sane numbers render as before",
          arguments: [1e300, Double.infinity, -Double.infinity, Double.nan, -1e300])
    func hostileNumbers(value: Double) {
        let base = SummaryFixture.summary(steps: [("live", value, value, value, value, value)])
        let sane = SummaryFixture.summary(steps: [("live", 0.010, 0.011, 0.012, 1000, 0)])
        for (first, second) in [(base, sane), (sane, base), (base, base)] {
            let comparison = SummaryFixture.compare(first, second)
            let text = ComparisonText.render(comparison, baseline: SummaryFixture.input(first, path: "base"), new: SummaryFixture.input(second, path: "new"))
            #expect(text.contains("baseline: base"))
            for scenario in comparison.scenarios {
                for delta in scenario.deltas { #expect(!ComparisonText.sentence(scenario: "api", delta).isEmpty) }
            }
        }
        let twin = ComparisonText.render(SummaryFixture.compare(sane, sane), baseline: SummaryFixture.input(sane, path: "base"),
                                         new: SummaryFixture.input(sane, path: "new"))
        #expect(twin.contains("11ms") && twin.contains("no regression"), "\(twin)")
    }

    @Test("chart axes over NaN, infinite or 1e300 data end with a bounded number of ticks")
    func hostileAxes() {
        for value in [Double.nan, .infinity, -.infinity, 1e300, -1e300] {
            #expect(ChartScale.linear(0, value, start: 0, end: 100).ticks(format: { "\($0)" }).count <= 20)
            #expect(ChartScale.linear(value, 1, start: 0, end: 100).ticks(format: { "\($0)" }).count <= 20)
            #expect(ChartScale.log(1e-6, value, start: 0, end: 100).ticks(format: { "\($0)" }).count <= 40)
            #expect(ChartScale.linear(0, value, start: 0, end: 100).position(5).isFinite)
        }
        #expect(ChartScale.linear(0, 10, start: 0, end: 100).ticks(format: { "\($0)" }).count == 6, "sane axes unchanged")
    }
}
