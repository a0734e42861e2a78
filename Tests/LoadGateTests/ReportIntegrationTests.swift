import Foundation
import Testing
@testable import LoadGate

/// The report pages written by the CLI against nginx on loopback: `run`'s report.html, `report`
/// on a run folder, and the gate's terminal output, `--target` and operator.
@Suite("Reports written by run and gate", .serialized)
struct ReportIntegrationTests {
    static func scenario(_ scratch: ScratchDirectory, name: String, target: String, path: String = "/health/live", duration: String = "2s") throws -> String {
        try scratch.write("\(name).json", """
        {"name": "\(name)", "target": "\(target)", "load": {"rate": 50, "duration": "\(duration)", "connections": 5},
         "steps": [{"name": "live", "request": {"path": "\(path)"}}], "slos": ["p95 < 2s", "live: p99 < 1s", "availability >= 99%"]}
        """)
    }

    @Test("run writes report.html beside summary.json, a strict parser reads it, and report FOLDER renders the same page")
    func runWritesReport() throws {
        let nginx = try PeerProcess.nginx()
        let scratch = try ScratchDirectory()
        let file = try Self.scenario(scratch, name: "smoke", target: "http://127.0.0.1:\(nginx.port)")
        let run = try CLIRun.run(["run", file, "--out", scratch.path("out"), "--quiet"])
        #expect(run.exitCode == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stdout.contains("report: \(scratch.path("out/report.html"))"))
        let page = try StrictPage(path: scratch.path("out/report.html"))
        #expect(page.root.all(named: "h1").first?.fullText == "Run smoke: PASSED")
        let spectrum = try #require(page.root.all(named: "svg").first { $0["aria-label"] == "latency by percentile" })
        #expect(spectrum.all(named: "line", class: "threshold").count == 2, "p95 < 2s and live: p99 < 1s")
        #expect(page.root.fullText.contains("Generator health"))

        let rendered = try CLIRun.run(["report", scratch.path("out")])
        #expect(rendered.exitCode == 0)
        #expect(rendered.stdout == (try String(contentsOfFile: scratch.path("out/report.html"), encoding: .utf8)))
        let json = try CLIRun.run(["report", scratch.path("out"), "--format", "json"])
        #expect(json.exitCode == 0)
        let junit = try CLIRun.run(["report", scratch.path("out"), "--format", "junit"])
        #expect(junit.exitCode == 2)
        #expect(junit.stderr.contains("needs a gate bundle (report.json); a run folder renders as html or json"))
    }

    @Test("report on a folder holding neither report.json nor summary.json exits 2 and says what it looked for")
    func reportOnEmptyFolder() throws {
        let scratch = try ScratchDirectory()
        let run = try CLIRun.run(["report", scratch.url.path])
        #expect(run.exitCode == 2)
        #expect(run.stderr.contains("neither report.json (a gate bundle) nor summary.json (a run folder) is here"))
    }

