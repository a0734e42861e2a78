import Foundation

/// `report.html` of a readiness bundle or of a `run` folder, from a `ReportView` alone: one
/// self-contained page (inline CSS and SVG, no script, no external asset) that a release manager
/// reads top-down and that prints cleanly on A4: verdict and reasons first, then per scenario the
/// SLOs, steps, generator health, charts (log-log latency spectrum with SLO thresholds,
/// percentiles and throughput per second, latency histogram, latency vs service time vs lateness,
/// status breakdown) and error samples, then the checklist with evidence, then provenance.
/// The markup is well-formed XML as well as HTML, so tests read it with a strict parser.
public enum HTMLReport {
    public static func render(_ report: JSONValue) -> String { render(ReportView(readiness: report)) }

    public static func render(_ view: ReportView) -> String {
        var body = header(view)
        if view.kind == .readiness { body += overview(view) }
        for scenario in view.scenarios { body += scenarioSection(scenario, single: view.kind == .run) }
        body += ComparisonSection.html(view.document)
        body += checklistSection(view)
        body += provenance(view)
        let heading = view.kind == .readiness ? "readiness" : "run"
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"/><title>LoadGate \(heading) \(Markup.escape(view.verdict)) \(Markup.escape(view.runID))</title>
        <style>\(css)</style></head><body>\(body)</body></html>

        """
    }

    static let css = """
    @page{size:A4;margin:12mm}body{font:13px/1.45 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1b1f24;max-width:1100px;margin:0 auto;padding:16px}
    h1{margin:0 0 4px;font-size:26px}h2{font-size:18px;border-bottom:1px solid #d0d7de;padding-bottom:4px;margin-top:28px}h3{font-size:14px;margin:16px 0 6px}
    .verdict{padding:14px 18px;border-radius:8px;border:2px solid}.passed{background:#e9f7ef;border-color:#1a7f37}.failed{background:#fdecec;border-color:#cf222e}.invalid,.unknown{background:#fff5e0;border-color:#bf8700}
    .reasons{margin:6px 0 0 18px;padding:0}.warning{color:#9a6700}.alert{background:#fff5e0;border:2px solid #bf8700;border-radius:6px;padding:8px 12px;font-weight:600}
    table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border:1px solid #d0d7de;padding:4px 6px;text-align:left;vertical-align:top}
    th{background:#f6f8fa}td.num{text-align:right;font-variant-numeric:tabular-nums}.pass{color:#1a7f37;font-weight:600}.fail{color:#cf222e;font-weight:600}.muted{color:#57606a}
    .charts{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}.chart{border:1px solid #d0d7de;border-radius:6px;padding:6px;break-inside:avoid}svg{max-width:100%;height:auto}svg text{font:10px sans-serif;fill:#57606a}
    pre{white-space:pre-wrap;word-break:break-all;margin:0;font-size:11px;max-height:8em;overflow:hidden}
    code{font-size:12px}section{break-inside:auto}@media print{body{padding:0;max-width:none}h2,h3{break-after:avoid}.charts{display:block}.chart{display:inline-block;margin:0 0 8px}}
    """

    static func header(_ view: ReportView) -> String {
        let title = view.kind == .readiness ? "Readiness" : "Run \(view.scenarios.first?.name ?? "")"
        var out = "<header class=\"verdict \(cssVerdict(view.verdict))\"><h1>\(Markup.escape(title)): \(Markup.escape(view.verdict.uppercased()))</h1>"
        var line = view.kind == .readiness ? "Run <code>\(Markup.escape(view.runID))</code> · " : "Folder <code>\(Markup.escape(view.runID))</code> · "
        line += "\(Markup.escape(view.startedAt)) – \(Markup.escape(view.endedAt))"
        if !view.operatorName.isEmpty { line += " · operator \(Markup.escape(view.operatorName))" }
        out += "<p>\(line)</p>"
        if !view.reasons.isEmpty { out += "<ul class=\"reasons\">" + view.reasons.map { "<li>\(Markup.escape($0))</li>" }.joined() + "</ul>" }
        for warning in view.warnings { out += "<p class=\"warning\">⚠ \(Markup.escape(warning))</p>" }
        for scenario in view.scenarios {
            if let generator = scenario.run?.generator, generator.saturated {
                out += "<p class=\"alert\">⚠ Scenario \(Markup.escape(scenario.name)): the load generator was saturated; its own delays are in these numbers. See Generator health.</p>"
            }
        }
        return out + "</header>"
    }

    static func cssVerdict(_ verdict: String) -> String {
        ["passed", "failed", "invalid"].contains(verdict) ? verdict : "unknown"
    }

    static func overview(_ view: ReportView) -> String {
        var rows = ""
        for scenario in view.scenarios {
            let verdict = scenario.run?.verdict ?? "skipped"
            rows += "<tr><td>scenario \(Markup.escape(scenario.name))</td><td class=\"\(verdict == "passed" ? "pass" : "fail")\">\(Markup.escape(verdict))</td>"
            if let run = scenario.run {
                rows += "<td>\(run.requests) requests, \(run.failed) failed, p95 \(Markup.seconds(run.overall.latency?.p95))</td></tr>"
            } else {
                rows += "<td>not run: \(Markup.escape(scenario.skippedReason ?? ""))</td></tr>"
            }
        }
        if let checklist = view.checklist {
            let counts = checklist.counts.map { "\($0.status) \($0.count)" }.joined(separator: ", ")
            rows += "<tr><td>checklist \(Markup.escape(checklist.name))</td><td class=\"\(checklist.verdict == "passed" ? "pass" : "fail")\">\(Markup.escape(checklist.verdict))</td><td>\(counts)</td></tr>"
        }
        return "<h2>Overview</h2><table><tr><th>part</th><th>verdict</th><th>summary</th></tr>\(rows)</table>"
    }

    static func scenarioSection(_ scenario: ReportView.ScenarioPart, single: Bool) -> String {
        var out = "<section><h2>Scenario \(Markup.escape(scenario.name))</h2>"
        guard let run = scenario.run else {
            return out + "<p class=\"fail\">Not run: \(Markup.escape(scenario.skippedReason ?? ""))</p></section>"
        }
        out += "<p class=\"muted\">Target \(Markup.escape(run.target ?? "-")) · \(Markup.escape(run.loadModel)) model · "
        out += "\(Markup.seconds(run.durationSeconds))"
        if let requested = run.requestedRate { out += " · requested \(DurationText.trim(requested)) iterations/s" }
        let stepCount = run.steps.filter { !$0.isPhase }.count
        if let achieved = run.achievedRate { out += " · achieved \(DurationText.trim(achieved)) iterations/s" + (stepCount > 1 ? " of \(stepCount) steps" : "") }
        if let achieved = run.achievedRequestRate { out += " = \(DurationText.trim(achieved)) requests/s" }
        if !run.complete { out += " · <b class=\"fail\">incomplete (interrupted)</b>" }
        out += "</p>"
        if !single, !run.reasons.isEmpty {
            out += "<ul class=\"reasons\">" + run.reasons.map { "<li>\(Markup.escape($0))</li>" }.joined() + "</ul>"
        }
        out += sloTable(run)
        out += stepTable(run)
        out += generatorPanel(run)
        out += "<h3>Charts</h3><div class=\"charts\">" + charts(run) + "</div>"
        out += errorSamples(run)
        return out + "</section>"
    }

    static func sloTable(_ run: ReportView.RunPart) -> String {
        guard !run.slos.isEmpty else { return "" }
        var out = "<h3>SLOs</h3><table><tr><th>SLO</th><th>observed</th><th>result</th></tr>"
        for slo in run.slos {
            out += "<tr><td><code>\(Markup.escape(slo.expression))</code></td><td class=\"num\">\(Markup.escape(slo.observedText))</td>"
            out += "<td class=\"\(slo.passed ? "pass" : "fail")\">\(slo.passed ? "pass" : "FAIL")"
            if let window = slo.window {
                out += "<br/><span class=\"muted\">\(window.failed) of \(window.values.count) windows of \(DurationText.trim(window.seconds)) s failed"
                if let worst = window.worst { out += "; worst \(DurationText.trim(worst.start))–\(DurationText.trim(worst.end)) s" }
                out += "</span>"
            }
            out += "</td></tr>"
        }
        return out + "</table>"
    }

    static func stepTable(_ run: ReportView.RunPart) -> String {
        var out = "<h3>Steps</h3><table><tr><th>step</th><th>requests</th><th>failed</th><th>p50</th><th>p90</th><th>p95</th><th>p99</th><th>p99.9</th><th>max</th><th>service p99</th></tr>"
        for step in run.steps where step.requests > 0 {
            out += "<tr><td>\(Markup.escape(step.name))\(step.isPhase ? " <span class=\"muted\">(phase)</span>" : "")</td>"
            out += "<td class=\"num\">\(step.requests)</td><td class=\"num\">\(step.failed)</td>"
            for key in ["p50", "p90", "p95", "p99", "p999", "max"] {
                out += "<td class=\"num\" data-key=\"\(key)\">\(Markup.seconds(step.latency?.value(key)))</td>"
            }
            out += "<td class=\"num muted\" data-key=\"service-p99\">\(Markup.seconds(step.serviceTime?.p99))</td></tr>"
        }
        return out + "</table><p class=\"muted\">Latency is measured from each request's intended start (corrected for coordinated omission); service time from when the request was actually sent.</p>"
    }

    /// The generator's own state: what makes the numbers above trustworthy (or not).
    static func generatorPanel(_ run: ReportView.RunPart) -> String {
        let generator = run.generator
        let lateness = generator?.lateness ?? run.lateness
        var rows: [(String, String)] = []
        if let lateness, lateness.count > 0 {
            rows.append(("start lateness", "p50 \(Markup.seconds(lateness.p50)) · p99 \(Markup.seconds(lateness.p99)) · max \(Markup.seconds(lateness.max)) (\(lateness.count) iterations)"))
        } else {
            rows.append(("start lateness", run.loadModel == "open" ? "none recorded" : "not applicable (closed model)"))
        }
        if let cpu = generator?.cpuPercent {
            let workers = generator?.workers.map { " of \($0) worker\($0 == 1 ? "" : "s") (\($0 * 100)%)" } ?? ""
            rows.append(("process CPU", "\(DurationText.trim(cpu))% of one core\(workers)"))
        }
        if let idle = generator?.machineIdlePercent { rows.append(("machine idle", "\(DurationText.trim(idle))%")) }
        if let steal = generator?.machineStealPercent { rows.append(("hypervisor steal", "\(GeneratorHealth.stealText(steal)) of the machine's CPU time")) }
        rows.append(("dropped iterations", String(generator?.dropped ?? run.dropped)))
        if let peak = generator?.openFilesPeak, let limit = generator?.openFilesLimit {
            rows.append(("open files", "peak \(peak) of limit \(limit)"))
        }
        if let generator {
            rows.append(("saturated", generator.saturated ? "YES: the generator limited this run" : "no"))
        }
        if let engine = generator?.httpEngine {
            rows.append(("HTTP engine", engine + (generator?.httpEngineReason.map { ": \($0)" } ?? "")))
        }
        var out = "<h3>Generator health</h3>"
        if generator?.saturated == true { out += "<p class=\"alert\">⚠ The load generator was saturated: latencies include its own delays.</p>" }
        out += "<table>" + rows.map { "<tr><th>\(Markup.escape($0.0))</th><td>\(Markup.escape($0.1))</td></tr>" }.joined() + "</table>"
        if let findings = generator?.findings, !findings.isEmpty {
            out += "<ul>" + findings.map { "<li>\(Markup.escape($0))</li>" }.joined() + "</ul>"
        }
        if generator == nil { out += "<p class=\"muted\">CPU and descriptor figures were not recorded by this version.</p>" }
        return out
    }

    /// Latency-family SLOs as chart thresholds (seconds), with the percentile they judge.
    static func thresholds(_ run: ReportView.RunPart, percentilesOnly: Bool = false) -> [ReportCharts.Threshold] {
        run.slos.compactMap { slo in
            guard let parsed = slo.parsed, case let .latency(_, statistic) = parsed.metric else { return nil }
            var percentile: Double?
            switch statistic {
            case let .percentile(p): percentile = p
            case .max: percentile = 100
            case .mean, .min: if percentilesOnly { return nil }
            }
            return ReportCharts.Threshold(label: slo.expression, seconds: parsed.threshold, percentile: percentile, passed: slo.passed)
        }
    }

    static func charts(_ run: ReportView.RunPart) -> String {
        var out = ""
        let plotted = run.steps.filter { !$0.isPhase && !$0.spectrum.isEmpty }
        var series = plotted.map { ReportCharts.SpectrumSeries(name: $0.name, points: $0.spectrum, count: $0.latency?.count ?? 0) }
        if plotted.count > 1, !run.overall.spectrum.isEmpty {
            series.append(.init(name: "all steps", points: run.overall.spectrum, count: run.overall.latency?.count ?? 0, dashed: true))
        }
        out += ReportCharts.spectrum(series, thresholds: thresholds(run))
        let stepSeries = run.steps.filter { !$0.isPhase && !$0.timeseries.isEmpty }
        if stepSeries.isEmpty {
            out += ReportCharts.timeline(run.timeseries, thresholds: thresholds(run, percentilesOnly: true).filter { threshold in
                run.slos.first { $0.expression == threshold.label }?.step == nil
            }, title: "Per second: latency percentiles, throughput, failures")
        } else {
            for step in stepSeries {
                let own = thresholds(run, percentilesOnly: true).filter { threshold in
                    let scope = run.slos.first { $0.expression == threshold.label }?.step
                    return scope == step.name || scope == nil
                }
                out += ReportCharts.timeline(step.timeseries, thresholds: own, title: "Per second, step \(step.name)")
            }
        }
        for step in run.steps where !step.isPhase && !step.histogram.isEmpty {
            out += ReportCharts.histogram(step.histogram, title: "Latency histogram, step \(step.name)")
        }
        if run.loadModel == "open" {
            var rows: [(name: String, stats: ReportView.Stats)] = []
            if let latency = run.overall.latency { rows.append(("corrected latency (from intended start)", latency)) }
            if let service = run.overall.serviceTime { rows.append(("service time (from actual send)", service)) }
            if let lateness = run.generator?.lateness ?? run.lateness, lateness.count > 0 { rows.append(("generator start lateness", lateness)) }
            out += ReportCharts.decomposition(rows, title: "Where latency came from (all steps)")
        }
        var entries: [(label: String, count: Int, color: String)] = run.overall.statusCodes.map { code in
            ("HTTP \(code.code == "0" ? "none" : code.code)", code.count, code.code.hasPrefix("2") ? SVGCanvas.passColor : "#bf8700")
        }
        entries += run.overall.failures.map { ("failure \($0.name)", $0.count, SVGCanvas.failColor) }
        out += ReportCharts.breakdown(entries, title: "Status codes and failures")
        for slo in run.slos {
            guard let window = slo.window else { continue }
            // The windowed form ("p95 < 2s over 1m") parses without its window part.
            let text = slo.expression.range(of: " over ").map { String(slo.expression[..<$0.lowerBound]) } ?? slo.expression
            let parsed: SLOExpression? = slo.parsed ?? (try? SLOExpression.parse(text).get())
            var isLatency = false
            var unit = ""
            switch parsed?.metric {
            case .latency?: isLatency = true
            case .availability?, .errorRate?: unit = "%"
            case .rps?: unit = "/s"
            case .dropped?, nil: unit = ""
            }
            out += ReportCharts.windows(window.values, starts: window.starts, passed: window.passed, windowSeconds: window.seconds,
                                        threshold: parsed?.threshold, holds: { parsed?.comparison.holds($0, parsed!.threshold) ?? true },
                                        isLatency: isLatency, unit: unit, title: "SLO \(slo.expression) per \(DurationText.trim(window.seconds)) s window")
        }
        return out
    }

    /// Per step and failure class, the first distinct samples: what failed, so it can be fixed.
    static func errorSamples(_ run: ReportView.RunPart) -> String {
        let steps = run.steps.filter { $0.failed > 0 || !$0.errorSamples.isEmpty }
        guard !steps.isEmpty else { return "" }
        var out = "<h3>Errors</h3>"
        for step in steps {
            let classes = step.failures.map { "\($0.name) \($0.count)" }.joined(separator: ", ")
            out += "<p><b>\(Markup.escape(step.name))</b>: \(step.failed) failed\(classes.isEmpty ? "" : " (\(Markup.escape(classes)))")</p>"
            guard !step.errorSamples.isEmpty else {
                out += "<p class=\"muted\">No samples recorded for this step.</p>"
                continue
            }
            out += "<table class=\"errors\"><tr><th>class</th><th>status</th><th>at</th><th>message</th><th>response snippet</th></tr>"
            for sample in step.errorSamples {
                out += "<tr class=\"error-sample\" data-class=\"\(Markup.escape(sample.failureClass))\"><td>\(Markup.escape(sample.failureClass))</td>"
                out += "<td class=\"num\">\(sample.status.map(String.init) ?? "-")</td>"
                out += "<td class=\"num\">\(sample.atSeconds.map { DurationText.trim($0) + " s" } ?? "-")</td>"
                out += "<td>\(Markup.escape(sample.message))</td><td>\(sample.snippet.map { "<pre>\(Markup.escape($0))</pre>" } ?? "-")</td></tr>"
            }
            out += "</table>"
        }
        return out
    }

    static func checklistSection(_ view: ReportView) -> String {
        guard let checklist = view.checklist else { return "" }
        var out = "<section><h2>Checklist \(Markup.escape(checklist.name))</h2><table><tr><th>status</th><th>severity</th><th>section</th><th>item</th><th>expected</th><th>observed</th></tr>"
        for item in checklist.items {
            let cls = item.status == "passed" ? "pass" : (item.status == "failed" || item.status == "error") ? "fail" : "muted"
            out += "<tr><td class=\"\(cls)\">\(Markup.escape(item.status))</td><td>\(Markup.escape(item.severity))</td><td>\(Markup.escape(item.section))</td>"
            out += "<td><b>\(Markup.escape(item.id))</b><br/>\(Markup.escape(item.title))</td>"
            out += "<td>\(Markup.escape(item.expected))</td><td>\(Markup.escape(item.observed))"
            if !item.message.isEmpty, item.status != "passed" { out += "<br/><span class=\"fail\">\(Markup.escape(item.message))</span>" }
            out += "</td></tr>"
        }
        return out + "</table></section>"
    }

    static func provenance(_ view: ReportView) -> String {
        var rows = [(view.kind == .readiness ? "run id" : "run folder", view.runID), ("tool", "\(view.toolName) \(view.toolVersion)")]
        if view.kind == .readiness { rows.append(("harness commit", view.gitCommit ?? "unknown")) }
        rows.append(("libcurl", view.libcurl))
        if let host = view.host { rows.append(("host", "\(host.name) · \(host.os) · \(host.cpus) CPUs")) }
        if !view.operatorName.isEmpty { rows.append(("operator", view.operatorName)) }
        for variable in view.ci { rows.append((variable.name, variable.value)) }
        for input in view.inputs { rows.append(("\(input.kind) \(input.file)", "sha256 \(input.sha256)")) }
        for target in view.targets { rows.append(("target", target)) }
        let note = view.kind == .readiness
            ? "Every file of this bundle is listed with its SHA-256 in MANIFEST.sha256; <code>loadgate verify</code> checks them (and MANIFEST.sig when a signing key is set)."
            : "Rendered from summary.json; <code>loadgate report FOLDER</code> renders it again."
        return "<section><h2>Provenance</h2><table>" + rows.map { "<tr><th>\(Markup.escape($0.0))</th><td><code>\(Markup.escape($0.1))</code></td></tr>" }.joined()
            + "</table><p class=\"muted\">\(note)</p></section>"
    }
}
