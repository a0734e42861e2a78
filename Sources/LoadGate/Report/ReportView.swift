import Foundation

/// The typed reading of a `report.json` (a readiness gate) or a `summary.json` (one `run`) that
/// every renderer takes: decoded once, here, so no renderer reads JSON pointers of its own and a
/// renamed field breaks in one place. Missing optional parts (a generator panel, error samples,
/// per-step time series from older files) decode as empty, never as a crash.
public struct ReportView: Sendable {
    public enum Kind: String, Sendable { case readiness, run }

    public var kind: Kind
    /// The decoded file itself, for sections that decode a member of their own (a baseline
    /// comparison); the renderers here read only the typed fields.
    public var document: JSONValue
    public var verdict: String
    public var runID: String
    public var startedAt: String
    public var endedAt: String
    public var operatorName: String
    public var reasons: [String]
    public var warnings: [String]
    public var toolName: String
    public var toolVersion: String
    public var gitCommit: String?
    public var libcurl: String
    public var host: Host?
    public var ci: [(name: String, value: String)]
    public var inputs: [Input]
    public var targets: [String]
    public var scenarios: [ScenarioPart]
    public var checklist: ChecklistPart?

    public struct Host: Sendable { public var name: String, os: String, cpus: Int }
    public struct Input: Sendable { public var kind: String, file: String, sha256: String }

    public struct ScenarioPart: Sendable {
        public var name: String
        public var file: String
        /// nil when the scenario was not run; `skippedReason` says why.
        public var run: RunPart?
        public var skippedReason: String?
    }

    /// One scenario's judged run: the `summary.json` shape.
    public struct RunPart: Sendable {
        public var target: String?
        public var verdict: String
        public var reasons: [String]
        public var complete: Bool
        public var durationSeconds: Double
        public var loadModel: String
        public var requestedRate: Double?
        /// Iterations started per second (each runs every step once).
        public var achievedRate: Double?
        public var achievedRequestRate: Double?
        public var requests: Int
        public var failed: Int
        public var dropped: Int
        public var lateness: Stats?
        public var overall: StepPart
        public var steps: [StepPart]
        public var timeseries: [SecondPoint]
        public var slos: [SLOPart]
        public var generator: GeneratorPart?
    }

    /// Latency statistics in seconds.
    public struct Stats: Sendable, Equatable {
        public var count: Int
        public var min: Double?, mean: Double?, p50: Double?, p90: Double?, p95: Double?, p99: Double?, p999: Double?, max: Double?

        public func value(_ key: String) -> Double? {
            switch key {
            case "min": return min
            case "mean": return mean
            case "p50": return p50
            case "p90": return p90
            case "p95": return p95
            case "p99": return p99
            case "p999": return p999
            case "max": return max
            default: return nil
            }
        }
    }

    public struct StepPart: Sendable {
        public var name: String
        public var isPhase: Bool
        public var requests: Int
        public var failed: Int
        public var failures: [(name: String, count: Int)]
        public var statusCodes: [(code: String, count: Int)]
        public var latency: Stats?
        public var serviceTime: Stats?
        /// (percentile 0...100, seconds), increasing.
        public var spectrum: [(percentile: Double, seconds: Double)]
        /// Log-spaced latency bins: (lower seconds, upper seconds, count).
        public var histogram: [(lower: Double, upper: Double, count: Int)]
        public var timeseries: [SecondPoint]
        public var errorSamples: [ErrorSample]
    }

    /// One second of a run (or the part of it that was measured: `span` < 1 for a partial last second).
    public struct SecondPoint: Sendable, Equatable {
        public var t: Int
        public var requests: Int
        public var failures: Int
        public var p50: Double?, p95: Double?, p99: Double?
        public var spanSeconds: Double
    }

    public struct ErrorSample: Sendable, Equatable {
        public var failureClass: String
        public var status: Int?
        public var message: String
        public var snippet: String?
        public var atSeconds: Double?
    }

    public struct SLOPart: Sendable {
        public var expression: String
        public var step: String?
        public var observed: Double?
        public var observedText: String
        public var passed: Bool
        /// The parsed expression (metric and threshold), nil if the text no longer parses.
        public var parsed: SLOExpression?
        public var window: WindowPart?
    }

