import CCurl
import Foundation

/// Protocol steps (MCP, A2A, workflow) on the worker's loop: a step's `StepFlow` decides its
/// exchanges through a `WorkerFlowContext`; the worker sends them, hands back the replies, parks,
/// polls and finally records the step like any other.
extension Worker {
    /// Starts a protocol step: its flow decides the exchanges; the step's latency runs from
    /// `latencyStartNanos` to the flow's finish.
    func startProtocolStep(_ slot: Slot, latencyStartNanos: Int64, now: Int64) {
        slot.lastExchangeStatus = 0
        slot.lastExchangeResult = CURLE_OK
        slot.body.removeAll(keepingCapacity: true)
        slot.stepLatencyStartNanos = latencyStartNanos
        slot.stepSentNanos = now
        slot.configuredStep = -1
        guard let flow = slot.flows[slot.stepIndex] else {
            // An A2A step whose agent card could not be read (the summary says why).
            finishProtocolStep(slot, FlowResult(failure: .protocolError), now: now)
            return
        }
        perform(flow.begin(context(for: slot), now: now), slot: slot, now: now)
    }

    private func context(for slot: Slot) -> WorkerFlowContext {
        flowContext.slot = slot
        return flowContext
    }

    /// Carries out a flow's next action. A step under way when the duration ends runs on to its
    /// end or its own timeout (then `incomplete`), in both models: leaving it out would hide a
    /// stuck workflow from the verdict.
    private func perform(_ action: FlowAction, slot: Slot, now: Int64) {
        switch action {
        case let .send(request):
            sendExchange(request, slot: slot, now: now)
        case let .sleep(until, request):
            slot.pendingRequest = request
            slot.sleepUntilNanos = until
            sleepers.append(slot.index)
        case .park:
            slot.parked = true
        case let .finish(result):
            finishProtocolStep(slot, result, now: now)
        }
    }

    private func sendExchange(_ request: ExchangeRequest, slot: Slot, now: Int64) {
        let step = plan.scenario.steps[slot.stepIndex]
        RequestSetup.configureExchange(slot, request: request, timeoutNanos: step.timeoutNanos, maxBodyBytes: step.maxBodyBytes)
        slot.sentNanos = now
        attach(slot)
    }

    func handleExchange(_ slot: Slot, result: CURLcode, now: Int64) {
        let status = RequestSetup.status(slot, result: result)
        slot.lastExchangeStatus = status
        slot.lastExchangeResult = result
        if slot.measured {
            recorder.recordExchange(slot.stepIndex, status: status, timings: RequestSetup.timings(slot, result: result), nowNanos: now)
        }
        let response = ExchangeResponse(transportFailure: TransferOutcome.transportFailure(orNil: result, osErrno: RequestSetup.osErrno(slot, result: result),
                                                                                           bodyTooLarge: slot.bodyTooLarge),
                                        status: status,
                                        headers: slot.parsedHeaders(), body: slot.body,
                                        sentNanos: slot.sentNanos, firstBodyNanos: slot.firstBodyNanos, doneNanos: now)
        guard let flow = slot.flows[slot.stepIndex] else { return }
        perform(flow.handle(response, context(for: slot)), slot: slot, now: now)
    }

    private func finishProtocolStep(_ slot: Slot, _ result: FlowResult, now: Int64) {
        let step = plan.scenario.steps[slot.stepIndex]
        var failure = result.failure
        if failure == nil, !step.capture.isEmpty {
            if let document = result.document { capture(step, from: document, into: slot) } else { failure = .expectation }
        }
        if slot.measured {
            var completion = Completion(latencyNanos: now - slot.stepLatencyStartNanos, serviceNanos: now - slot.stepSentNanos,
                                        status: nil, failure: failure, timings: nil)
            completion.applyTimeoutFloor(step.timeoutNanos)
            recorder.record(slot.stepIndex, completion, nowNanos: now)
            if let failure {
                sampleError(slot.stepIndex, failure, status: slot.lastExchangeStatus,
                            message: result.message ?? TransferOutcome.describe(failure, result: slot.lastExchangeResult, status: slot.lastExchangeStatus),
                            body: slot.body, now: now)
            }
        }
        advance(slot, now: now)
    }

    /// Takes each capture's value by JSON Pointer from `document` (strings as they are, other
    /// values as JSON text); a capture that does not resolve is simply absent.
    func capture(_ step: Step, from document: JSONValue, into slot: Slot) {
        for (name, pointer) in step.capture {
            guard let value = document.resolve(pointer: pointer) else { continue }
            if case let .string(text) = value {
                slot.captured[name] = text
            } else {
                slot.captured[name] = JSONWriter.serialize(value, pretty: false)
            }
        }
    }

