import Foundation
import LoadGate

/// `loadgate gate --scenario S... --checklist C`: the readiness gate. Checklist first (a failed
/// critical item stops before load unless --continue-on-fail), then each scenario, then one
/// bundle; exit 0 only if every SLO and every non-waived check passed.
enum GateCommand {
    static func execute(_ arguments: [String]) throws(CLIError) -> Int32 {
        let args = try ArgumentList(arguments, valued: ["scenario", "checklist", "attestations", "out", "workers", "target", "baseline", "max-regression", "floor", "metrics-listen", "merged"],
                                    boolean: ["continue-on-fail", "quiet", "help", "allow-invalid-baseline"], command: "gate")
        if args.flags.contains("help") { StandardOutput.write(HelpText.gate); return ExitCode.passed }
        if let extra = args.positionals.first { throw .usage("unexpected argument '\(extra)'; name files with --scenario and --checklist", command: "gate") }
        let scenarioFiles = args.allValues["scenario"] ?? []
        let mergedRuns = args.allValues["merged"] ?? []
        guard !scenarioFiles.isEmpty || !mergedRuns.isEmpty || args.values["checklist"] != nil else {
            throw .usage("nothing to gate; give --scenario FILE (repeatable) and/or --checklist FILE", command: "gate")
        }
        return try run(scenarioFiles: scenarioFiles, checklistFile: args.values["checklist"], attestationsFile: args.values["attestations"],
                       out: args.values["out"], folderName: "readiness", continueOnFail: args.flags.contains("continue-on-fail"),
                       workersText: args.values["workers"], quiet: args.flags.contains("quiet"), environment: ProcessInfo.processInfo.environment,
                       target: args.values["target"], mergedRuns: mergedRuns, baseline: try GateBaseline.options(args),
                       metricsListen: args.values["metrics-listen"])
    }

    /// The gate itself, shared by `gate` and `demo` (which passes its own environment).
    /// - Parameter target: `--target`, replacing every scenario's target.
    static func run(scenarioFiles: [String], checklistFile: String?, attestationsFile: String?, out: String?, folderName: String,
                    continueOnFail: Bool, workersText: String?, quiet: Bool, environment: [String: String],
                    target: String? = nil, mergedRuns: [String] = [],
                    baseline baselineOptions: (path: String, policy: RegressionPolicy, allowInvalid: Bool)? = nil,
                    metricsListen: String? = nil) throws(CLIError) -> Int32 {
        SecretRegistration.inputs(scenarioFiles + [checklistFile, attestationsFile].compactMap { $0 }, environment: environment)
        var problems: [Diagnostic] = []
        var scenarios: [(String, Scenario)] = []
        for file in scenarioFiles {
            do {
                scenarios.append((file, try ScenarioLoader(environment: environment).load(path: file, overrides: LoadOverrides(target: target))))
            } catch { problems += error.diagnostics }
        }
        // Runs already merged from shards (loadgate merge): judged as recorded, not run again.
        var merged: [ShardMerge.Outcome] = []
        for folder in mergedRuns {
            switch ShardMerge.readMerged(path: folder, scenarioFile: nil, environment: environment) {
            case let .success(outcome): merged.append(outcome)
            case let .failure(failure): problems += failure.diagnostics
            }
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
            if case let .success(count) = SafeNumber.integer(text: text, in: Limits.workers) { workers = count } else {
                problems.append(Diagnostic(file: "command line", path: "--workers", message: "\"\(text)\" must be a whole number from 1 to 64"))
            }
        }
        for (file, scenario) in scenarios {
            if let problem = OpenFileBudget.problem(for: scenario.load, workers: workers) {
                problems.append(Diagnostic(file: file, path: "load", message: problem))
            }
        }
        var baseline: GateBaseline?
        if let options = baselineOptions, problems.isEmpty {
            let (loaded, baselineProblems) = GateBaseline.load(path: options.path, policy: options.policy, allowInvalid: options.allowInvalid,
                                                               scenarios: scenarios, signingKey: environment[ReportBundle.signingKeyVariable])
            baseline = loaded
            problems += baselineProblems
        }
        if !problems.isEmpty { throw .invalidInput(ValidationFailure(problems)) }

        let live = try MetricsListenOption.start(metricsListen, quiet: quiet)
        defer { live?.stop() }
        let outputDirectory = try RunCommand.prepareOutput(out, folderName: folderName, marker: "report.json")
        let secrets = scenarios.flatMap { $0.1.secretValues } + merged.flatMap(\.scenario.secretValues) + (checklist?.secretValues ?? [])
            + [environment[ReportBundle.signingKeyVariable] ?? ""].filter { !$0.isEmpty }
        SecretRegistration.loaded(secrets)
        let startedAt = Date()
        var log = { (line: String) in if !quiet { StandardError.write(Redaction.text(line, secrets: secrets) + "\n") } }

        if let baseline {
            log("baseline \(baseline.input.path): run \(baseline.input.runID), manifest verified (sha256 \(baseline.input.manifestSHA256?.prefix(16) ?? "?")…)")
            for note in baseline.input.notes { log("baseline: note: \(note)") }
        }

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
            log("scenario \(scenario.name): running \(ValidateCommand.describe(scenario.load))\(scenario.target.map { " against \(Redaction.url($0))" } ?? "")")
            var display = ProgressDisplay(quiet: quiet)
            let plan = RunPlan(scenario: scenario, workers: workers, a2a: A2AAgentCard.preflight(scenario))
            live?.metrics.begin(plan: plan)
            let result = Runner(plan: plan).run(wait: { milliseconds in
                if signals.wait(milliseconds: milliseconds) { interrupted = true }
                return interrupted
            }, progress: { display.update($0); live?.metrics.progress($0) }, onSecond: { live?.metrics.absorb($0, metricNames: plan.metricNames) })
            live?.metrics.finish(result)
            display.finish()
            let summary = RunSummary.make(scenario: scenario, scenarioFile: file, result: result)
            log("scenario \(scenario.name): \(GateSummaryLine.render(summary))")
            if let abort = result.abort, !continueOnFail {
                // An abortOnFail SLO already failed the gate: do not spend the remaining scenarios' time.
                stopReason = "scenario \(scenario.name) stopped early: abortOnFail SLO \(abort.expression) failed (use --continue-on-fail to run the rest anyway)"
            }
            if summary.generator.saturated {
                log("scenario \(scenario.name): GENERATOR SATURATED: \(summary.generator.findings.joined(separator: "; "))")
            }
            outcomes.append(.init(file: file, scenario: scenario, summary: summary, skippedReason: nil))
            for step in summary.steps where step.metrics.latency.totalCount > 0 {
                histograms.append((safeName("\(scenario.name).\(step.name)"), PercentileDistribution.hgrm(step.metrics.latency)))
            }
        }
        for outcome in merged {
            log("scenario \(outcome.scenario.name): merged from shards, \(outcome.summary.verdict.rawValue)")
            outcomes.append(.init(file: outcome.summary.scenarioFile, scenario: outcome.scenario, summary: outcome.summary, skippedReason: nil))
            for step in outcome.summary.steps where step.metrics.latency.totalCount > 0 {
                histograms.append((safeName("\(outcome.scenario.name).\(step.name)"), PercentileDistribution.hgrm(step.metrics.latency)))
            }
        }

