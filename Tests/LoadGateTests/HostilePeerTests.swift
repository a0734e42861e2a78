import CCurl
import Foundation
import Testing
@testable import LoadGate

/// Loopback peers that misbehave on purpose (scripts/peers/hostile_peer.py, hostile_mcp.py): each
/// run must end within its timeout with the right failure class, in bounded memory, without a
/// crash, and without sending anything where the scenario did not say.
@Suite("Hostile peers", .serialized)
struct HostilePeerTests {
    /// What one `loadgate` run under `maxrss.py` left behind.
    struct Outcome {
        let run: CLIRun
        let summary: JSONValue?
        let maxRSSMiB: Double
    }

    static func peer() throws -> PeerProcess { try PeerProcess.script("hostile_peer.py", []) }

    /// What the peer's /echo-headers and canary listener received.
    static func seen(_ peer: PeerProcess) throws -> JSONValue {
        let response = BlockingHTTP.perform(method: "GET", url: "http://127.0.0.1:\(peer.port)/seen", headers: [], tls: TLSOptions())
        return try JSONParser.parse(response.body)
    }

    static func canaryBytes(_ peer: PeerProcess) throws -> Double {
        if case let .number(count)? = try seen(peer)["canaryBytes"] { return count }
        return -1
    }

    /// Runs `loadgate run` on `scenario` under scripts/peers/maxrss.py (peak memory from wait4).
    static func run(_ scenario: String, in scratch: ScratchDirectory) throws -> Outcome {
        let file = try scratch.write("s-\(UUID().uuidString).json", scenario)
        let out = scratch.path("out-\(UUID().uuidString)")
        let rssFile = scratch.path("rss-\(UUID().uuidString)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", PeerProcess.packageRoot.appendingPathComponent("scripts/peers/maxrss.py").path, rssFile,
                             CLIRun.binary, "run", file, "--out", out, "--quiet"]
        let run = try CLIRun.capture(process)
        let rssKiB = Double((try? String(contentsOfFile: rssFile, encoding: .utf8)) ?? "") ?? -1
        let summary = (try? Data(contentsOf: URL(fileURLWithPath: out + "/summary.json"))).flatMap { try? JSONParser.parse(Array($0)) }
        return Outcome(run: run, summary: summary, maxRSSMiB: rssKiB / 1024)
    }

    static func scenario(port: Int, steps: String, iterations: Int = 2, extra: String = "") -> String {
        """
        {"name": "hostile", "target": "http://127.0.0.1:\(port)", "load": {"vus": 1, "iterations": \(iterations), "duration": "30s"},
         "defaults": {"timeout": "2s", "headers": {"Authorization": "Bearer hostile-peer-token"}}\(extra),
         "steps": \(steps)}
        """
    }

    static func step(_ summary: JSONValue?, _ name: String) -> JSONValue? {
        guard case let .array(steps)? = summary?["steps"] else { return nil }
        return steps.first { $0["name"] == .string(name) }
    }

    /// The failure classes a step recorded, with counts.
    static func failures(_ summary: JSONValue?, _ name: String) -> [String: Double] {
        guard case let .object(members)? = step(summary, name)?["failures"] else { return [:] }
        var out: [String: Double] = [:]
        for (key, value) in members { if case let .number(count) = value, count > 0 { out[key] = count } }
        return out
    }

    static func reasons(_ summary: JSONValue?) -> String {
        guard case let .array(items)? = summary?["reasons"] else { return "" }
        return items.compactMap { if case let .string(text) = $0 { return text } else { return nil } }.joined(separator: "\n")
    }

    struct Misbehaviour: Sendable, CustomStringConvertible {
        let path: String
        /// Failure classes that are right for it (each request must fail with one of them).
        let classes: Set<String>
        var description: String { path }
    }

