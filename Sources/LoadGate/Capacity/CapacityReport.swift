/// Reporters for a capacity search: `capacity.json` and the terminal table. Functions, no I/O.
public enum CapacityReport {
    public static func json(_ result: CapacityResult, libcurlVersion: String) -> String {
        let settings = result.settings
        let value: JSONValue = .object([
            ("schemaVersion", .number(1)),
            ("kind", .string("capacity")),
            ("tool", .object([("name", .string(LoadGateVersion.name)), ("version", .string(LoadGateVersion.current)),
                              ("libcurl", .string(libcurlVersion))])),
            ("scenario", .object([("name", .string(result.scenarioName)), ("sha256", .string(result.scenarioSHA256))])),
            ("target", result.target.map(JSONValue.string) ?? .null),
            ("startedAt", .string(Timestamp.iso8601(result.startedAt, fractional: true))),
            ("endedAt", .string(Timestamp.iso8601(result.endedAt, fractional: true))),
            ("complete", .bool(result.ending != .interrupted)),
            ("settings", .object([
                ("from", .number(settings.from)), ("to", .number(settings.to)), ("precision", .number(settings.precision)),
                ("stepDuration", .number(Double(settings.stepNanos) / 1e9)), ("warmup", .number(Double(settings.warmupNanos) / 1e9)),
                ("connections", .number(Double(settings.connections))), ("maxTime", .number(Double(settings.maxTimeNanos) / 1e9)),
            ])),
            ("ending", .string(result.ending.rawValue)),
            ("conclusion", .string(result.conclusion)),
            ("capacity", result.capacity.map(JSONValue.number) ?? .null),
            ("achievedAtCapacity", result.achievedAtCapacity.map { .number(SummaryJSON.round3($0)) } ?? .null),
            ("knee", result.knee.map(JSONValue.number) ?? .null),
            ("steps", .array(result.steps.map { step in
                .object([
                    ("offered", .number(step.offered)),
                    ("achieved", .number(SummaryJSON.round3(step.achieved))),
                    ("requests", .number(Double(step.summary.overall.requests))),
                    ("failed", .number(Double(step.summary.overall.failed))),
                    ("errorRatePercent", step.errorRatePercent.map { .number(SummaryJSON.round6($0)) } ?? .null),
                    ("latency", SummaryJSON.stats(step.latency)),
                    ("serviceTime", SummaryJSON.stats(step.summary.overall.serviceTime)),
                    ("lateness", SummaryJSON.stats(step.summary.result.lateness)),
                    ("dropped", .number(Double(step.summary.result.dropped))),
                    ("generator", .object([
                        ("processCores", .number(SummaryJSON.round3(step.generator.processCores))),
                        ("machineIdlePercent", step.generator.machineIdlePercent.map { .number(SummaryJSON.round3($0)) } ?? .null),
                    ])),
                    ("outcome", .string(name(step.outcome))),
                    ("limitReason", step.limitReason.map(JSONValue.string) ?? .null),
                    ("slos", .array(step.summary.slos.map { slo in
                        .object([("expression", .string(slo.expression)), ("observed", slo.observed.map(JSONValue.number) ?? .null),
                                 ("passed", .bool(slo.passed))])
                    })),
                ])
            })),
        ])
        return JSONWriter.serialize(value)
    }

    public static func name(_ outcome: CapacitySearch.Outcome) -> String {
        switch outcome {
        case .passed: return "passed"
        case .failed: return "failed"
        case .generatorLimited: return "generator-limited"
        }
    }

    /// One line per step as it finishes (for live output).
    public static func stepLine(_ step: CapacityStep) -> String {
        let p95 = SummaryTable.fmt(step.latency.value(atPercentile: 95))
        let errors = step.errorRatePercent.map(SLOEvaluator.formatPercent) ?? "-"
        var line = "offered \(DurationText.trim(step.offered))/s: achieved \(DurationText.trim(step.achieved))/s, p95 \(p95), errors \(errors) -> \(name(step.outcome))"
        if let reason = step.limitReason { line += " (\(reason))" }
        return line
    }