    /// A windowed SLO's per-window values (when the SLO is judged per window).
    public struct WindowPart: Sendable {
        public var seconds: Double
        public var failed: Int
        public var values: [Double?]
        /// Each window's start second, when the file lists them (else windows follow each other).
        public var starts: [Double]?
        /// Each window's own result, when the file lists it (else judged from value and threshold).
        public var passed: [Bool]?
        public var worst: (start: Double, end: Double, value: Double)?
    }

    /// How the load generator itself fared: evidence that the numbers measure the target.
    public struct GeneratorPart: Sendable {
        public var lateness: Stats?
        public var cpuPercent: Double?
        public var workers: Int?
        public var machineIdlePercent: Double?
        public var machineStealPercent: Double? = nil
        public var dropped: Int?
        public var openFilesLimit: Int?
        public var openFilesPeak: Int?
        public var saturated: Bool
        public var findings: [String]
        /// The HTTP engine that carried the requests ("native" or "libcurl") and why.
        public var httpEngine: String? = nil
        public var httpEngineReason: String? = nil
    }

    public struct ChecklistPart: Sendable {
        public var name: String
        public var verdict: String
        public var counts: [(status: String, count: Int)]
        public var items: [Item]

        public struct Item: Sendable {
            public var id: String, title: String, section: String, severity: String, status: String
            public var expected: String, observed: String, message: String
            public var durationSeconds: Double
        }
    }
}

extension ReportView {
    /// Decodes a readiness `report.json`.
    public init(readiness report: JSONValue) {
        kind = .readiness
        document = report
        verdict = report.text("/verdict") ?? "unknown"
        runID = report.text("/runId") ?? ""
        startedAt = report.text("/startedAt") ?? ""
        endedAt = report.text("/endedAt") ?? ""
        operatorName = report.text("/operator") ?? ""
        reasons = report.strings("/reasons")
        warnings = report.strings("/warnings")
        toolName = report.text("/tool/name") ?? LoadGateVersion.name
        toolVersion = report.text("/tool/version") ?? ""
        gitCommit = report.text("/tool/gitCommit")
        libcurl = report.text("/tool/libcurl") ?? ""
        host = report.text("/host/name").map { Host(name: $0, os: report.text("/host/os") ?? "", cpus: report.int("/host/cpus") ?? 0) }
        ci = (report.resolve(pointer: "/ci")?.objectMembers ?? []).compactMap { member in
            if case let .string(value) = member.value { return (member.key, value) } else { return nil }
        }
        inputs = report.list("/inputs").map { Input(kind: $0.text("/kind") ?? "input", file: $0.text("/file") ?? "", sha256: $0.text("/sha256") ?? "") }
        targets = report.strings("/targets")
        scenarios = report.list("/scenarios").map { scenario in
            let summary = scenario.resolve(pointer: "/summary")
            let ran = scenario.text("/status") == "ran" && summary != nil && summary != .null
            return ScenarioPart(name: scenario.text("/name") ?? "", file: scenario.text("/file") ?? "",
                                run: ran ? RunPart(summary!) : nil, skippedReason: scenario.text("/skippedReason"))
        }
        if let name = report.text("/checklist/checklist/name") {
            checklist = ChecklistPart(
                name: name, verdict: report.text("/checklist/verdict") ?? "",
                counts: ["passed", "failed", "error", "skipped", "waived"].map { ($0, report.int("/checklist/counts/\($0)") ?? 0) },
                items: report.list("/checklist/items").map { item in
                    ChecklistPart.Item(id: item.text("/id") ?? "", title: item.text("/title") ?? "", section: item.text("/section") ?? "checklist",
                                       severity: item.text("/severity") ?? "", status: item.text("/status") ?? "",
                                       expected: item.text("/expected") ?? "", observed: item.text("/observed") ?? "",
                                       message: item.text("/message") ?? "", durationSeconds: item.number("/duration") ?? 0)
                })
        } else {
            checklist = nil
        }
    }