    @Test("gate --target points every scenario at the given URL and prints each scenario's requests, p95 and availability")
    func gateTargetAndKeyNumbers() throws {
        let nginx = try PeerProcess.nginx()
        let scratch = try ScratchDirectory()
        let dead = "http://127.0.0.1:\(try PeerProcess.freePort())"
        let first = try Self.scenario(scratch, name: "first", target: dead, duration: "6s")
        let second = try Self.scenario(scratch, name: "second", target: dead, path: "/api/v1/health")
        let gate = try CLIRun.run(["gate", "--scenario", first, "--scenario", second, "--target", "http://127.0.0.1:\(nginx.port)",
                                   "--out", scratch.path("bundle")], environment: ["LOADGATE_OPERATOR": "release-bot"])
        #expect(gate.exitCode == 0, "\(gate.stdout)\n\(gate.stderr)")
        for name in ["first", "second"] {
            let line = gate.stdout.split(separator: "\n").first { $0.hasPrefix("  scenario \(name): passed · ") }
            #expect(line != nil, "no key-number line for \(name) in \(gate.stdout)")
            #expect(line?.contains(" requests, 0 failed · p95 ") == true)
            #expect(line?.contains(" · availability 100%") == true)
            #expect(gate.stderr.contains("scenario \(name): running open model"))
        }
        // The live progress line of `run` (in logs, a line every 5 s) appears while a scenario runs.
        #expect(gate.stderr.contains("[5s / 6s]"), "no progress line in \(gate.stderr)")
        let report = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: scratch.path("bundle/report.json")))))
        #expect(report.text("/operator") == "release-bot")
        #expect(report.list("/targets") == [.string("http://127.0.0.1:\(nginx.port)")])

        // Without --target the same scenarios hit the dead address and the gate fails.
        let failing = try CLIRun.run(["gate", "--scenario", first, "--out", scratch.path("bundle2"), "--quiet"],
                                     environment: ["LOADGATE_OPERATOR": "", "USER": "", "LOGNAME": ""])
        #expect(failing.exitCode == 1, "\(failing.stdout)")
        #expect(failing.stdout.contains("  scenario first: failed · "))
        let second2 = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: scratch.path("bundle2/report.json")))))
        #expect(second2.text("/operator") == ReadinessReport.loginName(), "operator falls back to the login name when the variables are empty")
        #expect(second2.text("/operator") != "unknown")
    }
}

@Suite("Operator name and capacity findings")
struct ReportUnitTests {
    @Test("the operator is LOADGATE_OPERATOR, else USER, else LOGNAME, else the login name; unknown only when none exists")
    func operatorFallback() {
        #expect(ReadinessReport.operatorName(environment: ["LOADGATE_OPERATOR": "ci", "USER": "u"], loginName: "l") == "ci")
        #expect(ReadinessReport.operatorName(environment: ["LOADGATE_OPERATOR": " ", "USER": "u"], loginName: "l") == "u")
        #expect(ReadinessReport.operatorName(environment: ["LOGNAME": "n"], loginName: "l") == "n")
        #expect(ReadinessReport.operatorName(environment: [:], loginName: "l") == "l")
        #expect(ReadinessReport.operatorName(environment: [:], loginName: nil) == "unknown")
    }

    @Test("the harness commit is found from a checkout or a linked worktree (.git as a gitdir file)")
    func harnessCommit() throws {
        let git = Process()
        git.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        git.arguments = ["git", "-C", PeerProcess.packageRoot.path, "rev-parse", "HEAD"]
        let out = Pipe()
        git.standardOutput = out
        try git.run()
        let head = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        git.waitUntilExit()
        let executable = PeerProcess.packageRoot.appendingPathComponent(".build/debug/loadgate").path
        #expect(ReportBundle.harnessCommit(executable: executable) == head)
    }

    static func step(_ offered: Double, _ outcome: String, cores: Double = 0.03, workers: Int = 2, idle: Double? = 80) -> CapacityFinding.Step {
        CapacityFinding.Step(offered: offered, outcome: outcome, processCores: cores, workers: workers, machineIdlePercent: idle, dropped: 0)
    }

    @Test("the headline says exactly what was proven: a bracket, a lower bound and who set it, or no breach up to the ceiling")
    func headlines() {
        let ceiling = CapacityFinding(ending: "ceiling", capacity: 1000, from: 100, to: 1000, precision: 0.05, connections: 50,
                                      steps: [Self.step(100, "passed"), Self.step(1000, "passed")])
        #expect(ceiling.title == "≥ 1000/s: no breach up to the 1000/s ceiling")
        #expect(!ceiling.headline.contains("capacity: 1000/s"), "1000/s was only the ceiling")
        let limited = CapacityFinding(ending: "generator-limited", capacity: 400, from: 100, to: 10_000, precision: 0.05, connections: 50,
                                      steps: [Self.step(400, "passed"), Self.step(800, "generator-limited")])
        #expect(limited.title == "≥ 400/s: lower bound, the generator was the limit")
        #expect(limited.headline.contains("at least 400/s (lower bound)"))
        let converged = CapacityFinding(ending: "converged", capacity: 400, from: 100, to: 10_000, precision: 0.05, connections: 50,
                                        steps: [Self.step(400, "passed"), Self.step(420, "failed")])
        #expect(converged.title == "400/s: met every SLO; 420/s did not")
        let below = CapacityFinding(ending: "below-from", capacity: nil, from: 100, to: 1000, precision: 0.05, connections: 50, steps: [Self.step(100, "failed")])
        #expect(below.title == "< 100/s: the lowest rate tried already breached the SLOs")
    }

