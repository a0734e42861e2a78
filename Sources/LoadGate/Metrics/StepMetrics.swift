/// Accounting identity (asserted in tests): `requests = succeeded + failed` for every step; for a
/// plain HTTP step every request is one exchange and `statusCodes` sums to `requests` (0 = no
/// response); a protocol step (MCP, A2A, workflow) makes several HTTP exchanges per request
/// (handshakes, polls), counted in `exchanges` with their statuses in `exchangeStatusCodes`
/// (summing to `exchanges`), never mixed into the step's own `statusCodes`.
///
/// Everything recorded for one step (or, merged, for the whole run): latency histograms per
/// phase and counters. Fixed-size storage allocated up front, so recording never allocates and
/// memory does not grow with run length. Workers each own one per step; they are merged after
/// the workers join (wrk2's design).
public struct StepMetrics: Sendable, Equatable {
    /// From the intended start (open model) or the send (closed model) to the last byte.
    public var latency = Histogram.latencyMicros()
    /// From the actual send to the last byte: what the server and network took.
    public var serviceTime = Histogram.latencyMicros()
    /// Phases reported by libcurl. DNS, connect and TLS are recorded only for requests that opened
    /// a new connection (a reused connection has no such phase); time to first byte for all.
    public var ttfb = Histogram.latencyMicros()
    public var connect = Histogram.latencyMicros()
    public var tls = Histogram.latencyMicros()
    public var dns = Histogram.latencyMicros()

    public var requests: Int64 = 0
    public var failed: Int64 = 0
    public var failures = [Int64](repeating: 0, count: FailureClass.allCases.count)
    /// Indexed by HTTP status as seen on the wire, 100...999 (0 = no response; a peer can send any
    /// three digits, and an odd code must be reported as it was, not folded into another).
    public var statusCodes = [Int64](repeating: 0, count: StepMetrics.statusCodeLimit + 1)
    public static let statusCodeLimit = 999
    /// HTTP exchanges a protocol step made, and their statuses (same indexing as `statusCodes`).
    public var exchanges: Int64 = 0
    public var exchangeStatusCodes = [Int64](repeating: 0, count: StepMetrics.statusCodeLimit + 1)
    public var bytesIn: Int64 = 0
    public var bytesOut: Int64 = 0
    /// Protocol events by `ProtocolCounter` (session_expired, progress notifications, ...).
    public var counters = [Int64](repeating: 0, count: ProtocolCounter.allCases.count)

    public init() {}

    public mutating func merge(_ other: StepMetrics) {
        latency.merge(other.latency)
        serviceTime.merge(other.serviceTime)
        ttfb.merge(other.ttfb)
        connect.merge(other.connect)
        tls.merge(other.tls)
        dns.merge(other.dns)
        requests += other.requests
        failed += other.failed
        for index in failures.indices { failures[index] += other.failures[index] }
        for index in statusCodes.indices where other.statusCodes[index] != 0 { statusCodes[index] += other.statusCodes[index] }
        exchanges += other.exchanges
        for index in exchangeStatusCodes.indices where other.exchangeStatusCodes[index] != 0 {
            exchangeStatusCodes[index] += other.exchangeStatusCodes[index]
        }
        bytesIn += other.bytesIn
        bytesOut += other.bytesOut
        for index in counters.indices { counters[index] += other.counters[index] }
    }
}
