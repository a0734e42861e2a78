import CCurl
import CNet
import Foundation

/// One event loop on one thread: a libcurl multi handle driving this worker's slots with
/// curl_multi_perform + curl_multi_poll. The loop only carries out decisions made elsewhere:
/// `IterationScheduler` says when iterations start, `RequestSetup` puts requests on handles,
/// `TransferOutcome` classifies what came back, `StepRecorder` records it, and protocol steps'
/// `StepFlow`s decide their exchanges through a `FlowContext`.
///
/// Protocol steps are driven from `Worker+ProtocolSteps.swift` (hence internal, not private,
/// members: the worker is not used outside the engine).
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

    var slots: [Slot] = []
    /// Free slots of the open model, used LIFO so the fewest connections stay warm.
    var freeSlots: [Int] = []
    /// Handles attached to `multi` (debug builds check it against the slots).
    var inFlight = 0

    var scheduler: IterationScheduler
    var recorder: StepRecorder

    // Recorded results (read after join).
    /// Indexed like `plan.metricNames`: the steps, then protocol phases.
    var metrics: [StepMetrics] { recorder.metrics }
    private(set) var lateness = Histogram.latencyMicros()
    /// Lateness of iterations that found a connection free when due: what the generator itself
    /// caused (CPU, scheduling), without the waits for connections busy on the target.
    private(set) var generatorLateness = Histogram.latencyMicros()
    /// The next due iteration had to wait for a connection (its lateness is the target's).
    var headWaitedForConnection = false
    /// Iterations dropped for lateness while a connection was free: the generator fell behind.
    private(set) var dropped: Int64 = 0
    /// Iterations that could not start because every connection was busy on the target.
    private(set) var connectionsBusy: Int64 = 0
    private(set) var iterationsStarted: Int64 = 0
    /// Open model: elapsed time of the last pass that started an iteration (the batch window runs from it).
    private var lastStartPassNanos: Int64?
    /// Open model: a deferred-read pass ran out of free connections before reading its responses;
    /// its due iterations start after the reads (the next `issue`), not a window later.
    private var passCutShort = false
    private(set) var iterationsCompleted: Int64 = 0
    private(set) var aborted: Int64 = 0
    /// When this worker's loop ended (monotonic), for an exact run length.
    private(set) var finishedNanos: Int64 = 0
    var mcpSessionsDeleted: Int64 = 0
    var mcpSessionsCreated: Int64 = 0
    var mcpSessionsWithoutID: Int64 = 0
    /// The first few distinct failures per class, per metric (built only on the failure path).
    private(set) var errorSamples: [ErrorSampleSet]

    // Protocol steps.
    var mcpPool: MCPSessionPool?
    var phaseIndex: [String: Int] = [:]
    /// Slots waiting to send a polling request, and parked slots to resume.
    var sleepers: [Int] = []
    var wakeups: [Int] = []
    /// The context handed to flows, pointed at the slot a flow is working for.
    lazy var flowContext = WorkerFlowContext(worker: self)

    var runStartNanos: Int64 = 0
    /// A timerfd handed to curl_multi_poll as an extra descriptor: it wakes the loop at the next
    /// intended start with nanosecond precision (curl's own timeout has millisecond resolution,
    /// which would either make starts late or force a busy spin).
    private let timerFD = lg_timer_create()
    /// When the timerfd is armed for (nil: not armed or already fired): re-armed only when the next
    /// pass moves, so a loop turn woken by a socket costs no timer call.
    private var timerArmedNanos: Int64?
    var pollFDs = [curl_waitfd()]
    /// The native HTTP/1.1 engine when the run qualifies (`HTTPEngineChoice`); nil: libcurl.
    var native: NativeTransport?
    /// The last sleep left responses unread for the next pass to read (`deferReads`).
    var readsDeferred = false

    init(id: Int, plan: RunPlan, stop: StopSignal) {
        self.id = id
        self.plan = plan
        self.stop = stop
        self.multi = curl_multi_init()
        self.recorder = StepRecorder(metricCount: plan.metricNames.count, mailbox: mailbox)
        self.errorSamples = [ErrorSampleSet](repeating: ErrorSampleSet(), count: plan.metricNames.count)
        self.scheduler = IterationScheduler(load: plan.scenario.load, worker: id, workers: plan.workerCount,
                                            measureFromNanos: plan.measureFromNanos)
        let slotCount: Int
        switch plan.scenario.load {
        case let .closed(load): slotCount = RunPlan.share(of: load.peakVUs, worker: id, of: plan.workerCount)
        case let .open(load): slotCount = RunPlan.share(of: load.connections, worker: id, of: plan.workerCount)
        }
        _ = lg_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(slotCount, 1))
        for index in 0..<slotCount {
            // Global VU/connection number: slots are dealt round-robin across workers.
            let vu = id + index * plan.workerCount + 1
            guard let handle = curl_easy_init() else { fatalError("curl_easy_init failed: out of memory") }
            slots.append(Slot(handle: handle, vu: plan.shardNumbering.vu(vu), rank: vu, index: index))
        }
        for slot in slots { RequestSetup.configureConnection(slot, plan: plan) }
        freeSlots = Array(slots.indices.reversed())
        if let origin = plan.httpEngine.origin, plan.httpEngine.engine == .native {
            native = NativeTransport(slots: slots, origin: origin, timerFD: timerFD)
        }
        for (index, name) in plan.metricNames.enumerated() { phaseIndex[name] = index }
        if plan.scenario.steps.contains(where: { if case .mcp = $0.kind { return true } else { return false } }) {
            mcpPool = MCPSessionPool(settings: plan.scenario.mcp, worker: id, workers: plan.workerCount, slots: slotCount)
        }
        for slot in slots {
            slot.flows = plan.scenario.steps.map { step -> StepFlow? in
                switch step.kind {
                case .http: return nil
                case let .mcp(call): return MCPFlow(step: step, call: call, pool: mcpPool!)
                case let .a2a(send): return plan.a2aAgent.map { A2AFlow(step: step, send: send, agent: $0) }
                case let .workflow(spec): return WorkflowFlow(step: step, spec: spec)
                }
            }
        }
    }

    deinit {
        let usedNative = native != nil
        native = nil
        for slot in slots where slot.inMulti && !usedNative { curl_multi_remove_handle(multi, slot.handle) }
        slots.removeAll()
        curl_multi_cleanup(multi)
        if timerFD >= 0 { close(timerFD) }
    }

    // MARK: - Event loop

    /// Runs until the plan is done or `stop` is set. `startNanos` is the shared monotonic start.
    func run(startNanos: Int64) {
        runStartNanos = startNanos
        recorder.start(atNanos: startNanos)
        // Timed wake-ups (open-model passes) fire on time: the default 50 µs slack was all start
        // lateness (p99 at 20,000/s: 0.65 -> 0.59 ms; CPU unchanged).
        lg_set_timer_slack(Self.timerSlackNanos)
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
            if readsDeferred {
                // A pass of a high-rate open model: the iterations due go out before the responses
                // that waited in the kernel are read (their latency comes from the kernel's arrival
                // stamps, so reading them later costs them nothing, while reading first made every
                // start of the pass later by the batch's reading and recording).
                let now = MonotonicClock.nowNanos()
                if issuing, !stop.isStopped, now < hardDeadline, let native {
                    recorder.roll(now, inFlight: inFlight)
                    issuing = issue(now: now, responsesUnread: true)
                    native.flush(now: MonotonicClock.nowNanos())
                }
                readDeferredResponses()
            }
            let now = MonotonicClock.nowNanos()
            if stop.isStopped || now >= hardDeadline {
                if !stop.isStopped {
                    // Due and still waiting for a connection when the safety deadline cut the run.
                    while let iteration = scheduler.takeDue(elapsedNanos: now - startNanos) { recordConnectionsBusy(iteration, now: now) }
                }
                abortInFlight()
                break
            }
            recorder.roll(now, inFlight: inFlight)
            if issuing { issuing = issue(now: now) }
            if let native {
                native.expire(now: now)
                collectNativeCompletions()
                native.flush(now: MonotonicClock.nowNanos())
                collectNativeCompletions()
            } else {
                if !sleepers.isEmpty || !wakeups.isEmpty { serviceProtocolWaits(now: now) }
                curl_multi_perform(multi, &running)
                collectCompletions()
            }
            assert(inFlight == slots.filter(\.inMulti).count, "in-flight count equals handles in the multi")
            if !issuing && inFlight == 0 && !slots.contains(where: \.busy) { break }
            wait(now: MonotonicClock.nowNanos(), issuing: issuing)
        }
        finishedNanos = MonotonicClock.nowNanos()
        endMCPSessions()
        recorder.finish()
    }

    /// Starts whatever is due. Returns false once this worker will start no more iterations.
    /// `responsesUnread`: responses may wait unread in the kernel (a deferred-read pass), so no
    /// free connection does not yet mean that the target holds them all: the starts stop there,
    /// neither counted as waiting on the target nor dropped as such, and the pass goes on after
    /// the reads (`passCutShort`).
    func issue(now: Int64, responsesUnread: Bool = false) -> Bool {
        let elapsed = now - runStartNanos
        if scheduler.isOpen {
            guard passCutShort || scheduler.passDue(elapsedNanos: elapsed, lastStartPassNanos: lastStartPassNanos,
                                                    waitingForConnection: headWaitedForConnection) else { return true }
            passCutShort = false
            while true {
                if responsesUnread, freeSlots.isEmpty {
                    passCutShort = true
                    return true
                }
                switch scheduler.nextOpen(elapsedNanos: elapsed, connectionFree: !freeSlots.isEmpty) {
                case let .start(iteration):
                    if iteration.measured {
                        lateness.record(iteration.latenessNanos / 1_000)
                        recorder.noteStart(latenessNanos: iteration.latenessNanos)
                        if !headWaitedForConnection { generatorLateness.record(iteration.latenessNanos / 1_000) }
                    }
                    headWaitedForConnection = false
                    lastStartPassNanos = elapsed
                    startIteration(slots[freeSlots.removeLast()], iteration, now: now)
                case let .drop(iteration, busy):
                    headWaitedForConnection = false
                    if busy {
                        recordConnectionsBusy(iteration, now: now)
                    } else if iteration.measured {
                        dropped += 1
                        recorder.noteDropped()
                    }
                case .noConnection:
                    headWaitedForConnection = true
                    return true
                case .wait:
                    return true
                case .finished:
                    return false
                }
            }
        }
        guard scheduler.closedIssuing(elapsedNanos: elapsed) else { return false }
        for slot in slots where !slot.busy {
            guard let iteration = scheduler.nextClosed(vu: slot.rank, elapsedNanos: elapsed) else { continue }
            startIteration(slot, iteration, now: now)
        }
        return true
    }

    /// Keeps an example of a failure of metric `index` while its class has room (no work, no
    /// allocation otherwise). The snippet is redacted before it is stored.
    func sampleError(_ index: Int, _ failure: FailureClass, status: Int, message: @autoclosure () -> String,
                             body: [UInt8]?, now: Int64) {
        guard errorSamples[index].wants(failure) else { return }
        let secrets = plan.scenario.secretValues
        let snippet = body.flatMap(ErrorSampleSet.snippet).map { Redaction.text($0, secrets: secrets) }
        errorSamples[index].offer(ErrorSample(failure: failure, status: status > 0 ? status : nil,
                                              message: Redaction.text(message(), secrets: secrets), snippet: snippet,
                                              atNanos: now - runStartNanos))
    }

    /// An iteration that never got a connection because all of them were busy on the target: a
    /// failed request of the first step, its latency the wait since its intended start.
    func recordConnectionsBusy(_ iteration: IterationScheduler.Iteration, now: Int64) {
        guard iteration.measured, !plan.preparedSteps.isEmpty else { return }
        connectionsBusy += 1
        sampleError(0, .connectionsBusy, status: 0, message: TransferOutcome.describe(.connectionsBusy, status: 0), body: nil, now: now)
        recorder.record(0, Completion(latencyNanos: now - (runStartNanos + iteration.intendedNanos), serviceNanos: nil, status: nil,
                                      failure: .connectionsBusy, timings: nil), nowNanos: now)
        recorder.noteConnectionsBusy()
    }

    func startIteration(_ slot: Slot, _ iteration: IterationScheduler.Iteration, now: Int64) {
        if iteration.measured { iterationsStarted += 1 }
        slot.measured = iteration.measured
        slot.busy = true
        slot.iteration = plan.shardNumbering.iteration(iteration.number)
        slot.stepIndex = 0
        if !slot.captured.isEmpty { slot.captured.removeAll(keepingCapacity: true) }
        skipOnceSteps(slot)
        guard slot.stepIndex < plan.preparedSteps.count else {
            finishIteration(slot, now: now)
            return
        }
        startStep(slot, latencyStartNanos: runStartNanos + iteration.intendedNanos, now: now)
    }

    /// Steps marked `once` run only in a virtual user's first iteration.
    func skipOnceSteps(_ slot: Slot) {
        while slot.stepIndex < plan.preparedSteps.count, plan.preparedSteps[slot.stepIndex].step.once, slot.iterationsDone > 0 {
            slot.stepIndex += 1
        }
    }

    func startStep(_ slot: Slot, latencyStartNanos: Int64, now: Int64) {
        let prepared = plan.preparedSteps[slot.stepIndex]
        if !prepared.step.kind.isHTTP {
            startProtocolStep(slot, latencyStartNanos: latencyStartNanos, now: now)
            return
        }
        slot.latencyStartNanos = latencyStartNanos
        slot.sentNanos = now
        if let native {
            startNativeStep(slot, prepared: prepared, transport: native, now: now)
            return
        }
        RequestSetup.configureStep(slot, prepared: prepared)
        attach(slot)
    }

    /// A plain step whose reused keep-alive connection turned out dead when libcurl sent the
    /// request (the server had closed it, as one may at any time; libcurl 7.88 reports "Failed
    /// sending data to the peer" and does not retry this case itself) is sent once more on a fresh
    /// connection: the native engine's rule (`NativeConnection.mayRetryOnFreshConnection`), so a
    /// benign keep-alive close is not a failure of the target under either engine.
    private func retriesOnFreshConnection(_ slot: Slot, result: CURLcode) -> Bool {
        guard result == CURLE_SEND_ERROR, !slot.retriedOnFreshConnection, slot.bytesIn == 0,
              CurlEasy.info(slot.handle, long: CURLINFO_NUM_CONNECTS) == 0 else { return false }
        slot.retriedOnFreshConnection = true
        CurlEasy.set(slot.handle, CURLOPT_FRESH_CONNECT, 1)
        attach(slot)
        return true
    }

    func attach(_ slot: Slot) {
        curl_multi_add_handle(multi, slot.handle)
        slot.inMulti = true
        inFlight += 1
    }

    func collectCompletions() {
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
            } else if !retriesOnFreshConnection(slot, result: result) {
                if slot.retriedOnFreshConnection {
                    slot.retriedOnFreshConnection = false
                    CurlEasy.set(handle, CURLOPT_FRESH_CONNECT, 0)
                }
                finishHTTPStep(slot, result: result, now: now)
            }
        }
    }

    /// A plain step's libcurl transfer ended: what libcurl reports, then `finishHTTPStep`.
    func finishHTTPStep(_ slot: Slot, result: CURLcode, now: Int64) {
        let status = RequestSetup.status(slot, result: result)
        let transport = result == CURLE_OK ? nil : TransferOutcome.transportFailure(result, osErrno: RequestSetup.osErrno(slot, result: result))
        finishHTTPStep(slot, status: status, transport: transport, timings: RequestSetup.timings(slot, result: result),
                       describe: { TransferOutcome.describe($0, result: result, status: status) }, now: now)
    }

    /// A plain step's transfer ended (either engine): classify, capture, record, move on.
    /// `timings` and `describe` are asked only when the iteration is measured (and a failure
    /// wants a sample), so an unmeasured or successful request pays for neither.
    func finishHTTPStep(_ slot: Slot, status: Int, transport: FailureClass?, timings: @autoclosure () -> TransferTimings,
                        describe: (FailureClass) -> String, now: Int64) {
        let prepared = plan.preparedSteps[slot.stepIndex]
        var failure = TransferOutcome.classify(transport: transport, bodyTooLarge: slot.bodyTooLarge, status: status,
                                               expect: prepared.step.expect, bodyMatches: { prepared.bodyMeetsExpectations(slot.body) })
        if failure == nil, !prepared.step.capture.isEmpty {
            if let document = try? JSONParser.parse(slot.body) { capture(prepared.step, from: document, into: slot) } else { failure = .expectation }
        }
        if slot.measured {
            var completion = Completion(latencyNanos: now - slot.latencyStartNanos, serviceNanos: now - slot.sentNanos,
                                        status: status, failure: failure, timings: timings())
            completion.applyTimeoutFloor(prepared.step.timeoutNanos)
            recorder.record(slot.stepIndex, completion, nowNanos: now)
            if let failure {
                // The message is an autoclosure: built only when the class still wants a sample.
                sampleError(slot.stepIndex, failure, status: status,
                            message: failure == .bodyTooLarge
                                ? "body larger than maxBodyBytes \(prepared.step.maxBodyBytes): stopped after \(slot.bytesIn) bytes"
                                : describe(failure),
                            body: slot.captureBody ? slot.body : nil, now: now)
            }
        }
        advance(slot, now: now)
    }

    /// Moves a slot to its next step, its next iteration (closed model) or back to the free list.
    func advance(_ slot: Slot, now: Int64) {
        slot.stepIndex += 1
        skipOnceSteps(slot)
        let withinDuration = now - runStartNanos < plan.scenario.load.durationNanos
        // Open-model iterations always finish (they were due within the run); closed-model ones
        // stop between steps once the duration is over.
        if slot.stepIndex < plan.preparedSteps.count, withinDuration || scheduler.isOpen {
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

    func finishIteration(_ slot: Slot, now: Int64) {
        if slot.measured { iterationsCompleted += 1 }
        slot.iterationsDone += 1
        releaseSlot(slot, now: now)
    }

    func releaseSlot(_ slot: Slot, now: Int64) {
        slot.busy = false
        if scheduler.isOpen {
            freeSlots.append(slot.index)
        } else if let iteration = scheduler.nextClosed(vu: slot.rank, elapsedNanos: now - runStartNanos) {
            startIteration(slot, iteration, now: now)
        }
    }

    /// The run is cut (interrupt or safety deadline): whatever is still running is unfinished
    /// work, recorded as a failed request of its step (`incomplete`) from its start to now.
    func abortInFlight() {
        let now = MonotonicClock.nowNanos()
        for slot in slots where slot.busy {
            if slot.measured, slot.stepIndex < plan.preparedSteps.count {
                let isProtocol = !plan.preparedSteps[slot.stepIndex].step.kind.isHTTP
                let started = isProtocol ? slot.stepLatencyStartNanos : slot.latencyStartNanos
                let sent = isProtocol ? slot.stepSentNanos : slot.sentNanos
                recorder.record(slot.stepIndex, Completion(latencyNanos: now - started, serviceNanos: now - sent, status: nil,
                                                           failure: .incomplete, timings: nil), nowNanos: now)
                sampleError(slot.stepIndex, .incomplete, status: 0, message: "still running when the run was cut", body: nil, now: now)
            }
            if slot.inMulti, native == nil { curl_multi_remove_handle(multi, slot.handle) }
            slot.inMulti = false
            slot.busy = false
            slot.parked = false
            slot.pendingRequest = nil
            aborted += 1
        }
        native?.abandonAll()
        sleepers.removeAll()
        wakeups.removeAll()
        inFlight = 0
    }

    // MARK: - Timing

    /// Sleeps in curl_multi_poll until a socket is ready, the next open-model pass is due (timerfd;
    /// at high rates one pass per batch window), the next second starts (snapshots), 100 ms pass
    /// (stop flag) or curl_multi_wakeup is called.
    func wait(now: Int64, issuing: Bool) {
        var timeoutMs = 100
        var dueNanos: Int64?
        if !wakeups.isEmpty { return }
        if issuing, scheduler.isOpen, !freeSlots.isEmpty, let pass = scheduler.nextPassNanos(lastStartPassNanos: lastStartPassNanos) {
            dueNanos = runStartNanos + pass
        } else if issuing, scheduler.closedHasStages {
            timeoutMs = 20
        }
        for index in sleepers {
            let due = slots[index].sleepUntilNanos
            dueNanos = min(dueNanos ?? due, due)
        }
        let untilNextSecond = DurationText.nanosPerSecond - (now - runStartNanos) % DurationText.nanosPerSecond
        timeoutMs = min(timeoutMs, Int(untilNextSecond / 1_000_000) + 1)
        if let deadline = native?.nextDeadlineNanos { timeoutMs = min(timeoutMs, max(0, Int((deadline - now) / 1_000_000) + 1)) }
        guard let dueNanos else {
            sleep(timeoutMs: timeoutMs, withTimer: false)
            return
        }
        let waitNanos = dueNanos - now
        if waitNanos <= 0 { return }
        if native != nil, deferReads, waitNanos <= Self.longestPlainSleepNanos {
            // Responses wait in the kernel for the pass: a plain sleep to it is one system call
            // (no timer to arm and read); a stop is noticed at the pass, well within a millisecond.
            lg_sleep_until(dueNanos)
            readsDeferred = true
            return
        }
        guard timerFD >= 0 else {
            sleep(timeoutMs: min(timeoutMs, Int(waitNanos / 1_000_000)), withTimer: false)
            return
        }
        if timerArmedNanos != dueNanos {
            lg_timer_arm_absolute(timerFD, dueNanos)
            timerArmedNanos = dueNanos
        }
        sleep(timeoutMs: min(timeoutMs, Int(waitNanos / 1_000_000) + 1), withTimer: true)
    }

    /// Waits on the engine's sockets (and the timerfd): curl_multi_poll, or the native epoll set,
    /// whose finished transfers are recorded and whose next requests are sent right away.
    private func sleep(timeoutMs: Int, withTimer: Bool) {
        var timerFired = false
        if let native {
            let deferring = withTimer && deferReads
            timerFired = native.wait(timeoutMs: Int32(timeoutMs), sockets: !deferring)
            readsDeferred = deferring
            collectNativeCompletions()
            native.flush(now: MonotonicClock.nowNanos())
            collectNativeCompletions()
        } else if withTimer {
            pollFDs[0].fd = timerFD
            pollFDs[0].events = Int16(CURL_WAIT_POLLIN)
            pollFDs[0].revents = 0
            curl_multi_poll(multi, &pollFDs, 1, Int32(timeoutMs), nil)
            timerFired = pollFDs[0].revents != 0
        } else {
            curl_multi_poll(multi, nil, 0, Int32(timeoutMs), nil)
        }
        if timerFired {
            var expirations: UInt64 = 0
            _ = read(timerFD, &expirations, 8)
            timerArmedNanos = nil
        }
    }

    /// Between two passes of a high-rate open model, responses may wait in the kernel for the next
    /// pass: one wake-up per pass instead of one or two more per batch, with latency taken from
    /// the kernel's arrival stamps. Only for one-step scenarios (a later step would start up to a
    /// window late) and while a connection is free for the next pass (a response frees one).
    var deferReads: Bool {
        scheduler.isOpen && plan.preparedSteps.count == 1 && !freeSlots.isEmpty && !headWaitedForConnection && scheduler.isBatching
    }

    /// How late the kernel may fire this worker's timers (prctl PR_SET_TIMERSLACK; default 50 µs).
    static let timerSlackNanos: UInt = 1_000

    /// The longest sleep to a pass taken without the timerfd (so without waking for a stop).
    static let longestPlainSleepNanos: Int64 = 2_000_000

    /// Reads the responses the last sleep left in the kernel (stamped with their arrival), right
    /// after the pass's starts went out and before the stop and the timeouts look at the clock.
    private func readDeferredResponses() {
        guard let native else { return }
        readsDeferred = false
        if native.wait(timeoutMs: 0) {
            var expirations: UInt64 = 0
            _ = read(timerFD, &expirations, 8)
            timerArmedNanos = nil
        }
        collectNativeCompletions()
    }

    /// Wakes the loop from another thread (the runner's stop).
    func wake() {
        if let native { native.wake() } else { curl_multi_wakeup(multi) }
    }
}
