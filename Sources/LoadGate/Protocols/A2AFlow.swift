import Foundation

/// The agent an A2A step talks to, resolved once before the run from its agent card.
public struct A2AAgent: Sendable, Equatable {
    public var endpointURL: String
    /// "1.0" (`SendMessage`, header `A2A-Version: 1.0`) or "0.3" (`message/send`).
    public var version: String
}

/// Sends a message to an A2A agent and waits for the awaited terminal state: a task not yet final
/// is polled with `GetTask`/`tasks/get`; the streaming variant reads the SSE stream to the final
/// state. The step's latency is the end-to-end completion time; `<step>.submit` times the send
/// alone and `<step>.first_event` the first streamed event. A2A errors arrive as HTTP 200 with a
/// JSON-RPC error, so the body is judged, not the status.
final class A2AFlow: StepFlow {
    private let step: Step
    private let send: A2ASend
    private let agent: A2AAgent
    private var submitted = false
    private var deadline: Int64 = 0
    private var requestID: Int64 = 0
    private var taskID = ""

    init(step: Step, send: A2ASend, agent: A2AAgent) {
        self.step = step
        self.send = send
        self.agent = agent
    }

    private var isV1: Bool { agent.version == "1.0" }

    func begin(_ context: FlowContext, now: Int64) -> FlowAction {
        submitted = false
        submitRecorded = false
        awaitingPoll = false
        taskID = ""
        deadline = now + send.timeoutNanos
        requestID += 1
        let text = send.text.render(vu: context.vu, iteration: context.iteration, captured: context.captured)
        var textJSON = ""
        JSONWriter.writeString(text, into: &textJSON)
        let messageID = UUID().uuidString.lowercased()
        let params: String
        let method: String
        if isV1 {
            method = send.stream ? "SendStreamingMessage" : "SendMessage"
            let configuration = send.returnImmediately ? ",\"configuration\":{\"returnImmediately\":true}" : ""
            params = "{\"message\":{\"messageId\":\"\(messageID)\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\(textJSON)}]}\(configuration)}"
        } else {
            method = send.stream ? "message/stream" : "message/send"
            let configuration = send.returnImmediately ? ",\"configuration\":{\"blocking\":false}" : ""
            params = "{\"message\":{\"kind\":\"message\",\"messageId\":\"\(messageID)\",\"role\":\"user\",\"parts\":[{\"kind\":\"text\",\"text\":\(textJSON)}]}\(configuration)}"
        }
        return .send(request(context, method: method, params: params))
    }

    func handle(_ response: ExchangeResponse, _ context: FlowContext) -> FlowAction {
        var failure = response.statusFailure(expected: [200])
        // A stream that had begun and was cut by the timeout is unfinished work, not a silent peer.
        if failure == .timeout, send.stream, response.firstBodyNanos > 0 { failure = .incomplete }
        if !submitted {
            submitted = true
            if send.stream, response.firstBodyNanos > 0 {
                context.recordPhase("\(step.name).first_event", latencyNanos: response.firstBodyNanos - response.sentNanos, failure: nil)
            }
        } else {
            context.count(.polls, by: 1)
        }
        if let failure {
            recordSubmitIfFirst(response, failure: failure, context: context)
            return .finish(FlowResult(failure: failure))
        }
        if send.stream, response.isEventStream, !awaitingPoll {
            return handleStream(response, context)
        }
        let (reply, _) = JSONRPC.reply(to: requestID, in: response, maxEventBytes: step.maxEventBytes)
        switch reply {
        case .missing:
            recordSubmitIfFirst(response, failure: .protocolError, context: context)
            return .finish(FlowResult(failure: .protocolError))
        case let .eventTooLarge(bytes):
            recordSubmitIfFirst(response, failure: .bodyTooLarge, context: context)
            return .finish(.eventTooLarge(bytes: bytes, step: step))
        case .error:
            recordSubmitIfFirst(response, failure: .jsonrpc, context: context)
            return .finish(FlowResult(failure: .jsonrpc))
        case let .result(result, _):
            recordSubmitIfFirst(response, failure: nil, context: context)
            return judge(result, context: context, now: response.doneNanos)
        }
    }

    private var submitRecorded = false
    private var awaitingPoll = false

