import Foundation

/// Renders a `RunSummary` as `summary.json`: canonical (sorted keys, stable numbers), durations in
/// seconds, no request contents (so no credentials). A function from value to text, no I/O.
public enum SummaryJSON {
    public static let schemaVersion = 1

    public static func render(_ summary: RunSummary, libcurlVersion: String) -> String {
        JSONWriter.serialize(value(summary, libcurlVersion: libcurlVersion))
    }

    /// - Parameter spectrum: add each step's percentile spectrum and latency histogram (for the charts).
    public static func value(_ summary: RunSummary, libcurlVersion: String, spectrum: Bool = true) -> JSONValue {
        let result = summary.result
        let overall = summary.overall
        return .object([
            ("schemaVersion", .number(Double(schemaVersion))),
            ("tool", .object([("name", .string(LoadGateVersion.name)), ("version", .string(LoadGateVersion.current)),
                              ("libcurl", .string(libcurlVersion))])),
            ("scenario", .object([("name", .string(summary.scenarioName)), ("sha256", .string(summary.scenarioSHA256)),
                                  ("file", .string(summary.scenarioFile))])),
            ("target", summary.target.map(JSONValue.string) ?? .null),
            ("startedAt", .string(Timestamp.iso8601(result.startedAt, fractional: true))),
            ("endedAt", .string(Timestamp.iso8601(result.endedAt, fractional: true))),
            ("durationSeconds", seconds(nanos: result.elapsedNanos)),
            ("complete", .bool(!result.interrupted)),
            ("verdict", .string(summary.verdict.rawValue)),
            ("reasons", .array(summary.reasons.map(JSONValue.string))),
            ("load", load(summary)),
            ("totals", .object([
                ("requests", int(overall.requests)),
                ("succeeded", int(overall.requests - overall.failed)),
                ("failed", int(overall.failed)),
                ("dropped", int(result.dropped)),
                ("connectionsBusy", int(result.connectionsBusy)),
                ("aborted", int(result.aborted)),
                ("bytesIn", int(overall.bytesIn)),
                ("bytesOut", int(overall.bytesOut)),
            ])),
            ("lateness", stats(result.lateness)),
            ("generator", generator(summary.generator)),
            ("overall", step(name: nil, overall, spectrum: spectrum)),
            ("steps", .array(summary.steps.enumerated().map { index, summaryStep in
                step(name: summaryStep.name, summaryStep.metrics, isPhase: summaryStep.isPhase, spectrum: spectrum,
                     series: index < result.stepTimeSeries.count ? result.stepTimeSeries[index] : nil,
                     errorSamples: index < result.errorSamples.count ? result.errorSamples[index] : ErrorSampleSet())
            })),
            ("mcp", result.mcpSessionsCreated > 0 || result.mcpSessionsDeleted > 0
                ? .object([("sessionsCreated", int(result.mcpSessionsCreated)), ("sessionsDeleted", int(result.mcpSessionsDeleted)),
                           ("sessionsWithoutId", int(result.mcpSessionsWithoutID))]) : .null),
            ("timeseries", timeSeries(result.timeSeries)),
            ("slos", .array(summary.slos.map { slo in
                var members: [(key: String, value: JSONValue)] = [
                    ("expression", .string(slo.expression)), ("step", slo.step.map(JSONValue.string) ?? .null),
                    ("observed", slo.observed.map(JSONValue.number) ?? .null), ("observedText", .string(slo.observedText)),
                    ("passed", .bool(slo.passed))]
                if let window = slo.window { members.append(("window", self.window(window))) }
                return .object(members)
            })),
            ("abort", result.abort.map { abort in
                .object([("slo", .string(abort.expression)), ("atSeconds", .number(abort.atSeconds)),
                         ("observedText", .string(abort.observedText)), ("reason", .string(abort.reason))])
            } ?? .null),
        ])
    }

