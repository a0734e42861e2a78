import Foundation
import LoadGate

/// `loadgate capacity SCENARIO`: find the highest offered rate that still meets the scenario's SLOs.
enum CapacityCommand {
    static func execute(_ arguments: [String]) throws(CLIError) -> Int32 {
        let args = try ArgumentList(arguments, valued: ["from", "to", "step-duration", "warmup", "precision", "connections",
                                                        "workers", "max-time", "target", "out", "metrics-listen"],
                                    boolean: ["quiet", "help"], command: "capacity")
        if args.flags.contains("help") { StandardOutput.write(HelpText.capacity); return ExitCode.passed }
        guard let file = args.positionals.first else { throw .usage("missing SCENARIO file", command: "capacity") }
        if args.positionals.count > 1 { throw .usage("unexpected argument '\(args.positionals[1])'", command: "capacity") }

        var problems: [Diagnostic] = []
        func duration(_ name: String, allowZero: Bool = false) -> Int64? {
            guard let text = args.values[name] else { return nil }
            if let nanos = DurationText.parseNanos(text), nanos > 0 || (allowZero && nanos == 0) { return nanos }
            problems.append(Diagnostic(file: "command line", path: "--\(name)", message: "\"\(text)\" is not a duration; use e.g. 5s, 1m"))
            return nil
        }
        let from = args.positiveNumber("from", in: Limits.ratePerSecond, problems: &problems)
        let to = args.positiveNumber("to", in: Limits.ratePerSecond, problems: &problems)
        let stepNanos = duration("step-duration")
        let warmupNanos = duration("warmup", allowZero: true)
        let maxTime = duration("max-time")
        let connections = args.integer("connections", in: Limits.connections, problems: &problems)
        let workers = args.integer("workers", in: Limits.workers, problems: &problems)
        var precision = 0.05
        if let text = args.values["precision"] {
            let number = text.hasSuffix("%") ? Double(text.dropLast()).map { $0 / 100 } : Double(text)
            if let number, number > 0, number < 1 { precision = number } else {
                problems.append(Diagnostic(file: "command line", path: "--precision", message: "\"\(text)\" must be a share such as 5% or 0.05"))
            }
        }
        if let from, let to, to < from {
            problems.append(Diagnostic(file: "command line", path: "--to", message: "must not be below --from (\(JSONWriter.format(from)))"))
        }
        if !problems.isEmpty { throw .invalidInput(ValidationFailure(problems)) }

        SecretRegistration.inputs([file], environment: ProcessInfo.processInfo.environment)
        let scenario: Scenario
        do {
            scenario = try ScenarioLoader().load(path: file, overrides: LoadOverrides(target: args.values["target"]))
        } catch {
            throw .invalidInput(error)
        }
        SecretRegistration.loaded(scenario.secretValues)
        var scenarioConnections = OpenLoad.defaultConnections
        var scenarioRate: Double?
        if case let .open(load) = scenario.load {
            scenarioConnections = load.connections
            scenarioRate = load.stages.isEmpty ? load.rate : nil
        }
        let start = from ?? min(scenarioRate ?? 10, to ?? 1_000)
        let settings = CapacityRunner.Settings(
            from: start, to: to ?? max(1_000, start), precision: precision,
            stepNanos: stepNanos ?? 5 * DurationText.nanosPerSecond, warmupNanos: warmupNanos ?? DurationText.nanosPerSecond,
            connections: connections ?? scenarioConnections, workers: workers,
            maxTimeNanos: maxTime ?? 600 * DurationText.nanosPerSecond)

        let quiet = args.flags.contains("quiet")
        let live = try MetricsListenOption.start(args.values["metrics-listen"], quiet: quiet)
        defer { live?.stop() }
        let outputDirectory = try RunCommand.prepareOutput(args.values["out"], folderName: "\(scenario.name)-capacity", marker: "capacity.json")
        if !quiet {
            StandardError.write("capacity search: \(DurationText.trim(settings.from))/s .. \(DurationText.trim(settings.to))/s, \(DurationText.format(nanos: settings.stepNanos)) per step after \(DurationText.format(nanos: settings.warmupNanos)) warm-up, precision \(JSONWriter.format(settings.precision * 100))%\n")
        }
        let signals = SignalWatch()
        let result = CapacityRunner(scenario: scenario, settings: settings).run(wait: { signals.wait(milliseconds: $0) }, onStep: { step in
            if !quiet { StandardError.write(CapacityReport.stepLine(step) + "\n") }
        }, live: live?.metrics)

        let capacityFile = outputDirectory.appendingPathComponent("capacity.json")
        do {
            let json = Redaction.text(CapacityReport.json(result, libcurlVersion: CurlVersion.description), secrets: scenario.secretValues)
            try AtomicFile.write(json, to: capacityFile)
            if let document = try? JSONParser.parse(json) {
                try AtomicFile.write(CapacityReport.html(document), to: outputDirectory.appendingPathComponent("capacity.html"))
            }
        } catch {
            throw .internalError("cannot write \(capacityFile.path): \(error.localizedDescription)")
        }
        let table = CapacityReport.table(result, resultsPath: RunCommand.relativePath(capacityFile.path))
        StandardOutput.write(Redaction.text(table, secrets: scenario.secretValues))
        return result.verdict.exitCode
    }
}
