import Foundation
import Testing
@testable import LoadGate

/// `loadgate compare` and `gate --baseline` against the built-in target with injected latency:
/// a slower release is caught and named; an identical rerun is not, run after run.
@Suite("loadgate compare and gate --baseline", .serialized)
struct CompareIntegrationTests {
    static func target(latency: String) throws -> PeerProcess {
        let port = try PeerProcess.freePort()
        return try PeerProcess(CLIRun.binary, ["target", "--port", String(port), "--latency", latency], port: port)
    }

    /// One step at 50/s for 3 s: 150 samples, enough to judge p50 and p95 (p99 is shown, not judged).
    /// - Parameter seconds: run length; longer runs make a percentile less sensitive to a short
    ///   burst of CPU contention from the rest of the machine.
    static func scenario(_ scratch: ScratchDirectory, name: String = "cmp", file: String? = nil, regression: String = "", seconds: Int = 3) throws -> String {
        try scratch.write(file ?? "\(name).json", """
        {"name": "\(name)", "target": "${env.CMP_TARGET}", "load": {"rate": 50, "duration": "\(seconds)s", "connections": 8},
         "steps": [{"name": "live", "request": {"method": "GET", "path": "/health/live"}, "expect": {"status": [200]}}],
         "slos": ["p95 < 2s", "availability >= 99%"]\(regression)}
        """)
    }

    static func run(_ scenario: String, port: Int, out: String) throws -> CLIRun {
        let run = try CLIRun.run(["run", scenario, "--out", out, "--quiet"], environment: ["CMP_TARGET": "http://127.0.0.1:\(port)"])
        #expect(run.exitCode == 0, "run failed: \(run.stderr)")
        return run
    }

    /// Runs the scenario, again (at most 4 tries) while the generator itself fell behind: start
    /// lateness p99 over 5 ms, the threshold at which `compare` notes that the machine, not the
    /// target, was measured. Such a run is no evidence either way (when parallel test suites
    /// starve it, its p95 reaches hundreds of ms). Returns how many runs were set aside.
    @discardableResult
    static func steadyRun(_ scenario: String, port: Int, out: String) throws -> Int {
        for attempt in 0..<4 {
            _ = try run(scenario, port: port, out: out)
            let summary = try JSONParser.parse(Array(Data(contentsOf: URL(fileURLWithPath: out + "/summary.json"))))
            guard let late = summary.number("/lateness/p99"), late > 0.005, attempt < 3 else { return attempt }
            try FileManager.default.removeItem(atPath: out)
        }
        return 3
    }

    /// A scratch folder, built-in targets answering in 10 ms and in 30 ms, and the scenario.
    static func fastAndSlow() throws -> (scratch: ScratchDirectory, fast: PeerProcess, slow: PeerProcess, scenario: String) {
        let scratch = try ScratchDirectory()
        return (scratch, try target(latency: "fixed:10ms"), try target(latency: "fixed:30ms"), try scenario(scratch))
    }

