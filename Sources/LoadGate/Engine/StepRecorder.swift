/// What libcurl reported about one transfer beyond its result: bytes and connection phases. Read
/// once per transfer by the worker (`RequestSetup.timings`), recorded by `StepRecorder`.
struct TransferTimings {
    var bytesIn: Int64 = 0
    var bytesOut: Int64 = 0
    /// Time to first byte in µs (0: none, e.g. the transfer failed).
    var ttfbMicros: Int64 = 0
    /// True when the transfer opened a new connection (then DNS, connect and TLS are phases of it).
    var newConnection = false
    var dnsMicros: Int64 = 0
    /// Cumulative times from libcurl (connect done, TLS done), 0 when the phase did not happen.
    var connectedMicros: Int64 = 0
    var handshakenMicros: Int64 = 0
}

/// One finished step execution or protocol phase, as recorded.
struct Completion {
    /// From the intended start (open model's first step) or the send, to the end.
    var latencyNanos: Int64
    /// From the actual send to the end (nil: nothing was sent, e.g. no connection was free).
    var serviceNanos: Int64?
    /// The HTTP status counted with this completion (nil for protocol steps and phases, whose
    /// statuses are counted per exchange).
    var status: Int?
    var failure: FailureClass?
    var timings: TransferTimings?

    /// How long a transfer may take to connect: its timeout, but at most 10 s (both engines).
    static func connectTimeoutNanos(forTimeout timeoutNanos: Int64) -> Int64 { min(timeoutNanos, 10 * DurationText.nanosPerSecond) }

    /// A transfer that timed out waited at least the timeout that fired (libcurl may fire a
    /// fraction of a millisecond early): it is never recorded below it, or `p95 < T` could pass
    /// while every request timed out. The connect timeout fired when the transfer ended well
    /// before its whole timeout (a connect that timed out at 10 s of a 30 s step is 10 s, not 30).
    mutating func applyTimeoutFloor(_ timeoutNanos: Int64) {
        guard failure == .timeout else { return }
        let connectTimeout = Self.connectTimeoutNanos(forTimeout: timeoutNanos)
        let elapsed = serviceNanos ?? latencyNanos
        let fired = connectTimeout < timeoutNanos && elapsed < timeoutNanos - Self.earlyFiringSlackNanos ? connectTimeout : timeoutNanos
        let service = max(serviceNanos ?? 0, fired)
        serviceNanos = service
        latencyNanos = max(latencyNanos, service)
    }

    /// How early a timeout may fire and still count as that timeout.
    static let earlyFiringSlackNanos: Int64 = 50_000_000
}

/// The one place a worker records what it measured: each completion's latency, service time,
/// libcurl phases, status, failure class and bytes go into the run totals and this second's
/// interval together, so the seconds always sum exactly to the totals. Storage is allocated up
/// front, so recording never allocates (a second's status-code dictionary grows on a new code).
struct StepRecorder {
    /// Indexed like `RunPlan.metricNames`: the steps, then protocol phases.
    private(set) var metrics: [StepMetrics]
    /// This second's completions per metric, handed to `mailbox` when the second ends.
    private(set) var interval: IntervalSnapshot
    private let mailbox: IntervalMailbox
    private var runStartNanos: Int64 = 0
    /// The worker's requests in flight at its last loop turn.
    private var inFlightNow: Int64 = 0

    init(metricCount: Int, mailbox: IntervalMailbox) {
        metrics = [StepMetrics](repeating: StepMetrics(), count: metricCount)
        interval = IntervalSnapshot(second: 0, stepCount: metricCount)
        self.mailbox = mailbox
    }

    mutating func start(atNanos startNanos: Int64) { runStartNanos = startNanos }