    public static func table(_ result: CapacityResult, resultsPath: String?) -> String {
        var rows: [[String]] = [["offered/s", "achieved/s", "p50", "p95", "p99", "errors", "lateness p99", "cpu", "SLOs"]]
        for step in result.steps.sorted(by: { $0.offered < $1.offered }) {
            let latency = step.latency
            let verdict: String
            switch step.outcome {
            case .passed: verdict = "pass"
            case .failed: verdict = "FAIL: " + step.summary.slos.filter { !$0.passed }.map(\.expression).joined(separator: ", ")
            case .generatorLimited: verdict = "GENERATOR LIMIT"
            }
            rows.append([
                DurationText.trim(step.offered), DurationText.trim(step.achieved),
                SummaryTable.fmt(latency.value(atPercentile: 50)), SummaryTable.fmt(latency.value(atPercentile: 95)),
                SummaryTable.fmt(latency.value(atPercentile: 99)), step.errorRatePercent.map(SLOEvaluator.formatPercent) ?? "-",
                SummaryTable.fmt(step.summary.result.lateness.value(atPercentile: 99)),
                DurationText.trim(step.generator.processCores * 100) + "%", verdict,
            ])
        }
        var out = "\(result.scenarioName): capacity search"
        if let target = result.target { out += " against \(target)" }
        out += "\n\n" + SummaryTable.table(rows, rightAligned: Set(0...7)) + "\n"
        out += result.conclusion + "\n"
        if let achieved = result.achievedAtCapacity { out += "achieved at capacity: \(DurationText.trim(achieved))/s\n" }
        out += "knee (p95 began to climb): " + (result.knee.map { DurationText.trim($0) + "/s" } ?? "not reached") + "\n"
        for step in result.steps where step.limitReason != nil {
            out += "generator limit at \(DurationText.trim(step.offered))/s: \(step.limitReason!)\n"
        }
        if let resultsPath { out += "results: \(resultsPath)\n" }
        return out
    }
}