    @Test("a new run at 30 ms against a baseline at 10 ms exits 1 naming the step and p95; the reverse is an improvement")
    func slowerReleaseIsARegression() throws {
        let (scratch, fast, slow, scenario) = try Self.fastAndSlow()
        try Self.steadyRun(scenario, port: fast.port, out: scratch.path("base"))
        try Self.steadyRun(scenario, port: slow.port, out: scratch.path("new"))
        let compare = try CLIRun.run(["compare", scratch.path("base"), scratch.path("new")])
        #expect(compare.exitCode == 1)
        #expect(compare.stdout.contains("REGRESSION: scenario cmp, step live: p95 latency "), "\(compare.stdout)")
        #expect(compare.stdout.range(of: #"step live: p95 latency [\d.]+ms → [\d.]+ms \(\+[\d.]+%; tolerance 10% and 10ms\)"#, options: .regularExpression) != nil, "\(compare.stdout)")
        // The tolerances are configurable: on the command line, and per metric in the scenario.
        let lenient = try CLIRun.run(["compare", scratch.path("base"), scratch.path("new"), "--max-regression", "500%"])
        #expect(lenient.exitCode == 0, "\(lenient.stdout)")
        let overrides = try Self.scenario(scratch, file: "overrides.json", regression: #", "regression": {"max": "500%", "live: p95": "50%"}"#)
        let perStep = try CLIRun.run(["compare", scratch.path("base"), scratch.path("new"), "--scenario", overrides])
        #expect(perStep.exitCode == 1)
        #expect(perStep.stdout.contains("REGRESSION: scenario cmp, step live: p95 latency"))
        #expect(!perStep.stdout.contains("p50 latency"), "p50 is within the scenario-wide 500%: \(perStep.stdout)")
        let wrongFile = try CLIRun.run(["compare", scratch.path("base"), scratch.path("new"), "--scenario", try Self.scenario(scratch, name: "elsewhere")])
        #expect(wrongFile.exitCode == 2)
        #expect(wrongFile.stderr.contains("--scenario: \(scratch.path("elsewhere.json")) is scenario 'elsewhere', but the runs are of 'cmp'"))
        // Negative twin: the other way round nothing got worse.
        let reverse = try CLIRun.run(["compare", scratch.path("new"), scratch.path("base")])
        #expect(reverse.exitCode == 0, "\(reverse.stdout)")
        #expect(reverse.stdout.hasSuffix("no regression\n"))
        #expect(reverse.stdout.contains("better"))
    }

    @Test("a target that turns slow after 2 s regresses the worst window of a windowed SLO: compare exits 1 naming it; a steady rerun exits 0")
    func windowedSLORegression() throws {
        let scratch = try ScratchDirectory()
        let scenario = try scratch.write("win.json", """
        {"name": "win", "target": "${env.CMP_TARGET}", "load": {"rate": 50, "duration": "4s", "connections": 8},
         "steps": [{"name": "live", "request": {"method": "GET", "path": "/health/live"}, "expect": {"status": [200]}}],
         "slos": ["p95 < 1s over 2s"]}
        """)
        let steady = try Self.target(latency: "fixed:10ms")
        try Self.steadyRun(scenario, port: steady.port, out: scratch.path("base"))
        try Self.steadyRun(scenario, port: steady.port, out: scratch.path("rerun"))
        // Started just before its run: from 2 s on it answers 40 ms slower (50 ms in all).
        let port = try PeerProcess.freePort()
        let degrading = try PeerProcess(CLIRun.binary, ["target", "--port", String(port), "--latency", "fixed:10ms", "--slow-after", "2s:40ms"], port: port)
        _ = try Self.run(scenario, port: degrading.port, out: scratch.path("new"))

        let compare = try CLIRun.run(["compare", scratch.path("base"), scratch.path("new")])
        #expect(compare.exitCode == 1)
        #expect(compare.stdout.range(of: #"REGRESSION: scenario win, overall: worst window of p95 < 1s over 2s [\d.]+ms → [\d.]+ms"#, options: .regularExpression) != nil,
                "\(compare.stdout)")
        // Negative twin: a steady rerun's worst window is compared too, and is no regression.
        let rerun = try CLIRun.run(["compare", scratch.path("base"), scratch.path("rerun")])
        #expect(rerun.exitCode == 0, "\(rerun.stdout)")
        #expect(rerun.stdout.contains("overall  window p95 < 1s over 2s"), "\(rerun.stdout)")
    }

    @Test("identical reruns against the same 10 ms target are never a regression: five in a row exit 0")
    func identicalRerunsPass() throws {
        let scratch = try ScratchDirectory()
        let fast = try Self.target(latency: "fixed:10ms")
        let scenario = try Self.scenario(scratch, seconds: 5)
        try Self.steadyRun(scenario, port: fast.port, out: scratch.path("base"))
        for attempt in 1...5 {
            try Self.steadyRun(scenario, port: fast.port, out: scratch.path("rerun\(attempt)"))
            let compare = try CLIRun.run(["compare", scratch.path("base"), scratch.path("rerun\(attempt)")])
            #expect(compare.exitCode == 0, "rerun \(attempt) was called a regression:\n\(compare.stdout)")
            #expect(compare.stdout.contains("  live     p95 "))
        }
    }

