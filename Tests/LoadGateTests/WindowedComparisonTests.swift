import Foundation
import Testing
@testable import LoadGate

/// `compare` and `gate --baseline` treat a windowed SLO's worst window like any other metric.
@Suite("Comparison of windowed SLOs' worst windows")
struct WindowedComparisonTests {
    /// A fixture summary whose steps are identical in both runs, with `slos` entries (expression, worst value).
    static func summary(_ slos: [(String, Double?, windowed: Bool)]) -> JSONValue {
        guard case var .object(members) = SummaryFixture.summary(steps: [("live", 0.010, 0.011, 0.012, 1000, 0)]) else { return .null }
        members.append(("slos", .array(slos.map { slo in
            var entry: [(key: String, value: JSONValue)] = [("expression", .string(slo.0)), ("passed", .bool(true))]
            if slo.windowed {
                entry.append(("window", .object([("seconds", .number(2)),
                                                 ("worst", .object([("start", .number(0)), ("end", .number(2)), ("value", slo.1.map(JSONValue.number) ?? .null)]))])))
            } else {
                entry.append(("observed", slo.1.map(JSONValue.number) ?? .null))
            }
            return .object(entry)
        })))
        return .object(members)
    }

    func window(_ comparison: Comparison, _ expression: String) -> Comparison.Delta? {
        comparison.scenarios.first?.deltas.first { $0.metric.key == "window \(expression)" }
    }

    @Test("a worst window three times slower is a regression named by its SLO, though every whole-run metric is unchanged")
    func slowerWorstWindow() {
        let base = Self.summary([("p95 < 1s over 2s", 0.012, true)])
        let slow = Self.summary([("p95 < 1s over 2s", 0.045, true)])
        let comparison = SummaryFixture.compare(base, slow)
        let delta = window(comparison, "p95 < 1s over 2s")
        #expect(delta?.status == .regression && delta?.metric.unit == .seconds && delta?.metric.higherIsWorse == true)
        #expect(comparison.regressions.count == 1, "only the window regressed: \(comparison.regressions.map(\.delta.name))")
        #expect(ComparisonText.render(comparison, baseline: SummaryFixture.input(base), new: SummaryFixture.input(slow))
            .contains("REGRESSION: scenario api, overall: worst window of p95 < 1s over 2s 12ms → 45ms"))
        // Negative twins: the same worst window, and one worse by less than the 10 ms floor.
        #expect(window(SummaryFixture.compare(base, base), "p95 < 1s over 2s")?.status == .unchanged)
        #expect(window(SummaryFixture.compare(base, Self.summary([("p95 < 1s over 2s", 0.020, true)])), "p95 < 1s over 2s")?.status == .unchanged)
    }

    @Test("direction follows the SLO's comparison: a lower worst availability is worse, a higher one better")
    func availabilityDirection() {
        let base = Self.summary([("live: availability >= 99% over 5s", 99.9, true)])
        let worse = SummaryFixture.compare(base, Self.summary([("live: availability >= 99% over 5s", 97.0, true)]))
        let delta = window(worse, "live: availability >= 99% over 5s")
        #expect(delta?.status == .regression && delta?.step == "live" && delta?.metric.higherIsWorse == false)
        #expect(delta.map { abs(($0.new ?? 0) - 0.97) < 1e-9 } == true, "percent is compared as a share")
        let better = SummaryFixture.compare(Self.summary([("live: availability >= 99% over 5s", 97.0, true)]), base)
        #expect(window(better, "live: availability >= 99% over 5s")?.status == .improvement)
    }

    @Test("only SLOs windowed in both runs are compared; a window without samples is shown, not judged")
    func pairing() {
        let base = Self.summary([("p95 < 1s over 2s", 0.012, true), ("p99 < 2s", 0.02, false), ("p50 < 1s over 2s", 0.01, true)])
        let new = Self.summary([("p95 < 1s over 2s", nil, true), ("p99 < 2s", 0.9, false)])
        let deltas = SummaryFixture.compare(base, new).scenarios[0].deltas.filter { $0.metric.key.hasPrefix("window ") }
        #expect(deltas.map(\.metric.key) == ["window p95 < 1s over 2s"])
        #expect(deltas.first?.status == .notJudged && deltas.first?.note == "no new value")
    }

    @Test("the window's delta goes into report.json and becomes a failing JUnit testcase named by its SLO")
    func reportAndJUnit() throws {
        let base = Self.summary([("p95 < 1s over 2s", 0.012, true)])
        let slow = Self.summary([("p95 < 1s over 2s", 0.045, true)])
        let comparison = SummaryFixture.compare(base, slow)
        let report = JSONValue.object([("verdict", .string("passed")), ("reasons", .array([])), ("startedAt", .string("2026-11-26T10:00:00Z"))])
        let attached = BaselineComparison.attach(comparison, notCompared: [], baseline: SummaryFixture.input(base, path: "base"),
                                                 policy: RegressionPolicy(), to: report)
        #expect(attached.text("/verdict") == "failed")
        let stored = attached.list("/comparison/scenarios").first?.list("/deltas").first { $0.text("/metric") == "window p95 < 1s over 2s" }
        #expect(stored?.text("/status") == "regression" && stored?.flag("/higherIsWorse") == true && stored?.number("/new") == 0.045)
        let xml = ComparisonSection.junitSuites(attached).map(\.xml).joined()
        #expect(xml.contains("<testcase name=\"overall worst window of p95 &lt; 1s over 2s vs baseline\""))
        #expect(xml.contains("type=\"regression\""))
        #expect(ComparisonSection.markdown(attached).contains("| overall | window p95 < 1s over 2s | 12ms | 45ms |"))
    }
}
