import Foundation
import Testing
@testable import LoadGate

/// Windowed SLOs and abortOnFail end to end: `loadgate run` and `gate` against the built-in
/// target on loopback, with the target's fault options (`--slow-after`, `--error-rate`).
@Suite("sustained SLOs against the built-in target", .serialized)
struct SustainedSLOIntegrationTests {
    static func summary(_ scratch: ScratchDirectory, _ folder: String) throws -> JSONValue {
        try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: scratch.path("\(folder)/summary.json")))))
    }

    /// 20 s, two closed-model VUs: when the target slows down, far fewer requests complete, so
    /// the slow ones are a small share of the run and the overall p95 hides them.
    static func degradingScenario(_ scratch: ScratchDirectory, port: Int) throws -> String {
        try scratch.write("degrading.json", """
        {"name": "degrading", "target": "http://127.0.0.1:\(port)", "load": {"vus": 2, "duration": "20s"},
         "steps": [{"name": "live", "request": {"path": "/health/live"}}],
         "slos": ["p95 < 50ms", "p95 < 50ms over 5s"]}
        """)
    }

    @Test("a target that slows after 15 s passes p95 < 50ms overall but fails p95 < 50ms over 5s, naming the window")
    func degradingTargetFailsItsWindow() throws {
        let target = try TargetIntegrationTests.target(["--slow-after", "15s:80ms"])
        let scratch = try ScratchDirectory()
        let run = try CLIRun.run(["run", try Self.degradingScenario(scratch, port: target.port), "--out", scratch.path("out"), "--quiet"])
        #expect(run.exitCode == 1, "\(run.stdout)")
        #expect(run.stdout.contains("p95 < 50ms over 5s: failed in 15s-20s ("), "\(run.stdout)")
        #expect(run.stdout.contains("; 1 of 4 windows failed  FAIL"), "\(run.stdout)")
        let summary = try Self.summary(scratch, "out")
        #expect(summary.resolve(pointer: "/slos/0/passed") == .bool(true), "the overall p95 hides the slow end")
        #expect(summary.resolve(pointer: "/slos/1/passed") == .bool(false))
        #expect(summary.resolve(pointer: "/slos/1/window/seconds") == .number(5))
        #expect(summary.resolve(pointer: "/slos/1/window/total") == .number(4))
        #expect(summary.resolve(pointer: "/slos/1/window/failed") == .number(1))
        #expect(summary.resolve(pointer: "/slos/1/window/worst/start") == .number(15))
        #expect(summary.resolve(pointer: "/slos/1/window/worst/end") == .number(20))
        #expect((summary.number("/slos/1/window/worst/value") ?? 0) >= 0.08, "the added 80 ms shows in the worst window")
        #expect(summary.list("/slos/1/window/values").count == 4)
        #expect(summary.number("/slos/1/observed") == summary.number("/slos/1/window/worst/value"))
    }

    @Test("the same run against a steady target passes both the overall and the windowed SLO")
    func steadyTargetPassesBoth() throws {
        let target = try TargetIntegrationTests.target()
        let scratch = try ScratchDirectory()
        let run = try CLIRun.run(["run", try Self.degradingScenario(scratch, port: target.port), "--out", scratch.path("out"), "--quiet"])
        #expect(run.exitCode == 0, "\(run.stdout)")
        #expect(run.stdout.contains("; 0 of 4 windows failed  pass"), "\(run.stdout)")
        let summary = try Self.summary(scratch, "out")
        #expect(summary.resolve(pointer: "/slos/1/window/failed") == .number(0))
        #expect(summary.resolve(pointer: "/slos/1/window/total") == .number(4))
        #expect(summary.resolve(pointer: "/abort") == .null)
    }

    static func erroringScenario(_ scratch: ScratchDirectory, port: Int, abortOnFail: Bool, name: String = "erroring") throws -> String {
        let slo = abortOnFail ? #"{"slo": "availability >= 99%", "abortOnFail": true, "after": "2s"}"# : #""availability >= 99%""#
        return try scratch.write("\(name).json", """
        {"name": "\(name)", "target": "http://127.0.0.1:\(port)", "load": {"rate": 50, "duration": "8s", "connections": 4},
         "steps": [{"name": "live", "request": {"path": "/health/live"}}], "slos": ["p95 < 2s", \(slo)]}
        """)
    }

    @Test("an abortOnFail SLO against a target answering errors stops within its grace period + 2 s: exit 1, partial but complete results, the reason")
    func abortStopsEarly() throws {
        let target = try TargetIntegrationTests.target(["--error-rate", "1"])
        let scratch = try ScratchDirectory()
        let run = try CLIRun.run(["run", try Self.erroringScenario(scratch, port: target.port, abortOnFail: true), "--out", scratch.path("out"), "--quiet"])
        #expect(run.exitCode == 1, "a gate failure, not an interrupt (3): \(run.stdout) \(run.stderr)")
        #expect(run.stdout.contains("verdict: FAILED\n  stopped early at "), "\(run.stdout)")
        #expect(run.stdout.contains("abortOnFail SLO availability >= 99% failed (observed 0%)"))
        let summary = try Self.summary(scratch, "out")
        let duration = summary.number("/durationSeconds") ?? 99
        #expect(duration >= 2 && duration <= 4, "stopped within after (2 s) + 2 s: \(duration) s")
        #expect(summary.resolve(pointer: "/complete") == .bool(true), "complete for what ran")
        #expect(summary.resolve(pointer: "/verdict") == .string("failed"))
        #expect(summary.resolve(pointer: "/abort/slo") == .string("availability >= 99%"))
        #expect(summary.text("/abort/reason")?.hasPrefix("stopped early at ") == true)
        #expect((summary.number("/totals/requests") ?? 0) >= 90, "the partial results are there")
        #expect(summary.list("/reasons").contains { $0 == .string("the run was interrupted before it finished; results are incomplete") } == false)
    }

    @Test("without abortOnFail the same failing run goes to the end")
    func withoutAbortRunsToTheEnd() throws {
        let target = try TargetIntegrationTests.target(["--error-rate", "1"])
        let scratch = try ScratchDirectory()
        let run = try CLIRun.run(["run", try Self.erroringScenario(scratch, port: target.port, abortOnFail: false), "--out", scratch.path("out"), "--quiet"])
        #expect(run.exitCode == 1)
        let summary = try Self.summary(scratch, "out")
        #expect((summary.number("/durationSeconds") ?? 0) >= 7.5, "the open model's last arrival is just under 8 s")
        #expect(summary.resolve(pointer: "/abort") == .null)
        #expect(!run.stdout.contains("stopped early"))
    }

    @Test("Ctrl-C during a run with an abortOnFail SLO that has not failed is still an interrupt: exit 3, incomplete, no abort")
    func interruptIsNotAnAbort() throws {
        let target = try TargetIntegrationTests.target()
        let scratch = try ScratchDirectory()
        let run = try CLIRun.run(["run", try Self.erroringScenario(scratch, port: target.port, abortOnFail: true), "--out", scratch.path("out"), "--quiet"],
                                 interruptAfter: 2.5)
        #expect(run.exitCode == 3, "\(run.stdout)")
        let summary = try Self.summary(scratch, "out")
        #expect(summary.resolve(pointer: "/complete") == .bool(false))
        #expect(summary.resolve(pointer: "/abort") == .null)
    }

    @Test("gate stops before the remaining scenarios when an abortOnFail SLO stopped one, unless --continue-on-fail")
    func gateStopsAfterAbort() throws {
        let target = try TargetIntegrationTests.target(["--error-rate", "1"])
        let scratch = try ScratchDirectory()
        let aborting = try Self.erroringScenario(scratch, port: target.port, abortOnFail: true, name: "aborting")
        let next = try scratch.write("next.json", """
        {"name": "next", "target": "http://127.0.0.1:\(target.port)", "load": {"rate": 20, "duration": "1s"},
         "steps": [{"name": "live", "request": {"path": "/health/live"}}], "slos": ["p95 < 2s"]}
        """)
        let stopped = try CLIRun.run(["gate", "--scenario", aborting, "--scenario", next, "--out", scratch.path("b1"), "--quiet"])
        #expect(stopped.exitCode == 1, "\(stopped.stdout)")
        let report = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: scratch.path("b1/report.json")))))
        #expect(report.text("/scenarios/0/status") == "ran")
        #expect(report.text("/scenarios/1/status") == "skipped")
        #expect(report.text("/scenarios/1/skippedReason") == "scenario aborting stopped early: abortOnFail SLO availability >= 99% failed (use --continue-on-fail to run the rest anyway)")

        let continued = try CLIRun.run(["gate", "--scenario", aborting, "--scenario", next, "--continue-on-fail", "--out", scratch.path("b2"), "--quiet"])
        #expect(continued.exitCode == 1)
        let all = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: scratch.path("b2/report.json")))))
        #expect(all.text("/scenarios/1/status") == "ran")
        #expect(all.resolve(pointer: "/scenarios/0/summary/abort/slo") == .string("availability >= 99%"))
    }
}

