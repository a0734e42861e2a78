import Foundation
import LoadGate

/// `gate --baseline DIR`: the baseline bundle, verified and checked against the gate's scenarios
/// before any load is generated (a tampered or mismatched baseline is refused with exit 2), then
/// compared with each scenario's run and attached to `report.json`.
struct GateBaseline {
    let input: ComparisonInput
    let policy: RegressionPolicy
    let allowInvalid: Bool

    /// Reads the gate's baseline flags; nil when `--baseline` is absent (and then the policy flags are refused).
    static func options(_ args: ArgumentList) throws(CLIError) -> (path: String, policy: RegressionPolicy, allowInvalid: Bool)? {
        let policy = try CompareCommand.policy(args)
        guard let path = args.values["baseline"] else {
            for flag in ["max-regression", "floor"] where args.values[flag] != nil {
                throw .usage("--\(flag) needs --baseline DIR (the bundle of an earlier gate to compare with)", command: "gate")
            }
            if args.flags.contains("allow-invalid-baseline") { throw .usage("--allow-invalid-baseline needs --baseline DIR", command: "gate") }
            return nil
        }
        return (path, policy, args.flags.contains("allow-invalid-baseline"))
    }

    /// Verifies and reads the baseline; every problem (tampering, a missing scenario, different
    /// steps, an invalid baseline run) is returned so the gate can refuse before loading anything.
    static func load(path: String, policy: RegressionPolicy, allowInvalid: Bool, scenarios: [(String, Scenario)],
                     signingKey: String?) -> (GateBaseline?, [Diagnostic]) {
        let input: ComparisonInput
        do { input = try ComparisonInput.load(path: path, role: "baseline", signingKey: signingKey, requireBundle: true) } catch {
            return (nil, error.diagnostics)
        }
        var problems: [Diagnostic] = []
        for (file, scenario) in scenarios {
            guard let run = input.scenarios.first(where: { $0.name == scenario.name }) else {
                let names = input.scenarios.map(\.name).joined(separator: ", ")
                problems.append(Diagnostic(file: path, path: "", message: "the baseline has no run of scenario '\(scenario.name)' (\(file)); it ran: \(names.isEmpty ? "no scenario" : names)"))
                continue
            }
            guard let summary = run.summary else {
                problems.append(Diagnostic(file: path, path: "", message: "scenario '\(scenario.name)' was not run in the baseline: \(run.skippedReason ?? "skipped")"))
                continue
            }
            let expected = Set(scenario.steps.map(\.name) + scenario.steps.flatMap(\.phaseNames))
            let recorded = Set(summary.list("/steps").compactMap { $0.text("/name") })
            if expected != recorded {
                var parts: [String] = []
                let onlyBase = recorded.subtracting(expected).sorted(), onlyNew = expected.subtracting(recorded).sorted()
                if !onlyBase.isEmpty { parts.append("only in the baseline: \(onlyBase.joined(separator: ", "))") }
                if !onlyNew.isEmpty { parts.append("only in \(file): \(onlyNew.joined(separator: ", "))") }
                problems.append(Diagnostic(file: path, path: "", message: "scenario '\(scenario.name)': the steps differ; \(parts.joined(separator: "; "))"))
            }
            if summary.text("/verdict") == "invalid", !allowInvalid {
                problems.append(Diagnostic(file: path, path: "", message: "scenario '\(scenario.name)': the baseline run's verdict was invalid; its numbers do not describe the target (use --allow-invalid-baseline to compare anyway)"))
            }
        }
        return problems.isEmpty ? (GateBaseline(input: input, policy: policy, allowInvalid: allowInvalid), []) : (nil, problems)
    }

    /// `report` with the comparison attached (and the verdict failed on a regression).
    func apply(to report: JSONValue, scenarios: [(String, Scenario)]) -> JSONValue {
        let overrides = Dictionary(scenarios.map { ($0.1.name, $0.1.regressionOverrides) }, uniquingKeysWith: { first, _ in first })
        let (comparison, notCompared) = BaselineComparison.compare(baseline: input, report: report, policy: { name in
            var scenarioPolicy = policy
            scenarioPolicy.overrides = overrides[name] ?? [:]
            return scenarioPolicy
        }, allowInvalidBaseline: allowInvalid)
        return BaselineComparison.attach(comparison, notCompared: notCompared, baseline: input, policy: policy, to: report)
    }
}