    /// A windowed SLO's windows: `values` has one entry per judged window (null when nothing was
    /// measured in it), `worst` names the window that decides the result.
    private static func window(_ outcome: SLOWindowOutcome) -> JSONValue {
        .object([
            ("seconds", .number(Double(outcome.lengthSeconds))),
            ("failed", .number(Double(outcome.failed))),
            ("total", .number(Double(outcome.total))),
            ("worst", outcome.worst.map { worst in
                .object([("start", .number(Double(worst.startSecond))), ("end", .number(worst.endSeconds)),
                         ("value", worst.value.map(JSONValue.number) ?? .null)])
            } ?? .null),
            ("values", .array(outcome.windows.map { $0.value.map(JSONValue.number) ?? .null })),
            ("starts", .array(outcome.windows.map { .number(Double($0.startSecond)) })),
            ("passed", .array(outcome.windows.map { .bool($0.passed) })),
        ])
    }

    /// The generator's health (the `generator` contract: lateness, cpuPercent, workers,
    /// machineIdlePercent, machineStealPercent, dropped, openFiles {limit, peak}, saturated, findings).
    static func generator(_ health: GeneratorHealth) -> JSONValue {
        .object([
            ("lateness", stats(health.lateness)),
            ("cpuPercent", .number(round3(health.cpuPercent))),
            ("workers", .number(Double(health.workers))),
            ("machineIdlePercent", health.machineIdlePercent.map { .number(round3($0)) } ?? .null),
            ("machineStealPercent", health.machineStealPercent.map { .number(round3($0)) } ?? .null),
            ("dropped", int(health.dropped)),
            ("openFiles", .object([("limit", .number(Double(health.openFilesLimit))), ("peak", .number(Double(health.openFilesPeak)))])),
            ("saturated", .bool(health.saturated)),
            ("findings", .array(health.findings.map(JSONValue.string))),
            ("httpEngine", health.httpEngine.map { engine in
                .object([("name", .string(engine)), ("reason", .string(health.httpEngineReason ?? ""))])
            } ?? .null),
        ])
    }

    private static func load(_ summary: RunSummary) -> JSONValue {
        let result = summary.result
        switch summary.load {
        case let .open(load):
            return .object([
                ("model", .string("open")),
                ("requested", .object([
                    ("rate", .number(load.rate)), ("duration", seconds(nanos: load.durationNanos)),
                    ("connections", .number(Double(load.connections))), ("maxLateness", seconds(nanos: load.maxLatenessNanos)),
                    ("averageRate", summary.requestedRate.map(JSONValue.number) ?? .null),
                    ("iterations", result.plannedIterations.map(int) ?? .null),
                    ("stages", .array(load.stages.map { .object([("duration", seconds(nanos: $0.durationNanos)), ("rate", .number($0.rate))]) })),
                ])),
                ("achieved", achieved(summary)),
                ("workers", .number(Double(result.workers))),
            ])
        case let .closed(load):
            return .object([
                ("model", .string("closed")),
                ("requested", .object([
                    ("vus", .number(Double(load.vus))), ("duration", seconds(nanos: load.durationNanos)),
                    ("iterations", load.iterations.map { .number(Double($0)) } ?? .null),
                    ("stages", .array(load.stages.map { .object([("duration", seconds(nanos: $0.durationNanos)), ("vus", .number(Double($0.vus)))]) })),
                ])),
                ("achieved", achieved(summary)),
                ("workers", .number(Double(result.workers))),
            ])
        }
    }

    private static func achieved(_ summary: RunSummary) -> JSONValue {
        let result = summary.result
        return .object([
            ("rate", summary.achievedRate.map { .number(round3($0)) } ?? .null),
            ("requestRate", summary.loadSeconds > 0 ? .number(round3(Double(summary.overall.requests) / summary.loadSeconds)) : .null),
            ("iterationsStarted", int(result.iterationsStarted)),
            ("iterationsCompleted", int(result.iterationsCompleted)),
        ])
    }

    /// A 1-second series: `t` is the second since the start, `span` the seconds of it the run
    /// covered (below 1 only for the last, partial second), latencies in seconds.
    static func timeSeries(_ points: [TimeSeriesPoint]) -> JSONValue {
        .array(points.map { point in
            .object([("t", .number(Double(point.second))), ("span", seconds(nanos: point.spanNanos)),
                      ("requests", int(point.requests)), ("failures", int(point.failures)),
                      ("p50", micros(point.p50Micros)), ("p95", micros(point.p95Micros)), ("p99", micros(point.p99Micros))])
        })
    }

