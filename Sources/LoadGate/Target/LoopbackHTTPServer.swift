import Foundation

/// A small HTTP/1.1 keep-alive server (speaking HTTP/1.0 to HTTP/1.0 clients) on POSIX sockets, one thread per connection, bound to a
/// loopback address only (it refuses any other). Handlers get a parsed request and return a
/// response; the server owns framing. Built on the toolchain's own libraries so the demo target
/// needs nothing installed.
public final class LoopbackHTTPServer: @unchecked Sendable {
    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var query: String
        /// Header names lowercased.
        public var headers: [String: String]
        public var body: [UInt8]
        /// "HTTP/1.1" or "HTTP/1.0", from the request line.
        public var version = "HTTP/1.1"
    }

    public struct Response: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: [UInt8]

        public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
            self.status = status
            self.headers = headers
            self.body = body
        }

        public static func json(_ status: Int, _ text: String, headers: [(String, String)] = []) -> Response {
            Response(status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(text.utf8))
        }
    }

    public enum StartError: Error, CustomStringConvertible {
        case notLoopback(String), bind(String)
        public var description: String {
            switch self {
            case let .notLoopback(host): return "\(host) is not a loopback address; the demo target binds 127.0.0.0/8 or ::1 only"
            case let .bind(message): return message
            }
        }
    }

    public let port: Int
    private let listener: Int32
    private let handler: @Sendable (Request) -> Response
    private let lock = NSLock()
    private var stopped = false

    /// - Parameter allowAnyAddress: bind a non-loopback IPv4 address too (only when a user named
    ///   it explicitly, e.g. `--metrics-listen 0.0.0.0:9464`); the demo target never sets it.
    public init(host: String = "127.0.0.1", port: Int = 0, allowAnyAddress: Bool = false,
                handler: @escaping @Sendable (Request) -> Response) throws(StartError) {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1, allowAnyAddress || UInt32(bigEndian: address.sin_addr.s_addr) >> 24 == 127 else {
            throw .notLoopback(host)
        }
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0, listen(fd, 1024) == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw .bind("cannot listen on \(host):\(port): \(message)")
        }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        self.port = Int(UInt16(bigEndian: address.sin_port))
        self.listener = fd
        self.handler = handler
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "loadgate-target-accept"
        thread.start()
    }

    public func stop() {
        lock.withLock { stopped = true }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    private func acceptLoop() {
        while !isStopped {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if isStopped { return }
                continue
            }
            var one: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let thread = Thread { [self] in serve(client) }
            thread.stackSize = 256 * 1024
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        defer { close(fd) }
        var buffer = [UInt8]()
        buffer.reserveCapacity(16 * 1024)
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            // Read until a full request (headers + Content-Length body) is buffered.
            var headerEnd: Int?
            while headerEnd == nil {
                headerEnd = Self.find(buffer)
                if headerEnd != nil { break }
                let count = recv(fd, &chunk, chunk.count, 0)
                if count <= 0 { return }
                buffer.append(contentsOf: chunk[0..<count])
                if buffer.count > 1 << 20 { return }
            }
            guard let end = headerEnd, var request = Self.parseHead(buffer[0..<end]) else { return }
            let length = Int(request.headers["content-length"] ?? "0") ?? 0
            guard length >= 0, length <= 16 << 20 else { return }
            while buffer.count < end + 4 + length {
                let count = recv(fd, &chunk, chunk.count, 0)
                if count <= 0 { return }
                buffer.append(contentsOf: chunk[0..<count])
            }
            request.body = Array(buffer[(end + 4)..<(end + 4 + length)])
            buffer.removeFirst(end + 4 + length)
            let response = handler(request)
            let persistence = Self.persistence(version: request.version, connection: request.headers["connection"])
            guard write(fd, Self.serialize(response, announce: persistence.announce)), persistence.keepOpen else { return }
        }
    }

    private static func find(_ buffer: [UInt8]) -> Int? {
        guard buffer.count >= 4 else { return nil }
        var index = 0
        while index + 3 < buffer.count {
            if buffer[index] == 13, buffer[index + 1] == 10, buffer[index + 2] == 13, buffer[index + 3] == 10 { return index }
            index += 1
        }
        return nil
    }

    static func parseHead(_ bytes: ArraySlice<UInt8>) -> Request? {
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)
        guard !lines.isEmpty else { return nil }
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let target = String(requestLine[1])
        let parts = target.split(separator: "?", maxSplits: 1)
        var request = Request(method: String(requestLine[0]), path: String(parts.first ?? ""), query: parts.count > 1 ? String(parts[1]) : "",
                              headers: headers, body: [])
        if requestLine.count >= 3 { request.version = String(requestLine[2]) }
        return request
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 202: return "Accepted"
        case 400: return "Bad Request"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 406: return "Not Acceptable"
        case 500: return "Internal Server Error"
        case 503: return "Service Unavailable"
        default: return "Status"
        }
    }

    /// Whether the connection stays open after this response, and the `Connection` header that
    /// says so, as real servers do: HTTP/1.1 persists unless the client sent `close`; HTTP/1.0
    /// closes unless the client asked for `keep-alive`, which is then answered `keep-alive`
    /// (ApacheBench `ab -k` waits for exactly that; without it, ab waits for the close).
    static func persistence(version: String, connection: String?) -> (keepOpen: Bool, announce: String?) {
        let tokens = Set((connection ?? "").lowercased().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        if tokens.contains("close") { return (false, "close") }
        if version.uppercased() == "HTTP/1.0" {
            return tokens.contains("keep-alive") ? (true, "keep-alive") : (false, "close")
        }
        return (true, nil)
    }

    private static func serialize(_ response: Response, announce: String?) -> [UInt8] {
        var head = "HTTP/1.1 \(response.status) \(reason(response.status))\r\nContent-Length: \(response.body.count)\r\n"
        for (name, value) in response.headers { head += "\(name): \(value)\r\n" }
        if let announce { head += "Connection: \(announce)\r\n" }
        head += "\r\n"
        return Array(head.utf8) + response.body
    }

    private func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if count <= 0 { return false }
            sent += count
        }
        return true
    }
}