    /// Sends due polling requests and resumes woken slots.
    func serviceProtocolWaits(now: Int64) {
        if !wakeups.isEmpty {
            let woken = wakeups
            wakeups.removeAll()
            for index in woken {
                let slot = slots[index]
                guard slot.parked, slot.busy, let flow = slot.flows[slot.stepIndex] else { continue }
                slot.parked = false
                // Waiting for another slot's handshake is handshake time, not call latency.
                slot.stepLatencyStartNanos = max(slot.stepLatencyStartNanos, now)
                slot.stepSentNanos = now
                perform(flow.resume(context(for: slot), now: now), slot: slot, now: now)
            }
        }
        if !sleepers.isEmpty {
            var remaining: [Int] = []
            for index in sleepers {
                let slot = slots[index]
                if slot.sleepUntilNanos <= now, let request = slot.pendingRequest {
                    slot.pendingRequest = nil
                    sendExchange(request, slot: slot, now: now)
                } else if slot.pendingRequest != nil {
                    remaining.append(index)
                }
            }
            sleepers = remaining
        }
    }

    /// A phase sample from a flow (`mcp.initialize`, `<step>.submit`): recorded like a step.
    fileprivate func recordPhase(_ name: String, latencyNanos: Int64, failure: FailureClass?, slot: Slot) {
        guard slot.measured, let index = phaseIndex[name] else { return }
        let now = MonotonicClock.nowNanos()
        recorder.record(index, Completion(latencyNanos: latencyNanos, serviceNanos: latencyNanos, status: nil, failure: failure, timings: nil),
                        nowNanos: now)
        if let failure {
            sampleError(index, failure, status: slot.lastExchangeStatus,
                        message: TransferOutcome.describe(failure, result: slot.lastExchangeResult, status: slot.lastExchangeStatus),
                        body: slot.body, now: now)
        }
    }

    fileprivate func count(_ counter: ProtocolCounter, by amount: Int64, slot: Slot) {
        if counter == .sessionsCreated {
            mcpSessionsCreated += amount
            return
        }
        if counter == .sessionsWithoutID {
            mcpSessionsWithoutID += amount
            return
        }
        guard slot.measured else { return }
        recorder.count(counter, slot.stepIndex, by: amount)
    }

    fileprivate func wake(slot: Int) { wakeups.append(slot) }

    fileprivate func recordFirstEvent(latencyNanos: Int64, slot: Slot) {
        guard slot.measured else { return }
        recorder.recordTimeToFirstByte(slot.stepIndex, micros: latencyNanos / 1_000)
    }

    /// Ends every MCP session this worker opened (DELETE with the session header), so a run leaves
    /// nothing behind on the server (the reference server keeps up to 10,000 idle sessions).
    func endMCPSessions() {
        guard let pool = mcpPool, !pool.settings.isStateless else { return }
        let headers = plan.scenario.steps.first { if case .mcp = $0.kind { return true } else { return false } }?
            .headers.filter { $0.value.isStatic }.map { "\($0.name): \($0.value.staticText)" } ?? []
        // Concurrently, within a bounded total budget (a server hanging on DELETE cannot hold the exit).
        mcpSessionsDeleted += MCPSessionCloser.close(pool, headers: headers, tls: plan.scenario.tls)
    }
}

/// The `FlowContext` a worker hands to flows: a view of the slot the flow is working for (set
/// before each call), forwarding records to the worker. One per worker, reused.
final class WorkerFlowContext: FlowContext {
    unowned let worker: Worker
    var slot: Slot!

    init(worker: Worker) { self.worker = worker }

    var vu: Int { slot.vu }
    var iteration: Int64 { slot.iteration }
    var slotIndex: Int { slot.index }
    var captured: [String: String] {
        get { slot.captured }
        set { slot.captured = newValue }
    }

    func recordPhase(_ name: String, latencyNanos: Int64, failure: FailureClass?) {
        worker.recordPhase(name, latencyNanos: latencyNanos, failure: failure, slot: slot)
    }

    func count(_ counter: ProtocolCounter, by amount: Int64) { worker.count(counter, by: amount, slot: slot) }
    func wake(slot: Int) { worker.wake(slot: slot) }
    func recordFirstEvent(latencyNanos: Int64) { worker.recordFirstEvent(latencyNanos: latencyNanos, slot: slot) }

    func restartStepClock(atNanos nanos: Int64) {
        slot.stepSentNanos = nanos
        slot.stepLatencyStartNanos = max(slot.stepLatencyStartNanos, nanos)
    }
}
