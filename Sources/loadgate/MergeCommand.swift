import Foundation
import LoadGate

/// `loadgate merge DIR... [--out DIR]`: merges the run folders of a sharded test into one run
/// folder of the same shape as `run`'s, judges the scenario's SLOs on the merged data and exits
/// like `run` (0 passed, 1 failed, 3 invalid; 2 for shards that do not belong together).
enum MergeCommand {
    static func execute(_ arguments: [String]) throws(CLIError) -> Int32 {
        let args = try ArgumentList(arguments, valued: ["out", "scenario", "wait"], boolean: ["allow-partial", "help"], command: "merge")
        if args.flags.contains("help") { StandardOutput.write(HelpText.merge); return ExitCode.passed }
        guard !args.positionals.isEmpty else { throw .usage("give the shard run folders to merge", command: "merge") }
        if let text = args.values["wait"] {
            guard let nanos = DurationText.parseNanos(text), nanos > 0 else {
                throw .invalidInput(ValidationFailure([Diagnostic(file: "command line", path: "--wait", message: "\"\(text)\" is not a duration; use e.g. 30m")]))
            }
            waitForSummaries(args.positionals, upTo: Double(nanos) / 1e9)
        }
        let environment = ProcessInfo.processInfo.environment
        SecretRegistration.inputs([args.values["scenario"]].compactMap { $0 }, environment: environment)
        let outputDirectory = try RunCommand.prepareOutput(args.values["out"], folderName: "merged", marker: "summary.json")
        let outcome: ShardMerge.Outcome
        switch ShardMerge.merge(paths: args.positionals, allowPartial: args.flags.contains("allow-partial"),
                                scenarioFile: args.values["scenario"], environment: environment,
                                latencyOut: outputDirectory.appendingPathComponent(RunFolderFiles.latencyLog)) {
        case let .success(value): outcome = value
        case let .failure(failure):
            if args.values["out"] == nil { try? FileManager.default.removeItem(at: outputDirectory) }
            throw .invalidInput(failure)
        }
        let summary = outcome.summary
        // The scenario the shards ran (named by --scenario or recorded in them): its secrets are
        // masked in everything merge writes or prints.
        SecretRegistration.inputs([summary.scenarioFile], environment: environment)
        SecretRegistration.loaded(outcome.scenario.secretValues)
        let summaryFile = outputDirectory.appendingPathComponent("summary.json")
        do {
            try RunFolderFiles.writeTotals(summary.result, to: outputDirectory)
            let document = RunFolderFiles.adding([("merged", outcome.mergedMember)],
                                                 to: SummaryJSON.value(summary, libcurlVersion: CurlVersion.description))
            let json = JSONWriter.serialize(document)
            try AtomicFile.write(json, to: summaryFile)
            // The same page as `run` writes, rendered from the merged summary.
            let view = ReportView(runSummary: try JSONParser.parse(json), runID: outputDirectory.lastPathComponent)
            try AtomicFile.write(Redaction.text(HTMLReport.render(view), secrets: outcome.scenario.secretValues),
                                 to: outputDirectory.appendingPathComponent("report.html"))
        } catch {
            throw .internalError("cannot write \(outputDirectory.path): \(error.localizedDescription)")
        }
        let table = SummaryTable.render(summary, resultsPath: RunCommand.relativePath(summaryFile.path))
        StandardOutput.write(Redaction.text(table, secrets: outcome.scenario.secretValues))
        return summary.verdict.exitCode
    }

    /// For a merge job started beside its shards (Kubernetes): wait until every folder holds a
    /// summary, or the time is up (then the merge reports what is missing).
    static func waitForSummaries(_ folders: [String], upTo seconds: Double) {
        let deadline = Date().addingTimeInterval(seconds)
        var signals = SignalWatch()
        defer { signals.restore() }
        while Date() < deadline {
            if folders.allSatisfy({ FileManager.default.fileExists(atPath: $0 + "/summary.json") }) { return }
            if signals.wait(milliseconds: 1_000) { return }
        }
    }
}
