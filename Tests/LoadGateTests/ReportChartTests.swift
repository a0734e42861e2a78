import Foundation
import Testing
@testable import LoadGate

/// Report documents built from known histograms and fixture values, rendered and read back with
/// a strict parser, the way a reader reads the charts: from tick labels to values.
enum ReportFixture {
    /// A latency histogram in microseconds: `count` samples spread log-uniformly from 200 µs to
    /// 20 ms, plus a slow tail of `tail` samples at 150–400 ms, so p99 and p99.9 differ sharply.
    static func histogram(count: Int = 20_000, tail: Int = 60) -> Histogram {
        var histogram = Histogram.latencyMicros()
        for index in 0..<count {
            let fraction = Double(index) / Double(count)
            histogram.record(Int64(200 * pow(100, fraction)))
        }
        for index in 0..<tail { histogram.record(Int64(150_000 + index * 4_000)) }
        return histogram
    }

    static func metrics(_ histogram: Histogram, failures: [FailureClass: Int64] = [:]) -> StepMetrics {
        var metrics = StepMetrics()
        metrics.latency = histogram
        metrics.serviceTime = histogram
        metrics.requests = Int64(histogram.totalCount)
        for (failureClass, count) in failures {
            metrics.failures[failureClass.rawValue] = count
            metrics.failed += count
        }
        metrics.statusCodes[200] = metrics.requests - metrics.failed
        return metrics
    }

    static func object(_ value: JSONValue, adding members: [(String, JSONValue)]) -> JSONValue {
        guard case var .object(existing) = value else { return value }
        for member in members {
            existing.removeAll { $0.key == member.0 }
            existing.append((key: member.0, value: member.1))
        }
        return .object(existing)
    }

    static func slo(_ expression: String, observed: Double?, passed: Bool, step: String? = nil) -> JSONValue {
        .object([("expression", .string(expression)), ("step", step.map(JSONValue.string) ?? .null),
                 ("observed", observed.map(JSONValue.number) ?? .null), ("observedText", .string(observed.map { "\($0)" } ?? "-")),
                 ("passed", .bool(passed))])
    }

    static func second(_ t: Int, requests: Int, failures: Int = 0, p50: Double, p95: Double, p99: Double, span: Double? = nil) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = [("t", .number(Double(t))), ("requests", .number(Double(requests))),
                                                          ("failures", .number(Double(failures))), ("p50", .number(p50)),
                                                          ("p95", .number(p95)), ("p99", .number(p99))]
        if let span { members.append(("span", .number(span))) }
        return .object(members)
    }

    /// A `summary.json`-shaped value with one step "api".
    static func summary(step: JSONValue, slos: [JSONValue], timeseries: [JSONValue] = [], durationSeconds: Double = 5,
                        generator: JSONValue? = nil, verdict: String = "passed", model: String = "open") -> JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("schemaVersion", .number(1)),
            ("scenario", .object([("name", .string("fixture")), ("sha256", .string("00")), ("file", .string("fixture.json"))])),
            ("target", .string("http://127.0.0.1:1")), ("startedAt", .string("2026-01-01T00:00:00Z")), ("endedAt", .string("2026-01-01T00:00:05Z")),
            ("durationSeconds", .number(durationSeconds)), ("complete", .bool(true)), ("verdict", .string(verdict)), ("reasons", .array([])),
            ("load", .object([("model", .string(model))])),
            ("totals", .object([("requests", step["requests"] ?? .number(0)), ("failed", step["failed"] ?? .number(0)), ("dropped", .number(0))])),
            ("overall", step), ("steps", .array([step])), ("timeseries", .array(timeseries)), ("slos", .array(slos)),
        ]
        if let generator { members.append(("generator", generator)) }
        return .object(members)
    }

    static func readiness(_ summary: JSONValue, verdict: String = "passed") -> JSONValue {
        .object([("schemaVersion", .number(1)), ("kind", .string("readiness")), ("runId", .string("fixture-run")), ("verdict", .string(verdict)),
                 ("reasons", .array([])), ("warnings", .array([])), ("operator", .string("tester")),
                 ("scenarios", .array([.object([("name", .string("fixture")), ("file", .string("fixture.json")), ("status", .string("ran")),
                                                ("skippedReason", .null), ("summary", summary)])]))])
    }

    static func page(_ report: JSONValue) throws -> StrictPage { try StrictPage(html: HTMLReport.render(report)) }

    static func svg(_ page: StrictPage, label: String) -> [StrictPage.Element] {
        page.root.all(named: "svg").filter { $0["aria-label"] == label }
    }
}

