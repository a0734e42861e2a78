import Testing
@testable import LoadGate

/// A `FlowContext` that records what a flow asked for, so flows can be driven with canned replies.
final class CannedContext: FlowContext {
    var vu = 1
    var iteration: Int64 = 0
    var slotIndex = 0
    var captured: [String: String] = [:]
    var phases: [(name: String, latencyNanos: Int64, failure: FailureClass?)] = []
    var counts: [ProtocolCounter: Int64] = [:]
    var woken: [Int] = []
    var clockRestartedAt: Int64?

    func recordPhase(_ name: String, latencyNanos: Int64, failure: FailureClass?) { phases.append((name, latencyNanos, failure)) }
    func count(_ counter: ProtocolCounter, by amount: Int64) { counts[counter, default: 0] += amount }
    func wake(slot: Int) { woken.append(slot) }
    var firstEvents: [Int64] = []
    func recordFirstEvent(latencyNanos: Int64) { firstEvents.append(latencyNanos) }
    func restartStepClock(atNanos nanos: Int64) { clockRestartedAt = nanos }
}

/// Protocol flows driven with canned replies: no network, no worker.
@Suite("protocol flows with canned replies")
struct FlowTests {
    static func scenario(_ json: String) throws -> Scenario {
        try ScenarioLoader(environment: [:]).load(bytes: Array(json.utf8), file: "flow.json")
    }

    static func reply(_ status: Int, _ body: String, contentType: String = "application/json", at nanos: Int64,
                      failure: FailureClass? = nil) -> ExchangeResponse {
        ExchangeResponse(transportFailure: failure, status: status, headers: ["content-type": contentType], body: Array(body.utf8),
                         sentNanos: nanos - 1_000_000, firstBodyNanos: 0, doneNanos: nanos)
    }

    static func request(_ action: FlowAction) -> ExchangeRequest? {
        switch action {
        case let .send(request): return request
        case let .sleep(_, request): return request
        default: return nil
        }
    }

    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    static func finished(_ action: FlowAction) -> FlowResult? {
        if case let .finish(result) = action { return result }
        return nil
    }

    static func workflow() throws -> WorkflowFlow {
        let scenario = try scenario("""
        {"name": "wf", "target": "http://127.0.0.1:9", "load": {"vus": 1, "iterations": 1},
         "steps": [{"name": "analysis", "workflow": {"submit": {"path": "/api/v1/workflows", "json": {"workflow_type": "x"}},
                    "statusPath": "/api/v1/workflows/${id}", "pollInterval": "50ms", "timeout": "1s"}}]}
        """)
        guard case let .workflow(spec) = scenario.steps[0].kind else { throw FlowTestError.notAWorkflow }
        return WorkflowFlow(step: scenario.steps[0], spec: spec)
    }

    enum FlowTestError: Error { case notAWorkflow, notMCP }

