/// Renders a `RunSummary` as the table printed on stdout after a run.
public enum SummaryTable {
    public static func render(_ summary: RunSummary, resultsPath: String?) -> String {
        var out = ""
        let result = summary.result
        out += "\(summary.scenarioName): \(loadDescription(summary))\n"
        if let target = summary.target { out += "target: \(target)\n" }
        out += "\n"

        var rows: [[String]] = [["step", "requests", "failed", "req/s", "p50", "p90", "p95", "p99", "max"]]
        let realSteps = summary.steps.filter { !$0.isPhase }.count
        let shown = summary.steps.filter { !$0.isPhase || $0.metrics.requests > 0 }
        let scopes = shown.map { ($0.name, $0.metrics) } + (realSteps > 1 ? [("(all)", summary.overall)] : [])
        for (name, metrics) in scopes {
            let latency = metrics.latency
            rows.append([
                name, String(metrics.requests), String(metrics.failed),
                summary.loadSeconds > 0 ? DurationText.trim(Double(metrics.requests) / summary.loadSeconds) : "-",
                fmt(latency.value(atPercentile: 50)), fmt(latency.value(atPercentile: 90)), fmt(latency.value(atPercentile: 95)),
                fmt(latency.value(atPercentile: 99)), fmt(latency.max),
            ])
        }
        out += table(rows, rightAligned: Set(1...8))

        if case .open = summary.load, summary.overall.requests > 0 {
            let service = summary.overall.serviceTime
            out += "service time (from actual send): p50 \(fmt(service.value(atPercentile: 50)))  p95 \(fmt(service.value(atPercentile: 95)))  p99 \(fmt(service.value(atPercentile: 99)))  max \(fmt(service.max))\n"
            out += "start lateness: p99 \(fmt(result.lateness.value(atPercentile: 99)))  max \(fmt(result.lateness.max))  dropped \(result.dropped)\n"
        }
        let generator = summary.generator
        var idle = generator.machineIdlePercent.map { ", machine idle \(DurationText.trim($0.rounded()))%" } ?? ""
        if let steal = generator.machineStealPercent, steal > 0 { idle += ", steal \(GeneratorHealth.stealText(steal))" }
        out += "generator: cpu \(DurationText.trim(generator.cpuPercent.rounded()))% with \(generator.workers) worker(s)\(idle), open files \(generator.openFilesPeak)/\(generator.openFilesLimit), dropped \(generator.dropped)\(generator.httpEngine.map { ", engine \($0)" } ?? "")\(generator.saturated ? "  SATURATED" : "")\n"
        var failureParts: [String] = []
        for failureClass in FailureClass.allCases where summary.overall.failures[failureClass.rawValue] > 0 {
            failureParts.append("\(failureClass.name) \(summary.overall.failures[failureClass.rawValue])")
        }
        if !failureParts.isEmpty { out += "failures: " + failureParts.joined(separator: ", ") + "\n" }
        var statusParts: [String] = []
        for (code, count) in summary.overall.statusCodes.enumerated() where count > 0 {
            statusParts.append("\(code == 0 ? "none" : String(code)) \(count)")
        }
        if !statusParts.isEmpty { out += "status codes: " + statusParts.joined(separator: ", ") + "\n" }
        var counterParts: [String] = []
        for counter in ProtocolCounter.allCases {
            let total = summary.steps.reduce(Int64(0)) { $0 + $1.metrics.counters[counter.rawValue] }
            if total > 0 { counterParts.append("\(counter.name) \(total)") }
        }
        if result.mcpSessionsCreated > 0, result.mcpSessionsWithoutID == result.mcpSessionsCreated {
            counterParts.append("mcp sessions opened \(result.mcpSessionsCreated), the server issued no session ids (nothing to delete)")
        } else if result.mcpSessionsCreated > 0 {
            counterParts.append("mcp sessions created \(result.mcpSessionsCreated), deleted \(result.mcpSessionsDeleted)")
        }
        if !counterParts.isEmpty { out += "protocol: " + counterParts.joined(separator: ", ") + "\n" }

        out += "\n"
        var sloRows: [[String]] = [["SLO", "observed", "result"]]
        for slo in summary.slos { sloRows.append([slo.expression, slo.observedText, slo.passed ? "pass" : "FAIL"]) }
        out += table(sloRows, rightAligned: [1])
        for slo in summary.slos { if let line = failingWindows(slo) { out += line } }
        out += "\n"
        out += "verdict: \(summary.verdict.rawValue.uppercased())\n"
        for reason in summary.reasons where !reason.hasPrefix("SLO failed") { out += "  \(reason)\n" }
        if let resultsPath { out += "results: \(resultsPath)\n" }
        return out
    }

    /// "  p95 < 50ms over 5s: failed in 15s-20s (81ms)" for a windowed SLO with failing windows
    /// (the first five; the count says how many more).
    static func failingWindows(_ slo: SLOResult) -> String? {
        guard let outcome = slo.window else { return nil }
        let failing = outcome.windows.filter { !$0.passed }
        guard !failing.isEmpty else { return nil }
        let shown = failing.prefix(5).map { window in
            "\(SLOWindowOutcome.span(window)) (\(outcome.valueText(window)))"
        }
        let more = failing.count > 5 ? " and \(failing.count - 5) more" : ""
        return "  \(slo.expression): failed in \(shown.joined(separator: ", "))\(more)\n"
    }

    static func loadDescription(_ summary: RunSummary) -> String {
        let seconds = DurationText.format(nanos: summary.result.elapsedNanos)
        switch summary.load {
        case let .open(load):
            let requested = summary.requestedRate.map { DurationText.trim($0) } ?? DurationText.trim(load.rate)
            let achieved = summary.achievedRate.map { DurationText.trim($0) } ?? "-"
            return "open model, \(requested)/s requested, \(achieved)/s achieved, \(load.connections) connections, \(seconds)"
        case let .closed(load):
            let iterations = load.iterations.map { ", \($0) iterations" } ?? ""
            return "closed model, \(load.peakVUs) VUs\(iterations), \(summary.result.iterationsCompleted) iterations done, \(seconds)"
        }
    }

    static func fmt(_ micros: Int64?) -> String {
        micros.map { DurationText.format(nanos: $0 * 1_000) } ?? "-"
    }

    static func table(_ rows: [[String]], rightAligned: Set<Int>) -> String {
        guard let header = rows.first else { return "" }
        var widths = [Int](repeating: 0, count: header.count)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        var out = ""
        for row in rows {
            var line = ""
            for (index, cell) in row.enumerated() {
                let pad = String(repeating: " ", count: widths[index] - cell.count)
                line += (index > 0 ? "  " : "") + (rightAligned.contains(index) ? pad + cell : cell + pad)
            }
            while line.hasSuffix(" ") { line.removeLast() }
            out += line + "\n"
        }
        return out
    }
}
