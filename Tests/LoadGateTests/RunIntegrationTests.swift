import Foundation
import Testing
@testable import LoadGate

/// End-to-end runs of the `loadgate` binary against real peers on loopback. Serialized: they
/// measure time, so they must not compete with each other for the two cores.
@Suite("loadgate run against loopback peers", .serialized)
struct RunIntegrationTests {
    static func number(_ value: JSONValue?, _ pointer: String) -> Double? {
        if case let .number(number)? = value?.resolve(pointer: pointer) { return number }
        return nil
    }

    @Test("a 2-second open-model run at 200/s against nginx records 400 ± 5% requests and passes")
    func openModelAgainstNginx() throws {
        let nginx = try PeerProcess.nginx()
        let scenario = try ScenarioFile("""
        {"name": "health-smoke", "target": "http://127.0.0.1:\(nginx.port)",
         "defaults": {"headers": {"Authorization": "Bearer ${env.API_TOKEN}"}, "timeout": "10s"},
         "load": {"rate": 200, "duration": "2s", "connections": 20},
         "steps": [{"name": "health", "request": {"method": "GET", "path": "/api/v1/health"},
                    "expect": {"status": [200], "json": {"/status": "healthy"}, "bodyContains": "nginx-peer"}}],
         "slos": ["p95 < 2s", "availability >= 99.9%", "health: p99 < 500ms"]}
        """)
        let run = try scenario.run(environment: ["API_TOKEN": "tok-0123456789"])
        #expect(run.exitCode == 0, "stderr: \(run.stderr)")
        let summary = try scenario.summary()
        let requests = Self.number(summary, "/totals/requests") ?? 0
        #expect(abs(requests - 400) <= 20, "requests: \(requests)")
        #expect(Self.number(summary, "/totals/failed") == 0)
        #expect(summary["verdict"] == .string("passed"))
        #expect(Self.number(summary, "/steps/0/statusCodes/200") == requests)
        #expect(Self.number(summary, "/steps/0/latency/count") == requests)
        #expect(Self.number(summary, "/load/requested/rate") == 200)
        #expect(summary.resolve(pointer: "/slos/2/passed") == .bool(true))
        #expect(Self.number(summary, "/schemaVersion") == 1)
        #expect(summary.resolve(pointer: "/tool/name") == .string("loadgate"))
        // The time series covers the run second by second and adds up to the total.
        if case let .array(points)? = summary["timeseries"] {
            #expect(points.count >= 2)
            let total = points.compactMap { Self.number($0, "/requests") }.reduce(0, +)
            #expect(total == requests)
        } else {
            Issue.record("no timeseries")
        }
        #expect(run.stdout.contains("verdict: PASSED"))
        // The bearer token never reaches the output.
        #expect(!run.stdout.contains("tok-0123456789") && !run.stderr.contains("tok-0123456789"))
        let written = try String(contentsOfFile: scenario.out + "/summary.json", encoding: .utf8)
        #expect(!written.contains("tok-0123456789"))
    }

    @Test("a closed port gives availability 0, verdict failed, exit 1, within its duration plus timeout")
    func closedPort() throws {
        let port = try PeerProcess.freePort()
        let scenario = try ScenarioFile("""
        {"name": "dead", "target": "http://127.0.0.1:\(port)", "defaults": {"timeout": "2s"},
         "load": {"rate": 50, "duration": "2s", "connections": 5},
         "steps": [{"name": "health", "request": {"path": "/health/live"}}]}
        """)
        let run = try scenario.run()
        #expect(run.exitCode == 1, "stderr: \(run.stderr)")
        #expect(run.seconds < 2 + 2 + 1.5, "took \(run.seconds) s")
        let summary = try scenario.summary()
        #expect(summary["verdict"] == .string("failed"))
        #expect(summary.resolve(pointer: "/slos/1/expression") == .string("availability >= 99.9%"))
        #expect(Self.number(summary, "/slos/1/observed") == 0)
        #expect(Self.number(summary, "/steps/0/failures/connect") == Self.number(summary, "/totals/requests"))
        #expect((Self.number(summary, "/totals/requests") ?? 0) >= 95)
        let lines = run.stdout.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        #expect(lines.contains("availability >= 99.9% 0% FAIL"))
        // Refused connections are not answers: the latency SLO fails for lack of samples instead of
        // passing on 100 instant refusals.
        #expect(lines.contains("p95 < 2s no samples FAIL"))
        #expect(Self.number(summary, "/steps/0/latency/count") == 0)
    }