    /// Decodes a `run`'s `summary.json` as a one-scenario report (`runID` is the run folder's name).
    public init(runSummary summary: JSONValue, runID: String) {
        kind = .run
        document = summary
        let run = RunPart(summary)
        verdict = run.verdict
        self.runID = runID
        startedAt = summary.text("/startedAt") ?? ""
        endedAt = summary.text("/endedAt") ?? ""
        operatorName = ""
        reasons = run.reasons
        warnings = []
        toolName = summary.text("/tool/name") ?? LoadGateVersion.name
        toolVersion = summary.text("/tool/version") ?? ""
        gitCommit = nil
        libcurl = summary.text("/tool/libcurl") ?? ""
        host = nil
        ci = []
        let file = summary.text("/scenario/file") ?? ""
        inputs = [Input(kind: "scenario", file: file, sha256: summary.text("/scenario/sha256") ?? "")]
        targets = run.target.map { [$0] } ?? []
        scenarios = [ScenarioPart(name: summary.text("/scenario/name") ?? "", file: file, run: run, skippedReason: nil)]
        checklist = nil
    }
}

extension ReportView.RunPart {
    /// Decodes one `summary.json` (or a readiness scenario's summary).
    public init(_ summary: JSONValue) {
        target = summary.text("/target")
        verdict = summary.text("/verdict") ?? "unknown"
        reasons = summary.strings("/reasons")
        complete = summary.flag("/complete") ?? true
        durationSeconds = summary.number("/durationSeconds") ?? 0
        loadModel = summary.text("/load/model") ?? ""
        requestedRate = summary.number("/load/requested/averageRate") ?? summary.number("/load/requested/rate")
        achievedRate = summary.number("/load/achieved/rate")
        achievedRequestRate = summary.number("/load/achieved/requestRate")
        requests = summary.int("/totals/requests") ?? 0
        failed = summary.int("/totals/failed") ?? 0
        dropped = summary.int("/totals/dropped") ?? 0
        lateness = ReportView.Stats(summary.resolve(pointer: "/lateness"))
        overall = ReportView.StepPart(summary.resolve(pointer: "/overall") ?? .null, name: "all steps", runSeconds: durationSeconds)
        let runSeconds = durationSeconds
        steps = summary.list("/steps").map { ReportView.StepPart($0, name: $0.text("/name") ?? "", runSeconds: runSeconds) }
        timeseries = ReportView.SecondPoint.series(summary.list("/timeseries"), runSeconds: durationSeconds)
        slos = summary.list("/slos").map { slo in
            let expression = slo.text("/expression") ?? ""
            var window: ReportView.WindowPart?
            if let seconds = slo.number("/window/seconds") {
                let worst = slo.number("/window/worst/start").flatMap { start in
                    slo.number("/window/worst/end").flatMap { end in slo.number("/window/worst/value").map { (start, end, $0) } }
                }
                let values: [Double?] = slo.list("/window/values").map { if case let .number(n) = $0 { return n } else { return nil } }
                let starts = slo.list("/window/starts").compactMap { if case let .number(n) = $0 { return n } else { return nil } }
                let passed = slo.list("/window/passed").compactMap { if case let .bool(flag) = $0 { return flag } else { return nil } }
                window = ReportView.WindowPart(seconds: seconds, failed: slo.int("/window/failed") ?? 0, values: values,
                                               starts: starts.count == values.count ? starts : nil,
                                               passed: passed.count == values.count ? passed : nil, worst: worst)
            }
            let parsed: SLOExpression? = if case let .success(value) = SLOExpression.parse(expression) { value } else { nil }
            return ReportView.SLOPart(expression: expression, step: slo.text("/step"), observed: slo.number("/observed"),
                                      observedText: slo.text("/observedText") ?? "-", passed: slo.flag("/passed") ?? false,
                                      parsed: parsed, window: window)
        }
        if let generator = summary.resolve(pointer: "/generator"), case .object = generator {
            self.generator = ReportView.GeneratorPart(
                lateness: ReportView.Stats(generator.resolve(pointer: "/lateness")), cpuPercent: generator.number("/cpuPercent"),
                workers: generator.int("/workers"), machineIdlePercent: generator.number("/machineIdlePercent"),
                dropped: generator.int("/dropped"), openFilesLimit: generator.int("/openFiles/limit"),
                openFilesPeak: generator.int("/openFiles/peak"), saturated: generator.flag("/saturated") ?? false,
                findings: generator.strings("/findings"), httpEngine: generator.text("/httpEngine/name"),
                httpEngineReason: generator.text("/httpEngine/reason"))
            self.generator?.machineStealPercent = generator.number("/machineStealPercent")
        } else {
            generator = nil
        }
    }
}

