import Foundation
import Testing
@testable import LoadGate

/// Scale-out end to end: shard processes started together against real loopback peers (as N
/// machines would), merged by `loadgate merge`, the interval log read by the reference Python
/// HdrHistogram, Kubernetes manifests read by the official Kubernetes client, CI examples linted.
/// Serialized: the runs measure time and must not compete for the two cores.
@Suite("Scale-out: shards, merge, interval logs, Kubernetes, CI", .serialized)
struct ScaleOutIntegrationTests {
    static func summary(_ directory: String) throws -> JSONValue {
        try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/summary.json"))))
    }

    static func number(_ value: JSONValue?, _ pointer: String) -> Double? {
        if case let .number(number)? = value?.resolve(pointer: pointer) { return number }
        return nil
    }

    static func micros(_ value: JSONValue?, _ pointer: String) -> Int64? {
        number(value, pointer).map { Int64(($0 * 1e6).rounded()) }
    }

    /// Runs the CLI `arguments` lists at the same time, as separate processes.
    /// One thread per process (not a pool sized to the cores): all of them start at once.
    static func runConcurrently(_ runs: [[String]], environment: [String: String] = [:]) -> [Result<CLIRun, Error>] {
        nonisolated(unsafe) var results = [Result<CLIRun, Error>](repeating: .failure(CancellationError()), count: runs.count)
        let lock = NSLock()
        let group = DispatchGroup()
        for index in runs.indices {
            group.enter()
            Thread {
                let result = Result { try CLIRun.run(runs[index], environment: environment) }
                lock.lock()
                results[index] = result
                lock.unlock()
                group.leave()
            }.start()
        }
        group.wait()
        return results
    }