    @Test("a missing ${env.X} exits 2 with a located message and runs nothing")
    func missingEnvironment() throws {
        let scenario = try ScenarioFile("""
        {"name": "s", "target": "http://127.0.0.1:9",
         "defaults": {"headers": {"Authorization": "Bearer ${env.LOADGATE_TEST_UNSET_TOKEN}"}},
         "load": {"vus": 1, "duration": "1s"}, "steps": [{"name": "a", "request": {"path": "/"}}]}
        """)
        let run = try CLIRun.run(["run", scenario.path, "--out", scenario.out])
        #expect(run.exitCode == 2)
        #expect(run.stderr == """
        error: \(scenario.path): defaults.headers.Authorization: environment variable LOADGATE_TEST_UNSET_TOKEN is not set (referenced as ${env.LOADGATE_TEST_UNSET_TOKEN}); export it or remove the reference
        loadgate: 1 problem found; nothing was run.

        """)
        #expect(run.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: scenario.out))
    }

    /// Coordinated omission: the target stalls once for 1 s while 100 iterations/s are offered on 4
    /// connections for 5 s. The 100 iterations due during the stall complete when it ends, so
    /// their latencies from the intended start are spread evenly over (0, 1 s]: with 500 samples,
    /// p90 = rank 450 = the 50th stalled = 0.50 s, p95 = 0.75 s, p99 = 0.95 s. Only the 4 requests
    /// already sent when the stall began see it in their service time, so service p90/p95 stay small.
    @Test("a 1 s stall shows in corrected percentiles as analytically expected while service time hides it")
    func coordinatedOmission() throws {
        let server = try PeerProcess.stallServer(after: 2.0, for: 1.0)
        let scenario = try ScenarioFile("""
        {"name": "stall", "target": "http://127.0.0.1:\(server.port)",
         "load": {"rate": 100, "duration": "5s", "connections": 4},
         "steps": [{"name": "get", "request": {"path": "/"}}]}
        """)
        let run = try scenario.run(["--workers", "1"])
        #expect(run.exitCode == 0, "stdout: \(run.stdout) stderr: \(run.stderr)")
        let summary = try scenario.summary()
        #expect(Self.number(summary, "/totals/requests") == 500)
        for (percentile, expected) in [("p90", 0.50), ("p95", 0.75), ("p99", 0.95)] {
            let corrected = Self.number(summary, "/steps/0/latency/\(percentile)") ?? 0
            #expect(abs(corrected - expected) / expected <= 0.15, "latency \(percentile) = \(corrected), expected \(expected)")
        }
        for percentile in ["p90", "p95"] {
            let service = Self.number(summary, "/steps/0/serviceTime/\(percentile)") ?? 1
            #expect(service < 0.1, "service time \(percentile) = \(service) should understate the stall")
        }
        let maxLatency = Self.number(summary, "/steps/0/latency/max") ?? 0
        #expect(maxLatency >= 0.95 && maxLatency < 1.3, "max \(maxLatency)")
        // Both views are printed side by side for the user.
        #expect(run.stdout.contains("service time (from actual send):"))
    }

    @Test("iterations kept from starting because the one connection is stuck on a stalled target are the target's failure (exit 1), not the generator's")
    func targetBoundLateness() throws {
        let server = try PeerProcess.stallServer(after: 0.3, for: 2.0)
        let scenario = try ScenarioFile("""
        {"name": "short", "target": "http://127.0.0.1:\(server.port)", "defaults": {"timeout": "5s"},
         "load": {"rate": 50, "duration": "2s", "connections": 1, "maxLateness": "200ms"},
         "steps": [{"name": "get", "request": {"path": "/"}}]}
        """)
        let run = try scenario.run()
        #expect(run.exitCode == 1, "stdout: \(run.stdout)")
        let summary = try scenario.summary()
        #expect(summary["verdict"] == .string("failed"))
        #expect(Self.number(summary, "/totals/dropped") == 0)
        let busy = Self.number(summary, "/steps/0/failures/connections-busy") ?? 0
        #expect(busy > 0 && Self.number(summary, "/totals/connectionsBusy") == busy)
        // Measured from the intended start: each waited more than maxLateness.
        #expect((Self.number(summary, "/steps/0/latency/max") ?? 0) >= 0.2)
        #expect(!run.stdout.contains("the load generator fell short"))
        #expect(run.stdout.contains("every connection was busy waiting on it"))
    }

    @Test("an interrupted run writes its partial results marked incomplete and exits 3")
    func interrupted() throws {
        let nginx = try PeerProcess.nginx()
        let scenario = try ScenarioFile("""
        {"name": "long", "target": "http://127.0.0.1:\(nginx.port)", "load": {"rate": 100, "duration": "60s", "connections": 10},
         "steps": [{"name": "get", "request": {"path": "/health/live"}}]}
        """)
        let run = try scenario.run(interruptAfter: 1.5)
        #expect(run.exitCode == 3)
        #expect(run.seconds < 10)
        let summary = try scenario.summary()
        #expect(summary["complete"] == .bool(false))
        #expect(summary["verdict"] == .string("invalid"))
        #expect((Self.number(summary, "/totals/requests") ?? 0) >= 50)
        #expect(run.stdout.contains("the run was interrupted before it finished; results are incomplete"))
    }

    @Test("responses are classified: 5xx, unexpected status and failed expectations")
    func failureClasses() throws {
        let nginx = try PeerProcess.nginx()
        let scenario = try ScenarioFile("""
        {"name": "classes", "target": "http://127.0.0.1:\(nginx.port)", "load": {"vus": 1, "iterations": 5},
         "steps": [{"name": "five", "request": {"path": "/error500"}},
                   {"name": "missing", "request": {"path": "/not-found"}},
                   {"name": "expected404", "request": {"path": "/not-found"}, "expect": {"status": [404]}},
                   {"name": "json", "request": {"path": "/api/v1/health"}, "expect": {"json": {"/status": "degraded"}}},
                   {"name": "post", "request": {"method": "POST", "path": "/echo-method", "json": {"a": 1}},
                    "expect": {"json": {"/method": "POST"}}}]}
        """)
        let summary = try scenario.summary(afterRunExiting: 1)
        #expect(Self.number(summary, "/totals/requests") == 25)
        #expect(Self.number(summary, "/steps/0/failures/http-5xx") == 5)
        #expect(Self.number(summary, "/steps/1/failures/unexpected-status") == 5)
        #expect(Self.number(summary, "/steps/2/failed") == 0)
        #expect(Self.number(summary, "/steps/3/failures/expectation") == 5)
        #expect(Self.number(summary, "/steps/4/failed") == 0)
        #expect(Self.number(summary, "/steps/4/statusCodes/200") == 5)
    }

    @Test("run folders are new each time under results/ and --out refuses a folder that holds a run")
    func runFolders() throws {
        let nginx = try PeerProcess.nginx()
        let scenario = try ScenarioFile("""
        {"name": "folders", "target": "http://127.0.0.1:\(nginx.port)", "load": {"vus": 1, "iterations": 3},
         "steps": [{"name": "get", "request": {"path": "/health/live"}}]}
        """)
        let first = try CLIRun.run(["run", scenario.path, "--quiet"], directory: scenario.scratch.url)
        let second = try CLIRun.run(["run", scenario.path, "--quiet"], directory: scenario.scratch.url)
        #expect(first.exitCode == 0 && second.exitCode == 0)
        let folders = try FileManager.default.contentsOfDirectory(atPath: scenario.scratch.path("results")).filter { $0.hasSuffix("folders") || $0.contains("folders-") }
        #expect(folders.count == 2, "\(folders)")
        for folder in folders {
            #expect(FileManager.default.fileExists(atPath: scenario.scratch.path("results/\(folder)/summary.json")))
        }

        let out = scenario.scratch.path("results/\(folders[0])")
        let again = try CLIRun.run(["run", scenario.path, "--out", out])
        #expect(again.exitCode == 2)
        #expect(again.stderr.contains("--out: \(out) already holds a run (summary.json); run folders are never overwritten, choose another"))
    }

    @Test("a closed model with an iteration count runs exactly that many iterations")
    func closedIterations() throws {
        let nginx = try PeerProcess.nginx()
        let scenario = try ScenarioFile("""
        {"name": "iters", "target": "http://127.0.0.1:\(nginx.port)", "load": {"vus": 7, "iterations": 1000},
         "steps": [{"name": "get", "request": {"path": "/health/live"}}, {"name": "ready", "request": {"path": "/health/ready"}}]}
        """)
        let summary = try scenario.summary(afterRunExiting: 0)
        #expect(Self.number(summary, "/steps/0/requests") == 1000)
        #expect(Self.number(summary, "/steps/1/requests") == 1000)
        #expect(Self.number(summary, "/load/achieved/iterationsCompleted") == 1000)
    }
}