    @Test("a workflow submits, polls the status URL of the id it got, and finishes on the done state")
    func workflowCompletes() throws {
        let flow = try Self.workflow()
        let context = CannedContext()
        let submit = Self.request(flow.begin(context, now: 0))
        #expect(submit?.method == "POST" && submit?.url == "http://127.0.0.1:9/api/v1/workflows")
        let poll = flow.handle(Self.reply(202, #"{"id": "wf-7", "status": "submitted"}"#, at: 10_000_000), context)
        guard case let .sleep(until, request) = poll else { Issue.record("expected a poll, got \(poll)"); return }
        #expect(until == 60_000_000, "polls 50 ms after the reply")
        #expect(request.url == "http://127.0.0.1:9/api/v1/workflows/wf-7" && request.method == "GET")
        #expect(context.phases.count == 1 && context.phases[0].name == "analysis.submit" && context.phases[0].failure == nil)
        let again = flow.handle(Self.reply(200, #"{"status": "running"}"#, at: 70_000_000), context)
        #expect(Self.request(again) != nil, "running: keep polling")
        let done = Self.finished(flow.handle(Self.reply(200, #"{"status": "completed"}"#, at: 130_000_000), context))
        #expect(done != nil && done?.failure == nil)
        #expect(context.counts[.polls] == 2)
    }

    @Test("a workflow's failed state, one still running at its timeout, a refused submit and a reply without an id are failures of their own class")
    func workflowFailures() throws {
        let failedState = try Self.workflow()
        let context = CannedContext()
        _ = failedState.begin(context, now: 0)
        _ = failedState.handle(Self.reply(202, #"{"id": 1, "status": "submitted"}"#, at: 1), context)
        #expect(Self.finished(failedState.handle(Self.reply(200, #"{"status": "failed"}"#, at: 2), context))?.failure == .workflowFailed)

        let stuck = try Self.workflow()
        _ = stuck.begin(context, now: 0)
        _ = stuck.handle(Self.reply(202, #"{"id": 2, "status": "submitted"}"#, at: 1), context)
        let late = stuck.handle(Self.reply(200, #"{"status": "running"}"#, at: 1_000_000_001), context)
        #expect(Self.finished(late)?.failure == .incomplete, "still running at its 1 s timeout: unfinished work")

        let refused = try Self.workflow()
        _ = refused.begin(context, now: 0)
        #expect(Self.finished(refused.handle(Self.reply(0, "", at: 1, failure: .connect), context))?.failure == .connect)

        let noID = try Self.workflow()
        _ = noID.begin(context, now: 0)
        #expect(Self.finished(noID.handle(Self.reply(202, #"{"status": "submitted"}"#, at: 1), context))?.failure == .protocolError)
    }

    @Test("a peer's workflow id is one percent-encoded path segment of the poll URL; an id of '.', '..' or '' is a protocol failure",
          arguments: [("wf-7.a_b~c", "wf-7.a_b~c"), ("../admin?x=1#f", "..%2Fadmin%3Fx%3D1%23f"), ("a b/ü", "a%20b%2F%C3%BC"), ("%2e%2e", "%252e%252e")])
    func workflowIDEncoded(id: String, segment: String) throws {
        let flow = try Self.workflow()
        let context = CannedContext()
        _ = flow.begin(context, now: 0)
        let body = String(decoding: JSONWriter.serialize(.object([("id", .string(id)), ("status", .string("submitted"))])).utf8, as: UTF8.self)
        let poll = flow.handle(Self.reply(202, body, at: 10_000_000), context)
        #expect(Self.request(poll)?.url == "http://127.0.0.1:9/api/v1/workflows/\(segment)")
        #expect(context.captured["id"] == id, "the captured value itself is the peer's, unencoded")
    }

    @Test("dot-segment and empty workflow ids never reach a URL", arguments: [".", "..", ""])
    func workflowDotIDs(id: String) throws {
        let flow = try Self.workflow()
        let context = CannedContext()
        _ = flow.begin(context, now: 0)
        let body = String(decoding: JSONWriter.serialize(.object([("id", .string(id)), ("status", .string("submitted"))])).utf8, as: UTF8.self)
        #expect(Self.finished(flow.handle(Self.reply(202, body, at: 1), context))?.failure == .protocolError)
    }

    static func mcp(sessions: Int? = nil) throws -> (MCPFlow, MCPSessionPool) {
        let scenario = try scenario("""
        {"name": "m", "target": "http://127.0.0.1:9", "load": {"vus": 1, "iterations": 1},
         "steps": [{"name": "echo", "mcp": {"call": "tools/call", "tool": "echo", "arguments": {"text": "vu ${vu}"}}}]}
        """)
        guard case let .mcp(call) = scenario.steps[0].kind else { throw FlowTestError.notMCP }
        let pool = MCPSessionPool(settings: scenario.mcp, worker: 0, workers: 1, slots: 1)
        return (MCPFlow(step: scenario.steps[0], call: call, pool: pool), pool)
    }

    @Test("an MCP call opens its session (initialize, initialized), restarts the call's clock, then judges the reply")
    func mcpHandshakeThenCall() throws {
        let (flow, pool) = try Self.mcp()
        let context = CannedContext()
        let initialize = Self.request(flow.begin(context, now: 0))
        let initializeText = Self.text(initialize?.body ?? [])
        #expect(initializeText.contains("\"method\":\"initialize\""))
        var reply = Self.reply(200, #"{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-06-18","capabilities":{}}}"#, at: 5_000_000)
        reply.headers["mcp-session-id"] = "s-1"
        let initialized = Self.request(flow.handle(reply, context))
        #expect(initialized?.headers.contains("Mcp-Session-Id: s-1") == true)
        #expect(initialized?.headers.contains("MCP-Protocol-Version: 2025-06-18") == true)
        let call = Self.request(flow.handle(Self.reply(202, "", at: 8_000_000), context))
        let body = Self.text(call?.body ?? [])
        #expect(body.contains("\"method\":\"tools/call\"") && body.contains("vu 1"))
        #expect(context.clockRestartedAt == 8_000_000, "the handshake is not the call's latency")
        #expect(context.phases.map(\.name) == ["mcp.initialize"])
        #expect(pool.sessions[0].state == .ready)
        let sse = "event: message\r\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{}}\r\n\r\n"
            + "event: message\r\ndata: {\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"content\":[],\"isError\":true}}\r\n\r\n"
        let result = Self.finished(flow.handle(Self.reply(200, sse, contentType: "text/event-stream", at: 20_000_000), context))
        #expect(result?.failure == .toolError)
        #expect(context.counts[.progressNotifications] == 1)
    }

    @Test("an MCP 404 on the call re-initializes once; a second 404 fails the call")
    func mcpExpiredSession() throws {
        let (flow, pool) = try Self.mcp()
        let context = CannedContext()
        pool.sessions[0].state = .ready
        pool.sessions[0].id = "old"
        _ = flow.begin(context, now: 0)
        let reinitialize = Self.request(flow.handle(Self.reply(404, "", at: 1), context))
        let reinitializeText = Self.text(reinitialize?.body ?? [])
        #expect(reinitializeText.contains("initialize"))
        #expect(context.counts[.sessionExpired] == 1)
        var ok = Self.reply(200, #"{"jsonrpc":"2.0","id":2,"result":{"protocolVersion":"2025-11-25"}}"#, at: 2)
        ok.headers["mcp-session-id"] = "new"
        _ = flow.handle(ok, context)
        _ = flow.handle(Self.reply(202, "", at: 3), context)
        #expect(Self.finished(flow.handle(Self.reply(404, "", at: 4), context))?.failure == .unexpectedStatus)
        #expect(context.counts[.sessionExpired] == 1)
    }

    @Test("an A2A message whose task completes at once finishes without polling; a failed task is task-failed")
    func a2aStates() throws {
        let scenario = try Self.scenario("""
        {"name": "a", "target": "http://127.0.0.1:9", "a2a": {"version": "1.0", "endpoint": "/rpc"}, "load": {"vus": 1, "iterations": 1},
         "steps": [{"name": "ask", "a2a": {"send": "hello ${vu}", "pollInterval": "20ms"}}]}
        """)
        guard case let .a2a(send) = scenario.steps[0].kind else { Issue.record("not a2a"); return }
        let agent = A2AAgent(endpointURL: "http://127.0.0.1:9/rpc", version: "1.0")
        let context = CannedContext()
        let flow = A2AFlow(step: scenario.steps[0], send: send, agent: agent)
        let sent = Self.request(flow.begin(context, now: 0))
        #expect(sent?.headers.contains("A2A-Version: 1.0") == true)
        let sentText = Self.text(sent?.body ?? [])
        #expect(sentText.contains("hello 1"))
        let working = flow.handle(Self.reply(200, #"{"jsonrpc":"2.0","id":1,"result":{"task":{"id":"t1","status":{"state":"TASK_STATE_WORKING"}}}}"#, at: 1_000_000), context)
        guard case let .sleep(_, poll) = working else { Issue.record("expected a poll, got \(working)"); return }
        #expect(Self.text(poll.body ?? []).contains("GetTask"))
        let failed = flow.handle(Self.reply(200, #"{"jsonrpc":"2.0","id":2,"result":{"id":"t1","status":{"state":"TASK_STATE_FAILED"}}}"#, at: 30_000_000), context)
        #expect(Self.finished(failed)?.failure == .taskFailed)

        let direct = A2AFlow(step: scenario.steps[0], send: send, agent: agent)
        _ = direct.begin(context, now: 0)
        let completed = direct.handle(Self.reply(200, #"{"jsonrpc":"2.0","id":1,"result":{"task":{"id":"t2","status":{"state":"TASK_STATE_COMPLETED"}}}}"#, at: 1), context)
        #expect(Self.finished(completed)?.failure == nil)
    }

    @Test("an A2A stream with one event over the step's maxEventBytes fails as body-too-large with its size; within the limit it completes")
    func a2aStreamEventLimit() throws {
        let scenario = try Self.scenario("""
        {"name": "a", "target": "http://127.0.0.1:9", "a2a": {"version": "1.0", "endpoint": "/rpc"}, "load": {"vus": 1, "iterations": 1},
         "steps": [{"name": "ask", "maxEventBytes": 200, "a2a": {"send": "hello", "stream": true}}]}
        """)
        guard case let .a2a(send) = scenario.steps[0].kind else { Issue.record("not a2a"); return }
        let agent = A2AAgent(endpointURL: "http://127.0.0.1:9/rpc", version: "1.0")
        let done = #"data: {"jsonrpc":"2.0","id":1,"result":{"task":{"id":"t1","status":{"state":"TASK_STATE_COMPLETED"}}}}"#
        let big = #"data: {"jsonrpc":"2.0","id":1,"result":{"statusUpdate":{"taskId":"t1","status":{"state":"TASK_STATE_WORKING"},"note":""#
            + String(repeating: "x", count: 300) + #""}}}"#
        for (body, failure) in [(done + "\n\n", nil), (big + "\n\n" + done + "\n\n", FailureClass.bodyTooLarge)] {
            let context = CannedContext()
            let flow = A2AFlow(step: scenario.steps[0], send: send, agent: agent)
            _ = flow.begin(context, now: 0)
            let result = Self.finished(flow.handle(Self.reply(200, body, contentType: "text/event-stream", at: 1_000_000), context))
            #expect(result != nil)
            #expect(result?.failure == failure)
            if failure != nil { #expect(result?.message?.contains("SSE event of \(big.utf8.count) bytes larger than maxEventBytes 200") == true, "\(result?.message ?? "")") }
        }
    }
}
