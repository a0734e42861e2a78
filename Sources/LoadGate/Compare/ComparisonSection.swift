import Foundation

/// The baseline comparison in each bundle format, rendered from `report.json`'s `comparison`
/// member alone: a delta table and a before/after latency spectrum overlay per step (HTML), a
/// delta table (Markdown), and a JUnit testsuite per scenario with a testcase per compared
/// metric. Each renderer returns "" (or no suites) when the report has no comparison, so the
/// report renderers call it unconditionally.
public enum ComparisonSection {
    static func comparison(_ report: JSONValue) -> JSONValue? {
        guard let value = report.resolve(pointer: "/comparison"), value != .null else { return nil }
        return value
    }

    static func deltas(_ scenario: JSONValue) -> [Comparison.Delta] {
        scenario.list("/deltas").compactMap(BaselineComparison.delta(from:))
    }

    static func heading(_ comparison: JSONValue) -> String {
        let digest = comparison.text("/baseline/manifestSHA256").map { ", manifest sha256 \($0.prefix(16))…" } ?? ""
        return "baseline run \(comparison.text("/baseline/runId") ?? "?") (\(comparison.text("/baseline/path") ?? "")\(digest))"
    }

    // MARK: - Markdown

    public static func markdown(_ report: JSONValue) -> String {
        guard let comparison = comparison(report) else { return "" }
        let regressions = SafeNumber.clampedInt(comparison.number("/regressions") ?? 0)
        var out = "**Against \(heading(comparison))**: "
        out += regressions == 0 ? "no regression\n\n" : "❌ \(regressions) regression\(regressions == 1 ? "" : "s")\n\n"
        for line in comparison.list("/incomparable") + comparison.list("/notCompared") { if case let .string(text) = line { out += "> ⚠️ \(text)\n\n" } }
        for scenario in comparison.list("/scenarios") {
            for note in scenario.list("/notes") { if case let .string(text) = note { out += "> \(text)\n\n" } }
            out += "Scenario `\(scenario.text("/name") ?? "")` against the baseline:\n\n"
            out += "| step | metric | baseline | new | change | relative | result |\n|---|---|---:|---:|---:|---:|---|\n"
            for delta in deltas(scenario) {
                let result = delta.status == .regression ? "❌ regression" : delta.status == .improvement ? "better" : delta.status == .notJudged ? "not judged" : "ok"
                out += "| \(delta.step ?? "overall") | \(delta.metric.key) | \(ComparisonText.value(delta.baseline, delta.metric.unit)) | "
                out += "\(ComparisonText.value(delta.new, delta.metric.unit)) | \(ComparisonText.change(delta)) | \(ComparisonText.relative(delta)) | \(result) |\n"
            }
            out += "\n"
        }
        return out
    }

    // MARK: - HTML

