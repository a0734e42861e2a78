import Foundation
import Testing
@testable import LoadGate

/// The verdict never passes wrongly and never blames the wrong party: runs of the `loadgate`
/// binary against loopback peers that misbehave in one way each (scripts/peers/integrity_peer.py,
/// the orchestrator, the official MCP SDK server). Serialized: they measure time.
@Suite("gate integrity against misbehaving loopback peers", .serialized)
struct GateIntegrityTests {
    static func peer(_ arguments: [String]) throws -> PeerProcess {
        try PeerProcess.script("integrity_peer.py", arguments)
    }

    static func run(_ scenario: String, in scratch: ScratchDirectory, _ extra: [String] = [],
                    environment: [String: String] = [:]) throws -> (CLIRun, JSONValue?) {
        let file = try scratch.write("s-\(UUID().uuidString).json", scenario)
        let out = scratch.path("out-\(UUID().uuidString)")
        let run = try CLIRun.run(["run", file, "--out", out, "--quiet"] + extra, environment: environment)
        let summary = try? JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: out + "/summary.json"))))
        return (run, summary)
    }

    static func number(_ value: JSONValue?, _ pointer: String) -> Double? {
        if case let .number(number)? = value?.resolve(pointer: pointer) { return number }
        return nil
    }

    @Test("a request that timed out at T is recorded at T or more, so a latency SLO at T fails (negative twin: a fast peer passes)")
    func timeoutIsAtLeastTheTimeout() throws {
        let hanging = try Self.peer(["--mode", "hang"])
        let scratch = try ScratchDirectory()
        let scenario = { (port: Int) in """
            {"name": "timeouts", "target": "http://127.0.0.1:\(port)", "defaults": {"timeout": "300ms"},
             "load": {"rate": 60, "duration": "1s", "connections": 80},
             "steps": [{"name": "get", "request": {"path": "/"}}], "slos": ["min < 300ms"]}
            """ }
        let (run, summary) = try Self.run(scenario(hanging.port), in: scratch)
        #expect(run.exitCode == 1, "\(run.stdout)\(run.stderr)")
        #expect(Self.number(summary, "/steps/0/failures/timeout") == 60)
        let minimum = Self.number(summary, "/steps/0/latency/min") ?? 0
        #expect(minimum >= 0.3, "every timed-out request waited at least 300 ms; min \(minimum)")
        #expect((Self.number(summary, "/steps/0/serviceTime/min") ?? 0) >= 0.3)
        #expect(summary?.resolve(pointer: "/slos/0/passed") == .bool(false))

        let fast = try Self.peer(["--mode", "slow", "--delay-ms", "10"])
        let (twin, twinSummary) = try Self.run(scenario(fast.port), in: scratch)
        #expect(twin.exitCode == 0, "\(twin.stdout)")
        #expect(Self.number(twinSummary, "/steps/0/failed") == 0)
    }

    @Test("a status outside 100-599 is recorded as seen and classed unexpected-status (negative twin: 503 is http-5xx)")
    func oddStatusRecordedAsSeen() throws {
        let odd = try Self.peer(["--mode", "status", "--status", "999"])
        let scratch = try ScratchDirectory()
        var seconds: [IntervalSnapshot] = []
        let (run, summary) = try Self.run("""
        {"name": "odd", "target": "http://127.0.0.1:\(odd.port)", "load": {"vus": 2, "iterations": 10},
         "steps": [{"name": "get", "request": {"path": "/"}}]}
        """, in: scratch)
        #expect(run.exitCode == 1)
        #expect(Self.number(summary, "/steps/0/statusCodes/999") == 10, "\(String(describing: summary?["steps"]))")
        #expect(Self.number(summary, "/steps/0/statusCodes/599") == nil)
        #expect(Self.number(summary, "/steps/0/failures/unexpected-status") == 10)
        #expect(Self.number(summary, "/steps/0/failures/http-5xx") == nil)

        // The interval data agrees with the totals for the odd code too.
        let bytes = Array("""
        {"name": "odd", "target": "http://127.0.0.1:\(odd.port)", "load": {"vus": 2, "iterations": 10},
         "steps": [{"name": "get", "request": {"path": "/"}}]}
        """.utf8)
        let plan = RunPlan(scenario: try ScenarioLoader(environment: [:]).load(bytes: bytes, file: "odd.json"), workers: 1)
        let result = Runner(plan: plan).run(onSecond: { seconds.append($0) })
        #expect(result.steps[0].statusCodes[999] == 10)
        #expect(seconds.reduce(0) { $0 + ($1.steps[0].statusCodes[999] ?? 0) } == 10)

        let unavailable = try Self.peer(["--mode", "status", "--status", "503"])
        let (_, twin) = try Self.run("""
        {"name": "five", "target": "http://127.0.0.1:\(unavailable.port)", "load": {"vus": 2, "iterations": 10},
         "steps": [{"name": "get", "request": {"path": "/"}}]}
        """, in: scratch)
        #expect(Self.number(twin, "/steps/0/failures/http-5xx") == 10)
        #expect(Self.number(twin, "/steps/0/statusCodes/503") == 10)
    }
}

