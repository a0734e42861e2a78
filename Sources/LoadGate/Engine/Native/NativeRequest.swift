import Foundation

/// An `http://` URL split the way the native engine needs it: where to connect (a numeric IPv4 or
/// IPv6 address and a port, so no resolver runs on the event loop), the `Host` header and the
/// request target. Anything the native engine does not handle exactly as libcurl would (a host
/// name, user-info, a non-ASCII or space character) has no `NativeURL`: the step then stays on
/// libcurl (at planning) or fails as `protocol` (a rendered URL, at run time), never silently differs.
struct NativeURL: Equatable {
    /// The address text (IPv6 without brackets, in its canonical form as libcurl writes it) and the
    /// port (80 when absent).
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
            guard !hostPart.contains("%"), let canonical = Self.canonicalIPv6(hostPart) else { return nil }
            hostPart = Substring(canonical)
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

    /// An IPv6 address as inet_ntop writes it ("0:0::1" becomes "::1", as libcurl normalizes it);
    /// nil when it is not one (the transport could not connect to it).
    private static func canonicalIPv6(_ text: Substring) -> String? {
        var address = in6_addr()
        guard String(text).withCString({ inet_pton(AF_INET6, $0, &address) }) == 1 else { return nil }
        var buffer = [CChar](repeating: 0, count: 64)
        guard inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count)) != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

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

/// The bytes of one HTTP/1.1 request as libcurl 7.88 sends it for a plain step (checked byte for
/// byte against curl): request line; `Host` (a step's `Host` takes its place); `User-Agent:
/// loadgate/<version>` and `Accept: */*` unless the step sets a header of that name (in any case);
/// the step's headers in order, an empty value as `Name:`; then, for a body, `Content-Length` and
/// `Content-Type: application/x-www-form-urlencoded` unless the step set a Content-Type, as libcurl
/// does for POST fields; no `Expect` (the libcurl path removes it too). Unlike libcurl, a step's
/// own `Content-Length` or `Transfer-Encoding` is never sent: the engine frames the body itself, so
/// the head never contradicts it. Names and values must hold no CR, LF or NUL (the callers check).
/// Static steps build theirs once (`PreparedStep`); templated ones per request.
enum NativeRequest {
    static func head(method: String, url: NativeURL, headers: [(name: String, value: String)], bodyLength: Int?) -> [UInt8] {
        var text = "\(method) \(url.target) HTTP/1.1\r\n"
        let names = headers.map { $0.name.lowercased() }
        let given = Set(names)
        if let host = names.firstIndex(of: "host") {
            text += headers[host].value.isEmpty ? "Host:\r\n" : "Host: \(headers[host].value)\r\n"
        } else {
            text += "Host: \(url.hostHeader)\r\n"
        }
        if !given.contains("user-agent") { text += "User-Agent: loadgate/\(LoadGateVersion.current)\r\n" }
        if !given.contains("accept") { text += "Accept: */*\r\n" }
        for (header, name) in zip(headers, names) where name != "host" && name != "content-length" && name != "transfer-encoding" {
            text += header.value.isEmpty ? "\(header.name):\r\n" : "\(header.name): \(header.value)\r\n"
        }
        if let bodyLength {
            text += "Content-Length: \(bodyLength)\r\n"
            if !given.contains("content-type") { text += "Content-Type: application/x-www-form-urlencoded\r\n" }
        }
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
