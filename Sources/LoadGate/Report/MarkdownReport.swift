import Foundation

/// `report.md` from `report.json` (through `ReportView`): a concise summary for pull-request
/// comments and `$GITHUB_STEP_SUMMARY`, with the first error samples of each failing step.
public enum MarkdownReport {
    public static func render(_ report: JSONValue) -> String { render(ReportView(readiness: report)) }

    public static func render(_ view: ReportView) -> String {
        let icon = view.verdict == "passed" ? "✅" : view.verdict == "failed" ? "❌" : "⚠️"
        var out = "## \(icon) LoadGate readiness: \(view.verdict.uppercased())\n\n"
        out += "Run `\(view.runID)` · \(view.startedAt) · loadgate \(view.toolVersion)"
        if let commit = view.gitCommit { out += " (\(commit.prefix(12)))" }
        out += "\n\n"
        if !view.reasons.isEmpty {
            out += "**Why:**\n\n" + view.reasons.prefix(10).map { "- \($0)" }.joined(separator: "\n")
                + (view.reasons.count > 10 ? "\n- … \(view.reasons.count - 10) more" : "") + "\n\n"
        }
        for warning in view.warnings { out += "> ⚠️ \(warning)\n\n" }
        for scenario in view.scenarios where scenario.run?.generator?.saturated == true {
            out += "> ⚠️ scenario \(scenario.name): the load generator was saturated; its own delays are in the numbers\n\n"
        }
        if !view.scenarios.isEmpty {
            out += "| scenario | verdict | requests | failed | p95 | SLOs |\n|---|---|---:|---:|---:|---|\n"
            for scenario in view.scenarios {
                guard let run = scenario.run else {
                    out += "| \(cell(scenario.name)) | skipped | 0 | 0 | - | \(cell(scenario.skippedReason ?? "")) |\n"
                    continue
                }
                let slos = run.slos.map { "\($0.passed ? "✅" : "❌") `\($0.expression)` (\($0.observedText))" }.joined(separator: "<br>")
                out += "| \(cell(scenario.name)) | \(run.verdict) | \(run.requests) | \(run.failed) | \(Markup.seconds(run.overall.latency?.p95)) | \(cell(slos)) |\n"
            }
            out += "\n"
            let generators = view.scenarios.compactMap { scenario in scenario.run.flatMap { generatorLine($0) }.map { "\(scenario.name): \($0)" } }
            if !generators.isEmpty { out += "**Generator:** " + generators.joined(separator: " · ") + "\n\n" }
            for scenario in view.scenarios { out += errorSamples(scenario) }
        }
        if let checklist = view.checklist {
            out += "**Checklist** `\(checklist.name)`: " + checklist.counts.map { "\($0.status) \($0.count)" }.joined(separator: " · ") + "\n\n"
            let failing = checklist.items.filter { ["failed", "error"].contains($0.status) }
            if !failing.isEmpty {
                out += "| item | severity | why |\n|---|---|---|\n"
                for item in failing { out += "| \(item.id) | \(item.severity) | \(cell(item.message)) |\n" }
                out += "\n"
            }
        }
        out += ComparisonSection.markdown(view.document)
        let inputs = view.inputs.map { "`\($0.file)` sha256 `\($0.sha256.prefix(16))…`" }
        out += "<sub>Inputs: " + inputs.joined(separator: ", ") + "</sub>\n"
        return out
    }

    /// The generator's health in a few words: lateness p99, CPU, dropped, saturation.
    static func generatorLine(_ run: ReportView.RunPart) -> String? {
        var parts: [String] = []
        if let lateness = run.generator?.lateness ?? run.lateness, lateness.count > 0 { parts.append("start lateness p99 \(Markup.seconds(lateness.p99))") }
        if let cpu = run.generator?.cpuPercent {
            parts.append("CPU \(DurationText.trim(cpu))%" + (run.generator?.workers.map { " of \($0 * 100)%" } ?? ""))
        }
        parts.append("dropped \(run.generator?.dropped ?? run.dropped)")
        if let steal = run.generator?.machineStealPercent, steal > 0 { parts.append("hypervisor steal \(GeneratorHealth.stealText(steal))") }
        if let engine = run.generator?.httpEngine { parts.append("engine \(engine)") }
        if run.generator?.saturated == true { parts.append("**saturated**") }
        return parts.joined(separator: ", ")
    }

    /// The first samples per failing step and class, one bullet each.
    static func errorSamples(_ scenario: ReportView.ScenarioPart) -> String {
        guard let run = scenario.run else { return "" }
        var out = ""
        for step in run.steps where !step.errorSamples.isEmpty {
            out += "<details><summary>\(Markup.escape(scenario.name)) · \(Markup.escape(step.name)): \(step.failed) failed — samples</summary>\n\n"
            for sample in step.errorSamples {
                var line = "- **\(sample.failureClass)**"
                if let status = sample.status { line += " HTTP \(status)" }
                if let at = sample.atSeconds { line += " at \(DurationText.trim(at)) s" }
                line += ": \(oneLine(sample.message))"
                if let snippet = sample.snippet, !snippet.isEmpty { line += " — `\(oneLine(snippet).replacingOccurrences(of: "`", with: "'"))`" }
                out += line + "\n"
            }
            out += "\n</details>\n\n"
        }
        return out
    }

    static func cell(_ text: String) -> String { oneLine(text).replacingOccurrences(of: "|", with: "\\|") }

    static func oneLine(_ text: String) -> String {
        String(text.map { $0 == "\n" || $0 == "\r" ? " " : $0 }.prefix(300))
    }
}
