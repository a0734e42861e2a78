import Foundation
import Testing
@testable import LoadGate

@Suite("Prometheus exposition of live metrics")
struct PrometheusExpositionTests {
    static func snapshot() -> LiveMetrics.Snapshot {
        var step = LiveMetrics.StepSeries(name: "say \"hi\"\\now")
        step.requestsByStatus = [200: 7, 0: 1]
        step.failuresByClass[FailureClass.connect.rawValue] = 1
        var histogram = Histogram.latencyMicros()
        for micros in [800, 3_000, 3_000, 40_000] as [Int64] { histogram.record(micros) }
        step.latency.add(histogram)
        var scenario = LiveMetrics.ScenarioSeries(name: "api", model: "open", steps: [step], stepCount: 1, plannedSeconds: 10)
        scenario.achievedRequestRate = 8
        scenario.requestedRate = 10
        scenario.inFlight = 3
        scenario.dropped = 2
        scenario.connectionsBusy = 5
        var generator = GeneratorInterval()
        for micros in [50, 700, 30_000] as [Int64] { generator.recordLateness(micros: micros) }
        scenario.lateness.add(generator)
        scenario.latenessMaxSeconds = 0.03
        return LiveMetrics.Snapshot(scenarios: [scenario], generatorCPUSeconds: 1.5)
    }

    @Test("counters by step, status and class; a cumulative latency histogram; label values escaped")
    func text() {
        let text = PrometheusExposition.render(Self.snapshot(), openMetrics: false)
        #expect(text.contains("# TYPE loadgate_requests_total counter\n"))
        #expect(text.contains(#"loadgate_requests_total{scenario="api",step="say \"hi\"\\now",status="200"} 7"#))
        #expect(text.contains(#"loadgate_requests_total{scenario="api",step="say \"hi\"\\now",status="none"} 1"#))
        #expect(text.contains(#"loadgate_request_failures_total{scenario="api",step="say \"hi\"\\now",class="connect"} 1"#))
        #expect(text.contains(#"loadgate_request_duration_seconds_bucket{scenario="api",step="say \"hi\"\\now",le="0.001"} 1"#))
        #expect(text.contains(#"loadgate_request_duration_seconds_bucket{scenario="api",step="say \"hi\"\\now",le="0.005"} 3"#))
        #expect(text.contains(#"loadgate_request_duration_seconds_bucket{scenario="api",step="say \"hi\"\\now",le="0.025"} 3"#))
        #expect(text.contains(#"loadgate_request_duration_seconds_bucket{scenario="api",step="say \"hi\"\\now",le="0.05"} 4"#))
        #expect(text.contains(#"loadgate_request_duration_seconds_bucket{scenario="api",step="say \"hi\"\\now",le="+Inf"} 4"#))
        #expect(text.contains(#"loadgate_request_duration_seconds_count{scenario="api",step="say \"hi\"\\now"} 4"#))
        #expect(text.contains("loadgate_requested_iteration_rate{scenario=\"api\"} 10\n"))
        #expect(text.contains("loadgate_generator_cpu_seconds_total 1.5\n"))
        #expect(text.contains("# TYPE loadgate_in_flight gauge\nloadgate_in_flight{scenario=\"api\"} 3\n"))
        #expect(text.contains("loadgate_dropped_iterations_total{scenario=\"api\"} 2\n"))
        #expect(text.contains("# TYPE loadgate_connections_busy_total counter\nloadgate_connections_busy_total{scenario=\"api\"} 5\n"))
        #expect(text.contains("loadgate_iteration_lateness_seconds_bucket{scenario=\"api\",le=\"0.0001\"} 1\n"))
        #expect(text.contains("loadgate_iteration_lateness_seconds_bucket{scenario=\"api\",le=\"0.001\"} 2\n"))
        #expect(text.contains("loadgate_iteration_lateness_seconds_bucket{scenario=\"api\",le=\"0.05\"} 3\n"))
        #expect(text.contains("loadgate_iteration_lateness_seconds_count{scenario=\"api\"} 3\n"))
        #expect(text.contains("loadgate_iteration_lateness_max_seconds{scenario=\"api\"} 0.03\n"))
        #expect(!text.contains("# EOF"))
        #expect(!text.contains("loadgate_active_vus"), "a closed-model gauge has no sample in an open-model run")
    }

