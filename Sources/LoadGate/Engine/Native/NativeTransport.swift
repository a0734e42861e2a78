import CNet
import Foundation

/// The native HTTP/1.1 engine of one worker: an epoll set over its connections' sockets, the
/// worker's timerfd and a wake-up eventfd. It exists because libcurl's per-request work (URL
/// re-parsing, building the request with printf, mallocs, a poll() over every socket per turn)
/// was most of the generator's cost for plain steps (see the closing note of issue 16). One pass
/// starts every transfer queued since the last (`flush`: back-to-back sends, so an idle target is
/// woken once per batch, not per request), one `wait` handles every ready socket, and finished
/// transfers are handed back as `completed` for the worker to record.
///
/// Used only when the whole run qualifies (`HTTPEngineChoice`); protocol steps, TLS, HTTP/2, host
/// names and proxies stay on libcurl.
final class NativeTransport {
    static let timerToken = UInt64.max
    static let wakeToken = UInt64.max - 1

    private let epoll: Int32
    /// The timerfd and wake-up only: waited on between open-model passes whose responses are read
    /// at the next pass (`wait(timeoutMs:sockets:)`).
    private let timerEpoll: Int32
    /// CLOCK_REALTIME to CLOCK_MONOTONIC, taken before each batch of events (kernel receive
    /// stamps are real time).
    private var realtimeOffset: Int64 = 0
    private let wakeFD: Int32
    private var address = lg_address()
    private let addressText: String
    private(set) var connections: [NativeConnection]
    /// Connections whose transfer must be started (connect or send) at the next `flush`.
    private var queued: [Int] = []
    /// Transfers that ended since the worker last looked: slot index and outcome.
    var completed: [(slot: Int, outcome: NativeOutcome)] = []
    /// No in-flight deadline is earlier than this (a stale, earlier value only costs one scan).
    private var earliestDeadline = Int64.max
    private let buffer: UnsafeMutableRawBufferPointer
    private var tokens = [UInt64](repeating: 0, count: 256)
    private var flags = [UInt32](repeating: 0, count: 256)

    init(slots: [Slot], origin: NativeURL, timerFD: Int32) {
        epoll = lg_epoll_create()
        timerEpoll = lg_epoll_create()
        wakeFD = lg_eventfd_create()
        addressText = origin.host.contains(":") ? "[\(origin.host)]:\(origin.port)" : "\(origin.host):\(origin.port)"
        let parsed = lg_address_numeric(origin.host, Int32(origin.port), &address)
        precondition(parsed == 0, "NativeURL admits numeric addresses only")
        connections = slots.map { NativeConnection(slot: $0, token: UInt64($0.index)) }
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        for set in [epoll, timerEpoll] {
            if timerFD >= 0 { _ = lg_epoll_add_input(set, timerFD, Self.timerToken) }
            if wakeFD >= 0 { _ = lg_epoll_add_input(set, wakeFD, Self.wakeToken) }
        }
        completed.reserveCapacity(256)
        queued.reserveCapacity(slots.count)
    }

    deinit {
        connections.removeAll()
        close(epoll)
        close(timerEpoll)
        if wakeFD >= 0 { close(wakeFD) }
        buffer.deallocate()
    }

    /// Wakes the worker's `wait` from another thread (the runner's stop).
    func wake() { if wakeFD >= 0 { lg_eventfd_signal(wakeFD) } }

    /// Queues the transfer `connection` was given with `begin`: it starts at the next `flush`.
    func enqueue(_ slotIndex: Int) {
        queued.append(slotIndex)
        earliestDeadline = min(earliestDeadline, connections[slotIndex].currentDeadlineNanos)
    }

    /// Starts every queued transfer: connects where there is no connection, sends where there is.
    func flush(now: Int64) {
        guard !queued.isEmpty else { return }
        for index in queued { kick(connections[index], index: index, now: now) }
        queued.removeAll(keepingCapacity: true)
    }

