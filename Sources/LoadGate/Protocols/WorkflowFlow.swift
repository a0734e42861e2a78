/// The orchestrator's REST workflow: submit (timed as `<step>.submit`), take the id by JSON Pointer,
/// poll the status URL every `pollInterval` until the state is in `done` (success) or `failed`
/// (failure `workflow-failed`), or the workflow timeout passes while it is still running (failure
/// `incomplete`). The step's own
/// latency is the completion time from submit to final state.
final class WorkflowFlow: StepFlow {
    private let step: Step
    private let spec: WorkflowSpec
    private var submitted = false
    private var deadline: Int64 = 0
    /// The submitted id as a path segment of the status URL (`pathSegment`).
    private var idSegment = ""

    init(step: Step, spec: WorkflowSpec) {
        self.step = step
        self.spec = spec
    }

    func begin(_ context: FlowContext, now: Int64) -> FlowAction {
        submitted = false
        deadline = now + spec.timeoutNanos
        let body = spec.submitBody.map { Array($0.render(vu: context.vu, iteration: context.iteration, captured: context.captured).utf8) }
        return .send(ExchangeRequest(method: spec.submitMethod, url: spec.submitURL.render(vu: context.vu, iteration: context.iteration, captured: context.captured),
                                     headers: headers(context), body: body))
    }

    func handle(_ response: ExchangeResponse, _ context: FlowContext) -> FlowAction {
        if !submitted {
            let failure = response.statusFailure(expected: [200, 201, 202])
            context.recordPhase("\(step.name).submit", latencyNanos: response.doneNanos - response.sentNanos, failure: failure)
            if let failure { return .finish(FlowResult(failure: failure)) }
            guard let document = try? JSONParser.parse(response.body), let idValue = document.resolve(pointer: spec.idPointer),
                  let id = Self.text(idValue), let segment = Self.pathSegment(id) else {
                return .finish(FlowResult(failure: .protocolError))
            }
            submitted = true
            context.captured["id"] = id
            idSegment = segment
            if let outcome = judge(document) { return outcome }
            return poll(context, after: response.doneNanos)
        }
        context.count(.polls, by: 1)
        if let failure = response.statusFailure(expected: [200]) { return .finish(FlowResult(failure: failure)) }
        guard let document = try? JSONParser.parse(response.body) else { return .finish(FlowResult(failure: .protocolError)) }
        if let outcome = judge(document) { return outcome }
        if response.doneNanos >= deadline { return .finish(FlowResult(failure: .incomplete, document: document)) }
        return poll(context, after: response.doneNanos)
    }

    /// A final state ends the step; nil means keep polling.
    private func judge(_ document: JSONValue) -> FlowAction? {
        guard let stateValue = document.resolve(pointer: spec.statePointer), let state = Self.text(stateValue) else { return nil }
        if spec.done.contains(state) { return .finish(FlowResult(failure: nil, document: document)) }
        if spec.failed.contains(state) { return .finish(FlowResult(failure: .workflowFailed, document: document)) }
        return nil
    }

    /// The id as one path segment of the status URL: unreserved characters as they are, all else
    /// percent-encoded, so a peer's id such as `../admin?x` cannot steer the poll to another path.
    /// nil (a protocol failure) for an id that is empty, `.` or `..` (dot segments a URL resolves away).
    static func pathSegment(_ id: String) -> String? {
        guard !id.isEmpty, id != ".", id != ".." else { return nil }
        var out = ""
        for byte in id.utf8 {
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E: out.unicodeScalars.append(UnicodeScalar(byte))
            default: out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    private func poll(_ context: FlowContext, after now: Int64) -> FlowAction {
        var forURL = context.captured
        forURL["id"] = idSegment
        return .sleep(untilNanos: min(now + spec.pollIntervalNanos, deadline),
               then: ExchangeRequest(method: "GET", url: spec.statusURL.render(vu: context.vu, iteration: context.iteration, captured: forURL),
                                     headers: headers(context).filter { !$0.lowercased().hasPrefix("content-type:") }, body: nil))
    }

    private func headers(_ context: FlowContext) -> [String] {
        step.headers.map { "\($0.name): \($0.value.render(vu: context.vu, iteration: context.iteration, captured: context.captured))" }
    }

    static func text(_ value: JSONValue) -> String? {
        switch value {
        case let .string(text): return text
        case let .number(number): return JSONWriter.format(number)
        case let .numberText(text): return text  // a 19-digit id stays as received
        case let .bool(flag): return flag ? "true" : "false"
        default: return nil
        }
    }
}
