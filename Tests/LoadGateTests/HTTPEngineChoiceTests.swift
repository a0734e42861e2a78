import Testing
@testable import LoadGate

/// Which engine a run gets (`HTTPEngineChoice`): native only when every step is a plain HTTP/1.1
/// request to one numeric origin with no proxy; each refusal names its reason. Pure logic.
@Suite("HTTP engine choice")
struct HTTPEngineChoiceTests {
    static func choice(target: String = "http://127.0.0.1:8080", steps: String, defaults: String = "{}",
                       extra: String = "", noProxy: Bool = true) throws -> HTTPEngineChoice {
        let text = """
        {"name": "choice", "target": "\(target)", "defaults": \(defaults), "load": {"vus": 1, "iterations": 1}, "steps": \(steps)\(extra)}
        """
        let scenario = try ScenarioLoader(environment: ["HOST": "127.0.0.1"]).load(bytes: Array(text.utf8), file: "x.json")
        return HTTPEngineChoice.choose(scenario: scenario, noProxy: noProxy)
    }

    static let plain = #"[{"name": "a", "request": {"path": "/health/live"}}, {"name": "b", "request": {"method": "POST", "path": "/x?${iteration}", "body": "v=${vu}"}}]"#

    @Test("plain steps to one numeric origin (IPv4 or IPv6, templated paths allowed) run natively")
    func native() throws {
        let v4 = try Self.choice(steps: Self.plain)
        #expect(v4.engine == .native)
        #expect(v4.origin?.hostHeader == "127.0.0.1:8080")
        #expect(v4.reason.contains("127.0.0.1:8080"))
        let v6 = try Self.choice(target: "http://[::1]:9000", steps: Self.plain)
        #expect(v6.engine == .native)
        #expect(v6.origin?.hostHeader == "[::1]:9000")
        let env = try Self.choice(target: "http://${env.HOST}:81", steps: Self.plain)
        #expect(env.engine == .native, "an environment value is resolved at load time: \(env.reason)")
    }

    @Test("anything the native engine does not do exactly as libcurl keeps the run on libcurl, with the reason",
          arguments: [
            ("https://127.0.0.1:8443", plain, "{}", "", true, "not an http:// URL"),
            ("http://localhost:8080", plain, "{}", "", true, "not an http:// URL to a numeric address"),
            ("http://127.0.0.1:8080", plain, #"{"engine": "libcurl"}"#, "", true, "defaults.engine"),
            ("http://127.0.0.1:8080", plain, "{}", "", false, "proxy"),
            ("http://127.0.0.1:8080", #"[{"name": "a", "request": {"path": "/a"}}, {"name": "b", "request": {"url": "http://127.0.0.2:8080/b"}}]"#, "{}", "", true, "more than one origin"),
            ("http://127.0.0.1:8080", #"[{"name": "a", "request": {"url": "http://user:pw@127.0.0.1:8080/a"}}]"#, "{}", "", true, "user-info"),
            ("http://127.0.0.1:8080", #"[{"name": "a", "request": {"url": "http://127.0.0.${vu}:8080/a"}}]"#, "{}", "", true, "templated"),
            ("http://127.0.0.1:8080", #"[{"name": "m", "mcp": {"method": "tools/list"}}]"#, "{}", #", "mcp": {"endpoint": "/mcp"}"#, true, "protocol step"),
          ])
    func libcurl(target: String, steps: String, defaults: String, extra: String, noProxy: Bool, reason: String) throws {
        let choice = try Self.choice(target: target, steps: steps, defaults: defaults, extra: extra, noProxy: noProxy)
        #expect(choice.engine == .libcurl)
        #expect(choice.origin == nil)
        #expect(choice.reason.contains(reason), "\(choice.reason)")
    }

    @Test("defaults.engine takes auto or libcurl; anything else is a located error")
    func setting() throws {
        #expect(try Self.choice(steps: Self.plain, defaults: #"{"engine": "auto"}"#).engine == .native)
        do {
            _ = try Self.choice(steps: Self.plain, defaults: #"{"engine": "native"}"#)
            Issue.record("\"native\" was accepted")
        } catch let failure as ValidationFailure {
            #expect(failure.diagnostics.map(\.description).contains { $0.contains("defaults.engine") }, "\(failure.diagnostics)")
        }
    }

    @Test("the static origin of a URL template ends where its authority ends")
    func staticOrigin() {
        #expect(HTTPEngineChoice.staticOrigin(of: Template(literal: "http://127.0.0.1:80/a/b")) == "http://127.0.0.1:80")
        #expect(HTTPEngineChoice.staticOrigin(of: Template(literal: "http://127.0.0.1:80")) == "http://127.0.0.1:80")
        #expect(HTTPEngineChoice.staticOrigin(of: Template(segments: [.literal("http://127.0.0.1:80/a/"), .vu], environmentValues: [])) == "http://127.0.0.1:80")
        #expect(HTTPEngineChoice.staticOrigin(of: Template(segments: [.literal("http://127.0.0."), .vu, .literal("/a")], environmentValues: [])) == nil)
        #expect(HTTPEngineChoice.staticOrigin(of: Template(segments: [.vu], environmentValues: [])) == nil)
    }
}