extension GateIntegrityTests {
    static func workflowScenario(port: Int) -> String {
        """
        {"name": "stuck", "target": "http://127.0.0.1:\(port)", "defaults": {"headers": {"X-User-ID": "u-${vu}"}},
         "load": {"vus": 2, "duration": "2s"},
         "steps": [{"name": "analysis", "workflow": {"submit": {"path": "/api/v1/workflows", "json": {"workflow_type": "x"}},
                    "statusPath": "/api/v1/workflows/${id}", "pollInterval": "50ms", "timeout": "3s"}}],
         "slos": ["availability == 100%"]}
        """
    }

    @Test("one stuck workflow is a failed request of its step (incomplete) and fails availability (negative twin: none stuck passes)")
    func stuckWorkflowIsIncomplete() throws {
        let stuck = try PeerProcess.script("orchestrator.py", ["--complete-ms", "100", "--stuck-first"])
        let scratch = try ScratchDirectory()
        let (run, summary) = try Self.run(Self.workflowScenario(port: stuck.port), in: scratch)
        #expect(run.exitCode == 1, "\(run.stdout)")
        #expect(Self.number(summary, "/steps/0/failures/incomplete") == 1)
        #expect(Self.number(summary, "/steps/0/failed") == 1)
        let requests = Self.number(summary, "/steps/0/requests") ?? 0
        #expect(requests > 5)
        #expect(summary?.resolve(pointer: "/slos/0/passed") == .bool(false))
        #expect((Self.number(summary, "/steps/0/latency/max") ?? 0) >= 3, "the stuck one waited its whole timeout")

        let healthy = try PeerProcess.script("orchestrator.py", ["--complete-ms", "100"])
        let (twin, twinSummary) = try Self.run(Self.workflowScenario(port: healthy.port), in: scratch)
        #expect(twin.exitCode == 0, "\(twin.stdout)")
        #expect(Self.number(twinSummary, "/steps/0/failed") == 0)
        #expect(Self.number(twinSummary, "/totals/aborted") == 0)
    }

    @Test("a run cut by Ctrl-C counts the steps still running as incomplete failures")
    func interruptedStepsAreIncomplete() throws {
        let hanging = try Self.peer(["--mode", "hang"])
        let scratch = try ScratchDirectory()
        let file = try scratch.write("s.json", """
        {"name": "cut", "target": "http://127.0.0.1:\(hanging.port)", "defaults": {"timeout": "30s"},
         "load": {"vus": 3, "duration": "20s"}, "steps": [{"name": "get", "request": {"path": "/"}}]}
        """)
        let run = try CLIRun.run(["run", file, "--out", scratch.path("out"), "--quiet"], interruptAfter: 1.0)
        #expect(run.exitCode == 3)
        let summary = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: scratch.path("out/summary.json")))))
        #expect(Self.number(summary, "/steps/0/failures/incomplete") == 3)
        #expect(Self.number(summary, "/steps/0/requests") == 3)
        #expect((Self.number(summary, "/steps/0/latency/min") ?? 0) >= 0.5, "recorded from their start to the cut")
    }
}

