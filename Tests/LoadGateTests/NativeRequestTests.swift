import CCurl
import Testing
@testable import LoadGate

/// The native engine's URL split and request bytes, as tables. The expected bytes are what curl
/// 7.88.1 sent for the same URL and headers to a loopback listener (its User-Agent set to
/// loadgate's), except where a row says the native engine differs on purpose.
@Suite("native request: URL and head bytes")
struct NativeRequestTests {
    struct Accepted: CustomTestStringConvertible, Sendable {
        var url: String
        var host: String
        var port: Int
        var hostHeader: String
        var target: String
        var testDescription: String { url }
    }

    static let accepted: [Accepted] = [
        Accepted(url: "http://127.0.0.1", host: "127.0.0.1", port: 80, hostHeader: "127.0.0.1", target: "/"),
        Accepted(url: "http://127.0.0.1:8080/path?q=1#frag", host: "127.0.0.1", port: 8080, hostHeader: "127.0.0.1:8080",
                 target: "/path?q=1"),
        Accepted(url: "http://127.0.0.1:80/x", host: "127.0.0.1", port: 80, hostHeader: "127.0.0.1", target: "/x"),
        Accepted(url: "http://127.0.0.1:/x", host: "127.0.0.1", port: 80, hostHeader: "127.0.0.1", target: "/x"),
        Accepted(url: "http://127.0.0.1:65535?x=1", host: "127.0.0.1", port: 65535, hostHeader: "127.0.0.1:65535", target: "/?x=1"),
        Accepted(url: "http://127.0.0.1#x", host: "127.0.0.1", port: 80, hostHeader: "127.0.0.1", target: "/"),
        Accepted(url: "http://0.0.0.0/", host: "0.0.0.0", port: 80, hostHeader: "0.0.0.0", target: "/"),
        Accepted(url: "http://255.255.255.255/", host: "255.255.255.255", port: 80, hostHeader: "255.255.255.255", target: "/"),
        Accepted(url: "http://[::1]:8080/v6", host: "::1", port: 8080, hostHeader: "[::1]:8080", target: "/v6"),
        Accepted(url: "http://[::1]/", host: "::1", port: 80, hostHeader: "[::1]", target: "/"),
        Accepted(url: "http://[0:0:0:0:0:0:0:1]/v6", host: "::1", port: 80, hostHeader: "[::1]", target: "/v6"),
        Accepted(url: "http://[::0001]:81/", host: "::1", port: 81, hostHeader: "[::1]:81", target: "/"),
        Accepted(url: "http://[::FFFF:127.0.0.1]/", host: "::ffff:127.0.0.1", port: 80, hostHeader: "[::ffff:127.0.0.1]", target: "/"),
        // Dot segments are removed from the path as libcurl removes them; the query is kept as is.
        Accepted(url: "http://127.0.0.1/a/./b/../c?x=/../y#frag", host: "127.0.0.1", port: 80, hostHeader: "127.0.0.1",
                 target: "/a/c?x=/../y"),
        Accepted(url: "http://127.0.0.1/a/b/..", host: "127.0.0.1", port: 80, hostHeader: "127.0.0.1", target: "/a/"),
        Accepted(url: "http://127.0.0.1/a/b/.", host: "127.0.0.1", port: 80, hostHeader: "127.0.0.1", target: "/a/b/"),
        Accepted(url: "http://127.0.0.1/../..", host: "127.0.0.1", port: 80, hostHeader: "127.0.0.1", target: "/"),
        Accepted(url: "http://127.0.0.1/.", host: "127.0.0.1", port: 80, hostHeader: "127.0.0.1", target: "/"),
        Accepted(url: "http://127.0.0.1/a/..", host: "127.0.0.1", port: 80, hostHeader: "127.0.0.1", target: "/"),
        Accepted(url: "http://127.0.0.1/a/../../b", host: "127.0.0.1", port: 80, hostHeader: "127.0.0.1", target: "/b"),
        Accepted(url: "http://127.0.0.1/a/.hidden/..x", host: "127.0.0.1", port: 80, hostHeader: "127.0.0.1", target: "/a/.hidden/..x"),
        Accepted(url: "http://127.0.0.1//a//b", host: "127.0.0.1", port: 80, hostHeader: "127.0.0.1", target: "//a//b"),
        Accepted(url: "http://127.0.0.1/%2e%2e/x", host: "127.0.0.1", port: 80, hostHeader: "127.0.0.1", target: "/%2e%2e/x"),
        Accepted(url: "http://127.0.0.1/a?b#c?d", host: "127.0.0.1", port: 80, hostHeader: "127.0.0.1", target: "/a?b"),
        Accepted(url: "http://127.0.0.1/a@b:c", host: "127.0.0.1", port: 80, hostHeader: "127.0.0.1", target: "/a@b:c"),
        Accepted(url: "http://127.0.0.1/a/b?q/./..", host: "127.0.0.1", port: 80, hostHeader: "127.0.0.1", target: "/a/b?q/./.."),
    ]

