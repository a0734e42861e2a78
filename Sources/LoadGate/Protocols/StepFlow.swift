/// A request a protocol step wants sent. Built per exchange (protocol steps render JSON bodies and
/// ids per request, so they allocate; plain HTTP steps keep the allocation-free path).
struct ExchangeRequest {
    var method: String
    var url: String
    /// Header lines ("Name: value").
    var headers: [String]
    var body: [UInt8]?
}

/// What came back for one exchange.
struct ExchangeResponse {
    /// Why the transfer failed before a response was complete (refused, timed out, ...); nil when
    /// a response arrived.
    var transportFailure: FailureClass?
    var status: Int
    /// Header names lowercased; the last value wins.
    var headers: [String: String]
    var body: [UInt8]
    var sentNanos: Int64
    /// When the first body byte arrived (0 if none): time to first SSE event.
    var firstBodyNanos: Int64
    var doneNanos: Int64

    /// Failure class for a response whose status is not the one a protocol expects.
    func statusFailure(expected: Set<Int>) -> FailureClass? {
        if let transportFailure { return transportFailure }
        if expected.contains(status) { return nil }
        return (500...599).contains(status) ? .http5xx : .unexpectedStatus
    }

    var isEventStream: Bool { headers["content-type"]?.lowercased().hasPrefix("text/event-stream") ?? false }
}

/// How a protocol step ends.
struct FlowResult {
    var failure: FailureClass?
    /// The document captures are taken from (a JSON-RPC result, a task, a status body).
    var document: JSONValue?
    /// What went wrong, for the error sample, when the class alone does not say it.
    var message: String?

    /// A stream whose event went over the step's `maxEventBytes`.
    static func eventTooLarge(bytes: Int, step: Step) -> FlowResult {
        FlowResult(failure: .bodyTooLarge,
                   message: "SSE event of \(bytes) bytes larger than maxEventBytes \(step.maxEventBytes): the stream was not read further")
    }
}

/// The next thing a flow wants done for its slot.
enum FlowAction {
    case send(ExchangeRequest)
    /// Send after a pause (polling), without holding up other slots.
    case sleep(untilNanos: Int64, then: ExchangeRequest)
    /// Wait until the worker resumes the slot (e.g. a shared MCP session is being initialized).
    case park
    case finish(FlowResult)
}

/// What a flow sees of the engine: the virtual user it runs for (for its templates), the captures
/// of the iteration, and the few things it may ask for. Sending an exchange is returning `.send`;
/// the reply comes back through `StepFlow.handle`. Narrow on purpose, so flows can be driven with
/// canned replies in tests (`FlowTests`).
protocol FlowContext: AnyObject {
    /// 1-based virtual user (`${vu}`) and iteration number (`${iteration}`).
    var vu: Int { get }
    var iteration: Int64 { get }
    /// The slot's index in its worker: what sessions are assigned by and slots are woken by.
    var slotIndex: Int { get }
    /// `${captured.NAME}` values of the current iteration.
    var captured: [String: String] { get set }
    /// Records a sample of one of the step's extra metrics (`mcp.initialize`, `<step>.submit`, ...).
    func recordPhase(_ name: String, latencyNanos: Int64, failure: FailureClass?)
    /// Counts a protocol event (`session_expired`, `progress_notifications`, ...) for the step.
    func count(_ counter: ProtocolCounter, by amount: Int64)
    /// Records the time from the call's send to its first body byte (the first SSE event), as
    /// the step's time to first byte (`ttfb.` SLOs).
    func recordFirstEvent(latencyNanos: Int64)
    /// Resumes a parked slot on the next loop turn.
    func wake(slot: Int)
    /// The step's latency and service time restart here (waiting for a shared session's
    /// handshake is handshake time, not the call's).
    func restartStepClock(atNanos: Int64)
}

/// The state of one step's execution on one slot. A flow instance belongs to one (slot, step)
/// pair and is reused across iterations; `begin` resets it.
protocol StepFlow: AnyObject {
    func begin(_ context: FlowContext, now: Int64) -> FlowAction
    func handle(_ response: ExchangeResponse, _ context: FlowContext) -> FlowAction
    func resume(_ context: FlowContext, now: Int64) -> FlowAction
}

extension StepFlow {
    func resume(_ context: FlowContext, now: Int64) -> FlowAction { begin(context, now: now) }
}
