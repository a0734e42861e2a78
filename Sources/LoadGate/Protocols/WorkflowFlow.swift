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
                  let id = Self.text(idValue) else {
                return .finish(FlowResult(failure: .protocolError))
            }
            submitted = true
            context.captured["id"] = id
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

    private func poll(_ context: FlowContext, after now: Int64) -> FlowAction {
        .sleep(untilNanos: min(now + spec.pollIntervalNanos, deadline),
               then: ExchangeRequest(method: "GET", url: spec.statusURL.render(vu: context.vu, iteration: context.iteration, captured: context.captured),
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
