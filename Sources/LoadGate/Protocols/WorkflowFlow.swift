/// The orchestrator's REST workflow: submit (timed as `<step>.submit`), take the id by JSON Pointer,
/// poll the status URL every `pollInterval` until the state is in `done` (success) or `failed`
/// (failure `workflow-failed`), or the workflow timeout passes (failure `timeout`). The step's own
/// latency is the completion time from submit to final state.
final class WorkflowFlow: StepFlow {
    private let stepIndex: Int
    private let step: Step
    private let spec: WorkflowSpec
    private var submitted = false
    private var deadline: Int64 = 0

    init(stepIndex: Int, step: Step, spec: WorkflowSpec) {
        self.stepIndex = stepIndex
        self.step = step
        self.spec = spec
    }

    func begin(slot: Slot, now: Int64, host: FlowHost) -> FlowAction {
        submitted = false
        deadline = now + spec.timeoutNanos
        let body = spec.submitBody.map { Array($0.render(vu: slot.vu, iteration: slot.iteration, captured: slot.captured).utf8) }
        return .send(ExchangeRequest(method: spec.submitMethod, url: spec.submitURL.render(vu: slot.vu, iteration: slot.iteration, captured: slot.captured),
                                     headers: headers(slot), body: body))
    }

    func handle(_ response: ExchangeResponse, slot: Slot, host: FlowHost) -> FlowAction {
        if !submitted {
            let failure = response.statusFailure(expected: [200, 201, 202])
            host.recordPhase("\(step.name).submit", latencyNanos: response.doneNanos - response.sentNanos, failure: failure)
            if let failure { return .finish(FlowResult(failure: failure)) }
            guard let document = try? JSONParser.parse(response.body), let idValue = document.resolve(pointer: spec.idPointer),
                  let id = Self.text(idValue) else {
                return .finish(FlowResult(failure: .protocolError))
            }
            submitted = true
            slot.captured["id"] = id
            if let outcome = judge(document) { return outcome }
            return poll(slot, after: response.doneNanos)
        }
        host.count(.polls, step: stepIndex, by: 1)
        if let failure = response.statusFailure(expected: [200]) { return .finish(FlowResult(failure: failure)) }
        guard let document = try? JSONParser.parse(response.body) else { return .finish(FlowResult(failure: .protocolError)) }
        if let outcome = judge(document) { return outcome }
        if response.doneNanos >= deadline { return .finish(FlowResult(failure: .timeout, document: document)) }
        return poll(slot, after: response.doneNanos)
    }

    /// A final state ends the step; nil means keep polling.
    private func judge(_ document: JSONValue) -> FlowAction? {
        guard let stateValue = document.resolve(pointer: spec.statePointer), let state = Self.text(stateValue) else { return nil }
        if spec.done.contains(state) { return .finish(FlowResult(failure: nil, document: document)) }
        if spec.failed.contains(state) { return .finish(FlowResult(failure: .workflowFailed, document: document)) }
        return nil
    }

    private func poll(_ slot: Slot, after now: Int64) -> FlowAction {
        .sleep(untilNanos: min(now + spec.pollIntervalNanos, deadline),
               then: ExchangeRequest(method: "GET", url: spec.statusURL.render(vu: slot.vu, iteration: slot.iteration, captured: slot.captured),
                                     headers: headers(slot).filter { !$0.lowercased().hasPrefix("content-type:") }, body: nil))
    }

    private func headers(_ slot: Slot) -> [String] {
        step.headers.map { "\($0.name): \($0.value.render(vu: slot.vu, iteration: slot.iteration, captured: slot.captured))" }
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
