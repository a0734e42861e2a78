import Foundation

/// `report.html` from `report.json`: one self-contained page (inline CSS and SVG, no script, no
/// external asset) that a release manager reads top-down and that prints cleanly on A4: verdict
/// and reasons first, then per scenario the latency percentile spectrum (log-scaled percentile
/// axis, as HdrHistogram plots), throughput and p95 over time, status and failure breakdown, then
/// the checklist with evidence, then provenance.
public enum HTMLReport {
    public static func render(_ report: JSONValue) -> String {
        let verdict = report.text("/verdict") ?? "unknown"
        var body = ""
        body += "<header class=\"verdict \(Markup.escape(verdict))\"><h1>Readiness: \(Markup.escape(verdict.uppercased()))</h1>"
        body += "<p>Run <code>\(Markup.escape(report.text("/runId") ?? ""))</code> · \(Markup.escape(report.text("/startedAt") ?? "")) – \(Markup.escape(report.text("/endedAt") ?? "")) · operator \(Markup.escape(report.text("/operator") ?? ""))</p>"
        let reasons = report.list("/reasons").compactMap { if case let .string(text) = $0 { return text } else { return nil } }
        if !reasons.isEmpty { body += "<ul class=\"reasons\">" + reasons.map { "<li>\(Markup.escape($0))</li>" }.joined() + "</ul>" }
        for warning in report.list("/warnings") { if case let .string(text) = warning { body += "<p class=\"warning\">⚠ \(Markup.escape(text))</p>" } }
        body += "</header>"

        body += overview(report)
        for scenario in report.list("/scenarios") { body += scenarioSection(scenario) }
        body += checklistSection(report)
        body += provenance(report)
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>LoadGate readiness \(Markup.escape(verdict)) \(Markup.escape(report.text("/runId") ?? ""))</title>
        <style>\(css)</style></head><body>\(body)</body></html>

        """
    }

    static let css = """
    @page{size:A4;margin:14mm}body{font:13px/1.45 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1b1f24;max-width:1100px;margin:0 auto;padding:16px}
    h1{margin:0 0 4px;font-size:26px}h2{font-size:18px;border-bottom:1px solid #d0d7de;padding-bottom:4px;margin-top:28px}h3{font-size:14px;margin:16px 0 6px}
    .verdict{padding:14px 18px;border-radius:8px;border:2px solid}.passed{background:#e9f7ef;border-color:#1a7f37}.failed{background:#fdecec;border-color:#cf222e}.invalid{background:#fff5e0;border-color:#bf8700}
    .reasons{margin:6px 0 0 18px;padding:0}.warning{color:#9a6700}table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border:1px solid #d0d7de;padding:4px 6px;text-align:left;vertical-align:top}
    th{background:#f6f8fa}td.num{text-align:right;font-variant-numeric:tabular-nums}.pass{color:#1a7f37;font-weight:600}.fail{color:#cf222e;font-weight:600}.muted{color:#57606a}
    .charts{display:flex;flex-wrap:wrap;gap:12px}.chart{border:1px solid #d0d7de;border-radius:6px;padding:6px}svg text{font:10px sans-serif;fill:#57606a}
    code{font-size:12px}section{break-inside:avoid-page}@media print{body{padding:0}.chart{break-inside:avoid}}
    """

    static func overview(_ report: JSONValue) -> String {
        var rows = ""
        for scenario in report.list("/scenarios") {
            let verdict = scenario.text("/summary/verdict") ?? scenario.text("/status") ?? ""
            rows += "<tr><td>scenario \(Markup.escape(scenario.text("/name") ?? ""))</td><td class=\"\(verdict == "passed" ? "pass" : "fail")\">\(Markup.escape(verdict))</td>"
            rows += "<td>\(Int(scenario.number("/summary/totals/requests") ?? 0)) requests, \(Int(scenario.number("/summary/totals/failed") ?? 0)) failed, p95 \(Markup.seconds(scenario.number("/summary/overall/latency/p95")))</td></tr>"
        }
        if let name = report.text("/checklist/checklist/name") {
            let verdict = report.text("/checklist/verdict") ?? ""
            let counts = ["passed", "failed", "error", "skipped", "waived"].map { "\($0) \(Int(report.number("/checklist/counts/\($0)") ?? 0))" }.joined(separator: ", ")
            rows += "<tr><td>checklist \(Markup.escape(name))</td><td class=\"\(verdict == "passed" ? "pass" : "fail")\">\(Markup.escape(verdict))</td><td>\(counts)</td></tr>"
        }
        return "<h2>Overview</h2><table><tr><th>part</th><th>verdict</th><th>summary</th></tr>\(rows)</table>"
    }

    static func scenarioSection(_ scenario: JSONValue) -> String {
        let name = scenario.text("/name") ?? ""
        var out = "<section><h2>Scenario \(Markup.escape(name))</h2>"
        guard scenario.text("/status") == "ran" else {
            return out + "<p class=\"fail\">Not run: \(Markup.escape(scenario.text("/skippedReason") ?? ""))</p></section>"
        }
        out += "<p class=\"muted\">Target \(Markup.escape(scenario.text("/summary/target") ?? "-")) · \(Markup.escape(scenario.text("/summary/load/model") ?? "")) model · "
        out += "\(Markup.seconds(scenario.number("/summary/durationSeconds"))) · achieved \(String(format: "%.1f", scenario.number("/summary/load/achieved/requestRate") ?? 0)) req/s</p>"
        out += "<h3>SLOs</h3><table><tr><th>SLO</th><th>observed</th><th>result</th></tr>"
        for slo in scenario.list("/summary/slos") {
            let passed = slo.flag("/passed") ?? false
            out += "<tr><td><code>\(Markup.escape(slo.text("/expression") ?? ""))</code></td><td class=\"num\">\(Markup.escape(slo.text("/observedText") ?? "-"))</td><td class=\"\(passed ? "pass" : "fail")\">\(passed ? "pass" : "FAIL")</td></tr>"
        }
        out += "</table><h3>Steps</h3><table><tr><th>step</th><th>requests</th><th>failed</th><th>p50</th><th>p90</th><th>p95</th><th>p99</th><th>max</th></tr>"
        for step in scenario.list("/summary/steps") where (step.number("/requests") ?? 0) > 0 {
            out += "<tr><td>\(Markup.escape(step.text("/name") ?? ""))\(step.flag("/phase") == true ? " <span class=\"muted\">(phase)</span>" : "")</td>"
            out += "<td class=\"num\">\(Int(step.number("/requests") ?? 0))</td><td class=\"num\">\(Int(step.number("/failed") ?? 0))</td>"
            for key in ["p50", "p90", "p95", "p99", "max"] { out += "<td class=\"num\">\(Markup.seconds(step.number("/latency/\(key)")))</td>" }
            out += "</tr>"
        }
        out += "</table><div class=\"charts\">"
        out += spectrumChart(scenario)
        out += timeSeriesChart(scenario)
        out += breakdownChart(scenario)
        out += "</div></section>"
        return out
    }

    static let palette = ["#0969da", "#cf222e", "#1a7f37", "#8250df", "#bf8700", "#1b7c83", "#953800"]

    /// Latency by percentile on a log axis of 1/(1-p): 0%, 90%, 99%, 99.9%, 99.99%, 99.999%.
    static func spectrumChart(_ scenario: JSONValue) -> String {
        let width = 520.0, height = 260.0, left = 56.0, bottom = 34.0, top = 24.0, right = 12.0
        let series = scenario.list("/summary/steps").compactMap { step -> (String, [(Double, Double)])? in
            let points = step.list("/spectrum").compactMap { point -> (Double, Double)? in
                guard case let .array(pair) = point, pair.count == 2, case let .number(p) = pair[0], case let .number(v) = pair[1] else { return nil }
                return (p, v)
            }
            return points.isEmpty ? nil : (step.text("/name") ?? "", points)
        }
        guard !series.isEmpty else { return "" }
        let maxNines = 5.0
        let maxValue = max(series.flatMap { $0.1.map(\.1) }.max() ?? 0, 1e-6) * 1.08
        func x(_ percentile: Double) -> Double {
            let nines = min(maxNines, log10(1 / max(1e-5, 1 - percentile / 100)))
            return left + nines / maxNines * (width - left - right)
        }
        func y(_ value: Double) -> Double { height - bottom - value / maxValue * (height - bottom - top) }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"latency by percentile\">"
        svg += "<text x=\"\(left)\" y=\"14\" style=\"font-weight:600;fill:#1b1f24\">Latency by percentile (log scale)</text>"
        for (index, label) in ["0%", "90%", "99%", "99.9%", "99.99%", "99.999%"].enumerated() {
            let gx = left + Double(index) / maxNines * (width - left - right)
            svg += "<line x1=\"\(f(gx))\" y1=\"\(f(top))\" x2=\"\(f(gx))\" y2=\"\(f(height - bottom))\" stroke=\"#eaeef2\"/>"
            svg += "<text x=\"\(f(gx))\" y=\"\(f(height - bottom + 14))\" text-anchor=\"middle\">\(label)</text>"
        }
        for tick in 0...4 {
            let value = maxValue * Double(tick) / 4
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(y(value)))\" x2=\"\(f(width - right))\" y2=\"\(f(y(value)))\" stroke=\"#eaeef2\"/>"
            svg += "<text x=\"\(f(left - 4))\" y=\"\(f(y(value) + 3))\" text-anchor=\"end\">\(Markup.escape(Markup.seconds(value)))</text>"
        }
        for (index, entry) in series.enumerated() {
            let color = palette[index % palette.count]
            let points = entry.1.map { "\(f(x($0.0))),\(f(y($0.1)))" }.joined(separator: " ")
            svg += "<polyline class=\"series\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.6\" points=\"\(points)\"/>"
            svg += "<text x=\"\(f(left + 6 + Double(index % 3) * 150))\" y=\"\(f(top + 10 + Double(index / 3) * 12))\" style=\"fill:\(color)\">■ \(Markup.escape(entry.0))</text>"
        }
        return "<div class=\"chart\">" + svg + "</svg></div>"
    }

    /// Requests per second (bars) and p95 (line) over the run.
    static func timeSeriesChart(_ scenario: JSONValue) -> String {
        let points = scenario.list("/summary/timeseries")
        guard !points.isEmpty else { return "" }
        let width = 520.0, height = 260.0, left = 56.0, bottom = 34.0, top = 24.0, right = 56.0
        let maxRequests = max(points.compactMap { $0.number("/requests") }.max() ?? 1, 1) * 1.1
        let maxP95 = max(points.compactMap { $0.number("/p95") }.max() ?? 0, 1e-6) * 1.1
        let slot = (width - left - right) / Double(points.count)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"throughput and p95 over time\">"
        svg += "<text x=\"\(left)\" y=\"14\" style=\"font-weight:600;fill:#1b1f24\">Throughput (bars, req/s) and p95 (line) per second</text>"
        var line: [String] = []
        for (index, point) in points.enumerated() {
            let requests = point.number("/requests") ?? 0
            let failures = point.number("/failures") ?? 0
            let barHeight = requests / maxRequests * (height - bottom - top)
            let failHeight = failures / maxRequests * (height - bottom - top)
            let x = left + Double(index) * slot
            svg += "<rect class=\"bar\" x=\"\(f(x + slot * 0.1))\" y=\"\(f(height - bottom - barHeight))\" width=\"\(f(slot * 0.8))\" height=\"\(f(barHeight))\" fill=\"#54aeff\"/>"
            if failures > 0 { svg += "<rect x=\"\(f(x + slot * 0.1))\" y=\"\(f(height - bottom - failHeight))\" width=\"\(f(slot * 0.8))\" height=\"\(f(failHeight))\" fill=\"#cf222e\"/>" }
            if let p95 = point.number("/p95") { line.append("\(f(x + slot / 2)),\(f(height - bottom - p95 / maxP95 * (height - bottom - top)))") }
        }
        if !line.isEmpty { svg += "<polyline class=\"series\" fill=\"none\" stroke=\"#8250df\" stroke-width=\"1.8\" points=\"\(line.joined(separator: " "))\"/>" }
        for tick in 0...4 {
            let fraction = Double(tick) / 4
            let gy = height - bottom - fraction * (height - bottom - top)
            svg += "<text x=\"\(f(left - 4))\" y=\"\(f(gy + 3))\" text-anchor=\"end\">\(Int(maxRequests * fraction))</text>"
            svg += "<text x=\"\(f(width - right + 4))\" y=\"\(f(gy + 3))\" style=\"fill:#8250df\">\(Markup.escape(Markup.seconds(maxP95 * fraction)))</text>"
        }
        svg += "<text x=\"\(f((left + width - right) / 2))\" y=\"\(f(height - 6))\" text-anchor=\"middle\">seconds since start (0–\(points.count))</text>"
        return "<div class=\"chart\">" + svg + "</svg></div>"
    }

    /// Status codes and failure classes as horizontal bars.
    static func breakdownChart(_ scenario: JSONValue) -> String {
        var entries: [(String, Double, String)] = []
        for member in scenario.resolve(pointer: "/summary/overall/statusCodes")?.objectMembers ?? [] {
            if case let .number(count) = member.value { entries.append(("HTTP \(member.key == "0" ? "none" : member.key)", count, member.key.hasPrefix("2") ? "#1a7f37" : "#bf8700")) }
        }
        for member in scenario.resolve(pointer: "/summary/overall/failures")?.objectMembers ?? [] {
            if case let .number(count) = member.value { entries.append(("failure \(member.key)", count, "#cf222e")) }
        }
        guard !entries.isEmpty else { return "" }
        let width = 520.0, rowHeight = 20.0, left = 150.0, top = 24.0
        let height = top + Double(entries.count) * rowHeight + 8
        let maxCount = max(entries.map(\.1).max() ?? 1, 1)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"status and failure breakdown\">"
        svg += "<text x=\"4\" y=\"14\" style=\"font-weight:600;fill:#1b1f24\">Status codes and failures</text>"
        for (index, entry) in entries.enumerated() {
            let y = top + Double(index) * rowHeight
            let barWidth = entry.1 / maxCount * (width - left - 70)
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(y + 13))\" text-anchor=\"end\">\(Markup.escape(entry.0))</text>"
            svg += "<rect class=\"bar\" x=\"\(f(left))\" y=\"\(f(y + 3))\" width=\"\(f(max(barWidth, 1)))\" height=\"\(f(rowHeight - 6))\" fill=\"\(entry.2)\"/>"
            svg += "<text x=\"\(f(left + barWidth + 4))\" y=\"\(f(y + 13))\">\(Int(entry.1))</text>"
        }
        return "<div class=\"chart\">" + svg + "</svg></div>"
    }

    static func checklistSection(_ report: JSONValue) -> String {
        guard let name = report.text("/checklist/checklist/name") else { return "" }
        var out = "<section><h2>Checklist \(Markup.escape(name))</h2><table><tr><th>status</th><th>severity</th><th>section</th><th>item</th><th>expected</th><th>observed</th></tr>"
        for item in report.list("/checklist/items") {
            let status = item.text("/status") ?? ""
            let cls = status == "passed" ? "pass" : (status == "failed" || status == "error") ? "fail" : "muted"
            out += "<tr><td class=\"\(cls)\">\(Markup.escape(status))</td><td>\(Markup.escape(item.text("/severity") ?? ""))</td><td>\(Markup.escape(item.text("/section") ?? ""))</td>"
            out += "<td><b>\(Markup.escape(item.text("/id") ?? ""))</b><br>\(Markup.escape(item.text("/title") ?? ""))</td>"
            out += "<td>\(Markup.escape(item.text("/expected") ?? ""))</td><td>\(Markup.escape(item.text("/observed") ?? ""))"
            if let message = item.text("/message"), !message.isEmpty, status != "passed" { out += "<br><span class=\"fail\">\(Markup.escape(message))</span>" }
            out += "</td></tr>"
        }
        return out + "</table></section>"
    }

    static func provenance(_ report: JSONValue) -> String {
        var rows = [("run id", report.text("/runId") ?? ""), ("tool", "\(report.text("/tool/name") ?? "") \(report.text("/tool/version") ?? "")"),
                    ("harness commit", report.text("/tool/gitCommit") ?? "unknown"), ("libcurl", report.text("/tool/libcurl") ?? ""),
                    ("host", "\(report.text("/host/name") ?? "") · \(report.text("/host/os") ?? "") · \(Int(report.number("/host/cpus") ?? 0)) CPUs"),
                    ("operator", report.text("/operator") ?? "")]
        for member in report.resolve(pointer: "/ci")?.objectMembers ?? [] {
            if case let .string(value) = member.value { rows.append((member.key, value)) }
        }
        for input in report.list("/inputs") {
            rows.append(("\(input.text("/kind") ?? "input") \(input.text("/file") ?? "")", "sha256 \(input.text("/sha256") ?? "")"))
        }
        for target in report.list("/targets") { if case let .string(text) = target { rows.append(("target", text)) } }
        return "<section><h2>Provenance</h2><table>" + rows.map { "<tr><th>\(Markup.escape($0.0))</th><td><code>\(Markup.escape($0.1))</code></td></tr>" }.joined()
            + "</table><p class=\"muted\">Every file of this bundle is listed with its SHA-256 in MANIFEST.sha256; <code>loadgate verify</code> checks them (and MANIFEST.sig when a signing key is set).</p></section>"
    }

    static func f(_ value: Double) -> String { String(format: "%.1f", value) }
}