    /// Records one completion of metric `index`. A failure that got no answer at all (refused,
    /// DNS, TLS) is counted but is not a latency sample.
    mutating func record(_ index: Int, _ completion: Completion, nowNanos: Int64) {
        roll(nowNanos)
        let isLatencySample = completion.failure?.isLatencySample ?? true
        let latencyMicros = completion.latencyNanos / 1_000
        metrics[index].requests += 1
        interval.steps[index].requests += 1
        if isLatencySample {
            metrics[index].latency.record(latencyMicros)
            if let serviceNanos = completion.serviceNanos { metrics[index].serviceTime.record(serviceNanos / 1_000) }
            interval.steps[index].latency.record(latencyMicros)
        }
        if let status = completion.status { countStatus(index, status) }
        if let failure = completion.failure {
            metrics[index].failed += 1
            metrics[index].failures[failure.rawValue] += 1
            interval.steps[index].failed += 1
            interval.steps[index].failures[failure.rawValue] += 1
        }
        if let timings = completion.timings {
            if timings.ttfbMicros > 0 { metrics[index].ttfb.record(timings.ttfbMicros) }
            recordTransfer(index, timings)
        }
    }

    /// Records one HTTP exchange of a protocol step (a poll, a handshake request): counted in its
    /// `exchanges` with its status, bytes and connection phases; not a request of the step.
    mutating func recordExchange(_ index: Int, status: Int, timings: TransferTimings, nowNanos: Int64) {
        roll(nowNanos)
        let code = min(max(status, 0), StepMetrics.statusCodeLimit)
        metrics[index].exchanges += 1
        metrics[index].exchangeStatusCodes[code] += 1
        interval.steps[index].exchanges += 1
        interval.steps[index].exchangeStatusCodes[code, default: 0] += 1
        recordTransfer(index, timings)
    }

    private mutating func countStatus(_ index: Int, _ status: Int) {
        let code = min(max(status, 0), StepMetrics.statusCodeLimit)
        metrics[index].statusCodes[code] += 1
        interval.steps[index].statusCodes[code, default: 0] += 1
    }

    private mutating func recordTransfer(_ index: Int, _ timings: TransferTimings) {
        metrics[index].bytesIn += timings.bytesIn
        metrics[index].bytesOut += timings.bytesOut
        if timings.newConnection {
            metrics[index].dns.record(timings.dnsMicros)
            if timings.connectedMicros > 0 { metrics[index].connect.record(timings.connectedMicros - timings.dnsMicros) }
            if timings.handshakenMicros > 0 { metrics[index].tls.record(timings.handshakenMicros - timings.connectedMicros) }
        }
    }

    /// A protocol step's time to first event (its call's first body byte).
    mutating func recordTimeToFirstByte(_ index: Int, micros: Int64) {
        metrics[index].ttfb.record(micros)
    }

    /// Adds a protocol counter (not a completion) to metric `index`.
    mutating func count(_ counter: ProtocolCounter, _ index: Int, by amount: Int64) {
        metrics[index].counters[counter.rawValue] += amount
    }

    /// The generator's side of this second (live metrics): an open-model iteration started
    /// `latenessNanos` late, was dropped, or found every connection busy (measured ones only).
    mutating func noteStart(latenessNanos: Int64) { interval.generator.recordLateness(micros: latenessNanos / 1_000) }
    mutating func noteDropped() { interval.generator.dropped += 1 }
    mutating func noteConnectionsBusy() { interval.generator.connectionsBusy += 1 }

    /// Hands the interval to the runner when a new second has begun (called every loop turn and
    /// before each record, so a completion always lands in the second it happened in).
    /// `inFlight`, when given, is the worker's requests in flight now (the loop passes it each
    /// turn); the ending second carries the latest one as its gauge.
    /// Seconds only move forward: a completion stamped before the current second (the native
    /// engine's kernel arrival stamp of a reply read after the second rolled) lands in the
    /// current one. Rolling back would post a second the runner has already finalized, and the
    /// seconds would no longer sum to the totals.
    @inline(__always)
    mutating func roll(_ nowNanos: Int64, inFlight: Int? = nil) {
        if let inFlight { inFlightNow = Int64(inFlight) }
        let second = max(0, Int((nowNanos - runStartNanos) / DurationText.nanosPerSecond))
        guard second > interval.second else { return }
        interval.generator.inFlight = inFlightNow
        mailbox.post(interval, watermark: second)
        if interval.isEmpty {
            interval.second = second
        } else {
            // Once a second: the posted copy keeps the old storage, this one starts fresh.
            interval = IntervalSnapshot(second: second, stepCount: interval.steps.count)
        }
    }

    /// The worker is done: everything it recorded is posted.
    func finish() {
        mailbox.post(interval, watermark: Int.max)
    }
}