    @Test("an http:// URL to a numeric address splits as libcurl reads it", arguments: accepted)
    func accepts(row: Accepted) throws {
        let url = try #require(NativeURL(row.url))
        #expect(url.host == row.host)
        #expect(url.port == row.port)
        #expect(url.hostHeader == row.hostHeader)
        #expect(url.target == row.target)
    }

    static let refused: [String] = [
        "https://127.0.0.1/", "HTTP://127.0.0.1/", "ftp://127.0.0.1/", "127.0.0.1/",
        "http://localhost/", "http://example.com/", "http://127.0.0.1.example/",
        "http://user@127.0.0.1/", "http://u:p@127.0.0.1/", "http://@127.0.0.1/",
        "http://127.0.0.1/a b", "http://127.0.0.1/a\tb", "http://127.0.0.1/\u{7F}", "http://127.0.0.1/é", "http://127.0.0.1/\u{0}",
        "http://127.0.0.1/\r\nX-Injected: 1", "http://127.0.0.1 /",
        "http://127.0.0.1:0/", "http://127.0.0.1:65536/", "http://127.0.0.1:+80/", "http://127.0.0.1:8a/", "http://127.0.0.1:080808/",
        "http://127.0.0.1:-1/", "http://127.0.0.1::80/",
        "http://127.0.0.01/", "http://010.0.0.1/", "http://127.0.0.1.5/", "http://1.2.3/", "http://256.0.0.1/", "http://1..2.3/",
        "http://0x7f.0.0.1/", "http://2130706433/",
        "http://[::1/", "http://[::1]x/", "http://[::1]::80/", "http://[fe80::1%25eth0]/", "http://[1.2.3.4]/", "http://[:zz:]/",
        "http://[]/", "http://[::1]:0/", "http://[1:2:3:4:5:6:7:8:9]/",
        "http:///x", "http://", "http://:80/", "http://?x", "http://#x",
    ]

    @Test("anything the native engine would not send as libcurl does has no NativeURL", arguments: refused)
    func refuses(url: String) {
        #expect(NativeURL(url) == nil)
    }

    @Test("same origin means same address and port, IPv6 compared in its canonical form")
    func sameOrigin() throws {
        let base = try #require(NativeURL("http://127.0.0.1:8080/a"))
        #expect(base.sameOrigin(try #require(NativeURL("http://127.0.0.1:8080/b?c"))))
        #expect(!base.sameOrigin(try #require(NativeURL("http://127.0.0.1:8081/a"))))
        #expect(!base.sameOrigin(try #require(NativeURL("http://127.0.0.2:8080/a"))))
        let v6 = try #require(NativeURL("http://[::1]/"))
        #expect(v6.sameOrigin(try #require(NativeURL("http://[0::0:1]:80/x"))))
        #expect(!v6.sameOrigin(try #require(NativeURL("http://[::2]/"))))
    }

    // MARK: - Head bytes

    struct Head: CustomTestStringConvertible, Sendable {
        var what: String
        var method = "GET"
        var url = "http://127.0.0.1:8080/p"
        var headers: [Header] = []
        var bodyLength: Int?
        /// The expected head, `UA` standing for `User-Agent: loadgate/<version>`.
        var expected: [String]
        var testDescription: String { what }
    }

