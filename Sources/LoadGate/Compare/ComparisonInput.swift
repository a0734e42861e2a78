import Foundation

/// One side of a comparison as read from disk: a run folder (`summary.json`, one scenario) or a
/// gate bundle (`report.json`, one summary per scenario). A bundle is verified against its
/// manifest before anything in it is believed: a tampered baseline would otherwise let a slower
/// release pass as "no regression".
public struct ComparisonInput: Sendable {
    public enum Kind: String, Sendable { case runFolder = "run folder", bundle }

    /// One scenario's run inside the input.
    public struct ScenarioRun: Sendable {
        public var name: String
        /// The scenario file as recorded by the run (for reading its `"regression"` overrides).
        public var file: String?
        /// `summary.json` (or a bundle's `scenarios[i].summary`); nil when the gate skipped it.
        public var summary: JSONValue?
        public var skippedReason: String?
    }

    public var path: String
    public var kind: Kind
    /// A bundle's `runId`; for a run folder, its folder name.
    public var runID: String
    /// SHA-256 of a bundle's `MANIFEST.sha256` (what the baseline is pinned to); nil for a run folder.
    public var manifestSHA256: String?
    public var startedAt: String?
    public var scenarios: [ScenarioRun]
    /// What could not be checked (a signature without a key), said out loud.
    public var notes: [String] = []

    /// Reads `path` (a folder, or its `summary.json`/`report.json`). A bundle must verify intact
    /// (`ReportBundle.verify`); `requireBundle` refuses a plain run folder (gate baselines must be
    /// bundles, since only a bundle has a manifest to verify).
    public static func load(path: String, role: String, signingKey: String?, requireBundle: Bool = false) throws(ValidationFailure) -> ComparisonInput {
        var folder = URL(fileURLWithPath: path)
        if ["summary.json", "report.json"].contains(folder.lastPathComponent) { folder.deleteLastPathComponent() }
        let fail = { (message: String) in ValidationFailure([Diagnostic(file: path, path: "", message: message)]) }
        let reportFile = folder.appendingPathComponent("report.json")
        let summaryFile = folder.appendingPathComponent("summary.json")
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw fail("no such folder (the \(role) must be a run folder with summary.json or a gate bundle with report.json)")
        }
        if FileManager.default.fileExists(atPath: reportFile.path) {
            let (problems, notes, _) = ReportBundle.verify(folder, signingKey: signingKey)
            if !problems.isEmpty {
                throw ValidationFailure(problems.map { Diagnostic(file: path, path: "", message: "the \(role) bundle failed verification: \($0)") }
                    + [Diagnostic(file: path, path: "", message: "refusing a tampered \(role); run 'loadgate verify \(path)' for details")])
            }
            let report = try parse(reportFile, display: path)
            guard report.text("/kind") == "readiness" else { throw fail("report.json is not a LoadGate readiness report") }
            let manifest = FileManager.default.contents(atPath: folder.appendingPathComponent("MANIFEST.sha256").path).map { SHA256.hex(Array($0)) }
            var input = fromReport(report, path: path, manifestSHA256: manifest, notes: notes)
            if report.text("/runId") == nil { input.runID = folder.lastPathComponent }
            return input
        }
        if requireBundle {
            throw fail("not a gate bundle (no report.json and MANIFEST.sha256); a baseline must be the bundle of an earlier 'loadgate gate' run")
        }
        guard FileManager.default.fileExists(atPath: summaryFile.path) else {
            throw fail("holds neither summary.json (a run folder) nor report.json (a gate bundle)")
        }
        let summary = try parse(summaryFile, display: path)
        guard let name = summary.text("/scenario/name") else { throw fail("summary.json has no scenario name; is it a LoadGate summary?") }
        return ComparisonInput(path: path, kind: .runFolder, runID: folder.lastPathComponent, manifestSHA256: nil,
                               startedAt: summary.text("/startedAt"),
                               scenarios: [ScenarioRun(name: name, file: summary.text("/scenario/file"), summary: summary, skippedReason: nil)])
    }

    /// The scenarios of a readiness document (`report.json`).
    static func fromReport(_ report: JSONValue, path: String, manifestSHA256: String?, notes: [String]) -> ComparisonInput {
        let scenarios = report.list("/scenarios").map { scenario in
            let summary = scenario.resolve(pointer: "/summary").flatMap { $0 == .null ? nil : $0 }
            return ScenarioRun(name: scenario.text("/name") ?? "", file: scenario.text("/file"), summary: summary,
                               skippedReason: scenario.text("/skippedReason"))
        }
        return ComparisonInput(path: path, kind: .bundle, runID: report.text("/runId") ?? "", manifestSHA256: manifestSHA256,
                               startedAt: report.text("/startedAt"), scenarios: scenarios, notes: notes)
    }

    private static func parse(_ file: URL, display: String) throws(ValidationFailure) -> JSONValue {
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw ValidationFailure([Diagnostic(file: display, path: "", message: "\(file.lastPathComponent) cannot be read")])
        }
        do { return try JSONParser.parse(Array(data)) } catch {
            throw ValidationFailure([Diagnostic(file: display, path: "", message: "\(file.lastPathComponent): line \(error.line), column \(error.column): \(error.message)")])
        }
    }
}
