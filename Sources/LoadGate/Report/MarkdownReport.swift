import Foundation

/// `report.md` from `report.json`: a concise summary for pull-request comments and
/// `$GITHUB_STEP_SUMMARY`.
public enum MarkdownReport {
    public static func render(_ report: JSONValue) -> String {
        let verdict = report.text("/verdict") ?? "unknown"
        let icon = verdict == "passed" ? "✅" : verdict == "failed" ? "❌" : "⚠️"
        var out = "## \(icon) LoadGate readiness: \(verdict.uppercased())\n\n"
        out += "Run `\(report.text("/runId") ?? "")` · \(report.text("/startedAt") ?? "") · loadgate \(report.text("/tool/version") ?? "")"
        if let commit = report.text("/tool/gitCommit") { out += " (\(commit.prefix(12)))" }
        out += "\n\n"
        let reasons = report.list("/reasons").compactMap { if case let .string(text) = $0 { return text } else { return nil } }
        if !reasons.isEmpty {
            out += "**Why:**\n\n" + reasons.prefix(10).map { "- \($0)" }.joined(separator: "\n") + (reasons.count > 10 ? "\n- … \(reasons.count - 10) more" : "") + "\n\n"
        }
        for warning in report.list("/warnings") { if case let .string(text) = warning { out += "> ⚠️ \(text)\n\n" } }
        if !report.list("/scenarios").isEmpty {
            out += "| scenario | verdict | requests | failed | p95 | SLOs |\n|---|---|---:|---:|---:|---|\n"
            for scenario in report.list("/scenarios") {
                let slos = scenario.list("/summary/slos").map { slo -> String in
                    "\((slo.flag("/passed") ?? false) ? "✅" : "❌") `\(slo.text("/expression") ?? "")` (\(slo.text("/observedText") ?? "-"))"
                }.joined(separator: "<br>")
                out += "| \(scenario.text("/name") ?? "") | \(scenario.text("/summary/verdict") ?? scenario.text("/status") ?? "") | "
                out += "\(Int(scenario.number("/summary/totals/requests") ?? 0)) | \(Int(scenario.number("/summary/totals/failed") ?? 0)) | "
                out += "\(Markup.seconds(scenario.number("/summary/overall/latency/p95"))) | \(slos.isEmpty ? (scenario.text("/skippedReason") ?? "") : slos) |\n"
            }
            out += "\n"
        }
        if report.resolve(pointer: "/checklist") != .null, report.resolve(pointer: "/checklist") != nil {
            let counts = ["passed", "failed", "error", "skipped", "waived"].map { "\($0) \(Int(report.number("/checklist/counts/\($0)") ?? 0))" }
            out += "**Checklist** `\(report.text("/checklist/checklist/name") ?? "")`: " + counts.joined(separator: " · ") + "\n\n"
            let failing = report.list("/checklist/items").filter { ["failed", "error"].contains($0.text("/status") ?? "") }
            if !failing.isEmpty {
                out += "| item | severity | why |\n|---|---|---|\n"
                for item in failing { out += "| \(item.text("/id") ?? "") | \(item.text("/severity") ?? "") | \((item.text("/message") ?? "").replacingOccurrences(of: "|", with: "\\|")) |\n" }
                out += "\n"
            }
        }
        out += ComparisonSection.markdown(report)
        let inputs = report.list("/inputs").map { "`\($0.text("/file") ?? "")` sha256 `\(($0.text("/sha256") ?? "").prefix(16))…`" }
        out += "<sub>Inputs: " + inputs.joined(separator: ", ") + "</sub>\n"
        return out
    }
}
