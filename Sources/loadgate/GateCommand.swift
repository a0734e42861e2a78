import Foundation
import LoadGate

/// `loadgate gate --scenario S... --checklist C`: the readiness gate. Checklist first (a failed
/// critical item stops before load unless --continue-on-fail), then each scenario, then one
/// bundle; exit 0 only if every SLO and every non-waived check passed.
enum GateCommand {
    static func execute(_ arguments: [String]) throws(CLIError) -> Int32 {
        let args = try ArgumentList(arguments, valued: ["scenario", "checklist", "attestations", "out", "workers"],
                                    boolean: ["continue-on-fail", "quiet", "help"], command: "gate")
        if args.flags.contains("help") { StandardOutput.write(HelpText.gate); return ExitCode.passed }
        if let extra = args.positionals.first { throw .usage("unexpected argument '\(extra)'; name files with --scenario and --checklist", command: "gate") }
        let scenarioFiles = args.allValues["scenario"] ?? []
        guard !scenarioFiles.isEmpty || args.values["checklist"] != nil else {
            throw .usage("nothing to gate; give --scenario FILE (repeatable) and/or --checklist FILE", command: "gate")
        }
        return try run(scenarioFiles: scenarioFiles, checklistFile: args.values["checklist"], attestationsFile: args.values["attestations"],
                       out: args.values["out"], folderName: "readiness", continueOnFail: args.flags.contains("continue-on-fail"),
                       workersText: args.values["workers"], quiet: args.flags.contains("quiet"), environment: ProcessInfo.processInfo.environment)
    }

    /// The gate itself, shared by `gate` and `demo` (which passes its own environment).
    static func run(scenarioFiles: [String], checklistFile: String?, attestationsFile: String?, out: String?, folderName: String,
                    continueOnFail: Bool, workersText: String?, quiet: Bool, environment: [String: String]) throws(CLIError) -> Int32 {
        SecretRegistration.inputs(scenarioFiles + [checklistFile, attestationsFile].compactMap { $0 }, environment: environment)
        var problems: [Diagnostic] = []
        var scenarios: [(String, Scenario)] = []
        for file in scenarioFiles {
            do { scenarios.append((file, try ScenarioLoader(environment: environment).load(path: file))) } catch { problems += error.diagnostics }
        }
        var checklist: Checklist?
        if let file = checklistFile {
            do { checklist = try ChecklistLoader(environment: environment).load(path: file) } catch { problems += error.diagnostics }
        }
        var attestations = Attestations()
        if let file = attestationsFile {
            do { attestations = try Attestations.load(path: file) } catch { problems += error.diagnostics }
        }
        var workers: Int?
        if let text = workersText {
            if let count = Int(text), (1...64).contains(count) { workers = count } else {
                problems.append(Diagnostic(file: "command line", path: "--workers", message: "\"\(text)\" must be a whole number from 1 to 64"))
            }
        }
        if !problems.isEmpty { throw .invalidInput(ValidationFailure(problems)) }

        let outputDirectory = try RunCommand.prepareOutput(out, folderName: folderName, marker: "report.json")
        let secrets = scenarios.flatMap { $0.1.secretValues } + (checklist?.secretValues ?? [])
            + [environment[ReportBundle.signingKeyVariable] ?? ""].filter { !$0.isEmpty }
        SecretRegistration.loaded(secrets)
        let startedAt = Date()
        var log = { (line: String) in if !quiet { StandardError.write(Redaction.text(line, secrets: secrets) + "\n") } }

        let signals = SignalWatch()  // from here on, an interrupt ends the gate with its partial results
        var checklistRun: ChecklistRun?
        var stopReason: String?
        if let checklist, let file = checklistFile {
            log("checklist \(checklist.name): \(checklist.items.count) items")
            let context = CheckContext(environment: environment, attestations: attestations, now: Date().timeIntervalSince1970)
            let run = ChecklistRunner().run(checklist, file: file, context: context, attestationsFile: attestationsFile)
            checklistRun = run
            log(run.results.map { "  \($0.status.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) \($0.item.id)" }.joined(separator: "\n"))
            let criticalFailures = run.results.filter { $0.item.severity == .critical && ($0.status == .failed || $0.status == .error) }
            if !criticalFailures.isEmpty && !continueOnFail {
                stopReason = "critical check \(criticalFailures.map(\.item.id).joined(separator: ", ")) failed (use --continue-on-fail to load anyway)"
            }
        }

        var outcomes: [ReadinessReport.ScenarioOutcome] = []
        var histograms: [(name: String, text: String)] = []
        var interrupted = false
        for (file, scenario) in scenarios {
            if let reason = stopReason ?? (interrupted ? "the gate was interrupted" : nil) {
                outcomes.append(.init(file: file, scenario: scenario, summary: nil, skippedReason: reason))
                continue
            }
            log("scenario \(scenario.name): running \(ValidateCommand.describe(scenario.load))")
            let plan = RunPlan(scenario: scenario, workers: workers, a2a: A2AAgentCard.preflight(scenario))
            let result = Runner(plan: plan).run(wait: { milliseconds in
                if signals.wait(milliseconds: milliseconds) { interrupted = true }
                return interrupted
            })
            let summary = RunSummary.make(scenario: scenario, scenarioFile: file, result: result)
            log("scenario \(scenario.name): \(summary.verdict.rawValue)")
            outcomes.append(.init(file: file, scenario: scenario, summary: summary, skippedReason: nil))
            for step in summary.steps where step.metrics.latency.totalCount > 0 {
                histograms.append((safeName("\(scenario.name).\(step.name)"), PercentileDistribution.hgrm(step.metrics.latency)))
            }
        }

        let report = ReadinessReport.document(runID: UUID().uuidString.lowercased(), startedAt: startedAt, endedAt: Date(),
                                              checklist: checklistRun, scenarios: outcomes, environment: environment,
                                              libcurlVersion: CurlVersion.description,
                                              gitCommit: ReportBundle.harnessCommit(executable: CommandLine.arguments[0]))
        do {
            try ReportBundle.write(report: report, histograms: histograms, to: outputDirectory, secrets: secrets,
                                   signingKey: environment[ReportBundle.signingKeyVariable])
        } catch {
            throw .internalError("cannot write the bundle to \(outputDirectory.path): \(error.localizedDescription)")
        }
        let markdown = Redaction.text(MarkdownReport.render(report), secrets: secrets)
        if let summaryFile = environment["GITHUB_STEP_SUMMARY"], !summaryFile.isEmpty {
            if let handle = FileHandle(forWritingAtPath: summaryFile) ?? (FileManager.default.createFile(atPath: summaryFile, contents: nil) ? FileHandle(forWritingAtPath: summaryFile) : nil) {
                handle.seekToEndOfFile()
                handle.write(Data((markdown + "\n").utf8))
                try? handle.close()
            }
        }
        log = { _ in }
        let verdict = report.text("/verdict") ?? "invalid"
        var out = "readiness: \(verdict.uppercased())\n"
        for reason in report.list("/reasons") { if case let .string(text) = reason { out += "  \(text)\n" } }
        out += "bundle: \(RunCommand.relativePath(outputDirectory.path))\n"
        out += "report: \(RunCommand.relativePath(outputDirectory.appendingPathComponent("report.html").path))\n"
        StandardOutput.write(Redaction.text(out, secrets: secrets))
        return verdict == "passed" ? ExitCode.passed : verdict == "failed" ? ExitCode.gateFailed : ExitCode.verdictInvalid
    }

