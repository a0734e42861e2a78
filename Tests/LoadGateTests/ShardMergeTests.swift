import Foundation
import Testing
@testable import LoadGate

/// The merge as logic, on run folders written here: alignment by wall-clock second and exact sums.
@Suite("Shard merge: alignment and sums")
struct ShardMergeTests {
    static func histogram(_ value: Int64, _ count: Int) -> Histogram {
        var histogram = Histogram.latencyMicros()
        for _ in 0..<count { histogram.record(value) }
        return histogram
    }

    /// A shard folder as `run` writes it: summary.json, latency.hlog (one interval per second), totals.hlog.
    static func writeShard(_ directory: URL, index: Int, count: Int, scenario: Scenario, file: String, startedAt: Date,
                           seconds: [(requests: Int, micros: Int64)], openFiles: (limit: Int, peak: Int)? = nil) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let writer = try IntervalLogWriter(url: directory.appendingPathComponent("latency.hlog"), startedAt: startedAt, tags: ["get"])
        var total = StepMetrics()
        var points: [TimeSeriesPoint] = []
        for (second, entry) in seconds.enumerated() {
            var snapshot = IntervalSnapshot(second: second, stepCount: 1)
            snapshot.steps[0].latency = histogram(entry.micros, entry.requests)
            writer.append(snapshot)
            total.latency.merge(snapshot.steps[0].latency)
            total.requests += Int64(entry.requests)
            total.statusCodes[200] += Int64(entry.requests)
            points.append(TimeSeriesPoint(second: second, requests: Int64(entry.requests), failures: 0))
        }
        try writer.finish()
        var result = RunResult(steps: [total], lateness: histogram(3, 5), dropped: 0, iterationsStarted: total.requests,
                               iterationsCompleted: total.requests, aborted: 0, plannedIterations: nil, timeSeries: points,
                               startedAt: startedAt, endedAt: startedAt.addingTimeInterval(Double(seconds.count)),
                               elapsedNanos: Int64(seconds.count) * 1_000_000_000, interrupted: false, workers: 1)
        result.stepTimeSeries = [points]
        if let openFiles {
            result.openFilesLimit = openFiles.limit
            result.openFilesPeak = openFiles.peak
        }
        result.stepCount = 1
        result.metricNames = ["get"]
        try RunFolderFiles.writeTotals(result, to: directory)
        let summary = RunSummary.make(scenario: scenario, scenarioFile: file, result: result)
        let document = RunFolderFiles.adding([("shard", RunFolderFiles.shardMember(ShardSpec(index: index, count: count), startAt: nil))],
                                              to: SummaryJSON.value(summary, libcurlVersion: "test"))
        try AtomicFile.write(JSONWriter.serialize(document), to: directory.appendingPathComponent("summary.json"))
    }

    /// A scratch folder and a one-step, two-VU scenario (written and loaded) whose shards the tests
    /// fabricate: nothing is sent to its target.
    static func shardScenario(duration: String, slo: String) throws -> (ScratchDirectory, String, Scenario) {
        let scratch = try ScratchDirectory()
        let file = try scratch.write("s.json", """
        {"name": "s", "target": "http://127.0.0.1:9", "load": {"vus": 2, "duration": "\(duration)"},
         "steps": [{"name": "get", "request": {"method": "GET", "path": "/"}}], "slos": ["\(slo)"]}
        """)
        return (scratch, file, try ScenarioLoader(environment: [:]).load(path: file))
    }

    @Test("shards that started two seconds apart are aligned by wall-clock second; counts and percentiles are exact")
    func alignsByWallClock() throws {
        let (scratch, file, scenario) = try Self.shardScenario(duration: "3s", slo: "p50 < 1ms")
        let start = Date(timeIntervalSince1970: 1_795_680_000.004)
        try Self.writeShard(scratch.url.appendingPathComponent("a"), index: 0, count: 2, scenario: scenario, file: file, startedAt: start,
                            seconds: [(10, 100), (10, 100), (10, 100)])
        try Self.writeShard(scratch.url.appendingPathComponent("b"), index: 1, count: 2, scenario: scenario, file: file,
                            startedAt: start.addingTimeInterval(2.003), seconds: [(30, 5_000), (30, 5_000), (30, 5_000)])
        let outcome = try ShardMerge.merge(paths: [scratch.path("a"), scratch.path("b")], allowPartial: false, scenarioFile: nil,
                                           environment: [:], latencyOut: scratch.url.appendingPathComponent("merged.hlog")).get()
        let series = outcome.summary.result.timeSeries
        #expect(series.map(\.second) == [0, 1, 2, 3, 4])
        #expect(series.map(\.requests) == [10, 10, 40, 30, 30], "shard b's first second is the merged run's third")
        #expect(series[0].p50Micros == 100 && series[3].p50Micros == 5_000, "capped at the interval's exact max (Interval_Max)")
        // Second 2 holds 10 fast and 30 slow requests: its p50 is a slow one, not an average of the shards' p50s.
        #expect(series[2].p50Micros == 5_000)
        let latency = outcome.summary.steps[0].metrics.latency
        #expect(latency.totalCount == 120)
        #expect(latency.value(atPercentile: 25) == 100)
        #expect(latency.min == 100 && latency.max == 5_000, "exact extremes from the summaries")
        #expect(outcome.summary.result.lateness.totalCount == 10)
        // Judged on the merged data: p50 is slow (90 of 120 at 5 ms), so "p50 < 1ms" fails although shard a alone passes.
        #expect(outcome.summary.verdict == .failed)
        // The merged interval log reads back to the same counts.
        let reader = try IntervalLogReader(path: scratch.path("merged.hlog"))
        var counts: [UInt64] = []
        while let entry = try reader.next() { counts.append(entry.histogram.totalCount) }
        #expect(counts == [10, 10, 40, 30, 30])
    }

    @Test("a folder without latency.hlog or with a corrupted one is refused with its path")
    func refusesIncompleteFolders() throws {
        let scratch = try ScratchDirectory()
        let file = try scratch.write("s.json", """
        {"name": "s", "target": "http://127.0.0.1:9", "load": {"vus": 2, "duration": "1s"},
         "steps": [{"name": "get", "request": {"method": "GET", "path": "/"}}]}
        """)
        let scenario = try ScenarioLoader(environment: [:]).load(path: file)
        let start = Date(timeIntervalSince1970: 1_795_680_000)
        for name in ["a", "b"] {
            try Self.writeShard(scratch.url.appendingPathComponent(name), index: name == "a" ? 0 : 1, count: 2, scenario: scenario,
                                file: file, startedAt: start, seconds: [(5, 100)])
        }
        try FileManager.default.removeItem(atPath: scratch.path("a/latency.hlog"))
        let missing = ShardMerge.merge(paths: [scratch.path("a"), scratch.path("b")], allowPartial: false, scenarioFile: nil, environment: [:], latencyOut: nil)
        guard case let .failure(failure) = missing else { Issue.record("merged without latency.hlog"); return }
        #expect(failure.description.contains("a/latency.hlog"))

        try Self.writeShard(scratch.url.appendingPathComponent("c"), index: 0, count: 2, scenario: scenario, file: file, startedAt: start, seconds: [(5, 100)])
        var text = try String(contentsOfFile: scratch.path("c/latency.hlog"), encoding: .utf8)
        text = text.replacingOccurrences(of: "HISTFAAA", with: "HISTxxxx")
        try text.write(toFile: scratch.path("c/latency.hlog"), atomically: true, encoding: .utf8)
        let corrupt = ShardMerge.merge(paths: [scratch.path("c"), scratch.path("b")], allowPartial: false, scenarioFile: nil, environment: [:], latencyOut: nil)
        guard case let .failure(corruptFailure) = corrupt else { Issue.record("merged a corrupted log"); return }
        #expect(corruptFailure.description.contains("c/latency.hlog:6"))
    }

    @Test("the merged summary reports each shard's generator health and is saturated when one shard was, on the terminal too (negative twin: healthy shards are not)")
    func mergedGeneratorHealth() throws {
        let (scratch, file, scenario) = try Self.shardScenario(duration: "2s", slo: "p50 < 1s")
        let start = Date(timeIntervalSince1970: 1_795_680_000)
        func merge(_ secondShardOpenFiles: (limit: Int, peak: Int)) throws -> (ShardMerge.Outcome, JSONValue) {
            let run = UUID().uuidString
            try Self.writeShard(scratch.url.appendingPathComponent("\(run)-a"), index: 0, count: 2, scenario: scenario, file: file, startedAt: start,
                                seconds: [(10, 100), (10, 100)], openFiles: (1_000, 20))
            try Self.writeShard(scratch.url.appendingPathComponent("\(run)-b"), index: 1, count: 2, scenario: scenario, file: file, startedAt: start,
                                seconds: [(10, 100), (10, 100)], openFiles: secondShardOpenFiles)
            let outcome = try ShardMerge.merge(paths: [scratch.path("\(run)-a"), scratch.path("\(run)-b")], allowPartial: false, scenarioFile: nil,
                                               environment: [:], latencyOut: scratch.url.appendingPathComponent("\(run).hlog")).get()
            let document = RunFolderFiles.adding([("merged", outcome.mergedMember)], to: SummaryJSON.value(outcome.summary, libcurlVersion: "test"))
            return (outcome, try JSONParser.parse(JSONWriter.serialize(document)))
        }

        let (healthy, healthyJSON) = try merge((1_000, 30))
        #expect(healthyJSON.resolve(pointer: "/generator/saturated") == .bool(false))
        #expect(healthyJSON.resolve(pointer: "/merged/shards/1/generator/saturated") == .bool(false))
        #expect(healthy.summary.verdict == .passed)
        #expect(!SummaryTable.render(healthy.summary, resultsPath: "x").contains("SATURATED"))

        let (saturated, json) = try merge((100, 97))
        #expect(json.resolve(pointer: "/generator/saturated") == .bool(true))
        #expect(json.resolve(pointer: "/generator/findings/0") == .string("shard 1 of 2: open files peaked at 97 of the limit 100"))
        #expect(json.resolve(pointer: "/generator/openFiles/peak") == .number(97), "the shard closest to its limit")
        #expect(json.resolve(pointer: "/merged/shards/0/generator/saturated") == .bool(false))
        #expect(json.resolve(pointer: "/merged/shards/1/generator/saturated") == .bool(true))
        #expect(json.resolve(pointer: "/merged/shards/1/generator/lateness") != nil, "each shard's own lateness is kept")
        let terminal = SummaryTable.render(saturated.summary, resultsPath: "x")
        #expect(terminal.contains("SATURATED"), "\(terminal)")
        #expect(terminal.contains("the load generator was saturated: shard 1 of 2: open files peaked at 97 of the limit 100"), "\(terminal)")
    }
}