    /// Two requests, 2 s timeout each: every case must be over well within 20 s.
    @Test("A peer that misbehaves ends the run in time with the right failure class, in bounded memory", arguments: [
        Misbehaviour(path: "/never", classes: ["timeout"]),
        Misbehaviour(path: "/trickle", classes: ["timeout"]),
        Misbehaviour(path: "/endless-chunked", classes: ["timeout", "body-too-large"]),
        Misbehaviour(path: "/wrong-length", classes: ["protocol"]),
        Misbehaviour(path: "/garbage", classes: ["protocol"]),
        Misbehaviour(path: "/reset", classes: ["protocol"]),
        Misbehaviour(path: "/big-header", classes: ["protocol"]),
    ])
    func misbehaviour(_ case: Misbehaviour) throws {
        let peer = try Self.peer()
        let scratch = try ScratchDirectory()
        let outcome = try Self.run(Self.scenario(port: peer.port, steps: """
            [{"name": "hostile", "request": {"method": "GET", "path": "\(`case`.path)"}}]
            """), in: scratch)
        #expect(outcome.run.exitCode == 1, "the gate fails, no crash: \(outcome.run.stderr)")
        #expect(outcome.run.seconds < 20, "took \(outcome.run.seconds) s")
        let failures = Self.failures(outcome.summary, "hostile")
        #expect(failures.values.reduce(0, +) == 2, "both requests failed: \(failures)")
        #expect(Set(failures.keys).isSubset(of: `case`.classes), "classes \(failures.keys.sorted()), expected \(`case`.classes.sorted())")
        #expect(outcome.maxRSSMiB > 0 && outcome.maxRSSMiB < 200, "peak memory \(outcome.maxRSSMiB) MiB")
    }

    @Test("A 100 MB body is read in bounded memory and the run goes on")
    func hundredMegabyteBody() throws {
        let peer = try Self.peer()
        let scratch = try ScratchDirectory()
        let outcome = try Self.run(Self.scenario(port: peer.port, steps: """
            [{"name": "big", "timeout": "20s", "request": {"method": "GET", "path": "/big"}},
             {"name": "after", "request": {"method": "GET", "path": "/echo-headers"}}]
            """), in: scratch)
        #expect([0, 1].contains(outcome.run.exitCode), "no crash: \(outcome.run.stderr)")
        #expect(outcome.maxRSSMiB > 0 && outcome.maxRSSMiB < 200, "peak memory \(outcome.maxRSSMiB) MiB for 2 x 100 MB")
        #expect(Self.failures(outcome.summary, "after").isEmpty, "the next step still works")
        if case let .number(requests)? = Self.step(outcome.summary, "after")?["requests"] { #expect(requests == 2) } else {
            Issue.record("no requests for 'after'")
        }
    }

    @Test("A 100 MB body over a step's body limit fails as body-too-large")
    func hundredMegabyteBodyIsTooLarge() throws {
        let peer = try Self.peer()
        let scratch = try ScratchDirectory()
        let outcome = try Self.run(Self.scenario(port: peer.port, steps: """
            [{"name": "big", "timeout": "20s", "request": {"method": "GET", "path": "/big"}, "expect": {"bodyContains": "never"}}]
            """), in: scratch)
        #expect(Self.failures(outcome.summary, "big") == ["body-too-large": 2])
        #expect(outcome.maxRSSMiB < 200)
    }

    static func sseStep(events: [Int], maxEventBytes: Int? = nil) -> String {
        let limit = maxEventBytes.map { ", \"maxEventBytes\": \($0)" } ?? ""
        return """
            [{"name": "sse", "maxBodyBytes": 4194304\(limit),
              "mcp": {"call": "tools/call", "tool": "sse", "arguments": {"events": \(events)}}}]
            """
    }

    @Test("One SSE event over maxEventBytes (1 MiB by default) fails an MCP step as body-too-large although the body is within maxBodyBytes; smaller events summing to more pass; a raised maxEventBytes lets it through")
    func oversizedServerSentEvent() throws {
        let peer = try PeerProcess.script("hostile_mcp.py", ["--delete-hang", "0"])
        let scratch = try ScratchDirectory()
        let oversized = try Self.run(Self.scenario(port: peer.port, steps: Self.sseStep(events: [1_500_000])), in: scratch)
        #expect(oversized.run.exitCode == 1, "\(oversized.run.stdout)\(oversized.run.stderr)")
        #expect(Self.failures(oversized.summary, "sse") == ["body-too-large": 2])
        let sample = Self.step(oversized.summary, "sse")?.resolve(pointer: "/errorSamples/0")
        if case let .string(message)? = sample?["message"] {
            #expect(message.contains("SSE event of ") && message.contains("larger than maxEventBytes 1048576"), "\(message)")
        } else {
            Issue.record("no error sample for the oversized event")
        }

        // Twin: two events of 900 kB (1.8 MB in all, within the 4 MiB body limit) are each within the event limit.
        let twin = try Self.run(Self.scenario(port: peer.port, steps: Self.sseStep(events: [900_000, 900_000])), in: scratch)
        #expect(twin.run.exitCode == 0, "\(twin.run.stdout)")
        #expect(Self.failures(twin.summary, "sse").isEmpty)

        let raised = try Self.run(Self.scenario(port: peer.port, steps: Self.sseStep(events: [1_500_000], maxEventBytes: 2 << 20)), in: scratch)
        #expect(raised.run.exitCode == 0, "\(raised.run.stdout)")
        #expect(Self.failures(raised.summary, "sse").isEmpty)
    }

