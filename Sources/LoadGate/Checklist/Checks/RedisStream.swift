import Foundation

/// A byte stream to one Redis node, plaintext or TLS, bounded by an absolute deadline (the item's
/// timeout covers every connect, handshake, write and read of a check, however many nodes it visits).
protocol RedisStream: AnyObject {
    /// Writes every byte, or says why not.
    func write(_ bytes: [UInt8]) -> RedisStreamFailure?
    /// Appends at least one byte to `buffer`, or says why not.
    func read(into buffer: inout [UInt8]) -> RedisStreamFailure?
    func close()
}

/// Why a Redis stream could not be opened or used, in words an operator acts on.
enum RedisStreamFailure: Error, Equatable, CustomStringConvertible {
    /// The peer closed the connection.
    case closed
    /// The deadline passed (the nanoseconds the whole check was given).
    case timeout(Int64)
    case refused
    /// The server certificate did not verify against the CA (or name) configured.
    case untrustedServer(String)
    /// The server asked for a client certificate and got none.
    case clientCertificateRequired(String)
    /// The server refused the client certificate presented.
    case clientCertificateRefused(String)
    /// The TLS handshake failed in a way that means the port does not speak TLS.
    case notTLS(String)
    /// No TLS handshake completed in time: a plaintext port answers nothing to a ClientHello.
    case handshakeTimeout(Int64)
    /// The item's own TLS files cannot be used (CA file, client certificate or key): configuration.
    case localConfiguration(String)
    case other(String)

    var description: String {
        switch self {
        case .closed: return "connection closed by the server"
        case let .timeout(nanos): return "no answer within \(DurationText.format(nanos: nanos))"
        case .refused: return "connection refused"
        case let .untrustedServer(detail): return "the server certificate is not trusted by the configured CA or does not match the name (\(detail))"
        case let .clientCertificateRequired(detail): return "the server requires a client certificate and none was presented (\(detail)); set clientCert and clientKey"
        case let .clientCertificateRefused(detail): return "the server refused the client certificate (\(detail))"
        case let .notTLS(detail): return "the TLS handshake failed (\(detail)): the port does not seem to speak TLS (a plaintext port?)"
        case let .handshakeTimeout(nanos): return "no TLS handshake within \(DurationText.format(nanos: nanos)): the port may not speak TLS (a plaintext port stays silent), or the server is not answering"
        case let .localConfiguration(detail): return "the item's TLS files cannot be used: \(detail)"
        case let .other(detail): return detail
        }
    }
}

/// Waits until `fd` is ready for `events` or the deadline passes.
func pollUntil(_ fd: Int32, events: Int16, deadlineNanos: Int64) -> Bool {
    while true {
        let left = deadlineNanos - MonotonicClock.nowNanos()
        if left <= 0 { return false }
        var poller = pollfd(fd: fd, events: events, revents: 0)
        let ready = poll(&poller, 1, Int32(max(1, min(Int64(Int32.max), left / 1_000_000))))
        if ready > 0 { return true }
        if ready < 0 && errno != EINTR { return false }
    }
}

/// A plaintext TCP connection (POSIX socket, connected by `TCPProbe`).
final class RedisPlainStream: RedisStream {
    private var fd: Int32
    private let deadlineNanos: Int64
    private let budgetNanos: Int64

    private init(fd: Int32, deadlineNanos: Int64, budgetNanos: Int64) {
        self.fd = fd
        self.deadlineNanos = deadlineNanos
        self.budgetNanos = budgetNanos
    }

    static func open(host: String, port: Int, deadlineNanos: Int64, budgetNanos: Int64) -> Result<RedisPlainStream, RedisStreamFailure> {
        let left = deadlineNanos - MonotonicClock.nowNanos()
        guard left > 0 else { return .failure(.timeout(budgetNanos)) }
        switch TCPProbe.connect(host: host, port: port, timeoutNanos: left) {
        case let .success((fd, _)): return .success(RedisPlainStream(fd: fd, deadlineNanos: deadlineNanos, budgetNanos: budgetNanos))
        case .failure(.refused): return .failure(.refused)
        case .failure(.timeout): return .failure(.timeout(budgetNanos))
        case let .failure(other): return .failure(.other(other.description))
        }
    }

    func write(_ bytes: [UInt8]) -> RedisStreamFailure? {
        var sent = 0
        while sent < bytes.count {
            guard pollUntil(fd, events: Int16(POLLOUT), deadlineNanos: deadlineNanos) else { return .timeout(budgetNanos) }
            let written = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            if written < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                return errno == EPIPE || errno == ECONNRESET ? .closed : .other("send: \(String(cString: strerror(errno)))")
            }
            sent += written
        }
        return nil
    }

    func read(into buffer: inout [UInt8]) -> RedisStreamFailure? {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            guard pollUntil(fd, events: Int16(POLLIN), deadlineNanos: deadlineNanos) else { return .timeout(budgetNanos) }
            let count = recv(fd, &chunk, chunk.count, Int32(MSG_DONTWAIT))
            if count > 0 { buffer += chunk[0..<count]; return nil }
            if count == 0 { return .closed }
            if errno == EAGAIN || errno == EINTR { continue }
            return errno == ECONNRESET ? .closed : .other("recv: \(String(cString: strerror(errno)))")
        }
    }

    func close() {
        if fd >= 0 { Glibc.close(fd); fd = -1 }
    }

    deinit { close() }
}