    struct Header: Sendable {
        var name: String
        var value: String
        init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    static let heads: [Head] = [
        Head(what: "a GET: request line, Host with the port, User-Agent, Accept",
             url: "http://127.0.0.1:8080", expected: ["GET / HTTP/1.1", "Host: 127.0.0.1:8080", "UA", "Accept: */*"]),
        Head(what: "port 80 is not written in Host", url: "http://127.0.0.1/x?y=1#z",
             expected: ["GET /x?y=1 HTTP/1.1", "Host: 127.0.0.1", "UA", "Accept: */*"]),
        Head(what: "IPv6 in brackets", url: "http://[0:0::1]:9000/v6", expected: ["GET /v6 HTTP/1.1", "Host: [::1]:9000", "UA", "Accept: */*"]),
        Head(what: "a HEAD", method: "HEAD", expected: ["HEAD /p HTTP/1.1", "Host: 127.0.0.1:8080", "UA", "Accept: */*"]),
        Head(what: "a DELETE without a body has no Content-Length", method: "DELETE",
             expected: ["DELETE /p HTTP/1.1", "Host: 127.0.0.1:8080", "UA", "Accept: */*"]),
        Head(what: "a POST body: Content-Length and the default Content-Type", method: "POST", bodyLength: 3,
             expected: ["POST /p HTTP/1.1", "Host: 127.0.0.1:8080", "UA", "Accept: */*", "Content-Length: 3",
                        "Content-Type: application/x-www-form-urlencoded"]),
        Head(what: "a PUT without a body sends Content-Length: 0", method: "PUT", bodyLength: 0,
             expected: ["PUT /p HTTP/1.1", "Host: 127.0.0.1:8080", "UA", "Accept: */*", "Content-Length: 0",
                        "Content-Type: application/x-www-form-urlencoded"]),
        Head(what: "step headers come after the defaults and before Content-Length", method: "POST", headers: [Header("X-A", "1")],
             bodyLength: 3, expected: ["POST /p HTTP/1.1", "Host: 127.0.0.1:8080", "UA", "Accept: */*", "X-A: 1", "Content-Length: 3",
                                       "Content-Type: application/x-www-form-urlencoded"]),
        Head(what: "a step's Content-Type (any case) replaces the default; its Accept replaces Accept", method: "POST",
             headers: [Header("Content-Type", "text/plain"), Header("accept", "x")], bodyLength: 3,
             expected: ["POST /p HTTP/1.1", "Host: 127.0.0.1:8080", "UA", "Content-Type: text/plain", "accept: x", "Content-Length: 3"]),
        Head(what: "a step's User-Agent replaces loadgate's, in the step's place",
             headers: [Header("user-agent", "mine"), Header("X-B", "2")],
             expected: ["GET /p HTTP/1.1", "Host: 127.0.0.1:8080", "Accept: */*", "user-agent: mine", "X-B: 2"]),
        Head(what: "a step's Host takes Host's place; a second one is not sent",
             headers: [Header("host", "x:1"), Header("X-A", "1"), Header("Host", "y")],
             expected: ["GET /p HTTP/1.1", "Host: x:1", "UA", "Accept: */*", "X-A: 1"]),
        Head(what: "an empty value is sent as Name:, and still replaces a default",
             headers: [Header("X-Empty", ""), Header("Accept", "")],
             expected: ["GET /p HTTP/1.1", "Host: 127.0.0.1:8080", "UA", "X-Empty:", "Accept:"]),
        Head(what: "an empty Host", headers: [Header("Host", "")], expected: ["GET /p HTTP/1.1", "Host:", "UA", "Accept: */*"]),
        Head(what: "a step's Content-Length never contradicts the body (libcurl would send the step's)", method: "POST",
             headers: [Header("Content-Length", "99")], bodyLength: 3,
             expected: ["POST /p HTTP/1.1", "Host: 127.0.0.1:8080", "UA", "Accept: */*", "Content-Length: 3",
                        "Content-Type: application/x-www-form-urlencoded"]),
        Head(what: "a step's Content-Length without a body is not sent either", headers: [Header("content-length", "5")],
             expected: ["GET /p HTTP/1.1", "Host: 127.0.0.1:8080", "UA", "Accept: */*"]),
        Head(what: "a step's Transfer-Encoding is not sent: the engine frames the body with Content-Length", method: "POST",
             headers: [Header("Transfer-Encoding", "chunked")], bodyLength: 3,
             expected: ["POST /p HTTP/1.1", "Host: 127.0.0.1:8080", "UA", "Accept: */*", "Content-Length: 3",
                        "Content-Type: application/x-www-form-urlencoded"]),
    ]