extension GateIntegrityTests {
    static func sum(_ value: JSONValue?) -> Double {
        (value?.objectMembers ?? []).reduce(0) { total, member in
            if case let .number(count) = member.value { return total + count }
            return total
        }
    }

    @Test("counts add up per step: requests = succeeded + failed; plain status codes sum to requests; a workflow's polls are exchanges with their own codes")
    func countsAddUp() throws {
        let orchestrator = try PeerProcess.script("orchestrator.py", ["--complete-ms", "120"])
        let scratch = try ScratchDirectory()
        let (run, summary) = try Self.run("""
        {"name": "counts", "target": "http://127.0.0.1:\(orchestrator.port)", "defaults": {"headers": {"X-User-ID": "u-${vu}"}},
         "load": {"vus": 3, "iterations": 9},
         "steps": [{"name": "analysis", "workflow": {"submit": {"path": "/api/v1/workflows", "json": {"workflow_type": "x"}},
                    "statusPath": "/api/v1/workflows/${id}", "pollInterval": "30ms", "timeout": "5s"}, "capture": {"wf": "/id"}},
                   {"name": "status", "request": {"path": "/api/v1/workflows/${captured.wf}"}},
                   {"name": "missing", "request": {"path": "/api/v1/nothing"}}]}
        """, in: scratch)
        #expect(run.exitCode == 1, "the 404 step fails")
        guard case let .array(steps)? = summary?["steps"] else { Issue.record("no steps"); return }
        for step in steps {
            let name = step["name"].map { "\($0)" } ?? "?"
            let requests = Self.number(step, "/requests") ?? -1
            #expect(requests == (Self.number(step, "/succeeded") ?? 0) + (Self.number(step, "/failed") ?? 0), "\(name)")
            if step["phase"] == .bool(true) { continue }
            if name.contains("analysis") {
                #expect(Self.sum(step["statusCodes"]) == 0, "a protocol step's own requests carry no status")
                let exchanges = Self.number(step, "/exchanges/count") ?? 0
                #expect(exchanges >= 2 * requests, "a submit and at least one poll per workflow")
                #expect(Self.sum(step.resolve(pointer: "/exchanges/statusCodes")) == exchanges)
            } else {
                #expect(Self.sum(step["statusCodes"]) == requests, "\(name): status codes count requests")
                #expect(step["exchanges"] == .null)
            }
        }
        #expect(Self.number(summary, "/steps/0/requests") == 9)
        #expect(Self.number(summary, "/steps/2/statusCodes/404") == 9)
        #expect(Self.sum(summary?.resolve(pointer: "/overall/statusCodes")) == Self.number(summary, "/steps/1/requests").map { $0 * 2 })
    }
}

extension GateIntegrityTests {
    @Test("lateness the generator causes itself (process stopped, connections free) makes the verdict invalid (exit 3)")
    func generatorBoundLatenessIsInvalid() throws {
        let fast = try Self.peer(["--mode", "slow", "--delay-ms", "1"])
        let scratch = try ScratchDirectory()
        let file = try scratch.write("s.json", """
        {"name": "frozen", "target": "http://127.0.0.1:\(fast.port)",
         "load": {"rate": 50, "duration": "3s", "connections": 10, "maxLateness": "200ms"},
         "steps": [{"name": "get", "request": {"path": "/"}}]}
        """)
        // Freeze the generator for 0.7 s mid-run: every connection is free, iterations are late
        // only because LoadGate itself did not run (as on a saturated CPU).
        let (code, out) = try Self.runFrozen(file, out: scratch.path("out"), after: 1.2, freeze: 0.7)
        #expect(code == 3, "\(out)")
        let summary = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: scratch.path("out/summary.json")))))
        #expect(summary["verdict"] == .string("invalid"))
        #expect((Self.number(summary, "/totals/dropped") ?? 0) > 0)
        #expect(Self.number(summary, "/totals/connectionsBusy") == 0)
        #expect(Self.number(summary, "/steps/0/failed") == 0)
    }
}