    /// Two GETs of the peer's `/status-999` in a step named "weird".
    static func runStatus999() throws -> Outcome {
        let peer = try Self.peer()
        let scratch = try ScratchDirectory()
        return try Self.run(Self.scenario(port: peer.port, steps: """
            [{"name": "weird", "request": {"method": "GET", "path": "/status-999"}}]
            """), in: scratch)
    }

    @Test("Status 999 is recorded as 999 and classed unexpected-status")
    func status999() throws {
        let outcome = try Self.runStatus999()
        #expect(Self.failures(outcome.summary, "weird") == ["unexpected-status": 2])
        #expect(Self.step(outcome.summary, "weird")?.resolve(pointer: "/statusCodes/999") == .number(2))
    }

    @Test("A status outside 100-599 never crashes and fails the step")
    func status999Fails() throws {
        let outcome = try Self.runStatus999()
        #expect(outcome.run.exitCode == 1, "\(outcome.run.stderr)")
        #expect(Self.failures(outcome.summary, "weird").values.reduce(0, +) == 2)
    }

    @Test("A JSON-RPC reply with a 300,000-key object ends within its timeout")
    func hugeObject() throws {
        let peer = try Self.peer()
        let scratch = try ScratchDirectory()
        let outcome = try Self.run(Self.scenario(port: peer.port, steps: """
            [{"name": "huge", "maxBodyBytes": 67108864,
              "request": {"method": "POST", "path": "/rpc-300k", "json": {"jsonrpc": "2.0", "id": 1, "method": "x"}},
              "capture": {"first": "/result/k0"}}]
            """), in: scratch)
        #expect([0, 1].contains(outcome.run.exitCode), "\(outcome.run.stderr)")
        #expect(outcome.run.seconds < 15, "took \(outcome.run.seconds) s")
        #expect(outcome.maxRSSMiB < 300, "peak memory \(outcome.maxRSSMiB) MiB")
    }

    @Test("A captured value with CR/LF is never sent: that request fails as protocol, a clean capture is sent")
    func capturedLineBreak() throws {
        let peer = try Self.peer()
        let scratch = try ScratchDirectory()
        let outcome = try Self.run(Self.scenario(port: peer.port, steps: """
            [{"name": "get", "request": {"method": "GET", "path": "/capture-crlf"}, "capture": {"token": "/token"}},
             {"name": "inject", "request": {"method": "GET", "path": "/echo-headers/inject", "headers": {"X-Token": "${captured.token}"}}},
             {"name": "clean-get", "request": {"method": "GET", "path": "/echo-headers/clean"}, "capture": {"ok": "/ok"}},
             {"name": "clean", "request": {"method": "GET", "path": "/echo-headers/sent", "headers": {"X-Clean": "${captured.ok}"}}},
             {"name": "inject-url", "request": {"method": "GET", "path": "/echo-headers/${captured.token}"}}]
            """), in: scratch)
        #expect(outcome.run.exitCode == 1, "\(outcome.run.stderr)")
        #expect(Self.failures(outcome.summary, "inject") == ["protocol": 2])
        #expect(Self.failures(outcome.summary, "inject-url") == ["protocol": 2])
        #expect(Self.failures(outcome.summary, "clean").isEmpty)
        let received = try Self.seen(peer)
        guard case let .array(heads)? = received["echo"] else { Issue.record("no /seen"); return }
        let text = heads.compactMap { if case let .string(head) = $0 { return head } else { return nil } }
        #expect(!text.contains { $0.contains("X-Injected") }, "the injected header never reached the peer")
        #expect(!text.contains { $0.hasPrefix("GET /echo-headers/inject") }, "the refused request was not sent at all")
        #expect(text.filter { $0.contains("X-Clean: true") }.count == 2, "the negative twin: a clean captured value is sent")
    }

    // MARK: - Agent cards from the peer

    static func a2aScenario(port: Int, card: String, extra: String = "") -> String {
        scenario(port: port, steps: """
            [{"name": "ask", "a2a": {"send": "hello"}}]
            """, iterations: 1, extra: ", \"a2a\": {\"card\": \"/card/\(card)\"\(extra)}")
    }

