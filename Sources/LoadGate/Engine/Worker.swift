import CCurl
import Foundation

/// One event loop on one thread: a libcurl multi handle driving this worker's slots with
/// curl_multi_perform + curl_multi_poll. It records into its own metrics (no locks on the request
/// path) and hands one snapshot per second to the runner.
///
/// Ownership invariant: between `run` starting and the runner joining the thread, only the worker
/// thread touches the worker's state, except `multi` (curl_multi_wakeup is thread-safe), `mailbox`
/// and `stop` (both locked). The runner reads `metrics` and counters only after the join.
final class Worker: @unchecked Sendable {
    let id: Int
    let plan: RunPlan
    let mailbox = IntervalMailbox()
    let stop: StopSignal
    private(set) var multi: UnsafeMutableRawPointer

    private var slots: [Slot] = []
    /// Free slots of the open model, used LIFO so the fewest connections stay warm.
    private var freeSlots: [Int] = []
    private var inFlight = 0

    // Recorded results (read after join).
    /// Indexed like `plan.metricNames`: the steps, then protocol phases.
    private(set) var metrics: [StepMetrics]
    private(set) var lateness = Histogram.latencyMicros()
    private(set) var dropped: Int64 = 0
    private(set) var iterationsStarted: Int64 = 0
    private(set) var iterationsCompleted: Int64 = 0
    private(set) var aborted: Int64 = 0
    /// When this worker's loop ended (monotonic), for an exact run length.
    private(set) var finishedNanos: Int64 = 0
    private(set) var mcpSessionsDeleted: Int64 = 0
    private(set) var mcpSessionsCreated: Int64 = 0
    /// This second's completions per metric (see `IntervalSnapshot`), posted to `mailbox`.
    private var interval: IntervalSnapshot

    // Protocol steps.
    private var mcpPool: MCPSessionPool?
    private var phaseIndex: [String: Int] = [:]
    /// Slots waiting to send a polling request, and parked slots to resume.
    private var sleepers: [Int] = []
    private var wakeups: [Int] = []
    /// Whether the slot a flow is working for is measured (warm-up slots record nothing).
    private var flowSlotMeasured = true

    // Open model state.
    private var pacer: OpenPacer?
    private var nextIteration: Int64
    // Closed model state.
    private var schedule: ClosedSchedule?
    private var iterationBudget: Int?
    private var closedIterationCounter: Int64 = 0

    private var runStartNanos: Int64 = 0
    /// A timerfd handed to curl_multi_poll as an extra descriptor: it wakes the loop at the next
    /// intended start with nanosecond precision (curl's own timeout has millisecond resolution,
    /// which would either make starts late or force a busy spin).
    private let timerFD = lg_timer_create()
    private var pollFDs = [curl_waitfd()]