    private func kick(_ connection: NativeConnection, index: Int, now: Int64) {
        if connection.phase == .connecting, connection.fd < 0 {
            if let problem = connection.openSocket(to: &address, addressText: addressText, epoll: epoll) {
                complete(connection, index: index, problem: problem, keep: false, now: now)
                return
            }
            // A retry's connect deadline may be earlier than what was scanned for so far.
            earliestDeadline = min(earliestDeadline, connection.currentDeadlineNanos)
            return  // the send follows when the socket becomes writable
        }
        send(connection, index: index, now: now)
    }

    private func send(_ connection: NativeConnection, index: Int, now: Int64) {
        guard let problem = connection.sendSome() else { return }
        if connection.mayRetryOnFreshConnection {
            connection.prepareRetry()
            kick(connection, index: index, now: now)
            return
        }
        complete(connection, index: index, problem: problem, keep: false, now: now)
    }

    private func complete(_ connection: NativeConnection, index: Int, problem: NativeProblem?, keep: Bool, now: Int64) {
        completed.append((index, connection.finish(problem, keepConnection: keep, now: now)))
    }

    /// Sleeps until a socket is ready, the timerfd fires, the wake-up is signalled or `timeoutMs`
    /// passes; handles every ready socket. Returns true when the timerfd fired.
    ///
    /// `sockets: false` sleeps on the timerfd and the wake-up alone: responses arriving meanwhile
    /// wait in the kernel, to be read by the next call (a pass of a high-rate open model reads
    /// them all in one go instead of waking once or twice per batch for them). Their latency does
    /// not grow by the wait: each read carries the kernel's arrival stamp (SO_TIMESTAMPNS), and a
    /// transfer's first byte and end are taken from it.
    @discardableResult
    func wait(timeoutMs: Int32, sockets: Bool = true) -> Bool {
        let count = Int(lg_epoll_wait(sockets ? epoll : timerEpoll, &tokens, &flags, 256, timeoutMs))
        var timerFired = false
        guard count > 0 else { return false }
        let now = MonotonicClock.nowNanos()
        realtimeOffset = lg_realtime_to_monotonic_offset()
        for event in 0..<count {
            let token = tokens[event]
            if token == Self.timerToken { timerFired = true; continue }
            if token == Self.wakeToken { lg_eventfd_drain(wakeFD); continue }
            ready(Int(token), flags: flags[event], now: now)
        }
        return timerFired
    }

    private func ready(_ index: Int, flags: UInt32, now: Int64) {
        let connection = connections[index]
        switch connection.phase {
        case .idle:
            // A kept-alive connection spoke or closed while unused: it cannot carry a request.
            if connection.fd >= 0, flags & (UInt32(EPOLLIN.rawValue) | UInt32(EPOLLRDHUP.rawValue) | UInt32(EPOLLHUP.rawValue) | UInt32(EPOLLERR.rawValue)) != 0 {
                connection.closeSocket(reset: true)
            }
        case .connecting:
            guard flags & (UInt32(EPOLLOUT.rawValue) | UInt32(EPOLLERR.rawValue) | UInt32(EPOLLHUP.rawValue)) != 0 else { return }
            if let problem = connection.connectFinished(now: now, addressText: addressText) {
                complete(connection, index: index, problem: problem, keep: false, now: now)
                return
            }
            send(connection, index: index, now: now)
        case .sending:
            send(connection, index: index, now: now)
            // A response can come before the request is all sent (a server refusing an upload
            // answers 413 without reading it): read it now, as libcurl does, for this edge may be
            // the last one (a peer that stops reading makes the socket writable never again).
            let phase = connection.phase
            if phase == .receiving || phase == .sending, flags & (UInt32(EPOLLIN.rawValue) | UInt32(EPOLLRDHUP.rawValue)) != 0 {
                receive(connection, index: index, peerClosed: Self.peerClosed(flags), now: now)
            }
        case .receiving:
            receive(connection, index: index, peerClosed: Self.peerClosed(flags), now: now)
        }
    }