extension ReportView.Stats {
    init?(_ value: JSONValue?) {
        guard let value, case .object = value, let count = value.int("/count") else { return nil }
        self.init(count: count, min: value.number("/min"), mean: value.number("/mean"), p50: value.number("/p50"), p90: value.number("/p90"),
                  p95: value.number("/p95"), p99: value.number("/p99"), p999: value.number("/p999"), max: value.number("/max"))
    }
}

extension ReportView.StepPart {
    init(_ step: JSONValue, name: String, runSeconds: Double) {
        self.name = name
        isPhase = step.flag("/phase") ?? false
        requests = step.int("/requests") ?? 0
        failed = step.int("/failed") ?? 0
        failures = (step.resolve(pointer: "/failures")?.objectMembers ?? []).compactMap { member in
            if case let .number(count) = member.value { return (member.key, safeInt(count)) } else { return nil }
        }
        statusCodes = (step.resolve(pointer: "/statusCodes")?.objectMembers ?? []).compactMap { member in
            if case let .number(count) = member.value { return (member.key, safeInt(count)) } else { return nil }
        }
        latency = ReportView.Stats(step.resolve(pointer: "/latency"))
        serviceTime = ReportView.Stats(step.resolve(pointer: "/serviceTime"))
        spectrum = step.list("/spectrum").compactMap { point in
            guard case let .array(pair) = point, pair.count == 2, case let .number(p) = pair[0], case let .number(v) = pair[1] else { return nil }
            return (p, v)
        }
        histogram = step.list("/histogram").compactMap { bin in
            guard case let .array(triple) = bin, triple.count == 3, case let .number(lower) = triple[0], case let .number(upper) = triple[1],
                  case let .number(count) = triple[2] else { return nil }
            return (lower, upper, safeInt(count))
        }
        timeseries = ReportView.SecondPoint.series(step.list("/timeseries"), runSeconds: runSeconds)
        errorSamples = step.list("/errorSamples").map { sample in
            ReportView.ErrorSample(failureClass: sample.text("/class") ?? "", status: sample.int("/status"), message: sample.text("/message") ?? "",
                                   snippet: sample.text("/snippet"), atSeconds: sample.number("/atSeconds"))
        }
    }
}

extension ReportView.SecondPoint {
    /// Points of a time series. Files written before `span` existed get it from the run's length:
    /// the second the run ended in covers only `runSeconds - t`.
    static func series(_ points: [JSONValue], runSeconds: Double?) -> [ReportView.SecondPoint] {
        points.map { point in
            let t = point.int("/t") ?? 0
            let span = point.number("/span") ?? runSeconds.map { Swift.min(1, Swift.max(0, $0 - Double(t))) } ?? 1
            return ReportView.SecondPoint(t: t, requests: point.int("/requests") ?? 0, failures: point.int("/failures") ?? 0,
                                          p50: point.number("/p50"), p95: point.number("/p95"), p99: point.number("/p99"), spanSeconds: span)
        }
    }
}

extension JSONValue {
    fileprivate func strings(_ pointer: String) -> [String] {
        list(pointer).compactMap { if case let .string(text) = $0 { return text } else { return nil } }
    }

    /// A whole number within Int's range, nil otherwise (a hostile file cannot trap the renderer).
    fileprivate func int(_ pointer: String) -> Int? {
        guard let number = number(pointer), number.isFinite, abs(number) < 9e15 else { return nil }
        return Int(number)
    }
}

/// A count from a file as an Int (`SafeNumber.clampedInt`).
private func safeInt(_ number: Double) -> Int { SafeNumber.clampedInt(number) }