extension CapacityReport {
    /// `capacity.html` from `capacity.json` alone: the per-step table and one SVG chart of p50, p95
    /// and p99 latency (left axis) and error rate (right axis) against offered rate, with the found
    /// capacity marked. Self-contained, no script.
    public static func html(_ document: JSONValue) -> String {
        let steps = document.list("/steps").sorted { ($0.number("/offered") ?? 0) < ($1.number("/offered") ?? 0) }
        let width = 720.0, height = 320.0, left = 64.0, right = 64.0, top = 28.0, bottom = 40.0
        let maxRate = max(steps.compactMap { $0.number("/offered") }.max() ?? 1, 1) * 1.05
        let maxLatency = max(steps.compactMap { $0.number("/latency/p99") }.max() ?? 0, 1e-6) * 1.1
        func x(_ rate: Double) -> Double { left + rate / maxRate * (width - left - right) }
        func y(_ value: Double, _ scale: Double) -> Double { height - bottom - value / scale * (height - bottom - top) }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"latency and error rate against offered rate\">"
        svg += "<text x=\"\(left)\" y=\"16\" style=\"font-weight:600;fill:#1b1f24\">Latency percentiles and error rate against offered rate</text>"
        for tick in 0...4 {
            let fraction = Double(tick) / 4
            let gy = height - bottom - fraction * (height - bottom - top)
            svg += "<line x1=\"\(HTMLReport.f(left))\" y1=\"\(HTMLReport.f(gy))\" x2=\"\(HTMLReport.f(width - right))\" y2=\"\(HTMLReport.f(gy))\" stroke=\"#eaeef2\"/>"
            svg += "<text x=\"\(HTMLReport.f(left - 4))\" y=\"\(HTMLReport.f(gy + 3))\" text-anchor=\"end\">\(Markup.escape(Markup.seconds(maxLatency * fraction)))</text>"
            svg += "<text x=\"\(HTMLReport.f(width - right + 4))\" y=\"\(HTMLReport.f(gy + 3))\" style=\"fill:#cf222e\">\(Int(fraction * 100))%</text>"
            let rate = maxRate * fraction
            svg += "<text x=\"\(HTMLReport.f(x(rate)))\" y=\"\(HTMLReport.f(height - bottom + 14))\" text-anchor=\"middle\">\(Markup.escape(DurationText.trim(rate)))/s</text>"
        }
        for (index, key) in ["p50", "p95", "p99"].enumerated() {
            let points = steps.compactMap { step -> String? in
                guard let rate = step.number("/offered"), let value = step.number("/latency/\(key)") else { return nil }
                return "\(HTMLReport.f(x(rate))),\(HTMLReport.f(y(min(value, maxLatency), maxLatency)))"
            }
            let color = HTMLReport.palette[index]
            svg += "<polyline class=\"series\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.8\" points=\"\(points.joined(separator: " "))\"/>"
            svg += "<text x=\"\(HTMLReport.f(left + 8 + Double(index) * 60))\" y=\"\(HTMLReport.f(top + 12))\" style=\"fill:\(color)\">■ \(key)</text>"
        }
        let errorPoints = steps.compactMap { step -> String? in
            guard let rate = step.number("/offered") else { return nil }
            return "\(HTMLReport.f(x(rate))),\(HTMLReport.f(y(step.number("/errorRatePercent") ?? 0, 100)))"
        }
        svg += "<polyline class=\"series\" fill=\"none\" stroke=\"#cf222e\" stroke-dasharray=\"4 3\" stroke-width=\"1.5\" points=\"\(errorPoints.joined(separator: " "))\"/>"
        svg += "<text x=\"\(HTMLReport.f(left + 190))\" y=\"\(HTMLReport.f(top + 12))\" style=\"fill:#cf222e\">- - error rate</text>"
        if let capacity = document.number("/capacity") {
            svg += "<line x1=\"\(HTMLReport.f(x(capacity)))\" y1=\"\(HTMLReport.f(top))\" x2=\"\(HTMLReport.f(x(capacity)))\" y2=\"\(HTMLReport.f(height - bottom))\" stroke=\"#1a7f37\" stroke-width=\"1.5\"/>"
            svg += "<text x=\"\(HTMLReport.f(x(capacity) + 4))\" y=\"\(HTMLReport.f(top + 26))\" style=\"fill:#1a7f37\">capacity \(Markup.escape(DurationText.trim(capacity)))/s</text>"
        }
        svg += "</svg>"
        var rows = "<tr><th>offered/s</th><th>achieved/s</th><th>p50</th><th>p95</th><th>p99</th><th>errors</th><th>outcome</th></tr>"
        for step in steps {
            rows += "<tr><td class=\"num\">\(DurationText.trim(step.number("/offered") ?? 0))</td><td class=\"num\">\(DurationText.trim(step.number("/achieved") ?? 0))</td>"
            for key in ["p50", "p95", "p99"] { rows += "<td class=\"num\">\(Markup.seconds(step.number("/latency/\(key)")))</td>" }
            let outcome = step.text("/outcome") ?? ""
            rows += "<td class=\"num\">\(SLOEvaluator.formatPercent(step.number("/errorRatePercent") ?? 0))</td><td class=\"\(outcome == "passed" ? "pass" : "fail")\">\(Markup.escape(outcome))</td></tr>"
        }
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>LoadGate capacity \(Markup.escape(document.text("/scenario/name") ?? ""))</title><style>\(HTMLReport.css)</style></head>
        <body><header class="verdict \(document.text("/ending") == "converged" || document.text("/ending") == "ceiling" ? "passed" : "invalid")"><h1>Capacity: \(Markup.escape(document.number("/capacity").map { DurationText.trim($0) + "/s" } ?? "not proven"))</h1>
        <p>\(Markup.escape(document.text("/conclusion") ?? ""))</p></header>
        <div class="chart">\(svg)</div><h2>Steps</h2><table>\(rows)</table>
        <p class="muted">Scenario \(Markup.escape(document.text("/scenario/name") ?? "")) sha256 <code>\(Markup.escape(document.text("/scenario/sha256") ?? ""))</code> · \(Markup.escape(document.text("/startedAt") ?? ""))</p>
        </body></html>

        """
    }
}