    /// The event says the peer has closed its side (or the connection is gone): what is left to
    /// read ends with the end of the stream, and no further edge will announce it.
    private static func peerClosed(_ flags: UInt32) -> Bool {
        flags & (UInt32(EPOLLRDHUP.rawValue) | UInt32(EPOLLHUP.rawValue) | UInt32(EPOLLERR.rawValue)) != 0
    }

    /// Reads until the socket is drained or the response ends. A short read counts as drained
    /// (edge-triggered epoll reports later data as a new event), except when the event already
    /// carried the peer's close: data and close that arrived together come as one edge, so the
    /// end of the stream must be read now or never (a body delimited by the close, a truncated
    /// one, would otherwise wait for the timeout).
    private func receive(_ connection: NativeConnection, index: Int, peerClosed: Bool, now loopNow: Int64) {
        var now = loopNow
        while true {
            var arrived: Int64 = 0
            let count = lg_recv_stamped(connection.fd, buffer.baseAddress, buffer.count, &arrived)
            // The kernel's arrival time of what was read (never later than when the loop looked).
            if arrived > 0 { now = max(connection.startNanos, min(loopNow, arrived + realtimeOffset)) }
            if count < 0 {
                let code = errno
                if code == EAGAIN || code == EWOULDBLOCK { return }
                if code == EINTR { continue }
                failOrRetry(connection, index: index, problem: .receive(errno: code), now: now)
                return
            }
            if count == 0 {
                do {
                    try connection.parser.finishAtClose()
                    complete(connection, index: index, problem: nil, keep: false, now: now)
                } catch {
                    failOrRetry(connection, index: index, problem: .response(error), now: now)
                }
                return
            }
            switch connection.received(UnsafeRawBufferPointer(rebasing: buffer[0..<count]), now: now) {
            case .needMore:
                if count < buffer.count, !peerClosed { return }
            case let .complete(leftover):
                // A connection the peer already closed cannot carry the next request.
                // Nor can one whose request was not all sent (an early response).
                complete(connection, index: index, problem: nil,
                         keep: connection.parser.keepAlive && !leftover && !peerClosed && connection.requestSent, now: now)
                return
            case let .failed(problem):
                complete(connection, index: index, problem: problem, keep: false, now: now)
                return
            case .bodyTooLarge:
                complete(connection, index: index, problem: nil, keep: false, now: now)
                return
            }
        }
    }

    private func failOrRetry(_ connection: NativeConnection, index: Int, problem: NativeProblem, now: Int64) {
        if connection.mayRetryOnFreshConnection {
            connection.prepareRetry()
            kick(connection, index: index, now: now)
        } else {
            complete(connection, index: index, problem: problem, keep: false, now: now)
        }
    }

    /// Ends every transfer past its deadline (as libcurl's CURLOPT_TIMEOUT_MS and connect timeout
    /// do). Scans only when the earliest deadline may have passed.
    func expire(now: Int64) {
        guard now >= earliestDeadline else { return }
        var next = Int64.max
        for (index, connection) in connections.enumerated() where connection.inFlight {
            let deadline = connection.currentDeadlineNanos
            if now >= deadline {
                complete(connection, index: index, problem: connection.timeoutProblem(now: now), keep: false, now: now)
            } else {
                next = min(next, deadline)
            }
        }
        earliestDeadline = next
    }

    /// The earliest in-flight deadline, for the wait's timeout.
    var nextDeadlineNanos: Int64? { earliestDeadline == Int64.max ? nil : earliestDeadline }

    /// Abandons whatever is in flight (the run was cut): sockets closed with a reset.
    func abandonAll() {
        queued.removeAll()
        for connection in connections where connection.inFlight {
            _ = connection.finish(nil, keepConnection: false, now: 0)
            connection.closeSocket(reset: true)
        }
        completed.removeAll()
    }
}
