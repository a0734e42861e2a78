import Foundation
import Testing
@testable import LoadGate

/// The native HTTP/1.1 engine beside libcurl: every scenario here runs under both (`engine` auto,
/// which picks native for a numeric loopback address, and "libcurl") against real loopback peers
/// (nginx, scripts/peers/hostile_peer.py, `loadgate target`), and both must record the same
/// outcome: requests, status codes, bytes, failure classes, connect phases.
@Suite("Native HTTP/1.1 engine against libcurl", .serialized)
struct NativeEngineTests {
    typealias Engine = EngineRun.Engine

    static func hostilePeer() throws -> PeerProcess { try PeerProcess.script("hostile_peer.py", []) }

    /// Both runs used the engine they asked for: native for auto, libcurl for libcurl.
    static func expectEngines(_ runs: [Engine: EngineRun], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(runs[.auto]?.engineName == "native", "auto: \(runs[.auto]?.engineReason ?? "no summary")", sourceLocation: sourceLocation)
        #expect(runs[.libcurl]?.engineName == "libcurl", sourceLocation: sourceLocation)
    }

    /// Both engines recorded the same phases for step `name`: as many first bytes, connects, DNS
    /// look-ups and TLS handshakes (a phase is counted once per connection that reached it).
    static func expectSamePhases(_ runs: [Engine: EngineRun], _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for phase in ["ttfb", "connect", "dns", "tls"] {
            let native = runs[.auto]?.number(name, "/\(phase)/count"), curl = runs[.libcurl]?.number(name, "/\(phase)/count")
            #expect(native == curl, "\(name): \(phase) counted \(native ?? -1) times by native, \(curl ?? -1) by libcurl", sourceLocation: sourceLocation)
        }
    }

    // MARK: - Parity against nginx

