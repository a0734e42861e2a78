import Foundation

/// The built-in demo target: impersonates the platform under test on loopback so LoadGate can
/// show its whole job with nothing to point it at, and so tests can prove the gate fails when the
/// target misbehaves. Health endpoints, Prometheus metrics with the platform's families, an MCP
/// Streamable HTTP server (session era, JSON or SSE; tools echo, sleep_ms, fail), the
/// orchestrator's workflow API and an A2A 1.0 agent (SendMessage, GetTask).
public final class DemoTarget: @unchecked Sendable {
    public let server: LoopbackHTTPServer
    public var port: Int { server.port }
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    private let state: State

    public init(host: String = "127.0.0.1", port: Int = 0, faults: FaultProfile = FaultProfile(), mcpSSE: Bool = false,
                workflowDurationNanos: Int64 = 200_000_000) throws(LoopbackHTTPServer.StartError) {
        let state = State(faults: faults, mcpSSE: mcpSSE, workflowDurationNanos: workflowDurationNanos)
        self.state = state
        server = try LoopbackHTTPServer(host: host, port: port) { request in state.handle(request) }
        state.baseURL = "http://\(host):\(server.port)"
    }

    public func stop() { server.stop() }

    final class State: @unchecked Sendable {
        let faults: FaultProfile
        let mcpSSE: Bool
        let workflowDurationNanos: Int64
        let startNanos = MonotonicClock.nowNanos()
        var baseURL = ""
        private let lock = NSLock()
        private var sessions: Set<String> = []
        private var workflows: [String: Int64] = [:]
        private var tasks: [String: String] = [:]
        private var requests = 0
        private var errors = 0
        private var responseBuckets = [Int](repeating: 0, count: 7)
        private var responseSum = 0.0

