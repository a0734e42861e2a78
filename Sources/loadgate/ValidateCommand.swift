import Foundation
import LoadGate

/// `loadgate validate FILE...`: every problem of every file, located; exit 2 if any. Scenarios,
/// checklists and attestation files are told apart by their content, so one CI step lints all
/// gate inputs.
enum ValidateCommand {
    static func execute(_ arguments: [String]) throws(CLIError) -> Int32 {
        let args = try ArgumentList(arguments, valued: [], boolean: ["help"], command: "validate")
        if args.flags.contains("help") { StandardOutput.write(HelpText.validate); return ExitCode.passed }
        guard !args.positionals.isEmpty else {
            throw .usage("missing FILE; give one or more scenario, checklist or attestation files", command: "validate")
        }
        SecretRegistration.inputs(args.positionals, environment: ProcessInfo.processInfo.environment)
        var diagnostics: [Diagnostic] = []
        for file in args.positionals {
            do {
                guard let (summary, unset) = try validate(file) else {
                    StandardOutput.write("\(file): skipped — a JSON Schema, not a scenario, checklist or attestations file\n")
                    continue
                }
                StandardOutput.write("\(file): ok — \(summary)\n")
                for name in unset {
                    StandardOutput.write("\(file): warning: environment variable \(name) is not set; a run would refuse it\n")
                }
            } catch {
                diagnostics += error.diagnostics
            }
        }
        if !diagnostics.isEmpty { throw .invalidInput(ValidationFailure(diagnostics)) }
        return ExitCode.passed
    }

    /// One file, loaded by the loader its content calls for; a one-line summary and unset variables
    /// (nil: a JSON Schema, which is no gate input).
    static func validate(_ file: String) throws(ValidationFailure) -> (String, [String])? {
        let (kind, bytes) = try InputKind.detect(path: file)
        switch kind {
        case .jsonSchema:
            return nil
        case .attestations:
            let attestations = try Attestations.load(bytes: bytes, file: file)
            let waivers = attestations.entries.filter(\.waiver).count
            return ("attestations, \(plural(attestations.entries.count, "entry", "entries"))\(waivers > 0 ? " (\(plural(waivers, "waiver")))" : "")", [])
        case .checklist:
            let checklist = try ChecklistLoader(allowUnsetEnvironment: true).load(bytes: bytes, file: file)
            let sections = Set(checklist.items.map(\.section)).count
            return ("checklist \(checklist.name), \(plural(checklist.items.count, "item")) in \(plural(sections, "section"))", checklist.unsetEnvironment)
        case .scenario:
            let scenario = try ScenarioLoader(allowUnsetEnvironment: true).load(bytes: bytes, file: file)
            var line = "\(plural(scenario.steps.count, "step")), \(describe(scenario.load)), \(plural(scenario.slos.count, "SLO"))"
            if scenario.slosAreDefaults { line += " (defaults: \(SLOExpression.defaults.joined(separator: ", ")))" }
            return (line, scenario.unsetEnvironment)
        }
    }

    static func plural(_ count: Int, _ one: String, _ many: String? = nil) -> String {
        "\(count) \(count == 1 ? one : many ?? one + "s")"
    }

    static func describe(_ load: LoadModel) -> String {
        switch load {
        case let .open(open):
            let rate = open.stages.isEmpty ? "\(JSONWriter.format(open.rate))/s" : "\(open.stages.count) rate stages"
            return "open model \(rate) for \(DurationText.format(nanos: open.durationNanos))"
        case let .closed(closed):
            if let iterations = closed.iterations { return "closed model \(closed.vus) VUs, \(iterations) iterations" }
            let vus = closed.stages.isEmpty ? "\(closed.vus) VUs" : "\(closed.stages.count) VU stages"
            return "closed model \(vus) for \(DurationText.format(nanos: closed.durationNanos))"
        }
    }
}
