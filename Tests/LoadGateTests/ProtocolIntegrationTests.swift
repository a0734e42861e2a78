import Foundation
import Testing
@testable import LoadGate

/// Protocol steps against the official reference servers (MCP Python SDK, A2A Python SDK) and a
/// loopback orchestrator, all started on 127.0.0.1 by the tests.
@Suite("Protocol steps against official SDK servers", .serialized)
struct ProtocolIntegrationTests {
    static func mcpServer(_ mode: String) throws -> PeerProcess {
        try PeerProcess.script("mcp_server.py", ["--mode", mode], python: PeerProcess.venvPython)
    }

    static func run(_ scenario: String, in scratch: ScratchDirectory, _ extra: [String] = []) throws -> (CLIRun, JSONValue) {
        let file = try scratch.write("s-\(UUID().uuidString).json", scenario)
        let out = scratch.path("out-\(UUID().uuidString)")
        let run = try CLIRun.run(["run", file, "--out", out, "--quiet"] + extra)
        let summary = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: out + "/summary.json"))))
        return (run, summary)
    }

    static func number(_ value: JSONValue, _ pointer: String) -> Double? {
        if case let .number(number)? = value.resolve(pointer: pointer) { return number }
        return nil
    }

    /// The summary entry of a step or phase by name.
    static func step(_ summary: JSONValue, _ name: String) -> JSONValue? {
        guard case let .array(steps)? = summary["steps"] else { return nil }
        return steps.first { $0["name"] == .string(name) }
    }

    static func activeSessions(_ server: PeerProcess) throws -> Double? {
        let response = BlockingHTTP.perform(method: "GET", url: "http://127.0.0.1:\(server.port)/stats", headers: [], tls: TLSOptions())
        return number(try JSONParser.parse(response.body), "/active_sessions")
    }

    @Test("MCP session era with SSE replies: latency, tool errors, JSON-RPC errors, progress, sessions deleted", arguments: ["stateful-sse", "stateful-json"])
    func mcpSessionEra(mode: String) throws {
        let server = try Self.mcpServer(mode)
        let scratch = try ScratchDirectory()
        let (run, summary) = try Self.run("""
        {"name": "mcp", "target": "http://127.0.0.1:\(server.port)", "load": {"vus": 3, "iterations": 30},
         "steps": [{"name": "list", "once": true, "mcp": {"call": "tools/list"}},
                   {"name": "sleep", "mcp": {"call": "tools/call", "tool": "sleep_ms", "arguments": {"ms": 40}}},
                   {"name": "echo", "mcp": {"call": "tools/call", "tool": "echo", "arguments": {"text": "vu ${vu}"}},
                    "capture": {"said": "/result/content/0/text"}},
                   {"name": "progress", "mcp": {"call": "tools/call", "tool": "progress", "arguments": {"steps": 3}}},
                   {"name": "raises", "mcp": {"call": "tools/call", "tool": "fail"}},
                   {"name": "raises-expected", "mcp": {"call": "tools/call", "tool": "fail", "expectError": true}},
                   {"name": "unknown", "mcp": {"method": "no/such", "params": {}}}],
         "slos": ["sleep: p50 >= 40ms", "echo: availability == 100%", "mcp.initialize: p95 < 5s"]}
        """, in: scratch)
        #expect(run.exitCode == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(Self.number(Self.step(summary, "list")!, "/requests") == 3, "tools/list runs once per VU")
        let sleep = Self.step(summary, "sleep")!
        #expect(Self.number(sleep, "/requests") == 30)
        #expect((Self.number(sleep, "/latency/min") ?? 0) >= 0.040, "a 40 ms tool shows at least 40 ms")
        #expect(Self.number(Self.step(summary, "raises")!, "/failures/tool_error") == 30)
        #expect(Self.number(Self.step(summary, "raises-expected")!, "/failed") == 0)
        #expect(Self.number(Self.step(summary, "unknown")!, "/failures/jsonrpc") == 30)
        if mode == "stateful-sse" {
            #expect(Self.number(Self.step(summary, "progress")!, "/counters/progress_notifications") == 90)
        }
        let handshake = Self.step(summary, "mcp.initialize")!
        #expect(handshake["phase"] == .bool(true))
        #expect(Self.number(handshake, "/requests") == 3, "one handshake per VU, timed on its own")
        #expect(Self.number(summary, "/mcp/sessionsCreated") == 3)
        #expect(Self.number(summary, "/mcp/sessionsDeleted") == 3)
        #expect(try Self.activeSessions(server) == 0, "every session created was deleted")
    }

    @Test("MCP stateless era 2026-07-28 needs no handshake and succeeds")
    func mcpStateless() throws {
        let server = try Self.mcpServer("stateless")
        let scratch = try ScratchDirectory()
        let (run, summary) = try Self.run("""
        {"name": "stateless", "target": "http://127.0.0.1:\(server.port)", "mcp": {"protocolVersion": "2026-07-28"},
         "load": {"rate": 40, "duration": "2s", "connections": 8},
         "steps": [{"name": "echo", "mcp": {"call": "tools/call", "tool": "echo", "arguments": {"text": "${uuid}"}}},
                   {"name": "list", "mcp": {"call": "tools/list"}}]}
        """, in: scratch)
        #expect(run.exitCode == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(Self.number(summary, "/totals/requests") == 160)
        #expect(Self.number(summary, "/totals/failed") == 0)
        #expect(Self.step(summary, "mcp.initialize").flatMap { Self.number($0, "/requests") } == 0)
        #expect(summary["mcp"] == .null)
    }

    @Test("20 virtual users sharing 2 MCP sessions never hang: unique ids per session")
    func sharedSessions() throws {
        let server = try Self.mcpServer("stateful-sse")
        let scratch = try ScratchDirectory()
        let (run, summary) = try Self.run("""
        {"name": "shared", "target": "http://127.0.0.1:\(server.port)", "mcp": {"sessions": 2}, "defaults": {"timeout": "5s"},
         "load": {"vus": 20, "duration": "3s"},
         "steps": [{"name": "echo", "mcp": {"call": "tools/call", "tool": "echo", "arguments": {"text": "${vu}"}}}]}
        """, in: scratch, ["--workers", "2"])
        #expect(run.exitCode == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(run.seconds < 15)
        #expect((Self.number(summary, "/totals/requests") ?? 0) >= 200)
        #expect(Self.number(summary, "/totals/failed") == 0)
        #expect(Self.number(summary, "/steps/0/failures/timeout") == nil)
        #expect(Self.number(summary, "/mcp/sessionsCreated") == 2)
        #expect(try Self.activeSessions(server) == 0)
    }

    @Test("A2A against task-mode and message-mode agents, both protocol versions, polling and streaming",
          arguments: ["1.0", "0.3"])
    func a2a(version: String) throws {
        let taskAgent = try PeerProcess.script("a2a_server.py", ["--mode", "task", "--delay-ms", "30"], python: PeerProcess.venvPython)
        let messageAgent = try PeerProcess.script("a2a_server.py", ["--mode", "message"], python: PeerProcess.venvPython)
        let scratch = try ScratchDirectory()
        for (variant, options) in [("blocking", ""), ("poll", ", \"returnImmediately\": true, \"pollInterval\": \"10ms\""), ("stream", ", \"stream\": true")] {
            let (run, summary) = try Self.run("""
            {"name": "a2a-\(variant)", "target": "http://127.0.0.1:\(taskAgent.port)", "a2a": {"version": "\(version)"},
             "load": {"vus": 2, "iterations": 10},
             "steps": [{"name": "ask", "a2a": {"send": "hello ${uuid}", "await": "completed", "timeout": "10s"\(options)},
                        "capture": {"task": "/id"}}]}
            """, in: scratch)
            #expect(run.exitCode == 0, "\(version) \(variant): \(run.stdout)\n\(run.stderr)")
            let ask = Self.step(summary, "ask")!
            #expect(Self.number(ask, "/requests") == 10)
            #expect(Self.number(ask, "/failed") == 0, "\(version) \(variant)")
            #expect((Self.number(ask, "/latency/min") ?? 0) >= 0.030, "end-to-end includes the agent's 30 ms of work")
            #expect(Self.number(Self.step(summary, "ask.submit")!, "/requests") == 10)
            if variant == "poll" {
                #expect((Self.number(ask, "/counters/polls") ?? 0) >= 10, "returnImmediately is followed by GetTask polling")
                #expect((Self.number(Self.step(summary, "ask.submit")!, "/latency/p50") ?? 1) < (Self.number(ask, "/latency/p50") ?? 0))
            }
            if variant == "stream" {
                #expect(Self.number(Self.step(summary, "ask.first_event")!, "/requests") == 10)
                #expect((Self.number(ask, "/counters/stream_events") ?? 0) >= 20)
            }
        }
        // Message mode: the agent answers with a message, no task.
        let (run, summary) = try Self.run("""
        {"name": "a2a-message", "target": "http://127.0.0.1:\(messageAgent.port)", "a2a": {"version": "\(version)"},
         "load": {"vus": 2, "iterations": 10}, "steps": [{"name": "ask", "a2a": {"send": "hi"}}]}
        """, in: scratch)
        #expect(run.exitCode == 0, "\(run.stdout)")
        #expect(Self.number(summary, "/totals/failed") == 0)
    }

    @Test("A2A: the protocol comes from the agent card; a failed task is a failure classed by its state")
    func a2aCardAndFailure() throws {
        let failing = try PeerProcess.script("a2a_server.py", ["--mode", "task", "--fail"], python: PeerProcess.venvPython)
        let scratch = try ScratchDirectory()
        let (run, summary) = try Self.run("""
        {"name": "a2a-fail", "target": "http://127.0.0.1:\(failing.port)", "load": {"vus": 1, "iterations": 5},
         "steps": [{"name": "ask", "a2a": {"send": "please fail"}}]}
        """, in: scratch)
        #expect(run.exitCode == 1)
        #expect(Self.number(Self.step(summary, "ask")!, "/failures/task-failed") == 5)
        // No agent at all: a failing report that says why, not a crash.
        let port = try PeerProcess.freePort()
        let (deadRun, deadSummary) = try Self.run("""
        {"name": "a2a-dead", "target": "http://127.0.0.1:\(port)", "load": {"vus": 1, "iterations": 2},
         "steps": [{"name": "ask", "a2a": {"send": "anyone?"}}]}
        """, in: scratch)
        #expect(deadRun.exitCode == 1)
        #expect(deadSummary["verdict"] == .string("failed"))
        #expect(deadRun.stdout.contains("a2a: agent card not usable"))
    }

    @Test("orchestrator workflows: submit, poll to completion, capture the id for a later step")
    func workflows() throws {
        let orchestrator = try PeerProcess.script("orchestrator.py", ["--complete-ms", "150"])
        let scratch = try ScratchDirectory()
        let (run, summary) = try Self.run("""
        {"name": "workflows", "target": "http://127.0.0.1:\(orchestrator.port)",
         "defaults": {"headers": {"X-User-ID": "test-user-${vu}"}},
         "load": {"vus": 4, "iterations": 12},
         "steps": [{"name": "analysis", "workflow": {
                      "submit": {"path": "/api/v1/workflows", "json": {"workflow_type": "document_analysis", "agents": ["analyzer", "summarizer", "validator"], "priority": "normal", "max_duration": "300s"}},
                      "statusPath": "/api/v1/workflows/${id}", "pollInterval": "30ms", "timeout": "10s"},
                    "capture": {"wf": "/id"}},
                   {"name": "status", "request": {"path": "/api/v1/workflows/${captured.wf}"}, "expect": {"json": {"/status": "completed"}}},
                   {"name": "failing", "workflow": {"submit": {"path": "/api/v1/workflows", "json": {"workflow_type": "fail"}},
                      "statusPath": "/api/v1/workflows/${id}", "pollInterval": "30ms", "timeout": "10s"}}]}
        """, in: scratch)
        #expect(run.exitCode == 1, "the failing workflow fails the gate")
        let analysis = Self.step(summary, "analysis")!
        #expect(Self.number(analysis, "/requests") == 12)
        #expect(Self.number(analysis, "/failed") == 0)
        #expect((Self.number(analysis, "/latency/min") ?? 0) >= 0.150, "completion time covers the workflow's 150 ms")
        #expect((Self.number(analysis, "/counters/polls") ?? 0) >= 12)
        #expect((Self.number(Self.step(summary, "analysis.submit")!, "/latency/p50") ?? 1) < 0.1)
        #expect(Self.number(Self.step(summary, "status")!, "/failed") == 0, "the captured id reached the next step")
        #expect(Self.number(Self.step(summary, "failing")!, "/failures/workflow-failed") == 12)
        // Without the user header the orchestrator refuses: classed, not crashed.
        let (unauthorized, refused) = try Self.run("""
        {"name": "noauth", "target": "http://127.0.0.1:\(orchestrator.port)", "load": {"vus": 1, "iterations": 2},
         "steps": [{"name": "analysis", "workflow": {"submit": {"path": "/api/v1/workflows", "json": {}}, "statusPath": "/api/v1/workflows/${id}"}}]}
        """, in: scratch)
        #expect(unauthorized.exitCode == 1)
        #expect(Self.number(refused, "/steps/0/failures/unexpected-status") == 2)
    }
}