    static func step(name: String?, _ metrics: StepMetrics, isPhase: Bool = false, spectrum: Bool = false,
                     series: [TimeSeriesPoint]? = nil, errorSamples: ErrorSampleSet? = nil) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = []
        if let name { members.append(("name", .string(name))) }
        if isPhase { members.append(("phase", .bool(true))) }
        var counters: [(key: String, value: JSONValue)] = []
        for counter in ProtocolCounter.allCases where metrics.counters[counter.rawValue] > 0 {
            counters.append((counter.name, int(metrics.counters[counter.rawValue])))
        }
        if !counters.isEmpty { members.append(("counters", .object(counters))) }
        var failures: [(key: String, value: JSONValue)] = []
        for failureClass in FailureClass.allCases where metrics.failures[failureClass.rawValue] > 0 {
            failures.append((failureClass.name, int(metrics.failures[failureClass.rawValue])))
        }
        let codes = statusCodes(metrics.statusCodes)
        members += [
            ("requests", int(metrics.requests)),
            ("succeeded", int(metrics.requests - metrics.failed)),
            ("failed", int(metrics.failed)),
            ("failures", .object(failures)),
            ("statusCodes", codes),
            ("exchanges", metrics.exchanges > 0 ? .object([("count", int(metrics.exchanges)),
                                                           ("statusCodes", statusCodes(metrics.exchangeStatusCodes))]) : .null),
            ("bytesIn", int(metrics.bytesIn)),
            ("bytesOut", int(metrics.bytesOut)),
            ("latency", stats(metrics.latency)),
            ("serviceTime", stats(metrics.serviceTime)),
            ("ttfb", stats(metrics.ttfb)),
            ("connect", stats(metrics.connect)),
            ("tls", stats(metrics.tls)),
            ("dns", stats(metrics.dns)),
        ]
        if let errorSamples {
            // The first few distinct failures per class: class, status, message, redacted snippet, time.
            members.append(("errorSamples", .array(errorSamples.samples.map { sample in
                .object([("class", .string(sample.failure.name)), ("status", sample.status.map { .number(Double($0)) } ?? .null),
                         ("message", .string(sample.message)), ("snippet", sample.snippet.map(JSONValue.string) ?? .null),
                         ("atSeconds", seconds(nanos: sample.atNanos))])
            })))
        }
        if let series { members.append(("timeseries", timeSeries(series))) }
        if spectrum {
            members.append(("spectrum", .array(PercentileDistribution.spectrum(metrics.latency).map {
                .array([.number($0.percentile), .number(Double($0.micros) / 1e6)])
            })))
            members.append(("histogram", .array(LatencyBins.bins(metrics.latency).map {
                .array([.number($0.lowerMicros / 1e6), .number($0.upperMicros / 1e6), int(Int64($0.count))])
            })))
        }
        return .object(members)
    }

    /// Status code -> count, codes with a count only.
    static func statusCodes(_ counts: [Int64]) -> JSONValue {
        var codes: [(key: String, value: JSONValue)] = []
        for (code, count) in counts.enumerated() where count > 0 { codes.append((String(code), int(count))) }
        return .object(codes)
    }

    /// Latency statistics in seconds; null values when there were no samples.
    static func stats(_ histogram: Histogram) -> JSONValue {
        .object([
            ("count", .number(Double(histogram.totalCount))),
            ("min", micros(histogram.min)),
            ("mean", histogram.mean.map { .number(round6($0 / 1e6)) } ?? .null),
            ("p50", micros(histogram.value(atPercentile: 50))),
            ("p90", micros(histogram.value(atPercentile: 90))),
            ("p95", micros(histogram.value(atPercentile: 95))),
            ("p99", micros(histogram.value(atPercentile: 99))),
            ("p999", micros(histogram.value(atPercentile: 99.9))),
            ("max", micros(histogram.max)),
        ])
    }

    static func micros(_ value: Int64?) -> JSONValue { value.map { .number(Double($0) / 1e6) } ?? .null }
    static func seconds(nanos: Int64) -> JSONValue { .number(round6(Double(nanos) / 1e9)) }
    static func int(_ value: Int64) -> JSONValue { .number(Double(value)) }
    static func round3(_ value: Double) -> Double { (value * 1e3).rounded() / 1e3 }
    static func round6(_ value: Double) -> Double { (value * 1e6).rounded() / 1e6 }
}