extension GateIntegrityTests {
    /// Runs loadgate under `sh -c 'ulimit ...; exec loadgate ...'`.
    static func runLimited(_ ulimit: String, _ arguments: [String]) throws -> (code: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        let quoted = ([CLIRun.binary] + arguments).map { "'\($0)'" }.joined(separator: " ")
        process.arguments = ["-c", "\(ulimit); exec \(quoted)"]
        let run = try CLIRun.capture(process)
        return (run.exitCode, run.stderr)
    }

    /// nginx, a scratch folder and a scenario of 500 VUs making 1000 requests to it.
    static func fiveHundredConnections(named name: String) throws -> (PeerProcess, ScratchDirectory, String) {
        let nginx = try PeerProcess.nginx()
        let scratch = try ScratchDirectory()
        let file = try scratch.write("s.json", """
        {"name": "\(name)", "target": "http://127.0.0.1:\(nginx.port)", "load": {"vus": 500, "iterations": 1000},
         "steps": [{"name": "get", "request": {"path": "/health/live"}}]}
        """)
        return (nginx, scratch, file)
    }

    @Test("file descriptors: the soft limit is raised to the hard one; a plan above the hard limit is refused before it runs (exit 2)")
    func fileDescriptorLimits() throws {
        let (nginx, scratch, file) = try Self.fiveHundredConnections(named: "many")
        defer { withExtendedLifetime(nginx) {} }  // the peer lives until the test ends
        // Soft 64, hard high: raised at start, so 500 connections run and nothing is blamed on nginx.
        let raised = try Self.runLimited("ulimit -Sn 64", ["run", file, "--out", scratch.path("raised"), "--quiet"])
        #expect(raised.code == 0, "\(raised.stderr)")
        let summary = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: scratch.path("raised/summary.json")))))
        #expect(Self.number(summary, "/steps/0/failed") == 0)
        #expect(Self.number(summary, "/steps/0/requests") == 1000)

        // Hard 64: refused before anything runs, with the numbers.
        let refused = try Self.runLimited("ulimit -n 64", ["run", file, "--out", scratch.path("refused"), "--quiet"])
        #expect(refused.code == 2)
        #expect(refused.stderr.contains("load: needs "), "\(refused.stderr)")
        #expect(refused.stderr.contains("open files, the limit is 64"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("refused")))
    }
}

extension GateIntegrityTests {
    /// Runs `loadgate run FILE --out OUT` and, `after` seconds in, does `meddle` to the running
    /// process (nothing when `meddle` is nil); returns its exit code and standard output.
    static func runMeddled(_ file: String, out: String, after: Double, meddle: ((Int32) throws -> Void)?) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLIRun.binary)
        process.arguments = ["run", file, "--out", out]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        if let meddle {
            Thread.sleep(forTimeInterval: after)
            try meddle(process.processIdentifier)
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Runs loadgate and freezes it (SIGSTOP) for `freeze` seconds after `after` seconds.
    static func runFrozen(_ file: String, out: String, after: Double, freeze: Double) throws -> (Int32, String) {
        try runMeddled(file, out: out, after: after, meddle: freeze > 0 ? { pid in
            kill(pid, SIGSTOP)
            Thread.sleep(forTimeInterval: freeze)
            kill(pid, SIGCONT)
        } : nil)
    }

    @Test("generator health is in every summary; a frozen generator that could explain a failed latency SLO makes the verdict invalid (negative twin: not frozen passes)")
    func generatorHealth() throws {
        let fast = try Self.peer(["--mode", "slow", "--delay-ms", "1"])
        let scratch = try ScratchDirectory()
        let file = try scratch.write("s.json", """
        {"name": "health", "target": "http://127.0.0.1:\(fast.port)",
         "load": {"rate": 50, "duration": "3s", "connections": 10},
         "steps": [{"name": "get", "request": {"path": "/"}}], "slos": ["p99 < 150ms"]}
        """)
        let (twinCode, twinOut) = try Self.runFrozen(file, out: scratch.path("calm"), after: 0, freeze: 0)
        #expect(twinCode == 0, "\(twinOut)")
        let calm = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: scratch.path("calm/summary.json")))))
        let generator = calm["generator"]
        #expect(Self.number(generator, "/workers") == Self.number(calm, "/load/workers"))
        #expect((Self.number(generator, "/cpuPercent") ?? -1) >= 0)
        #expect((Self.number(generator, "/openFiles/limit") ?? 0) > 0)
        #expect((Self.number(generator, "/openFiles/peak") ?? 0) >= 10, "at least the 10 connections")
        #expect(Self.number(generator, "/dropped") == 0)
        #expect(Self.number(generator, "/lateness/count") == 150)
        #expect(generator?["saturated"] != nil && generator?["findings"] != nil && generator?["machineIdlePercent"] != nil)
        #expect(twinOut.contains("generator: cpu "))

        let (code, out) = try Self.runFrozen(file, out: scratch.path("frozen"), after: 1.2, freeze: 0.8)
        #expect(code == 3, "\(out)")
        let frozen = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: scratch.path("frozen/summary.json")))))
        #expect(frozen.resolve(pointer: "/generator/saturated") == .bool(true))
        #expect((Self.number(frozen, "/generator/lateness/p99") ?? 0) >= 0.3)
        #expect(frozen["verdict"] == .string("invalid"))
        #expect(out.contains("the load generator was saturated and could account for the failed latency SLO \"p99 < 150ms\""), "\(out)")
        #expect(out.contains("SATURATED"))
    }
}