    init(id: Int, plan: RunPlan, stop: StopSignal) {
        self.id = id
        self.plan = plan
        self.stop = stop
        self.multi = curl_multi_init()
        self.metrics = [StepMetrics](repeating: StepMetrics(), count: plan.metricNames.count)
        self.interval = IntervalSnapshot(second: 0, stepCount: plan.metricNames.count)
        self.nextIteration = Int64(id)

        let slotCount: Int
        switch plan.scenario.load {
        case let .closed(load):
            schedule = ClosedSchedule(load)
            slotCount = RunPlan.share(of: load.peakVUs, worker: id, of: plan.workerCount)
            if let total = load.iterations { iterationBudget = RunPlan.share(of: total, worker: id, of: plan.workerCount) }
        case let .open(load):
            pacer = OpenPacer(load)
            slotCount = RunPlan.share(of: load.connections, worker: id, of: plan.workerCount)
        }
        _ = lg_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(slotCount, 1))
        for index in 0..<slotCount {
            // Global VU/connection number: slots are dealt round-robin across workers.
            let vu = id + index * plan.workerCount + 1
            slots.append(Slot(handle: makeHandle(), vu: vu, index: index))
        }
        for slot in slots { configureBase(slot) }
        freeSlots = Array(slots.indices.reversed())
        for (index, name) in plan.metricNames.enumerated() { phaseIndex[name] = index }
        if plan.scenario.steps.contains(where: { if case .mcp = $0.kind { return true } else { return false } }) {
            mcpPool = MCPSessionPool(settings: plan.scenario.mcp, worker: id, workers: plan.workerCount, slots: slotCount)
        }
        for slot in slots {
            slot.flows = plan.scenario.steps.enumerated().map { index, step -> StepFlow? in
                switch step.kind {
                case .http: return nil
                case let .mcp(call): return MCPFlow(stepIndex: index, step: step, call: call, pool: mcpPool!)
                case let .a2a(send): return plan.a2aAgent.map { A2AFlow(stepIndex: index, step: step, send: send, agent: $0) }
                case let .workflow(spec): return WorkflowFlow(stepIndex: index, step: step, spec: spec)
                }
            }
        }
    }

    deinit {
        for slot in slots where slot.inMulti { curl_multi_remove_handle(multi, slot.handle) }
        slots.removeAll()
        curl_multi_cleanup(multi)
        if timerFD >= 0 { close(timerFD) }
    }

    private func makeHandle() -> CurlEasy.Handle {
        guard let handle = curl_easy_init() else { fatalError("curl_easy_init failed: out of memory") }
        return handle
    }

    /// Options that never change for a slot.
    private func configureBase(_ slot: Slot) {
        let handle = slot.handle
        let scenario = plan.scenario
        CurlEasy.restrictToHTTP(handle)
        CurlEasy.set(handle, CURLOPT_NOSIGNAL, 1)
        CurlEasy.set(handle, CURLOPT_TCP_NODELAY, 1)
        CurlEasy.set(handle, CURLOPT_USERAGENT, "loadgate/\(LoadGateVersion.current)")
        if plan.noProxy { CurlEasy.set(handle, CURLOPT_NOPROXY, "*") }
        CurlEasy.set(handle, CURLOPT_HTTP_VERSION, scenario.httpVersion == .http2 ? Int(CURL_HTTP_VERSION_2TLS) : Int(CURL_HTTP_VERSION_1_1))
        if scenario.httpVersion == .http2 { CurlEasy.set(handle, CURLOPT_PIPEWAIT, 1) }
        CurlEasy.applyTLS(handle, scenario.tls)
        let context = Unmanaged.passUnretained(slot).toOpaque()
        CurlEasy.setCallbacks(handle, body: slotWriteCallback, headers: slotHeaderCallback, context: context)
        _ = lg_easy_setopt_pointer(handle, CURLOPT_PRIVATE, context)
    }

    // MARK: - Event loop

    /// Runs until the plan is done or `stop` is set. `startNanos` is the shared monotonic start.
    func run(startNanos: Int64) {
        runStartNanos = startNanos
        while MonotonicClock.nowNanos() < startNanos {
            let waitNanos = startNanos - MonotonicClock.nowNanos()
            if waitNanos > 0 { usleep(UInt32(min(waitNanos / 1_000, 100_000))) }
        }
        let durationNanos = plan.scenario.load.durationNanos
        let maxLateness: Int64
        if case let .open(load) = plan.scenario.load { maxLateness = load.maxLatenessNanos } else { maxLateness = 0 }
        // Safety net: nothing may run past this, whatever the target does.
        let hardDeadline = startNanos + durationNanos + maxLateness + plan.longestTimeoutNanos + 5 * DurationText.nanosPerSecond
        var issuing = true
        var running: Int32 = 0

        while true {
            let now = MonotonicClock.nowNanos()
            if stop.isStopped || now >= hardDeadline {
                abortInFlight()
                break
            }
            tick(now)
            if issuing { issuing = issue(now: now) }
            if !sleepers.isEmpty || !wakeups.isEmpty { serviceProtocolWaits(now: now) }
            curl_multi_perform(multi, &running)
            collectCompletions()
            if !issuing && inFlight == 0 && !slots.contains(where: \.busy) { break }
            wait(now: MonotonicClock.nowNanos(), issuing: issuing)
        }
        finishedNanos = MonotonicClock.nowNanos()
        endMCPSessions()
        flushInterval(final: true)
    }

    /// Starts whatever is due. Returns false once this worker will start no more iterations.
    private func issue(now: Int64) -> Bool {
        let elapsed = now - runStartNanos
        if let pacer {
            guard case let .open(load) = plan.scenario.load else { return false }
            while let intended = pacer.intendedStartNanos(of: nextIteration) {
                if intended > elapsed { return true }
                let late = elapsed - intended
                let measured = intended >= plan.measureFromNanos
                if late > load.maxLatenessNanos {
                    if measured { dropped += 1 }
                    nextIteration += Int64(plan.workerCount)
                    continue
                }
                guard let slotIndex = freeSlots.popLast() else { return true }
                if measured { lateness.record(late / 1_000) }
                startIteration(slots[slotIndex], iteration: nextIteration, intendedStartNanos: runStartNanos + intended,
                               measured: measured, now: now)
                nextIteration += Int64(plan.workerCount)
            }
            return false
        }
        guard let schedule else { return false }
        if elapsed >= schedule.load.durationNanos { return false }
        if let budget = iterationBudget, closedIterationCounter >= Int64(budget) { return false }
        let active = schedule.activeVUs(atNanos: elapsed)
        for slot in slots where !slot.busy && slot.vu <= active {
            if let budget = iterationBudget, closedIterationCounter >= Int64(budget) { break }
            startClosedIteration(slot, now: now)
        }
        return true
    }

    private func startClosedIteration(_ slot: Slot, now: Int64) {
        let iteration = closedIterationCounter * Int64(plan.workerCount) + Int64(id)
        closedIterationCounter += 1
        startIteration(slot, iteration: iteration, intendedStartNanos: now,
                       measured: now - runStartNanos >= plan.measureFromNanos, now: now)
    }

    private func startIteration(_ slot: Slot, iteration: Int64, intendedStartNanos: Int64, measured: Bool, now: Int64) {
        if measured { iterationsStarted += 1 }
        slot.measured = measured
        slot.busy = true
        slot.iteration = iteration
        slot.stepIndex = 0
        if !slot.captured.isEmpty { slot.captured.removeAll(keepingCapacity: true) }
        skipOnceSteps(slot)
        guard slot.stepIndex < plan.preparedSteps.count else {
            finishIteration(slot, now: now)
            return
        }
        startStep(slot, latencyStartNanos: intendedStartNanos, now: now)
    }

    /// Steps marked `once` run only in a virtual user's first iteration.
    private func skipOnceSteps(_ slot: Slot) {
        while slot.stepIndex < plan.preparedSteps.count, plan.preparedSteps[slot.stepIndex].step.once, slot.iterationsDone > 0 {
            slot.stepIndex += 1
        }
    }

    private func startStep(_ slot: Slot, latencyStartNanos: Int64, now: Int64) {
        let prepared = plan.preparedSteps[slot.stepIndex]
        if !prepared.step.kind.isHTTP {
            startProtocolStep(slot, latencyStartNanos: latencyStartNanos, now: now)
            return
        }
        let handle = slot.handle
        slot.captureHeaders = false
        if prepared.isStatic {
            if slot.configuredStep != prepared.index {
                CurlEasy.set(handle, CURLOPT_URL, prepared.staticURL)
                _ = lg_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, prepared.staticHeaders)
                prepared.applyMethod(handle, body: prepared.staticBody.map { UnsafeBufferPointer($0) }, copy: false)
                slot.releaseDynamicHeaders()
                slot.configuredStep = prepared.index
            }
        } else {
            // Per-request rendering allocates; only steps that use ${vu}/${iteration}/${uuid}/${now} pay.
            let step = prepared.step
            let headers = step.headers.map { ($0.name, $0.value.render(vu: slot.vu, iteration: slot.iteration, captured: slot.captured)) }
            let url = step.url.render(vu: slot.vu, iteration: slot.iteration, captured: slot.captured)
            CurlEasy.set(handle, CURLOPT_URL, LineBreakGuard.urlToSend(url, headerValues: headers.map(\.1)))
            slot.releaseDynamicHeaders()
            slot.dynamicHeaders = CurlEasy.slist(headers)
            _ = lg_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, slot.dynamicHeaders)
            if let body = step.body {
                let bytes = Array(body.render(vu: slot.vu, iteration: slot.iteration, captured: slot.captured).utf8)
                bytes.withUnsafeBufferPointer { prepared.applyMethod(handle, body: $0, copy: true) }
            } else {
                prepared.applyMethod(handle, body: nil, copy: false)
            }
            slot.configuredStep = -1
        }
        slot.captureBody = prepared.needsBody
        slot.body.removeAll(keepingCapacity: true)
        slot.bytesIn = 0
        slot.latencyStartNanos = latencyStartNanos
        slot.sentNanos = now
        curl_multi_add_handle(multi, handle)
        slot.inMulti = true
        inFlight += 1
    }

    private func collectCompletions() {
        var queued: Int32 = 0
        while let message = curl_multi_info_read(multi, &queued) {
            guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
            let result = lg_msg_result(message)
            curl_multi_remove_handle(multi, handle)
            inFlight -= 1
            var pointer: UnsafeMutablePointer<CChar>?
            _ = lg_easy_getinfo_pointer(handle, CURLINFO_PRIVATE, &pointer)
            guard let pointer else { continue }
            let slot = Unmanaged<Slot>.fromOpaque(UnsafeRawPointer(pointer)).takeUnretainedValue()
            slot.inMulti = false
            let now = MonotonicClock.nowNanos()
            if slot.captureHeaders {
                handleExchange(slot, result: result, now: now)
                continue
            }
            record(slot, result: result, now: now)
            advance(slot, now: now)
        }
    }

    private func record(_ slot: Slot, result: CURLcode, now: Int64) {
        guard slot.measured else { return }
        let prepared = plan.preparedSteps[slot.stepIndex]
        let handle = slot.handle
        let status = result == CURLE_OK ? CurlEasy.info(handle, long: CURLINFO_RESPONSE_CODE) : 0
        var failure: FailureClass?
        if result != CURLE_OK {
            failure = .transport(result)
        } else if status >= 500, !(prepared.step.expect.status?.contains(status) ?? false) {
            failure = .http5xx
        } else if !prepared.step.expect.accepts(status: status) {
            failure = .unexpectedStatus
        } else if prepared.needsBody, !prepared.bodyMeetsExpectations(slot.body) {
            failure = .expectation
        }
        if failure == nil, !prepared.step.capture.isEmpty {
            if let document = try? JSONParser.parse(slot.body) { capture(prepared.step, from: document, into: slot) } else { failure = .expectation }
        }

        let latencyMicros = (now - slot.latencyStartNanos) / 1_000
        let serviceMicros = (now - slot.sentNanos) / 1_000
        let newConnections = CurlEasy.info(handle, long: CURLINFO_NUM_CONNECTS)
        let bytesOut = Int64(CurlEasy.info(handle, long: CURLINFO_REQUEST_SIZE)) + CurlEasy.info(handle, offset: CURLINFO_SIZE_UPLOAD_T)

        let isLatencySample = failure?.isLatencySample ?? true
        metrics[slot.stepIndex].requests += 1
        if isLatencySample {
            metrics[slot.stepIndex].latency.record(latencyMicros)
            metrics[slot.stepIndex].serviceTime.record(serviceMicros)
        }
        metrics[slot.stepIndex].statusCodes[min(max(status, 0), 599)] += 1
        metrics[slot.stepIndex].bytesIn += slot.bytesIn
        metrics[slot.stepIndex].bytesOut += bytesOut
        if result == CURLE_OK {
            let firstByte = CurlEasy.info(handle, offset: CURLINFO_STARTTRANSFER_TIME_T)
            if firstByte > 0 { metrics[slot.stepIndex].ttfb.record(firstByte) }
        }
        if newConnections > 0 {
            let lookup = CurlEasy.info(handle, offset: CURLINFO_NAMELOOKUP_TIME_T)
            let connected = CurlEasy.info(handle, offset: CURLINFO_CONNECT_TIME_T)
            let handshaken = CurlEasy.info(handle, offset: CURLINFO_APPCONNECT_TIME_T)
            metrics[slot.stepIndex].dns.record(lookup)
            if connected > 0 { metrics[slot.stepIndex].connect.record(connected - lookup) }
            if handshaken > 0 { metrics[slot.stepIndex].tls.record(handshaken - connected) }
        }
        if let failure {
            metrics[slot.stepIndex].failed += 1
            metrics[slot.stepIndex].failures[failure.rawValue] += 1
        }

        flushIfNeeded(now)
        noteInterval(slot.stepIndex, status: status, failure: failure, latencyMicros: isLatencySample ? latencyMicros : nil)
    }

    /// Moves a slot to its next step, its next iteration (closed model) or back to the free list.
    private func advance(_ slot: Slot, now: Int64) {
        slot.stepIndex += 1
        skipOnceSteps(slot)
        let withinDuration = now - runStartNanos < plan.scenario.load.durationNanos
        // Open-model iterations always finish (they were due within the run); closed-model ones
        // stop between steps once the duration is over.
        if slot.stepIndex < plan.preparedSteps.count, withinDuration || pacer != nil {
            // Later steps start when the previous one ends: their latency is measured from the send.
            startStep(slot, latencyStartNanos: now, now: now)
            return
        }
        if slot.stepIndex >= plan.preparedSteps.count {
            finishIteration(slot, now: now)
            return
        }
        releaseSlot(slot, now: now)
    }

    private func finishIteration(_ slot: Slot, now: Int64) {
        if slot.measured { iterationsCompleted += 1 }
        slot.iterationsDone += 1
        releaseSlot(slot, now: now)
    }

    private func releaseSlot(_ slot: Slot, now: Int64) {
        let withinDuration = now - runStartNanos < plan.scenario.load.durationNanos
        slot.busy = false
        if pacer != nil {
            freeSlots.append(slot.index)
        } else if withinDuration, let schedule,
                  slot.vu <= schedule.activeVUs(atNanos: now - runStartNanos),
                  iterationBudget.map({ closedIterationCounter < Int64($0) }) ?? true {
            startClosedIteration(slot, now: now)
        }
    }

    private func abortInFlight() {
        for slot in slots where slot.busy {
            if slot.inMulti { curl_multi_remove_handle(multi, slot.handle) }
            slot.inMulti = false
            slot.busy = false
            slot.parked = false
            slot.pendingRequest = nil
            aborted += 1
        }
        sleepers.removeAll()
        wakeups.removeAll()
        inFlight = 0
    }

    // MARK: - Timing

    /// Sleeps in curl_multi_poll until a socket is ready, the next iteration is due (timerfd), the
    /// next second starts (snapshots), 100 ms pass (stop flag) or curl_multi_wakeup is called.
    private func wait(now: Int64, issuing: Bool) {
        var timeoutMs = 100
        var dueNanos: Int64?
        if !wakeups.isEmpty { return }
        if issuing, let pacer, !freeSlots.isEmpty, let intended = pacer.intendedStartNanos(of: nextIteration) {
            dueNanos = runStartNanos + intended
        } else if issuing, let schedule, !schedule.load.stages.isEmpty {
            timeoutMs = 20
        }
        for index in sleepers {
            let due = slots[index].sleepUntilNanos
            dueNanos = min(dueNanos ?? due, due)
        }
        let untilNextSecond = DurationText.nanosPerSecond - (now - runStartNanos) % DurationText.nanosPerSecond
        timeoutMs = min(timeoutMs, Int(untilNextSecond / 1_000_000) + 1)
        guard let dueNanos else {
            curl_multi_poll(multi, nil, 0, Int32(timeoutMs), nil)
            return
        }
        let waitNanos = dueNanos - now
        if waitNanos <= 0 { return }
        guard timerFD >= 0 else {
            curl_multi_poll(multi, nil, 0, Int32(min(timeoutMs, Int(waitNanos / 1_000_000))), nil)
            return
        }
        lg_timer_arm_absolute(timerFD, dueNanos)
        pollFDs[0].fd = timerFD
        pollFDs[0].events = Int16(CURL_WAIT_POLLIN)
        pollFDs[0].revents = 0
        curl_multi_poll(multi, &pollFDs, 1, Int32(min(timeoutMs, Int(waitNanos / 1_000_000) + 1)), nil)
        if pollFDs[0].revents != 0 {
            var expirations: UInt64 = 0
            _ = read(timerFD, &expirations, 8)
        }
    }

    private func currentSecond(_ now: Int64) -> Int { max(0, Int((now - runStartNanos) / DurationText.nanosPerSecond)) }

    private func tick(_ now: Int64) { flushIfNeeded(now) }

    @inline(__always)
    private func flushIfNeeded(_ now: Int64) {
        let second = currentSecond(now)
        if second != interval.second {
            mailbox.post(interval, watermark: second)
            if interval.isEmpty {
                interval.second = second
            } else {
                // Once a second: the posted copy keeps the old storage, this one starts fresh.
                interval = IntervalSnapshot(second: second, stepCount: interval.steps.count)
            }
        }
    }

    /// Adds one completion of metric `index` to this second (the run totals are recorded by the
    /// caller; both use the same histogram layout so the seconds sum exactly to the totals).
    @inline(__always)
    private func noteInterval(_ index: Int, status: Int?, failure: FailureClass?, latencyMicros: Int64?) {
        interval.steps[index].requests += 1
        if let status { interval.steps[index].statusCodes[min(max(status, 0), 599), default: 0] += 1 }
        if let failure {
            interval.steps[index].failed += 1
            interval.steps[index].failures[failure.rawValue] += 1
        }
        if let latencyMicros { interval.steps[index].latency.record(latencyMicros) }
    }

    private func flushInterval(final: Bool) {
        mailbox.post(interval, watermark: final ? Int.max : interval.second)
    }
}