    @Test("the request head has exactly libcurl's bytes", arguments: heads)
    func headBytes(row: Head) throws {
        let url = try #require(NativeURL(row.url))
        let bytes = NativeRequest.head(method: row.method, url: url, headers: row.headers.map { ($0.name, $0.value) },
                                       bodyLength: row.bodyLength)
        let lines = row.expected.map { $0 == "UA" ? "User-Agent: loadgate/\(LoadGateVersion.current)" : $0 }
        let expected = lines.joined(separator: "\r\n") + "\r\n\r\n"
        #expect(String(decoding: bytes, as: UTF8.self) == expected)
    }

    @Test("libcurl 7.88 sends the same head bytes (rows where the native engine differs on purpose excepted)",
          arguments: heads.filter { !$0.what.contains("libcurl would") && !$0.what.contains("not sent") && !$0.what.contains("without a body sends") })
    func libcurlAgrees(row: Head) throws {
        let peer = try OneReplyPeer(reply: Array("HTTP/1.1 204 No Content\r\n\r\n".utf8), closesAfterReply: true)
        // The row's URL with the peer's port; the Host libcurl writes then names that port.
        let url = try #require(NativeURL(row.url))
        let loopback = try #require(NativeURL("http://127.0.0.1:\(peer.port)\(url.target)"))
        let native = NativeRequest.head(method: row.method, url: loopback, headers: row.headers.map { ($0.name, $0.value) },
                                        bodyLength: row.bodyLength)
        // As the engine's libcurl path sets a step up: "Name;" for an empty value, no Expect.
        let lines = row.headers.map { $0.value.isEmpty ? "\($0.name);" : "\($0.name): \($0.value)" } + ["Expect:"]
        let response = BlockingHTTP.perform(method: row.method, url: "http://127.0.0.1:\(peer.port)\(url.target)", headers: lines,
                                            tls: TLSOptions(), timeoutMs: 4_000,
                                            body: row.bodyLength.map { Array(repeating: UInt8(ascii: "b"), count: $0) })
        #expect(response.result == CURLE_OK, "libcurl: \(response.errorText)")
        #expect(String(decoding: peer.receivedHead(), as: UTF8.self) == String(decoding: native, as: UTF8.self))
    }

    struct BodyRule: Sendable, CustomTestStringConvertible {
        var method: String
        var body: Int?
        var length: Int?
        var testDescription: String { "\(method) with body \(body.map(String.init) ?? "none")" }
    }

    static let bodyRules: [BodyRule] = [
        BodyRule(method: "GET", body: nil, length: nil), BodyRule(method: "GET", body: 5, length: nil),
        BodyRule(method: "HEAD", body: nil, length: nil), BodyRule(method: "HEAD", body: 5, length: nil),
        BodyRule(method: "POST", body: nil, length: 0), BodyRule(method: "POST", body: 5, length: 5), BodyRule(method: "POST", body: 0, length: 0),
        BodyRule(method: "PUT", body: nil, length: 0), BodyRule(method: "PATCH", body: nil, length: 0), BodyRule(method: "PATCH", body: 7, length: 7),
        BodyRule(method: "DELETE", body: nil, length: nil), BodyRule(method: "DELETE", body: 4, length: 4),
        BodyRule(method: "OPTIONS", body: nil, length: nil),
    ]

    @Test("a body length is sent as the libcurl path sends it: never for GET or HEAD, 0 for POST, PUT and PATCH without one",
          arguments: bodyRules)
    func bodyLength(rule: BodyRule) {
        #expect(NativeRequest.bodyLength(method: rule.method, body: rule.body) == rule.length)
    }
}