    @Test("Against nginx both engines record the same requests, status codes and bytes each way, a first byte for every request and one connect per connection")
    func nginxParity() throws {
        let nginx = try PeerProcess.nginx()
        let steps = """
            [{"name": "live", "request": {"method": "GET", "path": "/health/live"}, "expect": {"json": {"/status": "ok"}}},
             {"name": "post", "request": {"method": "POST", "path": "/echo-method", "json": {"a": 1}}, "expect": {"bodyContains": "POST"}},
             {"name": "missing", "request": {"method": "GET", "path": "/not-found"}, "expect": {"status": [404]}}]
            """
        let runs = try EngineRun.both { engine in
            EngineRun.scenario(target: "http://127.0.0.1:\(nginx.port)", engine: engine, steps: steps,
                               load: #"{"vus": 4, "iterations": 200, "duration": "30s"}"#)
        }
        Self.expectEngines(runs)
        guard let native = runs[.auto], let curl = runs[.libcurl] else { Issue.record("a run is missing"); return }
        for run in [native, curl] { #expect(run.cli.exitCode == 0, "\(run.engineName ?? "?"): \(run.cli.stderr)") }
        var connects: [Double] = []
        for name in ["live", "post", "missing"] {
            #expect(native.number(name, "/requests") == 200, "\(name)")
            #expect(native.failures(name).isEmpty && curl.failures(name).isEmpty, "\(name): \(native.failures(name)) / \(curl.failures(name))")
            #expect(native.statusCodes(name) == curl.statusCodes(name), "\(name)")
            #expect(native.number(name, "/bytesIn") == curl.number(name, "/bytesIn"), "\(name) bytes in")
            if name != "post" {  // a body's bytes: see `bytesOutAsReceived` (libcurl's count differs)
                #expect(native.number(name, "/bytesOut") == curl.number(name, "/bytesOut"), "\(name) bytes out: the same request bytes")
            }
            for run in [native, curl] {
                #expect(run.number(name, "/ttfb/count") == 200, "\(name): a first byte for every request (\(run.engineName ?? "?"))")
                #expect((run.number(name, "/ttfb/min") ?? 0) > 0)
            }
            #expect(native.number(name, "/connect/count") == curl.number(name, "/connect/count"), "\(name) connects")
            Self.expectSamePhases(runs, name)
            connects.append(native.number(name, "/connect/count") ?? -1)
        }
        #expect(connects.reduce(0, +) == 4, "one connect per VU's connection: \(connects)")
        #expect((native.number("live", "/connect/min") ?? 0) > 0, "the connect phase has a duration")
        #expect(native.statusCodes("missing") == ["404": 200])
    }

    @Test("The negative twin: a 500 and a JSON value that does not match fail the same way under both engines")
    func nginxFailuresMatch() throws {
        let nginx = try PeerProcess.nginx()
        let steps = """
            [{"name": "boom", "request": {"method": "GET", "path": "/error500"}},
             {"name": "wrong", "request": {"method": "GET", "path": "/health/live"}, "expect": {"json": {"/status": "down"}}}]
            """
        let runs = try EngineRun.both { EngineRun.scenario(target: "http://127.0.0.1:\(nginx.port)", engine: $0, steps: steps) }
        Self.expectEngines(runs)
        for run in runs.values {
            #expect(run.cli.exitCode == 1)
            #expect(run.failures("boom") == ["http-5xx": 3], "\(run.engineName ?? "?")")
            #expect(run.statusCodes("boom") == ["500": 3])
            #expect(run.failures("wrong") == ["expectation": 3], "\(run.engineName ?? "?")")
        }
        #expect(runs[.auto]?.number("boom", "/bytesIn") == runs[.libcurl]?.number("boom", "/bytesIn"))
    }

    // MARK: - Which engine

    struct Choice: Sendable, CustomStringConvertible {
        let label: String
        /// Target URL with PORT for nginx's port.
        let target: String
        let engine: Engine
        let proxy: Bool
        let mcp: Bool
        let expected: String
        let reason: String
        /// A second step, as JSON (PORT for nginx's port).
        var extraStep: String?
        var description: String { label }
    }

    @Test("summary.json names the engine and why: native for a numeric address (templated paths too), libcurl for a host name, https, a proxy, defaults.engine, a protocol step, two origins or a templated port",
          arguments: [
              Choice(label: "127.0.0.1", target: "http://127.0.0.1:PORT", engine: .auto, proxy: false, mcp: false, expected: "native",
                     reason: "every step is plain HTTP/1.1 to 127.0.0.1:PORT"),
              Choice(label: "[::1]", target: "http://[::1]:PORT", engine: .auto, proxy: false, mcp: false, expected: "native",
                     reason: "every step is plain HTTP/1.1 to [::1]:PORT"),
              Choice(label: "localhost", target: "http://localhost:PORT", engine: .auto, proxy: false, mcp: false, expected: "libcurl",
                     reason: "numeric address"),
              Choice(label: "https", target: "https://127.0.0.1:PORT", engine: .auto, proxy: false, mcp: false, expected: "libcurl",
                     reason: "numeric address"),
              Choice(label: "proxy", target: "http://127.0.0.1:PORT", engine: .auto, proxy: true, mcp: false, expected: "libcurl",
                     reason: "proxy"),
              Choice(label: "defaults.engine", target: "http://127.0.0.1:PORT", engine: .libcurl, proxy: false, mcp: false,
                     expected: "libcurl", reason: "defaults.engine"),
              Choice(label: "mcp", target: "http://127.0.0.1:PORT", engine: .auto, proxy: false, mcp: true, expected: "libcurl",
                     reason: "protocol step"),
              Choice(label: "two origins", target: "http://127.0.0.1:PORT", engine: .auto, proxy: false, mcp: false, expected: "libcurl",
                     reason: "more than one origin", extraStep: #"{"name": "other", "request": {"method": "GET", "url": "http://127.0.0.2:PORT/"}}"#),
              Choice(label: "templated port", target: "http://127.0.0.1:PORT", engine: .auto, proxy: false, mcp: false, expected: "libcurl",
                     reason: "templated", extraStep: #"{"name": "give", "request": {"method": "GET", "path": "/health/live"}, "capture": {"p": "/status"}}, "# +
                     #"{"name": "port", "request": {"method": "GET", "url": "http://127.0.0.1:${captured.p}/"}}"#),
              Choice(label: "templated path", target: "http://127.0.0.1:PORT", engine: .auto, proxy: false, mcp: false, expected: "native",
                     reason: "every step is plain HTTP/1.1 to 127.0.0.1:PORT",
                     extraStep: #"{"name": "path", "request": {"method": "GET", "url": "http://127.0.0.1:PORT/${iteration}?q=${vu}"}}"#),
          ])
    func engineChoice(_ choice: Choice) throws {
        let nginx = try PeerProcess.nginx()
        let port = String(nginx.port)
        let target = choice.target.replacingOccurrences(of: "PORT", with: port)
        var steps = #"[{"name": "live", "request": {"method": "GET", "path": "/health/live"}}"#
        if choice.mcp { steps += #", {"name": "tools", "mcp": {"call": "tools/list"}}"# }
        if let extra = choice.extraStep { steps += ", " + extra.replacingOccurrences(of: "PORT", with: port) }
        var environment = EngineRun.noProxyEnvironment
        // The proxy is nginx itself: it answers the proxied request for its own URL.
        if choice.proxy { environment["http_proxy"] = "http://127.0.0.1:\(port)" }
        let run = try EngineRun.run(EngineRun.scenario(target: target, engine: choice.engine, steps: steps + "]", iterations: 1, timeout: "1s"),
                                    environment: environment)
        #expect(run.engineName == choice.expected, "\(run.engineReason) \(run.cli.stderr)")
        #expect(run.engineReason.contains(choice.reason.replacingOccurrences(of: "PORT", with: port)), "\(run.engineReason)")
        if target.hasPrefix("http://127.0.0.1"), !choice.mcp {
            #expect(run.failures("live").isEmpty, "the request itself succeeds: \(run.failures("live"))")
        }
    }

    // MARK: - Hostile peers

    struct Misbehaviour: Sendable, CustomStringConvertible {
        let path: String
        let classes: Set<String>
        var extra = ""
        var description: String { path }
    }

    /// Two requests, 1 s timeout each, both engines at once.
    @Test("A misbehaving peer gives the same failure class under both engines, in bounded time and memory", arguments: [
        Misbehaviour(path: "/never", classes: ["timeout"]),
        Misbehaviour(path: "/trickle", classes: ["timeout"]),
        Misbehaviour(path: "/endless-chunked", classes: ["body-too-large"]),
        Misbehaviour(path: "/wrong-length", classes: ["protocol"]),
        Misbehaviour(path: "/garbage", classes: ["protocol"]),
        Misbehaviour(path: "/reset", classes: ["protocol"]),
        Misbehaviour(path: "/big-header", classes: ["protocol"]),
        Misbehaviour(path: "/big", classes: ["body-too-large"], extra: #", "maxBodyBytes": 1048576"#),
        Misbehaviour(path: "/status-999", classes: ["unexpected-status"]),
        Misbehaviour(path: "/silent-close", classes: ["protocol"]),
    ])
    func hostileParity(_ case: Misbehaviour) throws {
        let peer = try Self.hostilePeer()
        let runs = try EngineRun.both { engine in
            EngineRun.scenario(target: "http://127.0.0.1:\(peer.port)", engine: engine, steps: """
                [{"name": "hostile", "request": {"method": "GET", "path": "\(`case`.path)"}\(`case`.extra)}]
                """, iterations: 2, timeout: "1s")
        }
        Self.expectEngines(runs)
        for (engine, run) in runs {
            #expect(run.cli.exitCode == 1, "\(engine): the gate fails, no crash: \(run.cli.stderr)")
            #expect(run.cli.seconds < 10, "\(engine): took \(run.cli.seconds) s")
            let failures = run.failures("hostile")
            #expect(failures.values.reduce(0, +) == 2, "\(engine): both requests failed: \(failures)")
            #expect(Set(failures.keys) == `case`.classes, "\(engine): \(failures.keys.sorted()), expected \(`case`.classes.sorted())")
            #expect(run.maxRSSMiB > 0 && run.maxRSSMiB < 200, "\(engine): peak memory \(run.maxRSSMiB) MiB")
        }
        Self.expectSamePhases(runs, "hostile")
        if `case`.path == "/status-999" {
            for run in runs.values { #expect(run.statusCodes("hostile") == ["999": 2]) }
        }
    }

    @Test("The negative twin: the same peer's well-behaved paths pass under both engines")
    func hostilePeerTwin() throws {
        let peer = try Self.hostilePeer()
        let runs = try EngineRun.both { engine in
            EngineRun.scenario(target: "http://127.0.0.1:\(peer.port)", engine: engine, steps: """
                [{"name": "echo", "request": {"method": "GET", "path": "/echo-headers"}, "expect": {"json": {"/ok": true}}},
                 {"name": "big", "request": {"method": "GET", "path": "/head-length"}, "maxBodyBytes": 1000}]
                """, iterations: 2, timeout: "1s")
        }
        Self.expectEngines(runs)
        for (engine, run) in runs {
            #expect(run.cli.exitCode == 0, "\(engine): \(run.cli.stdout)")
            #expect(run.failures("echo").isEmpty && run.failures("big").isEmpty)
            #expect(run.number("big", "/bytesIn") == 2000)
        }
    }

    // MARK: - Keep-alive and response framing

    @Test("A kept-alive connection the peer dropped: the request is sent again once on a fresh connection and every request succeeds")
    func droppedKeepAliveIsRetried() throws {
        for engine in Engine.allCases {
            let peer = try Self.hostilePeer()
            let run = try EngineRun.run(EngineRun.scenario(target: "http://127.0.0.1:\(peer.port)", engine: engine, steps: """
                [{"name": "once", "request": {"method": "GET", "path": "/ka-once"}, "expect": {"bodyContains": "once"}}]
                """, iterations: 5))
            #expect(run.engineName == (engine == .auto ? "native" : "libcurl"))
            #expect(run.cli.exitCode == 0, "\(engine): \(run.failures("once")) \(run.firstErrorMessage("once"))")
            #expect(run.failures("once").isEmpty, "\(engine)")
            #expect(run.number("once", "/requests") == 5)
            let counts = try PeerCounts(peer)
            #expect(counts.requests["/ka-once"] == 5, "\(engine): \(counts.requests)")
            #expect(counts.requests["/ka-once (dropped)"] == 4, "\(engine): four requests met a dropped connection: \(counts.requests)")
            #expect(run.number("once", "/connect/count") == 5, "\(engine): each fresh connection's connect is recorded once")
        }
    }

    @Test("The negative twin: a peer that closes without answering fails as protocol, each request sent at most twice (once more only after a reused connection)")
    func closeWithoutAnswerIsNotRetriedForever() throws {
        for engine in Engine.allCases {
            let peer = try Self.hostilePeer()
            let run = try EngineRun.run(EngineRun.scenario(target: "http://127.0.0.1:\(peer.port)", engine: engine, steps: """
                [{"name": "fresh", "request": {"method": "GET", "path": "/silent-close"}},
                 {"name": "first", "request": {"method": "GET", "path": "/chunked"}},
                 {"name": "reused", "request": {"method": "GET", "path": "/silent-close?reused"}}]
                """, iterations: 3))
            #expect(run.cli.exitCode == 1)
            #expect(run.cli.seconds < 10)
            #expect(run.failures("fresh") == ["protocol": 3], "\(engine)")
            #expect(run.failures("first").isEmpty, "\(engine)")
            #expect(run.failures("reused") == ["protocol": 3], "\(engine)")
            let counts = try PeerCounts(peer)
            #expect(counts.requests["/silent-close"] == 3, "\(engine): a fresh connection's request is not sent again: \(counts.requests)")
            #expect(counts.requests["/silent-close?reused"] == 6, "\(engine): a reused connection's request is sent again once: \(counts.requests)")
        }
    }

    @Test("A peer that closes idle keep-alive connections after 50 ms: each request of a slow open model finds its connection closed and opens a fresh one, without a failure; the twin: a peer that keeps them open is reused")
    func idleConnectionsClosedByThePeer() throws {
        let peer = try Self.hostilePeer()
        for (path, connects) in [("/idle-close", 8.0), ("/sized/4", 1.0)] {
            let runs = try EngineRun.both { engine in
                EngineRun.scenario(target: "http://127.0.0.1:\(peer.port)", engine: engine, steps: """
                    [{"name": "idle", "request": {"method": "GET", "path": "\(path)"}}]
                    """, load: #"{"rate": 8, "duration": "1s", "connections": 1}"#)
            }
            Self.expectEngines(runs)
            for (engine, run) in runs {
                #expect(run.failures("idle").isEmpty, "\(engine) \(path): \(run.firstErrorMessage("idle"))")
                #expect(run.number("idle", "/requests") == 8, "\(engine) \(path)")
                #expect(run.number("idle", "/connect/count") == connects, "\(engine) \(path)")
            }
        }
        #expect(try PeerCounts(peer).requests.keys.allSatisfy { !$0.contains("(dropped)") })
    }

    struct Framing: Sendable, CustomStringConvertible {
        let path: String
        let method: String
        let bytesIn: Double
        /// Connections opened for 10 requests: 1 when the connection is kept, 10 when the response closes it.
        let connects: Double
        var status = "200"
        var description: String { "\(method) \(path)" }
    }

    /// Ten requests each: a response whose end is the peer's close often arrives with that close in
    /// one event, which an engine must still read to the end (it used to wait for the timeout); a
    /// 300 kB body takes several reads and still leaves its connection for the next request.
    @Test("Responses framed every way read the same under both engines: Connection: close, a close without it, HTTP/1.0 with and without keep-alive, chunked, HEAD, 100 then 200, 204", arguments: [
        Framing(path: "/conn-close", method: "GET", bytesIn: 50, connects: 10),
        Framing(path: "/close-quietly", method: "GET", bytesIn: 50, connects: 10),
        Framing(path: "/http10", method: "GET", bytesIn: 3000, connects: 10),
        Framing(path: "/http10-keepalive", method: "GET", bytesIn: 60, connects: 1),
        Framing(path: "/chunked", method: "GET", bytesIn: 160, connects: 1),
        Framing(path: "/head-length", method: "HEAD", bytesIn: 0, connects: 1),
        Framing(path: "/head-length", method: "GET", bytesIn: 10000, connects: 1),
        Framing(path: "/sized/300000", method: "GET", bytesIn: 3_000_000, connects: 1),
        Framing(path: "/interim-100", method: "GET", bytesIn: 50, connects: 1),
        Framing(path: "/no-content", method: "GET", bytesIn: 0, connects: 1, status: "204"),
    ])
    func framing(_ framing: Framing) throws {
        let peer = try Self.hostilePeer()
        let runs = try EngineRun.both { engine in
            EngineRun.scenario(target: "http://127.0.0.1:\(peer.port)", engine: engine, steps: """
                [{"name": "framed", "request": {"method": "\(framing.method)", "path": "\(framing.path)"}}]
                """, iterations: 10, timeout: "1s")
        }
        Self.expectEngines(runs)
        for (engine, run) in runs {
            #expect(run.cli.exitCode == 0, "\(engine): \(run.failures("framed")) \(run.firstErrorMessage("framed"))")
            #expect(run.statusCodes("framed") == [framing.status: 10], "\(engine)")
            #expect(run.number("framed", "/bytesIn") == framing.bytesIn, "\(engine)")
            #expect(run.number("framed", "/connect/count") == framing.connects, "\(engine)")
            #expect((run.number("framed", "/latency/max") ?? 1) < 0.9, "\(engine): nobody waited for the timeout")
        }
        Self.expectSamePhases(runs, "framed")
    }

    /// hostile_peer.py's CANNED responses (odd framing, headers and status lines), each sent once
    /// per request before the close. `stricter`: replies libcurl 7.88 takes and the native parser
    /// refuses on purpose, each a reply RFC 9112 calls invalid and a gate must not count as a
    /// success: two different Content-Lengths, a signed or 20-digit one, an HTTP/2 status line on
    /// an HTTP/1.1 connection, a status line cut off before its headers ended.
    static let canned = [
        "dup-length-same", "dup-length-differ", "length-list", "length-negative", "length-plus", "length-huge",
        "chunked-and-length", "bare-lf", "no-reason", "two-digit-status", "http2-status", "http11-lowercase",
        "header-without-colon", "folded-header", "nul-in-header", "chunk-size-overflow", "chunk-size-missing",
        "chunk-no-crlf-after-data", "chunked-gzip", "te-identity", "interim-then-close", "switching-protocols",
        "no-content-with-body", "not-modified", "extra-after-response", "status-line-only", "empty-reply",
        "http10-no-length", "space-before-colon", "status-600", "status-099",
    ]
    static let stricter: Set<String> = ["dup-length-differ", "length-plus", "length-huge", "http2-status", "status-line-only"]

    @Test("Odd responses (duplicate lengths, bare LF, folded headers, bad chunks, 1xx then close, 101, 204 with a body, odd statuses) are judged alike by both engines: failure class, status and bytes; five invalid ones libcurl takes fail natively")
    func cannedResponses() throws {
        let peer = try Self.hostilePeer()
        let steps = "[" + Self.canned.map { #"{"name": "\#($0)", "request": {"method": "GET", "path": "/canned/\#($0)"}}"# }
            .joined(separator: ", ") + "]"
        let runs = try EngineRun.both { engine in
            EngineRun.scenario(target: "http://127.0.0.1:\(peer.port)", engine: engine, steps: steps, iterations: 2, timeout: "1s")
        }
        Self.expectEngines(runs)
        guard let native = runs[.auto], let curl = runs[.libcurl] else { Issue.record("a run is missing"); return }
        for run in [native, curl] { #expect(run.cli.seconds < 15, "no response waited for the timeout") }
        var agreeing = 0
        for name in Self.canned {
            let outcome = { (run: EngineRun) in "\(run.failures(name)) \(run.statusCodes(name)) \(run.number(name, "/bytesIn") ?? -1)" }
            #expect(curl.number(name, "/requests") == 2, "\(name)")
            if Self.stricter.contains(name) {
                #expect(native.failures(name) == ["protocol": 2], "\(name): native \(native.firstErrorMessage(name))")
                #expect(curl.failures(name).isEmpty, "\(name): libcurl takes it")
            } else {
                #expect(outcome(native) == outcome(curl), "\(name): native \(native.firstErrorMessage(name)), libcurl \(curl.firstErrorMessage(name))")
                agreeing += 1
            }
        }
        #expect(agreeing == Self.canned.count - Self.stricter.count)
        // The twin inside the table: cases that pass and cases that fail both occur, under both engines.
        #expect(native.failures("bare-lf").isEmpty && native.failures("empty-reply") == ["protocol": 2])
    }

    @Test("A chunked body's content is what the expectation sees; the twin: a string that is only in the chunk framing is not found")
    func chunkedBodyContent() throws {
        let peer = try Self.hostilePeer()
        let runs = try EngineRun.both { engine in
            EngineRun.scenario(target: "http://127.0.0.1:\(peer.port)", engine: engine, steps: """
                [{"name": "decoded", "request": {"method": "GET", "path": "/chunked"}, "expect": {"bodyContains": "hello chunked-ok"}},
                 {"name": "framing", "request": {"method": "GET", "path": "/chunked"}, "expect": {"bodyContains": "ext=1"}}]
                """, iterations: 2)
        }
        Self.expectEngines(runs)
        for (engine, run) in runs {
            #expect(run.failures("decoded").isEmpty, "\(engine)")
            #expect(run.failures("framing") == ["expectation": 2], "\(engine)")
        }
    }

    // MARK: - Requests as sent

    @Test("A POST body arrives intact with its Content-Length; the twin: a wrong length expectation fails")
    func postBodyIntact() throws {
        let peer = try Self.hostilePeer()
        let runs = try EngineRun.both { engine in
            EngineRun.scenario(target: "http://127.0.0.1:\(peer.port)", engine: engine, steps: """
                [{"name": "static", "request": {"method": "POST", "path": "/echo-body/static", "body": "a=1&b=two"},
                  "expect": {"json": {"/contentLength": 9, "/bodyLength": 9, "/body": "a=1&b=two", "/method": "POST"}}},
                 {"name": "templated", "request": {"method": "PUT", "path": "/echo-body/t", "body": "it=${iteration}"},
                  "expect": {"json": {"/method": "PUT"}, "bodyContains": "\\"body\\": \\"it="}},
                 {"name": "empty", "request": {"method": "POST", "path": "/echo-body/empty"}, "expect": {"json": {"/contentLength": 0, "/bodyLength": 0}}},
                 {"name": "wrong", "request": {"method": "POST", "path": "/echo-body/w", "body": "abc"}, "expect": {"json": {"/contentLength": 4}}}]
                """, iterations: 2)
        }
        Self.expectEngines(runs)
        for (engine, run) in runs {
            for name in ["static", "templated", "empty"] {
                #expect(run.failures(name).isEmpty, "\(engine) \(name): \(run.failures(name)) \(run.firstErrorMessage(name))")
            }
            #expect(run.failures("wrong") == ["expectation": 2], "\(engine)")
        }
    }

    @Test("A peer that answers 413 before reading an 8 MB upload gets its 413 recorded at once under both engines; the twin: a peer that reads the upload answers 200")
    func earlyResponseToAnUpload() throws {
        let peer = try Self.hostilePeer()
        let upload = String(repeating: "u", count: 8_000_000)
        let runs = try EngineRun.both { engine in
            EngineRun.scenario(target: "http://127.0.0.1:\(peer.port)", engine: engine, steps: """
                [{"name": "refused", "request": {"method": "POST", "path": "/early-reply", "body": "\(upload)"}},
                 {"name": "read", "request": {"method": "POST", "path": "/sized/2", "body": "\(upload)"}}]
                """, iterations: 2, timeout: "5s")
        }
        Self.expectEngines(runs)
        for (engine, run) in runs {
            #expect(run.statusCodes("refused") == ["413": 2], "\(engine): \(run.failures("refused")) \(run.firstErrorMessage("refused"))")
            #expect((run.number("refused", "/latency/max") ?? 9) < 2, "\(engine): not a wait for the timeout")
            #expect(run.statusCodes("read") == ["200": 2] && run.failures("read").isEmpty, "\(engine): \(run.firstErrorMessage("read"))")
            #expect((run.number("read", "/bytesOut") ?? 0) >= 16_000_000, "\(engine)")
        }
        Self.expectSamePhases(runs, "refused")
        Self.expectSamePhases(runs, "read")
    }

    @Test("bytesOut counts each request's head and body once, exactly the bytes the peer received")
    func bytesOutAsReceived() throws {
        let peer = try Self.hostilePeer()
        let runs = try EngineRun.both { engine in
            EngineRun.scenario(target: "http://127.0.0.1:\(peer.port)", engine: engine, steps: """
                [{"name": "form", "request": {"method": "POST", "path": "/echo-headers/form-\(engine)", "body": "a=1&b=two"}},
                 {"name": "json", "request": {"method": "POST", "path": "/echo-headers/json-\(engine)", "json": {"a": 1}}},
                 {"name": "empty", "request": {"method": "POST", "path": "/echo-headers/empty-\(engine)"}},
                 {"name": "get", "request": {"method": "GET", "path": "/echo-headers/get-\(engine)"}},
                 {"name": "big", "request": {"method": "POST", "path": "/echo-headers/big-\(engine)", "body": "\(String(repeating: "x", count: 70_000))"}}]
                """, iterations: 1)
        }
        Self.expectEngines(runs)
        guard case let .array(heads)? = try HostilePeerTests.seen(peer)["echo"] else { Issue.record("no /seen"); return }
        let received = heads.compactMap { if case let .string(head) = $0 { return head } else { return nil } }
        // 70,000 bytes: over libcurl's 64 KiB MAX_INITIAL_POST_SIZE, sent apart from the head.
        let bodies = ["form": 9, "json": 7, "empty": 0, "get": 0, "big": 70_000]
        for (engine, run) in runs {
            for (name, body) in bodies {
                guard let head = received.first(where: { $0.contains("/echo-headers/\(name)-\(engine) ") }) else {
                    Issue.record("\(engine) \(name): not received"); continue
                }
                let expected = Double(head.utf8.count + 4 + body)  // the head, its blank line, the body
                #expect(run.number(name, "/bytesOut") == expected, "\(engine) \(name)")
            }
        }
    }

    @Test("A templated URL sends each iteration's own path, and a value captured by one step is sent by the next")
    func templatedAndCaptured() throws {
        for engine in Engine.allCases {
            let peer = try Self.hostilePeer()
            let run = try EngineRun.run(EngineRun.scenario(target: "http://127.0.0.1:\(peer.port)", engine: engine, steps: """
                [{"name": "iter", "request": {"method": "GET", "path": "/echo-body/iter-${iteration}"}},
                 {"name": "give", "request": {"method": "GET", "path": "/capture-next?next=v${iteration}"}, "capture": {"n": "/next"}},
                 {"name": "use", "request": {"method": "GET", "path": "/echo-body/cap-${captured.n}"}, "expect": {"bodyContains": "cap-v"}}]
                """, iterations: 3))
            #expect(run.engineName == (engine == .auto ? "native" : "libcurl"))
            #expect(run.cli.exitCode == 0, "\(engine): \(run.cli.stdout)")
            let requests = try PeerCounts(peer).requests
            let iterated = requests.keys.filter { $0.hasPrefix("/echo-body/iter-") }.sorted()
            let captured = requests.keys.filter { $0.hasPrefix("/echo-body/cap-") }.sorted()
            #expect(iterated.count == 3 && Set(iterated.map { $0.dropFirst("/echo-body/iter-".count) }).count == 3, "\(engine): \(iterated)")
            #expect(captured == iterated.map { $0.replacingOccurrences(of: "/iter-", with: "/cap-v") }, "\(engine): \(captured) for \(iterated)")
        }
    }

    @Test("A captured value with CR/LF in the URL fails as protocol and nothing is sent; one with another origin in it stays a path on the run's origin; a clean one is sent")
    func capturedURLValues() throws {
        for engine in Engine.allCases {
            let peer = try Self.hostilePeer()
            guard case let .number(canary)? = try HostilePeerTests.seen(peer)["canaryPort"] else { Issue.record("no canary port"); return }
            let other = "@127.0.0.2:\(Int(canary))/x".addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            let run = try EngineRun.run(EngineRun.scenario(target: "http://127.0.0.1:\(peer.port)", engine: engine, steps: """
                [{"name": "give-crlf", "request": {"method": "GET", "path": "/capture-next?next=a%0D%0AX-Injected:%20yes"}, "capture": {"n": "/next"}},
                 {"name": "crlf", "request": {"method": "GET", "path": "/echo-headers/crlf-${captured.n}"}},
                 {"name": "give-other", "request": {"method": "GET", "path": "/capture-next?next=\(other)"}, "capture": {"o": "/next"}},
                 {"name": "other", "request": {"method": "GET", "path": "/echo-headers/${captured.o}"}},
                 {"name": "give-clean", "request": {"method": "GET", "path": "/capture-next?next=clean"}, "capture": {"c": "/next"}},
                 {"name": "clean", "request": {"method": "GET", "path": "/echo-headers/${captured.c}"}}]
                """, iterations: 2))
            #expect(run.engineName == (engine == .auto ? "native" : "libcurl"))
            #expect(run.failures("crlf") == ["protocol": 2], "\(engine)")
            #expect(run.number("crlf", "/bytesOut") == 0, "\(engine): nothing sent")
            #expect(run.failures("other").isEmpty && run.failures("clean").isEmpty, "\(engine)")
            let seen = try HostilePeerTests.seen(peer)
            guard case let .array(heads)? = seen["echo"] else { Issue.record("no /seen"); return }
            let text = heads.compactMap { if case let .string(head) = $0 { return head } else { return nil } }
            #expect(!text.contains { $0.contains("crlf-") || $0.contains("X-Injected") }, "\(engine): the CR/LF request never reached the peer")
            #expect(text.filter { $0.hasPrefix("GET /echo-headers/@127.0.0.2:\(Int(canary))/x ") }.count == 2, "\(engine): \(text)")
            #expect(text.filter { $0.hasPrefix("GET /echo-headers/clean ") }.count == 2, "\(engine): the twin: a clean value is sent")
            #expect(try HostilePeerTests.canaryBytes(peer) == 0, "\(engine): nothing reached the other origin")
        }
    }

    /// A dual-stack loopback server (bound to "::", so 127.0.0.1 and ::1 both reach it) whose body
    /// is the request's Host header.
    static func dualStackHostEcho(port: Int) throws -> PeerProcess {
        let code = """
            import http.server, socket
            class Handler(http.server.BaseHTTPRequestHandler):
                protocol_version = "HTTP/1.1"
                def do_GET(self):
                    body = ("host=" + self.headers.get("Host", "")).encode()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                def log_message(self, *args):
                    pass
            class Server(http.server.ThreadingHTTPServer):
                address_family = socket.AF_INET6
            Server(("::", \(port)), Handler).serve_forever()
            """
        return try PeerProcess("/usr/bin/env", ["python3", "-c", code], port: port)
    }

    @Test("An IPv6 literal target is served by the native engine with the Host header libcurl sends; the twin: another port in the Host header fails the expectation")
    func ipv6Target() throws {
        let port = try PeerProcess.freePort()
        let server = try Self.dualStackHostEcho(port: port)
        defer { withExtendedLifetime(server) {} }
        let runs = try EngineRun.both { engine in
            EngineRun.scenario(target: "http://[::1]:\(port)", engine: engine, steps: """
                [{"name": "v6", "request": {"method": "GET", "path": "/"}, "expect": {"bodyContains": "host=[::1]:\(port)"}},
                 {"name": "twin", "request": {"method": "GET", "path": "/"}, "expect": {"bodyContains": "host=[::1]:\(port + 1)"}}]
                """, iterations: 2)
        }
        Self.expectEngines(runs)
        for (engine, run) in runs {
            #expect(run.failures("v6").isEmpty, "\(engine): \(run.firstErrorMessage("v6"))")
            #expect(run.failures("twin") == ["expectation": 2], "\(engine)")
        }
        Self.expectSamePhases(runs, "v6")
        #expect(runs[.auto]?.number("v6", "/bytesOut") == runs[.libcurl]?.number("v6", "/bytesOut"))
    }

    // MARK: - Failure classes

    @Test("A refused connect fails as connect under both engines, IPv4 and IPv6")
    func refusedConnect() throws {
        let port = try PeerProcess.freePort()
        for host in ["127.0.0.1", "[::1]"] {
            let runs = try EngineRun.both { engine in
                EngineRun.scenario(target: "http://\(host):\(port)", engine: engine, steps: """
                    [{"name": "refused", "request": {"method": "GET", "path": "/"}}]
                    """, iterations: 2)
            }
            Self.expectEngines(runs)
            for (engine, run) in runs {
                #expect(run.failures("refused") == ["connect": 2], "\(engine) \(host): \(run.firstErrorMessage("refused"))")
                #expect(run.cli.seconds < 10)
            }
            Self.expectSamePhases(runs, "refused")
        }
    }

    /// A loopback listener whose accept queue is full: a further connect's SYN is dropped, so the
    /// connect never completes (nothing leaves loopback).
    final class FullListener {
        let port: Int
        private var descriptors: [Int32] = []

        init() throws {
            let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            descriptors.append(listener)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) } }
            guard bound == 0, listen(listener, 0) == 0 else { throw POSIXError(.EADDRINUSE) }
            _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
            port = Int(UInt16(bigEndian: address.sin_port))
            for _ in 0..<3 {  // fill the queue (backlog 0 admits one) without ever accepting
                let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                _ = fcntl(filler, F_SETFL, O_NONBLOCK)
                _ = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(filler, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                descriptors.append(filler)
            }
            usleep(50_000)
        }

        deinit { for descriptor in descriptors { close(descriptor) } }
    }

    @Test("A connect that never completes fails as timeout at its timeout under both engines")
    func connectNeverCompletes() throws {
        let listener = try FullListener()
        defer { withExtendedLifetime(listener) {} }
        let runs = try EngineRun.both { engine in
            EngineRun.scenario(target: "http://127.0.0.1:\(listener.port)", engine: engine, steps: """
                [{"name": "stuck", "timeout": "400ms", "request": {"method": "GET", "path": "/"}}]
                """, iterations: 2)
        }
        Self.expectEngines(runs)
        for (engine, run) in runs {
            #expect(run.failures("stuck") == ["timeout": 2], "\(engine): \(run.firstErrorMessage("stuck"))")
            #expect((run.number("stuck", "/latency/min") ?? 0) >= 0.4, "\(engine)")
            #expect(run.cli.seconds < 10)
        }
        Self.expectSamePhases(runs, "stuck")
    }

    /// A loopback peer that answers one request on its first connection, then fills its own accept
    /// queue (so a new connect hangs, nothing leaving loopback) and drops that connection when the
    /// next request arrives on it: the request is sent again on a fresh connection that never connects.
    static func answerOnceThenHang() throws -> PeerProcess {
        let code = """
            import socket, sys, time
            server = socket.socket()
            server.bind(("127.0.0.1", 0))
            server.listen(0)
            port = server.getsockname()[1]
            print(port, flush=True)
            while True:
                conn, _ = server.accept()
                data = conn.recv(65536)
                if data:
                    break
                conn.close()  # the test's readiness probe
            conn.sendall(b"HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok")
            fillers = []
            for _ in range(3):
                filler = socket.socket()
                filler.setblocking(False)
                filler.connect_ex(("127.0.0.1", port))
                fillers.append(filler)
            conn.recv(65536)
            conn.close()
            time.sleep(60)
            """
        return try PeerProcess("/usr/bin/env", ["python3", "-c", code], port: 0, readPortFromStdout: true)
    }

    @Test("A request sent again after its kept-alive connection died, whose new connect never completes, ends at the 10 s connect timeout under both engines, not at the 30 s request timeout")
    func retriedConnectTimesOut() throws {
        let peers = try Engine.allCases.map { ($0, try Self.answerOnceThenHang()) }
        let ports = Dictionary(uniqueKeysWithValues: peers.map { ($0.0, $0.1.port) })
        let runs = try EngineRun.both { engine in
            EngineRun.scenario(target: "http://127.0.0.1:\(ports[engine]!)", engine: engine, steps: """
                [{"name": "first", "request": {"method": "GET", "path": "/"}},
                 {"name": "again", "request": {"method": "GET", "path": "/"}}]
                """, iterations: 1, timeout: "30s")
        }
        withExtendedLifetime(peers) {}
        Self.expectEngines(runs)
        for (engine, run) in runs {
            #expect(run.failures("first").isEmpty, "\(engine)")
            #expect(run.failures("again") == ["timeout": 1], "\(engine): \(run.firstErrorMessage("again"))")
            #expect(run.cli.seconds >= 9.5 && run.cli.seconds < 15, "\(engine): \(run.cli.seconds) s")
            // The latency is floored to the timeout that fired (the 10 s connect timeout), not to the step's 30 s.
            let latency = run.number("again", "/latency/max") ?? -1
            #expect(latency >= 10 && latency < 15, "\(engine): \(latency) s")
        }
    }

    @Test("A request past its timeout fails as timeout with a latency of at least the timeout; the twin: a fast answer within it passes")
    func timeoutFloor() throws {
        let peer = try Self.hostilePeer()
        let runs = try EngineRun.both { engine in
            EngineRun.scenario(target: "http://127.0.0.1:\(peer.port)", engine: engine, steps: """
                [{"name": "slow", "timeout": "300ms", "request": {"method": "GET", "path": "/never"}},
                 {"name": "fast", "timeout": "300ms", "request": {"method": "GET", "path": "/echo-headers"}}]
                """, iterations: 2)
        }
        Self.expectEngines(runs)
        for (engine, run) in runs {
            #expect(run.failures("slow") == ["timeout": 2], "\(engine)")
            #expect((run.number("slow", "/latency/min") ?? 0) >= 0.3, "\(engine): \(run.number("slow", "/latency/min") ?? -1)")
            #expect((run.number("slow", "/latency/max") ?? 9) < 1.5, "\(engine): ended near its timeout")
            #expect(run.failures("fast").isEmpty, "\(engine)")
            #expect((run.number("fast", "/latency/max") ?? 1) < 0.3, "\(engine)")
        }
        Self.expectSamePhases(runs, "slow")
        Self.expectSamePhases(runs, "fast")
    }

    @Test("A body over maxBodyBytes fails as body-too-large; the twin: a body exactly at the limit passes")
    func bodyLimit() throws {
        let peer = try Self.hostilePeer()
        let runs = try EngineRun.both { engine in
            EngineRun.scenario(target: "http://127.0.0.1:\(peer.port)", engine: engine, steps: """
                [{"name": "over", "maxBodyBytes": 999, "request": {"method": "GET", "path": "/head-length"}},
                 {"name": "at", "maxBodyBytes": 1000, "request": {"method": "GET", "path": "/head-length"}},
                 {"name": "chunked-over", "maxBodyBytes": 15, "request": {"method": "GET", "path": "/chunked"}},
                 {"name": "chunked-at", "maxBodyBytes": 16, "request": {"method": "GET", "path": "/chunked"}}]
                """, iterations: 2)
        }
        Self.expectEngines(runs)
        for (engine, run) in runs {
            #expect(run.failures("over") == ["body-too-large": 2], "\(engine)")
            #expect(run.failures("chunked-over") == ["body-too-large": 2], "\(engine)")
            #expect(run.failures("at").isEmpty && run.failures("chunked-at").isEmpty, "\(engine)")
        }
        for name in ["over", "at", "chunked-over", "chunked-at"] { Self.expectSamePhases(runs, name) }
    }

    @Test("Against loadgate target a captured workflow id is used by the next step; the twin: a capture that found nothing gets a 404")
    func capturesAcrossSteps() throws {
        let port = try PeerProcess.freePort()
        let target = try PeerProcess(CLIRun.binary, ["target", "--port", String(port)], port: port)
        defer { withExtendedLifetime(target) {} }
        let runs = try EngineRun.both { engine in
            EngineRun.scenario(target: "http://127.0.0.1:\(port)", engine: engine, steps: """
                [{"name": "submit", "request": {"method": "POST", "path": "/api/v1/workflows", "json": {"workflow_type": "x"}},
                  "expect": {"status": [202]}, "capture": {"id": "/id", "none": "/missing"}},
                 {"name": "status", "request": {"method": "GET", "path": "/api/v1/workflows/${captured.id}"}, "expect": {"bodyContains": "\\"id\\":\\""}},
                 {"name": "unknown", "request": {"method": "GET", "path": "/api/v1/workflows/x${captured.none}"}}]
                """, iterations: 3)
        }
        Self.expectEngines(runs)
        for (engine, run) in runs {
            #expect(run.failures("submit").isEmpty && run.failures("status").isEmpty, "\(engine): \(run.firstErrorMessage("status"))")
            #expect(run.statusCodes("status") == ["200": 3], "\(engine)")
            #expect(run.failures("unknown") == ["unexpected-status": 3] && run.statusCodes("unknown") == ["404": 3], "\(engine)")
        }
    }

    @Test("A run interrupted with requests in flight ends at once under both engines: the requests are incomplete, the run marked so and exit 3; the twin: the requests answered before are counted as successes")
    func interruptedInFlight() throws {
        let peer = try Self.hostilePeer()
        let files = try Engine.allCases.map { engine in
            (engine, try ScenarioFile(EngineRun.scenario(target: "http://127.0.0.1:\(peer.port)", engine: engine, steps: """
                [{"name": "ok", "request": {"method": "GET", "path": "/sized/10"}},
                 {"name": "never", "request": {"method": "GET", "path": "/never"}}]
                """, load: #"{"vus": 3, "duration": "20s"}"#, timeout: "30s")))
        }
        for (engine, file) in files {
            let run = try file.run(environment: EngineRun.noProxyEnvironment, interruptAfter: 1.0)
            #expect(run.exitCode == 3, "\(engine): \(run.stderr)")
            #expect(run.seconds < 5, "\(engine): \(run.seconds) s")
            let summary = EngineRun(cli: run, summary: try file.summary(), maxRSSMiB: 0)
            #expect(summary.engineName == (engine == .auto ? "native" : "libcurl"))
            #expect(summary.summary?["complete"] == .bool(false))
            #expect(summary.failures("never") == ["incomplete": 3], "\(engine)")
            #expect(summary.failures("ok").isEmpty && summary.number("ok", "/requests") == 3, "\(engine)")
            #expect(summary.total("/totals/aborted") == 3, "\(engine)")
        }
    }

    // MARK: - Open model

    @Test("An open model at 2,000 requests/s for 3 s against nginx completes with no failures and records lateness under both engines")
    func openModel() throws {
        let nginx = try PeerProcess.nginx()
        for engine in Engine.allCases {
            let run = try EngineRun.run(EngineRun.scenario(target: "http://127.0.0.1:\(nginx.port)", engine: engine, steps: """
                [{"name": "live", "request": {"method": "GET", "path": "/health/live"}}]
                """, load: #"{"rate": 2000, "duration": "3s", "connections": 50}"#))
            #expect(run.engineName == (engine == .auto ? "native" : "libcurl"))
            #expect(run.cli.exitCode == 0, "\(engine): \(run.cli.stdout)")
            #expect(run.total("/totals/failed") == 0, "\(engine)")
            #expect((run.total("/totals/requests") ?? 0) >= 5_400, "\(engine): \(run.total("/totals/requests") ?? -1) of 6,000")
            #expect((run.total("/lateness/count") ?? 0) >= 5_400, "\(engine): lateness recorded per iteration")
            #expect(run.number("live", "/ttfb/count") == run.number("live", "/requests"), "\(engine)")
        }
    }
}
