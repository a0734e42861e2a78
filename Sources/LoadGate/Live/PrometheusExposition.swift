import Foundation

/// `LiveMetrics.Snapshot` as Prometheus text exposition 0.0.4 or OpenMetrics 1.0.0 (chosen by
/// the scraper's Accept header). A function from value to text, no I/O.
///
/// Latency is a classic histogram (`_bucket{le=...}`, `_sum`, `_count`): native (sparse)
/// histograms exist only in the protobuf exposition format, which would need a protobuf encoder
/// (no packages beyond Foundation here) and a Prometheus started with a feature flag; the text
/// formats that promtool checks and every scraper reads carry classic buckets only.
public enum PrometheusExposition {
    public static let textContentType = "text/plain; version=0.0.4; charset=utf-8"
    public static let openMetricsContentType = "application/openmetrics-text; version=1.0.0; charset=utf-8"

    /// True when the Accept header asks for OpenMetrics (as Prometheus does when it may).
    public static func wantsOpenMetrics(accept: String?) -> Bool {
        guard let accept else { return false }
        return accept.split(separator: ",").contains { part in
            let fields = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.first?.lowercased() == "application/openmetrics-text" else { return false }
            let quality = fields.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return quality > 0
        }
    }

    public static func render(_ snapshot: LiveMetrics.Snapshot, openMetrics: Bool) -> String {
        var out = ""
        /// One metric family: metadata, then its samples.
        func family(_ name: String, _ type: String, _ help: String, unit: String? = nil, _ samples: [String]) {
            guard !samples.isEmpty else { return }  // a family appears with its first sample
            let metadataName = openMetrics && type == "counter" && name.hasSuffix("_total") ? String(name.dropLast(6)) : name
            out += "# HELP \(metadataName) \(help)\n# TYPE \(metadataName) \(type)\n"
            if openMetrics, let unit { out += "# UNIT \(metadataName) \(unit)\n" }
            for sample in samples { out += sample + "\n" }
        }
        let scenarios = snapshot.scenarios

        family("loadgate_requests_total", "counter", "Requests completed, by scenario, step and HTTP status (status \"none\": no response).",
               scenarios.flatMap { scenario in scenario.steps.flatMap { step in
                   step.requestsByStatus.sorted { $0.key < $1.key }.map { code, count in
                       sample("loadgate_requests_total", ["scenario": scenario.name, "step": step.name, "status": code == 0 ? "none" : String(code)], Double(count))
                   }
               } })
        family("loadgate_request_failures_total", "counter", "Failed requests, by scenario, step and failure class (connect, timeout, http-5xx, expectation, ...).",
               scenarios.flatMap { scenario in scenario.steps.flatMap { step in
                   FailureClass.allCases.filter { step.failuresByClass[$0.rawValue] > 0 }.map { failure in
                       sample("loadgate_request_failures_total", ["scenario": scenario.name, "step": step.name, "class": failure.name],
                              Double(step.failuresByClass[failure.rawValue]))
                   }
               } })
        family("loadgate_request_duration_seconds", "histogram",
               "Request latency from the intended start (open model, coordinated-omission corrected) or the send (closed model) to the last byte.",
               unit: "seconds",
               scenarios.flatMap { scenario in scenario.steps.flatMap { step in
                   histogram("loadgate_request_duration_seconds", ["scenario": scenario.name, "step": step.name], step.latency)
               } })
        family("loadgate_achieved_request_rate", "gauge", "Requests completed per second in the last finished second (scenario steps, not protocol phases).",
               scenarios.compactMap { scenario in scenario.achievedRequestRate.map { sample("loadgate_achieved_request_rate", ["scenario": scenario.name], $0) } })
        family("loadgate_requested_iteration_rate", "gauge", "Open model: iterations per second the schedule asks for now (absent when the run is not running).",
               scenarios.compactMap { scenario in scenario.requestedRate.map { sample("loadgate_requested_iteration_rate", ["scenario": scenario.name], $0) } })
        family("loadgate_active_vus", "gauge", "Closed model: virtual users the schedule has active now, the bound on requests in flight.",
               scenarios.compactMap { scenario in scenario.activeVUs.map { sample("loadgate_active_vus", ["scenario": scenario.name], Double($0)) } })
        family("loadgate_run_running", "gauge", "1 while the scenario's run is generating load, 0 once it ended.",
               scenarios.map { sample("loadgate_run_running", ["scenario": $0.name, "model": $0.model], $0.running ? 1 : 0) })
        family("loadgate_run_elapsed_seconds", "gauge", "Seconds since the scenario's run started.", unit: "seconds",
               scenarios.map { sample("loadgate_run_elapsed_seconds", ["scenario": $0.name], $0.elapsedSeconds) })
        family("loadgate_run_planned_seconds", "gauge", "Planned length of the scenario's run.", unit: "seconds",
               scenarios.map { sample("loadgate_run_planned_seconds", ["scenario": $0.name], $0.plannedSeconds) })
        family("loadgate_in_flight", "gauge", "Requests the generator had in flight at the end of the last finished second (0 once the run ended).",
               scenarios.compactMap { scenario in scenario.inFlight.map { sample("loadgate_in_flight", ["scenario": scenario.name], Double($0)) } })
        let open = scenarios.filter { $0.model == "open" }
        family("loadgate_dropped_iterations_total", "counter", "Open model: iterations dropped because they would have started later than maxLateness with a connection free.",
               open.map { sample("loadgate_dropped_iterations_total", ["scenario": $0.name], Double($0.dropped)) })
        family("loadgate_connections_busy_total", "counter", "Open model: iterations that never started because every connection was busy on the target.",
               open.map { sample("loadgate_connections_busy_total", ["scenario": $0.name], Double($0.connectionsBusy)) })
        family("loadgate_iteration_lateness_seconds", "histogram", "Open model: how late iterations started against the schedule (finished seconds).",
               unit: "seconds",
               open.flatMap { scenario in
                   histogram("loadgate_iteration_lateness_seconds", ["scenario": scenario.name],
                             boundsSeconds: GeneratorInterval.latenessBoundsMicros.map { Double($0) / 1e6 },
                             counts: scenario.lateness.counts, sumSeconds: scenario.lateness.sumSeconds, count: scenario.lateness.count)
               })
        family("loadgate_iteration_lateness_max_seconds", "gauge", "Open model: the largest start lateness in the last finished second.", unit: "seconds",
               open.compactMap { scenario in scenario.latenessMaxSeconds.map { sample("loadgate_iteration_lateness_max_seconds", ["scenario": scenario.name], $0) } })
        family("loadgate_generator_cpu_seconds_total", "counter", "CPU time (user + system) the load generator process has used.", unit: "seconds",
               [sample("loadgate_generator_cpu_seconds_total", [:], snapshot.generatorCPUSeconds)])
        if openMetrics { out += "# EOF\n" }
        return out
    }