        static let live = LoopbackHTTPServer.Response.json(200, #"{"status":"ok"}"#)
        static let ready = LoopbackHTTPServer.Response.json(200, #"{"status":"ready"}"#)
        static let apiHealth = LoopbackHTTPServer.Response.json(200, #"{"status":"healthy","service":"loadgate-demo-target"}"#)
        static let failure = LoopbackHTTPServer.Response.json(500, #"{"error":"injected failure"}"#)

        init(faults: FaultProfile, mcpSSE: Bool, workflowDurationNanos: Int64) {
            self.faults = faults
            self.mcpSSE = mcpSSE
            self.workflowDurationNanos = workflowDurationNanos
        }

        func handle(_ request: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Response {
            let started = MonotonicClock.nowNanos()
            let delay = faults.delayNanos(elapsed: started - startNanos)
            if delay > 0 { usleep(UInt32(min(delay / 1_000, 60_000_000))) }
            let injectFailure = faults.errorRate > 0 && Double.random(in: 0..<1) < faults.errorRate && request.path != "/metrics"
            let response = injectFailure ? Self.failure : route(request)
            let seconds = Double(MonotonicClock.nowNanos() - started) / 1e9
            lock.withLock {
                requests += 1
                if response.status >= 500 { errors += 1 }
                responseSum += seconds
                for (index, bound) in [0.1, 0.5, 1, 2, 5, 10].enumerated() where seconds <= bound { responseBuckets[index] += 1 }
                responseBuckets[6] += 1
            }
            return response
        }

        func route(_ request: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Response {
            switch (request.method, request.path) {
            case ("GET", "/health/live"): return Self.live
            case ("GET", "/health/ready"): return Self.ready
            case ("GET", "/api/v1/health"): return Self.apiHealth
            case ("GET", "/metrics"): return metrics()
            case (_, "/mcp"): return mcp(request)
            case ("POST", "/api/v1/workflows"): return submitWorkflow(request)
            case ("GET", _) where request.path.hasPrefix("/api/v1/workflows/"): return workflowStatus(String(request.path.dropFirst("/api/v1/workflows/".count)))
            case ("GET", "/.well-known/agent-card.json"): return agentCard()
            case ("POST", "/a2a"): return a2a(request)
            default: return .json(404, #"{"error":"not found"}"#)
            }
        }

        // MARK: Prometheus

        func metrics() -> LoopbackHTTPServer.Response {
            let (count, sum, buckets, failed, active) = lock.withLock { () -> (Int, Double, [Int], Int, Int) in
                let now = MonotonicClock.nowNanos()
                return (requests, responseSum, responseBuckets, errors, workflows.values.filter { now - $0 < workflowDurationNanos }.count)
            }
            var text = "# HELP bmw_agent_response_seconds Agent response time.\n# TYPE bmw_agent_response_seconds histogram\n"
            for (index, bound) in ["0.1", "0.5", "1", "2", "5", "10", "+Inf"].enumerated() {
                text += "bmw_agent_response_seconds_bucket{agent_type=\"demo\",operation=\"http\",le=\"\(bound)\"} \(buckets[index])\n"
            }
            text += "bmw_agent_response_seconds_sum{agent_type=\"demo\",operation=\"http\"} \(sum)\n"
            text += "bmw_agent_response_seconds_count{agent_type=\"demo\",operation=\"http\"} \(count)\n"
            text += "# TYPE bmw_compliance_checks_total counter\n"
            text += "bmw_compliance_checks_total{check_type=\"pii\",status=\"passed\",severity=\"high\"} \(count - failed)\n"
            text += "bmw_compliance_checks_total{check_type=\"pii\",status=\"failed\",severity=\"high\"} \(failed)\n"
            text += "# TYPE bmw_security_events_total counter\nbmw_security_events_total{event_type=\"auth_failure\",severity=\"low\",source=\"demo\"} 0\n"
            text += "# TYPE bmw_active_workflows gauge\nbmw_active_workflows{workflow_type=\"document_analysis\",priority=\"normal\"} \(active)\n"
            text += "# TYPE bmw_resource_cost_euros gauge\nbmw_resource_cost_euros{resource_type=\"llm_tokens\",cost_center=\"demo\"} \(Double(count) * 0.0001)\n"
            return LoopbackHTTPServer.Response(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4")], body: Array(text.utf8))
        }

        // MARK: MCP (session era)

        func mcp(_ request: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Response {
            let session = request.headers["mcp-session-id"]
            if request.method == "DELETE" {
                guard let session, lock.withLock({ sessions.remove(session) }) != nil else { return .json(404, #"{"error":"unknown session"}"#) }
                return LoopbackHTTPServer.Response(status: 200)
            }
            guard request.method == "POST" else { return LoopbackHTTPServer.Response(status: 405) }
            let accept = request.headers["accept"] ?? ""
            guard accept.contains("application/json"), accept.contains("text/event-stream") else {
                return .json(406, #"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Not Acceptable: accept application/json and text/event-stream"}}"#)
            }
            guard let message = try? JSONParser.parse(request.body), case let .string(method)? = message["method"] else {
                return .json(400, #"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}"#)
            }
            let id = message["id"] ?? .null
            if method == "initialize" {
                let newSession = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
                lock.withLock { _ = sessions.insert(newSession) }
                var version = MCPSettings.latestSessionVersion
                if case let .string(requested)? = message.resolve(pointer: "/params/protocolVersion"), MCPSettings.sessionVersions.contains(requested) { version = requested }
                let result = #"{"protocolVersion":"\#(version)","capabilities":{"tools":{"listChanged":false}},"serverInfo":{"name":"loadgate-demo-target","version":"\#(LoadGateVersion.current)"}}"#
                return reply(id: id, result: result, headers: [("Mcp-Session-Id", newSession)])
            }
            guard let session else { return .json(400, #"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Bad Request: missing session"}}"#) }
            guard lock.withLock({ sessions.contains(session) }) else { return .json(404, #"{"jsonrpc":"2.0","id":null,"error":{"code":-32001,"message":"Session not found"}}"#) }
            if id == .null { return LoopbackHTTPServer.Response(status: 202) }  // a notification
            switch method {
            case "ping": return reply(id: id, result: "{}")
            case "tools/list":
                return reply(id: id, result: #"{"tools":[{"name":"echo","description":"Returns its text","inputSchema":{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}},{"name":"sleep_ms","description":"Sleeps ms milliseconds","inputSchema":{"type":"object","properties":{"ms":{"type":"integer"}},"required":["ms"]}},{"name":"fail","description":"Always fails","inputSchema":{"type":"object","properties":{}}}]}"#)
            case "tools/call":
                guard case let .string(tool)? = message.resolve(pointer: "/params/name") else { return error(id: id, code: -32602, message: "Invalid params") }
                switch tool {
                case "echo":
                    var text = ""
                    if case let .string(value)? = message.resolve(pointer: "/params/arguments/text") { text = value }
                    var escaped = ""
                    JSONWriter.writeString(text, into: &escaped)
                    return reply(id: id, result: #"{"content":[{"type":"text","text":\#(escaped)}],"isError":false}"#)
                case "sleep_ms":
                    // Clamped before any conversion: a client's `1e+300` must not crash the target.
                    let requested = message.resolve(pointer: "/params/arguments/ms")?.numberValue ?? 0
                    let milliseconds = max(0, min(requested, 60_000))
                    usleep(UInt32(milliseconds * 1_000))
                    return reply(id: id, result: #"{"content":[{"type":"text","text":"slept \#(Int(milliseconds)) ms"}],"isError":false}"#)
                case "fail":
                    return reply(id: id, result: #"{"content":[{"type":"text","text":"Error executing tool fail"}],"isError":true}"#)
                default:
                    return reply(id: id, result: #"{"content":[{"type":"text","text":"Unknown tool"}],"isError":true}"#)
                }
            default:
                return error(id: id, code: -32601, message: "Method not found")
            }
        }

        private func reply(id: JSONValue, result: String, headers: [(String, String)] = []) -> LoopbackHTTPServer.Response {
            let message = #"{"jsonrpc":"2.0","id":\#(JSONWriter.serialize(id, pretty: false)),"result":\#(result)}"#
            return frame(message, headers: headers)
        }

        private func error(id: JSONValue, code: Int, message text: String) -> LoopbackHTTPServer.Response {
            frame(#"{"jsonrpc":"2.0","id":\#(JSONWriter.serialize(id, pretty: false)),"error":{"code":\#(code),"message":"\#(text)"}}"#, headers: [])
        }

        private func frame(_ message: String, headers: [(String, String)]) -> LoopbackHTTPServer.Response {
            if mcpSSE {
                return LoopbackHTTPServer.Response(status: 200, headers: [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")] + headers,
                                                   body: Array("event: message\r\ndata: \(message)\r\n\r\n".utf8))
            }
            return .json(200, message, headers: headers)
        }

        // MARK: Orchestrator workflows

        func submitWorkflow(_ request: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Response {
            guard (try? JSONParser.parse(request.body)) != nil else { return .json(400, #"{"error":"invalid JSON"}"#) }
            let id = UUID().uuidString.lowercased()
            lock.withLock { workflows[id] = MonotonicClock.nowNanos() }
            return .json(202, #"{"id":"\#(id)","status":"submitted"}"#)
        }

        func workflowStatus(_ id: String) -> LoopbackHTTPServer.Response {
            guard let created = lock.withLock({ workflows[id] }) else { return .json(404, #"{"error":"unknown workflow"}"#) }
            let done = MonotonicClock.nowNanos() - created >= workflowDurationNanos
            return .json(200, #"{"id":"\#(id)","status":"\#(done ? "completed" : "running")"}"#)
        }

        // MARK: A2A 1.0

        func agentCard() -> LoopbackHTTPServer.Response {
            .json(200, #"{"name":"loadgate-demo-agent","description":"Demo agent of the LoadGate target","version":"1.0.0","supportedInterfaces":[{"url":"\#(baseURL)/a2a","protocolBinding":"JSONRPC","protocolVersion":"1.0"}],"capabilities":{"streaming":false},"defaultInputModes":["text/plain"],"defaultOutputModes":["text/plain"],"skills":[{"id":"summarize","name":"summarize","description":"Summarizes a document","tags":["demo"]}]}"#)
        }

        func a2a(_ request: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Response {
            guard let message = try? JSONParser.parse(request.body), case let .string(method)? = message["method"] else {
                return .json(200, #"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}"#)
            }
            let id = JSONWriter.serialize(message["id"] ?? .null, pretty: false)
            guard request.headers["a2a-version"] == "1.0" else {
                return .json(200, #"{"jsonrpc":"2.0","id":\#(id),"error":{"code":-32009,"message":"A2A-Version 1.0 required"}}"#)
            }
            switch method {
            case "SendMessage":
                let taskID = UUID().uuidString.lowercased()
                let task = #"{"id":"\#(taskID)","contextId":"\#(UUID().uuidString.lowercased())","status":{"state":"TASK_STATE_COMPLETED"},"artifacts":[{"artifactId":"a1","parts":[{"text":"summary ready"}]}]}"#
                lock.withLock { tasks[taskID] = task }
                return .json(200, #"{"jsonrpc":"2.0","id":\#(id),"result":{"task":\#(task)}}"#)
            case "GetTask":
                guard case let .string(taskID)? = message.resolve(pointer: "/params/id"), let task = lock.withLock({ tasks[taskID] }) else {
                    return .json(200, #"{"jsonrpc":"2.0","id":\#(id),"error":{"code":-32001,"message":"Task not found"}}"#)
                }
                return .json(200, #"{"jsonrpc":"2.0","id":\#(id),"result":{"task":\#(task)}}"#)
            default:
                return .json(200, #"{"jsonrpc":"2.0","id":\#(id),"error":{"code":-32601,"message":"Method not found"}}"#)
            }
        }
    }
}
