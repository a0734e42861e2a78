import Foundation

/// A TCP connect with a deadline, from POSIX sockets (non-blocking connect + poll), optionally
/// from a given local address. Used by `tcp`, `vpn` probes and `redis`.
enum TCPProbe {
    enum Failure: Error, CustomStringConvertible {
        case resolve(String), refused, timeout(Int64), other(String)
        var description: String {
            switch self {
            case let .resolve(message): return "cannot resolve: \(message)"
            case .refused: return "connection refused"
            case let .timeout(nanos): return "no answer within \(DurationText.format(nanos: nanos))"
            case let .other(message): return message
            }
        }
    }

    /// Connects and returns the connected descriptor (blocking mode, with receive/send timeouts
    /// set to the remaining time) and how long the connect took.
    static func connect(host: String, port: Int, timeoutNanos: Int64, localAddress: String? = nil) -> Result<(fd: Int32, nanos: Int64), Failure> {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        let code = getaddrinfo(host, String(port), &hints, &list)
        guard code == 0, let first = list else { return .failure(.resolve(String(cString: gai_strerror(code)))) }
        defer { freeaddrinfo(list) }
        let started = MonotonicClock.nowNanos()
        let fd = socket(first.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .failure(.other("socket: \(String(cString: strerror(errno)))")) }
        if let localAddress {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            guard inet_pton(AF_INET, localAddress, &local.sin_addr) == 1 else { close(fd); return .failure(.other("bad local address \(localAddress)")) }
            let bound = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            if bound != 0 { let message = String(cString: strerror(errno)); close(fd); return .failure(.other("bind \(localAddress): \(message)")) }
        }
        let result = Glibc.connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen)
        if result != 0 && errno != EINPROGRESS {
            let error = errno
            close(fd)
            return .failure(error == ECONNREFUSED ? .refused : .other(String(cString: strerror(error))))
        }
        var pollFD = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        let waitMs = Int32(max(1, timeoutNanos / 1_000_000))
        let ready = poll(&pollFD, 1, waitMs)
        if ready == 0 { close(fd); return .failure(.timeout(timeoutNanos)) }
        var socketError: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &length)
        if ready < 0 || socketError != 0 {
            close(fd)
            return .failure(socketError == ECONNREFUSED ? .refused : .other(String(cString: strerror(socketError == 0 ? errno : socketError))))
        }
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags & ~Int32(O_NONBLOCK))
        let remaining = max(1_000_000, timeoutNanos - (MonotonicClock.nowNanos() - started))
        var timeout = timeval(tv_sec: Int(remaining / 1_000_000_000), tv_usec: Int(remaining % 1_000_000_000 / 1_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return .success((fd, MonotonicClock.nowNanos() - started))
    }
}
