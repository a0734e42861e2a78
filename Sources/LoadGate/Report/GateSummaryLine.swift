/// The key numbers of one scenario in one line, for the gate's terminal output: verdict,
/// requests and failures, p95, availability. From the same view the reports render.
public enum GateSummaryLine {
    public static func render(_ run: ReportView.RunPart) -> String {
        var line = "\(run.verdict) · \(run.requests) requests, \(run.failed) failed · p95 \(Markup.seconds(run.overall.latency?.p95))"
        line += " · availability " + (run.requests > 0 ? SLOEvaluator.formatPercent(Double(run.requests - run.failed) / Double(run.requests) * 100) : "-")
        if run.generator?.saturated == true { line += " · GENERATOR SATURATED" }
        return line
    }

    public static func render(_ summary: RunSummary) -> String {
        render(ReportView.RunPart(SummaryJSON.value(summary, libcurlVersion: "", spectrum: false)))
    }
}