    static func safeName(_ text: String) -> String {
        String(text.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" ? $0 : "_" })
    }
}

/// `loadgate verify DIR`: recompute every digest of a bundle (and its HMAC when the key is set).
enum VerifyCommand {
    static func execute(_ arguments: [String]) throws(CLIError) -> Int32 {
        let args = try ArgumentList(arguments, valued: [], boolean: ["help"], command: "verify")
        if args.flags.contains("help") { StandardOutput.write(HelpText.verify); return ExitCode.passed }
        guard args.positionals.count == 1, let directory = args.positionals.first else { throw .usage("give one bundle folder", command: "verify") }
        guard FileManager.default.fileExists(atPath: directory) else {
            throw .invalidInput(ValidationFailure([Diagnostic(file: directory, path: "", message: "no such folder")]))
        }
        let (problems, notes, checked) = ReportBundle.verify(URL(fileURLWithPath: directory), signingKey: ProcessInfo.processInfo.environment[ReportBundle.signingKeyVariable])
        for note in notes { StandardError.write("note: \(note)\n") }
        if problems.isEmpty {
            let signed = FileManager.default.fileExists(atPath: directory + "/MANIFEST.sig") && notes.isEmpty
            StandardOutput.write("\(directory): intact — \(checked) files match MANIFEST.sha256\(signed ? ", signature valid" : "")\n")
            return ExitCode.passed
        }
        for problem in problems { StandardOutput.write("\(directory)/\(problem)\n") }
        StandardOutput.write("\(directory): TAMPERED — \(problems.count) problem\(problems.count == 1 ? "" : "s")\n")
        return ExitCode.gateFailed
    }
}

/// `loadgate report DIR --format html|md|junit`: re-render a bundle's format from report.json alone.
enum ReportCommand {
    static func execute(_ arguments: [String]) throws(CLIError) -> Int32 {
        let args = try ArgumentList(arguments, valued: ["format"], boolean: ["help"], command: "report")
        if args.flags.contains("help") { StandardOutput.write(HelpText.report); return ExitCode.passed }
        guard args.positionals.count == 1, let directory = args.positionals.first else { throw .usage("give one bundle folder", command: "report") }
        let file = directory + "/report.json"
        guard let data = FileManager.default.contents(atPath: file) else {
            throw .invalidInput(ValidationFailure([Diagnostic(file: file, path: "", message: "no such file")]))
        }
        let report: JSONValue
        do { report = try JSONParser.parse(Array(data)) } catch {
            throw .invalidInput(ValidationFailure([Diagnostic(file: file, path: "", message: "line \(error.line), column \(error.column): \(error.message)")]))
        }
        switch args.values["format"] ?? "html" {
        case "html": StandardOutput.write(HTMLReport.render(report))
        case "md", "markdown": StandardOutput.write(MarkdownReport.render(report))
        case "junit": StandardOutput.write(JUnitReport.render(report))
        case "json": StandardOutput.write(JSONWriter.serialize(report))
        case let other:
            throw .invalidInput(ValidationFailure([Diagnostic(file: "command line", path: "--format", message: "\"\(other)\" is not a format; use html, md, junit or json")]))
        }
        return ExitCode.passed
    }
}