    static func startAt(secondsFromNow: Double) -> String {
        Timestamp.iso8601(Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + secondsFromNow).rounded(.up)))
    }

    /// The union of the shards' latency intervals, per tag, read back from their latency.hlog.
    static func unionOfLogs(_ folders: [String]) throws -> [String: Histogram] {
        var union: [String: Histogram] = [:]
        for folder in folders {
            let reader = try IntervalLogReader(path: folder + "/latency.hlog")
            while let entry = try reader.next() {
                union[entry.tag ?? "", default: Histogram.latencyMicros()].merge(entry.histogram)
            }
        }
        return union
    }

    static func python(_ interpreter: String, _ arguments: [String], stdin: Data? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: interpreter)
        process.arguments = arguments
        let run = try CLIRun.capture(process, stdin: stdin ?? Data())
        return (run.exitCode, run.stdout, run.stderr)
    }

    static func fixture(_ name: String) -> String {
        PeerProcess.packageRoot.appendingPathComponent("Tests/LoadGateTests/Fixtures/\(name)").path
    }

    // MARK: - Three shards at once

    @Test("three shards started together against nginx merge exactly: requests sum, percentiles of the union, SLOs judged on merged data")
    func threeShardsMergeExactly() throws {
        let nginx = try PeerProcess.nginx()
        let scratch = try ScratchDirectory()
        // Each shard offers 100 iterations/s x 2 steps = 200 requests/s: alone it fails "rps >= 450";
        // merged (600/s) it passes. The verdict must come from the merged data.
        let scenario = try scratch.write("three.json", """
        {"name": "three-shards", "target": "http://127.0.0.1:\(nginx.port)",
         "load": {"rate": 300, "duration": "3s", "connections": 30},
         "steps": [{"name": "health", "request": {"method": "GET", "path": "/api/v1/health"}, "expect": {"status": [200]}},
                   {"name": "live", "request": {"method": "GET", "path": "/health/live"}, "expect": {"status": [200]}}],
         "slos": ["rps >= 450", "p99 < 2s", "availability >= 99%", "health: p95 < 2s"]}
        """)
        let start = Self.startAt(secondsFromNow: 3)
        let folders = (0..<3).map { scratch.path("shard-\($0)") }
        let runs = Self.runConcurrently((0..<3).map { ["run", scenario, "--shard", "\($0)/3", "--start-at", start, "--out", folders[$0], "--quiet"] })
        for (index, result) in runs.enumerated() {
            let run = try result.get()
            #expect(run.exitCode == 1, "shard \(index) alone offers a third of the load and fails rps >= 450; stderr: \(run.stderr)")
        }
        let startDate = try #require(StartTime.parse(start))
        var shardRequests: [Double] = []
        var startedAt: [Date] = []
        for (index, folder) in folders.enumerated() {
            let summary = try Self.summary(folder)
            #expect(summary.resolve(pointer: "/shard/index") == .number(Double(index)))
            #expect(summary.resolve(pointer: "/shard/count") == .number(3))
            #expect(summary.resolve(pointer: "/shard/startAt") == .string(start))
            #expect(Self.number(summary, "/load/requested/rate") == 100)
            shardRequests.append(Self.number(summary, "/totals/requests") ?? 0)
            if case let .string(text)? = summary["startedAt"], let date = StartTime.parse(text) { startedAt.append(date) }
        }
        #expect(startedAt.count == 3)
        #expect(startedAt.allSatisfy { $0.timeIntervalSince(startDate) >= -0.001 }, "no shard starts before --start-at")
        #expect((startedAt.max()!.timeIntervalSince(startedAt.min()!)) < 0.5, "the shards start together: \(startedAt)")

        let merge = try CLIRun.run(["merge"] + folders + ["--out", scratch.path("merged")])
        #expect(merge.exitCode == 0, "merged, rps >= 450 holds; stdout: \(merge.stdout) stderr: \(merge.stderr)")
        let merged = try Self.summary(scratch.path("merged"))
        let mergedPage = try String(contentsOfFile: scratch.path("merged/report.html"), encoding: .utf8)
        #expect(mergedPage.contains("<svg"), "merge writes the same report.html as run")
        let total = try #require(Self.number(merged, "/totals/requests"))
        #expect(total == shardRequests.reduce(0, +), "merged requests are the sum of the shards'")
        for (index, requests) in shardRequests.enumerated() {
            #expect(abs(requests - total / 3) <= total / 3 * 0.10, "shard \(index) ran \(requests) of \(total)")
        }
        #expect(abs(total - 1_800) <= 90, "3 s at 300 iterations/s x 2 steps: \(total)")

        // Percentiles: exactly those of the union of the shards' histograms (capped at the exact max).
        let union = try Self.unionOfLogs(folders)
        let shardSummaries = try folders.map(Self.summary)
        for (stepIndex, name) in ["health", "live"].enumerated() {
            let histogram = try #require(union[name])
            let exactMax = shardSummaries.compactMap { Self.micros($0, "/steps/\(stepIndex)/latency/max") }.max()!
            #expect(Self.number(merged, "/steps/\(stepIndex)/latency/count") == Double(histogram.totalCount))
            #expect(Double(histogram.totalCount) == shardSummaries.compactMap { Self.number($0, "/steps/\(stepIndex)/latency/count") }.reduce(0, +))
            for (key, percentile) in [("p50", 50.0), ("p90", 90), ("p95", 95), ("p99", 99), ("p999", 99.9)] {
                let expected = min(histogram.value(atPercentile: percentile)!, exactMax)
                #expect(Self.micros(merged, "/steps/\(stepIndex)/latency/\(key)") == expected, "\(name) \(key)")
            }
            #expect(Self.micros(merged, "/steps/\(stepIndex)/latency/max") == exactMax)
        }
        var overall = union["health"]!
        overall.merge(union["live"]!)
        let overallMax = shardSummaries.compactMap { Self.micros($0, "/overall/latency/max") }.max()!
        #expect(Self.micros(merged, "/overall/latency/p99") == min(overall.value(atPercentile: 99)!, overallMax))

        // The SLOs were judged on the merged data.
        #expect(merged["verdict"] == .string("passed"))
        let rps = try #require(Self.number(merged, "/slos/0/observed"))
        #expect(rps >= 450 && merged.resolve(pointer: "/slos/0/passed") == .bool(true), "merged rps \(rps)")
        for summary in shardSummaries { #expect(summary.resolve(pointer: "/slos/0/passed") == .bool(false)) }
        // Per-shard generator health is kept, and the time series is aligned by wall-clock second.
        if case let .array(shards)? = merged.resolve(pointer: "/merged/shards") {
            #expect(shards.count == 3)
            #expect(shards.allSatisfy { Self.number($0, "/lateness/count") ?? 0 > 0 })
        } else {
            Issue.record("no merged.shards")
        }
        if case let .array(points)? = merged["timeseries"] {
            #expect(points.compactMap { Self.number($0, "/requests") }.reduce(0, +) == total)
            #expect(points.count <= 5, "aligned seconds, not one series per shard: \(points.count)")
        } else {
            Issue.record("no merged timeseries")
        }
        // The merged folder has a run's shape, and its interval log adds up to the merged counts.
        let mergedLog = try Self.unionOfLogs([scratch.path("merged")])
        #expect(mergedLog["health"]?.counts == union["health"]?.counts)

        // gate --merged puts the merged run into a readiness bundle.
        let gate = try CLIRun.run(["gate", "--merged", scratch.path("merged"), "--out", scratch.path("bundle"), "--quiet"])
        #expect(gate.exitCode == 0, "stdout: \(gate.stdout) stderr: \(gate.stderr)")
        let report = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: scratch.path("bundle/report.json")))))
        #expect(report["verdict"] == .string("passed"))
        #expect(FileManager.default.fileExists(atPath: scratch.path("bundle/histograms/three-shards.health.hgrm")))
    }

    @Test("${vu} and ${iteration} are unique across shards: together they number VUs 1...V and iterations 0..<I")
    func numberingUniqueAcrossShards() throws {
        let scratch = try ScratchDirectory()
        let log = scratch.path("requests.log")
        let peer = try PeerProcess.script("request_log_server.py", ["--log", log])
        let scenario = try scratch.write("numbered.json", """
        {"name": "numbered", "target": "http://127.0.0.1:\(peer.port)",
         "load": {"vus": 5, "iterations": 30, "duration": "20s"},
         "steps": [{"name": "get", "request": {"method": "GET", "path": "/r?vu=${vu}&it=${iteration}"}}]}
        """)
        let start = Self.startAt(secondsFromNow: 2)
        let runs = Self.runConcurrently((0..<3).map { ["run", scenario, "--shard", "\($0)/3", "--start-at", start, "--out", scratch.path("s\($0)"), "--quiet"] })
        for result in runs { #expect(try result.get().exitCode == 0) }
        func parse() throws -> (vus: [Int], iterations: [Int]) {
            let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
            var vus: [Int] = [], iterations: [Int] = []
            for line in lines {
                let query = line.split(separator: "?").last.map(String.init) ?? ""
                for pair in query.split(separator: "&") {
                    let parts = pair.split(separator: "=")
                    if parts.first == "vu" { vus.append(Int(parts[1])!) }
                    if parts.first == "it" { iterations.append(Int(parts[1])!) }
                }
            }
            return (vus, iterations)
        }
        let sharded = try parse()
        #expect(Set(sharded.vus).sorted() == Array(1...5))
        #expect(sharded.iterations.sorted() == Array(0..<30), "every iteration number once")

        // Negative twin: the same scenario run twice without --shard repeats the numbers.
        try Data().write(to: URL(fileURLWithPath: log))
        let twice = Self.runConcurrently((0..<2).map { ["run", scenario, "--out", scratch.path("plain\($0)"), "--quiet", "--vus", "2"] })
        for result in twice { #expect(try result.get().exitCode == 0) }
        let plain = try parse()
        #expect(plain.iterations.count > Set(plain.iterations).count, "unsharded runs collide")
    }

    // MARK: - The reference decoder

    @Test("latency.hlog decoded by the reference Python HdrHistogram: per step, counts and percentiles equal LoadGate's summary")
    func referenceDecoderAgrees() throws {
        let nginx = try PeerProcess.nginx()
        let scenario = try ScenarioFile("""
        {"name": "two-steps", "target": "http://127.0.0.1:\(nginx.port)",
         "load": {"rate": 200, "duration": "2500ms", "connections": 20},
         "steps": [{"name": "health", "request": {"method": "GET", "path": "/api/v1/health"}},
                   {"name": "live", "request": {"method": "GET", "path": "/health/live"}}]}
        """, name: "two.json")
        let run = try scenario.run()
        #expect(run.exitCode == 0, "stderr: \(run.stderr)")
        let summary = try scenario.summary()
        let decoded = try Self.python(PeerProcess.venvPython, [Self.fixture("hlog_decode.py"), scenario.out + "/latency.hlog"])
        #expect(decoded.status == 0, "the reference reader failed: \(decoded.stderr)")
        let document = try JSONParser.parse(decoded.stdout)
        for (index, name) in ["health", "live"].enumerated() {
            let count = try #require(Self.number(summary, "/steps/\(index)/latency/count"))
            #expect(count > 400)
            #expect(Self.number(document, "/tags/\(name)/count") == count, "\(name): count")
            let exactMax = try #require(Self.micros(summary, "/steps/\(index)/latency/max"))
            for (key, percentile) in [("p50", 50.0), ("p90", 90), ("p95", 95), ("p99", 99), ("p999", 99.9)] {
                let loadgate = try #require(Self.micros(summary, "/steps/\(index)/latency/\(key)"))
                // Current Java HdrHistogram's nearest rank (LoadGate's rule) over the reference decoder's counts.
                let nearest = try #require(Self.number(document, "/tags/\(name)/nearestRank/\(percentile)"))
                #expect(min(Int64(nearest), exactMax) == loadgate, "\(name) \(key)")
                // The library's own rule rounds the rank half up; where both ranks agree, so must the values.
                let exactRank = percentile / 100 * count
                if Int64(exactRank + 0.5) == max(1, Int64((exactRank - exactRank * 1e-12).rounded(.up))) {
                    let library = try #require(Self.number(document, "/tags/\(name)/library/\(percentile)"))
                    #expect(min(Int64(library), exactMax) == loadgate, "\(name) \(key) (library rule)")
                }
            }
            // Per second: the interval counts are the summary's time series.
            if case let .array(points)? = summary.resolve(pointer: "/steps/\(index)/timeseries") {
                #expect(!points.isEmpty, "\(name) has per-second points to compare")
                for point in points {
                    let second = Int(Self.number(point, "/t") ?? -1)
                    let requests = Self.number(point, "/requests") ?? 0
                    #expect((Self.number(document, "/tags/\(name)/seconds/\(second)") ?? 0) == requests, "\(name) second \(second)")
                }
            } else {
                Issue.record("\(name): no per-step timeseries in the summary")
            }
        }

        // The other direction: LoadGate decodes what the reference encoder wrote.
        guard case let .string(encoded)? = document["encoded"], case let .array(buckets)? = document["encodedBuckets"] else {
            Issue.record("no reference encoding")
            return
        }
        let histogram = try IntervalLogEncoding.decode(encoded)
        let expected = buckets.compactMap { item -> [Int64]? in
            guard case let .array(pair) = item, case let .number(value) = pair[0], case let .number(count) = pair[1] else { return nil }
            return [Int64(value), Int64(count)]
        }
        #expect(histogram.recordedBuckets().map { [$0.value, Int64($0.count)] } == expected)

        // Negative twin: a corrupted histogram makes the reference reader fail, so it really decodes.
        var text = try String(contentsOfFile: scenario.out + "/latency.hlog", encoding: .utf8)
        let marker = try #require(text.range(of: "HISTFAAA"))
        text.replaceSubrange(marker, with: "HISTFBBB")
        let broken = try scenario.scratch.write("broken.hlog", text)
        let failed = try Self.python(PeerProcess.venvPython, [Self.fixture("hlog_decode.py"), broken])
        #expect(failed.status != 0)
    }

    @Test("latency.hlog is streamed while the run goes (a hidden file grows second by second) and renamed into place at the end")
    func intervalLogIsStreamed() throws {
        let nginx = try PeerProcess.nginx()
        let scenario = try ScenarioFile("""
        {"name": "stream", "target": "http://127.0.0.1:\(nginx.port)", "load": {"rate": 50, "duration": "4s", "connections": 5},
         "steps": [{"name": "live", "request": {"method": "GET", "path": "/health/live"}}]}
        """, name: "stream.json")
        let out = scenario.out
        let process = try scenario.start()
        Thread.sleep(forTimeInterval: 2.8)
        let hidden = (try FileManager.default.contentsOfDirectory(atPath: out)).filter { $0.hasPrefix(".latency.hlog.partial-") }
        #expect(hidden.count == 1, "\(hidden)")
        #expect(!FileManager.default.fileExists(atPath: out + "/latency.hlog"), "not in place before the run ends")
        let during = try hidden.first.map { try String(contentsOfFile: out + "/" + $0, encoding: .utf8) } ?? ""
        let linesDuring = during.split(separator: "\n").filter { $0.hasPrefix("Tag=live,") }.count
        #expect(linesDuring >= 1 && linesDuring <= 3, "seconds on disk after 2.8 s: \(linesDuring)")
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let after = try String(contentsOfFile: out + "/latency.hlog", encoding: .utf8)
        #expect(after.split(separator: "\n").filter { $0.hasPrefix("Tag=live,") }.count >= 4)
        #expect((try FileManager.default.contentsOfDirectory(atPath: out)).filter { $0.hasPrefix(".") }.isEmpty, "no temporary file left")
    }

    // MARK: - Refusals

    @Test("merge refuses a duplicated shard, a missing shard and shards of two scenarios; --allow-partial gives verdict invalid")
    func mergeRefusals() throws {
        let nginx = try PeerProcess.nginx()
        let scratch = try ScratchDirectory()
        func scenario(_ name: String) throws -> String {
            try scratch.write("\(name).json", """
            {"name": "\(name)", "target": "http://127.0.0.1:\(nginx.port)", "load": {"rate": 40, "duration": "1s", "connections": 6},
             "steps": [{"name": "live", "request": {"method": "GET", "path": "/health/live"}}], "slos": ["p99 < 2s"]}
            """)
        }
        let a = try scenario("alpha"), b = try scenario("beta")
        let runs = Self.runConcurrently([
            ["run", a, "--shard", "0/2", "--out", scratch.path("a0"), "--quiet"],
            ["run", a, "--shard", "1/2", "--out", scratch.path("a1"), "--quiet"],
            ["run", b, "--shard", "1/2", "--out", scratch.path("b1"), "--quiet"],
            ["run", a, "--shard", "1/3", "--out", scratch.path("c1"), "--quiet"],
        ])
        for result in runs { #expect(try result.get().exitCode == 0) }

        let duplicated = try CLIRun.run(["merge", scratch.path("a0"), scratch.path("a0"), "--out", scratch.path("m1")])
        #expect(duplicated.exitCode == 2)
        #expect(duplicated.stderr.contains("shard 0 is given twice"), "\(duplicated.stderr)")

        let missing = try CLIRun.run(["merge", scratch.path("a0"), "--out", scratch.path("m2")])
        #expect(missing.exitCode == 2)
        #expect(missing.stderr.contains("shard 1 of 2 missing"), "\(missing.stderr)")

        let mixed = try CLIRun.run(["merge", scratch.path("a0"), scratch.path("b1"), "--out", scratch.path("m3")])
        #expect(mixed.exitCode == 2)
        #expect(mixed.stderr.contains("ran a different scenario"), "\(mixed.stderr)")

        let otherCount = try CLIRun.run(["merge", scratch.path("a0"), scratch.path("c1"), "--out", scratch.path("m4")])
        #expect(otherCount.exitCode == 2)
        #expect(otherCount.stderr.contains("one of 2 shards"), "\(otherCount.stderr)")
        for refused in ["m1", "m2", "m3", "m4"] {
            #expect(!FileManager.default.fileExists(atPath: scratch.path("\(refused)/summary.json")), "a refused merge writes no run")
        }

        let partial = try CLIRun.run(["merge", scratch.path("a1"), "--allow-partial", "--out", scratch.path("m5")])
        #expect(partial.exitCode == 3, "\(partial.stderr)")
        let partialSummary = try Self.summary(scratch.path("m5"))
        #expect(partialSummary["verdict"] == .string("invalid"))
        #expect(partialSummary.resolve(pointer: "/merged/partial") == .bool(true))
        #expect(partialSummary.resolve(pointer: "/merged/missing") == .array([.number(0)]))

        // A partial merge carried into a readiness bundle keeps its invalid verdict; a shard is no merged run.
        let partialGate = try CLIRun.run(["gate", "--merged", scratch.path("m5"), "--out", scratch.path("g1"), "--quiet"])
        #expect(partialGate.exitCode == 3, "\(partialGate.stdout)")
        #expect(partialGate.stdout.contains("partial merge"), "\(partialGate.stdout)")
        #expect(try CLIRun.run(["gate", "--merged", scratch.path("a0"), "--out", scratch.path("g2"), "--quiet"]).exitCode == 2)

        // Positive twin: the two shards of one scenario merge.
        let whole = try CLIRun.run(["merge", scratch.path("a0"), scratch.path("a1"), "--out", scratch.path("m6")])
        #expect(whole.exitCode == 0, "\(whole.stderr)")
        // A merged run is not a shard.
        let again = try CLIRun.run(["merge", scratch.path("m6"), scratch.path("a1"), "--out", scratch.path("m7")])
        #expect(again.exitCode == 2)
    }

    @Test("--start-at in the past and a bad --shard are refused with exit 2 before any load")
    func runRefusals() throws {
        let scenario = try ScenarioFile("""
        {"name": "s", "target": "http://127.0.0.1:9", "load": {"vus": 2, "duration": "1s"},
         "steps": [{"name": "a", "request": {"method": "GET", "path": "/"}}]}
        """)
        let past = try CLIRun.run(["run", scenario.path, "--shard", "0/2", "--start-at", Timestamp.iso8601(Date().addingTimeInterval(-60)), "--out", scenario.scratch.path("o1")])
        #expect(past.exitCode == 2)
        #expect(past.stderr.contains("--start-at") && past.stderr.contains("in the past"), "\(past.stderr)")
        let badShard = try CLIRun.run(["run", scenario.path, "--shard", "2/2", "--out", scenario.scratch.path("o2")])
        #expect(badShard.exitCode == 2)
        let tooMany = try CLIRun.run(["run", scenario.path, "--shard", "0/3", "--out", scenario.scratch.path("o3")])
        #expect(tooMany.exitCode == 2, "2 VUs cannot make 3 shards")
        #expect(tooMany.stderr.contains("cannot be split across 3 shards"), "\(tooMany.stderr)")
        let gitlab = try CLIRun.run(["run", scenario.path, "--shard", "auto/2", "--out", scenario.scratch.path("o4")], environment: ["CI_NODE_INDEX": "3", "CI_NODE_TOTAL": "2"])
        #expect(gitlab.exitCode == 2)
        #expect(!FileManager.default.fileExists(atPath: scenario.scratch.path("o1/summary.json")))
    }

    // MARK: - Kubernetes and CI

    @Test("kube manifests deserialise into the official Kubernetes client's models: an Indexed Job of N shards, secrets only by reference")
    func kubeManifests() throws {
        let scratch = try ScratchDirectory()
        let scenario = try scratch.write("agents.json", """
        {"name": "Agents.smoke", "target": "http://127.0.0.1:8080",
         "defaults": {"headers": {"Authorization": "Bearer ${env.API_TOKEN}", "X-Tenant": "${env.TENANT_ID}"}},
         "load": {"rate": 300, "duration": "2m", "connections": 30},
         "steps": [{"name": "health", "request": {"method": "GET", "path": "/health"}}]}
        """)
        let secret = "s3cr3t-token-value-9876"
        let run = try CLIRun.run(["kube", scenario, "--shards", "4", "--image", "registry.example/loadgate:1.2", "--namespace", "load",
                                  "--start-in", "90s"], environment: ["API_TOKEN": secret, "TENANT_ID": "tenant-secret-42"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(!run.stdout.contains(secret) && !run.stdout.contains("tenant-secret-42"), "environment values are never inlined")
        let models = try Self.python("/usr/bin/python3", [Self.fixture("kube_models.py")], stdin: Data(run.stdout.utf8))
        #expect(models.status == 0, "the Kubernetes client could not read the manifests: \(models.stderr)")
        let document = try JSONParser.parse(models.stdout)
        guard case let .array(objects)? = document["objects"] else { Issue.record("no objects"); return }
        #expect(objects.map { $0["model"] } == [.string("V1ConfigMap"), .string("V1PersistentVolumeClaim"), .string("V1Job"), .string("V1Job")])
        #expect(objects.allSatisfy { $0["namespace"] == .string("load") })
        let configMap = objects[0], shards = objects[2], merge = objects[3]
        #expect(configMap["scenario"] == .string(try String(contentsOfFile: scenario, encoding: .utf8)), "the scenario travels byte for byte (same digest)")
        #expect(objects[1]["accessModes"] == .array([.string("ReadWriteMany")]))
        #expect(shards["completionMode"] == .string("Indexed"))
        #expect(shards["completions"] == .number(4) && shards["parallelism"] == .number(4))
        #expect(shards["restartPolicy"] == .string("Never") && shards["backoffLimit"] == .number(0))
        #expect(shards["image"] == .string("registry.example/loadgate:1.2"))
        guard case let .array(args)? = shards["args"] else { Issue.record("no args"); return }
        let strings = args.compactMap { if case let .string(text) = $0 { return text } else { return nil } }
        #expect(strings.starts(with: ["run", "/scenario/scenario.json", "--shard", "$(JOB_COMPLETION_INDEX)/4", "--start-at"]))
        let start = try #require(StartTime.parse(strings[5]))
        #expect(start.timeIntervalSinceNow > 60 && start.timeIntervalSinceNow < 120, "--start-in 90s")
        #expect(strings.contains { $0.hasSuffix("/shard-$(JOB_COMPLETION_INDEX)") })
        guard case let .array(environment)? = shards["env"] else { Issue.record("no env"); return }
        #expect(environment.first?["fieldPath"] == .string("metadata.annotations['batch.kubernetes.io/job-completion-index']"))
        let secretRefs = environment.dropFirst().map { $0["secret"] }
        #expect(secretRefs == [.array([.string("loadgate-agents-smoke-env"), .string("API_TOKEN")]),
                               .array([.string("loadgate-agents-smoke-env"), .string("TENANT_ID")])])
        #expect(environment.allSatisfy { $0["value"] == .null }, "no literal values")
        #expect(shards.resolve(pointer: "/mounts/scenario") == .string("/scenario") && shards.resolve(pointer: "/mounts/results") == .string("/results"))
        guard case let .array(mergeArgs)? = merge["args"] else { Issue.record("no merge args"); return }
        let mergeStrings = mergeArgs.compactMap { if case let .string(text) = $0 { return text } else { return nil } }
        #expect(mergeStrings.first == "merge" && mergeStrings.filter { $0.contains("/shard-") }.count == 4)
        #expect(mergeStrings.contains("--wait"))
        #expect(merge["completionMode"] == .null)

        // Negative twins: what cannot become valid manifests is refused.
        #expect(try CLIRun.run(["kube", scenario, "--shards", "0", "--image", "x"]).exitCode == 2)
        #expect(try CLIRun.run(["kube", scenario, "--shards", "40", "--image", "x"]).exitCode == 2, "30 connections cannot make 40 shards")
        #expect(try CLIRun.run(["kube", scenario, "--shards", "2", "--image", "x", "--namespace", "Bad_NS"]).exitCode == 2)
        let broken = try Self.python("/usr/bin/python3", [Self.fixture("kube_models.py")], stdin: Data(#"{"apiVersion": "v1", "kind": "Pod"}"#.utf8))
        #expect(broken.status != 0)

        // A credential written into the scenario would sit in the ConfigMap: refused, located, nothing printed.
        let literal = try scratch.write("literal.json", """
        {"name": "lit", "target": "http://127.0.0.1:8080", "load": {"vus": 2, "duration": "1m"},
         "steps": [{"name": "a", "request": {"path": "/a", "headers": {"authorization": "Bearer literal-token-1234"}}},
                   {"name": "b", "request": {"url": "http://bob:pw-5678@127.0.0.1:8080/b"}}]}
        """)
        let refused = try CLIRun.run(["kube", literal, "--shards", "2", "--image", "x"])
        #expect(refused.exitCode == 2)
        #expect(refused.stdout.isEmpty)
        #expect(refused.stderr.contains("literal.json: steps[0].headers.authorization: is a literal credential"), "\(refused.stderr)")
        #expect(refused.stderr.contains("literal.json: steps[1].request.url: holds user-info"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("literal-token-1234") && !refused.stderr.contains("pw-5678"))
    }

    @Test("the CI examples lint clean, run N shards and a merge, and use only loadgate run, merge and gate")
    func ciExamples() throws {
        let root = PeerProcess.packageRoot.path
        let files = ["\(root)/docs/ci/github-actions.yml", "\(root)/docs/ci/gitlab-ci.yml"]
        let config = "{extends: default, rules: {line-length: {max: 120}, document-start: disable, truthy: {check-keys: false}}}"
        let lint = try Self.python("/usr/bin/yamllint", ["-s", "-d", config] + files)
        #expect(lint.status == 0, "yamllint: \(lint.stdout)\(lint.stderr)")
        let scratch = try ScratchDirectory()
        let bad = try scratch.write("bad.yml", "jobs:\n  shard:\n    script: [a\n")
        #expect(try Self.python("/usr/bin/yamllint", ["-s", "-d", config, bad]).status != 0, "the linter does reject broken YAML")

        let inspect = """
        import json, re, sys, yaml
        gh = yaml.safe_load(open(sys.argv[1])); gl = yaml.safe_load(open(sys.argv[2]))
        def commands(text): return sorted(set(re.findall(r'loadgate"?[ ]+(\\w+)', text)))
        print(json.dumps({
          "ghShards": gh["jobs"]["shard"]["strategy"]["matrix"]["index"], "ghN": gh["env"]["SHARDS"],
          "ghMergeNeeds": gh["jobs"]["merge"]["needs"],
          "ghUploads": [s.get("with", {}).get("name") for s in gh["jobs"]["merge"]["steps"] if "upload-artifact" in s.get("uses", "")],
          "glParallel": gl["shard"]["parallel"], "glN": gl["variables"]["SHARDS"], "glMergeNeeds": gl["merge"]["needs"],
          "glShardScript": " ".join(gl["shard"]["script"]),
          "commands": commands(open(sys.argv[1]).read() + open(sys.argv[2]).read())}))
        """
        let parsed = try Self.python("/usr/bin/python3", ["-c", inspect] + files)
        #expect(parsed.status == 0, "\(parsed.stderr)")
        let document = try JSONParser.parse(parsed.stdout)
        #expect(document["ghShards"] == .array([.number(0), .number(1), .number(2)]) && document["ghN"] == .string("3"))
        #expect(document["ghMergeNeeds"] == .string("shard"))
        #expect(document["ghUploads"] == .array([.string("loadgate-readiness-bundle")]))
        #expect(document["glParallel"] == .number(3) && document["glN"] == .string("3"))
        #expect(document["glMergeNeeds"] == .array([.string("shard")]))
        if case let .string(script)? = document["glShardScript"] { #expect(script.contains("--shard auto/$SHARDS") && script.contains("--start-at")) }
        #expect(document["commands"] == .array([.string("gate"), .string("merge"), .string("run")]))
    }
}
