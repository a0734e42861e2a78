/// Reporters for a capacity search: `capacity.json` and the terminal table. Functions, no I/O.
public enum CapacityReport {
    public static func json(_ result: CapacityResult, libcurlVersion: String) -> String {
        let settings = result.settings
        let finding = CapacityFinding(result)
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
            ("conclusion", .string(finding.headline)),
            ("advice", finding.advice.map(JSONValue.string) ?? .null),
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
                        ("workers", .number(Double(step.summary.result.workers))),
                    ])),
                    ("outcome", .string(name(step.outcome))),
                    ("limitReason", step.limitReason.map(JSONValue.string) ?? .null),
                    ("reasons", .array(step.summary.reasons.map(JSONValue.string))),
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
        let finding = CapacityFinding(result)
        out += finding.headline + "\n"
        if let advice = finding.advice { out += "advice: " + advice + "\n" }
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
    /// `capacity.html` from `capacity.json` alone: the headline that states exactly what was
    /// proven, the advice for the measured cause, one chart (latency percentiles on a log axis and
    /// error rate against offered rate, SLO thresholds and the capacity marked) and the step table.
    /// Self-contained, no script.
    public static func html(_ document: JSONValue) -> String { html(CapacityView(document)) }

    public static func html(_ view: CapacityView) -> String {
        let finding = view.finding
        var thresholds: [ReportCharts.Threshold] = []
        for text in view.steps.first?.sloExpressions ?? [] {
            // Step-scoped SLOs are drawn too, labelled with their step, against the all-steps lines.
            guard case let .success(parsed) = SLOExpression.parse(text), case .latency = parsed.metric else { continue }
            thresholds.append(.init(label: text, seconds: parsed.threshold, percentile: nil, passed: true))
        }
        let chart = ReportCharts.offeredRate(
            view.steps.map { ($0.offered, $0.p50, $0.p95, $0.p99, $0.errorRatePercent) }, thresholds: thresholds, capacity: view.capacity,
            capacityLabel: view.capacity.map { (view.ending == "converged" ? "capacity " : "lower bound ") + DurationText.trim($0) + "/s" } ?? "")
        var rows = "<tr><th>offered/s</th><th>achieved/s</th><th>p50</th><th>p95</th><th>p99</th><th>errors</th><th>lateness p99</th><th>LoadGate CPU</th><th>outcome</th></tr>"
        for step in view.steps {
            rows += "<tr><td class=\"num\">\(DurationText.trim(step.offered))</td><td class=\"num\">\(DurationText.trim(step.achieved))</td>"
            for value in [step.p50, step.p95, step.p99] { rows += "<td class=\"num\">\(Markup.seconds(value))</td>" }
            rows += "<td class=\"num\">\(step.errorRatePercent.map(SLOEvaluator.formatPercent) ?? "-")</td>"
            rows += "<td class=\"num\">\(Markup.seconds(step.latenessP99))</td>"
            rows += "<td class=\"num\">\(DurationText.trim(step.processCores * 100))%</td>"
            rows += "<td class=\"\(step.outcome == "passed" ? "pass" : "fail")\">\(Markup.escape(step.outcome))"
            for reason in [step.limitReason].compactMap({ $0 }) + step.reasons { rows += "<br/><span class=\"muted\">\(Markup.escape(reason))</span>" }
            rows += "</td></tr>"
        }
        let verdictClass = view.ending == "converged" || view.ending == "ceiling" ? "passed" : view.ending == "below-from" ? "failed" : "invalid"
        let advice = finding.advice.map { "<p><b>Advice:</b> \(Markup.escape($0))</p>" } ?? ""
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"/><title>LoadGate capacity \(Markup.escape(view.scenarioName))</title><style>\(HTMLReport.css)</style></head>
        <body><header class="verdict \(verdictClass)"><h1>Capacity \(Markup.escape(finding.title))</h1>
        <p>\(Markup.escape(finding.headline))</p>\(advice)</header>
        <p class="muted">Scenario \(Markup.escape(view.scenarioName)) against \(Markup.escape(view.target ?? "-")) · each step held \(DurationText.trim(view.stepSeconds)) s after \(DurationText.trim(view.warmupSeconds)) s warm-up · \(view.connections) connections</p>
        \(chart)<h2>Steps</h2><table>\(rows)</table>
        <p class="muted">Scenario sha256 <code>\(Markup.escape(view.scenarioSHA256))</code> · \(Markup.escape(view.startedAt))</p>
        </body></html>

        """
    }
}