    static func histogram(_ name: String, _ labels: [String: String], _ buckets: LiveMetrics.Buckets) -> [String] {
        histogram(name, labels, boundsSeconds: LiveMetrics.latencyBucketsSeconds, counts: buckets.counts, sumSeconds: buckets.sumSeconds, count: buckets.count)
    }

    /// `counts` per bucket of `boundsSeconds` (non-cumulative), rendered cumulative with +Inf.
    static func histogram(_ name: String, _ labels: [String: String], boundsSeconds: [Double], counts: [UInt64],
                          sumSeconds: Double, count: UInt64) -> [String] {
        var lines: [String] = []
        var cumulative: UInt64 = 0
        for (index, bound) in boundsSeconds.enumerated() {
            cumulative += index < counts.count ? counts[index] : 0
            lines.append(sample(name + "_bucket", labels.merging(["le": number(bound)]) { a, _ in a }, Double(cumulative)))
        }
        lines.append(sample(name + "_bucket", labels.merging(["le": "+Inf"]) { a, _ in a }, Double(count)))
        lines.append(sample(name + "_sum", labels, sumSeconds))
        lines.append(sample(name + "_count", labels, Double(count)))
        return lines
    }

    /// `name{a="x",b="y"} value`, labels in a fixed order (scenario, step, then the rest sorted; `le` last).
    static func sample(_ name: String, _ labels: [String: String], _ value: Double) -> String {
        let order = ["scenario", "step"]
        let keys = labels.keys.sorted { a, b in
            let rank = { (key: String) in order.firstIndex(of: key) ?? (key == "le" ? 99 : 2) }
            return rank(a) != rank(b) ? rank(a) < rank(b) : a < b
        }
        let text = keys.map { "\($0)=\"\(escape(labels[$0]!))\"" }.joined(separator: ",")
        return name + (text.isEmpty ? "" : "{\(text)}") + " " + number(value)
    }

    /// Label values escape backslash, double quote and line feed (both formats).
    static func escape(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }

    static func number(_ value: Double) -> String {
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value.isNaN { return "NaN" }
        return JSONWriter.format(value)
    }
}