    @Test("An agent card pointing at file://, gopher:// or another loopback host is refused; nothing is read or sent",
          arguments: [("file", "not an http(s) URL"), ("gopher", "not an http(s) URL"), ("other", "a2a.allowedOrigins")])
    func hostileAgentCard(card: String, message: String) throws {
        let peer = try Self.peer()
        let scratch = try ScratchDirectory()
        let outcome = try Self.run(Self.a2aScenario(port: peer.port, card: card), in: scratch)
        #expect(outcome.run.exitCode == 1, "\(outcome.run.stderr)")
        #expect(Self.failures(outcome.summary, "ask") == ["protocol": 1])
        #expect(Self.reasons(outcome.summary).contains(message), "\(Self.reasons(outcome.summary))")
        #expect(try Self.canaryBytes(peer) == 0, "nothing reached the other port or host")
        let everything = outcome.run.stdout + outcome.run.stderr + ((try? String(contentsOfFile: scratch.url.path + "/" + ((try? FileManager.default.contentsOfDirectory(atPath: scratch.url.path))?.first { $0.hasPrefix("out-") } ?? "") + "/summary.json", encoding: .utf8)) ?? "")
        #expect(!everything.contains("root:x:0:0"), "/etc/passwd was not read into any output")
    }

    @Test("The negative twin: an origin listed in a2a.allowedOrigins receives the request (and the canary sees it)")
    func allowedOtherOrigin() throws {
        let peer = try Self.peer()
        let scratch = try ScratchDirectory()
        guard case let .number(canary)? = try Self.seen(peer)["canaryPort"] else { Issue.record("no canary port"); return }
        let outcome = try Self.run(Self.a2aScenario(port: peer.port, card: "other", extra: ", \"allowedOrigins\": [\"http://127.0.0.2:\(Int(canary))\"]"),
                                   in: scratch)
        #expect(outcome.run.exitCode == 1, "the canary does not answer A2A")
        #expect(try Self.canaryBytes(peer) > 0, "the listed origin was contacted")
    }

    @Test("A same-origin endpoint from the card is used; the card is read once, before the load, with the A2A step's own headers")
    func sameOriginCard() throws {
        let peer = try Self.peer()
        let scratch = try ScratchDirectory()
        _ = try Self.run(Self.scenario(port: peer.port, steps: """
            [{"name": "plain", "request": {"method": "GET", "path": "/echo-headers/plain", "headers": {"X-Plain-Only": "1"}}},
             {"name": "ask", "a2a": {"send": "hello", "headers": {"X-Agent-Key": "agent-step-header"}}}]
            """, iterations: 3, extra: ", \"a2a\": {\"card\": \"/card/same\"}"), in: scratch)
        let seen = try Self.seen(peer)
        guard case let .array(heads)? = seen["echo"], case let .array(cards)? = seen["cards"] else { Issue.record("no /seen"); return }
        #expect(heads.contains { if case let .string(head) = $0 { return head.hasPrefix("POST /echo-headers") } else { return false } })
        #expect(try Self.canaryBytes(peer) == 0)
        #expect(cards.count == 1, "one card read for three iterations")
        let card = cards.first.flatMap { if case let .string(head) = $0 { return head } else { return nil } } ?? ""
        #expect(card.contains("X-Agent-Key: agent-step-header"), "the A2A step's own header: \(card)")
        #expect(!card.contains("X-Plain-Only"), "not the first step's headers")
    }

    @Test("Every libcurl handle refuses file:// and gopher:// before any I/O; http still works")
    func protocolsRestricted() throws {
        let peer = try Self.peer()
        guard case let .number(canary)? = try Self.seen(peer)["canaryPort"] else { Issue.record("no canary port"); return }
        let file = BlockingHTTP.perform(method: "GET", url: "file:///etc/passwd", headers: [], tls: TLSOptions())
        #expect(file.result == CURLE_UNSUPPORTED_PROTOCOL)
        #expect(file.body.isEmpty)
        let gopher = BlockingHTTP.perform(method: "GET", url: "gopher://127.0.0.1:\(Int(canary))/_RAW", headers: [], tls: TLSOptions())
        #expect(gopher.result == CURLE_UNSUPPORTED_PROTOCOL)
        let statuses = BlockingHTTP.performAll([.init(method: "GET", url: "file:///etc/passwd", headers: []),
                                                .init(method: "GET", url: "http://127.0.0.1:\(peer.port)/echo-headers", headers: [])],
                                               tls: TLSOptions(), totalTimeoutMs: 2_000)
        #expect(statuses == [0, 200])
        #expect(try Self.canaryBytes(peer) == 0)
    }

