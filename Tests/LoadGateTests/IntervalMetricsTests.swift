import Foundation
import Testing
@testable import LoadGate

/// The per-second interval data (charts, windowed SLOs, interval logs and live metrics read it)
/// against a real nginx: every second, per step, adds up exactly to the run's totals.
@Suite("per-second interval metrics", .serialized)
struct IntervalMetricsTests {
    static func plan(port: Int, workers: Int) throws -> RunPlan {
        let bytes = Array("""
        {"name": "intervals", "target": "http://127.0.0.1:\(port)",
         "load": {"vus": 4, "duration": "2500ms"},
         "steps": [{"name": "health", "request": {"method": "GET", "path": "/api/v1/health"}},
                   {"name": "unexpected", "request": {"method": "GET", "path": "/api/v1/health"}, "expect": {"status": [201]}}]}
        """.utf8)
        let scenario = try ScenarioLoader(environment: [:]).load(bytes: bytes, file: "intervals.json")
        return RunPlan(scenario: scenario, workers: workers)
    }

    @Test("the seconds of each step sum exactly to its totals: requests, failures, status codes, latency histogram")
    func secondsSumToTotals() throws {
        let nginx = try PeerProcess.nginx()
        let plan = try Self.plan(port: nginx.port, workers: 2)
        var seconds: [IntervalSnapshot] = []
        let result = Runner(plan: plan).run(onSecond: { seconds.append($0) })

        #expect(seconds.map(\.second) == Array(0..<seconds.count), "seconds arrive in order, none missing")
        #expect(seconds.count == 3, "2.5 s of load make 3 seconds, the last one partial")
        #expect(seconds.dropLast().allSatisfy { $0.spanNanos == 1_000_000_000 })
        let lastSpan = seconds.last?.spanNanos ?? 0
        #expect(lastSpan > 300_000_000 && lastSpan < 1_000_000_000, "last span \(lastSpan)")

        for index in result.steps.indices {
            var merged = StepInterval()
            for second in seconds { merged.merge(second.steps[index]) }
            let totals = result.steps[index]
            #expect(merged.requests == totals.requests && totals.requests > 100)
            #expect(merged.failed == totals.failed)
            #expect(merged.failures == totals.failures)
            #expect(merged.latency.counts == totals.latency.counts)
            #expect(merged.latency.totalCount == totals.latency.totalCount)
            for (code, count) in merged.statusCodes { #expect(totals.statusCodes[code] == count) }
            #expect(merged.statusCodes.values.reduce(0, +) == totals.statusCodes.reduce(0, +))
            // The per-step series carries the same counts, and marks the partial second.
            let series = result.stepTimeSeries[index]
            #expect(series.map(\.requests).reduce(0, +) == totals.requests)
            #expect(series.last?.spanNanos == lastSpan)
        }
        // The second step always fails (200 where 201 is expected): its failures are per second too.
        #expect(result.steps[1].failed == result.steps[1].requests)
        #expect(seconds.dropLast().allSatisfy { $0.steps[1].failures[FailureClass.unexpectedStatus.rawValue] > 0 })
        #expect(result.timeSeries.map(\.requests).reduce(0, +) == result.overall.requests)
    }

    @Test("a step that is not called has empty seconds, and an empty run still ends with its seconds")
    func emptySeconds() throws {
        var seconds: [IntervalSnapshot] = []
        var aggregator = TimeSeriesAggregator(metricCount: 2, stepCount: 1)
        var first = IntervalSnapshot(second: 1, stepCount: 2)
        first.steps[0].requests = 3
        first.steps[0].latency.record(10)
        aggregator.absorb(first)
        aggregator.finalize(below: 3, limitSecond: 3, runNanos: 2_250_000_000, onSecond: { seconds.append($0) })
        #expect(seconds.map(\.second) == [0, 1, 2])
        #expect(seconds.map(\.spanNanos) == [1_000_000_000, 1_000_000_000, 250_000_000])
        #expect(aggregator.points.map(\.requests) == [0, 3, 0])
        #expect(aggregator.stepPoints[1].map(\.requests) == [0, 0, 0])
        #expect(aggregator.points[1].p50Micros == 10)
    }

    @Test("the generator's seconds carry in-flight requests, and their lateness and connections-busy counts sum to the run's totals")
    func generatorSeconds() throws {
        // 2 connections against 50 ms answers carry 40/s: asking 80/s keeps both busy and leaves
        // iterations without a connection (connections busy), all on a real loopback target.
        let port = try PeerProcess.freePort()
        let target = try PeerProcess(CLIRun.binary, ["target", "--port", String(port), "--latency", "fixed:50ms"], port: port)
        let bytes = Array("""
        {"name": "generator", "target": "http://127.0.0.1:\(target.port)",
         "load": {"rate": 80, "duration": "2500ms", "connections": 2, "maxLateness": "100ms"},
         "steps": [{"name": "slow", "request": {"method": "GET", "path": "/health/live"}}]}
        """.utf8)
        let plan = RunPlan(scenario: try ScenarioLoader(environment: [:]).load(bytes: bytes, file: "generator.json"), workers: 2)
        var seconds: [IntervalSnapshot] = []
        let result = Runner(plan: plan).run(onSecond: { seconds.append($0) })

        var merged = GeneratorInterval()
        for second in seconds { merged.merge(second.generator) }
        #expect(merged.latenessCount == result.lateness.totalCount && merged.latenessCount > 20)
        #expect(merged.latenessCounts.reduce(0, +) == merged.latenessCount)
        #expect(merged.connectionsBusy == result.connectionsBusy && merged.connectionsBusy > 0, "busy \(result.connectionsBusy)")
        #expect(merged.dropped == result.dropped)
        #expect(merged.latenessMaxMicros >= (result.lateness.value(atPercentile: 100) ?? 0) * 999 / 1000)
        // Both connections are busy nearly all the time: the full seconds end with requests in flight.
        #expect(seconds.dropLast().contains { $0.generator.inFlight > 0 }, "\(seconds.map(\.generator.inFlight))")
        #expect(seconds.allSatisfy { $0.generator.inFlight <= 2 })
    }

    @Test("a generator second records lateness into its bucket, sum and max; merging adds counts and keeps the larger max")
    func generatorIntervalMerge() {
        var first = GeneratorInterval()
        first.recordLateness(micros: 80)
        first.recordLateness(micros: 3_000)
        first.inFlight = 2
        var second = GeneratorInterval()
        second.recordLateness(micros: 20_000_000)
        second.dropped = 1
        second.inFlight = 1
        first.merge(second)
        #expect(first.latenessCounts[0] == 1, "80 µs is in the first (100 µs) bucket")
        #expect(first.latenessCounts[5] == 1, "3 ms is in the 5 ms bucket")
        #expect(first.latenessCounts.last == 1, "20 s is above the largest bound")
        #expect(first.latenessCount == 3 && first.latenessSumMicros == 20_003_080 && first.latenessMaxMicros == 20_000_000)
        #expect(first.inFlight == 3 && first.dropped == 1)
        #expect(!first.isEmpty && GeneratorInterval().isEmpty)
    }
}
