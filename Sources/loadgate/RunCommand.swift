import Foundation
import LoadGate

/// `loadgate run SCENARIO`: validate, run, judge, write `summary.json`, print the table.
enum RunCommand {
    static func execute(_ arguments: [String]) throws(CLIError) -> Int32 {
        let args = try ArgumentList(arguments, valued: ["target", "rate", "vus", "duration", "workers", "out"],
                                    boolean: ["quiet", "help"], command: "run")
        if args.flags.contains("help") { StandardOutput.write(HelpText.run); return ExitCode.passed }
        guard let file = args.positionals.first else { throw .usage("missing SCENARIO file", command: "run") }
        if args.positionals.count > 1 { throw .usage("unexpected argument '\(args.positionals[1])'; run takes one scenario", command: "run") }

        var overrides = LoadOverrides()
        var problems: [Diagnostic] = []
        if let text = args.values["rate"] {
            if let rate = Double(text), rate > 0, rate.isFinite { overrides.rate = rate } else {
                problems.append(Diagnostic(file: "command line", path: "--rate", message: "\"\(text)\" is not a positive number of iterations per second"))
            }
        }
        if let text = args.values["vus"] {
            if let vus = Int(text), vus >= 1 { overrides.vus = vus } else {
                problems.append(Diagnostic(file: "command line", path: "--vus", message: "\"\(text)\" is not a whole number of at least 1"))
            }
        }
        if overrides.rate != nil && overrides.vus != nil {
            problems.append(Diagnostic(file: "command line", path: "--rate", message: "--rate (open model) and --vus (closed model) exclude each other"))
        }
        if let text = args.values["duration"] {
            if let nanos = DurationText.parseNanos(text), nanos > 0 { overrides.duration = text } else {
                problems.append(Diagnostic(file: "command line", path: "--duration", message: "\"\(text)\" is not a duration; use e.g. 30s, 2m"))
            }
        }
        var workers: Int?
        if let text = args.values["workers"] {
            if let count = Int(text), (1...64).contains(count) { workers = count } else {
                problems.append(Diagnostic(file: "command line", path: "--workers", message: "\"\(text)\" must be a whole number from 1 to 64"))
            }
        }
        overrides.target = args.values["target"]
        if !problems.isEmpty { throw .invalidInput(ValidationFailure(problems)) }

        SecretRegistration.inputs([file], environment: ProcessInfo.processInfo.environment)
        let scenario: Scenario
        do {
            scenario = try ScenarioLoader().load(path: file, overrides: overrides)
        } catch {
            throw .invalidInput(error)
        }
        SecretRegistration.loaded(scenario.secretValues)

        let outputDirectory = try prepareOutput(args.values["out"], folderName: scenario.name, marker: "summary.json")
        let plan = RunPlan(scenario: scenario, workers: workers, a2a: A2AAgentCard.preflight(scenario))
        var display = ProgressDisplay(quiet: args.flags.contains("quiet"))
        let signals = SignalWatch()  // never restored: see SignalWatch
        let result = Runner(plan: plan).run(wait: { signals.wait(milliseconds: $0) }, progress: { display.update($0) })
        display.finish()

        let summary = RunSummary.make(scenario: scenario, scenarioFile: file, result: result)
        let summaryFile = outputDirectory.appendingPathComponent("summary.json")
        let summaryText = SummaryJSON.render(summary, libcurlVersion: CurlVersion.description)
        do {
            try AtomicFile.write(summaryText, to: summaryFile)
        } catch {
            // Never lose the results silently: say so, and hand the summary over on standard output.
            StandardOutput.write(Redaction.text(summaryText, secrets: scenario.secretValues))
            throw .internalError("cannot write \(summaryFile.path) (\(OutputFolder.reason(error))); the summary was printed on standard output instead")
        }
        let table = SummaryTable.render(summary, resultsPath: relativePath(summaryFile.path))
        StandardOutput.write(Redaction.text(table, secrets: scenario.secretValues))
        return summary.verdict.exitCode
    }

    /// `--out DIR` (or a new `results/<UTC>-<folderName>`), claimed before any load starts: locked
    /// against concurrent runs, not holding a run (`marker`), writable (see `OutputFolder`).
    static func prepareOutput(_ requested: String?, folderName: String, marker: String) throws(CLIError) -> URL {
        do {
            return try OutputFolder.claim(requested, folderName: folderName, marker: marker)
        } catch {
            switch error {
            case let .busy(message), let .taken(message), let .notWritable(message):
                throw CLIError.invalidInput(ValidationFailure([Diagnostic(file: "command line", path: "--out", message: message)]))
            }
        }
    }

    static func relativePath(_ path: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath + "/"
        return path.hasPrefix(cwd) ? String(path.dropFirst(cwd.count)) : path
    }
}
