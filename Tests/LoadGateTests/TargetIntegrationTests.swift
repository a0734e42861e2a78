import Foundation
import Testing
@testable import LoadGate

/// The built-in demo target: interoperability with the official MCP SDK client, and gates that
/// fail when the target misbehaves (and pass when it does not).
@Suite("loadgate target and demo", .serialized)
struct TargetIntegrationTests {
    static func target(_ flags: [String] = []) throws -> PeerProcess {
        let port = try PeerProcess.freePort()
        return try PeerProcess(CLIRun.binary, ["target", "--port", String(port)] + flags, port: port)
    }

    @Test("the official MCP Python SDK client initializes, lists tools and calls echo", arguments: ["--mcp-json", "--mcp-sse"])
    func mcpConformance(mode: String) throws {
        let target = try Self.target([mode])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: PeerProcess.venvPython)
        process.arguments = [PeerProcess.packageRoot.appendingPathComponent("scripts/peers/mcp_sdk_client.py").path, "http://127.0.0.1:\(target.port)/mcp"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let result = try JSONParser.parse(Array(data))
        #expect(result["server"] == .string("loadgate-demo-target"))
        #expect(result["tools"] == .array([.string("echo"), .string("fail"), .string("sleep_ms")]))
        #expect(result["echo"] == .string("conformance"))
        #expect(result["isError"] == .bool(false))
    }

    static func scenario(_ scratch: ScratchDirectory, port: Int, slos: String) throws -> String {
        try scratch.write("s-\(UUID().uuidString).json", """
        {"name": "gate", "target": "http://127.0.0.1:\(port)", "load": {"rate": 100, "duration": "4s", "connections": 4},
         "steps": [{"name": "live", "request": {"path": "/health/live"}}], "slos": \(slos)}
        """)
    }

    @Test("a healthy target passes the production SLOs (exit 0)")
    func healthyPasses() throws {
        let target = try Self.target()
        let scratch = try ScratchDirectory()
        let run = try CLIRun.run(["run", try Self.scenario(scratch, port: target.port, slos: #"["p95 < 2s", "availability >= 99.9%", "p99 < 100ms"]"#),
                                  "--out", scratch.path("out"), "--quiet"])
        #expect(run.exitCode == 0, "\(run.stdout)")
    }

    @Test("--error-rate 1 makes availability >= 99.9% fail (exit 1)")
    func errorRateFails() throws {
        let target = try Self.target(["--error-rate", "1"])
        let scratch = try ScratchDirectory()
        let run = try CLIRun.run(["run", try Self.scenario(scratch, port: target.port, slos: #"["availability >= 99.9%"]"#), "--out", scratch.path("out"), "--quiet"])
        #expect(run.exitCode == 1)
        #expect(run.stdout.contains("availability >= 99.9%        0%  FAIL"))
        #expect(run.stdout.contains("failures: http-5xx 400"))
    }

    @Test("--stall makes a constant-rate p99 SLO fail (exit 1) while the load is still generated as requested")
    func stallFails() throws {
        let target = try Self.target(["--stall", "2s:500ms"])
        let scratch = try ScratchDirectory()
        let run = try CLIRun.run(["run", try Self.scenario(scratch, port: target.port, slos: #"["p99 < 100ms", "availability >= 99.9%"]"#), "--out", scratch.path("out"), "--quiet"])
        #expect(run.exitCode == 1, "\(run.stdout)")
        #expect(run.stdout.contains("p99 < 100ms"))
        #expect(run.stdout.contains("verdict: FAILED"))
        let summary = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: scratch.path("out/summary.json")))))
        #expect((summary.number("/steps/0/latency/p99") ?? 0) >= 0.3, "the stalls show in the corrected p99")
        #expect(summary.resolve(pointer: "/slos/1/passed") == .bool(true), "nothing failed, it was only slow")
    }

    @Test("the target refuses to bind anything but loopback")
    func loopbackOnly() throws {
        let run = try CLIRun.run(["target", "--host", "0.0.0.0", "--port", "0"])
        #expect(run.exitCode == 2)
        #expect(run.stderr.contains("0.0.0.0 is not a loopback address; the demo target binds 127.0.0.0/8 or ::1 only"))
    }

    @Test("loadgate demo gates the built-in target end to end and its bundle verifies")
    func demo() throws {
        let scratch = try ScratchDirectory()
        let out = scratch.path("demo")
        let run = try CLIRun.run(["demo", "--out", out, "--quiet"], directory: PeerProcess.packageRoot)
        #expect(run.exitCode == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stdout.contains("readiness: PASSED"))
        #expect(run.stdout.contains("report: \(out)/report.html"))
        let verify = try CLIRun.run(["verify", out])
        #expect(verify.exitCode == 0, "\(verify.stdout)")
        let report = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: out + "/report.json"))))
        #expect(report.list("/scenarios").count == 3)
        #expect(report.number("/checklist/counts/passed") == 7)
    }
}