    @Test("advice follows the measured cause: idle CPU means connections, busy workers mean workers, a busy machine means shards")
    func advice() {
        func finding(cores: Double, idle: Double?) -> CapacityFinding {
            CapacityFinding(ending: "generator-limited", capacity: 400, from: 100, to: 10_000, precision: 0.05, connections: 50,
                            steps: [Self.step(400, "passed"), Self.step(800, "generator-limited", cores: cores, workers: 2, idle: idle)])
        }
        let connections = finding(cores: 0.028, idle: 85)
        #expect(connections.cause == .connections)
        #expect(connections.advice?.contains("raise --connections") == true)
        #expect(connections.advice?.contains("2.8% CPU") == true)
        #expect(connections.advice?.contains("cores") == false, "more cores would not help at 2.8% CPU")
        let workers = finding(cores: 1.95, idle: 40)
        #expect(workers.cause == .processCPU)
        #expect(workers.advice?.contains("--workers") == true)
        #expect(workers.advice?.contains("--connections") == false)
        let machine = finding(cores: 0.5, idle: 2)
        #expect(machine.cause == .machineCPU)
        #expect(machine.advice?.contains("shard") == true)
        let converged = CapacityFinding(ending: "converged", capacity: 400, from: 100, to: 10_000, precision: 0.05, connections: 50,
                                        steps: [Self.step(400, "passed"), Self.step(420, "failed")])
        #expect(converged.advice == nil, "the target was the limit: no generator advice")
    }

    @Test("capacity.html states the finding and advice, and draws the SLO thresholds and the lower bound on one chart")
    func capacityPage() throws {
        func step(_ offered: Double, _ outcome: String, p95: Double, cores: Double) -> JSONValue {
            .object([("offered", .number(offered)), ("achieved", .number(offered)), ("errorRatePercent", .number(0)),
                     ("latency", .object([("count", .number(100)), ("p50", .number(p95 / 2)), ("p95", .number(p95)), ("p99", .number(p95 * 1.2))])),
                     ("lateness", .object([("count", .number(100)), ("p99", .number(0.001))])),
                     ("generator", .object([("processCores", .number(cores)), ("machineIdlePercent", .number(90)), ("workers", .number(2))])),
                     ("outcome", .string(outcome)), ("slos", .array([.object([("expression", .string("p95 < 100ms")), ("passed", .bool(true))])]))])
        }
        let document: JSONValue = .object([
            ("ending", .string("generator-limited")), ("capacity", .number(400)),
            ("settings", .object([("from", .number(100)), ("to", .number(10_000)), ("precision", .number(0.05)), ("connections", .number(50))])),
            ("steps", .array([step(100, "passed", p95: 0.01, cores: 0.01), step(400, "passed", p95: 0.012, cores: 0.02),
                              step(800, "generator-limited", p95: 0.4, cores: 0.028)])),
        ])
        let page = try StrictPage(html: CapacityReport.html(document))
        #expect(page.root.all(named: "h1").first?.fullText == "Capacity ≥ 400/s: lower bound, the generator was the limit")
        #expect(page.root.fullText.contains("raise --connections"))
        let svg = try #require(page.root.all(named: "svg").first)
        #expect(svg.all(named: "line", class: "threshold").first?["data-label"] == "SLO p95 < 100ms")
        #expect(svg.all(named: "line", class: "marker").first?["data-label"] == "lower bound 400/s")
        #expect(svg.all(named: "text", class: "axis-title").map(\.fullText).contains("offered rate (iterations/s)"))
    }
}
