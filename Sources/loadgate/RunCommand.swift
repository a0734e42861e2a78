import Foundation
import LoadGate

/// `loadgate run SCENARIO`: validate, run, judge, write `summary.json`, print the table.
enum RunCommand {
    static func execute(_ arguments: [String]) throws(CLIError) -> Int32 {
        let args = try ArgumentList(arguments, valued: ["target", "rate", "vus", "duration", "workers", "out", "shard", "start-at", "metrics-listen"],
                                    boolean: ["quiet", "help"], command: "run")
        if args.flags.contains("help") { StandardOutput.write(HelpText.run); return ExitCode.passed }
        guard let file = args.positionals.first else { throw .usage("missing SCENARIO file", command: "run") }
        if args.positionals.count > 1 { throw .usage("unexpected argument '\(args.positionals[1])'; run takes one scenario", command: "run") }

        var problems: [Diagnostic] = []
        var overrides = LoadOverrides()
        switch LoadOverrides.parse(target: args.values["target"], rate: args.values["rate"], vus: args.values["vus"], duration: args.values["duration"]) {
        case let .success(parsed): overrides = parsed
        case let .failure(failure): problems += failure.diagnostics
        }
        let workers = args.integer("workers", in: Limits.workers, problems: &problems)
        let sharding = ShardOptions.parse(shard: args.values["shard"], startAt: args.values["start-at"],
                                          environment: ProcessInfo.processInfo.environment, problems: &problems)
        if !problems.isEmpty { throw .invalidInput(ValidationFailure(problems)) }

        SecretRegistration.inputs([file], environment: ProcessInfo.processInfo.environment)
        var scenario: Scenario
        do {
            scenario = try ScenarioLoader().load(path: file, overrides: overrides)
        } catch {
            throw .invalidInput(error)
        }
        scenario = try sharding.split(scenario)
        SecretRegistration.loaded(scenario.secretValues)

        if let problem = OpenFileBudget.problem(for: scenario.load, workers: workers) {
            throw .invalidInput(ValidationFailure([Diagnostic(file: file, path: "load", message: problem)]))
        }
        let live = try MetricsListenOption.start(args.values["metrics-listen"], quiet: args.flags.contains("quiet"))
        defer { live?.stop() }
        let outputDirectory = try prepareOutput(args.values["out"], folderName: scenario.name, marker: "summary.json")
        var plan = RunPlan(scenario: scenario, workers: workers, a2a: A2AAgentCard.preflight(scenario))
        plan.shardNumbering = sharding.shard
        var display = ProgressDisplay(quiet: args.flags.contains("quiet"))
        let signals = SignalWatch()  // never restored: see SignalWatch
        if !sharding.waitForStart(signals: signals, quiet: args.flags.contains("quiet")) {
            StandardError.write("loadgate: interrupted while waiting for --start-at; nothing was run\n")
            return ExitCode.verdictInvalid
        }
        let latencyLog: IntervalLogWriter
        do {
            latencyLog = try IntervalLogWriter(url: outputDirectory.appendingPathComponent(RunFolderFiles.latencyLog), startedAt: Date(),
                                               tags: plan.metricNames)
        } catch {
            throw .internalError("cannot write \(outputDirectory.path)/\(RunFolderFiles.latencyLog): \(error.localizedDescription)")
        }
        live?.metrics.begin(plan: plan)
        let result = Runner(plan: plan).run(wait: { signals.wait(milliseconds: $0) }, progress: { display.update($0); live?.metrics.progress($0) },
                                            onSecond: { latencyLog.append($0); live?.metrics.absorb($0, metricNames: plan.metricNames) })
        live?.metrics.finish(result)
        display.finish()

        let summary = RunSummary.make(scenario: scenario, scenarioFile: file, result: result)
        let summaryFile = outputDirectory.appendingPathComponent("summary.json")
        let reportFile = outputDirectory.appendingPathComponent("report.html")
        var document = SummaryJSON.value(summary, libcurlVersion: CurlVersion.description)
        if sharding.isSharded {
            document = RunFolderFiles.adding([("shard", RunFolderFiles.shardMember(sharding.shard, startAt: sharding.startAt))], to: document)
        }
        let summaryText = JSONWriter.serialize(document)
        do {
            try AtomicFile.write(summaryText, to: summaryFile)
        } catch {
            // Never lose the results silently: say so, and hand the summary over on standard output.
            StandardOutput.write(Redaction.text(summaryText, secrets: scenario.secretValues))
            throw .internalError("cannot write \(summaryFile.path) (\(OutputFolder.reason(error))); the summary was printed on standard output instead")
        }
        do {
            try latencyLog.finish()
            try RunFolderFiles.writeTotals(result, to: outputDirectory)
            // The page is rendered from the file just written, as `loadgate report FOLDER` would.
            let view = ReportView(runSummary: try JSONParser.parse(summaryText), runID: outputDirectory.lastPathComponent)
            try AtomicFile.write(Redaction.text(HTMLReport.render(view), secrets: scenario.secretValues), to: reportFile)
        } catch {
            throw .internalError("cannot write \(outputDirectory.path): \(error.localizedDescription)")
        }
        let table = SummaryTable.render(summary, resultsPath: relativePath(summaryFile.path)) + "report: \(relativePath(reportFile.path))\n"
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