    private func recordSubmitIfFirst(_ response: ExchangeResponse, failure: FailureClass?, context: FlowContext) {
        guard !submitRecorded else { return }
        submitRecorded = true
        context.recordPhase("\(step.name).submit", latencyNanos: response.doneNanos - response.sentNanos, failure: failure)
    }

    private func handleStream(_ response: ExchangeResponse, _ context: FlowContext) -> FlowAction {
        recordSubmitIfFirst(response, failure: nil, context: context)
        var last: JSONValue?
        var events: Int64 = 0
        let parsed = ServerSentEvents.parse(response.body, maxEventBytes: step.maxEventBytes)
        if let oversized = parsed.oversizedEventBytes { return .finish(.eventTooLarge(bytes: oversized, step: step)) }
        for payload in parsed.payloads {
            guard let message = try? JSONParser.parse(payload) else { continue }
            events += 1
            if message["error"] != nil { return .finish(FlowResult(failure: .jsonrpc, document: message)) }
            if let result = message["result"] { last = result }
        }
        context.count(.events, by: events)
        guard let last else { return .finish(FlowResult(failure: .protocolError)) }
        return judge(last, context: context, now: response.doneNanos)
    }

    /// Decides from a result (task, message or stream update) whether the step is over.
    private func judge(_ result: JSONValue, context: FlowContext, now: Int64) -> FlowAction {
        let unwrapped = result["task"] ?? result["message"] ?? result["statusUpdate"] ?? result["artifactUpdate"] ?? result
        let isMessage = result["message"] != nil || unwrapped["kind"] == .string("message")
            || (unwrapped["messageId"] != nil && unwrapped["status"] == nil)
        if isMessage {
            // A direct message reply is the agent's final answer.
            return .finish(FlowResult(failure: send.awaitState == "completed" ? nil : .unexpectedStatus, document: unwrapped))
        }
        guard case let .string(rawState)? = unwrapped.resolve(pointer: "/status/state") else {
            return .finish(FlowResult(failure: .protocolError, document: unwrapped))
        }
        let state = Self.normalize(rawState)
        if case let .string(id)? = unwrapped["id"] { taskID = id } else if case let .string(id)? = unwrapped["taskId"] { taskID = id }
        if state == send.awaitState { return .finish(FlowResult(failure: nil, document: unwrapped)) }
        if let failure = Self.terminalFailure(state) { return .finish(FlowResult(failure: failure, document: unwrapped)) }
        // Still not final at the await timeout: unfinished work. Without a task id it cannot be polled.
        if now >= deadline { return .finish(FlowResult(failure: .incomplete, document: unwrapped)) }
        if taskID.isEmpty { return .finish(FlowResult(failure: .protocolError, document: unwrapped)) }
        awaitingPoll = true
        requestID += 1
        let params = "{\"id\":\"\(taskID)\"}"
        return .sleep(untilNanos: min(now + send.pollIntervalNanos, deadline),
                      then: request(context, method: isV1 ? "GetTask" : "tasks/get", params: params))
    }

    private func request(_ context: FlowContext, method: String, params: String) -> ExchangeRequest {
        var headers = ["Content-Type: application/json", "Accept: application/json, text/event-stream"]
        if isV1 { headers.append("A2A-Version: 1.0") }
        for header in step.headers where header.name.lowercased() != "content-type" && header.name.lowercased() != "accept" {
            headers.append("\(header.name): \(header.value.render(vu: context.vu, iteration: context.iteration, captured: context.captured))")
        }
        return ExchangeRequest(method: "POST", url: agent.endpointURL, headers: headers,
                               body: JSONRPC.request(id: requestID, method: method, paramsJSON: params))
    }

    /// `TASK_STATE_INPUT_REQUIRED` (1.0) and `input-required` (0.3) both become `input-required`.
    static func normalize(_ state: String) -> String {
        guard state.hasPrefix("TASK_STATE_") else { return state.lowercased() }
        return state.dropFirst("TASK_STATE_".count).lowercased().replacingOccurrences(of: "_", with: "-")
            .replacingOccurrences(of: "cancelled", with: "canceled")
    }

    static func terminalFailure(_ state: String) -> FailureClass? {
        switch state {
        case "failed", "error": return .taskFailed
        case "canceled", "cancelled": return .taskCanceled
        case "rejected": return .taskRejected
        case "input-required": return .taskInputRequired
        case "auth-required": return .taskAuthRequired
        default: return nil
        }
    }
}