    @Test("compare exits 2 and says which when the scenarios differ; a missing folder is a located error")
    func incomparableRuns() throws {
        let scratch = try ScratchDirectory()
        let fast = try Self.target(latency: "fixed:1ms")
        _ = try Self.run(try Self.scenario(scratch, name: "first"), port: fast.port, out: scratch.path("first"))
        _ = try Self.run(try Self.scenario(scratch, name: "second"), port: fast.port, out: scratch.path("second"))
        let different = try CLIRun.run(["compare", scratch.path("first"), scratch.path("second")])
        #expect(different.exitCode == 2)
        #expect(different.stdout.isEmpty)
        #expect(different.stderr == "error: different scenarios: the baseline ran 'first', the new run 'second'\nloadgate: \(scratch.path("first")) and \(scratch.path("second")) cannot be compared; nothing was judged.\n")
        let missing = try CLIRun.run(["compare", scratch.path("nope"), scratch.path("second")])
        #expect(missing.exitCode == 2)
        #expect(missing.stderr.hasPrefix("error: \(scratch.path("nope")): no such folder"))
    }

    @Test("gate --baseline puts the comparison in every format and fails on a slower target; an intact baseline at the same speed passes")
    func gateWithBaseline() throws {
        let (scratch, fast, slow, scenario) = try Self.fastAndSlow()
        let gate = { (port: Int, out: String) in
            try CLIRun.run(["gate", "--scenario", scenario, "--out", scratch.path(out), "--baseline", scratch.path("baseline"), "--quiet"],
                           environment: ["CMP_TARGET": "http://127.0.0.1:\(port)"])
        }
        let first = try CLIRun.run(["gate", "--scenario", scenario, "--out", scratch.path("baseline"), "--quiet"], environment: ["CMP_TARGET": "http://127.0.0.1:\(fast.port)"])
        #expect(first.exitCode == 0, "\(first.stdout)\(first.stderr)")

        let same = try gate(fast.port, "same")
        #expect(same.exitCode == 0, "\(same.stdout)")

        let slower = try gate(slow.port, "slower")
        #expect(slower.exitCode == 1)
        #expect(slower.stdout.contains("readiness: FAILED"))
        #expect(slower.stdout.contains("scenario cmp, step live: p95 latency"), "\(slower.stdout)")
        #expect(try CLIRun.run(["verify", scratch.path("slower")]).exitCode == 0)

        let report = try JSONParser.parse(Array(Data(contentsOf: URL(fileURLWithPath: scratch.path("slower/report.json")))))
        let baselineReport = try JSONParser.parse(Array(Data(contentsOf: URL(fileURLWithPath: scratch.path("baseline/report.json")))))
        let manifest = try Data(contentsOf: URL(fileURLWithPath: scratch.path("baseline/MANIFEST.sha256")))
        #expect(report.text("/comparison/baseline/runId") == baselineReport.text("/runId"))
        #expect(report.text("/comparison/baseline/manifestSHA256") == SHA256.hex(Array(manifest)))
        #expect(report.text("/verdict") == "failed")
        let deltas = report.list("/comparison/scenarios/0/deltas")
        #expect(deltas.count == 2 * ComparedMetric.all.count)
        #expect(deltas.contains { $0.text("/step") == "live" && $0.text("/metric") == "p95" && $0.text("/status") == "regression" })

        let junit = try String(contentsOfFile: scratch.path("slower/junit.xml"), encoding: .utf8)
        #expect(junit.contains("<testsuite name=\"comparison: cmp\" tests=\"\(2 * ComparedMetric.all.count)\""))
        #expect(junit.contains("<testcase name=\"live p95 latency vs baseline\" classname=\"comparison.cmp\""))
        #expect(junit.contains("type=\"regression\""))
        let lint = Process()
        lint.executableURL = URL(fileURLWithPath: "/usr/bin/xmllint")
        lint.arguments = ["--noout", "--schema", PeerProcess.packageRoot.appendingPathComponent("Tests/LoadGateTests/Fixtures/junit.xsd").path, scratch.path("slower/junit.xml")]
        lint.standardError = FileHandle.nullDevice
        try lint.run()
        lint.waitUntilExit()
        #expect(lint.terminationStatus == 0)

        let markdown = try String(contentsOfFile: scratch.path("slower/report.md"), encoding: .utf8)
        #expect(markdown.contains("**Against baseline run \(baselineReport.text("/runId") ?? "?")"))
        #expect(markdown.range(of: #"\| live \| p95 \| [\d.]+ms \| [\d.]+ms \| \+[\d.]+ms \| \+[\d.]+% \| ❌ regression \|"#, options: .regularExpression) != nil, "\(markdown)")
        let html = try String(contentsOfFile: scratch.path("slower/report.html"), encoding: .utf8)
        #expect(html.contains("<h2>Against the baseline</h2>"))
        #expect(html.contains("<polyline class=\"series baseline\""))
        #expect(html.contains("<polyline class=\"series new\""))
        // The page stays well-formed XML, and the overlay plots both runs from real spectra.
        let page = try StrictPage(path: scratch.path("slower/report.html"))
        let overlay = page.root.all { $0.name == "polyline" && $0.classes.contains("series") && ($0.classes.contains("baseline") || $0.classes.contains("new")) }
        #expect(overlay.count == 2, "one baseline and one new line for the one step")
        #expect(overlay.allSatisfy { ($0.attributes["points"] ?? "").split(separator: " ").count >= 10 }, "each line is a percentile spectrum, not a stub")
        // Every format is re-rendered from report.json alone, byte for byte.
        for (format, file) in [("html", "report.html"), ("md", "report.md"), ("junit", "junit.xml")] {
            let rendered = try CLIRun.run(["report", scratch.path("slower"), "--format", format]).stdout.split(separator: "\n", omittingEmptySubsequences: false)
            let written = try String(contentsOfFile: scratch.path("slower/\(file)"), encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            let firstDifference = zip(rendered, written).first { $0 != $1 }.map { "re-rendered: \($0.0.prefix(300))\nwritten:     \($0.1.prefix(300))" }
            #expect(rendered == written, "\(format) differs: \(firstDifference ?? "in length")")
        }
    }

    @Test("gate --baseline refuses a tampered baseline before generating any load (exit 2)")
    func tamperedBaselineRefused() throws {
        let scratch = try ScratchDirectory()
        let fast = try Self.target(latency: "fixed:1ms")
        let scenario = try Self.scenario(scratch)
        let environment = ["CMP_TARGET": "http://127.0.0.1:\(fast.port)"]
        #expect(try CLIRun.run(["gate", "--scenario", scenario, "--out", scratch.path("baseline"), "--quiet"], environment: environment).exitCode == 0)
        // Make the baseline look slower than it was, so a slow release would pass against it.
        let reportFile = scratch.path("baseline/report.json")
        let original = try String(contentsOfFile: reportFile, encoding: .utf8)
        try original.replacingOccurrences(of: "\"p95\":", with: "\"p95\": 9, \"was\":").write(toFile: reportFile, atomically: true, encoding: .utf8)
        let refused = try CLIRun.run(["gate", "--scenario", scenario, "--out", scratch.path("new"), "--baseline", scratch.path("baseline")], environment: environment)
        #expect(refused.exitCode == 2)
        #expect(refused.stderr.contains("error: \(scratch.path("baseline")): the baseline bundle failed verification: report.json: contents changed (SHA-256 differs from the manifest)"))
        #expect(refused.stderr.contains("refusing a tampered baseline"))
        #expect(!refused.stderr.contains("running"), "load was generated before the baseline was checked")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("new/report.json")))
        // compare refuses it too; the untampered twin is accepted by both (above and in gateWithBaseline).
        #expect(try CLIRun.run(["compare", scratch.path("baseline"), scratch.path("baseline")]).exitCode == 2)
        try original.write(toFile: reportFile, atomically: true, encoding: .utf8)
        #expect(try CLIRun.run(["compare", scratch.path("baseline"), scratch.path("baseline")]).exitCode == 0)
        // A baseline without this scenario is refused before load too, naming what it ran.
        let other = try Self.scenario(scratch, name: "other")
        let missing = try CLIRun.run(["gate", "--scenario", other, "--out", scratch.path("new3"), "--baseline", scratch.path("baseline")], environment: environment)
        #expect(missing.exitCode == 2)
        #expect(missing.stderr.contains("the baseline has no run of scenario 'other' (\(other)); it ran: cmp"))
        // A plain run folder is no baseline for a gate: it has no manifest to verify.
        _ = try Self.run(scenario, port: fast.port, out: scratch.path("plain"))
        let plain = try CLIRun.run(["gate", "--scenario", scenario, "--out", scratch.path("new2"), "--baseline", scratch.path("plain")], environment: environment)
        #expect(plain.exitCode == 2)
        #expect(plain.stderr.contains("not a gate bundle"))
    }
}
