import Foundation

/// One MCP request under load, done right: a session-era step opens (or joins) its virtual user's
/// session with `initialize` + `notifications/initialized` (timed as `mcp.initialize`, never in the
/// call's latency), sends the call with a fresh id and the session headers, re-initializes once on
/// 404, and judges the JSON-RPC reply found in a JSON or SSE body. A stateless-era (2026-07-28)
/// step sends `Mcp-Method`/`Mcp-Name` headers and `params._meta` instead of a handshake.
final class MCPFlow: StepFlow {
    private enum Phase { case initialize, initialized, call }

    private let call: MCPCall
    private let step: Step
    private let pool: MCPSessionPool
    private var phase = Phase.call
    private var requestID: Int64 = 0
    private var handshakeStart: Int64 = 0
    private var usedSessionID: String?
    private var retried = false
    private var statelessCounter: Int64 = 0

    init(step: Step, call: MCPCall, pool: MCPSessionPool) {
        self.step = step
        self.call = call
        self.pool = pool
    }

    func begin(_ context: FlowContext, now: Int64) -> FlowAction {
        retried = false
        return proceed(context, now: now)
    }

    func resume(_ context: FlowContext, now: Int64) -> FlowAction { proceed(context, now: now) }

    private func proceed(_ context: FlowContext, now: Int64) -> FlowAction {
        if pool.settings.isStateless { return .send(statelessCall(context)) }
        let session = pool.session(forSlot: context.slotIndex)
        switch session.state {
        case .ready:
            return .send(sessionCall(context, session: session))
        case .initializing:
            session.waiters.append(context.slotIndex)
            return .park
        case .none:
            session.state = .initializing
            phase = .initialize
            handshakeStart = now
            requestID = session.takeRequestID()
            var params = "{\"protocolVersion\":"
            JSONWriter.writeString(pool.settings.protocolVersion, into: &params)
            params += ",\"capabilities\":{},\"clientInfo\":{\"name\":\"loadgate\",\"version\":\"\(LoadGateVersion.current)\"}}"
            return .send(ExchangeRequest(method: "POST", url: pool.settings.endpointURL, headers: baseHeaders(context),
                                         body: JSONRPC.request(id: requestID, method: "initialize", paramsJSON: params)))
        }
    }

    func handle(_ response: ExchangeResponse, _ context: FlowContext) -> FlowAction {
        let session = pool.session(forSlot: context.slotIndex)
        switch phase {
        case .initialize:
            if let failure = response.statusFailure(expected: [200]) { return handshakeFailed(failure, session: session, response: response, context: context) }
            let (reply, _) = JSONRPC.reply(to: requestID, in: response, maxEventBytes: step.maxEventBytes)
            guard case let .result(result, _) = reply else {
                if case .error = reply { return handshakeFailed(.jsonrpc, session: session, response: response, context: context) }
                if case .eventTooLarge = reply { return handshakeFailed(.bodyTooLarge, session: session, response: response, context: context) }
                return handshakeFailed(.protocolError, session: session, response: response, context: context)
            }
            if case let .string(version)? = result["protocolVersion"] { session.negotiatedVersion = version }
            session.id = response.headers["mcp-session-id"]
            if session.id == nil { context.count(.sessionsWithoutID, by: 1) }
            phase = .initialized
            var headers = baseHeaders(context)
            appendSessionHeaders(&headers, session: session)
            return .send(ExchangeRequest(method: "POST", url: pool.settings.endpointURL, headers: headers,
                                         body: JSONRPC.notification(method: "notifications/initialized")))
        case .initialized:
            if let failure = response.statusFailure(expected: [200, 202, 204]) {
                return handshakeFailed(failure, session: session, response: response, context: context)
            }
            session.state = .ready
            session.created += 1
            context.count(.sessionsCreated, by: 1)
            context.recordPhase(MCPCall.handshakeMetric, latencyNanos: response.doneNanos - handshakeStart, failure: nil)
            for waiter in session.waiters { context.wake(slot: waiter) }
            session.waiters.removeAll()
            context.restartStepClock(atNanos: response.doneNanos)
            return .send(sessionCall(context, session: session))
        case .call:
            if response.status == 404, !pool.settings.isStateless, !retried {
                // The server forgot the session (expired or ended): re-initialize once.
                context.count(.sessionExpired, by: 1)
                retried = true
                if session.id == usedSessionID { session.reset() }
                return proceed(context, now: response.doneNanos)
            }
            if let failure = response.statusFailure(expected: [200]) { return .finish(FlowResult(failure: failure)) }
            let (reply, notifications) = JSONRPC.reply(to: requestID, in: response, maxEventBytes: step.maxEventBytes)
            if notifications.progress > 0 { context.count(.progressNotifications, by: Int64(notifications.progress)) }
            if notifications.log > 0 { context.count(.logMessages, by: Int64(notifications.log)) }
            if notifications.other > 0 { context.count(.otherNotifications, by: Int64(notifications.other)) }
            if response.firstBodyNanos > 0 { context.recordFirstEvent(latencyNanos: response.firstBodyNanos - response.sentNanos) }
            switch reply {
            case .missing:
                return .finish(FlowResult(failure: .protocolError))
            case let .eventTooLarge(bytes):
                return .finish(.eventTooLarge(bytes: bytes, step: step))
            case .error:
                return .finish(FlowResult(failure: call.expectError ? nil : .jsonrpc))
            case let .result(result, message):
                let isError = result["isError"] == .bool(true)
                if isError != call.expectError {
                    return .finish(FlowResult(failure: isError ? .toolError : .expectation, document: message))
                }
                return .finish(FlowResult(failure: nil, document: message))
            }
        }
    }

