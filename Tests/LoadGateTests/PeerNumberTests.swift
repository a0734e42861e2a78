import Foundation
import Testing
@testable import LoadGate

/// Numbers in a peer's reply are converted with range checks: an absurd value is the peer's
/// protocol failure, never a crash of the generator.
@Suite("Numbers from peers", .serialized)
struct PeerNumberTests {
    /// A stateless-era MCP server on loopback that answers every call with `error` (echoing the id).
    static func server(errorJSON: String) throws -> LoopbackHTTPServer {
        try LoopbackHTTPServer { request in
            let message = try? JSONParser.parse(request.body)
            let id = message?["id"].map { JSONWriter.serialize($0, pretty: false) } ?? "null"
            return .json(200, #"{"jsonrpc":"2.0","id":\#(id),"error":\#(errorJSON)}"#)
        }
    }

    static func run(port: Int) throws -> (CLIRun, JSONValue?) {
        let scratch = try ScratchDirectory()
        let file = try scratch.write("s.json", """
        {"name": "rpc", "target": "http://127.0.0.1:\(port)", "mcp": {"protocolVersion": "2026-07-28"},
         "load": {"vus": 1, "iterations": 3}, "steps": [{"name": "call", "mcp": {"call": "tools/list"}}],
         "slos": ["availability >= 0%"]}
        """)
        let out = scratch.path("out")
        let run = try CLIRun.run(["run", file, "--out", out, "--quiet"])
        let data = FileManager.default.contents(atPath: out + "/summary.json")
        return (run, data.flatMap { try? JSONParser.parse(Array($0)) })
    }

    static func failures(_ summary: JSONValue?) -> JSONValue? {
        guard case let .array(steps)? = summary?["steps"] else { return nil }
        return steps.first { $0["name"] == .string("call") }?["failures"]
    }

    /// Runs against a server whose every reply is the JSON-RPC error `errorJSON`: the run completes
    /// (exit 0) and its three requests fail with the class `failureClass`.
    static func expectStepFailures(errorJSON: String, classedAs failureClass: String) throws {
        let server = try Self.server(errorJSON: errorJSON)
        defer { server.stop() }
        let (run, summary) = try Self.run(port: server.port)
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(Self.failures(summary)?[failureClass] == .number(3), "\(String(describing: summary))")
    }

    @Test("a JSON-RPC error code of 1e300 fails the step as protocol; the run completes")
    func hugeErrorCode() throws {
        try Self.expectStepFailures(errorJSON: #"{"code":1e300,"message":"boom"}"#, classedAs: "protocol")
    }

    @Test("a well-formed JSON-RPC error code is still a jsonrpc failure")
    func ordinaryErrorCode() throws {
        try Self.expectStepFailures(errorJSON: #"{"code":-32601,"message":"no such method"}"#, classedAs: "jsonrpc")
    }

    @Test("the demo target answers a client's sleep_ms of -1e+300 instead of crashing")
    func demoTargetClampsBeforeConverting() throws {
        let port = try PeerProcess.freePort()
        let target = try PeerProcess(CLIRun.binary, ["target", "--port", String(port)], port: port)
        let scratch = try ScratchDirectory()
        let file = try scratch.write("s.json", """
        {"name": "sleep", "target": "http://127.0.0.1:\(target.port)", "load": {"vus": 1, "iterations": 2},
         "steps": [{"name": "sleep", "mcp": {"call": "tools/call", "tool": "sleep_ms", "arguments": {"ms": -1e+300}}}],
         "slos": ["availability == 100%"]}
        """)
        let run = try CLIRun.run(["run", file, "--out", scratch.path("out"), "--quiet"])
        #expect(run.exitCode == 0, "\(run.stdout)\n\(run.stderr)")
    }

    @Test("peer numbers convert only when whole and in range", arguments: [
        ("-32601", Optional(-32601)), ("1e300", nil), ("1e19", nil), ("2.5", nil), ("\"7\"", nil), ("9223372036854775807", Int.max),
    ])
    func peerInt(text: String, expected: Int?) throws {
        #expect(SafeNumber.int(try JSONParser.parse(text)) == expected)
    }
}
