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
    private(set) var metrics: [StepMetrics]
    private(set) var lateness = Histogram.latencyMicros()
    private(set) var dropped: Int64 = 0
    private(set) var iterationsStarted: Int64 = 0
    private(set) var iterationsCompleted: Int64 = 0
    private(set) var aborted: Int64 = 0
    /// When this worker's loop ended (monotonic), for an exact run length.
    private(set) var finishedNanos: Int64 = 0
    private var interval = IntervalSnapshot(second: 0)

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
        self.metrics = [StepMetrics](repeating: StepMetrics(), count: plan.preparedSteps.count)
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
    }

    deinit {
        for slot in slots where slot.busy { curl_multi_remove_handle(multi, slot.handle) }
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
        CurlEasy.set(handle, CURLOPT_NOSIGNAL, 1)
        CurlEasy.set(handle, CURLOPT_TCP_NODELAY, 1)
        CurlEasy.set(handle, CURLOPT_USERAGENT, "loadgate/\(LoadGateVersion.current)")
        if plan.noProxy { CurlEasy.set(handle, CURLOPT_NOPROXY, "*") }
        CurlEasy.set(handle, CURLOPT_HTTP_VERSION, scenario.httpVersion == .http2 ? Int(CURL_HTTP_VERSION_2TLS) : Int(CURL_HTTP_VERSION_1_1))
        if scenario.httpVersion == .http2 { CurlEasy.set(handle, CURLOPT_PIPEWAIT, 1) }
        CurlEasy.set(handle, CURLOPT_SSL_VERIFYPEER, scenario.tls.insecure ? 0 : 1)
        CurlEasy.set(handle, CURLOPT_SSL_VERIFYHOST, scenario.tls.insecure ? 0 : 2)
        if let ca = scenario.tls.caFile { CurlEasy.set(handle, CURLOPT_CAINFO, ca) }
        if let cert = scenario.tls.certFile { CurlEasy.set(handle, CURLOPT_SSLCERT, cert) }
        if let key = scenario.tls.keyFile { CurlEasy.set(handle, CURLOPT_SSLKEY, key) }
        _ = lg_easy_setopt_write(handle, CURLOPT_WRITEFUNCTION, slotWriteCallback)
        let context = Unmanaged.passUnretained(slot).toOpaque()
        _ = lg_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
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
            curl_multi_perform(multi, &running)
            collectCompletions()
            if !issuing && inFlight == 0 { break }
            wait(now: MonotonicClock.nowNanos(), issuing: issuing)
        }
        finishedNanos = MonotonicClock.nowNanos()
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
        startStep(slot, latencyStartNanos: intendedStartNanos, now: now)
    }

    private func startStep(_ slot: Slot, latencyStartNanos: Int64, now: Int64) {
        let prepared = plan.preparedSteps[slot.stepIndex]
        let handle = slot.handle
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
            CurlEasy.set(handle, CURLOPT_URL, step.url.render(vu: slot.vu, iteration: slot.iteration))
            let headers = step.headers.map { ($0.name, $0.value.render(vu: slot.vu, iteration: slot.iteration)) }
            slot.releaseDynamicHeaders()
            slot.dynamicHeaders = CurlEasy.slist(headers)
            _ = lg_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, slot.dynamicHeaders)
            if let body = step.body {
                let bytes = Array(body.render(vu: slot.vu, iteration: slot.iteration).utf8)
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
            let now = MonotonicClock.nowNanos()
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

        let latencyMicros = (now - slot.latencyStartNanos) / 1_000
        let serviceMicros = (now - slot.sentNanos) / 1_000
        let newConnections = CurlEasy.info(handle, long: CURLINFO_NUM_CONNECTS)
        let bytesOut = Int64(CurlEasy.info(handle, long: CURLINFO_REQUEST_SIZE)) + CurlEasy.info(handle, offset: CURLINFO_SIZE_UPLOAD_T)

        metrics[slot.stepIndex].requests += 1
        metrics[slot.stepIndex].latency.record(latencyMicros)
        metrics[slot.stepIndex].serviceTime.record(serviceMicros)
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
        interval.requests += 1
        if failure != nil { interval.failures += 1 }
        interval.latency.record(latencyMicros)
    }

    /// Moves a slot to its next step, its next iteration (closed model) or back to the free list.
    private func advance(_ slot: Slot, now: Int64) {
        slot.stepIndex += 1
        let withinDuration = now - runStartNanos < plan.scenario.load.durationNanos
        // Open-model iterations always finish (they were due within the run); closed-model ones
        // stop between steps once the duration is over.
        if slot.stepIndex < plan.preparedSteps.count, withinDuration || pacer != nil {
            // Later steps start when the previous one ends: their latency is measured from the send.
            startStep(slot, latencyStartNanos: now, now: now)
            return
        }
        if slot.stepIndex >= plan.preparedSteps.count, slot.measured { iterationsCompleted += 1 }
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
            curl_multi_remove_handle(multi, slot.handle)
            slot.busy = false
            aborted += 1
        }
        inFlight = 0
    }

    // MARK: - Timing

    /// Sleeps in curl_multi_poll until a socket is ready, the next iteration is due (timerfd), the
    /// next second starts (snapshots), 100 ms pass (stop flag) or curl_multi_wakeup is called.
    private func wait(now: Int64, issuing: Bool) {
        var timeoutMs = 100
        var dueNanos: Int64?
        if issuing, let pacer, !freeSlots.isEmpty, let intended = pacer.intendedStartNanos(of: nextIteration) {
            dueNanos = runStartNanos + intended
        } else if issuing, let schedule, !schedule.load.stages.isEmpty {
            timeoutMs = 20
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
            if interval.requests > 0 { interval = IntervalSnapshot(second: second) } else { interval.second = second }
        }
    }

    private func flushInterval(final: Bool) {
        mailbox.post(interval, watermark: final ? Int.max : interval.second)
    }
}
