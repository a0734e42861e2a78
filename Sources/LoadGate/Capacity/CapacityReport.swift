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