extension GateIntegrityTests {
    static func mixedScenario(_ port: Int) -> String { """
        {"name": "mixed", "target": "http://127.0.0.1:\(port)",
         "defaults": {"timeout": "300ms", "headers": {"Authorization": "Bearer ${env.SAMPLE_TOKEN}"}},
         "load": {"vus": 3, "iterations": 12},
         "steps": [{"name": "get", "request": {"path": "/thing/${vu}"}, "expect": {"bodyContains": "ok"}},
                   {"name": "fine", "request": {"path": "/thing/9"}}]}
        """ }

    /// The error-sample rows of a report page: (step table's class, status) per row.
    static func sampleRows(_ page: StrictPage) -> [(failureClass: String, text: String)] {
        page.root.all(named: "tr", class: "error-sample").map { ($0["data-class"] ?? "", $0.fullText) }
    }

    @Test("a step failing three ways keeps a sample of each class: status, message, redacted snippet, time (negative twin: a passing step has none)")
    func errorSamplesPerClass() throws {
        let mixed = try Self.peer(["--mode", "mixed"])
        let scratch = try ScratchDirectory()
        let out = scratch.path("out")
        let file = try scratch.write("mixed.json", Self.mixedScenario(mixed.port))
        let run = try CLIRun.run(["run", file, "--out", out, "--quiet"], environment: ["SAMPLE_TOKEN": "tok-sample-98765"])
        let summary = try? JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: out + "/summary.json"))))
        #expect(run.exitCode == 1)
        guard case let .array(samples)? = summary?.resolve(pointer: "/steps/0/errorSamples") else {
            Issue.record("no errorSamples"); return
        }
        let classes = samples.compactMap { sample -> String? in if case let .string(name)? = sample["class"] { return name } else { return nil } }
        #expect(Set(classes) == ["http-5xx", "unexpected-status", "timeout"], "\(classes)")
        #expect(classes.filter { $0 == "unexpected-status" }.count == 1, "identical failures are sampled once")
        let five = samples.first { $0["class"] == .string("http-5xx") }
        #expect(five?["status"] == .number(503))
        if case let .string(snippet)? = five?["snippet"] {
            #expect(snippet.contains("overloaded") && snippet.contains("[REDACTED]") && !snippet.contains("tok-sample-98765"), "\(snippet)")
            #expect(snippet.utf8.count <= 200)
        } else {
            Issue.record("no snippet for the 503")
        }
        let timeout = samples.first { $0["class"] == .string("timeout") }
        #expect(timeout?["status"] == .null)
        // The message names the engine that measured: libcurl's own words, or the native engine's.
        let enginePrefix = summary?.resolve(pointer: "/generator/httpEngine/name") == .string("native") ? "native HTTP/1.1: " : "libcurl: "
        if case let .string(message)? = timeout?["message"] { #expect(message.hasPrefix(enginePrefix), "\(message)") } else { Issue.record("no timeout sample") }
        #expect((Self.number(timeout, "/atSeconds") ?? -1) >= 0)
        #expect(summary?.resolve(pointer: "/steps/1/errorSamples") == .array([]))
        #expect(!JSONWriter.serialize(summary ?? .null).contains("tok-sample-98765"))
        #expect(!run.stdout.contains("tok-sample-98765"))

        // The run's report.html shows a sample row of each class, with its status and message, and none for the passing step.
        let page = try StrictPage(path: out + "/report.html")
        let rows = Self.sampleRows(page)
        #expect(Set(rows.map(\.failureClass)) == ["http-5xx", "unexpected-status", "timeout"], "\(rows)")
        #expect(rows.contains { $0.failureClass == "http-5xx" && $0.text.contains("503") && $0.text.contains("overloaded") })
        #expect(rows.contains { $0.failureClass == "unexpected-status" && $0.text.contains("404") })
        #expect(rows.contains { $0.failureClass == "timeout" && $0.text.contains(enginePrefix) })
        #expect(!rows.contains { $0.text.contains("tok-sample-98765") })
    }

    @Test("a gate bundle's report.md and report.html show a sample of each of a step's three failure classes")
    func errorSamplesPerClassInTheBundle() throws {
        let mixed = try Self.peer(["--mode", "mixed"])
        let scratch = try ScratchDirectory()
        let file = try scratch.write("mixed.json", Self.mixedScenario(mixed.port))
        let bundle = scratch.path("bundle")
        let gate = try CLIRun.run(["gate", "--scenario", file, "--out", bundle, "--quiet"], environment: ["SAMPLE_TOKEN": "tok-sample-98765"])
        #expect(gate.exitCode == 1, "\(gate.stdout)\(gate.stderr)")
        let markdown = try String(contentsOfFile: bundle + "/report.md", encoding: .utf8)
        let bullets = markdown.split(separator: "\n").filter { $0.hasPrefix("- **") }
        for failureClass in ["http-5xx", "unexpected-status", "timeout"] {
            #expect(bullets.contains { $0.hasPrefix("- **\(failureClass)**") }, "no \(failureClass) sample in report.md: \(markdown)")
        }
        #expect(bullets.contains { $0.hasPrefix("- **http-5xx** HTTP 503") && $0.contains("overloaded") })
        #expect(!markdown.contains("tok-sample-98765"))
        let rows = Self.sampleRows(try StrictPage(path: bundle + "/report.html"))
        #expect(Set(rows.map(\.failureClass)) == ["http-5xx", "unexpected-status", "timeout"], "\(rows)")
    }
}