    @Test("OpenMetrics names counter families without _total, declares units and ends with # EOF")
    func openMetrics() {
        let text = PrometheusExposition.render(Self.snapshot(), openMetrics: true)
        #expect(text.contains("# TYPE loadgate_requests counter\n"))
        #expect(text.contains("# TYPE loadgate_request_duration_seconds histogram\n# UNIT loadgate_request_duration_seconds seconds\n"))
        #expect(text.contains("loadgate_generator_cpu_seconds_total 1.5\n"))
        #expect(text.hasSuffix("# EOF\n"))
    }

    @Test("the Accept header chooses OpenMetrics only when it asks for it", arguments: [
        ("application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1", true),
        ("text/plain;version=0.0.4", false),
        ("application/openmetrics-text; q=0", false),
        (nil, false),
    ] as [(String?, Bool)])
    func negotiation(accept: String?, openMetrics: Bool) {
        #expect(PrometheusExposition.wantsOpenMetrics(accept: accept) == openMetrics)
    }

    @Test("listen addresses: a port alone is loopback; names and IPv6 are refused with the reason", arguments: [
        ("9464", "127.0.0.1", 9464, nil),
        ("127.0.0.1:0", "127.0.0.1", 0, nil),
        ("localhost:9464", "127.0.0.1", 9464, nil),
        ("0.0.0.0:9464", "0.0.0.0", 9464, nil),
        ("[::1]:9464", "", 0, "\"[::1]:9464\": IPv6 is not supported by the metrics listener; use 127.0.0.1:PORT"),
        ("metrics.example:9464", "", 0, "\"metrics.example:9464\": \"metrics.example\" is not an IPv4 address; use e.g. 127.0.0.1:9464"),
        ("127.0.0.1:http", "", 0, "\"127.0.0.1:http\": \"http\" is not a port; use e.g. 127.0.0.1:9464"),
    ] as [(String, String, Int, String?)])
    func addresses(text: String, host: String, port: Int, error: String?) {
        switch MetricsEndpoint.parse(text) {
        case let .success(parsed):
            #expect(error == nil)
            #expect(parsed.host == host)
            #expect(parsed.port == port)
        case let .failure(failure):
            #expect(failure.message == error)
        }
    }
}

/// The endpoint of a real run: scraped directly, linted by promtool, and scraped by a real
/// Prometheus server on loopback whose query API returns the run's request counter.
@Suite("Live metrics endpoint", .serialized)
struct LiveMetricsIntegrationTests {
    /// A secret the scenario sends in a header: it must never be served.
    static let secret = "lg-metrics-secret-7f3a9c"

    static func scenario(_ scratch: ScratchDirectory, name: String, port: Int, seconds: Int) throws -> String {
        try scratch.write("\(name).json", """
        {"name": "\(name)", "target": "http://127.0.0.1:\(port)", "load": {"rate": 40, "duration": "\(seconds)s", "connections": 4},
         "defaults": {"headers": {"Authorization": "Bearer ${env.LG_METRICS_SECRET}"}},
         "steps": [{"name": "live", "request": {"method": "GET", "path": "/health/live"}},
                   {"name": "ready", "request": {"method": "GET", "path": "/health/ready"}, "expect": {"status": [204]}}],
         "slos": ["p95 < 2s"]}
        """)
    }

    static func get(_ url: String, accept: String? = nil) -> (status: Int, body: String, contentType: String?) {
        let response = BlockingHTTP.perform(method: "GET", url: url, headers: accept.map { ["Accept: \($0)"] } ?? [], tls: TLSOptions(), timeoutMs: 3_000)
        return (response.status, String(decoding: response.body, as: UTF8.self), response.headers["content-type"])
    }

