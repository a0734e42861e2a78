import Foundation
import Testing
@testable import LoadGate

/// `loadgate capacity` against loopback servers of known capacity C/T and against nginx.
@Suite("loadgate capacity against loopback peers", .serialized)
struct CapacityIntegrationTests {
    static func capacityServer(concurrency: Int, serviceMs: Double) throws -> PeerProcess {
        try PeerProcess("/usr/bin/env", ["python3", PeerProcess.packageRoot.appendingPathComponent("scripts/peers/capacity_server.py").path,
                                         "--concurrency", String(concurrency), "--service-ms", String(serviceMs)],
                        port: 0, readPortFromStdout: true)
    }

    @Test("the found capacity is within 10% of C/T for two (C, T) pairs", arguments: [(4, 20.0, 50.0), (2, 50.0, 10.0)])
    func knownCapacity(concurrency: Int, serviceMs: Double, from: Double) throws {
        let server = try Self.capacityServer(concurrency: concurrency, serviceMs: serviceMs)
        let scratch = try ScratchDirectory()
        let expected = Double(concurrency) / (serviceMs / 1000)
        let scenario = try scratch.write("s.json", """
        {"name": "known", "target": "http://127.0.0.1:\(server.port)", "load": {"rate": 10, "duration": "5s", "connections": 64},
         "steps": [{"name": "get", "request": {"path": "/"}}],
         "slos": ["p95 < \(Int(4 * serviceMs))ms", "availability >= 99.9%"]}
        """)
        let run = try CLIRun.run(["capacity", scenario, "--from", String(from), "--to", "2000", "--step-duration", "1500ms",
                                  "--warmup", "500ms", "--out", scratch.path("out")])
        #expect(run.exitCode == 0, "\(run.stdout)\n\(run.stderr)")
        let report = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: scratch.path("out/capacity.json")))))
        guard case let .number(found)? = report["capacity"] else {
            Issue.record("no capacity in \(run.stdout)")
            return
        }
        #expect(abs(found - expected) / expected <= 0.10, "found \(found)/s, expected \(expected)/s\n\(run.stdout)")
        #expect(report["ending"] == .string("converged"))
        #expect(run.stdout.contains("capacity: \(DurationText.trim(found))/s offered met every SLO"))
        // Every step's table row is printed and recorded.
        if case let .array(steps)? = report["steps"] { #expect(steps.count >= 5) } else { Issue.record("no steps in capacity.json") }
        // The chart: p50, p95, p99 and error rate against offered rate, one point per step.
        let html = try String(contentsOfFile: scratch.path("out/capacity.html"), encoding: .utf8)
        #expect(html.components(separatedBy: "<svg").count - 1 == 1)
        #expect(html.components(separatedBy: "<polyline").count - 1 == 4)
        #expect(html.contains("capacity \(DurationText.trim(found))/s"))
    }

    @Test("against a target far faster than the generator the result is a generator-limited lower bound, exit 3")
    func generatorLimited() throws {
        let nginx = try PeerProcess.nginx()
        let scenario = try ScenarioFile("""
        {"name": "fast", "target": "http://127.0.0.1:\(nginx.port)", "load": {"rate": 10, "duration": "5s", "connections": 50},
         "steps": [{"name": "get", "request": {"path": "/health/live"}}], "slos": ["p95 < 10ms", "availability >= 99.9%"]}
        """)
        let run = try CLIRun.run(["capacity", scenario.path, "--from", "4000", "--to", "10000000", "--step-duration", "1s",
                                  "--warmup", "300ms", "--max-time", "60s", "--out", scenario.out])
        #expect(run.exitCode == 3, "\(run.stdout)\n\(run.stderr)")
        let report = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: scenario.scratch.path("out/capacity.json")))))
        #expect(report["ending"] == .string("generator-limited"))
        if case let .number(bound)? = report["capacity"] { #expect(bound >= 4000) } else { Issue.record("no lower bound") }
        #expect(run.stdout.contains("(lower bound): the generator, not the target, was the limit at "))
        #expect(run.stdout.contains("advice: "))
        let html = try String(contentsOfFile: scenario.scratch.path("out/capacity.html"), encoding: .utf8)
        #expect(html.contains("lower bound, the generator was the limit</h1>"))
        #expect(run.stdout.contains("GENERATOR LIMIT"))
    }
}