@Suite("HTML report charts read back with a strict parser")
struct ReportChartTests {
    @Test("the spectrum read at 99% and 99.9% from the chart's own ticks equals the table's p99 and p99.9")
    func spectrumMatchesTable() throws {
        let histogram = ReportFixture.histogram()
        let step = SummaryJSON.step(name: "api", ReportFixture.metrics(histogram), spectrum: true)
        let page = try ReportFixture.page(ReportFixture.readiness(ReportFixture.summary(step: step, slos: [])))
        let svg = try #require(ReportFixture.svg(page, label: "latency by percentile").first)
        let line = try #require(svg.all(named: "polyline", class: "spectrum").first { $0["data-name"] == "api" })
        let points = ChartReader.points(line)
        let xTicks = ChartReader.ticks(svg, "x"), yTicks = ChartReader.ticks(svg, "y")
        let cells = page.root.all(named: "td").filter { $0["data-key"] != nil }
        for (label, key, percentile) in [("99%", "p99", 99.0), ("99.9%", "p999", 99.9)] {
            let x = try #require(xTicks.first { $0.label == label }?.pixel, "no \(label) tick")
            let y = try #require(ChartReader.y(of: points, atX: x), "the line does not reach \(label)")
            let read = try #require(ChartReader.logValue(atPixel: y, ticks: yTicks))
            let exact = Double(histogram.value(atPercentile: percentile)!) / 1e6
            let table = try #require(cells.first { $0["data-key"] == key }.flatMap { ChartReader.seconds($0.fullText) })
            #expect(abs(read - exact) / exact < 0.01, "chart at \(label) reads \(read)s, histogram says \(exact)s")
            #expect(abs(read - table) / table < 0.01, "chart at \(label) reads \(read)s, the table says \(table)s")
        }
        // The line runs to the final 100% point at the far right, at the maximum.
        let maxX = try #require(xTicks.first { $0.label == "max" }?.pixel)
        #expect(abs((points.last?.x ?? 0) - maxX) < 0.2)
    }

