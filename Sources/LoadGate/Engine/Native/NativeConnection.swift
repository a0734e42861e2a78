import CNet
import Foundation

/// Why a native transfer failed, kept as data so the message is built only when an error sample
/// wants it (`TransferOutcome.describe` is libcurl's counterpart).
enum NativeProblem: Equatable {
    case socket(errno: Int32)
    case connect(errno: Int32, address: String)
    case send(errno: Int32)
    case receive(errno: Int32)
    case response(HTTPResponseParser.Failure)
    case timeout(afterMillis: Int64, bytes: Int64)
    case url(String)

    var failure: FailureClass {
        switch self {
        case let .socket(code): return code == EMFILE || code == ENFILE ? .generatorFileLimit : .connect
        case .connect: return .connect
        case .timeout: return .timeout
        case .send, .receive, .response, .url: return .protocolError
        }
    }

    var message: String {
        switch self {
        case let .socket(code):
            // The generator's own limit, in the words libcurl's path uses for it (TransferOutcome.describe).
            if code == EMFILE || code == ENFILE { return "native HTTP/1.1: the generator could not open a socket (too many open files)" }
            return "native HTTP/1.1: could not open a socket: \(Self.text(code))"
        case let .connect(code, address): return "native HTTP/1.1: connect to \(address) failed: \(Self.text(code))"
        case let .send(code): return "native HTTP/1.1: sending the request failed: \(Self.text(code))"
        case let .receive(code): return "native HTTP/1.1: receiving the response failed: \(Self.text(code))"
        case let .response(failure): return "native HTTP/1.1: \(failure.message)"
        case let .timeout(millis, bytes): return "native HTTP/1.1: timed out after \(millis) milliseconds with \(bytes) bytes received"
        case let .url(reason): return "native HTTP/1.1: URL rejected: \(reason)"
        }
    }

    private static func text(_ code: Int32) -> String { String(cString: strerror(code)) }
}

/// How one native transfer ended: what `Worker.finishHTTPStep` needs, as libcurl's result and
/// getinfo calls give it on the other path.
struct NativeOutcome {
    var problem: NativeProblem?
    var status = 0
    var timings = TransferTimings()
    /// When the transfer ended (monotonic): its latency ends here, not when the worker got to it.
    var endNanos: Int64 = 0
}

/// One keep-alive HTTP/1.1 connection of a slot and the transfer running on it: a non-blocking
/// socket moved through connect, send and receive by `NativeTransport`'s event loop. It measures
/// what libcurl measures (connect time and first byte from the transfer's start, bytes each way)
/// and writes the body into its slot exactly as libcurl's write callback does (count, limit,
/// capture), so both paths feed the recorder the same facts.
final class NativeConnection {
    enum Phase { case idle, connecting, sending, receiving }

    unowned let slot: Slot
    let token: UInt64
    private(set) var fd: Int32 = -1
    private(set) var phase = Phase.idle
    var parser = HTTPResponseParser()

    // The request in flight: head and body bytes (the prepared step's or `ownedBytes`).
    private var head = UnsafeRawBufferPointer(start: nil, count: 0)
    private var body = UnsafeRawBufferPointer(start: nil, count: 0)
    private var sent = 0
    /// Bytes of a templated request, reused between requests (grown when needed).
    private var ownedBytes = UnsafeMutableRawBufferPointer(start: nil, count: 0)

    /// Transfer start (libcurl's zero for its phase times), first response byte, connect done.
    private(set) var startNanos: Int64 = 0
    private var firstByteNanos: Int64 = 0
    private var connectedNanos: Int64 = 0
    private(set) var deadlineNanos: Int64 = 0
    private var connectDeadlineNanos: Int64 = 0
    private var timeoutNanos: Int64 = 0
    /// This transfer opened its connection (then connect time is one of its phases).
    private var openedConnection = false
    /// A request that found its reused connection dead before any reply byte is sent again once
    /// on a fresh connection, as libcurl does.
    private var retried = false
    private var usedBefore = false
    var inFlight: Bool { phase != .idle }