    public static func html(_ report: JSONValue) -> String {
        guard let comparison = comparison(report) else { return "" }
        let regressions = SafeNumber.clampedInt(comparison.number("/regressions") ?? 0)
        var out = "<section><h2>Against the baseline</h2><p>Compared with \(Markup.escape(heading(comparison))): "
        out += regressions == 0 ? "<span class=\"pass\">no regression</span>" : "<span class=\"fail\">\(regressions) regression\(regressions == 1 ? "" : "s")</span>"
        out += " <span class=\"muted\">(a regression is worse by more than \(DurationText.trim((comparison.number("/policy/maxRegression") ?? 0) * 100))% and more than the noise floor)</span></p>"
        for line in comparison.list("/incomparable") + comparison.list("/notCompared") { if case let .string(text) = line { out += "<p class=\"warning\">⚠ \(Markup.escape(text))</p>" } }
        for scenario in comparison.list("/scenarios") {
            let name = scenario.text("/name") ?? ""
            out += "<h3>Scenario \(Markup.escape(name))</h3>"
            for note in scenario.list("/notes") { if case let .string(text) = note { out += "<p class=\"muted\">\(Markup.escape(text))</p>" } }
            out += "<table><tr><th>step</th><th>metric</th><th>baseline</th><th>new</th><th>change</th><th>relative</th><th>tolerance</th><th>result</th></tr>"
            for delta in deltas(scenario) {
                let css = delta.status == .regression ? "fail" : delta.status == .improvement ? "pass" : "muted"
                out += "<tr><td>\(Markup.escape(delta.step ?? "overall"))</td><td>\(Markup.escape(delta.metric.label))</td>"
                out += "<td class=\"num\">\(Markup.escape(ComparisonText.value(delta.baseline, delta.metric.unit)))</td><td class=\"num\">\(Markup.escape(ComparisonText.value(delta.new, delta.metric.unit)))</td>"
                out += "<td class=\"num\">\(Markup.escape(ComparisonText.change(delta)))</td><td class=\"num\">\(Markup.escape(ComparisonText.relative(delta)))</td>"
                out += "<td class=\"num\">\(Markup.escape(ComparisonText.tolerance(delta)))</td><td class=\"\(css)\">\(Markup.escape(ComparisonText.result(delta)))</td></tr>"
            }
            out += "</table><div class=\"charts\">"
            let newSteps = report.list("/scenarios").first { $0.text("/name") == name }?.list("/summary/steps") ?? []
            for spectrum in scenario.list("/baselineSpectra") {
                guard let step = spectrum.text("/step") else { continue }
                let after = newSteps.first { $0.text("/name") == step }.map { points($0.list("/spectrum")) } ?? []
                out += SpectrumOverlayChart.svg(title: "\(step): latency by percentile, baseline vs new", baseline: points(spectrum.list("/points")), new: after)
            }
            out += "</div>"
        }
        return out + "</section>"
    }

    static func points(_ list: [JSONValue]) -> [(percentile: Double, seconds: Double)] {
        list.compactMap { point in
            guard case let .array(pair) = point, pair.count == 2, case let .number(p) = pair[0], case let .number(s) = pair[1] else { return nil }
            return (p, s)
        }
    }

    // MARK: - JUnit

    /// One `<testsuite>` per compared scenario, a testcase per judged metric (a regression is a
    /// failure, a metric not judged is skipped), with the counts for the enclosing totals.
    public static func junitSuites(_ report: JSONValue) -> [(xml: String, tests: Int, failures: Int, skipped: Int)] {
        guard let comparison = comparison(report) else { return [] }
        let timestamp = Markup.escape(String((report.text("/startedAt") ?? "").prefix(19)))
        return comparison.list("/scenarios").map { scenario in
            let name = scenario.text("/name") ?? ""
            var cases = "", failures = 0, skipped = 0
            let all = deltas(scenario)
            for delta in all {
                let open = "    <testcase name=\"\(Markup.escape("\(delta.step ?? "overall") \(delta.metric.label) vs baseline"))\" classname=\"\(Markup.escape("comparison.\(name)"))\" time=\"0.000\""
                let detail = "baseline \(ComparisonText.value(delta.baseline, delta.metric.unit)), new \(ComparisonText.value(delta.new, delta.metric.unit)), change \(ComparisonText.change(delta)) (\(ComparisonText.relative(delta))); tolerance \(ComparisonText.tolerance(delta))"
                switch delta.status {
                case .regression:
                    failures += 1
                    let message = "regression: \(ComparisonText.sentence(scenario: name, delta))"
                    cases += open + ">\n      <failure message=\"\(Markup.escape(message))\" type=\"regression\">\(Markup.escape(detail))</failure>\n    </testcase>\n"
                case .notJudged:
                    skipped += 1
                    cases += open + ">\n      <skipped message=\"\(Markup.escape("not judged: \(delta.note ?? "")"))\"/>\n    </testcase>\n"
                case .unchanged, .improvement:
                    cases += open + ">\n      <system-out>\(Markup.escape(detail))</system-out>\n    </testcase>\n"
                }
            }
            let xml = "  <testsuite name=\"\(Markup.escape("comparison: \(name)"))\" tests=\"\(all.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\" time=\"0.000\" timestamp=\"\(timestamp)\" hostname=\"loadgate\">\n"
                + cases + "  </testsuite>\n"
            return (xml, all.count, failures, skipped)
        }
    }
}
