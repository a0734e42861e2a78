import Testing
@testable import LoadGate

@Suite("SSE and JSON-RPC parsing")
struct ProtocolParsingTests {
    static func response(_ body: String, contentType: String) -> ExchangeResponse {
        ExchangeResponse(transportFailure: nil, status: 200, headers: ["content-type": contentType], body: Array(body.utf8),
                         sentNanos: 0, firstBodyNanos: 0, doneNanos: 0)
    }

    @Test("SSE events split on blank lines with CRLF, LF or CR; multi-line data joins; comments are skipped")
    func sseParsing() {
        let body = "event: message\r\ndata: {\"a\":1}\r\n\r\n: keep-alive\n\ndata: line1\ndata: line2\n\nevent: message\rdata: {\"b\":2}\r\rdata: tail"
        #expect(ServerSentEvents.dataPayloads(Array(body.utf8)) == ["{\"a\":1}", "line1\nline2", "{\"b\":2}", "tail"])
    }

    @Test("an SSE event over maxEventBytes stops the parse with its size; one at the limit is kept; the limit is per event, not per body")
    func sseEventLimit() {
        // "data: " + 10 bytes = a 16-byte event.
        let body = Array("data: 0123456789\r\n\r\ndata: abcdefghij\n\ndata: tail".utf8)
        let atLimit = ServerSentEvents.parse(body, maxEventBytes: 16)
        #expect(atLimit.payloads == ["0123456789", "abcdefghij", "tail"], "\(atLimit.payloads)")
        #expect(atLimit.oversizedEventBytes == nil)
        let under = ServerSentEvents.parse(body, maxEventBytes: 15)
        #expect(under.payloads.isEmpty && under.oversizedEventBytes == 16)
        // Two lines make one event of 2 * 16 + 1 bytes; a final event without a blank line is measured too.
        let multiLine = ServerSentEvents.parse(Array("data: 0123456789\ndata: 0123456789\n\ndata: tail".utf8), maxEventBytes: 32)
        #expect(multiLine.payloads.isEmpty && multiLine.oversizedEventBytes == 33)
        let finalEvent = ServerSentEvents.parse(Array("data: 1\n\ndata: 0123456789".utf8), maxEventBytes: 10)
        #expect(finalEvent.payloads == ["1"] && finalEvent.oversizedEventBytes == 16)
        let (reply, _) = JSONRPC.reply(to: 7, in: Self.response("data: {\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{}}\n\n", contentType: "text/event-stream"),
                                       maxEventBytes: 10)
        guard case let .eventTooLarge(bytes) = reply else { Issue.record("not refused: \(reply)"); return }
        #expect(bytes == 42)
    }

    @Test("the reply is the message whose id matches; notifications before it are counted")
    func replyById() {
        let sse = """
        event: message\r
        data: {"jsonrpc":"2.0","method":"notifications/progress","params":{"progress":1}}\r
        \r
        event: message\r
        data: {"jsonrpc":"2.0","id":6,"result":{"other":true}}\r
        \r
        event: message\r
        data: {"jsonrpc":"2.0","id":7,"result":{"content":[],"isError":false}}\r
        \r

        """
        let (reply, notifications) = JSONRPC.reply(to: 7, in: Self.response(sse, contentType: "text/event-stream"))
        #expect(notifications.progress == 1 && notifications.total == 1)
        guard case let .result(result, _) = reply else { Issue.record("no result"); return }
        #expect(result["isError"] == .bool(false))
    }

    @Test("JSON-RPC errors and missing replies are told apart")
    func errorsAndMissing() {
        let error = JSONRPC.reply(to: 3, in: Self.response(#"{"jsonrpc":"2.0","id":3,"error":{"code":-32601,"message":"Method not found"}}"#, contentType: "application/json"))
        guard case let .error(code, message) = error.reply else { Issue.record("expected an error"); return }
        #expect(code == -32601 && message == "Method not found")
        let missing = JSONRPC.reply(to: 4, in: Self.response(#"{"jsonrpc":"2.0","id":3,"result":{}}"#, contentType: "application/json"))
        guard case .missing = missing.reply else { Issue.record("expected missing"); return }
    }

    @Test("A2A task states of both protocol versions normalize to one vocabulary")
    func a2aStates() {
        #expect(A2AFlow.normalize("TASK_STATE_INPUT_REQUIRED") == "input-required")
        #expect(A2AFlow.normalize("TASK_STATE_COMPLETED") == "completed")
        #expect(A2AFlow.normalize("TASK_STATE_CANCELLED") == "canceled")
        #expect(A2AFlow.normalize("completed") == "completed")
        #expect(A2AFlow.terminalFailure("failed") == .taskFailed)
        #expect(A2AFlow.terminalFailure("working") == nil)
    }

    @Test("the agent card decides the protocol: 1.0 interfaces first, the legacy url means 0.3")
    func agentCardChoice() throws {
        let v1 = try JSONParser.parse(#"{"supportedInterfaces":[{"url":"http://127.0.0.1:9/a","protocolBinding":"GRPC"},{"url":"http://127.0.0.1:9/","protocolBinding":"JSONRPC","protocolVersion":"1.0"}]}"#)
        #expect(A2AAgentCard.choose(v1, settings: A2ASettings()) == A2AAgent(endpointURL: "http://127.0.0.1:9/", version: "1.0"))
        let legacy = try JSONParser.parse(#"{"url":"http://127.0.0.1:9/rpc","preferredTransport":"JSONRPC","protocolVersion":"0.3.0"}"#)
        #expect(A2AAgentCard.choose(legacy, settings: A2ASettings()) == A2AAgent(endpointURL: "http://127.0.0.1:9/rpc", version: "0.3"))
        var forced = A2ASettings()
        forced.version = "0.3"
        #expect(A2AAgentCard.choose(v1, settings: forced)?.version == "0.3")
    }

    @Test("protocol steps validate with located errors")
    func protocolValidation() {
        let errors: [String]
        do {
            _ = try ScenarioLoader(environment: [:]).load(bytes: Array("""
            {"name": "p", "target": "http://127.0.0.1:1", "load": {"vus": 1, "duration": "1s"},
             "mcp": {"protocolVersion": "2024-01-01"},
             "steps": [{"name": "a", "mcp": {"call": "tools/cal", "tool": "echo"}},
                       {"name": "b", "request": {"path": "/${captured.nothing}"}},
                       {"name": "c", "request": {"path": "/"}, "mcp": {"call": "ping"}}]}
            """.utf8), file: "p.json")
            errors = []
        } catch {
            errors = error.diagnostics.map(\.description)
        }
        #expect(errors == [
            "p.json: mcp.protocolVersion: expected one of 2025-03-26, 2025-06-18, 2025-11-25, 2026-07-28",
            "p.json: steps[0].mcp.call: unknown call 'tools/cal'; did you mean 'tools/call'?; use \"method\" for anything else",
            "p.json: steps[1]: uses ${captured.nothing}, which no earlier step captures; add \"capture\": {\"nothing\": \"/pointer\"} to an earlier step",
            "p.json: steps[2]: has \"request\" and \"mcp\"; a step does one of request, mcp, a2a or workflow",
        ])
    }
}