    static func tool(_ path: String, _ arguments: [String], stdin: String) throws -> (code: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Starts `loadgate run` in the background; the caller scrapes while it runs.
    static func startRun(_ scenario: String, metricsPort: Int, out: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLIRun.binary)
        process.arguments = ["run", scenario, "--out", out, "--quiet", "--metrics-listen", "127.0.0.1:\(metricsPort)"]
        process.environment = ProcessInfo.processInfo.environment.merging(["LG_METRICS_SECRET": secret]) { _, new in new }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// The value of the sample `series` (name and labels exactly as served) in an exposition.
    static func value(_ series: String, in text: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.dropFirst(series.count + 1)) }
    }

    static func waitFor(seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(200_000)
        }
        return false
    }

    @Test("run --metrics-listen serves counters by step, status and class while it runs; promtool accepts them and rejects a broken twin")
    func scrapedWhileRunning() throws {
        let scratch = try ScratchDirectory()
        let targetPort = try PeerProcess.freePort()
        // 30 ms answers: two sequential steps keep 2-3 of the 4 connections busy at 40 iterations/s,
        // so a second rarely ends with nothing in flight.
        let target = try PeerProcess(CLIRun.binary, ["target", "--port", String(targetPort), "--latency", "fixed:30ms"], port: targetPort)
        let metricsPort = try PeerProcess.freePort()
        let run = try Self.startRun(try Self.scenario(scratch, name: "scraped", port: target.port, seconds: 5), metricsPort: metricsPort, out: scratch.path("out"))
        defer { if run.isRunning { kill(run.processIdentifier, SIGKILL) }; run.waitUntilExit() }

        var text = ""
        #expect(Self.waitFor(seconds: 10) {
            text = Self.get("http://127.0.0.1:\(metricsPort)/metrics").body
            return text.contains(#"loadgate_requests_total{scenario="scraped",step="live",status="200"}"#)
                && text.contains(#"loadgate_request_failures_total{scenario="scraped",step="ready",class="unexpected-status"}"#)
        }, "never saw the run's counters:\n\(text)")
        // The generator's own series are live too: requests in flight and start lateness while it runs.
        #expect(Self.waitFor(seconds: 4) {
            text = Self.get("http://127.0.0.1:\(metricsPort)/metrics").body
            return (Self.value(#"loadgate_in_flight{scenario="scraped"}"#, in: text) ?? 0) > 0
                && (Self.value(#"loadgate_iteration_lateness_seconds_count{scenario="scraped"}"#, in: text) ?? 0) > 0
        }, "never saw requests in flight and start lateness:\n\(text)")
        #expect(text.contains(#"loadgate_iteration_lateness_seconds_bucket{scenario="scraped",le="0.001"}"#))
        #expect(Self.value(#"loadgate_iteration_lateness_max_seconds{scenario="scraped"}"#, in: text) != nil)
        #expect(Self.value(#"loadgate_dropped_iterations_total{scenario="scraped"}"#, in: text) != nil)
        #expect(Self.value(#"loadgate_connections_busy_total{scenario="scraped"}"#, in: text) != nil)
        #expect((Self.value(#"loadgate_achieved_request_rate{scenario="scraped"}"#, in: text) ?? 0) > 0)
        #expect(run.isRunning, "the counters must be visible while the run is still going")
        let scrape = Self.get("http://127.0.0.1:\(metricsPort)/metrics")
        #expect(scrape.status == 200)
        #expect(scrape.contentType == PrometheusExposition.textContentType)
        #expect(scrape.body.contains(#"loadgate_request_duration_seconds_bucket{scenario="scraped",step="live",le="0.005"}"#))
        #expect(scrape.body.contains(#"loadgate_requested_iteration_rate{scenario="scraped"} 40"#))
        let openMetrics = Self.get("http://127.0.0.1:\(metricsPort)/metrics", accept: "application/openmetrics-text; version=1.0.0")
        #expect(openMetrics.contentType == PrometheusExposition.openMetricsContentType)
        #expect(openMetrics.body.hasSuffix("# EOF\n"))
        #expect(Self.get("http://127.0.0.1:\(metricsPort)/other").status == 404)

        #expect(!scrape.body.contains(Self.secret) && !openMetrics.body.contains(Self.secret))
        let lint = try Self.tool("/usr/bin/promtool", ["check", "metrics"], stdin: scrape.body)
        #expect(lint.code == 0, "promtool: \(lint.output)")
        // Negative twin: promtool does reject what it should (a counter without _total, no HELP).
        let broken = try Self.tool("/usr/bin/promtool", ["check", "metrics"], stdin: "# TYPE loadgate_requests counter\nloadgate_requests 3\n")
        #expect(broken.code != 0)
    }

    @Test("a real Prometheus on loopback scrapes the run and its query API returns LoadGate's request counter for the scenario")
    func prometheusScrapes() throws {
        let scratch = try ScratchDirectory()
        let targetPort = try PeerProcess.freePort()
        let target = try PeerProcess(CLIRun.binary, ["target", "--port", String(targetPort)], port: targetPort)
        let metricsPort = try PeerProcess.freePort()
        let prometheusPort = try PeerProcess.freePort()
        _ = try scratch.write("prometheus.yml", """
        global: {scrape_interval: 1s, evaluation_interval: 1s}
        scrape_configs:
          - job_name: loadgate
            static_configs: [{targets: ["127.0.0.1:\(metricsPort)"]}]
        """)
        let prometheus = try PeerProcess("/usr/bin/prometheus", [
            "--config.file=\(scratch.path("prometheus.yml"))", "--storage.tsdb.path=\(scratch.path("tsdb"))",
            "--web.listen-address=127.0.0.1:\(prometheusPort)", "--log.level=warn",
        ], port: prometheusPort)
        defer { prometheus.stop() }
        let run = try Self.startRun(try Self.scenario(scratch, name: "promql", port: target.port, seconds: 12), metricsPort: metricsPort, out: scratch.path("out"))
        defer { if run.isRunning { kill(run.processIdentifier, SIGKILL) }; run.waitUntilExit() }

        let query = "http://127.0.0.1:\(prometheusPort)/api/v1/query?query=" + "sum(loadgate_requests_total{scenario=\"promql\",step=\"live\"})"
            .addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        var answer = ""
        let found = Self.waitFor(seconds: 25) {
            answer = Self.get(query).body
            guard let document = try? JSONParser.parse(Array(answer.utf8)), document.text("/status") == "success",
                  case let .string(value)? = document.resolve(pointer: "/data/result/0/value/1"), let count = Double(value) else { return false }
            return count > 0
        }
        #expect(found, "Prometheus never returned the counter: \(answer)")
        // Negative twin: a scenario that is not running has no series.
        let other = Self.get("http://127.0.0.1:\(prometheusPort)/api/v1/query?query=" + "loadgate_requests_total{scenario=\"absent\"}".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!).body
        #expect(other.contains("\"result\":[]"), "\(other)")
    }

    @Test("gate and capacity serve the same endpoint while they run", arguments: ["gate", "capacity"])
    func gateAndCapacity(command: String) throws {
        let scratch = try ScratchDirectory()
        let targetPort = try PeerProcess.freePort()
        let target = try PeerProcess(CLIRun.binary, ["target", "--port", String(targetPort)], port: targetPort)
        let metricsPort = try PeerProcess.freePort()
        let scenario = try Self.scenario(scratch, name: "via-\(command)", port: target.port, seconds: 4)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLIRun.binary)
        process.arguments = (command == "gate" ? ["gate", "--scenario", scenario] : ["capacity", scenario, "--from", "20", "--to", "40", "--step-duration", "2s", "--warmup", "0s"])
            + ["--out", scratch.path("out"), "--quiet", "--metrics-listen", "127.0.0.1:\(metricsPort)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.environment = ProcessInfo.processInfo.environment.merging(["LG_METRICS_SECRET": Self.secret]) { _, new in new }
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) }; process.waitUntilExit() }
        var text = ""
        #expect(Self.waitFor(seconds: 10) {
            text = Self.get("http://127.0.0.1:\(metricsPort)/metrics").body
            return text.contains(#"loadgate_requests_total{scenario="via-\#(command)",step="live",status="200"}"#) && text.contains("loadgate_run_running{scenario=\"via-\(command)\",model=\"open\"} 1")
        }, "\(command): never saw the counters while running:\n\(text)")
        #expect(process.isRunning)
    }

    @Test("a busy or malformed --metrics-listen address is exit 2 before any load; a port alone listens on loopback")
    func listenErrors() throws {
        let scratch = try ScratchDirectory()
        let scenario = try Self.scenario(scratch, name: "listen", port: 9, seconds: 1)
        let bad = try CLIRun.run(["run", scenario, "--metrics-listen", "[::1]:9464"], environment: ["LG_METRICS_SECRET": Self.secret])
        #expect(bad.exitCode == 2)
        #expect(bad.stderr.hasPrefix("error: command line: --metrics-listen: \"[::1]:9464\": IPv6 is not supported"))
        let busy = try PeerProcess.freePort()
        let holder = try LoopbackHTTPServer(port: busy) { _ in .init(status: 200) }
        defer { holder.stop() }
        let taken = try CLIRun.run(["run", scenario, "--metrics-listen", "127.0.0.1:\(busy)", "--out", scratch.path("busy")], environment: ["LG_METRICS_SECRET": Self.secret])
        #expect(taken.exitCode == 2)
        #expect(taken.stderr.contains("--metrics-listen: \"127.0.0.1:\(busy)\": cannot listen on 127.0.0.1:\(busy)"))
        #expect(!FileManager.default.fileExists(atPath: scratch.path("busy")), "the results folder was created before the listener was checked")
        let portOnly = try CLIRun.run(["run", scenario, "--metrics-listen", "0", "--out", scratch.path("port")], environment: ["LG_METRICS_SECRET": Self.secret])
        #expect(portOnly.stderr.range(of: #"metrics: http://127\.0\.0\.1:\d+/metrics"#, options: .regularExpression) != nil, "\(portOnly.stderr)")
    }
}
