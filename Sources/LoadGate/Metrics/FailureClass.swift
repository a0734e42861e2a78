/// Why a request failed. Transport failures come from the HTTP engine's result (classified in
/// `TransferOutcome`); the rest from the response. `name` is what reports print.
public enum FailureClass: Int, CaseIterable, Sendable {
    case dns, connect, tls, timeout, protocolError, http5xx, unexpectedStatus, expectation
    /// A JSON-RPC `error` reply (MCP, A2A).
    case jsonrpc
    /// An MCP tool answered `isError: true`.
    case toolError
    /// An A2A task or a workflow ended in a terminal state other than the awaited one.
    case taskFailed, taskCanceled, taskRejected, taskInputRequired, taskAuthRequired, workflowFailed
    /// Work still unfinished when the run ended or its own timeout passed (a workflow or A2A task
    /// still running, a stream still open, a request still in flight): a failure, never left out.
    case incomplete
    /// Open model: the iteration was due, but every connection was still busy waiting on the
    /// target for longer than `maxLateness`: the target's failure (a slow or hung target), with
    /// the wait as its latency, not a shortfall of the generator.
    case connectionsBusy
    /// The generator ran out of file descriptors (EMFILE/ENFILE): its failure, not the target's;
    /// any makes the verdict invalid.
    case generatorFileLimit
    /// The response body exceeded the step's `maxBodyBytes` (the transfer was stopped there).
    case bodyTooLarge

    public var name: String {
        switch self {
        case .dns: return "dns"
        case .connect: return "connect"
        case .tls: return "tls"
        case .timeout: return "timeout"
        case .protocolError: return "protocol"
        case .http5xx: return "http-5xx"
        case .unexpectedStatus: return "unexpected-status"
        case .expectation: return "expectation"
        case .jsonrpc: return "jsonrpc"
        case .toolError: return "tool_error"
        case .taskFailed: return "task-failed"
        case .taskCanceled: return "task-canceled"
        case .taskRejected: return "task-rejected"
        case .taskInputRequired: return "task-input-required"
        case .taskAuthRequired: return "task-auth-required"
        case .workflowFailed: return "workflow-failed"
        case .incomplete: return "incomplete"
        case .connectionsBusy: return "connections-busy"
        case .generatorFileLimit: return "generator-file-limit"
        case .bodyTooLarge: return "body-too-large"
        }
    }

    /// Whether a request that failed this way is a latency sample. A request that got an answer
    /// (any status) or timed out waited for real; one refused at connect, DNS or TLS got no answer
    /// at all, and counting it as a fast one would let a dead target pass a latency SLO.
    public var isLatencySample: Bool {
        switch self {
        case .dns, .connect, .tls, .protocolError, .generatorFileLimit: return false
        default: return true
        }
    }
}
