import Foundation
import LoadGate

/// `loadgate compare BASELINE NEW`: is the new run worse than the baseline? Exit 0 no
/// regression, 1 regression, 2 incomparable inputs (or a tampered bundle, or an invalid run
/// without --allow-invalid).
enum CompareCommand {
    static func execute(_ arguments: [String]) throws(CLIError) -> Int32 {
        let args = try ArgumentList(arguments, valued: ["max-regression", "floor", "scenario"],
                                    boolean: ["allow-invalid", "help"], command: "compare")
        if args.flags.contains("help") { StandardOutput.write(HelpText.compare); return ExitCode.passed }
        guard args.positionals.count == 2 else {
            throw .usage(args.positionals.count < 2 ? "give two runs: BASELINE and NEW (run folders or gate bundles)"
                                                     : "unexpected argument '\(args.positionals[2])'; compare takes two runs", command: "compare")
        }
        let defaults = try policy(args)
        let signingKey = ProcessInfo.processInfo.environment[ReportBundle.signingKeyVariable]
        var problems: [Diagnostic] = []
        var inputs: [ComparisonInput] = []
        for (path, role) in zip(args.positionals, ["baseline", "new run"]) {
            do { inputs.append(try ComparisonInput.load(path: path, role: role, signingKey: signingKey)) } catch { problems += error.diagnostics }
        }
        if !problems.isEmpty { throw .invalidInput(ValidationFailure(problems)) }
        let (baseline, new) = (inputs[0], inputs[1])
        for note in baseline.notes + new.notes { StandardError.write("note: \(note)\n") }

        let overrides = try scenarioOverrides(explicit: args.values["scenario"], new: new)
        let comparison = Comparison.compare(baseline: baseline, new: new, policy: { name in
            var policy = defaults
            policy.overrides = overrides[name] ?? [:]
            return policy
        }, allowInvalid: args.flags.contains("allow-invalid"))
        if !comparison.incomparable.isEmpty {
            var out = ""
            for reason in comparison.incomparable { out += "error: \(reason)\n" }
            out += "loadgate: \(baseline.path) and \(new.path) cannot be compared; nothing was judged.\n"
            StandardError.write(out)
            return ExitCode.invalidInput
        }
        StandardOutput.write(ComparisonText.render(comparison, baseline: baseline, new: new))
        return comparison.regressions.isEmpty ? ExitCode.passed : ExitCode.gateFailed
    }

    /// `--max-regression` and `--floor`, validated together.
    static func policy(_ args: ArgumentList) throws(CLIError) -> RegressionPolicy {
        var policy = RegressionPolicy()
        var problems: [Diagnostic] = []
        if let share = args.parsed("max-regression", RegressionPolicy.parseShare, complaint: "is not a share; write e.g. 10% or 0.1", problems: &problems) {
            policy.relative = share
        }
        if let seconds = args.parsed("floor", { RegressionPolicy.parseFloor($0, unit: .seconds) }, complaint: "is not a duration; write e.g. 1ms", problems: &problems) {
            policy.latencyFloorSeconds = seconds
        }
        if !problems.isEmpty { throw .invalidInput(ValidationFailure(problems)) }
        return policy
    }

    /// Per-scenario overrides: from `--scenario FILE` when given, else from the scenario file each
    /// new run recorded, when it still exists (a file that no longer parses is an error only when
    /// named explicitly).
    static func scenarioOverrides(explicit: String?, new: ComparisonInput) throws(CLIError) -> [String: [String: RegressionPolicy.Tolerance]] {
        let loader = ScenarioLoader(allowUnsetEnvironment: true)
        if let explicit {
            let scenario: Scenario
            do { scenario = try loader.load(path: explicit) } catch { throw .invalidInput(error) }
            guard new.scenarios.contains(where: { $0.name == scenario.name }) else {
                let names = new.scenarios.map { "'\($0.name)'" }.joined(separator: ", ")
                throw .invalidInput(ValidationFailure([Diagnostic(file: "command line", path: "--scenario",
                    message: "\(explicit) is scenario '\(scenario.name)', but the runs are of \(names)")]))
            }
            return [scenario.name: scenario.regressionOverrides]
        }
        var overrides: [String: [String: RegressionPolicy.Tolerance]] = [:]
        for run in new.scenarios {
            guard let file = run.file, FileManager.default.fileExists(atPath: file), let scenario = try? loader.load(path: file) else { continue }
            if scenario.name == run.name { overrides[run.name] = scenario.regressionOverrides }
        }
        return overrides
    }
}

extension HelpText {
    static let compare = """
    Usage: loadgate compare BASELINE NEW [options]

    Puts two runs of the same scenario side by side (each a run folder with summary.json, or a gate
    bundle with report.json; a bundle is verified first and refused if tampered): per step and
    overall, p50, p95, p99, availability and throughput with the absolute and relative change.
    A change is a regression only when it is worse by more than the relative tolerance AND by
    more than the noise floor, so microsecond jitter never is. Percentiles are judged only with
    at least 5 samples above them (p95: 100 requests, p99: 500). Availability's relative change is
    that of the failure share (99.9% -> 99.8% is twice the failures). Per-metric tolerances come
    from the scenario's "regression" object, e.g. {"p95": "15%", "live: p99": {"max": "20%", "floor": "5ms"}}.

    Options:
      --max-regression P  relative tolerance (default 10%)
      --floor D           latency noise floor (default 10ms, above a busy machine's scheduling
                          jitter; availability 0.1 pp, throughput 1/s)
      --scenario FILE     read "regression" overrides from FILE (default: the scenario file the
                          new run recorded, when it still exists)
      --allow-invalid     compare runs whose verdict was invalid (interrupted, load not generated)
      -h, --help          show this help

    Exit codes: 0 no regression · 1 regression (step and metric named) ·
                2 not comparable (different scenario, steps or load; invalid run; tampered bundle)

    """
}