extension GateIntegrityTests {
    static func mcpServer(_ mode: String) throws -> PeerProcess {
        try PeerProcess.script("mcp_server.py", ["--mode", mode], python: PeerProcess.venvPython)
    }

    @Test("MCP against the official SDK server: sessions: 2 with 4 workers opens exactly 2; time to first event feeds ttfb SLOs; progress and log messages are counted apart")
    func mcpSessionsAndEvents() throws {
        let server = try Self.mcpServer("stateful-sse")
        let scratch = try ScratchDirectory()
        let (run, summary) = try Self.run("""
        {"name": "mcp", "target": "http://127.0.0.1:\(server.port)", "mcp": {"sessions": 2},
         "load": {"vus": 4, "iterations": 16},
         "steps": [{"name": "progress", "mcp": {"call": "tools/call", "tool": "progress", "arguments": {"steps": 2}}},
                   {"name": "log", "mcp": {"call": "tools/call", "tool": "log", "arguments": {"lines": 3}}}],
         "slos": ["progress: ttfb.p95 < 5s", "log: ttfb.max < 5s"]}
        """, in: scratch, ["--workers", "4"])
        #expect(run.exitCode == 0, "\(run.stdout)\(run.stderr)")
        #expect(Self.number(summary, "/mcp/sessionsCreated") == 2, "exactly the 2 sessions asked for")
        #expect(Self.number(summary, "/mcp/sessionsDeleted") == 2)
        #expect(Self.number(summary, "/steps/0/ttfb/count") == 16, "each call's first event is timed")
        #expect(Self.number(summary, "/steps/0/counters/progress_notifications") == 32)
        #expect(Self.number(summary, "/steps/0/counters/log_messages") == nil)
        #expect(Self.number(summary, "/steps/1/counters/log_messages") == 48)
        #expect(Self.number(summary, "/steps/1/counters/progress_notifications") == nil)
        #expect(summary?.resolve(pointer: "/slos/0/passed") == .bool(true))
    }

