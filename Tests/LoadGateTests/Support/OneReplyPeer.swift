import Foundation

/// A loopback peer for one connection that answers any request with fixed bytes: how a test
/// shows libcurl the very bytes a parser table feeds the native engine. It reads the request
/// head, writes the reply, then closes at once (`closesAfterReply`) or waits for the client to
/// close (at most 5 s). Port from the OS. The request head it read is kept for the test.
final class OneReplyPeer: @unchecked Sendable {
    let port: Int
    private let lock = NSLock()
    private let headRead = DispatchSemaphore(value: 0)
    private var requestHead: [UInt8] = []

    /// The request head the peer read (through its blank line), waiting up to 5 s for it.
    func receivedHead() -> [UInt8] {
        _ = headRead.wait(timeout: .now() + 5)
        lock.lock()
        defer { lock.unlock() }
        return requestHead
    }

    init(reply: [UInt8], closesAfterReply: Bool) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && getsockname(listener, $0, &length) == 0 }
        }
        guard bound, listen(listener, 1) == 0 else {
            close(listener)
            throw POSIXError(.EADDRINUSE)
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in
            defer { close(listener) }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            defer { close(connection) }
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            _ = setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var request: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4_096)
            var headEnd: Int?
            while headEnd == nil {
                let count = recv(connection, &buffer, buffer.count, 0)
                guard count > 0 else { return }
                request.append(contentsOf: buffer[0..<count])
                headEnd = request.indices.dropLast(3).first { request[$0..<($0 + 4)].elementsEqual([13, 10, 13, 10]) }.map { $0 + 4 }
            }
            lock.lock()
            requestHead = Array(request[..<headEnd!])
            lock.unlock()
            headRead.signal()
            var sent = 0
            while sent < reply.count {
                let count = reply[sent...].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard count > 0 else { return }
                sent += count
            }
            if closesAfterReply { return }
            while recv(connection, &buffer, buffer.count, 0) > 0 {}
        }
    }
}