// MARK: - Protocol steps (MCP, A2A, workflow)

extension Worker: FlowHost {
    /// Starts a protocol step: its flow decides the exchanges; the step's latency runs from
    /// `latencyStartNanos` to the flow's finish.
    private func startProtocolStep(_ slot: Slot, latencyStartNanos: Int64, now: Int64) {
        slot.stepLatencyStartNanos = latencyStartNanos
        slot.stepSentNanos = now
        slot.captureHeaders = true
        slot.captureBody = true
        slot.configuredStep = -1
        guard let flow = slot.flows[slot.stepIndex] else {
            // An A2A step whose agent card could not be read (the summary says why).
            finishProtocolStep(slot, FlowResult(failure: .protocolError), now: now)
            return
        }
        flowSlotMeasured = slot.measured
        perform(flow.begin(slot: slot, now: now, host: self), slot: slot, now: now)
    }

    private func perform(_ action: FlowAction, slot: Slot, now: Int64) {
        let closedRunOver = pacer == nil && now - runStartNanos >= plan.scenario.load.durationNanos
        switch action {
        case let .send(request):
            sendExchange(request, slot: slot, now: now)
        case let .sleep(until, request):
            if closedRunOver { return abandon(slot) }
            slot.pendingRequest = request
            slot.sleepUntilNanos = until
            sleepers.append(slot.index)
        case .park:
            if closedRunOver { return abandon(slot) }
            slot.parked = true
        case let .finish(result):
            finishProtocolStep(slot, result, now: now)
        }
    }