        var report = ReadinessReport.document(runID: UUID().uuidString.lowercased(), startedAt: startedAt, endedAt: Date(),
                                              checklist: checklistRun, scenarios: outcomes, environment: environment,
                                              libcurlVersion: CurlVersion.description,
                                              gitCommit: ReportBundle.harnessCommit(executable: CommandLine.arguments[0]))
        if let baseline { report = baseline.apply(to: report, scenarios: scenarios) }
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
        let view = ReportView(readiness: report)
        let verdict = view.verdict
        var out = "readiness: \(verdict.uppercased())\n"
        for scenario in view.scenarios {
            out += "  scenario \(scenario.name): " + (scenario.run.map(GateSummaryLine.render) ?? "not run: \(scenario.skippedReason ?? "")") + "\n"
        }
        if let checklist = view.checklist {
            out += "  checklist \(checklist.name): \(checklist.verdict) · " + checklist.counts.map { "\($0.count) \($0.status)" }.joined(separator: ", ") + "\n"
        }
        if !view.reasons.isEmpty { out += "why:\n" }
        for reason in view.reasons { out += "  \(reason)\n" }
        out += "bundle: \(RunCommand.relativePath(outputDirectory.path))\n"
        out += "report: \(RunCommand.relativePath(outputDirectory.appendingPathComponent("report.html").path))\n"
        StandardOutput.write(Redaction.text(out, secrets: secrets))
        return (Verdict(rawValue: verdict) ?? .invalid).exitCode
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

/// `loadgate report DIR --format html|md|junit|json`: re-render a format from a bundle's
/// report.json, or from a run folder's summary.json (html and json only), alone.
enum ReportCommand {
    static func execute(_ arguments: [String]) throws(CLIError) -> Int32 {
        let args = try ArgumentList(arguments, valued: ["format"], boolean: ["help"], command: "report")
        if args.flags.contains("help") { StandardOutput.write(HelpText.report); return ExitCode.passed }
        guard args.positionals.count == 1, let directory = args.positionals.first else { throw .usage("give one bundle or run folder", command: "report") }
        let bundleFile = directory + "/report.json", runFile = directory + "/summary.json"
        let isBundle = FileManager.default.fileExists(atPath: bundleFile)
        let file = isBundle ? bundleFile : runFile
        guard let data = FileManager.default.contents(atPath: file) else {
            throw .invalidInput(ValidationFailure([Diagnostic(file: directory, path: "",
                message: "neither report.json (a gate bundle) nor summary.json (a run folder) is here")]))
        }
        let document: JSONValue
        do { document = try JSONParser.parse(Array(data)) } catch {
            throw .invalidInput(ValidationFailure([Diagnostic(file: file, path: "", message: "line \(error.line), column \(error.column): \(error.message)")]))
        }
        let format = args.values["format"] ?? "html"
        switch (format, isBundle) {
        case ("html", true): StandardOutput.write(HTMLReport.render(document))
        case ("html", false):
            let name = URL(fileURLWithPath: directory).standardizedFileURL.lastPathComponent
            StandardOutput.write(HTMLReport.render(ReportView(runSummary: document, runID: name)))
        case ("md", true), ("markdown", true): StandardOutput.write(MarkdownReport.render(document))
        case ("junit", true): StandardOutput.write(JUnitReport.render(document))
        case ("json", _): StandardOutput.write(JSONWriter.serialize(document))
        case ("md", false), ("markdown", false), ("junit", false):
            throw .invalidInput(ValidationFailure([Diagnostic(file: "command line", path: "--format",
                message: "\"\(format)\" needs a gate bundle (report.json); a run folder renders as html or json")]))
        default:
            throw .invalidInput(ValidationFailure([Diagnostic(file: "command line", path: "--format", message: "\"\(format)\" is not a format; use html, md, junit or json")]))
        }
        return ExitCode.passed
    }
}
