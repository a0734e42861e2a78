import Foundation

/// The canonical record of a readiness gate (`report.json`): what was tested, against what, with
/// which inputs (by digest), and the result. Every other format is rendered from this document
/// alone, so `loadgate report` reproduces them byte for byte.
public enum ReadinessReport {
    public struct ScenarioOutcome: Sendable {
        public var file: String
        public var scenario: Scenario
        /// nil when the scenario was not run (a critical check failed first).
        public var summary: RunSummary?
        public var skippedReason: String?

        public init(file: String, scenario: Scenario, summary: RunSummary?, skippedReason: String?) {
            self.file = file
            self.scenario = scenario
            self.summary = summary
            self.skippedReason = skippedReason
        }
    }

    public static let ciVariables = ["GITHUB_RUN_ID", "GITHUB_SHA", "GITHUB_REPOSITORY", "GITHUB_WORKFLOW", "GITHUB_REF",
                                     "CI_JOB_URL", "CI_PIPELINE_ID", "CI_COMMIT_SHA", "CI_PROJECT_PATH",
                                     "BUILD_URL", "BUILD_NUMBER", "JOB_NAME", "GIT_COMMIT"]

    /// The verdict and its reasons: invalid if any scenario's load was invalid (interrupted or
    /// not generated); failed if any SLO or non-waived check failed or a scenario was skipped.
    public static func judge(checklist: ChecklistRun?, scenarios: [ScenarioOutcome]) -> (Verdict, [String]) {
        var reasons: [String] = []
        var verdict = Verdict.passed
        if let checklist {
            for result in checklist.results where result.status == .failed || result.status == .error {
                reasons.append("check \(result.item.id) (\(result.item.severity.rawValue)) \(result.status.rawValue): \(result.message)")
                verdict = .failed
            }
        }
        for outcome in scenarios {
            if let reason = outcome.skippedReason {
                reasons.append("scenario \(outcome.scenario.name) not run: \(reason)")
                verdict = .failed
                continue
            }
            guard let summary = outcome.summary else { continue }
            for reason in summary.reasons { reasons.append("scenario \(outcome.scenario.name): \(reason)") }
            if summary.verdict == .invalid { verdict = .invalid } else if summary.verdict == .failed, verdict == .passed { verdict = .failed }
        }
        return (verdict, reasons)
    }

    /// Who ran the gate: `LOADGATE_OPERATOR` when set and not empty, else the login name (from
    /// USER, LOGNAME, or the password database for the process's user), "unknown" only when none exists.
    public static func operatorName(environment: [String: String], loginName: String?) -> String {
        for candidate in [environment["LOADGATE_OPERATOR"], environment["USER"], environment["LOGNAME"], loginName] {
            if let name = candidate?.trimmingCharacters(in: .whitespacesAndNewlines), !name.isEmpty { return name }
        }
        return "unknown"
    }

    /// The name of the process's effective user in the password database, nil when it has none.
    public static func loginName() -> String? {
        guard let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name else { return nil }
        return String(validatingCString: name)
    }

    public static func document(runID: String, startedAt: Date, endedAt: Date, checklist: ChecklistRun?, scenarios: [ScenarioOutcome],
                                environment: [String: String], libcurlVersion: String, gitCommit: String?) -> JSONValue {
        let (verdict, reasons) = judge(checklist: checklist, scenarios: scenarios)
        var inputs: [JSONValue] = scenarios.map { .object([("kind", .string("scenario")), ("file", .string($0.file)), ("sha256", .string($0.scenario.sha256))]) }
        if let checklist {
            inputs.append(.object([("kind", .string("checklist")), ("file", .string(checklist.file)), ("sha256", .string(checklist.checklist.sha256))]))
            if let file = checklist.attestationsFile {
                inputs.append(.object([("kind", .string("attestations")), ("file", .string(file)), ("sha256", checklist.attestationsSHA256.map(JSONValue.string) ?? .null)]))
            }
        }
        var warnings: [String] = []
        for outcome in scenarios where outcome.scenario.tls.insecure {
            warnings.append("scenario \(outcome.scenario.name): TLS certificate verification was disabled (defaults.tls.insecure)")
        }
        let ci = ciVariables.compactMap { name in environment[name].map { (key: name, value: JSONValue.string(Redaction.url($0))) } }
        var uts = utsname()
        uname(&uts)
        let field = { (pointer: UnsafeRawPointer) in String(cString: pointer.assumingMemoryBound(to: CChar.self)) }
        let system = withUnsafePointer(to: &uts.sysname) { field($0) } + " " + withUnsafePointer(to: &uts.release) { field($0) }
        let machine = withUnsafePointer(to: &uts.machine) { field($0) }
        let targets = Set(scenarios.compactMap { $0.scenario.target.map(Redaction.url) }).sorted()
        return .object([
            ("schemaVersion", .number(1)),
            ("kind", .string("readiness")),
            ("runId", .string(runID)),
            ("startedAt", .string(Timestamp.iso8601(startedAt, fractional: true))),
            ("endedAt", .string(Timestamp.iso8601(endedAt, fractional: true))),
            ("verdict", .string(verdict.rawValue)),
            ("reasons", .array(reasons.map(JSONValue.string))),
            ("warnings", .array(warnings.map(JSONValue.string))),
            ("tool", .object([("name", .string(LoadGateVersion.name)), ("version", .string(LoadGateVersion.current)),
                              ("libcurl", .string(libcurlVersion)), ("gitCommit", gitCommit.map(JSONValue.string) ?? .null)])),
            ("host", .object([("name", .string(ProcessInfo.processInfo.hostName)), ("os", .string(system)), ("machine", .string(machine)),
                              ("cpus", .number(Double(ProcessInfo.processInfo.activeProcessorCount)))])),
            ("ci", ci.isEmpty ? .null : .object(ci)),
            ("operator", .string(operatorName(environment: environment, loginName: loginName()))),
            ("inputs", .array(inputs)),
            ("targets", .array(targets.map(JSONValue.string))),
            ("checklist", checklist.map { ChecklistReport.jsonValue($0, libcurlVersion: libcurlVersion) } ?? .null),
            ("scenarios", .array(scenarios.map { outcome in
                .object([
                    ("name", .string(outcome.scenario.name)),
                    ("file", .string(outcome.file)),
                    ("status", .string(outcome.summary == nil ? "skipped" : "ran")),
                    ("skippedReason", outcome.skippedReason.map(JSONValue.string) ?? .null),
                    ("summary", outcome.summary.map { SummaryJSON.value($0, libcurlVersion: libcurlVersion, spectrum: true) } ?? .null),
                ])
            })),
        ])
    }
}