    init(slot: Slot, token: UInt64) {
        self.slot = slot
        self.token = token
    }

    deinit {
        closeSocket(reset: false)
        ownedBytes.deallocate()
    }

    /// Prepares a transfer of prepared bytes (a static step: no copy).
    func begin(head: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer?, headRequest: Bool, timeoutNanos: Int64, now: Int64) {
        self.head = head
        self.body = body ?? UnsafeRawBufferPointer(start: nil, count: 0)
        start(headRequest: headRequest, timeoutNanos: timeoutNanos, now: now)
    }

    /// Prepares a transfer of bytes rendered for this request (copied into the connection's buffer).
    func begin(ownedHead: [UInt8], ownedBody: [UInt8], headRequest: Bool, timeoutNanos: Int64, now: Int64) {
        let total = ownedHead.count + ownedBody.count
        if ownedBytes.count < total {
            ownedBytes.deallocate()
            ownedBytes = UnsafeMutableRawBufferPointer.allocate(byteCount: max(total, 1024), alignment: 8)
        }
        ownedHead.withUnsafeBytes { ownedBytes.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        ownedBody.withUnsafeBytes { if $0.count > 0 { (ownedBytes.baseAddress! + ownedHead.count).copyMemory(from: $0.baseAddress!, byteCount: $0.count) } }
        head = UnsafeRawBufferPointer(start: ownedBytes.baseAddress, count: ownedHead.count)
        body = UnsafeRawBufferPointer(start: ownedBytes.baseAddress! + ownedHead.count, count: ownedBody.count)
        start(headRequest: headRequest, timeoutNanos: timeoutNanos, now: now)
    }

    private func start(headRequest: Bool, timeoutNanos: Int64, now: Int64) {
        parser.reset(headRequest: headRequest)
        sent = 0
        startNanos = now
        firstByteNanos = 0
        connectedNanos = 0
        openedConnection = false
        retried = false
        self.timeoutNanos = timeoutNanos
        deadlineNanos = now + timeoutNanos
        connectDeadlineNanos = now + Completion.connectTimeoutNanos(forTimeout: timeoutNanos)
        phase = fd >= 0 ? .sending : .connecting
    }

    /// Deadline that applies now (the connect timeout while connecting).
    var currentDeadlineNanos: Int64 { phase == .connecting ? min(deadlineNanos, connectDeadlineNanos) : deadlineNanos }

    // MARK: - Socket steps (called by NativeTransport)

    /// Opens the socket; nil when the connect is under way, else the failure.
    func openSocket(to address: UnsafePointer<lg_address>, addressText: String, epoll: Int32) -> NativeProblem? {
        var error: Int32 = 0
        let socket = lg_tcp_connect(address, &error)
        guard socket >= 0 else {
            return error == EMFILE || error == ENFILE ? .socket(errno: error) : .connect(errno: error, address: addressText)
        }
        fd = socket
        openedConnection = true
        usedBefore = false
        lg_enable_rx_timestamps(socket)
        _ = lg_epoll_add(epoll, socket, token, 1)
        phase = .connecting
        return nil
    }

    /// The socket became writable while connecting: the connect's result.
    func connectFinished(now: Int64, addressText: String) -> NativeProblem? {
        let error = lg_socket_error(fd)
        if error != 0 { return .connect(errno: error, address: addressText) }
        connectedNanos = now
        phase = .sending
        return nil
    }

    /// Sends what is left of the request. nil when all is sent or the socket is full (wait for
    /// EPOLLOUT), else the failure.
    func sendSome() -> NativeProblem? {
        while phase == .sending {
            let total = head.count + body.count
            let headLeft = max(0, head.count - sent)
            let written: Int
            if headLeft > 0 {
                written = lg_send2(fd, head.baseAddress! + sent, headLeft, body.baseAddress, body.count)
            } else {
                written = lg_send2(fd, body.baseAddress! + (sent - head.count), total - sent, nil, 0)
            }
            if written < 0 {
                let code = errno
                if code == EAGAIN || code == EWOULDBLOCK { return nil }
                if code == EINTR { continue }
                return .send(errno: code)
            }
            sent += written
            if sent >= total { phase = .receiving }
        }
        return nil
    }

    /// Every byte of the request is sent.
    var requestSent: Bool { sent >= head.count + body.count }

    /// True when a failure now should send the request again on a fresh connection: the connection
    /// was reused and died before any reply byte, and this request has not been retried yet.
    var mayRetryOnFreshConnection: Bool { usedBefore && !retried && parser.receivedNothing && firstByteNanos == 0 }

    /// Drops the dead connection and goes back to connecting for the same request.
    func prepareRetry() {
        closeSocket(reset: true)
        retried = true
        sent = 0
        phase = .connecting
    }

    /// Feeds received bytes: the body goes to the slot as libcurl's write callback would take it.
    /// Returns .complete, .needMore, or a failure (`bodyTooLarge` is set on the slot for the limit).
    enum Progress { case needMore, complete(leftover: Bool), failed(NativeProblem?), bodyTooLarge }

    func received(_ bytes: UnsafeRawBufferPointer, now: Int64) -> Progress {
        if firstByteNanos == 0 { firstByteNanos = now }
        var index = 0
        while true {
            let event: HTTPResponseParser.Event
            do { event = try parser.consume(bytes, at: &index) } catch { return .failed(.response(error)) }
            switch event {
            case .needMore:
                return .needMore
            case let .body(range):
                if !slot.takeBody(UnsafeRawBufferPointer(rebasing: bytes[range]), counting: range.count) { return .bodyTooLarge }
            case .complete:
                return .complete(leftover: index < bytes.count)
            }
        }
    }

    /// The transfer is over: what it measured. Leaves the connection open only when it can carry
    /// the next request.
    func finish(_ problem: NativeProblem?, keepConnection: Bool, now: Int64) -> NativeOutcome {
        var outcome = NativeOutcome()
        outcome.problem = problem
        outcome.endNanos = now
        if problem == nil { outcome.status = parser.status }
        var timings = TransferTimings()
        timings.bytesIn = slot.bytesIn
        timings.bytesOut = Int64(sent)
        // As libcurl reports them: a first byte only for a transfer that succeeded (a body over
        // its limit ends libcurl's transfer with a write error), and a new connection only once
        // it was established (CURLINFO_NUM_CONNECTS is 0 after a refused or timed-out connect, so
        // neither a DNS nor a connect phase is counted for it).
        if problem == nil, !slot.bodyTooLarge, firstByteNanos > 0 { timings.ttfbMicros = max(1, (firstByteNanos - startNanos) / 1_000) }
        if openedConnection, connectedNanos > 0 {
            timings.newConnection = true
            timings.connectedMicros = max(1, (connectedNanos - startNanos) / 1_000)
        }
        outcome.timings = timings
        phase = .idle
        // A reset also when the request was cut short: unsent bytes must not linger in the kernel.
        if keepConnection { usedBefore = true } else { closeSocket(reset: problem != nil || !requestSent) }
        return outcome
    }

    /// A request refused before anything was sent (its rendered URL or headers cannot be sent).
    func finishWithoutSending(_ problem: NativeProblem, now: Int64) -> NativeOutcome {
        startNanos = now
        sent = 0
        openedConnection = false
        firstByteNanos = 0
        phase = .receiving
        return finish(problem, keepConnection: fd >= 0, now: now)
    }

    /// A timed-out transfer's problem: how long it ran and what it received.
    func timeoutProblem(now: Int64) -> NativeProblem {
        .timeout(afterMillis: (now - startNanos) / 1_000_000, bytes: slot.bytesIn)
    }

    /// Closes the socket (a reset when a response was abandoned mid-way, so no unread bytes linger).
    func closeSocket(reset: Bool) {
        guard fd >= 0 else { return }
        if reset { lg_close_reset(fd) } else { close(fd) }
        fd = -1
        usedBefore = false
    }
}