    @Test("every latency SLO of a step is a threshold line at its value, coloured by its result; other SLOs draw none")
    func thresholdLines() throws {
        let step = SummaryJSON.step(name: "api", ReportFixture.metrics(ReportFixture.histogram()), spectrum: true)
        let slos = [ReportFixture.slo("api: p95 < 10ms", observed: 0.012, passed: false, step: "api"),
                    ReportFixture.slo("api: p99 < 250ms", observed: 0.2, passed: true, step: "api"),
                    ReportFixture.slo("api: max < 1s", observed: 0.4, passed: true, step: "api"),
                    ReportFixture.slo("p50 < 5ms", observed: 0.002, passed: true),
                    ReportFixture.slo("availability >= 99.9%", observed: 100, passed: true)]
        let page = try ReportFixture.page(ReportFixture.readiness(ReportFixture.summary(step: step, slos: slos)))
        let svg = try #require(ReportFixture.svg(page, label: "latency by percentile").first)
        let lines = svg.all(named: "line", class: "threshold")
        let yTicks = ChartReader.ticks(svg, "y")
        for (expression, seconds, passed) in [("api: p95 < 10ms", 0.01, false), ("api: p99 < 250ms", 0.25, true), ("api: max < 1s", 1.0, true), ("p50 < 5ms", 0.005, true)] {
            let line = try #require(lines.first { ($0["data-label"] ?? "").contains(expression) }, "no threshold line for \(expression)")
            let read = try #require(line.number("y1").flatMap { ChartReader.logValue(atPixel: $0, ticks: yTicks) })
            #expect(abs(read - seconds) / seconds < 0.01, "\(expression) drawn at \(read)s")
            #expect(line["stroke"] == (passed ? SVGCanvas.passColor : SVGCanvas.failColor))
            #expect(line.number("x1") == svg.all(named: "rect", class: "frame").first?.number("x"), "the line spans the plot")
        }
        #expect(lines.count == 4, "availability is not a latency and has no line on the latency axis")
        // The legend names each threshold, below the plot area (never over the data).
        let frame = try #require(svg.all(named: "rect", class: "frame").first)
        let bottom = (frame.number("y") ?? 0) + (frame.number("height") ?? 0)
        let legends = svg.all(named: "g", class: "legend")
        #expect(legends.contains { $0.fullText.contains("api: p95 < 10ms") })
        for legend in legends { for text in legend.all(named: "text") { #expect((text.number("y") ?? 0) > bottom) } }
    }

    @Test("every axis has a title and latency ticks carry units")
    func axisUnits() throws {
        let step = SummaryJSON.step(name: "api", ReportFixture.metrics(ReportFixture.histogram()), spectrum: true)
        let series = (0..<5).map { ReportFixture.second($0, requests: 100, p50: 0.001, p95: 0.004, p99: 0.02, span: 1) }
        let page = try ReportFixture.page(ReportFixture.readiness(ReportFixture.summary(step: step, slos: [], timeseries: series)))
        let svgs = page.root.all(named: "svg")
        #expect(svgs.count == 5, "spectrum, per-second, histogram, latency sources, status")
        for svg in svgs {
            let titles = svg.all(named: "text", class: "axis-title")
            #expect(!titles.isEmpty, "\(svg["aria-label"] ?? "") has no axis title")
            for title in titles { #expect(!title.fullText.isEmpty) }
        }
        let latencyTicks = svgs.filter { ["latency by percentile", "latency percentiles, throughput and errors per second"].contains($0["aria-label"]) }
            .flatMap { ChartReader.ticks($0, "y") }
        #expect(latencyTicks.count >= 4)
        for tick in latencyTicks { #expect(ChartReader.seconds(tick.label) != nil, "tick \"\(tick.label)\" has no unit") }
        let histogramTicks = svgs.filter { $0["aria-label"] == "latency histogram" }.flatMap { ChartReader.ticks($0, "x") }
        #expect(!histogramTicks.isEmpty)
        for tick in histogramTicks { #expect(ChartReader.seconds(tick.label) != nil, "tick \"\(tick.label)\" has no unit") }
        let timeline = try #require(svgs.first { $0["aria-label"] == "latency percentiles, throughput and errors per second" })
        #expect(timeline.all(named: "text", class: "axis-title").contains { $0.fullText.contains("(s)") })
    }

    @Test("the last partial second is a narrow bar at its true rate and adds no percentile point; full seconds stay whole")
    func partialSecond() throws {
        let step = SummaryJSON.step(name: "api", ReportFixture.metrics(ReportFixture.histogram()), spectrum: true)
        var series = (0..<5).map { ReportFixture.second($0, requests: 100, p50: 0.001, p95: 0.004, p99: 0.02, span: 1) }
        // 3 requests in the last 0.3 s: 10/s, and a p95 spike that must not be drawn.
        series.append(ReportFixture.second(5, requests: 3, p50: 2, p95: 5, p99: 5, span: 0.3))
        let page = try ReportFixture.page(ReportFixture.readiness(ReportFixture.summary(step: step, slos: [], timeseries: series, durationSeconds: 5.3)))
        let svg = try #require(ReportFixture.svg(page, label: "latency percentiles, throughput and errors per second").first)
        let bars = svg.all(named: "rect", class: "throughput")
        #expect(bars.count == 6)
        let full = try #require(bars.first?.number("width")), last = try #require(bars.last?.number("width"))
        #expect(abs(last / full - 0.3) < 0.02, "the partial second is drawn \(last / full) as wide as a full one")
        #expect(bars.last?.classes.contains("partial") == true)
        #expect(bars.dropLast().allSatisfy { !$0.classes.contains("partial") })
        let fullHeight = try #require(bars.first?.number("height")), lastHeight = try #require(bars.last?.number("height"))
        #expect(abs(lastHeight / fullHeight - 0.1) < 0.02, "drawn at its rate (10/s against 100/s)")
        let timelines = svg.all(named: "polyline", class: "timeline")
        #expect(timelines.count == 3, "p50, p95 and p99 are drawn")
        for line in timelines {
            #expect(ChartReader.points(line).count == 5, "\(line["data-name"] ?? ""): the partial second adds a point")
        }
        let yTicks = ChartReader.ticks(svg, "y")
        #expect(!yTicks.contains { ChartReader.seconds($0.label).map { $0 >= 5 } ?? false }, "the 5 s spike widened the latency axis")

        // A summary written before `span` existed: the last second's span comes from the run length.
        let old = (0..<6).map { ReportFixture.second($0, requests: $0 == 5 ? 3 : 100, p50: 0.001, p95: $0 == 5 ? 5 : 0.004, p99: 0.02) }
        let oldPage = try ReportFixture.page(ReportFixture.readiness(ReportFixture.summary(step: step, slos: [], timeseries: old, durationSeconds: 5.3)))
        let oldBars = try #require(ReportFixture.svg(oldPage, label: "latency percentiles, throughput and errors per second").first).all(named: "rect", class: "throughput")
        let oldLast: Double = oldBars.last?.number("width") ?? 0, oldFirst: Double = oldBars.first?.number("width") ?? 1
        #expect(abs(oldLast / oldFirst - 0.3) < 0.02)
    }

    @Test("a run with only whole seconds has no partial bar and a percentile point per second")
    func wholeSeconds() throws {
        let step = SummaryJSON.step(name: "api", ReportFixture.metrics(ReportFixture.histogram()), spectrum: true)
        let series = (0..<6).map { ReportFixture.second($0, requests: 100, p50: 0.001, p95: 0.004, p99: 0.02, span: 1) }
        let page = try ReportFixture.page(ReportFixture.readiness(ReportFixture.summary(step: step, slos: [], timeseries: series, durationSeconds: 6)))
        let svg = try #require(ReportFixture.svg(page, label: "latency percentiles, throughput and errors per second").first)
        #expect(svg.all(named: "rect", class: "partial").isEmpty)
        #expect(svg.all(named: "rect").count >= 6, "the seconds are drawn (so no partial bar is a real absence)")
        let timelines = svg.all(named: "polyline", class: "timeline")
        #expect(timelines.count == 3)
        for line in timelines { #expect(ChartReader.points(line).count == 6) }
    }

    @Test("a step failing with three classes shows a sample of each in HTML and Markdown; a clean step shows none")
    func errorSamples() throws {
        let metrics = ReportFixture.metrics(ReportFixture.histogram(count: 1000, tail: 0), failures: [.http5xx: 5, .timeout: 2, .connect: 1])
        let samples: [JSONValue] = [
            .object([("class", .string("http-5xx")), ("status", .number(503)), ("message", .string("HTTP 503")),
                     ("snippet", .string("{\"error\":\"upstream <overloaded>\"}")), ("atSeconds", .number(1.25))]),
            .object([("class", .string("timeout")), ("status", .null), ("message", .string("Operation timed out after 2000 milliseconds")),
                     ("snippet", .null), ("atSeconds", .number(2.5))]),
            .object([("class", .string("connect")), ("status", .null), ("message", .string("Failed to connect to 127.0.0.1 port 9: Connection refused")),
                     ("snippet", .null), ("atSeconds", .number(3))]),
        ]
        let step = ReportFixture.object(SummaryJSON.step(name: "api", metrics, spectrum: true), adding: [("errorSamples", .array(samples))])
        let report = ReportFixture.readiness(ReportFixture.summary(step: step, slos: [], verdict: "failed"), verdict: "failed")
        let page = try ReportFixture.page(report)
        let rows = page.root.all(named: "tr", class: "error-sample")
        #expect(Set(rows.compactMap { $0["data-class"] }) == ["http-5xx", "timeout", "connect"])
        let http = try #require(rows.first { $0["data-class"] == "http-5xx" })
        #expect(http.fullText.contains("503"))
        #expect(http.fullText.contains("upstream <overloaded>"), "the snippet is shown as text, escaped")
        #expect(rows.first { $0["data-class"] == "connect" }?.fullText.contains("Connection refused") == true)
        let markdown = MarkdownReport.render(report)
        for expected in ["**http-5xx** HTTP 503 at 1.25 s", "**timeout** at 2.5 s: Operation timed out", "**connect** at 3 s: Failed to connect"] {
            #expect(markdown.contains(expected), "Markdown lacks \(expected)")
        }

        let failingSLO = ReportFixture.slo("availability >= 99.9%", observed: 99.2, passed: false)
        let junit = JUnitReport.render(ReportFixture.readiness(ReportFixture.summary(step: step, slos: [failingSLO], verdict: "failed"), verdict: "failed"))
        #expect(junit.contains("error samples:\napi http-5xx HTTP 503 at 1.25 s: HTTP 503\napi timeout at 2.5 s: Operation timed out"))

        let clean = SummaryJSON.step(name: "api", ReportFixture.metrics(ReportFixture.histogram(count: 1000, tail: 0)), spectrum: true)
        let cleanPage = try ReportFixture.page(ReportFixture.readiness(ReportFixture.summary(step: clean, slos: [])))
        #expect(cleanPage.root.all(named: "tr", class: "error-sample").isEmpty)
        #expect(!cleanPage.root.all(named: "h3").contains { $0.fullText == "Errors" })
    }

    @Test("the generator panel and the Markdown line name the HTTP engine and why; an older summary without it shows none")
    func httpEngineShown() throws {
        let step = SummaryJSON.step(name: "api", ReportFixture.metrics(ReportFixture.histogram(count: 10, tail: 0)), spectrum: true)
        func generator(engine: Bool) -> JSONValue {
            var members: [(key: String, value: JSONValue)] = [("cpuPercent", .number(20)), ("workers", .number(1)), ("dropped", .number(0)),
                                                              ("saturated", .bool(false)), ("findings", .array([]))]
            if engine {
                members.append(("httpEngine", .object([("name", .string("native")), ("reason", .string("every step is plain HTTP/1.1 to 127.0.0.1:8080"))])))
            }
            return .object(members)
        }
        let with = ReportFixture.readiness(ReportFixture.summary(step: step, slos: [], generator: generator(engine: true)))
        let page = try ReportFixture.page(with)
        #expect(page.root.fullText.contains("HTTP engine"))
        #expect(page.root.fullText.contains("native: every step is plain HTTP/1.1 to 127.0.0.1:8080"))
        #expect(MarkdownReport.render(with).contains("dropped 0, engine native"))
        let without = ReportFixture.readiness(ReportFixture.summary(step: step, slos: [], generator: generator(engine: false)))
        #expect(!(try ReportFixture.page(without)).root.fullText.contains("HTTP engine"))
        #expect(!MarkdownReport.render(without).contains("engine"))
    }

    @Test("the generator panel shows lateness, CPU, descriptors and a saturation alert only when saturated")
    func generatorPanel() throws {
        let step = SummaryJSON.step(name: "api", ReportFixture.metrics(ReportFixture.histogram(count: 1000, tail: 0)), spectrum: true)
        func generator(saturated: Bool) -> JSONValue {
            .object([("lateness", SummaryJSON.stats(ReportFixture.histogram(count: 100, tail: 0))), ("cpuPercent", .number(97.5)), ("workers", .number(1)),
                     ("machineIdlePercent", .number(3.5)), ("machineStealPercent", .number(saturated ? 2.125 : 0)), ("dropped", .number(0)),
                     ("openFiles", .object([("limit", .number(1024)), ("peak", .number(130))])), ("saturated", .bool(saturated)),
                     ("findings", .array(saturated ? [.string("LoadGate used 97.5% of its 1 worker core")] : []))])
        }
        let busy = try ReportFixture.page(ReportFixture.readiness(ReportFixture.summary(step: step, slos: [], generator: generator(saturated: true))))
        let text = busy.root.fullText
        for expected in ["Generator health", "97.5% of one core of 1 worker", "machine idle", "3.5%", "hypervisor steal", "2.1% of the machine's CPU time",
                         "peak 130 of limit 1024", "LoadGate used 97.5% of its 1 worker core"] {
            #expect(text.contains(expected), "missing \(expected)")
        }
        #expect(busy.root.all(named: "p", class: "alert").count >= 1)
        let markdown = MarkdownReport.render(ReportFixture.readiness(ReportFixture.summary(step: step, slos: [], generator: generator(saturated: true))))
        #expect(markdown.contains("**Generator:** fixture: start lateness p99 "))
        #expect(markdown.contains("CPU 97.5% of 100%, dropped 0, hypervisor steal 2.1%, **saturated**"))
        #expect(markdown.contains("the load generator was saturated"))
        let calm = try ReportFixture.page(ReportFixture.readiness(ReportFixture.summary(step: step, slos: [], generator: generator(saturated: false))))
        #expect(calm.root.all(named: "p", class: "alert").isEmpty)
        // No steal is shown as 0% in the panel and left out of the Markdown line.
        #expect(calm.root.fullText.contains("0% of the machine's CPU time"))
        #expect(!MarkdownReport.render(ReportFixture.readiness(ReportFixture.summary(step: step, slos: [], generator: generator(saturated: false))))
            .contains("steal"))
        #expect(!MarkdownReport.render(ReportFixture.readiness(ReportFixture.summary(step: step, slos: [], generator: generator(saturated: false))))
            .contains("saturated"))
        #expect(calm.root.fullText.contains("Generator health"))
        // Files from before the generator object still get the panel, from the lateness they have.
        let legacy = try ReportFixture.page(ReportFixture.readiness(ReportFixture.summary(step: step, slos: [])))
        #expect(legacy.root.fullText.contains("Generator health"))
    }

    @Test("service time and the generator's lateness are drawn beside corrected latency for open-model runs only")
    func decomposition() throws {
        let step = SummaryJSON.step(name: "api", ReportFixture.metrics(ReportFixture.histogram(count: 1000, tail: 0)), spectrum: true)
        let open = try ReportFixture.page(ReportFixture.readiness(ReportFixture.summary(step: step, slos: [])))
        let chart = try #require(ReportFixture.svg(open, label: "latency, service time and lateness").first)
        #expect(chart.all(named: "circle", class: "decomposition").count == 8, "p50, p90, p99, max for latency and service time")
        let closed = try ReportFixture.page(ReportFixture.readiness(ReportFixture.summary(step: step, slos: [], model: "closed")))
        #expect(ReportFixture.svg(closed, label: "latency, service time and lateness").isEmpty)
    }
}

extension ReportChartTests {
    @Test("a windowed SLO gets a per-window chart with its failing windows in red; an SLO without windows gets none")
    func windowChart() throws {
        let step = SummaryJSON.step(name: "api", ReportFixture.metrics(ReportFixture.histogram(count: 1000, tail: 0)), spectrum: true)
        let windowed = ReportFixture.object(ReportFixture.slo("p95 < 200ms", observed: 0.3, passed: false), adding: [
            ("window", .object([("seconds", .number(10)), ("failed", .number(1)),
                                ("worst", .object([("start", .number(10)), ("end", .number(20)), ("value", .number(0.3))])),
                                ("values", .array([.number(0.1), .number(0.3), .null, .number(0.12)]))])),
        ])
        let page = try ReportFixture.page(ReportFixture.readiness(ReportFixture.summary(step: step, slos: [windowed])))
        let chart = try #require(ReportFixture.svg(page, label: "SLO per window").first)
        let bars = chart.all(named: "rect", class: "window")
        #expect(bars.count == 3, "a window without samples draws no bar")
        #expect(bars.filter { $0.classes.contains("failing") }.count == 1)
        #expect(bars.filter { $0.classes.contains("failing") }.first?["fill"] == SVGCanvas.failColor)
        let threshold = try #require(chart.all(named: "line", class: "threshold").first)
        let read = try #require(threshold.number("y1").flatMap { ChartReader.logValue(atPixel: $0, ticks: ChartReader.ticks(chart, "y")) })
        #expect(abs(read - 0.2) / 0.2 < 0.01)
        #expect(page.root.fullText.contains("1 of 4 windows of 10 s failed; worst 10–20 s"))

        // The windowed form ("... over 5s") with each window's start and own result: the file's
        // results colour the bars (a partial last window above the threshold was not judged failing).
        let overForm = ReportFixture.object(ReportFixture.slo("p95 < 200ms over 5s", observed: 0.3, passed: false), adding: [
            ("window", .object([("seconds", .number(5)), ("failed", .number(1)), ("total", .number(3)), ("worst", .null),
                                ("values", .array([.number(0.1), .number(0.3), .number(0.25)])),
                                ("starts", .array([.number(0), .number(5), .number(10)])),
                                ("passed", .array([.bool(true), .bool(false), .bool(true)]))])),
        ])
        let overPage = try ReportFixture.page(ReportFixture.readiness(ReportFixture.summary(step: step, slos: [overForm])))
        let overChart = try #require(ReportFixture.svg(overPage, label: "SLO per window").first)
        #expect(overChart.all(named: "rect", class: "failing").count == 1)
        #expect(overChart.all(named: "line", class: "threshold").count == 1, "the threshold is read from the expression without its window")

        let plain = try ReportFixture.page(ReportFixture.readiness(ReportFixture.summary(step: step, slos: [ReportFixture.slo("p95 < 200ms", observed: 0.1, passed: true)])))
        #expect(ReportFixture.svg(plain, label: "SLO per window").isEmpty)
    }
}

extension ReportChartTests {
    @Test("hostile step names, SLO texts and snippets stay text: the page still parses strictly and holds no script")
    func hostileText() throws {
        let name = "<script>alert(1)</script>\"&'\u{1}"
        let sample: JSONValue = .object([("class", .string("http-5xx")), ("status", .number(500)), ("message", .string("</td></tr></table><script>x</script>")),
                                         ("snippet", .string("]]><!-- \u{0}\u{7}")), ("atSeconds", .number(1))])
        var metrics = ReportFixture.metrics(ReportFixture.histogram(count: 200, tail: 0), failures: [.http5xx: 1])
        metrics.statusCodes[500] = 1
        let step = ReportFixture.object(SummaryJSON.step(name: name, metrics, spectrum: true), adding: [("errorSamples", .array([sample]))])
        let slo = ReportFixture.slo("\(name): p95 < 1s", observed: 0.1, passed: true, step: name)
        let series = [ReportFixture.second(0, requests: 10, p50: 0.001, p95: 0.002, p99: 0.003, span: 1)]
        let stepWithSeries = ReportFixture.object(step, adding: [("timeseries", .array(series))])
        let page = try ReportFixture.page(ReportFixture.readiness(ReportFixture.summary(step: stepWithSeries, slos: [slo], timeseries: series)))
        #expect(page.root.all(named: "script").isEmpty)
        #expect(page.root.all(named: "tr", class: "error-sample").first?.fullText.contains("<script>x</script>") == true)
        #expect(page.root.all(named: "polyline").contains { $0["data-name"]?.hasPrefix("<script>") == true })
    }
}

@Suite("Percentile distribution as HdrHistogram outputs it")
struct PercentileDistributionTests {
    @Test("levels step by ticks per half distance (0, 10, ... 50, 55, ... 75, 77.5 ...) and end with one line at 100%")
    func levels() {
        var histogram = Histogram.latencyMicros()
        for value in 1...100_000 { histogram.record(Int64(value)) }
        let lines = PercentileDistribution.lines(histogram)
        let expectedStart: [Double] = [0, 10, 20, 30, 40, 50, 55, 60, 65, 70, 75, 77.5, 80, 82.5, 85, 87.5, 88.75, 90, 91.25, 92.5, 93.75, 94.375]
        for (line, expected) in zip(lines, expectedStart) { #expect(abs(line.percentile - expected) < 1e-9, "\(line.percentile) vs \(expected)") }
        #expect(lines.last?.percentile == 100)
        #expect(lines.last?.micros == 100_000)
        #expect(lines.last?.totalCount == 100_000)
        let beforeLast = lines.dropLast().last?.percentile ?? 0
        #expect(beforeLast > 99.9, "the tail is walked down to the last bucket, not cut at 92.5% (\(beforeLast))")
        for line in lines { #expect(line.micros == histogram.value(atPercentile: line.percentile), "level \(line.percentile)") }
        for (a, b) in zip(lines, lines.dropFirst()) { #expect(a.percentile < b.percentile && a.micros <= b.micros && a.totalCount <= b.totalCount) }
    }

    @Test("the chart spectrum passes through the table's percentiles exactly")
    func spectrumHasTablePercentiles() {
        let histogram = ReportFixture.histogram()
        let spectrum = PercentileDistribution.spectrum(histogram)
        for percentile in PercentileDistribution.tablePercentiles {
            #expect(spectrum.first { $0.percentile == percentile }?.micros == histogram.value(atPercentile: percentile))
        }
        #expect(spectrum.last?.percentile == 100)
        #expect(PercentileDistribution.spectrum(Histogram.latencyMicros()).isEmpty)
    }

    @Test("a single sample gives the 0% line and the 100% line at that value")
    func singleSample() {
        var histogram = Histogram.latencyMicros()
        histogram.record(1234)
        let lines = PercentileDistribution.lines(histogram)
        #expect(lines.map(\.percentile) == [0, 100])
        #expect(lines.allSatisfy { $0.micros == 1234 && $0.totalCount == 1 })
    }

    @Test("the .hgrm rows are the distribution's levels down the whole tail")
    func hgrmRows() {
        let histogram = ReportFixture.histogram()
        let rows = PercentileDistribution.hgrm(histogram).split(separator: "\n").filter { !$0.hasPrefix("#") && $0.contains(".") && !$0.contains("Value") }
        #expect(rows.count == PercentileDistribution.lines(histogram).count)
        #expect(rows.contains { $0.contains("0.990234375000") || $0.contains("0.99") })
        #expect(rows.last?.contains("1.000000000000") == true)
    }
}
