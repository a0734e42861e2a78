/// An `http://` URL split the way the native engine needs it: where to connect (a numeric IPv4 or
/// IPv6 address and a port, so no resolver runs on the event loop), the `Host` header and the
/// request target. Anything the native engine does not handle exactly as libcurl would (a host
/// name, user-info, a non-ASCII or space character) has no `NativeURL`: the step then stays on
/// libcurl (at planning) or fails as `protocol` (a rendered URL, at run time), never silently differs.
struct NativeURL: Equatable {
    /// The address text as written (IPv6 without brackets) and the port (80 when absent).
    let host: String
    let port: Int
    /// `Host` header value, as libcurl sends it: the port only when not 80, IPv6 in brackets.
    let hostHeader: String
    /// Path and query; "/" when the URL has no path. The fragment is dropped, dot segments removed.
    let target: String

    init?(_ url: String) {
        guard url.hasPrefix("http://") else { return nil }
        var rest = Substring(url.dropFirst("http://".count))
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        for byte in rest.utf8 where byte <= 0x20 || byte >= 0x7F { return nil }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = String(rest[authorityEnd...])
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        var hostPart = Substring(authority)
        var portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                portPart = after.dropFirst()
            }
            guard hostPart.contains(":"), !hostPart.contains("%") else { return nil }
        } else if let colon = authority.firstIndex(of: ":") {
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        }
        guard Self.isNumericIPv4(hostPart) || authority.hasPrefix("[") else { return nil }
        var port = 80
        if let portPart, !portPart.isEmpty {
            guard portPart.count <= 5, portPart.allSatisfy(\.isASCIIDigit), let number = Int(portPart), (1...65535).contains(number) else { return nil }
            port = number
        }
        host = String(hostPart)
        self.port = port
        let bracketed = authority.hasPrefix("[") ? "[\(hostPart)]" : String(hostPart)
        hostHeader = port == 80 ? bracketed : "\(bracketed):\(port)"
        if path.hasPrefix("?") || path.isEmpty { path = "/" + path }
        target = Self.removingDotSegments(path)
    }

    /// Same connection: scheme, address and port.
    func sameOrigin(_ other: NativeURL) -> Bool { host == other.host && port == other.port }

    private static func isNumericIPv4(_ text: Substring) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { part in
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCIIDigit), let value = Int(part) else { return false }
            return value <= 255 && (part.count == 1 || part.first != "0")
        }
    }

    /// RFC 3986 section 5.2.4 on the path (the query is kept as is), as libcurl does by default.
    static func removingDotSegments(_ target: String) -> String {
        let queryStart = target.firstIndex(of: "?") ?? target.endIndex
        let path = target[..<queryStart]
        guard path.contains("/.") else { return target }
        var output: [Substring] = []
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        for (offset, segment) in segments.enumerated() {
            let isLast = offset == segments.count - 1
            if segment == "." {
                if isLast { output.append("") }
            } else if segment == ".." {
                if !output.isEmpty { output.removeLast() }
                if isLast { output.append("") }
            } else {
                output.append(segment)
            }
        }
        return "/" + output.joined(separator: "/") + target[queryStart...]
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

/// The bytes of one HTTP/1.1 request as libcurl would send it for a plain step: request line,
/// `Host`, `User-Agent: loadgate/<version>`, `Accept: */*`, the step's headers (a header of the
/// same name replaces one of these), `Content-Length` for a body (and `Content-Type:
/// application/x-www-form-urlencoded` when the step set none, as libcurl does for POST fields),
/// no `Expect`. Static steps build theirs once (`PreparedStep`); templated ones per request.
enum NativeRequest {
    static func head(method: String, url: NativeURL, headers: [(name: String, value: String)], bodyLength: Int?) -> [UInt8] {
        var text = "\(method) \(url.target) HTTP/1.1\r\n"
        var own: [(String, String)] = [("Host", url.hostHeader), ("User-Agent", "loadgate/\(LoadGateVersion.current)"), ("Accept", "*/*")]
        if let bodyLength {
            own.append(("Content-Length", String(bodyLength)))
            own.append(("Content-Type", "application/x-www-form-urlencoded"))
        }
        // Content-Length is the engine's own when a body is sent: a step's would contradict it.
        let sent = headers.filter { bodyLength == nil || $0.name.lowercased() != "content-length" }
        let given = Set(sent.map { $0.name.lowercased() })
        for (name, value) in own where !given.contains(name.lowercased()) { text += "\(name): \(value)\r\n" }
        for header in sent { text += header.value.isEmpty ? "\(header.name):\r\n" : "\(header.name): \(header.value)\r\n" }
        text += "\r\n"
        return Array(text.utf8)
    }

    /// The body length a step's request carries (nil: no body and no Content-Length), as libcurl
    /// sends it: GET and HEAD never carry one; POST, PUT and PATCH send `Content-Length: 0` without one.
    static func bodyLength(method: String, body: Int?) -> Int? {
        switch method {
        case "GET", "HEAD": return nil
        default:
            if let body { return body }
            return ["POST", "PUT", "PATCH"].contains(method) ? 0 : nil
        }
    }
}