    @Test("an MCP server that issues no session ids is reported as such, not as sessions created and never deleted (negative twin: a stateful server)")
    func mcpWithoutSessionIDs() throws {
        let server = try Self.mcpServer("stateless")
        let scratch = try ScratchDirectory()
        let scenario = """
        {"name": "mcp", "target": "http://127.0.0.1:PORT", "load": {"vus": 2, "iterations": 4},
         "steps": [{"name": "echo", "mcp": {"call": "tools/call", "tool": "echo", "arguments": {"text": "hi"}}}]}
        """
        let (run, summary) = try Self.run(scenario.replacingOccurrences(of: "PORT", with: String(server.port)), in: scratch)
        #expect(run.exitCode == 0, "\(run.stdout)")
        #expect(Self.number(summary, "/mcp/sessionsWithoutId") == Self.number(summary, "/mcp/sessionsCreated"))
        #expect(run.stdout.contains("the server issued no session ids"), "\(run.stdout)")
        #expect(!run.stdout.contains("deleted 0"))

        let stateful = try Self.mcpServer("stateful-json")
        let (twin, twinSummary) = try Self.run(scenario.replacingOccurrences(of: "PORT", with: String(stateful.port)), in: scratch)
        #expect(Self.number(twinSummary, "/mcp/sessionsWithoutId") == 0)
        #expect(twin.stdout.contains("mcp sessions created 2, deleted 2"), "\(twin.stdout)")
    }
}

extension GateIntegrityTests {
    @Test("a body over the step's maxBodyBytes is a classed failure (body-too-large) with the size seen, stopped there (negative twin: a larger limit passes)")
    func bodyLimit() throws {
        let big = try Self.peer(["--mode", "body", "--bytes", "3000000"])
        let scratch = try ScratchDirectory()
        let scenario = """
        {"name": "big", "target": "http://127.0.0.1:\(big.port)", "load": {"vus": 2, "iterations": 6},
         "steps": [{"name": "get", "request": {"path": "/"}LIMIT}]}
        """
        let (run, summary) = try Self.run(scenario.replacingOccurrences(of: "LIMIT", with: ""), in: scratch)
        #expect(run.exitCode == 1)
        #expect(Self.number(summary, "/steps/0/failures/body-too-large") == 6)
        #expect(try #require(Self.number(summary, "/steps/0/bytesIn")) < 6 * 1_200_000, "each transfer stopped near the 1 MiB default")
        guard case let .string(message)? = summary?.resolve(pointer: "/steps/0/errorSamples/0/message") else {
            Issue.record("no sample"); return
        }
        #expect(message.contains("maxBodyBytes 1048576") && message.contains("bytes"), "\(message)")

        let (twin, twinSummary) = try Self.run(scenario.replacingOccurrences(of: "LIMIT", with: #", "maxBodyBytes": 4000000"#), in: scratch)
        #expect(twin.exitCode == 0, "\(twin.stdout)")
        #expect(Self.number(twinSummary, "/steps/0/failed") == 0)
        #expect(Self.number(twinSummary, "/steps/0/bytesIn") == 18_000_000.0)
    }
}

extension GateIntegrityTests {
    /// Descriptors `pid` has open now.
    static func openDescriptors(_ pid: Int32) -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []).count
    }

