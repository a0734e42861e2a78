import Foundation
import LoadGate

/// `loadgate validate FILE...`: every problem of every file, located; exit 2 if any.
enum ValidateCommand {
    static func execute(_ arguments: [String]) throws(CLIError) -> Int32 {
        let args = try ArgumentList(arguments, valued: [], boolean: ["help"], command: "validate")
        if args.flags.contains("help") { StandardOutput.write(HelpText.validate); return ExitCode.passed }
        guard !args.positionals.isEmpty else { throw .usage("missing FILE; give one or more scenario files", command: "validate") }
        SecretRegistration.inputs(args.positionals, environment: ProcessInfo.processInfo.environment)
        var diagnostics: [Diagnostic] = []
        let loader = ScenarioLoader(allowUnsetEnvironment: true)
        for file in args.positionals {
            do {
                let scenario = try loader.load(path: file)
                var line = "\(file): ok — \(scenario.steps.count) step\(scenario.steps.count == 1 ? "" : "s"), \(describe(scenario.load)), \(scenario.slos.count) SLO\(scenario.slos.count == 1 ? "" : "s")"
                if scenario.slosAreDefaults { line += " (defaults: \(SLOExpression.defaults.joined(separator: ", ")))" }
                StandardOutput.write(line + "\n")
                for name in scenario.unsetEnvironment {
                    StandardOutput.write("\(file): warning: environment variable \(name) is not set; a run would refuse it\n")
                }
            } catch {
                diagnostics += error.diagnostics
            }
        }
        if !diagnostics.isEmpty { throw .invalidInput(ValidationFailure(diagnostics)) }
        return ExitCode.passed
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