    private func handshakeFailed(_ failure: FailureClass, session: MCPSession, response: ExchangeResponse, context: FlowContext) -> FlowAction {
        context.recordPhase(MCPCall.handshakeMetric, latencyNanos: response.doneNanos - handshakeStart, failure: failure)
        session.reset()
        // Parked slots try the handshake themselves when they resume.
        for waiter in session.waiters { context.wake(slot: waiter) }
        session.waiters.removeAll()
        return .finish(FlowResult(failure: failure))
    }

    private func baseHeaders(_ context: FlowContext) -> [String] {
        var headers = ["Content-Type: application/json", "Accept: application/json, text/event-stream"]
        for header in step.headers where header.name.lowercased() != "content-type" && header.name.lowercased() != "accept" {
            headers.append("\(header.name): \(header.value.render(vu: context.vu, iteration: context.iteration, captured: context.captured))")
        }
        return headers
    }

    private func appendSessionHeaders(_ headers: inout [String], session: MCPSession) {
        if let id = session.id { headers.append("Mcp-Session-Id: \(id)") }
        headers.append("MCP-Protocol-Version: \(session.negotiatedVersion)")
    }

    private func sessionCall(_ context: FlowContext, session: MCPSession) -> ExchangeRequest {
        phase = .call
        requestID = session.takeRequestID()
        usedSessionID = session.id
        var headers = baseHeaders(context)
        appendSessionHeaders(&headers, session: session)
        let params = call.method == "ping" && call.params.segments == [.literal("{}")] ? nil : renderParams(context)
        return ExchangeRequest(method: "POST", url: pool.settings.endpointURL, headers: headers,
                               body: JSONRPC.request(id: requestID, method: call.method, paramsJSON: params))
    }

    private func statelessCall(_ context: FlowContext) -> ExchangeRequest {
        phase = .call
        statelessCounter += 1
        requestID = statelessCounter
        var headers = baseHeaders(context)
        headers.append("MCP-Protocol-Version: \(MCPSettings.statelessVersion)")
        headers.append("Mcp-Method: \(call.method)")
        if let name = call.name { headers.append("Mcp-Name: \(name)") }
        var params = renderParams(context)
        let meta = "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"\(MCPSettings.statelessVersion)\",\"io.modelcontextprotocol/clientInfo\":{\"name\":\"loadgate\",\"version\":\"\(LoadGateVersion.current)\"},\"io.modelcontextprotocol/clientCapabilities\":{}}"
        params = params == "{}" ? "{\(meta)}" : String(params.dropLast()) + ",\(meta)}"
        return ExchangeRequest(method: "POST", url: pool.settings.endpointURL, headers: headers,
                               body: JSONRPC.request(id: requestID, method: call.method, paramsJSON: params))
    }

    /// The call's params; a tools/call asks for progress notifications (a progress token) so that
    /// servers that report progress stream them and they are counted.
    private func renderParams(_ context: FlowContext) -> String {
        let params = call.params.render(vu: context.vu, iteration: context.iteration, captured: context.captured)
        guard call.method == "tools/call", !pool.settings.isStateless else { return params }
        let token = "\"_meta\":{\"progressToken\":\"loadgate-\(context.vu)-\(requestID)\"}"
        return params == "{}" ? "{\(token)}" : String(params.dropLast()) + ",\(token)}"
    }
}