    /// Runs `loadgate run` and, `after` seconds in, lowers its RLIMIT_NOFILE (prlimit) to `below`
    /// descriptors fewer than it has open then: every socket it opens afterwards fails with EMFILE.
    static func runStarvedOfDescriptors(_ file: String, out: String, after: Double, below: Int?) throws -> (Int32, String) {
        try runMeddled(file, out: out, after: after, meddle: below.map { below in { pid in
            let limit = Self.openDescriptors(pid) - below
            let prlimit = Process()
            prlimit.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
            prlimit.arguments = ["--pid", String(pid), "--nofile=\(limit):\(limit)"]
            try prlimit.run()
            prlimit.waitUntilExit()
            #expect(prlimit.terminationStatus == 0)
        } })
    }

    @Test("EMFILE during a run is the generator's fault (generator-file-limit, exit 3), never connect failures of the target (negative twin: enough descriptors passes)")
    func descriptorsRunOutMidRun() throws {
        let nginx = try PeerProcess.nginx()
        let scratch = try ScratchDirectory()
        // Connection: close makes every request open a new socket, so the lowered limit bites mid-run.
        let file = try scratch.write("s.json", """
        {"name": "emfile", "target": "http://127.0.0.1:\(nginx.port)", "load": {"rate": 100, "duration": "4s", "connections": 8},
         "steps": [{"name": "get", "request": {"path": "/health/live", "headers": {"Connection": "close"}}}]}
        """)
        let (twinCode, twinOut) = try Self.runStarvedOfDescriptors(file, out: scratch.path("twin"), after: 0, below: nil)
        #expect(twinCode == 0, "\(twinOut)")
        let twin = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: scratch.path("twin/summary.json")))))
        #expect(Self.number(twin, "/steps/0/failed") == 0)

        let (code, out) = try Self.runStarvedOfDescriptors(file, out: scratch.path("starved"), after: 1.5, below: 2)
        #expect(code == 3, "\(out)")
        let summary = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: scratch.path("starved/summary.json")))))
        #expect((Self.number(summary, "/steps/0/failures/generator-file-limit") ?? 0) > 0, "\(out)")
        #expect(summary.resolve(pointer: "/steps/0/failures/connect") == nil, "nothing blamed on the target: \(out)")
        #expect(summary["verdict"] == .string("invalid"))
        #expect(out.contains("ran out of file descriptors (EMFILE)"), "\(out)")
        let sample = summary.resolve(pointer: "/steps/0/errorSamples/0")
        #expect(sample?["class"] == .string("generator-file-limit"))
        if case let .string(message)? = sample?["message"] { #expect(message.contains("too many open files"), "\(message)") } else {
            Issue.record("no error sample for generator-file-limit")
        }
        // The peak reads as the limit once the generator could not even list its descriptors.
        #expect(Self.number(summary, "/generator/openFiles/peak").map { $0 >= (Self.number(summary, "/generator/openFiles/limit") ?? .infinity) } == true)
    }

    @Test("descriptors already open when the run starts count against the limit: refused before the run (exit 2); the same plan with room for them runs clean")
    func inheritedDescriptorsCount() throws {
        let (nginx, scratch, file) = try Self.fiveHundredConnections(named: "held")
        defer { withExtendedLifetime(nginx) {} }  // the peer lives until the test ends
        let held = try scratch.write("held", "")
        // 7 descriptors (3-9: what sh can name) held open across exec. 500 connections, 2 workers
        // and the reserve need exactly 540: the limit fits the plan but not them as well.
        let hold = (3...9).map { "exec \($0)<'\(held)'" }.joined(separator: "; ")
        let refused = try Self.runLimited("ulimit -n 540; \(hold)", ["run", file, "--workers", "2", "--out", scratch.path("refused"), "--quiet"])
        #expect(refused.code == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("open files, the limit is 540 (RLIMIT_NOFILE, "), "\(refused.stderr)")
        #expect(refused.stderr.contains(" of them already open)"), "the held descriptors are named: \(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("refused")))

        let roomy = try Self.runLimited("ulimit -n 560; \(hold)", ["run", file, "--workers", "2", "--out", scratch.path("roomy"), "--quiet"])
        #expect(roomy.code == 0, "\(roomy.stderr)")
        let summary = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: scratch.path("roomy/summary.json")))))
        #expect(Self.number(summary, "/steps/0/failed") == 0)
        #expect(Self.number(summary, "/steps/0/requests") == 1000)
    }
}
