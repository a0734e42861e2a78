import Testing
@testable import LoadGate

@Suite("Scenario validation")
struct ScenarioLoaderTests {
    static func load(_ text: String, environment: [String: String] = [:], overrides: LoadOverrides = LoadOverrides()) throws(ValidationFailure) -> Scenario {
        try ScenarioLoader(environment: environment).load(bytes: Array(text.utf8), file: "scenarios/x.json", overrides: overrides)
    }

    static func errors(_ text: String, environment: [String: String] = [:]) -> [String] {
        do {
            _ = try load(text, environment: environment)
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    static let valid = """
    {"name": "health-smoke", "target": "http://127.0.0.1:8080",
     "defaults": {"headers": {"Authorization": "Bearer ${env.API_TOKEN}"}, "timeout": "10s"},
     "load": {"rate": 100, "duration": "30s"},
     "steps": [{"name": "health", "request": {"method": "GET", "path": "/api/v1/health"}, "expect": {"status": [200]}}],
     "slos": ["p95 < 2s", "availability >= 99.9%", "health: p99 < 500ms"]}
    """

    @Test("the issue's example scenario loads with its env variable resolved and kept as a secret")
    func validExample() throws {
        let scenario = try Self.load(Self.valid, environment: ["API_TOKEN": "tok-abcdef"])
        #expect(scenario.name == "health-smoke")
        #expect(scenario.load == .open(OpenLoad(rate: 100, durationNanos: 30_000_000_000, stages: [], connections: 100,
                                                maxLatenessNanos: 10_000_000_000, tolerancePercent: 5)))
        #expect(scenario.steps[0].url.staticText == "http://127.0.0.1:8080/api/v1/health")
        #expect(scenario.steps[0].headers.first?.value.staticText == "Bearer tok-abcdef")
        #expect(scenario.steps[0].isStatic)
        #expect(scenario.slos.count == 3)
        #expect(!scenario.slosAreDefaults)
        #expect(scenario.secretValues == ["tok-abcdef"])
    }

    @Test("an unset ${env.X} is a located error, not an empty string")
    func unsetEnvironment() {
        #expect(Self.errors(Self.valid) == [
            "scenarios/x.json: defaults.headers.Authorization: environment variable API_TOKEN is not set (referenced as ${env.API_TOKEN}); export it or remove the reference",
        ])
    }

    @Test("every problem is reported together, each with its JSON path and a fix")
    func locatedErrors() {
        let text = """
        {"name": "bad name!", "target": "http://127.0.0.1:8080",
         "load": {"rate": 100, "duration": 30, "conections": 5},
         "steps": [{"name": "a", "request": {"path": "/x"}},
                   {"name": "b", "request": {"method": "GET", "path": "/y"}, "expect": {"status": [200, 1000]}},
                   {"name": "c", "request": {"method": "FETCH", "url": "ftp://host/z"}, "timeout": "10"}],
         "slos": ["p95 < 250", "nope: p99 < 1s"]}
        """
        #expect(Self.errors(text) == [
            "scenarios/x.json: name: \"bad name!\" must be 1-64 letters, digits, '.', '_' or '-' (it names the run folder)",
            "scenarios/x.json: load.conections: unknown key; did you mean 'connections'?",
            "scenarios/x.json: load.duration: 30 has no unit; write \"30s\" or \"30ms\"",
            "scenarios/x.json: steps[1].expect.status[1]: expected an HTTP status code between 100 and 999",
            "scenarios/x.json: steps[2].timeout: \"10\" has no unit; write \"10s\" or \"10ms\"",
            "scenarios/x.json: steps[2].request.method: expected one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS",
            "scenarios/x.json: steps[2].request.url: must start with http:// or https://",
            "scenarios/x.json: slos[0]: \"p95 < 250\" at character 7: \"250\" has no unit; write \"250ms\" or \"250s\"",
            "scenarios/x.json: slos[1]: \"nope: p99 < 1s\" names step 'nope', which the scenario does not have",
        ])
    }

    @Test("a JSON syntax error is located by line and column")
    func syntaxError() {
        #expect(Self.errors("{\"name\": \"x\",\n \"load\": }") == ["scenarios/x.json: line 2, column 10: unexpected character '}'"])
    }

    @Test("a scenario without SLOs gets the platform's production targets")
    func defaultSLOs() throws {
        let scenario = try Self.load("""
        {"name": "s", "target": "http://127.0.0.1:1", "load": {"vus": 2, "iterations": 10},
         "steps": [{"name": "a", "request": {"path": "/"}}]}
        """)
        #expect(scenario.slos.map(\.text) == ["p95 < 2s", "availability >= 99.9%"])
        #expect(scenario.slosAreDefaults)
        #expect(scenario.load == .closed(ClosedLoad(vus: 2, durationNanos: 600_000_000_000, iterations: 10, stages: [])))
    }

    @Test("per-request variables keep a step dynamic; JSON bodies escape environment values")
    func templating() throws {
        let scenario = try Self.load("""
        {"name": "s", "target": "http://127.0.0.1:1", "load": {"vus": 1, "duration": "1s"},
         "steps": [{"name": "a", "request": {"method": "POST", "path": "/u/${vu}", "headers": {"X-User-ID": "test-user-${vu}"},
                    "json": {"note": "${env.NOTE}", "n": "${iteration}"}}}]}
        """, environment: ["NOTE": "say \"hi\""])
        let step = scenario.steps[0]
        #expect(!step.isStatic)
        #expect(step.url.render(vu: 7, iteration: 3) == "http://127.0.0.1:1/u/7")
        #expect(step.body?.render(vu: 7, iteration: 3) == #"{"note":"say \"hi\"","n":"3"}"#)
        #expect(step.headers.contains { $0.name == "Content-Type" && $0.value.staticText == "application/json" })
        #expect(step.headers.contains { $0.name == "X-User-ID" && $0.value.render(vu: 7, iteration: 0) == "test-user-7" })
    }

    @Test("command-line overrides switch the load model and are validated like the file")
    func overrides() throws {
        let scenario = try Self.load(Self.valid, environment: ["API_TOKEN": "t"],
                                     overrides: LoadOverrides(target: "http://127.0.0.1:9999", vus: 3, durationNanos: 2_000_000_000))
        #expect(scenario.load == .closed(ClosedLoad(vus: 3, durationNanos: 2_000_000_000, iterations: nil, stages: [])))
        #expect(scenario.steps[0].url.staticText == "http://127.0.0.1:9999/api/v1/health")
    }

    @Test("HTTP/2 over cleartext is refused because libcurl 7.88's h2c is broken")
    func h2cRefused() {
        let errors = Self.errors("""
        {"name": "s", "target": "http://127.0.0.1:1", "defaults": {"http": "2"}, "load": {"vus": 1, "duration": "1s"},
         "steps": [{"name": "a", "request": {"path": "/"}}]}
        """)
        #expect(errors.count == 1)
        #expect(errors.first?.contains("curl issue 10634") == true)
    }

    @Test("open and closed settings cannot be mixed")
    func mixedModels() {
        #expect(Self.errors("""
        {"name": "s", "target": "http://127.0.0.1:1", "load": {"vus": 1, "rate": 5, "duration": "1s"},
         "steps": [{"name": "a", "request": {"path": "/"}}]}
        """) == ["scenarios/x.json: load: mixes the open model (rate) and the closed model (vus/iterations); choose one"])
    }

    @Test("a step or default Content-Length or Transfer-Encoding header is a located error; other headers load", arguments: [
        (#""defaults": {"headers": {"Content-Length": "99"}},"#, "defaults.headers.Content-Length"),
        (#""defaults": {"headers": {"transfer-encoding": "chunked"}},"#, "defaults.headers.transfer-encoding"),
    ])
    func framingHeaders(defaults: String, path: String) {
        let text = """
        {"name": "framing", "target": "http://127.0.0.1:8080", \(defaults) "load": {"vus": 1, "iterations": 1},
         "steps": [{"name": "a", "request": {"method": "POST", "path": "/", "body": "abc", "headers": {"X-Fine": "1"}}}]}
        """
        #expect(Self.errors(text) == ["scenarios/x.json: \(path): is set by LoadGate from the body; remove it"])
        let fine = text.replacingOccurrences(of: defaults, with: "")
        #expect(Self.errors(fine).isEmpty)
        let inStep = fine.replacingOccurrences(of: #""X-Fine": "1""#, with: #""Content-Length": "3""#)
        #expect(Self.errors(inStep) == ["scenarios/x.json: steps[0].request.headers.Content-Length: is set by LoadGate from the body; remove it"])
    }

    @Test("a header name is checked byte by byte: CR/LF, a colon with a combining mark, spaces and non-ASCII are refused; token names load",
          arguments: ["X-A\r\nX-Injected", "Ho:\u{65D}st", "X A", "X\u{0}A", "Zürich", "", "X-A\n"])
    func headerNameInjection(name: String) {
        let header = String(decoding: JSONWriter.serialize(.object([(name, .string("v"))])).utf8, as: UTF8.self)
        let text = """
        {"name": "names", "target": "http://127.0.0.1:8080", "load": {"vus": 1, "iterations": 1},
         "steps": [{"name": "a", "request": {"path": "/", "headers": \(header)}}]}
        """
        let errors = Self.errors(text)
        #expect(errors.count == 1 && errors[0].contains("invalid header name"), "\(errors)")
    }

    @Test("the twin: token header names load", arguments: ["X-Request-Id", "x_custom.v2", "Accept", "A!#$%&'*+-.^_`|~9"])
    func headerNameTokens(name: String) {
        let header = String(decoding: JSONWriter.serialize(.object([(name, .string("v"))])).utf8, as: UTF8.self)
        let text = """
        {"name": "names", "target": "http://127.0.0.1:8080", "load": {"vus": 1, "iterations": 1},
         "steps": [{"name": "a", "request": {"path": "/", "headers": \(header)}}]}
        """
        #expect(Self.errors(text).isEmpty)
    }
}