    @Test("An agent card larger than the limit is refused")
    func oversizedCard() throws {
        let peer = try Self.peer()
        var settings = A2ASettings()
        settings.cardURLs = ["http://127.0.0.1:\(peer.port)/big"]
        let resolution = A2AAgentCard.resolve(settings, target: "http://127.0.0.1:\(peer.port)", headers: [], tls: TLSOptions())
        guard case let .failure(problem) = resolution else { Issue.record("a 100 MB card was accepted"); return }
        #expect(problem.message.contains("larger than"))
    }
}

/// Text from peers and names reaches the terminal escaped, never as control sequences.
@Suite("Terminal output from hostile input", .serialized)
struct TerminalOutputTests {
    @Test("Names holding escape sequences are printed escaped by check; the rest of the table is intact")
    func escapedNames() throws {
        let peer = try HostilePeerTests.peer()
        let scratch = try ScratchDirectory()
        let checklist = try scratch.write("c.json", """
        {"name": "escapes", "sections": {"api\\u001b[2J": [
          {"id": "retitle\\u001b]0;pwned\\u0007-item", "title": "body with escapes", "severity": "high", "kind": "http",
           "params": {"url": "http://127.0.0.1:\(peer.port)/escape-body"}},
          {"id": "plain", "title": "plain body", "severity": "high", "kind": "http",
           "params": {"url": "http://127.0.0.1:\(peer.port)/echo-headers"}}]}}
        """)
        let run = try CLIRun.run(["check", checklist, "--out", scratch.path("out")])
        let printed = run.stdout + run.stderr
        #expect(!printed.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 }, "no raw ESC or BEL reached the terminal")
        #expect(printed.contains("\\x1B"), "the escape is shown, visibly: \(printed)")
        #expect(printed.contains("plain"), "the twin: an ordinary name is printed as it is")
    }
}

@Suite("a2a.allowedOrigins in scenarios")
struct AllowedOriginsLoaderTests {
    static func load(_ origins: String) -> Result<Scenario, ValidationFailure> {
        let text = """
        {"name": "o", "target": "http://127.0.0.1:9", "load": {"vus": 1, "iterations": 1},
         "a2a": {"allowedOrigins": \(origins)}, "steps": [{"name": "ask", "a2a": {"send": "hi"}}]}
        """
        do { return .success(try ScenarioLoader().load(bytes: Array(text.utf8), file: "o.json")) } catch { return .failure(error) }
    }

    @Test("http(s) origins are accepted and kept")
    func accepted() throws {
        let scenario = try Self.load(#"["https://agents.example:8443", "http://[::1]:8080"]"#).get()
        #expect(scenario.a2a.allowedOrigins == ["https://agents.example:8443", "http://[::1]:8080"])
    }

    @Test("anything else is a located error", arguments: [#"["file:///etc"]"#, #"["gopher://x:70"]"#, #"[42]"#, #""https://a""#])
    func refused(origins: String) {
        guard case let .failure(failure) = Self.load(origins) else { Issue.record("accepted \(origins)"); return }
        #expect(failure.diagnostics.contains { $0.path.hasPrefix("a2a.allowedOrigins") }, "\(failure.diagnostics)")
    }
}

@Suite("URL origins")
struct URLOriginTests {
    @Test("Origins compare scheme, host and port, with default ports and without user-info", arguments: [
        ("http://127.0.0.1/a", "http://127.0.0.1:80/b", true), ("HTTPS://Agents.Example/x", "https://agents.example:443", true),
        ("http://user:pw@127.0.0.1:8080/", "http://127.0.0.1:8080", true), ("http://[::1]:8080/a2a", "http://[::1]:8080", true),
        ("http://127.0.0.1:8080", "http://127.0.0.2:8080", false), ("http://127.0.0.1:8080", "https://127.0.0.1:8080", false),
        ("http://127.0.0.1@127.0.0.2/", "http://127.0.0.1", false),
    ])
    func equal(first: String, second: String, same: Bool) {
        #expect((URLOrigin(first) == URLOrigin(second)) == same)
        #expect(URLOrigin(first) != nil)
    }

    @Test("Anything but an absolute http(s) URL has no origin", arguments: [
        "file:///etc/passwd", "gopher://127.0.0.1:70/_x", "127.0.0.1:8080/a2a", "http://", "http://a:99999/", "http://a b/",
        "http://127.0.0.1\\@evil/", "http://127.0.0.1:80\r\nX: y", "javascript:alert(1)", "",
    ])
    func none(url: String) {
        #expect(URLOrigin(url) == nil)
    }
}
