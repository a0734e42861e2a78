import Foundation

/// The worker's side of the native HTTP/1.1 engine (`NativeTransport`): putting a plain step's
/// request on a slot's connection and handing finished transfers to `finishHTTPStep`, the same
/// judgement and recording libcurl's transfers get.
extension Worker {
    /// Queues a plain step's request on the slot's native connection (sent at the next flush).
    func startNativeStep(_ slot: Slot, prepared: PreparedStep, transport: NativeTransport, now: Int64) {
        let connection = transport.connections[slot.index]
        let step = prepared.step
        slot.expectResponse(captureBody: prepared.needsBody, bodyLimit: step.maxBodyBytes)
        let isHead = step.method == "HEAD"
        if let head = prepared.nativeHead {
            let body = prepared.sendsBody ? prepared.staticBody.map { UnsafeRawBufferPointer($0) } : nil
            connection.begin(head: UnsafeRawBufferPointer(head), body: body, headRequest: isHead, timeoutNanos: step.timeoutNanos, now: now)
        } else {
            // Templated: rendered per request; a rendered URL the engine cannot send as libcurl
            // would (another origin, a space, CR/LF) fails as `protocol` and nothing is sent.
            let rendered = step.url.render(vu: slot.vu, iteration: slot.iteration, captured: slot.captured)
            let headers = step.headers.map { ($0.name, $0.value.render(vu: slot.vu, iteration: slot.iteration, captured: slot.captured)) }
            let url = NativeURL(rendered)
            guard let url, url.sameOrigin(plan.httpEngine.origin!),
                  !headers.contains(where: { LineBreakGuard.isUnsafe($0.0) || LineBreakGuard.isUnsafe($0.1) }) else {
                slot.inMulti = true
                inFlight += 1
                let reason = url == nil ? "the rendered URL is not one the native engine sends as is" : "the rendered URL leaves the run's origin"
                transport.completed.append((slot.index, connection.finishWithoutSending(.url(reason), now: now)))
                return
            }
            let body = step.body.map { Array($0.render(vu: slot.vu, iteration: slot.iteration, captured: slot.captured).utf8) }
            let bodyLength = NativeRequest.bodyLength(method: step.method, body: body?.count)
            let head = NativeRequest.head(method: step.method, url: url, headers: headers, bodyLength: bodyLength)
            connection.begin(ownedHead: head, ownedBody: prepared.sendsBody ? (body ?? []) : [], headRequest: isHead,
                             timeoutNanos: step.timeoutNanos, now: now)
        }
        slot.inMulti = true
        inFlight += 1
        transport.enqueue(slot.index)
    }

    /// Records every transfer the native engine finished since the last call.
    func collectNativeCompletions() {
        guard let native, !native.completed.isEmpty else { return }
        // Finishing may start the next request (closed model), which may complete at once (a
        // refused connect) and append here: walk by index until the list is done.
        var next = 0
        while next < native.completed.count {
            let (index, outcome) = native.completed[next]
            next += 1
            let slot = slots[index]
            slot.inMulti = false
            inFlight -= 1
            let problem = outcome.problem
            finishHTTPStep(slot, status: outcome.status, transport: problem?.failure, timings: outcome.timings,
                           describe: { problem?.message ?? TransferOutcome.describe($0, status: outcome.status) },
                           now: outcome.endNanos)
        }
        native.completed.removeAll(keepingCapacity: true)
    }
}