    /// A closed-model run is over: a step still polling or waiting is dropped, not recorded.
    private func abandon(_ slot: Slot) {
        aborted += 1
        slot.busy = false
        slot.parked = false
        slot.pendingRequest = nil
    }

    private func sendExchange(_ request: ExchangeRequest, slot: Slot, now: Int64) {
        let handle = slot.handle
        CurlEasy.set(handle, CURLOPT_URL, LineBreakGuard.urlToSend(request.url, headerLines: request.headers))
        slot.releaseDynamicHeaders()
        var list: UnsafeMutablePointer<curl_slist>?
        for header in request.headers { list = curl_slist_append(list, header) }
        list = curl_slist_append(list, "Expect:")
        slot.dynamicHeaders = list
        _ = lg_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, list)
        CurlEasy.set(handle, CURLOPT_CUSTOMREQUEST, nil)
        CurlEasy.set(handle, CURLOPT_NOBODY, 0)
        if let body = request.body {
            _ = lg_easy_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            body.withUnsafeBytes { _ = lg_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, $0.baseAddress) }
            if request.method != "POST" { CurlEasy.set(handle, CURLOPT_CUSTOMREQUEST, request.method) }
        } else {
            CurlEasy.set(handle, CURLOPT_HTTPGET, 1)
            if request.method != "GET" { CurlEasy.set(handle, CURLOPT_CUSTOMREQUEST, request.method) }
        }
        let timeout = plan.scenario.steps[slot.stepIndex].timeoutNanos
        CurlEasy.set(handle, CURLOPT_TIMEOUT_MS, Int(max(1, timeout / 1_000_000)))
        CurlEasy.set(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(max(1, min(timeout, 10 * DurationText.nanosPerSecond) / 1_000_000)))
        slot.body.removeAll(keepingCapacity: true)
        slot.headerBytes.removeAll(keepingCapacity: true)
        slot.bytesIn = 0
        slot.firstBodyNanos = 0
        slot.sentNanos = now
        curl_multi_add_handle(multi, handle)
        slot.inMulti = true
        inFlight += 1
    }

    private func handleExchange(_ slot: Slot, result: CURLcode, now: Int64) {
        let handle = slot.handle
        let status = result == CURLE_OK ? CurlEasy.info(handle, long: CURLINFO_RESPONSE_CODE) : 0
        if slot.measured {
            let index = slot.stepIndex
            metrics[index].statusCodes[min(max(status, 0), 599)] += 1
            flushIfNeeded(now)
            interval.steps[index].statusCodes[min(max(status, 0), 599), default: 0] += 1
            metrics[index].bytesIn += slot.bytesIn
            metrics[index].bytesOut += Int64(CurlEasy.info(handle, long: CURLINFO_REQUEST_SIZE)) + CurlEasy.info(handle, offset: CURLINFO_SIZE_UPLOAD_T)
            if CurlEasy.info(handle, long: CURLINFO_NUM_CONNECTS) > 0 {
                let lookup = CurlEasy.info(handle, offset: CURLINFO_NAMELOOKUP_TIME_T)
                let connected = CurlEasy.info(handle, offset: CURLINFO_CONNECT_TIME_T)
                let handshaken = CurlEasy.info(handle, offset: CURLINFO_APPCONNECT_TIME_T)
                metrics[index].dns.record(lookup)
                if connected > 0 { metrics[index].connect.record(connected - lookup) }
                if handshaken > 0 { metrics[index].tls.record(handshaken - connected) }
            }
        }
        let response = ExchangeResponse(result: result, status: status, headers: slot.parsedHeaders(), body: slot.body,
                                        sentNanos: slot.sentNanos, firstBodyNanos: slot.firstBodyNanos, doneNanos: now)
        guard let flow = slot.flows[slot.stepIndex] else { return }
        flowSlotMeasured = slot.measured
        perform(flow.handle(response, slot: slot, host: self), slot: slot, now: now)
    }

    private func finishProtocolStep(_ slot: Slot, _ result: FlowResult, now: Int64) {
        let step = plan.scenario.steps[slot.stepIndex]
        var failure = result.failure
        if failure == nil, !step.capture.isEmpty {
            if let document = result.document { capture(step, from: document, into: slot) } else { failure = .expectation }
        }
        if slot.measured {
            let index = slot.stepIndex
            let latencyMicros = (now - slot.stepLatencyStartNanos) / 1_000
            let isLatencySample = failure?.isLatencySample ?? true
            metrics[index].requests += 1
            if isLatencySample {
                metrics[index].latency.record(latencyMicros)
                metrics[index].serviceTime.record((now - slot.stepSentNanos) / 1_000)
            }
            if let failure {
                metrics[index].failed += 1
                metrics[index].failures[failure.rawValue] += 1
            }
            flushIfNeeded(now)
            noteInterval(index, status: nil, failure: failure, latencyMicros: isLatencySample ? latencyMicros : nil)
        }
        advance(slot, now: now)
    }

    /// Takes each capture's value by JSON Pointer from `document` (strings as they are, other
    /// values as JSON text); a capture that does not resolve is simply absent.
    private func capture(_ step: Step, from document: JSONValue, into slot: Slot) {
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
    private func serviceProtocolWaits(now: Int64) {
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
                flowSlotMeasured = slot.measured
                perform(flow.resume(slot: slot, now: now, host: self), slot: slot, now: now)
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

    func recordPhase(_ name: String, latencyNanos: Int64, failure: FailureClass?) {
        guard flowSlotMeasured, let index = phaseIndex[name] else { return }
        metrics[index].requests += 1
        metrics[index].latency.record(latencyNanos / 1_000)
        metrics[index].serviceTime.record(latencyNanos / 1_000)
        if let failure {
            metrics[index].failed += 1
            metrics[index].failures[failure.rawValue] += 1
        }
        flushIfNeeded(MonotonicClock.nowNanos())
        noteInterval(index, status: nil, failure: failure, latencyMicros: latencyNanos / 1_000)
    }

    func count(_ counter: ProtocolCounter, step: Int, by amount: Int64) {
        if counter == .sessionsCreated {
            mcpSessionsCreated += amount
            return
        }
        guard flowSlotMeasured else { return }
        metrics[step].counters[counter.rawValue] += amount
    }

    func wake(slot: Int) { wakeups.append(slot) }

    private func endMCPSessions() {
        guard let pool = mcpPool else { return }
        let headers = plan.scenario.steps.first { if case .mcp = $0.kind { return true } else { return false } }?
            .headers.filter { $0.value.isStatic }.map { "\($0.name): \($0.value.staticText)" } ?? []
        mcpSessionsDeleted += MCPSessionCloser.close(pool, headers: headers, tls: plan.scenario.tls)
    }
}