/// The demo target's `--slow-after AFTER:ADDED` fault: a target that degrades during a run.
@Suite("target fault: slow after")
struct SlowAfterFaultTests {
    @Test("AFTER:ADDED parses into nanoseconds; anything else is refused", arguments: [
        ("15s:80ms", (Int64(15_000_000_000), Int64(80_000_000)) as (Int64, Int64)?),
        ("0s:1s", (0, 1_000_000_000)),
        ("15s", nil), ("15s:0ms", nil), ("fast:80ms", nil), ("15s:80ms:1s", nil), (":80ms", nil),
    ] as [(String, (Int64, Int64)?)])
    func parses(text: String, expected: (Int64, Int64)?) {
        let parsed = FaultProfile.parseSlowAfter(text)
        #expect(parsed?.after == expected?.0 && parsed?.latency == expected?.1)
    }

    @Test("answers are delayed only from AFTER on")
    func delaysFromAfter() {
        var faults = FaultProfile()
        faults.slowAfter = (after: 15_000_000_000, latency: 80_000_000)
        #expect(faults.delayNanos(elapsed: 14_999_999_999) == 0)
        #expect(faults.delayNanos(elapsed: 15_000_000_000) == 80_000_000)
        #expect(faults.delayNanos(elapsed: 60_000_000_000) == 80_000_000)
    }

    @Test("a bad --slow-after is a located command-line error (exit 2)")
    func badFlag() throws {
        let run = try CLIRun.run(["target", "--slow-after", "soon"])
        #expect(run.exitCode == 2)
        #expect(run.stderr == "error: command line: --slow-after: \"soon\" must be AFTER:ADDED, e.g. 15s:80ms (from 15 s on, answer 80 ms slower)\nloadgate: 1 problem found; nothing was run.\n")
    }
}
